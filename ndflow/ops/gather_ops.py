"""Indexing by index tensors: gather, gather_nd, scatter_nd, tensor_scatter_nd_*, boolean_mask,
one_hot.

Index tensors are validated eagerly (negative or out-of-range entries raise InvalidArgumentError,
as TensorFlow's CPU kernels do). The gradients of gather and gather_nd are dense tensors built by
two private scatter-add ops (``_GatherV2Grad``, ``_GatherNdGrad``), each the adjoint of its
forward op, so that their own gradient is the forward gather again (higher-order derivatives).
"""
import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = ["gather", "gather_nd", "scatter_nd", "tensor_scatter_nd_update",
           "tensor_scatter_nd_add", "tensor_scatter_nd_sub", "tensor_scatter_nd_max",
           "tensor_scatter_nd_min", "boolean_mask", "one_hot"]

_INDEX_DTYPES = frozenset((D.int16, D.int32, D.int64))
_BAD = errors.InvalidArgumentError


def _prod(dims):
    out = 1
    for d in dims:
        if d is None:
            return -1          # unknown while tracing: reshape infers it
        out *= int(d)
    return out


def _first_bad(xp, bad):
    """'i,j' position of the first True entry of ``bad``."""
    flat = int(xp.argmax(bad.reshape(-1)))
    return ",".join(str(int(i)) for i in np.unravel_index(flat, bad.shape)) if bad.ndim else ""


def _check_indices(t, op_name):
    if t._dtype not in _INDEX_DTYPES:
        raise op_error(_BAD, op_name, f"Value for attr 'Tindices' of {t._dtype.name} is not in the "
                       "list of allowed values: int16, int32, int64")


def _static_int(value, what):
    """A scalar integer argument given as a Python/NumPy int or an integer tensor."""
    if type(value) is int:
        return value
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        t = _in.as_tensor(value)
        if t.dtype not in D.INTEGERS:
            raise _BAD(None, None, f"Value for attr '{what}' of {t.dtype.name} is not in the "
                       "list of allowed values: int32, int64")
        if t.shape.rank != 0:
            raise _BAD(None, None, f"{what} must be scalar, got shape {t.shape}")
        return int(t.numpy())
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        raise _BAD(None, None, f"{what} must be scalar, got {value!r}")
    raise _BAD(None, None, f"Value for attr '{what}' of {type(value).__name__} is not in the list "
               "of allowed values: int32, int64")


# ---------------------------------------------------------------------------------------------
# gather

def _batch_view(shape, indices_shape, axis, batch_dims):
    """(B, O, n, I) and (B, R): params and indices of a batched gather as 4-D and 2-D blocks."""
    batch = _prod(shape[:batch_dims])
    return ((batch, _prod(shape[batch_dims:axis]), shape[axis], _prod(shape[axis + 1:])),
            (batch, _prod(indices_shape[batch_dims:])))


def _index_error(xp, indices, n):
    bad = (indices < 0) | (indices >= n)
    return op_error(_BAD, "GatherV2", f"indices[{_first_bad(xp, bad)}] = "
                    f"{int(indices[bad].reshape(-1)[0])} is not in [0, {n})")


def _gather_kernel(xp, params, indices, axis, batch_dims):
    if not 0 <= axis < params.ndim:       # only from graphs traced with an unknown rank
        axis = _run_time_axis(params, axis)
    n = params.shape[axis]
    if batch_dims == 0:
        try:   # viewed as unsigned, negative indices are huge, so take() rejects them too
            return xp.take(params, indices.view(indices.dtype.str.replace("i", "u")), axis=axis)
        except IndexError:
            raise _index_error(xp, indices, n) from None
    if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= n):
        raise _index_error(xp, indices, n)
    pshape, ishape = _batch_view(params.shape, indices.shape, axis, batch_dims)
    rows = xp.arange(pshape[0])[:, None]
    out = params.reshape(pshape)[rows, :, indices.reshape(ishape), :]   # (B, R, O, I)
    return out.transpose(0, 2, 1, 3).reshape(
        params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis + 1:])


