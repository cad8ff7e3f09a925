"""Ops on SparseTensors: reductions, transpose, concat, retain, reset_shape, slice."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops import array_ops, gather_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register, register_gradient
from ndflow.framework.tensor_shape import TensorShape
from ndflow.graph.tensor_spec import TensorSpec
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.static_shapes import merge_dims, static_int, static_ints
from ndflow.structures.sparse_tensor import (REORDER, SPARSE_TO_DENSE, SparseTensor,
                                             SparseTensorSpec, _as_sparse)


def _np(t):
    return np.asarray(t.numpy())


# ---- reductions ------------------------------------------------------------------------------
def _reduce_setup(xp, op_name, idx, shape, axes):
    rank = shape.shape[0]
    for a in axes if axes is not None else ():
        if not -rank <= a < rank:
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"Invalid reduction dimension {a}, for input with {rank} dimensions.")
    axes = sorted({a % rank for a in axes}) if axes is not None else list(range(rank))
    kept = [d for d in range(rank) if d not in axes]
    return axes, kept


def _reduce_kernel(xp, idx, val, shape, axes, keep_dims, ufunc, op_name, empty):
    axes, kept = _reduce_setup(xp, op_name, idx, shape, axes)
    out_shape = tuple(int(shape[d]) for d in kept)
    # Work on the flattened output: a scalar result has no index to scatter into.
    group = (xp.ravel_multi_index(tuple(idx[:, d] for d in kept), out_shape) if kept
             else xp.zeros(idx.shape[0], dtype=np.int64))
    size = int(np.prod(out_shape))
    out = xp.full(size, empty, dtype=val.dtype)
    touched = xp.zeros(size, dtype=bool)
    ufunc.at(out, group, val)
    touched[group] = True
    out = xp.where(touched, out, xp.zeros((), val.dtype)).reshape(out_shape)  # empty groups: 0
    if keep_dims:
        out = out.reshape(tuple(1 if d in axes else int(shape[d]) for d in range(shape.shape[0])))
    return out


def _sum_kernel(xp, idx, val, shape, axes, keep_dims):
    return _reduce_kernel(xp, idx, val, shape, axes, keep_dims, xp.add, "SparseReduceSum", 0)


def _max_kernel(xp, idx, val, shape, axes, keep_dims):
    low = (xp.iinfo(val.dtype).min if val.dtype.kind in "iu" else -xp.inf)
    return _reduce_kernel(xp, idx, val, shape, axes, keep_dims, xp.maximum, "SparseReduceMax",
                          low)


# The dtype rule is on the values (input 1), so the wrappers check it rather than ``allowed``.
REDUCE_SUM = register("SparseReduceSum", _sum_kernel, infer=output_dtypes(1))
REDUCE_MAX = register("SparseReduceMax", _max_kernel, infer=output_dtypes(1))
_REDUCE_DTYPES = {"SparseReduceSum": dtypes.NUMBERS, "SparseReduceMax": dtypes.REAL}


@register_gradient("SparseReduceSum")
def _reduce_sum_grad(op, dy):
    idx, _, shape = op.inputs[:3]
    rank = int(shape.shape[0])
    axes = _reduce_setup(np, "SparseReduceSum", None, np.zeros(rank), op.get_attr("axes"))[0]
    keep = convert_to_tensor([0 if d in axes else 1 for d in range(rank)], dtypes.int64)
    kept_shape = convert_to_tensor([1 if d in axes else int(s) for d, s in
                                    enumerate(_np(shape))], dtypes.int64)
    return None, gather_ops.gather_nd(array_ops.reshape(dy, kept_shape), idx * keep), None


def _reduce(kernel_op, sp_input, axis, keepdims, output_is_sparse):
    sp_input = _as_sparse(sp_input, kernel_op.name)
    allowed = _REDUCE_DTYPES[kernel_op.name]
    if sp_input.dtype not in allowed:
        names = ", ".join(sorted(d.name for d in allowed))
        raise op_error(errors.InvalidArgumentError, kernel_op.name,
                       f"Value for attr 'T' of {sp_input.dtype.name} is not in the list of "
                       f"allowed values: {names}")
    axes = None if axis is None else tuple(int(a) for a in np.atleast_1d(
        _np(axis) if isinstance(axis, Tensor) else np.asarray(axis)))
    dense = execute(kernel_op, (sp_input.indices, sp_input.values, sp_input.dense_shape),
                    {"axes": axes, "keep_dims": bool(keepdims)})
    if not output_is_sparse:
        return dense
    return _sparse_groups(sp_input, dense, axes, keepdims)


def _groups_spec(sp_input, dense, axes, keepdims):
    return SparseTensorSpec(TensorShape(None), dense.dtype)


@host_function(_groups_spec)
def _sparse_groups(sp_input, dense, axes, keepdims):
    """The reduced ``dense`` result as a SparseTensor holding the groups that had entries
    (their sums may be zero)."""
    idx = _np(sp_input.indices)
    rank = idx.shape[1]
    reduced = set(range(rank)) if axes is None else {a % rank for a in axes}
    cols = [d if d not in reduced else None for d in range(rank)] if keepdims else \
        [d for d in range(rank) if d not in reduced]
    out_idx = np.stack([idx[:, d] if d is not None else np.zeros(len(idx), np.int64)
                        for d in cols], axis=1) if cols else np.zeros((len(idx), 0), np.int64)
    out_idx = (np.unique(out_idx, axis=0) if cols else out_idx[:1]).astype(np.int64)
    values = gather_ops.gather_nd(dense, convert_to_tensor(out_idx))
    return SparseTensor(out_idx, values, np.asarray(dense.shape.as_list(), np.int64))


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Sum of the stored values of a SparseTensor over ``axis``."""
    return _reduce(REDUCE_SUM, sp_input, axis, keepdims, output_is_sparse)


