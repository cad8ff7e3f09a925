"""More convolution and pooling layers: Conv1DTranspose, DepthwiseConv1D, SeparableConv1D,
Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D, GlobalAveragePooling3D and
GlobalMaxPooling3D.

ndflow has 2-D convolution and pooling ops only, so these layers are composed from them:
1-D layers run the 2-D op on inputs with an extra unit height; 3-D layers fold the depth axis
into the batch, run the 2-D op over height and width, and combine depth slices (a sum of
per-slice convolutions, a maximum or a mean of pooled slices). Everything is made of ndflow ops,
so gradients reach the inputs and the weights; spatial sizes may be unknown while tracing
(``depth_slicing`` computes with dynamic sizes then).
"""
import numpy as np

import ndflow as nd
from ndflow.keras.layers.convolutional import (
    Conv2DTranspose,
    DepthwiseConv2D,
    SeparableConv2D,
)
from ndflow.keras.layers import depth_slicing as ds
from ndflow.keras.layers.convolutional_base import BaseConv, check_rank, standardize_padding
from ndflow.keras.layers.pooling import _GlobalPooling, _Pooling
from ndflow.keras.saving.object_registration import register_builtin

__all__ = [
    "AveragePooling3D",
    "AvgPool3D",
    "Conv1DTranspose",
    "Conv3D",
    "Conv3DTranspose",
    "Convolution1DTranspose",
    "Convolution3D",
    "Convolution3DTranspose",
    "DepthwiseConv1D",
    "GlobalAveragePooling3D",
    "GlobalAvgPool3D",
    "GlobalMaxPool3D",
    "GlobalMaxPooling3D",
    "MaxPool3D",
    "MaxPooling3D",
    "SeparableConv1D",
    "SeparableConvolution1D",
]


def _no_causal(padding):
    """These layers take 'valid' or 'same' only (BaseConv would let a 1-D layer be causal)."""
    return standardize_padding(padding)


@register_builtin("keras.layers")
class Conv1DTranspose(Conv2DTranspose):
    """Transposed 1-D convolution over (batch, steps, channels) inputs, used to upsample
    sequences; ``output_padding`` adds steps at the end of the output."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", output_padding=None,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=_no_causal(padding),
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)

    def call(self, inputs):
        a = self._args
        x = nd.transpose(inputs, a.to_last) if self._channels_first else inputs
        batch, steps = x.shape.as_list()[:2]
        if batch is None or steps is None:
            dynamic = nd.shape(x)
            batch = dynamic[0] if batch is None else batch
            steps = dynamic[1] if steps is None else steps
        length = self._out_spatial([steps])[0]
        out_shape = [batch, 1, length, self.filters]
        if any(not isinstance(d, int) for d in out_shape):
            out_shape = nd.stack([nd.cast(d, nd.int32) for d in out_shape])
        outputs = nd.nn.conv2d_transpose(nd.expand_dims(x, 1), nd.expand_dims(self.kernel, 0),
                                         out_shape, [1] + a.strides, padding=a.padding,
                                         dilations=[1] + a.dilations)
        return self._finish(nd.squeeze(outputs, 1))


class _Depthwise1D:
    """Runs the depthwise step as a 2-D depthwise convolution over a unit height."""

    def _setup_1d(self):
        self._args.strides = [1, 1, self.strides[0], 1]
        self._args.dilations = [1, self.dilation_rate[0]]

    def _depthwise(self, x, kernel):
        a = self._args
        out = nd.nn.depthwise_conv2d(nd.expand_dims(x, 1), nd.expand_dims(kernel, 0),
                                     a.strides, a.padding, dilations=a.dilations)
        return nd.squeeze(out, 1)


@register_builtin("keras.layers")
class DepthwiseConv1D(_Depthwise1D, DepthwiseConv2D):
    """Depthwise 1-D convolution: each input channel is convolved with its own
    ``depth_multiplier`` filters."""

    rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=_no_causal(padding),
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self._setup_1d()


@register_builtin("keras.layers")
class SeparableConv1D(_Depthwise1D, SeparableConv2D):
    """Depthwise 1-D convolution followed by a pointwise convolution that mixes the channels
    into ``filters`` outputs."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=_no_causal(padding),
                         data_format=data_format, dilation_rate=dilation_rate,
                         depth_multiplier=depth_multiplier, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        self._setup_1d()

    def call(self, inputs):
        x = nd.transpose(inputs, self._args.to_last) if self._channels_first else inputs
        x = self._depthwise(x, self.depthwise_kernel)
        # The pointwise step as a 2-D convolution over a unit height, like the depthwise one.
        pointwise = nd.nn.conv2d(nd.expand_dims(x, 1), nd.expand_dims(self.pointwise_kernel, 0),
                                 [1, 1], "VALID")
        return self._finish(nd.squeeze(pointwise, 1))


