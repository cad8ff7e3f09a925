"""Random tensors with TensorFlow's global and op-level seed semantics, and ``dropout``.

Seeds follow TensorFlow: ``set_seed`` fixes the global seed; an op then gets ``(seed, seed2)``
attributes from ``get_seed``. With neither seed the op is nondeterministic. Each op type keeps a
counter per seed pair (TensorFlow's cached kernel advancing its generator), so repeated calls with
the same seeds give new values, and ``set_seed`` restarts every sequence.
"""
import numbers
import random as _pyrandom

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import Tensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register

__all__ = []

DEFAULT_GRAPH_SEED = 87654321
_MAXINT32 = 2**31 - 1
MASK64 = 2**64 - 1


class _SeedState:
    """The global seed, the generator of op seeds it implies, and the per-seed-pair counters."""

    global_seed = None
    op_seeds = _pyrandom.Random()
    counters = {}
    os_rng = None        # the nondeterministic generator, created on first use


def set_seed(seed):
    """Sets the global random seed; every op sequence restarts from it."""
    seed = None if seed is None else int(seed)
    _SeedState.global_seed = seed
    _SeedState.op_seeds = _pyrandom.Random(seed)
    _SeedState.counters.clear()


def get_seed(op_seed):
    """The ``(seed, seed2)`` pair for an op from the global seed and ``op_seed`` (TensorFlow's
    rules); ``(None, None)`` when the op is nondeterministic."""
    global_seed = _SeedState.global_seed
    if global_seed is not None:
        if op_seed is None:
            op_seed = _SeedState.op_seeds.randint(0, _MAXINT32)
        seeds = (global_seed, int(op_seed))
    elif op_seed is not None:
        seeds = (DEFAULT_GRAPH_SEED, int(op_seed))
    else:
        return None, None
    if seeds == (0, 0):  # (0, 0) means "nondeterministic" to the kernels
        return 0, _MAXINT32
    return seeds


def _seed_attrs(seed):
    seed, seed2 = get_seed(seed)
    return {"seed": seed or 0, "seed2": seed2 or 0}


def rng_for(xp, op_name, seed, seed2):
    """The generator for one run of a stateful random op: seeded by the seed pair and the pair's
    run count for that op type, or the shared nondeterministic generator for seeds (0, 0)."""
    if seed == 0 and seed2 == 0:
        if _SeedState.os_rng is None:
            _SeedState.os_rng = xp.random.default_rng()
        return _SeedState.os_rng
    key = (op_name, seed, seed2)
    count = _SeedState.counters.get(key, 0)
    _SeedState.counters[key] = count + 1
    return xp.random.default_rng(mix_seed(seed, seed2, count))


def mix_seed(*words):
    """One non-negative integer holding all ``words`` (64 bits each) to seed a generator."""
    total = 0
    for i, w in enumerate(words):
        total |= (int(w) & MASK64) << (64 * i)
    return total


# -- samplers shared with the stateless ops and Generators ------------------------------------

def sample_normal(xp, rng, shape, dtype):
    """Standard normal values of ``dtype`` (float16 is drawn in float32 and rounded)."""
    if dtype == np.float16:
        return rng.standard_normal(shape, dtype=np.float32).astype(np.float16)
    return rng.standard_normal(shape, dtype=dtype)


def sample_uniform(xp, rng, shape, dtype):
    """Uniform values in [0, 1) of ``dtype``."""
    if dtype == np.float16:
        # 10 random mantissa bits: exactly representable, so rounding never reaches 1.0
        return (xp.floor(rng.random(shape, dtype=np.float32) * 1024) / 1024).astype(np.float16)
    return rng.random(shape, dtype=dtype)


def sample_truncated_normal(xp, rng, shape, dtype):
    """Standard normal values with those beyond two standard deviations drawn again."""
    out = rng.standard_normal(shape)
    bad = xp.abs(out) > 2
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()))
        bad = xp.abs(out) > 2
    return out.astype(dtype)


def sample_integers(xp, rng, op_name, minval, maxval, shape):
    """Uniform integers in [minval, maxval) (scalars) with their dtype."""
    if minval.ndim or maxval.ndim:
        which, bad = ("minval", minval) if minval.ndim else ("maxval", maxval)
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"{which} must be 0-D, got shape {list(bad.shape)}")
    if not minval < maxval:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Need minval < maxval, got {minval} >= {maxval}")
    return rng.integers(int(minval), int(maxval), size=shape, dtype=minval.dtype)


