"""check_numerics and the assertions: messages, return values, gradients, and the exception
class of each call compared with TensorFlow's for the same input."""
import numpy as np
import pytest

import ndflow as tf
from ndflow.framework import errors

X = np.array([1, 2, 3], np.int32)
Y = np.array([1, 5, 3], np.int32)
F = np.array([1.0, 2.0], np.float32)

# (name, call(module)); each runs on ndflow and on TensorFlow and must end the same way.
CALLS = [
    ("equal_pass", lambda m: m.debugging.assert_equal(X, X)),
    ("equal_fail", lambda m: m.debugging.assert_equal(X, Y)),
    ("equal_broadcast", lambda m: m.assert_equal(m.constant(X) * 0, 0)),
    ("equal_python", lambda m: m.debugging.assert_equal(1, 2)),
    ("equal_float_int_literal", lambda m: m.debugging.assert_equal(m.constant(F), 1)),
    ("none_equal", lambda m: m.debugging.assert_none_equal(X, Y)),
    ("less", lambda m: m.assert_less(X, Y + 1)),
    ("less_fail", lambda m: m.assert_less(X, Y)),
    ("less_equal", lambda m: m.debugging.assert_less_equal(X, Y)),
    ("greater", lambda m: m.assert_greater(Y, X)),
    ("greater_equal", lambda m: m.debugging.assert_greater_equal(X, Y)),
    ("near", lambda m: m.debugging.assert_near(F, F + np.float32(1e-7))),
    ("near_fail", lambda m: m.debugging.assert_near(F, F + np.float32(0.01))),
    ("near_f64_default_tol", lambda m: m.debugging.assert_near(F.astype(np.float64),
                                                               F + 1e-7)),
    ("positive_empty", lambda m: m.debugging.assert_positive(np.zeros(0, np.float32))),
    ("positive", lambda m: m.debugging.assert_positive(X - 1)),
    ("negative", lambda m: m.debugging.assert_negative(-X)),
    ("non_negative", lambda m: m.debugging.assert_non_negative(X - 1)),
    ("non_positive", lambda m: m.debugging.assert_non_positive(X - 1)),
    ("rank_tensor_arg", lambda m: m.assert_rank(X, m.constant(1))),
    ("rank_python_list", lambda m: m.assert_rank([[1, 2]], 2)),
    ("rank_at_least", lambda m: m.debugging.assert_rank_at_least(X, 0)),
    ("type_python_list", lambda m: m.debugging.assert_type([1, 2], m.int32)),
    ("type", lambda m: m.debugging.assert_type(F, m.float64)),
    ("integer", lambda m: m.debugging.assert_integer(X)),
    ("scalar", lambda m: m.debugging.assert_scalar(3)),
    ("all_finite_pass", lambda m: m.debugging.assert_all_finite(F, "m")),
    ("check_numerics_inf", lambda m: m.debugging.check_numerics(
        np.array([1.0, np.inf], np.float32), "m")),
    ("check_numerics_f16", lambda m: m.debugging.check_numerics(F.astype(np.float16), "m")),
    ("Assert_python_false", lambda m: m.Assert(False, ["text"])),
    ("Assert_int_condition", lambda m: m.debugging.Assert(m.constant(1), [X])),
    ("shapes_scalar", lambda m: m.debugging.assert_shapes([(m.constant(1.0), ())])),
    ("shapes_dict", lambda m: m.debugging.assert_shapes({m.constant(X): ("N",)})),
    ("same_float_default", lambda m: m.debugging.assert_same_float_dtype()),
    ("same_float_dtype_arg", lambda m: m.debugging.assert_same_float_dtype(
        [m.constant(F)], m.float64)),
]


def _outcome(module, call):
    try:
        call(module)
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return type(exc).__name__
    return None


@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_same_outcome_as_tensorflow(name, call, real_tf):
    assert _outcome(tf, call) == _outcome(real_tf, call)


