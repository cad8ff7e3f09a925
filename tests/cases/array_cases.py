"""Cases for ndflow/ops/array_ops.py: shapes, stacking, filling, selection."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

CASES = [
    OpCase("reshape", lambda tf, x: tf.reshape(x, [3, -1]), [rand(2, 3, 2)], ["Reshape"],
           lambda x: x.reshape(3, -1), grad=True),
    OpCase("broadcast_to", lambda tf, x: tf.broadcast_to(x, [2, 3, 4]), [rand(3, 1)],
           ["BroadcastTo"], lambda x: np.broadcast_to(x, (2, 3, 4)), grad=True),
    OpCase("where_3arg", lambda tf, c, x, y: tf.where(c, x, y),
           [rand(2, 3, dtype=bool), rand(2, 3), rand(3)], ["SelectV2"], np.where, grad=True),
    OpCase("where_1arg", lambda tf, c: tf.where(c), [rand(2, 3) > 0], ["Where"],
           lambda c: np.argwhere(c)),
    OpCase("zeros_like", lambda tf, x: tf.zeros_like(x), [rand(2, 3)], ["ZerosLike"],
           np.zeros_like),
    OpCase("ones_like", lambda tf, x: tf.ones_like(x), [rand(2, 3)], ["OnesLike"],
           np.ones_like),
    OpCase("stack", lambda tf, x, y: tf.stack([x, y], axis=1), [rand(2, 3), rand(2, 3, seed=1)],
           ["Pack"], lambda x, y: np.stack([x, y], axis=1), grad=True),
    OpCase("unstack", lambda tf, x: tf.unstack(x, axis=1), [rand(2, 3)], ["Unpack"],
           lambda x: [x[:, i] for i in range(3)], grad=True),
    OpCase("fill", lambda tf, v: tf.fill([2, 3], v), [np.float64(1.5)], ["Fill"],
           lambda v: np.full((2, 3), v), grad=True),
    OpCase("zeros_ones", lambda tf: [tf.zeros([2, 3]), tf.ones((2,), tf.int32)], [], ["Fill"],
           lambda: [np.zeros((2, 3), np.float32), np.ones(2, np.int32)]),
    ErrorCase("reshape_bad_size", lambda tf, x: tf.reshape(x, [4, 2]), [rand(2, 3)],
              "InvalidArgumentError"),
]
