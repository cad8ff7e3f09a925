"""Symbolic calls for the functional API: ``KerasTensor`` placeholders and the ``Node`` that
records which layer produced which outputs from which inputs.

A layer called on KerasTensors is built with the symbolic input shapes, then run on concrete
zeros to learn its output dtypes and shapes. With unknown input dimensions it runs once per
placeholder size (unknown dimensions all set to that size): an output dimension that differs
between the runs is unknown (None). Sizes that floor-divide alike (a stride-2 pooling maps 2
and 3 to 1) would look fixed, so a layer's own ``compute_output_shape`` (when it overrides the
default and succeeds) marks further dimensions unknown, and layers without one get a third run.
"""
import numpy as np

import ndflow as nd
from ndflow.keras.layers.layer import Layer
from ndflow.util import nest


class KerasTensor:
    """A symbolic tensor of the functional API: a shape (with None), a dtype and its history."""

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, record_history=True,
                 name=None, **kwargs):
        if sparse or ragged:
            raise NotImplementedError("Sparse and ragged KerasTensors are not supported.")
        self.shape = tuple(shape)
        self.dtype = nd.as_dtype(dtype)
        self.sparse, self.ragged = False, False
        self.name = name
        # The Node that produced it and its output index (set by symbolic_call).
        self._node = kwargs.pop("node", None)
        self._index = kwargs.pop("index", 0)

    @property
    def ndim(self):
        """Number of dimensions."""
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype.name}, name={self.name}>"

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other

    def __array__(self, *args, **kwargs):
        raise TypeError("A KerasTensor is symbolic: it has no value. It stands for the input "
                        "of a functional model; call the model on real data instead.")


def is_symbolic(x):
    """True for KerasTensors."""
    return isinstance(x, KerasTensor)


