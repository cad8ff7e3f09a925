"""Elementwise fusion: a chain of elementwise ops, each consuming the previous one's result and
being its only user, runs as one ``FusedElementwise`` node: the first op allocates the chain's
buffer, every later op writes into it with ``out=``, so no intermediate array is made.

An op joins a chain only when its kernel is exactly the listed NumPy ufuncs (so the fused code
runs the same loops and gives bitwise the same values), and its output has the chain buffer's
dtype and fully known static shape (of rank >= 1: NumPy returns scalars for rank 0).
"""
import numpy as np

from ndflow.graph.graph import Operation
from ndflow.graph.passes.rewrite import consumers, copy_tensor, substitute

_BINARY = {"AddV2": "add", "Sub": "subtract", "Mul": "multiply", "RealDiv": "true_divide",
           "Maximum": "maximum", "Minimum": "minimum"}
_UNARY = {"Neg": "negative", "Abs": "absolute", "Exp": "exp", "Log": "log", "Sqrt": "sqrt",
          "Tanh": "tanh", "Sin": "sin", "Cos": "cos", "Square": "square", "Log1p": "log1p",
          "Expm1": "expm1", "Floor": "floor", "Ceil": "ceil"}
_FUSABLE = set(_BINARY) | set(_UNARY) | {"Relu", "SquaredDifference"}
_KINDS = "iuf"


def run(graph):
    """Replaces elementwise chains of ``graph`` by FusedElementwise operations."""
    uses = _user_ops(graph)
    chains = {}                 # id(op) -> the chain (list of (op, buffer input)) it ends
    for operation in graph._operations:
        if not _candidate(operation):
            continue
        out = operation.outputs[0]
        chain = None
        for t in operation.inputs:
            found = chains.get(id(t._op))
            if found is not None and uses.get(id(t)) == 1 and t._shape == out._shape \
                    and t._dtype is out._dtype:
                chain = chains.pop(id(t._op))
                chain.append((operation, t))
                break
        chains[id(operation)] = chain or [(operation, None)]
    fused = {id(chain[-1][0]): chain for chain in chains.values() if len(chain) > 1}
    if not fused:
        return
    members = {id(op) for chain in fused.values() for op, _ in chain}
    result, subst = [], {}
    for operation in graph._operations:
        chain = fused.get(id(operation))
        if chain is not None:
            node = _fuse(graph, chain, subst)
            subst[id(operation.outputs[0])] = node.outputs[0]
            result.append(node)
        elif id(operation) not in members:
            result.append(operation)
    graph._operations = result
    graph._by_name = {op.name: op for op in result}
    substitute(graph, subst)


def _user_ops(graph):
    """{id(tensor): number of distinct operations (or graph outputs) using it}."""
    uses = consumers(graph)
    for operation in graph._operations:
        ids = [id(t) for t in operation.inputs]
        for key in set(ids):
            uses[key] -= ids.count(key) - 1
    return uses


def _candidate(operation):
    if operation.type not in _FUSABLE or operation.op is None or operation.control_inputs \
            or len(operation.outputs) != 1:
        return False
    out = operation.outputs[0]
    if not out._shape.is_fully_defined() or out._shape.rank == 0:
        return False
    return all(np.dtype(t._dtype.as_numpy_dtype).kind in _KINDS
               for t in (out, *operation.inputs))


def _steps(operation, buffer):
    """(op, ufunc name, inputs) for each ufunc call of ``operation``; ``None`` marks the chain
    buffer among the inputs."""
    inputs = tuple(None if buffer is not None and t is buffer else t for t in operation.inputs)
    kind = operation.type
    if kind in _BINARY:
        return [(operation, _BINARY[kind], inputs)]
    if kind in _UNARY:
        return [(operation, _UNARY[kind], inputs)]
    if kind == "Relu":
        zero = np.zeros((), operation.outputs[0]._dtype.as_numpy_dtype)
        return [(operation, "maximum", inputs + (zero,))]
    # SquaredDifference: square(x - y), as its kernel computes it.
    return [(operation, "subtract", inputs), (operation, "square", (None,))]


def _fuse(graph, chain, subst):
    """The FusedElementwise node of ``chain``; ``subst`` maps outputs of chains fused before
    it to the fused nodes' outputs."""
    last = chain[-1][0]
    steps = [(op, ufunc, tuple(subst.get(id(t), t) for t in inputs))
             for operation, buffer in chain for op, ufunc, inputs in _steps(operation, buffer)]
    external = []
    for _, _, inputs in steps:
        for t in inputs:
            if t is not None and hasattr(t, "_op") and all(t is not e for e in external):
                external.append(t)
    node = Operation(graph, f"{last.name}/fused", "FusedElementwise", None, tuple(external),
                     {"steps": steps, "ops": [op.type for op, _ in chain]})
    node.outputs = (copy_tensor(node, last.outputs[0], 0),)
    return node
