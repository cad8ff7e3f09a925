"""``Sequential``: a plain stack of layers, each feeding the next."""
from ndflow.keras.layers.functional_node import KerasTensor
from ndflow.keras.layers.input_layer import InputLayer
from ndflow.keras.layers.layer import Layer, takes_training
from ndflow.keras.models.model import Model
from ndflow.keras.saving.object_registration import register_builtin


@register_builtin("keras.models")
@register_builtin("keras")
class Sequential(Model):
    """A model whose layers are applied one after another."""

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._stack = []
        self._input_layer = None
        self._build_input_shape = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_build_from_input()

    def add(self, layer, rebuild=True):
        """Appends a layer (or an ``Input`` tensor, which sets the input shape)."""
        if isinstance(layer, KerasTensor):
            layer = layer._node.layer
        if not isinstance(layer, Layer):
            raise ValueError("Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer} (of type {type(layer)})")
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError("Sequential model already has an input; an InputLayer can "
                                 "only come first.")
            self._input_layer = layer
        else:
            if any(layer.name == other.name for other in self._stack):
                raise ValueError(f"All layers added to a Sequential model should have unique "
                                 f"names. Name '{layer.name}' is already the name of a layer in "
                                 f"this model. Update the `name` argument to pass a unique name.")
            self._stack.append(layer)
        self.built = False
        if rebuild:
            self._maybe_build_from_input()

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self.built = False
        if rebuild:
            self._maybe_build_from_input()
        return layer

    @property
    def layers(self):
        """The stacked layers (the input layer is not listed)."""
        return list(self._stack)

    def _find_children(self):
        _, variables = super()._find_children()
        return list(self._stack), variables

    def _maybe_build_from_input(self):
        if self._input_layer is not None:
            self.build(self._input_layer.batch_shape)
        elif self._stack and self._stack[0]._batch_input_shape is not None:
            self.build(self._stack[0]._batch_input_shape)

    def build(self, input_shape=None):
        """Builds every layer by passing a symbolic input of ``input_shape`` through them."""
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        shape = tuple(input_shape)
        if self._input_layer is None:
            self._input_layer = InputLayer(batch_shape=shape)
        x = self._input_layer.output
        for layer in self._stack:
            x = layer(x)
        self._build_input_shape = shape
        self._symbolic_output = x
        self.built = True

    def call(self, inputs, training=None, mask=None):
        x = inputs
        for layer in self._stack:
            x = layer(x, training=training) if takes_training(layer) else layer(x)
        return x

    def _maybe_build(self, inputs):
        if not self.built:
            self.build((None,) + tuple(inputs.shape.as_list()[1:]))

    @property
    def input_shape(self):
        if self._build_input_shape is None:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no "
                                 "defined input.")
        return self._build_input_shape

    @property
    def output_shape(self):
        if not self.built:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no "
                                 "defined output shape.")
        return self._symbolic_output.shape

    @property
    def inputs(self):
        """The symbolic input, once the input shape is known."""
        return [self._input_layer.output] if self._input_layer is not None else None

    @property
    def outputs(self):
        """The symbolic output, once built."""
        return [self._symbolic_output] if self.built else None

    def get_config(self):
        """The layers' configs (input layer first) and the build input shape."""
        from ndflow.keras.saving.serialization_lib import serialize_keras_object
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers.extend(serialize_keras_object(layer) for layer in self._stack)
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": Layer.get_config(self)["dtype"], "layers": layers}
        if self._build_input_shape is not None:
            config["build_input_shape"] = list(self._build_input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a Sequential model from ``get_config()`` output."""
        from ndflow.keras.saving.serialization_lib import deserialize_keras_object
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_keras_object(layer_config, custom_objects=custom_objects),
                      rebuild=False)
        if model._input_layer is not None:
            model.build(model._input_layer.batch_shape)
        elif config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model