@register_builtin("keras.layers")
class Conv3D(BaseConv):
    """3-D convolution over (batch, depth, height, width, channels) volumes."""

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1, 1), groups=1, activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=groups,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)

    def call(self, inputs):
        a = self._args
        x = nd.transpose(inputs, a.to_last) if self._channels_first else inputs
        kd, sd, dd = self.kernel_size[0], self.strides[0], self.dilation_rate[0]
        out_depth, before, after = ds.depth_windows(ds.dims(x)[1], kd, sd, dd, self.padding)
        x = ds.pad_depth(x, before, after)
        span = (out_depth - 1) * sd + 1
        total = None
        # Output depth o sums, over kernel depths k, the 2-D convolution of input slice
        # o * stride + k * dilation with kernel[k].
        for k in range(kd):
            start = k * dd
            plane = ds.fold_depth(x[:, start:start + span:sd])
            term = nd.nn.conv2d(plane, self.kernel[k], a.strides[1:], a.padding,
                                dilations=a.dilations[1:])
            total = term if total is None else total + term
        return self._finish(ds.unfold_depth(total, out_depth))


@register_builtin("keras.layers")
class Conv3DTranspose(Conv2DTranspose):
    """Transposed 3-D convolution over (batch, depth, height, width, channels) volumes, used
    to upsample; ``output_padding`` adds slices at the end of each spatial axis.

    Composed like Conv3D: each kernel depth slice k is a 2-D transposed convolution of every
    input depth slice, whose result lands at output depth ``i * stride + k * dilation`` (minus
    the 'same' padding); the layer sums those contributions.
    """

    rank = 3

    def __init__(self, filters, kernel_size, strides=(1, 1, 1), padding="valid",
                 data_format=None, output_padding=None, dilation_rate=(1, 1, 1),
                 activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)

    def call(self, inputs):
        a = self._args
        x = nd.transpose(inputs, a.to_last) if self._channels_first else inputs
        sizes = ds.dims(x)
        depth = sizes[1]
        out_depth, out_h, out_w = self._out_spatial(sizes[1:4])
        kd, sd, dd = self.kernel_size[0], self.strides[0], self.dilation_rate[0]
        span = (kd - 1) * dd + 1
        full = (depth - 1) * sd + span   # the transposed convolution's depth before cropping
        # TensorFlow crops 'same' outputs by the forward convolution's leading padding.
        before = 0
        if self.padding == "same":
            before = ds.clip_below((depth - 1) * sd + span - out_depth) // 2
        plane_shape = ds.as_shape([sizes[0] * depth, out_h, out_w, self.filters])
        folded = ds.fold_depth(x)
        total = None
        for k in range(kd):
            term = nd.nn.conv2d_transpose(folded, self.kernel[k], plane_shape, a.strides[1:],
                                          padding=a.padding, dilations=a.dilations[1:])
            term = ds.dilate_depth(ds.unfold_depth(term, depth), sd)
            # Slice i of this term lands at depth i * stride + k * dilation.
            term = ds.pad_depth(term, k * dd, span - 1 - k * dd)
            total = term if total is None else total + term
        keep = ds.smaller(out_depth, full - before)
        total = total[:, before:before + keep]
        # output_padding can reach past the transposed convolution: those slices are zeros.
        total = ds.pad_depth(total, 0, out_depth - keep)
        return self._finish(total)


