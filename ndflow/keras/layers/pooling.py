"""Pooling layers (max/average, windowed and global, 1-D and 2-D); the padding, cropping and
upsampling layers live in ``pooling_reshaping`` and are re-exported here.

Window pooling runs ndflow's NWC/NHWC pooling ops; ``data_format="channels_first"`` transposes
around them (as Keras' TensorFlow backend does).
"""
import ndflow as nd
from ndflow.keras.layers.convolutional_base import (
    OpArgs,
    channel_perms,
    check_rank,
    standardize_data_format,
    standardize_tuple,
)
from ndflow.keras.layers.layer import Layer
from ndflow.keras.layers.pooling_reshaping import Cropping2D, UpSampling2D, ZeroPadding2D
from ndflow.keras.saving.object_registration import register_builtin

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AvgPool1D",
    "AvgPool2D",
    "Cropping2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
    "UpSampling2D",
    "ZeroPadding2D",
]


class _Pooling(Layer):
    """Windowed pooling: ``pool_size`` windows every ``strides`` (default: ``pool_size``)."""

    pool_dimensions = 2
    pool_mode = "max"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(name=name, **kwargs)
        n = self.pool_dimensions
        self.pool_size = standardize_tuple(pool_size, n, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = standardize_tuple(strides, n, "strides", allow_zero=True)
        # Keras keeps the padding string as given (its config too) and upper-cases it for the
        # op, so an invalid value only fails when the layer is called.
        self.padding = padding
        self.data_format = standardize_data_format(data_format)
        self._channels_first = self.data_format == "channels_first"
        if n == 1:
            op = nd.nn.max_pool1d if self.pool_mode == "max" else nd.nn.avg_pool1d
        else:
            op = nd.nn.max_pool2d if self.pool_mode == "max" else nd.nn.avg_pool2d
        to_last, to_first = channel_perms(n + 2)
        self._args = OpArgs(op=op, to_last=to_last, to_first=to_first,
                            ksize=list(self.pool_size), strides=list(self.strides),
                            padding=padding.upper() if isinstance(padding, str) else padding)
        self.built = True

    def call(self, inputs):
        # Built at construction (as in Keras), so the rank check that Keras' InputSpec makes
        # happens here; it is one attribute read.
        if inputs.shape.rank != self.pool_dimensions + 2:
            check_rank(self, inputs.shape.as_list(), self.pool_dimensions + 2, exact=True)
        a = self._args
        if self._channels_first:
            x = nd.transpose(inputs, a.to_last)
            return nd.transpose(a.op(x, a.ksize, a.strides, a.padding), a.to_first)
        return a.op(inputs, a.ksize, a.strides, a.padding)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if self._channels_first:
            spatial = input_shape[2:]
        else:
            spatial = input_shape[1:-1]
        if self.padding not in ("valid", "same"):
            # Keras' shape rule takes only the lower-case names (the op itself accepts any case).
            raise ValueError("Argument `padding` must be either 'valid' or 'same'. Received: "
                             f"padding={self.padding}")
        out = []
        for size, pool, stride in zip(spatial, self.pool_size, self.strides):
            if size is None:
                out.append(None)
            elif self.padding == "same":
                out.append((size - 1) // stride + 1)
            else:
                out.append((size - pool) // stride + 1)
                if out[-1] <= 0:
                    raise ValueError(f"Computed output size would be zero or negative. "
                                     f"Received: `inputs.shape={input_shape}`, "
                                     f"`pool_size={self.pool_size}`, `strides={self.strides}`, "
                                     f"`padding={self.padding}`.")
        if self._channels_first:
            return input_shape[:2] + tuple(out)
        return input_shape[:1] + tuple(out) + input_shape[-1:]

    def get_config(self):
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})
        return config


@register_builtin("keras.layers")
class MaxPooling1D(_Pooling):
    """Max pooling over the steps of (batch, steps, features) inputs."""

    pool_dimensions = 1
    pool_mode = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register_builtin("keras.layers")
class MaxPooling2D(_Pooling):
    """Max pooling over the height and width of (batch, height, width, channels) inputs."""

    pool_dimensions = 2
    pool_mode = "max"

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 name=None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register_builtin("keras.layers")
class AveragePooling1D(_Pooling):
    """Average pooling over the steps of (batch, steps, features) inputs ('same' padding
    averages only the real values of a border window)."""

    pool_dimensions = 1
    pool_mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


@register_builtin("keras.layers")
class AveragePooling2D(_Pooling):
    """Average pooling over the height and width of (batch, height, width, channels) inputs."""

    pool_dimensions = 2
    pool_mode = "average"

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, name=None,
                 **kwargs):
        super().__init__(pool_size, strides, padding, data_format, name=name, **kwargs)


