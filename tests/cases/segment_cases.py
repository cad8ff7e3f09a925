"""Cases for ndflow/ops/segment_ops.py: segment reductions and bincount."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

F32, I32 = np.float32, np.int32
IDS = np.array([2, 0, -1, 2, 0, 2], I32)       # segment 1 empty, one dropped (negative) id
IDS_2D = np.array([[0, 1, -1], [1, 1, 3]], I32)  # segment 2 empty
SORTED = np.array([0, 0, 1, 3, 3], I32)          # segment 2 empty
# Column 0 of segment 2 ties (rows 0 and 3); segment 0 ties in column 1 (rows 1 and 4).
TIES = np.array([[2.0, 0.5], [1.0, 3.0], [9.0, 9.0], [2.0, -1.0], [-1.0, 3.0], [0.5, 0.25]])


def _segments(data, ids, n, reduce, empty):
    flat = ids.reshape(-1)
    rows = data.reshape(flat.shape + data.shape[ids.ndim:])
    out = np.full((n,) + data.shape[ids.ndim:], empty, dtype=np.result_type(data, empty))
    for s in range(n):
        if np.any(flat == s):
            out[s] = reduce(rows[flat == s], axis=0)
    return out


def _seg_sum(n):
    return lambda d, i: _segments(d, i, n, np.sum, 0).astype(d.dtype)


def _bincount(arr, size, weights=None):
    out = np.zeros(size)
    for i, v in enumerate(arr.reshape(-1)):
        if v < size:
            out[v] += 1 if weights is None else weights.reshape(-1)[i]
    return out


CASES = [
    # unsorted_segment_sum
    OpCase("unsorted_segment_sum", lambda tf, d, i: tf.math.unsorted_segment_sum(d, i, 3),
           [rand(6, 2), IDS], ["UnsortedSegmentSum", "GatherV2", "SelectV2"], _seg_sum(3),
           grad=True),
    OpCase("unsorted_segment_sum_2d_ids", lambda tf, d, i: tf.math.unsorted_segment_sum(
           d, i, tf.constant(4)), [rand(2, 3, 2), IDS_2D], ["UnsortedSegmentSum"], _seg_sum(4),
           grad=True),
    OpCase("unsorted_segment_sum_int32_int64_ids", lambda tf, d, i: tf.math.unsorted_segment_sum(
           d, i, 3), [rand(6, dtype=I32, low=-9, high=9), IDS.astype(np.int64)],
           ["UnsortedSegmentSum"], _seg_sum(3)),
    OpCase("unsorted_segment_sum_float32_scalar_id", lambda tf, d, i:
           tf.math.unsorted_segment_sum(d, i, 2), [rand(3, dtype=F32), np.array(1, I32)],
           ["UnsortedSegmentSum"], lambda d, i: np.stack([np.zeros(3, F32), d])),
    # unsorted_segment_mean / sqrt_n (composed)
    OpCase("unsorted_segment_mean", lambda tf, d, i: tf.math.unsorted_segment_mean(d, i, 3),
           [rand(6, 2), IDS], ["UnsortedSegmentSum", "Maximum", "RealDiv", "Reshape", "Fill"],
           lambda d, i: _segments(d, i, 3, np.mean, 0.0), grad=True),
    OpCase("unsorted_segment_mean_2d_ids", lambda tf, d, i: tf.math.unsorted_segment_mean(
           d, i, 4), [rand(2, 3, 2), IDS_2D], ["UnsortedSegmentSum"],
           lambda d, i: _segments(d, i, 4, np.mean, 0.0), grad=True),
    OpCase("unsorted_segment_mean_int32", lambda tf, d, i: tf.math.unsorted_segment_mean(
           d, i, 3), [np.array([1, 2, 4], I32), np.array([0, 0, 1], I32)],
           ["UnsortedSegmentSum"], lambda d, i: np.array([1.5, 4.0, 0.0])),
    OpCase("unsorted_segment_sqrt_n", lambda tf, d, i: tf.math.unsorted_segment_sqrt_n(
           d, i, 3), [rand(6, 2), IDS], ["UnsortedSegmentSum", "Sqrt"],
           lambda d, i: _segments(d, i, 3, lambda r, axis: r.sum(axis) / np.sqrt(len(r)), 0.0),
           grad=True),
    # unsorted_segment_max / min (ties share the gradient)
    OpCase("unsorted_segment_max", lambda tf, d, i: tf.math.unsorted_segment_max(d, i, 3),
           [rand(6, 2), IDS], ["UnsortedSegmentMax", "GatherV2", "Equal", "LogicalAnd"],
           lambda d, i: _segments(d, i, 3, np.max, np.finfo(np.float64).min)),
    OpCase("unsorted_segment_max_ties", lambda tf, d, i: tf.math.unsorted_segment_max(d, i, 3),
           [TIES, np.array([2, 0, -1, 2, 0, 1], I32)], ["UnsortedSegmentMax"],
           lambda d, i: _segments(d, i, 3, np.max, 0.0), grad=True),
    OpCase("unsorted_segment_max_int32", lambda tf, d, i: tf.math.unsorted_segment_max(d, i, 3),
           [np.array([1, 2, 4], I32), np.array([0, 0, 1], I32)], ["UnsortedSegmentMax"],
           lambda d, i: np.array([2, 4, np.iinfo(I32).min], I32)),
    OpCase("unsorted_segment_max_float32_empty", lambda tf, d, i:
           tf.math.unsorted_segment_max(d, i, 2), [rand(3, dtype=F32), np.zeros(3, I32)],
           ["UnsortedSegmentMax"],
           lambda d, i: np.array([d.max(), np.finfo(F32).min], F32)),
    # Gradient cases leave no segment empty: its huge fill value would swamp finite differences.
    OpCase("unsorted_segment_min", lambda tf, d, i: tf.math.unsorted_segment_min(d, i, 4),
           [rand(2, 3, 2), np.array([[0, 1, -1], [1, 2, 3]], I32)], ["UnsortedSegmentMin"],
           lambda d, i: _segments(d, i, 4, np.min, 0.0), grad=True),
    OpCase("unsorted_segment_min_empty_segment", lambda tf, d, i:
           tf.math.unsorted_segment_min(d, i, 4), [rand(2, 3, 2), IDS_2D], ["UnsortedSegmentMin"],
           lambda d, i: _segments(d, i, 4, np.min, np.finfo(np.float64).max)),
    OpCase("unsorted_segment_min_ties", lambda tf, d, i: tf.math.unsorted_segment_min(d, i, 3),
           [-TIES, np.array([2, 0, -1, 2, 0, 1], I32)], ["UnsortedSegmentMin"],
           lambda d, i: _segments(d, i, 3, np.min, 0.0), grad=True),
    # segment_sum (sorted ids)
    OpCase("segment_sum", lambda tf, d, i: tf.math.segment_sum(d, i), [rand(5, 3), SORTED],
           ["SegmentSum", "GatherV2"], _seg_sum(4), grad=True),
    OpCase("segment_sum_int32_int64_ids", lambda tf, d, i: tf.math.segment_sum(d, i),
           [rand(5, dtype=I32, low=-9, high=9), SORTED.astype(np.int64)], ["SegmentSum"],
           _seg_sum(4)),
    OpCase("segment_sum_empty", lambda tf, d, i: tf.math.segment_sum(d, i),
           [np.zeros((0, 2), F32), np.zeros(0, I32)], ["SegmentSum"],
           lambda d, i: np.zeros((0, 2), F32)),
    # bincount
    OpCase("bincount", lambda tf, a: tf.math.bincount(a), [np.array([1, 1, 3, 0, 3, 3], I32)],
           ["DenseBincount", "Max", "AddV2"], lambda a: _bincount(a, 4).astype(I32)),
    OpCase("bincount_minlength_int64_dtype", lambda tf, a: tf.math.bincount(
           a, minlength=6, dtype=tf.int64), [np.array([1, 1, 3], I32)],
           ["DenseBincount", "Maximum"], lambda a: _bincount(a, 6).astype(np.int64)),
    OpCase("bincount_maxlength", lambda tf, a: tf.math.bincount(a, maxlength=2),
           [np.array([1, 1, 3, 0], np.int64)], ["DenseBincount", "Minimum"],
           lambda a: _bincount(a, 2).astype(np.int64)),
    OpCase("bincount_weights", lambda tf, a, w: tf.math.bincount(a, weights=w),
           [np.array([[1, 1], [3, 0]], I32), rand(2, 2, dtype=F32)], ["DenseBincount"],
           lambda a, w: _bincount(a, 4, w).astype(F32)),
    OpCase("bincount_float64_weights_dtype_ignored", lambda tf, a, w: tf.math.bincount(
           a, weights=w, dtype=tf.float32), [np.array([2, 0, 2], I32), rand(3)],
           ["DenseBincount"], lambda a, w: _bincount(a, 3, w)),
    OpCase("bincount_float_dtype", lambda tf, a: tf.math.bincount(a, dtype=tf.float32),
           [np.array([2, 0, 2], I32)], ["DenseBincount"], lambda a: _bincount(a, 3).astype(F32)),
    OpCase("bincount_float_input_cast", lambda tf, a: tf.math.bincount(a),
           [np.array([1.0, 2.0, 2.0], F32)], ["DenseBincount", "Cast"],
           lambda a: np.array([0, 1, 2], I32)),
    OpCase("bincount_empty", lambda tf, a: tf.math.bincount(a), [np.zeros(0, I32)],
           ["DenseBincount"], lambda a: np.zeros(0, I32)),
    OpCase("bincount_empty_minlength", lambda tf, a: tf.math.bincount(a, minlength=3),
           [np.zeros(0, I32)], ["DenseBincount"], lambda a: np.zeros(3, I32)),
    OpCase("bincount_axis_last", lambda tf, a: tf.math.bincount(a, axis=-1),
           [np.array([[1, 2, 2], [0, 0, 4]], I32)], ["DenseBincount"],
           lambda a: np.array([[0, 1, 2, 0, 0], [2, 0, 0, 0, 1]], I32)),
    OpCase("bincount_axis_last_weights", lambda tf, a, w: tf.math.bincount(
           a, weights=w, axis=-1, maxlength=3), [np.array([[1, 2, 2], [0, 0, 4]], I32),
           rand(2, 3)], ["DenseBincount"],
           lambda a, w: np.stack([_bincount(a[r], 3, w[r]) for r in range(2)])),
    OpCase("bincount_binary_output", lambda tf, a: tf.math.bincount(a, binary_output=True),
           [np.array([[1, 1], [3, 0]], I32)], ["DenseBincount"],
           lambda a: np.array([1, 1, 0, 1], I32)),
    OpCase("bincount_binary_output_axis_last", lambda tf, a: tf.math.bincount(
           a, binary_output=True, axis=-1, dtype=tf.float32), [np.array([[1, 1], [3, 0]], I32)],
           ["DenseBincount"], lambda a: np.array([[0, 1, 0, 0], [1, 0, 0, 1]], F32)),

    ErrorCase("unsorted_segment_sum_id_too_large", lambda tf, d, i:
              tf.math.unsorted_segment_sum(d, i, 3), [rand(3), np.array([0, 3, 0], I32)],
              "InvalidArgumentError"),
    ErrorCase("unsorted_segment_max_id_too_large", lambda tf, d, i:
              tf.math.unsorted_segment_max(d, i, 2), [rand(3), np.array([0, 5, 0], I32)],
              "InvalidArgumentError"),
    ErrorCase("unsorted_segment_sum_ids_shape", lambda tf, d, i:
              tf.math.unsorted_segment_sum(d, i, 3), [rand(3, 2), np.array([0, 1], I32)],
              "InvalidArgumentError"),
    ErrorCase("unsorted_segment_sum_float_ids", lambda tf, d, i:
              tf.math.unsorted_segment_sum(d, i, 3), [rand(3), np.array([0.0, 1, 1])],
              "InvalidArgumentError"),
    ErrorCase("unsorted_segment_sum_negative_num_segments", lambda tf, d, i:
              tf.math.unsorted_segment_sum(d, i, -1), [rand(3), np.array([0, 1, 1], I32)],
              "InvalidArgumentError"),
    ErrorCase("unsorted_segment_sum_float_num_segments", lambda tf, d, i:
              tf.math.unsorted_segment_sum(d, i, 2.0), [rand(3), np.array([0, 1, 1], I32)],
              "TypeError"),
    ErrorCase("unsorted_segment_sum_vector_num_segments", lambda tf, d, i:
              tf.math.unsorted_segment_sum(d, i, tf.constant([2])),
              [rand(3), np.array([0, 1, 1], I32)], "InvalidArgumentError"),
    ErrorCase("unsorted_segment_sum_bool", lambda tf, d, i: tf.math.unsorted_segment_sum(d, i, 1),
              [np.ones(2, bool), np.zeros(2, I32)], "InvalidArgumentError"),
    ErrorCase("unsorted_segment_max_complex", lambda tf, d, i:
              tf.math.unsorted_segment_max(d, i, 1), [np.ones(2, np.complex128),
              np.zeros(2, I32)], "InvalidArgumentError"),
    ErrorCase("unsorted_segment_sqrt_n_int", lambda tf, d, i:
              tf.math.unsorted_segment_sqrt_n(d, i, 2), [np.ones(3, I32),
              np.array([0, 1, 1], I32)], "InvalidArgumentError"),
    ErrorCase("segment_sum_not_sorted", lambda tf, d, i: tf.math.segment_sum(d, i),
              [rand(3), np.array([0, 2, 1], I32)], "InvalidArgumentError"),
    ErrorCase("segment_sum_negative_id", lambda tf, d, i: tf.math.segment_sum(d, i),
              [rand(3), np.array([-1, 0, 1], I32)], "InvalidArgumentError"),
    ErrorCase("segment_sum_wrong_length", lambda tf, d, i: tf.math.segment_sum(d, i),
              [rand(3, 2), np.array([0, 1], I32)], "InvalidArgumentError"),
    ErrorCase("segment_sum_matrix_ids", lambda tf, d, i: tf.math.segment_sum(d, i),
              [rand(3, 2), np.array([[0, 1, 1]], I32)], "InvalidArgumentError"),
    ErrorCase("segment_sum_int16_ids", lambda tf, d, i: tf.math.segment_sum(d, i),
              [rand(3), np.array([0, 1, 1], np.int16)], "InvalidArgumentError"),
    ErrorCase("bincount_negative", lambda tf, a: tf.math.bincount(a), [np.array([-1, 2], I32)],
              "InvalidArgumentError"),
    ErrorCase("bincount_weights_shape", lambda tf, a, w: tf.math.bincount(a, weights=w),
              [np.array([1, 2, 2], I32), rand(2, dtype=F32)], "InvalidArgumentError"),
    ErrorCase("bincount_binary_output_with_weights", lambda tf, a, w: tf.math.bincount(
              a, weights=w, binary_output=True), [np.array([1, 2], I32), rand(2, dtype=F32)],
              "ValueError"),
    ErrorCase("bincount_bad_axis", lambda tf, a: tf.math.bincount(a, axis=1),
              [np.array([[1, 2]], I32)], "ValueError"),
    ErrorCase("bincount_bool_dtype", lambda tf, a: tf.math.bincount(a, dtype=tf.bool),
              [np.array([1, 2], I32)], "InvalidArgumentError"),
]
