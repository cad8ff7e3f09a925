"""Array manipulation: reshape, transpose, concat, split, where, zeros/ones and friends.

Shape queries, tiling, padding, reversing and rolling live in ``array_shape_ops``; fill, zeros,
ones, range, linspace, eye and meshgrid in ``array_create_ops``. Both are re-exported from here
(import them from this module).
"""
import builtins  # this module re-exports ndflow's range, which shadows the builtin
import operator

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.context import GRAPHS
from ndflow.backend import xp as _xp
from ndflow.ops import inputs as _in
from ndflow.framework.tensor import Tensor
from ndflow.ops.registry import execute, register, register_gradient, op_error

__all__ = ['where', 'reshape', 'broadcast_to', 'zeros_like', 'ones_like', 'stack', 'unstack',
           'transpose', 'expand_dims', 'squeeze', 'concat', 'split', 'identity_n']


def _reshape_kernel(xp, x, shape):
    try:
        return x.reshape(shape)
    except ValueError:
        raise op_error(errors.InvalidArgumentError, "Reshape",
                       f"Input to reshape is a tensor with {x.size} values, but the requested "
                       f"shape has {int(_xp.prod([d for d in shape if d != -1]))}"
                       f"{' (or a multiple, with -1)' if -1 in shape else ''}: "
                       f"cannot reshape {list(x.shape)} to {list(shape)}") from None


RESHAPE = register("Reshape", _reshape_kernel)
def _broadcast_to_kernel(xp, x, shape):
    if x.ndim == 0 and x.dtype.kind in "biufc":
        return xp.full(shape, x)  # a scalar (a full sum's gradient): filling beats NumPy's view
    return xp.broadcast_to(x, shape)


BROADCAST_TO = register("BroadcastTo", _broadcast_to_kernel)
SELECT = register("SelectV2", lambda xp, c, x, y: xp.where(c, x, y), same_dtype=(1, 2))
ZEROS_LIKE = register("ZerosLike", lambda xp, x: xp.zeros(x.shape, x.dtype))
ONES_LIKE = register("OnesLike", lambda xp, x: xp.array(1, x.dtype) if x.ndim == 0
                     else xp.ones(x.shape, x.dtype))


def symbolic_shape(shape):
    """``shape`` as an int tensor when part of it is only known when a traced function runs
    (a symbolic tensor, or a list holding symbolic scalars); None when it is static."""
    if not GRAPHS:
        return None
    if isinstance(shape, Tensor) and getattr(shape, "_const", 0) is None:
        return shape
    if isinstance(shape, (list, tuple)) and any(
            isinstance(d, Tensor) and getattr(d, "_const", 0) is None for d in shape):
        return stack([d if isinstance(d, Tensor) else (-1 if d is None else d) for d in shape])
    return None


def _shape_tuple(shape):
    if type(shape) is list or type(shape) is tuple:
        pass
    elif hasattr(shape, "_as_tensor") or hasattr(shape, "numpy"):
        shape = _in.as_tensor(shape).numpy().tolist()
    elif hasattr(shape, "as_list"):
        shape = shape.as_list()
    elif isinstance(shape, int):
        shape = [shape]
    return tuple(-1 if d is None else int(d) for d in shape)


def reshape(tensor, shape, name=None):
    """The same values in a new shape; one dimension may be -1 (inferred)."""
    x = _in.as_tensor(tensor)
    dynamic = symbolic_shape(shape)
    if dynamic is not None:   # the shape is an input, as in TensorFlow's Reshape
        return execute(RESHAPE, (x, dynamic))
    return execute(RESHAPE, (x,), {"shape": _shape_tuple(shape)})


def broadcast_to(input, shape, name=None):  # noqa: A002 - TensorFlow's argument name
    """Broadcasts ``input`` to ``shape``."""
    x = _in.as_tensor(input)
    dynamic = symbolic_shape(shape)
    if dynamic is not None:
        return execute(BROADCAST_TO, (x, dynamic))
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
    x = op.inputs[0]
    shape = x.shape.dims if x.shape.is_fully_defined() else shape_of(x)
    return (reshape(dy, shape),) + (None,) * (len(op.inputs) - 1)


