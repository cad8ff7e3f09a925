"""Compiles a graph into one Python function: generated source that calls the kernels in order.

Every tensor becomes a local variable; registry ops call their kernel (attributes bound once with
``functools.partial``), graph-only nodes call their node function, constants are bound once.
Faster forms where the result is provably the same:
- variable reads and assignments are statements on the variable (``v._value``), no calls;
- ``If`` and ``While`` nodes run their branch, condition and body graphs as nested code of the
  same function (a Python ``if`` / ``while``), so a loop iteration makes no function calls;
- arithmetic and comparisons on scalars (static shape ``()``) are Python operators on NumPy
  scalars, the same ufunc loops at a tenth of the call cost;
- a fused elementwise chain (see passes/fusion.py) is one ufunc call per op writing into the
  chain's own buffer (``out=``).
A kernel error is traced back to its op through the line number of the generated source, so a
running graph costs nothing extra for it.
"""
import functools
import itertools
import linecache

import numpy as np

from ndflow.backend import xp
from ndflow.framework import errors

_counter = itertools.count()

# Scalar ops whose kernel is exactly this NumPy operator's ufunc (same loop, same dtype).
_SCALAR_OPERATORS = {"AddV2": "{0} + {1}", "Sub": "{0} - {1}", "Mul": "{0} * {1}",
                     "Neg": "-{0}", "Less": "{0} < {1}", "LessEqual": "{0} <= {1}",
                     "Greater": "{0} > {1}", "GreaterEqual": "{0} >= {1}"}
_SCALAR_KINDS = "iuf"
_SCALAR_CONST_KINDS = "biufc"


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
    emitter = _Emitter()
    args = [f"a{i}" for i in range(len(inputs))]
    for arg, t in zip(args, inputs):
        if t.shape.rank == 0 and (t.dtype.is_integer or t.dtype.is_floating):
            # A NumPy scalar: arithmetic and comparisons on it cost a tenth of a 0-d array's.
            emitter.emit(1, f"{arg} = {arg}[()]")
    results = emitter.graph(graph, inputs, args, outputs, 1)
    emitter.lines.append(f"    return ({', '.join(results)}{',' if len(results) == 1 else ''})")
    source = f"def run({', '.join(args)}):\n" + "\n".join(emitter.lines) + "\n"
    return source, emitter.namespace, emitter.line_ops


