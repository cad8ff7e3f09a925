"""Regularization layers: Dropout, SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout,
AlphaDropout and ActivityRegularization.

The random layers act only when called with ``training=True`` (None or False: the identity).
Like Keras 3, each owns a seed generator: a ``[seed, counter]`` state feeding stateless random
ops, the counter advancing once per call. The masks are therefore a function of the layer's seed
and of how many times it ran: a layer given ``seed`` repeats its masks in every run, and an
unseeded layer draws its seed from ndflow's random stream when it is created, so
``keras.utils.set_random_seed(s)`` (or ``tf.random.set_seed``) makes whole runs repeat.
The values differ from real Keras (TensorFlow's Philox bits are not reproduced), not the
distributions.
"""
import math

import numpy as np

import ndflow as nd
from ndflow.keras import regularizers
from ndflow.keras.layers.core_layers import check_input_rank, standardize_data_format
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "Dropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]

_SEED_LIMIT = 2**31 - 2   # Keras folds seeds into int32 range (floormod by int32.max - 1)


class SeedGenerator:
    """A ``[seed, counter]`` state: ``next()`` returns it and advances the counter.

    The state is an int64 ndflow Variable (so a traced function advances it too), kept off the
    owning layer's weights as in Keras, where it is no weight either.
    """

    def __init__(self, seed=None):
        if seed is None:
            # Drawn from ndflow's random stream: repeatable once a global seed is set.
            seed = int(nd.random.uniform([], minval=1, maxval=10**9, dtype=nd.int64).numpy())
        elif not isinstance(seed, int) or isinstance(seed, bool):
            raise ValueError(
                f"Argument `seed` must be an integer. Received: seed={seed}")
        self.state = nd.Variable(np.array([seed % _SEED_LIMIT, 0], np.int64), trainable=False,
                                 dtype=nd.int64, name="seed_generator_state")
        self._step = nd.constant([0, 1], nd.int64)

    def next(self):
        """The current ``[seed, counter]`` (an int64 tensor); the counter then advances."""
        value = self.state.read_value()
        self.state.assign_add(self._step)
        return value


def _input_shape(inputs):
    shape = inputs.shape.as_list()
    return nd.shape(inputs) if None in shape else shape


def _noise_shape(inputs, noise_shape):
    """``noise_shape`` with None entries taken from the input's shape."""
    if noise_shape is None:
        return _input_shape(inputs)
    shape = inputs.shape.as_list()
    dims = [shape[i] if d is None else d for i, d in enumerate(noise_shape)]
    if None in dims:
        dynamic = nd.shape(inputs)
        return nd.stack([dynamic[i] if d is None else nd.constant(d, dynamic.dtype)
                         for i, d in enumerate(dims)])
    return dims


def dropout(inputs, rate, noise_shape, seed_generator):
    """Zeroes each element (or each ``noise_shape`` slice) with probability ``rate`` and scales
    the kept ones by ``1 / (1 - rate)``; the draw is fixed by the generator's next seed."""
    if rate == 1.0:
        return nd.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    dtype = inputs.dtype
    floating = dtype.as_numpy_dtype
    # The scale in the input dtype, as TensorFlow's stateless_dropout computes it.
    scale = floating(1) / (floating(1) - floating(rate))
    draw = nd.random.stateless_uniform(_noise_shape(inputs, noise_shape),
                                       seed=seed_generator.next(), dtype=dtype)
    keep = nd.cast(nd.greater_equal(draw, nd.constant(rate, dtype)), dtype)
    return inputs * nd.constant(scale, dtype) * keep


def _validate_rate(rate):
    if not 0 <= rate <= 1:
        raise ValueError("Invalid value received for argument `rate`. Expected a float value "
                         f"between 0 and 1. Received: rate={rate}")


def _validate_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str):
        raise ValueError(  # noqa: TRY004 - Keras raises ValueError here
            "Invalid value received for argument `noise_shape`. Expected a tuple or list of "
            f"integers. Received: noise_shape={noise_shape}")
    if not isinstance(noise_shape, tuple):
        try:
            noise_shape = tuple(noise_shape)
        except TypeError:
            raise ValueError("Invalid value received for argument `noise_shape`. Expected an "
                             "iterable of integers (e.g., a tuple or list). Received: "
                             f"noise_shape={noise_shape}") from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if not isinstance(dim, int):
            raise ValueError(  # noqa: TRY004 - Keras raises ValueError here
                "Invalid value received for argument `noise_shape`. Expected all elements to "
                f"be integers or None. Received element at index {i}: {dim} "
                f"(type: {type(dim).__name__})")
        if dim <= 0:
            raise ValueError("Invalid value received for argument `noise_shape`. Expected all "
                             "dimensions to be positive integers or None. Received negative or "
                             f"zero value at index {i}: {dim}")
    return noise_shape


