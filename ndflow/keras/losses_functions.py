"""Keras 3's loss functions: ``fn(y_true, y_pred, ...)`` -> one loss value per sample.

Each casts ``y_true`` to ``y_pred``'s dtype and reduces over the last axis (or ``axis``).
Probabilities are clipped to [epsilon, 1 - epsilon] before logarithms, and ``from_logits``
paths use the stable fused cross-entropy ops, matching Keras' TensorFlow backend.
"""
import warnings

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.losses_base import squeeze_or_expand_to_same_rank, to_tensor
from ndflow.keras.saving import object_registration
from ndflow.ops.math_ops import static_shape


def _pair(y_true, y_pred, squeeze=True):
    """Predictions as a tensor and targets cast to their dtype (optionally rank-matched)."""
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, y_pred.dtype)
    if squeeze:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _const(value, like):
    return nd.constant(value, dtype=like.dtype)


def _clip_probs(x, high=True):
    eps = backend.epsilon()
    return nd.clip_by_value(x, _const(eps, x), _const(1.0 - eps if high else 1.0, x))


def mean_squared_error(y_true, y_pred):
    """mean((y_true - y_pred) ** 2, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return nd.reduce_mean(nd.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_true - y_pred|, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return nd.reduce_mean(nd.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|(y_true - y_pred) / max(|y_true|, epsilon)|, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    denom = nd.maximum(nd.abs(y_true), _const(backend.epsilon(), y_pred))
    return 100.0 * nd.reduce_mean(nd.abs((y_true - y_pred) / denom), axis=-1)


def mean_squared_logarithmic_error(y_true, y_pred):
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)) ** 2, axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = _const(backend.epsilon(), y_pred)
    first = nd.log(nd.maximum(y_pred, eps) + 1.0)
    second = nd.log(nd.maximum(y_true, eps) + 1.0)
    return nd.reduce_mean(nd.square(first - second), axis=-1)


def _l2_normalize(x, axis):
    # x * min(rsqrt(sum(x**2)), 1/eps): Keras' form, which also bounds all-zero vectors.
    square_sum = nd.reduce_sum(nd.square(x), axis=axis, keepdims=True)
    inv_norm = nd.minimum(nd.math.rsqrt(square_sum), _const(1.0 / backend.epsilon(), x))
    return x * inv_norm


def cosine_similarity(y_true, y_pred, axis=-1):
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for identical directions."""
    y_true, y_pred = _pair(y_true, y_pred)
    y_pred = _l2_normalize(y_pred, axis)
    y_true = _l2_normalize(y_true, axis)
    return -nd.reduce_sum(y_true * y_pred, axis=axis)


def huber(y_true, y_pred, delta=1.0):
    """mean of 0.5 * e**2 where |e| <= delta, else delta * |e| - 0.5 * delta**2 (e = y_pred -
    y_true), over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    delta = _const(delta, y_pred)
    error = y_pred - y_true
    abs_error = nd.abs(error)
    half = _const(0.5, y_pred)
    return nd.reduce_mean(nd.where(abs_error <= delta, half * nd.square(error),
                                   delta * abs_error - half * nd.square(delta)), axis=-1)


def log_cosh(y_true, y_pred):
    """mean(log(cosh(y_pred - y_true)), axis=-1), as x + softplus(-2x) - log(2) (no overflow)."""
    y_true, y_pred = _pair(y_true, y_pred)
    log2 = nd.cast(nd.log(nd.constant(2.0)), y_pred.dtype)
    x = y_pred - y_true
    return nd.reduce_mean(x + nd.softplus(x * -2.0) - log2, axis=-1)


def _hinge_labels(y_true):
    # Labels that are all 0/1 are mapped to -1/1; other labels (already -1/1) are kept.
    is_binary = nd.reduce_all(nd.logical_or(nd.equal(y_true, 0.0), nd.equal(y_true, 1.0)))
    return nd.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0), axis=-1), with 0/1 labels mapped to -1/1."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = _hinge_labels(y_true)
    return nd.reduce_mean(nd.maximum(1.0 - y_true * y_pred, _const(0.0, y_pred)), axis=-1)


def squared_hinge(y_true, y_pred):
    """mean(max(1 - y_true * y_pred, 0) ** 2, axis=-1), with 0/1 labels mapped to -1/1."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = _hinge_labels(y_true)
    margin = nd.maximum(1.0 - y_true * y_pred, _const(0.0, y_pred))
    return nd.reduce_mean(nd.square(margin), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0) over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    pos = nd.reduce_sum(y_true * y_pred, axis=-1)
    neg = nd.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return nd.maximum(neg - pos + 1.0, _const(0.0, y_pred))


