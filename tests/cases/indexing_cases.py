"""Cases for ndflow/ops/indexing.py: tensor[...] (StridedSlice)."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

CASES = [
    OpCase("getitem_int_slice", lambda tf, x: x[1, ::2], [rand(3, 4)], ["StridedSlice",
           "StridedSliceGrad"], lambda x: x[1, ::2], grad=True),
    OpCase("getitem_negative_step", lambda tf, x: x[::-1, 1:], [rand(3, 4)], ["StridedSlice"],
           lambda x: x[::-1, 1:], grad=True),
    OpCase("getitem_ellipsis_newaxis", lambda tf, x: x[..., None, 0], [rand(2, 3, 4)],
           ["StridedSlice"], lambda x: x[..., None, 0], grad=True),
    OpCase("getitem_past_end", lambda tf, x: x[5:1:-1], [rand(3)], ["StridedSlice"],
           lambda x: x[5:1:-1]),
    OpCase("getitem_tensor_index", lambda tf, x, i: x[i], [rand(3, 2), np.int32(2)],
           ["StridedSlice"], lambda x, i: x[i]),
    ErrorCase("getitem_out_of_bounds", lambda tf, x: x[0, 5], [rand(1, 3)],
              "InvalidArgumentError"),
    ErrorCase("getitem_scalar", lambda tf, x: x[0], [np.float32(1.0)], "InvalidArgumentError"),
    ErrorCase("getitem_float_key", lambda tf, x: x[1.0], [rand(3)], "TypeError"),
    ErrorCase("getitem_too_many", lambda tf, x: x[0, 0], [rand(3)], "InvalidArgumentError"),
]
