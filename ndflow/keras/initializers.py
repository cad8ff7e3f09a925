"""``ndflow.keras.initializers``: initial values of weights.

Random initializers follow Keras 3: an initializer owns a seed (the one given, or one drawn when it
is created) and draws with ndflow's stateless random ops, so every call of one instance returns
the same values. The default seed follows ndflow.random's global seed, so ``tf.random.set_seed``
(and ``keras.utils.set_random_seed``, which sets it) makes unseeded initializers reproducible.
"""
import math
import random

import numpy as np

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.saving import serialization_lib as _serial
from ndflow.ops import random_ops as _random_ops

_MODULE = "keras.initializers"
_SEED_LIMIT = 10 ** 9


def _dtype(dtype):
    return nd.as_dtype(dtype or backend.floatx())


def _shape(shape):
    return tuple(int(d) for d in nd.TensorShape(shape).as_list())


class Initializer:
    """Base class of initializers: ``__call__(shape, dtype=None)`` returns a tensor."""

    _keras_module = _MODULE

    def __call__(self, shape, dtype=None):
        """A tensor of ``shape`` and ``dtype`` (floatx by default)."""
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self):
        """The constructor arguments as a dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """The initializer described by ``config``."""
        return cls(**config)

    def clone(self):
        """A new initializer with the same configuration."""
        return self.__class__.from_config(self.get_config())


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        """Zeros of ``shape`` and ``dtype``."""
        return nd.zeros(_shape(shape), dtype=_dtype(dtype))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        """Ones of ``shape`` and ``dtype``."""
        return nd.ones(_shape(shape), dtype=_dtype(dtype))


class Constant(Initializer):
    """Every element equal to ``value`` (a scalar, or an array broadcastable to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        """``value`` broadcast to ``shape`` in ``dtype``."""
        dtype = _dtype(dtype)
        value = nd.cast(nd.convert_to_tensor(self.value), dtype)
        return value * nd.ones(_shape(shape), dtype=dtype)

    def get_config(self):
        """{'value': the serialized value}."""
        return {"value": _serial.serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config):
        """The initializer described by ``config``."""
        return cls(_serial.deserialize_keras_object(config["value"]))


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        """``gain * eye(*shape)``."""
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dtype = _dtype(dtype)
        return nd.cast(self.gain, dtype) * nd.eye(shape[0], shape[1], dtype=dtype)

    def get_config(self):
        """{} like Keras 3 for the default gain; {'gain': g} otherwise so it survives a
        round trip (Keras 3 drops it, a bug)."""
        return {} if self.gain == 1.0 else {"gain": self.gain}


def _default_seed():
    """A seed for an unseeded initializer, drawn on the host (initializers may be created while
    a function is traced). After ``tf.random.set_seed`` it comes from the global seed's op-seed
    sequence, so it is reproducible; otherwise from Python's ``random`` as in Keras 3 (which
    ``keras.utils.set_random_seed`` seeds)."""
    seed, seed2 = _random_ops.get_seed(None)
    if seed is None:
        return random.randint(1, _SEED_LIMIT)
    return random.Random((seed << 32) ^ seed2).randint(1, _SEED_LIMIT)


class RandomInitializer(Initializer):
    """Base of the random initializers: keeps the seed and reports the one given in configs."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = _default_seed()
        elif isinstance(seed, dict):
            seed = _serial.deserialize_keras_object(seed)
        elif isinstance(seed, bool) or not (isinstance(seed, (int, np.integer))
                                            or hasattr(seed, "next")):
            raise ValueError("`seed` argument should be an instance of "
                             "`keras.random.SeedGenerator()` or an integer. "
                             f"Received: seed={seed}")
        self.seed = int(seed) if isinstance(seed, (int, np.integer)) else seed

    def _seed_pair(self):
        if hasattr(self.seed, "next"):   # a SeedGenerator: a fresh [2] seed per call
            return self.seed.next()
        # Keras 3 uses [seed, 0] with stateless ops, so equal seeds give equal values.
        return [self.seed & 0x7FFFFFFF, 0]

    def _normal(self, shape, dtype, mean, stddev, truncated=False):
        draw = nd.random.stateless_truncated_normal if truncated else nd.random.stateless_normal
        return draw(_shape(shape), seed=self._seed_pair(), mean=mean, stddev=stddev,
                    dtype=_dtype(dtype))

    def _uniform(self, shape, dtype, minval, maxval):
        return nd.random.stateless_uniform(_shape(shape), seed=self._seed_pair(), minval=minval,
                                           maxval=maxval, dtype=_dtype(dtype))

    def get_config(self):
        """{'seed': the seed given at construction (None when unseeded)}."""
        return {"seed": _serial.serialize_keras_object(self._init_seed)}


class RandomNormal(RandomInitializer):
    """Normal distribution with ``mean`` and ``stddev``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        """Normal samples of ``shape``."""
        return self._normal(shape, dtype, self.mean, self.stddev)

    def get_config(self):
        """{'seed', 'mean', 'stddev'}."""
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal distribution with ``mean`` and ``stddev``, redrawn beyond two stddevs."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        """Truncated normal samples of ``shape``."""
        return self._normal(shape, dtype, self.mean, self.stddev, truncated=True)

    def get_config(self):
        """{'seed', 'mean', 'stddev'}."""
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform distribution on ``[minval, maxval)``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        """Uniform samples of ``shape``."""
        return self._uniform(shape, dtype, self.minval, self.maxval)

    def get_config(self):
        """{'seed', 'minval', 'maxval'}."""
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)`` of a weight shape, Keras 3's way: explicit axes when both are given;
    else a scalar counts 1, a vector its length, a matrix (in, out), and a convolution kernel
    (..., in, out) multiplies both by the receptive field (the product of the leading dims)."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes])),
                int(np.prod([shape[a] for a in output_axes])))
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


# The stddev of a standard normal truncated to [-2, 2]: dividing by it restores the variance.
_TRUNCATION_STDDEV = 0.87962566103423978


class VarianceScaling(RandomInitializer):
    """Samples with variance ``scale / n`` where ``n`` is fan_in, fan_out or their mean
    (``mode``), from a truncated normal, an untruncated normal, or a uniform
    (``distribution``; "normal" means "truncated_normal")."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of {modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        distributions = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in distributions:
            raise ValueError(f"Invalid `distribution` argument: {distribution}. "
                             f"Please use one of {distributions}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        """Samples of ``shape`` with the scaled variance."""
        shape = _shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, fan[self.mode])
        if self.distribution == "truncated_normal":
            return self._normal(shape, dtype, 0.0, math.sqrt(variance) / _TRUNCATION_STDDEV,
                                truncated=True)
        if self.distribution == "untruncated_normal":
            return self._normal(shape, dtype, 0.0, math.sqrt(variance))
        limit = math.sqrt(3.0 * variance)   # a uniform on [-a, a] has variance a**2 / 3
        return self._uniform(shape, dtype, -limit, limit)

    def get_config(self):
        """{'seed', 'scale', 'mode', 'distribution', 'input_axes', 'output_axes'}."""
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _preset(name, scale, mode, distribution, doc):
    """A VarianceScaling subclass with fixed scale, mode and distribution."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": _serial.serialize_keras_object(self._init_seed),
                "input_axes": self.input_axes, "output_axes": self.output_axes}

    get_config.__doc__ = "{'seed', 'input_axes', 'output_axes'}."
    return type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                           "__doc__": doc, "__module__": __name__})


