"""More RaggedTensor factories and conversions: row starts/limits, nested value rowids,
merge_dims, to/from SparseTensor, and ``tf.ragged``'s segment-id helpers and
stack_dynamic_partitions. Values move through ndflow ops (gather, reshape) so tapes see them;
only the row-partition arithmetic runs on NumPy."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops import array_ops, gather_ops
from ndflow.structures.ragged_tensor import (RaggedTensor, _as_values, _invalid, _nrows_of,
                                             _np_splits, _splits_tensor, gather_rows)


def _ints(tensor):
    return np.asarray(tensor.numpy(), np.int64)


# ---- factories ----------------------------------------------------------------------------
def from_row_starts(cls, values, row_starts, name=None, validate=True):
    """Rows that start at ``row_starts`` in ``values``; each ends where the next starts."""
    values, starts_t = _as_values(values), _splits_tensor(row_starts)
    starts, nvals = _ints(starts_t), _nrows_of(values)
    if validate and starts.size:
        if starts[0] != 0:
            raise _invalid("from_row_starts", f"row_starts must start with zero, got "
                                              f"{starts[0]}")
        if np.any(np.diff(starts) < 0):
            raise _invalid("from_row_starts", "row_starts must be sorted in ascending order")
        if starts[-1] > nvals:
            raise _invalid("from_row_starts", f"row_starts has {starts[-1]} > nvals={nvals}")
    splits = np.append(starts, nvals)
    return cls(values, _np_splits(splits, starts_t.dtype), internal=True)


def from_row_limits(cls, values, row_limits, name=None, validate=True):
    """Rows that end at ``row_limits`` in ``values``; each starts where the previous ends."""
    values, limits_t = _as_values(values), _splits_tensor(row_limits)
    splits, nvals = np.concatenate([[0], _ints(limits_t)]), _nrows_of(values)
    if validate:
        if np.any(np.diff(splits) < 0):
            raise _invalid("from_row_limits", "row_limits must be non-negative and sorted in "
                                              "ascending order")
        if splits[-1] != nvals:
            raise _invalid("from_row_limits", f"row_limits ends with {splits[-1]} but values "
                                              f"has {nvals} rows")
    return cls(values, _np_splits(splits, limits_t.dtype), internal=True)


def from_nested_value_rowids(cls, flat_values, nested_value_rowids, nested_nrows=None,
                             name=None, validate=True):
    """Applies ``from_value_rowids`` once per rowids vector (with its ``nrows``), innermost
    last."""
    if not isinstance(nested_value_rowids, (list, tuple)):
        raise TypeError(f"Argument `nested_value_rowids` must be a list of Tensors. Received "
                        f"{nested_value_rowids}.")
    if nested_nrows is None:
        nested_nrows = [None] * len(nested_value_rowids)
    elif not isinstance(nested_nrows, (list, tuple)):
        raise TypeError(f"Argument `nested_nrows` must be a list of Tensors. Received "
                        f"{nested_nrows}.")
    if len(nested_nrows) != len(nested_value_rowids):
        raise ValueError(f"Argument `nested_nrows` must have the same length as argument "
                         f"`nested_value_rowids`. len(nested_nrows) = {len(nested_nrows)} vs. "
                         f"len(nested_values_rowids) = {len(nested_value_rowids)}.")
    result = _as_values(flat_values)
    for rowids, nrows in reversed(list(zip(nested_value_rowids, nested_nrows))):
        result = cls.from_value_rowids(result, rowids, nrows, validate=validate)
    return result


def from_sparse(cls, st_input, name=None, row_splits_dtype=dtypes.int64):
    """A 2-D RaggedTensor holding the values of a right-ragged 2-D SparseTensor (each row's
    entries are in columns 0, 1, 2, ... in order)."""
    from ndflow.structures.sparse_tensor import SparseTensor
    if not isinstance(st_input, SparseTensor):
        raise TypeError(f"Argument `st_input` must be of type SparseTensor, but is of type "
                        f"{type(st_input).__name__}.")
    if st_input.dense_shape.shape[0] != 2:
        raise ValueError("rank(st_input) must be 2.")
    indices = _ints(st_input.indices)
    rows, cols = indices[:, 0], indices[:, 1]
    # Column i must be 0 where a new row starts and one more than the previous column otherwise.
    new_row = np.ones(len(rows), bool)
    new_row[1:] = rows[1:] != rows[:-1]
    expected = np.where(new_row, 0, np.concatenate([[0], cols[:-1] + 1]))
    if np.any(cols != expected):
        raise errors.InvalidArgumentError(
            None, None, f"SparseTensor is not right-ragged: SparseTensor.indices = "
                        f"{indices.tolist()}")
    nrows = int(_ints(st_input.dense_shape)[0])
    counts = np.bincount(rows, minlength=nrows)[:nrows]
    splits = np.concatenate([[0], np.cumsum(counts)])
    return cls(st_input.values, _np_splits(splits, row_splits_dtype), internal=True)


# ---- methods ------------------------------------------------------------------------------
def nested_value_rowids(self, name=None):
    """The value_rowids of every ragged level, outermost first."""
    out, rt = [], self
    while isinstance(rt, RaggedTensor):
        out.append(rt.value_rowids())
        rt = rt.values
    return tuple(out)


def _dense_merge(t, outer, inner):
    shape = t.shape.as_list()
    return array_ops.reshape(t, shape[:outer] + [int(np.prod(shape[outer:inner + 1]))]
                             + shape[inner + 1:])


def _offsets(x, depth):
    """Where each of ``x``'s rows (and its end) lands once axes 0..depth are merged."""
    if depth == 0:
        return np.arange(_nrows_of(x) + 1)
    if isinstance(x, RaggedTensor):
        return _offsets(x.values, depth - 1)[x._splits]
    return np.arange(x.shape[0] + 1) * int(np.prod(x.shape.as_list()[1:depth + 1]))


