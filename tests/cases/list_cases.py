"""TensorList ops, exercised through TensorArray (the public API that TensorFlow shares).

The list ops take and return variant tensors, which cannot be compared with TensorFlow directly,
so every case builds a TensorArray, runs the ops and returns dense tensors: values and
gradients are then checked against TensorFlow's eager TensorArray.
"""
import numpy as np
from opcases import ErrorCase, OpCase, rand

import ndflow
from ndflow.structures.tensor_array import TensorArray


def _ta(tf, *args, **kwargs):
    # ndflow.TensorArray is exported by ndflow/__init__.py; use the class itself until then.
    return (TensorArray if tf is ndflow else tf.TensorArray)(*args, **kwargs)


def _read_both(tf, x):
    ta = _ta(tf, x.dtype, 3, clear_after_read=False).unstack(x * x)
    return ta.read(0) + ta.read(2), ta.stack()


CASES = [
    OpCase("tensorlist_write_stack",
           lambda tf, x: _ta(tf, x.dtype, 3).write(0, x[1]).write(2, x[0] * 2.).stack(),
           [rand(2, 3)], ops=["TensorListReserve", "TensorListSetItem", "TensorListStack"],
           grad=True),
    OpCase("tensorlist_write_stack_float32_int32",
           lambda tf, x, y: (_ta(tf, x.dtype, 2).write(1, x).stack(),
                             _ta(tf, y.dtype, 2).write(0, y).stack()),
           [rand(3, dtype=np.float32), rand(2, 2, dtype=np.int32, low=-5, high=5)],
           ops=["TensorListSetItem", "TensorListStack"]),
    OpCase("tensorlist_read", lambda tf, x: _ta(tf, x.dtype, 2).write(1, x).read(1),
           [rand(2, 2)], ops=["TensorListGetItem"], grad=True),
    OpCase("tensorlist_unstack_read_twice", _read_both, [rand(3, 2)],
           ops=["TensorListFromTensor", "TensorListGetItem", "TensorListAdd"], grad=True),
    OpCase("tensorlist_size",
           lambda tf, x: _ta(tf, x.dtype, 1, dynamic_size=True).unstack(x).size(),
           [rand(4, 2)], ops=["TensorListLength"]),
    OpCase("tensorlist_gather",
           lambda tf, x: _ta(tf, x.dtype, 3).unstack(x).gather([2, 0, 2]),
           [rand(3, 2)], ops=["TensorListGather"], grad=True),
    OpCase("tensorlist_scatter",
           lambda tf, x: _ta(tf, x.dtype, 4).scatter([3, 0], x).stack(),
           [rand(2, 3)], ops=["TensorListScatterIntoExistingList"], grad=True),
    OpCase("tensorlist_dynamic_writes",
           lambda tf, x: _ta(tf, x.dtype, 0, dynamic_size=True).write(1, x[0]).write(3, x[1])
           .stack(),
           [rand(2, 2)], ops=["TensorListSetItem", "TensorListResize"], grad=True),
    OpCase("tensorlist_concat",
           lambda tf, x: _ta(tf, x.dtype, 2, infer_shape=False).write(0, x[:1]).write(1, x[1:])
           .concat(),
           [rand(3, 2)], ops=["TensorListConcatV2"], grad=True),
    OpCase("tensorlist_split",
           lambda tf, x: _ta(tf, x.dtype, 2).split(x, [1, 2]).read(1),
           [rand(3, 2)], ops=["TensorListSplit"], grad=True),
    ErrorCase("tensorlist_write_past_end",
              lambda tf, x: _ta(tf, x.dtype, 2).write(2, x), [rand(2)], "OutOfRangeError"),
    ErrorCase("tensorlist_read_past_end",
              lambda tf, x: _ta(tf, x.dtype, 2).write(0, x).read(2), [rand(2)],
              "OutOfRangeError"),
    ErrorCase("tensorlist_write_dtype",
              lambda tf, x: _ta(tf, tf.float32, 2).write(0, x), [rand(2)],
              "InvalidArgumentError"),
    ErrorCase("tensorlist_write_shape",
              lambda tf, x: _ta(tf, x.dtype, 2).write(0, x).write(1, x[:1]), [rand(2)],
              "ValueError"),
    ErrorCase("tensorlist_split_lengths",
              lambda tf, x: _ta(tf, x.dtype, 2).split(x, [1, 1]), [rand(3)],
              "InvalidArgumentError"),
]
