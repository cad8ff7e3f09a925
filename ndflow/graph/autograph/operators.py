"""AutoGraph's runtime operators, the ``ag__`` module that converted code calls.

Each statement form dispatches on its condition or iterable: an ndflow ``Tensor`` makes it a
functional op (``ndflow.cond`` / ``ndflow.while_loop``, which run eagerly or build graph ops),
anything else runs as plain Python. The statement's variables travel through ``get_state`` /
``set_state`` closures that read and assign the converted function's locals.
"""
import builtins

from ndflow.framework import dtypes as D
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.graph.autograph.calls import converted_call  # noqa: F401 - part of ag__
from ndflow.graph.autograph.py_builtins import assert_stmt, leaked_list_error  # noqa: F401
from ndflow.util import nest

_LITERALS = (bool, int, float, complex, str, bytes)


class Undefined:
    """The value of a variable that has not been assigned yet (``ag__.Undefined('x')``)."""

    __slots__ = ("symbol_name",)

    def __init__(self, symbol_name):
        self.symbol_name = symbol_name

    def __repr__(self):
        return f"<undefined {self.symbol_name}>"

    def __getattr__(self, name):
        raise UnboundLocalError(f"'{self.symbol_name}' is used before it is assigned (it may "
                                "only be assigned inside a TensorFlow loop or branch)")

    def __bool__(self):
        self.__getattr__("__bool__")


class UndefinedReturnValue:
    """The return value of a function that has not executed a ``return`` yet."""

    __slots__ = ()


def retval(value):
    """The converted function's result: None when no ``return`` ran."""
    return None if isinstance(value, UndefinedReturnValue) else value


def _is_undefined(value):
    return isinstance(value, (Undefined, UndefinedReturnValue))


# ----------------------------------------------------------------------------- logical operators

def not_(a):
    """``not a``: a logical_not for tensors."""
    if isinstance(a, Tensor):
        from ndflow.ops.math_ops import logical_not
        return logical_not(a)
    return not a


def and_(*operands):
    """``a and b and ...`` with lazily evaluated operands (zero-argument functions); from the
    first tensor operand on, the rest is an ``ndflow.cond``."""
    return _lazy(operands, True)


def or_(*operands):
    """``a or b or ...`` with lazily evaluated operands (zero-argument functions)."""
    return _lazy(operands, False)


def _lazy(operands, is_and):
    value = operands[0]()
    for i in range(1, len(operands)):
        if isinstance(value, Tensor):
            from ndflow.ops.control_flow_ops import cond
            first, rest = value, operands[i:]

            def others():
                return _as_tensor(_lazy(rest, is_and))
            return cond(first, others, lambda: first) if is_and else cond(
                first, lambda: first, others)
        if bool(value) != is_and:
            return value
        value = operands[i]()
    return value


def _as_tensor(value):
    return value if isinstance(value, Tensor) else convert_to_tensor(value)


# ----------------------------------------------------------------------------- checks

def _check_condition(value, tag):
    value = _as_tensor(value)
    hint = "to check for None, use `is not None`"
    if value.dtype is not D.bool:
        raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {value}; to "
                         f"use as boolean Tensor, use `tf.cast`; {hint}")
    if value.shape.rank and _product(d for d in value.shape.as_list() if d is not None) > 1:
        raise ValueError(f"condition of {tag} expected to be `tf.bool` scalar, got {value}; "
                         f"{hint}")
    return value


def _product(dims):
    out = 1
    for d in dims:
        out *= d
    return out


def _state_value(value):
    """A branch output or loop variable as a tensor (Python values are converted)."""
    return nest.map_structure(
        lambda v: convert_to_tensor(v) if isinstance(v, _LITERALS) else v, value)


def _check_branch(values, names, branch):
    for name, value in zip(names, values):
        if isinstance(value, Undefined):
            raise ValueError(f"'{name}' must also be initialized in the {branch} branch")
        if isinstance(value, UndefinedReturnValue):
            raise ValueError(f"the {branch} branch must also have a return statement.")
        if value is None:
            raise ValueError(f"'{name}' is None at the end of the {branch} branch.")


def _check_loop_entry(values, names):
    for name, value in zip(names, values):
        if isinstance(value, UndefinedReturnValue):
            raise NotImplementedError(
                "a return statement cannot be placed inside this TensorFlow loop; this may "
                "happen if a return statement depends on a static Python condition such as a "
                "hyperparameter")
        if value is None:
            raise ValueError(f"'{name}' is not allowed to be None before the loop")