def _run_time_axis(params, axis):
    rank = params.ndim
    if rank == 0:
        raise op_error(_BAD, "GatherV2", "params must be at least 1 dimensional")
    if not -rank <= axis < rank:
        need = axis + 1 if axis >= 0 else -axis
        raise op_error(_BAD, "GatherV2", f"Shape must be at least rank {need} but is rank {rank}")
    return axis % rank


def _gather_grad_kernel(xp, dy, indices, params, axis, batch_dims):
    (b, o, n, i), (_, r) = _batch_view(params.shape, indices.shape, axis, batch_dims)
    out = xp.zeros((b, n, o, i), dtype=dy.dtype)
    rows = (xp.arange(b)[:, None] * n + indices.reshape(b, r)).reshape(-1)
    values = dy.reshape(b, o, r, i).transpose(0, 2, 1, 3).reshape(b * r, o * i)
    xp.add.at(out.reshape(b * n, o * i), rows, values)
    return out.transpose(0, 2, 1, 3).reshape(params.shape)


GATHER = register("GatherV2", _gather_kernel)
GATHER_GRAD = register("_GatherV2Grad", _gather_grad_kernel, same_dtype=(0, 2))


def gather(params, indices, validate_indices=None, axis=None, batch_dims=0, name=None):
    """Slices of ``params`` along ``axis`` at ``indices``; the first ``batch_dims`` dimensions
    of both are batch dimensions (paired one to one)."""
    p = _in.as_tensor(params)
    i = _in.as_tensor(indices)
    _check_indices(i, "GatherV2")
    batch_dims = _static_int(batch_dims, "Taxis")
    axis = batch_dims if axis is None else _static_int(axis, "Taxis")
    if axis == 0:
        batch_dims = 0   # TensorFlow ignores batch_dims for axis-0 gathers
    rank, irank = p.ndim, i.ndim
    if rank is None and not batch_dims:
        # Unknown rank while tracing: the kernel checks the axis when the graph runs.
        return execute(GATHER, (p, i), {"axis": axis, "batch_dims": 0})
    if rank == 0:
        raise op_error(_BAD, "GatherV2", "params must be at least 1 dimensional")
    if not -rank <= axis < rank:
        need = axis + 1 if axis >= 0 else -axis
        raise op_error(_BAD, "GatherV2", f"Shape must be at least rank {need} but is rank {rank}")
    axis %= rank
    if batch_dims:
        if not -irank <= batch_dims <= irank:
            raise op_error(_BAD, "GatherV2", f"Expected batch_dims in the range [{-irank}, "
                           f"{irank}], but got {batch_dims}")
        if batch_dims < 0:
            batch_dims += irank
        if batch_dims >= rank:
            raise op_error(_BAD, "GatherV2", f"batch_dims ({batch_dims}) must be less than "
                           f"rank(params) ({rank}).")
        if batch_dims > axis:
            raise op_error(_BAD, "GatherV2", f"batch_dims ({batch_dims}) must be less than or "
                           f"equal to axis ({axis}).")
        for k in range(batch_dims):
            if p.shape[k] != i.shape[k]:
                raise op_error(_BAD, "GatherV2", f"params.shape[{k}]: {p.shape[k]} should be "
                               f"equal to indices.shape[{k}]: {i.shape[k]}")
    return execute(GATHER, (p, i), {"axis": axis, "batch_dims": batch_dims})


@register_gradient("GatherV2")
def _gather_grad(op, dy):
    params, indices = op.inputs
    if op.attrs["axis"] == 0 and op.attrs["batch_dims"] == 0:
        # As in TensorFlow: the rows of an axis-0 gather come back as IndexedSlices, so no
        # gradient of the size of ``params`` is built (the backward pass densifies on demand).
        from ndflow.framework.indexed_slices import IndexedSlices
        from ndflow.ops.array_ops import concat, reshape, shape_of
        if not params.shape.is_fully_defined() or not indices.shape.is_fully_defined():
            # Shapes known only when the graph runs (a function traced with unknown sizes).
            dense = shape_of(params)
            values = reshape(dy, concat([[-1], dense[1:]], 0))
            return IndexedSlices(values, reshape(indices, [-1]), dense), None
        shape = params.shape.as_list()
        values = reshape(dy, [_prod(indices.shape.as_list())] + shape[1:])
        return IndexedSlices(values, reshape(indices, [-1]),
                             convert_to_tensor(np.array(shape, np.int32))), None
    return execute(GATHER_GRAD, (dy, indices, params), op.attrs), None


