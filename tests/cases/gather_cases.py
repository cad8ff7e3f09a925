"""Cases for ndflow/ops/gather_ops.py: gather, gather_nd, scatters, boolean_mask, one_hot."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

F32, I32, I64 = np.float32, np.int32, np.int64


def _i(*values, dtype=I32):
    return np.array(values, dtype)


def _batch_gather(p, i, axis):
    # NumPy reference for gather with batch_dims=1.
    return np.stack([np.take(p[b], i[b], axis=axis - 1) for b in range(p.shape[0])])


def _scatter_nd(i, u, shape):
    out = np.zeros(shape, u.dtype)
    np.add.at(out, tuple(np.moveaxis(i, -1, 0)), u)
    return out


def _tensor_scatter(fn):
    def ref(t, i, u):
        out = t.copy()
        fn(out, tuple(np.moveaxis(i, -1, 0)), u)
        return out
    return ref


def _one_hot(i, depth, axis=-1):
    out = (i[..., None] == np.arange(depth)).astype(F32)
    return np.moveaxis(out, -1, axis)


DUP = _i(2, 0, 2, 2)
CASES = [
    # -- gather
    OpCase("gather_axis0", lambda tf, p, i: tf.gather(p, i), [rand(4, 3), DUP],
           ["GatherV2", "_GatherV2Grad"], lambda p, i: p[i], grad=True),
    OpCase("gather_float32_2d_indices", lambda tf, p, i: tf.gather(p, i),
           [rand(5, 2, dtype=F32), _i(4, 0, 1, 4).reshape(2, 2)], ["GatherV2"],
           lambda p, i: p[i], grad=True),
    OpCase("gather_int32_int64_indices", lambda tf, p, i: tf.gather(p, i),
           [rand(6, dtype=I32, low=-9, high=9), _i(5, 0, 5, dtype=I64)], ["GatherV2"],
           lambda p, i: p[i]),
    OpCase("gather_int16_indices", lambda tf, p, i: tf.gather(p, i),
           [rand(3, 2), _i(1, 2, dtype=np.int16)], ["GatherV2"], lambda p, i: p[i]),
    OpCase("gather_scalar_index", lambda tf, p: tf.gather(p, 2), [rand(4, 3)], ["GatherV2"],
           lambda p: p[2], grad=True),
    OpCase("gather_axis1_2d_indices", lambda tf, p, i: tf.gather(p, i, axis=1),
           [rand(2, 4, 3), _i(3, 0, 3, 1, 1, 2).reshape(3, 2)], ["GatherV2"],
           lambda p, i: np.take(p, i, axis=1), grad=True),
    OpCase("gather_negative_axis", lambda tf, p, i: tf.gather(p, i, axis=-1),
           [rand(2, 3, 4), DUP], ["GatherV2"], lambda p, i: np.take(p, i, axis=-1), grad=True),
    OpCase("gather_axis_tensor", lambda tf, p, i: tf.gather(p, i, axis=tf.constant(1)),
           [rand(3, 4), DUP], ["GatherV2"], lambda p, i: np.take(p, i, axis=1)),
    OpCase("gather_batch_dims", lambda tf, p, i: tf.gather(p, i, batch_dims=1),
           [rand(3, 4, 2), _i(3, 3, 0, 1, 2, 2).reshape(3, 2)], ["GatherV2", "_GatherV2Grad"],
           lambda p, i: _batch_gather(p, i, 1), grad=True),
    OpCase("gather_batch_dims_axis2", lambda tf, p, i: tf.gather(p, i, axis=2, batch_dims=1),
           [rand(2, 3, 4, 2), _i(3, 3, 0, 1, 1, 1).reshape(2, 3)], ["GatherV2"],
           lambda p, i: _batch_gather(p, i, 2), grad=True),
    OpCase("gather_batch_dims_negative", lambda tf, p, i: tf.gather(p, i, batch_dims=-1),
           [rand(3, 4), _i(3, 3, 0, 1, 2, 2).reshape(3, 2)], ["GatherV2"],
           lambda p, i: np.take_along_axis(p, i, 1), grad=True),
    OpCase("gather_batch_dims_two", lambda tf, p, i: tf.gather(p, i, axis=2, batch_dims=2),
           [rand(2, 3, 4), rand(2, 3, 5, dtype=I32, low=0, high=4)], ["GatherV2"],
           lambda p, i: np.take_along_axis(p, i, 2), grad=True),
    OpCase("gather_axis0_ignores_batch_dims", lambda tf, p, i: tf.gather(p, i, axis=0,
           batch_dims=1), [rand(2, 3), _i(1, 0, 1, 1).reshape(2, 2)], ["GatherV2"],
           lambda p, i: p[i], grad=True),
    OpCase("gather_bool", lambda tf, p, i: tf.gather(p, i), [rand(4, dtype=bool), DUP[:2]],
           ["GatherV2"], lambda p, i: p[i]),
    OpCase("gather_empty_indices", lambda tf, p, i: tf.gather(p, i, axis=1),
           [rand(2, 3), np.zeros((0,), I32)], ["GatherV2"], lambda p, i: p[:, i], grad=True),
    # -- gather_nd
    OpCase("gather_nd_elements", lambda tf, p, i: tf.gather_nd(p, i),
           [rand(3, 4), _i(2, 1, 0, 3, 2, 1).reshape(3, 2)], ["GatherNd", "_GatherNdGrad"],
           lambda p, i: p[i[:, 0], i[:, 1]], grad=True),
    OpCase("gather_nd_slices_float32", lambda tf, p, i: tf.gather_nd(p, i),
           [rand(3, 4, 2, dtype=F32), _i(2, 0, 2, 1).reshape(2, 2, 1)], ["GatherNd"],
           lambda p, i: p[i[..., 0]], grad=True),
    OpCase("gather_nd_int64_indices", lambda tf, p, i: tf.gather_nd(p, i),
           [rand(3, 4, dtype=I32, low=-5, high=5), _i(1, 2, 2, 3, dtype=I64).reshape(2, 2)],
           ["GatherNd"], lambda p, i: p[i[:, 0], i[:, 1]]),
    OpCase("gather_nd_vector_index", lambda tf, p: tf.gather_nd(p, [0, 1]), [rand(2, 3, 4)],
           ["GatherNd"], lambda p: p[0, 1]),
    OpCase("gather_nd_empty_index_vectors", lambda tf, p: tf.gather_nd(
           p, tf.zeros([2, 0], tf.int32)), [rand(3, 2)], ["GatherNd"],
           lambda p: np.stack([p, p])),
    # TensorFlow's own GatherNd gradient fails for these two index shapes (its scatter_nd
    # rejects them), so their gradients are checked against finite differences only.
    OpCase("gather_nd_vector_index_grad", lambda tf, p: tf.gather_nd(p, [0, 1]),
           [rand(2, 3, 4)], ["GatherNd"], lambda p: p[0, 1], grad=True, tf=False),
    OpCase("gather_nd_empty_index_vectors_grad", lambda tf, p: tf.gather_nd(
           p, tf.zeros([2, 0], tf.int32)), [rand(3, 2)], ["GatherNd"],
           lambda p: np.stack([p, p]), grad=True, tf=False),
    OpCase("gather_nd_batch_dims", lambda tf, p, i: tf.gather_nd(p, i, batch_dims=1),
           [rand(2, 3, 4), _i(0, 1, 2, 2).reshape(2, 2, 1)], ["GatherNd", "_GatherNdGrad"],
           lambda p, i: np.stack([p[b][i[b, :, 0]] for b in range(2)]), grad=True),
    OpCase("gather_nd_batch_dims_elements", lambda tf, p, i: tf.gather_nd(p, i, batch_dims=1),
           [rand(2, 3, 4), _i(0, 1, 2, 3).reshape(2, 2)], ["GatherNd"],
           lambda p, i: np.array([p[0, 0, 1], p[1, 2, 3]]), grad=True),
    # -- scatter_nd
    OpCase("scatter_nd_duplicates", lambda tf, i, u: tf.scatter_nd(i, u, [5]),
           [_i(1, 3, 1, 1).reshape(4, 1), rand(4)], ["ScatterNd"],
           lambda i, u: _scatter_nd(i, u, (5,)), grad=True),
    OpCase("scatter_nd_slices", lambda tf, i, u: tf.scatter_nd(i, u, tf.constant([4, 3])),
           [_i(0, 2, 0).reshape(3, 1), rand(3, 3, dtype=F32)], ["ScatterNd"],
           lambda i, u: _scatter_nd(i, u, (4, 3)), grad=True),
    OpCase("scatter_nd_elements_int", lambda tf, i, u: tf.scatter_nd(i, u, [2, 3]),
           [_i(1, 2, 0, 0, 1, 2, dtype=I64).reshape(3, 2), _i(4, 5, 6)], ["ScatterNd"],
           lambda i, u: _scatter_nd(i, u, (2, 3))),
    # -- tensor_scatter_nd_*
    OpCase("tensor_scatter_nd_update", lambda tf, t, i, u: tf.tensor_scatter_nd_update(t, i, u),
           [rand(4, 3), _i(3, 1).reshape(2, 1), rand(2, 3)], ["TensorScatterUpdate"],
           _tensor_scatter(lambda o, w, v: o.__setitem__(w, v)), grad=True),
    OpCase("tensor_scatter_nd_update_elements_f32",
           lambda tf, t, i, u: tf.tensor_scatter_nd_update(t, i, u),
           [rand(3, 2, dtype=F32), _i(1, 0, 2, 1).reshape(2, 2), rand(2, dtype=F32)],
           ["TensorScatterUpdate"], _tensor_scatter(lambda o, w, v: o.__setitem__(w, v)),
           grad=True),
    OpCase("tensor_scatter_nd_update_literal", lambda tf, t: tf.tensor_scatter_nd_update(
           t, [[1, 0]], [9]), [rand(3, 2)], ["TensorScatterUpdate"],
           lambda t: _tensor_scatter(lambda o, w, v: o.__setitem__(w, v))(
               t, _i(1, 0).reshape(1, 2), np.array([9.0]))),
    OpCase("tensor_scatter_nd_add", lambda tf, t, i, u: tf.tensor_scatter_nd_add(t, i, u),
           [rand(4, 3), _i(3, 1, 3).reshape(3, 1), rand(3, 3)], ["TensorScatterAdd"],
           _tensor_scatter(np.add.at), grad=True),
    OpCase("tensor_scatter_nd_add_int", lambda tf, t, i, u: tf.tensor_scatter_nd_add(t, i, u),
           [_i(1, 2, 3), _i(0, 0).reshape(2, 1), _i(5, 6)], ["TensorScatterAdd"],
           _tensor_scatter(np.add.at)),
    OpCase("tensor_scatter_nd_sub", lambda tf, t, i, u: tf.tensor_scatter_nd_sub(t, i, u),
           [rand(4, 3), _i(2, 0, 2, 1).reshape(2, 2), rand(2)], ["TensorScatterSub"],
           _tensor_scatter(np.subtract.at), grad=True),
    OpCase("tensor_scatter_nd_max", lambda tf, t, i, u: tf.tensor_scatter_nd_max(t, i, u),
           [rand(5), _i(1, 3, 1).reshape(3, 1), rand(3, seed=4)], ["TensorScatterMax"],
           _tensor_scatter(np.maximum.at), grad=True),
    OpCase("tensor_scatter_nd_min", lambda tf, t, i, u: tf.tensor_scatter_nd_min(t, i, u),
           [rand(2, 3), _i(1, 0).reshape(2, 1), rand(2, 3, seed=5)], ["TensorScatterMin"],
           _tensor_scatter(np.minimum.at), grad=True),
    OpCase("tensor_scatter_nd_max_ties", lambda tf, t, i, u: tf.tensor_scatter_nd_max(t, i, u),
           [np.array([1.0, 2.0, 3.0]), _i(0, 1, 1).reshape(3, 1), np.array([1.0, 5.0, 5.0])],
           ["TensorScatterMax"], _tensor_scatter(np.maximum.at)),
    # -- boolean_mask
    OpCase("boolean_mask", lambda tf, t, m: tf.boolean_mask(t, m),
           [rand(4, 3), np.array([True, False, True, True])], ["Reshape", "Where", "GatherV2"],
           lambda t, m: t[m], grad=True),
    OpCase("boolean_mask_2d_mask", lambda tf, t, m: tf.boolean_mask(t, m),
           [rand(3, 2, 2, dtype=F32), rand(3, 2, dtype=bool)], ["GatherV2"],
           lambda t, m: t[m], grad=True),
    OpCase("boolean_mask_axis", lambda tf, t, m: tf.boolean_mask(t, m, axis=1),
           [rand(2, 4, 3), np.array([False, True, True, False])], ["GatherV2"],
           lambda t, m: t[:, m], grad=True),
    OpCase("boolean_mask_int", lambda tf, t, m: tf.boolean_mask(t, m),
           [_i(1, 2, 3), np.array([True, False, True])], ["GatherV2"], lambda t, m: t[m]),
    # -- one_hot
    OpCase("one_hot", lambda tf, i: tf.one_hot(i, 4), [_i(0, 3, -1, 5, 2)], ["OneHot"],
           lambda i: _one_hot(i, 4)),
    OpCase("one_hot_axis0", lambda tf, i: tf.one_hot(i, 3, axis=0),
           [_i(0, 2, 1, 1, dtype=I64).reshape(2, 2)], ["OneHot"],
           lambda i: _one_hot(i, 3, axis=0)),
    OpCase("one_hot_axis1_uint8", lambda tf, i: tf.one_hot(i, 3, axis=1),
           [_i(0, 2, 1, 1, dtype=np.uint8).reshape(2, 2)], ["OneHot"],
           lambda i: _one_hot(i, 3, axis=1)),
    OpCase("one_hot_on_off", lambda tf, i: tf.one_hot(i, 3, on_value=5, off_value=-1),
           [_i(2, 0)], ["OneHot"], lambda i: (_one_hot(i, 3) * 6 - 1).astype(I32)),
    OpCase("one_hot_dtype", lambda tf, i: tf.one_hot(i, 2, on_value=2.5, dtype=tf.float64),
           [_i(1, 0, 1)], ["OneHot"], lambda i: _one_hot(i, 2) * 2.5),
    OpCase("one_hot_int_dtype", lambda tf, i: tf.one_hot(i, tf.constant(3), dtype=tf.int32),
           [_i(1)], ["OneHot"], lambda i: _one_hot(i, 3).astype(I32)),
    OpCase("one_hot_bool_values", lambda tf, i: tf.one_hot(i, 3, True, False),
           [_i(1, 7)], ["OneHot"], lambda i: _one_hot(i, 3) > 0),
    OpCase("one_hot_scalar_zero_depth", lambda tf: tf.one_hot(1, 0), [], ["OneHot"],
           lambda: np.zeros(0, F32)),
]

_P = rand(3, 2)
CASES += [
    ErrorCase("gather_index_too_large", lambda tf, p: tf.gather(p, [0, 3]), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_negative_index", lambda tf, p: tf.gather(p, [[0], [-1]]), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_batch_index_too_large", lambda tf, p: tf.gather(p, [[0], [2], [0]],
              batch_dims=1), [_P], "InvalidArgumentError"),
    ErrorCase("gather_float_indices", lambda tf, p: tf.gather(p, [0.5]), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_uint8_indices", lambda tf, p: tf.gather(p, tf.constant([1], tf.uint8)),
              [_P], "InvalidArgumentError"),
    ErrorCase("gather_axis_out_of_range", lambda tf, p: tf.gather(p, [0], axis=2), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_scalar_params", lambda tf: tf.gather(tf.constant(1.0), [0]), [],
              "InvalidArgumentError"),
    ErrorCase("gather_batch_shape_mismatch", lambda tf, p: tf.gather(p, [[1]], batch_dims=1),
              [_P], "InvalidArgumentError"),
    ErrorCase("gather_batch_dims_above_axis", lambda tf, p: tf.gather(
              p, [[0, 1], [1, 1]], axis=1, batch_dims=2), [rand(2, 2, 3)],
              "InvalidArgumentError"),
    ErrorCase("gather_batch_dims_out_of_range", lambda tf, p: tf.gather(
              p, [[0], [1], [0]], axis=1, batch_dims=-3), [_P], "InvalidArgumentError"),
    ErrorCase("gather_nd_index_too_large", lambda tf, p: tf.gather_nd(p, [[1, 0], [3, 0]]),
              [_P], "InvalidArgumentError"),
    ErrorCase("gather_nd_negative_index", lambda tf, p: tf.gather_nd(p, [[-1, 0]]), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_nd_index_too_long", lambda tf, p: tf.gather_nd(p, [[1, 0, 0]]), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_nd_float_indices", lambda tf, p: tf.gather_nd(p, [[0.0, 1.0]]), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_nd_scalar_indices", lambda tf, p: tf.gather_nd(p, 1), [_P],
              "InvalidArgumentError"),
    ErrorCase("gather_nd_negative_batch_dims", lambda tf, p: tf.gather_nd(p, [[0], [1], [0]],
              batch_dims=-1), [_P], "ValueError"),
    ErrorCase("gather_nd_batch_index_too_large", lambda tf, p: tf.gather_nd(
              p, [[0], [2], [1]], batch_dims=1), [_P], "InvalidArgumentError"),
    ErrorCase("scatter_nd_index_too_large", lambda tf: tf.scatter_nd([[1], [3]], [1.0, 2.0],
              [3]), [], "InvalidArgumentError"),
    ErrorCase("scatter_nd_negative_index", lambda tf: tf.scatter_nd([[-1]], [1.0], [3]), [],
              "InvalidArgumentError"),
    ErrorCase("scatter_nd_updates_shape", lambda tf: tf.scatter_nd([[1], [1]], [1.0, 2.0],
              [3, 2]), [], "InvalidArgumentError"),
    ErrorCase("scatter_nd_float_indices", lambda tf: tf.scatter_nd([[1.0]], [1.0], [3]), [],
              "InvalidArgumentError"),
    ErrorCase("scatter_nd_negative_shape", lambda tf: tf.scatter_nd([[1]], [1.0], [-1]), [],
              "InvalidArgumentError"),
    ErrorCase("tensor_scatter_update_index_too_large", lambda tf, p: tf.tensor_scatter_nd_update(
              p, [[1, 0], [4, 1]], [9.0, 8.0]), [_P], "InvalidArgumentError"),
    ErrorCase("tensor_scatter_update_shape_mismatch", lambda tf, p: tf.tensor_scatter_nd_update(
              p, [[1, 0], [2, 1]], [9.0, 8.0, 7.0]), [_P], "InvalidArgumentError"),
    ErrorCase("tensor_scatter_update_dtype_mismatch", lambda tf, p: tf.tensor_scatter_nd_update(
              p, [[1, 0]], tf.constant([9], tf.int32)), [_P], "InvalidArgumentError"),
    ErrorCase("tensor_scatter_add_index_too_long", lambda tf, p: tf.tensor_scatter_nd_add(
              p, [[1, 0, 0]], [9.0]), [_P], "InvalidArgumentError"),
    ErrorCase("tensor_scatter_sub_scalar_indices", lambda tf, p: tf.tensor_scatter_nd_sub(
              p, 1, [3.0, 3.0]), [_P], "InvalidArgumentError"),
    ErrorCase("boolean_mask_shape_mismatch", lambda tf, p: tf.boolean_mask(
              p, [True, False]), [_P], "ValueError"),
    ErrorCase("boolean_mask_2d_shape_mismatch", lambda tf, p: tf.boolean_mask(
              p, [[True, False, True]]), [_P], "ValueError"),
    ErrorCase("boolean_mask_scalar_mask", lambda tf, p: tf.boolean_mask(p, True), [_P],
              "ValueError"),
    ErrorCase("boolean_mask_negative_axis", lambda tf, p: tf.boolean_mask(
              p, [True, False], axis=-1), [_P], "ValueError"),
    ErrorCase("one_hot_float_indices", lambda tf: tf.one_hot([0.0, 2.0], 3), [],
              "InvalidArgumentError"),
    ErrorCase("one_hot_int16_indices", lambda tf: tf.one_hot(tf.constant([0], tf.int16), 3),
              [], "InvalidArgumentError"),
    ErrorCase("one_hot_bad_axis", lambda tf: tf.one_hot([[0, 2]], 3, axis=-2), [],
              "InvalidArgumentError"),
    ErrorCase("one_hot_negative_depth", lambda tf: tf.one_hot([0], -1), [],
              "InvalidArgumentError"),
    ErrorCase("one_hot_float_depth", lambda tf: tf.one_hot([0], 3.5), [], "TypeError"),
    ErrorCase("one_hot_on_off_dtype_mismatch", lambda tf: tf.one_hot([0], 3, on_value=5,
              off_value=1.0), [], "TypeError"),
    ErrorCase("one_hot_on_value_vs_dtype", lambda tf: tf.one_hot(
              [0], 3, on_value=tf.constant(5.0, tf.float64), dtype=tf.float32), [], "TypeError"),
    ErrorCase("one_hot_bool_dtype_default_values", lambda tf: tf.one_hot([0], 3, dtype=tf.bool),
              [], "TypeError"),
]
