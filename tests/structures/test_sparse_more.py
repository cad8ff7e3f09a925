"""The rest of tf.sparse (reshape, expand_dims, split, eye, maximum/minimum, softmax,
fill_empty_rows, map_values, mask, segment_*, bincount, cross, cross_hashed) against TensorFlow
2.21: values, dtypes, shapes, index order, error classes and gradients."""
import numpy as np
import pytest

import ndflow as nf

tf = pytest.importorskip("tensorflow")

IDX = [[0, 1], [1, 0], [1, 3], [2, 2]]
VALS = [1.0, -2.0, 3.0, 4.0]
UNSORTED = [[1, 3], [0, 1], [1, 0]]
DATA = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
X = [[1, 2, 2], [3, 1, 0]]
W = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
A = [["a", "b"], ["c", "d"]]
B = [["x"], ["y"]]


def sp(t, indices=IDX, values=VALS, shape=(3, 4), dtype=None):
    if isinstance(values, (list, tuple)):
        values = t.constant(values, dtype) if dtype is not None else t.constant(values)
    return t.SparseTensor(indices, values, list(shape))


def c(t, value, dtype=None):
    return t.constant(value, dtype) if dtype is not None else t.constant(value)


def flat(result):
    """Nested lists of (dtype name, shape, values) for every tensor in ``result``, or the name
    of the exception class it raised."""
    if isinstance(result, (tuple, list)):
        return [flat(r) for r in result]
    if hasattr(result, "dense_shape") and hasattr(result, "indices"):
        parts = [result.indices, result.values]
        return flat(parts + ([result.dense_shape] if result.dense_shape is not None else []))
    value = np.asarray(result.numpy())
    if value.dtype.kind in "fc":
        value = value.round(5)
    return result.dtype.name, list(value.shape), value.tolist()


def run(t, fn):
    try:
        return flat(fn(t))
    except Exception as exc:  # noqa: BLE001 - the class name is what is compared
        return type(exc).__name__


def _sp(values_dtype="float32"):
    return lambda t: sp(t, dtype=values_dtype)


