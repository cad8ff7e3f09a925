"""``ndflow.keras.random``: Keras 3's seeded random functions and ``SeedGenerator``.

A ``seed`` is an int (the same values on every call), a ``SeedGenerator`` (new values on each
call, reproducible from its seed) or None (new values on each call, drawn from Python's
``random``, which ``keras.utils.set_random_seed`` seeds). Samples come from ndflow's stateless
random ops, so they are reproducible but not bit-identical to TensorFlow's.
"""
import random as _py_random

import numpy as np

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.utils.numerical_utils import standardize_dtype


class SeedGenerator:
    """A random seed state (an int64 variable ``[seed, counter]``) that advances on each draw."""

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or backend.unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = _py_random.randint(1, int(1e9))
        if not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        from ndflow.keras.variables import KerasVariable
        self.state = KerasVariable(np.array([seed, 0], dtype="int64"), dtype="int64",
                                   trainable=False, name="seed_generator_state",
                                   path=f"{self.name}/seed_generator_state")

    def next(self, ordered=True):
        """The current seed pair; the state then advances (by one, or scrambled)."""
        value = nd.identity(self.state)
        if ordered:
            self.state.assign_add(np.array([0, 1], dtype="int64"))
        else:
            self.state.assign((value + 1) * 5387 % 933199)
        return value

    def get_config(self):
        """{'seed': the seed given (or None), 'name': ...}."""
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        """A new generator from ``get_config``'s dict."""
        return cls(**config)


def draw_seed(seed):
    """The seed pair for one draw from an int, a SeedGenerator or None."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return nd.constant([int(seed), 0], dtype="int64")
    if seed is None:
        return nd.constant([_py_random.randint(1, int(1e9)), 0], dtype="int64")
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")


def _float_dtype(dtype, fn):
    dtype = standardize_dtype(dtype or backend.floatx())
    if not dtype.startswith(("float", "bfloat")):
        raise ValueError(f"`keras.random.{fn}` requires a floating point `dtype`. "
                         f"Received: dtype={dtype} ")
    return dtype


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution."""
    dtype = _float_dtype(dtype, "normal")
    return nd.random.stateless_normal(shape, draw_seed(seed), mean=mean, stddev=stddev,
                                      dtype=dtype)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from a uniform distribution on [minval, maxval)."""
    dtype = _float_dtype(dtype, "uniform")
    return nd.random.stateless_uniform(shape, draw_seed(seed), minval=minval, maxval=maxval,
                                       dtype=dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from a normal distribution, redrawn beyond two standard deviations."""
    dtype = _float_dtype(dtype, "truncated_normal")
    return nd.random.stateless_truncated_normal(shape, draw_seed(seed), mean=mean,
                                                stddev=stddev, dtype=dtype)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers drawn uniformly from [minval, maxval)."""
    dtype = standardize_dtype(dtype)
    if not dtype.startswith(("int", "uint")):
        raise ValueError(f"`keras.random.randint` requires an integer `dtype`. "
                         f"Received: dtype={dtype} ")
    wide = dtype if dtype in ("int32", "int64") else "int64"
    out = nd.random.stateless_uniform(shape, draw_seed(seed), minval=minval, maxval=maxval,
                                      dtype=wide)
    return nd.cast(out, dtype)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class indices per row of ``logits`` (batch, classes), drawn with the
    Gumbel-max trick: argmax of logits plus Gumbel noise."""
    logits = nd.convert_to_tensor(logits)
    if logits.dtype.is_integer:
        logits = nd.cast(logits, backend.floatx())
    rows, classes = logits.shape.as_list()
    u = nd.random.stateless_uniform((rows, num_samples, classes), draw_seed(seed),
                                    minval=np.finfo(np.float32).tiny, maxval=1.0,
                                    dtype=logits.dtype)
    gumbel = -nd.math.log(-nd.math.log(u))
    return nd.cast(nd.argmax(nd.expand_dims(logits, 1) + gumbel, axis=-1), dtype)


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes entries with probability ``rate``, scaling the rest by 1 / (1 - rate)."""
    inputs = nd.convert_to_tensor(inputs)
    if rate == 1.0:
        return nd.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    shape = inputs.shape.as_list()
    if noise_shape is not None:
        shape = [s if n is None else n for s, n in zip(shape, noise_shape)]
    keep = nd.random.stateless_uniform(shape, draw_seed(seed), dtype=inputs.dtype) >= rate
    scale = nd.constant(1.0 / (1.0 - rate), dtype=inputs.dtype)
    return inputs * nd.cast(keep, inputs.dtype) * scale


def shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` in a random order."""
    x = nd.convert_to_tensor(x)
    keys = nd.random.stateless_uniform([x.shape[axis]], draw_seed(seed))
    return nd.gather(x, nd.argsort(keys), axis=axis)


def _numpy_rng(seed):
    # Gamma-family samplers are not ndflow ops: NumPy draws them from the seed pair (the
    # samples are constants; no gradient flows to the distribution parameters).
    pair = draw_seed(seed).numpy()
    return np.random.default_rng([int(v) & 0xFFFFFFFFFFFFFFFF for v in pair])


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from a gamma distribution with concentration ``alpha`` (scale 1)."""
    dtype = _float_dtype(dtype, "gamma")
    sample = _numpy_rng(seed).gamma(np.asarray(alpha, "float64"), size=tuple(shape))
    return nd.constant(sample.astype(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from a beta distribution with concentrations ``alpha`` and ``beta``."""
    dtype = _float_dtype(dtype, "beta")
    sample = _numpy_rng(seed).beta(np.asarray(alpha, "float64"), np.asarray(beta, "float64"),
                                   size=tuple(shape))
    return nd.constant(sample.astype(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples from a binomial distribution (successes out of ``counts`` trials)."""
    dtype = _float_dtype(dtype, "binomial")
    sample = _numpy_rng(seed).binomial(np.asarray(counts, "int64"),
                                       np.asarray(probabilities, "float64"), size=tuple(shape))
    return nd.constant(sample.astype(dtype))