@register_gradient("_GatherV2Grad")
def _gather_grad_grad(op, ddx):
    return execute(GATHER, (ddx, op.inputs[1]), op.attrs), None, None


# ---------------------------------------------------------------------------------------------
# gather_nd and the scatters: index vectors into the leading dimensions of a shape

def _rows(xp, op_name, shape, indices, batch_dims, what):
    """Validates index vectors against ``shape`` (after the batch dimensions) and returns them as
    row numbers into ``shape`` viewed as 2-D (batch and indexed dimensions, then the rest)."""
    k = indices.shape[-1]
    dims = shape[batch_dims:batch_dims + k]
    batch = _prod(indices.shape[:batch_dims])
    idx = indices.reshape(batch, _prod(indices.shape[batch_dims:-1]), k).astype(np.int64)
    bound = xp.asarray(dims, dtype=np.int64)
    bad = xp.any((idx < 0) | (idx >= bound), axis=-1)
    if bool(bad.any()):
        pos = int(xp.argmax(bad.reshape(-1)))
        vector = ", ".join(str(int(v)) for v in idx.reshape(-1, k)[pos])
        raise op_error(_BAD, op_name, f"indices[{pos}] = [{vector}] does not index into {what} "
                       f"[{','.join(str(d) for d in shape)}]")
    lin = xp.zeros(idx.shape[:2], dtype=np.int64)
    for j, d in enumerate(dims):
        lin = lin * d + idx[..., j]
    if batch_dims:
        lin += xp.arange(batch, dtype=np.int64)[:, None] * _prod(dims)
    return lin.reshape(-1)


def _as_rows(array, leading):
    """``array`` as a 2-D (rows, rest) view, the rows being its first ``leading`` dimensions."""
    return array.reshape(_prod(array.shape[:leading]), _prod(array.shape[leading:]))


def _gather_nd_kernel(xp, params, indices, batch_dims):
    rows = _rows(xp, "GatherNd", params.shape, indices, batch_dims, "param shape")
    leading = batch_dims + indices.shape[-1]
    return _as_rows(params, leading)[rows].reshape(indices.shape[:-1] + params.shape[leading:])


def _gather_nd_grad_kernel(xp, dy, indices, params, batch_dims):
    rows = _rows(xp, "GatherNd", params.shape, indices, batch_dims, "param shape")
    out = xp.zeros(params.shape, dtype=dy.dtype)
    xp.add.at(_as_rows(out, batch_dims + indices.shape[-1]), rows,
              _as_rows(dy, indices.ndim - 1))
    return out


GATHER_ND = register("GatherNd", _gather_nd_kernel)
GATHER_ND_GRAD = register("_GatherNdGrad", _gather_nd_grad_kernel, same_dtype=(0, 2))


def gather_nd(params, indices, batch_dims=0, name=None, bad_indices_policy=""):
    """Slices of ``params`` at the index vectors in the last dimension of ``indices``; the first
    ``batch_dims`` dimensions of both are batch dimensions."""
    p = _in.as_tensor(params)
    i = _in.as_tensor(indices)
    _check_indices(i, "GatherNd")
    batch_dims = _static_int(batch_dims, "batch_dims")
    if batch_dims < 0:
        raise ValueError("tf.gather_nd does not allow negative batch_dims.")
    if i.ndim == 0:
        raise op_error(_BAD, "GatherNd", "indices must be at least a vector")
    if batch_dims and batch_dims >= i.ndim:
        raise ValueError(f"Argument `batch_dims` = {batch_dims} must be less than "
                         f"rank(`indices`) = {i.ndim}")
    if i.shape[-1] > p.ndim - batch_dims:
        raise op_error(_BAD, "GatherNd", "index innermost dimension length must be <= params "
                       f"rank; saw: {i.shape[-1] + batch_dims} vs. {p.ndim}")
    if p.shape.dims[:batch_dims] != i.shape.dims[:batch_dims]:
        raise op_error(_BAD, "GatherNd", f"batch dimensions of params {p.shape} and indices "
                       f"{i.shape} must match (batch_dims={batch_dims})")
    return execute(GATHER_ND, (p, i), {"batch_dims": batch_dims})


