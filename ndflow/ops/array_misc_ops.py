"""Index and mask helpers: sequence_mask, unravel_index, histogram_fixed_width, no_op.

Re-exported by ``array_ops`` (import these functions from there).
"""
import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework.tensor import Tensor
from ndflow.ops import inputs as _in
from ndflow.ops.array_ops import expand_dims, invalid
from ndflow.ops.registry import execute, register

__all__ = ['sequence_mask', 'unravel_index', 'histogram_fixed_width', 'no_op']

_INDEX_TYPES = frozenset((D.int32, D.int64))


def sequence_mask(lengths, maxlen=None, dtype=D.bool, name=None):
    """A mask of shape ``lengths.shape + [maxlen]`` whose row i holds ``lengths[i]`` leading
    true values (maxlen defaults to the largest length)."""
    from ndflow.ops.array_create_ops import range as range_op
    from ndflow.ops.math_ops import cast, less
    from ndflow.ops.reduce_ops import reduce_max
    lengths = _in.as_tensor(lengths)
    if maxlen is None:
        maxlen = reduce_max(lengths)
    else:
        maxlen = _in.as_tensor(maxlen, None if isinstance(maxlen, Tensor) else lengths.dtype)
        if maxlen.shape.rank not in (0, None):
            raise ValueError(f"Argument `maxlen` must be scalar for sequence_mask, received "
                             f"`maxlen` = {maxlen!r} with shape '{tuple(maxlen.shape)}' instead")
    # As TensorFlow: the row of positions is in maxlen's dtype and the lengths are cast to it.
    positions = range_op(_in.as_tensor(0, maxlen.dtype), maxlen, _in.as_tensor(1, maxlen.dtype))
    mask = less(positions, cast(expand_dims(lengths, -1), maxlen.dtype))
    dtype = D.as_dtype(dtype)
    return mask if dtype is D.bool else cast(mask, dtype)


def _unravel_index_kernel(xp, indices, dims):
    if indices.ndim > 1:
        raise invalid("UnravelIndex", f"The indices can only be scalar or vector, got "
                                      f"\"[{','.join(map(str, indices.shape))}]\"")
    if dims.ndim != 1:
        raise invalid("UnravelIndex", f"The dims can only be a 1-D vector, got "
                                      f"\"[{','.join(map(str, dims.shape))}]\"")
    if (indices >= xp.prod(dims)).any():
        raise invalid("UnravelIndex", "index is out of bound as with dims")
    out, rest = [], indices
    for d in dims[::-1]:
        # C's truncating division and remainder, so negative indices match TensorFlow.
        out.append(xp.fmod(rest, d))
        rest = (rest - out[-1]) // d
    return xp.stack(out[::-1]).astype(indices.dtype)


UNRAVEL_INDEX = register("UnravelIndex", _unravel_index_kernel, same_dtype=(0, 1),
                         allowed=_INDEX_TYPES)


def unravel_index(indices, dims, name=None):
    """The coordinates in an array of shape ``dims`` of each flat index: shape
    ``[len(dims)]`` for a scalar index, ``[len(dims), n]`` for n indices."""
    indices, dims = _in.binary(indices, dims)
    return execute(UNRAVEL_INDEX, (indices, dims))


def _histogram_kernel(xp, values, value_range, nbins, dtype):
    nbins = int(nbins)
    if value_range.shape != (2,):
        raise invalid("HistogramFixedWidth", "value_range should be a vector of 2 elements.")
    if nbins <= 0:
        raise invalid("HistogramFixedWidth", f"nbins should be a positive number, but got "
                                             f"'{nbins}'")
    low, high = value_range.astype(np.float64)
    if not low < high:
        raise invalid("HistogramFixedWidth", f"value_range should satisfy value_range[0] < "
                                             f"value_range[1], but got '[{value_range[0]}, "
                                             f"{value_range[1]}]'")
    step = (high - low) / nbins
    bins = xp.floor((values.reshape(-1).astype(np.float64) - low) / step)
    bins = xp.clip(bins, 0, nbins - 1).astype(np.int64)
    return xp.bincount(bins, minlength=nbins).astype(dtype)


HISTOGRAM_FIXED_WIDTH = register(
    "HistogramFixedWidth", _histogram_kernel, same_dtype=(0, 1),
    allowed=frozenset((D.int32, D.int64, D.float32, D.float64)))


def histogram_fixed_width(values, value_range, nbins=100, dtype=D.int32, name=None):
    """Counts of ``values`` in ``nbins`` equal bins spanning ``value_range`` ([low, high]);
    values outside the range count in the first or last bin."""
    values, value_range = _in.binary(values, value_range)
    nbins = _in.as_tensor(nbins, D.int32)
    dtype = D.as_dtype(dtype)
    if dtype not in _INDEX_TYPES:
        raise invalid("HistogramFixedWidth", f"Value for attr 'dtype' of {dtype.name} is not "
                                             f"in the list of allowed values: int32, int64")
    return execute(HISTOGRAM_FIXED_WIDTH, (values, value_range, nbins),
                   {"dtype": dtype.as_numpy_dtype})


def no_op(name=None):
    """Does nothing (TensorFlow's placeholder for control dependencies); None when eager."""
    return None