@register_gradient("BroadcastTo")
def _broadcast_to_grad(op, dy):
    from ndflow.ops.math_ops import unbroadcast
    return (unbroadcast(dy, op.inputs[0]),) + (None,) * (len(op.inputs) - 1)


@register_gradient("SelectV2")
def _select_grad(op, dy):
    from ndflow.ops.math_ops import unbroadcast
    c, x, y = op.inputs
    zeros = zeros_like(dy)
    return None, unbroadcast(where_v2(c, dy, zeros), x), unbroadcast(where_v2(c, zeros, dy), y)



PACK = register("Pack", lambda xp, *xs, axis: xp.stack(xs, axis=axis))


def stack(values, axis=0, name="stack"):
    """Stacks a list of same-shaped tensors along a new ``axis``."""
    if not values or axis == 0 and not any(isinstance(v, Tensor) for v in values):
        return _in.as_tensor(list(values) if values else [])  # plain values pack as a constant
    tensors = _same_dtype_tensors(values, "Pack")
    first = tensors[0]
    for i, t in enumerate(tensors[1:], 1):
        if not t.shape.is_compatible_with(first.shape):
            raise errors.InvalidArgumentError(
                None, None, f"Shapes of all inputs must match: values[0].shape = "
                f"{first.shape.as_list()} != values[{i}].shape = {t.shape.as_list()} [Op:Pack] "
                f"name: {name}")
    if first.ndim is None:
        # Unknown rank while tracing: NumPy's stack checks the axis when the graph runs.
        return execute(PACK, tuple(tensors), {"axis": axis})
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


def invalid(op_name, message):
    """TensorFlow's InvalidArgumentError for a bad argument of ``op_name``."""
    return op_error(errors.InvalidArgumentError, op_name, message)


def int_values(value, attr, op_name):
    """A static integer argument (perm, multiples, paddings, axes...) as a NumPy int array; a
    non-integer one raises TensorFlow's InvalidArgumentError naming the op's attribute."""
    arr = np.asarray(value)
    if arr.dtype.kind in "iu":
        return arr
    if arr.size == 0 and arr.dtype.kind == "f":  # [] converts to int32 in TensorFlow
        return arr.astype(np.int32)
    kind = _in.as_tensor(value).dtype.name if arr.dtype.kind != "O" else "object"
    raise invalid(op_name, f"Value for attr '{attr}' of {kind} is not in the list of allowed "
                            f"values: int32, int64")


def scalar_int(value, what="axis"):
    """An int from a Python/NumPy int or a one-element integer tensor or list (TensorFlow
    converts such arguments to int32, so floats raise TypeError)."""
    try:
        return operator.index(value)
    except TypeError:
        pass
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu" or arr.size != 1:
        raise TypeError(f"Cannot convert {value!r} to EagerTensor of dtype int32 (argument "
                        f"`{what}` must be one integer)")
    return int(arr.reshape(()))


# -- transpose ---------------------------------------------------------------------------------

# ``perm`` None reverses the axes: the default perm of an input whose rank is unknown while
# tracing.
TRANSPOSE = register("Transpose", lambda xp, x, perm: xp.transpose(x, perm))
CONJUGATE_TRANSPOSE = register("ConjugateTranspose",
                               lambda xp, x, perm: xp.conj(xp.transpose(x, perm)))