@register_gradient("GatherNd")
def _gather_nd_grad(op, dy):
    params, indices = op.inputs
    return execute(GATHER_ND_GRAD, (dy, indices, params), op.attrs), None


@register_gradient("_GatherNdGrad")
def _gather_nd_grad_grad(op, ddx):
    return execute(GATHER_ND, (ddx, op.inputs[1]), op.attrs), None, None


def _check_scatter_shapes(op_name, shape, indices, updates):
    if indices.ndim == 0:
        raise op_error(_BAD, op_name, f"Indices shape must have rank at least one. Found:"
                       f"{list(indices.shape)}")
    k = indices.shape[-1]
    if k > len(shape):
        raise op_error(_BAD, op_name, f"Inner dimensions of output shape must match inner "
                       f"dimensions of updates shape. Output: {list(shape)} updates: "
                       f"{list(updates.shape)}")
    expected = tuple(indices.shape[:-1]) + tuple(shape[k:])
    if tuple(updates.shape) != expected:
        raise op_error(_BAD, op_name, f"updates must have shape indices.shape[:-1] + "
                       f"shape[indices.shape[-1]:] = {list(expected)}, got {list(updates.shape)} "
                       f"(indices: {list(indices.shape)}, output: {list(shape)})")
    if indices.size and k and not _prod(shape):
        raise op_error(_BAD, op_name, f"Indices and updates specified for empty output shape "
                       f"{list(shape)}")


def _scatter_nd_kernel(xp, indices, updates, shape):
    _check_scatter_shapes("ScatterNd", shape, indices, updates)
    rows = _rows(xp, "ScatterNd", shape, indices, 0, "shape")
    out = xp.zeros(shape, dtype=updates.dtype)
    xp.add.at(_as_rows(out, indices.shape[-1]), rows, _as_rows(updates, indices.ndim - 1))
    return out


SCATTER_ND = register("ScatterNd", _scatter_nd_kernel)


def scatter_nd(indices, updates, shape, name=None, bad_indices_policy=""):
    """A zero tensor of ``shape`` with ``updates`` added at the index vectors in ``indices``
    (duplicate indices add up)."""
    i = _in.as_tensor(indices)
    _check_indices(i, "ScatterNd")
    u = _in.as_tensor(updates)
    if isinstance(shape, Tensor) or hasattr(shape, "_as_tensor"):
        shape = _in.as_tensor(shape).numpy().tolist()
    elif isinstance(shape, TensorShape):
        shape = shape.as_list()
    shape = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    for d in shape:
        if d < 0:
            raise op_error(_BAD, "ScatterNd", f"Dimension {d} must be >= 0")
    return execute(SCATTER_ND, (i, u), {"shape": shape})


@register_gradient("ScatterNd")
def _scatter_nd_grad(op, dy):
    return None, execute(GATHER_ND, (dy, op.inputs[0]), {"batch_dims": 0})


def _set_at(xp, blocks, where, values):
    blocks[where] = values   # duplicates: the last update wins, as on TensorFlow's CPU


def _tensor_scatter_kernel(op_name, combine):
    def kernel(xp, tensor, indices, updates):
        _check_scatter_shapes(op_name, tensor.shape, indices, updates)
        rows = _rows(xp, op_name, tensor.shape, indices, 0, "shape")
        out = tensor.copy()
        combine(xp, _as_rows(out, indices.shape[-1]), rows, _as_rows(updates, indices.ndim - 1))
        return out
    return kernel