class Node:
    """One call of a layer on symbolic inputs."""

    def __init__(self, layer, call_args, call_kwargs, outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [x for x in nest.flatten((call_args, call_kwargs)) if is_symbolic(x)]

    @property
    def input_shapes(self):
        """Shapes of the symbolic inputs (one tuple, or a list of them)."""
        shapes = nest.map_structure(lambda x: x.shape if is_symbolic(x) else None,
                                    self.call_args[0])
        return shapes

    @property
    def output_shapes(self):
        """Shapes of the symbolic outputs."""
        return nest.map_structure(lambda x: x.shape, self.outputs)


def _concrete(x, fill):
    if not is_symbolic(x):
        return x
    shape = [fill if d is None else d for d in x.shape]
    return nd.zeros(shape, x.dtype) if x.dtype.name != "string" else nd.constant(
        np.full(shape, b"", dtype=object))


def run_on_placeholders(layer, args, kwargs, fill):
    """Runs ``layer`` on zeros standing in for the symbolic arguments."""
    c_args = nest.map_structure(lambda x: _concrete(x, fill), args)
    c_kwargs = nest.map_structure(lambda x: _concrete(x, fill), kwargs)
    return layer(*c_args, **c_kwargs)


# Placeholder sizes for unknown dimensions. 2 and 3 keep the runs cheap; 7 separates sizes
# that small strides floor-divide alike; 17 and 32 are tried when small sizes are invalid for
# the layer (a 'valid' window larger than the placeholder).
_FILLS = (2, 3, 7, 17, 32)


def _has_unknown(args, kwargs):
    return any(is_symbolic(x) and None in x.shape for x in nest.flatten((args, kwargs)))


def _run_shapes(layer, args, kwargs, wanted):
    """Runs ``layer`` on placeholders of successive sizes until ``wanted`` runs succeed.

    Returns the outputs of the first successful run and the per-dimension merged output shapes
    (None where the runs disagree), or (None, None) when fewer than two runs succeed.
    """
    first, merged, count = None, None, 0
    for fill in _FILLS:
        try:
            out = run_on_placeholders(layer, args, kwargs, fill)
        except Exception:
            continue
        shapes = [tuple(t.shape.as_list()) for t in nest.flatten(out)]
        if first is None:
            first, merged = out, shapes
        else:
            merged = [tuple(None if p != q else p for p, q in zip(a, b))
                      for a, b in zip(merged, shapes)]
        count += 1
        if count == wanted:
            break
    return (first, merged) if count >= 2 else (None, None)


def _flat_shapes(shapes):
    """``compute_output_shape``'s answer as a list of shape tuples (one per output)."""
    if hasattr(shapes, "as_list"):
        return [tuple(shapes.as_list())]
    if isinstance(shapes, dict):
        return [s for k in sorted(shapes) for s in _flat_shapes(shapes[k])]
    if isinstance(shapes, (list, tuple)):
        if all(d is None or isinstance(d, (int, np.integer)) for d in shapes):
            return [tuple(None if d is None else int(d) for d in shapes)]
        return [s for item in shapes for s in _flat_shapes(item)]
    raise TypeError(f"not a shape: {shapes!r}")


# Layers whose compute_output_shape is running: a rule that falls back to the default (Lambda
# without output_shape) calls symbolic_call again, which must then not ask the rule again.
_DECLARING = set()


def _has_shape_rule(layer):
    # The default compute_output_shape runs the layer symbolically: it would recurse here.
    return (type(layer).compute_output_shape is not Layer.compute_output_shape
            and id(layer) not in _DECLARING)


def _compute_output_shape(layer, args):
    """The layer's own ``compute_output_shape`` for the symbolic inputs, flattened."""
    shapes = nest.map_structure(lambda x: x.shape if is_symbolic(x) else None, args[0])
    _DECLARING.add(id(layer))
    try:
        return _flat_shapes(layer.compute_output_shape(shapes))
    finally:
        _DECLARING.discard(id(layer))


def _declared_shapes(layer, args):
    """The layer's own output shapes when it has a shape rule that accepts the inputs, else None."""
    if not _has_shape_rule(layer):
        return None
    try:
        return _compute_output_shape(layer, args)
    except Exception:
        return None


def symbolic_call(layer, args, kwargs):
    """Calls ``layer`` on KerasTensors: builds it, infers its outputs and records a Node."""
    if not layer.built:
        shapes = nest.map_structure(lambda x: x.shape if is_symbolic(x) else None, args[0])
        layer._build_shapes = shapes
        from ndflow.keras.layers.layer import _accepts_positional
        if _accepts_positional(layer.build):
            layer.build(shapes)
        else:
            layer.build()
        layer.built = True
        if layer._initial_weights is not None:
            layer.set_weights(layer._initial_weights)
            layer._initial_weights = None
    outputs = _infer_outputs(layer, args, kwargs)
    layer._clear_losses()
    flat = nest.flatten(outputs)
    node = Node(layer, args, kwargs, outputs)
    for i, t in enumerate(flat):
        t._node, t._index = node, i
    layer._inbound_nodes.append(node)
    return outputs


def _infer_outputs(layer, args, kwargs):
    """KerasTensors for the outputs of ``layer`` called on symbolic ``args``/``kwargs``."""
    if not _has_unknown(args, kwargs):
        # Fully known shapes: one run gives every output shape exactly.
        try:
            out = run_on_placeholders(layer, args, kwargs, _FILLS[0])
        except Exception:
            if not _has_shape_rule(layer):
                raise
            # Keras checks shapes with the layer's rule: its error (a ValueError) is the one
            # users see; a rule that accepts the inputs gives the shapes.
            return _outputs_from_shapes(layer, _compute_output_shape(layer, args))
        return nest.map_structure(
            lambda t: KerasTensor(tuple(t.shape.as_list()), t.dtype, name=layer.name), out)
    declared = _declared_shapes(layer, args)
    first, merged = _run_shapes(layer, args, kwargs, 2 if declared is not None else 3)
    if first is None:
        if declared is not None:
            return _outputs_from_shapes(layer, declared)
        if _has_shape_rule(layer):
            _compute_output_shape(layer, args)  # raises the rule's own error
        # Surface the layer's own error for the smallest placeholder.
        run_on_placeholders(layer, args, kwargs, _FILLS[0])
        raise ValueError(f"Could not infer the output shape of layer {layer.name!r}.")
    if declared is not None and len(declared) == len(merged) and all(
            len(a) == len(b) for a, b in zip(declared, merged)):
        # Where the layer's shape rule says unknown, the runs only agreed by coincidence.
        merged = [tuple(None if d is None else m for d, m in zip(dec, run))
                  for dec, run in zip(declared, merged)]
    flat = [KerasTensor(shape, t.dtype, name=layer.name)
            for shape, t in zip(merged, nest.flatten(first))]
    return nest.pack_sequence_as(first, flat)


def _outputs_from_shapes(layer, shapes):
    """KerasTensors of the layer's compute dtype for a list of output shapes."""
    if len(shapes) == 1:
        return KerasTensor(shapes[0], layer.compute_dtype, name=layer.name)
    return [KerasTensor(s, layer.compute_dtype, name=layer.name) for s in shapes]


def output_shape_by_running(layer, input_shape):
    """The output shape(s) of ``layer`` for ``input_shape``, with None where unknown."""
    if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
        placeholder = [KerasTensor(s, layer.compute_dtype) for s in input_shape]
    else:
        placeholder = KerasTensor(tuple(input_shape), layer.compute_dtype)
    saved = list(layer._inbound_nodes)
    outputs = symbolic_call(layer, (placeholder,), {})
    layer._inbound_nodes = saved
    return nest.map_structure(lambda x: x.shape, outputs)
