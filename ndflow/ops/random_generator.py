"""Stateless random ops (values fixed by a seed tensor) and ``Generator`` (a state variable
that each draw reads as the seed of a stateless op and then advances)."""
import enum
import os

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.ops import inputs as _in
from ndflow.ops import random_ops as _r
from ndflow.ops.registry import execute, op_error, register

__all__ = []

_SEED_DTYPES = frozenset((D.int32, D.int64))


def _stateless_rng(xp, seed):
    # Every element of the seed (two for the public ops, the whole state for Generators).
    return xp.random.default_rng(_r.mix_seed(*seed.tolist()))


def _normal_kernel(xp, seed, shape, dtype):
    return _r.sample_normal(xp, _stateless_rng(xp, seed), shape, dtype)


def _uniform_kernel(xp, seed, shape, dtype):
    return _r.sample_uniform(xp, _stateless_rng(xp, seed), shape, dtype)


def _truncated_normal_kernel(xp, seed, shape, dtype):
    return _r.sample_truncated_normal(xp, _stateless_rng(xp, seed), shape, dtype)


def _uniform_int_kernel(xp, seed, minval, maxval, shape):
    return _r.sample_integers(xp, _stateless_rng(xp, seed), "StatelessRandomUniformInt",
                              minval, maxval, shape)


def _full_int_kernel(xp, seed, shape, dtype):
    info = np.iinfo(dtype)
    return _stateless_rng(xp, seed).integers(info.min, info.max, size=shape, dtype=dtype,
                                             endpoint=True)


_STATELESS = dict(allowed=_SEED_DTYPES)
STATELESS_NORMAL = register("StatelessRandomNormal", _normal_kernel, **_STATELESS)
STATELESS_UNIFORM = register("StatelessRandomUniform", _uniform_kernel, **_STATELESS)
STATELESS_TRUNCATED_NORMAL = register("StatelessTruncatedNormal", _truncated_normal_kernel,
                                      **_STATELESS)
STATELESS_UNIFORM_INT = register("StatelessRandomUniformInt", _uniform_int_kernel,
                                 same_dtype=(1, 2), **_STATELESS)
STATELESS_FULL_INT = register("StatelessRandomUniformFullInt", _full_int_kernel, **_STATELESS)

_INT_DTYPES = (D.int32, D.int64, D.uint32, D.uint64)
_STATELESS_UNIFORM_DTYPES = (D.float16, D.float32, D.float64) + _INT_DTYPES


def _seed_tensor(seed):
    seed = _in.as_tensor(seed)
    if seed.dtype not in _SEED_DTYPES:
        raise op_error(errors.InvalidArgumentError, "StatelessRandomGetKeyCounter",
                       f"Value for attr 'Tseed' of {seed.dtype.name} is not in the list of "
                       "allowed values: int32, int64")
    if seed.shape.as_list() != [2]:
        raise op_error(errors.InvalidArgumentError, "StatelessRandomGetKeyCounter",
                       f"seed must have shape [2], not {seed.shape.as_list()}")
    return seed


def _draw_normal(op, seed, shape, mean, stddev, dtype):
    dtype = D.as_dtype(dtype)
    mean_t, std_t = _r.affine_args(mean, stddev, dtype)
    ins, attrs = _r.shape_args(shape, op.name)
    attrs["dtype"] = _r.float_dtype_attr(dtype, op.name)
    return _r.normal_affine(execute(op, (seed,) + ins, attrs), mean, stddev, mean_t, std_t)