def _tensor_scatter_op(op_name, combine, allowed):
    return register(op_name, _tensor_scatter_kernel(op_name, combine), same_dtype=(0, 2),
                    allowed=allowed)


TENSOR_SCATTER_UPDATE = _tensor_scatter_op("TensorScatterUpdate", _set_at, None)
TENSOR_SCATTER_ADD = _tensor_scatter_op(
    "TensorScatterAdd", lambda xp, b, w, v: xp.add.at(b, w, v), D.NUMBERS)
TENSOR_SCATTER_SUB = _tensor_scatter_op(
    "TensorScatterSub", lambda xp, b, w, v: xp.subtract.at(b, w, v), D.NUMBERS)
TENSOR_SCATTER_MAX = _tensor_scatter_op(
    "TensorScatterMax", lambda xp, b, w, v: xp.maximum.at(b, w, v), D.REAL)
TENSOR_SCATTER_MIN = _tensor_scatter_op(
    "TensorScatterMin", lambda xp, b, w, v: xp.minimum.at(b, w, v), D.REAL)


def _tensor_scatter(op, tensor, indices, updates):
    t = _in.as_tensor(tensor)
    i = _in.as_tensor(indices)
    _check_indices(i, op.name)
    u = updates if isinstance(updates, Tensor) else _in.like(updates, t._dtype)
    return execute(op, (t, i, _in.as_tensor(u)))


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with the slices at ``indices`` replaced by ``updates``."""
    return _tensor_scatter(TENSOR_SCATTER_UPDATE, tensor, indices, updates)


def tensor_scatter_nd_add(tensor, indices, updates, name=None, bad_indices_policy=""):
    """A copy of ``tensor`` with ``updates`` added at ``indices`` (duplicates add up)."""
    return _tensor_scatter(TENSOR_SCATTER_ADD, tensor, indices, updates)


def tensor_scatter_nd_sub(tensor, indices, updates, name=None, bad_indices_policy=""):
    """A copy of ``tensor`` with ``updates`` subtracted at ``indices``."""
    return _tensor_scatter(TENSOR_SCATTER_SUB, tensor, indices, updates)


def tensor_scatter_nd_max(tensor, indices, updates, name=None, bad_indices_policy=""):
    """A copy of ``tensor`` with the elementwise maximum taken with ``updates`` at ``indices``."""
    return _tensor_scatter(TENSOR_SCATTER_MAX, tensor, indices, updates)


def tensor_scatter_nd_min(tensor, indices, updates, name=None, bad_indices_policy=""):
    """A copy of ``tensor`` with the elementwise minimum taken with ``updates`` at ``indices``."""
    return _tensor_scatter(TENSOR_SCATTER_MIN, tensor, indices, updates)


def _gather_updates(dy, indices):
    return execute(GATHER_ND, (dy, indices), {"batch_dims": 0})


@register_gradient("TensorScatterUpdate")
def _tensor_scatter_update_grad(op, dy):
    from ndflow.ops.array_ops import zeros_like
    _, indices, updates = op.inputs
    return (execute(TENSOR_SCATTER_UPDATE, (dy, indices, zeros_like(updates))), None,
            _gather_updates(dy, indices))


@register_gradient("TensorScatterAdd")
def _tensor_scatter_add_grad(op, dy):
    return dy, None, _gather_updates(dy, op.inputs[1])


@register_gradient("TensorScatterSub")
def _tensor_scatter_sub_grad(op, dy):
    from ndflow.ops.math_ops import negative
    return dy, None, negative(_gather_updates(dy, op.inputs[1]))


def _tensor_scatter_extremum_grad(op, dy):
    # The gradient goes to every input equal to the result, split evenly between ties.
    from ndflow.ops.array_ops import zeros_like
    from ndflow.ops.math_ops import add, cast, equal, multiply, truediv
    x, indices, y = op.inputs
    x_hits = cast(equal(x, op.outputs), dy.dtype)
    y_hits = cast(equal(y, _gather_updates(op.outputs, indices)), dy.dtype)
    hits = add(x_hits, execute(TENSOR_SCATTER_ADD, (zeros_like(x_hits), indices, y_hits)))
    share = truediv(dy, hits)
    return multiply(share, x_hits), None, multiply(_gather_updates(share, indices), y_hits)


register_gradient("TensorScatterMax")(_tensor_scatter_extremum_grad)
register_gradient("TensorScatterMin")(_tensor_scatter_extremum_grad)


# ---------------------------------------------------------------------------------------------
# boolean_mask and one_hot

def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The entries (or slices from ``axis`` on) of ``tensor`` where ``mask`` is true, flattened
    over the mask's dimensions."""
    from ndflow.ops.array_ops import reshape, where
    t = _in.as_tensor(tensor)
    m = _in.as_tensor(mask)
    if m.ndim == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else _static_int(axis, "axis")
    covered = TensorShape(t.shape.dims[axis:axis + m.ndim])   # TensorFlow slices the same way
    if not covered.is_compatible_with(m.shape):
        raise ValueError(f"Shapes {covered} and {m.shape} are incompatible")
    axis %= max(t.ndim, 1)
    dims = t.shape.dims
    flat = reshape(t, dims[:axis] + [_prod(dims[axis:axis + m.ndim])] + dims[axis + m.ndim:])
    positions = reshape(where(reshape(m, [-1])), [-1])
    return gather(flat, positions, axis=axis)


