"""Cases for ndflow/ops/complex_ops.py."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

C = rand(3, dtype=np.complex128)
CASES = [
    OpCase("complex_from_parts", lambda tf, re, im: tf.complex(re, im), [rand(3), rand(3, seed=2)],
           ["Complex"], lambda re, im: re + 1j * im),
    OpCase("complex_grad", lambda tf, re, im: tf.math.real(tf.complex(re, im) * tf.complex(
        im, re)), [rand(3), rand(3, seed=2)], ["Complex", "Real"],
        lambda re, im: np.real((re + 1j * im) * (im + 1j * re)), grad=True),
    OpCase("imag_grad", lambda tf, re, im: tf.math.imag(tf.complex(re, im) * tf.complex(
        re, re)), [rand(3), rand(3, seed=2)], ["Imag"],
        lambda re, im: np.imag((re + 1j * im) * (re + 1j * re)), grad=True),
    OpCase("conj", lambda tf, re, im: tf.math.real(tf.math.conj(tf.complex(re, im)) * tf.complex(
        im, re)), [rand(3), rand(3, seed=2)], ["Conj"],
        lambda re, im: np.real(np.conj(re + 1j * im) * (im + 1j * re)), grad=True),
    OpCase("real_imag_values", lambda tf, c: [tf.math.real(c), tf.math.imag(c)], [C],
           ["Real", "Imag"], lambda c: [c.real, c.imag]),
    ErrorCase("complex_int_parts", lambda tf, a, b: tf.complex(a, b),
              [np.ones(2, np.int32), np.ones(2, np.int32)], "InvalidArgumentError", tf=False),
]
