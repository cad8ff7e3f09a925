"""Runs a graph op by op through ``execute`` with eager tensors.

Used when a traced function is called under an active GradientTape: every op is then recorded
on the tape as if the function had run eagerly, so the call is differentiable (and the results
equal the compiled graph's, which tests check).
"""
import numpy as np

from ndflow.framework.tensor import EagerTensor, wrap_as
from ndflow.graph.codegen import live_operations
from ndflow.ops.registry import execute

# Graph-only nodes that must act through the variable's own methods (so tapes see the reads).
_EAGER_NODES = {
    "ReadVariableOp": lambda var: (var._as_tensor(),),
    "AssignVariableOp": lambda var, value: var.assign(value, read_value=False) or (),
    "AssignAddVariableOp": lambda var, value: var.assign_add(value, read_value=False) or (),
    "AssignSubVariableOp": lambda var, value: var.assign_sub(value, read_value=False) or (),
}


def replay(graph, flat_inputs, outputs=None):
    """The eager values of ``outputs`` (default: the graph's outputs) for these inputs."""
    outputs = graph.outputs if outputs is None else outputs
    env = {}
    for placeholder, value in zip(graph.inputs, flat_inputs):
        env[id(placeholder)] = (wrap_as(value, placeholder.dtype)
                                if type(value) is np.ndarray else value)
    for variable, handle in graph.variables.values():
        env.setdefault(id(handle), variable)
    for operation in live_operations(graph, outputs):
        kind = operation.type
        if kind == "Placeholder":
            continue
        if kind == "Const":
            env[id(operation.outputs[0])] = wrap_as(operation.attrs["value"],
                                                    operation.outputs[0].dtype)
            continue
        args = tuple(env[id(t)] for t in operation.inputs)
        if operation.op is not None:
            result = execute(operation.op, args, operation.attrs)
            results = (result,) if operation.op.single else result
        elif kind in _EAGER_NODES:
            results = _EAGER_NODES[kind](*args)
        elif kind in ("If", "StatelessIf"):
            branch = "then_branch" if bool(args[0]) else "else_branch"
            graph_, positions = operation.subgraphs[branch]
            results = replay(graph_, [args[1:][i] for i in positions])
        elif kind in ("While", "StatelessWhile"):
            results = replay_while(operation, args)
        elif operation.eager is not None:
            results = operation.eager(*args)
        else:
            values = [a._value if type(a) is EagerTensor else a for a in args]
            results = [wrap_as(v, t.dtype) for v, t in zip(operation.fn(*values),
                                                            operation.outputs)]
        for t, value in zip(operation.outputs, results):
            env[id(t)] = value
    return [env[id(t)] for t in outputs]


def replay_while(operation, args):
    """The eager results of a While node for these (eager) inputs."""
    count = len(operation.attrs["T"])
    state, captured = list(args[:count]), args[count:]
    cond_graph, cond_pos = operation.subgraphs["cond"]
    body_graph, body_pos = operation.subgraphs["body"]
    cond_caps = [captured[i] for i in cond_pos]
    body_caps = [captured[i] for i in body_pos]
    limit, steps = operation.attrs["maximum_iterations"], 0
    while (limit is None or steps < limit) and bool(replay(cond_graph, state + cond_caps)[0]):
        state = replay(body_graph, state + body_caps)
        steps += 1
    return state
