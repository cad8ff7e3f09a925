"""The graph IR: ``Graph``, ``Operation`` and the symbolic ``GraphTensor``.

While a function is traced, ``execute`` hands every op to ``Graph.create_op`` instead of running
it. The graph infers each output's dtype and static shape by running the op's kernel on two small
example inputs whose unknown dimensions differ (2 and 3): a dimension that comes out equal in
both runs is static, one that differs is ``None``. A tensor whose value is known at trace time
(constants and ops on constants) also carries that value, so wrappers that need a Python value
(an axis, a shape) can still read it, exactly as TensorFlow's constant folding of shapes allows.
"""
import numpy as np

from ndflow.backend import xp
from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import EagerTensor, Tensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.graph.shape_functions import infer_shapes
from ndflow.ops.registry import check_dtypes

resource = dtypes.DType("resource", object, 20)

# Default op names, as TensorFlow's Python wrappers name them (others use the op type).
_DEFAULT_NAMES = {
    "AddV2": "add", "Sub": "sub", "Mul": "mul", "RealDiv": "truediv", "Pow": "pow",
    "FloorDiv": "floordiv", "FloorMod": "mod", "Neg": "Neg", "Maximum": "Maximum",
    "Less": "Less", "Greater": "Greater", "Equal": "Equal", "Cast": "Cast",
    "StridedSlice": "strided_slice",
}
_SHAPE_WORDS = ("shape", "broadcast", "dimension", "size", "aligned", "mismatch", "axis")
_RNG = np.random.default_rng(1234)
_SHAPE_OPS = frozenset(("Shape", "Size", "Rank"))


class InaccessibleTensorError(ValueError):
    """A tensor made inside a branch or loop body was used outside of it (TensorFlow raises a
    ValueError subclass of this name; it is not in ``tf.errors``)."""


class GraphTensor(Tensor):
    """A symbolic tensor: the ``value_index``-th output of an ``Operation`` in a graph."""

    __slots__ = ("_op", "_index", "_shape", "_dtype", "_ex", "_const", "_keras_logits",
                 "_keras_mask", "_slice_of", "__weakref__")

    def __init__(self, op, index, shape, dtype, examples=None, const=None):
        self._op = op
        self._index = index
        self._shape = shape
        self._dtype = dtype
        self._ex = examples
        self._const = const

    op = property(lambda self: self._op, doc="The operation that produces this tensor.")
    value_index = property(lambda self: self._index, doc="Its index among the op's outputs.")
    graph = property(lambda self: self._op.graph, doc="The graph that holds it.")
    dtype = property(lambda self: self._dtype, doc="The element type.")
    shape = property(lambda self: self._shape, doc="The static shape (None for unknown dims).")
    name = property(lambda self: f"{self._op.name}:{self._index}", doc="'op_name:index'.")
    device = property(lambda self: "", doc="The device (unplaced while tracing).")

    @property
    def ndim(self):
        """The rank, or None when unknown."""
        return self._shape.rank

    def numpy(self):
        """The value, when known while tracing; otherwise NotImplementedError."""
        if self._const is not None:   # known while tracing (ndflow's wrappers read shapes so)
            return self._const
        raise NotImplementedError(
            f"numpy() is only available when eager execution is enabled; {self.name} is a "
            "symbolic tensor of a function being traced.")

    def __array__(self, dtype=None, copy=None):
        if self._const is None:
            raise NotImplementedError(
                f"Cannot convert a symbolic tf.Tensor ({self.name}) to a numpy array: its value "
                "is only known when the function runs. Use ndflow ops on it instead.")
        value = np.asarray(self._const)
        return value if dtype is None else value.astype(dtype)

    def _static_python(self, what):
        if self._const is None:
            raise TypeError(f"Cannot use the symbolic tensor {self.name} as a Python {what} "
                            "while tracing: its value is only known when the function runs.")
        return self._const

    def __bool__(self):
        if self._const is not None and self._const.size == 1:
            return bool(self._const)
        raise errors.OperatorNotAllowedInGraphError(
            f"Using a symbolic `tf.Tensor` ({self.name}) as a Python `bool` is not allowed: "
            "AutoGraph did not convert this function (or this statement). Use ndflow.cond, or "
            "decorate the function with ndflow.function(autograph=True).")

    def __int__(self):
        return int(self._static_python("int"))

    def __float__(self):
        return float(self._static_python("float"))

    def __index__(self):
        return int(self._static_python("index"))

    def __len__(self):
        if self._shape.rank is None or self._shape[0] is None:
            raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}) of "
                            f"unknown first dimension. Please call `x.shape` rather than "
                            f"`len(x)` for shape information.")
        return self._shape[0]

    def __iter__(self):
        if self._shape.rank is None or self._shape.rank == 0 or self._shape[0] is None:
            raise errors.OperatorNotAllowedInGraphError(
                f"Iterating over a symbolic `tf.Tensor` ({self.name}) of unknown length is not "
                "allowed: AutoGraph did not convert this loop. Use ndflow.while_loop or "
                "`for x in ndflow.range(...)` in a function AutoGraph converts.")
        from ndflow.ops.array_ops import unstack
        return iter(unstack(self))

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    __str__ = __repr__


