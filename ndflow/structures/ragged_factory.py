"""``tf.ragged.constant`` and ``tf.ragged.range``."""
import builtins

import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops import math_ops
from ndflow.structures import ragged_symbolic
from ndflow.structures.ragged_tensor import RaggedTensor, _np_splits, _symbolic


def _scalar_depths(value, depth, found, list_depth):
    if isinstance(value, (list, tuple)):
        list_depth[0] = max(list_depth[0], depth + 1)
        for item in value:
            _scalar_depths(item, depth + 1, found, list_depth)
    else:
        found.add(depth)


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype=dtypes.int64):
    """A RaggedTensor from nested Python lists (a dense tensor when nothing is nested)."""
    if isinstance(pylist, np.ndarray):
        pylist = pylist.tolist()
    if not isinstance(pylist, (list, tuple)):
        return convert_to_tensor(pylist, dtype)
    found, list_depth = set(), [0]
    _scalar_depths(pylist, 0, found, list_depth)
    if len(found) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    depth = found.pop() if found else list_depth[0]
    inner_rank = len(inner_shape) if inner_shape is not None else 0
    if ragged_rank is None:
        ragged_rank = max(depth - 1 - inner_rank, 0)
    elif not isinstance(ragged_rank, int) or ragged_rank < 0:
        raise ValueError(f"Invalid ragged_rank={ragged_rank!r}: must be a non-negative int")
    if found and ragged_rank >= depth:
        raise ValueError(f"pylist has scalar values at depth {depth}, but ragged_rank="
                         f"{ragged_rank} requires scalar values at depth greater than "
                         f"{ragged_rank}")
    items, splits = list(pylist), []
    for _ in builtins.range(ragged_rank):
        lengths = [len(x) for x in items]
        splits.append(np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]))
        items = [y for x in items for y in x]
    try:
        flat = np.array(items, dtype=object) if items else None
        if flat is not None and flat.dtype == object and flat.ndim < depth - ragged_rank:
            raise ValueError
    except ValueError:
        raise ValueError("inner values have inconsistent shape") from None
    if items:
        flat_values = convert_to_tensor(items, dtype)
    else:
        shape = (0,) + tuple(inner_shape or ())
        flat_values = convert_to_tensor(np.zeros(shape, (dtype and dtypes.as_dtype(dtype)
                                                          or dtypes.float32).as_numpy_dtype))
    return RaggedTensor.from_nested_row_splits(
        flat_values, [_np_splits(s, row_splits_dtype) for s in splits], validate=False)


_RANK = {dtypes.int32: 0, dtypes.int64: 1, dtypes.float32: 2, dtypes.float64: 3}


def range(starts, limits=None, deltas=1, dtype=None, name=None,
          row_splits_dtype=dtypes.int64):
    """Row ``i`` is ``range(starts[i], limits[i], deltas[i])`` (arguments broadcast)."""
    if limits is None:
        starts, limits = 0, starts
    args = [convert_to_tensor(v, dtype) for v in (starts, limits, deltas)]
    for t in args:
        if t.dtype not in _RANK:
            raise TypeError(f"ragged.range: dtype {t.dtype.name} is not one of int32, int64, "
                            f"float32, float64")
        if t.shape.rank > 1:
            raise ValueError(f"ragged.range: arguments must be scalars or vectors, got shape "
                             f"{t.shape}")
    out_dtype = max((t.dtype for t in args), key=_RANK.get)
    if _symbolic(*args):
        args = [math_ops.cast(t, out_dtype) for t in args]
        return ragged_symbolic.ragged_range(range, args, out_dtype, row_splits_dtype)
    s, lim, d = np.broadcast_arrays(*[np.asarray(t.numpy()).astype(out_dtype.as_numpy_dtype)
                                      for t in args])
    if s.ndim == 0:
        s, lim, d = s[None], lim[None], d[None]
    if np.any(d == 0):
        raise errors.InvalidArgumentError(None, None, "Requires delta != 0")
    sizes = np.maximum(np.ceil((lim.astype(np.float64) - s) / d), 0).astype(np.int64)
    values = [s[i] + d[i] * np.arange(n, dtype=out_dtype.as_numpy_dtype)
              for i, n in enumerate(sizes)]
    flat = np.concatenate(values) if values else np.zeros(0, out_dtype.as_numpy_dtype)
    splits = np.concatenate([[0], np.cumsum(sizes)])
    return RaggedTensor.from_row_splits(convert_to_tensor(flat.astype(out_dtype.as_numpy_dtype)),
                                        _np_splits(splits, row_splits_dtype), validate=False)
