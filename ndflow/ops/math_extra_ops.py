"""Math beyond single elementwise functions: atan2, add_n, clipping, cumulative sums and
products, polyval, divide_no_nan, truncatemod, polygamma and zeta."""
import collections.abc

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops import inputs as _in
from ndflow.ops import unary_special as _special
from ndflow.ops.math_ops import (add, binary_grads, cast, greater, maximum, minimum, multiply,
                                 negative, subtract, truediv, unbroadcast)
from ndflow.ops.registry import (dtype_mismatch, execute, op_error, register,
                                 register_gradient)
from ndflow.ops.unary_ops import sqrt, square

__all__ = ['atan2', 'add_n', 'divide_no_nan', 'cumsum', 'cumprod', 'truncatemod', 'polygamma',
           'zeta', 'polyval', 'clip_by_value', 'clip_by_norm', 'clip_by_global_norm']


# -- kernels -----------------------------------------------------------------------------------

def _atan2_kernel(xp, y, x):
    with np.errstate(invalid="ignore"):
        return xp.arctan2(y, x)


def _add_n_kernel(xp, *xs):
    out = xp.add(xs[0], xs[1])
    if not isinstance(out, xp.ndarray):  # 0-d inputs give a NumPy scalar: no in-place adds
        out = xp.array(out)
    for x in xs[2:]:
        xp.add(out, x, out=out)
    return out


def _div_no_nan_kernel(xp, x, y):
    if x.ndim == 0 and y.ndim == 0:  # the usual loss / count: plain scalar arithmetic
        return xp.array(0 if y == 0 else x / y, dtype=x.dtype)
    return xp.where(y == 0, xp.zeros((), x.dtype), x / y)


def _scan(name, xp_fn, identity):
    def kernel(xp, x, axis, exclusive, reverse):
        if reverse:
            x = xp.flip(x, axis)
        out = getattr(xp, xp_fn)(x, axis=axis, dtype=x.dtype)
        if exclusive and x.shape[axis]:
            # Shift by one along the axis, starting from the operation's identity.
            moved = xp.moveaxis(out, axis, 0)
            shifted = xp.empty_like(moved)
            shifted[0] = identity
            shifted[1:] = moved[:-1]
            out = xp.moveaxis(shifted, 0, axis)
        return xp.flip(out, axis) if reverse else out
    kernel.__name__ = f"_{name.lower()}_kernel"
    return kernel


def _truncatemod_kernel(xp, x, y):
    if x.dtype == np.float16:
        raise op_error(errors.NotFoundError, "TruncateMod",
                       "Could not find device for node: TruncateMod[T=half]: no kernel for half")
    if x.dtype.kind == "i" and not xp.all(y):
        # TensorFlow reports an integer modulo by zero as an internal error.
        raise op_error(errors.InternalError, "TruncateMod", "Integer modulo by zero")
    with np.errstate(divide="ignore", invalid="ignore"):
        return xp.fmod(x, y)


def _widened_binary(fn):
    def kernel(xp, a, x):
        with np.errstate(all="ignore"):
            out = fn(xp, xp.asarray(a, dtype=xp.float64), xp.asarray(x, dtype=xp.float64))
            return out.astype(x.dtype, copy=False)
    return kernel


_SCAN_TYPES = D.NUMBERS
ATAN2 = register("Atan2", _atan2_kernel, same_dtype=(0, 1), allowed=D.FLOATING)
ADD_N = register("AddN", _add_n_kernel, allowed=D.NUMBERS)
DIV_NO_NAN = register("DivNoNan", _div_no_nan_kernel, same_dtype=(0, 1), allowed=D.INEXACT)
CUMSUM = register("Cumsum", _scan("Cumsum", "cumsum", 0), allowed=_SCAN_TYPES)
CUMPROD = register("Cumprod", _scan("Cumprod", "cumprod", 1), allowed=_SCAN_TYPES)
TRUNCATEMOD = register("TruncateMod", _truncatemod_kernel, same_dtype=(0, 1),
                       allowed=frozenset((D.int32, D.int64, D.float16, D.float32, D.float64)))
_F32_F64 = frozenset((D.float32, D.float64))
POLYGAMMA = register("Polygamma", _widened_binary(_special.polygamma), same_dtype=(0, 1),
                     allowed=_F32_F64)
ZETA = register("Zeta", _widened_binary(_special.zeta), same_dtype=(0, 1), allowed=_F32_F64)


# -- elementwise and accumulating ops ---------------------------------------------------------

def atan2(y, x, name=None):
    """The angle of the point (x, y), atan(y / x) in the right quadrant, with broadcasting."""
    y, x = _in.binary(y, x)
    return execute(ATAN2, (y, x))


