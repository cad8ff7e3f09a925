"""Regression metrics: mean squared/absolute (percentage/logarithmic) error, RMSE, cosine
similarity, log-cosh and the R^2 score."""
import warnings

import numpy as np

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import Metric, register
from ndflow.keras.metrics.reduction_metrics import Mean, _FixedConfigWrapper, loss_function


@register
class MeanSquaredError(_FixedConfigWrapper):
    """The mean of ``(y_true - y_pred) ** 2`` over all samples seen."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(loss_function("mean_squared_error"), name=name, dtype=dtype)


@register
class MeanAbsoluteError(_FixedConfigWrapper):
    """The mean of ``|y_true - y_pred|`` over all samples seen."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(loss_function("mean_absolute_error"), name=name, dtype=dtype)


@register
class MeanAbsolutePercentageError(_FixedConfigWrapper):
    """The mean of ``100 * |y_true - y_pred| / max(|y_true|, epsilon)``."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(loss_function("mean_absolute_percentage_error"), name=name,
                         dtype=dtype)


@register
class MeanSquaredLogarithmicError(_FixedConfigWrapper):
    """The mean of ``(log(1 + y_pred) - log(1 + y_true)) ** 2`` (inputs floored at epsilon)."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(loss_function("mean_squared_logarithmic_error"), name=name,
                         dtype=dtype)


@register
class RootMeanSquaredError(Mean):
    """The square root of the running mean of ``(y_pred - y_true) ** 2``."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's squared errors."""
        y_true = mu.to_tensor(y_true, self.dtype)
        y_pred = mu.to_tensor(y_pred, self.dtype)
        y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(nd.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        """sqrt(mean squared error)."""
        return nd.sqrt(super().result())


def _l2_normalize(x, axis):
    # x * min(rsqrt(sum(x^2)), 1 / epsilon): Keras' form, which keeps all-zero vectors finite.
    square_sum = nd.reduce_sum(nd.square(x), axis=axis, keepdims=True)
    cap = nd.constant(1.0 / backend.epsilon(), dtype=x.dtype)
    return x * nd.minimum(nd.math.rsqrt(square_sum), cap)


@register
def cosine_similarity(y_true, y_pred, axis=-1):
    """The cosine of the angle between ``y_true`` and ``y_pred`` along ``axis`` (1 when
    they point the same way)."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.dtype)
    y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
    return nd.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


@register
class CosineSimilarity(_FixedConfigWrapper):
    """The mean cosine similarity between labels and predictions (along ``axis``)."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)


@register
class LogCoshError(_FixedConfigWrapper):
    """The mean of ``log(cosh(y_pred - y_true))``."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(loss_function("log_cosh"), name=name, dtype=dtype)


@register
class R2Score(Metric):
    """The coefficient of determination, ``1 - SS_res / SS_tot``, per output column.

    Args:
        class_aggregation: how the per-column scores combine: "uniform_average" (mean),
            "variance_weighted_average" (weighted by each column's variance) or None (one
            score per column).
        num_regressors: the number of independent variables; > 0 gives the adjusted R^2.
        name, dtype: as for every metric.

    Inputs must be 2-D: (batch_size, output_dim).
    """

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{valid}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), initializer="zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim), "
                             "with output_dim fully defined (not None). Received input "
                             f"shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        num_classes = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=[num_classes], initializer="zeros",
                                             name="squared_sum")
        self.sum = self.add_variable(shape=[num_classes], initializer="zeros", name="sum")
        self.total_mse = self.add_variable(shape=[num_classes], initializer="zeros",
                                           name="residual")
        self.count = self.add_variable(shape=[num_classes], initializer="zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's weighted sums, squared sums and squared residuals per column."""
        y_true = mu.to_tensor(y_true, self.dtype)
        y_pred = mu.to_tensor(y_pred, self.dtype)
        y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(mu.static_shape(y_true), mu.static_shape(y_pred))
        sample_weight = mu.to_tensor(1 if sample_weight is None else sample_weight, self.dtype)
        if mu.rank(sample_weight) == 1:
            sample_weight = nd.expand_dims(sample_weight, 1)
        sample_weight = nd.broadcast_to(sample_weight, nd.shape(y_true))
        weighted = y_true * sample_weight
        self.sum.assign(self.sum + nd.reduce_sum(weighted, axis=0))
        self.squared_sum.assign(self.squared_sum + nd.reduce_sum(y_true * weighted, axis=0))
        self.total_mse.assign(self.total_mse + nd.reduce_sum(
            nd.square(y_true - y_pred) * sample_weight, axis=0))
        self.count.assign(self.count + nd.reduce_sum(sample_weight, axis=0))
        self.num_samples.assign(self.num_samples + nd.cast(nd.size(y_true), self.dtype))

    def result(self):
        """The (aggregated, possibly adjusted) R^2 score."""
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw = 1 - self.total_mse / total
        raw = nd.where(nd.math.is_inf(raw), nd.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = nd.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = nd.reduce_sum(total * raw) / nd.reduce_sum(total)
        else:
            score = raw
        if self.num_regressors != 0:
            n_samples = float(self.num_samples.numpy())
            if self.num_regressors > n_samples - 1:
                warnings.warn("More independent predictors than datapoints in adjusted R2 "
                              "score. Falling back to standard R2 score.", stacklevel=2)
            elif self.num_regressors == n_samples - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard "
                              "R2 score.", stacklevel=2)
            else:
                n = nd.cast(self.num_samples, "float32")
                p = nd.constant(float(self.num_regressors), dtype="float32")
                score = 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)
        return score

    def reset_state(self):
        """Sets every accumulator back to zeros."""
        for v in self.variables:
            v.assign(np.zeros(v.shape.as_list(), dtype=v.dtype.as_numpy_dtype))

    def get_config(self):
        """name, dtype, class_aggregation and num_regressors."""
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}