# -- stateful ops --------------------------------------------------------------------------------

def _normal_kernel(xp, shape, dtype, seed, seed2):
    return sample_normal(xp, rng_for(xp, "RandomStandardNormal", seed, seed2), shape, dtype)


def _uniform_kernel(xp, shape, dtype, seed, seed2):
    return sample_uniform(xp, rng_for(xp, "RandomUniform", seed, seed2), shape, dtype)


def _uniform_int_kernel(xp, minval, maxval, shape, seed, seed2):
    rng = rng_for(xp, "RandomUniformInt", seed, seed2)
    return sample_integers(xp, rng, "RandomUniformInt", minval, maxval, shape)


def _truncated_normal_kernel(xp, shape, dtype, seed, seed2):
    rng = rng_for(xp, "TruncatedNormal", seed, seed2)
    return sample_truncated_normal(xp, rng, shape, dtype)


def _multinomial_kernel(xp, logits, num_samples, output_dtype, seed, seed2):
    rng = rng_for(xp, "Multinomial", seed, seed2)
    logits = logits.astype(np.float64)
    finite = xp.isfinite(logits)
    # Non-finite logits (NaN, -inf) get no probability mass, as in TensorFlow's kernel.
    top = xp.max(xp.where(finite, logits, -np.inf), axis=1, keepdims=True)
    top = xp.where(xp.isfinite(top), top, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        weights = xp.where(finite, xp.exp(logits - top), 0.0)
    cdf = xp.cumsum(weights, axis=1)
    draws = rng.random((logits.shape[0], num_samples)) * cdf[:, -1:]
    out = xp.empty(draws.shape, dtype=output_dtype)
    for row in range(logits.shape[0]):  # rows with no mass give num_classes, like TensorFlow
        out[row] = xp.searchsorted(cdf[row], draws[row], side="right")
    return out


def _shuffle_kernel(xp, value, seed, seed2):
    rng = rng_for(xp, "RandomShuffle", seed, seed2)
    if value.ndim == 0 or value.shape[0] < 2:
        return value
    return xp.take(value, rng.permutation(value.shape[0]), axis=0)


_RANDOM = dict(stateful=True)
RANDOM_STANDARD_NORMAL = register("RandomStandardNormal", _normal_kernel, **_RANDOM)
RANDOM_UNIFORM = register("RandomUniform", _uniform_kernel, **_RANDOM)
RANDOM_UNIFORM_INT = register("RandomUniformInt", _uniform_int_kernel, same_dtype=(0, 1),
                              allowed=frozenset((D.int32, D.int64)), **_RANDOM)
TRUNCATED_NORMAL = register("TruncatedNormal", _truncated_normal_kernel, **_RANDOM)
MULTINOMIAL = register("Multinomial", _multinomial_kernel, allowed=D.FLOATING, **_RANDOM)
RANDOM_SHUFFLE = register("RandomShuffle", _shuffle_kernel, **_RANDOM)


# -- argument checks -------------------------------------------------------------------------

_FLOATS = (D.float16, D.float32, D.float64)
_UNIFORM_DTYPES = _FLOATS + (D.int32, D.int64)


def shape_args(shape, op_name):
    """The ``shape`` argument as (extra inputs, attributes): an int tensor input when part of
    it is only known when a traced function runs (as TensorFlow passes it), else the static
    ``shape`` attribute."""
    from ndflow.ops.array_ops import symbolic_shape
    dynamic = symbolic_shape(shape)
    if dynamic is None:
        return (), {"shape": shape_attr(shape, op_name)}
    if dynamic.dtype not in (D.int32, D.int64):
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Value for attr 'T' of {dynamic.dtype.name} is not in the list of "
                       "allowed values: int32, int64")
    return (dynamic,), {}


