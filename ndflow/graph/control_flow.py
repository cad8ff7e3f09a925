"""``cond`` and ``while_loop`` inside a traced function: ``If`` and ``While`` nodes.

Each branch, loop condition and loop body is traced into its own graph nested in the current
one; tensors of enclosing graphs it uses are captured as extra inputs. The node runs the compiled
subgraphs. An ``If``'s gradient is another ``If`` over the branches' gradients; a ``While``'s
gradient node reruns the loop eagerly under a tape when the graph runs.
"""
import numpy as np

from ndflow.framework import dtypes
from ndflow.framework.context import GRAPHS, TAPES
from ndflow.framework.tensor_shape import TensorShape
from ndflow.graph.codegen import CompiledGraph, live_operations
from ndflow.graph.graph import Graph, resource
from ndflow.ops.registry import Op, record
from ndflow.util import nest


def _trace_subgraph(name, fn, args_specs, outer, examples=()):
    """Traces ``fn`` on placeholders of ``args_specs`` [(shape, dtype, name)] in a new graph
    nested in ``outer`` (``examples``: the example values the placeholders' inference uses,
    where the entering tensors have them); returns (graph, result, flat output tensors)."""
    graph = Graph(name, outer=outer)
    args = [graph.placeholder(dtype, shape, arg_name) for shape, dtype, arg_name in args_specs]
    for arg, example in zip(args, examples):
        if example is not None and (arg._ex is None or arg.dtype is dtypes.variant):
            arg._ex = example
    GRAPHS.append(graph)
    try:
        result = fn(*args)
        flat = [graph.graph_input(leaf, None, 0) for leaf in nest.flatten(result)]
    finally:
        GRAPHS.pop()
    graph.outputs = flat
    return graph, result, flat


def _is_stateful(graph):
    return any(op.stateful for op in live_operations(graph, graph.outputs))


def _compile(graph):
    return CompiledGraph(graph, graph.inputs, graph.outputs)


def _capture_order(graphs):
    """The union of the outer tensors that ``graphs`` capture, and each graph's positions in it."""
    outer_tensors, index = [], {}
    positions = []
    for graph in graphs:
        mine = []
        for key, (outer, _) in graph.captures.items():
            if key not in index:
                index[key] = len(outer_tensors)
                outer_tensors.append(outer)
            mine.append(index[key])
        positions.append(mine)
    return outer_tensors, positions


# -- cond -------------------------------------------------------------------------------------

def cond(pred, true_fn, false_fn, name=None):
    """An ``If`` node choosing between the traced branches at run time."""
    outer = GRAPHS[-1]
    pred = outer.graph_input(pred, None, 0)
    if pred._const is not None:       # known while tracing: only that branch exists
        return (true_fn if bool(pred._const) else false_fn)()
    then_graph, then_result, then_flat = _trace_subgraph("cond_true", lambda: true_fn(), [],
                                                         outer)
    else_graph, else_result, else_flat = _trace_subgraph("cond_false", lambda: false_fn(), [],
                                                         outer)
    _check_branches(then_result, else_result, then_flat, else_flat)
    captured, (then_pos, else_pos) = _capture_order([then_graph, else_graph])
    then_run = _compile(then_graph)
    else_run = _compile(else_graph)

    def run_if(pred_value, *values):
        if pred_value:
            return then_run(*[values[i] for i in then_pos])
        return else_run(*[values[i] for i in else_pos])

    stateful = _is_stateful(then_graph) or _is_stateful(else_graph)
    specs = [(_merge(a.shape, b.shape), a.dtype) for a, b in zip(then_flat, else_flat)]
    node = outer.add_node("If" if stateful else "StatelessIf", (pred, *captured),
                          {"then_branch": true_fn, "else_branch": false_fn,
                           "Tout": [d for _, d in specs]}, run_if, specs, name=name or "cond")
    node.subgraphs = {"then_branch": (then_graph, then_pos), "else_branch": (else_graph,
                                                                              else_pos)}
    outputs = list(node.outputs)
    for out, a in zip(outputs, then_flat):
        out._ex = a._ex if out.shape == a.shape else out._ex
    if TAPES:
        variables = _variables_of(then_graph, else_graph)
        record(_IF_GRAD_OP, (pred, *captured, *variables), tuple(outputs),
               {"node": node, "captured": len(captured)})
    return nest.pack_sequence_as(then_result, outputs) if nest.is_nested(then_result) else (
        outputs[0] if outputs else None)


