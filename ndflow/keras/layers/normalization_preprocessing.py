"""``Normalization``: the preprocessing layer that standardizes features with a mean and variance
given up front or learned by ``adapt(data)`` (re-exported by ``normalization``)."""
import itertools
import math

import numpy as np

import ndflow as nd
from ndflow.framework.tensor import Tensor
from ndflow.keras import backend
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin

__all__ = ["Normalization"]


def _first_of(batch):
    """The features of a batch that may be an (x, y[, sample_weight]) tuple."""
    if isinstance(batch, (tuple, list)) and batch and hasattr(batch[0], "shape"):
        return batch[0]
    return batch


@register_builtin("keras.layers")
class Normalization(Layer):
    """Computes ``(x - mean) / sqrt(variance)`` per position of ``axis`` (``invert=True``:
    ``mean + x * sqrt(variance)``). The statistics are given as ``mean``/``variance`` or
    computed by ``adapt(data)`` from an array, a tensor or an iterable of batches."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean = mean
        self.input_variance = variance
        self.invert = invert
        self.supports_masking = True
        self._build_input_shape = None
        self.mean = None
        self.variance = None
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be "
                             f"set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have "
                                 f"the same shape. Received: mean shape {np.shape(mean)} and "
                                 f"variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape):
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={input_shape}, "
                                 f"with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1
                                 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance",
                                                  shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            # Kept for weight-list compatibility with Keras (it is never updated there either).
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
            self.built = True
            self.finalize_state()
        else:
            mean = np.asarray(self.input_mean, dtype=np.float64)
            variance = np.asarray(self.input_variance, dtype=np.float64)
            if mean.ndim:
                # Align the given dimensions with the kept axes from the right.
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, variance = mean.reshape(expanded), variance.reshape(expanded)
            dtype = self.compute_dtype
            self.mean = nd.constant(np.broadcast_to(mean, self._broadcast_shape), dtype=dtype)
            self.variance = nd.constant(np.broadcast_to(variance, self._broadcast_shape),
                                        dtype=dtype)
            self._denominator = None
            self.built = True
        self._refresh()

    def _refresh(self):
        """Caches max(sqrt(variance), epsilon), the divisor every call needs."""
        if self.variance is not None:
            self._denominator = nd.maximum(nd.sqrt(self.variance), backend.epsilon())

    def finalize_state(self):
        """Turns the adapted weights into the broadcastable mean and variance ``call`` uses."""
        if self.input_mean is not None or not self.built:
            return
        self.mean = nd.cast(nd.reshape(self.adapt_mean, self._broadcast_shape),
                            self.compute_dtype)
        self.variance = nd.cast(nd.reshape(self.adapt_variance, self._broadcast_shape),
                                self.compute_dtype)
        self._refresh()

    def adapt(self, data):
        """Computes the mean and variance of ``data`` (NumPy array, tensor, or an iterable of
        batches, combined batch by batch) for each position of ``axis``."""
        iterable = False
        if isinstance(data, (np.ndarray, Tensor, nd.Variable)):
            input_shape = tuple(data.shape.as_list()) if hasattr(data.shape, "as_list") \
                else tuple(data.shape)
        elif hasattr(data, "__iter__"):
            iterable = True
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches). Expected at "
                                 "least one batch, e.g. layer.adapt([x]).")
            first = _first_of(first)
            if getattr(first, "shape", None) is None:
                raise TypeError("adapt() expects an iterable that yields arrays or tensors "
                                "with a `.shape` attribute. Got an element of type "
                                f"{type(first).__name__}.")
            shape = first.shape
            input_shape = tuple(shape.as_list() if hasattr(shape, "as_list") else shape)
            data = itertools.chain([first], batches)
        else:
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports "
                            "`np.ndarray`, tensors and iterables of batches.")
        if not self.built:
            self.build(input_shape)
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(f"The layer was built with input_shape="
                                     f"{self._build_input_shape}, but adapt() is being called "
                                     f"with data with an incompatible shape, "
                                     f"data.shape={input_shape}")
        if isinstance(data, np.ndarray):
            total_mean = np.mean(data, axis=self._reduce_axis)
            total_var = np.var(data, axis=self._reduce_axis)
        elif not iterable:
            total_mean, total_var = nd.nn.moments(data, list(self._reduce_axis))
        else:
            total_mean, total_var = self._adapt_batches(data)
        self.adapt_mean.assign(total_mean)
        self.adapt_variance.assign(total_var)
        self.finalize_state()

    def _adapt_batches(self, data):
        """Running mean and variance over batches (the pooled-variance update)."""
        total_mean = nd.zeros(self._mean_and_var_shape)
        total_var = nd.zeros(self._mean_and_var_shape)
        total_count = 0
        for batch in data:
            batch = nd.convert_to_tensor(np.asarray(_first_of(batch))
                                         if not isinstance(_first_of(batch), Tensor)
                                         else _first_of(batch), dtype=self.compute_dtype)
            shape = batch.shape.as_list()
            for d in self._keep_axis:
                if shape[d] != self._build_input_shape[d]:
                    raise ValueError(f"adapt() yielded a batch with incompatible shape. "
                                     f"Expected {self._build_input_shape}, got {tuple(shape)}.")
            batch_mean, batch_var = nd.nn.moments(batch, list(self._reduce_axis))
            count = math.prod(shape[d] for d in self._reduce_axis) if self._reduce_axis else 1
            total_count += count
            weight = float(count) / total_count
            keep = 1.0 - weight
            new_mean = total_mean * keep + batch_mean * weight
            total_var = ((total_var + (total_mean - new_mean) ** 2) * keep +
                         (batch_var + (batch_mean - new_mean) ** 2) * weight)
            total_mean = new_mean
        return total_mean, total_var

    def call(self, inputs):
        if self.mean is None:
            raise ValueError("You must call `.build(input_shape)` on the layer before using "
                             "it.")
        if inputs.dtype.name != self.compute_dtype:
            inputs = nd.cast(inputs, self.compute_dtype)
        if self.invert:
            return self.mean + inputs * self._denominator
        return (inputs - self.mean) / self._denominator

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"axis": self.axis, "invert": self.invert,
                       "mean": np.array(self.input_mean).tolist(),
                       "variance": np.array(self.input_variance).tolist()})
        return config

    def get_build_config(self):
        """The input shape the layer was built with (to rebuild it when loading)."""
        if self._build_input_shape:
            return {"input_shape": self._build_input_shape}
        return None

    def build_from_config(self, config):
        """Builds the layer from ``get_build_config()`` output."""
        if config:
            self.build(config["input_shape"])

    def set_weights(self, weights):
        """Sets mean, variance and count, then recomputes the derived statistics."""
        super().set_weights(weights)
        self.finalize_state()
