"""Accuracy metrics: exact match, binary (thresholded), categorical (argmax), sparse categorical
and top-k, as functions returning one 0/1 value per sample and as streaming means."""
import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import register
from ndflow.keras.metrics.reduction_metrics import _FixedConfigWrapper


def _matches(a, b):
    return nd.cast(nd.equal(a, b), backend.floatx())


@register
def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` exactly, else 0.0."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.dtype)
    y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _matches(y_true, y_pred)


@register
class Accuracy(_FixedConfigWrapper):
    """How often predictions equal labels exactly."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


@register
def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``(y_pred > threshold)`` equals the label, else 0.0."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true)
    y_true, y_pred = mu.squeeze_or_expand_to_same_rank(y_true, y_pred)
    threshold = nd.constant(threshold, dtype=y_pred.dtype)
    y_pred = nd.cast(nd.greater(y_pred, threshold), y_true.dtype)
    return _matches(y_true, y_pred)


@register
class BinaryAccuracy(_FixedConfigWrapper):
    """How often thresholded predictions (``y_pred > threshold``) equal binary labels."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    _config_keys = ("threshold",)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


@register
def categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of ``y_pred`` equals the argmax of the one-hot ``y_true``."""
    y_true = nd.argmax(mu.to_tensor(y_true), axis=-1)
    y_pred = mu.to_tensor(y_pred)
    y_true = nd.cast(y_true, y_pred.dtype)
    original_shape = nd.shape(y_true)
    reshape = False
    if mu.rank(y_true) == mu.rank(y_pred):
        # Happens only for 1-D inputs (the argmax removed one dimension of y_true).
        y_true = nd.squeeze(y_true, -1)
        reshape = True
    y_pred = nd.cast(nd.argmax(y_pred, axis=-1), y_true.dtype)
    matches = _matches(y_true, y_pred)
    return nd.reshape(matches, original_shape) if reshape else matches


@register
class CategoricalAccuracy(_FixedConfigWrapper):
    """How often the predicted class (argmax) equals the one-hot label's class."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


@register
def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the argmax of ``y_pred`` equals the integer label ``y_true``."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.dtype)
    original_shape = nd.shape(y_true)
    reshape = False
    if mu.rank(y_true) == mu.rank(y_pred) and mu.static_shape(y_true)[-1] == 1:
        y_true = nd.squeeze(y_true, -1)
        reshape = True
    y_pred = nd.cast(nd.argmax(y_pred, axis=-1), y_true.dtype)
    matches = _matches(y_true, y_pred)
    if reshape:
        matches = nd.reshape(matches, original_shape)
    if mu.rank(matches) > 1 and mu.static_shape(matches)[-1] == 1:
        matches = nd.squeeze(matches, -1)
    return matches


@register
class SparseCategoricalAccuracy(_FixedConfigWrapper):
    """How often the predicted class (argmax) equals the integer label."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


def _flatten_for_top_k(y_true, y_pred):
    """Predictions as (N, classes) and targets as (N,); the targets' shape to restore."""
    original_shape = nd.shape(y_true)
    reshape = False
    if mu.rank(y_pred) > 2:
        y_pred = nd.reshape(y_pred, [-1, mu.static_shape(y_pred)[-1]])
    if mu.rank(y_true) > 1:
        reshape = True
        y_true = nd.reshape(y_true, [-1])
    return y_true, y_pred, (original_shape if reshape else None)


@register
def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the ``k`` highest predictions."""
    y_pred = mu.to_tensor(y_pred)
    y_true = nd.argmax(mu.to_tensor(y_true, y_pred.dtype), axis=-1)
    y_true, y_pred, shape = _flatten_for_top_k(y_true, y_pred)
    matches = nd.cast(mu.in_top_k(nd.cast(y_true, "int32"), y_pred, k), backend.floatx())
    return nd.reshape(matches, shape) if shape is not None else matches


@register
class TopKCategoricalAccuracy(_FixedConfigWrapper):
    """How often the one-hot label's class is among the top ``k`` predictions."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    _config_keys = ("k",)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


@register
def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` highest predictions (or, with
    ``from_sorted_ids``, among the first ``k`` ids of each row of ``y_pred``)."""
    y_pred = mu.to_tensor(y_pred)
    y_true = mu.to_tensor(y_true, y_pred.dtype if from_sorted_ids else "int32")
    y_true, y_pred, shape = _flatten_for_top_k(y_true, y_pred)
    if from_sorted_ids:
        matches = nd.reduce_any(nd.equal(nd.expand_dims(y_true, 1), y_pred[:, :k]), axis=1)
    else:
        matches = mu.in_top_k(y_true, y_pred, k)
    matches = nd.cast(matches, backend.floatx())
    return nd.reshape(matches, shape) if shape is not None else matches


@register
class SparseTopKCategoricalAccuracy(_FixedConfigWrapper):
    """How often the integer label is among the top ``k`` predictions."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        """name, dtype, k (and from_sorted_ids when set)."""
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
