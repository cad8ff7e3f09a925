"""Common-subexpression elimination: of two operations of the same op type on the same inputs
with equal attributes, the later one is dropped and its outputs replaced by the earlier one's.

Stateful operations are never merged. Two reads of one variable merge only when no stateful
operation (an assignment, a loop or branch that may assign, a print) runs between them.
"""
import numpy as np

from ndflow.graph.passes.rewrite import substitute


def run(graph):
    """Merges duplicate operations of ``graph`` in place."""
    seen = {}
    subst = {}
    epoch = 0          # bumped by every stateful operation
    kept = []
    for operation in graph._operations:
        if subst and any(id(t) in subst for t in operation.inputs):
            operation.inputs = tuple(subst.get(id(t), t) for t in operation.inputs)
        key = _key(operation, epoch)
        if key is None:
            if operation.stateful and operation.type != "ReadVariableOp":
                epoch += 1
            kept.append(operation)
            continue
        first = seen.get(key)
        if first is None:
            seen[key] = operation
            kept.append(operation)
            continue
        for a, b in zip(operation.outputs, first.outputs):
            subst[id(a)] = b
    graph._operations = kept
    graph._by_name = {op.name: op for op in kept}
    substitute(graph, subst)


def _key(operation, epoch):
    """A hashable identity of what ``operation`` computes, or None when it must stay."""
    if operation.control_inputs:
        return None
    inputs = tuple(id(t) for t in operation.inputs)
    if operation.type == "ReadVariableOp":
        return ("ReadVariableOp", inputs, epoch)
    if operation.type == "Const":
        value = operation.attrs["value"]
        if value.dtype.kind == "O":
            return None
        return ("Const", value.dtype.str, value.shape, value.tobytes())
    if operation.op is None or operation.op.stateful:
        return None
    try:
        return (operation.type, id(operation.op), inputs, _hashable(operation.attrs))
    except TypeError:    # an attribute that cannot be compared: keep the op
        return None


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_hashable(v) for v in value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "O":
            raise TypeError("object array")
        return ("ndarray", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, float):      # 0.0 == -0.0, but they are different attributes
        return ("float", repr(value))
    hash(value)
    return (type(value).__name__, value)
