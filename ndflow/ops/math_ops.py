"""Elementwise arithmetic, comparison, logical and bitwise ops, and ``cast``."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register, register_gradient

D = dtypes
_NOT_BOOL = D.NUMBERS
_INEXACT_MASK = D.INEXACT_MASK
_ORDERED = D.REAL

__all__ = ['add', 'subtract', 'multiply', 'truediv', 'divide', 'truncatediv', 'floordiv', 'floormod', 'mod', 'pow', 'maximum', 'minimum', 'squared_difference', 'negative', 'abs', 'cast', 'equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'logical_and', 'logical_or', 'logical_not', 'logical_xor', 'invert', 'bitwise_and', 'bitwise_or', 'bitwise_xor']


def _binary_op(name, kernel, allowed=_NOT_BOOL, **kwargs):
    return register(name, kernel, same_dtype=(0, 1), allowed=allowed, **kwargs)


# -- kernels -----------------------------------------------------------------------------------

def _check_int_divisor(xp, y):
    if y.dtype.kind in "iu" and not xp.all(y):
        raise op_error(errors.InvalidArgumentError, "FloorDiv", "Integer division by zero")


def _floordiv_kernel(xp, x, y):
    _check_int_divisor(xp, y)
    return xp.floor_divide(x, y)


def _floormod_kernel(xp, x, y):
    _check_int_divisor(xp, y)
    return xp.mod(x, y)


def _truncatediv_kernel(xp, x, y):
    if x.dtype.kind in "iu":
        _check_int_divisor(xp, y)
        return xp.floor_divide(x, y) if x.dtype.kind == "u" else _trunc_div(xp, x, y)
    return xp.trunc(xp.true_divide(x, y))


def _trunc_div(xp, x, y):
    q = xp.floor_divide(x, y)
    adjust = (q < 0) & (q * y != x)
    return (q + adjust).astype(x.dtype)


def _realdiv_kernel(xp, x, y):
    return xp.true_divide(x, y)


def _pow_kernel(xp, x, y):
    if x.dtype.kind in "iu" and xp.any(y < 0):
        raise op_error(errors.InvalidArgumentError, "Pow",
                       "Integers to negative integer powers are not allowed")
    return xp.power(x, y)


def _cast_kernel(xp, x, dtype):
    if x.dtype.kind == "c" and np.dtype(dtype).kind != "c":
        x = x.real
    return xp.asarray(x).astype(dtype)


# String tensors concatenate under AddV2, as in TensorFlow.
ADD = _binary_op("AddV2", lambda xp, x, y: xp.add(x, y), allowed=_NOT_BOOL | {dtypes.string})
SUB = _binary_op("Sub", lambda xp, x, y: xp.subtract(x, y))
MUL = _binary_op("Mul", lambda xp, x, y: xp.multiply(x, y))
REALDIV = _binary_op("RealDiv", _realdiv_kernel)
TRUNCATEDIV = _binary_op("TruncateDiv", _truncatediv_kernel, allowed=_ORDERED)
FLOORDIV = _binary_op("FloorDiv", _floordiv_kernel, allowed=_ORDERED)
FLOORMOD = _binary_op("FloorMod", _floormod_kernel, allowed=_ORDERED)
POW = _binary_op("Pow", _pow_kernel)
MAXIMUM = _binary_op("Maximum", lambda xp, x, y: xp.maximum(x, y), allowed=_ORDERED)
MINIMUM = _binary_op("Minimum", lambda xp, x, y: xp.minimum(x, y), allowed=_ORDERED)
SQUARED_DIFF = _binary_op("SquaredDifference", lambda xp, x, y: xp.square(x - y))
NEG = register("Neg", lambda xp, x: xp.negative(x), allowed=D.SIGNED)
ABS = register("Abs", lambda xp, x: xp.abs(x), allowed=D.REAL)
CAST = register("Cast", _cast_kernel)

_CMP = dict(same_dtype=(0, 1))
EQUAL = register("Equal", lambda xp, x, y: xp.equal(x, y), **_CMP)
NOT_EQUAL = register("NotEqual", lambda xp, x, y: xp.not_equal(x, y), **_CMP)
LESS = register("Less", lambda xp, x, y: xp.less(x, y), allowed=_ORDERED, **_CMP)
LESS_EQUAL = register("LessEqual", lambda xp, x, y: xp.less_equal(x, y), allowed=_ORDERED, **_CMP)
GREATER = register("Greater", lambda xp, x, y: xp.greater(x, y), allowed=_ORDERED, **_CMP)
GREATER_EQUAL = register("GreaterEqual", lambda xp, x, y: xp.greater_equal(x, y),
                         allowed=_ORDERED, **_CMP)
_BOOL = frozenset([D.bool])
LOGICAL_AND = register("LogicalAnd", lambda xp, x, y: xp.logical_and(x, y), allowed=_BOOL, **_CMP)
LOGICAL_OR = register("LogicalOr", lambda xp, x, y: xp.logical_or(x, y), allowed=_BOOL, **_CMP)
LOGICAL_NOT = register("LogicalNot", lambda xp, x: xp.logical_not(x), allowed=_BOOL)
BITWISE_AND = register("BitwiseAnd", lambda xp, x, y: xp.bitwise_and(x, y), allowed=D.INTEGERS,
                       **_CMP)
BITWISE_OR = register("BitwiseOr", lambda xp, x, y: xp.bitwise_or(x, y), allowed=D.INTEGERS, **_CMP)
BITWISE_XOR = register("BitwiseXor", lambda xp, x, y: xp.bitwise_xor(x, y), allowed=D.INTEGERS,
                       **_CMP)
INVERT = register("Invert", lambda xp, x: xp.invert(x), allowed=D.INTEGERS)


# -- public functions --------------------------------------------------------------------------

def add(x, y, name=None):
    """x + y elementwise, with broadcasting."""
    x, y = _in.binary(x, y)
    return execute(ADD, (x, y))


def subtract(x, y, name=None):
    """x - y elementwise, with broadcasting."""
    x, y = _in.binary(x, y)
    return execute(SUB, (x, y))


def multiply(x, y, name=None):
    """x * y elementwise, with broadcasting."""
    x, y = _in.binary(x, y)
    return execute(MUL, (x, y))


def truediv(x, y, name=None):
    """x / y; integers are first converted to float (int8/16 to float32, int32/64 to float64)."""
    x, y = _in.binary(x, y)
    if x.dtype is not y.dtype or x.dtype._bit & _INEXACT_MASK:
        return execute(REALDIV, (x, y))  # a dtype mismatch raises there
    if x.dtype.is_integer or x.dtype.is_bool:
        target = D.float32 if x.dtype.size <= 2 else D.float64
        x, y = cast(x, target), cast(y, target)
    return execute(REALDIV, (x, y))


def divide(x, y, name=None):
    """x / y elementwise (Python division semantics: integers give floats)."""
    return truediv(x, y, name)


def truncatediv(x, y, name=None):
    """x / y rounded toward zero (C semantics)."""
    x, y = _in.binary(x, y)
    return execute(TRUNCATEDIV, (x, y))


def floordiv(x, y, name=None):
    """x // y elementwise, rounding toward negative infinity."""
    x, y = _in.binary(x, y)
    return execute(FLOORDIV, (x, y))


