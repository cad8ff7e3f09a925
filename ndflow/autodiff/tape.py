"""``GradientTape``: records ops on watched tensors and computes gradients from the record."""
import contextlib
import enum
import logging

import numpy as np

from ndflow.autodiff.backprop import backprop
from ndflow.framework import dtypes
from ndflow.framework.context import TAPES
from ndflow.framework.tensor import Tensor, constant
from ndflow.ops.array_ops import broadcast_to, reshape, stack, zeros, zeros_like
from ndflow.ops.inputs import as_tensor
from ndflow.util import nest

_log = logging.getLogger("ndflow")
_INEXACT_BITS = dtypes.mask(dtypes.INEXACT)  # floating and complex, not variant


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _is_variable(x):
    return hasattr(x, "_as_tensor") and hasattr(x, "assign")


class GradientTape:
    """Records operations for automatic differentiation.

    Tensors are recorded once ``watch``ed; trainable variables are watched when read (unless
    ``watch_accessed_variables=False``). A non-persistent tape computes one set of gradients.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = persistent
        self._watch_accessed_variables = watch_accessed_variables
        self._records = []
        self._watched = {}
        self._variables = {}
        self._recording = False
        self._used = False

    # -- recording ------------------------------------------------------------------------------

    def __enter__(self):
        self._push()
        return self

    def __exit__(self, exc_type, exc, tb):
        self._pop()

    def _push(self):
        if self._recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter "
                             "an already-active tape.")
        TAPES.append(self)
        self._recording = True

    def _pop(self):
        if self in TAPES:
            TAPES.remove(self)
        self._recording = False

    def watch(self, tensor):
        """Ensures that ``tensor`` (or every tensor/variable in a nested structure) is traced."""
        for t in nest.flatten(tensor):
            if _is_variable(t):
                self._watch_variable(t)
                continue
            if not isinstance(t, Tensor) and not hasattr(t, "_tape_watch_id"):
                raise ValueError(f"Passed in object {t!r} of type {type(t).__name__!r}, not "
                                 "tf.Tensor or tf.Variable or ExtensionType.")
            if t.dtype not in dtypes.INEXACT:
                _log.warning("The dtype of the watched tensor must be floating (e.g. "
                             "tf.float32), got %r", t.dtype)
            self._watched[id(t)] = t

    def _watch_variable(self, variable):
        self._watched[id(variable)] = variable
        self._variables.setdefault(id(variable), variable)

    def watched_variables(self):
        """The variables watched so far, in the order they were first watched."""
        return tuple(self._variables.values())

    @contextlib.contextmanager
    def stop_recording(self):
        """A context in which operations are not recorded on this tape."""
        if not self._recording:
            raise ValueError("Tape must be recording when stop_recording is called.")
        self._recording = False
        try:
            yield
        finally:
            self._recording = True

    def reset(self):
        """Clears everything recorded and watched, as if the tape had just been entered."""
        self._records = []
        self._watched = {}
        self._variables = {}
        self._used = False

    # -- gradients ------------------------------------------------------------------------------

    def _check_usable(self):
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                               "set of gradients (or jacobians)")

    def _finish(self):
        if not self._persistent:
            self._used = True
            self._records = []
            self._watched = {}

    def _run_backprop(self, targets, output_gradients, sources):
        was_recording = self._recording
        self._recording = False  # the backward pass is recorded by outer tapes only
        try:
            return backprop(self._records, targets, output_gradients,
                            {id(s) for s in sources}, self._watched)
        finally:
            self._recording = was_recording

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """Gradients of ``target`` (a tensor or structure of tensors, summed) with respect to the
        tensors and variables in ``sources``, returned in the structure of ``sources``."""
        self._check_usable()
        unconnected = (unconnected_gradients if type(unconnected_gradients) is
                       UnconnectedGradients else UnconnectedGradients(unconnected_gradients))
        flat_targets = nest.flatten(target)
        flat_sources = nest.flatten(sources)
        seeds = ([None] * len(flat_targets) if output_gradients is None
                 else [None if g is None else as_tensor(g, t.dtype)
                       for g, t in zip(nest.flatten(output_gradients), flat_targets)])
        for s in flat_sources:
            if s is None or not (isinstance(s, Tensor) or _is_variable(s)):
                raise ValueError(f"Passed in object {s!r} of type {type(s).__name__!r}, not "
                                 "tf.Tensor or tf.Variable or ExtensionType.")
        grads = self._run_backprop(flat_targets, seeds, flat_sources)
        self._finish()
        result = []
        for s in flat_sources:
            if not s.dtype._bit & _INEXACT_BITS:
                _log.warning("The dtype of the source tensor must be floating (e.g. tf.float32) "
                             "when calling GradientTape.gradient, got %r", s.dtype)
                result.append(None)
                continue
            g = grads.get(id(s))
            if g is None and unconnected is UnconnectedGradients.ZERO:
                g = zeros_like(as_tensor(s))
            result.append(g)
        return nest.pack_sequence_as(sources, result)

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The Jacobian of ``target``: for each source, a tensor of shape
        ``target.shape + source.shape`` (None for an unconnected source unless ZERO is asked)."""
        self._check_usable()
        unconnected = UnconnectedGradients(unconnected_gradients)
        target = as_tensor(target)
        flat_sources = nest.flatten(sources)
        n = target.shape.num_elements()
        rows = [[] for _ in flat_sources]
        connected = [False] * len(flat_sources)
        for i in range(n):
            seed = _one_hot(target.shape.dims, target.dtype, i)
            grads = self._run_backprop([target], [seed], flat_sources)
            for k, s in enumerate(flat_sources):
                g = grads.get(id(s))
                connected[k] = connected[k] or g is not None
                rows[k].append(zeros_like(as_tensor(s)) if g is None else g)
        self._finish()
        result = []
        for k, s in enumerate(flat_sources):
            s = as_tensor(s)
            shape = target.shape.dims + s.shape.dims
            if not connected[k] and unconnected is UnconnectedGradients.NONE:
                result.append(None)
            elif n == 0 or not connected[k]:
                result.append(zeros(shape, s.dtype))
            else:
                result.append(reshape(stack(rows[k]), shape))
        return nest.pack_sequence_as(sources, result)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: for ``target`` [b, ...] and ``source`` [b, ...], a tensor of
        shape [b] + target.shape[1:] + source.shape[1:]."""
        self._check_usable()
        unconnected = UnconnectedGradients(unconnected_gradients)
        target = as_tensor(target)
        src = as_tensor(source)
        batch = target.shape[0]
        if src.shape[0] != batch:
            raise ValueError(f"Need first dimension of target shape ({target.shape}) and source "
                             f"shape ({src.shape}) to match.")
        per_example = target.shape[1:].num_elements()
        columns, any_connected = [], False
        for j in range(per_example):
            seed = _one_hot([per_example], target.dtype, j)
            seed = broadcast_to(seed, [batch, per_example])
            grads = self._run_backprop([target], [reshape(seed, target.shape.dims)], [source])
            g = grads.get(id(source))
            any_connected = any_connected or g is not None
            columns.append(zeros_like(src) if g is None else g)
        self._finish()
        out_shape = [batch] + target.shape.dims[1:] + src.shape.dims[1:]
        if not any_connected and unconnected is UnconnectedGradients.NONE:
            return None
        if not columns:
            return zeros(out_shape, src.dtype)
        return reshape(stack(columns, axis=1), out_shape)


def _one_hot(shape, dtype, index):
    """A constant of ``shape`` that is 1 at flat position ``index`` and 0 elsewhere."""
    flat = np.zeros(int(np.prod(shape)), dtype=dtype.as_numpy_dtype)
    flat[index] = 1
    return constant(flat.reshape(shape))
