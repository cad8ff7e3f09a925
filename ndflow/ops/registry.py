"""The op registry and ``execute``, the one dispatch point of every op.

An op is defined once: a kernel (a function of the backend module and arrays), declarative dtype
rules checked before the kernel runs, a shape inference used when tracing, and a gradient written
with ndflow's public ops. ``execute`` runs the kernel eagerly (or hands the op to the graph being
traced) and records it on every active tape that watches an input.
"""
import linecache
import os
import sys

from ndflow.backend import xp
from ndflow.framework import dtypes, errors
from ndflow.framework.context import GRAPHS, TAPES
from ndflow.framework.tensor import _NP_TO_DTYPE, EagerTensor

REGISTRY = {}
_EMPTY = {}
_new = object.__new__


class Op:
    """An op definition: kernel, dtype rules, shape inference and gradient."""

    __slots__ = ("name", "kernel", "grad", "infer", "single", "same_dtype", "allowed",
                 "stateful", "_same_pair", "_same_rest", "_allowed_mask", "__weakref__")

    def __init__(self, name, kernel, *, grad=None, infer=None, num_outputs=1, same_dtype=None,
                 allowed=None, stateful=False):
        self.name = name
        self.kernel = kernel
        self.grad = grad
        # ``infer(input_dtypes, attrs) -> output dtypes``: used while tracing when the kernel
        # cannot run on example inputs (value-dependent ops such as the sparse ones).
        self.infer = infer
        self.single = num_outputs == 1
        self.same_dtype = same_dtype      # indices of inputs that must share one dtype
        self.allowed = allowed            # dtypes allowed for input 0, or None for any
        self.stateful = stateful
        # Precomputed forms of the dtype rules for execute's hot path.
        self._same_pair = tuple(same_dtype or ()) == (0, 1)
        self._same_rest = None if same_dtype is None or self._same_pair else tuple(same_dtype)
        self._allowed_mask = 0 if allowed is None else dtypes.mask(allowed)

    def __repr__(self):
        return f"<Op {self.name}>"


def output_dtypes(*spec):
    """An ``infer`` function for ``register``: each output's dtype is a fixed DType or, for an
    int, the dtype of that input."""
    def infer(input_dtypes, attrs):
        return [input_dtypes[d] if isinstance(d, int) else d for d in spec]
    return infer


def register(name, kernel=None, **kwargs):
    """Registers an op under its TensorFlow type name; usable as a decorator on the kernel."""
    if kernel is None:
        return lambda k: register(name, k, **kwargs)
    if name in REGISTRY:
        raise KeyError(f"op {name!r} is already registered")
    op = Op(name, kernel, **kwargs)
    REGISTRY[name] = op
    return op


def register_gradient(name, missing_as_none=False):
    """Decorator that sets the gradient function of a registered op.

    The function receives the op record (``inputs``, ``outputs``, ``get_attr``) and one
    gradient per output, and returns one gradient (or None) per input. An output nobody
    differentiated gets a zero gradient, or None when ``missing_as_none`` (for gradient
    functions that can then skip work).
    """
    def decorate(fn):
        fn.missing_as_none = missing_as_none
        REGISTRY[name].grad = fn
        return fn
    return decorate


class OpRecord:
    """One executed op, as seen by its gradient function (and kept on tapes).

    ``skip_input_indices`` lists the inputs whose gradient nobody needs (from the ids of the
    tensors that depend on a watched source, which the backward pass sets as ``watched``), so a
    gradient function may return None for them instead of computing them.
    """

    __slots__ = ("op", "inputs", "outputs", "attrs", "watched")

    def __init__(self, op, inputs, outputs, attrs):
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.attrs = attrs
        self.watched = None

    @property
    def skip_input_indices(self):
        """Positions of the inputs that need no gradient (computed on demand: most gradient
        functions never ask)."""
        watched = self.watched
        if watched is None:
            return ()
        skip = ()
        for i, x in enumerate(self.inputs):
            if id(x) not in watched:
                skip += (i,)
        return skip

    @property
    def type(self):
        """The op's type name."""
        return self.op.name

    def get_attr(self, name):
        """An attribute the op was executed with."""
        return self.attrs[name]