def kl_divergence(y_true, y_pred):
    """sum(y_true * log(y_true / y_pred), axis=-1), both clipped to [epsilon, 1]."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = _clip_probs(y_true, high=False)
    y_pred = _clip_probs(y_pred, high=False)
    return nd.reduce_sum(y_true * nd.log(y_true / y_pred), axis=-1)


def poisson(y_true, y_pred):
    """mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    eps = _const(backend.epsilon(), y_pred)
    return nd.reduce_mean(y_pred - y_true * nd.log(y_pred + eps), axis=-1)


def _logits_of(output, from_logits, activation, fn_name):
    """The logits behind ``output`` when an activation recorded them (Keras computes
    cross-entropies from them then), else ``output`` itself."""
    logits = getattr(output, "_keras_logits", None)
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(f'"`{fn_name}` received `from_logits=True`, but the `output` argument was '
                      f"produced by a {activation} activation and thus does not represent "
                      "logits. Was this intended?", stacklevel=3)
    return logits, True


def _check_same_shape(target, output):
    t, o = target.shape, output.shape
    if t.rank is None or o.rank is None:
        return
    if t.rank != o.rank:
        raise ValueError("Arguments `target` and `output` must have the same rank (ndim). "
                         f"Received: target.shape={t}, output.shape={o}")
    for a, b in zip(t.as_list(), o.as_list()):
        if a is not None and b is not None and a != b:
            raise ValueError("Arguments `target` and `output` must have the same shape. "
                             f"Received: target.shape={t}, output.shape={o}")


def _binary_xent(target, output, from_logits):
    _check_same_shape(target, output)
    output, from_logits = _logits_of(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return nd.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _clip_probs(output)
    bce = target * nd.log(output)
    bce = bce + (1.0 - target) * nd.log(1.0 - output)
    return -bce


def _smooth_binary(y_true, label_smoothing):
    return y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """mean over ``axis`` of -(y log p + (1 - y) log(1 - p)); p clipped to [eps, 1 - eps], or
    computed stably from logits. ``label_smoothing`` moves labels towards 0.5."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    if label_smoothing:
        y_true = _smooth_binary(y_true, label_smoothing)
    return nd.reduce_mean(_binary_xent(y_true, y_pred, from_logits), axis=axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1):
    """Binary cross-entropy scaled by (1 - p_t) ** gamma (and by alpha / 1 - alpha for
    positives / negatives with ``apply_class_balancing``), averaged over ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    if label_smoothing:
        y_true = _smooth_binary(y_true, label_smoothing)
    if from_logits:
        # Keras' sigmoid keeps its logits, so the cross-entropy term is the stable one.
        bce = _binary_xent(y_true, y_pred, True)
        y_pred = nd.sigmoid(y_pred)
    else:
        bce = _binary_xent(y_true, y_pred, False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal_bce = nd.pow(1.0 - p_t, _const(gamma, y_pred)) * bce
    if apply_class_balancing:
        weight = y_true * alpha + (1.0 - y_true) * (1.0 - alpha)
        focal_bce = weight * focal_bce
    return nd.reduce_mean(focal_bce, axis=axis)


def _check_axis(axis):
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type "
                         f"{type(axis)}")


def _categorical_prep(y_true, y_pred, label_smoothing, axis, fn_name):
    _check_axis(axis)
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    if y_pred.shape.rank and y_pred.shape[-1] == 1:
        warnings.warn(f"In loss {fn_name}, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={y_pred.shape}. Consider "
                      "using 'binary_crossentropy' if you only have 2 classes.", SyntaxWarning,
                      stacklevel=3)
    if label_smoothing:
        num_classes = nd.cast(nd.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - label_smoothing) + _const(label_smoothing, y_pred) / num_classes
    return y_true, y_pred


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(p), axis) with p = y_pred renormalised and clipped, or the stable
    softmax cross-entropy of logits. ``label_smoothing`` mixes labels with the uniform
    distribution over classes."""
    y_true, y_pred = _categorical_prep(y_true, y_pred, label_smoothing, axis,
                                       "categorical_crossentropy")
    if y_true.shape.rank is not None and y_true.shape.rank < 1:
        raise ValueError("Arguments `target` and `output` must be at least rank 1. Received: "
                         f"target.shape={y_true.shape}, output.shape={y_pred.shape}")
    _check_same_shape(y_true, y_pred)
    output, from_logits = _logits_of(y_pred, from_logits, "Softmax", "categorical_crossentropy")
    if from_logits:
        return nd.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=output, axis=axis)
    output = output / nd.reduce_sum(output, axis=axis, keepdims=True)
    output = _clip_probs(output)
    return -nd.reduce_sum(y_true * nd.log(output), axis=axis)


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False,
                                   label_smoothing=0.0, axis=-1):
    """Categorical cross-entropy with each class term scaled by alpha * (1 - p) ** gamma."""
    y_true, y_pred = _categorical_prep(y_true, y_pred, label_smoothing, axis,
                                       "categorical_focal_crossentropy")
    if from_logits:
        y_pred = nd.nn.softmax(y_pred, axis=axis)
    output = y_pred / nd.reduce_sum(y_pred, axis=axis, keepdims=True)
    output = _clip_probs(output)
    cce = -y_true * nd.log(output)
    weighting = nd.pow(1.0 - output, _const(gamma, output)) * alpha
    return nd.reduce_sum(weighting * cce, axis=axis)


def _sparse_xent(target, output, from_logits, axis):
    out_dims = static_shape(output)
    rank = None if out_dims is None else len(out_dims)
    if axis != -1 and (rank is None or axis != rank - 1):
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    output, from_logits = _logits_of(output, from_logits, "Softmax",
                                     "sparse_categorical_crossentropy")
    target = nd.cast(target, nd.int64)
    target_dims = static_shape(target)
    if target_dims and len(target_dims) == rank and target_dims[-1] == 1:
        target = nd.squeeze(target, axis=[-1])
        target_dims = target_dims[:-1]
    if rank is not None and rank < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: "
                         f"output.shape={output.shape}")
    if target_dims is not None and rank is not None:
        if len(target_dims) != rank - 1:
            raise ValueError("Argument `output` must have rank (ndim) `target.ndim - 1`. "
                             f"Received: target.shape={target.shape}, "
                             f"output.shape={output.shape}")
        for a, b in zip(target_dims, out_dims[:-1]):
            if a is not None and b is not None and a != b:
                raise ValueError("Arguments `target` and `output` must have the same shape up "
                                 f"until the last dimension: target.shape={target.shape}, "
                                 f"output.shape={output.shape}")
    if not from_logits:
        output = nd.log(_clip_probs(output))
    return nd.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


def sparse_categorical_crossentropy_with_mask(y_true, y_pred, from_logits=False,
                                              ignore_class=None, axis=-1):
    """``(values, valid_mask)``: the sparse cross-entropy and, with ``ignore_class``, the
    boolean mask of entries whose label is not ``ignore_class`` (else None)."""
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true)
    if y_true.shape.rank == y_pred.shape.rank and y_true.shape[axis] == 1:
        y_true = nd.squeeze(y_true, axis=[axis])
    if ignore_class is None:
        return _sparse_xent(y_true, y_pred, from_logits, axis), None
    rank = y_pred.shape.rank
    class_axis = axis % rank
    res_shape = [d for i, d in enumerate(y_pred.shape.as_list()) if i != class_axis]
    valid = nd.not_equal(nd.cast(y_true, y_pred.dtype), _const(ignore_class, y_pred))
    y_true = nd.where(valid, y_true, nd.zeros_like(y_true))
    y_pred = nd.where(nd.expand_dims(valid, class_axis), y_pred, nd.zeros_like(y_pred))
    res = _sparse_xent(y_true, y_pred, from_logits, axis)
    if None not in res_shape:
        valid = nd.reshape(valid, res_shape)
    res = nd.where(valid, res, nd.zeros_like(res))
    return res, valid


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    """The categorical cross-entropy with integer class labels: -log p[label], p clipped, or
    the stable form from logits. Entries labelled ``ignore_class`` give 0."""
    return sparse_categorical_crossentropy_with_mask(y_true, y_pred, from_logits, ignore_class,
                                                     axis)[0]


def dice(y_true, y_pred, axis=None):
    """1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + epsilon) over ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    intersection = nd.reduce_sum(y_true * y_pred, axis=axis)
    total = (nd.reduce_sum(y_true, axis=axis) + nd.reduce_sum(y_pred, axis=axis)
             + backend.epsilon())
    return 1.0 - (2.0 * intersection) / total


