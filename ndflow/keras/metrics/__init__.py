"""``ndflow.keras.metrics``: Keras 3's metrics, metric functions, and ``get``/``serialize``/
``deserialize``; ``resolve_metric`` turns a ``compile(metrics=...)`` entry into a Metric."""
import difflib
import inspect

from ndflow.keras.metrics.metric import Metric, to_snake_case
from ndflow.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from ndflow.keras.metrics.regression_metrics import (
    CosineSimilarity, LogCoshError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredError, MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError,
    cosine_similarity)
from ndflow.keras.metrics.accuracy_metrics import (
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy, binary_accuracy,
    categorical_accuracy, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy)
from ndflow.keras.metrics.probabilistic_metrics import (
    BinaryCrossentropy, CategoricalCrossentropy, CategoricalHinge, Hinge, KLDivergence,
    Poisson, SparseCategoricalCrossentropy, SquaredHinge)
from ndflow.keras.metrics.confusion_metrics import (
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
    TruePositives)
from ndflow.keras.metrics.f_score_metrics import F1Score, FBetaScore
from ndflow.keras.metrics.correlation_metrics import (
    ConcordanceCorrelation, PearsonCorrelation, concordance_correlation, pearson_correlation)
from ndflow.keras.metrics.iou_metrics import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from ndflow.keras.saving import serialization_lib

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError,
    MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
    CosineSimilarity, LogCoshError, R2Score, AUC, FalseNegatives, FalsePositives, Precision,
    PrecisionAtRecall, Recall, RecallAtPrecision, SensitivityAtSpecificity,
    SpecificityAtSensitivity, TrueNegatives, TruePositives, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy, CategoricalAccuracy,
    SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore, PearsonCorrelation, ConcordanceCorrelation, IoU, MeanIoU, BinaryIoU,
    OneHotIoU, OneHotMeanIoU)

# Names accepted by get(): class names, their snake_case forms and the short aliases.
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})

# keras.metrics also exports these loss functions; they are looked up in the losses module
# on first use so the two modules do not depend on each other's import order.
_LOSS_FUNCTIONS = (
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber", "kl_divergence",
    "log_cosh", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "poisson", "sparse_categorical_crossentropy",
    "squared_hinge")
# tf.keras.metrics keeps the Keras 2 short names of some of them.
_LOSS_ALIASES = {
    "mse": "mean_squared_error", "MSE": "mean_squared_error",
    "mae": "mean_absolute_error", "MAE": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error", "MAPE": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error", "MSLE": "mean_squared_logarithmic_error",
    "kld": "kl_divergence", "KLD": "kl_divergence", "kullback_leibler_divergence":
    "kl_divergence", "logcosh": "log_cosh"}


def __getattr__(name):
    if name in _LOSS_FUNCTIONS or name in _LOSS_ALIASES:
        from ndflow.keras.metrics.reduction_metrics import loss_function
        return loss_function(_LOSS_ALIASES.get(name, name))
    raise AttributeError(f"module 'ndflow.keras.metrics' has no attribute '{name}'")


def serialize(metric):
    """The config dict of a metric (or the description of a metric function)."""
    return serialization_lib.serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    """The metric (or function) described by ``config`` (from ``serialize``, or a name)."""
    return serialization_lib.deserialize_keras_object(
        config, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT,
        module="keras.metrics", printable_module_name="metric function")


def get(identifier):
    """A metric from None (None), a name ('mse', 'AUC', 'binary_accuracy'...; classes are
    instantiated), a config dict, a class, an instance or a function (returned as is)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
        if obj is None:
            close = difflib.get_close_matches(identifier, sorted(ALL_OBJECTS_DICT), n=5)
            hint = f" Did you mean one of: {', '.join(close)}?" if close else ""
            raise ValueError(f"Could not interpret metric identifier: {identifier}{hint}")
    else:
        obj = identifier
    if callable(obj):
        if inspect.isclass(obj):
            obj = obj()
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def _shape(x):
    shape = getattr(x, "shape", None)
    if shape is None:
        import numpy as np
        return tuple(np.shape(x))
    return tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)


def is_binary_or_sparse_categorical(y_true, y_pred):
    """(is_binary, is_sparse_categorical) from the shapes, as Keras 3 decides them: binary
    when the prediction's last dimension is 1; sparse when the labels have fewer dimensions,
    or a last dimension of 1 against several predicted classes."""
    true_shape, pred_shape = _shape(y_true), _shape(y_pred)
    true_last = true_shape[-1] if true_shape else None
    pred_last = pred_shape[-1] if pred_shape else None
    is_binary = pred_last == 1
    is_sparse = len(true_shape) < len(pred_shape) or (
        true_last == 1 and pred_last is not None and pred_last > 1)
    return is_binary, is_sparse


def _object_name(obj):
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


def resolve_metric(identifier, y_true, y_pred, loss=None):
    """The Metric a ``compile(metrics=[...])`` entry stands for, given one output's targets
    and predictions.

    "accuracy"/"acc" (any case) become BinaryAccuracy, SparseCategoricalAccuracy or
    CategoricalAccuracy from the shapes (Keras 3 looks only at the shapes, not at ``loss``,
    which is accepted for the caller's convenience). Other strings go through ``get``; a
    metric named by a string keeps that string as its name (so 'mse' reports as 'mse').
    Metric instances are used as they are, classes are instantiated, and plain functions are
    wrapped in a MeanMetricWrapper named after the function.
    """
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if y_true is None:
        y_true = y_pred
    if str(identifier).lower() in ("accuracy", "acc"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            metric = BinaryAccuracy(name=str(identifier))
        elif is_sparse:
            metric = SparseCategoricalAccuracy(name=str(identifier))
        else:
            metric = CategoricalAccuracy(name=str(identifier))
    else:
        metric = get(identifier)
    name = identifier if isinstance(identifier, str) else _object_name(metric)
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    metric.name = name
    return metric


__all__ = sorted([cls.__name__ for cls in ALL_OBJECTS] + [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy", "cosine_similarity",
    "pearson_correlation", "concordance_correlation",
    "get", "serialize", "deserialize", "resolve_metric"] + list(_LOSS_FUNCTIONS) +
    list(_LOSS_ALIASES))