GlorotUniform = _preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                        "Uniform on [-l, l], l = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                       "Truncated normal, stddev sqrt(2 / (fan_in + fan_out)).")
HeUniform = _preset("HeUniform", 2.0, "fan_in", "uniform",
                    "Uniform on [-l, l], l = sqrt(6 / fan_in).")
HeNormal = _preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                   "Truncated normal, stddev sqrt(2 / fan_in).")
LecunUniform = _preset("LecunUniform", 1.0, "fan_in", "uniform",
                       "Uniform on [-l, l], l = sqrt(3 / fan_in).")
LecunNormal = _preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                      "Truncated normal, stddev sqrt(1 / fan_in).")


class Orthogonal(RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``; shapes of rank > 2 are flattened to
    (prod(shape[:-1]), shape[-1])."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        """An orthogonal tensor of ``shape``."""
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        sample = self._normal((max(rows, cols), min(rows, cols)), dtype, 0.0, 1.0)
        q, r = nd.linalg.qr(sample)
        # Fix the signs so the result is uniformly distributed over orthogonal matrices.
        q = q * nd.sign(nd.linalg.diag_part(r))
        if rows < cols:
            q = nd.transpose(q)
        return nd.cast(self.gain, q.dtype) * nd.reshape(q, shape)

    def get_config(self):
        """{'seed', 'gain'}."""
        return {**super().get_config(), "gain": self.gain}


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

_CLASSES = [Initializer, Zeros, Ones, Constant, Identity, RandomNormal, RandomUniform,
            TruncatedNormal, VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal,
            LecunUniform, LecunNormal, Orthogonal]
_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
_OBJECTS.update({backend.to_snake_case(cls.__name__): cls for cls in _CLASSES})
_OBJECTS.update(IdentityInitializer=Identity, OrthogonalInitializer=Orthogonal,
                normal=RandomNormal, uniform=RandomUniform, one=Ones, zero=Zeros)
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal = VarianceScaling, Orthogonal
glorot_uniform, glorot_normal, he_uniform, he_normal = (GlorotUniform, GlorotNormal, HeUniform,
                                                        HeNormal)
lecun_uniform, lecun_normal = LecunUniform, LecunNormal
for _name, _cls in _OBJECTS.items():
    _reg.register_builtin(_MODULE, _cls, name=_name)
del _name, _cls


def serialize(initializer):
    """Keras 3's config dict for ``initializer``."""
    return _serial.serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    """The initializer described by ``config`` (a name or a serialized dict)."""
    return _serial.deserialize_keras_object(config, custom_objects=custom_objects,
                                            module_objects=_OBJECTS, module=_MODULE,
                                            printable_module_name="initializer")


def _from_value(value):
    """An initializer function returning ``value`` (a tensor or array) cast to the dtype."""
    expected = tuple(np.shape(value))

    def initialize(shape, dtype=None):
        if _shape(shape) != expected:
            raise ValueError(f"Expected `shape` to be {expected} for direct tensor as "
                             f"initializer. Received shape={tuple(shape)}")
        return nd.cast(nd.convert_to_tensor(value), _dtype(dtype))
    return initialize


def get(identifier):
    """An initializer from None (None), a name, a config dict, a class, a callable, or a
    tensor/array (used as the initial value; the shape must match)."""
    if nd.is_tensor(identifier) or isinstance(identifier, (np.ndarray, np.generic)):
        return _from_value(identifier)
    return _serial.get_from_identifier(identifier, _OBJECTS, "initializer", deserialize)