def _perm(perm, ndim):
    if isinstance(perm, (list, tuple)) and len(perm) == ndim:
        try:
            p = tuple([operator.index(a) % ndim if -ndim <= a < ndim else None for a in perm])
        except TypeError:
            p = None
        if p is not None and None not in p and len(set(p)) == ndim:
            return p
    arr = int_values(perm, "Tperm", "Transpose")
    if arr.ndim != 1:
        raise invalid("Transpose", f"perm must be rank 1, got shape {list(arr.shape)}")
    if arr.size != ndim:
        raise invalid("Transpose", f"transpose expects a vector of size {ndim}. But input(1) "
                                    f"is a vector of size {arr.size}")
    for a in arr:
        if not -ndim <= a < ndim:
            raise invalid("Transpose", f"{a} is out of range [0 .. {ndim})")
    p = tuple(int(a) % ndim for a in arr)
    for i in builtins.range(ndim):
        if i not in p:
            raise invalid("Transpose", f"{i} is missing from {{{','.join(map(str, p))}}}.")
    return p


def transpose(a, perm=None, conjugate=False, name="transpose"):
    """Permutes the axes of ``a`` (reverses them by default); ``conjugate`` also conjugates
    complex values."""
    x = _in.as_tensor(a)
    ndim = x.ndim
    if ndim is None:          # unknown rank while tracing: the kernel checks the perm
        perm = None if perm is None else tuple(int(p) for p in int_values(perm, "Tperm",
                                                                          "Transpose"))
    elif perm is None:
        perm = tuple(builtins.range(ndim - 1, -1, -1))
    else:
        perm = _perm(perm, ndim)
    op = CONJUGATE_TRANSPOSE if conjugate and x.dtype.is_complex else TRANSPOSE
    return execute(op, (x,), {"perm": perm})


def _inverse_perm(perm):
    return None if perm is None else tuple(int(i) for i in np.argsort(perm))


@register_gradient("Transpose")
def _transpose_grad(op, dy):
    return (transpose(dy, _inverse_perm(op.get_attr("perm"))),)


@register_gradient("ConjugateTranspose")
def _conjugate_transpose_grad(op, dy):
    return (transpose(dy, _inverse_perm(op.get_attr("perm")), conjugate=True),)


# -- expand_dims, squeeze ----------------------------------------------------------------------

EXPAND_DIMS = register("ExpandDims", lambda xp, x, axis: xp.expand_dims(x, axis))
SQUEEZE = register("Squeeze", lambda xp, x, squeeze_dims: xp.squeeze(x, squeeze_dims))


def expand_dims(input, axis, name=None):  # noqa: A002 - TensorFlow's argument name
    """Inserts a dimension of size 1 at ``axis`` (negative counts from the end)."""
    x = _in.as_tensor(input)
    if type(axis) is not int:
        if axis is None:
            raise ValueError("Attempt to convert a value (None) with an unsupported type "
                             "(<class 'NoneType'>) to a Tensor.")
        arr = int_values(axis, "Tdim", "ExpandDims")
        if arr.size != 1:
            raise invalid("ExpandDims", "'dim' must be a tensor with a single value")
        axis = int(arr.reshape(()))
    if x.ndim is None:        # unknown rank while tracing: the kernel checks the axis
        return execute(EXPAND_DIMS, (x,), {"axis": axis})
    rank = x.ndim + 1
    if not -rank <= axis < rank:
        raise invalid("ExpandDims", f"Tried to expand dim index {axis} for tensor with "
                                     f"{x.ndim} dimensions.")
    return execute(EXPAND_DIMS, (x,), {"axis": axis % rank})


