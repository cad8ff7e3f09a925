"""``ndflow.keras.activations``: Keras 3's activation functions, built from ndflow ops.

Every function is differentiable (it is composed of ndflow ops only), carries
``_keras_module = "keras.activations"`` so that serialization names it the way Keras 3 does
(a bare string such as ``"relu"``), and is registered as a built-in so configs can load it.
"""
import difflib

import ndflow as nd
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.saving import serialization_lib as _serial

_MODULE = "keras.activations"


def _t(x):
    return nd.convert_to_tensor(x)


def _const(value, like):
    return nd.constant(value, dtype=like.dtype)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Rectified linear unit: ``max(x, 0)``, optionally leaky below ``threshold``
    (slope ``negative_slope``), clipped at ``max_value``, and zero up to ``threshold``."""
    x = _t(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return nd.nn.leaky_relu(x, alpha=negative_slope)
    clip = max_value is not None
    if threshold != 0:
        positive = nd.where(nd.greater(x, _const(threshold, x)), x, nd.zeros_like(x))
    elif max_value == 6:
        positive, clip = nd.nn.relu6(x), False   # the fused op, as Keras uses
    else:
        positive = nd.nn.relu(x)
    if clip:
        positive = nd.clip_by_value(positive, _const(0.0, x), _const(max_value, x))
    if negative_slope == 0.0:
        return positive
    below = nd.nn.relu(nd.subtract(_const(threshold, x), x) if threshold != 0 else -x)
    return positive - negative_slope * below


def leaky_relu(x, negative_slope=0.2):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise."""
    return nd.nn.leaky_relu(_t(x), alpha=negative_slope)


def relu6(x):
    """``min(max(x, 0), 6)``."""
    return nd.nn.relu6(_t(x))


def _reduce_axes(x, axis):
    if axis is None:
        return list(range(x.shape.rank))
    return list(axis)


def softmax(x, axis=-1):
    """Exponentials normalised to sum to 1 along ``axis`` (an int, a tuple, or None: all)."""
    x = _t(x)
    if isinstance(axis, int):
        out = nd.nn.softmax(x, axis=axis)
    else:
        # Several axes at once: the stable form exp(x - logsumexp(x)).
        lse = nd.reduce_logsumexp(x, axis=_reduce_axes(x, axis), keepdims=True)
        out = nd.exp(x - lse)
    try:
        out._keras_logits = x   # lets losses undo the softmax, as Keras does
    except AttributeError:
        pass
    return out


def log_softmax(x, axis=-1):
    """``log(softmax(x, axis))``, computed stably."""
    x = _t(x)
    if isinstance(axis, int):
        return nd.nn.log_softmax(x, axis=axis)
    return x - nd.reduce_logsumexp(x, axis=_reduce_axes(x, axis), keepdims=True)


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    x = _t(x)
    out = nd.nn.elu(x)
    if alpha == 1:
        return out
    return nd.where(nd.greater(x, _const(0.0, x)), out, alpha * out)


def selu(x):
    """Scaled exponential linear unit (scale 1.0507..., alpha 1.6732...)."""
    return nd.nn.selu(_t(x))


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: ``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    x = _t(x)
    zero = _const(0.0, x)
    return nd.maximum(x, zero) + alpha * nd.math.expm1(nd.minimum(x, zero) / alpha)


def softplus(x):
    """``log(exp(x) + 1)``, computed stably."""
    return nd.math.softplus(_t(x))


def softsign(x):
    """``x / (abs(x) + 1)``."""
    x = _t(x)
    return x / (nd.abs(x) + _const(1.0, x))


def squareplus(x, b=4):
    """``(x + sqrt(x ** 2 + b)) / 2``, a smooth ReLU."""
    x = _t(x)
    return (x + nd.sqrt(nd.square(x) + _const(b, x))) / _const(2.0, x)


def sparse_plus(x):
    """0 for ``x <= -1``, ``x`` for ``x >= 1``, ``(x + 1) ** 2 / 4`` between."""
    x = _t(x)
    middle = 0.25 * nd.square(x + _const(1.0, x))
    inner = nd.where(nd.less(x, _const(1.0, x)), middle, x)
    return nd.where(nd.less_equal(x, _const(-1.0, x)), nd.zeros_like(x), inner)


