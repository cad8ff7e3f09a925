"""Segment reductions (unsorted_segment_sum/mean/max/min/sqrt_n, segment_sum) and bincount."""
import numbers

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import Tensor
from ndflow.ops import inputs as _in
from ndflow.ops.array_ops import ones, reshape, where_v2, zeros_like
from ndflow.ops.gather_ops import gather
from ndflow.ops.math_ops import (add, cast, equal, greater_equal, logical_and, maximum, minimum,
                                 multiply, truediv)
from ndflow.ops.reduce_ops import reduce_max
from ndflow.ops.unary_ops import sqrt
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = ['unsorted_segment_sum', 'unsorted_segment_mean', 'unsorted_segment_max',
           'unsorted_segment_min', 'unsorted_segment_sqrt_n', 'segment_sum', 'bincount']

_UNSORTED_ID_TYPES = frozenset([D.int16, D.int32, D.int64])
_SORTED_ID_TYPES = frozenset([D.int32, D.int64])


# -- kernels -----------------------------------------------------------------------------------

def _unsorted_rows(xp, data, ids, num_segments, op_name):
    """Flat segment ids and the matching rows of ``data``, without the dropped negative ids."""
    if data.shape[:ids.ndim] != ids.shape:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"data.shape = {list(data.shape)} does not start with segment_ids.shape "
                       f"= {list(ids.shape)}")
    flat = ids.reshape(-1)
    rows = data.reshape(flat.shape + data.shape[ids.ndim:])
    too_big = flat >= num_segments
    if too_big.any():
        i = int(xp.argmax(too_big))
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"segment_ids[{i}] = {int(flat[i])} is out of range [0, {num_segments})")
    keep = flat >= 0
    if not keep.all():  # TF drops entries whose segment id is negative
        flat, rows = flat[keep], rows[keep]
    return flat, rows


def _unsorted_kernel(op_name, ufunc, start):
    def kernel(xp, data, ids, num_segments):
        flat, rows = _unsorted_rows(xp, data, ids, num_segments, op_name)
        out = xp.full((num_segments,) + data.shape[ids.ndim:], start(data.dtype), data.dtype)
        ufunc.at(out, flat, rows)
        return out
    return kernel


def _lowest(dtype):  # empty segments of a max hold the lowest finite value, as in TF
    return np.finfo(dtype).min if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.finfo(dtype).max if dtype.kind == "f" else np.iinfo(dtype).max


def _segment_sum_kernel(xp, data, ids):
    if data.ndim < 1:
        raise op_error(errors.InvalidArgumentError, "SegmentSum", "input must be at least rank 1")
    if ids.ndim != 1:
        raise op_error(errors.InvalidArgumentError, "SegmentSum",
                       "segment_ids should be a vector.")
    if ids.shape[0] != data.shape[0]:
        raise op_error(errors.InvalidArgumentError, "SegmentSum",
                       "segment_ids should be the same size as dimension 0 of input.")
    num_segments = int(ids[-1]) + 1 if ids.size else 0
    if ids.size and ids[0] < 0:
        raise op_error(errors.InvalidArgumentError, "SegmentSum",
                       f"Segment id {int(ids[0])} out of range [0, {num_segments}), possibly "
                       f"because 'segment_ids' input is not sorted.")
    if ids.size > 1 and (ids[1:] < ids[:-1]).any():
        raise op_error(errors.InvalidArgumentError, "SegmentSum", "segment ids are not increasing")
    out = xp.zeros((num_segments,) + data.shape[1:], data.dtype)
    xp.add.at(out, ids, data)
    return out


UNSORTED_SEGMENT_SUM = register(
    "UnsortedSegmentSum", _unsorted_kernel("UnsortedSegmentSum", np.add, lambda d: 0),
    allowed=D.NUMBERS)
UNSORTED_SEGMENT_MAX = register(
    "UnsortedSegmentMax", _unsorted_kernel("UnsortedSegmentMax", np.maximum, _lowest),
    allowed=D.REAL)
UNSORTED_SEGMENT_MIN = register(
    "UnsortedSegmentMin", _unsorted_kernel("UnsortedSegmentMin", np.minimum, _highest),
    allowed=D.REAL)
SEGMENT_SUM = register("SegmentSum", _segment_sum_kernel, allowed=D.NUMBERS)


# -- public functions --------------------------------------------------------------------------

def _segment_ids(segment_ids, allowed, op_name):
    ids = _in.as_tensor(segment_ids)
    if ids.dtype not in allowed:
        names = ", ".join(sorted(d.name for d in allowed))
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'Tindices' of {ids.dtype.name} is not in the list of "
            f"allowed values: {names} [Op:{op_name}]")
    return ids