def shape_attr(shape, op_name):
    """A ``shape`` argument (list, tuple, TensorShape, tensor) as a tuple of non-negative ints;
    raises TensorFlow's InvalidArgumentError for a non-vector or a negative dimension."""
    if type(shape) in (list, tuple) and all(type(d) is int and d >= 0 for d in shape):
        return tuple(shape)  # the common case, without NumPy
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
        if None in shape:
            raise ValueError(f"Cannot convert a partially known TensorShape {shape} to a Tensor.")
    arr = np.asarray(shape)
    if arr.ndim != 1:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"shape must be a vector of {{int32,int64}}, got shape {list(arr.shape)}")
    if arr.size and arr.dtype.kind not in "iu":
        kind = D.as_dtype(arr.dtype).name if arr.dtype.kind != "O" else "object"
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Value for attr 'T' of {kind} is not in the list of allowed values: "
                       "int32, int64")
    dims = tuple(int(d) for d in arr)
    for d in dims:
        if d < 0:
            raise op_error(errors.InvalidArgumentError, op_name, f"Dimension {d} must be >= 0")
    return dims


def check_dtype(dtype, accepted):
    """``dtype`` as a DType; ValueError (TensorFlow's) when it is not one of ``accepted``."""
    dtype = D.as_dtype(dtype)
    if dtype not in accepted:
        names = ", ".join(f"tf.{d.name}" for d in accepted)
        raise ValueError(f"Argument `dtype` got invalid value {dtype!r}. Accepted dtypes are "
                         f"({names}).")
    return dtype


def is_literal(value, target):
    """Whether ``value`` is the Python number ``target`` (so an op using it can be skipped)."""
    return type(value) in (int, float) and value == target


def float_dtype_attr(dtype, op_name):
    """The NumPy dtype attribute of a float-only random op (InvalidArgumentError otherwise)."""
    if dtype not in _FLOATS:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Value for attr 'dtype' of {dtype.name} is not in the list of allowed "
                       "values: half, bfloat16, float, double")
    return dtype.as_numpy_dtype


def affine_args(mean, stddev, dtype):
    """``mean`` and ``stddev`` as tensors of ``dtype`` (TypeError for an integer dtype, before
    the op checks its dtype, as in TensorFlow)."""
    return _in.as_tensor(mean, dtype), _in.as_tensor(stddev, dtype)


def normal_affine(rnd, mean, stddev, mean_t, std_t):
    """``rnd * std_t + mean_t`` (tensors, so gradients reach tensor arguments); a 1 or 0
    literal ``stddev`` or ``mean`` skips its op (the values are identical)."""
    if not is_literal(stddev, 1):
        rnd = rnd * std_t
    if not is_literal(mean, 0):
        rnd = rnd + mean_t
    return rnd


# -- public functions -------------------------------------------------------------------------

def normal(shape, mean=0.0, stddev=1.0, dtype=D.float32, seed=None, name=None):
    """Samples from a normal distribution with the given ``mean`` and ``stddev``."""
    dtype = D.as_dtype(dtype)
    mean_t, std_t = affine_args(mean, stddev, dtype)
    ins, attrs = shape_args(shape, "RandomStandardNormal")
    attrs.update(dtype=float_dtype_attr(dtype, "RandomStandardNormal"), **_seed_attrs(seed))
    return normal_affine(execute(RANDOM_STANDARD_NORMAL, ins, attrs), mean, stddev, mean_t, std_t)