@register_builtin("keras.layers")
class Dropout(Layer):
    """Randomly sets a fraction ``rate`` of the inputs to 0 during training, scaling the rest
    by ``1 / (1 - rate)``; ``noise_shape`` shares one decision along axes of size 1."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        _validate_rate(rate)
        self.rate = rate
        self.seed = seed
        self.noise_shape = _validate_noise_shape(noise_shape)
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            return dropout(inputs, self.rate, self.noise_shape, self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed, "noise_shape": self.noise_shape})
        return config


class BaseSpatialDropout(Dropout):
    """Dropout of whole feature maps: one decision per sample and channel."""

    _ndim = None

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)

    def _spatial_noise_shape(self, inputs):
        raise NotImplementedError

    def call(self, inputs, training=False):
        check_input_rank(self, inputs, ndim=self._ndim)
        if training and self.rate > 0:
            return dropout(inputs, self.rate, self._spatial_noise_shape(inputs),
                           self.seed_generator)
        return inputs

    def get_config(self):
        # Keras 3's spatial dropouts report only these four entries (dtype as a plain name).
        return {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}


@register_builtin("keras.layers")
class SpatialDropout1D(BaseSpatialDropout):
    """Drops entire 1D feature maps of ``(batch, steps, channels)`` inputs."""

    _ndim = 3

    def __init__(self, rate, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)

    def _spatial_noise_shape(self, inputs):
        return (None, 1, None)


class _ImageSpatialDropout(BaseSpatialDropout):
    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = standardize_data_format(data_format)

    def _spatial_noise_shape(self, inputs):
        ones = (1,) * (self._ndim - 2)
        if self.data_format == "channels_first":
            return (None, None) + ones
        return (None,) + ones + (None,)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


@register_builtin("keras.layers")
class SpatialDropout2D(_ImageSpatialDropout):
    """Drops entire 2D feature maps of 4D inputs (``data_format`` says where channels are)."""

    _ndim = 4

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, data_format=data_format, seed=seed, name=name, dtype=dtype)


@register_builtin("keras.layers")
class SpatialDropout3D(_ImageSpatialDropout):
    """Drops entire 3D feature maps of 5D inputs (``data_format`` says where channels are)."""

    _ndim = 5

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, data_format=data_format, seed=seed, name=name, dtype=dtype)


@register_builtin("keras.layers")
class GaussianNoise(Layer):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` during training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= stddev <= 1:
            raise ValueError("Invalid value received for argument `stddev`. Expected a float "
                             f"value between 0 and 1. Received: stddev={stddev}")
        self.stddev = stddev
        self.seed = seed
        if stddev > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.stddev > 0:
            return inputs + nd.random.stateless_normal(
                _input_shape(inputs), seed=self.seed_generator.next(), mean=0.0,
                stddev=self.stddev, dtype=self.compute_dtype)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"stddev": self.stddev, "seed": self.seed})
        return config


@register_builtin("keras.layers")
class GaussianDropout(Layer):
    """Multiplies the inputs by Gaussian noise of mean 1 and standard deviation
    ``sqrt(rate / (1 - rate))`` during training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        _validate_rate(rate)
        self.rate = rate
        self.seed = seed
        if rate > 0:
            self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * nd.random.stateless_normal(
                _input_shape(inputs), seed=self.seed_generator.next(), mean=1.0, stddev=stddev,
                dtype=self.compute_dtype)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


_SELU_ALPHA = 1.6732632423543772
_SELU_SCALE = 1.0507009873554805


@register_builtin("keras.layers")
class AlphaDropout(Layer):
    """Dropout that keeps a SELU network's mean and variance: dropped inputs are set to SELU's
    negative saturation value, then an affine map restores the statistics.

    ``tf.keras`` in TF 2.21 exports Keras' legacy version of this layer, mirrored here: ``rate``
    is not validated and ``get_config`` leaves ``noise_shape`` out.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        self.noise_shape = noise_shape
        self.seed_generator = SeedGenerator(seed)
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not (training and self.rate > 0):
            return inputs
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        draw = nd.random.stateless_uniform(_noise_shape(inputs, self.noise_shape),
                                           seed=self.seed_generator.next(), dtype=inputs.dtype)
        kept = nd.cast(nd.greater_equal(draw, nd.constant(self.rate, inputs.dtype)),
                       inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        x = inputs * kept + alpha_p * (1 - kept)
        return a * x + b

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


@register_builtin("keras.layers")
class ActivityRegularization(Layer):
    """Passes its inputs through and adds ``l1 * sum(|x|) + l2 * sum(x^2)`` (divided by the
    batch size) to the layer's losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({"l1": self.l1, "l2": self.l2})
        return config
