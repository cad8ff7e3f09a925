"""Test data for the registry-walking op tests (see test_op_registry.py).

Each op family lists ``OpCase``s in ``tests/cases/<family>_cases.py`` as ``CASES``. A case calls
public functions through a module argument, so the same code runs on ndflow and on TensorFlow:

    OpCase("add_broadcast", lambda tf, x, y: tf.add(x, y), [rand(2, 3), rand(3)],
           ops=["AddV2"], ref=np.add)

- ``args`` are NumPy arrays, passed to ``fn`` as tensors (``tf.constant``); ``kwargs`` are passed
  as they are.
- ``ops`` names the registered op types the case exercises; every registered op must be named by
  at least one case, so an op added without test data fails ``test_every_op_has_a_case``.
- ``ref`` is a NumPy reference of the outputs (optional where TensorFlow is the reference).
- ``grad=True`` checks the tape gradient with central finite differences in float64 with respect
  to ``wrt`` (default: every floating argument).
- ``tf=True`` compares values, dtypes, shapes and gradients with real TensorFlow.
- ``values=False`` for random ops: only shapes and dtypes are compared.
``ErrorCase`` runs ``fn`` on both and compares the exception class names.
"""
import dataclasses
from typing import Any, Callable, Optional, Sequence

import numpy as np


@dataclasses.dataclass
class OpCase:
    name: str
    fn: Callable
    args: Sequence[Any]
    ops: Sequence[str]
    ref: Optional[Callable] = None
    grad: bool = False
    wrt: Optional[Sequence[int]] = None
    tf: bool = True
    values: bool = True
    rtol: float = 1e-5
    atol: float = 1e-6
    grad_rtol: float = 1e-4
    grad_atol: float = 1e-6
    kwargs: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ErrorCase:
    name: str
    fn: Callable
    args: Sequence[Any]
    error: str                 # ndflow's exception class name (and TensorFlow's, when tf=True)
    tf: bool = True
    kwargs: dict = dataclasses.field(default_factory=dict)


def rand(*shape, dtype=np.float64, low=-2.0, high=2.0, seed=None):
    """Deterministic random test data (the seed defaults to a hash of the shape)."""
    rng = np.random.default_rng(seed if seed is not None else (hash(shape) & 0xFFFF) + 7)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(int(low), int(high), size=shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return rng.random(shape) > 0.5
    if np.dtype(dtype).kind == "c":
        return (rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)).astype(dtype)
    return rng.uniform(low, high, shape).astype(dtype)


def positive(*shape, dtype=np.float64, seed=None):
    """Random data in [0.5, 3) for ops defined on positive numbers."""
    return rand(*shape, dtype=dtype, low=0.5, high=3.0, seed=seed)