def _variables_of(*graphs):
    found = {}
    for graph in graphs:
        for key, (variable, _) in graph.variables.items():
            found.setdefault(key, variable)
    return list(found.values())


def _as_variable(tensor):
    """The variable a captured resource handle stands for while tracing (so replaying a branch
    reads it in the current graph through its own handle), other tensors unchanged."""
    if tensor.dtype is not resource:
        return tensor
    for variable, handle in tensor.graph.variables.values():
        if handle is tensor:
            return variable
    return tensor


def _check_branches(then_result, else_result, then_flat, else_flat):
    try:
        nest.assert_same_structure(then_result, else_result)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"true_fn and false_fn arguments to tf.cond must have the same number, "
                         f"type, and overall structure of return values. {exc}") from None
    for i, (a, b) in enumerate(zip(then_flat, else_flat)):
        if a.dtype is not b.dtype:
            raise TypeError(f"true_fn and false_fn arguments to tf.cond must have the same "
                            f"dtypes: output {i} is {a.dtype.name} in true_fn and "
                            f"{b.dtype.name} in false_fn.")


def _merge(a, b):
    if a.rank is None or b.rank is None or a.rank != b.rank:
        return TensorShape(None)
    return TensorShape([p if p == q else None for p, q in zip(a.dims, b.dims)])


def _if_grad(rec, *dys):
    """The gradient of an If: an If whose branches differentiate the traced branch graphs
    (re-emitted op by op, so Python closures are not re-run)."""
    from ndflow.autodiff.tape import GradientTape
    from ndflow.graph.interpreter import replay
    from ndflow.ops.array_ops import zeros_like
    from ndflow.ops.control_flow_ops import cond as public_cond
    node, count = rec.get_attr("node"), rec.get_attr("captured")
    pred, captured, variables = rec.inputs[0], rec.inputs[1:1 + count], rec.inputs[1 + count:]
    sources = [t for t in captured if t.dtype in dtypes.INEXACT] + list(variables)
    output_grads = [zeros_like(o) if d is None else d for d, o in zip(dys, rec.outputs)]

    def branch_gradient(name):
        graph, positions = node.subgraphs[name]

        def run():
            with GradientTape() as tape:
                tape.watch(sources)
                outs = replay(graph, [_as_variable(captured[i]) for i in positions])
            grads = tape.gradient(outs, sources, output_gradients=output_grads)
            return [zeros_like(s) if g is None else g for g, s in zip(grads, sources)]
        return run

    grads = public_cond(pred, branch_gradient("then_branch"), branch_gradient("else_branch"))
    by_id = {id(s): g for s, g in zip(sources, nest.flatten(grads))}
    return (None,) + tuple(by_id.get(id(t)) for t in rec.inputs[1:])


_IF_GRAD_OP = Op("If", None, grad=_if_grad, num_outputs=None)


# -- while_loop -------------------------------------------------------------------------------

