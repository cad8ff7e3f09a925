"""Functional models: a graph of layer calls recorded by calling layers on ``Input`` tensors."""
from ndflow.keras.layers.functional_node import KerasTensor, is_symbolic
from ndflow.keras.layers.input_layer import InputLayer
from ndflow.keras.models.graph_order import functional_graph
from ndflow.keras.models.model import Model
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.util import nest


def _nodes_between(inputs, outputs):
    """The nodes from ``inputs`` to ``outputs`` in an order where producers come first."""
    order, visiting, done = [], set(), set()
    input_ids = {id(x) for x in inputs}

    def visit(tensor):
        node = tensor._node
        if node is None or id(node) in done or id(tensor) in input_ids:
            return
        if id(node) in visiting:
            raise ValueError("The layer graph has a cycle.")
        visiting.add(id(node))
        for parent in node.input_tensors:
            visit(parent)
        visiting.discard(id(node))
        done.add(id(node))
        order.append(node)

    for out in outputs:
        if not is_symbolic(out):
            raise ValueError(f"Output tensors of a functional model must be the output of a "
                             f"layer; received {out!r}.")
        visit(out)
    for node in order:
        for parent in node.input_tensors:
            if parent._node is None and id(parent) not in input_ids:
                raise ValueError(f"Graph disconnected: cannot obtain value for tensor {parent} "
                                 "from the given inputs.")
    return order


@register_builtin("keras")
class Functional(Model):
    """A model defined by its symbolic inputs and outputs."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self.inputs = nest.flatten(inputs)
        self.outputs = nest.flatten(outputs)
        for x in self.inputs:
            if not is_symbolic(x):
                raise ValueError(f"All `inputs` values must be KerasTensors (from Input). "
                                 f"Received {x!r}.")
        self._nodes = _nodes_between(self.inputs, self.outputs)
        self._input_layers = [x._node.layer if x._node else None for x in self.inputs]
        self._functional_layers = functional_graph(self)[0]
        self.built = True

    @property
    def layers(self):
        """Every layer of the graph (input layers included), in call order."""
        return list(self._functional_layers)

    def _find_children(self):
        own_layers, variables = super()._find_children()
        layers = list(self._functional_layers)
        for layer in own_layers:
            if all(layer is not seen for seen in layers):
                layers.append(layer)
        return layers, variables

    @property
    def input_shape(self):
        """The static shape of the input (a list of them for several inputs)."""
        shapes = [x.shape for x in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        """The static shape of the output (a list of them for several outputs)."""
        shapes = [x.shape for x in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def call(self, inputs, training=None, mask=None):
        flat_inputs = nest.flatten(inputs)
        if len(flat_inputs) != len(self.inputs):
            raise ValueError(f"Model {self.name} expects {len(self.inputs)} input(s), but it "
                             f"received {len(flat_inputs)} input tensors.")
        values = {id(k): v for k, v in zip(self.inputs, flat_inputs)}
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue

            def lookup(x):
                return values[id(x)] if isinstance(x, KerasTensor) else x
            args = nest.map_structure(lookup, node.call_args)
            kwargs = nest.map_structure(lookup, node.call_kwargs)
            if training is not None and "training" not in kwargs:
                kwargs = dict(kwargs, training=training)
            outs = node.layer(*args, **kwargs)
            for sym, real in zip(nest.flatten(node.outputs), nest.flatten(outs)):
                values[id(sym)] = real
        return nest.pack_sequence_as(self._outputs_struct,
                                     [values[id(x)] for x in self.outputs])

    def get_config(self):
        """The layers, their connections and the model's inputs and outputs."""
        from ndflow.keras.models.functional_config import functional_config
        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a functional model from ``get_config()`` output."""
        from ndflow.keras.models.functional_config import functional_from_config
        return functional_from_config(cls, config, custom_objects)
