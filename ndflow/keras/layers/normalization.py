"""Normalization layers: BatchNormalization, LayerNormalization, UnitNormalization and the
Normalization preprocessing layer (in ``normalization_preprocessing``, re-exported here)."""
import warnings

import ndflow as nd
from ndflow.keras import constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.layers.normalization_preprocessing import Normalization
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import serialize_keras_object as _serialize

__all__ = ["BatchNormalization", "LayerNormalization", "Normalization", "UnitNormalization"]


def _compute_dtype(x):
    """Statistics are computed in at least float32 (Keras' rule for half-precision inputs)."""
    if x.dtype.name in ("float32", "float64"):
        return x
    return nd.cast(x, "float32")


def _param_config(layer, names=("beta", "gamma")):
    config = {}
    for part in ("initializer", "regularizer", "constraint"):
        for name in names:
            config[f"{name}_{part}"] = _serialize(getattr(layer, f"{name}_{part}"))
    return config


@register_builtin("keras.layers")
class BatchNormalization(Layer):
    """Normalizes over the batch (and every axis but ``axis``): with ``training=True`` by the
    batch statistics, also folded into ``moving_mean``/``moving_variance`` with ``momentum``;
    otherwise by the moving statistics. ``trainable=False`` always uses the moving statistics.
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, renorm=False, renorm_clipping=None,
                 renorm_momentum=0.99, synchronized=False, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)
        if renorm:
            raise NotImplementedError("Batch renormalization (`renorm=True`) is not supported "
                                      "by ndflow's BatchNormalization.")
        self.synchronized = synchronized  # one device: synchronized statistics are the same
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.renorm = renorm
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.gamma = None
        self.beta = None
        self.moving_mean = None
        self.moving_variance = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            # Keras fails here by indexing the shape; keep its IndexError, with a clear message.
            raise IndexError(f"Axis {self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}. Received: axis={self.axis}")
        axis = self.axis % ndim
        shape = (input_shape[axis],)
        if self.scale:
            self.gamma = self.add_weight(shape=shape, name="gamma",
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        if self.center:
            self.beta = self.add_weight(shape=shape, name="beta",
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)
        self._ndim = ndim
        self._reduction_axes = [d for d in range(ndim) if d != axis]
        # Per-channel vectors broadcast by themselves against a channels-last input; any other
        # axis needs them reshaped to [1, .., C, .., 1].
        self._param_shape = None if axis == ndim - 1 else \
            [input_shape[axis] if d == axis else 1 for d in range(ndim)]
        self.built = True

    def _shaped(self, v, dtype):
        if v is None:
            return None
        if v.dtype != dtype:
            v = nd.cast(v, dtype)
        return v if self._param_shape is None else nd.reshape(v, self._param_shape)

    def _moments(self, x, mask):
        if mask is None:
            return nd.nn.moments(x, self._reduction_axes)
        if len(mask.shape) != len(x.shape) - 1:
            raise ValueError("The mask provided should be one dimension less than the inputs. "
                             f"Received: mask.shape={mask.shape}, inputs.shape={x.shape}")
        keep = nd.broadcast_to(nd.expand_dims(nd.cast(mask, "bool"), -1), nd.shape(x))
        weights = nd.cast(keep, x.dtype)
        zeros = nd.zeros_like(x)
        count = nd.reduce_sum(weights, self._reduction_axes, keepdims=True) + 1e-7
        mean = nd.reduce_sum(nd.where(keep, x, zeros), self._reduction_axes,
                             keepdims=True) / count
        spread = nd.square(nd.where(keep, x - mean, zeros))
        variance = nd.reduce_sum(spread, self._reduction_axes, keepdims=True) / count
        return nd.squeeze(mean), nd.squeeze(variance)

    def call(self, inputs, training=None, mask=None):
        x = _compute_dtype(inputs)
        dtype = x.dtype
        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            # The update is state, not part of the differentiated computation.
            m, v = nd.stop_gradient(mean), nd.stop_gradient(variance)
            moving_mean, moving_var = self.moving_mean, self.moving_variance
            if moving_mean.dtype != dtype:
                moving_mean, moving_var = nd.cast(moving_mean, dtype), nd.cast(moving_var, dtype)
            self.moving_mean.assign(moving_mean * self.momentum + m * (1.0 - self.momentum))
            self.moving_variance.assign(moving_var * self.momentum + v * (1.0 - self.momentum))
        else:
            mean, variance = self.moving_mean, self.moving_variance
        outputs = nd.nn.batch_normalization(x, self._shaped(mean, dtype),
                                            self._shaped(variance, dtype),
                                            self._shaped(self.beta, dtype),
                                            self._shaped(self.gamma, dtype), self.epsilon)
        if outputs.dtype.name != self.compute_dtype:
            outputs = nd.cast(outputs, self.compute_dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        if not -len(input_shape) <= self.axis < len(input_shape):
            raise ValueError(f"Axis {self.axis} is out of bounds for input shape "
                             f"{tuple(input_shape)}. Received: axis={self.axis}")
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                       "center": self.center, "scale": self.scale})
        for name in ("beta", "gamma", "moving_mean", "moving_variance"):
            config[f"{name}_initializer"] = _serialize(getattr(self, f"{name}_initializer"))
        for part in ("regularizer", "constraint"):
            for name in ("beta", "gamma"):
                config[f"{name}_{part}"] = _serialize(getattr(self, f"{name}_{part}"))
        config.update({"synchronized": self.synchronized, "renorm": self.renorm,
                       "renorm_clipping": self.renorm_clipping,
                       "renorm_momentum": self.renorm_momentum})
        return config


@register_builtin("keras.layers")
class LayerNormalization(Layer):
    """Normalizes each example over ``axis`` (the last axis by default) to zero mean and unit
    variance, then scales by ``gamma`` and shifts by ``beta``."""

    def __init__(self, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 **kwargs):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn("You passed `rms_scaling=True`, which is deprecated: it scales the "
                          "input by the variance, not the root mean square. Use "
                          "`keras.layers.RMSNormalization` for RMS normalization.",
                          stacklevel=2)
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: {axis!r}")
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        self.rms_scaling = rms_scaling
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.autocast = False  # the statistics are computed in the input's own precision
        self.gamma = None
        self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if not -ndim <= a < ndim:
                raise IndexError(f"Axis {a} is out of bounds for input shape "
                                 f"{tuple(input_shape)}. Received: axis={self.axis}")
        self.axis = axes
        shape = tuple(input_shape[a] for a in axes)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(name="gamma", shape=shape,
                                         initializer=self.gamma_initializer,
                                         regularizer=self.gamma_regularizer,
                                         constraint=self.gamma_constraint, trainable=True)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(name="beta", shape=shape,
                                        initializer=self.beta_initializer,
                                        regularizer=self.beta_regularizer,
                                        constraint=self.beta_constraint, trainable=True)
        broadcast = [1] * ndim
        for a in axes:
            broadcast[a] = input_shape[a]
        # gamma/beta broadcast as they are only when they cover the trailing axis alone.
        self._param_shape = None if [a % ndim for a in axes] == [ndim - 1] else broadcast
        self.built = True

    def _shaped(self, v, dtype):
        if v is None:
            return None
        if v.dtype != dtype:
            v = nd.cast(v, dtype)
        return v if self._param_shape is None else nd.reshape(v, self._param_shape)

    def call(self, inputs):
        x = inputs if inputs.dtype.is_floating else nd.cast(inputs, "float32")
        x = _compute_dtype(x)
        gamma = self._shaped(self.gamma, x.dtype)
        mean, variance = nd.nn.moments(x, self.axis, keepdims=True)
        inv = nd.math.rsqrt(variance + self.epsilon)
        if self.rms_scaling:
            outputs = x * inv
            if gamma is not None:
                outputs = outputs * gamma
        else:
            if gamma is not None:
                inv = inv * gamma
            shift = -mean * inv
            if self.beta is not None:
                shift = shift + self._shaped(self.beta, x.dtype)
            outputs = x * inv + shift
        if outputs.dtype.name != self.compute_dtype:
            outputs = nd.cast(outputs, self.compute_dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if a >= len(input_shape) or a < -len(input_shape):
                raise ValueError(f"Axis {a} is out of bounds for input shape "
                                 f"{tuple(input_shape)}. Received: axis={self.axis}")
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                       "scale": self.scale, "rms_scaling": self.rms_scaling})
        config.update(_param_config(self))
        return config


@register_builtin("keras.layers")
class UnitNormalization(Layer):
    """Scales each example to unit L2 norm over ``axis``."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError("Invalid value for `axis` argument: expected an int or a "
                            f"list/tuple of ints. Received: axis={axis}")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        # x * min(rsqrt(sum(x^2)), 1/eps): Keras' L2 rule with eps = 1e-12.
        square_sum = nd.reduce_sum(nd.square(inputs), self.axis, keepdims=True)
        return inputs * nd.minimum(nd.math.rsqrt(square_sum), 1e12)

    def compute_output_shape(self, input_shape):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            if a >= len(input_shape) or a < -len(input_shape):
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape "
                                 f"{tuple(input_shape)}.")
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
