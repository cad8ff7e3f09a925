"""Neural-network activations and softmax.

Each activation with a TensorFlow kernel has its TensorFlow gradient op too (ReluGrad, EluGrad,
...), so first derivatives cost one kernel and second derivatives follow TensorFlow's rules.
gelu and silu are composed from other ops, as in TensorFlow.
"""
import numpy as np

from ndflow.framework import dtypes as D, errors
from ndflow.ops import inputs as _in, math_ops as M, unary_ops as U
from ndflow.ops.inputs import as_tensor
from ndflow.ops.reduce_ops import reduce_sum
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = []

_SELU_SCALE = 1.0507009873554804934193349852946
_SELU_ALPHA = 1.6732632423543772848170429916717


def _quiet(kernel):
    # Floating-point warnings of ndflow's kernels are filtered by module (ndflow/backend).
    return kernel


def _zero(xp, like):
    return xp.zeros((), like.dtype)


def _elu_kernel(xp, x):
    return xp.where(x > 0, x, xp.expm1(xp.minimum(x, 0)))


def _selu_kernel(xp, x):
    neg = xp.expm1(xp.minimum(x, 0)) * x.dtype.type(_SELU_ALPHA)
    return xp.where(x > 0, x, neg) * x.dtype.type(_SELU_SCALE)


def _selu_grad_kernel(xp, dy, y):
    scale = dy.dtype.type(_SELU_SCALE)
    return xp.where(y < 0, dy * (y + dy.dtype.type(_SELU_SCALE * _SELU_ALPHA)), dy * scale)


_ACT = dict(allowed=D.FLOATING)
_GRAD = dict(same_dtype=(0, 1), allowed=D.FLOATING)
RELU = register("Relu", lambda xp, x: xp.maximum(x, _zero(xp, x)), allowed=D.REAL)
# The ReLU gradients multiply by the mask (as TensorFlow does): a NaN or inf gradient gives NaN
# even where the input is not positive.
RELU_GRAD = register("ReluGrad", lambda xp, dy, x: xp.multiply(dy, x > 0),
                     same_dtype=(0, 1), allowed=D.REAL)
RELU6 = register("Relu6", lambda xp, x: xp.clip(x, 0, 6).astype(x.dtype, copy=False),
                 allowed=D.REAL)
RELU6_GRAD = register("Relu6Grad",
                      lambda xp, dy, x: xp.multiply(dy, (x > 0) & (x < 6)),
                      same_dtype=(0, 1), allowed=D.REAL)
ELU = register("Elu", _quiet(_elu_kernel), **_ACT)
ELU_GRAD = register("EluGrad", lambda xp, dy, y: xp.where(y < 0, dy * (y + 1), dy), **_GRAD)
SELU = register("Selu", _quiet(_selu_kernel), **_ACT)
SELU_GRAD = register("SeluGrad", _selu_grad_kernel, **_GRAD)
LEAKY_RELU = register(
    "LeakyRelu", lambda xp, x, alpha: xp.where(x > 0, x, x * x.dtype.type(alpha)), **_ACT)
LEAKY_RELU_GRAD = register(
    "LeakyReluGrad", lambda xp, dy, x, alpha: xp.where(x > 0, dy, dy * dy.dtype.type(alpha)),
    **_GRAD)


def _softmax_kernel(xp, x, axis):
    if x.ndim == 0:
        raise op_error(errors.InvalidArgumentError, "Softmax",
                       "logits must have >= 1 dimension, got []")
    if x.size == 0:
        return x.copy()
    e = xp.exp(x - xp.maximum.reduce(x, axis=axis, keepdims=True))
    e /= xp.add.reduce(e, axis=axis, keepdims=True)
    return e


def _log_softmax_kernel(xp, x, axis):
    if x.ndim == 0:
        raise op_error(errors.InvalidArgumentError, "LogSoftmax",
                       "logits must have >= 1 dimension, got []")
    if x.size == 0:
        return x.copy()
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _bias_shape(value, data_format):
    return (-1,) + (1,) * (value.ndim - 2) if data_format == "NCHW" else (-1,)


def _bias_add_kernel(xp, value, bias, data_format):
    if value.ndim < 2:
        raise op_error(errors.InvalidArgumentError, "BiasAdd",
                       f"Input tensor must be at least 2D: {list(value.shape)}")
    if bias.ndim != 1:
        raise op_error(errors.InvalidArgumentError, "BiasAdd",
                       f"Biases must be 1D: {list(bias.shape)}")
    channels = value.shape[1 if data_format == "NCHW" else -1]
    if bias.shape[0] != channels:
        raise op_error(errors.InvalidArgumentError, "BiasAdd",
                       f"Must provide as many biases as the channel dimension of the input "
                       f"tensor: {list(bias.shape)} vs. {list(value.shape)}")
    return value + bias.reshape(_bias_shape(value, data_format))


