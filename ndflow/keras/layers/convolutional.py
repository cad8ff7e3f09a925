"""Convolution layers: Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D.

All compute in channels_last (NWC/NHWC), the layout of ndflow's convolution ops;
``data_format="channels_first"`` transposes on the way in and out. Strides, dilations and
padding strings are converted once, at construction, into the lists the ops take.
"""
import ndflow as nd
from ndflow.keras import constraints, initializers, regularizers
from ndflow.keras.layers.convolutional_base import (
    BaseConv,
    standardize_tuple,
    transpose_output_length,
)
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution1D",
    "Convolution2D",
    "Convolution2DTranspose",
    "DepthwiseConv2D",
    "SeparableConv2D",
    "SeparableConvolution2D",
]


@register_builtin("keras.layers")
class Conv1D(BaseConv):
    """1-D convolution over (batch, steps, channels) inputs; ``padding="causal"`` pads the
    start of the sequence so that output t only sees inputs up to t."""

    rank = 1

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
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
        causal = self.padding == "causal"
        left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
        self._args.causal_pad = [[0, 0], [left, 0], [0, 0]] if causal and left else None
        self._args.padding = "VALID" if causal else self.padding.upper()

    def call(self, inputs):
        a = self._args
        x = nd.transpose(inputs, a.to_last) if self._channels_first else inputs
        if a.causal_pad is not None:
            x = nd.pad(x, a.causal_pad)
        outputs = nd.nn.conv1d(x, self.kernel, a.strides, a.padding, dilations=a.dilations)
        return self._finish(outputs)


