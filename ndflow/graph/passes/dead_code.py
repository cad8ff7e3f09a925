"""Dead-code pruning: drops operations that neither an output nor a side effect needs
(stateful operations, such as variable assignments and prints, are always kept)."""
from ndflow.graph.codegen import live_operations


def run(graph):
    """Keeps only ``graph``'s live operations, in order."""
    live = live_operations(graph, graph.outputs)
    graph._operations = live
    graph._by_name = {op.name: op for op in live}
