"""Constant folding: a stateless op whose inputs are all known while tracing becomes a Const.

The tracer already computed such values (``GraphTensor._const``, with the op's own kernel), so
folding only swaps the op for Const nodes holding them: the result is bitwise what the op
would compute at run time.
"""
from ndflow.graph.passes.rewrite import new_const, substitute


def run(graph):
    """Replaces foldable operations of ``graph`` by Const operations."""
    subst = {}
    result = []
    for operation in graph._operations:
        if foldable(operation):
            for i, t in enumerate(operation.outputs):
                name = operation.name if i == 0 else f"{operation.name}/output_{i}"
                const = new_const(graph, name, t._const, t._dtype, t._shape)
                result.append(const)
                subst[id(t)] = const.outputs[0]
        else:
            result.append(operation)
    graph._operations = result
    graph._by_name = {op.name: op for op in result}
    substitute(graph, subst)


def foldable(operation):
    """True for a registry op without side effects whose every output value is known."""
    return (operation.op is not None and not operation.op.stateful and operation.outputs
            and not operation.control_inputs
            and all(t._const is not None for t in operation.outputs))