def add_n(inputs, name=None):
    """The elementwise sum of a list of tensors of one dtype and shape."""
    if not isinstance(inputs, collections.abc.Iterable) or isinstance(inputs, str):
        inputs = None
    else:
        inputs = list(inputs)
    if not inputs:
        raise ValueError("Inputs must be an iterable of at least one Tensor/IndexedSlices with "
                         "the same dtype and shape.")
    tensors = tuple(_in.as_tensor(t) for t in inputs)
    first = tensors[0]
    if len(tensors) == 1:
        return first
    for i, t in enumerate(tensors[1:], 1):
        if t._dtype is not first._dtype:
            raise dtype_mismatch(ADD_N, tensors, 0, i)
        if t.shape != first.shape:
            raise op_error(errors.InvalidArgumentError, "AddN",
                           f"Inputs to operation AddN of type AddN must have the same size and "
                           f"shape.  Input 0: {first.shape.as_list()} != input {i}: "
                           f"{t.shape.as_list()}")
    return execute(ADD_N, tensors)


def divide_no_nan(x, y, name=None):
    """x / y, but 0 wherever y is 0 (even where x is 0, inf or NaN); integers are divided as
    floats (like ``truediv``)."""
    x, y = _in.binary(x, y)
    if x.dtype is not y.dtype:
        raise TypeError(f"`x` and `y` must have the same dtype, got {x.dtype!r} != {y.dtype!r}.")
    if x.dtype.is_integer:
        target = D.float32 if x.dtype.size <= 2 else D.float64
        x, y = cast(x, target), cast(y, target)
    elif x.dtype is D.bool:
        raise TypeError("divide_no_nan does not support bool tensors: `x` and `y` must be "
                        "numeric.")
    return execute(DIV_NO_NAN, (x, y))


def truncatemod(x, y, name=None):
    """The remainder of division rounded toward zero; its sign follows x (C's fmod)."""
    x, y = _in.binary(x, y)
    return execute(TRUNCATEMOD, (x, y))


def polygamma(a, x, name=None):
    """The a-th derivative of digamma at x (a a non-negative integer value; NaN otherwise)."""
    a, x = _in.binary(a, x)
    return execute(POLYGAMMA, (a, x))


def zeta(x, q, name=None):
    """The Hurwitz zeta function: the sum over k >= 0 of (q + k) ** -x."""
    x, q = _in.binary(x, q)
    return execute(ZETA, (x, q))


def _scan_axis(op_type, axis, ndim):
    if isinstance(axis, Tensor) or hasattr(axis, "_as_tensor"):
        axis = _in.as_tensor(axis)
        if not axis.dtype.is_integer:
            raise TypeError(f"Cumulative op axis must be an int32 or int64 tensor, got "
                            f"{axis.dtype.name}")
        axis = int(axis.numpy())
    elif isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"Cannot convert {axis!r} to EagerTensor of dtype int32")
    if ndim is None:          # unknown rank while tracing: the kernel checks the axis
        return int(axis)
    if ndim == 0 or not -ndim <= axis < ndim:
        raise op_error(errors.InvalidArgumentError, op_type,
                       f"ScanOp: Expected scan axis in the range [{-ndim}, {ndim}), but got "
                       f"{int(axis)}")
    return int(axis) % ndim


def _cumulative(op, x, axis, exclusive, reverse):
    x = _in.as_tensor(x)
    attrs = {"axis": _scan_axis(op.name, axis, x.ndim), "exclusive": bool(exclusive),
             "reverse": bool(reverse)}
    return execute(op, (x,), attrs)


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running sums along ``axis``; ``exclusive`` leaves out the current element, ``reverse``
    runs from the end."""
    return _cumulative(CUMSUM, x, axis, exclusive, reverse)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Running products along ``axis``; ``exclusive`` leaves out the current element,
    ``reverse`` runs from the end."""
    return _cumulative(CUMPROD, x, axis, exclusive, reverse)


def polyval(coeffs, x, name=None):
    """coeffs[0] * x**(n-1) + ... + coeffs[n-1], by Horner's rule (zeros for no coeffs)."""
    if not isinstance(coeffs, list):
        raise ValueError(f"Argument coeffs must be list type. Received type {type(coeffs)}.")
    x = _in.as_tensor(x)
    if not coeffs:
        from ndflow.ops.array_ops import zeros_like
        return zeros_like(x)
    # Each coefficient is converted on its own, as TensorFlow does (so dtypes must agree).
    p = _in.as_tensor(coeffs[0])
    for c in coeffs[1:]:
        p = add(_in.as_tensor(c), multiply(p, x))
    return p


# -- clipping ----------------------------------------------------------------------------------

def _values(t):
    return _in.as_tensor(t.values if isinstance(t, IndexedSlices) else t)


def _like_input(t, clipped):
    return IndexedSlices(clipped, t.indices, t.dense_shape) if isinstance(t, IndexedSlices) \
        else clipped


