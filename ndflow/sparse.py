"""``tf.sparse``: SparseTensor and the ops on it."""
from ndflow.structures.sparse_add import add, sparse_dense_matmul
from ndflow.structures.sparse_ops import (concat, reduce_max, reduce_sum, reset_shape, retain,
                                          slice, to_indicator, transpose)
from ndflow.structures.sparse_tensor import SparseTensor, from_dense, reorder, to_dense

__all__ = ["SparseTensor", "add", "concat", "from_dense", "reduce_max", "reduce_sum",
           "reorder", "reset_shape", "retain", "slice", "sparse_dense_matmul", "to_dense",
           "to_indicator", "transpose"]
