"""``normalize`` and ``standardize_dtype``: small numeric helpers of ``keras.utils``."""
import numpy as np

import ndflow as nd
from ndflow.keras import backend


def normalize(x, axis=-1, order=2):
    """Scales ``x`` to unit ``order``-norm along ``axis``.

    A NumPy array (or list) gives a NumPy array; zero vectors stay zero. A tensor gives a
    tensor computed with ndflow ops (differentiable).
    """
    if not (nd.is_tensor(x) or isinstance(x, nd.Variable)):
        x = np.asarray(x)
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        # Keras' NumPy path reads `axis or -1`, so axis=0 expands the norms on the last axis;
        # kept so results agree with tf.keras.
        return x / np.expand_dims(norm, axis or -1)
    x = nd.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = nd.cast(x, backend.floatx())
    if order == 2:
        return nd.math.l2_normalize(x, axis=axis)
    norm = nd.pow(nd.reduce_sum(nd.pow(nd.abs(x), float(order)), axis=axis, keepdims=True),
                  1.0 / order)
    return x / nd.maximum(norm, nd.constant(backend.epsilon(), x.dtype))


_PYTHON_TYPES = {float: None, int: "int64", bool: "bool", str: "string"}
# The dtype names Keras accepts (bfloat16 and float8 included even where ndflow cannot compute
# in them, since layers and policies only pass the names around).
_KERAS_DTYPES = {"float16", "float32", "float64", "bfloat16", "float8_e4m3fn", "float8_e5m2",
                 "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
                 "bool", "string", "complex64", "complex128"}


def standardize_dtype(dtype):
    """The canonical dtype name of ``dtype`` (None and ``float`` mean floatx, ``int``
    int64); accepts names, NumPy dtypes and types, and ndflow/TF DTypes."""
    if dtype is None:
        return backend.floatx()
    if dtype in _PYTHON_TYPES:
        return _PYTHON_TYPES[dtype] or backend.floatx()
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        name = dtype if isinstance(dtype, str) else None
    if name is None and (isinstance(dtype, np.dtype) or isinstance(dtype, type)):
        name = np.dtype(dtype).name
    if name not in _KERAS_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return name