class Operation:
    """A node of a graph: an op type applied to input tensors, with attributes."""

    __slots__ = ("graph", "name", "type", "op", "inputs", "outputs", "attrs", "control_inputs",
                 "fn", "eager", "subgraphs", "__weakref__")

    def __init__(self, graph, name, type_name, op, inputs, attrs):
        self.graph = graph
        self.name = name
        self.type = type_name
        self.op = op            # the registry Op (None for graph-only nodes such as Placeholder)
        self.inputs = inputs
        self.outputs = ()
        self.attrs = attrs
        self.control_inputs = []
        self.fn = None          # graph-only nodes: a Python function of the input values
        self.eager = None       # ... and optionally its form on eager tensors (for replays)
        self.subgraphs = {}     # If/While: branch and body graphs

    def get_attr(self, name):
        """The value of attribute ``name``."""
        try:
            return self.attrs[name]
        except KeyError:
            raise ValueError(f"Operation {self.name!r} has no attr named '{name}'.") from None

    @property
    def stateful(self):
        """True for ops with side effects (never pruned, merged or reordered)."""
        if self.op is not None:
            return self.op.stateful
        return self.type not in _PURE_GRAPH_NODES

    @property
    def node_def(self):
        """A dict describing the node, like TensorFlow's NodeDef."""
        return {"name": self.name, "op": self.type,
                "input": [t.name if t._index else t._op.name for t in self.inputs]
                + [f"^{c.name}" for c in self.control_inputs],
                "attr": dict(self.attrs)}

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"


_PURE_GRAPH_NODES = frozenset(("Placeholder", "Const", "ReadVariableOp", "StatelessIf",
                               "StatelessWhile", "FusedElementwise"))


