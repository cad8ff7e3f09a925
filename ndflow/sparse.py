"""``tf.sparse``: SparseTensor and the ops on it."""
from ndflow.structures.sparse_add import add, sparse_dense_matmul
from ndflow.structures.sparse_cross import cross, cross_hashed
from ndflow.structures.sparse_math import (fill_empty_rows, maximum, minimum, sampled_addmm,
                                           softmax)
from ndflow.structures.sparse_misc import bincount, map_values, mask
from ndflow.structures.sparse_ops import (concat, reduce_max, reduce_sum, reset_shape, retain,
                                          slice, to_indicator, transpose)
from ndflow.structures.sparse_reshape import expand_dims, eye, reshape, split
from ndflow.structures.sparse_segment import segment_mean, segment_sqrt_n, segment_sum
from ndflow.structures.sparse_tensor import SparseTensor, from_dense, reorder, to_dense

__all__ = ["SparseTensor", "add", "bincount", "concat", "cross", "cross_hashed", "expand_dims",
           "eye", "fill_empty_rows", "from_dense", "map_values", "mask", "maximum", "minimum",
           "reduce_max", "reduce_sum", "reorder", "reset_shape", "reshape", "retain",
           "sampled_addmm", "segment_mean", "segment_sqrt_n", "segment_sum", "slice", "softmax",
           "split", "sparse_dense_matmul", "to_dense", "to_indicator", "transpose"]