def squeeze(input, axis=None, name=None):  # noqa: A002
    """Removes dimensions of size 1: all of them, or those in ``axis`` (which must be 1)."""
    x = _in.as_tensor(input)
    shape = x.shape.dims
    if axis is None:
        if not x.shape.is_fully_defined():
            # An unknown dimension may be 1 when the graph runs: squeeze what is 1 then.
            return execute(SQUEEZE, (x,), {"squeeze_dims": None})
        dims = tuple(i for i, d in enumerate(shape) if d == 1)
    else:
        if isinstance(axis, Tensor) or hasattr(axis, "_as_tensor"):
            raise TypeError(f"Expected list for 'axis' argument to 'squeeze' Op, not {axis!r}.")
        axes = tuple(int(a) for a in (axis if isinstance(axis, (list, tuple)) else [axis]))
        if shape is None:     # unknown rank while tracing: the kernel checks the axes
            return execute(SQUEEZE, (x,), {"squeeze_dims": axes})
        ndim = len(shape)
        dims = set()
        for a in axes:
            if not -ndim <= a < ndim:
                raise invalid("Squeeze", f"Tried to squeeze dim index {a} for tensor with "
                                          f"{ndim} dimensions.")
            if shape[a] not in (1, None):
                raise invalid("Squeeze", f"Can not squeeze dim[{a % ndim}], expected a "
                                          f"dimension of 1, got {shape[a]}")
            dims.add(a % ndim)
        dims = tuple(sorted(dims))
    return execute(SQUEEZE, (x,), {"squeeze_dims": dims})


def _reshape_like(dy, x):
    """``dy`` in the shape of ``x``: its static shape, else its shape when the graph runs."""
    if x.shape.is_fully_defined():
        return reshape(dy, x.shape.dims)
    from ndflow.ops.array_shape_ops import shape
    return reshape(dy, shape(x))


@register_gradient("ExpandDims")
def _expand_dims_grad(op, dy):
    return (_reshape_like(dy, op.inputs[0]),)


@register_gradient("Squeeze")
def _squeeze_grad(op, dy):
    return (_reshape_like(dy, op.inputs[0]),)


def _same_dtype_tensors(values, op_name):
    """Converts a list of values: non-tensors take the dtype of the first tensor (or of the
    first value); tensors of another dtype raise InvalidArgumentError."""
    dtype = None
    for v in values:
        if isinstance(v, Tensor):
            dtype = v.dtype
            break
    tensors = []
    for i, v in enumerate(values):
        t = _in.as_tensor(v, None if isinstance(v, Tensor) else dtype)
        if dtype is None:
            dtype = t.dtype
        elif t.dtype is not dtype:
            raise invalid(op_name, f"cannot compute {op_name} as input #{i}(zero-based) was "
                                    f"expected to be a {dtype.name} tensor but is a "
                                    f"{t.dtype.name} tensor")
        tensors.append(t)
    return tensors


# -- identity_n --------------------------------------------------------------------------------

IDENTITY_N = register("IdentityN", lambda xp, *xs: xs, num_outputs=None)


def identity_n(input, name=None):  # noqa: A002
    """Returns the given tensors unchanged, as a list (gradients pass straight through)."""
    tensors = tuple(_in.as_tensor(v) for v in input)
    if not tensors:
        raise invalid("IdentityN", "Length for attr 'T' of 0 must be at least minimum 1")
    return list(execute(IDENTITY_N, tensors))


@register_gradient("IdentityN")
def _identity_n_grad(op, *dys):
    return dys


# The other array modules import this one, so they are loaded last (see the module docstring).
from ndflow.ops import array_split_ops as _split_ops  # noqa: E402
from ndflow.ops.array_split_ops import concat, split  # noqa: E402,F401
from ndflow.ops import array_shape_ops as _shape_ops, array_create_ops as _create_ops  # noqa: E402
from ndflow.ops.array_shape_ops import *  # noqa: E402,F401,F403
from ndflow.ops.array_create_ops import *  # noqa: E402,F401,F403
from ndflow.ops import array_misc_ops as _misc_ops  # noqa: E402
from ndflow.ops.array_misc_ops import *  # noqa: E402,F401,F403

__all__ += ['slice'] + _shape_ops.__all__ + _create_ops.__all__ + _misc_ops.__all__
slice = _split_ops.slice  # noqa: A001 - TensorFlow's name


def shape_of(x):
    """The run-time shape of ``x`` (tf.shape)."""
    from ndflow.ops.array_shape_ops import shape
    return shape(x)