def uniform(shape, minval=0, maxval=None, dtype=D.float32, seed=None, name=None):
    """Samples uniformly from [minval, maxval) (maxval defaults to 1 for floats; integer dtypes
    need maxval)."""
    dtype = check_dtype(dtype, _UNIFORM_DTYPES)
    if dtype.is_integer:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype tf.{dtype.name}")
        lo, hi = _in.as_tensor(minval, dtype), _in.as_tensor(maxval, dtype)
        ins, attrs = shape_args(shape, "RandomUniformInt")
        attrs.update(_seed_attrs(seed))
        return execute(RANDOM_UNIFORM_INT, (lo, hi) + ins, attrs)
    if maxval is None:
        maxval = 1
    lo, hi = _in.as_tensor(minval, dtype), _in.as_tensor(maxval, dtype)
    ins, attrs = shape_args(shape, "RandomUniform")
    attrs.update(dtype=dtype.as_numpy_dtype, **_seed_attrs(seed))
    rnd = execute(RANDOM_UNIFORM, ins, attrs)
    if is_literal(minval, 0) and is_literal(maxval, 1):
        return rnd
    return rnd * (hi - lo) + lo


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=D.float32, seed=None, name=None):
    """Samples from a normal distribution, redrawing values more than two stddevs from the mean."""
    dtype = D.as_dtype(dtype)
    mean_t, std_t = affine_args(mean, stddev, dtype)
    ins, attrs = shape_args(shape, "TruncatedNormal")
    attrs.update(dtype=float_dtype_attr(dtype, "TruncatedNormal"), **_seed_attrs(seed))
    return normal_affine(execute(TRUNCATED_NORMAL, ins, attrs), mean, stddev, mean_t, std_t)


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """Draws ``num_samples`` class indices per row of ``logits`` ([batch, classes], unnormalized
    log-probabilities); the result is [batch, num_samples] of ``dtype`` (int64 by default)."""
    logits = _in.as_tensor(logits)
    dtype = D.int64 if dtype is None else check_dtype(dtype, (D.int32, D.int64))
    num_samples = int(num_samples)
    if logits.dtype not in D.FLOATING:
        raise errors.NotFoundError(None, None, "Could not find device for node: Multinomial with "
                                   f"T={logits.dtype.name}; it needs float logits")
    if logits.ndim != 2:
        raise op_error(errors.InvalidArgumentError, "Multinomial",
                       f"logits should be a matrix, got shape {list(logits.shape)}")
    if logits.shape[1] == 0:
        raise op_error(errors.InvalidArgumentError, "Multinomial",
                       "num_classes should be positive, got 0")
    if num_samples < 0:
        raise op_error(errors.InvalidArgumentError, "Multinomial",
                       f"num_samples should be non-negative, got {num_samples}")
    attrs = {"num_samples": num_samples, "output_dtype": dtype.as_numpy_dtype,
             **_seed_attrs(seed)}
    return execute(MULTINOMIAL, (logits,), attrs)


def shuffle(value, seed=None, name=None):
    """Randomly permutes ``value`` along its first dimension."""
    return execute(RANDOM_SHUFFLE, (_in.as_tensor(value),), _seed_attrs(seed))


def _rate_error(rate):
    return ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). "
                      f"Received: rate={rate}")


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Sets each element of ``x`` to zero with probability ``rate`` and scales the kept ones by
    1 / (1 - rate); ``noise_shape`` (broadcast to x's shape) shares one decision per slice."""
    from ndflow.ops.array_ops import where_v2
    from ndflow.ops.math_ops import greater_equal, subtract, truediv
    x = _in.as_tensor(x)
    if not x.dtype.is_floating:
        raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. "
                         f"Received: x_dtype={x.dtype!r}")
    if isinstance(rate, (Tensor, np.ndarray)) or hasattr(rate, "_as_tensor"):
        rate_t = _in.as_tensor(rate)
        if rate_t.shape.rank != 0:
            raise ValueError(f"`rate` must be a scalar or scalar tensor. Received: rate={rate}")
        if rate_t.dtype is not x.dtype:
            raise ValueError("`x.dtype` must be compatible with `rate.dtype`. Received: "
                             f"x.dtype={x.dtype!r} and rate.dtype={rate_t.dtype!r}")
        scale = truediv(1, subtract(1, rate_t))
        rate = rate_t
    elif isinstance(rate, numbers.Real):
        if isinstance(rate, bool) or not 0 <= rate < 1:
            raise _rate_error(rate)
        if rate == 0:
            return x
        scale = 1 / (1 - float(rate))
        rate = float(rate)
    else:
        raise ValueError(f"`rate` must be a scalar or scalar tensor. Received: rate={rate}")
    if x.shape.rank is None:  # unknown rank while tracing: the noise takes x's run-time shape
        from ndflow.ops.array_ops import shape_of
        dims = shape_of(x) if noise_shape is None else None
    else:
        dims = x.shape.as_list()
        if None in dims:      # unknown sizes while tracing come from the run-time shape
            sizes = None
            for i, d in enumerate(dims):
                if d is None:
                    from ndflow.ops.array_ops import shape_of
                    sizes = shape_of(x) if sizes is None else sizes
                    dims[i] = sizes[i]
    if noise_shape is None:
        noise_shape = dims
    elif isinstance(noise_shape, (list, tuple, TensorShape)) and dims is not None and \
            len(noise_shape) == len(dims):
        noise_shape = [x_dim if d is None else d for d, x_dim in zip(list(noise_shape), dims)]
    keep = greater_equal(uniform(noise_shape, seed=seed, dtype=x.dtype), rate)
    return where_v2(keep, x * scale, _in.as_tensor(0, x.dtype))