class _Emitter:
    """Writes the statements of a graph (and of its nested branch and loop graphs)."""

    def __init__(self):
        # Named like ndflow's modules so that NumPy's floating-point warnings raised by the
        # generated code are silenced as the kernels' are (see ndflow/backend).
        self.namespace = {"xp": xp, "__name__": "ndflow.graph.generated",
                          "_asarray": np.asarray, "_add": np.add, "_subtract": np.subtract}
        self.lines = []
        self.line_ops = {}
        self.count = itertools.count()
        self.variables = {}

    def emit(self, indent, text, operation=None, note=""):
        line = "    " * indent + text
        if operation is not None:
            line = f"{line:<48}  # {operation.type} '{operation.name}'{note}"
            self.line_ops[len(self.lines) + 2] = operation    # +2: 1-based, after "def run"
        self.lines.append(line)

    def bind(self, prefix, value):
        key = f"{prefix}{len(self.namespace)}"
        self.namespace[key] = value
        return key

    def variable(self, variable):
        key = self.variables.get(id(variable))
        if key is None:
            key = self.variables[id(variable)] = self.bind("v", variable)
        return key

    def graph(self, graph, inputs, input_exprs, outputs, indent):
        """Emits ``graph``'s operations; returns the expressions of ``outputs``."""
        names = {id(t): e for t, e in zip(inputs, input_exprs)}
        for variable, handle in graph.variables.values():
            if id(handle) not in names:      # a captured variable: bound once
                names[id(handle)] = self.variable(variable)
        operations = graph._operations if getattr(graph, "optimized", False) else \
            live_operations(graph, outputs)
        # At the top level, locals are deleted after their last use so that their arrays are
        # freed (and their memory reused) early, and in-place variable updates see no other
        # reference to the variable's buffer (which would force a copy).
        dead_after = _dead_after(operations, outputs) if indent == 1 else {}
        for position, operation in enumerate(operations):
            if operation.type == "Placeholder":
                if id(operation.outputs[0]) not in names:
                    raise ValueError(f"graph input {operation.name} was not given a value")
                continue
            self.operation(operation, names, indent)
            dead = [names[id(t)] for t in dead_after.get(position, ())]
            dead = [name for name in dead if name[0] in "ta"]     # locals, not bound globals
            if dead:
                self.emit(indent, f"del {', '.join(dead)}")
        return [names[id(t)] for t in outputs]

    def operation(self, operation, names, indent):
        n = next(self.count)
        outs = [f"t{n}_{i}" for i in range(len(operation.outputs))]
        args = [names[id(t)] for t in operation.inputs]
        kind = operation.type
        if kind == "Const":
            value = operation.attrs["value"]
            if value.ndim == 0 and value.dtype.kind in _SCALAR_CONST_KINDS:
                value = value[()]    # a NumPy scalar: cheap in scalar arithmetic
            names[id(operation.outputs[0])] = self.bind("c", value)
            return
        for t, name in zip(operation.outputs, outs):
            names[id(t)] = name
        if kind == "FusedElementwise":
            return self.fused(operation, names, outs[0], indent)
        if operation.op is not None:
            return self.kernel_call(operation, args, outs, indent)
        if kind in ("If", "StatelessIf") and operation.subgraphs:
            return self.if_node(operation, args, outs, indent)
        if kind in ("While", "StatelessWhile") and operation.subgraphs:
            return self.while_node(operation, args, outs, indent)
        from ndflow.graph import variable_ops
        fn = operation.fn
        if fn is variable_ops._read_value:
            return self.emit(indent, f"{outs[0]} = {args[0]}._value", operation)
        if fn is variable_ops._assign:
            return self.emit(indent, f"{args[0]}._value = _asarray({args[1]})", operation)
        if fn in (variable_ops._assign_add, variable_ops._assign_sub):
            ufunc = "_add" if fn is variable_ops._assign_add else "_subtract"
            v = args[0]
            return self.emit(indent, f"{v}._value = _asarray({ufunc}({v}._value, {args[1]}, "
                                     f"dtype={v}._value.dtype))", operation)
        call = f"{self.bind('f', fn)}({', '.join(args)})"
        if outs:
            self.emit(indent, f"{', '.join(outs)}, = {call}", operation)
        else:
            self.emit(indent, call, operation)

    def kernel_call(self, operation, args, outs, indent):
        fast = _scalar_form(operation, args)
        if fast is not None:
            return self.emit(indent, f"{outs[0]} = {fast}", operation)
        kernel = operation.op.kernel
        if operation.attrs:
            kernel = functools.partial(kernel, **operation.attrs)
        call = f"{self.bind('k', kernel)}(xp{''.join(', ' + a for a in args)})"
        if operation.type == "GatherV2" and _is_scalar_gather(operation):
            # Element i of a vector: plain indexing when i is in range; the kernel otherwise
            # (it raises TensorFlow's error for a bad index).
            p, i = args
            call = f"{p}[{i}] if -1 < {i} < len({p}) else {call}"
        if operation.op.single:
            target = outs[0]
        else:
            target = ", ".join(outs) + ("," if len(outs) == 1 else "") if outs else "_"
        self.emit(indent, f"{target} = {call}", operation)

    def fused(self, operation, names, out, indent):
        for step, (original, ufunc, inputs) in enumerate(operation.attrs["steps"]):
            fn = self.bind("u", getattr(xp, ufunc))
            args = ", ".join(out if t is None else names[id(t)] if hasattr(t, "_op")
                             else self.bind("c", t) for t in inputs)
            text = f"{out} = {fn}({args})" if step == 0 else f"{fn}({args}, out={out})"
            self.emit(indent, text, original, " (fused)")

    def if_node(self, operation, args, outs, indent):
        captured = args[1:]
        self.emit(indent, f"if {args[0]}:", operation)
        for branch in ("then_branch", "else_branch"):
            sub, positions = operation.subgraphs[branch]
            start = len(self.lines)
            results = self.graph(sub, sub.inputs, [captured[i] for i in positions], sub.outputs,
                                 indent + 1)
            if outs:
                self.emit(indent + 1, f"{', '.join(outs)}, = {', '.join(results)},")
            elif len(self.lines) == start:
                self.emit(indent + 1, "pass")
            if branch == "then_branch":
                self.emit(indent, "else:")

    def while_node(self, operation, args, outs, indent):
        count = len(operation.attrs["T"])
        state, captured = args[:count], args[count:]
        limit = operation.attrs.get("maximum_iterations")
        cond, cond_pos = operation.subgraphs["cond"]
        body, body_pos = operation.subgraphs["body"]
        if outs:
            self.emit(indent, f"{', '.join(outs)}, = {', '.join(state)},", operation)
        steps = f"s{next(self.count)}"
        if limit is not None:
            self.emit(indent, f"{steps} = 0")
            self.emit(indent, f"while {steps} < {int(limit)}:", operation)
        else:
            self.emit(indent, "while True:", operation)
        (test,) = self.graph(cond, cond.inputs, outs + [captured[i] for i in cond_pos],
                             cond.outputs, indent + 1)
        self.emit(indent + 1, f"if not {test}:")
        self.emit(indent + 2, "break")
        results = self.graph(body, body.inputs, outs + [captured[i] for i in body_pos],
                             body.outputs, indent + 1)
        if outs:
            self.emit(indent + 1, f"{', '.join(outs)}, = {', '.join(results)},")
        if limit is not None:
            self.emit(indent + 1, f"{steps} += 1")


def _scalar_form(operation, args):
    """``operation`` as a Python operator expression on NumPy scalars, or None."""
    template = _SCALAR_OPERATORS.get(operation.type)
    if template is None or operation.attrs:
        return None
    for t in operation.inputs:
        if t._shape.rank != 0 or t._dtype.as_numpy_dtype is None or \
                np.dtype(t._dtype.as_numpy_dtype).kind not in _SCALAR_KINDS:
            return None
    return template.format(*args)


def _is_scalar_gather(operation):
    params, indices = operation.inputs
    return (params._shape.rank == 1 and indices._shape.rank == 0
            and operation.attrs.get("axis") == 0 and not operation.attrs.get("batch_dims")
            and np.dtype(params._dtype.as_numpy_dtype).kind in _SCALAR_CONST_KINDS)


def _dead_after(operations, outputs):
    """{position: tensors whose last reader is the operation at that position}; graph outputs
    never die."""
    last = {}
    for position, operation in enumerate(operations):
        for t in operation.inputs:
            last[id(t)] = (position, t)
    for t in outputs:
        last.pop(id(t), None)
    dead = {}
    for position, t in last.values():
        dead.setdefault(position, []).append(t)
    return dead


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
