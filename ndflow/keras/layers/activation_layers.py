"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax and the legacy ThresholdedReLU.

Each wraps the matching ``ndflow.keras.activations`` function (so the numerics are the ones the
``Activation`` layer uses) and keeps Keras 3's constructor checks, configs and mask handling:
all of them pass the incoming mask through unchanged.
"""
import warnings

import numpy as np

import ndflow as nd
from ndflow.keras import activations, constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import serialize_keras_object

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax", "ThresholdedReLU"]


class _Elementwise(Layer):
    """A weightless layer that keeps the input shape and passes the mask through."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape


@register_builtin("keras.layers")
class ReLU(_Elementwise):
    """Rectified linear unit: ``x`` above ``threshold``, ``negative_slope * (x - threshold)``
    below it, clipped at ``max_value`` when given."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError("max_value of a ReLU layer cannot be a negative value. Received: "
                             f"max_value={max_value}")
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError("negative_slope of a ReLU layer cannot be None or a negative "
                             f"value. Received: negative_slope={negative_slope}")
        if threshold is None or threshold < 0.0:
            raise ValueError("threshold of a ReLU layer cannot be None or a negative value. "
                             f"Received: threshold={threshold}")
        self.max_value = max_value
        self.negative_slope = negative_slope
        self.threshold = threshold

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        config = super().get_config()
        config.update({"max_value": self.max_value, "negative_slope": self.negative_slope,
                       "threshold": self.threshold})
        return config


@register_builtin("keras.layers")
class LeakyReLU(_Elementwise):
    """``x`` for positive inputs, ``negative_slope * x`` otherwise (``alpha`` is the deprecated
    spelling of ``negative_slope``)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             "negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        config = super().get_config()
        config["negative_slope"] = self.negative_slope
        return config


@register_builtin("keras.layers")
class ELU(_Elementwise):
    """Exponential linear unit: ``x`` for positive inputs, ``alpha * (exp(x) - 1)`` otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        if self.alpha is None:
            raise ValueError("Attempt to convert a value (None) with an unsupported type "
                             "(<class 'NoneType'>) to a Tensor.")
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


@register_builtin("keras.layers")
class ThresholdedReLU(_Elementwise):
    """``x`` where ``x > theta``, else 0 (kept by Keras 3 as a legacy layer)."""

    _keras_module = "keras._legacy.layers"

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expecting a "
                             f"float. Received: {theta}")
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. "
                             f"Received: {theta}")
        self.theta = theta

    def call(self, inputs):
        keep = nd.cast(nd.greater(inputs, nd.cast(self.theta, inputs.dtype)), inputs.dtype)
        return inputs * keep

    def get_config(self):
        config = super().get_config()
        config["theta"] = float(self.theta)
        return config


def _large_negative(dtype):
    """The value masked logits are replaced by: very negative, yet finite in ``dtype``."""
    return -3e4 if dtype.name in ("float16", "bfloat16") else -1e9


@register_builtin("keras.layers")
class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or a list of axes). With ``mask`` (broadcastable to the
    inputs; True or > 0.5 keeps), masked positions get probability 0."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _check_mask(self, inputs, mask):
        in_shape, m_shape = inputs.shape.as_list(), mask.shape.as_list()
        if len(m_shape) > len(in_shape):
            raise ValueError("The `mask` must be broadcastable to `inputs` and must not have "
                             f"more dimensions. Received: inputs.shape={tuple(in_shape)}, "
                             f"mask.shape={tuple(m_shape)}")
        for m, i in zip(m_shape[::-1], in_shape[::-1]):
            if m is not None and i is not None and m not in (1, i):
                raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask "
                                 "dimension must be 1 or match the corresponding input "
                                 f"dimension. Received: inputs.shape={tuple(in_shape)}, "
                                 f"mask.shape={tuple(m_shape)}")

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = nd.convert_to_tensor(mask)
            self._check_mask(inputs, mask)
            if mask.dtype != nd.bool:
                mask = nd.greater(mask, nd.cast(0.5, mask.dtype))
            mask = nd.broadcast_to(mask, nd.shape(inputs))
            filler = nd.fill(nd.shape(inputs), np.asarray(_large_negative(inputs.dtype),
                                                          inputs.dtype.as_numpy_dtype))
            inputs = nd.where(mask, inputs, filler)
        axis = self.axis
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        outputs = activations.softmax(inputs, axis=axis)
        if mask is not None:
            # A fully masked row would otherwise come out uniform.
            outputs = nd.where(mask, outputs, nd.zeros_like(outputs))
        return outputs

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


@register_builtin("keras.layers")
class PReLU(Layer):
    """Leaky ReLU with a learned slope per input element: ``max(x, 0) - alpha * max(-x, 0)``.
    ``shared_axes`` lists the axes (1-based, batch excluded) that share one slope."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]
        self.alpha = None

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(f"Invalid shared axis {axis} for PReLU on inputs of shape "
                                 f"{tuple(input_shape)}: shared axes count from 1 (the first "
                                 "non-batch axis).")
            shape[axis - 1] = 1
        if None in shape:
            raise ValueError("PReLU needs known sizes for every non-shared axis. Received: "
                             f"input_shape={tuple(input_shape)}, shared_axes="
                             f"{self.shared_axes}")
        self.alpha = self.add_weight(shape=tuple(shape), name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        self.built = True

    def call(self, inputs):
        return nd.nn.relu(inputs) - self.alpha * nd.nn.relu(-inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "alpha_initializer": serialize_keras_object(self.alpha_initializer),
            "alpha_regularizer": serialize_keras_object(self.alpha_regularizer),
            "alpha_constraint": serialize_keras_object(self.alpha_constraint),
            "shared_axes": self.shared_axes,
        })
        return config
