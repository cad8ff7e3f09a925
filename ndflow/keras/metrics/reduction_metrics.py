"""Streaming reductions: ``Sum``, ``Mean`` and ``MeanMetricWrapper`` (the mean of a function's
per-sample values), the base of most metrics."""
import importlib

import ndflow as nd
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import Metric, register
from ndflow.keras.saving import serialization_lib

# The loss functions live in the losses module; metrics reuse them rather than keep copies.
_LOSS_MODULES = ("ndflow.keras.losses", "ndflow.keras.losses_functions")


def loss_function(name):
    """The Keras loss function ``name`` (mean_squared_error, binary_crossentropy, ...)."""
    for module_name in _LOSS_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        fn = getattr(module, name, None)
        if fn is not None:
            return fn
    raise AttributeError(f"The loss function '{name}' is not available.")


def _mean(x, axis):
    return nd.reduce_mean(x, axis=axis)


def _sum(x, axis):
    return nd.reduce_sum(x, axis=axis)


@register
class Sum(Metric):
    """The running (weighted) sum of the given values.

    >>> m = Sum(); m.update_state([1, 3, 5, 7]); float(m.result())
    16.0
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")

    def update_state(self, values, sample_weight=None):
        """Adds the (weighted) values."""
        values, _ = mu.reduce_to_samplewise_values(values, sample_weight, _sum, self.dtype)
        self.total.assign_add(nd.reduce_sum(values))

    def reset_state(self):
        """Sets the total back to 0."""
        self.total.assign(nd.zeros((), dtype=self.total.dtype))

    def result(self):
        """The total."""
        return nd.identity(self.total)


@register
class Mean(Metric):
    """The running (weighted) mean: ``sum(values * w) / sum(w)``.

    With per-element values and per-sample weights each sample's values are averaged first;
    without weights every sample counts once.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype,
                                       name="count")

    def update_state(self, values, sample_weight=None):
        """Adds the batch's weighted values to the total and its weights to the count."""
        values, sample_weight = mu.reduce_to_samplewise_values(values, sample_weight, _mean,
                                                               self.dtype)
        self._accumulate(values, sample_weight)

    def _accumulate(self, values, sample_weight):
        """Adds per-sample values (already weighted) and their weights' total."""
        self.total.assign_add(nd.reduce_sum(values))
        if sample_weight is not None:
            num_samples = nd.reduce_sum(sample_weight)
        elif mu.rank(values) >= 1:
            num_samples = nd.shape(values)[0]
        else:
            num_samples = 1
        self.count.assign_add(nd.cast(num_samples, self.dtype))

    def reset_state(self):
        """Sets the total and the count back to 0."""
        self.total.assign(nd.zeros((), dtype=self.total.dtype))
        self.count.assign(nd.zeros((), dtype=self.count.dtype))

    def result(self):
        """total / count (0 before any update)."""
        return nd.math.divide_no_nan(self.total, nd.cast(self.count, self.dtype))


@register
class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
        fn: a function returning one value per sample (or per element).
        name: the metric's name.
        dtype: the dtype of the computations.
        **kwargs: extra keyword arguments passed to ``fn``.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        # A wrapped Keras loss (function or Loss object) is something to minimise.
        if getattr(fn, "_keras_module", None) == "keras.losses" or \
                getattr(type(fn), "_keras_module", None) == "keras.losses":
            self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Evaluates ``fn`` on the batch and folds the values into the mean."""
        mask = mu.mask_of(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = mu.apply_mask(sample_weight, mask, self.dtype)
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        """name, dtype, the serialized ``fn`` and its keyword arguments."""
        config = super().get_config()
        config["fn"] = serialization_lib.serialize_keras_object(self._fn)
        config.update(serialization_lib.serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        """The wrapper described by ``config`` (``fn`` deserialized)."""
        config = dict(config)
        if "fn" in config:
            config["fn"] = serialization_lib.deserialize_keras_object(
                config["fn"], module="keras.metrics")
        return cls(**config)


class _FixedConfigWrapper(MeanMetricWrapper):
    """A MeanMetricWrapper subclass whose config is only its name and dtype (plus the
    attributes listed in ``_config_keys``), as Keras' built-in wrappers report."""

    _config_keys = ()

    def get_config(self):
        """name, dtype and the metric's own arguments."""
        config = {"name": self.name, "dtype": self.dtype}
        for key in self._config_keys:
            config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config):
        """The metric described by ``config``."""
        return cls(**config)
