"""Cross-entropy losses on logits: softmax (dense and sparse labels) and sigmoid.

The softmax kernels return the loss and its gradient with respect to the logits (TensorFlow's
``backprop`` output) from one pass, so the gradient function only scales that output.
"""

import numpy as np

from ndflow.framework import dtypes as D, errors
from ndflow.ops import array_ops, math_ops as M
from ndflow.ops.inputs import as_tensor
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = []

_INT_LABELS = frozenset((D.int32, D.int64))


def _log_probabilities(xp, x, axis):
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def _softmax_xent_kernel(xp, features, labels, axis):
    name = "SoftmaxCrossEntropyWithLogits"
    try:
        xp.broadcast_shapes(features.shape, labels.shape)
    except ValueError:
        raise op_error(errors.InvalidArgumentError, name,
                       f"logits and labels must be broadcastable: logits_size="
                       f"{list(features.shape)} labels_size={list(labels.shape)}") from None
    if features.ndim == 0:
        raise op_error(errors.InvalidArgumentError, name, "logits must have >= 1 dimension")
    logp = _log_probabilities(xp, features, axis)
    loss = -(labels * logp).sum(axis=axis)
    return loss.astype(features.dtype, copy=False), xp.exp(logp) - labels


_ROW_STARTS = {}  # (rows, classes) -> the flat index of each row's first class
_UNSIGNED = {np.dtype(np.int32): np.dtype(np.uint32), np.dtype(np.int64): np.dtype(np.uint64)}


def _row_starts(xp, rows, classes):
    found = _ROW_STARTS.get((rows, classes))
    if found is None:
        found = xp.arange(rows) * classes
        if rows <= 4096:  # batch sizes recur; huge ones are not worth keeping
            if len(_ROW_STARTS) >= 64:  # many shapes (varying lengths): start afresh
                _ROW_STARTS.clear()
            _ROW_STARTS[rows, classes] = found
    return found


def _sparse_xent_kernel(xp, features, labels):
    name = "SparseSoftmaxCrossEntropyWithLogits"
    classes = features.shape[-1]
    # Viewed as unsigned, negative labels are huge: one comparison finds both kinds of bad label.
    if labels.size and xp.maximum.reduce(labels.view(_UNSIGNED[labels.dtype]),
                                         axis=None) >= classes:
        bad = labels[(labels < 0) | (labels >= classes)].reshape(-1)[0]
        values = " ".join(str(v) for v in labels.reshape(-1).tolist())
        raise op_error(errors.InvalidArgumentError, name,
                       f"Received a label value of {bad} which is outside the valid range of "
                       f"[0, {classes}).  Label values: {values}")
    # loss = log(sum(exp(shifted))) - shifted[label]; backprop = softmax - one_hot(label), with
    # each label's position in the flattened [rows, classes] arrays.
    shifted = features - xp.maximum.reduce(features, axis=-1, keepdims=True)
    backprop = xp.exp(shifted)
    sums = xp.add.reduce(backprop, axis=-1, keepdims=True)
    backprop /= sums
    at = _row_starts(xp, labels.size, classes) + labels.reshape(-1)
    loss = xp.log(sums.reshape(-1)) - shifted.reshape(-1)[at]
    backprop.reshape(-1)[at] -= 1
    return loss.reshape(labels.shape), backprop


SOFTMAX_XENT = register("SoftmaxCrossEntropyWithLogits", _softmax_xent_kernel,
                        same_dtype=(0, 1), allowed=D.FLOATING, num_outputs=2)
SPARSE_XENT = register("SparseSoftmaxCrossEntropyWithLogits", _sparse_xent_kernel,
                       allowed=D.FLOATING, num_outputs=2)


# -- public functions --------------------------------------------------------------------------

def _precise(logits):
    """float16 logits are computed in float32, as TensorFlow does."""
    return M.cast(logits, D.float32) if logits.dtype is D.float16 else logits


def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """-sum(labels * log_softmax(logits), axis): the cross entropy between each row of label
    probabilities and the softmax of the logits."""
    logits = as_tensor(logits)
    precise = _precise(logits)
    labels = M.cast(as_tensor(labels), precise.dtype)
    rank = logits.shape.rank
    axis = int(axis)
    if rank is not None and rank and not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, f"axis {axis} is out of range for logits of rank {rank}")
    loss, _ = execute(SOFTMAX_XENT, (precise, labels), {"axis": axis % rank if rank else -1})
    return M.cast(loss, D.float16) if logits.dtype is D.float16 else loss