def _check_iteration(name, entry, exit_):
    if exit_ is None:
        raise ValueError(f"'{name}' is None at the end of the iteration.")
    try:
        nest.assert_same_structure(entry, exit_)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"'{name}' does not have the same nested structure after one "
                        f"iteration.\n\n{exc}") from exc
    for a, b in zip(nest.flatten(entry), nest.flatten(exit_)):
        if not (isinstance(a, Tensor) and isinstance(b, Tensor)):
            continue
        if a.dtype != b.dtype:
            raise TypeError(f"'{name}' has dtype {a.dtype.name} before the loop, but dtype "
                            f"{b.dtype.name} after one iteration")
        if not _is_subshape(b.shape, a.shape):
            raise ValueError(f"'{name}' has shape {a.shape} before the loop, but shape {b.shape} "
                             "after one iteration. Use tf.autograph.experimental.set_loop_options "
                             "to set shape invariants.")


def _is_subshape(left, right):
    if right.rank is None:
        return True
    if left.rank != right.rank:
        return False
    return all(r is None or l_ == r for l_, r in zip(left.as_list(), right.as_list()))


# ----------------------------------------------------------------------------- if

def if_stmt(cond, body, orelse, get_state, set_state, symbol_names, nouts=None,
            list_watch=None):
    """``if cond: body() else: orelse()``; a tensor ``cond`` becomes ``ndflow.cond`` whose
    outputs are the variables named in ``symbol_names`` (``list_watch``: the Python lists the
    branches append to, by name, checked after tracing)."""
    if not isinstance(cond, Tensor):
        if cond:
            body()
        else:
            orelse()
        return
    from ndflow.ops.control_flow_ops import cond as tf_cond
    cond = _check_condition(cond, "if statement")
    init = get_state()

    def branch(fn, label):
        def run():
            set_state(init)
            fn()
            values = get_state()
            _check_branch(values, symbol_names, label)
            return tuple(_state_value(v) for v in values)
        return run

    lists = _watched_lists(list_watch)
    outputs = tf_cond(cond, branch(body, "main"), branch(orelse, "else"))
    _check_lists(lists, "a branch of a TensorFlow conditional")
    set_state(tuple(outputs))


def if_exp(cond, if_true, if_false, expr_repr="if expression"):
    """``if_true() if cond else if_false()``; a tensor ``cond`` becomes ``ndflow.cond``, whose
    errors name the expression by its test's source ``expr_repr``."""
    if not isinstance(cond, Tensor):
        return if_true() if cond else if_false()
    from ndflow.ops.control_flow_ops import cond as tf_cond
    cond = _check_condition(cond, f"'{expr_repr}'")
    traced = {}

    def branch(fn, label):
        def run():
            value = fn()
            if value is None:
                raise ValueError(f"'{expr_repr}' is None at the end of the {label} branch.")
            value = _state_value(value)
            other = traced.setdefault("main", value) if label == "else" else None
            if other is not None:
                _check_same_dtypes(expr_repr, other, value)
            traced[label] = value
            return value
        return run

    return tf_cond(cond, branch(if_true, "main"), branch(if_false, "else"))


def _check_same_dtypes(expr_repr, main, other):
    try:
        nest.assert_same_structure(main, other)
    except (ValueError, TypeError):
        return  # cond itself reports structure mismatches
    for a, b in zip(nest.flatten(main), nest.flatten(other)):
        if isinstance(a, Tensor) and isinstance(b, Tensor) and a.dtype != b.dtype:
            raise TypeError(f"'{expr_repr}' has dtype {a.dtype.name} in the main branch, but "
                            f"dtype {b.dtype.name} in the else branch")


# ----------------------------------------------------------------------------- loops

class _LoopState:
    """The loop's variables that are defined on entry become ``while_loop`` loop variables;
    the others are temporaries the body assigns before use."""

    def __init__(self, get_state, set_state, symbol_names, opts):
        self.get_state, self.set_state = get_state, set_state
        self.init = get_state()
        self.names = symbol_names
        _check_loop_entry(self.init, symbol_names)
        self.keep = [i for i, v in enumerate(self.init) if not _is_undefined(v)]
        self.entry = [_state_value(self.init[i]) for i in self.keep]
        self.lists = _watched_lists(opts.get("list_watch"))

    def load(self, values):
        full = list(self.get_state())
        for i, value in zip(self.keep, values):
            full[i] = value
        self.set_state(tuple(full))

    def store(self):
        full = self.get_state()
        out = []
        for i, entry in zip(self.keep, self.entry):
            value = _state_value(full[i])
            _check_iteration(self.names[i], entry, value)
            out.append(value)
        return out

    def finish(self, values):
        from ndflow.framework import context
        if context.GRAPHS:
            # A temporary's value from inside the loop body is not valid after the loop.
            self.set_state(self.init)
            _check_lists(self.lists, "a TensorFlow loop")
        self.load(values)


def _watched_lists(watch):
    """(name, list, length before) for the Python lists in ``watch`` (name -> reader), while
    tracing only: eagerly, loops and branches run as Python and lists work as in Python."""
    from ndflow.framework import context
    if watch is None or not context.GRAPHS:
        return []
    out = []
    for name, read in watch.items():
        try:
            value = read()
        except NameError:  # not bound yet: the body will fail on its own
            continue
        if isinstance(value, list):
            out.append((name, value, len(value)))
    return out