def _draw_uniform(seed, shape, minval, maxval, dtype, check_dtype=True):
    dtype = D.as_dtype(dtype)
    if check_dtype:
        _r.check_dtype(dtype, _STATELESS_UNIFORM_DTYPES)
    if dtype.is_integer:
        if minval is None and maxval is None:
            ins, attrs = _r.shape_args(shape, STATELESS_FULL_INT.name)
            attrs["dtype"] = dtype.as_numpy_dtype
            return execute(STATELESS_FULL_INT, (seed,) + ins, attrs)
        if minval is None or maxval is None:
            raise ValueError(f"For integer dtype {dtype!r}, minval and maxval must be both "
                             f"`None` or both non-`None`; got minval={minval} and "
                             f"maxval={maxval}")
        if dtype not in _INT_DTYPES:
            raise op_error(errors.InvalidArgumentError, STATELESS_UNIFORM_INT.name,
                           f"Value for attr 'dtype' of {dtype.name} is not in the list of "
                           "allowed values: int32, int64, uint32, uint64")
        lo, hi = _in.as_tensor(minval, dtype), _in.as_tensor(maxval, dtype)
        ins, attrs = _r.shape_args(shape, STATELESS_UNIFORM_INT.name)
        return execute(STATELESS_UNIFORM_INT, (seed, lo, hi) + ins, attrs)
    if maxval is None:
        maxval = 1
    lo, hi = _in.as_tensor(minval, dtype), _in.as_tensor(maxval, dtype)
    ins, attrs = _r.shape_args(shape, STATELESS_UNIFORM.name)
    attrs["dtype"] = _r.float_dtype_attr(dtype, STATELESS_UNIFORM.name)
    rnd = execute(STATELESS_UNIFORM, (seed,) + ins, attrs)
    if _r.is_literal(minval, 0) and _r.is_literal(maxval, 1):
        return rnd
    return rnd * (hi - lo) + lo


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=D.float32, name=None,
                     alg="auto_select"):
    """Normal samples fixed by ``seed`` (a shape [2] int32/int64 tensor)."""
    return _draw_normal(STATELESS_NORMAL, _seed_tensor(seed), shape, mean, stddev, dtype)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=D.float32, name=None,
                               alg="auto_select"):
    """Truncated normal samples (within two stddevs) fixed by ``seed`` (shape [2])."""
    return _draw_normal(STATELESS_TRUNCATED_NORMAL, _seed_tensor(seed), shape, mean, stddev,
                        dtype)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=D.float32, name=None,
                      alg="auto_select"):
    """Uniform samples in [minval, maxval) fixed by ``seed`` (shape [2]); integer dtypes need
    both bounds, or neither for the full range of the dtype."""
    return _draw_uniform(_seed_tensor(seed), shape, minval, maxval, dtype)


# -- Generator -----------------------------------------------------------------------------------

class Algorithm(enum.Enum):
    """The RNG algorithms a Generator can name (both are served by the same backend here)."""
    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


_STATE_SIZE = {1: 3, 2: 2}
_ALG_NAMES = {"philox": 1, "threefry": 2, "auto_select": 1}


def _alg_id(alg):
    if alg is None:
        return 1
    if isinstance(alg, Algorithm):
        alg = alg.value
    if isinstance(alg, str):
        if alg.lower() not in _ALG_NAMES:
            raise ValueError(f"Unsupported algorithm {alg!r}")
        return _ALG_NAMES[alg.lower()]
    alg = int(alg)
    if alg not in (1, 2, 3):
        raise ValueError(f"Unsupported algorithm id: {alg}")
    return 1 if alg == 3 else alg


def create_rng_state(seed, alg):
    """The initial state (int64 NumPy vector) of algorithm ``alg`` for an integer ``seed``."""
    size = _STATE_SIZE[_alg_id(alg)]
    seed = int(seed)
    words = []
    while seed and len(words) < size:
        words.append(seed & _r.MASK64)
        seed >>= 64
    words += [0] * (size - len(words))
    return np.array(words, dtype=np.uint64).astype(np.int64)


