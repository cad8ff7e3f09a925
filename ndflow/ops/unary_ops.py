"""Elementwise unary math: exponentials, logarithms, roots, trigonometry, rounding, sign."""
import numpy as np

from ndflow.framework import dtypes as D
from ndflow.ops import inputs as _in
from ndflow.ops.math_ops import multiply, truediv
from ndflow.ops.registry import execute, register, register_gradient

__all__ = ['exp', 'log', 'sqrt', 'sign', 'floor', 'square']


def _quiet(fn):
    def kernel(xp, x):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            return fn(xp, x)
    return kernel


def _unary(op_type, public_name, kernel, doc, allowed=D.INEXACT, quiet=True):
    op = register(op_type, _quiet(kernel) if quiet else kernel, allowed=allowed)

    def fn(x, name=None):
        return execute(op, (_in.as_tensor(x),))
    fn.__name__ = fn.__qualname__ = public_name
    fn.__doc__ = doc
    return op, fn


EXP, exp = _unary("Exp", "exp", lambda xp, x: xp.exp(x), "e ** x elementwise.")
LOG, log = _unary("Log", "log", lambda xp, x: xp.log(x), "Natural logarithm elementwise.")
SQRT, sqrt = _unary("Sqrt", "sqrt", lambda xp, x: xp.sqrt(x), "Square root elementwise.")
SIGN, sign = _unary("Sign", "sign", lambda xp, x: xp.sign(x), "-1, 0 or 1 by the sign of x.",
                    allowed=D.NUMBERS, quiet=False)
FLOOR, floor = _unary("Floor", "floor", lambda xp, x: xp.floor(x),
                      "Largest integer not greater than x.", allowed=D.FLOATING, quiet=False)
SQUARE, square = _unary("Square", "square", lambda xp, x: xp.square(x), "x * x elementwise.",
                        allowed=D.NUMBERS)


@register_gradient("Exp")
def _exp_grad(op, dy):
    return (multiply(dy, op.outputs),)


@register_gradient("Log")
def _log_grad(op, dy):
    return (truediv(dy, op.inputs[0]),)


@register_gradient("Sqrt")
def _sqrt_grad(op, dy):
    return (truediv(multiply(dy, 0.5), op.outputs),)


@register_gradient("Square")
def _square_grad(op, dy):
    x = op.inputs[0]
    return (multiply(dy, multiply(x, 2)),)


@register_gradient("Sign")
def _sign_grad(op, dy):
    from ndflow.ops.array_ops import zeros_like
    return (zeros_like(op.inputs[0]),)