def _bias_add_grad_kernel(xp, dy, data_format):
    channel = 1 if data_format == "NCHW" else dy.ndim - 1
    axes = tuple(a for a in range(dy.ndim) if a != channel)
    return dy.sum(axis=axes, dtype=dy.dtype)


BIAS_ADD = register("BiasAdd", _bias_add_kernel, same_dtype=(0, 1), allowed=D.NUMBERS)
BIAS_ADD_GRAD = register("BiasAddGrad", _bias_add_grad_kernel, allowed=D.NUMBERS)


# TensorFlow's Softmax works on the last axis and transposes for others; an ``axis`` attribute
# does the same without the two transposes.
SOFTMAX = register("Softmax", _quiet(_softmax_kernel), **_ACT)
LOG_SOFTMAX = register("LogSoftmax", _quiet(_log_softmax_kernel), **_ACT)


# -- public functions --------------------------------------------------------------------------

def relu(features, name=None):
    """max(features, 0) elementwise."""
    return execute(RELU, (as_tensor(features),))


def relu6(features, name=None):
    """min(max(features, 0), 6) elementwise."""
    return execute(RELU6, (as_tensor(features),))


def elu(features, name=None):
    """features if > 0, else exp(features) - 1."""
    return execute(ELU, (as_tensor(features),))


def selu(features, name=None):
    """Scaled ELU: scale * (features if > 0 else alpha * (exp(features) - 1))."""
    return execute(SELU, (as_tensor(features),))


def leaky_relu(features, alpha=0.2, name=None):
    """features if > 0, else alpha * features; integer inputs are computed in float32."""
    x = as_tensor(features)
    if x.dtype.is_integer:
        x = M.cast(x, D.float32)
    # TensorFlow keeps alpha as a 32-bit float attribute, even for float64 features.
    return execute(LEAKY_RELU, (x,), {"alpha": float(np.float32(alpha))})


def _floating(x):
    if not x.dtype.is_floating:
        raise ValueError(f"`features.dtype` must be a floating point tensor.Received:"
                         f"features.dtype={x.dtype!r}")
    return x


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit: x * P(X <= x) for standard normal X (or its tanh
    approximation when ``approximate``)."""
    x = _floating(as_tensor(features))
    # The constants are rounded to float32 first, as TensorFlow's are, so float64 results agree.
    if approximate:
        cubic = M.multiply(M.pow(x, 3), np.float32(0.044715))
        inner = M.multiply(M.add(x, cubic), np.float32(0.7978845608028654))  # sqrt(2 / pi)
        return M.multiply(M.multiply(x, 0.5), M.add(U.tanh(inner), 1.0))
    return M.multiply(M.multiply(x, 0.5),
                      U.erfc(M.negative(M.truediv(x, np.float32(1.4142135623730951)))))


def silu(features, beta=1.0):
    """features * sigmoid(beta * features) (also called swish)."""
    x = as_tensor(features)
    return M.multiply(x, U.sigmoid(M.multiply(x, beta)))


swish = silu


def _softmax_axis(x, axis):
    if axis is None or axis == -1:
        return -1
    rank = x.shape.rank
    axis = int(axis)
    if rank is not None and not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"`dim` must be in the range [{-rank}, {rank}) where {rank} is the "
                        f"number of dimensions in the input. Received: dim={axis}")
    return axis


def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits), axis), computed stably (default axis: the last)."""
    x = as_tensor(logits)
    return execute(SOFTMAX, (x,), {"axis": _softmax_axis(x, axis)})


def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits), axis)), computed stably (default axis: the last)."""
    x = as_tensor(logits)
    return execute(LOG_SOFTMAX, (x,), {"axis": _softmax_axis(x, axis)})


def bias_add(value, bias, data_format=None, name=None):
    """Adds the 1-D ``bias`` along the channel dimension (last for "N...C", second for "NC...")."""
    if data_format is None or data_format.startswith("N") and data_format.endswith("C"):
        data_format = "NHWC"
    elif data_format.startswith("NC"):
        data_format = "NCHW"
    else:
        raise ValueError(f"`data_format` must be of the form `N...C` or `NC...`. "
                         f"Received: data_format={data_format}")
    value, bias = _in.binary(value, bias)
    return execute(BIAS_ADD, (value, bias), {"data_format": data_format})


def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of ``x`` over ``axes``; float16 is computed in float32."""
    from ndflow.ops.identity_ops import stop_gradient
    from ndflow.ops.array_ops import reshape
    from ndflow.ops.reduce_ops import reduce_mean
    x = as_tensor(x)
    y = M.cast(x, D.float32) if x.dtype is D.float16 else x
    axes = _in.axis_list(axes, y.shape.rank)
    mean = reduce_mean(y, axes, keepdims=True)
    variance = reduce_mean(M.squared_difference(y, stop_gradient(mean)), axes, keepdims=True)
    if not keepdims:
        shape = [d for i, d in enumerate(mean.shape.as_list()) if i not in axes]
        mean, variance = reshape(mean, shape), reshape(variance, shape)
    if x.dtype is D.float16:
        return M.cast(mean, D.float16), M.cast(variance, D.float16)
    return mean, variance


