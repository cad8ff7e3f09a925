"""Functional control flow: ``cond``, ``while_loop``, ``case`` and ``switch_case``.

Eagerly they run the Python functions directly (gradients flow through the ops those functions
run). While a graph is traced, ``cond`` and ``while_loop`` validate their arguments here and hand
them to ``ndflow.graph.control_flow``, which builds the ``If``/``While`` ops; ``case`` and
``switch_case`` are nested ``cond``s and so work in both modes.
"""
import numpy as np

from ndflow.framework import context, errors
from ndflow.framework import dtypes as D
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.util import nest

__all__ = ["cond", "while_loop", "case", "switch_case"]

# Values a loop variable may hold that are converted to tensors (other objects, such as
# TensorArrays, pass through unchanged).
_CONVERTIBLE = (bool, int, float, complex, str, bytes, np.ndarray, np.generic)


def _check_callable(fn, what):
    if not callable(fn):
        raise TypeError(f"'{what}' must be callable.")


def cond(pred, true_fn=None, false_fn=None, name=None):
    """Returns ``true_fn()`` if ``pred`` is true, else ``false_fn()``."""
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    _check_callable(true_fn, "true_fn")
    _check_callable(false_fn, "false_fn")
    if context.GRAPHS:
        if isinstance(pred, bool):
            raise TypeError(f"pred must not be a Python bool: {pred}")
        if isinstance(pred, Tensor) and pred.dtype is not D.bool:
            raise errors.InvalidArgumentError(
                None, None, f"cond: 'pred' must be a bool tensor, got dtype {pred.dtype.name}")
        from ndflow.graph import control_flow
        return control_flow.cond(pred, true_fn, false_fn, name)
    # Eagerly only the chosen branch runs; a multi-element pred raises NumPy's "truth value of
    # an array ... is ambiguous" ValueError, as TensorFlow does.
    return true_fn() if convert_to_tensor(pred) else false_fn()


def _loop_value(value):
    """A loop variable's leaf as the loop carries it: tensors for Python and NumPy values and
    Variables (their current value)."""
    if isinstance(value, Tensor):
        return value
    if value is None:
        raise ValueError("None values not supported.")
    if isinstance(value, _CONVERTIBLE) or hasattr(value, "read_value"):
        return convert_to_tensor(value)
    return value


def _as_loop_vars(structure):
    return nest.map_structure(_loop_value, structure)


def _check_maximum_iterations(maximum_iterations):
    value = convert_to_tensor(maximum_iterations)
    if value.shape.rank != 0:
        raise ValueError(f"'maximum_iterations' must be a scalar. Received shape: "
                         f"{tuple(value.shape.as_list())}")
    if not value.dtype.is_integer:
        raise TypeError(f"'maximum_iterations' must be an integer, got dtype {value.dtype.name}")
    return value


