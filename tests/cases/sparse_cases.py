"""Cases for the SparseTensor ops (ndflow/structures/sparse_*.py) and the set ops
(ndflow/structures/sets_ops.py). Sparse results are flattened to (indices, values, dense_shape)."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

F32, I32, I64 = np.float32, np.int32, np.int64
IDX = [[0, 1], [1, 0], [1, 3], [2, 2]]
UNSORTED = [[1, 3], [0, 1], [2, 2], [1, 0]]
IDX_B = [[0, 1], [0, 2], [2, 2]]
IDX_3D = [[0, 0, 1], [0, 2, 0], [1, 1, 3], [1, 2, 1], [1, 2, 3]]


def _sp(tf, values, indices=IDX, shape=(3, 4)):
    return tf.sparse.SparseTensor(indices, values, list(shape))


def _parts(s):
    return s.indices, s.values, s.dense_shape


def _dense(idx, shape, default=0.0):
    def ref(v, *rest):
        out = np.full(shape, default, dtype=v.dtype)
        out[tuple(np.asarray(idx).T)] = v
        return out
    return ref


SETS_A = np.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], I32)
SETS_B = np.array([[[1, 3], [2, 4]], [[5, 5], [8, 9]]], I32)

CASES = [
    # SparseToDense
    OpCase("sparse_to_dense", lambda tf, v: tf.sparse.to_dense(_sp(tf, v)), [rand(4)],
           ["SparseToDense"], _dense(IDX, (3, 4)), grad=True),
    OpCase("sparse_to_dense_default", lambda tf, v, d: tf.sparse.to_dense(_sp(tf, v), d),
           [rand(4, dtype=F32), np.array(-1.5, F32)], ["SparseToDense"],
           _dense(IDX, (3, 4), -1.5)),
    OpCase("sparse_to_dense_default_grad", lambda tf, v, d: tf.sparse.to_dense(_sp(tf, v), d),
           [rand(4), np.array(0.5)], ["SparseToDense"], grad=True),
    OpCase("sparse_to_dense_int32_3d", lambda tf, v: tf.sparse.to_dense(
           _sp(tf, v, IDX_3D, (2, 3, 4))), [np.arange(1, 6, dtype=I32)], ["SparseToDense"],
           _dense(IDX_3D, (2, 3, 4))),
    OpCase("sparse_to_dense_unvalidated", lambda tf, v: tf.sparse.to_dense(
           _sp(tf, v, UNSORTED), validate_indices=False), [rand(4)], ["SparseToDense"],
           _dense(UNSORTED, (3, 4)), grad=True),
    OpCase("sparse_to_indicator", lambda tf, v: tf.sparse.to_indicator(_sp(tf, v), 5),
           [np.array([0, 4, 1, 1], I64)], ["SparseToDense"]),
    # SparseReorder
    OpCase("sparse_reorder", lambda tf, v: _parts(tf.sparse.reorder(_sp(tf, v, UNSORTED))),
           [rand(4)], ["SparseReorder"], grad=True),
    OpCase("sparse_reorder_int32", lambda tf, v: _parts(tf.sparse.reorder(
           _sp(tf, v, UNSORTED))), [np.arange(4, dtype=I32)], ["SparseReorder"]),
    OpCase("sparse_transpose", lambda tf, v: _parts(tf.sparse.transpose(_sp(tf, v))),
           [rand(4)], ["SparseReorder", "GatherV2"], grad=True),
    OpCase("sparse_transpose_perm", lambda tf, v: _parts(tf.sparse.transpose(
           _sp(tf, v, IDX_3D, (2, 3, 4)), [2, 0, 1])), [rand(5, dtype=F32)], ["SparseReorder"]),
    # SparseAdd / SparseAddGrad
    OpCase("sparse_add", lambda tf, a, b: _parts(tf.sparse.add(_sp(tf, a), _sp(tf, b, IDX_B))),
           [rand(4), rand(3)], ["SparseAdd", "SparseAddGrad"], grad=True),
    OpCase("sparse_add_threshold", lambda tf, a, b: _parts(tf.sparse.add(
           _sp(tf, a), _sp(tf, b, IDX_B), threshold=0.6)),
           [np.array([1.5, -2.0, 3.0, 4.25]), np.array([1.0, 0.5, -4.0])],
           ["SparseAdd", "SparseAddGrad"], grad=True),
    OpCase("sparse_add_unsorted", lambda tf, a, b: _parts(tf.sparse.add(
           _sp(tf, a, UNSORTED), _sp(tf, b, IDX_B))), [rand(4), rand(3)],
           ["SparseAdd", "SparseAddGrad"], grad=True),
    OpCase("sparse_add_int32", lambda tf, a, b: _parts(tf.sparse.add(
           _sp(tf, a), _sp(tf, b, IDX_B), 2)), [np.array([1, 2, 3, 4], I32),
                                              np.array([-1, 5, -4], I32)], ["SparseAdd"]),
    # SparseTensorDenseAdd
    OpCase("sparse_dense_add", lambda tf, v, d: tf.sparse.add(_sp(tf, v), d),
           [rand(4), rand(3, 4)], ["SparseTensorDenseAdd"], grad=True),
    OpCase("sparse_dense_add_float32", lambda tf, v, d: tf.sparse.add(d, _sp(tf, v)),
           [rand(4, dtype=F32), rand(3, 4, dtype=F32)], ["SparseTensorDenseAdd"]),
    # SparseTensorDenseMatMul
    OpCase("sparse_dense_matmul", lambda tf, v, b: tf.sparse.sparse_dense_matmul(_sp(tf, v), b),
           [rand(4), rand(4, 2)], ["SparseTensorDenseMatMul"], grad=True),
    OpCase("sparse_dense_matmul_adjoint_a", lambda tf, v, b: tf.sparse.sparse_dense_matmul(
           _sp(tf, v), b, adjoint_a=True), [rand(4), rand(3, 2)], ["SparseTensorDenseMatMul"],
           grad=True),
    OpCase("sparse_dense_matmul_adjoint_b", lambda tf, v, b: tf.sparse.sparse_dense_matmul(
           _sp(tf, v), b, adjoint_b=True), [rand(4), rand(2, 4)], ["SparseTensorDenseMatMul"],
           grad=True),
    OpCase("sparse_dense_matmul_adjoint_both", lambda tf, v, b: tf.sparse.sparse_dense_matmul(
           _sp(tf, v), b, adjoint_a=True, adjoint_b=True), [rand(4), rand(2, 3)],
           ["SparseTensorDenseMatMul"], grad=True),
    OpCase("sparse_dense_matmul_float32_repeated", lambda tf, v, b: tf.sparse.sparse_dense_matmul(
           _sp(tf, v, [[0, 1], [0, 1], [2, 3], [1, 0]]), b),
           [rand(4, dtype=F32), rand(4, 3, dtype=F32)], ["SparseTensorDenseMatMul"]),
    OpCase("sparse_dense_matmul_int32", lambda tf, v, b: tf.sparse.sparse_dense_matmul(
           _sp(tf, v), b), [np.array([1, -2, 3, 4], I32), np.arange(8, dtype=I32).reshape(4, 2)],
           ["SparseTensorDenseMatMul"]),
    # SparseReduceSum / SparseReduceMax
    OpCase("sparse_reduce_sum_all", lambda tf, v: tf.sparse.reduce_sum(_sp(tf, v)), [rand(4)],
           ["SparseReduceSum"], grad=True),
    OpCase("sparse_reduce_sum_axis1", lambda tf, v: tf.sparse.reduce_sum(_sp(tf, v), 1),
           [rand(4)], ["SparseReduceSum"], grad=True),
    OpCase("sparse_reduce_sum_keepdims", lambda tf, v: tf.sparse.reduce_sum(
           _sp(tf, v, IDX_3D, (2, 3, 4)), [0, -1], keepdims=True), [rand(5)],
           ["SparseReduceSum"], grad=True),
    OpCase("sparse_reduce_sum_int32", lambda tf, v: tf.sparse.reduce_sum(_sp(tf, v), 0),
           [np.array([1, 2, 3, 4], I32)], ["SparseReduceSum"]),
    OpCase("sparse_reduce_sum_sparse", lambda tf, v: _parts(tf.sparse.reduce_sum(
           _sp(tf, v, IDX_3D, (2, 3, 4)), 1, output_is_sparse=True)), [rand(5, dtype=F32)],
           ["SparseReduceSum"]),
    # TensorFlow registers no gradient for SparseReduceMax.
    OpCase("sparse_reduce_max", lambda tf, v: tf.sparse.reduce_max(_sp(tf, v), 1),
           [rand(4)], ["SparseReduceMax"]),
    OpCase("sparse_reduce_max_negative", lambda tf, v: tf.sparse.reduce_max(_sp(tf, v), 0),
           [np.array([-1.5, -2.0, -3.0, -4.0], F32)], ["SparseReduceMax"]),
    OpCase("sparse_reduce_max_int64_keepdims", lambda tf, v: tf.sparse.reduce_max(
           _sp(tf, v, IDX_3D, (2, 3, 4)), 2, keepdims=True), [np.arange(5, dtype=I64) - 3],
           ["SparseReduceMax"]),
    OpCase("sparse_reduce_max_sparse", lambda tf, v: _parts(tf.sparse.reduce_max(
           _sp(tf, v), 0, output_is_sparse=True)), [rand(4, dtype=F32)], ["SparseReduceMax"]),
    # SparseConcat
    OpCase("sparse_concat_axis0", lambda tf, a, b: _parts(tf.sparse.concat(
           0, [_sp(tf, a), _sp(tf, b, IDX_B)])), [rand(4), rand(3)], ["SparseConcat"]),
    OpCase("sparse_concat_axis1", lambda tf, a, b: _parts(tf.sparse.concat(
           -1, [_sp(tf, a), _sp(tf, b, IDX_B)])), [rand(4, dtype=F32), rand(3, dtype=F32)],
           ["SparseConcat"]),
    OpCase("sparse_concat_expand", lambda tf, a, b: _parts(tf.sparse.concat(
           1, [_sp(tf, a), _sp(tf, b, [[0, 0], [4, 1]], (5, 2))], expand_nonconcat_dims=True)),
           [np.arange(4, dtype=I32), np.array([7, 8], I32)], ["SparseConcat"]),
    # sparse * dense, sparse / dense (composed ops)
    OpCase("sparse_times_dense", lambda tf, v, d: _parts(_sp(tf, v) * d),
           [rand(4), rand(4)], ["GatherNd", "BroadcastTo", "Mul"], grad=True),
    OpCase("sparse_div_dense", lambda tf, v, d: _parts(_sp(tf, v) / d),
           [rand(4), rand(3, 1, low=1.0, high=2.0)], ["GatherNd", "RealDiv"], grad=True),
    # Set ops
    OpCase("sets_union_dense", lambda tf, a, b: _parts(tf.sets.union(a, b)), [SETS_A, SETS_B],
           ["DenseToDenseSetOperation"]),
    OpCase("sets_intersection_dense_sparse", lambda tf, a, b: _parts(tf.sets.intersection(
           a, tf.sparse.from_dense(b))), [SETS_A, SETS_B], ["DenseToSparseSetOperation"]),
    OpCase("sets_difference_sparse_sparse", lambda tf, a, b: _parts(tf.sets.difference(
           tf.sparse.from_dense(a), tf.sparse.from_dense(b), aminusb=False)),
           [SETS_A.astype(I64), SETS_B.astype(I64)], ["SparseToSparseSetOperation"]),
    OpCase("sets_size", lambda tf, a: tf.sets.size(tf.sparse.from_dense(a)),
           [np.array([[1, 1, 0], [2, 3, 4]], I32)], ["SetSize"]),
]

CASES += [
    ErrorCase("sparse_to_dense_unordered", lambda tf, v: tf.sparse.to_dense(
              _sp(tf, v, UNSORTED)), [rand(4)], "InvalidArgumentError"),
    ErrorCase("sparse_to_dense_out_of_bounds", lambda tf, v: tf.sparse.to_dense(
              _sp(tf, v, [[0, 1], [3, 0]])), [rand(2)], "InvalidArgumentError"),
    ErrorCase("sparse_add_shape_mismatch", lambda tf, a, b: tf.sparse.add(
              _sp(tf, a), _sp(tf, b, IDX_B, (3, 5))), [rand(4), rand(3)],
              "InvalidArgumentError"),
    ErrorCase("sparse_add_dtype_mismatch", lambda tf, a, b: tf.sparse.add(
              _sp(tf, a), _sp(tf, b, IDX_B)), [rand(4), rand(3, dtype=F32)],
              "InvalidArgumentError"),
    ErrorCase("sparse_dense_add_shape", lambda tf, v, d: tf.sparse.add(_sp(tf, v), d),
              [rand(4), rand(4, 3)], "InvalidArgumentError"),
    ErrorCase("sparse_dense_matmul_inner", lambda tf, v, b: tf.sparse.sparse_dense_matmul(
              _sp(tf, v), b), [rand(4), rand(3, 2)], "InvalidArgumentError"),
    ErrorCase("sparse_reduce_sum_bool", lambda tf, v: tf.sparse.reduce_sum(_sp(tf, v)),
              [np.array([True, False, True, True])], "InvalidArgumentError"),
    ErrorCase("sparse_reduce_sum_axis", lambda tf, v: tf.sparse.reduce_sum(_sp(tf, v), 2),
              [rand(4)], "InvalidArgumentError"),
    ErrorCase("sparse_reduce_max_complex", lambda tf, v: tf.sparse.reduce_max(_sp(tf, v)),
              [rand(4, dtype=np.complex64)], "InvalidArgumentError"),
    ErrorCase("sparse_concat_shapes", lambda tf, a, b: tf.sparse.concat(
              0, [_sp(tf, a), _sp(tf, b, IDX_B, (3, 5))]), [rand(4), rand(3)],
              "InvalidArgumentError"),
    ErrorCase("sets_rank1", lambda tf, a: tf.sets.union(a, a), [np.array([1, 2], I32)],
              "InvalidArgumentError"),
    ErrorCase("sets_float", lambda tf, a: tf.sets.union(a, a), [rand(2, 2)], "TypeError"),
    ErrorCase("sets_mismatched_rows", lambda tf, a, b: tf.sets.union(a, b),
              [SETS_A, SETS_B[:1]], "InvalidArgumentError"),
]
