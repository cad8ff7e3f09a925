"""Cases for ndflow/ops/nn_ops.py and nn_loss_ops.py: activations, softmax, cross entropies,
moments, bias_add, embedding_lookup and batch_normalization."""
import math

import numpy as np

from opcases import ErrorCase, OpCase, positive, rand

F32 = np.float32
I32 = np.int32
SELU_SCALE, SELU_ALPHA = 1.0507009873554805, 1.6732632423543772


def second_order(f):
    """fn(tf, x, g, *rest): the gradient of f(x) with output gradient g, so that the outer
    check differentiates the gradient ops (ReluGrad, MaxPoolGrad, ...) in x and g."""
    def fn(tf, x, g, *rest):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(tf, x, *rest)
        return tape.gradient(y, x, output_gradients=g)
    return fn


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _log_softmax(x, axis=-1):
    return np.log(_softmax(x, axis))


def _stable_log_softmax(x):
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def probabilities(*shape, axis=-1, dtype=np.float64):
    """Random label distributions (TensorFlow's xent gradient assumes they sum to 1)."""
    p = positive(*shape)
    return (p / p.sum(axis=axis, keepdims=True)).astype(dtype)


def _gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _sparse_xent(labels, logits):
    logp = _log_softmax(logits)
    return -np.take_along_axis(logp, labels[..., None].astype(int), -1)[..., 0]


LABELS = np.array([1, 0, 4], I32)
ACTIVATION_INPUT = np.array([-3.0, -1.5, -0.25, 0.0, 0.25, 1.5, 5.5, 6.0, 7.5])