# Each case runs the same code on ndflow and TensorFlow; results (or error classes) must match.
CASES = {
    # reshape
    "reshape_infer": lambda t: t.sparse.reshape(sp(t), [2, -1]),
    "reshape_3d": lambda t: t.sparse.reshape(sp(t), [2, -1, 3]),
    "reshape_tensor_shape": lambda t: t.sparse.reshape(sp(t), t.constant([6, 2])),
    "reshape_int64_values": lambda t: t.sparse.reshape(sp(t, dtype=t.int64, values=[1, 2, 3, 4]),
                                                       [12]),
    "reshape_unordered_keeps_order": lambda t: t.sparse.reshape(sp(t, UNSORTED, [1.0, 2, 3]),
                                                                [12]),
    "reshape_empty": lambda t: t.sparse.reshape(t.SparseTensor(np.zeros((0, 2), np.int64),
                                                               t.zeros([0]), [3, 4]), [4, 3]),
    "reshape_two_unknown": lambda t: t.sparse.reshape(sp(t), [-1, -1]),
    "reshape_not_multiple": lambda t: t.sparse.reshape(sp(t), [5, -1]),
    "reshape_wrong_size": lambda t: t.sparse.reshape(sp(t), [5, 3]),
    "reshape_negative": lambda t: t.sparse.reshape(sp(t), [-2, -6]),
    "reshape_dense_input": lambda t: t.sparse.reshape(t.ones([2, 2]), [4]),
    # expand_dims
    "expand_dims_last": lambda t: t.sparse.expand_dims(sp(t), -1),
    "expand_dims_default": lambda t: t.sparse.expand_dims(sp(t)),
    "expand_dims_front": lambda t: t.sparse.expand_dims(sp(t), -3),
    "expand_dims_tensor_axis": lambda t: t.sparse.expand_dims(sp(t), t.constant(1)),
    "expand_dims_too_big": lambda t: t.sparse.expand_dims(sp(t), 3),
    "expand_dims_too_small": lambda t: t.sparse.expand_dims(sp(t), -4),
    # eye
    "eye_square": lambda t: t.sparse.eye(3),
    "eye_wide_int32": lambda t: t.sparse.eye(2, 4, dtype=t.int32),
    "eye_tall_float64": lambda t: t.sparse.eye(4, 2, dtype=t.float64),
    "eye_empty": lambda t: t.sparse.eye(0),
    "eye_tensor": lambda t: t.sparse.eye(t.constant(2)),
    "eye_negative": lambda t: t.sparse.eye(-1),
    "eye_string": lambda t: t.sparse.eye(2, dtype=t.string),
    # split
    "split_uneven": lambda t: t.sparse.split(sp(t), 3, axis=1),
    "split_keywords": lambda t: t.sparse.split(sp_input=sp(t), num_split=2, axis=0),
    "split_negative_axis": lambda t: t.sparse.split(sp(t), 2, axis=-1),
    "split_unordered": lambda t: t.sparse.split(sp(t, UNSORTED, [1.0, 2, 3]), 2, axis=1),
    "split_int32": lambda t: t.sparse.split(sp(t, values=[1, 2, 3, 4]), 2, axis=1),
    "split_no_axis": lambda t: t.sparse.split(sp(t), 2),
    "split_no_num": lambda t: t.sparse.split(sp(t), axis=0),
    "split_too_many": lambda t: t.sparse.split(sp(t), 5, axis=0),
    "split_bad_axis": lambda t: t.sparse.split(sp(t), 2, axis=2),
    "split_zero": lambda t: t.sparse.split(sp(t), 0, axis=0),
    "split_num_splits_keyword": lambda t: t.sparse.split(sp(t), num_splits=2, axis=0),
    "split_int32_axis_tensor": lambda t: t.sparse.split(sp(t), 2, axis=t.constant(1)),
    # maximum / minimum
    "maximum": lambda t: t.sparse.maximum(sp(t), sp(t, [[0, 1], [1, 1], [2, 2]], [0.5, 5, 6])),
    "minimum": lambda t: t.sparse.minimum(sp(t), sp(t, [[0, 1], [1, 1], [2, 2]], [0.5, 5, 6])),
    "maximum_unsorted": lambda t: t.sparse.maximum(sp(t, [[1, 3], [0, 1]], [1.0, 2]),
                                                   sp(t, [[0, 1], [1, 1], [2, 2]], [0.5, 5, 6])),
    "maximum_int32": lambda t: t.sparse.maximum(sp(t, [[0, 1]], [1]),
                                                sp(t, [[0, 1], [2, 2]], [3, -1])),
    "minimum_empty": lambda t: t.sparse.minimum(
        t.SparseTensor(np.zeros((0, 2), np.int64), t.zeros([0]), [3, 4]), sp(t, [[0, 1]], [-1.0])),
    "maximum_shapes": lambda t: t.sparse.maximum(sp(t), sp(t, [[0, 1]], [1.0], (3, 5))),
    "maximum_ranks": lambda t: t.sparse.maximum(sp(t), sp(t, [[0, 1, 0]], [1.0], (3, 4, 1))),
    "maximum_dtypes": lambda t: t.sparse.maximum(sp(t), sp(t, [[0, 1]], [1])),
    "maximum_bool": lambda t: t.sparse.maximum(sp(t, [[0, 1]], [True]), sp(t, [[0, 1]], [True])),
    # softmax
    "softmax": lambda t: t.sparse.softmax(sp(t)),
    "softmax_3d": lambda t: t.sparse.softmax(sp(t, [[0, 0, 1], [0, 0, 3], [1, 2, 0]], [1.0, 2, 3],
                                                (2, 3, 4))),
    "softmax_unsorted": lambda t: t.sparse.softmax(sp(t, UNSORTED, [1.0, 2, 5])),
    "softmax_large": lambda t: t.sparse.softmax(sp(t, values=[1000.0, -2, 3000, 4])),
    "softmax_float64": lambda t: t.sparse.softmax(sp(t, dtype=t.float64)),
    "softmax_rank1": lambda t: t.sparse.softmax(sp(t, [[0], [2]], [1.0, 2], (4,))),
    "softmax_int": lambda t: t.sparse.softmax(sp(t, values=[1, 2, 3, 4])),
    # fill_empty_rows
    "fill_empty_rows": lambda t: t.sparse.fill_empty_rows(sp(t, [[0, 1], [2, 2]], [1.0, 2],
                                                             (4, 3)), -1.0),
    "fill_empty_rows_unsorted": lambda t: t.sparse.fill_empty_rows(
        sp(t, [[2, 2], [0, 1], [0, 0]], [1.0, 2, 3], (4, 3)), 7.0),
    "fill_empty_rows_3d": lambda t: t.sparse.fill_empty_rows(
        sp(t, [[3, 0, 1], [1, 1, 1], [1, 0, 0]], [1.0, 2, 3], (5, 2, 2)), 9.0),
    "fill_empty_rows_int_default": lambda t: t.sparse.fill_empty_rows(
        sp(t, [[0, 1], [2, 2]], [1.0, 2], (4, 3)), 0),
    "fill_empty_rows_strings": lambda t: t.sparse.fill_empty_rows(
        sp(t, [[0, 1], [2, 2]], ["x", "y"], (4, 3)), "z"),
    "fill_empty_rows_rank1": lambda t: t.sparse.fill_empty_rows(sp(t, [[1]], [1.0], (3,)), 0.0),
    "fill_empty_rows_empty": lambda t: t.sparse.fill_empty_rows(
        t.SparseTensor(np.zeros((0, 2), np.int64), t.zeros([0]), [2, 3]), 0.0),
    "fill_empty_rows_bad_default": lambda t: t.sparse.fill_empty_rows(
        sp(t, [[0, 1], [2, 2]], [1.0, 2], (4, 3)), "a"),
    "fill_empty_rows_float_default_int": lambda t: t.sparse.fill_empty_rows(
        sp(t, [[0, 1], [2, 2]], [1, 2], (4, 3)), 1.5),
    "fill_empty_rows_out_of_bounds": lambda t: t.sparse.fill_empty_rows(
        sp(t, [[5, 0]], [1.0], (3, 2)), 0.0),
    # map_values
    "map_values": lambda t: t.sparse.map_values(t.math.abs, sp(t)),
    "map_values_two": lambda t: t.sparse.map_values(t.add, sp(t), sp(t)),
    "map_values_kwargs": lambda t: t.sparse.map_values(t.add, x=sp(t), y=5.0),
    "map_values_nested": lambda t: t.sparse.map_values(t.add_n, [sp(t), sp(t), sp(t)]),
    "map_values_no_sparse": lambda t: t.sparse.map_values(t.abs, t.ones([2])),
    "map_values_other_indices": lambda t: t.sparse.map_values(t.add, sp(t), sp(t, [[0, 1]],
                                                                               [1.0])),
    "map_values_other_shape": lambda t: t.sparse.map_values(t.add, sp(t), sp(t, shape=(3, 5))),
    "map_values_bad_rank": lambda t: t.sparse.map_values(lambda v: t.reshape(v, [2, 2]), sp(t)),
    # mask
    "mask": lambda t: t.sparse.mask(t.IndexedSlices(c(t, DATA), c(t, [12, 26, 45]),
                                                    c(t, [50, 2])), c(t, [12, 45])),
    "mask_no_dense_shape": lambda t: t.sparse.mask(t.IndexedSlices(c(t, DATA), c(t, [1, 2, 5])),
                                                   [2]),
    "mask_int64": lambda t: t.sparse.mask(t.IndexedSlices(c(t, DATA), c(t, [1, 2, 5], t.int64)),
                                          c(t, [2], t.int64)),
    "mask_repeated": lambda t: t.sparse.mask(t.IndexedSlices(c(t, [1.0, 2, 3]), c(t, [1, 2, 1])),
                                             [2]),
    "mask_everything": lambda t: t.sparse.mask(t.IndexedSlices(c(t, DATA), c(t, [1, 2, 5])),
                                               [5, 1, 2]),
    "mask_dtype_mismatch": lambda t: t.sparse.mask(t.IndexedSlices(c(t, DATA), c(t, [1, 2, 5])),
                                                   c(t, [2], t.int64)),
    # segment_sum / segment_mean / segment_sqrt_n
    "segment_sum": lambda t: t.sparse.segment_sum(c(t, DATA), [0, 2, 1], [0, 0, 2]),
    "segment_sum_num_segments": lambda t: t.sparse.segment_sum(c(t, DATA), [0, 2, 1], [0, 0, 2],
                                                               num_segments=4),
    "segment_sum_int64_ids": lambda t: t.sparse.segment_sum(
        c(t, DATA), c(t, [0, 2, 1], t.int64), c(t, [0, 0, 2], t.int32)),
    "segment_sum_int32_data": lambda t: t.sparse.segment_sum(c(t, [[1, 2], [3, 4]]), [0, 1],
                                                             [0, 0]),
    "segment_sum_vector": lambda t: t.sparse.segment_sum(c(t, [1.0, 2, 3]), [0, 2, 1], [0, 0, 1]),
    "segment_sum_empty": lambda t: t.sparse.segment_sum(c(t, DATA), t.zeros([0], t.int32),
                                                        t.zeros([0], t.int32)),
    "segment_mean_gap": lambda t: t.sparse.segment_mean(c(t, DATA), [0, 2, 1], [0, 0, 3]),
    "segment_mean_num_segments": lambda t: t.sparse.segment_mean(c(t, DATA), [0, 2, 1],
                                                                 [0, 0, 2], num_segments=5),
    "segment_sqrt_n": lambda t: t.sparse.segment_sqrt_n(c(t, DATA, t.float64), [0, 2, 1],
                                                        [0, 0, 2]),
    "segment_sqrt_n_num_segments": lambda t: t.sparse.segment_sqrt_n(
        c(t, DATA), [0, 1, 2], [0, 1, 1], num_segments=3),
    "segment_sum_too_few_segments": lambda t: t.sparse.segment_sum(
        c(t, DATA), [0, 2, 1], [0, 0, 2], num_segments=2),
    "segment_sum_unsorted": lambda t: t.sparse.segment_sum(c(t, DATA), [0, 2, 1], [1, 0, 2]),
    "segment_sum_bad_index": lambda t: t.sparse.segment_sum(c(t, DATA), [0, 5, 1], [0, 0, 2]),
    "segment_sum_negative_index": lambda t: t.sparse.segment_sum(c(t, DATA), [0, -1, 1],
                                                                 [0, 0, 2]),
    "segment_sum_negative_segment": lambda t: t.sparse.segment_sum(c(t, DATA), [0, 2, 1],
                                                                   [-1, 0, 2]),
    "segment_sum_length_mismatch": lambda t: t.sparse.segment_sum(c(t, DATA), [0, 2], [0, 0, 2]),
    "segment_mean_int": lambda t: t.sparse.segment_mean(c(t, [[1, 2], [3, 4]]), [0, 1], [0, 0]),
    "segment_sum_float_indices": lambda t: t.sparse.segment_sum(c(t, DATA), [0.0, 1], [0, 0]),
    # bincount
    "bincount_vector": lambda t: t.sparse.bincount(c(t, [3, 1, 3, 0])),
    "bincount_matrix_axis0": lambda t: t.sparse.bincount(c(t, X)),
    "bincount_rows": lambda t: t.sparse.bincount(c(t, X), axis=-1),
    "bincount_axis_none": lambda t: t.sparse.bincount(c(t, X), axis=None),
    "bincount_weights": lambda t: t.sparse.bincount(c(t, X), weights=c(t, W), axis=-1),
    "bincount_weights_axis0": lambda t: t.sparse.bincount(c(t, X), weights=c(t, W)),
    "bincount_int_weights": lambda t: t.sparse.bincount(c(t, X), weights=c(t, X), axis=-1),
    "bincount_float64_weights": lambda t: t.sparse.bincount(c(t, X), weights=c(t, W, t.float64),
                                                            axis=-1),
    "bincount_list_weights": lambda t: t.sparse.bincount(c(t, X), weights=W, axis=-1),
    "bincount_minlength": lambda t: t.sparse.bincount(c(t, X), minlength=6, axis=-1),
    "bincount_maxlength": lambda t: t.sparse.bincount(c(t, X), maxlength=2, axis=-1),
    "bincount_min_and_max": lambda t: t.sparse.bincount(c(t, [0, 1]), maxlength=3, minlength=5),
    "bincount_maxlength_drops": lambda t: t.sparse.bincount(c(t, [0, 5]), maxlength=3),
    "bincount_binary": lambda t: t.sparse.bincount(c(t, X), binary_output=True, axis=-1),
    "bincount_int64": lambda t: t.sparse.bincount(c(t, [3, 1, 3, 0], t.int64)),
    "bincount_scalar": lambda t: t.sparse.bincount(c(t, 3)),
    "bincount_empty": lambda t: t.sparse.bincount(t.zeros([0], t.int32)),
    "bincount_empty_minlength": lambda t: t.sparse.bincount(t.zeros([0], t.int32), minlength=3),
    "bincount_empty_rows": lambda t: t.sparse.bincount(t.zeros([2, 0], t.int32), axis=-1),
    "bincount_zeros": lambda t: t.sparse.bincount(t.zeros([3], t.int32)),
    "bincount_minlength_tensor": lambda t: t.sparse.bincount(c(t, [1, 2]), minlength=c(t, 5)),
    "bincount_python_list": lambda t: t.sparse.bincount([[1, 2], [3, 1]], axis=-1),
    "bincount_sparse_rows": lambda t: t.sparse.bincount(
        sp(t, [[0, 0], [0, 2], [1, 1]], [3, 1, 3], (2, 4)), axis=-1),
    "bincount_sparse_axis0": lambda t: t.sparse.bincount(
        sp(t, [[0, 0], [0, 2], [1, 1]], [3, 1, 3], (2, 4))),
    "bincount_sparse_weights": lambda t: t.sparse.bincount(
        sp(t, [[0, 0], [0, 2], [1, 1]], [3, 1, 3], (2, 4)),
        weights=sp(t, [[0, 0], [0, 2], [1, 1]], [0.5, 1, 2], (2, 4)), axis=-1),
    "bincount_sparse_vector": lambda t: t.sparse.bincount(sp(t, [[1], [3]], [2, 2], (5,)),
                                                          axis=-1),
    "bincount_sparse_rank3": lambda t: t.sparse.bincount(sp(t, [[0, 0, 0]], [2], (1, 1, 1)),
                                                         axis=-1),
    "bincount_sparse_unsorted": lambda t: t.sparse.bincount(
        sp(t, [[1, 1], [0, 0], [0, 2]], [3, 1, 3], (2, 4)), axis=-1),
    "bincount_sparse_empty_rows": lambda t: t.sparse.bincount(sp(t, [[2, 1]], [3], (4, 4)),
                                                              axis=-1),
    "bincount_sparse_binary": lambda t: t.sparse.bincount(
        sp(t, [[0, 0], [0, 2], [1, 1]], [3, 3, 3], (2, 4)), binary_output=True, axis=-1),
    "bincount_sparse_maxlength": lambda t: t.sparse.bincount(
        sp(t, [[0, 0], [1, 1]], [0, 5], (2, 4)), maxlength=3, axis=-1),
    "bincount_ragged": lambda t: t.sparse.bincount(t.ragged.constant([[1, 2], [3], []]), axis=-1),
    "bincount_ragged_weights": lambda t: t.sparse.bincount(
        t.ragged.constant([[1, 2], [3], []]), weights=t.ragged.constant([[1.0, 2], [3], []]),
        axis=-1),
    "bincount_ragged_axis0": lambda t: t.sparse.bincount(t.ragged.constant([[1, 2], [3], []])),
    "bincount_axis1": lambda t: t.sparse.bincount(c(t, X), axis=1),
    "bincount_binary_and_weights": lambda t: t.sparse.bincount(c(t, X), weights=c(t, W),
                                                               binary_output=True, axis=-1),
    "bincount_float_values": lambda t: t.sparse.bincount(c(t, [3.0, 1])),
    "bincount_negative": lambda t: t.sparse.bincount(c(t, [3, -1])),
    "bincount_rank3": lambda t: t.sparse.bincount(t.ones([2, 2, 2], t.int32), axis=-1),
    "bincount_weight_shape": lambda t: t.sparse.bincount(c(t, X), weights=c(t, [1.0, 2]), axis=-1),
    "bincount_negative_minlength": lambda t: t.sparse.bincount(c(t, [1, 2]), minlength=-3),
    "bincount_bool_weights": lambda t: t.sparse.bincount(c(t, [1, 2]), weights=c(t, [True, False])),
    "bincount_uint8": lambda t: t.sparse.bincount(c(t, [1, 2], t.uint8)),
    "bincount_sparse_dense_weights": lambda t: t.sparse.bincount(
        sp(t, [[0, 0], [0, 2], [1, 1]], [3, 1, 3], (2, 4)), weights=c(t, [0.5, 1, 2]), axis=-1),
    "bincount_sparse_other_indices": lambda t: t.sparse.bincount(
        sp(t, [[1, 1]], [3], (2, 4)), weights=sp(t, [[1, 2]], [3.0], (2, 4)), axis=-1),
    "bincount_sparse_negative": lambda t: t.sparse.bincount(sp(t, [[1, 1]], [-3], (2, 4)),
                                                            axis=-1),
    # cross
    "cross": lambda t: t.sparse.cross([c(t, A), c(t, B)]),
    "cross_separator": lambda t: t.sparse.cross([c(t, A), c(t, B)], separator="--"),
    "cross_separator_tensor": lambda t: t.sparse.cross([c(t, A), c(t, B)], separator=c(t, "#")),
    "cross_three": lambda t: t.sparse.cross([c(t, A), c(t, B), c(t, A)]),
    "cross_single": lambda t: t.sparse.cross([c(t, A)]),
    "cross_int64": lambda t: t.sparse.cross([c(t, A), c(t, [[1, 2], [-3, 4]], t.int64)]),
    "cross_int32_float_bool": lambda t: t.sparse.cross([c(t, [[1], [2]]), c(t, [[1.5], [2.0]]),
                                                        c(t, [[True], [False]])]),
    "cross_sparse_first": lambda t: t.sparse.cross([c(t, B), sp(t, [[0, 0], [1, 0], [1, 1]],
                                                                 ["p", "q", "r"], (2, 2))]),
    "cross_sparse_unsorted": lambda t: t.sparse.cross([sp(t, [[1, 0], [0, 0], [1, 1]],
                                                          ["q", "p", "r"], (2, 2)), c(t, B)]),
    "cross_sparse_int": lambda t: t.sparse.cross([sp(t, [[0, 0], [1, 0]], [5, 6], (2, 2)),
                                                  c(t, B)]),
    "cross_empty_row": lambda t: t.sparse.cross([sp(t, [[1, 0]], ["p"], (2, 2)), c(t, B)]),
    "cross_no_columns": lambda t: t.sparse.cross([t.zeros([2, 0], t.string), c(t, B)]),
    "cross_no_inputs": lambda t: t.sparse.cross([]),
    "cross_not_list": lambda t: t.sparse.cross(c(t, A)),
    "cross_ragged": lambda t: t.sparse.cross([t.ragged.constant([["a"], ["b", "c"]]), c(t, B)]),
    "cross_vector": lambda t: t.sparse.cross([c(t, ["a", "b"]), c(t, B)]),
    "cross_batch_mismatch": lambda t: t.sparse.cross([c(t, A), c(t, [["x"], ["y"], ["z"]])]),
    "cross_sparse_batch_mismatch": lambda t: t.sparse.cross([sp(t, [[0, 0]], ["u"], (3, 2)),
                                                             c(t, B)]),
    "cross_sparse_rank3": lambda t: t.sparse.cross([sp(t, [[0, 0, 0]], ["u"], (2, 2, 1)),
                                                    c(t, B)]),
    # cross_hashed (FarmHash fingerprints, bit for bit)
    "cross_hashed": lambda t: t.sparse.cross_hashed([c(t, A), c(t, B)]),
    "cross_hashed_buckets": lambda t: t.sparse.cross_hashed([c(t, A), c(t, B)], num_buckets=100),
    "cross_hashed_key": lambda t: t.sparse.cross_hashed([c(t, A), c(t, B)], num_buckets=100,
                                                        hash_key=7),
    "cross_hashed_int64": lambda t: t.sparse.cross_hashed(
        [c(t, A), c(t, [[1, 2], [3, -2 ** 40]], t.int64)], num_buckets=1000),
    "cross_hashed_single": lambda t: t.sparse.cross_hashed([c(t, A)]),
    "cross_hashed_sparse": lambda t: t.sparse.cross_hashed(
        [c(t, B), sp(t, [[0, 0], [1, 0], [1, 1]], ["p", "q", "r"], (2, 2))], num_buckets=50),
    "cross_hashed_long_strings": lambda t: t.sparse.cross_hashed(
        [c(t, [["a" * 40, "b" * 70, "c" * 200]]), c(t, [["x" * 20, "\u00e9" * 9]])]),
    "cross_hashed_float": lambda t: t.sparse.cross_hashed([c(t, [[1.5]]), c(t, [[2]])],
                                                          num_buckets=10),
    "cross_hashed_negative_buckets": lambda t: t.sparse.cross_hashed([c(t, A)], num_buckets=-1),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_tensorflow(name):
    fn = CASES[name]
    assert run(nf, fn) == run(tf, fn)


def test_errors_are_raised():
    """The error cases above really raise (the comparison alone would accept two equal
    successes)."""
    for name in ["reshape_two_unknown", "split_too_many", "maximum_shapes", "softmax_int",
                 "fill_empty_rows_out_of_bounds", "map_values_other_indices", "mask_dtype_mismatch",
                 "segment_sum_unsorted", "bincount_negative", "cross_batch_mismatch"]:
        assert isinstance(run(nf, CASES[name]), str), name


def _grad(t, fn, n=4, dtype="float64"):
    x = t.Variable(np.linspace(-1.0, 2.0, n).astype(dtype))
    with t.GradientTape() as tape:
        y = fn(t, x)
        weights = t.constant(np.arange(1.0, 1.0 + int(y.shape[0])).astype(dtype))
        loss = t.reduce_sum(y * t.reshape(weights, [-1] + [1] * (len(y.shape) - 1)))
    return tape.gradient(loss, x)


GRADS = {
    "softmax": lambda t, x: t.sparse.softmax(sp(t, values=x)).values,
    "softmax_3d": lambda t, x: t.sparse.softmax(sp(t, [[0, 0, 1], [0, 0, 3], [1, 2, 0], [1, 2, 1]],
                                                   x, (2, 3, 4))).values,
    "fill_empty_rows": lambda t, x: t.sparse.fill_empty_rows(
        sp(t, [[2, 2], [0, 1], [0, 0], [4, 0]], x, (6, 3)), t.constant(0.5, t.float64))[0].values,
    "reshape": lambda t, x: t.sparse.reshape(sp(t, values=x), [2, 6]).values,
    "expand_dims": lambda t, x: t.sparse.expand_dims(sp(t, values=x), 0).values,
    "map_values": lambda t, x: t.sparse.map_values(t.square, sp(t, values=x)).values,
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradients_match_tensorflow(name):
    ours, theirs = _grad(nf, GRADS[name]), _grad(tf, GRADS[name])
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", ["sum", "mean", "sqrt_n"])
@pytest.mark.parametrize("num_segments", [None, 4])
@pytest.mark.parametrize("sparse_gradient", [False, True])
def test_segment_gradients(kind, num_segments, sparse_gradient):
    def grad(t):
        x = t.Variable(np.asarray(DATA))
        with t.GradientTape() as tape:
            y = getattr(t.sparse, "segment_" + kind)(x, [0, 2, 0], [0, 0, 2],
                                                     num_segments=num_segments,
                                                     sparse_gradient=sparse_gradient)
            loss = t.reduce_sum(y * np.arange(y.shape[0] * 2).reshape(-1, 2))
        return tape.gradient(loss, x)
    ours, theirs = grad(nf), grad(tf)
    assert type(ours).__name__ == type(theirs).__name__
    assert flat(ours) == flat(theirs)


def test_fill_empty_rows_default_gradient():
    def grad(t):
        x = t.Variable([1.0, 2.0, 3.0])
        d = t.Variable(0.5)
        with t.GradientTape() as tape:
            out, _ = t.sparse.fill_empty_rows(sp(t, [[2, 2], [0, 1], [0, 0]], x, (4, 3)), d)
            loss = t.reduce_sum(out.values * t.range(5, dtype=t.float32))
        return [g.numpy().tolist() for g in tape.gradient(loss, [x, d])]
    assert grad(nf) == grad(tf)


def test_maximum_and_split_are_not_differentiated():
    x = nf.Variable([1.0, 2.0, 3.0, 4.0])
    with nf.GradientTape(persistent=True) as tape:
        m = nf.sparse.maximum(sp(nf, values=x), sp(nf, values=x))
        pieces = nf.sparse.split(sp(nf, values=x), 2, axis=1)
    assert tape.gradient(m.values, x) is None
    assert tape.gradient(pieces[0].values, x) is None


M1 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
M2 = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
ADDMM_IDX = [[0, 1], [1, 0], [1, 1]]

ADDMM_CASES = {
    "basic": lambda t: t.sparse.sampled_addmm(ADDMM_IDX, [1.0, 2, 3], [2, 2], c(t, M1), c(t, M2)),
    "alpha_beta": lambda t: t.sparse.sampled_addmm(ADDMM_IDX, [1.0, 2, 3], [2, 2], c(t, M1),
                                                   c(t, M2), beta=0.5, alpha=2.0),
    "float64": lambda t: t.sparse.sampled_addmm(ADDMM_IDX, c(t, [1.0, 2, 3], t.float64), [2, 2],
                                                c(t, M1, t.float64), c(t, M2, t.float64),
                                                output_type=t.float64),
    "mats_of_other_dtype": lambda t: t.sparse.sampled_addmm(
        ADDMM_IDX, [1.0, 2, 3], [2, 2], c(t, M1, t.float64), c(t, M2, t.float64)),
    "wrong_dense_shape": lambda t: t.sparse.sampled_addmm(ADDMM_IDX, [1.0, 2, 3], [3, 2],
                                                          c(t, M1), c(t, M2)),
    "inner_mismatch": lambda t: t.sparse.sampled_addmm(ADDMM_IDX, [1.0, 2, 3], [2, 2], c(t, M1),
                                                       t.ones([2, 2])),
    "int64_dense_shape": lambda t: t.sparse.sampled_addmm(ADDMM_IDX, [1.0, 2, 3],
                                                          c(t, [2, 2], t.int64), c(t, M1),
                                                          c(t, M2)),
    "batched": lambda t: t.sparse.sampled_addmm([[[0, 1]], [[1, 0]]], [[1.0], [2]], [2, 2, 2],
                                                t.stack([c(t, M1)] * 2), t.stack([c(t, M2)] * 2)),
}


@pytest.mark.parametrize("name", sorted(ADDMM_CASES))
def test_sampled_addmm_matches_tensorflow(name):
    fn = ADDMM_CASES[name]
    assert run(nf, fn) == run(tf, fn)


def test_sampled_addmm_gradients():
    def grad(t):
        m1, v = t.Variable(M1), t.Variable([1.0, 2.0, 3.0])
        with t.GradientTape() as tape:
            _, out, _ = t.sparse.sampled_addmm(ADDMM_IDX, v, [2, 2], m1, c(t, M2), alpha=2.0,
                                               beta=3.0)
            loss = t.reduce_sum(out * c(t, [1.0, 2.0, 3.0]))
        return [t.convert_to_tensor(g).numpy().tolist() for g in tape.gradient(loss, [m1, v])]
    assert grad(nf) == grad(tf)
