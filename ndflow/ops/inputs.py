"""Conversion of op arguments to tensors, with TensorFlow's rules for mixed operands."""
import numpy as np

from ndflow.framework import dtypes
from ndflow.framework.tensor import EagerTensor, Tensor, convert_to_tensor, wrap_as


def as_tensor(value, dtype=None):
    """``value`` as a tensor (fast path for tensors)."""
    if type(value) is EagerTensor and dtype is None:
        return value
    return convert_to_tensor(value, dtype)


_INEXACT_MASK = dtypes.INEXACT_MASK
_INT32, _INT64 = dtypes.int32, dtypes.int64


def like(value, dtype):
    """Converts the non-tensor operand of a binary op: NumPy values are cast to ``dtype``,
    Python values take it when they can (else keep their own dtype, so the op reports a mismatch)."""
    kind = type(value)
    # Fast path for Python literals (a NumPy scalar of the tensor's dtype).
    if kind is int:
        if (dtype._bit & _INEXACT_MASK or dtype is _INT32 and -2**31 <= value < 2**31
                or dtype is _INT64 and -2**63 <= value < 2**63):
            return wrap_as(dtype._np(value), dtype)
    elif kind is float and dtype._bit & _INEXACT_MASK:
        return wrap_as(dtype._np(value), dtype)
    if isinstance(value, (np.ndarray, np.generic)) or dtype is dtypes.string:
        return convert_to_tensor(value, dtype)
    return convert_to_tensor(value, dtype_hint=dtype)


def binary(x, y):
    """Both operands of a binary op as tensors; a non-tensor operand follows the tensor one."""
    tx, ty = type(x), type(y)
    if tx is EagerTensor:
        if ty is EagerTensor:
            return x, y
        return x, like(y, x._dtype)
    if isinstance(x, Tensor):
        return x, like(y, x.dtype)
    if isinstance(y, Tensor) or hasattr(y, "_as_tensor"):
        y = convert_to_tensor(y)
        return like(x, y.dtype), y
    x = convert_to_tensor(x)
    return x, like(y, x.dtype)


def strict_binary(x, y):
    """Like ``binary`` but a Python operand that cannot take the tensor's dtype raises TypeError
    (TensorFlow's behaviour for ``**`` and comparisons with strings)."""
    if isinstance(x, Tensor) and not isinstance(y, Tensor) and not hasattr(y, "_as_tensor"):
        return x, convert_to_tensor(y, x.dtype) if not isinstance(
            y, (np.ndarray, np.generic)) else like(y, x.dtype)
    if isinstance(y, Tensor) and not isinstance(x, Tensor) and not hasattr(x, "_as_tensor"):
        return (convert_to_tensor(x, y.dtype) if not isinstance(x, (np.ndarray, np.generic))
                else like(x, y.dtype)), y
    return binary(x, y)


def axis_list(axis, ndim):
    """A reduction ``axis`` argument (None, int, list or tensor) as a sorted tuple of
    non-negative ints; raises InvalidArgumentError when out of range."""
    from ndflow.framework import errors
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and ndim is not None and 0 <= axis < ndim:
        return (axis,)
    if isinstance(axis, Tensor) or hasattr(axis, "_as_tensor"):
        axis = np.asarray(convert_to_tensor(axis)).tolist()
    elif isinstance(axis, np.ndarray):
        axis = axis.tolist()
    if not isinstance(axis, (list, tuple)):
        axis = [axis]
    out = []
    for a in axis:
        if isinstance(a, (float, bool, np.floating)) or not hasattr(a, "__index__"):
            raise TypeError(f"Value passed to parameter 'reduction_indices' has DataType "
                            f"{type(a).__name__} not in list of allowed values: int32, int64")
        a = int(a)
        if ndim is None:      # unknown rank while tracing: checked when the graph runs
            out.append(a)
            continue
        if not -ndim <= a < max(ndim, 1):
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {ndim} dimension(s)")
        a = a % ndim if ndim else 0
        if a in out:
            raise errors.InvalidArgumentError(None, None, f"Axis {a} specified more than once")
        out.append(a)
    return tuple(sorted(out))
