"""GroupNormalization and RMSNormalization, written with ndflow ops (differentiable)."""
import numpy as np

import ndflow as nd
from ndflow.keras import constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import serialize_keras_object as _serialize

__all__ = ["GroupNormalization", "RMSNormalization"]


@register_builtin("keras.layers")
class GroupNormalization(Layer):
    """Splits the channels (``axis``) into ``groups`` and normalizes each example over every
    group's channels and the other non-batch axes; then scales by ``gamma`` and shifts by
    ``beta`` per channel. ``groups=-1`` is one group per channel (instance normalization);
    ``groups=1`` normalizes all channels together (layer normalization)."""

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups = groups
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank:
            raise ValueError(f"Axis {self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}.")
        axis = self.axis % rank
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension "
                             "but the layer received an input with shape "
                             f"{tuple(input_shape)}.")
        if self.groups == -1:
            self.groups = channels
        if channels < self.groups:
            raise ValueError(f"Number of groups ({self.groups}) cannot be more than the number "
                             f"of channels ({channels}).")
        if channels % self.groups != 0:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of the "
                             f"number of channels ({channels}).")
        if self.scale:
            self.gamma = self.add_weight(shape=(channels,), name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(shape=(channels,), name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint)
        # The statistics are computed channels-last. Averaging within groups is a product with
        # a constant (C, C) matrix, which keeps every shape static (no reshape to
        # [..., groups, C // groups]), so unknown batch and spatial sizes trace fine.
        size = channels // self.groups
        group_of = np.arange(channels) // size
        self._group_mean = (group_of[:, None] == group_of[None, :]).astype(np.float64) / size
        self._to_last = None if axis == rank - 1 else \
            [d for d in range(rank) if d != axis] + [axis]
        self._from_last = None if self._to_last is None else \
            [int(d) for d in np.argsort(self._to_last)]
        self._spatial = list(range(1, rank - 1))
        self.built = True

    def _group_average(self, x, matrix):
        """Means over the non-batch axes and the channels of each group, per channel."""
        per_channel = nd.reduce_mean(x, self._spatial, keepdims=True) if self._spatial else x
        return nd.einsum("...c,cd->...d", per_channel, matrix)

    def call(self, inputs):
        x = inputs if inputs.dtype.name in ("float32", "float64") else nd.cast(inputs,
                                                                               "float32")
        if self._to_last is not None:
            x = nd.transpose(x, self._to_last)
        matrix = nd.constant(self._group_mean.astype(x.dtype.as_numpy_dtype))
        centered = x - self._group_average(x, matrix)
        variance = self._group_average(nd.square(centered), matrix)
        inv = nd.math.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * nd.cast(self.gamma, x.dtype)
        outputs = centered * inv
        if self.beta is not None:
            outputs = outputs + nd.cast(self.beta, x.dtype)
        if self._from_last is not None:
            outputs = nd.transpose(outputs, self._from_last)
        if outputs.dtype.name != self.compute_dtype:
            outputs = nd.cast(outputs, self.compute_dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"groups": self.groups, "axis": self.axis, "epsilon": self.epsilon,
                       "center": self.center, "scale": self.scale})
        for part in ("initializer", "regularizer", "constraint"):
            for name in ("beta", "gamma"):
                config[f"{name}_{part}"] = _serialize(getattr(self, f"{name}_{part}"))
        return config


@register_builtin("keras.layers")
class RMSNormalization(Layer):
    """Root-mean-square normalization: ``x / sqrt(mean(x**2, axis) + epsilon) * scale``
    (no centering), with a learned ``scale`` over the normalized axes."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        self.epsilon = epsilon
        self.scale = None

    def build(self, input_shape):
        rank = len(input_shape)
        for a in self.axis:
            if not -rank <= a < rank:
                raise ValueError(f"Axis {a} is out of bounds for input shape "
                                 f"{tuple(input_shape)}. Received: axis={self.axis}")
        axes = sorted(a % rank for a in self.axis)
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(f"RMSNormalization needs known sizes along axis={self.axis}. "
                             f"Received: input_shape={tuple(input_shape)}")
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        # The scale broadcasts as it is only when it covers the trailing axes.
        trailing = axes == list(range(rank - len(axes), rank))
        self._param_shape = None if trailing else \
            [input_shape[d] if d in axes else 1 for d in range(rank)]
        self._axes = axes
        self.built = True

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else nd.cast(inputs, self.compute_dtype)
        mean_square = nd.reduce_mean(nd.square(x), self._axes, keepdims=True)
        scale = nd.cast(self.scale, x.dtype) if self.scale.dtype != x.dtype else self.scale
        if self._param_shape is not None:
            scale = nd.reshape(scale, self._param_shape)
        return x * nd.math.rsqrt(mean_square + self.epsilon) * scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon})
        return config