def _merge(x, outer, inner):
    if outer == inner:
        return x
    if not isinstance(x, RaggedTensor):
        return _dense_merge(x, outer, inner)
    if outer == 0:
        # Axes 0 and 1 together are exactly ``values``' axis 0.
        return _merge(x.values, 0, inner - 1)
    if outer == 1:
        splits = _offsets(x.values, inner - 1)[x._splits]
        return RaggedTensor(_merge(x.values, 0, inner - 1),
                            _np_splits(splits, x.row_splits_dtype), internal=True)
    return x.with_values(_merge(x.values, outer - 1, inner - 1))


def merge_dims(self, outer_axis, inner_axis):
    """Merges axes ``outer_axis`` through ``inner_axis`` into one (a dense tensor when every
    ragged axis is merged into axis 0)."""
    rank = self.shape.rank
    for label, axis in (("outer_axis", outer_axis), ("inner_axis", inner_axis)):
        if not isinstance(axis, (int, np.integer)) or not -rank <= axis < rank:
            raise ValueError(f"{label}={axis} out of bounds: expected {-rank}<={label}<{rank}")
    outer, inner = outer_axis % rank, inner_axis % rank
    if outer > inner:
        raise ValueError(f"Expected outer_axis ({outer_axis}) to be less than or equal to "
                         f"inner_axis ({inner_axis}).")
    return _merge(self, outer, inner)


def to_sparse(self, name=None):
    """A SparseTensor with one entry per value (indices int64, dense_shape the bounding
    shape)."""
    from ndflow.structures.sparse_tensor import SparseTensor
    flat = self.flat_values
    inner = flat.shape.as_list()[1:]
    positions = self._flat_positions()
    if inner:
        # Every inner element of a flat value is its own entry, in row-major order.
        grid = np.indices(inner).reshape(len(inner), -1).T
        positions = np.concatenate([np.repeat(positions, len(grid), axis=0),
                                    np.tile(grid, (len(positions), 1))], axis=1)
        flat = array_ops.reshape(flat, [-1])
    shape = self.bounding_shape(out_type=dtypes.int64)
    return SparseTensor(positions.astype(np.int64).reshape(-1, self.shape.rank), flat, shape)


