"""Reading the static information of structure-function arguments while tracing.

Host-node functions (see ``graph_fallback``) give their results the static shapes TensorFlow
infers; their shape rules read the arguments' static shapes and the values known while tracing
(constants) through these helpers. ``None`` stands for an unknown dimension or value.
"""
import numpy as np

from ndflow.framework.static_value import get_static_value
from ndflow.framework.tensor import Tensor
from ndflow.framework.tensor_shape import TensorShape


def dims_of(value):
    """The static dimensions of a tensor, composite or nested list as a list (None entries
    unknown), or None when the rank is unknown."""
    shape = getattr(value, "shape", None)
    if shape is None:
        return list(np.shape(value))
    if not isinstance(shape, TensorShape):
        shape = TensorShape(shape)
    return None if shape.rank is None else list(shape.dims)


def rank_of(value):
    """The static rank of ``value`` (None when unknown)."""
    dims = dims_of(value)
    return None if dims is None else len(dims)


def static_int(value):
    """``value`` as a Python int when it is known while tracing, else None."""
    if value is None:
        return None
    known = get_static_value(value)
    return None if known is None else int(np.asarray(known).reshape(-1)[0])


def static_ints(value, length=None):
    """A shape-like argument (list, TensorShape or 1-D tensor) as a list of ints and Nones; None
    when not even its length is known (``length`` fills in for a tensor of unknown length)."""
    if value is None:
        return None
    if isinstance(value, TensorShape):
        return None if value.rank is None else list(value.dims)
    if isinstance(value, Tensor):
        known = get_static_value(value)
        if known is not None:
            return [None if d < 0 else int(d) for d in np.asarray(known).reshape(-1)]
        n = value.shape[0] if value.shape.rank == 1 else None
        n = length if n is None else n
        return None if n is None else [None] * n
    return [None if d is None else static_int(d) for d in value]


def static_axes(axis, rank):
    """The non-negative axes of ``axis`` (an int, list or tensor) for ``rank``; every axis when
    ``axis`` is None; None when the axes are not known while tracing."""
    if axis is None:
        return list(range(rank))
    known = get_static_value(axis)
    if known is None:
        return None
    return sorted({int(a) % rank for a in np.asarray(known).reshape(-1)})


def ragged_rank_of(value):
    """The ragged rank of a RaggedTensor (0 for other values)."""
    return getattr(value, "ragged_rank", 0)


def merge_dims(*dims):
    """The first known dimension among ``dims`` (None when all are unknown)."""
    return next((d for d in dims if d is not None), None)
