"""Ragged to dense conversion (``RaggedTensor.to_tensor``)."""
import numpy as np

from ndflow.framework import errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops import array_ops, gather_ops
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.static_shapes import dims_of, merge_dims, static_ints


def _target_shape(rt, shape):
    bounds = [int(d) for d in rt.bounding_shape().numpy()]
    if shape is None:
        return bounds
    if hasattr(shape, "as_list"):
        shape = shape.as_list()
    elif not isinstance(shape, (list, tuple)):
        shape = np.asarray(convert_to_tensor(shape).numpy()).tolist()
    if len(shape) != len(bounds):
        raise ValueError(f"shape {list(shape)} must have rank {len(bounds)} to match the ragged "
                         f"tensor's rank")
    out = [b if d is None or d == -1 else int(d) for d, b in zip(shape, bounds)]
    k = rt.ragged_rank + 1
    if out[k:] != bounds[k:]:
        raise errors.InvalidArgumentError(
            None, None, f"rt_input.shape and shape={list(shape)} are incompatible: the inner "
                        f"dimensions {bounds[k:]} cannot change")
    return out


def _dense_shape(rt, default_value, shape):
    # The ragged tensor's static shape (ragged dimensions unknown), with the dimensions that
    # ``shape`` fixes while tracing.
    dims = dims_of(rt)
    wanted = static_ints(shape, len(dims))
    if wanted is None or len(wanted) != len(dims):
        return dims
    return [merge_dims(w, d) for w, d in zip(wanted, dims)]


@host_function(shape=_dense_shape, type_name="RaggedTensorToTensor")
def to_tensor(rt, default_value, shape):
    """A dense tensor holding ``rt``, padded with ``default_value`` (zero by default).

    Built with one gather over the flat values plus one padding row, so any dtype works and the
    gradient flows back to the flat values."""
    full = _target_shape(rt, shape)
    k = rt.ragged_rank + 1
    outer, inner = full[:k], full[k:]
    flat = rt.flat_values
    positions = rt._flat_positions()
    keep = np.all(positions < np.asarray(outer, np.int64), axis=1)
    n = positions.shape[0]
    # index_map[pos] = flat index of the value at dense position pos, or n (the padding row).
    index_map = np.full(outer, n, np.int64)
    index_map[tuple(positions[keep].T)] = np.flatnonzero(keep)
    if default_value is None:
        default_value = np.zeros((), flat.dtype.as_numpy_dtype) if flat.dtype.name != "string" \
            else b""
    pad = array_ops.broadcast_to(convert_to_tensor(default_value, flat.dtype), [1] + inner)
    source = array_ops.concat([flat, pad], 0)
    return gather_ops.gather(source, index_map)