def while_loop(cond, body, loop_vars, shape_invariants=None, maximum_iterations=None,
               name=None):
    """A ``While`` node running the traced body while the traced condition holds."""
    outer = GRAPHS[-1]
    user_leaves = nest.flatten(loop_vars)
    # Composite loop variables (TensorArray) travel as the tensors they flatten to.
    templates = {i: v for i, v in enumerate(user_leaves) if hasattr(v, "_from_flow")}
    flat_vars = [outer.graph_input(v._flatten()[0] if i in templates else v, None, 0)
                 for i, v in enumerate(user_leaves)]
    if shape_invariants is not None:
        shapes = [TensorShape(s) for s in nest.flatten(shape_invariants)]
    else:
        shapes = [v.shape for v in flat_vars]
    specs = [(shape, v.dtype, "loop_var") for shape, v in zip(shapes, flat_vars)]
    examples = [v._ex if v.shape == shape else None for shape, v in zip(shapes, flat_vars)]

    packed = _as_arguments(loop_vars)

    def unflatten(flat_args):
        leaves = [type(templates[i])._from_flow(templates[i], a) if i in templates else a
                  for i, a in enumerate(flat_args)]
        return nest.pack_sequence_as(packed, leaves)

    def call_body(*flat_args):
        result = body(*unflatten(flat_args))
        if len(packed) == 1 and not (isinstance(result, (list, tuple)) and len(result) == 1):
            result = [result]
        return [v._flatten()[0] if hasattr(v, "_from_flow") else v for v in nest.flatten(result)]

    cond_graph, _, cond_flat = _trace_subgraph(
        "while_cond", lambda *a: cond(*unflatten(a)), specs, outer, examples)
    if len(cond_flat) != 1 or cond_flat[0].dtype is not dtypes.bool or cond_flat[0].shape.rank:
        raise ValueError(f"The while_loop condition must return a scalar boolean tensor, got "
                         f"{cond_flat}")
    body_graph, body_result, body_flat = _trace_subgraph("while_body", call_body, specs, outer,
                                                         examples)
    _check_body(loop_vars, body_result, flat_vars, body_flat, shapes)
    captured, (cond_pos, body_pos) = _capture_order([cond_graph, body_graph])
    cond_run = _compile(cond_graph)
    body_run = _compile(body_graph)
    count = len(flat_vars)
    limit = None if maximum_iterations is None else int(maximum_iterations)

    def run_while(*values):
        state = values[:count]
        caps = values[count:]
        cond_caps = [caps[i] for i in cond_pos]
        body_caps = [caps[i] for i in body_pos]
        steps = 0
        while (limit is None or steps < limit) and cond_run(*state, *cond_caps)[0]:
            state = body_run(*state, *body_caps)
            steps += 1
        return state

    stateful = _is_stateful(cond_graph) or _is_stateful(body_graph)
    node = outer.add_node("While" if stateful else "StatelessWhile", (*flat_vars, *captured),
                          {"T": [v.dtype for v in flat_vars], "parallel_iterations": 10,
                           "maximum_iterations": limit},
                          run_while, [(s, v.dtype) for s, v in zip(shapes, flat_vars)],
                          name=name or "while")
    node.subgraphs = {"cond": (cond_graph, cond_pos), "body": (body_graph, body_pos)}
    if not stateful:
        _loop_examples(node, cond_run, body_run, [*flat_vars, *captured], limit)
    if TAPES:
        variables = _variables_of(cond_graph, body_graph)
        record(_WHILE_GRAD_OP, (*flat_vars, *captured, *variables), tuple(node.outputs),
               {"node": node, "inputs": len(flat_vars) + len(captured)})
    result = unflatten(list(node.outputs))
    if packed is loop_vars or (isinstance(loop_vars, (list, tuple)) and not hasattr(
            loop_vars, "_fields")):
        return type(loop_vars)(result)
    return result[0]


def _loop_examples(node, cond_run, body_run, inputs, limit, cap=10_000):
    """Example outputs of a stateless loop: the loop run on its inputs' examples, so ops after
    it infer shapes from realistic values (none when it does not end within ``cap`` steps)."""
    # A stateless loop only reads the variables it uses: it may run on the variables themselves.
    examples = [(_as_variable(t),) * 2 if t.dtype is resource else t._ex for t in inputs]
    if any(e is None for e in examples):
        return
    count = len(node.outputs)
    _, cond_pos = node.subgraphs["cond"]
    _, body_pos = node.subgraphs["body"]
    bound = cap if limit is None else min(limit, cap)
    runs = []
    for k in (0, 1):
        values = [e[k] for e in examples]
        state, caps = values[:count], values[count:]
        try:
            for _ in range(bound):
                if not cond_run(*state, *[caps[i] for i in cond_pos])[0]:
                    break
                state = body_run(*state, *[caps[i] for i in body_pos])
            else:
                if limit is None:
                    return
        except Exception:  # noqa: BLE001 - examples are a best effort
            return
        runs.append(state)
    for out, a, b in zip(node.outputs, *runs):
        out._ex = (a, b)