def _num_segments(num_segments, op_name):
    """``num_segments`` (an int or an integer scalar tensor) as a non-negative Python int."""
    if isinstance(num_segments, numbers.Integral) and not isinstance(num_segments, bool):
        n = int(num_segments)
    elif isinstance(num_segments, Tensor) or hasattr(num_segments, "_as_tensor"):
        t = _in.as_tensor(num_segments)
        if t.dtype not in (D.int32, D.int64):
            raise errors.InvalidArgumentError(
                None, None, f"Value for attr 'Tnumsegments' of {t.dtype.name} is not in the list "
                f"of allowed values: int32, int64 [Op:{op_name}]")
        if t.ndim != 0:
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"num_segments should be a scalar, not shape {list(t.shape)}")
        n = int(t)
    elif isinstance(num_segments, (list, tuple, np.ndarray)):
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"num_segments should be a scalar, not shape {list(np.shape(num_segments))}")
    else:
        raise TypeError(f"Cannot convert {num_segments!r} to EagerTensor of dtype int32")
    if n < 0:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Input num_segments == {n} must not be negative.")
    return n


def _unsorted(op, data, segment_ids, num_segments):
    name = op.name
    x = _in.as_tensor(data)
    ids = _segment_ids(segment_ids, _UNSORTED_ID_TYPES, name)
    return execute(op, (x, ids), {"num_segments": _num_segments(num_segments, name)})


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums of the slices of ``data`` sharing a segment id; negative ids are dropped and empty
    segments are 0."""
    return _unsorted(UNSORTED_SEGMENT_SUM, data, segment_ids, num_segments)


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Maxima of the slices of ``data`` sharing a segment id; empty segments hold the lowest
    finite value of the dtype."""
    return _unsorted(UNSORTED_SEGMENT_MAX, data, segment_ids, num_segments)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """Minima of the slices of ``data`` sharing a segment id; empty segments hold the highest
    finite value of the dtype."""
    return _unsorted(UNSORTED_SEGMENT_MIN, data, segment_ids, num_segments)


def _segment_counts(data, ids, num_segments):
    """Entries per segment (at least 1), shaped to broadcast against the segment sums."""
    counts = unsorted_segment_sum(ones(ids.shape.dims, data.dtype), ids, num_segments)
    counts = reshape(counts, [num_segments] + [1] * (data.ndim - ids.ndim))
    return maximum(counts, 1)


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Means of the slices of ``data`` sharing a segment id; empty segments are 0 (integer data
    gives floats, as ``truediv`` does)."""
    x = _in.as_tensor(data)
    ids = _segment_ids(segment_ids, _UNSORTED_ID_TYPES, "UnsortedSegmentSum")
    n = _num_segments(num_segments, "UnsortedSegmentSum")
    return truediv(unsorted_segment_sum(x, ids, n), _segment_counts(x, ids, n))


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Segment sums divided by the square root of each segment's size; empty segments are 0."""
    x = _in.as_tensor(data)
    ids = _segment_ids(segment_ids, _UNSORTED_ID_TYPES, "UnsortedSegmentSum")
    n = _num_segments(num_segments, "UnsortedSegmentSum")
    return truediv(unsorted_segment_sum(x, ids, n), sqrt(_segment_counts(x, ids, n)))


def segment_sum(data, segment_ids, name=None):
    """Sums of the rows of ``data`` sharing a segment id; ids must be sorted and non-negative,
    and the output has ``segment_ids[-1] + 1`` rows."""
    x = _in.as_tensor(data)
    ids = _segment_ids(segment_ids, _SORTED_ID_TYPES, "SegmentSum")
    return execute(SEGMENT_SUM, (x, ids))


# -- gradients ---------------------------------------------------------------------------------

def _gather_drop_negatives(params, ids, clipped=None, is_positive=None):
    """params[ids] along axis 0, with zeros where an id is negative (a dropped entry)."""
    if clipped is None:
        clipped = maximum(ids, 0)
        is_positive = greater_equal(ids, 0)
        is_positive = reshape(is_positive, ids.shape.dims + [1] * (params.ndim - 1))
    gathered = gather(params, clipped)
    return where_v2(is_positive, gathered, zeros_like(gathered)), clipped, is_positive


@register_gradient("UnsortedSegmentSum")
def _unsorted_segment_sum_grad(op, dy):
    return _gather_drop_negatives(dy, op.inputs[1])[0], None


