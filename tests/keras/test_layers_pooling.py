"""Pooling, padding, cropping and upsampling layers against Keras 3."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from ndflow.keras.saving import serialization_lib

RNG = np.random.default_rng(99)


def _config(layer):
    config = layer.get_config()
    config.pop("name")
    return config


def _value_and_grad_keras(tf, layer, x, **kwargs):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, **kwargs)
        loss = tf.reduce_sum(y * y)
    return y.numpy(), tape.gradient(loss, xt).numpy()


def _value_and_grad_ours(layer, x, **kwargs):
    xn = nd.constant(x)
    with nd.GradientTape() as tape:
        tape.watch(xn)
        y = layer(xn, **kwargs)
        loss = nd.reduce_sum(y * y)
    return y.numpy(), tape.gradient(loss, xn).numpy()


def compare(real_tf, cls, args, kwargs, shape, call_kwargs=None):
    x = RNG.standard_normal(shape).astype("float32")
    theirs = getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    ours = getattr(L, cls)(*args, **kwargs)
    call_kwargs = call_kwargs or {}
    y_theirs, g_theirs = _value_and_grad_keras(real_tf, theirs, x, **call_kwargs)
    y_ours, g_ours = _value_and_grad_ours(ours, x, **{k: nd.constant(v) for k, v in
                                                      call_kwargs.items()})
    np.testing.assert_allclose(y_ours, y_theirs, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(g_ours, g_theirs, rtol=1e-5, atol=1e-5)
    assert _config(ours) == _config(theirs)
    assert ours.weights == [] and ours.built == theirs.built
    return ours, theirs


CASES = [
    ("MaxPooling1D", (), {}, (2, 9, 3)),
    ("MaxPooling1D", (3,), {"strides": 2, "padding": "same"}, (2, 9, 3)),
    ("MaxPooling1D", (2,), {"strides": 1}, (2, 6, 2)),
    ("AveragePooling1D", (2,), {}, (2, 9, 3)),
    ("AveragePooling1D", (3,), {"strides": 2, "padding": "same"}, (2, 9, 3)),
    ("MaxPooling2D", (), {}, (2, 9, 8, 3)),
    ("MaxPooling2D", ((3, 2),), {"strides": (2, 1), "padding": "same"}, (2, 9, 8, 3)),
    ("MaxPooling2D", (3,), {"strides": 1, "padding": "SAME"}, (2, 5, 4, 2)),
    ("AveragePooling2D", (2,), {}, (2, 9, 8, 3)),
    ("AveragePooling2D", (3,), {"padding": "same"}, (2, 9, 8, 3)),
    ("AveragePooling2D", ((2, 3),), {"strides": (1, 2), "padding": "valid"}, (2, 6, 7, 2)),
    ("GlobalAveragePooling1D", (), {}, (2, 9, 3)),
    ("GlobalAveragePooling1D", (), {"keepdims": True}, (2, 9, 3)),
    ("GlobalAveragePooling1D", (), {"data_format": "channels_first"}, (2, 9, 3)),
    ("GlobalMaxPooling1D", (), {}, (2, 9, 3)),
    ("GlobalMaxPooling1D", (), {"keepdims": True, "data_format": "channels_first"}, (2, 9, 3)),
    ("GlobalAveragePooling2D", (), {}, (2, 5, 4, 3)),
    ("GlobalAveragePooling2D", (), {"keepdims": True}, (2, 5, 4, 3)),
    ("GlobalMaxPooling2D", (), {}, (2, 5, 4, 3)),
    ("GlobalMaxPooling2D", (), {"keepdims": True, "data_format": "channels_first"},
     (2, 5, 4, 3)),
    ("ZeroPadding2D", (), {}, (2, 5, 4, 3)),
    ("ZeroPadding2D", (2,), {}, (2, 5, 4, 3)),
    ("ZeroPadding2D", ((1, 3),), {}, (2, 5, 4, 3)),
    ("ZeroPadding2D", (((1, 2), (0, 3)),), {"data_format": "channels_first"}, (2, 3, 5, 4)),
    ("Cropping2D", (), {}, (2, 5, 4, 3)),
    ("Cropping2D", (1,), {}, (2, 5, 4, 3)),
    ("Cropping2D", (((1, 2), (0, 1)),), {}, (2, 5, 4, 3)),
    ("Cropping2D", (((0, 2), (1, 0)),), {}, (2, 5, 4, 3)),
    ("Cropping2D", ((2, 1),), {"data_format": "channels_first"}, (2, 3, 5, 4)),
    ("UpSampling2D", (), {}, (2, 5, 4, 3)),
    ("UpSampling2D", ((3, 1),), {}, (2, 5, 4, 3)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "bilinear"}, (2, 5, 4, 3)),
    ("UpSampling2D", (3,), {"interpolation": "BILINEAR"}, (2, 1, 2, 2)),
    ("UpSampling2D", ((2, 2),), {"data_format": "channels_first"}, (2, 3, 5, 4)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "bicubic"}, (2, 5, 4, 3)),
    ("UpSampling2D", ((2, 2),), {"interpolation": "lanczos3"}, (2, 5, 4, 3)),
    ("UpSampling2D", ((2, 3),), {"interpolation": "lanczos5"}, (2, 5, 4, 3)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES, ids=lambda v: str(v))
def test_matches_keras(real_tf, cls, args, kwargs, shape):
    compare(real_tf, cls, args, kwargs, shape)


def test_bilinear_channels_first_is_transposed_channels_last(real_tf):
    # Keras' CPU resize needs channels_last, so this checks the transpose path against ours.
    x = RNG.standard_normal((2, 5, 4, 3)).astype("float32")
    last = L.UpSampling2D((2, 3), interpolation="bilinear")(nd.constant(x)).numpy()
    first = L.UpSampling2D((2, 3), interpolation="bilinear", data_format="channels_first")(
        nd.constant(x.transpose(0, 3, 1, 2))).numpy()
    np.testing.assert_allclose(first.transpose(0, 2, 3, 1), last, rtol=1e-6)


@pytest.mark.parametrize("cls,args,kwargs", [
    ("MaxPooling2D", (), {}), ("AveragePooling2D", (3,), {"padding": "same"}),
    ("MaxPooling1D", (2,), {}),
])
def test_channels_first_pooling_is_transposed_channels_last(real_tf, cls, args, kwargs):
    rank = 3 if cls.endswith("1D") else 4
    x = RNG.standard_normal((2, 7, 3) if rank == 3 else (2, 7, 6, 3)).astype("float32")
    to_first = [0, rank - 1] + list(range(1, rank - 1))
    to_last = [0] + list(range(2, rank)) + [1]
    last = getattr(L, cls)(*args, **kwargs)(nd.constant(x)).numpy()
    layer = getattr(L, cls)(*args, data_format="channels_first", **kwargs)
    first = layer(nd.constant(x.transpose(to_first))).numpy()
    np.testing.assert_allclose(first.transpose(to_last), last, rtol=1e-6)
    theirs = getattr(real_tf.keras.layers, cls)(*args, data_format="channels_first", **kwargs)
    assert _config(layer) == _config(theirs)
    assert tuple(layer.compute_output_shape(x.transpose(to_first).shape)) == \
        tuple(theirs.compute_output_shape(x.transpose(to_first).shape))


def test_global_average_pooling_1d_mask(real_tf):
    mask = np.array([[1, 1, 0, 1, 0], [1, 0, 0, 0, 0]], dtype=bool)
    for keepdims in (False, True):
        compare(real_tf, "GlobalAveragePooling1D", (), {"keepdims": keepdims}, (2, 5, 3),
                call_kwargs={"mask": mask})


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES, ids=lambda v: str(v))
def test_output_shapes_match_keras(real_tf, cls, args, kwargs, shape):
    keras = real_tf.keras
    theirs_layer = getattr(keras.layers, cls)(*args, **kwargs)
    ours_layer = getattr(L, cls)(*args, **kwargs)
    if kwargs.get("padding") == "SAME":
        # Keras' shape rule rejects upper-case padding names (calling on data accepts them).
        with pytest.raises(ValueError):
            theirs_layer.compute_output_shape(shape)
        with pytest.raises(ValueError):
            ours_layer.compute_output_shape(shape)
        return
    for s in (shape, (None,) + shape[1:]):
        assert tuple(ours_layer.compute_output_shape(s)) == \
            tuple(theirs_layer.compute_output_shape(s))
    theirs = getattr(keras.layers, cls)(*args, **kwargs)(keras.Input(shape[1:]))
    ours = getattr(L, cls)(*args, **kwargs)(nd.keras.Input(shape[1:]))
    assert tuple(ours.shape) == tuple(theirs.shape)


@pytest.mark.parametrize("cls", ["GlobalAveragePooling2D", "GlobalMaxPooling2D",
                                 "UpSampling2D", "ZeroPadding2D"])
def test_symbolic_unknown_spatial_sizes(real_tf, cls):
    keras = real_tf.keras
    theirs = getattr(keras.layers, cls)()(keras.Input((None, None, 3)))
    ours = getattr(L, cls)()(nd.keras.Input((None, None, 3)))
    assert tuple(ours.shape) == tuple(theirs.shape)


BAD_ARGS = [
    ("MaxPooling2D", (0,), {}),
    ("MaxPooling2D", ((2, 2, 2),), {}),
    ("MaxPooling2D", (2,), {"strides": -1}),
    ("AveragePooling1D", ((2, 2),), {}),
    ("MaxPooling2D", (2,), {"data_format": "nchw"}),
    ("GlobalAveragePooling2D", (), {"data_format": "x"}),
    ("ZeroPadding2D", ((1, 2, 3),), {}),
    ("ZeroPadding2D", (((1, 2), (-1, 0)),), {}),
    ("ZeroPadding2D", ("a",), {}),
    ("Cropping2D", (-1,), {}),
    ("Cropping2D", ((1, 2, 3),), {}),
    ("UpSampling2D", (0,), {}),
    ("UpSampling2D", ((2, 2, 2),), {}),
]


@pytest.mark.parametrize("cls,args,kwargs", BAD_ARGS, ids=lambda v: str(v))
def test_bad_arguments_raise_like_keras(real_tf, cls, args, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    with pytest.raises(Exception) as ours:
        getattr(L, cls)(*args, **kwargs)
    assert type(ours.value).__name__ == type(theirs.value).__name__


@pytest.mark.parametrize("cls,args,kwargs,shape", [
    ("MaxPooling2D", (), {}, (2, 5, 5)),
    ("GlobalAveragePooling2D", (), {}, (2, 5, 5)),
    ("GlobalMaxPooling1D", (), {}, (2, 5, 5, 1)),
    ("Cropping2D", (3,), {}, (1, 5, 5, 1)),
    ("ZeroPadding2D", (), {}, (1, 5, 5)),
    ("MaxPooling2D", (2,), {"padding": "full"}, (1, 4, 4, 1)),
])
def test_bad_inputs_raise_like_keras(real_tf, cls, args, kwargs, shape):
    x = np.zeros(shape, np.float32)
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, cls)(*args, **kwargs)(x)
    with pytest.raises(Exception) as ours:
        getattr(L, cls)(*args, **kwargs)(nd.constant(x))
    assert type(ours.value).__name__ == type(theirs.value).__name__


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES[::3], ids=lambda v: str(v))
def test_from_config_and_serialization_round_trip(cls, args, kwargs, shape):
    layer = getattr(L, cls)(*args, **kwargs)
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    described = serialization_lib.serialize_keras_object(layer)
    assert (described["module"], described["class_name"]) == ("keras.layers", cls)
    assert serialization_lib.deserialize_keras_object(described).get_config() == config


def test_aliases():
    assert L.MaxPool2D is L.MaxPooling2D and L.AvgPool1D is L.AveragePooling1D
    assert L.GlobalAvgPool2D is L.GlobalAveragePooling2D
    assert L.GlobalMaxPool1D is L.GlobalMaxPooling1D


def test_area_upsampling_matches_keras(real_tf):
    # Values only: TensorFlow has no gradient for area resizing.
    x = np.random.default_rng(4).random((2, 5, 4, 3)).astype(np.float32)
    ours = L.UpSampling2D((3, 2), interpolation="area")(x)
    theirs = real_tf.keras.layers.UpSampling2D((3, 2), interpolation="area")(x)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_max_pool_gradient_goes_to_the_maximum():
    x = nd.constant(np.array([[[[1.0], [5.0]], [[3.0], [2.0]]]], np.float32))
    with nd.GradientTape() as tape:
        tape.watch(x)
        y = L.MaxPooling2D()(x)
    assert float(y.numpy().ravel()[0]) == 5.0
    np.testing.assert_array_equal(tape.gradient(y, x).numpy().ravel(), [0, 1, 0, 0])


def test_upsampling_unknown_interpolation_raises_when_called(real_tf):
    x = np.zeros((1, 2, 2, 1), np.float32)
    for lib in (real_tf.keras.layers, L):
        layer = lib.UpSampling2D(interpolation="gaussian")   # accepted until called, as Keras
        with pytest.raises(ValueError, match="interpolation"):
            layer(x)
