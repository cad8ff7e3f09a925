"""More of the tf.keras legacy backend (``K.cos``, ``K.conv2d``, ``K.random_normal``,
``K.update_add``, ...), composed from ndflow ops so they stay differentiable;
``ndflow.keras.backend`` re-exports them."""
import contextlib

import numpy as np

import ndflow as _nd
from ndflow.keras import backend as _backend
from ndflow.keras.backend_legacy import _like, _rank, _tensor, variable
from ndflow.keras.backend_shapes import binary_crossentropy
from ndflow.keras.utils.numerical_utils import standardize_dtype


def backend():
    """The name of the backend Keras runs on: 'tensorflow' (ndflow stands in for it)."""
    return "tensorflow"


# -- values and variables ---------------------------------------------------------------------

def batch_get_value(tensors):
    """The values of several tensors or variables, as NumPy arrays."""
    return [x.numpy() for x in tensors]


def batch_set_value(tuples):
    """Assigns each ``(variable, value)`` pair's value (cast to the variable's dtype)."""
    for x, value in tuples:
        x.assign(np.asarray(value, dtype=x.dtype.as_numpy_dtype))


def update(x, new_x):
    """Assigns ``new_x`` to the variable ``x`` and returns it."""
    return x.assign(new_x)


def update_add(x, increment):
    """Adds ``increment`` to the variable ``x`` and returns it."""
    return x.assign_add(increment)


def update_sub(x, decrement):
    """Subtracts ``decrement`` from the variable ``x`` and returns it."""
    return x.assign_sub(decrement)


def moving_average_update(x, value, momentum):
    """``x <- x * momentum + value * (1 - momentum)`` for the variable ``x``."""
    momentum = _nd.cast(momentum, x.dtype)
    value = _nd.cast(value, x.dtype)
    return x.assign_sub((x - value) * (1 - momentum))


def is_sparse(tensor):
    """Whether ``tensor`` is a SparseTensor."""
    return isinstance(tensor, _nd.SparseTensor)


def to_dense(tensor):
    """A SparseTensor made dense; any other tensor unchanged."""
    return _nd.sparse.to_dense(tensor) if is_sparse(tensor) else tensor


def is_float_dtype(dtype):
    """Whether ``dtype`` (any dtype spelling) is a floating-point type."""
    name = standardize_dtype(dtype)
    return name.startswith("float") or name.startswith("bfloat")


def is_int_dtype(dtype):
    """Whether ``dtype`` (any dtype spelling) is a signed or unsigned integer type."""
    name = standardize_dtype(dtype)
    return name.startswith("int") or name.startswith("uint")


def name_scope(name):
    """A context manager for a name scope (op names do not affect eager ndflow)."""
    if not isinstance(name, str):
        raise TypeError(f"name_scope expects a string name. Received: {name!r}")
    return contextlib.nullcontext()


def gradients(loss, variables):
    """Symbolic gradients of the graph-only TF1 API: unavailable eagerly, as in TensorFlow."""
    raise RuntimeError("tf.gradients is not supported when eager execution is enabled. Use "
                       "tf.GradientTape instead.")


# -- elementwise ------------------------------------------------------------------------------

def cos(x):
    """Elementwise cosine."""
    return _nd.math.cos(x)


def sin(x):
    """Elementwise sine."""
    return _nd.math.sin(x)


def softsign(x):
    """``x / (1 + |x|)``."""
    x = _tensor(x)
    return x / (_nd.abs(x) + _like(1, x))


def elu(x, alpha=1.0):
    """Exponential linear unit; ``alpha`` scales the negative side."""
    x = _tensor(x)
    res = _nd.nn.elu(x)
    return res if alpha == 1 else _nd.where(x > 0, res, res * _like(alpha, x))


def hard_sigmoid(x):
    """The legacy piecewise-linear sigmoid ``clip(0.2 * x + 0.5, 0, 1)``."""
    x = _tensor(x)
    return _nd.clip_by_value(x * _like(0.2, x) + _like(0.5, x), _like(0, x), _like(1, x))


def repeat(x, n):
    """Repeats a (batch, features) tensor ``n`` times: (batch, n, features)."""
    if _rank(x) != 2:
        raise ValueError(f"Expected input `x` to have rank 2. Received: rank(x)={_rank(x)}")
    return _nd.tile(_nd.expand_dims(x, 1), [1, n, 1])


def reverse(x, axes):
    """``x`` reversed along ``axes`` (an int or a list)."""
    return _nd.reverse(x, [axes] if isinstance(axes, int) else list(axes))


def in_top_k(predictions, targets, k):
    """Whether each row's target class is among its ``k`` largest predictions (ties count
    in the target's favour; a non-finite target prediction is never in the top k)."""
    predictions = _tensor(predictions)
    depth = predictions.shape[-1]
    hot = _nd.one_hot(_nd.cast(targets, "int32"), depth, dtype=predictions.dtype)
    target_pred = _nd.reduce_sum(predictions * hot, axis=-1, keepdims=True)
    above = _nd.reduce_sum(_nd.cast(predictions > target_pred, "int32"), axis=-1)
    finite = _nd.math.is_finite(_nd.squeeze(target_pred, -1))
    return _nd.logical_and(above < k, finite)


# -- random -----------------------------------------------------------------------------------