def sparse_softmax_cross_entropy_with_logits(labels, logits, name=None):
    """-log_softmax(logits)[..., labels]: the cross entropy with integer class labels."""
    labels, logits = as_tensor(labels), as_tensor(logits)
    if labels.dtype not in _INT_LABELS:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'Tlabels' of {labels.dtype.name} is not in the list of "
                        f"allowed values: int32, int64 [Op:SparseSoftmaxCrossEntropyWithLogits]")
    label_dims, logit_dims = M.static_shape(labels), M.static_shape(logits)
    if logit_dims == ():
        raise ValueError(f"Logits cannot be scalars - received shape {logits.shape}.")
    if label_dims is not None and logit_dims is not None and label_dims != logit_dims[:-1]:
        raise ValueError(f"`labels.shape` must equal `logits.shape` except for the last "
                         f"dimension. Received: labels.shape={tuple(labels.shape.as_list())} and "
                         f"logits.shape={tuple(logits.shape.as_list())}")
    loss, _ = execute(SPARSE_XENT, (_precise(logits), labels))
    return M.cast(loss, D.float16) if logits.dtype is D.float16 else loss


def sigmoid_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """The logistic loss of ``logits`` against ``labels`` in [0, 1], computed stably as
    max(x, 0) - x * z + log(1 + exp(-|x|))."""
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided for "
                         "sigmoid_cross_entropy_with_logits")
    from ndflow.ops.array_ops import where, zeros_like
    from ndflow.ops.unary_ops import exp, log1p
    logits = as_tensor(logits)
    labels = as_tensor(labels)
    if logits.shape.as_list() != labels.shape.as_list():
        raise ValueError(f"`logits` and `labels` must have the same shape, received "
                         f"({tuple(logits.shape.as_list())} vs {tuple(labels.shape.as_list())}).")
    zeros = zeros_like(logits)
    positive = M.greater_equal(logits, zeros)
    relu_logits = where(positive, logits, zeros)
    neg_abs_logits = where(positive, M.negative(logits), logits)
    return M.add(M.subtract(relu_logits, M.multiply(logits, labels)), log1p(exp(neg_abs_logits)))


# -- gradients ---------------------------------------------------------------------------------

def _softmax_jacobian_product(logits, g, axis):
    """The product of softmax's Jacobian (at ``logits``) with ``g`` along ``axis``."""
    from ndflow.ops.nn_ops import softmax
    from ndflow.ops.reduce_ops import reduce_sum
    s = softmax(logits, axis)
    return M.multiply(M.subtract(g, reduce_sum(M.multiply(g, s), axis, keepdims=True)), s)


def _expand(dloss, like, axis):
    shape = like.shape.as_list()
    shape[axis] = 1
    return array_ops.reshape(dloss, shape)


# The loss's second output (the backprop term) is rarely differentiated; its gradient arrives
# as None then, and the softmax Jacobian product it would need is skipped.

@register_gradient("SoftmaxCrossEntropyWithLogits", missing_as_none=True)
def _softmax_xent_grad(op, dloss, dbackprop):
    from ndflow.ops.nn_ops import log_softmax
    logits, labels = op.inputs
    backprop = op.outputs[1]
    axis = op.get_attr("axis")
    if dloss is None:
        dloss = array_ops.zeros_like(op.outputs[0])
    g = _expand(dloss, backprop, axis)
    grad_logits = M.multiply(g, backprop)
    grad_labels = M.multiply(g, M.negative(log_softmax(logits, axis)))
    if dbackprop is not None:
        grad_logits = M.add(grad_logits, _softmax_jacobian_product(logits, dbackprop, axis))
        grad_labels = M.subtract(grad_labels, dbackprop)
    return M.unbroadcast(grad_logits, logits), M.unbroadcast(grad_labels, labels)


@register_gradient("SparseSoftmaxCrossEntropyWithLogits", missing_as_none=True)
def _sparse_xent_grad(op, dloss, dbackprop):
    logits = op.inputs[0]
    backprop = op.outputs[1]
    if dloss is None:
        dloss = array_ops.zeros_like(op.outputs[0])
    grad_logits = M.multiply(_expand(dloss, backprop, -1), backprop)
    if dbackprop is not None:
        grad_logits = M.add(grad_logits, _softmax_jacobian_product(logits, dbackprop, -1))
    return grad_logits, None