class Graph:
    """Operations in creation order, with TensorFlow's naming and inspection API."""

    def __init__(self, name="graph", outer=None):
        self.name = name
        self.outer = outer            # the enclosing graph of a branch or loop body
        self._operations = []
        self._by_name = {}
        self._name_counts = {}
        self._name_scopes = []
        self.inputs = []              # placeholders, in argument order, then captures
        self.outputs = []
        self.captures = {}            # id(outer tensor) -> (outer tensor, placeholder)
        self.variables = {}           # id(variable) -> (variable, resource placeholder)
        self.created_variables = []

    # -- naming ---------------------------------------------------------------------------

    def unique_name(self, name):
        """``name`` in the current name scope, suffixed ``_1``, ``_2``... when taken."""
        if self._name_scopes:
            name = "/".join(self._name_scopes) + "/" + name
        count = self._name_counts.get(name, 0)
        self._name_counts[name] = count + 1
        unique = name if count == 0 else f"{name}_{count}"
        while unique in self._by_name:
            count += 1
            self._name_counts[name] = count + 1
            unique = f"{name}_{count}"
        return unique

    # -- building ---------------------------------------------------------------------------

    def _add(self, type_name, op, inputs, attrs, name=None):
        operation = Operation(self, self.unique_name(name or _DEFAULT_NAMES.get(type_name,
                                                                                 type_name)),
                              type_name, op, inputs, attrs)
        self._operations.append(operation)
        self._by_name[operation.name] = operation
        return operation

    def placeholder(self, dtype, shape, name):
        """A graph input of the given dtype and static shape."""
        operation = self._add("Placeholder", None, (), {"dtype": dtype, "shape": shape}, name)
        shape = TensorShape(shape)
        out = GraphTensor(operation, 0, shape, dtype, examples_for(shape, dtype))
        operation.outputs = (out,)
        self.inputs.append(out)
        return out

    def constant(self, value, name="Const"):
        """A Const node holding the array ``value``."""
        value = np.asarray(value)
        dtype = dtypes.NP_TO_DTYPE[value.dtype]
        operation = self._add("Const", None, (), {"value": value, "dtype": dtype}, name)
        out = GraphTensor(operation, 0, TensorShape(value.shape), dtype, (value, value), value)
        operation.outputs = (out,)
        return out

    def graph_input(self, tensor, op_name, index):
        """``tensor`` as a tensor of this graph: eager tensors become Const nodes (named like
        TensorFlow's converted arguments, e.g. ``pow/y``), tensors of an enclosing graph are
        captured."""
        if type(tensor) is EagerTensor:
            return self.constant(tensor._value, f"{op_name}/{'xy'[index] if index < 2 else 'Const'}"
                                 if op_name else "Const")
        if isinstance(tensor, GraphTensor) and tensor._op.graph is not self:
            return self.capture(tensor)
        if not isinstance(tensor, GraphTensor):
            from ndflow.ops.inputs import as_tensor
            return self.graph_input(as_tensor(tensor), op_name, index)
        return tensor

    def capture(self, tensor):
        """A placeholder of this graph standing for ``tensor`` of an enclosing graph."""
        key = id(tensor)
        found = self.captures.get(key)
        if found is not None:
            return found[1]
        if tensor._const is not None:
            return self.constant(tensor._const)
        _check_in_scope(self, tensor)
        if self.outer is not None and tensor._op.graph is not self.outer:
            tensor = self.outer.capture(tensor)   # capture through every level in between
        inner = self.placeholder(tensor.dtype, tensor.shape, "capture")
        inner._ex = tensor._ex
        self.captures[key] = (tensor, inner)
        return inner

    def create_op(self, op, inputs, attrs, name=None):
        """Adds ``op`` applied to ``inputs``; returns its symbolic output(s)."""
        base = name or _DEFAULT_NAMES.get(op.name, op.name)
        inputs = tuple(self.graph_input(t, base, i) if type(t) is not GraphTensor
                       or t._op.graph is not self else t for i, t in enumerate(inputs))
        check_dtypes(op, inputs)
        operation = self._add(op.name, op, inputs, dict(attrs), name)
        outputs = _infer_outputs(operation, op, inputs, attrs)
        operation.outputs = outputs
        return outputs[0] if op.single else outputs

    def add_node(self, type_name, inputs, attrs, fn, out_specs, name=None):
        """Adds a graph-only node run by ``fn(*input_values)`` with outputs of the given
        (shape, dtype) specs (variable reads and writes, prints, control flow)."""
        inputs = tuple(self.graph_input(t, None, i) for i, t in enumerate(inputs))
        operation = self._add(type_name, None, inputs, dict(attrs), name)
        operation.fn = fn
        operation.outputs = tuple(GraphTensor(operation, i, TensorShape(shape), dtype,
                                              examples_for(TensorShape(shape), dtype))
                                  for i, (shape, dtype) in enumerate(out_specs))
        return operation

    def resource_for(self, variable):
        """The resource placeholder of a variable (one per variable). In a branch or loop body
        it captures the enclosing graph's handle, so the node passes the variable in when it
        runs: a variable given as a function argument is then the one of the current call, not
        the one seen while tracing."""
        found = self.variables.get(id(variable))
        if found is None:
            if self.outer is not None:
                handle = self.capture(self.outer.resource_for(variable))
            else:
                handle = self.placeholder(resource, (), variable._name)
                self.inputs.pop()     # bound to the variable itself, not an argument
            found = self.variables[id(variable)] = (variable, handle)
        return found[1]

    # -- inspection -------------------------------------------------------------------------

    def get_operations(self):
        """The operations, in creation order."""
        return list(self._operations)

    def get_operation_by_name(self, name):
        """The operation called ``name``."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"The name {name!r} refers to an Operation not in the graph.") from None

    def get_tensor_by_name(self, name):
        """The tensor called ``'op_name:index'``."""
        op_name, _, index = name.rpartition(":")
        if not op_name or not index.isdigit():
            raise ValueError(f"The name {name!r} looks like an (invalid) Operation name, not a "
                             "Tensor name. Tensor names must be of the form "
                             "\"<op_name>:<output_index>\".")
        operation = self.get_operation_by_name(op_name)
        try:
            return operation.outputs[int(index)]
        except IndexError:
            raise KeyError(f"The name {name!r} refers to a Tensor which does not exist. The "
                           f"operation, {op_name!r}, exists but only has "
                           f"{len(operation.outputs)} outputs.") from None

    def as_graph_def(self):
        """A dict like TensorFlow's GraphDef: ``{"node": [node_def, ...]}``."""
        return {"node": [op.node_def for op in self._operations]}

    def __repr__(self):
        return f"<ndflow Graph {self.name!r} with {len(self._operations)} operations>"


