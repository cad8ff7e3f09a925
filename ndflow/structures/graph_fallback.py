"""Structure functions whose index arithmetic runs on NumPy, usable inside traced functions.

Some sparse and ragged functions compute index structures with NumPy on their inputs' values
(which positions survive a slice, which rows a retain keeps). While tracing, those values do
not exist yet. ``host_function`` makes such a function a single graph node: its tensor and
composite arguments become the node's inputs, and when the graph runs the node calls the
function eagerly on their values. The node's outputs are the result's components, described by
the spec that ``out_spec(*args, **kwargs)`` returns (a TensorSpec or a composite's TypeSpec).
Called under a GradientTape the traced function replays the node eagerly, so its gradients flow
as in eager execution; a tape inside the traced function records the node with a gradient node
that does the same replay when the graph runs (``_HostGradient``).
"""
import functools


from ndflow.framework import dtypes as _dtypes
from ndflow.framework.context import GRAPHS, TAPES
from ndflow.framework.tensor import EagerTensor, Tensor, convert_to_tensor, wrap_as
from ndflow.framework.type_spec import CompositeTensor, type_spec_from_value
from ndflow.graph.graph import examples_for
from ndflow.ops.registry import record

_INEXACT_BITS = _dtypes.mask(_dtypes.INEXACT)


class _Slot:
    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


class _Composite:
    __slots__ = ("spec", "parts")

    def __init__(self, spec, parts):
        self.spec = spec
        self.parts = parts


def _split(value, tensors):
    """``value`` with its tensors (and composites' components) replaced by slots."""
    if isinstance(value, CompositeTensor):
        spec = value._type_spec
        return _Composite(spec, [_split(c, tensors) for c in spec._to_components(value)])
    if isinstance(value, Tensor):
        tensors.append(value)
        return _Slot(len(tensors) - 1)
    if type(value) in (list, tuple):
        return type(value)(_split(v, tensors) for v in value)
    if type(value) is dict:
        return {k: _split(v, tensors) for k, v in value.items()}
    return value


def _join(template, tensors):
    """The inverse of ``_split``: slots replaced by ``tensors``."""
    kind = type(template)
    if kind is _Slot:
        return tensors[template.index]
    if kind is _Composite:
        return template.spec._from_components([_join(p, tensors) for p in template.parts])
    if kind in (list, tuple):
        return kind(_join(v, tensors) for v in template)
    if kind is dict:
        return {k: _join(v, tensors) for k, v in template.items()}
    return template


def _flatten_result(result, spec, out):
    """Appends the component tensors of ``result`` (structured as ``spec``) to ``out``."""
    if spec is None:
        return
    if type(spec) in (list, tuple):
        for r, sp in zip(result, spec):
            _flatten_result(r, sp, out)
    elif type(spec) is dict:
        for key in spec:
            _flatten_result(result[key], spec[key], out)
    elif spec.value_type is None:
        out.append(result)
    else:
        out.extend(spec._to_components(result))


def _part_specs(spec, out):
    """Appends the component specs of the (structured) ``spec`` to ``out``."""
    if spec is None:
        return
    if type(spec) in (list, tuple):
        for sp in spec:
            _part_specs(sp, out)
    elif type(spec) is dict:
        for sp in spec.values():
            _part_specs(sp, out)
    else:
        out.extend([spec] if spec.value_type is None else spec._component_specs)


def _rebuild(spec, outputs):
    """The (structured) value of ``spec`` from an iterator over the node's outputs."""
    if spec is None:
        return None
    if type(spec) in (list, tuple):
        return type(spec)(_rebuild(sp, outputs) for sp in spec)
    if type(spec) is dict:
        return {key: _rebuild(sp, outputs) for key, sp in spec.items()}
    if spec.value_type is None:
        return next(outputs)
    return spec._from_components([next(outputs) for _ in spec._component_specs])


def _symbolic(tensors):
    return any(type(t) is not EagerTensor for t in tensors)


