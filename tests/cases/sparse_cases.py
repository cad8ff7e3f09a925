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

# ---- the rest of tf.sparse (sparse_reshape/segment/math/misc/cross.py) -------------------------
SEG_DATA = rand(3, 2)
SEG_IDX, SEG_IDS = np.array([0, 2, 0], I32), np.array([0, 0, 2], I32)


def _segment(kind, **kw):
    return lambda tf, d, i, s: getattr(tf.sparse, "segment_" + kind)(d, i, s, **kw)


def _filled(result):
    return _parts(result[0]) + (result[1],)


CASES += [
    # SparseReshape: values pass through, so the gradient is the identity on them.
    OpCase("sparse_reshape", lambda tf, v: _parts(tf.sparse.reshape(_sp(tf, v), [2, -1])),
           [rand(4)], ["SparseReshape"], grad=True),
    OpCase("sparse_reshape_int32_3d", lambda tf, v: _parts(tf.sparse.reshape(
           _sp(tf, v, UNSORTED), [2, 3, -1])), [np.arange(4, dtype=I32)], ["SparseReshape"]),
    OpCase("sparse_expand_dims", lambda tf, v: _parts(tf.sparse.expand_dims(_sp(tf, v), 1)),
           [rand(4)], ["SparseReshape"], grad=True),
    OpCase("sparse_eye", lambda tf: _parts(tf.sparse.eye(3, 5, dtype=tf.int64)), [],
           ["SparseReshape"]),
    # SparseSplit: TensorFlow registers no gradient.
    OpCase("sparse_split", lambda tf, v: [_parts(s) for s in tf.sparse.split(_sp(tf, v), 3,
                                                                               axis=1)],
           [rand(4, dtype=F32)], ["SparseSplit"]),
    OpCase("sparse_split_axis0_int64", lambda tf, v: [_parts(s) for s in tf.sparse.split(
           _sp(tf, v, IDX_3D, (2, 3, 4)), 2, axis=0)], [np.arange(5, dtype=I64)],
           ["SparseSplit"]),
    # SparseSparseMaximum / Minimum: TensorFlow's gradient cannot run, so none is registered.
    OpCase("sparse_maximum", lambda tf, a, b: _parts(tf.sparse.maximum(
           _sp(tf, a), _sp(tf, b, IDX_B))), [rand(4, dtype=F32), rand(3, dtype=F32)],
           ["SparseSparseMaximum"]),
    OpCase("sparse_minimum_int32", lambda tf, a, b: _parts(tf.sparse.minimum(
           _sp(tf, a), _sp(tf, b, IDX_B))), [np.array([1, -2, 3, 4], I32),
                                           np.array([5, -6, 7], I32)], ["SparseSparseMinimum"]),
    # SparseSoftmax
    OpCase("sparse_softmax", lambda tf, v: _parts(tf.sparse.softmax(_sp(tf, v))), [rand(4)],
           ["SparseSoftmax"], grad=True),
    OpCase("sparse_softmax_3d", lambda tf, v: _parts(tf.sparse.softmax(
           _sp(tf, v, IDX_3D, (2, 3, 4)))), [rand(5)], ["SparseSoftmax"], grad=True),
    OpCase("sparse_softmax_float32", lambda tf, v: _parts(tf.sparse.softmax(_sp(tf, v))),
           [rand(4, dtype=F32)], ["SparseSoftmax"]),
    # SparseFillEmptyRows
    OpCase("sparse_fill_empty_rows", lambda tf, v, d: _filled(tf.sparse.fill_empty_rows(
           _sp(tf, v, [[0, 1], [2, 2], [2, 3]], (5, 4)), d)), [rand(3), np.array(0.25)],
           ["SparseFillEmptyRows"], grad=True),
    OpCase("sparse_fill_empty_rows_unsorted", lambda tf, v, d: _filled(tf.sparse.fill_empty_rows(
           _sp(tf, v, UNSORTED, (4, 4)), d)), [rand(4), np.array(-1.0)],
           ["SparseFillEmptyRows"], grad=True),
    OpCase("sparse_fill_empty_rows_int32", lambda tf, v: tf.sparse.fill_empty_rows(
           _sp(tf, v, [[1, 0], [1, 2]], (3, 3)), 7)[1], [np.array([4, 5], I32)],
           ["SparseFillEmptyRows"]),
    # map_values (composed) and mask (ListDiff)
    OpCase("sparse_map_values", lambda tf, a, b: _parts(tf.sparse.map_values(
           tf.multiply, _sp(tf, a), _sp(tf, b))), [rand(4), rand(4)], ["Mul"], grad=True),
    OpCase("sparse_mask", lambda tf, v, i: (lambda m: (m.values, m.indices))(
           tf.sparse.mask(tf.IndexedSlices(v, i), tf.constant([12, 45]))),
           [rand(3, 2), np.array([12, 26, 45], I32)], ["ListDiff", "GatherV2"], grad=True),
    OpCase("sparse_mask_int64", lambda tf, v, i, m: (lambda r: (r.values, r.indices))(
           tf.sparse.mask(tf.IndexedSlices(v, i), m)),
           [np.arange(4, dtype=I32), np.array([3, 1, 3, 2], I64), np.array([3], I64)],
           ["ListDiff"]),
    # SparseSegmentSum/Mean/SqrtN (and ...WithNumSegments)
    OpCase("sparse_segment_sum", _segment("sum"), [SEG_DATA, SEG_IDX, SEG_IDS],
           ["SparseSegmentSum"], grad=True),
    OpCase("sparse_segment_sum_num_segments", _segment("sum", num_segments=4),
           [SEG_DATA, SEG_IDX, SEG_IDS], ["SparseSegmentSumWithNumSegments"], grad=True),
    OpCase("sparse_segment_sum_sparse_gradient", _segment("sum", sparse_gradient=True),
           [SEG_DATA, SEG_IDX, SEG_IDS], ["SparseSegmentSum"], grad=True),
    OpCase("sparse_segment_sum_int32", _segment("sum"),
           [np.arange(6, dtype=I32).reshape(3, 2), SEG_IDX, SEG_IDS.astype(I64)],
           ["SparseSegmentSum"]),
    OpCase("sparse_segment_mean", _segment("mean"), [SEG_DATA, SEG_IDX, SEG_IDS],
           ["SparseSegmentMean"], grad=True),
    OpCase("sparse_segment_mean_num_segments", _segment("mean", num_segments=5,
                                                        sparse_gradient=True),
           [SEG_DATA, SEG_IDX, SEG_IDS], ["SparseSegmentMeanWithNumSegments"], grad=True),
    OpCase("sparse_segment_mean_float32", _segment("mean"),
           [SEG_DATA.astype(F32), SEG_IDX.astype(I64), SEG_IDS], ["SparseSegmentMean"]),
    OpCase("sparse_segment_sqrt_n", _segment("sqrt_n"), [SEG_DATA, SEG_IDX, SEG_IDS],
           ["SparseSegmentSqrtN"], grad=True),
    OpCase("sparse_segment_sqrt_n_num_segments", _segment("sqrt_n", num_segments=3),
           [rand(4), np.array([0, 1, 3], I32), np.array([0, 0, 2], I32)],
           ["SparseSegmentSqrtNWithNumSegments"], grad=True),
    # sampled_addmm (composed of gathers and products)
    OpCase("sparse_sampled_addmm", lambda tf, v, a, b: tf.sparse.sampled_addmm(
           [[0, 1], [1, 0], [1, 1]], v, [2, 2], a, b, beta=0.5, alpha=2.0,
           output_type=tf.float64)[1], [rand(3), rand(2, 3), rand(3, 2)], ["GatherV2", "Mul"],
           grad=True),
    # DenseCountSparseOutput / SparseCountSparseOutput (no gradients in TensorFlow)
    OpCase("sparse_bincount_rows", lambda tf, x, w: _parts(tf.sparse.bincount(
           x, weights=w, axis=-1, minlength=6)),
           [np.array([[1, 2, 2], [3, 1, 0]], I32), rand(2, 3, dtype=F32)],
           ["DenseCountSparseOutput"]),
    OpCase("sparse_bincount_binary_int64", lambda tf, x: _parts(tf.sparse.bincount(
           x, binary_output=True, maxlength=3)), [np.array([4, 1, 1, 0, 2], I64)],
           ["DenseCountSparseOutput"]),
    OpCase("sparse_bincount_sparse", lambda tf, v: _parts(tf.sparse.bincount(
           _sp(tf, v), axis=-1)), [np.array([3, 1, 3, 0], I32)], ["SparseCountSparseOutput"]),
    OpCase("sparse_bincount_sparse_weights", lambda tf, v, w: _parts(tf.sparse.bincount(
           _sp(tf, v), weights=_sp(tf, w))), [np.array([3, 1, 3, 0], I64), rand(4)],
           ["SparseCountSparseOutput"]),
    # SparseCrossV2 / SparseCross (string values are compared in test_sparse_more.py)
    OpCase("sparse_cross", lambda tf, a, b: (lambda s: (s.indices, s.dense_shape))(
           tf.sparse.cross([a, tf.sparse.from_dense(b)])),
           [np.array([[1, 2], [3, 4]], I64), np.array([[5, 0, 6], [0, 0, 7]], I64)],
           ["SparseCrossV2"]),
    OpCase("sparse_cross_hashed", lambda tf, a, b: _parts(tf.sparse.cross_hashed(
           [a, tf.sparse.from_dense(b)], num_buckets=1000)),
           [np.array([[1, 2], [3, 4]], I64), np.array([[5, 0, 6], [0, 0, 7]], I64)],
           ["SparseCross"]),
    OpCase("sparse_cross_hashed_unbucketed", lambda tf, a, b: _parts(tf.sparse.cross_hashed(
           [a, b], hash_key=12345)), [np.array([[1], [-3]], I64), np.array([[2, 5], [7, 9]], I32)],
           ["SparseCross"]),
]

