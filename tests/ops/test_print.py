"""ndflow.print formats tensors as tf.print does (compared through the captured output)."""
import sys

import pytest

import ndflow

CASES = {
    "mixed": lambda tf: tf.print(tf.constant([1.5, 2.0]), "hi", 3, tf.constant(7),
                                 output_stream=sys.stdout),
    "summarized": lambda tf: tf.print(tf.reshape(tf.range(64), [8, 8]), summarize=2,
                                      output_stream=sys.stdout),
    "sep_end": lambda tf: tf.print("a", "b", sep=",", end="!\n", output_stream=sys.stdout),
    "bool_and_strings": lambda tf: tf.print(tf.constant([[True, False]]), tf.constant(["a", "b"]),
                                            output_stream=sys.stdout),
    "nested": lambda tf: tf.print([1, tf.constant(2)], {"a": tf.constant(1.0)},
                                  output_stream=sys.stdout),
    "long_vector": lambda tf: tf.print(tf.range(10), output_stream=sys.stdout),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_print_matches_tensorflow(name, real_tf, capfd):
    CASES[name](real_tf)
    theirs = capfd.readouterr().out
    CASES[name](ndflow)
    ours = capfd.readouterr().out
    assert ours == theirs


def test_print_inside_a_function_runs_at_every_call(capfd):
    @ndflow.function
    def f(x):
        ndflow.print("x =", x, output_stream=sys.stdout)
        return x
    f(ndflow.constant(1))
    f(ndflow.constant(2))
    assert capfd.readouterr().out == "x = 1\nx = 2\n"
