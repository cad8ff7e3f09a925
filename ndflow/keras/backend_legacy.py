"""The tensor functions of the tf.keras legacy backend (``tf.keras.backend.mean`` & co.), as
custom losses and metrics written for Keras 2 call them. All are composed from ndflow ops, so
they are differentiable; ``ndflow.keras.backend`` re-exports them."""
import builtins
import collections
import numbers

import numpy as np

import ndflow as _nd
from ndflow.keras import backend as _backend

_UIDS = collections.defaultdict(int)


def _tensor(x):
    if isinstance(x, _nd.Variable) or _nd.is_tensor(x):
        return x
    return _nd.convert_to_tensor(x)


def _rank(x):
    return len(_tensor(x).shape.as_list())


def _like(value, x):
    """``value`` as a constant of ``x``'s dtype (so Python numbers do not change dtypes)."""
    return _nd.constant(value, dtype=_tensor(x).dtype)


# -- creation ---------------------------------------------------------------------------------

def variable(value, dtype=None, name=None, constraint=None):
    """A variable holding ``value`` (dtype defaults to floatx)."""
    value = np.asarray(value.numpy() if hasattr(value, "numpy") else value,
                       dtype=_nd.as_dtype(dtype or _backend.floatx()).as_numpy_dtype)
    return _nd.Variable(value, name=name, constraint=constraint)


def _filled_variable(fill, shape, dtype, name):
    dtype = _nd.as_dtype(dtype or _backend.floatx()).as_numpy_dtype
    return _nd.Variable(fill(shape, dtype=dtype), name=name)