def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Maximum of the stored values of a SparseTensor over ``axis`` (groups with no stored
    value give 0)."""
    return _reduce(REDUCE_MAX, sp_input, axis, keepdims, output_is_sparse)


# ---- reshaping and selection -----------------------------------------------------------------
def transpose(sp_input, perm=None, name=None):
    """A SparseTensor with its dimensions permuted (entries re-sorted)."""
    sp_input = _as_sparse(sp_input, "transpose")
    perm = (list(range(int(sp_input.dense_shape.shape[0])))[::-1] if perm is None
            else [int(p) for p in np.asarray(_np(perm) if isinstance(perm, Tensor) else perm)])
    indices = gather_ops.gather(sp_input.indices, perm, axis=1)
    shape = gather_ops.gather(sp_input.dense_shape, perm)
    indices, values = execute(REORDER, (indices, sp_input.values, shape))
    return SparseTensor(indices, values, shape)


def _concat_kernel(xp, *tensors, n, concat_dim):
    idxs, vals, shapes = tensors[:n], tensors[n:2 * n], tensors[2 * n:]
    rank = shapes[0].shape[0]
    if not -rank <= concat_dim < rank:
        raise op_error(errors.InvalidArgumentError, "SparseConcat",
                       f"Concat dimension must be in range [{-rank}, {rank}), got {concat_dim}")
    axis = concat_dim % rank
    offset, moved = 0, []
    for i, (idx, shape) in enumerate(zip(idxs, shapes)):
        for d in range(rank):
            if d != axis and shape[d] != shapes[0][d]:
                raise op_error(errors.InvalidArgumentError, "SparseConcat",
                               f"Input shapes must match: expected {shapes[0][d]} for dimension "
                               f"{d} but got {shape[d]} at position {i}")
        idx = idx.copy()
        idx[:, axis] += offset
        offset += int(shape[axis])
        moved.append(idx)
    idx, val = xp.concatenate(moved), xp.concatenate(vals)
    order = xp.lexsort(idx.T[::-1])
    shape = shapes[0].copy()
    shape[axis] = offset
    return idx[order], val[order], shape


def _concat_dtypes(input_dtypes, attrs):
    return [dtypes.int64, input_dtypes[attrs["n"]], dtypes.int64]


CONCAT = register("SparseConcat", _concat_kernel, num_outputs=3,
                  infer=_concat_dtypes)  # TF: not differentiable


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """SparseTensors joined along ``axis``."""
    sp_inputs = [_as_sparse(s, "concat") for s in sp_inputs]
    for i, s in enumerate(sp_inputs[1:], 1):
        if s.dtype is not sp_inputs[0].dtype:
            raise op_error(errors.InvalidArgumentError, "SparseConcat",
                           f"cannot compute SparseConcat as input #{len(sp_inputs) + i}"
                           f"(zero-based) was expected to be a {sp_inputs[0].dtype.name} tensor "
                           f"but is a {s.dtype.name} tensor")
    if expand_nonconcat_dims:
        shapes = np.stack([_np(s.dense_shape) for s in sp_inputs])
        biggest = shapes.max(axis=0)
        axis_ = int(axis) % shapes.shape[1]
        sp_inputs = [reset_shape(s, np.where(np.arange(len(biggest)) == axis_, shape, biggest))
                     for s, shape in zip(sp_inputs, shapes)]
    tensors = ([s.indices for s in sp_inputs] + [s.values for s in sp_inputs]
               + [s.dense_shape for s in sp_inputs])
    idx, val, shape = execute(CONCAT, tuple(tensors), {"n": len(sp_inputs),
                                                      "concat_dim": int(axis)})
    return SparseTensor(idx, val, shape, _concat_static(sp_inputs, int(axis)))


def _concat_static(sp_inputs, axis):
    """The static shape of a sparse concat: sizes add up along ``axis``, the others merge."""
    dims = [s.shape.dims for s in sp_inputs]
    if any(d is None for d in dims) or len({len(d) for d in dims}) != 1:
        return None
    out = [merge_dims(*column) for column in zip(*dims)]
    axis %= len(out)
    sizes = [d[axis] for d in dims]
    out[axis] = None if None in sizes else sum(sizes)
    return out


def _rank_only_spec(sp_input, *args, **kwargs):
    # TensorFlow rebuilds these results from a dense-shape tensor it does not fold: only the
    # rank is static.
    return SparseTensorSpec(TensorShape([None] * sp_input.shape.rank)
                            if sp_input.shape.rank is not None else None, sp_input.dtype)


def _reset_spec(sp_input, new_shape=None):
    # A new shape known while tracing is the static shape; otherwise only the rank is.
    spec = _rank_only_spec(sp_input)
    wanted = static_ints(new_shape, spec.shape.rank)
    return spec if wanted is None else SparseTensorSpec(wanted, sp_input.dtype)


def _indicator_spec(sp_input, vocab_size, name=None):
    # The outer dimensions are not static in TensorFlow; the last is ``vocab_size``.
    rank = sp_input.shape.rank
    return TensorSpec(None if rank is None else [None] * (rank - 1) + [static_int(vocab_size)],
                      dtypes.bool)


@host_function(_rank_only_spec)
def retain(sp_input, to_retain):
    """The entries of ``sp_input`` where the boolean vector ``to_retain`` is True."""
    sp_input = _as_sparse(sp_input, "retain")
    keep = convert_to_tensor(to_retain, dtypes.bool)
    if keep.shape.rank != 1 or keep.shape[0] != sp_input.indices.shape[0]:
        raise ValueError(f"Dimensions {sp_input.indices.shape[0]} and {keep.shape[0]} are not "
                         f"compatible")
    where = np.flatnonzero(_np(keep)).astype(np.int64)
    return SparseTensor(gather_ops.gather(sp_input.indices, where),
                        gather_ops.gather(sp_input.values, where), sp_input.dense_shape)


@host_function(_reset_spec)
def reset_shape(sp_input, new_shape=None):
    """``sp_input`` with a new dense shape: ``new_shape``, or the tightest bounding box."""
    sp_input = _as_sparse(sp_input, "reset_shape")
    idx = _np(sp_input.indices)
    if new_shape is None:
        shape = idx.max(axis=0) + 1 if idx.shape[0] else np.zeros(idx.shape[1], np.int64)
        return SparseTensor(sp_input.indices, sp_input.values, shape.astype(np.int64))
    shape = _np(convert_to_tensor(new_shape, dtypes.int64))
    old = _np(sp_input.dense_shape)
    if shape.ndim != 1 or shape.shape[0] != old.shape[0]:
        raise ValueError(f"Dimensions {old.shape[0]} and {shape.shape[-1] if shape.ndim else 0} "
                         f"are not compatible")
    if np.any(shape < old):
        raise ValueError(f"Requested new_shape should have dimension sizes >= sp_input.shape.  "
                         f"Found new_shape ({old}), sp_input.shape ({shape}).")
    return SparseTensor(sp_input.indices, sp_input.values, shape)


@host_function(_rank_only_spec)
def slice(sp_input, start, size, name=None):  # noqa: A001 - TensorFlow's name
    """The entries of ``sp_input`` inside the box ``[start, start + size)``, re-based at 0."""
    sp_input = _as_sparse(sp_input, "slice")
    start = _np(convert_to_tensor(start, dtypes.int64))
    size = _np(convert_to_tensor(size, dtypes.int64))
    shape = _np(sp_input.dense_shape)
    end = np.minimum(start + size, shape)
    idx = _np(sp_input.indices)
    inside = np.all((idx >= start) & (idx < end), axis=1)
    where = np.flatnonzero(inside).astype(np.int64)
    return SparseTensor(idx[where] - start, gather_ops.gather(sp_input.values, where),
                        np.maximum(end - start, 0).astype(np.int64))


@host_function(_indicator_spec)
def to_indicator(sp_input, vocab_size, name=None):
    """A dense bool tensor whose last dimension marks, for each row, the ids the row holds."""
    sp_input = _as_sparse(sp_input, "to_indicator")
    idx = _np(sp_input.indices)
    ids = _np(sp_input.values).astype(np.int64)  # TensorFlow casts any id dtype to int64
    new_idx = np.concatenate([idx[:, :-1], ids[:, None]], axis=1).astype(np.int64)
    shape = np.concatenate([_np(sp_input.dense_shape)[:-1], [int(vocab_size)]]).astype(np.int64)
    return execute(SPARSE_TO_DENSE, (convert_to_tensor(new_idx), convert_to_tensor(shape),
                                     convert_to_tensor(True), convert_to_tensor(False)),
                   {"validate_indices": False})
