"""The legacy tf.keras backend's shape, product, selection and cross-entropy functions
(``dot``, ``batch_dot``, ``switch``, ``binary_crossentropy``...), composed from ndflow ops;
``ndflow.keras.backend`` re-exports them."""
import numbers

import numpy as np

import ndflow as _nd
from ndflow.keras import backend as _backend
from ndflow.keras.backend_legacy import _like, _rank, _tensor


def _static(x):
    return _tensor(x).shape.as_list()


def reshape(x, shape):
    """``x`` with a new shape."""
    return _nd.reshape(x, shape)


def flatten(x):
    """``x`` as a vector."""
    return _nd.reshape(x, [-1])


def batch_flatten(x):
    """``x`` as (batch, everything else)."""
    rest = _static(x)[1:]
    if None in rest:
        return _nd.reshape(x, _nd.stack([_nd.shape(x)[0], -1]))
    return _nd.reshape(x, [-1, int(np.prod(rest))])


def expand_dims(x, axis=-1):
    """``x`` with a new axis of size 1 at ``axis``."""
    return _nd.expand_dims(x, axis)


def squeeze(x, axis):
    """``x`` without the size-1 axis ``axis``."""
    return _nd.squeeze(x, [axis])


def permute_dimensions(x, pattern):
    """``x`` with its axes reordered as ``pattern``."""
    return _nd.transpose(x, perm=list(pattern))


def concatenate(tensors, axis=-1):
    """Joins tensors along ``axis``."""
    return _nd.concat(list(tensors), axis=axis)


def stack(x, axis=0):
    """Stacks a list of tensors along a new ``axis``."""
    return _nd.stack(list(x), axis=axis)


def tile(x, n):
    """``x`` repeated ``n`` times (an int or one count per axis)."""
    return _nd.tile(x, [n] if isinstance(n, numbers.Integral) else list(n))


def repeat_elements(x, rep, axis):
    """Each slice along ``axis`` repeated ``rep`` times (np.repeat)."""
    return _nd.repeat(x, rep, axis=axis)


def gather(reference, indices):
    """Rows of ``reference`` at ``indices``."""
    return _nd.gather(reference, indices)


def one_hot(indices, num_classes):
    """One-hot encoding (floatx) along a new last axis."""
    return _nd.one_hot(indices, depth=num_classes, axis=-1)


def bias_add(x, bias, data_format=None):
    """``x + bias``, the bias laid along the channels axis of ``data_format``."""
    data_format = data_format or _backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    bias = _tensor(bias)
    bias_rank, x_rank = _rank(bias), _rank(x)
    if bias_rank != 1 and bias_rank != x_rank - 1:
        raise ValueError(f"Unexpected bias dimensions {bias_rank}, expected to be 1 or "
                         f"{x_rank - 1} dimensions")
    if data_format == "channels_first" and x_rank > 2:
        if bias_rank == 1:
            bias = _nd.reshape(bias, [-1] + [1] * (x_rank - 2))
        else:
            bias = _nd.transpose(bias, [bias_rank - 1] + list(range(bias_rank - 1)))
    return x + bias


def dot(x, y):
    """Keras' dot: contracts the last axis of ``x`` with the second-to-last axis of ``y``
    (the last one when ``y`` is a vector or matrix); batch axes of both are kept in order."""
    x, y = _tensor(x), _tensor(y)
    x_shape, y_shape = _static(x), _static(y)
    if len(x_shape) <= 2 and len(y_shape) <= 2:
        return _nd.linalg.matmul(x, y)
    depth = x_shape[-1]
    x_flat = _nd.reshape(x, [-1, depth])
    y_axes = list(range(len(y_shape)))
    contract = y_axes.pop(-2)
    y_flat = _nd.reshape(_nd.transpose(y, [contract] + y_axes), [depth, -1])
    out_shape = [-1 if d is None else d for d in x_shape[:-1] + y_shape[:-2] + y_shape[-1:]]
    return _nd.reshape(_nd.linalg.matmul(x_flat, y_flat), out_shape)


def _normalise_axes(axes, x_rank, y_rank):
    if axes is None:
        axes = [x_rank - 1, y_rank - 1 if y_rank == 2 else y_rank - 2]
    elif isinstance(axes, numbers.Integral):
        axes = [axes, axes]
    axes = [a % r if a < 0 else a for a, r in zip(axes, (x_rank, y_rank))]
    if 0 in axes:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not "
                         "batched, add a dummy batch dimension to your inputs via "
                         "K.expand_dims(x, 0)")
    return axes


