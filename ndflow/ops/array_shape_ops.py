"""Shape queries and shape-changing copies: shape, size, rank, tile, pad, reverse, roll, repeat.

Re-exported by ``array_ops`` (import these functions from there).
"""
import operator

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework.tensor import Tensor
from ndflow.ops import inputs as _in
from ndflow.ops.array_ops import (expand_dims, int_values, invalid, reshape, scalar_int,
                                  split, stack, symbolic_shape, transpose)
from ndflow.ops.registry import execute, register, register_gradient

__all__ = ['shape', 'shape_n', 'size', 'rank', 'tile', 'pad', 'reverse', 'roll', 'repeat']

_INDEX_TYPES = (D.int32, D.int64)


# -- shape, size, rank (no gradients: their values do not depend on the input's values) -------

SHAPE = register("Shape", lambda xp, x, out_type: xp.asarray(x.shape, dtype=out_type))
SIZE = register("Size", lambda xp, x, out_type: xp.asarray(x.size, dtype=out_type))
RANK = register("Rank", lambda xp, x: xp.asarray(x.ndim, dtype=xp.int32))


def _out_type(out_type, op_name, allowed=_INDEX_TYPES):
    dtype = D.int32 if out_type is None else D.as_dtype(out_type)
    if dtype not in allowed:
        names = ", ".join(d.name for d in sorted(allowed, key=lambda d: d.name))
        raise invalid(op_name, f"Value for attr 'out_type' of {dtype.name} is not in the list "
                                f"of allowed values: {names}")
    return dtype.as_numpy_dtype


def shape(input, out_type=None, name=None):  # noqa: A002 - TensorFlow's argument name
    """The shape of ``input`` as a 1-D int32 (or ``out_type``) tensor."""
    return execute(SHAPE, (_in.as_tensor(input),), {"out_type": _out_type(out_type, "Shape")})


def shape_n(input, out_type=D.int32, name=None):  # noqa: A002
    """The shapes of a list of tensors, as a list of 1-D tensors."""
    dtype = _out_type(out_type, "ShapeN")
    return [execute(SHAPE, (_in.as_tensor(t),), {"out_type": dtype}) for t in input]


def size(input, out_type=None, name=None):  # noqa: A002
    """The number of elements of ``input`` as a scalar int32 (or ``out_type``) tensor."""
    return execute(SIZE, (_in.as_tensor(input),),
                   {"out_type": _out_type(out_type, "Size", D.REAL)})


def rank(input, name=None):  # noqa: A002
    """The number of dimensions of ``input`` as a scalar int32 tensor."""
    return execute(RANK, (_in.as_tensor(input),))


# -- tile --------------------------------------------------------------------------------------

TILE = register("Tile", lambda xp, x, multiples: xp.tile(x, multiples))


def tile(input, multiples, name=None):  # noqa: A002
    """Repeats ``input`` ``multiples[i]`` times along each axis i."""
    x = _in.as_tensor(input)
    dynamic = symbolic_shape(multiples)
    if dynamic is not None:
        # Known only when the traced function runs (e.g. ``tf.shape(y)``): an input of the op.
        count = dynamic.shape[0] if dynamic.shape.rank == 1 else None
        if dynamic.shape.rank not in (None, 1):
            raise ValueError(f"Shape must be rank 1 but is rank {dynamic.shape.rank} for "
                             f"multiples of Tile, shape {dynamic.shape}")
        if count is not None and x.ndim is not None and count != x.ndim:
            raise ValueError(f"Shape must be rank {x.ndim} but is rank {count} for the "
                             f"multiples of Tile (input shape {x.shape}): one multiple per "
                             f"input dimension")
        return execute(TILE, (x, dynamic))
    m = int_values(multiples, "Tmultiples", "Tile")
    if m.ndim != 1:
        raise invalid("Tile", f"Expected multiples to be 1-D, but got shape {list(m.shape)}")
    if x.ndim is not None and m.size != x.ndim:
        raise invalid("Tile", f"Expected multiples argument to be a vector of length "
                               f"{x.ndim} but got length {m.size}")
    for i, k in enumerate(m):
        if k < 0:
            raise invalid("Tile", f"Expected multiples[{i}] >= 0, but got {k}")
    return execute(TILE, (x,), {"multiples": tuple(int(k) for k in m)})