def execute(op, inputs, attrs=_EMPTY):
    """Runs ``op`` on a tuple of tensors and returns its output tensor (or tuple of them)."""
    if GRAPHS:   # the graph checks dtypes with check_dtypes
        result = GRAPHS[-1].create_op(op, inputs, attrs)
        if TAPES and op.grad is not None:
            record(op, inputs, result, attrs)
        return result
    # check_dtypes(op, inputs), inlined: this is the eager hot path.
    if op._same_pair:
        if inputs[0]._dtype is not inputs[1]._dtype:
            raise dtype_mismatch(op, inputs, 0, 1)
    elif op._same_rest is not None:
        _check_same(op, inputs)
    if op._allowed_mask and not inputs[0]._dtype._bit & op._allowed_mask:
        raise dtype_not_allowed(op, inputs[0]._dtype)
    try:
        if attrs:
            out = op.kernel(xp, *[t._value for t in inputs], **attrs)
        elif len(inputs) == 2:
            out = op.kernel(xp, inputs[0]._value, inputs[1]._value)
        elif len(inputs) == 1:
            out = op.kernel(xp, inputs[0]._value)
        else:
            out = op.kernel(xp, *[t._value for t in inputs])
    except errors.OpError:
        raise
    except (ValueError, IndexError, TypeError, ArithmeticError, KeyError, RuntimeError) as exc:
        raise kernel_error(op, inputs, attrs, exc) from None
    if op.single:
        result = _new(EagerTensor)
        result._value = out
        result._dtype = _NP_TO_DTYPE[out.dtype]
    else:
        result = tuple([_wrap(o) for o in out])
    if TAPES and op.grad is not None:
        record(op, inputs, result, attrs)
    return result


def check_dtypes(op, inputs):
    """Raises InvalidArgumentError when ``inputs`` break ``op``'s dtype rules."""
    if op._same_pair:
        if inputs[0]._dtype is not inputs[1]._dtype:
            raise dtype_mismatch(op, inputs, 0, 1)
    elif op._same_rest is not None:
        _check_same(op, inputs)
    if op._allowed_mask and not inputs[0]._dtype._bit & op._allowed_mask:
        raise dtype_not_allowed(op, inputs[0]._dtype)


def _check_same(op, inputs):
    same = op._same_rest
    first = inputs[same[0]]._dtype
    for i in same[1:]:
        if inputs[i]._dtype is not first:
            raise dtype_mismatch(op, inputs, same[0], i)


def _wrap(value):
    t = _new(EagerTensor)
    t._value = value
    t._dtype = _NP_TO_DTYPE[value.dtype]
    return t


def record(op, inputs, outputs, attrs):
    """Adds an executed op to every active tape that watches one of its inputs."""
    rec = None
    for tape in TAPES:
        if tape._recording:
            watched = tape._watched
            for t in inputs:
                if id(t) in watched:
                    break
            else:
                continue
            if rec is None:
                rec = OpRecord(op, inputs, outputs, attrs)
            tape._records.append(rec)
            if rec.op.single:
                watched[id(outputs)] = outputs
            else:
                for o in outputs:
                    watched[id(o)] = o


# ---------------------------------------------------------------------------------------------
# Error messages that name the op, the inputs and the user's line

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_frame_text():
    """'file:line: source' of the innermost stack frame outside the ndflow package."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return ""
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    source = linecache.getline(filename, lineno).strip()
    where = f"{filename}:{lineno}"
    return f"\n  called from {where}" + (f": {source}" if source else "")


def _describe(inputs):
    return ", ".join(f"{t.dtype.name}{list(t.shape) if t.shape.rank is not None else '[?]'}"
                     for t in inputs)


def dtype_mismatch(op, inputs, first, index):
    """The InvalidArgumentError for inputs whose dtypes must agree but do not."""
    expected, got = inputs[first].dtype.name, inputs[index].dtype.name
    return errors.InvalidArgumentError(
        None, None,
        f"cannot compute {op.name} as input #{index}(zero-based) was expected to be a {expected} "
        f"tensor but is a {got} tensor (inputs: {_describe(inputs)}); use ndflow.cast to convert "
        f"[Op:{op.name}]{user_frame_text()}")


def dtype_not_allowed(op, dtype):
    """The InvalidArgumentError for an input dtype the op does not support."""
    allowed = ", ".join(sorted(d.name for d in op.allowed))
    return errors.InvalidArgumentError(
        None, None,
        f"Value for attr 'T' of {dtype.name} is not in the list of allowed values: {allowed} "
        f"[Op:{op.name}]{user_frame_text()}")


def kernel_error(op, inputs, attrs, exc):
    """Turns a kernel's NumPy exception into TensorFlow's InvalidArgumentError."""
    text = str(exc)
    if "broadcast" in text:
        shapes = " vs. ".join(str(list(t.shape)) for t in inputs)
        text = f"Incompatible shapes: {shapes}"
    attr_text = ", ".join(f"{k}={v!r}" for k, v in attrs.items())
    return errors.InvalidArgumentError(
        None, None,
        f"{text} (inputs: {_describe(inputs)}{'; ' + attr_text if attr_text else ''}) "
        f"[Op:{op.name}]{user_frame_text()}")


def op_error(cls, op_name, message):
    """An OpError of class ``cls`` whose message names the op and the user's line."""
    return cls(None, None, f"{message} [Op:{op_name}]{user_frame_text()}")