def batch_dot(x, y, axes=None):
    """Per-sample dot product: for each batch entry, contracts ``x``'s axis ``axes[0]`` with
    ``y``'s ``axes[1]``; the result keeps x's other axes, then y's (at least (batch, 1))."""
    x, y = _tensor(x), _tensor(y)
    x_shape, y_shape = _static(x), _static(y)
    if len(x_shape) < 2 or len(y_shape) < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {tuple(x_shape)} and {tuple(y_shape)}.")
    x_axis, y_axis = _normalise_axes(axes, len(x_shape), len(y_shape))
    if x_shape[x_axis] is not None and y_shape[y_axis] is not None and \
            x_shape[x_axis] != y_shape[y_axis]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {tuple(x_shape)} and "
                         f"{tuple(y_shape)} with axes={axes}. x.shape[{x_axis}] != "
                         f"y.shape[{y_axis}] ({x_shape[x_axis]} != {y_shape[y_axis]}).")
    x_rest = [d for i, d in enumerate(x_shape) if i not in (0, x_axis)]
    y_rest = [d for i, d in enumerate(y_shape) if i not in (0, y_axis)]
    x_perm = [0] + [i for i in range(1, len(x_shape)) if i != x_axis] + [x_axis]
    y_perm = [0, y_axis] + [i for i in range(1, len(y_shape)) if i != y_axis]
    depth = x_shape[x_axis] or y_shape[y_axis] or -1
    x3 = _nd.reshape(_nd.transpose(x, x_perm), [-1, int(np.prod(x_rest)), depth])
    y3 = _nd.reshape(_nd.transpose(y, y_perm), [-1, depth, int(np.prod(y_rest))])
    out = _nd.linalg.matmul(x3, y3)
    out_shape = [-1] + x_rest + y_rest
    return _nd.reshape(out, out_shape if len(out_shape) > 1 else [-1, 1])


def switch(condition, then_expression, else_expression):
    """``then_expression`` where ``condition`` holds, else ``else_expression``. A scalar
    condition picks one whole branch (callables are called only when picked); a tensor
    condition of rank >= 2 is broadcast over the expressions' trailing axes, a vector one
    like an elementwise operand."""
    condition = _tensor(condition)
    if condition.dtype != _nd.bool:
        condition = _nd.cast(condition, _nd.bool)
    if _rank(condition) == 0:
        branch = then_expression if bool(condition.numpy()) else else_expression
        return branch() if callable(branch) else branch
    then_value = then_expression() if callable(then_expression) else then_expression
    else_value = else_expression() if callable(else_expression) else else_expression
    then_value, else_value = _tensor(then_value), _tensor(else_value)
    cond_rank, expr_rank = _rank(condition), _rank(then_value)
    if cond_rank > expr_rank:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         "`then_expression` and `else_expression`. ndim(condition)="
                         f"{cond_rank}, ndim(then_expression)={expr_rank}")
    if cond_rank > 1:
        # A matrix (or higher) condition lines up with the leading axes; a vector one
        # broadcasts over the trailing axis like any elementwise operand (Keras' rule).
        condition = _nd.reshape(condition, _nd.concat(
            [_nd.shape(condition), _nd.ones([expr_rank - cond_rank], dtype=_nd.int32)], 0))
        condition = _nd.broadcast_to(condition, _nd.shape(then_value))
    return _nd.where(condition, then_value, else_value)


# -- cross-entropies (elementwise or per sample, on probabilities unless from_logits) ---------

def _clipped(output):
    eps = _backend.epsilon()
    return _nd.clip_by_value(output, _like(eps, output), _like(1.0 - eps, output))


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise binary cross-entropy of probabilities (clipped to [eps, 1 - eps]) or
    logits."""
    output = _tensor(output)
    target = _nd.cast(target, output.dtype)
    if from_logits:
        return _nd.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _clipped(output)
    eps = _like(_backend.epsilon(), output)
    one = _like(1.0, output)
    return -(target * _nd.math.log(output + eps) +
             (one - target) * _nd.math.log(one - output + eps))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy of one-hot (or soft) targets along ``axis``; probabilities are rescaled
    to sum to 1 and clipped first."""
    output = _tensor(output)
    target = _nd.cast(target, output.dtype)
    if from_logits:
        log_probs = _nd.nn.log_softmax(output, axis=axis)
    else:
        output = output / _nd.reduce_sum(output, axis=axis, keepdims=True)
        log_probs = _nd.math.log(_clipped(output))
    return -_nd.reduce_sum(target * log_probs, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    """Cross-entropy of integer targets along ``axis``; entries whose target is
    ``ignore_class`` give 0."""
    output = _tensor(output)
    target = _nd.cast(target, _nd.int64)
    rank = _rank(output)
    axis = axis % rank
    if axis != rank - 1:
        output = _nd.transpose(output, [i for i in range(rank) if i != axis] + [axis])
    if _rank(target) == rank:
        target = _nd.squeeze(target, [-1])
    if from_logits:
        log_probs = _nd.nn.log_softmax(output, axis=-1)
    else:
        # Log of the clipped probabilities, renormalised (what a softmax of them computes).
        logits = _nd.math.log(_clipped(output))
        log_probs = logits - _nd.math.reduce_logsumexp(logits, axis=-1, keepdims=True)
    keep = None
    if ignore_class is not None:
        keep = _nd.not_equal(target, _nd.constant(ignore_class, _nd.int64))
        target = _nd.where(keep, target, _nd.zeros_like(target))
    depth = _static(output)[-1]
    loss = -_nd.reduce_sum(_nd.one_hot(target, depth, dtype=output.dtype) * log_probs,
                           axis=-1)
    if keep is not None:
        loss = loss * _nd.cast(keep, loss.dtype)
    return loss
