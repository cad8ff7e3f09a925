"""``ConcreteFunction``: one traced graph of a function, compiled on first call.

``trace`` runs the Python function once with symbolic placeholders in place of its tensor
arguments and records every op into a ``Graph``. Calls outside any tape run the compiled graph;
calls under an active tape replay the graph op by op through ``execute``, so the tape records
them and the call is differentiable.
"""
import inspect

import numpy as np

from ndflow.framework import dtypes
from ndflow.framework.context import GRAPHS, TAPES
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.tensor import EagerTensor, Tensor, convert_to_tensor
from ndflow.framework.type_spec import CompositeTensor, TypeSpec
from ndflow.graph import interpreter
from ndflow.graph.codegen import CompiledGraph
from ndflow.graph.graph import Graph
from ndflow.graph.tensor_spec import TensorSpec
from ndflow.ops.variables import Variable

_new = object.__new__


def _is_leaf(value):
    return isinstance(value, (Tensor, Variable, np.ndarray, TypeSpec, CompositeTensor))


def _composite_spec(value):
    """The spec of a composite tensor or composite spec, else None (plain tensors, specs)."""
    if isinstance(value, CompositeTensor):
        return value._type_spec
    if isinstance(value, TypeSpec) and not isinstance(value, TensorSpec):
        return value
    return None


def components(value):
    """The component tensors (or component specs) of a composite value or spec."""
    spec = _composite_spec(value)
    return spec._component_specs if value is spec else spec._to_components(value)