@register_builtin("keras.layers")
class Conv2D(BaseConv):
    """2-D convolution over (batch, height, width, channels) inputs (``groups`` splits the
    channels into independent convolutions)."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
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
        outputs = nd.nn.conv2d(x, self.kernel, a.strides, a.padding, dilations=a.dilations)
        return self._finish(outputs)


@register_builtin("keras.layers")
class Conv2DTranspose(BaseConv):
    """Transposed 2-D convolution (the gradient of Conv2D with respect to its input), used to
    upsample; ``output_padding`` adds rows/columns at the bottom/right of the output."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None,
                 use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, groups=1,
                         activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint,
                         **kwargs)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = standardize_tuple(output_padding, self.rank,
                                                    "output_padding", allow_zero=True)
            for i, (extra, stride) in enumerate(zip(self.output_padding, self.strides)):
                if extra >= stride:
                    raise ValueError(
                        "`output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {i}, `output_padding` is {extra} but "
                        f"`strides` is {stride}. Received: output_padding="
                        f"{self.output_padding}, strides={self.strides}")
        self._args.extra = self.output_padding or (None,) * self.rank

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        self.kernel = self.add_weight(name="kernel",
                                      shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _out_spatial(self, spatial):
        return [transpose_output_length(s, k, st, self.padding, e, d) for s, k, st, e, d in
                zip(spatial, self.kernel_size, self.strides, self._args.extra,
                                              self.dilation_rate)]

    def call(self, inputs):
        a = self._args
        x = nd.transpose(inputs, a.to_last) if self._channels_first else inputs
        dims = x.shape.as_list()
        if None in dims:  # traced with unknown sizes: build the shape from the dynamic one
            dynamic = nd.shape(x)
            dims = [dynamic[i] if d is None else d for i, d in enumerate(dims)]
            sizes = [d if isinstance(d, int) else
                     (d - 1) * s + k for d, s, k in zip(dims[1:-1], self.strides,
                                                        self.kernel_size)]
            out_shape = nd.stack([dims[0]] + self._out_spatial(sizes) + [self.filters])
        else:
            out_shape = [dims[0]] + self._out_spatial(dims[1:-1]) + [self.filters]
        outputs = nd.nn.conv2d_transpose(x, self.kernel, out_shape, a.strides,
                                         padding=a.padding, dilations=a.dilations)
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        return self._assemble(input_shape, self._out_spatial(self._spatial(input_shape)),
                              self.filters)

    def get_config(self):
        config = Layer.get_config(self)
        config["filters"] = self.filters
        common = self._common_config()
        config.update(kernel_size=common["kernel_size"], strides=common["strides"],
                      padding=common["padding"], output_padding=self.output_padding,
                      data_format=common["data_format"],
                      dilation_rate=common["dilation_rate"])
        config.update(self._tail_config())
        return config


@register_builtin("keras.layers")
class DepthwiseConv2D(BaseConv):
    """Depthwise 2-D convolution: each input channel is convolved with its own
    ``depth_multiplier`` filters (no mixing across channels)."""

    rank = 2

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        # Keras allows strides > 1 together with dilation > 1 here, so the base class's check
        # is skipped by validating with unit dilations first.
        super().__init__(None, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=1, groups=1,
                         activation=activation, use_bias=use_bias,
                         bias_initializer=bias_initializer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         bias_constraint=bias_constraint, **kwargs)
        self.dilation_rate = standardize_tuple(dilation_rate, self.rank, "dilation_rate")
        if depth_multiplier is not None and depth_multiplier <= 0:
            raise ValueError("Invalid value for argument `depth_multiplier`. Expected a "
                             f"strictly positive value. Received "
                             f"depth_multiplier={depth_multiplier}.")
        self.depth_multiplier = depth_multiplier
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        del self.kernel_initializer, self.kernel_regularizer, self.kernel_constraint
        self._args.strides = [1] + list(self.strides) + [1]
        self._args.dilations = list(self.dilation_rate)

    def _build_depthwise(self, input_shape, name):
        channels = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        return channels, self.add_weight(name=name,
                                         shape=self.kernel_size + (channels,
                                                                   self.depth_multiplier),
                                         initializer=self.depthwise_initializer,
                                         regularizer=self.depthwise_regularizer,
                                         constraint=self.depthwise_constraint)

    def build(self, input_shape):
        channels, self.kernel = self._build_depthwise(input_shape, "kernel")
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(channels * self.depth_multiplier,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _depthwise(self, x, kernel):
        a = self._args
        return nd.nn.depthwise_conv2d(x, kernel, a.strides, a.padding, dilations=a.dilations)

    def call(self, inputs):
        x = nd.transpose(inputs, self._args.to_last) if self._channels_first else inputs
        return self._finish(self._depthwise(x, self.kernel))

    def compute_output_shape(self, input_shape):
        channels = self._input_channels(input_shape)
        return self._conv_output_shape(input_shape, channels * self.depth_multiplier)

    def get_config(self):
        config = Layer.get_config(self)
        config["depth_multiplier"] = self.depth_multiplier
        config.update(self._common_config())
        config.update(self._tail_config(("depthwise",)))
        return config


@register_builtin("keras.layers")
class SeparableConv2D(DepthwiseConv2D):
    """Depthwise 2-D convolution followed by a 1x1 (pointwise) convolution that mixes the
    channels into ``filters`` outputs."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", pointwise_initializer="glorot_uniform",
                 bias_initializer="zeros", depthwise_regularizer=None,
                 pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, pointwise_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = filters
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.pointwise_constraint = constraints.get(pointwise_constraint)

    def build(self, input_shape):
        channels, self.depthwise_kernel = self._build_depthwise(input_shape,
                                                                "depthwise_kernel")
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        x = nd.transpose(inputs, self._args.to_last) if self._channels_first else inputs
        x = self._depthwise(x, self.depthwise_kernel)
        outputs = nd.nn.conv2d(x, self.pointwise_kernel, [1, 1], "VALID")
        return self._finish(outputs)

    def compute_output_shape(self, input_shape):
        return self._conv_output_shape(input_shape, self.filters)

    def get_config(self):
        config = Layer.get_config(self)
        config.update(depth_multiplier=self.depth_multiplier, filters=self.filters)
        config.update(self._common_config())
        config.update(self._tail_config(("depthwise", "pointwise")))
        return config


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
SeparableConvolution2D = SeparableConv2D
for _alias, _cls in (("Convolution1D", Conv1D), ("Convolution2D", Conv2D),
                     ("Convolution2DTranspose", Conv2DTranspose),
                     ("SeparableConvolution2D", SeparableConv2D)):
    register_builtin("keras.layers", _cls, name=_alias)
del _alias, _cls
