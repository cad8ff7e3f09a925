"""Graph rewrite passes, run in order before a graph is compiled; each can be switched off with
``ndflow.config.optimizer.set_experimental_options``."""


def optimize(graph):
    """The graph to compile and its outputs (the traced graph itself stays as traced)."""
    return graph, graph.outputs
