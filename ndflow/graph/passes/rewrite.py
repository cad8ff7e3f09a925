"""The rewrite machinery the passes share: a private copy of a graph's live operations, and
replacing one tensor by another everywhere it is used.

The copy holds new ``Operation`` objects (same names, types, attributes) whose outputs are new
``GraphTensor`` objects, so a pass may change inputs, drop or insert operations freely while the
traced graph that users inspect stays as traced. Placeholders and variable handles are shared
with the traced graph: they are the copy's inputs.
"""
from ndflow.graph.codegen import live_operations
from ndflow.graph.graph import Graph, GraphTensor, Operation


def clone(graph, prune):
    """A copy of ``graph`` (only the live operations when ``prune``), with ``outputs`` set."""
    copy = Graph(graph.name, outer=graph.outer)
    copy.inputs = graph.inputs
    copy.variables = graph.variables
    copy.captures = graph.captures
    copy.optimized = True          # codegen compiles its operations as they are
    operations = live_operations(graph, graph.outputs) if prune else graph._operations
    subst = {}
    for old in operations:
        if old.type == "Placeholder":
            continue
        new = Operation(copy, old.name, old.type, old.op,
                        tuple(subst.get(id(t), t) for t in old.inputs), old.attrs)
        new.fn = old.fn
        new.subgraphs = dict(old.subgraphs)
        new.control_inputs = [subst.get(id(c.outputs[0]), c.outputs[0])._op if c.outputs else c
                               for c in old.control_inputs]
        new.outputs = tuple(copy_tensor(new, t) for t in old.outputs)
        for a, b in zip(old.outputs, new.outputs):
            subst[id(a)] = b
        append(copy, new)
    copy.outputs = [subst.get(id(t), t) for t in graph.outputs]
    return copy


def copy_tensor(operation, tensor, index=None):
    """A tensor of ``operation`` with ``tensor``'s index, shape, dtype and known value."""
    return GraphTensor(operation, tensor._index if index is None else index, tensor._shape,
                       tensor._dtype, tensor._ex, tensor._const)


def append(graph, operation):
    """Adds an already built ``operation`` to ``graph`` under its own name."""
    graph._operations.append(operation)
    graph._by_name[operation.name] = operation


def substitute(graph, subst):
    """Rewires every use of a tensor in ``subst`` (id -> tensor) to its replacement, in the
    operations' inputs and in the graph's outputs."""
    if not subst:
        return
    for operation in graph._operations:
        if any(id(t) in subst for t in operation.inputs):
            operation.inputs = tuple(subst.get(id(t), t) for t in operation.inputs)
    graph.outputs = [subst.get(id(t), t) for t in graph.outputs]


def consumers(graph):
    """{id(tensor): number of uses} counting graph outputs as uses."""
    uses = {}
    for operation in graph._operations:
        for t in operation.inputs:
            uses[id(t)] = uses.get(id(t), 0) + 1
    for t in graph.outputs:
        uses[id(t)] = uses.get(id(t), 0) + 1
    return uses


def new_const(graph, name, value, dtype, shape):
    """A Const operation (not yet added) holding ``value``."""
    operation = Operation(graph, name, "Const", None, (), {"value": value, "dtype": dtype})
    operation.outputs = (GraphTensor(operation, 0, shape, dtype, (value, value), value),)
    return operation
