"""Compiles a graph into one Python function: generated source that calls the kernels in order.

Every tensor becomes a local variable; registry ops call their kernel (attributes bound once with
``functools.partial``), graph-only nodes (variable reads and writes, prints, control flow) call
their node function, constants are bound once. A kernel error is traced back to its op through
the line number of the generated source, so a running graph costs nothing extra for it.
"""
import functools
import itertools
import linecache

from ndflow.backend import xp
from ndflow.framework import errors

_counter = itertools.count()


class CompiledGraph:
    """A graph compiled to a Python callable: ``run(*input_values) -> tuple of output values``."""

    def __init__(self, graph, inputs, outputs):
        self.graph = graph
        self.source, namespace, self._line_ops = _generate(graph, inputs, outputs)
        filename = f"<ndflow graph {graph.name} #{next(_counter)}>"
        linecache.cache[filename] = (len(self.source), None, self.source.splitlines(True),
                                     filename)
        exec(compile(self.source, filename, "exec"), namespace)
        self._run = namespace["run"]
        self._filename = filename

    def __call__(self, *values):
        try:
            return self._run(*values)
        except errors.OpError:
            raise
        except (ValueError, IndexError, TypeError, ArithmeticError, KeyError,
                RuntimeError) as exc:
            operation = self._failed_op(exc)
            if operation is None:
                raise
            raise errors.InvalidArgumentError(
                None, operation,
                f"{exc} (while running node '{operation.name}' of type {operation.type}, inputs: "
                f"{', '.join(str(t.shape) + ' ' + t.dtype.name for t in operation.inputs)}) "
                f"[Op:{operation.type}]") from None

    def _failed_op(self, exc):
        tb = exc.__traceback__
        operation = None
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == self._filename:
                operation = self._line_ops.get(tb.tb_lineno, operation)
            tb = tb.tb_next
        return operation


def _generate(graph, inputs, outputs):
    """Source text, globals and {line: operation} for ``run``."""
    names = {}
    namespace = {"xp": xp}
    lines = []
    line_ops = {}

    def local(tensor):
        return names[id(tensor)]

    args = []
    for i, t in enumerate(inputs):
        names[id(t)] = f"a{i}"
        args.append(f"a{i}")
    for variable, handle in graph.variables.values():
        if id(handle) not in names:      # a captured variable: bound once
            key = f"v{len(namespace)}"
            namespace[key] = variable
            names[id(handle)] = key
    for n, operation in enumerate(live_operations(graph, outputs)):
        if operation.type == "Placeholder":
            if id(operation.outputs[0]) not in names:
                raise ValueError(f"graph input {operation.name} was not given a value")
            continue
        outs = [f"t{n}_{i}" for i in range(len(operation.outputs))]
        for t, name in zip(operation.outputs, outs):
            names[id(t)] = name
        if operation.type == "Const":
            namespace[outs[0]] = operation.attrs["value"]
            continue
        call_args = ", ".join(local(t) for t in operation.inputs)
        if operation.op is not None:
            kernel = operation.op.kernel
            if operation.attrs:
                kernel = functools.partial(kernel, **operation.attrs)
            key = f"k{n}"
            namespace[key] = kernel
            call = f"{key}(xp{', ' if call_args else ''}{call_args})"
            if operation.op.single:
                target = outs[0]
            else:
                target = ", ".join(outs) + ("," if len(outs) == 1 else "") if outs else "_"
        else:
            key = f"f{n}"
            namespace[key] = operation.fn
            call = f"{key}({call_args})"
            target = (", ".join(outs) + ("," if len(outs) == 1 else "")) if outs else None
        statement = f"    {target} = {call}" if target else f"    {call}"
        lines.append(f"{statement:<48}  # {operation.type} '{operation.name}'")
        line_ops[len(lines) + 1] = operation    # +1: the "def run" line comes first
    result = ", ".join(local(t) for t in outputs)
    lines.append(f"    return ({result}{',' if len(outputs) == 1 else ''})")
    source = f"def run({', '.join(args)}):\n" + "\n".join(lines) + "\n"
    return source, namespace, line_ops


def live_operations(graph, outputs):
    """The operations needed for ``outputs`` plus every stateful one, in creation order."""
    needed = set()
    stack = [t._op for t in outputs]
    stack += [op for op in graph._operations if op.stateful]
    while stack:
        op = stack.pop()
        if id(op) in needed:
            continue
        needed.add(id(op))
        stack.extend(t._op for t in op.inputs if t._op.graph is graph)
        stack.extend(op.control_inputs)
    return [op for op in graph._operations if id(op) in needed]