def _check_in_scope(graph, tensor):
    """Raises InaccessibleTensorError when ``tensor`` belongs to a branch or loop body that
    does not enclose ``graph`` (a body's tensors exist only while the body runs). Tensors of
    function graphs (no ``outer``) may be captured by functions traced inside them."""
    owner = tensor._op.graph
    if owner.outer is None:
        return
    scope = graph
    while scope is not None:
        if scope is owner:
            return
        scope = scope.outer
    raise InaccessibleTensorError(
        f"{tensor!r} is out of scope and cannot be used here: it was made inside the body "
        f"{owner.name!r} (a tf.cond branch or a loop body), whose tensors exist only while that "
        "body runs. Use return values of the branch or loop (loop variables), explicit Python "
        "locals or a tf.TensorArray to access it.")


def examples_for(shape, dtype):
    """Two example arrays for a tensor of this static shape: unknown dims are 2 in the first
    and 3 in the second, values are positive and generic (invertible matrices, integers 1 and
    2, so sizes made from them are not empty)."""
    if shape.rank is None or dtype is resource or dtype is dtypes.variant:
        return None
    dims = shape.as_list()
    out = []
    for fill, size in ((0, 2), (1, 3)):
        concrete = tuple(size if d is None else d for d in dims)
        np_type = dtype.as_numpy_dtype
        if dtype.is_floating or dtype.is_complex:
            arr = _RNG.uniform(0.5, 1.5, concrete).astype(np_type)
        elif dtype is dtypes.bool:
            arr = np.ones(concrete, bool) if fill == 0 else (np.arange(int(np.prod(concrete)))
                                                           % 2 == 0).reshape(concrete)
        elif dtype is dtypes.string:
            arr = np.full(concrete, b"a", dtype=object)
        else:
            arr = np.full(concrete, fill + 1, dtype=np_type)
        out.append(arr)
    return tuple(out)


def _zero_ints(example):
    return np.zeros_like(example) if example.dtype.kind in "iu" else example



def _run(op, values, attrs):
    if attrs:
        return op.kernel(xp, *values, **attrs)
    return op.kernel(xp, *values)


def _as_tuple(op, out):
    return (np.asarray(out),) if op.single else tuple(np.asarray(o) for o in out)


def _infer_outputs(operation, op, inputs, attrs):
    """Output GraphTensors with dtype and static shape (and value, when every input is known):
    from the examples, corrected by the op's shape function where it has one."""
    outputs = _infer_from_examples(operation, op, inputs, attrs)
    if not outputs or outputs[0]._const is not None:
        return outputs
    shapes = infer_shapes(op.name, inputs, attrs)
    if shapes is None and op.name in _WINDOWED_OPS:
        shapes = _windowed_shapes(inputs[0].shape, outputs)
    if shapes is not None:
        for out, shape in zip(outputs, shapes):
            if out._shape != shape:
                out._shape = shape
                if not _examples_fit(out._ex, shape):
                    # Generic examples of the right shape, so later ops still infer theirs.
                    out._ex = examples_for(shape, out._dtype)
    return outputs


# Convolutions and pools map a spatial size of 2 and of 3 to the same output size for many
# windows and strides, so the examples alone would call an unknown dimension static.
_WINDOWED_OPS = frozenset(("Conv2D", "Conv3D", "DepthwiseConv2dNative", "MaxPool", "AvgPool",
                           "MaxPool3D", "AvgPool3D", "MaxPoolWithArgmax"))