def _bound(value, dtype):
    """A clip bound: tensors keep their dtype, other values must convert to ``dtype``."""
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        return _in.as_tensor(value)
    return convert_to_tensor(value, dtype)


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """t with values below clip_value_min raised to it and values above clip_value_max lowered
    to it; the bounds may broadcast to t's shape but not enlarge it."""
    values = _values(t)
    upper = minimum(values, _bound(clip_value_max, values.dtype))
    clipped = maximum(upper, _bound(clip_value_min, values.dtype))
    if clipped.shape != values.shape:
        raise ValueError(f"Shapes {values.shape} and {clipped.shape} are incompatible")
    return _like_input(t, clipped)


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """t scaled down so that its L2 norm over ``axes`` (all axes when None) is at most
    ``clip_norm`` (a negative clip_norm counts as 0)."""
    from ndflow.ops.array_ops import ones_like, where
    from ndflow.ops.reduce_ops import reduce_sum
    values = _values(t)
    clip_norm = cast(maximum(clip_norm, 0), values.dtype)
    l2sum = reduce_sum(multiply(values, values), axes, keepdims=True)
    # sqrt only where the sum is positive, so that the gradient at an all-zero t is 0, not NaN.
    positive = greater(l2sum, 0)
    l2norm = where(positive, sqrt(where(positive, l2sum, ones_like(l2sum))), l2sum)
    clipped = truediv(multiply(values, clip_norm), maximum(l2norm, clip_norm))
    return _like_input(t, clipped)


def global_norm(t_list, name=None):
    """sqrt of the sum of squares of every element of every tensor in t_list (None skipped).

    TensorFlow's ``tf.linalg.global_norm``.
    """
    from ndflow.ops.array_ops import stack
    from ndflow.ops.reduce_ops import reduce_sum
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    halves = [multiply(reduce_sum(square(_values(t))), 0.5) for t in t_list if t is not None]
    if not halves:
        return convert_to_tensor(0.0)
    total = reduce_sum(stack(halves))
    return sqrt(multiply(total, 2.0))


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor in t_list by clip_norm / max(global_norm, clip_norm); returns the
    scaled list (None entries stay None) and the global norm. A non-finite norm gives NaNs."""
    if not isinstance(t_list, collections.abc.Sequence) or isinstance(t_list, str):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    t_list = list(t_list)
    use_norm = global_norm(t_list) if use_norm is None else _in.as_tensor(use_norm)
    one = convert_to_tensor(1.0, use_norm.dtype)
    scale = multiply(clip_norm, minimum(truediv(one, use_norm), truediv(one, clip_norm)))
    # use_norm - use_norm is 0, or NaN when the norm is inf or NaN: the result is then all NaN.
    scale = add(scale, subtract(use_norm, use_norm))
    clipped = []
    for t in t_list:
        if t is None:
            clipped.append(None)
            continue
        values = _values(t)
        clipped.append(_like_input(t, multiply(values, cast(scale, values.dtype))))
    return clipped, use_norm


# -- gradients ---------------------------------------------------------------------------------

@register_gradient("Atan2")
def _atan2_grad(op, dy):
    y, x = op.inputs
    inv = truediv(dy, add(square(x), square(y)))
    return binary_grads(op, lambda: multiply(x, inv), lambda: multiply(negative(y), inv))


@register_gradient("AddN")
def _add_n_grad(op, dy):
    return (dy,) * len(op.inputs)


@register_gradient("DivNoNan")
def _div_no_nan_grad(op, dy):
    x, y = op.inputs
    return binary_grads(op, lambda: execute(DIV_NO_NAN, (dy, y)),
                        lambda: multiply(dy, divide_no_nan(divide_no_nan(negative(x), y), y)))


@register_gradient("Cumsum")
def _cumsum_grad(op, dy):
    return (cumsum(dy, op.get_attr("axis"), op.get_attr("exclusive"),
                   not op.get_attr("reverse")),)


@register_gradient("Cumprod")
def _cumprod_grad(op, dy):
    # d/dx_i of sum_j dy_j prod_{k<=j} x_k, divided by x_i: wrong (0) where x has zeros, as in
    # TensorFlow.
    x = op.inputs[0]
    axis, exclusive, reverse = (op.get_attr("axis"), op.get_attr("exclusive"),
                                op.get_attr("reverse"))
    out = cumsum(multiply(op.outputs, dy), axis, exclusive, not reverse)
    return (divide_no_nan(out, x),)


@register_gradient("Polygamma")
def _polygamma_grad(op, dy):
    a, x = op.inputs
    return None, unbroadcast(multiply(dy, polygamma(add(a, 1), x)), x)


@register_gradient("Zeta")
def _zeta_grad(op, dy):
    s, q = op.inputs
    return None, unbroadcast(multiply(dy, multiply(negative(s), zeta(add(s, 1), q))), q)