def _check_lists(lists, where):
    """A traced body runs once, so tensors it appended to a Python list are symbolic values
    of the body, unusable after the statement: TensorFlow fails on their first use, ndflow
    right after tracing, naming the list (only lists read afterwards are watched)."""
    if not lists:
        return
    from ndflow.framework import context
    graph = context.GRAPHS[-1]
    for name, value, length in lists:
        for element in nest.flatten(value[length:]):
            if isinstance(element, Tensor) and getattr(element, "graph", graph) is not graph:
                raise leaked_list_error(name, element, where)


def while_stmt(test, body, get_state, set_state, symbol_names, opts=None):
    """``while test(): body()``; a tensor test becomes ``ndflow.while_loop``."""
    first = test()
    if isinstance(first, Tensor):
        _tf_while(test, body, get_state, set_state, symbol_names, opts or {})
        return
    if not first:
        return
    body()
    while test():
        body()


def _tf_while(test, body, get_state, set_state, symbol_names, opts):
    from ndflow.ops.control_flow_ops import while_loop
    state = _LoopState(get_state, set_state, symbol_names, opts)

    def cond_fn(*values):
        state.load(values)
        return _check_condition(test(), "while loop")

    def body_fn(*values):
        state.load(values)
        body()
        return tuple(state.store())

    results = while_loop(cond_fn, body_fn, tuple(state.entry),
                         maximum_iterations=opts.get("maximum_iterations"))
    state.finish(results)


def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts=None):
    """``for x in iter_: body(x)`` stopping early when ``extra_test()`` is false; a tensor
    iterates its first axis in an ``ndflow.while_loop``."""
    if isinstance(iter_, Tensor):
        _tf_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts or {})
        return
    for item in iter_:
        if extra_test is not None and not extra_test():
            break
        body(item)


def _tf_for(iter_, extra_test, body, get_state, set_state, symbol_names, opts):
    from ndflow.ops.array_shape_ops import shape
    from ndflow.ops.control_flow_ops import while_loop
    from ndflow.ops.gather_ops import gather
    from ndflow.ops.math_ops import logical_and
    if iter_.shape.rank == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    state = _LoopState(get_state, set_state, symbol_names, opts)
    bounds = _range_bounds(iter_)
    if bounds is not None:
        # A traced tf.range is not materialised: the iterate itself is the loop counter (as
        # in TensorFlow), so it keeps a static scalar shape whatever the range's length.
        start, more, step = bounds

        def element(index):
            return index
    else:
        length = iter_.shape.as_list()[0]
        length = shape(iter_)[0] if length is None else convert_to_tensor(length)
        start, step = convert_to_tensor(0), 1

        def more(index):
            return index < length

        def element(index):
            return gather(iter_, index)

    def cond_fn(index, *values):
        state.load(values)
        going = more(index)
        if extra_test is None:
            return going
        extra = extra_test()
        if not isinstance(extra, Tensor):
            return going if extra else convert_to_tensor(False)
        return logical_and(going, _check_condition(extra, "for loop"))

    def body_fn(index, *values):
        state.load(values)
        body(element(index))
        return (index + step, *state.store())

    results = while_loop(cond_fn, body_fn, (start, *state.entry),
                         maximum_iterations=opts.get("maximum_iterations"))
    state.finish(results[1:])


def _range_bounds(iter_):
    """(start, test, delta) when ``iter_`` is a traced ``Range`` op's output, else None."""
    op = getattr(iter_, "op", None)
    if getattr(op, "type", None) != "Range":
        return None
    start, limit, delta = op.inputs
    known = getattr(delta, "_const", None)  # the step's value when it is known while tracing
    if known is not None and known != 0:  # a zero step is left to the Range op's own error
        if known > 0:
            return start, lambda i: i < limit, delta
        return start, lambda i: i > limit, delta
    from ndflow.ops.math_ops import logical_and, logical_or

    def test(i):
        return logical_or(logical_and(delta > 0, i < limit), logical_and(delta < 0, i > limit))
    return start, test, delta


# ----------------------------------------------------------------------------- builtins

def range_(*args):
    """``range``: ``ndflow.range`` when an argument is a tensor, else Python's."""
    if any(isinstance(a, Tensor) for a in args):
        from ndflow.ops.array_create_ops import range as tf_range
        return tf_range(*args)
    return builtins.range(*args)


def len_(value):
    """``len``: the static first dimension of a tensor, or a tensor when it is unknown."""
    if isinstance(value, Tensor):
        if value.shape.rank == 0:
            raise ValueError("len requires a non-scalar tensor, got one of shape []")
        first = value.shape.as_list()[0] if value.shape.rank is not None else None
        if first is not None:
            return first
        from ndflow.ops.array_shape_ops import shape
        return shape(value)[0]
    return len(value)
