"""Cases for ndflow/ops/conv_ops.py and nn_pool_ops.py: convolutions and pooling, against
plain-loop NumPy references (deliberately naive, so they share nothing with the kernels).

Shapes are tiny: the gradient check costs two forward passes per input element.
"""
import numpy as np

from cases.nn_cases import second_order
from opcases import ErrorCase, OpCase, rand

F32 = np.float32
I32 = np.int32


def _pads(size, k, stride, rate, padding):
    """(out, before) for one spatial dimension, from TensorFlow's documented formulas."""
    eff = (k - 1) * rate + 1
    if padding == "VALID":
        return (size - eff) // stride + 1, 0
    if padding == "SAME":
        out = -(-size // stride)
        return out, max((out - 1) * stride + eff - size, 0) // 2
    before, after = padding
    return (size + before + after - eff) // stride + 1, before


def _padding_pair(padding, d):
    return padding if isinstance(padding, str) else tuple(padding[d + 1])


def _at(x, n, r, c, ch):
    """x[n, r, c, ch], or None outside the input (a padded position)."""
    if 0 <= r < x.shape[1] and 0 <= c < x.shape[2]:
        return x[n, r, c, ch]
    return None


def ref_conv2d(x, w, strides=(1, 1), padding="VALID", rates=(1, 1), depthwise=False):
    n, h, wd, c = x.shape
    kh, kw = w.shape[:2]
    oh, top = _pads(h, kh, strides[0], rates[0], _padding_pair(padding, 0))
    ow, left = _pads(wd, kw, strides[1], rates[1], _padding_pair(padding, 1))
    if depthwise:
        outs = [(ch, ch * w.shape[3] + m, m) for ch in range(c) for m in range(w.shape[3])]
    else:
        cg = w.shape[2]
        og = w.shape[3] // (c // cg)
        outs = [(o // og * cg + k, o, k) for o in range(w.shape[3]) for k in range(cg)]
    out = np.zeros((n, oh, ow, len({o for _, o, _ in outs})), x.dtype)
    for b in range(n):
        for r in range(oh):
            for q in range(ow):
                for ch, o, k in outs:
                    for i in range(kh):
                        for j in range(kw):
                            v = _at(x, b, r * strides[0] + i * rates[0] - top,
                                    q * strides[1] + j * rates[1] - left, ch)
                            if v is not None:
                                out[b, r, q, o] += v * (w[i, j, ch, k] if depthwise
                                                        else w[i, j, k, o])
    return out


def ref_conv2d_transpose(y, w, out_shape, stride, padding):
    n, h, wd, c = out_shape
    kh, kw = w.shape[:2]
    _, top = _pads(h, kh, stride, 1, padding)
    _, left = _pads(wd, kw, stride, 1, padding)
    out = np.zeros(out_shape, y.dtype)
    for b in range(n):
        for r in range(y.shape[1]):
            for q in range(y.shape[2]):
                for i in range(kh):
                    for j in range(kw):
                        rr, qq = r * stride + i - top, q * stride + j - left
                        if 0 <= rr < h and 0 <= qq < wd:
                            out[b, rr, qq] += w[i, j] @ y[b, r, q]
    return out


def ref_pool(x, k, stride, padding, reduce):
    n, h, wd, c = x.shape
    oh, top = _pads(h, k[0], stride[0], 1, _padding_pair(padding, 0))
    ow, left = _pads(wd, k[1], stride[1], 1, _padding_pair(padding, 1))
    out = np.zeros((n, oh, ow, c), x.dtype)
    for b in range(n):
        for r in range(oh):
            for q in range(ow):
                for ch in range(c):
                    values = [_at(x, b, r * stride[0] + i - top, q * stride[1] + j - left, ch)
                              for i in range(k[0]) for j in range(k[1])]
                    out[b, r, q, ch] = reduce([v for v in values if v is not None])
    return out


def _max(values):
    return max(values)


def _mean(values):
    return sum(values) / len(values)


X = rand(2, 5, 4, 2)
W = rand(3, 2, 2, 3)
EXPLICIT = [[0, 0], [1, 2], [0, 1], [0, 0]]
CASES = [
    # -- conv2d -------------------------------------------------------------------------------
    OpCase("conv2d_valid", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID"), [X, W],
           ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"], ref_conv2d, grad=True),
    OpCase("conv2d_same_stride2", lambda tf, x, w: tf.nn.conv2d(x, w, 2, "SAME"), [X, W],
           ["Conv2D"], lambda x, w: ref_conv2d(x, w, (2, 2), "SAME"), grad=True),
    OpCase("conv2d_same_strides_list", lambda tf, x, w: tf.nn.conv2d(x, w, [1, 2, 3, 1], "SAME"),
           [rand(1, 6, 7, 2), W], ["Conv2D"], lambda x, w: ref_conv2d(x, w, (2, 3), "SAME"),
           grad=True),
    OpCase("conv2d_explicit_padding", lambda tf, x, w: tf.nn.conv2d(x, w, [2, 1], EXPLICIT),
           [X, W], ["Conv2D"], lambda x, w: ref_conv2d(x, w, (2, 1), EXPLICIT), grad=True),
    OpCase("conv2d_f32", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "SAME"),
           [rand(2, 6, 6, 3, dtype=F32), rand(3, 3, 3, 4, dtype=F32)], ["Conv2D"],
           lambda x, w: ref_conv2d(x, w, padding="SAME"), grad=True, rtol=1e-4, atol=1e-5),
    OpCase("conv2d_f16", lambda tf, x, w: tf.nn.conv2d(x, w, 2, "VALID"),
           [rand(1, 5, 5, 2, dtype=np.float16), rand(2, 2, 2, 3, dtype=np.float16)], ["Conv2D"],
           lambda x, w: ref_conv2d(x, w, (2, 2)), rtol=1e-2, atol=1e-2),
    OpCase("conv2d_int32", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "SAME"),
           [rand(1, 4, 4, 2, dtype=I32, low=-5, high=5), rand(2, 2, 2, 3, dtype=I32, low=-3,
                                                               high=3)],
           ["Conv2D"], lambda x, w: ref_conv2d(x, w, padding="SAME")),
    OpCase("conv2d_dilated_same", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "SAME", dilations=2),
           [rand(1, 6, 5, 2), W], ["Conv2D"],
           lambda x, w: ref_conv2d(x, w, padding="SAME", rates=(2, 2))),
    OpCase("conv2d_dilated_stride2",
           lambda tf, x, w: tf.nn.conv2d(x, w, 2, "SAME", dilations=[2, 1]),
           [rand(1, 7, 6, 2), W], ["Conv2D"],
           lambda x, w: ref_conv2d(x, w, (2, 2), "SAME", (2, 1))),
    # TensorFlow's CPU Conv2DBackpropInput rejects dilations > 1, so the dilated gradient is
    # checked against finite differences only.
    OpCase("conv2d_dilated_grad",
           lambda tf, x, w: tf.nn.conv2d(x, w, 2, "SAME", dilations=[2, 1]),
           [rand(1, 5, 4, 2), rand(2, 2, 2, 2)], ["Conv2D"], grad=True, tf=False),
    OpCase("conv2d_grouped", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "SAME"),
           [rand(1, 4, 4, 4), rand(2, 2, 2, 6)], ["Conv2D"],
           lambda x, w: ref_conv2d(x, w, padding="SAME")),
    # TensorFlow's CPU kernels have no gradient for grouped convolutions.
    OpCase("conv2d_grouped_grad", lambda tf, x, w: tf.nn.conv2d(x, w, 2, "SAME"),
           [rand(1, 4, 3, 4), rand(2, 2, 2, 4)], ["Conv2D"], grad=True, tf=False),
    OpCase("conv2d_empty_output", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID"),
           [X, rand(6, 2, 2, 3)], ["Conv2D"], lambda x, w: np.zeros((2, 0, 3, 3))),
    OpCase("conv2d_extra_batch_dims", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID"),
           [rand(2, 1, 4, 4, 2), W], ["Conv2D", "Reshape"],
           lambda x, w: ref_conv2d(x[:, 0], w)[:, None]),
    OpCase("conv2d_filter_second_order",
           lambda tf, x, g, w: second_order(lambda tf, w, x: tf.nn.conv2d(x, w, 2, "SAME"))(
               tf, w, g, x),
           [rand(1, 4, 3, 2), rand(1, 2, 2, 3), rand(2, 2, 2, 3)], ["Conv2DBackpropFilter"],
           grad=True, wrt=[0, 1]),
    OpCase("conv1d", lambda tf, x, w: tf.nn.conv1d(x, w, 2, "SAME"),
           [rand(2, 7, 2), rand(3, 2, 3)], ["Conv2D", "Reshape"],
           lambda x, w: ref_conv2d(x[:, None], w[None], (1, 2), "SAME")[:, 0], grad=True),
    OpCase("conv1d_dilated_f32", lambda tf, x, w: tf.nn.conv1d(x, w, 1, "VALID", dilations=2),
           [rand(1, 7, 2, dtype=F32), rand(2, 2, 3, dtype=F32)], ["Conv2D"],
           lambda x, w: ref_conv2d(x[:, None], w[None], rates=(1, 2))[:, 0], atol=1e-5),
    OpCase("conv2d_transpose_same", lambda tf, y, w: tf.nn.conv2d_transpose(
               y, w, [2, 5, 4, 2], 2), [rand(2, 3, 2, 3), W],
           ["Conv2DBackpropInput", "Conv2DBackpropFilter", "Conv2D"],
           lambda y, w: ref_conv2d_transpose(y, w, (2, 5, 4, 2), 2, "SAME"), grad=True),
    OpCase("conv2d_transpose_valid_f32", lambda tf, y, w: tf.nn.conv2d_transpose(
               y, w, tf.constant([1, 7, 5, 2]), [2, 2], "VALID"),
           [rand(1, 3, 2, 3, dtype=F32), W.astype(F32)], ["Conv2DBackpropInput"],
           lambda y, w: ref_conv2d_transpose(y, w, (1, 7, 5, 2), 2, "VALID"), grad=True,
           atol=1e-5),
    OpCase("conv2d_transpose_second_order", second_order(
               lambda tf, y, w: tf.nn.conv2d_transpose(y, w, [1, 4, 3, 2], 2)),
           [rand(1, 2, 2, 3), rand(1, 4, 3, 2), rand(2, 2, 2, 3)],
           ["Conv2DBackpropInput", "Conv2D"], grad=True, wrt=[1, 2]),

    # -- depthwise ----------------------------------------------------------------------------
    OpCase("depthwise_same", lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
           [X, rand(2, 3, 2, 2)], ["DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropInput",
                                   "DepthwiseConv2dNativeBackpropFilter"],
           lambda x, w: ref_conv2d(x, w, padding="SAME", depthwise=True), grad=True),
    OpCase("depthwise_valid_stride2_f32",
           lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "VALID"),
           [rand(1, 5, 5, 3, dtype=F32), rand(2, 2, 3, 1, dtype=F32)], ["DepthwiseConv2dNative"],
           lambda x, w: ref_conv2d(x, w, (2, 2), depthwise=True), grad=True, atol=1e-5),
    OpCase("depthwise_dilated",
           lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME",
                                                   dilations=[2, 2]),
           [rand(1, 5, 4, 2), rand(2, 2, 2, 2)], ["DepthwiseConv2dNative"],
           lambda x, w: ref_conv2d(x, w, padding="SAME", rates=(2, 2), depthwise=True),
           grad=True),
    OpCase("depthwise_backprop_input", lambda tf, w, dy: tf.nn.depthwise_conv2d_backprop_input(
               [1, 4, 3, 2], w, dy, [1, 2, 2, 1], "SAME"),
           [rand(2, 2, 2, 2), rand(1, 2, 2, 4)], ["DepthwiseConv2dNativeBackpropInput"],
           grad=True),
    OpCase("depthwise_backprop_filter", lambda tf, x, dy: tf.nn.depthwise_conv2d_backprop_filter(
               x, [2, 2, 2, 2], dy, [1, 2, 2, 1], "SAME"),
           [rand(1, 4, 3, 2), rand(1, 2, 2, 4)], ["DepthwiseConv2dNativeBackpropFilter"],
           grad=True),

    # -- pooling ------------------------------------------------------------------------------
    OpCase("max_pool_valid", lambda tf, x: tf.nn.max_pool2d(x, 2, 2, "VALID"), [X],
           ["MaxPool", "MaxPoolGrad"], lambda x: ref_pool(x, (2, 2), (2, 2), "VALID", _max),
           grad=True),
    OpCase("max_pool_same_overlapping", lambda tf, x: tf.nn.max_pool2d(x, 3, [1, 2], "SAME"),
           [X], ["MaxPool"], lambda x: ref_pool(x, (3, 3), (1, 2), "SAME", _max), grad=True),
    # Tie-breaking of the gradient is compared with TensorFlow in test_nn.py.
    OpCase("max_pool_ties",
           lambda tf, x: tf.nn.max_pool2d(x, [1, 3, 3, 1], [1, 1, 1, 1], "SAME"),
           [np.ones((1, 4, 4, 1))], ["MaxPool"],
           lambda x: ref_pool(x, (3, 3), (1, 1), "SAME", _max)),
    OpCase("max_pool_explicit", lambda tf, x: tf.nn.max_pool2d(x, 3, 2, EXPLICIT), [X],
           ["MaxPool"], lambda x: ref_pool(x, (3, 3), (2, 2), EXPLICIT, _max), grad=True),
    OpCase("max_pool_int32", lambda tf, x: tf.nn.max_pool2d(x, 2, 1, "SAME"),
           [rand(1, 3, 3, 2, dtype=I32, low=-9, high=9)], ["MaxPool"],
           lambda x: ref_pool(x, (2, 2), (1, 1), "SAME", _max)),
    OpCase("max_pool_generic_f32", lambda tf, x: tf.nn.max_pool(x, 3, 2, "SAME"),
           [rand(2, 5, 4, 2, dtype=F32)], ["MaxPool"],
           lambda x: ref_pool(x, (3, 3), (2, 2), "SAME", _max), grad=True),
    OpCase("max_pool_1d", lambda tf, x: tf.nn.max_pool1d(x, 3, 2, "SAME"), [rand(2, 7, 2)],
           ["MaxPool", "Reshape"],
           lambda x: ref_pool(x[:, None], (1, 3), (1, 2), "SAME", _max)[:, 0], grad=True),
    OpCase("max_pool_second_order",
           second_order(lambda tf, x: tf.nn.max_pool2d(x, 2, 1, "SAME")),
           [rand(1, 3, 3, 2), rand(1, 3, 3, 2)], ["MaxPoolGrad", "MaxPoolGradGrad"], grad=True),
    OpCase("avg_pool_same", lambda tf, x: tf.nn.avg_pool2d(x, 3, 2, "SAME"), [X],
           ["AvgPool", "AvgPoolGrad"], lambda x: ref_pool(x, (3, 3), (2, 2), "SAME", _mean),
           grad=True),
    OpCase("avg_pool_valid_f32", lambda tf, x: tf.nn.avg_pool2d(x, [2, 3], 1, "VALID"),
           [rand(2, 4, 4, 2, dtype=F32)], ["AvgPool"],
           lambda x: ref_pool(x, (2, 3), (1, 1), "VALID", _mean), grad=True),
    OpCase("avg_pool_generic_1d", lambda tf, x: tf.nn.avg_pool(x, 2, 1, "SAME"),
           [rand(2, 5, 3)], ["AvgPool", "Reshape"],
           lambda x: ref_pool(x[:, None], (1, 2), (1, 1), "SAME", _mean)[:, 0], grad=True),
    OpCase("avg_pool_second_order",
           second_order(lambda tf, x: tf.nn.avg_pool2d(x, 2, 1, "SAME")),
           [rand(1, 3, 3, 2), rand(1, 3, 3, 2)], ["AvgPoolGrad", "AvgPool"], grad=True,
           wrt=[1]),

    # -- errors -------------------------------------------------------------------------------
    ErrorCase("conv2d_channel_mismatch", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "SAME"),
              [X, rand(2, 2, 3, 2)], "InvalidArgumentError"),
    ErrorCase("conv2d_bad_padding", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "FULL"), [X, W],
              "InvalidArgumentError"),
    ErrorCase("conv2d_lowercase_padding", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "same"),
              [X, W], "InvalidArgumentError"),
    ErrorCase("conv2d_strides_length_3", lambda tf, x, w: tf.nn.conv2d(x, w, [1, 2, 2], "SAME"),
              [X, W], "ValueError"),
    ErrorCase("conv2d_batch_stride", lambda tf, x, w: tf.nn.conv2d(x, w, [2, 1, 1, 1], "SAME"),
              [X, W], "UnimplementedError"),
    ErrorCase("conv2d_explicit_batch_padding",
              lambda tf, x, w: tf.nn.conv2d(x, w, 1, [[1, 0], [1, 1], [1, 1], [0, 0]]), [X, W],
              "InvalidArgumentError"),
    ErrorCase("conv2d_filter_too_large", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID"),
              [X, rand(7, 2, 2, 3)], "InvalidArgumentError"),
    ErrorCase("conv2d_rank3_input", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID"),
              [rand(5, 4, 2), W], "InvalidArgumentError"),
    ErrorCase("conv2d_dtype_mismatch", lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID"),
              [X.astype(F32), W], "InvalidArgumentError"),
    ErrorCase("conv2d_nchw_on_cpu",
              lambda tf, x, w: tf.nn.conv2d(x, w, 1, "VALID", data_format="NCHW"),
              [rand(1, 2, 5, 4), W], "UnimplementedError"),
    ErrorCase("depthwise_channel_mismatch",
              lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME"),
              [X, rand(2, 2, 3, 1)], "InvalidArgumentError"),
    ErrorCase("depthwise_int_strides",
              lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, 2, "SAME"),
              [X, rand(2, 2, 2, 1)], "TypeError"),
    ErrorCase("depthwise_int32", lambda tf, x, w: tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1],
                                                                        "SAME"),
              [rand(1, 3, 3, 2, dtype=I32), rand(2, 2, 2, 1, dtype=I32)],
              "InvalidArgumentError"),
    ErrorCase("conv2d_transpose_bad_output_size",
              lambda tf, y, w: tf.nn.conv2d_transpose(y, w, [1, 9, 9, 2], 2, "VALID"),
              [rand(1, 3, 3, 3), W], "InvalidArgumentError"),
    ErrorCase("conv2d_transpose_bad_output_depth",
              lambda tf, y, w: tf.nn.conv2d_transpose(y, w, [1, 5, 4, 3], 2),
              [rand(1, 3, 2, 3), W], "InvalidArgumentError"),
    ErrorCase("max_pool_bad_padding", lambda tf, x: tf.nn.max_pool2d(x, 2, 2, "BAD"), [X],
              "InvalidArgumentError"),
    ErrorCase("max_pool_batch_window", lambda tf, x: tf.nn.max_pool2d(x, [2, 2, 2, 1], 2, "SAME"),
              [X], "UnimplementedError"),
    ErrorCase("max_pool_window_too_large", lambda tf, x: tf.nn.max_pool2d(x, 6, 1, "VALID"),
              [X], "InvalidArgumentError"),
    ErrorCase("max_pool_ksize_length_3", lambda tf, x: tf.nn.max_pool2d(x, [1, 2, 2], 1, "SAME"),
              [X], "ValueError"),
    ErrorCase("avg_pool_int32", lambda tf, x: tf.nn.avg_pool2d(x, 2, 2, "SAME"),
              [rand(1, 3, 3, 1, dtype=I32)], "InvalidArgumentError"),
    ErrorCase("avg_pool_explicit_padding",
              lambda tf, x: tf.nn.avg_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]), [X],
              "TypeError"),
]
