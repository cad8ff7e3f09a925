"""Cases for ndflow/ops/reduce_ops.py: reductions."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

CASES = [
    OpCase("reduce_sum_all", lambda tf, x: tf.reduce_sum(x), [rand(2, 3)], ["Sum"], np.sum,
           grad=True),
    OpCase("reduce_sum_axis_keepdims", lambda tf, x: tf.reduce_sum(x, axis=[0, 2],
           keepdims=True), [rand(2, 3, 4)], ["Sum"],
           lambda x: np.sum(x, axis=(0, 2), keepdims=True), grad=True),
    OpCase("reduce_sum_negative_axis", lambda tf, x: tf.reduce_sum(x, -1),
           [rand(3, 4, dtype=np.int32, low=-5, high=5)], ["Sum"], lambda x: x.sum(-1)),
    ErrorCase("reduce_sum_axis_out_of_range", lambda tf, x: tf.reduce_sum(x, axis=2),
              [rand(2, 3)], "InvalidArgumentError"),
]