def test_top_level_assertions_match_tensorflow(real_tf):
    ours = {n for n in dir(tf) if n.startswith("assert") or n == "Assert"}
    theirs = {n for n in dir(real_tf) if n.startswith("assert") or n == "Assert"}
    assert ours == theirs
    public = {n for n in dir(real_tf.debugging) if n.startswith(("assert", "Assert"))}
    assert public <= set(dir(tf.debugging))


def _message(call):
    with pytest.raises(errors.InvalidArgumentError) as info:
        call()
    return str(info.value)


def test_binary_assert_message_names_message_condition_and_data():
    text = _message(lambda: tf.debugging.assert_equal(X, Y, message="custom note"))
    assert text.splitlines() == [
        "custom note", "Condition x == y did not hold.", "Indices of first 1 different values:",
        "[[1]]", "Corresponding x values:", "[2]", "Corresponding y values:", "[5]",
        "First 3 elements of x:", "[1 2 3]", "First 3 elements of y:", "[1 5 3]"]
    text = _message(lambda: tf.debugging.assert_less(X, Y, summarize=1))
    assert "x < y" in text and "First 1 elements of x:\n[1]" in text
    text = _message(lambda: tf.debugging.assert_equal(X, 1))  # broadcast: no indices
    assert "Indices" not in text and "First 1 elements of y:\n[1]" in text


def test_unary_and_near_messages():
    assert "x > 0" in _message(lambda: tf.debugging.assert_positive(X - 1))
    text = _message(lambda: tf.debugging.assert_near(F, F + 1, message="close"))
    assert "close" in text and "tolerance" in text


def test_assert_op_summarizes_data():
    text = _message(lambda: tf.debugging.Assert(False, [np.arange(10), "note", 7]))
    assert "0, 1, 2, ..." in text and "b'note'" in text and "\n7" in text
    text = _message(lambda: tf.debugging.Assert(False, [np.arange(5)], summarize=-1))
    assert "0, 1, 2, 3, 4" in text


def test_assertions_return_none_eagerly():
    assert tf.debugging.assert_equal(X, X) is None
    assert tf.debugging.Assert(True, [X]) is None
    assert tf.debugging.assert_rank(X, 1) is None


@pytest.mark.parametrize("values,what", [([np.nan], "NaN"), ([np.inf], "Inf"),
                                         ([np.nan, -np.inf], "Inf and NaN")])
def test_check_numerics_messages(values, what):
    text = _message(lambda: tf.debugging.check_numerics(np.array(values), "my tensor"))
    assert f"my tensor : Tensor had {what} values" in text and "[Op:CheckNumerics]" in text


def test_check_numerics_passes_values_and_gradients():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x * x, "sq")
    np.testing.assert_array_equal(y.numpy(), [1.0, 4.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0])


def test_check_numerics_checks_the_gradient():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x, "forward")
        loss = tf.reduce_sum(y * tf.constant([np.inf, 1.0]))
    text = _message(lambda: tape.gradient(loss, x))
    assert "detected in gradient" in text and "forward" in text


def test_static_assertion_messages():
    with pytest.raises(ValueError, match="note.  Tensor must have rank 2.  Received rank 1"):
        tf.assert_rank(X, 2, message="note")
    with pytest.raises(ValueError, match="rank in \\(0, 2\\)"):
        tf.debugging.assert_rank_in(X, [0, 2])
    with pytest.raises(TypeError, match="must be of type tf.float32; got tf.int32"):
        tf.debugging.assert_type(X, tf.float32)
    with pytest.raises(ValueError, match="dimension 0 must have size 3.  Received size 4"):
        tf.debugging.assert_shapes([(X, ("N",)), (np.zeros((4, 2)), ("N", 2))])


def test_helpers():
    assert tf.debugging.is_numeric_tensor(tf.constant(X))
    assert not tf.debugging.is_numeric_tensor(tf.constant([True]))
    assert not tf.debugging.is_numeric_tensor(X)
    assert tf.debugging.assert_same_float_dtype([tf.constant(F)]) is tf.float32
    out = tf.debugging.assert_all_finite(F, "m")
    np.testing.assert_array_equal(out.numpy(), F)