class Generator:
    """A random number generator whose state is a variable: each draw is fixed by the current
    state, then the state advances (so a generator rebuilt from a state repeats its draws)."""

    def __init__(self, copy_from=None, state=None, alg=None):
        from ndflow.ops.variables import Variable
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is given, `state` and `alg` must be None.")
            self._alg = copy_from._alg
            value = copy_from._state_var.numpy()
        else:
            if state is None:
                raise ValueError("Generator needs `copy_from` or `state` (use from_seed or "
                                 "from_non_deterministic_state).")
            self._alg = _alg_id(alg)
            value = np.asarray(state).astype(np.int64)
            size = _STATE_SIZE[self._alg]
            if value.shape != (size,):
                raise ValueError(f"Shapes {value.shape} and [{size}] are incompatible")
        self._state_var = Variable(value, trainable=False, name="StateVar", dtype=D.int64)
        # Each draw adds one to the second word, so states from nearby seeds never meet.
        self._advance = np.zeros(value.shape, np.int64)
        self._advance[1] = 1

    @classmethod
    def from_state(cls, state, alg):
        """A generator starting at ``state`` (an int64 vector) of algorithm ``alg``."""
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None):
        """A generator determined by the integer ``seed``."""
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A generator seeded from the operating system's entropy."""
        size = _STATE_SIZE[_alg_id(alg)]
        state = np.frombuffer(os.urandom(8 * size), dtype=np.int64).copy()
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        """A generator from a key and a counter (the state is counter + [key])."""
        counter = np.asarray(counter, np.int64).reshape(-1).tolist()
        return cls(state=counter + [int(np.asarray(key).reshape(-1)[0])], alg=alg)

    @property
    def state(self):
        """The state variable."""
        return self._state_var

    @property
    def algorithm(self):
        """The algorithm id (1 for Philox, 2 for ThreeFry)."""
        return self._alg

    def reset(self, state):
        """Sets the state."""
        self._state_var.assign(np.asarray(state, np.int64))

    def reset_from_seed(self, seed):
        """Sets the state to the one ``from_seed(seed)`` starts with."""
        self.reset(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter):
        """Sets the state from a key and a counter."""
        counter = np.asarray(counter, np.int64).reshape(-1).tolist()
        self.reset(counter + [int(np.asarray(key).reshape(-1)[0])])

    def skip(self, delta):
        """Advances the state as ``delta`` draws would."""
        self._state_var.assign_add(self._advance * int(delta))

    def _seed(self):
        seed = self._state_var.read_value()
        self._state_var.assign_add(self._advance)
        return seed

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=D.float32, name=None):
        """Normal samples."""
        return _draw_normal(STATELESS_NORMAL, self._seed(), shape, mean, stddev, dtype)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=D.float32, name=None):
        """Normal samples redrawn beyond two stddevs from the mean."""
        return _draw_normal(STATELESS_TRUNCATED_NORMAL, self._seed(), shape, mean, stddev, dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=D.float32, name=None):
        """Uniform samples in [minval, maxval); integer dtypes need both bounds (or neither,
        for the full range)."""
        return _draw_uniform(self._seed(), shape, minval, maxval, dtype, check_dtype=False)

    def uniform_full_int(self, shape, dtype=D.uint64, name=None):
        """Integers spread over the full range of ``dtype``."""
        dtype = D.as_dtype(dtype)
        return execute(STATELESS_FULL_INT, (self._seed(),),
                       {"shape": _r.shape_attr(shape, STATELESS_FULL_INT.name),
                        "dtype": dtype.as_numpy_dtype})

    def make_seeds(self, count=1):
        """``count`` seeds for stateless ops, as an int64 tensor of shape [2, count]."""
        return self.uniform_full_int([2, int(count)], dtype=D.int64)

    def split(self, count=1):
        """``count`` new independent generators (this one advances)."""
        seeds = self.make_seeds(count).numpy()
        size = _STATE_SIZE[self._alg]
        pad = np.zeros(size - 2, np.int64)
        return [Generator(state=np.concatenate([seeds[:, i], pad]), alg=self._alg)
                for i in range(int(count))]


class _GlobalGenerator:
    generator = None


def get_global_generator():
    """The global generator (created from nondeterministic state on first use; ``set_seed``
    leaves it alone, as in TensorFlow)."""
    if _GlobalGenerator.generator is None:
        _GlobalGenerator.generator = Generator.from_non_deterministic_state()
    return _GlobalGenerator.generator


def set_global_generator(generator):
    """Replaces the global generator."""
    _GlobalGenerator.generator = generator