def silu(x):
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``."""
    return nd.nn.silu(_t(x))


def gelu(x, approximate=False):
    """Gaussian error linear unit, exact (erf) or with the tanh approximation."""
    return nd.nn.gelu(_t(x), approximate=approximate)


def glu(x, axis=-1):
    """Gated linear unit: splits ``x`` in two halves ``a, b`` along ``axis``; ``a * sigmoid(b)``."""
    x = _t(x)
    if x.shape[axis] % 2 != 0:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={x.shape} "
                         f"with axis={axis}")
    a, b = nd.split(x, 2, axis=axis)
    return a * nd.sigmoid(b)


def tanh(x):
    """Hyperbolic tangent."""
    return nd.tanh(_t(x))


def tanh_shrink(x):
    """``x - tanh(x)``."""
    x = _t(x)
    return x - nd.tanh(x)


def hard_tanh(x):
    """``x`` clipped to ``[-1, 1]``."""
    x = _t(x)
    return nd.clip_by_value(x, _const(-1.0, x), _const(1.0, x))


def hard_shrink(x, threshold=0.5):
    """``x`` where ``abs(x) > threshold``, else 0."""
    x = _t(x)
    return nd.where(nd.greater(nd.abs(x), _const(threshold, x)), x, nd.zeros_like(x))


def soft_shrink(x, threshold=0.5):
    """``x`` moved ``threshold`` towards 0, and 0 inside ``[-threshold, threshold]``."""
    x = _t(x)
    t = _const(threshold, x)
    inner = nd.where(nd.less(x, -t), x + t, nd.zeros_like(x))
    return nd.where(nd.greater(x, t), x - t, inner)


def threshold(x, threshold, default_value):
    """``x`` where ``x > threshold``, else ``default_value``."""
    x = _t(x)
    return nd.where(nd.greater(x, _const(threshold, x)), x,
                    nd.fill(nd.shape(x), _const(default_value, x)))


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    x = _t(x)
    out = nd.sigmoid(x)
    try:
        out._keras_logits = x
    except AttributeError:
        pass
    return out


def sparse_sigmoid(x):
    """0 for ``x <= -1``, 1 for ``x >= 1``, ``(x + 1) / 2`` between."""
    x = _t(x)
    inner = nd.where(nd.greater_equal(x, _const(1.0, x)), nd.ones_like(x),
                     0.5 * (x + _const(1.0, x)))
    return nd.where(nd.less_equal(x, _const(-1.0, x)), nd.zeros_like(x), inner)


def exponential(x):
    """``exp(x)``."""
    return nd.exp(_t(x))


def hard_sigmoid(x):
    """Keras 3's piecewise-linear sigmoid: ``relu6(x + 3) / 6``."""
    x = _t(x)
    return nd.nn.relu6(x + _const(3.0, x)) / _const(6.0, x)


def hard_silu(x):
    """``x * hard_sigmoid(x)`` (hard swish)."""
    x = _t(x)
    return x * hard_sigmoid(x)


def log_sigmoid(x):
    """``log(sigmoid(x))``, computed stably."""
    return nd.math.log_sigmoid(_t(x))


def linear(x):
    """The identity: returns ``x`` unchanged."""
    return x


def mish(x):
    """``x * tanh(softplus(x))``."""
    x = _t(x)
    return x * nd.tanh(nd.math.softplus(x))


def sparsemax(x, axis=-1):
    """Euclidean projection of ``x`` onto the probability simplex along ``axis``: like softmax,
    but it can give exact zeros."""
    x = _t(x)
    rank = x.shape.rank
    axis = axis % rank
    perm = None
    if axis != rank - 1:
        # top_k works on the last axis, so move `axis` there and back.
        perm = [i for i in range(rank) if i != axis] + [axis]
        x = nd.transpose(x, perm)
    n = x.shape[-1]
    ordered = nd.nn.top_k(x, k=n).values
    cumulative = nd.cumsum(ordered, axis=-1)
    ranks = nd.cast(nd.range(1, n + 1), x.dtype)
    support = nd.greater(ordered - (cumulative - _const(1.0, x)) / ranks, _const(0.0, x))
    k = nd.reduce_sum(nd.cast(support, x.dtype), axis=-1, keepdims=True)
    kept = nd.where(support, cumulative, nd.zeros_like(cumulative))
    tau = (nd.reduce_sum(kept, axis=-1, keepdims=True) - _const(1.0, x)) / k
    out = nd.maximum(x - tau, _const(0.0, x))
    if perm is not None:
        inverse = [perm.index(i) for i in range(rank)]
        out = nd.transpose(out, inverse)
    return out


_FUNCTIONS = [relu, leaky_relu, relu6, softmax, log_softmax, elu, selu, celu, softplus,
              softsign, squareplus, sparse_plus, silu, gelu, glu, tanh, tanh_shrink, hard_tanh,
              hard_shrink, soft_shrink, threshold, sigmoid, sparse_sigmoid, exponential,
              hard_sigmoid, hard_silu, log_sigmoid, linear, mish, sparsemax]
_OBJECTS = {fn.__name__: fn for fn in _FUNCTIONS}
_OBJECTS.update(swish=silu, hard_swish=hard_silu)
swish = silu
hard_swish = hard_silu

for _fn in _FUNCTIONS:
    _fn._keras_module = _MODULE
for _name, _fn in _OBJECTS.items():
    _reg.register_builtin(_MODULE, _fn, name=_name)
del _fn, _name


def serialize(activation):
    """A built-in activation's name (``"relu"``); a config dict for anything else."""
    config = _serial.serialize_keras_object(activation)
    if isinstance(config, dict) and "config" not in config:
        raise ValueError(f"Unknown activation function '{activation}' cannot be serialized due "
                         f"to invalid function name. config={config}")
    return config


def deserialize(config, custom_objects=None):
    """The activation function described by ``config`` (a name or a serialized dict)."""
    return _serial.deserialize_keras_object(config, custom_objects=custom_objects,
                                            module_objects=_OBJECTS, module=_MODULE,
                                            printable_module_name="activation function")


def _by_name(name):
    found = _reg.get_registered_object(name, _reg.scoped_objects(), _OBJECTS)
    if found is None:
        close = difflib.get_close_matches(name, sorted(_OBJECTS), n=5)
        hint = f" Did you mean one of: {', '.join(close)}?" if close else ""
        raise ValueError(f"Could not interpret activation function identifier: {name}.{hint}")
    return found


def get(identifier):
    """An activation function from ``None`` (linear), a name, a config dict or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = _by_name(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret activation function identifier: {identifier}")


__all__ = sorted(_OBJECTS) + ["deserialize", "get", "serialize"]
