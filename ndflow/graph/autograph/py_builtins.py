"""Python builtins and ``assert`` inside converted code, as TensorFlow's AutoGraph maps them.

``ag__.converted_call`` sends calls of the builtins in ``OVERRIDES`` here. Each one behaves
exactly like the builtin unless an argument is an ndflow tensor: ``int``/``float`` become casts
(or string parsing), ``abs`` the ``Abs`` op, ``range`` and ``len`` live in ``operators``.
``enumerate`` and ``zip`` cannot iterate a symbolic tensor (TensorFlow raises there too), so
they raise a clear OperatorNotAllowedInGraphError instead of unrolling or failing later.
"""
import builtins

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import EagerTensor, Tensor

from ndflow.graph.graph import InaccessibleTensorError  # noqa: F401 - raised here


def _symbolic(value):
    return isinstance(value, Tensor) and not isinstance(value, EagerTensor)


def int_(x=0, base=None):
    """``int``: an int32 cast of a tensor (strings are parsed), else Python's ``int``."""
    if not isinstance(x, Tensor):
        return builtins.int(x) if base is None else builtins.int(x, base)
    if base is not None:
        raise NotImplementedError(f"base {base} not supported for int")
    if x.dtype is D.string:
        from ndflow.structures.string_convert import to_number
        return to_number(x, out_type=D.int32)
    from ndflow.ops.math_ops import cast
    return cast(x, D.int32)


def float_(x=0.0):
    """``float``: a float32 cast of a tensor (strings are parsed), else Python's ``float``."""
    if not isinstance(x, Tensor):
        return builtins.float(x)
    if x.dtype is D.string:
        from ndflow.structures.string_convert import to_number
        return to_number(x, out_type=D.float32)
    from ndflow.ops.math_ops import cast
    return cast(x, D.float32)


def abs_(x):
    """``abs``: the ``Abs`` op (a real magnitude for complex tensors) on a tensor."""
    if not isinstance(x, Tensor):
        return builtins.abs(x)
    from ndflow.ops.math_ops import abs as tf_abs
    return tf_abs(x)


def _refuse_symbolic(name, args):
    if any(_symbolic(a) for a in args):
        raise errors.OperatorNotAllowedInGraphError(
            f"Iterating over a symbolic `tf.Tensor` is not allowed: `{name}` cannot walk a "
            "tensor inside a traced function. Loop over `tf.range(tf.shape(t)[0])` (or over "
            "the tensor itself, `for v in t`) and index the tensors instead.")


def enumerate_(iterable, start=0):
    """``enumerate``: Python's, refusing a symbolic tensor (as TensorFlow does)."""
    _refuse_symbolic("enumerate", (iterable,))
    return builtins.enumerate(iterable, start)


def zip_(*iterables, **kwargs):
    """``zip``: Python's, refusing symbolic tensors (as TensorFlow does)."""
    _refuse_symbolic("zip", iterables)
    return builtins.zip(*iterables, **kwargs)


def assert_stmt(expression1, expression2):
    """``assert expression1, expression2()`` (the ASSERT_STATEMENTS feature): a tensor condition
    becomes an ``Assert`` op, which raises InvalidArgumentError with the message when it runs
    and finds the condition false; any other condition is Python's assert."""
    if not callable(expression2):
        raise ValueError("{} must be a callable".format(expression2))
    if not isinstance(expression1, Tensor):
        if not expression1:
            raise AssertionError(expression2())
        return None
    message = expression2()
    if not isinstance(message, str):
        raise NotImplementedError("can only convert string messages for now.")
    from ndflow.ops.debugging_ops import Assert
    return Assert(expression1, [message])


def leaked_list_error(name, element, where):
    """The error for a Python list that a traced body (``where``: 'a TensorFlow loop', ...)
    appended its own tensors to."""
    return InaccessibleTensorError(
        f"{element!r} is out of scope and cannot be used here: it was appended to the Python "
        f"list '{name}' inside {where}, whose body is traced only once, so the list holds a "
        "symbolic tensor of that body and not a value of each run. Accumulate values in a "
        "tf.TensorArray (ta = ta.write(i, value), then ta.stack()) or a tensor loop variable, "
        "and return branch results as values of the `if` instead.")


def overrides():
    """Builtin -> replacement, for ``ag__.converted_call``."""
    from ndflow.graph.autograph import operators
    return {builtins.range: operators.range_, builtins.len: operators.len_,
            builtins.int: int_, builtins.float: float_, builtins.abs: abs_,
            builtins.enumerate: enumerate_, builtins.zip: zip_}


# Builtins that converted code calls through ag__.converted_call (the others stay direct).
OVERRIDDEN_NAMES = frozenset(("range", "len", "int", "float", "abs", "enumerate", "zip"))