def _seed(seed):
    # Like Keras: no seed means a fresh one from NumPy's global generator.
    return int(np.random.randint(10e6)) if seed is None else seed


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution."""
    return _nd.random.normal(shape, mean, stddev, dtype=dtype or _backend.floatx(),
                             seed=_seed(seed))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of a uniform distribution on [minval, maxval)."""
    return _nd.random.uniform(shape, minval, maxval, dtype=dtype or _backend.floatx(),
                              seed=_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution redrawn beyond two standard deviations."""
    return _nd.random.truncated_normal(shape, mean, stddev, dtype=dtype or _backend.floatx(),
                                       seed=_seed(seed))


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """Ones with probability ``p``, zeros otherwise."""
    dtype = dtype or _backend.floatx()
    draw = _nd.random.uniform(shape, dtype=dtype, seed=_seed(seed))
    return _nd.where(draw <= p, _nd.ones(shape, dtype), _nd.zeros(shape, dtype))


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    """A variable initialised with normal samples."""
    dtype = dtype or _backend.floatx()
    return variable(random_normal(shape, mean, scale, dtype, seed), dtype=dtype, name=name)


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    """A variable initialised with uniform samples on [low, high)."""
    dtype = dtype or _backend.floatx()
    return variable(random_uniform(shape, low, high, dtype, seed), dtype=dtype, name=name)


def dropout(x, level, noise_shape=None, seed=None):
    """Zeroes entries with probability ``level`` and scales the rest by 1 / (1 - level)."""
    return _nd.nn.dropout(x, rate=level, noise_shape=noise_shape, seed=_seed(seed))


# -- normalisation and losses -----------------------------------------------------------------

def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    """``gamma * (x - mean) / sqrt(var + epsilon) + beta`` (``axis`` is unused, as in Keras)."""
    return _nd.nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    """Elementwise binary cross-entropy scaled by ``(1 - p_t) ** gamma`` (and by ``alpha`` for
    positives, ``1 - alpha`` for negatives with class balancing)."""
    target, output = _tensor(target), _tensor(output)
    prob = _nd.sigmoid(output) if from_logits else output
    one = _like(1, output)
    p_t = target * prob + (one - target) * (one - prob)
    focal = _nd.pow(one - p_t, _like(gamma, output)) * binary_crossentropy(
        target, output, from_logits=from_logits)
    if apply_class_balancing:
        focal = (target * _like(alpha, output) + (one - target) * _like(1 - alpha, output)) * focal
    return focal


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    """Categorical cross-entropy with each class term scaled by ``alpha * (1 - p) ** gamma``."""
    target, output = _tensor(target), _tensor(output)
    if not target.shape.is_compatible_with(output.shape):
        raise ValueError(f"Shapes {target.shape} and {output.shape} are incompatible")
    if from_logits:
        output = _nd.nn.softmax(output, axis=axis)
    output = output / _nd.reduce_sum(output, axis=axis, keepdims=True)
    eps = _like(_backend.epsilon(), output)
    output = _nd.clip_by_value(output, eps, _like(1, output) - eps)
    terms = _nd.pow(_like(1, output) - output, _like(gamma, output)) * _like(alpha, output) * (
        -target * _nd.math.log(output))
    return _nd.reduce_sum(terms, axis=axis)


# -- padding ----------------------------------------------------------------------------------

def _data_format(data_format):
    data_format = data_format or _backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    return data_format


def temporal_padding(x, padding=(1, 1)):
    """Pads the middle axis of a 3-D tensor with zeros (``padding`` = (left, right))."""
    if len(padding) != 2:
        raise ValueError(f"Expected `padding` to be a tuple of 2 integers. Received: "
                         f"padding={padding}")
    return _nd.pad(x, [[0, 0], list(padding), [0, 0]])


def _spatial_padding(x, padding, data_format, count):
    if len(padding) != count or any(len(p) != 2 for p in padding):
        raise ValueError(f"Expected `padding` to be a tuple of {count} tuples of 2 integers. "
                         f"Received: padding={padding}")
    pattern = [list(p) for p in padding]
    if _data_format(data_format) == "channels_first":
        return _nd.pad(x, [[0, 0], [0, 0]] + pattern)
    return _nd.pad(x, [[0, 0]] + pattern + [[0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    """Zero-pads the two spatial axes of a 4-D tensor."""
    return _spatial_padding(x, padding, data_format, 2)


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    """Zero-pads the three spatial axes of a 5-D tensor."""
    return _spatial_padding(x, padding, data_format, 3)


# -- loops ------------------------------------------------------------------------------------

def map_fn(fn, elems, name=None, dtype=None):
    """``fn`` applied to each slice of ``elems`` along its first axis, stacked."""
    elems = _tensor(elems)
    return _nd.stack([fn(elems[i]) for i in range(elems.shape[0])])


def foldl(fn, elems, initializer=None, name=None):
    """Reduces ``elems`` from the first slice on: ``acc = fn(acc, elems[i])``."""
    return _fold(fn, elems, initializer, range(_tensor(elems).shape[0]))


def foldr(fn, elems, initializer=None, name=None):
    """Reduces ``elems`` from the last slice back: ``acc = fn(acc, elems[i])``."""
    return _fold(fn, elems, initializer, reversed(range(_tensor(elems).shape[0])))


def _fold(fn, elems, initializer, order):
    elems = _tensor(elems)
    order = list(order)
    if initializer is None:
        if not order:
            raise ValueError("Cannot fold an empty sequence without an initializer.")
        acc, order = elems[order[0]], order[1:]
    else:
        acc = initializer
    for i in order:
        acc = fn(acc, elems[i])
    return acc
