"""Cases for ndflow/ops/sort_ops.py: sort, argsort, unique, searchsorted, invert_permutation."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

F32, I32, I64 = np.float32, np.int32, np.int64
TIES = np.array([3, 1, 1, 3, 1, 2], I32)
NANS = np.array([np.nan, 1.0, -np.inf, np.inf, np.nan, 0.0], F32)


def _desc_argsort(x, axis=-1):
    # Stable descending order: ties keep their input order.
    n = x.shape[axis]
    return (n - 1 - np.flip(np.argsort(np.flip(x, axis), axis, kind="stable"), axis)).astype(I32)


def _unique(x):
    _, first = np.unique(x, return_index=True)
    y = x[np.sort(first)]
    return y, np.array([list(y).index(v) for v in x], I32)


CASES = [
    OpCase("sort", lambda tf, x: tf.sort(x), [rand(3, 5)], ["Sort", "ArgSort", "_PermuteAlongAxis"],
           lambda x: np.sort(x), grad=True),
    OpCase("sort_axis0_descending", lambda tf, x: tf.sort(x, axis=0, direction="DESCENDING"),
           [rand(4, 3)], ["Sort"], lambda x: -np.sort(-x, axis=0), grad=True),
    OpCase("sort_middle_axis_float32", lambda tf, x: tf.sort(x, axis=1),
           [rand(2, 4, 3, dtype=F32)], ["Sort"], lambda x: np.sort(x, axis=1), grad=True),
    OpCase("sort_int32_descending", lambda tf, x: tf.sort(x, direction="DESCENDING"), [TIES],
           ["Sort"], lambda x: -np.sort(-x)),
    OpCase("sort_uint8", lambda tf, x: tf.sort(x), [np.array([3, 255, 0, 7], np.uint8)],
           ["Sort"], np.sort),
    OpCase("sort_int32_min", lambda tf, x: tf.sort(x), [np.array([3, 1, -2**31], I32)],
           ["Sort"], np.sort),
    OpCase("sort_empty", lambda tf, x: tf.sort(x), [np.zeros((2, 0), F32)], ["Sort"], np.sort),
    OpCase("argsort_stable_ties", lambda tf, x: tf.argsort(x), [TIES], ["ArgSort"],
           lambda x: np.argsort(x, kind="stable").astype(I32)),
    OpCase("argsort_descending_ties", lambda tf, x: tf.argsort(x, direction="DESCENDING",
           stable=True), [TIES], ["ArgSort"], _desc_argsort),
    OpCase("argsort_axis0_float64", lambda tf, x: tf.argsort(x, axis=0), [rand(4, 3)],
           ["ArgSort"], lambda x: np.argsort(x, axis=0).astype(I32)),
    # NaNs: TensorFlow's order is undefined (top_k is not a total order), so NumPy is the
    # reference: NaNs sort as the largest values.
    OpCase("sort_nan_last", lambda tf, x: tf.sort(x), [NANS], ["Sort"], np.sort, tf=False),
    OpCase("argsort_nan_descending", lambda tf, x: tf.argsort(x, direction="DESCENDING"),
           [NANS], ["ArgSort"], lambda x: np.array([0, 4, 3, 1, 5, 2], I32), tf=False),
    OpCase("unique", lambda tf, x: tf.unique(x), [TIES], ["Unique"], _unique),
    OpCase("unique_float_int64_idx", lambda tf, x: tf.unique(x, out_idx=tf.int64),
           [np.array([2.5, -1.0, 2.5, 0.0], F32)], ["Unique"],
           lambda x: (x[[0, 1, 3]], np.array([0, 1, 0, 2], I64))),
    OpCase("unique_nans_distinct", lambda tf, x: tf.unique(x),
           [np.array([np.nan, np.nan, 0.0, -0.0])], ["Unique"],
           lambda x: (np.array([np.nan, np.nan, 0.0]), np.array([0, 1, 2, 2], I32))),
    OpCase("unique_bool", lambda tf, x: tf.unique(x), [np.array([True, False, True])],
           ["Unique"], lambda x: (np.array([True, False]), np.array([0, 1, 0], I32))),
    OpCase("unique_empty", lambda tf, x: tf.unique(x), [np.zeros(0, F32)], ["Unique"],
           lambda x: (x, np.zeros(0, I32))),
    OpCase("unique_with_counts", lambda tf, x: tf.unique_with_counts(x), [TIES],
           ["UniqueWithCounts"], lambda x: _unique(x) + (np.array([2, 3, 1], I32),)),
    OpCase("unique_with_counts_int64", lambda tf, x: tf.unique_with_counts(x, out_idx=tf.int64),
           [np.array([7, 7, 7], I64)], ["UniqueWithCounts"],
           lambda x: (np.array([7], I64), np.zeros(3, I64), np.array([3], I64))),
    OpCase("searchsorted_left", lambda tf, s, v: tf.searchsorted(s, v),
           [np.array([1, 2, 2, 3], I32), np.array([2, 0, 4, 3], I32)], ["LowerBound"],
           lambda s, v: np.searchsorted(s, v).astype(I32)),
    OpCase("searchsorted_right_int64", lambda tf, s, v: tf.searchsorted(
           s, v, side="right", out_type=tf.int64), [np.array([1.0, 2.0, 2.0, 3.0]),
           np.array([2.0, 0.5, 4.0])], ["UpperBound"],
           lambda s, v: np.searchsorted(s, v, side="right")),
    OpCase("searchsorted_batched", lambda tf, s, v: tf.searchsorted(s, v, side="right"),
           [np.sort(rand(2, 3, 4, dtype=F32), axis=-1), rand(2, 3, 5, dtype=F32)],
           ["UpperBound"], lambda s, v: np.stack([np.searchsorted(a, b, side="right") for a, b
                                                   in zip(s.reshape(6, 4), v.reshape(6, 5))]
                                                  ).reshape(2, 3, 5).astype(I32)),
    OpCase("invert_permutation", lambda tf, x: tf.math.invert_permutation(x),
           [np.array([2, 0, 3, 1], I32)], ["InvertPermutation"], np.argsort),
    OpCase("invert_permutation_int64", lambda tf, x: tf.math.invert_permutation(x),
           [np.array([1, 0], I64)], ["InvertPermutation"], np.argsort),
]

CASES += [
    ErrorCase("sort_bad_direction", lambda tf, x: tf.sort(x, direction="descending"),
              [rand(3)], "ValueError"),
    ErrorCase("argsort_bad_direction", lambda tf, x: tf.argsort(x, direction="UP"),
              [rand(3)], "ValueError"),
    ErrorCase("sort_axis_out_of_range", lambda tf, x: tf.sort(x, axis=2), [rand(2, 3)],
              "InvalidArgumentError"),
    ErrorCase("sort_scalar", lambda tf: tf.sort(tf.constant(3.0)), [], "InvalidArgumentError"),
    ErrorCase("sort_bool", lambda tf: tf.sort(tf.constant([True, False])), [],
              "InvalidArgumentError"),
    ErrorCase("unique_2d", lambda tf: tf.unique([[1, 2]]), [], "InvalidArgumentError"),
    ErrorCase("unique_bad_out_idx", lambda tf: tf.unique([1, 2], out_idx=tf.int16), [],
              "InvalidArgumentError"),
    ErrorCase("unique_with_counts_scalar", lambda tf: tf.unique_with_counts(1), [],
              "InvalidArgumentError"),
    ErrorCase("searchsorted_bad_side", lambda tf: tf.searchsorted([1, 2], [2], side="RIGHT"),
              [], "ValueError"),
    ErrorCase("searchsorted_leading_mismatch", lambda tf: tf.searchsorted(
              [[1, 2], [3, 4]], [[2, 1, 5]]), [], "InvalidArgumentError"),
    ErrorCase("searchsorted_dtype_mismatch", lambda tf: tf.searchsorted([1.0, 2.0], [2]), [],
              "InvalidArgumentError"),
    ErrorCase("searchsorted_bad_out_type", lambda tf: tf.searchsorted(
              [1, 2], [2], out_type=tf.float32), [], "InvalidArgumentError"),
    ErrorCase("searchsorted_scalar", lambda tf: tf.searchsorted(1, 2), [],
              "InvalidArgumentError"),
    ErrorCase("invert_permutation_duplicate", lambda tf: tf.math.invert_permutation([2, 0, 0]),
              [], "InvalidArgumentError"),
    ErrorCase("invert_permutation_out_of_range", lambda tf: tf.math.invert_permutation(
              [2, 0, 3]), [], "InvalidArgumentError"),
    ErrorCase("invert_permutation_2d", lambda tf: tf.math.invert_permutation([[1, 0]]), [],
              "InvalidArgumentError"),
    ErrorCase("invert_permutation_float", lambda tf: tf.math.invert_permutation([1.0, 0.0]),
              [], "InvalidArgumentError"),
]