def floormod(x, y, name=None):
    """The remainder of floor division; its sign follows the divisor (Python's %)."""
    x, y = _in.binary(x, y)
    return execute(FLOORMOD, (x, y))


mod = floormod


def pow(x, y, name=None):  # noqa: A001 - TensorFlow's name
    """x ** y elementwise; integer tensors reject negative integer exponents."""
    x, y = _in.strict_binary(x, y)
    return execute(POW, (x, y))


def maximum(x, y, name=None):
    """The elementwise larger of x and y."""
    x, y = _in.binary(x, y)
    return execute(MAXIMUM, (x, y))


def minimum(x, y, name=None):
    """The elementwise smaller of x and y."""
    x, y = _in.binary(x, y)
    return execute(MINIMUM, (x, y))


def squared_difference(x, y, name=None):
    """(x - y) ** 2 elementwise."""
    x, y = _in.binary(x, y)
    return execute(SQUARED_DIFF, (x, y))


def negative(x, name=None):
    """-x elementwise."""
    return execute(NEG, (_in.as_tensor(x),))


def abs(x, name=None):  # noqa: A001 - TensorFlow's name
    """|x| elementwise."""
    return execute(ABS, (_in.as_tensor(x),))


def cast(x, dtype, name=None):
    """Converts x to ``dtype`` (floats to ints truncate; complex to real keeps the real part)."""
    dtype = D.as_dtype(dtype)
    if hasattr(x, "_cast_composite"):  # sparse, ragged and other composite tensors
        return x._cast_composite(dtype)
    x = _in.as_tensor(x)
    if x.dtype is dtype:
        return x
    if dtype is D.string or x.dtype is D.string:
        raise errors.UnimplementedError(None, None,
                                        f"Cast {x.dtype.name} to {dtype.name} is not supported")
    return execute(CAST, (x,), {"dtype": dtype.as_numpy_dtype})