CASES += [
    ErrorCase("sparse_reshape_size", lambda tf, v: tf.sparse.reshape(_sp(tf, v), [5, -1]),
              [rand(4)], "InvalidArgumentError"),
    ErrorCase("sparse_reshape_two_unknown", lambda tf, v: tf.sparse.reshape(_sp(tf, v),
                                                                            [-1, -1]),
              [rand(4)], "InvalidArgumentError"),
    ErrorCase("sparse_split_axis", lambda tf, v: tf.sparse.split(_sp(tf, v), 2, axis=2),
              [rand(4)], "InvalidArgumentError"),
    ErrorCase("sparse_split_too_many", lambda tf, v: tf.sparse.split(_sp(tf, v), 4, axis=0),
              [rand(4)], "InvalidArgumentError"),
    ErrorCase("sparse_maximum_shapes", lambda tf, a, b: tf.sparse.maximum(
              _sp(tf, a), _sp(tf, b, IDX_B, (3, 5))), [rand(4), rand(3)],
              "InvalidArgumentError"),
    ErrorCase("sparse_minimum_dtypes", lambda tf, a, b: tf.sparse.minimum(
              _sp(tf, a), _sp(tf, b, IDX_B)), [rand(4), rand(3, dtype=F32)],
              "InvalidArgumentError"),
    ErrorCase("sparse_softmax_int", lambda tf, v: tf.sparse.softmax(_sp(tf, v)),
              [np.arange(4, dtype=I32)], "InvalidArgumentError"),
    ErrorCase("sparse_softmax_rank1", lambda tf, v: tf.sparse.softmax(
              _sp(tf, v, [[0], [2]], (4,))), [rand(2)], "InvalidArgumentError"),
    ErrorCase("sparse_fill_empty_rows_bounds", lambda tf, v: tf.sparse.fill_empty_rows(
              _sp(tf, v, [[5, 0]], (3, 2)), 0.0), [rand(1)], "InvalidArgumentError"),
    ErrorCase("sparse_mask_dtypes", lambda tf, v, i, m: tf.sparse.mask(
              tf.IndexedSlices(v, i), m), [rand(2), np.array([1, 2], I32),
                                          np.array([2], I64)], "InvalidArgumentError"),
    ErrorCase("sparse_segment_unsorted", _segment("sum"), [SEG_DATA, SEG_IDX,
                                                           np.array([1, 0, 2], I32)],
              "InvalidArgumentError"),
    ErrorCase("sparse_segment_bad_index", _segment("mean"), [SEG_DATA, np.array([0, 3, 1], I32),
                                                             SEG_IDS], "InvalidArgumentError"),
    ErrorCase("sparse_segment_num_segments", _segment("sqrt_n", num_segments=2),
              [SEG_DATA, SEG_IDX, SEG_IDS], "InvalidArgumentError"),
    ErrorCase("sparse_segment_mean_int", _segment("mean"),
              [np.arange(6, dtype=I32).reshape(3, 2), SEG_IDX, SEG_IDS], "InvalidArgumentError"),
    ErrorCase("sparse_bincount_negative", lambda tf, x: tf.sparse.bincount(x),
              [np.array([1, -1], I32)], "InvalidArgumentError"),
    ErrorCase("sparse_bincount_axis", lambda tf, x: tf.sparse.bincount(x, axis=1),
              [np.array([[1, 1]], I32)], "ValueError"),
    ErrorCase("sparse_bincount_weights_shape", lambda tf, x, w: tf.sparse.bincount(
              x, weights=w, axis=-1), [np.array([[1, 1]], I32), rand(3)],
              "InvalidArgumentError"),
    ErrorCase("sparse_cross_batch", lambda tf, a, b: tf.sparse.cross([a, b]),
              [np.array([[1], [2]], I64), np.array([[1], [2], [3]], I64)],
              "InvalidArgumentError"),
    ErrorCase("sparse_cross_hashed_rank1", lambda tf, a: tf.sparse.cross_hashed([a]),
              [np.array([1, 2], I64)], "InvalidArgumentError"),
]