def l2_loss(t, name=None):
    """sum(t ** 2) / 2, a scalar."""
    return reduce_sum(U.square(as_tensor(t))) / 2


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """(x - mean) * scale / sqrt(variance + variance_epsilon) + offset."""
    x = as_tensor(x)
    inv = U.rsqrt(M.add(as_tensor(variance), variance_epsilon))
    if scale is not None:
        inv = M.multiply(inv, scale)
    shift = M.negative(M.multiply(mean, inv))
    if offset is not None:
        shift = M.add(shift, offset)
    return M.add(M.multiply(x, M.cast(inv, x.dtype)), M.cast(shift, x.dtype))


def embedding_lookup(params, ids, max_norm=None, name=None):
    """The rows of ``params`` selected by ``ids`` (shape ids.shape + params.shape[1:]); rows
    whose L2 norm exceeds ``max_norm`` are scaled down to it."""
    from ndflow.ops.gather_ops import gather
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise NotImplementedError("embedding_lookup over a list of several sharded params "
                                      "is not supported; concatenate them first")
        params = params[0]
    ids = as_tensor(ids)
    rows = gather(params, ids)
    if max_norm is None:
        return rows
    axes = list(range(ids.shape.rank, rows.shape.rank))
    norm = U.sqrt(reduce_sum(M.multiply(rows, rows), axes, keepdims=True))
    return M.truediv(M.multiply(rows, max_norm), M.maximum(norm, max_norm))


# -- gradients ---------------------------------------------------------------------------------

def _zeros(x):
    from ndflow.ops.array_ops import zeros_like
    return zeros_like(x)


@register_gradient("Relu")
def _relu_grad(op, dy):
    return (execute(RELU_GRAD, (dy, op.inputs[0])),)


@register_gradient("ReluGrad")
def _relu_grad_grad(op, ddx):
    x = op.inputs[1]
    return execute(RELU_GRAD, (ddx, x)), _zeros(x)


@register_gradient("Relu6")
def _relu6_grad(op, dy):
    return (execute(RELU6_GRAD, (dy, op.inputs[0])),)


@register_gradient("Relu6Grad")
def _relu6_grad_grad(op, ddx):
    x = op.inputs[1]
    return execute(RELU6_GRAD, (ddx, x)), _zeros(x)


@register_gradient("Elu")
def _elu_grad(op, dy):
    return (execute(ELU_GRAD, (dy, op.outputs)),)


@register_gradient("EluGrad")
def _elu_grad_grad(op, ddx):
    from ndflow.ops.array_ops import where
    dy, y = op.inputs
    return (execute(ELU_GRAD, (ddx, y)),
            where(M.less(y, 0), M.multiply(ddx, dy), _zeros(y)))


@register_gradient("Selu")
def _selu_grad(op, dy):
    return (execute(SELU_GRAD, (dy, op.outputs)),)


@register_gradient("SeluGrad")
def _selu_grad_grad(op, ddx):
    from ndflow.ops.array_ops import where
    dy, y = op.inputs
    return (execute(SELU_GRAD, (ddx, y)),
            where(M.less(y, 0), M.multiply(ddx, dy), _zeros(y)))


@register_gradient("LeakyRelu")
def _leaky_relu_grad(op, dy):
    return (execute(LEAKY_RELU_GRAD, (dy, op.inputs[0]), op.attrs),)


@register_gradient("LeakyReluGrad")
def _leaky_relu_grad_grad(op, ddx):
    x = op.inputs[1]
    return execute(LEAKY_RELU_GRAD, (ddx, x), op.attrs), _zeros(x)


@register_gradient("BiasAdd")
def _bias_add_grad(op, dy):
    return dy, execute(BIAS_ADD_GRAD, (dy,), op.attrs)


@register_gradient("BiasAddGrad")
def _bias_add_grad_grad(op, ddb):
    from ndflow.ops.array_ops import broadcast_to, reshape
    dy = op.inputs[0]
    if op.get_attr("data_format") == "NCHW":
        ddb = reshape(ddb, [-1] + [1] * (dy.shape.rank - 2))
    return (broadcast_to(ddb, dy.shape.as_list()),)


@register_gradient("Softmax")
def _softmax_grad(op, dy):
    s = op.outputs
    inner = reduce_sum(M.multiply(dy, s), op.get_attr("axis"), keepdims=True)
    return (M.multiply(M.subtract(dy, inner), s),)


@register_gradient("LogSoftmax")
def _log_softmax_grad(op, dy):
    total = reduce_sum(dy, op.get_attr("axis"), keepdims=True)
    return (M.subtract(dy, M.multiply(total, U.exp(op.outputs))),)
