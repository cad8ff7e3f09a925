"""Cases for ndflow/ops/unary_ops.py: elementwise unary math."""
import numpy as np

from opcases import OpCase, positive, rand

CASES = [
    OpCase("exp", lambda tf, x: tf.exp(x), [rand(2, 3)], ["Exp"], np.exp, grad=True),
    OpCase("log", lambda tf, x: tf.math.log(x), [positive(2, 3)], ["Log"], np.log, grad=True),
    OpCase("sqrt", lambda tf, x: tf.sqrt(x), [positive(2, 3)], ["Sqrt"], np.sqrt, grad=True),
    OpCase("square", lambda tf, x: tf.square(x), [rand(2, 3)], ["Square"], np.square, grad=True),
    OpCase("sign", lambda tf, x: tf.sign(x), [rand(5)], ["Sign"], np.sign, grad=True),
    OpCase("floor", lambda tf, x: tf.floor(x), [rand(5) * 3], ["Floor"], np.floor),
]