CASES = [
    # -- activations ---------------------------------------------------------------------------
    OpCase("relu", lambda tf, x: tf.nn.relu(x), [rand(3, 4)], ["Relu", "ReluGrad"],
           lambda x: np.maximum(x, 0), grad=True),
    # Kinks (0 for relu, 0 and 6 for relu6) are checked against TensorFlow in test_nn.py;
    # finite differences are meaningless there.
    OpCase("relu_at_zero_f32", lambda tf, x: tf.nn.relu(x), [ACTIVATION_INPUT.astype(F32)],
           ["Relu"], lambda x: np.maximum(x, 0)),
    OpCase("relu_int", lambda tf, x: tf.nn.relu(x), [np.array([-2, 0, 3], I32)], ["Relu"],
           lambda x: np.maximum(x, 0)),
    OpCase("relu_second_order", second_order(lambda tf, x: tf.nn.relu(x)),
           [rand(2, 3), rand(2, 3, seed=1)], ["ReluGrad"], grad=True),
    OpCase("relu6", lambda tf, x: tf.nn.relu6(x), [rand(3, 4, low=-3, high=9)],
           ["Relu6", "Relu6Grad"], lambda x: np.clip(x, 0, 6), grad=True),
    OpCase("relu6_edges_int", lambda tf, x: tf.nn.relu6(x), [np.array([-2, 0, 6, 9], I32)],
           ["Relu6"], lambda x: np.clip(x, 0, 6)),
    OpCase("relu6_second_order", second_order(lambda tf, x: tf.nn.relu6(x)),
           [rand(2, 3, low=-3, high=9), rand(2, 3, seed=1)], ["Relu6Grad"], grad=True),
    OpCase("elu", lambda tf, x: tf.nn.elu(x), [rand(3, 4)], ["Elu", "EluGrad"],
           lambda x: np.where(x > 0, x, np.expm1(x)), grad=True),
    OpCase("elu_f32", lambda tf, x: tf.nn.elu(x), [ACTIVATION_INPUT.astype(F32)], ["Elu"],
           lambda x: np.where(x > 0, x, np.expm1(x))),
    OpCase("elu_second_order", second_order(lambda tf, x: tf.nn.elu(x)),
           [rand(2, 3), rand(2, 3, seed=1)], ["EluGrad"], grad=True),
    OpCase("selu", lambda tf, x: tf.nn.selu(x), [rand(3, 4)], ["Selu", "SeluGrad"],
           lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x)), grad=True),
    OpCase("selu_second_order", second_order(lambda tf, x: tf.nn.selu(x)),
           [rand(2, 3), rand(2, 3, seed=1)], ["SeluGrad"], grad=True),
    OpCase("leaky_relu", lambda tf, x: tf.nn.leaky_relu(x), [rand(3, 4)],
           ["LeakyRelu", "LeakyReluGrad"], lambda x: np.where(x > 0, x, x * float(F32(0.2))),
           grad=True),
    OpCase("leaky_relu_alpha_f32", lambda tf, x: tf.nn.leaky_relu(x, alpha=0.5),
           [ACTIVATION_INPUT.astype(F32)], ["LeakyRelu"], lambda x: np.where(x > 0, x, x / 2)),
    OpCase("leaky_relu_int_to_float32", lambda tf, x: tf.nn.leaky_relu(x, 2),
           [np.array([-2, 0, 3], I32)], ["LeakyRelu", "Cast"],
           lambda x: np.where(x > 0, x, 2 * x).astype(F32)),
    OpCase("leaky_relu_second_order", second_order(lambda tf, x: tf.nn.leaky_relu(x, 0.3)),
           [rand(2, 3), rand(2, 3, seed=1)], ["LeakyReluGrad"], grad=True),
    OpCase("gelu", lambda tf, x: tf.nn.gelu(x), [rand(3, 4)], ["Mul", "Erfc"], _gelu,
           grad=True),
    OpCase("gelu_approximate_f32", lambda tf, x: tf.nn.gelu(x, approximate=True),
           [rand(5, dtype=F32)], ["Tanh", "Pow"], _gelu_tanh, grad=True),
    OpCase("silu", lambda tf, x: tf.nn.silu(x), [rand(3, 4)], ["Sigmoid", "Mul"],
           lambda x: x * _sigmoid(x), grad=True),
    OpCase("swish_beta", lambda tf, x: tf.nn.swish(x, beta=1.5), [rand(5)], ["Sigmoid"],
           lambda x: x * _sigmoid(1.5 * x), grad=True),
    OpCase("softmax", lambda tf, x: tf.nn.softmax(x), [rand(3, 4)], ["Softmax"], _softmax,
           grad=True),
    OpCase("softmax_axis0_f32", lambda tf, x: tf.nn.softmax(x, axis=0), [rand(3, 4, dtype=F32)],
           ["Softmax"], lambda x: _softmax(x, 0), grad=True),
    OpCase("softmax_large_logits", lambda tf, x: tf.nn.softmax(x),
           [np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1000.0, -999.0]])], ["Softmax"],
           _softmax),
    OpCase("log_softmax", lambda tf, x: tf.nn.log_softmax(x), [rand(3, 4)], ["LogSoftmax"],
           _log_softmax, grad=True),
    OpCase("log_softmax_axis1_3d", lambda tf, x: tf.nn.log_softmax(x, axis=1), [rand(2, 3, 2)],
           ["LogSoftmax"], lambda x: _log_softmax(x, 1), grad=True),
    OpCase("log_softmax_large_f32", lambda tf, x: tf.nn.log_softmax(x),
           [np.array([1000.0, 0.0, -1000.0], F32)], ["LogSoftmax"], _stable_log_softmax),

    # -- cross entropies ----------------------------------------------------------------------
    OpCase("softmax_xent", lambda tf, l, x: tf.nn.softmax_cross_entropy_with_logits(l, x),
           [probabilities(3, 5), rand(3, 5)], ["SoftmaxCrossEntropyWithLogits"],
           lambda l, x: -(l * _log_softmax(x)).sum(-1), grad=True),
    OpCase("softmax_xent_axis0_f32",
           lambda tf, l, x: tf.nn.softmax_cross_entropy_with_logits(l, x, axis=0),
           [probabilities(4, 3, axis=0, dtype=F32), rand(4, 3, dtype=F32)],
           ["SoftmaxCrossEntropyWithLogits"],
           lambda l, x: -(l * _log_softmax(x, 0)).sum(0), grad=True),
    OpCase("softmax_xent_1d", lambda tf, l, x: tf.nn.softmax_cross_entropy_with_logits(l, x),
           [probabilities(4), rand(4)], ["SoftmaxCrossEntropyWithLogits"],
           lambda l, x: -(l * _log_softmax(x)).sum(-1), grad=True),
    # TensorFlow's own gradient fails for broadcast labels (a reshape error), so only values.
    OpCase("softmax_xent_broadcast_labels",
           lambda tf, l, x: tf.nn.softmax_cross_entropy_with_logits(l, x),
           [positive(1, 4), rand(3, 4)], ["SoftmaxCrossEntropyWithLogits"],
           lambda l, x: -(l * _log_softmax(x)).sum(-1)),
    OpCase("softmax_xent_broadcast_grad",
           lambda tf, l, x: tf.nn.softmax_cross_entropy_with_logits(l, x),
           [probabilities(1, 4), rand(3, 4)], ["SoftmaxCrossEntropyWithLogits"], grad=True,
           tf=False),
    OpCase("softmax_xent_f16_labels_f64",
           lambda tf, l, x: tf.nn.softmax_cross_entropy_with_logits(l, x),
           [positive(2, 3), rand(2, 3, dtype=np.float16)], ["SoftmaxCrossEntropyWithLogits"],
           rtol=1e-3, atol=1e-3),
    # TensorFlow leaves out the labels term of the second derivative (d backprop / d labels
    # = -1), so this case is checked against finite differences only.
    OpCase("softmax_xent_second_order",
           second_order(lambda tf, x, l: tf.nn.softmax_cross_entropy_with_logits(l, x)),
           [rand(2, 3), rand(2), probabilities(2, 3)],
           ["SoftmaxCrossEntropyWithLogits", "Softmax"],
           grad=True, tf=False),
    OpCase("sparse_xent",
           lambda tf, x, l: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=l, logits=x),
           [rand(3, 5), LABELS], ["SparseSoftmaxCrossEntropyWithLogits"],
           lambda x, l: _sparse_xent(l, x), grad=True),
    OpCase("sparse_xent_int64_3d_f32",
           lambda tf, x, l: tf.nn.sparse_softmax_cross_entropy_with_logits(l, x),
           [rand(2, 2, 4, dtype=F32), np.array([[0, 3], [2, 2]], np.int64)],
           ["SparseSoftmaxCrossEntropyWithLogits"], lambda x, l: _sparse_xent(l, x), grad=True),
    OpCase("sparse_xent_second_order",
           second_order(lambda tf, x, l: tf.nn.sparse_softmax_cross_entropy_with_logits(l, x)),
           [rand(3, 5), rand(3), LABELS], ["SparseSoftmaxCrossEntropyWithLogits"], grad=True,
           wrt=[0, 1]),
    OpCase("sigmoid_xent",
           lambda tf, z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
           [rand(3, 4, low=0, high=1), rand(3, 4) * 5], ["Log1p", "Exp", "SelectV2"],
           lambda z, x: np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x))), grad=True),
    OpCase("sigmoid_xent_f32",
           lambda tf, z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
           [rand(5, dtype=F32, low=0, high=1), np.array([-200, -1, 0, 1, 200], F32)],
           ["Log1p"], lambda z, x: np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))),

    # -- moments, bias_add, embedding_lookup, batch_normalization --------------------------------
    OpCase("moments", lambda tf, x: tf.nn.moments(x, [0, 1]), [rand(3, 4, 2)],
           ["Mean", "SquaredDifference", "StopGradient"],
           lambda x: (x.mean((0, 1)), x.var((0, 1))), grad=True),
    OpCase("moments_keepdims_f32", lambda tf, x: tf.nn.moments(x, axes=[1], keepdims=True),
           [rand(3, 4, dtype=F32)], ["Mean"],
           lambda x: (x.mean(1, keepdims=True), x.var(1, keepdims=True)), grad=True),
    OpCase("moments_f16", lambda tf, x: tf.nn.moments(x, 0), [rand(4, 3, dtype=np.float16)],
           ["Mean", "Cast"], lambda x: (x.astype(F32).mean(0), x.astype(F32).var(0)),
           rtol=1e-3, atol=1e-3),
    OpCase("moments_int", lambda tf, x: tf.nn.moments(x, [1]),
           [np.array([[1, 2, 6], [4, 4, 5]], I32)], ["Mean"]),
    OpCase("bias_add", lambda tf, x, b: tf.nn.bias_add(x, b), [rand(2, 3, 4), rand(4)],
           ["BiasAdd", "BiasAddGrad"], lambda x, b: x + b, grad=True),
    OpCase("bias_add_nchw", lambda tf, x, b: tf.nn.bias_add(x, b, data_format="NCHW"),
           [rand(2, 3, 2, 2), rand(3)], ["BiasAdd", "BiasAddGrad"],
           lambda x, b: x + b[:, None, None], grad=True),
    OpCase("bias_add_ncw_int", lambda tf, x, b: tf.nn.bias_add(x, b, data_format="NCW"),
           [rand(2, 3, 4, dtype=I32, low=-5, high=5), np.array([1, 2, 3], I32)], ["BiasAdd"],
           lambda x, b: x + b[:, None]),
    OpCase("bias_add_second_order",
           second_order(lambda tf, b, x: tf.nn.bias_add(x * x, b, data_format="NCHW")),
           [rand(3), rand(2, 3, 2), rand(2, 3, 2)], ["BiasAddGrad", "BroadcastTo"], grad=True,
           wrt=[1]),
    OpCase("embedding_lookup", lambda tf, p, i: tf.nn.embedding_lookup(p, i),
           [rand(5, 3), np.array([[0, 4], [2, 2]], I32)], ["GatherV2"], lambda p, i: p[i],
           grad=True),
    OpCase("embedding_lookup_max_norm",
           lambda tf, p, i: tf.nn.embedding_lookup(p, i, max_norm=1.5),
           [rand(5, 3), np.array([1, 3, 3], I32)], ["GatherV2", "Maximum"],
           lambda p, i: p[i] * 1.5 / np.maximum(np.linalg.norm(p[i], axis=-1, keepdims=True),
                                                1.5), grad=True),
    OpCase("batch_normalization",
           lambda tf, x, m, v, o, s: tf.nn.batch_normalization(x, m, v, o, s, 1e-3),
           [rand(4, 3), rand(3), positive(3), rand(3), rand(3)], ["Rsqrt"],
           lambda x, m, v, o, s: (x - m) * s / np.sqrt(v + 1e-3) + o, grad=True),
    OpCase("batch_normalization_no_offset_scale",
           lambda tf, x, m, v: tf.nn.batch_normalization(x, m, v, None, None, 0.01),
           [rand(2, 3, dtype=F32), rand(3, dtype=F32), positive(3, dtype=F32)], ["Rsqrt"],
           lambda x, m, v: (x - m) / np.sqrt(v + 0.01)),

    # -- errors ---------------------------------------------------------------------------------
    ErrorCase("elu_int", lambda tf, x: tf.nn.elu(x), [np.array([1, 2], I32)],
              "InvalidArgumentError"),
    ErrorCase("selu_int", lambda tf, x: tf.nn.selu(x), [np.array([1, 2], I32)],
              "InvalidArgumentError"),
    ErrorCase("gelu_int", lambda tf, x: tf.nn.gelu(x), [np.array([1, 2], I32)], "ValueError"),
    ErrorCase("softmax_int", lambda tf, x: tf.nn.softmax(x), [np.array([1, 2], I32)],
              "InvalidArgumentError"),
    ErrorCase("softmax_scalar", lambda tf, x: tf.nn.softmax(x), [np.array(1.0)],
              "InvalidArgumentError"),
    ErrorCase("log_softmax_scalar", lambda tf, x: tf.nn.log_softmax(x), [np.array(1.0)],
              "InvalidArgumentError"),
    ErrorCase("softmax_bad_axis", lambda tf, x: tf.nn.softmax(x, axis=2), [rand(2, 3)],
              "InvalidArgumentError"),
    ErrorCase("bias_add_channel_mismatch", lambda tf, x, b: tf.nn.bias_add(x, b),
              [rand(2, 3), rand(4)], "InvalidArgumentError"),
    ErrorCase("bias_add_1d_value", lambda tf, x, b: tf.nn.bias_add(x, b), [rand(3), rand(3)],
              "InvalidArgumentError"),
    ErrorCase("bias_add_2d_bias", lambda tf, x, b: tf.nn.bias_add(x, b),
              [rand(2, 3), rand(1, 3)], "InvalidArgumentError"),
    ErrorCase("bias_add_bad_format", lambda tf, x, b: tf.nn.bias_add(x, b, data_format="XYZ"),
              [rand(2, 3), rand(3)], "ValueError"),
    ErrorCase("bias_add_dtype_mismatch", lambda tf, x, b: tf.nn.bias_add(x, b),
              [rand(2, 3, dtype=F32), rand(3)], "InvalidArgumentError"),
    ErrorCase("softmax_xent_shape_mismatch",
              lambda tf, l, x: tf.nn.softmax_cross_entropy_with_logits(l, x),
              [rand(2, 4), rand(2, 3)], "InvalidArgumentError"),
    ErrorCase("sparse_xent_label_too_large",
              lambda tf, x, l: tf.nn.sparse_softmax_cross_entropy_with_logits(l, x),
              [rand(2, 3), np.array([0, 3], I32)], "InvalidArgumentError"),
    ErrorCase("sparse_xent_negative_label",
              lambda tf, x, l: tf.nn.sparse_softmax_cross_entropy_with_logits(l, x),
              [rand(2, 3), np.array([0, -1], np.int64)], "InvalidArgumentError"),
    ErrorCase("sparse_xent_float_labels",
              lambda tf, x, l: tf.nn.sparse_softmax_cross_entropy_with_logits(l, x),
              [rand(2, 3), np.array([0.0, 1.0])], "InvalidArgumentError"),
    ErrorCase("sparse_xent_shape_mismatch",
              lambda tf, x, l: tf.nn.sparse_softmax_cross_entropy_with_logits(l, x),
              [rand(2, 3), np.array([0, 1, 1], I32)], "ValueError"),
    ErrorCase("sigmoid_xent_shape_mismatch",
              lambda tf, z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
              [rand(2), rand(3)], "ValueError"),
    ErrorCase("embedding_lookup_bad_id", lambda tf, p, i: tf.nn.embedding_lookup(p, i),
              [rand(4, 3), np.array([0, 4], I32)], "InvalidArgumentError"),
]