def _compare(op):
    def compare(x, y, name=None):
        x, y = _in.binary(x, y)
        return execute(op, (x, y))
    return compare


equal = _compare(EQUAL)
not_equal = _compare(NOT_EQUAL)
less = _compare(LESS)
less_equal = _compare(LESS_EQUAL)
greater = _compare(GREATER)
greater_equal = _compare(GREATER_EQUAL)
logical_and = _compare(LOGICAL_AND)
logical_or = _compare(LOGICAL_OR)
bitwise_and = _compare(BITWISE_AND)
bitwise_or = _compare(BITWISE_OR)
bitwise_xor = _compare(BITWISE_XOR)
for _fn, _doc in ((equal, "x == y"), (not_equal, "x != y"), (less, "x < y"),
                  (less_equal, "x <= y"), (greater, "x > y"), (greater_equal, "x >= y"),
                  (logical_and, "x AND y on bool tensors"), (logical_or, "x OR y on bool tensors"),
                  (bitwise_and, "x & y on integer tensors"), (bitwise_or, "x | y on integers"),
                  (bitwise_xor, "x ^ y on integer tensors")):
    _fn.__doc__ = f"{_doc}, elementwise with broadcasting."
for _fn, _name in ((equal, "equal"), (not_equal, "not_equal"), (less, "less"),
                   (less_equal, "less_equal"), (greater, "greater"),
                   (greater_equal, "greater_equal"), (logical_and, "logical_and"),
                   (logical_or, "logical_or"), (bitwise_and, "bitwise_and"),
                   (bitwise_or, "bitwise_or"), (bitwise_xor, "bitwise_xor")):
    _fn.__name__ = _fn.__qualname__ = _name


def logical_not(x, name=None):
    """NOT x on a bool tensor."""
    return execute(LOGICAL_NOT, (_in.as_tensor(x),))


def logical_xor(x, y, name="LogicalXor"):
    """x XOR y on bool tensors."""
    return logical_and(logical_or(x, y), logical_not(logical_and(x, y)))


def invert(x, name=None):
    """Bitwise NOT of an integer tensor."""
    return execute(INVERT, (_in.as_tensor(x),))


# -- gradients ---------------------------------------------------------------------------------

def static_shape(t):
    """The shape of a tensor or variable as a tuple (None for unknown dimensions), or None when
    its rank is unknown."""
    try:
        return t._value.shape
    except AttributeError:
        dims = t.shape.dims
        return None if dims is None else tuple(dims)


def unbroadcast(grad, x):
    """Sums ``grad`` over the axes along which ``x`` was broadcast, giving x's shape."""
    gshape, xshape = static_shape(grad), static_shape(x)
    if gshape == xshape and gshape is not None and None not in gshape:
        return grad
    if gshape is None or xshape is None or None in xshape:
        # Traced with unknown dimensions: which axes were broadcast is only known at run time.
        from ndflow.ops.array_shape_ops import shape
        return execute(_SUM_TO_SHAPE, (grad, shape(x)))
    from ndflow.ops.array_ops import reshape
    from ndflow.ops.reduce_ops import reduce_sum
    lead = len(gshape) - len(xshape)
    # A dimension of grad unknown while tracing may be broadcast from x's 1: summing a size-1
    # axis is harmless, so it is summed too.
    axes = list(range(lead)) + [lead + i for i, d in enumerate(xshape)
                                if d == 1 and gshape[lead + i] != 1]
    if axes:
        grad = reduce_sum(grad, axes[0] if len(axes) == 1 else axes)
    return grad if static_shape(grad) == xshape else reshape(grad, xshape)


def _sum_to_shape_kernel(xp, grad, shape):
    shape = tuple(int(d) for d in shape)
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(shape)
                                      if d == 1 and grad.shape[lead + i] != 1)
    return xp.sum(grad, axis=axes, dtype=grad.dtype).reshape(shape)


