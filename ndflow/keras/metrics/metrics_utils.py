"""Helpers shared by the metrics: conversion, rank matching, sample-weight reduction, top-k and
the confusion-matrix accumulation behind Precision, Recall, AUC and the TP/FP/TN/FN counters."""
import enum

import numpy as np

import ndflow as nd
from ndflow.keras import backend

NEG_INF = -1e10


def to_tensor(x, dtype=None):
    """``x`` as an ndflow tensor, cast to ``dtype`` when given."""
    if not nd.is_tensor(x) and not isinstance(x, nd.Variable):
        x = np.asarray(x)
        if dtype is None and x.dtype == np.float64:
            x = x.astype(backend.floatx())  # Python floats become floatx, as Keras' convert does
    x = nd.convert_to_tensor(x)
    if dtype is not None and x.dtype != nd.as_dtype(dtype):
        x = nd.cast(x, dtype)
    return x


def rank(x):
    """The static rank of a tensor, array or nested list."""
    shape = getattr(x, "shape", None)
    if shape is None:
        return np.ndim(x)
    return len(shape.as_list()) if hasattr(shape, "as_list") else len(shape)


def static_shape(x):
    """The static shape as a tuple (None for unknown dims)."""
    shape = getattr(x, "shape", None)
    if shape is None:
        return tuple(np.shape(x))
    return tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes two tensors' ranks agree when they differ by one trailing unit dimension."""
    r1, r2 = rank(x1), rank(x2)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and static_shape(x1)[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = nd.expand_dims(x2, -1)
        else:
            x1 = nd.squeeze(x1, -1)
    if r2 == r1 + 1 and static_shape(x2)[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = nd.expand_dims(x1, -1)
        else:
            x2 = nd.squeeze(x2, -1)
    return x1, x2


def mask_of(x):
    """The Keras mask attached to ``x`` (None when there is none)."""
    return getattr(x, "_keras_mask", None)


def apply_mask(sample_weight, mask, dtype):
    """Folds a boolean mask into the sample weights (masked entries weigh 0)."""
    if mask is None:
        return sample_weight
    float_mask = to_tensor(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = to_tensor(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype, mask=None):
    """Weights ``values`` and reduces them to one value per sample (Keras' Mean/Sum rule).

    The weights are matched to the values' rank, the values reduced with ``reduce_fn`` down to
    the weights' rank, the weights broadcast and multiplied in; weights of rank > 1 are then
    reduced to one per sample so that Mean divides by the right total.
    """
    dtype = dtype or backend.floatx()
    if mask is None:
        mask = mask_of(values)
    values = to_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = rank(sample_weight), rank(values)
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=list(range(weight_ndim, values_ndim)))
        sample_weight = nd.broadcast_to(sample_weight, nd.shape(values))
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=list(range(1, weight_ndim)))
    values_ndim = rank(values)
    if values_ndim > 1:
        values = reduce_fn(values, axis=list(range(1, values_ndim)))
    return values, sample_weight


def in_top_k(targets, predictions, k):
    """Whether each target class is among the ``k`` largest predictions of its row.

    Ties straddling the k-th place count as inside (TensorFlow's rule); a non-finite score or an
    out-of-range target is never inside.
    """
    predictions = to_tensor(predictions)
    num_classes = static_shape(predictions)[-1]
    targets = nd.cast(to_tensor(targets), "int32")
    hot = nd.cast(nd.one_hot(targets, num_classes), "bool")
    target_score = nd.reduce_sum(nd.where(hot, predictions, nd.zeros_like(predictions)), -1)
    above = nd.reduce_sum(nd.cast(nd.greater(predictions, nd.expand_dims(target_score, -1)),
                                  "int32"), -1)
    valid = nd.logical_and(nd.logical_and(nd.greater_equal(targets, 0),
                                          nd.less(targets, num_classes)),
                           nd.math.is_finite(target_score))
    return nd.logical_and(nd.less(above, k), valid)


def filter_top_k(x, k):
    """``x`` with everything outside each row's top ``k`` pushed down to NEG_INF."""
    _, idx = nd.math.top_k(x, k=k)
    keep = nd.reduce_sum(nd.one_hot(idx, static_shape(x)[-1], dtype=x.dtype), axis=-2)
    return x * keep + NEG_INF * (1 - keep)


# -- thresholds and confusion matrices ----------------------------------------------------------

def to_list(x):
    """``x`` as a list (a scalar becomes a one-item list)."""
    if isinstance(x, (list, tuple)):
        return list(x)
    if isinstance(x, np.ndarray):
        return list(x.reshape(-1))
    return [x]


def parse_init_thresholds(thresholds, default_threshold=0.5):
    """The thresholds as a list, checked to lie in [0, 1]."""
    if thresholds is not None:
        bad = [t for t in to_list(thresholds) if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    return to_list(default_threshold if thresholds is None else thresholds)


def is_evenly_distributed_thresholds(thresholds):
    """True for 3+ thresholds spaced evenly over [0, 1] (the fast bucketing path applies)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=backend.epsilon()))


class ConfusionMatrix(enum.Enum):
    """The four confusion-matrix cells."""
    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


def update_confusion_matrix_variables(variables_to_update, y_true, y_pred, thresholds,
                                      top_k=None, class_id=None, sample_weight=None,
                                      multi_label=False, label_weights=None,
                                      thresholds_distributed_evenly=False):
    """Adds one batch's (weighted) TP/FP/TN/FN counts per threshold to the given variables.

    ``variables_to_update`` maps ConfusionMatrix cells to variables of shape (T,) (or (T, L)
    with ``multi_label``). A prediction is positive at a threshold when it is strictly greater.
    """
    if multi_label and label_weights is not None:
        raise ValueError("`label_weights` for multilabel data should be handled outside of "
                         "`update_confusion_matrix_variables` when `multi_label` is True.")
    if not variables_to_update:
        return
    invalid = [key for key in variables_to_update if not isinstance(key, ConfusionMatrix)]
    if invalid:
        raise ValueError(f'Invalid keys: "{invalid}". Valid variable key options are: '
                         f'"{list(ConfusionMatrix)}"')
    dtype = next(iter(variables_to_update.values())).dtype
    y_true = to_tensor(y_true, dtype)
    y_pred = to_tensor(y_pred, dtype)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = nd.expand_dims(to_tensor(sample_weight, dtype), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if rank(y_pred) == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape "
                             f"(num_samples, num_classes), found shape: {static_shape(y_pred)}")
        y_true = y_true[..., class_id:class_id + 1]
        y_pred = y_pred[..., class_id:class_id + 1]
    if label_weights is not None:
        label_weights = to_tensor(label_weights, dtype)
    if thresholds_distributed_evenly:
        with_epsilon = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
        return _update_by_buckets(variables_to_update, y_true, y_pred, len(thresholds),
                                  multi_label, sample_weight, label_weights, with_epsilon)
    return _update_by_comparison(variables_to_update, y_true, y_pred, thresholds, multi_label,
                                 sample_weight, label_weights)


def _weights_like(y_pred, sample_weight, label_weights, multi_label):
    """The product of sample and label weights, shaped like y_pred (flat unless multi-label)."""
    weights = None
    if sample_weight is not None:
        weights = nd.broadcast_to(nd.cast(sample_weight, y_pred.dtype), nd.shape(y_pred))
    if label_weights is not None:
        lw = nd.broadcast_to(nd.expand_dims(label_weights, 0), nd.shape(y_pred))
        weights = lw if weights is None else weights * lw
    if weights is not None and not multi_label:
        weights = nd.reshape(weights, [-1])
    return weights


def _update_by_buckets(variables, y_true, y_pred, num_thresholds, multi_label, sample_weight,
                       label_weights, with_epsilon):
    # With evenly spaced thresholds a prediction's bucket is ceil(p * (T - 1)) - 1: it is
    # positive at every threshold up to that bucket. Summing labels per bucket and taking a
    # reversed cumulative sum gives all T counts in O(N + T) instead of O(N * T).
    weights = _weights_like(y_pred, sample_weight, label_weights, multi_label)
    y_pred = nd.clip_by_value(y_pred, 0.0, 1.0)
    y_true = nd.cast(nd.cast(y_true, "bool"), y_true.dtype)
    if not multi_label:
        y_true = nd.reshape(y_true, [-1])
        y_pred = nd.reshape(y_pred, [-1])
    true_labels = y_true if weights is None else y_true * nd.cast(weights, y_true.dtype)
    false_labels = (1.0 - y_true) if weights is None else \
        (1.0 - y_true) * nd.cast(weights, y_true.dtype)
    buckets = nd.ceil(y_pred * float(num_thresholds - 1)) - 1.0
    if with_epsilon:
        buckets = nd.maximum(buckets, 0.0)
    buckets = nd.cast(buckets, "int32")
    if multi_label:
        num_labels = static_shape(y_pred)[-1]
        # One segment block of T buckets per label: ids = label * T + bucket.
        offsets = nd.constant(np.arange(num_labels, dtype=np.int32) * num_thresholds)
        ids = nd.reshape(buckets + offsets, [-1])

        def per_bucket(labels):
            sums = nd.math.unsorted_segment_sum(nd.reshape(labels, [-1]), ids,
                                                num_labels * num_thresholds)
            sums = nd.reshape(sums, [num_labels, num_thresholds])
            return nd.transpose(nd.reverse(nd.cumsum(nd.reverse(sums, [1]), axis=1), [1]))
        total_true = nd.reduce_sum(true_labels, axis=0)
        total_false = nd.reduce_sum(false_labels, axis=0)
    else:
        def per_bucket(labels):
            sums = nd.math.unsorted_segment_sum(labels, buckets, num_thresholds)
            return nd.reverse(nd.cumsum(nd.reverse(sums, [0])), [0])
        total_true = nd.reduce_sum(true_labels)
        total_false = nd.reduce_sum(false_labels)
    tp = per_bucket(true_labels)
    fp = per_bucket(false_labels)
    cells = {ConfusionMatrix.TRUE_POSITIVES: lambda: tp,
             ConfusionMatrix.FALSE_POSITIVES: lambda: fp,
             ConfusionMatrix.TRUE_NEGATIVES: lambda: total_false - fp,
             ConfusionMatrix.FALSE_NEGATIVES: lambda: total_true - tp}
    for key, variable in variables.items():
        variable.assign(variable + nd.cast(cells[key](), variable.dtype))


def _update_by_comparison(variables, y_true, y_pred, thresholds, multi_label, sample_weight,
                          label_weights):
    # Compare every prediction with every threshold: (T, N*L) or, multi-label, (T, N, L).
    num_thresholds = len(thresholds)
    weights = _weights_like(y_pred, sample_weight, None if multi_label else label_weights,
                            multi_label)
    thr = nd.constant(thresholds.astype(y_pred.dtype.as_numpy_dtype))
    if multi_label:
        preds = nd.expand_dims(y_pred, 0)
        labels = nd.expand_dims(nd.cast(y_true, "bool"), 0)
        thr = nd.reshape(thr, [num_thresholds] + [1] * rank(y_pred))
    else:
        preds = nd.reshape(y_pred, [1, -1])
        labels = nd.reshape(nd.cast(y_true, "bool"), [1, -1])
        thr = nd.reshape(thr, [num_thresholds, 1])
        if weights is not None:
            weights = nd.reshape(weights, [1, -1])
    pred_pos = nd.greater(preds, thr)
    label_pos = nd.broadcast_to(labels, nd.shape(pred_pos))
    pred_neg, label_neg = nd.logical_not(pred_pos), nd.logical_not(label_pos)
    pairs = {ConfusionMatrix.TRUE_POSITIVES: (label_pos, pred_pos),
             ConfusionMatrix.FALSE_POSITIVES: (label_neg, pred_pos),
             ConfusionMatrix.TRUE_NEGATIVES: (label_neg, pred_neg),
             ConfusionMatrix.FALSE_NEGATIVES: (label_pos, pred_neg)}
    for key, variable in variables.items():
        label, pred = pairs[key]
        hit = nd.cast(nd.logical_and(label, pred), variable.dtype)
        if weights is not None:
            hit = hit * nd.cast(weights, variable.dtype)
        variable.assign(variable + nd.reduce_sum(hit, axis=1))

