"""Graph rewrite passes, run in order on a private copy of a traced graph before it is compiled
(the traced graph stays as traced: users inspect it). Each pass is switched by a key of
``ndflow.config.optimizer.set_experimental_options``, named as TensorFlow's Grappler options:

    constant_folding                    ops on constants become constants
    arithmetic_optimization             x*1, x+0, x-0, x/1, identities, transpose/reshape pairs
    common_subexpression_elimination    one op for identical computations
    disable_model_pruning (True: off)   ops no output or side effect needs are dropped
    remapping                           elementwise chains run as one fused kernel
    disable_meta_optimizer (True)       every pass off: the graph is compiled as traced

Branch, condition and body graphs of ``If`` and ``While`` nodes are optimised the same way.
"""
from ndflow.graph.config import OPTIMIZER_OPTIONS
from ndflow.graph.passes import arithmetic, constant_folding, cse, dead_code, fusion
from ndflow.graph.passes.rewrite import clone


def _on(key):
    return OPTIMIZER_OPTIONS.get(key, True) and not OPTIMIZER_OPTIONS.get(
        "disable_meta_optimizer", False)


def optimize(graph):
    """The graph to compile and its outputs (the traced graph itself stays as traced)."""
    if OPTIMIZER_OPTIONS.get("disable_meta_optimizer", False):
        return graph, graph.outputs
    optimized = optimize_graph(graph)
    return optimized, optimized.outputs


def optimize_graph(graph):
    """An optimised copy of ``graph`` (its ``outputs`` set; inputs shared with ``graph``)."""
    prune = not OPTIMIZER_OPTIONS.get("disable_model_pruning", False)
    copy = clone(graph, prune)
    for operation in copy._operations:
        if operation.subgraphs:
            operation.subgraphs = {key: (optimize_graph(sub), positions)
                                   for key, (sub, positions) in operation.subgraphs.items()}
    if _on("constant_folding"):
        constant_folding.run(copy)
    if _on("arithmetic_optimization"):
        arithmetic.run(copy)
    if _on("common_subexpression_elimination"):
        cse.run(copy)
    if prune:
        dead_code.run(copy)
    if _on("remapping"):
        fusion.run(copy)
    return copy