CASES.append(OpCase("l2_loss", lambda tf, x: tf.nn.l2_loss(x), [rand(2, 3)], ["Square", "Sum"],
                    lambda x: np.sum(x * x) / 2, grad=True))


def _keras_dense(activation):
    """fn(tf, x, kernel, bias): a Keras Dense layer with these weights applied to x (on ndflow
    an eager Dense runs as one _FusedMatMul op)."""
    def fn(tf, x, kernel, bias):
        layer = tf.keras.layers.Dense(int(kernel.shape[-1]), activation=activation,
                                      dtype=x.dtype.name)
        layer.build(tuple(x.shape))
        layer.kernel.assign(kernel)
        layer.bias.assign(bias)
        return layer(x)
    return fn


def _np_dense(x, kernel, bias, relu):
    out = x @ kernel + bias
    return np.maximum(out, 0) if relu else out


CASES += [
    OpCase("keras_dense_relu", _keras_dense("relu"), [rand(4, 3), rand(3, 5), rand(5)],
           ["_FusedMatMul", "MatMul", "Sum", "ReluGrad"],
           lambda x, k, b: _np_dense(x, k, b, True), grad=True, wrt=[0]),
    OpCase("keras_dense_linear", _keras_dense(None), [rand(4, 3, dtype=F32),
                                                      rand(3, 2, dtype=F32), rand(2, dtype=F32)],
           ["_FusedMatMul"], lambda x, k, b: _np_dense(x, k, b, False), grad=True, wrt=[0],
           grad_rtol=1e-2, grad_atol=1e-3),
]