def zeros(shape, dtype=None, name=None):
    """A variable of zeros (the legacy backend returns variables for static shapes)."""
    return _filled_variable(np.zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    """A variable of ones."""
    return _filled_variable(np.ones, shape, dtype, name)


def eye(size, dtype=None, name=None):
    """A variable holding the identity matrix of ``size`` (an int or (rows, cols))."""
    rows, cols = (size, size) if isinstance(size, numbers.Integral) else tuple(size)
    dtype = _nd.as_dtype(dtype or _backend.floatx()).as_numpy_dtype
    return _nd.Variable(np.eye(rows, cols, dtype=dtype), name=name)


def zeros_like(x, dtype=None, name=None):
    """Zeros of ``x``'s shape (and dtype, unless given)."""
    return _nd.zeros_like(_tensor(x), dtype=dtype)


def ones_like(x, dtype=None, name=None):
    """Ones of ``x``'s shape (and dtype, unless given)."""
    return _nd.ones_like(_tensor(x), dtype=dtype)


def arange(start, stop=None, step=1, dtype="int32"):
    """``[start, stop)`` by ``step`` (``arange(n)`` counts from 0; a negative ``n`` alone gives
    an empty range)."""
    if stop is None and start < 0:
        start = 0
    if stop is None:
        start, stop = 0, start
    return _nd.cast(_nd.range(start, stop, step), dtype)


def cast_to_floatx(x):
    """``x`` as floatx: NumPy arrays stay NumPy arrays, tensors are cast."""
    if _nd.is_tensor(x) or isinstance(x, _nd.Variable):
        return _nd.cast(x, _backend.floatx())
    return np.asarray(x, dtype=_backend.floatx())


def dtype(x):
    """The dtype name of ``x`` ('float32', ...)."""
    return _tensor(x).dtype.base_dtype.name


def ndim(x):
    """The rank of ``x``."""
    return _rank(x)


def count_params(x):
    """The number of scalars in ``x``."""
    return int(np.prod(_tensor(x).shape.as_list()))


def get_uid(prefix=""):
    """1, 2, 3... per ``prefix`` (reset by clear_session)."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def reset_uids():
    """Forgets the get_uid counters (clear_session calls it)."""
    _UIDS.clear()


def is_keras_tensor(x):
    """True for symbolic KerasTensors of the functional API."""
    from ndflow.keras.layers.functional_node import is_symbolic
    return is_symbolic(x)


def stop_gradient(variables):
    """``variables`` (one tensor or a list) with gradients blocked."""
    if isinstance(variables, (list, tuple)):
        return [_nd.stop_gradient(v) for v in variables]
    return _nd.stop_gradient(variables)


# -- elementwise ------------------------------------------------------------------------------

def abs(x):  # noqa: A001 - Keras' name
    """|x|."""
    return _nd.abs(x)


def exp(x):
    """e ** x."""
    return _nd.exp(x)


def log(x):
    """Natural logarithm."""
    return _nd.math.log(x)


def sqrt(x):
    """Square root, with negative inputs clipped to 0 first (as the legacy backend does)."""
    x = _tensor(x)
    return _nd.sqrt(_nd.maximum(x, _like(0, x)))


def pow(x, a):  # noqa: A001 - Keras' name
    """x ** a."""
    x = _tensor(x)
    return _nd.pow(x, _like(a, x) if isinstance(a, numbers.Number) else a)


def round(x):  # noqa: A001 - Keras' name
    """Rounds half to even."""
    return _nd.math.round(x)


def sign(x):
    """-1, 0 or 1."""
    return _nd.sign(x)


def sigmoid(x):
    """1 / (1 + exp(-x))."""
    return _nd.math.sigmoid(x)


def tanh(x):
    """Hyperbolic tangent."""
    return _nd.tanh(x)


def softplus(x):
    """log(1 + exp(x))."""
    return _nd.nn.softplus(x)


def softmax(x, axis=-1):
    """Softmax along ``axis``."""
    return _nd.nn.softmax(x, axis=axis)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Values above ``threshold`` pass (capped at ``max_value``); below it the output is
    ``alpha * (x - threshold)``."""
    x = _tensor(x)
    above = _nd.cast(_nd.greater(x, _like(threshold, x)), x.dtype)
    out = x * above if threshold != 0 else _nd.nn.relu(x)
    if max_value is not None:
        out = _nd.clip_by_value(out, _like(0, x), _like(max_value, x))
    if alpha != 0:
        out = out - _like(alpha, x) * _nd.nn.relu(_like(threshold, x) - x)
    return out


def clip(x, min_value, max_value):
    """x limited to [min_value, max_value] (a max below the min is raised to it)."""
    x = _tensor(x)
    if max_value is None:
        max_value = np.inf
    if min_value is None:
        min_value = -np.inf
    if isinstance(max_value, numbers.Number) and isinstance(min_value, numbers.Number):
        max_value = builtins.max(max_value, min_value)  # `max` is this module's reduction
    return _nd.clip_by_value(x, _like(min_value, x), _like(max_value, x))


def l2_normalize(x, axis=None):
    """x / sqrt(max(sum(x ** 2, axis), 1e-12))."""
    return _nd.math.l2_normalize(x, axis=axis)


def equal(x, y):
    """x == y elementwise."""
    return _nd.equal(x, y)


def not_equal(x, y):
    """x != y elementwise."""
    return _nd.not_equal(x, y)


def greater(x, y):
    """x > y elementwise."""
    return _nd.greater(x, y)


def greater_equal(x, y):
    """x >= y elementwise."""
    return _nd.greater_equal(x, y)


def less(x, y):
    """x < y elementwise."""
    return _nd.less(x, y)


def less_equal(x, y):
    """x <= y elementwise."""
    return _nd.less_equal(x, y)


def maximum(x, y):
    """Elementwise maximum."""
    return _nd.maximum(x, y)


def minimum(x, y):
    """Elementwise minimum."""
    return _nd.minimum(x, y)


# -- reductions -------------------------------------------------------------------------------

def _floated(x):
    x = _tensor(x)
    return _nd.cast(x, _backend.floatx()) if x.dtype == _nd.bool else x


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Sum over ``axis``."""
    return _nd.reduce_sum(x, axis=axis, keepdims=keepdims)


def prod(x, axis=None, keepdims=False):
    """Product over ``axis``."""
    return _nd.reduce_prod(x, axis=axis, keepdims=keepdims)


def max(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Maximum over ``axis``."""
    return _nd.reduce_max(x, axis=axis, keepdims=keepdims)


def min(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Minimum over ``axis``."""
    return _nd.reduce_min(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (booleans count as floatx 0/1)."""
    return _nd.reduce_mean(_floated(x), axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    return _nd.math.reduce_variance(_floated(x), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``."""
    return _nd.math.reduce_std(_floated(x), axis=axis, keepdims=keepdims)


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Logical AND over ``axis`` (non-boolean inputs: non-zero is True)."""
    return _nd.reduce_all(_nd.cast(x, _nd.bool), axis=axis, keepdims=keepdims)


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """Logical OR over ``axis``."""
    return _nd.reduce_any(_nd.cast(x, _nd.bool), axis=axis, keepdims=keepdims)


def argmax(x, axis=-1):
    """Index of the maximum along ``axis`` (int64)."""
    return _nd.argmax(x, axis=axis)


def argmin(x, axis=-1):
    """Index of the minimum along ``axis`` (int64)."""
    return _nd.argmin(x, axis=axis)


def cumsum(x, axis=0):
    """Cumulative sum along ``axis``."""
    return _nd.cumsum(x, axis=axis)


def cumprod(x, axis=0):
    """Cumulative product along ``axis``."""
    return _nd.math.cumprod(x, axis=axis)