def _sum_to_shape_grad(op, ddx):
    from ndflow.ops.array_ops import broadcast_to
    from ndflow.ops.array_shape_ops import shape
    return broadcast_to(ddx, shape(op.inputs[0])), None


def _make_sum_to_shape():
    from ndflow.ops.registry import Op
    # Not registered: eager tensors always have known shapes, so only graphs hold this op
    # (TensorFlow computes the same with BroadcastGradientArgs, Sum and Reshape nodes).
    return Op("SumToShape", _sum_to_shape_kernel, grad=_sum_to_shape_grad)


_SUM_TO_SHAPE = _make_sum_to_shape()


def binary_grads(op, grad_x, grad_y):
    """The gradients of a two-input op, calling ``grad_x()``/``grad_y()`` only for inputs whose
    gradient someone needs (``op.skip_input_indices``: e.g. a constant divisor) and summing
    each over the axes its input was broadcast along."""
    x, y = op.inputs
    skip = op.skip_input_indices
    return (None if 0 in skip else unbroadcast(grad_x(), x),
            None if 1 in skip else unbroadcast(grad_y(), y))


@register_gradient("AddV2")
def _add_grad(op, dy):
    return binary_grads(op, lambda: dy, lambda: dy)


@register_gradient("Sub")
def _sub_grad(op, dy):
    return binary_grads(op, lambda: dy, lambda: negative(dy))


def _conj(x):
    if x.dtype.is_complex:  # complex gradients use conjugates, as in TensorFlow
        from ndflow.ops.complex_ops import conj
        return conj(x)
    return x


@register_gradient("Mul")
def _mul_grad(op, dy):
    x, y = op.inputs
    return binary_grads(op, lambda: multiply(dy, _conj(y)), lambda: multiply(_conj(x), dy))


@register_gradient("RealDiv")
def _realdiv_grad(op, dy):
    x, y = (_conj(t) for t in op.inputs)
    return binary_grads(op, lambda: truediv(dy, y),
                        lambda: multiply(dy, truediv(truediv(negative(x), y), y)))


@register_gradient("FloorMod")
def _floormod_grad(op, dy):
    x, y = op.inputs
    return binary_grads(op, lambda: dy, lambda: multiply(dy, negative(floordiv(x, y))))


@register_gradient("Pow")
def _pow_grad(op, dy):
    x, y = op.inputs
    z = op.outputs
    from ndflow.ops.unary_ops import log
    from ndflow.ops.array_ops import where_v2, zeros_like
    gx = multiply(dy, multiply(y, pow(x, subtract(y, 1))))
    if x.dtype.is_complex:
        safe_log = log(x)
    else:
        positive = greater(x, 0)
        safe_log = where_v2(positive, log(where_v2(positive, x, zeros_like(x) + 1)), zeros_like(x))
    gy = multiply(dy, multiply(z, safe_log))
    return unbroadcast(gx, x), unbroadcast(gy, y)


def _select_grad(op, dy, pick_x):
    from ndflow.ops.array_ops import where_v2, zeros_like
    x, y = op.inputs
    mask = pick_x(x, y)
    zeros = zeros_like(dy)
    return binary_grads(op, lambda: where_v2(mask, dy, zeros), lambda: where_v2(mask, zeros, dy))


@register_gradient("Maximum")
def _maximum_grad(op, dy):
    return _select_grad(op, dy, greater_equal)


@register_gradient("Minimum")
def _minimum_grad(op, dy):
    return _select_grad(op, dy, less_equal)


@register_gradient("SquaredDifference")
def _squared_difference_grad(op, dy):
    x, y = op.inputs
    g = multiply(dy, multiply(subtract(x, y), 2))
    return binary_grads(op, lambda: g, lambda: negative(g))


@register_gradient("Neg")
def _neg_grad(op, dy):
    return (negative(dy),)


@register_gradient("Abs")
def _abs_grad(op, dy):
    from ndflow.ops.unary_ops import sign
    return (multiply(dy, sign(op.inputs[0])),)


@register_gradient("Cast")
def _cast_grad(op, dy):
    x = op.inputs[0]
    if x.dtype in D.INEXACT and dy.dtype in D.INEXACT:
        return (cast(dy, x.dtype),)
    return (None,)