# A NaN or inf output gradient reaches the input as NaN even where the ReLU is flat (TensorFlow
# multiplies by the mask).
_NAN_GRADS = np.array([[np.nan, 1.0, np.inf], [2.0, np.nan, -np.inf]])
CASES += [
    OpCase("relu_grad_of_nan", second_order(lambda tf, x: tf.nn.relu(x)),
           [np.array([[-1.0, 2.0, 0.0], [3.0, -2.0, 5.0]]), _NAN_GRADS], ["ReluGrad"],
           lambda x, g: g * (x > 0)),
    OpCase("relu6_grad_of_nan", second_order(lambda tf, x: tf.nn.relu6(x)),
           [np.array([[-1.0, 2.0, 0.0], [7.0, -2.0, 5.0]]), _NAN_GRADS], ["Relu6Grad"],
           lambda x, g: g * ((x > 0) & (x < 6))),
]

# Softmax over an empty axis is an empty result, as in TensorFlow.
CASES += [
    OpCase("softmax_empty_axis", lambda tf, x: tf.nn.softmax(x), [np.zeros((3, 0))], ["Softmax"],
           lambda x: x),
    OpCase("log_softmax_empty_axis", lambda tf, x: tf.nn.log_softmax(x), [np.zeros((3, 0))],
           ["LogSoftmax"], lambda x: x),
]