@register_gradient("Tile")
def _tile_grad(op, dy):
    from ndflow.ops.reduce_ops import reduce_sum
    x = op.inputs[0]
    dims = x.shape.dims
    if len(op.inputs) == 1 and x.shape.is_fully_defined():
        interleaved = []
        for k, d in zip(op.get_attr("multiples"), dims):
            interleaved += [k, d]
        summed = reduce_sum(reshape(dy, interleaved), list(range(0, 2 * len(dims), 2)))
        return (reshape(summed, dims),)
    # Multiples or input dimensions known only at run time: split each axis of dy into
    # (multiple, input size) with shapes computed in the graph, and sum over the multiples.
    from ndflow.ops.math_ops import cast
    if len(op.inputs) == 1:
        multiples = _in.as_tensor(list(op.get_attr("multiples")), D.int32)
    else:
        multiples = cast(op.inputs[1], D.int32)
    count = len(op.get_attr("multiples")) if len(op.inputs) == 1 else op.inputs[1].shape[0]
    if count is None:
        count = x.ndim
    pairs = reshape(transpose(stack([multiples, shape(x)])), [-1])
    summed = reduce_sum(reshape(dy, pairs), list(range(0, 2 * count, 2)))
    return (summed,) if len(op.inputs) == 1 else (summed, None)


# -- pad ---------------------------------------------------------------------------------------

def _constant_pad(xp, x, paddings, value):
    # Filling a new array and copying x in is several times faster than xp.pad.
    out = xp.full(tuple(d + a + b for d, (a, b) in zip(x.shape, paddings)), value, x.dtype)
    out[tuple(slice(a, a + d) for d, (a, _) in zip(x.shape, paddings))] = x
    return out


def _run_time_paddings(xp, x, paddings, op_name):
    """Paddings given as a tensor (known only when a traced function runs), checked then."""
    if isinstance(paddings, tuple):
        return paddings
    p = xp.asarray(paddings)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != x.ndim:
        raise invalid(op_name, f"The first dimension of paddings must be the rank of inputs"
                               f"{list(p.shape)} {list(x.shape)}")
    if (p < 0).any():
        raise invalid(op_name, f"Paddings must be non-negative: {p.tolist()}")
    return tuple((int(a), int(b)) for a, b in p)


def _pad_kernel(xp, x, paddings):
    return _constant_pad(xp, x, _run_time_paddings(xp, x, paddings, "Pad"), 0)


def _padv2_kernel(xp, x, constant_values, paddings):
    return _constant_pad(xp, x, _run_time_paddings(xp, x, paddings, "PadV2"), constant_values)


def _mirror_pad_kernel(xp, x, paddings, mode):
    paddings = _run_time_paddings(xp, x, paddings, "MirrorPad")
    _check_mirror(paddings, x.shape, mode)
    return xp.pad(x, paddings, mode=mode.lower())


PAD = register("Pad", _pad_kernel)
PADV2 = register("PadV2", _padv2_kernel, same_dtype=(0, 1))
MIRROR_PAD = register("MirrorPad", _mirror_pad_kernel)


