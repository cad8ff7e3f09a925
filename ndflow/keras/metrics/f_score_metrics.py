"""F-scores: ``FBetaScore`` and ``F1Score`` for multi-class / multi-label predictions."""
import numpy as np

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import Metric, register


@register
class FBetaScore(Metric):
    """The F-beta score, ``(1 + beta^2) * P * R / (beta^2 * P + R)``, per class or averaged.

    Args:
        average: None (one score per class), "micro" (from global counts), "macro" (mean of
            the class scores) or "weighted" (class scores weighted by their support).
        beta: the weight of recall relative to precision (a float > 0).
        threshold: predictions above it are positive; None marks each row's maximum.
        name, dtype: as for every metric.

    Inputs must be 2-D: (batch_size, num_classes).
    """

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError("Invalid `average` argument value. Expected one of: {None, "
                             f"'micro', 'macro', 'weighted'}}. Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError("Invalid `beta` argument value. It should be a Python float. "
                             f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: "
                             f"beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape={y_pred_shape}"
                             f" and y_true.shape={y_true_shape}.")
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, "
                             "output_dim), with output_dim fully defined (not None). Received "
                             f"input shapes: y_pred.shape={y_pred_shape} and "
                             f"y_true.shape={y_true_shape}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, name, self.add_variable(shape=shape, initializer="zeros",
                                                  dtype=self.dtype, name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's (weighted) TP, FP, FN and label counts per class."""
        y_true = mu.to_tensor(y_true, self.dtype)
        y_pred = mu.to_tensor(y_pred, self.dtype)
        if not self._built:
            self._build(mu.static_shape(y_true), mu.static_shape(y_pred))
        if self.threshold is None:
            # The row maximum is the prediction (ties all count); all-zero rows predict nothing.
            row_max = nd.reduce_max(y_pred, axis=-1, keepdims=True)
            y_pred = nd.logical_and(nd.greater_equal(y_pred, row_max),
                                    nd.greater(nd.abs(y_pred), 1e-9))
        else:
            y_pred = nd.greater(y_pred, self.threshold)
        y_pred = nd.cast(y_pred, self.dtype)
        if sample_weight is not None:
            sample_weight = nd.expand_dims(mu.to_tensor(sample_weight, self.dtype), 1)

        def weighted_sum(value):
            if sample_weight is not None:
                value = value * sample_weight
            return nd.reduce_sum(value, axis=self.axis)

        self.true_positives.assign(self.true_positives + weighted_sum(y_pred * y_true))
        self.false_positives.assign(self.false_positives + weighted_sum(y_pred * (1 - y_true)))
        self.false_negatives.assign(self.false_negatives + weighted_sum((1 - y_pred) * y_true))
        self.intermediate_weights.assign(self.intermediate_weights + weighted_sum(y_true))

    def result(self):
        """The F-beta score(s)."""
        eps = backend.epsilon()
        tp = self.true_positives
        precision = tp / (tp + self.false_positives + eps)
        recall = tp / (tp + self.false_negatives + eps)
        beta_sq = self.beta ** 2
        score = precision * recall / (beta_sq * precision + recall + eps) * (1 + beta_sq)
        if self.average == "weighted":
            weights = self.intermediate_weights / (nd.reduce_sum(self.intermediate_weights)
                                                   + eps)
            score = nd.reduce_sum(score * weights)
        elif self.average is not None:
            score = nd.reduce_mean(score)
        return score

    def reset_state(self):
        """Sets the counts back to zeros."""
        for v in self.variables:
            v.assign(np.zeros(v.shape.as_list(), dtype=v.dtype.as_numpy_dtype))

    def get_config(self):
        """name, dtype, average, beta and threshold."""
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


@register
class F1Score(FBetaScore):
    """The F1 score, the harmonic mean of precision and recall (FBetaScore with beta=1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        """name, dtype, average and threshold."""
        config = super().get_config()
        del config["beta"]
        return config
