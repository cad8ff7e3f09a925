"""CategoryEncoding, Discretization, Hashing, Resizing and CenterCrop against Keras 3."""
import json

import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from ndflow.keras.saving import serialization_lib
from test_layers_more_activation import compare, config_without_name

RNG = np.random.default_rng(11)


def _both(real_tf, cls, args, kwargs, x, **call_kwargs):
    """(ours, theirs) outputs of the same layer on the same input, plus the layers."""
    theirs = getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    ours = getattr(L, cls)(*args, **kwargs)
    return ours(nd.constant(x), **call_kwargs), theirs(x, **call_kwargs), ours, theirs


def _same(real_tf, cls, args, kwargs, x, **call_kwargs):
    y_ours, y_theirs, ours, theirs = _both(real_tf, cls, args, kwargs, x, **call_kwargs)
    assert y_ours.dtype.name == y_theirs.dtype.name
    np.testing.assert_array_equal(y_ours.numpy(), y_theirs.numpy())
    assert config_without_name(ours) == config_without_name(theirs)
    shape = tuple(x.shape)
    assert tuple(ours.compute_output_shape(shape)) == tuple(theirs.compute_output_shape(shape))
    ser = serialization_lib.serialize_keras_object(ours)
    again = serialization_lib.deserialize_keras_object(json.loads(json.dumps(ser)))
    np.testing.assert_array_equal(again(nd.constant(x), **call_kwargs).numpy(),
                                  y_theirs.numpy())
    from keras import saving as ksaving
    assert ser["module"] == ksaving.serialize_keras_object(theirs)["module"]
    return ours, theirs


# -- CategoryEncoding -------------------------------------------------------------------------------

INTS = [np.array([1, 3, 0]), np.array([[1, 3], [0, 0]]), np.array([[1], [2], [3]]),
        np.array(2), np.array([[1, 7, 2]]), np.array([[[1, 2]], [[3, 3]]])]


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("index", range(len(INTS)))
def test_category_encoding_matches_keras(real_tf, mode, index):
    _same(real_tf, "CategoryEncoding", (4,), {"output_mode": mode}, INTS[index])


def test_category_encoding_count_weights_and_dtypes(real_tf):
    x = np.array([[1, 1, 3], [0, 2, 2]])
    w = np.array([[0.5, 2.0, 1.0], [1.0, 0.25, 0.25]], "float32")
    _same(real_tf, "CategoryEncoding", (4,), {"output_mode": "count"}, x, count_weights=w)
    _same(real_tf, "CategoryEncoding", (4,), {"dtype": "int32"}, x)
    _same(real_tf, "CategoryEncoding", (4,), {}, np.array([1.0, 2.0], "float32"))


@pytest.mark.parametrize("kwargs", [{"num_tokens": None}, {"num_tokens": 4,
                                                            "output_mode": "tf_idf"}])
def test_category_encoding_constructor_errors(real_tf, kwargs):
    with pytest.raises(ValueError) as theirs:
        real_tf.keras.layers.CategoryEncoding(**kwargs)
    with pytest.raises(ValueError) as ours:
        L.CategoryEncoding(**kwargs)
    assert str(ours.value) == str(theirs.value)


def test_category_encoding_negative_ids_fail_like_keras(real_tf):
    with pytest.raises(real_tf.errors.InvalidArgumentError):
        real_tf.keras.layers.CategoryEncoding(4)(np.array([-1]))
    with pytest.raises(nd.errors.InvalidArgumentError, match="non-negative"):
        L.CategoryEncoding(4)(nd.constant(np.array([-1])))


# -- Discretization ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {}, {"output_mode": "one_hot"}, {"output_mode": "multi_hot"}, {"output_mode": "count"},
    {"dtype": "float64"}, {"output_mode": "count", "dtype": "float64"},
])
def test_discretization_matches_keras(real_tf, kwargs):
    x = np.array([[-1, 0, 0.5, 1, 2.5, 3], [0.1, 0.2, 2.4, 2.6, -0.0, 9]], "float32")
    _same(real_tf, "Discretization", (), {"bin_boundaries": [0.0, 1.0, 2.5], **kwargs}, x)
    _same(real_tf, "Discretization", (), {"bin_boundaries": [0.0, 1.0, 2.5], **kwargs},
          np.array([[1, 2], [3, -4]]))


@pytest.mark.parametrize("kwargs", [{}, {"bin_boundaries": [0.0], "num_bins": 3},
                                    {"bin_boundaries": [0.0], "output_mode": "xx"}])
def test_discretization_constructor_errors(real_tf, kwargs):
    with pytest.raises(ValueError) as theirs:
        real_tf.keras.layers.Discretization(**kwargs)
    with pytest.raises(ValueError) as ours:
        L.Discretization(**kwargs)
    assert str(ours.value) == str(theirs.value)


def test_discretization_without_boundaries_or_sorted_ones(real_tf):
    x = np.array([[0.5]], "float32")
    with pytest.raises(ValueError, match="adapt"):
        real_tf.keras.layers.Discretization(num_bins=3)(x)
    with pytest.raises(ValueError, match="adapt"):
        L.Discretization(num_bins=3)(nd.constant(x))
    with pytest.raises(real_tf.errors.InvalidArgumentError):
        real_tf.keras.layers.Discretization(bin_boundaries=[1.0, 0.0])(x)
    with pytest.raises(nd.errors.InvalidArgumentError, match="sorted"):
        L.Discretization(bin_boundaries=[1.0, 0.0])(nd.constant(x))