for _fn in (from_row_starts, from_row_limits, from_nested_value_rowids, from_sparse):
    setattr(RaggedTensor, _fn.__name__, classmethod(_fn))
for _fn in (nested_value_rowids, merge_dims, to_sparse):
    setattr(RaggedTensor, _fn.__name__, _fn)


# ---- tf.ragged functions ------------------------------------------------------------------
def _vector(value, what):
    t = convert_to_tensor(value, dtype_hint=dtypes.int64)
    if t.dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(f"{what} must have dtype int32 or int64")
    if t.shape.rank != 1:
        raise ValueError(f"Shape {t.shape} must have rank 1")
    return t


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """The segment (row) id of every value described by ``splits``."""
    splits = _vector(splits, "splits")
    s = _ints(splits)
    ids = np.repeat(np.arange(max(len(s) - 1, 0)), np.maximum(np.diff(s), 0))
    return convert_to_tensor(ids.astype(dtypes.as_dtype(out_type or splits.dtype).as_numpy_dtype))


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """Row splits for sorted ``segment_ids`` (``num_segments`` rows, default max id + 1)."""
    ids_t = _vector(segment_ids, "segment_ids")
    ids = _ints(ids_t)
    n = (int(ids.max()) + 1 if ids.size else 0) if num_segments is None else int(
        np.asarray(convert_to_tensor(num_segments).numpy()))
    counts = np.bincount(ids, minlength=n)[:n] if ids.size else np.zeros(n, np.int64)
    splits = np.concatenate([[0], np.cumsum(counts)])
    return _np_splits(splits, out_type or ids_t.dtype)


def stack_dynamic_partitions(data, partitions, num_partitions, name=None):
    """Row ``i`` of the result holds the items of ``data`` whose partition is ``i``, in
    order."""
    if isinstance(partitions, RaggedTensor):
        if not isinstance(data, RaggedTensor):
            raise ValueError("data must be ragged when partitions is ragged")
        flat_parts, items = partitions.flat_values, data.flat_values
    else:
        partitions = convert_to_tensor(partitions)
        data = data if isinstance(data, RaggedTensor) else convert_to_tensor(data)
        rank = partitions.shape.rank
        lead = data.shape.as_list()[:rank]
        if lead != partitions.shape.as_list():
            raise ValueError(f"Shapes {partitions.shape} and {data.shape[:rank]} are "
                             f"incompatible")
        flat_parts = array_ops.reshape(partitions, [-1])
        items = data if rank == 1 else _merge(data, 0, rank - 1)
    if flat_parts.dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError(f"partitions must have dtype int32 or int64, got {flat_parts.dtype.name}")
    p = _ints(flat_parts)
    num = int(np.asarray(convert_to_tensor(num_partitions).numpy()))
    if np.any(p < 0):
        raise errors.InvalidArgumentError(None, None, "partitions must be non-negative.")
    if np.any(p >= num):
        raise errors.InvalidArgumentError(None, None,
                                          "partitions must be less than num_partitions")
    order = np.argsort(p, kind="stable")
    counts = np.bincount(p, minlength=num)
    if isinstance(items, RaggedTensor):
        # As TF: the partitioned items' rows are reported ragged even when they were uniform.
        picked = gather_rows(items, order)
        picked = RaggedTensor(picked.values, picked.row_splits, internal=True)
    else:
        picked = gather_ops.gather(items, order)
    # As TF: the splits take ragged data's splits dtype, else the partitions' dtype.
    dtype = data.row_splits_dtype if isinstance(data, RaggedTensor) else flat_parts.dtype
    return RaggedTensor(picked, _np_splits(np.concatenate([[0], np.cumsum(counts)]), dtype),
                        internal=True)
