"""Image preprocessing layers: Resizing and CenterCrop.

Resizing follows ``tf.image.resize``: every interpolation but 'nearest' is two per-axis weight
matrices (``resampling``) applied with one einsum, nearest resizing is a gather, so both are
differentiable. Images are (batch, height, width, channels) or a single (height, width,
channels) image; ``data_format="channels_first"`` puts channels before height.
"""
import numpy as np

import ndflow as nd
from ndflow.keras.layers.convolutional_base import standardize_data_format
from ndflow.keras.layers.layer import Layer
from ndflow.keras.layers.resampling import nearest_indices, resize_matrix
from ndflow.keras.saving.object_registration import register_builtin

__all__ = ["CenterCrop", "Resizing"]

# The interpolations Keras 3 accepts with the TensorFlow backend (it refuses 'gaussian' and
# 'mitchellcubic', which tf.image.resize has).
_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


class _ImageLayer(Layer):
    """Shared set-up: target size, data format, and the move to/from a batched NHWC layout."""

    def _setup(self, height, width, data_format):
        self.height = height
        self.width = width
        self.data_format = standardize_data_format(data_format)
        self._channels_first = self.data_format == "channels_first"
        self.built = True

    def _to_nhwc(self, images):
        rank = images.shape.rank
        if rank not in (3, 4):
            raise ValueError("Expected an image array with shape `(height, width, channels)`, "
                             "or `(batch_size, height, width, channels)`, but got input with "
                             f"incorrect rank, of shape {tuple(images.shape.as_list())}.")
        if rank == 3:
            images = nd.expand_dims(images, 0)
        if self._channels_first:
            images = nd.transpose(images, [0, 2, 3, 1])
        return images, rank

    def _from_nhwc(self, images, rank):
        if self._channels_first:
            images = nd.transpose(images, [0, 3, 1, 2])
        return images[0] if rank == 3 else images

    def _hw_axes(self, rank):
        first = 1 if self._channels_first else 0
        return (first, first + 1) if rank == 3 else (first + 1, first + 2)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        h, w = self._hw_axes(len(shape))
        shape[h], shape[w] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "height": self.height,
                       "width": self.width})
        return config


def _resize(images, height, width, interpolation, antialias=False):
    """Resizes NHWC ``images`` (floating) to ``height`` x ``width``."""
    in_h, in_w = images.shape.as_list()[1:3]
    if (in_h, in_w) == (height, width):
        return images
    if interpolation == "nearest":
        images = nd.gather(images, nd.constant(nearest_indices(in_h, height)), axis=1)
        return nd.gather(images, nd.constant(nearest_indices(in_w, width)), axis=2)
    dtype = images.dtype.as_numpy_dtype
    mh = nd.constant(resize_matrix(in_h, height, interpolation, antialias).astype(dtype))
    mw = nd.constant(resize_matrix(in_w, width, interpolation, antialias).astype(dtype))
    return nd.einsum("nhwc,oh,pw->nopc", images, mh, mw)


def _saturate_cast(values, dtype):
    """Rounded ``values`` clipped to the range of integer ``dtype`` and cast to it (cubic and
    Lanczos kernels overshoot)."""
    limits = np.iinfo(dtype.as_numpy_dtype)
    clipped = nd.clip_by_value(nd.round(values), float(limits.min), float(limits.max))
    return nd.cast(clipped, dtype)


def _crop_box(height, width, target_h, target_w):
    """(top, left, crop height, crop width) of the centred crop with the target aspect."""
    crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
    crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


@register_builtin("keras.layers")
class Resizing(_ImageLayer):
    """Resizes images to ``height`` x ``width`` with ``interpolation`` ('bilinear',
    'nearest', 'bicubic', 'area', 'lanczos3', 'lanczos5'; optionally ``antialias``) exactly as
    ``tf.image.resize``; ``crop_to_aspect_ratio`` first takes the largest centred crop with the
    target aspect ratio, ``pad_to_aspect_ratio`` pads with ``fill_value`` to it instead.
    Integer images are resized in floats, rounded and clipped to the dtype's range."""

    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0,
                 antialias=False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        # Keras checks `interpolation` and `fill_mode` when the layer is called.
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.autocast = False   # integer images keep their dtype; floats are cast below
        self._setup(height, width, data_format)

    def _check_arguments(self):
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                             f"{_INTERPOLATIONS}. Received: interpolation={self.interpolation}")
        if self.fill_mode != "constant":
            raise ValueError("Invalid value for argument `fill_mode`. Only `'constant'` is "
                             f"supported. Received: fill_mode={self.fill_mode}")
        if self.pad_to_aspect_ratio and self.crop_to_aspect_ratio:
            raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can "
                             "be `True`.")

    def call(self, inputs):
        self._check_arguments()
        images, rank = self._to_nhwc(inputs)
        in_dtype = images.dtype
        if in_dtype.is_floating:
            if in_dtype.name != self.compute_dtype:
                images = nd.cast(images, self.compute_dtype)
        else:
            images = nd.cast(images, "float32")
        h, w = images.shape.as_list()[1:3]
        if self.crop_to_aspect_ratio:
            top, left, ch, cw = _crop_box(h, w, self.height, self.width)
            images = images[:, top:top + ch, left:left + cw]
        elif self.pad_to_aspect_ratio:
            ph = max(h, int(float(w * self.height) / self.width))
            pw = max(w, int(float(h * self.width) / self.height))
            top, left = int(float(ph - h) / 2), int(float(pw - w) / 2)
            # Keras pads both sides by the leading amount (an odd surplus is dropped), so the
            # padded image can be a row or column short of the target aspect ratio.
            widths = [[0, 0], [top, top], [left, left], [0, 0]]
            images = nd.pad(images, widths, constant_values=self.fill_value)
        outputs = _resize(images, self.height, self.width, self.interpolation, self.antialias)
        if not in_dtype.is_floating:
            outputs = _saturate_cast(outputs, in_dtype)
        return self._from_nhwc(outputs, rank)

    def get_config(self):
        config = super().get_config()
        config.update({"interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                       "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "antialias": self.antialias})
        return config


@register_builtin("keras.layers")
class CenterCrop(_ImageLayer):
    """Crops the centre ``height`` x ``width`` of images; an image smaller than the target is
    cropped to the target aspect ratio and resized up (bilinear) instead."""

    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(height, width, data_format)

    def call(self, inputs):
        images, rank = self._to_nhwc(inputs)
        if images.dtype.name != self.compute_dtype:
            images = nd.cast(images, self.compute_dtype)
        h, w = images.shape.as_list()[1:3]
        if h < self.height or w < self.width:
            top, left, ch, cw = _crop_box(h, w, self.height, self.width)
            outputs = _resize(images[:, top:top + ch, left:left + cw], self.height, self.width,
                              "bilinear")
        else:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            outputs = images[:, top:top + self.height, left:left + self.width]
        return self._from_nhwc(outputs, rank)
