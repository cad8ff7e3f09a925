"""Symbolic calls for the functional API: ``KerasTensor`` placeholders and the ``Node`` that
records which layer produced which outputs from which inputs.

A layer called on KerasTensors is built with the symbolic input shapes, then run twice on
concrete zeros (unknown dimensions set to two different sizes) to learn its output dtypes and
shapes: a dimension that differs between the runs is unknown (None) in the output.
"""
import numpy as np

import ndflow as nd
from ndflow.keras.layers.layer import Layer
from ndflow.util import nest


class KerasTensor:
    """A symbolic tensor of the functional API: a shape (with None), a dtype and its history."""

    def __init__(self, shape, dtype="float32", name=None, node=None, index=0):
        self.shape = tuple(shape)
        self.dtype = nd.as_dtype(dtype)
        self.name = name
        self._node = node
        self._index = index

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


def _merge_shapes(a, b):
    return tuple(None if p != q else p for p, q in zip(a, b))


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
    try:
        first = run_on_placeholders(layer, args, kwargs, 2)
        second = run_on_placeholders(layer, args, kwargs, 3)
    except Exception:
        # Placeholder sizes can be invalid for the layer (a 'valid' convolution of size 2):
        # then the layer's own shape arithmetic decides, when it has any.
        if type(layer).compute_output_shape is Layer.compute_output_shape:
            raise
        outputs = _outputs_from_shape_arithmetic(layer, args)
    else:
        flat = []
        for a, b in zip(nest.flatten(first), nest.flatten(second)):
            shape = _merge_shapes(tuple(a.shape.as_list()), tuple(b.shape.as_list()))
            flat.append(KerasTensor(shape, a.dtype, name=layer.name))
        outputs = nest.pack_sequence_as(first, flat)
    layer._clear_losses()
    flat = nest.flatten(outputs)
    node = Node(layer, args, kwargs, outputs)
    for i, t in enumerate(flat):
        t._node, t._index = node, i
    layer._inbound_nodes.append(node)
    return outputs


def _outputs_from_shape_arithmetic(layer, args):
    shapes = nest.map_structure(lambda x: x.shape if is_symbolic(x) else None, args[0])
    out = layer.compute_output_shape(shapes)
    if isinstance(out, list) and out and isinstance(out[0], (list, tuple)):
        return [KerasTensor(tuple(s), layer.compute_dtype, name=layer.name) for s in out]
    return KerasTensor(tuple(out), layer.compute_dtype, name=layer.name)


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
