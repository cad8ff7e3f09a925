"""Elementwise unary math: exponentials, logarithms, roots, trigonometry, rounding, sign,
sigmoid/softplus, special functions (erf, lgamma, digamma) and nan/inf tests."""
import math

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.ops import inputs as _in
from ndflow.ops import unary_special as _special
from ndflow.ops.math_ops import add, multiply, negative, subtract, truediv
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = ['exp', 'log', 'sqrt', 'rsqrt', 'log1p', 'expm1', 'sin', 'cos', 'tan', 'asin',
           'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sigmoid',
           'softplus', 'log_sigmoid', 'reciprocal', 'round', 'rint', 'floor', 'ceil', 'erf',
           'erfc', 'lgamma', 'digamma', 'is_nan', 'is_inf', 'is_finite', 'sign', 'square']


def _quiet(fn):
    # NumPy's floating-point warnings from ndflow's kernels are filtered by module (see
    # ndflow/backend), which costs nothing per call, unlike np.errstate.
    return fn


def _unary(op_type, public_name, kernel, doc, allowed=D.INEXACT, quiet=True, arg="x"):
    op = register(op_type, _quiet(kernel) if quiet else kernel, allowed=allowed)
    if arg == "x":
        def fn(x, name=None):
            return execute(op, (_in.as_tensor(x),))
    else:  # softplus names its argument ``features``
        def fn(features, name=None):
            return execute(op, (_in.as_tensor(features),))
    fn.__name__ = fn.__qualname__ = public_name
    fn.__doc__ = doc
    return op, fn


def _widened(fn):
    """A kernel computing ``fn`` (a float64 special function) for any float dtype."""
    def kernel(xp, x):
        wide = xp.asarray(x, dtype=xp.float64).reshape(-1)
        return fn(xp, wide).reshape(xp.shape(x)).astype(x.dtype, copy=False)
    return kernel


def _no_kernel(op_type, excluded, fn):
    """A kernel that raises NotFoundError for the dtypes ``excluded(dtype)`` selects: dtypes
    TensorFlow's op declares but has no kernel for."""
    def kernel(xp, x):
        if excluded(x.dtype):
            raise op_error(errors.NotFoundError, op_type,
                           f"Could not find device for node: {op_type} = {op_type}"
                           f"[T={D.as_dtype(x.dtype).name}]: no kernel for this dtype")
        return fn(xp, x)
    return kernel


def _sigmoid_kernel(xp, x):
    # exp of -|x| never overflows; the two branches give full precision on both tails.
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


def _softplus_kernel(xp, x):
    return xp.logaddexp(x.dtype.type(0), x)


EXP, exp = _unary("Exp", "exp", lambda xp, x: xp.exp(x), "e ** x elementwise.")
LOG, log = _unary("Log", "log", lambda xp, x: xp.log(x), "Natural logarithm elementwise.")
SQRT, sqrt = _unary("Sqrt", "sqrt", lambda xp, x: xp.sqrt(x), "Square root elementwise.")
RSQRT, rsqrt = _unary("Rsqrt", "rsqrt", lambda xp, x: 1 / xp.sqrt(x),
                      "1 / sqrt(x) elementwise.")
LOG1P, log1p = _unary("Log1p", "log1p", lambda xp, x: xp.log1p(x),
                      "log(1 + x), accurate for small x.")
EXPM1, expm1 = _unary("Expm1", "expm1", lambda xp, x: xp.expm1(x),
                      "exp(x) - 1, accurate for small x.")
SIN, sin = _unary("Sin", "sin", lambda xp, x: xp.sin(x), "Sine elementwise.")
COS, cos = _unary("Cos", "cos", lambda xp, x: xp.cos(x), "Cosine elementwise.")
TAN, tan = _unary("Tan", "tan", lambda xp, x: xp.tan(x), "Tangent elementwise.")
ASIN, asin = _unary("Asin", "asin", lambda xp, x: xp.arcsin(x), "Inverse sine elementwise.")
ACOS, acos = _unary("Acos", "acos", lambda xp, x: xp.arccos(x), "Inverse cosine elementwise.")
ATAN, atan = _unary("Atan", "atan", lambda xp, x: xp.arctan(x), "Inverse tangent elementwise.")
SINH, sinh = _unary("Sinh", "sinh", lambda xp, x: xp.sinh(x), "Hyperbolic sine elementwise.")
COSH, cosh = _unary("Cosh", "cosh", lambda xp, x: xp.cosh(x), "Hyperbolic cosine elementwise.")
TANH, tanh = _unary("Tanh", "tanh", lambda xp, x: xp.tanh(x), "Hyperbolic tangent elementwise.")
ASINH, asinh = _unary("Asinh", "asinh", lambda xp, x: xp.arcsinh(x),
                      "Inverse hyperbolic sine elementwise.")