# -- Hashing ----------------------------------------------------------------------------------------

STRINGS = np.array([["a", "b"], ["hello", "world"], ["", "x"], ["ndflow", "keras"]])


@pytest.mark.parametrize("kwargs", [
    {}, {"salt": [3, 4]}, {"salt": 5}, {"mask_value": "a"}, {"output_mode": "multi_hot"},
    {"output_mode": "count", "mask_value": "x"}, {"output_mode": "one_hot"},
])
def test_hashing_strings_match_keras(real_tf, kwargs):
    x = STRINGS[:, :1] if kwargs.get("output_mode") == "one_hot" else STRINGS
    _same(real_tf, "Hashing", (7,), kwargs, x)


@pytest.mark.parametrize("x", [np.array([[1, 2], [300, -4]]), np.array([[1, 2]], "int32"),
                               np.array([1.5, -2.25])])
def test_hashing_numbers_match_keras(real_tf, x):
    _same(real_tf, "Hashing", (11,), {}, x)
    _same(real_tf, "Hashing", (11,), {"mask_value": 2}, x)


@pytest.mark.parametrize("kwargs", [{"num_bins": 0}, {"num_bins": 7, "salt": "a"},
                                    {"num_bins": 7, "output_mode": "xx"}])
def test_hashing_constructor_errors(real_tf, kwargs):
    with pytest.raises(ValueError) as theirs:
        real_tf.keras.layers.Hashing(**kwargs)
    with pytest.raises(ValueError) as ours:
        L.Hashing(**kwargs)
    assert str(ours.value) == str(theirs.value)


# -- Resizing and CenterCrop ------------------------------------------------------------------------

RESIZE_CASES = [
    ((3, 4), {}), ((8, 9), {}), ((5, 6), {}), ((3, 4), {"interpolation": "nearest"}),
    ((8, 11), {"interpolation": "nearest"}), ((3, 4), {"crop_to_aspect_ratio": True}),
    ((7, 3), {"crop_to_aspect_ratio": True, "interpolation": "nearest"}),
    ((3, 4), {"pad_to_aspect_ratio": True, "fill_value": 2.0}),
    ((7, 3), {"pad_to_aspect_ratio": True}), ((6, 14), {"pad_to_aspect_ratio": True}),
]


@pytest.mark.parametrize("args,kwargs", RESIZE_CASES, ids=lambda v: str(v))
def test_resizing_matches_keras(real_tf, args, kwargs):
    compare(real_tf, "Resizing", args, kwargs, (2, 5, 6, 3), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("args", [(3, 4), (2, 3), (5, 6), (7, 8), (7, 4), (4, 9)])
def test_center_crop_matches_keras(real_tf, args):
    compare(real_tf, "CenterCrop", args, {}, (2, 5, 6, 3), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("cls,args,kwargs", [
    ("Resizing", (3, 4), {}), ("Resizing", (8, 3), {"interpolation": "nearest"}),
    ("CenterCrop", (3, 4), {}), ("CenterCrop", (7, 8), {}),
])
def test_image_layers_on_single_images_ints_and_channels_first(real_tf, cls, args, kwargs):
    image = (RNG.uniform(size=(5, 6, 3)) * 255).astype("float32")
    y_ours, y_theirs, _, _ = _both(real_tf, cls, args, kwargs, image)
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.numpy(), rtol=1e-5, atol=1e-3)
    ints = image.astype("int32")
    y_ours, y_theirs, _, _ = _both(real_tf, cls, args, kwargs, ints)
    assert y_ours.dtype.name == y_theirs.dtype.name
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.numpy(), rtol=1e-5, atol=1e-3)
    first = np.transpose(image[None], (0, 3, 1, 2))
    y_ours, y_theirs, ours, theirs = _both(real_tf, cls, args,
                                           dict(kwargs, data_format="channels_first"), first)
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.numpy(), rtol=1e-5, atol=1e-3)
    assert tuple(ours.compute_output_shape(first.shape)) == \
        tuple(theirs.compute_output_shape(first.shape))


def test_resizing_unknown_interpolation_is_an_error_when_called():
    with pytest.raises(ValueError, match="interpolation"):
        L.Resizing(3, 4, interpolation="foo")(nd.zeros((1, 4, 4, 1)))


def test_resizing_wrong_rank_is_an_error():
    with pytest.raises(ValueError, match="rank"):
        L.Resizing(3, 4)(nd.zeros((6, 3)))


def test_preprocessing_in_a_model_matches_keras(real_tf):
    images = (RNG.uniform(size=(3, 9, 8, 2)) * 255).astype("float32")

    def build(k):
        return k.Sequential([k.Input((9, 8, 2)), k.layers.CenterCrop(7, 6),
                             k.layers.Resizing(4, 4), k.layers.Rescaling(1 / 255.0),
                             k.layers.Conv2D(2, 3), k.layers.Flatten(), k.layers.Dense(1)])
    theirs, ours = build(real_tf.keras), build(nd.keras)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(nd.constant(images)).numpy(), theirs(images).numpy(),
                               rtol=1e-4, atol=1e-5)