def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10,  # noqa: C901
               back_prop=True, swap_memory=False, maximum_iterations=None, name=None):
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` is true (at most
    ``maximum_iterations`` times) and returns the final ``loop_vars``, in their structure."""
    _check_callable(cond, "cond")
    _check_callable(body, "body")
    if isinstance(parallel_iterations, bool) or not isinstance(
            parallel_iterations, (int, np.integer)) or parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if loop_vars is None or (isinstance(loop_vars, (list, tuple)) and not loop_vars):
        raise ValueError("'loop_vars' must be provided.")
    if maximum_iterations is not None:
        maximum_iterations = _check_maximum_iterations(maximum_iterations)
    if context.GRAPHS:
        from ndflow.graph import control_flow
        result = control_flow.while_loop(cond, body, loop_vars, shape_invariants,
                                         maximum_iterations, name)
    else:
        result = _eager_while(cond, body, loop_vars, maximum_iterations)
    if not back_prop:
        from ndflow.ops.identity_ops import stop_gradient
        result = nest.map_structure(
            lambda v: stop_gradient(v) if isinstance(v, Tensor) else v, result)
    return result


def _eager_while(cond, body, loop_vars, maximum_iterations):
    # A single loop variable (a tensor, a dict...) is passed as one argument and returned as
    # itself; lists and tuples (namedtuples included) are unpacked into arguments, as in
    # TensorFlow. Body results are compared without distinguishing lists from tuples. As in
    # TensorFlow's eager mode, Python values stay Python values until the loop ends.
    single = not isinstance(loop_vars, (list, tuple))
    state = [loop_vars] if single else list(loop_vars)
    limit = None if maximum_iterations is None else int(maximum_iterations)
    count = 0
    while (limit is None or count < limit) and cond(*state):
        out = body(*state)
        if out is None:
            raise TypeError("The body of the while_loop returned None instead of the loop "
                            "variables.")
        if single or not nest.is_nested(out):
            out = [out]
        try:
            nest.assert_same_structure(list(out), state, check_types=False)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"The body of the while_loop returned a structure that differs from "
                            f"loop_vars.\n\n{exc}") from None
        state = nest.pack_sequence_as(state, nest.flatten(list(out)))
        count += 1
    state = _as_loop_vars(state)
    if single:
        return state[0]
    return nest.pack_sequence_as(loop_vars, nest.flatten(state))


def _unpack_singleton(value):
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


def _bool_pred(pred):
    if not isinstance(pred, Tensor):
        raise TypeError(f"pred must be a Tensor, got: {pred}")
    if pred.dtype is not D.bool:
        raise TypeError(f"pred must be Tensor of type bool: {pred}")
    return pred


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the function paired with the first true predicate (``default`` if none is true;
    without ``default`` the last function, after checking that some predicate holds)."""
    if not isinstance(pred_fn_pairs, (list, tuple, dict)):
        raise TypeError(f"'pred_fn_pairs' must be a list, tuple, or dict. Received: "
                        f"{type(pred_fn_pairs)}")
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else list(pred_fn_pairs)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"Each entry in 'pred_fn_pairs' must be a 2-tuple. Received {pair}.")
        _bool_pred(pair[0])
        if not callable(pair[1]):
            raise TypeError(f"fn for pred {pair[0]} must be callable.")
    if not pairs:
        raise ValueError("'pred_fn_pairs' must contain at least one (pred, fn) pair.")
    if default is not None:
        _check_callable(default, "false_fn")
    from ndflow.ops import array_ops, debugging_ops, math_ops, reduce_ops
    if default is None:
        # The last function is the default, once some predicate is known to hold.
        stacked = array_ops.stack([p for p, _ in pairs])
        debugging_ops.Assert(reduce_ops.reduce_any(stacked), [
            "Input error: None of conditions evaluated as True:", stacked])
        pairs, default = pairs[:-1], pairs[-1][1]
    if exclusive and len(pairs) > 1:
        stacked = array_ops.stack([p for p, _ in pairs])
        count = reduce_ops.reduce_sum(math_ops.cast(stacked, D.int32))
        debugging_ops.Assert(math_ops.less_equal(count, 1), [
            f"Input error: exclusive=True: more than 1 conditions ({', '.join('?' * len(pairs))}) "
            "evaluated as True:", stacked])

    def chain(i):
        if i == len(pairs):
            return default()
        return cond(pairs[i][0], pairs[i][1], lambda: chain(i + 1))

    result = chain(0)
    return result if strict else _unpack_singleton(result)


def _branch_items(branch_fns):
    if not isinstance(branch_fns, (list, tuple, dict)):
        raise TypeError("'branch_fns' must be a list, tuple, or dict")
    if isinstance(branch_fns, dict):
        items = list(branch_fns.items())
    elif all(callable(fn) for fn in branch_fns):
        items = list(enumerate(branch_fns))
    else:
        items = list(branch_fns)
        for item in items:
            if not isinstance(item, tuple) or len(item) != 2:
                raise TypeError(f"Each entry in 'branch_fns' must be a 2-tuple. Received {item}.")
    if not items:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    for key, fn in items:
        if not isinstance(key, int) or isinstance(key, bool):
            raise TypeError(f"key must be a Python `int`, got {type(key)}")
        _check_callable(fn, f"branch_fns[{key}]")
    keys = [key for key, _ in items]
    if sorted(keys) != list(range(len(keys))):
        raise ValueError(f"branch indices (keys) must form contiguous range of [0 to {len(keys)}) "
                         f"but found {{{','.join(str(k) for k in keys)}}}")
    return [fn for _, fn in sorted(items, key=lambda item: item[0])]


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """Runs ``branch_fns[branch_index]()``; an index out of range runs ``default`` (or the
    last branch when there is no default)."""
    if not isinstance(branch_index, Tensor):
        raise TypeError(f"'branch_index' must be a Tensor, got {type(branch_index)}")
    if not branch_index.dtype.is_integer:
        raise TypeError(f"'branch_index' must be an integer Tensor, got {branch_index.dtype}")
    fns = _branch_items(branch_fns)
    if default is None:
        default = fns[-1]
    _check_callable(default, "default")
    if branch_index.shape.rank not in (0, None):
        raise errors.InvalidArgumentError(
            None, None, f"switch_case: 'branch_index' must be a scalar, but it has shape "
                        f"{branch_index.shape.as_list()}")
    from ndflow.ops import math_ops

    def chain(i):
        if i == len(fns):
            return default()
        return cond(math_ops.equal(branch_index, i), fns[i], lambda: chain(i + 1))

    return chain(0)
