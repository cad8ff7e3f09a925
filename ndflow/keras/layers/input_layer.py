"""``Input`` and ``InputLayer``: the entry points of functional models."""
from ndflow.keras import backend
from ndflow.keras.layers.functional_node import KerasTensor, Node
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin


@register_builtin("keras.layers")
class InputLayer(Layer):
    """The layer behind ``Input``: it owns the symbolic input tensor."""

    def __init__(self, shape=None, batch_size=None, dtype=None, sparse=None, ragged=None,
                 batch_shape=None, input_tensor=None, optional=False, name=None, **kwargs):
        if sparse or ragged:
            raise NotImplementedError("Sparse and ragged inputs are not supported yet.")
        kwargs.pop("input_shape", None)
        if "batch_input_shape" in kwargs:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name or backend.unique_name("input_layer"), dtype=dtype, **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError("You must pass a `shape` argument.")
            batch_shape = (batch_size,) + tuple(shape)
        self._batch_shape = tuple(batch_shape)
        self.built = True
        self._output = KerasTensor(self._batch_shape, dtype or backend.floatx(), name=self.name)
        node = Node(self, (), {}, self._output)
        self._output._node = node
        self._inbound_nodes.append(node)

    @property
    def output(self):
        """The symbolic tensor this layer feeds into a model."""
        return self._output

    @property
    def batch_shape(self):
        """The input's shape including the batch dimension."""
        return self._batch_shape

    def call(self, inputs):
        return inputs

    def get_config(self):
        return {"batch_shape": list(self._batch_shape), "dtype": self.dtype, "sparse": False,
                "ragged": False, "name": self.name, "optional": False}


def Input(shape=None, batch_size=None, dtype=None, sparse=None, ragged=None, batch_shape=None,
          name=None, tensor=None, optional=False):
    """A symbolic input of a functional model (``shape`` excludes the batch dimension)."""
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       ragged=ragged, batch_shape=batch_shape, name=name)
    return layer._output