def _windowed_shapes(source, outputs):
    """Output shapes of a convolution or pool: each dimension unknown in the input (batch,
    spatial) is unknown in the output too; None when nothing changes."""
    if source.rank is None:
        return None
    shapes = []
    for out in outputs:
        shape = out._shape
        if shape.rank != source.rank:
            return None
        shapes.append(TensorShape([None if s is None else d
                                   for s, d in zip(source.dims, shape.dims)]))
    return shapes


def _examples_fit(examples, shape):
    """Whether the two examples have ``shape``, differing in each unknown dimension (so ops
    after them see that dimension as unknown too)."""
    if examples is None or shape.rank is None:
        return examples is None and shape.rank is None
    a, b = examples
    return (len(a.shape) == len(b.shape) == shape.rank
            and all(p == q == d if d is not None else p != q
                    for p, q, d in zip(a.shape, b.shape, shape.dims)))


def _infer_from_examples(operation, op, inputs, attrs):
    """Output GraphTensors from the op's kernel run on the inputs' examples."""
    if op.name in _SHAPE_OPS and inputs[0].shape.is_fully_defined():
        # Shape-only ops of fully known shapes are known while tracing, as in TensorFlow.
        value = np.asarray(_run(op, [inputs[0]._ex[0]], attrs))
        return (GraphTensor(operation, 0, TensorShape(value.shape), dtypes.NP_TO_DTYPE[value.dtype],
                            (value, value), value),)
    if not op.stateful and all(t._const is not None for t in inputs):
        values = _as_tuple(op, _run(op, [t._const for t in inputs], attrs))
        return tuple(GraphTensor(operation, i, TensorShape(v.shape), dtypes.NP_TO_DTYPE[v.dtype],
                                 (v, v), v) for i, v in enumerate(values))
    runs = []
    for which in (0, 1):
        examples = [t._ex[which] if t._ex is not None else None for t in inputs]
        if any(e is None for e in examples):
            break
        try:
            try:
                runs.append(_as_tuple(op, _run(op, examples, attrs)))
            except (errors.OpError, IndexError):
                # Index-like inputs out of range of the examples: zeros are always in range.
                runs.append(_as_tuple(op, _run(op, [_zero_ints(e) for e in examples], attrs)))
        except (errors.OpError, ValueError, IndexError, TypeError, ArithmeticError, KeyError, RuntimeError,
                np.linalg.LinAlgError) as exc:
            if which == 0 and _is_shape_error(exc, inputs):
                raise ValueError(f"{exc} for '{{node {operation.name}}} = {op.name}' with input "
                                 f"shapes: {', '.join(str(t.shape) for t in inputs)}.") from None
            break
    if len(runs) == 2:
        return tuple(GraphTensor(operation, i, _merge_shapes(a.shape, b.shape),
                                 dtypes.NP_TO_DTYPE[a.dtype], (a, b))
                     for i, (a, b) in enumerate(zip(*runs)))
    # Inputs of unknown shape, or value-dependent kernels that reject the examples: the shape is
    # unknown; the dtype comes from a run that worked, else from a run on scalars, else from
    # the first input.
    if op.infer is not None:      # the op states its output dtypes (sparse ops, ...)
        return tuple(GraphTensor(operation, i, TensorShape(None), dtype, None)
                     for i, dtype in enumerate(op.infer([t.dtype for t in inputs], attrs)))
    if not runs:
        try:
            runs.append(_as_tuple(op, _run(op, [np.ones((), t.dtype.as_numpy_dtype)
                                                for t in inputs], attrs)))
        except Exception:  # noqa: BLE001 - any failure leaves only the fallback
            pass
    count = len(runs[0]) if runs else (1 if op.single else len(inputs))
    out = []
    for i in range(count):
        dtype = dtypes.NP_TO_DTYPE[runs[0][i].dtype] if runs else inputs[0].dtype
        out.append(GraphTensor(operation, i, TensorShape(None), dtype, None))
    return tuple(out)


def _is_shape_error(exc, inputs):
    text = str(exc).lower()
    known = all(t.shape.is_fully_defined() for t in inputs)
    return known and any(w in text for w in _SHAPE_WORDS)


def _merge_shapes(a, b):
    if len(a) != len(b):
        return TensorShape(None)
    return TensorShape([p if p == q else None for p, q in zip(a, b)])
