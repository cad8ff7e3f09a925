"""``ndflow.keras.backend``: global Keras settings, name uniquification and a few tensor helpers."""
import collections
import re

import ndflow as _nd

_FLOATX = "float32"
_EPSILON = 1e-7
_IMAGE_DATA_FORMAT = "channels_last"
_NAME_COUNTS = collections.defaultdict(int)


def floatx():
    """The default float dtype name of new weights ('float32')."""
    return _FLOATX


def set_floatx(value):
    """Sets the default float dtype ('float16', 'float32' or 'float64')."""
    global _FLOATX
    if value not in ("float16", "bfloat16", "float32", "float64"):
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {{'float16', "
                         f"'bfloat16', 'float32', 'float64'}}")
    _FLOATX = str(value)


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    """Sets the fuzz factor."""
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    """'channels_last' (the only layout ndflow's convolutions use)."""
    return _IMAGE_DATA_FORMAT


def set_image_data_format(data_format):
    """Sets the image data format ('channels_last' or 'channels_first')."""
    global _IMAGE_DATA_FORMAT
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"Unknown data_format: {data_format}")
    _IMAGE_DATA_FORMAT = data_format


def clear_session(free_memory=True):
    """Resets the automatic layer names (dense, dense_1, ...) and the get_uid counters, as a
    fresh session would."""
    _NAME_COUNTS.clear()
    from ndflow.keras.backend_legacy import reset_uids
    reset_uids()


def to_snake_case(name):
    """'MyDenseLayer' -> 'my_dense_layer', 'Conv2D' -> 'conv2d' (Keras' rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base):
    """``base`` the first time, then ``base_1``, ``base_2``... (until clear_session)."""
    count = _NAME_COUNTS[base]
    _NAME_COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def square(x):
    """x * x."""
    return _nd.square(x)


def transpose(x):
    """Reverses the axes of x."""
    return _nd.transpose(x)


def cast(x, dtype):
    """x converted to dtype."""
    return _nd.cast(x, dtype)


def constant(value, dtype=None, shape=None, name=None):
    """A constant tensor (dtype defaults to floatx)."""
    return _nd.constant(value, dtype=dtype or floatx(), shape=shape)


def shape(x):
    """The dynamic shape of x as a tensor."""
    return _nd.shape(x)


def int_shape(x):
    """The static shape of x as a tuple of ints/None."""
    return tuple(_nd.convert_to_tensor(x).shape.as_list())


def get_value(x):
    """The value of a tensor or variable as a NumPy array."""
    return x.numpy()


def set_value(x, value):
    """Assigns ``value`` to a variable."""
    x.assign(value)


def eval(x):  # noqa: A001 - Keras' name
    """The value of x as a NumPy array."""
    return _nd.convert_to_tensor(x).numpy()


# The legacy tf.keras backend's tensor functions (K.mean, K.batch_dot, ...), kept in their own
# modules so this one stays small; imported last because they read floatx/epsilon from here.
from ndflow.keras.backend_legacy import (  # noqa: E402,F401
    abs, all, any, arange, argmax, argmin, cast_to_floatx, clip, count_params, cumprod, cumsum,
    equal, exp, eye, get_uid, greater, greater_equal, is_keras_tensor, l2_normalize, less,
    less_equal, log, max, maximum, mean, min, minimum, ndim, not_equal, ones, ones_like, pow,
    prod, relu, round, sigmoid, sign, softmax, softplus, sqrt, std, stop_gradient, sum, tanh,
    var, variable, zeros, zeros_like)
from ndflow.keras.backend_legacy import dtype as _dtype_name  # noqa: E402
from ndflow.keras.backend_shapes import (  # noqa: E402,F401
    batch_dot, batch_flatten, bias_add, binary_crossentropy, categorical_crossentropy,
    concatenate, dot, expand_dims, flatten, gather, one_hot, permute_dimensions, repeat_elements,
    reshape, sparse_categorical_crossentropy, squeeze, stack, switch, tile)


def dtype(x):
    """The dtype name of ``x`` ('float32', ...)."""
    return _dtype_name(x)
from ndflow.keras.backend_more import (  # noqa: E402,F401
    backend, batch_get_value, batch_normalization, batch_set_value, binary_focal_crossentropy,
    categorical_focal_crossentropy, cos, dropout, elu, foldl, foldr, gradients, hard_sigmoid,
    in_top_k, is_float_dtype, is_int_dtype, is_sparse, map_fn, moving_average_update,
    name_scope, random_bernoulli, random_normal, random_normal_variable, random_uniform,
    random_uniform_variable, repeat, reverse, sin, softsign, spatial_2d_padding,
    spatial_3d_padding, temporal_padding, to_dense, truncated_normal, update, update_add,
    update_sub)
from ndflow.keras.backend_conv import (  # noqa: E402,F401
    conv1d, conv2d, conv2d_transpose, depthwise_conv2d, pool2d, resize_images, resize_volumes,
    separable_conv2d)
from ndflow.keras.utils.numerical_utils import standardize_dtype  # noqa: E402,F401