def _paddings(paddings, x, op_name):
    if isinstance(paddings, (list, tuple)) and len(paddings) == x.ndim:
        try:
            p = tuple((operator.index(a), operator.index(b)) for a, b in paddings)
        except (TypeError, ValueError):  # not pairs of ints: check them as an array below
            p = None
        if p is not None and all(a >= 0 and b >= 0 for a, b in p):
            return p
    p = int_values(paddings, "Tpaddings", op_name)
    if p.ndim != 2 or p.shape[1] != 2:
        raise invalid(op_name, f"paddings must be a matrix with 2 columns: {list(p.shape)}")
    if x.ndim is not None and p.shape[0] != x.ndim:
        raise invalid(op_name, f"The first dimension of paddings must be the rank of inputs"
                                f"{list(p.shape)} {x.shape.as_list()}")
    for before, after in p:
        if before < 0 or after < 0:
            what = "Paddings" if op_name == "Pad" else "paddings"
            raise invalid(op_name, f"{what} must be non-negative: {before} {after}")
    return tuple((int(a), int(b)) for a, b in p)


def _check_mirror(paddings, dims, mode):
    reflect = mode == "REFLECT"
    for (before, after), d in zip(paddings, dims or ()):
        if d is not None and before > d - reflect or after > d - reflect:
            limit = "less than" if reflect else "no greater than"
            raise invalid("MirrorPad", f"paddings must be {limit} the dimension size: "
                                        f"{before}, {after} vs. {d}")


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pads ``tensor`` with ``paddings[i] = [before, after]`` values along each axis i:
    ``constant_values`` (CONSTANT), or a mirror image without (REFLECT) or with (SYMMETRIC)
    the edge element."""
    x = _in.as_tensor(tensor)
    upper = mode.upper() if isinstance(mode, str) else mode
    if upper not in ("CONSTANT", "REFLECT", "SYMMETRIC"):
        raise ValueError(f'Value of argument `mode` expected to be one of "CONSTANT", "REFLECT", '
                         f'or "SYMMETRIC". Received `mode` = {mode}')
    dynamic = _symbolic_paddings(paddings)
    if dynamic is not None:
        return _pad_by_tensor(x, dynamic, upper, constant_values)
    if upper != "CONSTANT":
        p = _paddings(paddings, x, "MirrorPad")
        _check_mirror(p, x.shape.dims, upper)
        return execute(MIRROR_PAD, (x,), {"paddings": p, "mode": upper})
    # A literal zero keeps the old Pad op, as TensorFlow does.
    if not isinstance(constant_values, Tensor) and np.ndim(constant_values) == 0 and \
            not isinstance(constant_values, (str, bytes)) and constant_values == 0:
        return execute(PAD, (x,), {"paddings": _paddings(paddings, x, "Pad")})
    c = _in.as_tensor(constant_values, None if isinstance(constant_values, Tensor) else x.dtype)
    p = _paddings(paddings, x, "PadV2")
    if c.ndim != 0:
        raise invalid("PadV2", f"constant_values must be a scalar. Found: {c.shape.as_list()}")
    return execute(PADV2, (x, c), {"paddings": p})


def _symbolic_paddings(paddings):
    """``paddings`` as an int tensor when part of it is only known when a traced function
    runs (a symbolic tensor, or nested lists holding symbolic scalars); None otherwise."""
    if isinstance(paddings, Tensor):
        return paddings if getattr(paddings, "_const", 0) is None else None
    if isinstance(paddings, (list, tuple)) and any(
            isinstance(v, Tensor) and getattr(v, "_const", 0) is None
            for row in paddings if isinstance(row, (list, tuple)) for v in row):
        from ndflow.ops.array_create_ops import pack_nested
        return pack_nested(paddings)
    return None


def _pad_by_tensor(x, paddings, mode, constant_values):
    """Pads with a paddings tensor, an input of the op as in TensorFlow; the kernels check
    it when the graph runs."""
    if paddings.dtype not in _INDEX_TYPES:
        raise invalid("Pad", f"Value for attr 'Tpaddings' of {paddings.dtype.name} is not in "
                             f"the list of allowed values: int32, int64")
    if mode != "CONSTANT":
        return execute(MIRROR_PAD, (x, paddings), {"mode": mode})
    if not isinstance(constant_values, Tensor) and np.ndim(constant_values) == 0 and \
            constant_values == 0:
        return execute(PAD, (x, paddings))
    c = _in.as_tensor(constant_values, None if isinstance(constant_values, Tensor) else x.dtype)
    return execute(PADV2, (x, c, paddings))


def _unpad(op, dy, static_inputs):
    """The slice of ``dy`` that the padded op's input filled (the paddings are an attribute
    when the op has ``static_inputs`` inputs, else its last input)."""
    x = op.inputs[0]
    if len(op.inputs) == static_inputs:
        paddings = op.get_attr("paddings")
        if dy.shape.is_fully_defined():
            return dy[tuple(slice(before, dim - after)
                            for (before, after), dim in zip(paddings, dy.shape.dims))]
        begin = [before for before, _ in paddings]
    else:
        from ndflow.ops.math_ops import cast
        begin = cast(op.inputs[-1], D.int32)[:, 0]
    from ndflow.ops.array_split_ops import slice as slice_op
    return slice_op(dy, begin, shape(x))


@register_gradient("Pad")
def _pad_grad(op, dy):
    return (_unpad(op, dy, 1),) + (None,) * (len(op.inputs) - 1)


@register_gradient("PadV2")
def _padv2_grad(op, dy):
    # Like TensorFlow, no gradient flows to constant_values.
    return (_unpad(op, dy, 2), None) + (None,) * (len(op.inputs) - 2)


@register_gradient("MirrorPad")
def _mirror_pad_grad(op, dy):
    """Folds the mirrored borders back onto the elements they copy, one axis at a time."""
    offset = 1 if op.get_attr("mode") == "REFLECT" else 0
    ndim = dy.ndim
    for axis, (before, after) in enumerate(op.get_attr("paddings")):
        if not before and not after:
            continue
        total = dy.shape[axis]
        n = total - before - after
        parts = split(dy, [before, n, after], axis)
        grad = parts[1]
        zero = [[0, 0]] * ndim
        if before:
            spec = list(zero)
            spec[axis] = [offset, n - before - offset]
            grad = grad + pad(reverse(parts[0], [axis]), spec)
        if after:
            spec = list(zero)
            spec[axis] = [n - after - offset, offset]
            grad = grad + pad(reverse(parts[2], [axis]), spec)
        dy = grad
    return (dy,)


# -- reverse, roll -----------------------------------------------------------------------------

REVERSE = register("ReverseV2", lambda xp, x, axis: xp.flip(x, axis))
ROLL = register("Roll", lambda xp, x, shift, axis: xp.roll(x, shift, axis))


def reverse(tensor, axis, name=None):
    """Reverses ``tensor`` along each axis in the list ``axis``."""
    x = _in.as_tensor(tensor)
    a = int_values(axis, "Tidx", "ReverseV2")
    if a.ndim != 1:
        raise invalid("ReverseV2", f"'dims' must be 1-dimension, not {a.ndim}")
    ndim = x.ndim
    if ndim is None:          # unknown rank while tracing: the kernel checks the axes
        return execute(REVERSE, (x,), {"axis": tuple(int(d) for d in a)})
    seen = []
    for i, d in enumerate(a):
        if not -ndim <= d < ndim:
            raise invalid("ReverseV2", f"'axis'[{i}] = {d} is out of valid range "
                                        f"[0, {ndim - 1}]")
        d = int(d) % ndim
        if d in seen:
            raise invalid("ReverseV2", f"axis {d} specified more than once.")
        seen.append(d)
    return execute(REVERSE, (x,), {"axis": tuple(seen)})


@register_gradient("ReverseV2")
def _reverse_grad(op, dy):
    return (reverse(dy, list(op.get_attr("axis"))),)


def roll(input, shift, axis, name=None):  # noqa: A002
    """Shifts elements cyclically by ``shift[i]`` along ``axis[i]`` (scalars or lists)."""
    x = _in.as_tensor(input)
    s = int_values(shift, "Tshift", "Roll")
    a = int_values(axis, "Taxis", "Roll")
    if x.ndim == 0:
        raise invalid("Roll", "input must be 1-D or higher")
    for what, v in (("shift", s), ("axis", a)):
        if v.ndim > 1:
            raise invalid("Roll", f"{what} must be a scalar or a 1-D vector. Found: "
                                   f"{list(v.shape)}")
    if s.shape != a.shape:
        raise invalid("Roll", "shift and axis must have the same size")
    ndim = x.ndim
    axes = []
    for d in a.reshape(-1):
        if not -ndim <= d < ndim:
            raise invalid("Roll", f"axis {d} is out of range")
        axes.append(int(d) % ndim)
    shifts = tuple(int(k) for k in s.reshape(-1))
    return execute(ROLL, (x,), {"shift": shifts, "axis": tuple(axes)})


@register_gradient("Roll")
def _roll_grad(op, dy):
    shifts = [-k for k in op.get_attr("shift")]
    return (roll(dy, shifts, list(op.get_attr("axis"))),)


# -- repeat (composite, so its gradient comes from the ops it uses) ----------------------------

def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """Repeats each element ``repeats`` times (a scalar, or one count per element along
    ``axis``); with ``axis=None`` the input is flattened first."""
    x = _in.as_tensor(input)
    if axis is None:
        x = reshape(x, [-1])
        axis = 0
    axis = scalar_int(axis)
    ndim = x.ndim
    if ndim == 0:
        raise ValueError("repeat: the input must have rank >= 1 when an axis is given")
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis={axis} out of bounds: expected {-ndim}<=axis<{ndim}")
    axis %= ndim
    if isinstance(repeats, Tensor) and getattr(repeats, "_const", 0) is None:
        return _repeat_by_tensor(x, repeats, axis)
    r = int_values(repeats, "T", "Repeat")
    if r.ndim > 1:
        raise ValueError(f"Shape {tuple(r.shape)} must have rank at most 1")
    dims = x.shape.dims
    if r.size == 1:
        k = int(r.reshape(()))
        if k < 0:
            raise invalid("Tile", f"Expected multiples[{axis + 1}] >= 0, but got {k}")
        multiples = [1] * (ndim + 1)
        multiples[axis + 1] = k
        # Unknown dimensions (while tracing) are read from the run-time shape.
        sizes = shape(x) if None in dims else None
        out_shape = [sizes[i] if d is None else d for i, d in enumerate(dims)]
        out_shape[axis] *= k
        return reshape(tile(expand_dims(x, axis + 1), multiples), out_shape)
    if r.size != dims[axis]:
        raise ValueError(f"Dimensions {dims[axis]} and {r.size} are not compatible")
    # Negative counts mean 0, as in TensorFlow; the source index of every output slice is
    # known statically, so one gather builds the result (and gives the gradient).
    from ndflow.ops.gather_ops import gather
    sources = np.repeat(np.arange(dims[axis], dtype=np.int64), np.maximum(r, 0))
    return gather(x, sources, axis=axis)


def _repeat_by_tensor(x, repeats, axis):
    """``repeat`` with counts known only when a traced function runs: each output slice's
    source index is found by searching the running total of the counts."""
    from ndflow.ops.gather_ops import gather
    from ndflow.ops.math_ops import cast, maximum
    from ndflow.ops.math_extra_ops import cumsum
    from ndflow.ops.sort_ops import searchsorted
    from ndflow.ops.array_create_ops import range as range_op
    from ndflow.ops.array_ops import broadcast_to
    from ndflow.ops.reduce_ops import reduce_sum
    if repeats.shape.rank not in (0, 1, None):
        raise ValueError(f"Shape {tuple(repeats.shape.as_list())} must have rank at most 1")
    counts = maximum(cast(repeats, D.int64), 0)
    if repeats.shape.rank != 1:
        counts = broadcast_to(reshape(counts, [-1]), shape(x, out_type=D.int64)[axis:axis + 1])
    ends = cumsum(counts)
    sources = searchsorted(ends, range_op(reduce_sum(counts), dtype=D.int64), side="right",
                           out_type=D.int64)
    return gather(x, sources, axis=axis)
