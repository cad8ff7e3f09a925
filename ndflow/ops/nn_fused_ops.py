"""``_FusedMatMul``: a dense layer's ``x @ kernel + bias`` (optionally followed by ReLU) as one
eager op, so a Dense layer costs one dispatch and one tape record instead of three.

The kernel runs the same NumPy operations as the separate MatMul, AddV2 and Relu ops, in the
same order, so its values are bitwise those of the unfused layer; its gradient is written with
ops (MatMul, Sum, ReluGrad), so tapes nested around a backward pass see it as usual. Traced
graphs keep the separate ops, which the graph optimiser fuses on its own.
"""
from ndflow.framework import dtypes as D
from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import EagerTensor
from ndflow.ops.linalg_ops import _product_grads, _rank2_product
from ndflow.ops.math_ops import unbroadcast
from ndflow.ops.nn_ops import RELU_GRAD
from ndflow.ops.registry import execute, register, register_gradient

__all__ = []

_RELU = ("BiasAdd", "Relu")
_LINEAR = ("BiasAdd",)
_FLOATING_MASK = D.mask(D.FLOATING)


def _fused_matmul_kernel(xp, a, b, bias, fused_ops):
    out = a.dot(b)
    out += bias
    if fused_ops == _RELU:
        xp.maximum(out, out.dtype.type(0), out=out)
    return out


FUSED_MATMUL = register("_FusedMatMul", _fused_matmul_kernel, allowed=D.FLOATING)


def dense(x, kernel, bias, relu):
    """``relu(x @ kernel + bias)`` (or without the ReLU) as one op, or None when the fused op
    does not apply (while tracing, for other ranks or dtypes): the caller then runs the
    separate ops. ``kernel`` and ``bias`` are variables."""
    if GRAPHS or type(x) is not EagerTensor or x._value.ndim != 2:
        return None
    dtype = x._dtype
    if kernel._dtype is not dtype or bias._dtype is not dtype or not dtype._bit & _FLOATING_MASK:
        return None
    if kernel._value.ndim != 2 or x._value.shape[1] != kernel._value.shape[0]:
        return None  # MatMul reports the mismatch
    return execute(FUSED_MATMUL, (x, kernel._as_tensor(), bias._as_tensor()),
                   {"fused_ops": _RELU if relu else _LINEAR})


@register_gradient("_FusedMatMul")
def _fused_matmul_grad(op, dy):
    x, kernel, bias = op.inputs
    if op.attrs["fused_ops"] == _RELU:
        dy = execute(RELU_GRAD, (dy, op.outputs))  # output > 0 exactly where the sum was
    skip = op.skip_input_indices
    grad_x, grad_kernel = _product_grads(dy, x, kernel, False, False, skip, _rank2_product)
    # The bias gradient is AddV2's (a Sum over the batch), so the values match the separate ops.
    return grad_x, grad_kernel, None if 2 in skip else unbroadcast(dy, bias)
