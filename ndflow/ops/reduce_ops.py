"""Reductions: reduce_sum/mean/max/min/prod/any/all/logsumexp/std/variance, argmax and friends."""
from ndflow.framework import dtypes as D
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, register, register_gradient

__all__ = ['reduce_sum']


def _sum_kernel(xp, x, axis, keepdims):
    return xp.sum(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


SUM = register("Sum", _sum_kernel, allowed=D.NUMBERS)


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum of elements over ``axis`` (all axes when None); keeps reduced axes when keepdims."""
    x = _in.as_tensor(input_tensor)
    axes = _in.axis_list(axis, x.ndim)
    return execute(SUM, (x,), {"axis": axes, "keepdims": bool(keepdims)})


@register_gradient("Sum")
def _sum_grad(op, dy):
    from ndflow.ops.array_ops import broadcast_to, reshape
    x = op.inputs[0]
    if not op.get_attr("keepdims"):
        kept = [1 if i in op.get_attr("axis") else d for i, d in enumerate(x.shape.dims)]
        dy = reshape(dy, kept)
    return (broadcast_to(dy, x.shape.dims),)