_ONE_HOT_INDICES = frozenset((D.uint8, D.int8, D.int32, D.int64))


def _one_hot_kernel(xp, indices, on_value, off_value, depth, axis):
    where = indices.ndim if axis == -1 else axis
    levels = xp.arange(depth).reshape((depth,) + (1,) * (indices.ndim - where))
    return xp.where(xp.expand_dims(indices, where) == levels, on_value, off_value)


ONE_HOT = register("OneHot", _one_hot_kernel, allowed=_ONE_HOT_INDICES, same_dtype=(1, 2))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """A tensor with a new ``depth``-long dimension at ``axis`` (default last) holding
    ``on_value`` at each index and ``off_value`` elsewhere (indices out of range: all off)."""
    i = _in.as_tensor(indices)
    if isinstance(depth, (int, np.integer)) and not isinstance(depth, bool):
        depth = int(depth)
    else:   # TensorFlow converts depth to an int32 tensor (3.5 and int64 tensors are rejected)
        depth = int(convert_to_tensor(depth, D.int32).numpy())
    dtype = None if dtype is None else D.as_dtype(dtype)
    on = None if on_value is None else convert_to_tensor(on_value, dtype_hint=dtype)
    off = None if off_value is None else convert_to_tensor(off_value, dtype_hint=dtype)
    for value, what in ((on, "on_value"), (off, "off_value")):
        if value is not None and dtype is not None and value.dtype is not dtype:
            raise TypeError(f"dtype {value.dtype!r} of {what} does not match dtype parameter "
                            f"{dtype!r}")
    if dtype is None:
        dtype = on.dtype if on is not None else off.dtype if off is not None else D.float32
    on = convert_to_tensor(1, dtype) if on is None else on
    off = convert_to_tensor(0, dtype) if off is None else off
    if on.dtype is not off.dtype:
        raise TypeError(f"dtype {on.dtype!r} of on_value does not match dtype {off.dtype!r} of "
                        "off_value")
    axis = -1 if axis is None else _static_int(axis, "axis")
    if i.ndim is not None and not -1 <= axis <= i.ndim:
        raise op_error(_BAD, "OneHot", f"Expected axis to be -1 or between [0, {i.ndim + 1}).  "
                       f"But received: {axis}")
    if depth < 0:
        raise op_error(_BAD, "OneHot", f"depth must be non-negative, got: {depth}")
    if on.ndim or off.ndim:
        raise op_error(_BAD, "OneHot", f"on_value and off_value must be scalars, got shapes "
                       f"{on.shape} and {off.shape}")
    return execute(ONE_HOT, (i, on, off), {"depth": depth, "axis": axis})
