"""``Model``: a layer that can be compiled and trained.

``Model(inputs, outputs)`` builds a functional model; subclasses define ``call``. Training
(compile, fit, evaluate, predict) lives in ``ndflow.keras.trainer``, kept apart from the model.
"""
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.trainers.trainer import Trainer


@register_builtin("keras.models")
class Model(Trainer, Layer):
    """A layer with training and inference features (compile/fit/evaluate/predict/save)."""

    _keras_module = "keras.models"

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from ndflow.keras.models.functional import Functional
            return Functional.__new__(Functional, *args, **kwargs)
        return super().__new__(cls, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        if type(self) is Model and (args or "inputs" in kwargs):
            raise TypeError("Model(inputs, outputs) builds a functional model.")
        trainable = kwargs.pop("trainable", True)
        name = kwargs.pop("name", None)
        dtype = kwargs.pop("dtype", None)
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """A functional config rebuilds a functional model; otherwise the constructor runs."""
        if "input_layers" in config and "output_layers" in config:
            from ndflow.keras.models.functional import Functional
            from ndflow.keras.models.functional_config import functional_from_config
            return functional_from_config(Functional if cls is Model else cls, config,
                                          custom_objects)
        return super().from_config(config)

    @property
    def layers(self):
        """The model's direct sublayers."""
        return [layer for layer in self._tracked_children()[0]]

    def get_layer(self, name=None, index=None):
        """A sublayer by name or by index."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index. Received: "
                             f"index={index}, name={name}.")
        if index is not None:
            if len(self.layers) <= index:
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self.layers]}.")

    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Prints the table of layers, output shapes and parameter counts."""
        from ndflow.keras.utils.summary import print_summary
        print_summary(self, line_length=line_length, positions=positions, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable,
                      layer_range=layer_range)