def map_leaves(value, fn):
    """``value`` with every tensor-like leaf replaced by ``fn(leaf)``, walked in the order the
    signature key uses (sequences in order, dicts by sorted key repr)."""
    if _is_leaf(value):
        return fn(value)
    kind = type(value)
    if kind in (list, tuple):
        return kind(map_leaves(v, fn) for v in value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return kind(*[map_leaves(v, fn) for v in value])
    if kind is dict:
        result = {}
        for k in sorted(value, key=repr):
            result[k] = map_leaves(value[k], fn)
        return {k: result[k] for k in value}
    return value


_TENSOR, _VARIABLE, _COMPOSITE = "T", "V", "C"


def signature_key(value, flat, specs=True):
    """The trace-cache key of one argument: tensors, arrays and specs by dtype and shape (only
    their kind when ``specs`` is False), variables likewise, containers by structure, other
    values by value (or identity when unhashable). Tensor-like leaves are appended to ``flat``
    in the order ``map_leaves`` visits them."""
    kind = type(value)
    if kind is EagerTensor:
        flat.append(value)
        return (_TENSOR, value._dtype, value._value.shape) if specs else _TENSOR
    if isinstance(value, Variable):
        flat.append(value)
        return (_VARIABLE, value.dtype, value.shape._dims) if specs else _VARIABLE
    composite = _composite_spec(value)
    if composite is not None:
        # Composites are keyed by their full spec even without ``specs``: a differently
        # shaped sparse or ragged argument needs its own trace, as in TensorFlow.
        flat.extend(components(value))
        return (_COMPOSITE, composite._key())
    if isinstance(value, (np.ndarray, TensorSpec, Tensor)):
        flat.append(value)
        if not specs:
            return _TENSOR
        spec = spec_of(value)
        return (_TENSOR, spec.dtype, spec.shape._dims)
    if kind in (list, tuple) or (isinstance(value, tuple) and hasattr(value, "_fields")):
        return (kind, tuple(signature_key(v, flat, specs) for v in value))
    if kind is dict:
        return (dict, tuple((k, signature_key(value[k], flat, specs))
                            for k in sorted(value, key=repr)))
    try:
        hash(value)
        return (kind, value)
    except TypeError:
        return (kind, id(value))


class ArgDef:
    """One input or output argument of a function signature: name and dtype."""

    def __init__(self, name, dtype):
        self.name = name
        self.type = dtype

    def __repr__(self):
        return f"ArgDef(name={self.name!r}, type={self.type.name})"


class FunctionDef:
    """The signature part of TensorFlow's FunctionDef: ``signature.input_arg/output_arg``."""

    class Signature:
        """``name``, ``input_arg`` and ``output_arg`` of a FunctionDef signature."""

        def __init__(self, name, input_arg, output_arg):
            self.name = name
            self.input_arg = input_arg
            self.output_arg = output_arg

    def __init__(self, name, input_arg, output_arg):
        self.signature = FunctionDef.Signature(name, input_arg, output_arg)


def trace(name, fn, values, names, specs, structure, signature):
    """Traces ``fn`` on symbolic versions of ``values`` (bound arguments in parameter order)."""
    graph = Graph(name)
    flat_specs = []
    spec_iter = iter(specs) if specs is not None else None
    arg_names = names or [f"arg_{i}" for i in range(len(values))]

    def symbolic(arg_name):
        def replace(leaf):
            if isinstance(leaf, Variable):
                handle = graph.resource_for(leaf)
                graph.inputs.append(handle)
                flat_specs.append(TensorSpec(leaf.shape, leaf.dtype, arg_name))
                return leaf
            spec = next(spec_iter) if spec_iter is not None else spec_of(leaf)
            if _composite_spec(spec) is not None:
                parts = []
                for part in spec._component_specs:
                    flat_specs.append(part)
                    parts.append(graph.placeholder(part.dtype, part.shape, arg_name))
                return spec._from_components(parts)
            flat_specs.append(spec)
            return graph.placeholder(spec.dtype, spec.shape, spec.name or arg_name)
        return replace

    symbolic_values = [map_leaves(v, symbolic(n)) for v, n in zip(values, arg_names)]
    GRAPHS.append(graph)
    saved_tapes = TAPES[:]
    TAPES.clear()      # an outer tape sees the call, not the ops traced inside
    try:
        if signature is not None and names is not None:
            bound = inspect.BoundArguments(signature, dict(zip(names, symbolic_values)))
            result = fn(*bound.args, **bound.kwargs)
        else:
            result = fn(*symbolic_values)
    finally:
        GRAPHS.pop()
        TAPES[:] = saved_tapes
    result = _returned_values(result, fn)
    outputs = []

    def output(leaf):
        if isinstance(leaf, TypeSpec):
            return leaf
        spec = _composite_spec(leaf)
        if spec is not None:
            return _CompositeSlot(spec, [output(part).index for part in components(leaf)])
        GRAPHS.append(graph)
        try:
            from ndflow.ops.identity_ops import IDENTITY
            from ndflow.ops.inputs import as_tensor
            t = graph.create_op(IDENTITY, (as_tensor(leaf),), {}, name="Identity")
        finally:
            GRAPHS.pop()
        outputs.append(t)
        return _OutputSlot(len(outputs) - 1)

    structured = map_leaves(result, output)
    graph.outputs = outputs
    return ConcreteFunction(graph, values, names, flat_specs, structured, structure)


_PYTHON_SCALARS = (bool, int, float, complex, str, bytes, np.generic)


def _returned_values(value, fn):
    """The traced function's return value as TensorFlow keeps it: Python numbers, strings and
    NumPy scalars become tensors (so every call returns tensors), None stays None, and any
    other object raises TensorFlow's TypeError."""
    if value is None or _is_leaf(value) or isinstance(value, IndexedSlices):
        return value
    if isinstance(value, _PYTHON_SCALARS):
        if isinstance(value, int) and not -2**63 <= value < 2**63:
            raise _bad_return(fn, value)
        return convert_to_tensor(value)
    kind = type(value)
    if kind in (list, tuple):
        return kind(_returned_values(v, fn) for v in value)
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return kind(*[_returned_values(v, fn) for v in value])
    if kind is dict:
        return {k: _returned_values(v, fn) for k, v in value.items()}
    if isinstance(value, dict) or hasattr(value, "_as_tensor"):
        return value       # other mappings and tensor-like objects are returned as they are
    raise _bad_return(fn, value)


def _bad_return(fn, value):
    return TypeError(
        "To be compatible with tf.function, Python functions must return zero or more Tensors "
        f"or ExtensionTypes or None values; in compilation of {fn!r}, found return value of "
        f"type {type(value).__name__}, which is not a Tensor or ExtensionType.")


def spec_of(leaf):
    """The TypeSpec of a tensor, variable, array, composite tensor or spec."""
    if isinstance(leaf, TypeSpec):
        return leaf
    if isinstance(leaf, CompositeTensor):
        return leaf._type_spec
    if isinstance(leaf, np.ndarray):
        return TensorSpec(leaf.shape, dtypes.NP_TO_DTYPE[leaf.dtype])
    return TensorSpec(leaf.shape, leaf.dtype)


def _named_specs(value, name):
    """``value`` with each tensor-like leaf replaced by its spec, named after its path in the
    arguments (``x``, ``ys_0``, ``d_k``) unless the spec has its own name."""
    if isinstance(value, TensorSpec):
        return value if value.name is not None else TensorSpec(value.shape, value.dtype, name)
    if isinstance(value, (Tensor, np.ndarray)) and not isinstance(value, Variable):
        spec = spec_of(value)
        return TensorSpec(spec.shape, spec.dtype, name)
    if _is_leaf(value):
        return spec_of(value)
    kind = type(value)
    if kind in (list, tuple):
        return kind(_named_specs(v, f"{name}_{i}") for i, v in enumerate(value))
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return kind(*[_named_specs(v, f"{name}_{f}") for f, v in zip(value._fields, value)])
    if kind is dict:
        return {k: _named_specs(v, f"{name}_{k}") for k, v in value.items()}
    return value


class _OutputSlot:
    """Where output ``index`` goes in the structured result."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


class _CompositeSlot:
    """Where a composite output goes: its spec and the output indices of its components."""

    __slots__ = ("spec", "indices")

    def __init__(self, spec, indices):
        self.spec = spec
        self.indices = indices


class ConcreteFunction:
    """A function traced for one input signature: a graph plus its compiled form."""

    def __init__(self, graph, values, names, flat_specs, structured_outputs, structure):
        self.graph = graph
        self._names = names
        self._flat_specs = flat_specs
        self._structure_key = _structure_key(values)
        arg_names = names or [f"arg_{i}" for i in range(len(values))]
        self._structured_inputs = structure if structure is not None else tuple(
            _named_specs(v, n) for v, n in zip(values, arg_names))
        self._structured_outputs = structured_outputs
        self._compiled = None
        self._output_dtypes = [t.dtype for t in graph.outputs]

    # -- inspection -------------------------------------------------------------------------

    @property
    def inputs(self):
        """The graph's input placeholders (arguments, then captures)."""
        return list(self.graph.inputs)

    @property
    def outputs(self):
        """The graph's output tensors."""
        return list(self.graph.outputs)

    @property
    def structured_input_signature(self):
        """(positional specs, keyword specs) the function was traced for."""
        return tuple(self._structured_inputs), {}

    @property
    def structured_outputs(self):
        """The traced return value with symbolic tensors in place of outputs."""
        return map_leaves_out(self._structured_outputs, lambda i: self.graph.outputs[i])

    @property
    def function_def(self):
        """The function's signature: named, typed input and output arguments."""
        inputs = [ArgDef(t.op.name, t.dtype) for t in self.graph.inputs]
        inputs += [ArgDef(h.op.name, h.dtype) for v, h in self._captured()]
        outputs = [ArgDef("identity" if i == 0 else f"identity_{i}", t.dtype)
                   for i, t in enumerate(self.graph.outputs)]
        return FunctionDef(self.graph.name, inputs, outputs)

    @property
    def variables(self):
        """The variables the graph reads or writes."""
        return tuple(v for v, _ in self.graph.variables.values())

    @property
    def trainable_variables(self):
        """The trainable variables the graph reads or writes."""
        return tuple(v for v in self.variables if v.trainable)

    def pretty_printed_signature(self, verbose=True):
        """The input and output types as readable text."""
        lines = ["Input Parameters:"]
        names = self._names or [f"arg_{i}" for i in range(len(self._structured_inputs))]
        for name, spec in zip(names, self._structured_inputs):
            lines.append(f"  {name} (POSITIONAL_OR_KEYWORD): {spec!r}")
        lines.append("Output Type:")
        specs = map_leaves_out(self._structured_outputs, self._output_spec,
                               composite=lambda slot: slot.spec)
        lines.append(f"  {specs!r}")
        captured = [v for v, h in self._captured()]
        lines.append("Captures:")
        lines += [f"  {id(v)}: TensorSpec(shape=(), dtype=tf.resource, name=None)"
                  for v in captured] or ["  None"]
        return "\n".join(lines)

    def _captured(self):
        args = {id(t) for t in self.graph.inputs}
        return [(v, h) for v, h in self.graph.variables.values() if id(h) not in args]

    def _output_spec(self, index):
        t = self.graph.outputs[index]
        return TensorSpec(t.shape, t.dtype)

    def pretty_code(self):
        """The Python source the graph was compiled to."""
        return self._compile().source

    # -- matching arguments -----------------------------------------------------------------

    def _same_structure(self, values):
        return _structure_key(values) == self._structure_key

    def _accepts(self, values, flat):
        if len(flat) != len(self._flat_specs) or not self._same_structure(values):
            return False
        for leaf, spec in zip(flat, self._flat_specs):
            if isinstance(leaf, Variable):
                if leaf.dtype is not spec.dtype or leaf.shape != spec.shape:
                    return False
            elif not spec_of(leaf).is_subtype_of(spec):
                return False
        return True

    def _difference(self, other):
        """Words naming the first argument whose spec differs from ``other``'s."""
        names = self._names or []
        for i, (a, b) in enumerate(zip(self._structured_inputs, other._structured_inputs)):
            if repr(a) != repr(b):
                name = names[i] if i < len(names) else f"argument {i}"
                return f"argument `{name}` changed from {b!r} to {a!r}"
        return "the argument structure changed"

    # -- calling ----------------------------------------------------------------------------

    def _compile(self):
        if self._compiled is None:
            from ndflow.graph.passes import optimize
            graph, outputs = optimize(self.graph)
            self._compiled = CompiledGraph(graph, graph.inputs, outputs)
        return self._compiled

    def __call__(self, *args, **kwargs):
        flat = []

        def collect(leaf):
            if _composite_spec(leaf) is not None:
                flat.extend(components(leaf))
            else:
                flat.append(leaf)
            return leaf
        for value in list(args) + list(kwargs.values()):
            map_leaves(value, collect)
        if len(flat) != len(self._flat_specs):
            raise TypeError(f"{self.graph.name}: expected {len(self._flat_specs)} tensor "
                            f"arguments matching {self._flat_specs}, got {len(flat)}")
        for leaf, spec in zip(flat, self._flat_specs):
            if not isinstance(leaf, Variable) and not spec_of(leaf).is_subtype_of(spec):
                raise TypeError(f"{self.graph.name}: argument {spec_of(leaf)!r} is not "
                                f"compatible with {spec!r}")
        return self._call_flat(flat)

    def _call_flat(self, flat):
        if TAPES and any(tape._recording for tape in TAPES):
            outs = interpreter.replay(self.graph, flat)
            return self._structure(outs)
        compiled = self._compiled or self._compile()
        values = [leaf._value if type(leaf) is EagerTensor else leaf for leaf in flat]
        arrays = compiled(*values)
        outs = []
        for value, dtype in zip(arrays, self._output_dtypes):
            t = _new(EagerTensor)
            t._value = value
            t._dtype = dtype
            outs.append(t)
        return self._structure(outs)

    def _structure(self, outs):
        return map_leaves_out(self._structured_outputs, outs.__getitem__)

    def __repr__(self):
        return f"<ConcreteFunction {self.graph.name} at {hex(id(self))}>"


def map_leaves_out(structure, fn, composite=None):
    """The output structure with each output slot replaced by ``fn(index)``, and each
    composite slot by the value its spec rebuilds from its components' ``fn(index)`` (or by
    ``composite(slot)`` when given)."""
    kind = type(structure)
    if kind is _OutputSlot:
        return fn(structure.index)
    if kind is _CompositeSlot:
        if composite is not None:
            return composite(structure)
        return structure.spec._from_components([fn(i) for i in structure.indices])
    if kind in (list, tuple):
        return kind(map_leaves_out(v, fn, composite) for v in structure)
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return kind(*[map_leaves_out(v, fn, composite) for v in structure])
    if kind is dict:
        return {k: map_leaves_out(v, fn, composite) for k, v in structure.items()}
    return structure


def _structure_key(values):
    """The arguments' key without shapes and dtypes: which concrete functions could take them."""
    return tuple(signature_key(v, [], specs=False) for v in values)