def tversky(y_true, y_pred, alpha=0.5, beta=0.5, axis=None):
    """1 - TP / (TP + alpha * FP + beta * FN + epsilon), with soft counts over ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    intersection = nd.reduce_sum(y_true * y_pred, axis=axis)
    fp = nd.reduce_sum((1.0 - y_pred) * y_true, axis=axis)
    fn = nd.reduce_sum(y_pred * (1.0 - y_true), axis=axis)
    return 1.0 - intersection / (intersection + fp * alpha + fn * beta + backend.epsilon())


def categorical_generalized_cross_entropy(y_true, y_pred, q):
    """(1 - p[label] ** q) / q for integer labels: robust to noisy labels."""
    y_pred = to_tensor(y_pred)
    one_hot = nd.one_hot(nd.cast(to_tensor(y_true), nd.int32), depth=y_pred.shape[-1],
                         dtype=y_pred.dtype)
    p = nd.reduce_sum(y_pred * one_hot, axis=-1)
    return (1.0 - nd.pow(p, _const(q, p))) / q


FUNCTIONS = (
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge, squared_hinge,
    categorical_hinge, kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
    dice, tversky, categorical_generalized_cross_entropy,
)

for _fn in FUNCTIONS:
    _fn._keras_module = "keras.losses"
    object_registration.register_builtin("keras.losses", _fn)
