"""Array manipulation: reshape, transpose, concat, gather, where, zeros/ones and friends."""
from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.backend import xp as _xp
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, register, register_gradient, op_error

__all__ = ['where', 'reshape', 'broadcast_to', 'zeros_like', 'ones_like', 'stack', 'unstack', 'fill', 'zeros', 'ones']


def _reshape_kernel(xp, x, shape):
    try:
        return xp.reshape(x, shape)
    except ValueError:
        raise op_error(errors.InvalidArgumentError, "Reshape",
                       f"Input to reshape is a tensor with {x.size} values, but the requested "
                       f"shape has {int(_xp.prod([d for d in shape if d != -1]))}"
                       f"{' (or a multiple, with -1)' if -1 in shape else ''}: "
                       f"cannot reshape {list(x.shape)} to {list(shape)}") from None


RESHAPE = register("Reshape", _reshape_kernel)
BROADCAST_TO = register("BroadcastTo", lambda xp, x, shape: xp.broadcast_to(x, shape))
SELECT = register("SelectV2", lambda xp, c, x, y: xp.where(c, x, y), same_dtype=(1, 2))
ZEROS_LIKE = register("ZerosLike", lambda xp, x: xp.zeros_like(x))
ONES_LIKE = register("OnesLike", lambda xp, x: xp.ones_like(x))


def _shape_tuple(shape):
    if hasattr(shape, "_as_tensor") or hasattr(shape, "numpy"):
        shape = _in.as_tensor(shape).numpy().tolist()
    elif hasattr(shape, "as_list"):
        shape = shape.as_list()
    elif isinstance(shape, int):
        shape = [shape]
    return tuple(-1 if d is None else int(d) for d in shape)


def reshape(tensor, shape, name=None):
    """The same values in a new shape; one dimension may be -1 (inferred)."""
    x = _in.as_tensor(tensor)
    return execute(RESHAPE, (x,), {"shape": _shape_tuple(shape)})


def broadcast_to(input, shape, name=None):  # noqa: A002 - TensorFlow's argument name
    """Broadcasts ``input`` to ``shape``."""
    x = _in.as_tensor(input)
    return execute(BROADCAST_TO, (x,), {"shape": _shape_tuple(shape)})


def where_v2(condition, x, y):
    """Elements of x where condition is true, else of y (all three broadcast)."""
    c = _in.as_tensor(condition)
    x, y = _in.binary(x, y)
    if c.dtype is not D.bool:
        raise errors.InvalidArgumentError(None, None,
                                          f"where: condition must be bool, got {c.dtype.name}")
    return execute(SELECT, (c, x, y))


WHERE = register("Where", lambda xp, c: xp.argwhere(c).astype(xp.int64))


def where(condition, x=None, y=None, name=None):
    """With x and y: elements of x where condition is true, else of y (broadcast). With
    condition only: the int64 coordinates of its true (non-zero) elements, one row each."""
    if x is None and y is None:
        return execute(WHERE, (_in.as_tensor(condition),))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    return where_v2(condition, x, y)


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    """A tensor of zeros with the shape (and dtype unless given) of ``input``."""
    x = _in.as_tensor(input)
    out = execute(ZEROS_LIKE, (x,))
    return out if dtype is None else _cast(out, dtype)


def ones_like(input, dtype=None, name=None):  # noqa: A002
    """A tensor of ones with the shape (and dtype unless given) of ``input``."""
    x = _in.as_tensor(input)
    out = execute(ONES_LIKE, (x,))
    return out if dtype is None else _cast(out, dtype)


def _cast(x, dtype):
    from ndflow.ops.math_ops import cast
    return cast(x, dtype)


@register_gradient("Reshape")
def _reshape_grad(op, dy):
    return (reshape(dy, op.inputs[0].shape.dims),)


@register_gradient("BroadcastTo")
def _broadcast_to_grad(op, dy):
    from ndflow.ops.math_ops import unbroadcast
    return (unbroadcast(dy, op.inputs[0]),)


@register_gradient("SelectV2")
def _select_grad(op, dy):
    from ndflow.ops.math_ops import unbroadcast
    c, x, y = op.inputs
    zeros = zeros_like(dy)
    return None, unbroadcast(where_v2(c, dy, zeros), x), unbroadcast(where_v2(c, zeros, dy), y)



PACK = register("Pack", lambda xp, *xs, axis: xp.stack(xs, axis=axis))


def stack(values, axis=0, name="stack"):
    """Stacks a list of same-shaped tensors along a new ``axis``."""
    tensors = [_in.as_tensor(v) for v in values]
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype is not first.dtype:
            raise errors.InvalidArgumentError(
                None, None, f"cannot compute Pack as input #{i}(zero-based) was expected to be a "
                f"{first.dtype.name} tensor but is a {t.dtype.name} tensor")
        if t.shape != first.shape:
            raise errors.InvalidArgumentError(
                None, None, f"Shapes of all inputs must match: values[0].shape = {first.shape} "
                f"!= values[{i}].shape = {t.shape} [Op:Pack] name: {name}")
    rank = first.ndim + 1
    if not -rank <= axis < rank:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-rank}, {rank})")
    return execute(PACK, tuple(tensors), {"axis": axis % rank})


@register_gradient("Pack")
def _pack_grad(op, dy):
    axis = op.get_attr("axis")
    from ndflow.ops.array_ops import unstack
    return unstack(dy, num=len(op.inputs), axis=axis)


UNPACK = register("Unpack", lambda xp, x, num, axis: tuple(xp.moveaxis(x, axis, 0)),
                  num_outputs=None)


def unstack(value, num=None, axis=0, name="unstack"):
    """Splits a tensor into a list of tensors along ``axis`` (which is removed)."""
    x = _in.as_tensor(value)
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"Argument `axis` = {axis} not in range [{-x.ndim}, {x.ndim})")
    axis %= x.ndim
    size = x.shape[axis]
    if num is not None and num != size:
        raise errors.InvalidArgumentError(None, None, f"Input shape axis {axis} must equal "
                                          f"{num}, got shape {x.shape}")
    return list(execute(UNPACK, (x,), {"num": size, "axis": axis}))


@register_gradient("Unpack")
def _unpack_grad(op, *dys):
    return (stack(list(dys), axis=op.get_attr("axis")),)


FILL = register("Fill", lambda xp, value, shape: xp.full(shape, value, dtype=value.dtype))


def fill(dims, value, name=None):
    """A tensor of shape ``dims`` filled with the scalar ``value``."""
    v = _in.as_tensor(value)
    return execute(FILL, (v,), {"shape": _shape_tuple(dims)})


@register_gradient("Fill")
def _fill_grad(op, dy):
    from ndflow.ops.reduce_ops import reduce_sum
    return (reduce_sum(dy),)


def zeros(shape, dtype=D.float32, name=None):
    """A tensor of zeros."""
    dtype = D.as_dtype(dtype)
    return fill(shape, _in.as_tensor(0, dtype) if dtype is not D.bool else False)


def ones(shape, dtype=D.float32, name=None):
    """A tensor of ones."""
    dtype = D.as_dtype(dtype)
    return fill(shape, _in.as_tensor(1, dtype) if dtype is not D.bool else True)