class _GlobalPooling(Layer):
    """Reduces every spatial dimension (kept with size 1 when ``keepdims``)."""

    pool_dimensions = 2

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        n = self.pool_dimensions
        self._axes = list(range(2, n + 2)) if self.data_format == "channels_first" else \
            list(range(1, n + 1))
        self.built = True

    _reduce = None    # the reduction (subclasses: nd.reduce_mean or nd.reduce_max)

    def _check(self, inputs):
        if inputs.shape.rank != self.pool_dimensions + 2:
            check_rank(self, inputs.shape.as_list(), self.pool_dimensions + 2, exact=True)

    def call(self, inputs):
        self._check(inputs)
        return self._reduce(inputs, self._axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        n = len(input_shape) - 2
        channels_first = self.data_format == "channels_first"
        channels = input_shape[1] if channels_first else input_shape[-1]
        if not self.keepdims:
            return (input_shape[0], channels)
        if channels_first:
            return (input_shape[0], channels) + (1,) * n
        return (input_shape[0],) + (1,) * n + (channels,)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


@register_builtin("keras.layers")
class GlobalAveragePooling1D(_GlobalPooling):
    """The mean over the steps of (batch, steps, features) inputs; a (batch, steps) ``mask``
    excludes the masked steps from the mean."""

    pool_dimensions = 1

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        self._check(inputs)
        if mask is None:
            return nd.reduce_mean(inputs, self._axes, keepdims=self.keepdims)
        weights = nd.cast(nd.expand_dims(mask, 1 if self.data_format == "channels_first"
                                         else 2), inputs.dtype)
        # where() rather than a product, so that masked non-finite values cannot leak in.
        masked = nd.where(nd.cast(weights, "bool"), inputs, nd.zeros_like(inputs))
        return (nd.reduce_sum(masked, self._axes, keepdims=self.keepdims) /
                nd.reduce_sum(weights, self._axes, keepdims=self.keepdims))

    def compute_mask(self, inputs, mask=None):
        """The output has no steps left to mask."""
        return


@register_builtin("keras.layers")
class GlobalAveragePooling2D(_GlobalPooling):
    """The mean over height and width of (batch, height, width, channels) inputs."""

    pool_dimensions = 2
    _reduce = staticmethod(nd.reduce_mean)


@register_builtin("keras.layers")
class GlobalMaxPooling1D(_GlobalPooling):
    """The maximum over the steps of (batch, steps, features) inputs."""

    pool_dimensions = 1
    _reduce = staticmethod(nd.reduce_max)


@register_builtin("keras.layers")
class GlobalMaxPooling2D(_GlobalPooling):
    """The maximum over height and width of (batch, height, width, channels) inputs."""

    pool_dimensions = 2
    _reduce = staticmethod(nd.reduce_max)


MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
for _alias, _cls in (("MaxPool1D", MaxPooling1D), ("MaxPool2D", MaxPooling2D),
                     ("AvgPool1D", AveragePooling1D), ("AvgPool2D", AveragePooling2D),
                     ("GlobalAvgPool1D", GlobalAveragePooling1D),
                     ("GlobalAvgPool2D", GlobalAveragePooling2D),
                     ("GlobalMaxPool1D", GlobalMaxPooling1D),
                     ("GlobalMaxPool2D", GlobalMaxPooling2D)):
    register_builtin("keras.layers", _cls, name=_alias)
del _alias, _cls
