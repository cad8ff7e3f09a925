"""``tensor[...]``: NumPy-style basic indexing with TensorFlow's rules and errors (StridedSlice)."""
import numpy as np

from ndflow.framework import errors
from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import Tensor
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register, register_gradient

_VALID = ("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and scalar "
          "tf.int32/tf.int64 tensors are valid indices, got {!r}")


def _index_value(item):
    """An integer index from an int, NumPy integer or scalar integer tensor."""
    if isinstance(item, (bool, np.bool_)):
        raise TypeError(_VALID.format(item))
    if isinstance(item, (int, np.integer)):
        return int(item)
    if isinstance(item, Tensor) or hasattr(item, "_as_tensor"):
        t = _in.as_tensor(item)
        if t.dtype.is_integer and t.shape.rank == 0:
            return int(t)
    raise TypeError(_VALID.format(item))


def _slice_part(value):
    return None if value is None else _index_value(value)


def normalize_key(key, shape):
    """``key`` as a tuple of ints, slices, None and at most one Ellipsis, checked against
    ``shape``; raises TensorFlow's errors for bad keys and out-of-range indices."""
    if isinstance(key, list):
        key = tuple(key)  # TensorFlow reads a list key as a tuple of indices
    elif not isinstance(key, tuple):
        key = (key,)
    parts = []
    ellipses = 0
    for item in key:
        if item is None:
            parts.append(None)
        elif item is Ellipsis:
            ellipses += 1
            if ellipses > 1:
                raise op_error(errors.InvalidArgumentError, "StridedSlice",
                               "Multiple ellipses in slice spec not allowed")
            parts.append(Ellipsis)
        elif isinstance(item, slice):
            parts.append(slice(_slice_part(item.start), _slice_part(item.stop),
                               _slice_part(item.step)))
            if parts[-1].step == 0:
                raise op_error(errors.InvalidArgumentError, "StridedSlice",
                               "slice index step must be non-zero")
        else:
            parts.append(_index_value(item))
    _check_bounds(parts, shape)
    return tuple(parts)


def _check_bounds(parts, shape):
    if shape is None:       # unknown rank (while tracing): checked when the graph runs
        return
    ndim = len(shape)
    if ndim == 0 and any(p is not None and p is not Ellipsis for p in parts):
        raise op_error(errors.InvalidArgumentError, "StridedSlice", "Attempting to slice scalar "
                       "input.")
    consumed = sum(1 for p in parts if p is not None and p is not Ellipsis)
    if consumed > ndim:
        raise op_error(errors.InvalidArgumentError, "StridedSlice",
                       f"Index out of range using input dim {ndim}; input has only {ndim} dims")
    dim = 0
    for p in parts:
        if p is Ellipsis:
            dim += ndim - consumed
        elif p is None:
            continue
        else:
            # An unknown dimension (None, while tracing) is checked when the graph runs.
            if isinstance(p, int) and shape[dim] is not None and not -shape[dim] <= p < shape[dim]:
                raise op_error(errors.InvalidArgumentError, "StridedSlice",
                               f"slice index {p} of dimension {dim} out of bounds.")
            dim += 1


def _slice_kernel(xp, x, key):
    out = x[key]
    if x.dtype.kind == "O" and type(out) is not xp.ndarray:  # one string: keep a 0-d array
        out = xp.asarray(out, dtype=object)
    return out


def _slice_grad_kernel(xp, dy, key, shape):
    out = xp.zeros(shape, dtype=dy.dtype)
    out[key] = dy
    return out


STRIDED_SLICE = register("StridedSlice", _slice_kernel)
STRIDED_SLICE_GRAD = register("StridedSliceGrad", _slice_grad_kernel)


def getitem(tensor, key):
    """``tensor[key]`` for ints, slices, ``...``, ``newaxis`` and scalar integer tensors."""
    x = _in.as_tensor(tensor)
    if GRAPHS:
        # While tracing, an index may be a symbolic scalar (a loop counter, an argument): it
        # becomes an input of the slice instead of a constant of the key.
        from ndflow.graph import variable_ops
        sliced = variable_ops.dynamic_getitem(x, key)
        if sliced is not None:
            return sliced
    key = normalize_key(key, x.shape.dims)
    return execute(STRIDED_SLICE, (x,), {"key": key})


@register_gradient("StridedSlice")
def _strided_slice_grad(op, dy):
    x = op.inputs[0]
    shape = x.shape
    if not shape.is_fully_defined():
        # Traced with unknown dimensions: the gradient's shape is the input's run-time shape.
        from ndflow.graph import variable_ops
        return (variable_ops.slice_grad(dy, x, op.get_attr("key")),)
    return (execute(STRIDED_SLICE_GRAD, (dy,), {"key": op.get_attr("key"),
                                                "shape": tuple(shape.dims)}),)


@register_gradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, ddx):
    return (execute(STRIDED_SLICE, (ddx,), {"key": op.get_attr("key")}),)