def _unsorted_extreme_grad(op, dy):
    # Each segment's gradient is shared equally among the entries equal to its extreme value.
    data, ids = op.inputs
    n = op.get_attr("num_segments")
    chosen_value, clipped, is_positive = _gather_drop_negatives(op.outputs, ids)
    chosen = logical_and(equal(data, chosen_value), is_positive)
    count = unsorted_segment_sum(cast(chosen, dy.dtype), ids, n)
    shared = truediv(dy, maximum(count, 1))
    grad = _gather_drop_negatives(shared, ids, clipped, is_positive)[0]
    return where_v2(chosen, grad, zeros_like(grad)), None


register_gradient("UnsortedSegmentMax")(_unsorted_extreme_grad)
register_gradient("UnsortedSegmentMin")(_unsorted_extreme_grad)


@register_gradient("SegmentSum")
def _segment_sum_grad(op, dy):
    return gather(dy, op.inputs[1]), None


# -- bincount ----------------------------------------------------------------------------------

_BINCOUNT_WEIGHT_TYPES = frozenset([D.int32, D.int64, D.float32, D.float64])


def _dense_bincount_kernel(xp, arr, size, weights, binary_output):
    size = int(size)
    if size < 0:
        raise op_error(errors.InvalidArgumentError, "DenseBincount",
                       f"size ({size}) must be non-negative")
    if arr.ndim not in (1, 2):
        raise op_error(errors.InvalidArgumentError, "DenseBincount",
                       f"input must be 1 or 2-dimensional, got shape {list(arr.shape)}")
    if arr.size and arr.min() < 0:
        raise op_error(errors.InvalidArgumentError, "DenseBincount",
                       "Input arr must be non-negative!")
    weighted = weights.size > 0  # a length-0 weights tensor means all weights are 1
    if weighted and weights.shape != arr.shape:
        raise op_error(errors.InvalidArgumentError, "DenseBincount",
                       f"`weights` must be the same shape as `arr` or a length-0 `Tensor`, got "
                       f"{list(weights.shape)} and {list(arr.shape)}")
    rows = arr.reshape(-1, arr.shape[-1]) if arr.ndim == 2 else arr.reshape(1, -1)
    # One bincount over all rows: row r's values are shifted into bins [r*size, (r+1)*size).
    shifted = rows.astype(xp.int64) + xp.arange(rows.shape[0], dtype=xp.int64)[:, None] * size
    keep = (rows < size).reshape(-1)  # values at or beyond size are dropped
    bins = shifted.reshape(-1)[keep]
    total = rows.shape[0] * size
    if binary_output:
        out = xp.zeros(total, weights.dtype)
        out[bins] = 1
    elif weighted:
        out = xp.zeros(total, weights.dtype)
        xp.add.at(out, bins, weights.reshape(-1)[keep])
    else:
        out = xp.bincount(bins, minlength=total).astype(weights.dtype)
    return out.reshape((size,) if arr.ndim == 1 else (rows.shape[0], size))


DENSE_BINCOUNT = register("DenseBincount", _dense_bincount_kernel,
                          allowed=frozenset([D.int32, D.int64]))


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=D.int32, name=None,
             axis=None, binary_output=False):
    """Counts (or sums ``weights``) per value of the non-negative integer tensor ``arr``; the
    output length is max(arr) + 1, at least ``minlength`` and at most ``maxlength``. ``axis=-1``
    counts each row of a 2-D ``arr`` separately."""
    arr = _in.as_tensor(arr)
    if weights is not None:
        weights = _in.as_tensor(weights)
        if binary_output:
            raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                             "Please specify only one.")
    if not arr.dtype.is_integer:
        arr = cast(arr, D.int32)
    if axis is None:
        axis = 0
    if axis not in (0, -1):
        raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are "
                         f"currently supported.")
    count = arr.shape.num_elements()
    if count is None:  # (tracing) an empty input counts nothing: decided when the graph runs
        from ndflow.ops.array_shape_ops import size as _size
        size = multiply(cast(_size(arr) > 0, arr.dtype), add(reduce_max(arr), 1))
    elif count > 0:
        size = add(reduce_max(arr), 1)
    else:
        size = _in.as_tensor(0, arr.dtype)
    if minlength is not None:
        size = maximum(_in.as_tensor(minlength, arr.dtype), size)
    if maxlength is not None:
        size = minimum(_in.as_tensor(maxlength, arr.dtype), size)
    if axis == 0:
        arr = reshape(arr, [-1])
        if weights is not None:
            weights = reshape(weights, [-1])
    if weights is None:
        weights = _in.as_tensor(np.zeros(0, D.as_dtype(dtype).as_numpy_dtype))
    if weights.dtype not in _BINCOUNT_WEIGHT_TYPES:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'T' of {weights.dtype.name} is not in the list of "
            f"allowed values: int32, int64, float, double [Op:DenseBincount]")
    return execute(DENSE_BINCOUNT, (arr, size, weights), {"binary_output": bool(binary_output)})