ACOSH, acosh = _unary("Acosh", "acosh", lambda xp, x: xp.arccosh(x),
                      "Inverse hyperbolic cosine elementwise.")
ATANH, atanh = _unary("Atanh", "atanh", lambda xp, x: xp.arctanh(x),
                      "Inverse hyperbolic tangent elementwise.")
SIGMOID, sigmoid = _unary("Sigmoid", "sigmoid", _sigmoid_kernel, "1 / (1 + exp(-x)), computed "
                          "without overflow.")
SOFTPLUS, softplus = _unary("Softplus", "softplus", _softplus_kernel,
                            "log(exp(features) + 1), computed without overflow.",
                            allowed=D.FLOATING, arg="features")
RECIPROCAL, reciprocal = _unary(
    "Reciprocal", "reciprocal",
    _no_kernel("Reciprocal", lambda d: d.kind in "iu", lambda xp, x: 1 / x),
    "1 / x elementwise.", allowed=D.INEXACT | D.SIGNED_INTS)
ROUND, round = _unary(  # noqa: A001 - TensorFlow's name
    "Round", "round", _no_kernel("Round", lambda d: d.kind == "c", lambda xp, x: xp.round(x)),
    "x rounded to the nearest integer, halves to even (banker's rounding).",
    allowed=D.NUMBERS, quiet=False)
RINT, rint = _unary("Rint", "rint", _no_kernel("Rint", lambda d: d == np.float16,
                                   lambda xp, x: xp.rint(x)),
                    "x rounded to the nearest integer, halves to even.", allowed=D.FLOATING,
                    quiet=False)
FLOOR, floor = _unary("Floor", "floor", lambda xp, x: xp.floor(x),
                      "Largest integer not greater than x.", allowed=D.FLOATING, quiet=False)
CEIL, ceil = _unary("Ceil", "ceil", lambda xp, x: xp.ceil(x), "Smallest integer not less than x.",
                    allowed=D.FLOATING, quiet=False)
ERF, erf = _unary("Erf", "erf", _widened(_special.erf), "The Gauss error function.",
                  allowed=D.FLOATING)
ERFC, erfc = _unary("Erfc", "erfc", _widened(_special.erfc),
                    "The complementary error function 1 - erf(x).", allowed=D.FLOATING)
LGAMMA, lgamma = _unary("Lgamma", "lgamma", _widened(_special.lgamma),
                        "log |Gamma(x)|; +inf at the poles.", allowed=D.FLOATING)
DIGAMMA, digamma = _unary("Digamma", "digamma", _widened(_special.digamma),
                          "The digamma function, the derivative of lgamma.", allowed=D.FLOATING)
IS_NAN, is_nan = _unary("IsNan", "is_nan", lambda xp, x: xp.isnan(x), "Whether x is NaN.",
                        allowed=D.FLOATING, quiet=False)
IS_INF, is_inf = _unary("IsInf", "is_inf", lambda xp, x: xp.isinf(x),
                        "Whether x is +inf or -inf.", allowed=D.FLOATING, quiet=False)
IS_FINITE, is_finite = _unary("IsFinite", "is_finite", lambda xp, x: xp.isfinite(x),
                              "Whether x is neither inf nor NaN.", allowed=D.FLOATING, quiet=False)
SIGN, sign = _unary("Sign", "sign", lambda xp, x: xp.sign(x), "-1, 0 or 1 by the sign of x.",
                    allowed=D.SIGNED, quiet=False)
SQUARE, square = _unary("Square", "square", lambda xp, x: xp.square(x), "x * x elementwise.",
                        allowed=D.NUMBERS)


def log_sigmoid(x, name=None):
    """log(sigmoid(x)), computed as -softplus(-x) so that it never overflows."""
    return negative(softplus(negative(_in.as_tensor(x))))


# -- gradients: TensorFlow's formulas (and evaluation order, for the same rounding at edge
# points), written with public ops so that they are differentiable again.

def _conj(t):
    """conj(t): TensorFlow's gradients of complex functions use the conjugate derivative."""
    if t.dtype.is_complex:
        from ndflow.math import conj  # the complex-number family's op
        return conj(t)
    return t


@register_gradient("Exp")
def _exp_grad(op, dy):
    return (multiply(dy, _conj(op.outputs)),)