class _Pooling3D(_Pooling):
    """3-D pooling: 2-D pooling of each depth slice, then over windows of slices."""

    pool_dimensions = 3

    def call(self, inputs):
        if inputs.shape.rank != 5:
            check_rank(self, inputs.shape.as_list(), 5, exact=True)
        a = self._args
        x = nd.transpose(inputs, a.to_last) if self._channels_first else inputs
        padding = a.padding.lower() if isinstance(a.padding, str) else a.padding
        if padding not in ("valid", "same"):
            raise ValueError("Argument `padding` must be either 'valid' or 'same'. Received: "
                             f"padding={self.padding}")
        depth = ds.dims(x)[1]
        op = nd.nn.max_pool2d if self.pool_mode == "max" else nd.nn.avg_pool2d
        y = ds.unfold_depth(op(ds.fold_depth(x), a.ksize[1:], a.strides[1:],
                               a.padding.upper()), depth)
        k, s = self.pool_size[0], self.strides[0]
        out_depth, before, after = ds.depth_windows(depth, k, s, 1, padding)
        # Padded slices never win the maximum; for the mean they add nothing.
        y = ds.pad_depth(y, before, after, -np.inf if self.pool_mode == "max" else 0)
        combine = nd.maximum if self.pool_mode == "max" else nd.add
        span = (out_depth - 1) * s + 1
        out = None
        for j in range(k):
            window = y[:, j:j + span:s]
            out = window if out is None else combine(out, window)
        if self.pool_mode != "max":
            out = out / self._window_counts(depth, out_depth, before, x.dtype)
        return nd.transpose(out, a.to_first) if self._channels_first else out


    def _window_counts(self, depth, out_depth, before, dtype):
        """How many real (unpadded) slices each output's depth window averages, shaped to
        broadcast over (batch, depth, height, width, channels)."""
        k, s = self.pool_size[0], self.strides[0]
        if ds.is_static(depth, out_depth, before):
            starts = np.arange(out_depth) * s - before
            counts = np.minimum(starts + k, depth) - np.maximum(starts, 0)
            return nd.constant(counts.reshape(1, -1, 1, 1, 1).astype(dtype.as_numpy_dtype))
        starts = nd.range(out_depth) * s - before
        counts = nd.minimum(starts + k, depth) - nd.maximum(starts, 0)
        return nd.reshape(nd.cast(counts, dtype), [1, -1, 1, 1, 1])


@register_builtin("keras.layers")
class MaxPooling3D(_Pooling3D):
    """Max pooling over depth, height and width of (batch, depth, height, width, channels)."""

    pool_mode = "max"

    def __init__(self, pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register_builtin("keras.layers")
class AveragePooling3D(_Pooling3D):
    """Average pooling over depth, height and width ('same' padding averages only the real
    values of a border window)."""

    pool_mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register_builtin("keras.layers")
class GlobalAveragePooling3D(_GlobalPooling):
    """The mean over depth, height and width of 5-D inputs."""

    pool_dimensions = 3
    _reduce = staticmethod(nd.reduce_mean)


@register_builtin("keras.layers")
class GlobalMaxPooling3D(_GlobalPooling):
    """The maximum over depth, height and width of 5-D inputs."""

    pool_dimensions = 3
    _reduce = staticmethod(nd.reduce_max)


Convolution1DTranspose = Conv1DTranspose
Convolution3D = Conv3D
Convolution3DTranspose = Conv3DTranspose
SeparableConvolution1D = SeparableConv1D
MaxPool3D = MaxPooling3D
AvgPool3D = AveragePooling3D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool3D = GlobalMaxPooling3D
for _alias, _cls in (("Convolution1DTranspose", Conv1DTranspose), ("Convolution3D", Conv3D),
                     ("Convolution3DTranspose", Conv3DTranspose),
                     ("SeparableConvolution1D", SeparableConv1D), ("MaxPool3D", MaxPooling3D),
                     ("AvgPool3D", AveragePooling3D),
                     ("GlobalAvgPool3D", GlobalAveragePooling3D),
                     ("GlobalMaxPool3D", GlobalMaxPooling3D)):
    register_builtin("keras.layers", _cls, name=_alias)
del _alias, _cls