def _as_arguments(loop_vars):
    """The loop variables as the list of positional arguments cond and body receive."""
    if isinstance(loop_vars, (list, tuple)) and not hasattr(loop_vars, "_fields"):
        return list(loop_vars)
    return [loop_vars]


def _check_body(loop_vars, body_result, flat_vars, body_flat, shapes):
    if len(body_flat) != len(flat_vars):
        raise ValueError(f"The two structures don't have the same number of elements: the loop "
                         f"variables {loop_vars} and the body's result {body_result}.")
    for var, out, shape in zip(flat_vars, body_flat, shapes):
        if out.dtype is not var.dtype:
            raise TypeError(f"Loop var {var.name} enters the loop with type {var.dtype!r}, but "
                            f"has type {out.dtype!r} after 1 iteration.")
        if not _is_subshape(out.shape, shape):
            raise ValueError(
                f"Input tensor '{var.name}' enters the loop with shape {shape}, but has shape "
                f"{out.shape} after one iteration. To allow the shape to vary across "
                f"iterations, use the `shape_invariants` argument of tf.while_loop to specify a "
                f"less-specific shape.")


def _is_subshape(shape, invariant):
    if invariant.rank is None:
        return True
    if shape.rank != invariant.rank:
        return False
    return all(b is None or a == b for a, b in zip(shape.dims, invariant.dims))


def _while_grad(rec, *dys):
    """The gradient of a While: a node that, when the graph runs, runs the loop again eagerly
    under a GradientTape and differentiates it (the forward loop keeps no intermediates)."""
    from ndflow.autodiff.tape import GradientTape
    from ndflow.framework.tensor import convert_to_tensor, wrap
    from ndflow.graph.interpreter import replay_while
    from ndflow.ops.array_ops import zeros_like
    from ndflow.ops.variables import Variable
    node, count = rec.get_attr("node"), rec.get_attr("inputs")
    tensors, variables = rec.inputs[:count], rec.inputs[count:]
    # Variant flows (TensorArray) are not sources: their elements' gradients reach the tensors
    # written into them through the loop's captures.
    sources = [i for i, t in enumerate(tensors) if t.dtype in dtypes.INEXACT]
    output_grads = [zeros_like(o) if d is None else d for d, o in zip(dys, rec.outputs)]
    # Where each variable's handle enters the loop: the node receives the variable of the
    # current call there (a function argument may be a different variable at each call).
    handle_at = {id(_as_variable(t)): i for i, t in enumerate(tensors) if t.dtype is resource}
    variable_pos = [handle_at[id(v)] for v in variables]

    def run(*values):
        inputs = [v if isinstance(v, Variable) else wrap(v) for v in values[:count]]
        live = [inputs[i] for i in variable_pos]
        with GradientTape() as tape:
            tape.watch([inputs[i] for i in sources] + live)
            outs = replay_while(node, inputs)
        grads = tape.gradient(outs, [inputs[i] for i in sources] + live,
                              output_gradients=[wrap(d) for d in values[count:]])
        targets = [values[i] for i in sources] + [v._value for v in live]
        return tuple(np.zeros_like(t) if g is None else np.asarray(convert_to_tensor(g))
                     for g, t in zip(grads, targets))

    specs = [(tensors[i].shape, tensors[i].dtype) for i in sources]
    specs += [(v.shape, v.dtype) for v in variables]
    grad_node = GRAPHS[-1].add_node("WhileGrad", (*tensors, *output_grads), {}, run, specs,
                                    name="while_grad")
    by_index = dict(zip(sources + [count + j for j in range(len(variables))],
                        grad_node.outputs))
    return tuple(by_index.get(i) for i in range(len(rec.inputs)))


_WHILE_GRAD_OP = Op("While", None, grad=_while_grad, num_outputs=None)
