"""Cases for ndflow/ops/math_extra_ops.py: atan2, add_n, divide_no_nan, cumulative ops,
truncatemod, polygamma, zeta, polyval and clipping."""
import numpy as np

from opcases import ErrorCase, OpCase, positive, rand

F32 = np.float32
I32 = np.int32


def _scan(fn, x, axis=0, exclusive=False, reverse=False, identity=0):
    if reverse:
        x = np.flip(x, axis)
    out = fn(x, axis=axis)
    if exclusive:
        out = np.moveaxis(out, axis, 0)
        out = np.concatenate([np.full_like(out[:1], identity), out[:-1]])
        out = np.moveaxis(out, 0, axis)
    return np.flip(out, axis) if reverse else out


def _div_no_nan(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(y == 0, 0, x / y)


def _clip_by_norm(t, c, axes=None):
    norm = np.sqrt(np.sum(t * t, axis=axes, keepdims=True))
    return t * c / np.maximum(norm, c)


def _global_clip(c, *ts):
    norm = np.sqrt(sum(np.sum(t * t) for t in ts))
    return [t * c / max(norm, c) for t in ts], norm


_TRIGAMMA_2_3 = np.array([0.64493406684822644, 0.39493406684822644])

CASES = [
    OpCase("atan2", lambda tf, y, x: tf.math.atan2(y, x), [rand(2, 3), rand(2, 3, seed=1)],
           ["Atan2"], np.arctan2, grad=True),
    OpCase("atan2_broadcast", lambda tf, y, x: tf.atan2(y, x), [rand(3, 1), rand(4, seed=2)],
           ["Atan2"], np.arctan2, grad=True),
    OpCase("atan2_f32", lambda tf, y, x: tf.math.atan2(y, x),
           [rand(2, 3, dtype=F32), rand(3, dtype=F32, seed=3)], ["Atan2"], np.arctan2,
           grad=True),
    OpCase("add_n", lambda tf, a, b, c: tf.add_n([a, b, c]),
           [rand(2, 3), rand(2, 3, seed=1), rand(2, 3, seed=2)], ["AddN"],
           lambda a, b, c: a + b + c, grad=True),
    OpCase("add_n_math_int", lambda tf, a, b: tf.math.add_n([a, b]),
           [np.array([1, 2], I32), np.array([3, 4], I32)], ["AddN"], np.add),
    OpCase("add_n_single", lambda tf, a: tf.add_n([a]), [rand(3)], [], lambda a: a, grad=True),
    OpCase("add_n_python", lambda tf: tf.add_n([1.5, 2.0]), [], ["AddN"],
           lambda: np.float32(3.5)),
    OpCase("divide_no_nan", lambda tf, x, y: tf.math.divide_no_nan(x, y),
           [rand(2, 3), positive(3)], ["DivNoNan"], lambda x, y: x / y, grad=True),
    OpCase("divide_no_nan_zeros", lambda tf, x, y: tf.math.divide_no_nan(x, y),
           [np.array([1., 0., np.nan, np.inf, 1.], F32), np.array([0., 0., 0., 0., np.nan], F32)],
           ["DivNoNan"], _div_no_nan),
    OpCase("divide_no_nan_broadcast_f32", lambda tf, x, y: tf.math.divide_no_nan(x, y),
           [rand(3, 1, dtype=F32), positive(2, dtype=F32)], ["DivNoNan"], _div_no_nan,
           grad=True),
    OpCase("divide_no_nan_int", lambda tf, x, y: tf.math.divide_no_nan(x, y),
           [np.array([1, 2, 3], I32), np.array([0, 2, 4], I32)], ["DivNoNan", "Cast"],
           _div_no_nan),
    OpCase("divide_no_nan_int8", lambda tf, x, y: tf.math.divide_no_nan(x, y),
           [np.array([1, 2], np.int8), np.array([0, 4], np.int8)], ["DivNoNan"],
           lambda x, y: _div_no_nan(x, y).astype(F32)),
    OpCase("cumsum", lambda tf, x: tf.cumsum(x), [rand(4, 3)], ["Cumsum"],
           lambda x: np.cumsum(x, 0), grad=True),
    OpCase("cumsum_axis1_exclusive_reverse",
           lambda tf, x: tf.math.cumsum(x, axis=1, exclusive=True, reverse=True), [rand(2, 4)],
           ["Cumsum"], lambda x: _scan(np.cumsum, x, 1, True, True), grad=True),
    OpCase("cumsum_negative_axis_exclusive", lambda tf, x: tf.cumsum(x, -1, exclusive=True),
           [rand(2, 3, dtype=F32)], ["Cumsum"], lambda x: _scan(np.cumsum, x, 1, True),
           grad=True),
    OpCase("cumsum_axis_tensor_int", lambda tf, x: tf.cumsum(x, axis=tf.constant(1)),
           [np.array([[1, 2, 3], [4, 5, 6]], I32)], ["Cumsum"], lambda x: np.cumsum(x, 1)),
    OpCase("cumsum_reverse", lambda tf, x: tf.cumsum(x, reverse=True), [rand(5)], ["Cumsum"],
           lambda x: _scan(np.cumsum, x, reverse=True), grad=True),
    OpCase("cumprod", lambda tf, x: tf.math.cumprod(x), [positive(4, 2)], ["Cumprod"],
           lambda x: np.cumprod(x, 0), grad=True),
    OpCase("cumprod_exclusive_reverse",
           lambda tf, x: tf.math.cumprod(x, axis=1, exclusive=True, reverse=True),
           [positive(2, 4)], ["Cumprod"], lambda x: _scan(np.cumprod, x, 1, True, True, 1),
           grad=True),
    OpCase("cumprod_exclusive_f32", lambda tf, x: tf.math.cumprod(x, exclusive=True),
           [positive(4, dtype=F32)], ["Cumprod"],
           lambda x: _scan(np.cumprod, x, 0, True, identity=1), grad=True),
    OpCase("cumprod_int", lambda tf, x: tf.math.cumprod(x, reverse=True),
           [np.array([1, 2, 3, 4], I32)], ["Cumprod"], lambda x: np.cumprod(x[::-1])[::-1]),
    # The gradient at zeros is TensorFlow's (not the true one): see tests/ops/test_math_extra.py.
    OpCase("cumprod_with_zero_f32", lambda tf, x: tf.math.cumprod(x),
           [np.array([2., 0., 3., 4.], F32)], ["Cumprod"], np.cumprod),
    OpCase("truncatemod", lambda tf, x, y: tf.truncatemod(x, y),
           [np.array([-7., 7., -7., 7.5]), np.array([2., -2., -2., 2.])], ["TruncateMod"],
           np.fmod),
    OpCase("truncatemod_int", lambda tf, x, y: tf.truncatemod(x, y),
           [np.array([-7, 7, -7, 7], I32), np.array([3, 3, -3, -3], I32)], ["TruncateMod"],
           np.fmod),
    OpCase("polygamma", lambda tf, a, x: tf.math.polygamma(a, x),
           [np.array([[0.], [1.], [2.], [3.]]), np.array([0.7, 2.0, 5.5])], ["Polygamma"],
           None, grad=True, wrt=[1], rtol=1e-10),
    OpCase("polygamma_trigamma", lambda tf, x: tf.math.polygamma(1., x),
           [np.array([2., 3.])], ["Polygamma"], lambda x: _TRIGAMMA_2_3, rtol=1e-14),
    OpCase("polygamma_f32", lambda tf, a, x: tf.math.polygamma(a, x),
           [np.array([1., 2.], F32), np.array([0.5, -1.5], F32)], ["Polygamma"], grad=True,
           wrt=[1]),
    OpCase("zeta", lambda tf, s, q: tf.math.zeta(s, q),
           [np.array([2., 3.5, 1.5]), np.array([[0.5], [2.0]])], ["Zeta"], grad=True, wrt=[1],
           rtol=1e-10),
    OpCase("zeta_domain", lambda tf, s, q: tf.math.zeta(s, q),
           [np.array([1., 0.5, 2., 2., 3., 2.5, 2.]), np.array([1., 1., 0., -1.5, -1.5, -1.5,
                                                               np.inf])], ["Zeta"],
           lambda s, q: np.array([np.inf, np.nan, np.inf, 9.3792466449891237,
                                  0.11810202860563943, np.nan, 0.]), rtol=1e-12),
    OpCase("polyval", lambda tf, a, b, c, x: tf.math.polyval([a, b, c], x),
           [rand(3), rand(3, seed=1), rand(3, seed=2), rand(3, seed=3)], ["Mul", "AddV2"],
           lambda a, b, c, x: (a * x + b) * x + c, grad=True),
    OpCase("polyval_python_coeffs", lambda tf, x: tf.math.polyval([1., -2., 0.5], x),
           [rand(2, 2, dtype=F32)], ["Mul", "AddV2"],
           lambda x: (x - 2) * x + 0.5),  # float32 only: Python floats become float32
    OpCase("polyval_empty", lambda tf, x: tf.math.polyval([], x), [rand(3, dtype=F32)],
           ["ZerosLike"], np.zeros_like),
    OpCase("clip_by_value", lambda tf, t: tf.clip_by_value(t, -0.5, 1.0), [rand(3, 4)],
           ["Minimum", "Maximum"], lambda t: np.clip(t, -0.5, 1.0), grad=True),
    OpCase("clip_by_value_tensor_bounds", lambda tf, t, lo, hi: tf.clip_by_value(t, lo, hi),
           [rand(3, 4), rand(4, seed=1) - 1, rand(3, 1, seed=2) + 1], ["Minimum", "Maximum"],
           lambda t, lo, hi: np.maximum(np.minimum(t, hi), lo), grad=True),
    OpCase("clip_by_value_int", lambda tf, t: tf.clip_by_value(t, 1, 2),
           [np.array([0, 1, 2, 3], I32)], ["Minimum", "Maximum"], lambda t: np.clip(t, 1, 2)),
    OpCase("clip_by_norm", lambda tf, t: tf.clip_by_norm(t, 1.5), [rand(2, 3)],
           ["Mul", "Sum", "Greater", "SelectV2", "Sqrt", "Maximum", "RealDiv", "Cast"],
           lambda t: _clip_by_norm(t, 1.5), grad=True),
    OpCase("clip_by_norm_axes_f32", lambda tf, t: tf.clip_by_norm(t, 1.0, axes=[1]),
           [np.array([[3., 4.], [0.3, 0.4], [0., 0.]], F32)], ["Sum"],
           lambda t: _clip_by_norm(t, 1.0, axes=1), grad=True),
    OpCase("clip_by_norm_not_clipped", lambda tf, t, c: tf.clip_by_norm(t, c),
           [rand(4) * 0.1, np.array(3.0)], ["RealDiv"], _clip_by_norm, grad=True),
    OpCase("clip_by_norm_negative", lambda tf, t: tf.clip_by_norm(t, -1.0), [rand(3, dtype=F32)],
           ["Maximum"], lambda t: np.zeros_like(t)),
    OpCase("clip_by_global_norm", lambda tf, a, b: tf.clip_by_global_norm([a, b], 1.0),
           [rand(2, 3), rand(4, seed=1)], ["Sum", "Pack", "Sqrt", "Minimum"],
           lambda a, b: _global_clip(1.0, a, b), grad=True),
    OpCase("clip_by_global_norm_f32_not_clipped",
           lambda tf, a, b: tf.clip_by_global_norm((a, b), 100.0),
           [rand(2, dtype=F32), rand(3, dtype=F32, seed=4)], ["Sum"],
           lambda a, b: _global_clip(100.0, a, b), grad=True),
    OpCase("clip_by_global_norm_use_norm",
           lambda tf, a, n: tf.clip_by_global_norm([a], 1.0, use_norm=n),
           [rand(3), np.array(4.0)], ["Minimum"], lambda a, n: ([a / 4.0], n), grad=True),
    OpCase("clip_by_global_norm_inf", lambda tf, a: tf.clip_by_global_norm([a], 1.0),
           [np.array([np.inf, 1.], F32)], ["Sqrt"],
           lambda a: ([np.full(2, np.nan, F32)], np.float32(np.inf))),
]

CASES += [
    ErrorCase("atan2_int", lambda tf, y, x: tf.math.atan2(y, x),
              [np.ones(2, I32), np.ones(2, I32)], "InvalidArgumentError"),
    ErrorCase("atan2_dtype_mismatch", lambda tf, y, x: tf.math.atan2(y, x),
              [np.ones(2, F32), np.ones(2)], "InvalidArgumentError"),
    ErrorCase("atan2_incompatible_shapes", lambda tf, y, x: tf.math.atan2(y, x),
              [np.ones(2), np.ones(3)], "InvalidArgumentError"),
    ErrorCase("add_n_empty", lambda tf: tf.add_n([]), [], "ValueError"),
    ErrorCase("add_n_shapes", lambda tf, a, b: tf.add_n([a, b]), [np.ones(3), np.ones(1)],
              "InvalidArgumentError"),
    ErrorCase("add_n_dtypes", lambda tf, a, b: tf.add_n([a, b]),
              [np.ones(3, F32), np.ones(3)], "InvalidArgumentError"),
    ErrorCase("add_n_bool", lambda tf, a: tf.add_n([a, a]), [np.ones(3, bool)],
              "InvalidArgumentError"),
    ErrorCase("divide_no_nan_dtypes", lambda tf, x, y: tf.math.divide_no_nan(x, y),
              [np.ones(2, F32), np.ones(2, I32)], "TypeError"),
    ErrorCase("cumsum_axis_out_of_range", lambda tf, x: tf.cumsum(x, axis=2), [np.ones((2, 3))],
              "InvalidArgumentError"),
    ErrorCase("cumsum_scalar", lambda tf, x: tf.cumsum(x), [np.array(1.0)],
              "InvalidArgumentError"),
    ErrorCase("cumsum_float_axis", lambda tf, x: tf.cumsum(x, axis=0.0), [np.ones(2)],
              "TypeError"),
    ErrorCase("cumprod_bool", lambda tf, x: tf.math.cumprod(x), [np.ones(2, bool)],
              "InvalidArgumentError"),
    ErrorCase("truncatemod_int_zero", lambda tf, x, y: tf.truncatemod(x, y),
              [np.array([1, 2], I32), np.array([0, 1], I32)], "InternalError"),
    ErrorCase("truncatemod_int8", lambda tf, x: tf.truncatemod(x, x), [np.ones(2, np.int8)],
              "InvalidArgumentError"),
    ErrorCase("truncatemod_float16", lambda tf, x: tf.truncatemod(x, x),
              [np.ones(2, np.float16)], "NotFoundError"),
    ErrorCase("polygamma_int", lambda tf, a, x: tf.math.polygamma(a, x),
              [np.ones(2, I32), np.ones(2, I32)], "InvalidArgumentError"),
    ErrorCase("polyval_tensor_coeffs", lambda tf, c, x: tf.math.polyval(c, x),
              [np.ones(2, F32), np.ones(2, F32)], "ValueError"),
    ErrorCase("polyval_int_coeffs_float_x", lambda tf, x: tf.math.polyval([1, 2], x),
              [np.ones(2, F32)], "InvalidArgumentError"),
    ErrorCase("clip_by_value_enlarges", lambda tf, t, lo: tf.clip_by_value(t, lo, 1.0),
              [np.ones(3, F32), np.zeros((2, 3), F32)], "ValueError"),
    ErrorCase("clip_by_value_float_bound_int", lambda tf, t: tf.clip_by_value(t, 1.5, 2.0),
              [np.ones(3, I32)], "TypeError"),
    ErrorCase("clip_by_norm_int", lambda tf, t: tf.clip_by_norm(t, 1), [np.ones(3, I32)],
              "InvalidArgumentError"),
    ErrorCase("clip_by_norm_bad_axes", lambda tf, t: tf.clip_by_norm(t, 1.0, axes=[2]),
              [np.ones(3, F32)], "InvalidArgumentError"),
    ErrorCase("clip_by_global_norm_tensor", lambda tf, t: tf.clip_by_global_norm(t, 1.0),
              [np.ones(3, F32)], "TypeError"),
    ErrorCase("clip_by_global_norm_mixed", lambda tf, a, b: tf.clip_by_global_norm([a, b], 1.0),
              [np.ones(3, F32), np.ones(3)], "InvalidArgumentError"),
    ErrorCase("clip_by_global_norm_int", lambda tf, a: tf.clip_by_global_norm([a], 1.0),
              [np.ones(3, I32)], "InvalidArgumentError"),
]
