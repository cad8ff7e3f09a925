"""Correlation metrics: Pearson's and Lin's concordance correlation, per sample along an axis,
averaged over the samples seen (``PearsonCorrelation``, ``ConcordanceCorrelation``)."""
import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import register
from ndflow.keras.metrics.reduction_metrics import _FixedConfigWrapper


def _prepare(y_true, y_pred):
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.dtype)
    return mu.squeeze_or_expand_to_same_rank(y_true, y_pred)


@register
def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's correlation coefficient of ``y_true`` and ``y_pred`` along ``axis`` (one value
    per sample; NaN where either side is constant, as in Keras)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    true_centered = y_true - nd.reduce_mean(y_true, axis=axis, keepdims=True)
    pred_centered = y_pred - nd.reduce_mean(y_pred, axis=axis, keepdims=True)
    true_scaled = true_centered / nd.math.reduce_std(true_centered, axis=axis, keepdims=True)
    pred_scaled = pred_centered / nd.math.reduce_std(pred_centered, axis=axis, keepdims=True)
    return nd.reduce_mean(true_scaled * pred_scaled, axis=axis)


@register
def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance correlation coefficient along ``axis``:
    ``2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))**2)`` (epsilon added below)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    true_mean = nd.reduce_mean(y_true, axis=axis, keepdims=True)
    pred_mean = nd.reduce_mean(y_pred, axis=axis, keepdims=True)
    true_var = nd.math.reduce_variance(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = nd.math.reduce_variance(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - true_mean) * (y_pred - pred_mean)
    denominator = true_var + pred_var + nd.square(true_mean - pred_mean)
    eps = nd.constant(backend.epsilon(), dtype=y_pred.dtype)
    return nd.reduce_mean(2.0 * covariance / (denominator + eps), axis=axis)


class _CorrelationMetric(_FixedConfigWrapper):
    """Shared body: the running (sample-weighted) mean of a per-sample correlation."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"
    _config_keys = ("axis",)

    def __init__(self, fn, name, dtype, axis):
        super().__init__(fn, name=name, dtype=dtype, axis=axis)
        self.axis = axis


@register
class PearsonCorrelation(_CorrelationMetric):
    """The mean of Pearson's correlation coefficient per sample along ``axis``."""

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(pearson_correlation, name, dtype, axis)


@register
class ConcordanceCorrelation(_CorrelationMetric):
    """The mean of Lin's concordance correlation coefficient per sample along ``axis``."""

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(concordance_correlation, name, dtype, axis)
