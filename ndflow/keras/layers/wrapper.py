"""``Wrapper`` (the base of layers that wrap another layer) and the ``keras.layers``
``serialize``/``deserialize`` functions."""
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,
                                                   serialize_keras_object)


def policy_by_name(config):
    """A copy of a wrapper's config whose serialized DTypePolicy is replaced by its name."""
    config = dict(config)
    if isinstance(config.get("dtype"), dict):
        config["dtype"] = config["dtype"].get("config", {}).get("name")
    return config


@register_builtin("keras.layers")
class Wrapper(Layer):
    """A layer holding another layer (``self.layer``); subclasses define ``call``."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. "
                             "Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        """Builds the wrapped layer for ``input_shape`` when it is not built yet."""
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self):
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the wrapper and its wrapped layer from ``get_config``'s dict."""
        config = policy_by_name(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def serialize(layer):
    """The Keras 3 config dict of ``layer`` ({'module', 'class_name', 'config', ...})."""
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """The layer described by ``config`` (a dict from ``serialize``)."""
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module="keras.layers", printable_module_name="layer")
