"""1-D and 3-D spatial reshaping layers: UpSampling1D/3D, ZeroPadding1D/3D, Cropping1D/3D.

They mirror the 2-D layers of ``pooling_reshaping``: weightless, built at construction, the rank
checked on call, and made of ndflow ops (repeat, pad, slicing) so gradients flow through them.
"""
import ndflow as nd
from ndflow.keras.layers.convolutional_base import standardize_data_format, standardize_tuple
from ndflow.keras.layers.core_layers import check_input_rank
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin

__all__ = ["Cropping1D", "Cropping3D", "UpSampling1D", "UpSampling3D", "ZeroPadding1D",
           "ZeroPadding3D"]


def _triple_pairs(value, name):
    """An int, 3 ints (symmetric per axis) or 3 pairs, as three (before, after) pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * 3
    if not hasattr(value, "__len__") or len(value) != 3:
        raise ValueError(f"`{name}` should have 3 elements. Received: {value}.")
    return tuple(standardize_tuple(v, 2, f"{name}[{i}]", allow_zero=True)
                 for i, v in enumerate(value))


def _repeat(x, factor, axis):
    """Repeats each entry along ``axis`` ``factor`` times."""
    if x.shape.as_list()[axis] is not None:
        return nd.repeat(x, factor, axis=axis)
    # An unknown size (a traced function): gather entry i // factor for output i.
    index = nd.range(nd.shape(x)[axis] * factor) // factor
    return nd.gather(x, index, axis=axis)


class _Spatial(Layer):
    """Shared set-up: the data format, the spatial axes and the rank check."""

    rank = 3  # the input rank

    def _setup(self, data_format):
        self.data_format = standardize_data_format(data_format)
        n = self.rank - 2
        first = 2 if self.data_format == "channels_first" else 1
        self._axes = tuple(range(first, first + n))
        self.built = True

    def _check(self, inputs):
        if inputs.shape.rank != self.rank:
            check_input_rank(self, inputs, ndim=self.rank)

    def _with_spatial(self, input_shape, fn):
        """``input_shape`` with each spatial size s replaced by fn(i, s) (None stays None)."""
        shape = list(input_shape)
        for i, axis in enumerate(self._axes):
            if shape[axis] is not None:
                shape[axis] = fn(i, shape[axis])
        return tuple(shape)


class _UpSampling(_Spatial):
    def call(self, inputs):
        self._check(inputs)
        for axis, factor in zip(self._axes, self.size):
            if factor != 1:
                inputs = _repeat(inputs, factor, axis)
        return inputs

    def compute_output_shape(self, input_shape):
        return self._with_spatial(input_shape, lambda i, s: s * self.size[i])


@register_builtin("keras.layers")
class UpSampling1D(_UpSampling):
    """Repeats each timestep ``size`` times: ``(batch, steps, features)`` to
    ``(batch, steps * size, features)``."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: "
                             f"size={size}")
        self.size = size
        self._setup("channels_last")

    def call(self, inputs):
        self._check(inputs)
        return _repeat(inputs, self.size, 1)

    def compute_output_shape(self, input_shape):
        return self._with_spatial(input_shape, lambda i, s: s * self.size)

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


@register_builtin("keras.layers")
class UpSampling3D(_UpSampling):
    """Repeats the three spatial dimensions ``size[0]``, ``size[1]``, ``size[2]`` times
    (nearest-neighbour upsampling of volumes)."""

    rank = 5

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 3, "size")
        self._setup(data_format)

    def get_config(self):
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config


class _Padding(_Spatial):
    def _widths(self):
        widths = [[0, 0]] * self.rank
        for axis, pair in zip(self._axes, self.padding):
            widths[axis] = list(pair)
        return widths

    def call(self, inputs):
        self._check(inputs)
        return nd.pad(inputs, self._pad_widths)

    def compute_output_shape(self, input_shape):
        return self._with_spatial(input_shape, lambda i, s: s + sum(self.padding[i]))


@register_builtin("keras.layers")
class ZeroPadding1D(_Padding):
    """Adds zeros at the start and end of the steps axis: ``padding`` is an int or
    (before, after)."""

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._pair = standardize_tuple(padding, 2, "padding", allow_zero=True)
        self.padding = (self._pair,)
        self._setup(data_format)
        self._pad_widths = self._widths()

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self._pair, "data_format": self.data_format})
        return config


@register_builtin("keras.layers")
class ZeroPadding3D(_Padding):
    """Adds zeros around volumes: ``padding`` is an int, three ints or three
    (before, after) pairs, one per spatial dimension."""

    rank = 5

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _triple_pairs(padding, "padding")
        self._setup(data_format)
        self._pad_widths = self._widths()

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class _Cropping(_Spatial):
    def _index(self):
        index = [slice(None)] * self.rank
        for axis, (before, after) in zip(self._axes, self.cropping):
            index[axis] = slice(before, -after if after else None)
        return tuple(index)

    def _validate(self, shape, arg):
        for axis, pair in zip(self._axes, self.cropping):
            if shape[axis] is not None and sum(pair) >= shape[axis]:
                raise ValueError(self._too_big.format(arg=arg, shape=tuple(shape),
                                                      cropping=self._config_cropping()))

    def call(self, inputs):
        self._check(inputs)
        self._validate(inputs.shape.as_list(), "inputs.shape")
        return inputs[self._slices]

    def compute_output_shape(self, input_shape):
        self._validate(list(input_shape), "input_shape")
        return self._with_spatial(input_shape, lambda i, s: s - sum(self.cropping[i]))


@register_builtin("keras.layers")
class Cropping1D(_Cropping):
    """Removes steps at the start and end of sequences: ``cropping`` is an int or
    (before, after)."""

    _too_big = ("`cropping` parameter of `Cropping1D` layer must be smaller than the input "
                "length. Received: {arg}={shape}, cropping={cropping}")

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = (standardize_tuple(cropping, 2, "cropping", allow_zero=True),)
        self._setup("channels_last")
        self._slices = self._index()

    def _config_cropping(self):
        return self.cropping[0]

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping[0]
        return config


@register_builtin("keras.layers")
class Cropping3D(_Cropping):
    """Removes slices at the borders of volumes: ``cropping`` is an int, three ints or three
    (before, after) pairs."""

    rank = 5
    _too_big = ("Values in `cropping` argument should be smaller than the corresponding spatial "
                "dimension of the input. Received: {arg}={shape}, cropping={cropping}")

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _triple_pairs(cropping, "cropping")
        self._setup(data_format)
        self._slices = self._index()

    def _config_cropping(self):
        return self.cropping

    def get_config(self):
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