def host_function(out_spec=None, stateful=False, type_name=None, shape=None):
    """Decorator: inside a traced function with symbolic arguments, ``fn`` becomes one graph
    node that runs it eagerly when the graph runs (see the module docstring). ``out_spec``
    gives the result's spec (or a list or dict of specs, or None for no result) from the
    arguments; without it, ``fn`` runs once on small example values of the arguments' specs
    and its result's structure, dtypes and ranks are kept. ``shape(*args, **kwargs)`` then
    gives the static shape of that result as TensorFlow infers it (a list of shapes for a list
    or tuple result; a shape of None: rank unknown); without it every dimension is unknown.
    A ``stateful`` function (one with side effects, such as a queue's) always becomes a node in
    a graph, even when its arguments are known while tracing. ``type_name`` names the node's op
    type (default: the function's name)."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if not GRAPHS:
                return fn(*args, **kwargs)
            tensors = []
            template = _split((args, kwargs), tensors)
            if not stateful and not _symbolic(tensors):
                return fn(*args, **kwargs)
            spec = (out_spec or _probe(fn))(*args, **kwargs)
            if shape is not None:
                spec = _reshaped(spec, shape(*args, **kwargs))
            return _add_node(fn, spec, template, tensors, type_name or fn.__name__)
        return wrapper
    return decorate


def _reshaped(spec, shape):
    """``spec`` (or a list or tuple of specs) with the static shape(s) ``shape``."""
    if type(spec) in (list, tuple):
        return type(spec)(_reshaped(sp, sh) for sp, sh in zip(spec, shape))
    return spec._with_shape(shape)


def _probe(fn):
    def spec(*args, **kwargs):
        saved = GRAPHS[:]
        GRAPHS.clear()          # the example call runs eagerly
        try:
            ex_args, ex_kwargs = _examples((args, kwargs))
            result = fn(*ex_args, **ex_kwargs)
        finally:
            GRAPHS[:] = saved
        return _relaxed_specs(result)
    return spec


def _relaxed_specs(result):
    """The specs of a (list, tuple or dict of) results, every dimension unknown."""
    if result is None:
        return None
    if type(result) in (list, tuple):
        return type(result)(_relaxed_specs(r) for r in result)
    if type(result) is dict:
        return {k: _relaxed_specs(r) for k, r in result.items()}
    return _relaxed(type_spec_from_value(result))


def _examples(value):
    """``value`` with tensors and composites replaced by small eager values of their specs."""
    if isinstance(value, (Tensor, CompositeTensor)):
        return example_of(type_spec_from_value(value),
                          getattr(value, "_ex", None) if isinstance(value, Tensor) else None)
    if type(value) in (list, tuple):
        return type(value)(_examples(v) for v in value)
    if type(value) is dict:
        return {k: _examples(v) for k, v in value.items()}
    return value


def example_of(spec, examples=None):
    """A small eager value of ``spec`` (unknown dimensions become 1 or 2)."""
    if spec.value_type is None:
        if examples is not None:
            return wrap_as(examples[0], spec.dtype)
        return wrap_as(examples_for(spec.shape, spec.dtype)[0], spec.dtype)
    return spec._example()


def _relaxed(spec):
    """``spec`` with every dimension unknown (the rank kept)."""
    rank = spec.shape.rank
    return spec._with_shape(None if rank is None else [None] * rank)


def _add_node(fn, spec, template, tensors, type_name):
    dtypes = [t.dtype for t in tensors]
    parts = []
    _part_specs(spec, parts)

    def call(eager_tensors):
        args, kwargs = _join(template, eager_tensors)
        out = []
        _flatten_result(fn(*args, **kwargs), spec, out)
        return out

    def run(*arrays):
        outs = call([wrap_as(a, d) for a, d in zip(arrays, dtypes)])
        return tuple(o._value for o in outs)

    node = GRAPHS[-1].add_node(type_name, tensors, {}, run,
                               [(p.shape, p.dtype) for p in parts])
    node.eager = lambda *eager_tensors: call(list(eager_tensors))
    if TAPES:
        record(_HostGradient(type_name, call), tuple(tensors), node.outputs, {})
    return _rebuild(spec, iter(node.outputs))


class _HostGradient:
    """How a tape recording inside a traced function sees a host node: its gradient is one
    more node that, when the graph runs, replays the function eagerly under a GradientTape on
    the node's input values and returns the gradients of the inputs that carry them."""

    single = False

    def __init__(self, name, call):
        self.name = name
        self._call = call

    def grad(self, rec, *dys):
        inputs = rec.inputs
        wanted = [i for i, t in enumerate(inputs) if t.dtype._bit & _INEXACT_BITS]
        given = [(i, d) for i, d in enumerate(dys) if d is not None]
        if not wanted or not given:
            return [None] * len(inputs)
        call, count = self._call, len(inputs)

        def vjp(*values):
            eager = [wrap_as(v, t.dtype) for v, t in zip(values[:count], inputs)]
            from ndflow.autodiff.tape import GradientTape
            with GradientTape() as tape:
                for i in wanted:
                    tape.watch(eager[i])
                outs = call(eager)
            grads = tape.gradient([outs[i] for i, _ in given], [eager[i] for i in wanted],
                                  output_gradients=[wrap_as(v, rec.outputs[i].dtype) for
                                                    (i, _), v in zip(given, values[count:])],
                                  unconnected_gradients="zero")
            return tuple(convert_to_tensor(g)._value for g in grads)

        node = GRAPHS[-1].add_node(self.name + "Grad", list(inputs) + [d for _, d in given],
                                   {}, vjp, [(inputs[i].shape, inputs[i].dtype) for i in wanted])
        grads = [None] * count
        for i, g in zip(wanted, node.outputs):
            grads[i] = g
        return grads

    grad.missing_as_none = True   # outputs nobody differentiated get no gradient input
