"""Cases for ndflow/ops/debugging_ops.py: check_numerics and the assertions."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

F32, I32 = np.float32, np.int32
NAN_F32 = np.array([1.0, np.nan], F32)
INTS = np.array([1, 2, 3], I32)
OTHER_INTS = np.array([1, 5, 3], I32)


def _passes(assertion):
    """A case function that runs ``assertion`` (which must pass) and returns its first input."""
    def fn(tf, x, *rest):
        assertion(tf, x, *rest)
        return x
    return fn


def _fails(name, assertion, args, error="InvalidArgumentError"):
    return ErrorCase(name, assertion, args, error)


CASES = [
    OpCase("check_numerics", lambda tf, x: tf.debugging.check_numerics(x * 2, "msg"),
           [rand(2, 3)], ["CheckNumerics", "Mul"], lambda x: x * 2, grad=True),
    OpCase("check_numerics_f32", lambda tf, x: tf.debugging.check_numerics(x, "msg"),
           [rand(4, dtype=F32)], ["CheckNumerics"], lambda x: x),
    OpCase("assert_all_finite", lambda tf, x: tf.debugging.assert_all_finite(x, "msg"),
           [rand(3)], ["CheckNumerics"], lambda x: x, grad=True),
    OpCase("assert_op_passes", _passes(lambda tf, x: tf.debugging.Assert(True, [x, "text"])),
           [rand(3)], ["Assert"], lambda x: x),
    OpCase("assert_op_tensor_condition", _passes(
        lambda tf, x: tf.Assert(tf.reduce_sum(x) > -100.0, [x], summarize=2)),
        [rand(3)], ["Assert", "Sum", "Greater"], lambda x: x),
    OpCase("assert_equal_passes", _passes(lambda tf, x, y: tf.debugging.assert_equal(x, y)),
           [INTS, INTS], ["Equal"], lambda x, y: x),
    OpCase("assert_equal_broadcast_literal", _passes(
        lambda tf, x: tf.assert_equal(x * 0, 0)), [INTS], ["Equal", "Mul"], lambda x: x),
    OpCase("assert_none_equal_passes", _passes(
        lambda tf, x, y: tf.debugging.assert_none_equal(x, y)), [INTS, INTS + 10],
        ["NotEqual"], lambda x, y: x),
    OpCase("assert_less_passes", _passes(lambda tf, x, y: tf.assert_less(x, y)),
           [INTS, INTS + 1], ["Less"], lambda x, y: x),
    OpCase("assert_less_equal_passes", _passes(
        lambda tf, x, y: tf.debugging.assert_less_equal(x, y)), [INTS, INTS], ["LessEqual"],
        lambda x, y: x),
    OpCase("assert_greater_passes", _passes(lambda tf, x, y: tf.assert_greater(x, y)),
           [INTS + 1, INTS], ["Greater"], lambda x, y: x),
    OpCase("assert_greater_equal_passes", _passes(
        lambda tf, x, y: tf.debugging.assert_greater_equal(x, y)), [INTS, INTS],
        ["GreaterEqual"], lambda x, y: x),
    OpCase("assert_near_passes", _passes(lambda tf, x, y: tf.debugging.assert_near(x, y)),
           [rand(3, dtype=F32), rand(3, dtype=F32) + F32(1e-7)], ["Sub", "Abs", "LessEqual"],
           lambda x, y: x),
    OpCase("assert_near_tolerance", _passes(
        lambda tf, x, y: tf.debugging.assert_near(x, y, rtol=0.1, atol=0.2)),
        [rand(3), rand(3) + 0.1], ["Sub", "Abs", "LessEqual"], lambda x, y: x),
    OpCase("assert_sign_passes", _passes(lambda tf, x: [
        tf.debugging.assert_positive(x), tf.debugging.assert_non_negative(x),
        tf.debugging.assert_negative(-x), tf.debugging.assert_non_positive(-x)]),
        [rand(4, low=0.5, high=3)], ["Greater", "GreaterEqual", "Less", "LessEqual"],
        lambda x: x),
    OpCase("assert_static_checks_pass", _passes(lambda tf, x: [
        tf.assert_rank(x, 2), tf.debugging.assert_rank_at_least(x, 1),
        tf.debugging.assert_rank_in(x, [0, 2]), tf.debugging.assert_type(x, tf.float32),
        tf.debugging.assert_shapes([(x, ("N", 3)), (x[0], (3,))]),
        tf.debugging.assert_scalar(x[0, 0])]), [rand(2, 3, dtype=F32)], [], lambda x: x),

    _fails("check_numerics_nan", lambda tf, x: tf.debugging.check_numerics(x, "m"), [NAN_F32]),
    _fails("check_numerics_int", lambda tf, x: tf.debugging.check_numerics(x, "m"), [INTS]),
    _fails("assert_all_finite_inf", lambda tf, x: tf.debugging.assert_all_finite(x, "m"),
           [np.array([np.inf], F32)]),
    _fails("assert_op_fails", lambda tf, x: tf.debugging.Assert(False, [x]), [INTS]),
    _fails("assert_op_non_scalar", lambda tf, x: tf.debugging.Assert(x > 1, [x]), [INTS],
           "ValueError"),
    _fails("assert_equal_fails", lambda tf, x, y: tf.assert_equal(x, y, message="m"),
           [INTS, OTHER_INTS]),
    _fails("assert_equal_dtypes", lambda tf, x, y: tf.debugging.assert_equal(x, y),
           [INTS, INTS.astype(F32)]),
    _fails("assert_equal_shapes", lambda tf, x, y: tf.debugging.assert_equal(x, y),
           [INTS, INTS[:2]]),
    _fails("assert_none_equal_fails", lambda tf, x, y: tf.debugging.assert_none_equal(x, y),
           [INTS, OTHER_INTS]),
    _fails("assert_less_fails", lambda tf, x, y: tf.assert_less(x, y), [INTS, OTHER_INTS]),
    _fails("assert_less_strings", lambda tf, x, y: tf.assert_less(x, y),
           [np.array([b"a"]), np.array([b"b"])]),
    _fails("assert_less_equal_fails", lambda tf, x, y: tf.debugging.assert_less_equal(y, x),
           [INTS, OTHER_INTS]),
    _fails("assert_greater_fails", lambda tf, x, y: tf.assert_greater(x, y),
           [INTS, OTHER_INTS]),
    _fails("assert_greater_equal_fails", lambda tf, x, y: tf.debugging.assert_greater_equal(
        x, y), [INTS, OTHER_INTS]),
    _fails("assert_near_fails", lambda tf, x, y: tf.debugging.assert_near(x, y),
           [rand(3, dtype=F32), rand(3, dtype=F32) + F32(0.1)]),
    _fails("assert_near_ints", lambda tf, x, y: tf.debugging.assert_near(x, y),
           [INTS, INTS], "ValueError"),
    _fails("assert_near_dtypes", lambda tf, x, y: tf.debugging.assert_near(x, y),
           [rand(3), rand(3, dtype=F32)], "ValueError"),
    _fails("assert_positive_fails", lambda tf, x: tf.debugging.assert_positive(x),
           [np.array([1, 0, -1], I32)]),
    _fails("assert_negative_fails", lambda tf, x: tf.debugging.assert_negative(x),
           [np.array([-1.0, 0.0], F32)]),
    _fails("assert_non_negative_fails", lambda tf, x: tf.debugging.assert_non_negative(x),
           [np.array([1, -1], I32)]),
    _fails("assert_non_positive_fails", lambda tf, x: tf.debugging.assert_non_positive(x),
           [np.array([1.0, -1.0])]),
    _fails("assert_positive_bool", lambda tf, x: tf.debugging.assert_positive(x),
           [np.array([True])], "TypeError"),
    _fails("assert_rank_fails", lambda tf, x: tf.assert_rank(x, 2), [INTS], "ValueError"),
    _fails("assert_rank_not_scalar", lambda tf, x: tf.assert_rank(x, [1, 2]), [INTS],
           "ValueError"),
    _fails("assert_rank_at_least_fails", lambda tf, x: tf.debugging.assert_rank_at_least(x, 2),
           [INTS], "ValueError"),
    _fails("assert_rank_in_fails", lambda tf, x: tf.debugging.assert_rank_in(x, [0, 2]), [INTS],
           "ValueError"),
    _fails("assert_type_fails", lambda tf, x: tf.debugging.assert_type(x, tf.float32), [INTS],
           "TypeError"),
    _fails("assert_integer_fails", lambda tf, x: tf.debugging.assert_integer(x),
           [rand(2, dtype=F32)], "TypeError"),
    _fails("assert_scalar_fails", lambda tf, x: tf.debugging.assert_scalar(x), [INTS],
           "ValueError"),
    _fails("assert_shapes_size", lambda tf, x, y: tf.debugging.assert_shapes(
        [(x, ("N",)), (y, ("N", 2))]), [INTS, np.zeros((4, 2), F32)], "ValueError"),
    _fails("assert_shapes_rank", lambda tf, x: tf.debugging.assert_shapes([(x, ("N", "D"))]),
           [INTS], "ValueError"),
    _fails("assert_shapes_explicit", lambda tf, x: tf.debugging.assert_shapes([(x, (2,))]),
           [INTS], "ValueError"),
    _fails("assert_same_float_dtype_mismatch", lambda tf, x, y:
           tf.debugging.assert_same_float_dtype([x, y]), [rand(2, dtype=F32), rand(2)],
           "ValueError"),
    _fails("assert_same_float_dtype_int", lambda tf, x: tf.debugging.assert_same_float_dtype(
        [x]), [INTS], "ValueError"),
    _fails("assert_proper_iterable_string", lambda tf: tf.debugging.assert_proper_iterable(
        "abc"), [], "TypeError"),
    _fails("assert_proper_iterable_tensor", lambda tf, x: tf.debugging.assert_proper_iterable(
        x), [INTS], "TypeError"),
]
