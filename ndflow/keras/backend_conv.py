"""The tf.keras legacy backend's convolution and pooling functions (``K.conv2d``,
``K.pool2d``, ...) on ndflow's channels-last ops; ``ndflow.keras.backend`` re-exports them."""
import ndflow as _nd
from ndflow.keras import backend as _backend


def _format(data_format):
    data_format = data_format or _backend.image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}")
    return data_format


def _padding(padding):
    if padding not in ("same", "valid"):
        raise ValueError(f"Invalid padding: {padding}")
    return padding.upper()


def _to_last(x, data_format):
    if data_format == "channels_first":
        rank = len(x.shape)
        return _nd.transpose(x, [0] + list(range(2, rank)) + [1])
    return x


def _to_first(x, data_format):
    if data_format == "channels_first":
        rank = len(x.shape)
        return _nd.transpose(x, [0, rank - 1] + list(range(1, rank - 1)))
    return x


def _pair(value):
    return tuple(value) if isinstance(value, (list, tuple)) else (value, value)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1-D convolution; ``padding='causal'`` left-pads so outputs see no later steps."""
    data_format = _format(data_format)
    x = _to_last(_nd.convert_to_tensor(x), data_format)
    if padding == "causal":
        left = dilation_rate * (kernel.shape[0] - 1)
        x = _nd.pad(x, [[0, 0], [left, 0], [0, 0]])
        padding = "valid"
    out = _nd.nn.conv1d(x, kernel, strides, _padding(padding), dilations=dilation_rate)
    return _to_first(out, data_format)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2-D convolution of a 4-D tensor with a (height, width, in, out) kernel."""
    data_format = _format(data_format)
    x = _to_last(_nd.convert_to_tensor(x), data_format)
    out = _nd.nn.conv2d(x, kernel, list(_pair(strides)), _padding(padding),
                        dilations=list(_pair(dilation_rate)))
    return _to_first(out, data_format)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Transposed 2-D convolution to ``output_shape`` (given in ``data_format``'s layout)."""
    data_format = _format(data_format)
    x = _to_last(_nd.convert_to_tensor(x), data_format)
    output_shape = list(output_shape)
    if data_format == "channels_first":
        output_shape = [output_shape[0], output_shape[2], output_shape[3], output_shape[1]]
    if _pair(dilation_rate) != (1, 1):
        raise NotImplementedError("conv2d_transpose with a dilation_rate other than 1 is not "
                                  "supported by ndflow.")
    out = _nd.nn.conv2d_transpose(x, kernel, output_shape, list(_pair(strides)),
                                  padding=_padding(padding))
    return _to_first(out, data_format)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    """Depthwise 2-D convolution: one (height, width, 1, multiplier) filter per channel."""
    data_format = _format(data_format)
    x = _to_last(_nd.convert_to_tensor(x), data_format)
    out = _nd.nn.depthwise_conv2d(x, depthwise_kernel, [1, *_pair(strides), 1],
                                  _padding(padding), dilations=list(_pair(dilation_rate)))
    return _to_first(out, data_format)


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    """Depthwise 2-D convolution followed by a 1x1 pointwise convolution."""
    data_format = _format(data_format)
    x = _to_last(_nd.convert_to_tensor(x), data_format)
    x = _nd.nn.depthwise_conv2d(x, depthwise_kernel, [1, *_pair(strides), 1], _padding(padding),
                                dilations=list(_pair(dilation_rate)))
    out = _nd.nn.conv2d(x, pointwise_kernel, [1, 1], "VALID")
    return _to_first(out, data_format)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2-D max or average pooling (``pool_mode`` 'max' or 'avg')."""
    data_format = _format(data_format)
    if len(pool_size) != 2:
        raise ValueError("`pool_size` must be a tuple of 2 integers.")
    if len(strides) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pooling mode: {pool_mode}")
    x = _to_last(_nd.convert_to_tensor(x), data_format)
    op = _nd.nn.max_pool2d if pool_mode == "max" else _nd.nn.avg_pool2d
    out = op(x, list(pool_size), list(strides), _padding(padding))
    return _to_first(out, data_format)


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Upsamples the spatial axes by integer factors ('nearest' repeats rows and columns)."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid `data_format` argument: {data_format}")
    if interpolation != "nearest":
        raise NotImplementedError(f"resize_images supports only interpolation='nearest' in "
                                  f"ndflow. Received: interpolation={interpolation!r}")
    rows = 2 if data_format == "channels_first" else 1
    x = _nd.repeat(_nd.convert_to_tensor(x), height_factor, axis=rows)
    return _nd.repeat(x, width_factor, axis=rows + 1)


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    """Upsamples the three spatial axes of a 5-D tensor by repeating entries."""
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid data_format: {data_format}")
    first = 2 if data_format == "channels_first" else 1
    x = _nd.convert_to_tensor(x)
    for offset, factor in enumerate((depth_factor, height_factor, width_factor)):
        x = _nd.repeat(x, factor, axis=first + offset)
    return x