@register_gradient("Log")
def _log_grad(op, dy):
    return (multiply(dy, reciprocal(_conj(op.inputs[0]))),)


@register_gradient("Sqrt")
def _sqrt_grad(op, dy):
    return (truediv(multiply(dy, 0.5), _conj(op.outputs)),)


@register_gradient("Rsqrt")
def _rsqrt_grad(op, dy):
    y = _conj(op.outputs)
    return (multiply(multiply(multiply(dy, y), -0.5), multiply(y, y)),)


@register_gradient("Log1p")
def _log1p_grad(op, dy):
    return (multiply(dy, reciprocal(add(_conj(op.inputs[0]), 1))),)


@register_gradient("Expm1")
def _expm1_grad(op, dy):
    return (multiply(dy, exp(_conj(op.inputs[0]))),)


@register_gradient("Sin")
def _sin_grad(op, dy):
    return (multiply(dy, _conj(cos(op.inputs[0]))),)


@register_gradient("Cos")
def _cos_grad(op, dy):
    return (multiply(negative(dy), _conj(sin(op.inputs[0]))),)


@register_gradient("Tan")
def _tan_grad(op, dy):
    return (multiply(dy, square(reciprocal(_conj(cos(op.inputs[0]))))),)


def _one_minus_x2(op):
    return subtract(1, square(_conj(op.inputs[0])))


@register_gradient("Asin")
def _asin_grad(op, dy):
    return (multiply(dy, reciprocal(sqrt(_one_minus_x2(op)))),)


@register_gradient("Acos")
def _acos_grad(op, dy):
    return (multiply(negative(dy), reciprocal(sqrt(_one_minus_x2(op)))),)


@register_gradient("Atan")
def _atan_grad(op, dy):
    return (multiply(dy, reciprocal(add(square(_conj(op.inputs[0])), 1))),)


@register_gradient("Sinh")
def _sinh_grad(op, dy):
    return (multiply(dy, cosh(_conj(op.inputs[0]))),)


@register_gradient("Cosh")
def _cosh_grad(op, dy):
    return (multiply(dy, sinh(_conj(op.inputs[0]))),)


@register_gradient("Tanh")
def _tanh_grad(op, dy):
    y = _conj(op.outputs)
    return (multiply(dy, subtract(1, multiply(y, y))),)


@register_gradient("Asinh")
def _asinh_grad(op, dy):
    return (truediv(dy, cosh(_conj(op.outputs))),)


@register_gradient("Acosh")
def _acosh_grad(op, dy):
    return (truediv(dy, sinh(_conj(op.outputs))),)


@register_gradient("Atanh")
def _atanh_grad(op, dy):
    return (multiply(dy, reciprocal(_one_minus_x2(op))),)


@register_gradient("Sigmoid")
def _sigmoid_grad(op, dy):
    y = _conj(op.outputs)
    return (multiply(multiply(dy, y), subtract(1, y)),)


@register_gradient("Softplus")
def _softplus_grad(op, dy):
    return (multiply(dy, sigmoid(op.inputs[0])),)


@register_gradient("Reciprocal")
def _reciprocal_grad(op, dy):
    y = _conj(op.outputs)
    return (multiply(multiply(negative(dy), y), y),)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


@register_gradient("Erf")
def _erf_grad(op, dy):
    x = op.inputs[0]
    return (multiply(multiply(dy, _TWO_OVER_SQRT_PI), exp(negative(square(x)))),)


@register_gradient("Erfc")
def _erfc_grad(op, dy):
    x = op.inputs[0]
    return (multiply(multiply(dy, -_TWO_OVER_SQRT_PI), exp(negative(square(x)))),)


@register_gradient("Lgamma")
def _lgamma_grad(op, dy):
    return (multiply(dy, digamma(op.inputs[0])),)


@register_gradient("Digamma")
def _digamma_grad(op, dy):
    from ndflow.ops.math_extra_ops import polygamma
    x = op.inputs[0]
    return (multiply(dy, polygamma(_in.as_tensor(1, x.dtype), x)),)


@register_gradient("Square")
def _square_grad(op, dy):
    return (multiply(dy, multiply(_conj(op.inputs[0]), 2)),)


@register_gradient("Sign")
def _sign_grad(op, dy):
    from ndflow.ops.array_ops import zeros_like
    return (zeros_like(op.inputs[0]),)
# Round, Rint, Floor, Ceil and the Is* tests have no gradient in TensorFlow (None), so they
# register none and are never recorded on tapes.
