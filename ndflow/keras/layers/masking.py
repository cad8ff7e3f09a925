"""``Masking``: marks timesteps whose features all equal ``mask_value`` as padding."""
import ndflow as nd
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin

__all__ = ["Masking"]


@register_builtin("keras.layers")
class Masking(Layer):
    """Zeroes the timesteps whose every feature equals ``mask_value`` and emits the mask
    ``any(inputs != mask_value, axis=-1)`` that mask-aware layers (LSTM, GRU, pooling...)
    consume downstream."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def _keep(self, inputs, keepdims):
        value = nd.cast(self.mask_value, inputs.dtype)
        return nd.reduce_any(nd.not_equal(inputs, value), axis=-1, keepdims=keepdims)

    def call(self, inputs):
        # where() broadcasts the (..., 1) condition over the features.
        return nd.where(self._keep(inputs, True), inputs, nd.zeros_like(inputs))

    def compute_mask(self, inputs, mask=None):
        """True for the timesteps that hold at least one feature other than ``mask_value``."""
        return self._keep(inputs, False)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
