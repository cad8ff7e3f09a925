"""Constant folding: a stateless op whose inputs are all known becomes a Const.

The tracer already computed most such values (``GraphTensor._const``, with the op's own
kernel). This pass also folds what becomes known only by folding: ``OnesLike``/``ZerosLike``
of a tensor whose static shape is fully known (the value does not depend on the input's
values), and every op downstream whose inputs are then all known. Values are computed with the
op's own kernel, so the result is bitwise what the op would compute at run time.
"""
import numpy as np

from ndflow.graph.graph import _as_tuple, _run
from ndflow.graph.passes.rewrite import new_const, substitute

_SHAPE_ONLY = frozenset(("OnesLike", "ZerosLike"))
_MAX_ELEMENTS = 1 << 20     # larger results stay computed at run time (graph size, memory)


def run(graph):
    """Replaces foldable operations of ``graph`` by Const operations."""
    subst = {}
    result = []
    for operation in graph._operations:
        values = known_values(operation)
        if values is not None:
            for i, (t, value) in enumerate(zip(operation.outputs, values)):
                t._const = value            # later ops see it as a known input
                name = operation.name if i == 0 else f"{operation.name}/output_{i}"
                const = new_const(graph, name, value, t._dtype, t._shape)
                result.append(const)
                subst[id(t)] = const.outputs[0]
        else:
            result.append(operation)
    graph._operations = result
    graph._by_name = {op.name: op for op in result}
    substitute(graph, subst)


def foldable(operation):
    """True for a registry op without side effects or control inputs that has outputs."""
    return (operation.op is not None and not operation.op.stateful and operation.outputs
            and not operation.control_inputs)


def known_values(operation):
    """The output values of ``operation`` when they can be known before running, else None."""
    if not foldable(operation):
        return None
    outputs = operation.outputs
    if all(t._const is not None for t in outputs):
        return [t._const for t in outputs]
    inputs = operation.inputs
    if operation.type in _SHAPE_ONLY:
        shape = outputs[0]._shape
        if not shape.is_fully_defined() or inputs[0]._dtype.as_numpy_dtype is None:
            return None
        args = [np.zeros(shape.as_list(), inputs[0]._dtype.as_numpy_dtype)]
    elif all(t._const is not None for t in inputs):
        args = [t._const for t in inputs]
    else:
        return None
    if sum(np.size(a) for a in args) > _MAX_ELEMENTS:
        return None
    try:
        values = _as_tuple(operation.op, _run(operation.op, args, operation.attrs))
    except Exception:  # noqa: BLE001 - an op that fails on its inputs fails at run time instead
        return None
    if any(v.size > _MAX_ELEMENTS for v in values):
        return None
    return list(values)
