"""Spatial reshaping layers for image models: ZeroPadding2D, UpSampling2D, Cropping2D
(re-exported by ``ndflow.keras.layers.pooling``)."""

import ndflow as nd
from ndflow.keras.layers.convolutional_base import check_rank, standardize_data_format, standardize_tuple
from ndflow.keras.layers.layer import Layer
from ndflow.keras.layers.resampling import resize_matrix
from ndflow.keras.saving.object_registration import register_builtin

__all__ = ["Cropping2D", "UpSampling2D", "ZeroPadding2D"]


def _pairs(value, name, what):
    """An int, (sym_h, sym_w) or ((top, bottom), (left, right)) as the last form."""
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value), (value, value))
    if hasattr(value, "__len__"):
        if len(value) != 2:
            raise ValueError(f"`{name}` should have two elements. Received: {name}={value}.")
        return (standardize_tuple(value[0], 2, f"1st entry of {name}", allow_zero=True),
                standardize_tuple(value[1], 2, f"2nd entry of {name}", allow_zero=True))
    raise ValueError(f"`{name}` should be either an int, a tuple of 2 ints (symmetric_height_"
                     f"{what}, symmetric_width_{what}), or a tuple of 2 tuples of 2 ints "
                     f"((top_{what}, bottom_{what}), (left_{what}, right_{what})). Received: "
                     f"{name}={value}.")


class _Spatial2D(Layer):
    """Weightless 4-D layers: built at construction, rank checked on call."""

    def _setup(self, data_format):
        self.data_format = standardize_data_format(data_format)
        self._channels_first = self.data_format == "channels_first"
        self._hw = (2, 3) if self._channels_first else (1, 2)
        self.built = True

    def _check(self, inputs):
        if inputs.shape.rank != 4:
            check_rank(self, inputs.shape.as_list(), 4, exact=True)

    def _with_hw(self, input_shape, h, w):
        shape = list(input_shape)
        shape[self._hw[0]], shape[self._hw[1]] = h, w
        return tuple(shape)


@register_builtin("keras.layers")
class ZeroPadding2D(_Spatial2D):
    """Adds rows and columns of zeros around images: ``padding`` is an int, (sym_h, sym_w) or
    ((top, bottom), (left, right))."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs(padding, "padding", "pad")
        self._setup(data_format)
        widths = [[0, 0]] * 4
        widths[self._hw[0]], widths[self._hw[1]] = list(self.padding[0]), list(self.padding[1])
        self._widths = widths

    def call(self, inputs):
        self._check(inputs)
        return nd.pad(inputs, self._widths)

    def compute_output_shape(self, input_shape):
        h, w = (input_shape[a] for a in self._hw)
        return self._with_hw(input_shape, None if h is None else h + sum(self.padding[0]),
                             None if w is None else w + sum(self.padding[1]))

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


@register_builtin("keras.layers")
class Cropping2D(_Spatial2D):
    """Removes rows and columns at the borders of images: ``cropping`` is an int,
    (sym_h, sym_w) or ((top, bottom), (left, right))."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs(cropping, "cropping", "crop")
        self._setup(data_format)
        (top, bottom), (left, right) = self.cropping
        index = [slice(None)] * 4
        index[self._hw[0]] = slice(top, -bottom if bottom else None)
        index[self._hw[1]] = slice(left, -right if right else None)
        self._index = tuple(index)

    def _validate(self, shape):
        h, w = (shape[a] for a in self._hw)
        if (h is not None and sum(self.cropping[0]) >= h) or \
                (w is not None and sum(self.cropping[1]) >= w):
            raise ValueError("Values in `cropping` argument should be smaller than the "
                             "corresponding spatial dimension of the input. Received: "
                             f"input_shape={tuple(shape)}, cropping={self.cropping}")
        return h, w

    def call(self, inputs):
        self._check(inputs)
        self._validate(inputs.shape.as_list())
        return inputs[self._index]

    def compute_output_shape(self, input_shape):
        h, w = self._validate(input_shape)
        return self._with_hw(input_shape, None if h is None else h - sum(self.cropping[0]),
                             None if w is None else w - sum(self.cropping[1]))

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config


_UPSAMPLING_MODES = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


@register_builtin("keras.layers")
class UpSampling2D(_Spatial2D):
    """Repeats rows ``size[0]`` times and columns ``size[1]`` times ('nearest'), or
    interpolates them as ``tf.image.resize`` does ('bilinear', 'bicubic', 'area',
    'lanczos3', 'lanczos5')."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 2, "size")
        self.interpolation = interpolation.lower()
        self._setup(data_format)
        self._matrices = {}

    def _interp(self, size, factor, dtype):
        key = (size, factor)
        if key not in self._matrices:  # NumPy arrays: a graph tensor must not outlive its trace
            self._matrices[key] = resize_matrix(size, size * factor, self.interpolation)
        return nd.constant(self._matrices[key], dtype=dtype)

    def call(self, inputs):
        self._check(inputs)
        if self.interpolation not in _UPSAMPLING_MODES:
            raise ValueError(f"Invalid value for argument `interpolation`. Expected of one "
                             f"{_UPSAMPLING_MODES}. Received: interpolation="
                             f"{self.interpolation}")
        ha, wa = self._hw
        if self.interpolation == "nearest":
            return nd.repeat(nd.repeat(inputs, self.size[0], axis=ha), self.size[1], axis=wa)
        dims = inputs.shape.as_list()
        mh = self._interp(dims[ha], self.size[0], inputs.dtype)
        mw = self._interp(dims[wa], self.size[1], inputs.dtype)
        if self._channels_first:
            return nd.einsum("nchw,oh,pw->ncop", inputs, mh, mw)
        return nd.einsum("nhwc,oh,pw->nopc", inputs, mh, mw)

    def compute_output_shape(self, input_shape):
        h, w = (input_shape[a] for a in self._hw)
        return self._with_hw(input_shape, None if h is None else h * self.size[0],
                             None if w is None else w * self.size[1])

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format,
                       "interpolation": self.interpolation})
        return config
