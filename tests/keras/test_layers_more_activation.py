"""Activation layers and Masking against Keras 3: outputs, gradients, configs, masks, errors.

``compare`` is shared by the other ``test_layers_more_*`` files.
"""
import json
import warnings

import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from ndflow.keras.saving import serialization_lib

RNG = np.random.default_rng(2024)


def _grads(lib, layer, x, call_kwargs):
    xt = lib.constant(x)
    with lib.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, **call_kwargs)
        # A fixed random weighting makes the gradients informative (not just 2*y).
        w = lib.constant(np.random.default_rng(7).standard_normal(y.shape).astype(
            y.dtype.as_numpy_dtype))
        loss = lib.reduce_sum(y * w)
    watched = [xt] if x.dtype.kind == "f" else []
    grads = tape.gradient(loss, watched + layer.trainable_weights)
    return y, [None if g is None else np.asarray(g) for g in grads]


def _json(value):
    # Tuples become lists in a saved file, in Keras as here.
    return json.loads(json.dumps(value))


def config_without_name(layer):
    """get_config() minus the auto-generated name."""
    config = layer.get_config()
    config.pop("name")
    return config


def compare(real_tf, cls, args=(), kwargs=None, shape=(2, 5, 3), x=None, call_kwargs=None,
            rtol=1e-5, atol=1e-5):
    """Builds ``cls(*args, **kwargs)`` in Keras and ndflow with the same weights and checks
    outputs, gradients (inputs and weights), weight names/shapes, get_config, the serialized
    dict, compute_output_shape and the round trip through serialization."""
    kwargs = kwargs or {}
    call_kwargs = call_kwargs or {}
    if x is None:
        x = RNG.standard_normal(shape).astype("float32")
    theirs = getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    theirs(x, **call_kwargs)
    ours = getattr(L, cls)(*args, **kwargs)
    ours(nd.constant(x), **call_kwargs)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.trainable for w in ours.weights] == [w.trainable for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    y_theirs, g_theirs = _grads(real_tf, theirs, x, call_kwargs)
    y_ours, g_ours = _grads(nd, ours, x, call_kwargs)
    assert y_ours.dtype.name == y_theirs.dtype.name
    assert tuple(y_ours.shape.as_list()) == tuple(y_theirs.shape)
    np.testing.assert_allclose(y_ours.numpy(), y_theirs.numpy(), rtol=rtol, atol=atol)
    assert len(g_ours) == len(g_theirs)
    for a, b in zip(g_ours, g_theirs):
        if b is None:
            assert a is None or not np.any(a)
        else:
            np.testing.assert_allclose(a, b, rtol=max(rtol, 1e-4), atol=max(atol, 1e-4))
    assert config_without_name(ours) == config_without_name(theirs)
    # The serialized dict (module, class_name) is Keras' own, and JSON round-trips back.
    from keras import saving as ksaving
    ser_theirs = ksaving.serialize_keras_object(theirs)
    ser_ours = serialization_lib.serialize_keras_object(ours)
    assert ser_ours["module"] == ser_theirs["module"]
    assert ser_ours["class_name"] == ser_theirs["class_name"]
    again = serialization_lib.deserialize_keras_object(json.loads(json.dumps(ser_ours)))
    assert type(again) is type(ours)
    assert _json(config_without_name(again)) == _json(config_without_name(ours))
    # Keras can rebuild our config.
    theirs_again = ksaving.deserialize_keras_object(json.loads(json.dumps(ser_ours)))
    assert _json(config_without_name(theirs_again)) == _json(config_without_name(theirs))
    for s in (x.shape, (None,) + x.shape[1:]):
        assert tuple(ours.compute_output_shape(s)) == tuple(theirs.compute_output_shape(s))
    return ours, theirs


ACTIVATION_CASES = [
    ("ReLU", {}),
    ("ReLU", {"max_value": 1.5}),
    ("ReLU", {"max_value": 6.0}),
    ("ReLU", {"negative_slope": 0.1}),
    ("ReLU", {"threshold": 0.5}),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.2, "threshold": 0.3}),
    ("LeakyReLU", {}),
    ("LeakyReLU", {"negative_slope": 0.05}),
    ("ELU", {}),
    ("ELU", {"alpha": 0.4}),
    ("Softmax", {}),
    ("Softmax", {"axis": 1}),
    ("Softmax", {"axis": [1, 2]}),
    ("Softmax", {"axis": (1,)}),
    ("ThresholdedReLU", {}),
    ("ThresholdedReLU", {"theta": 0.25}),
    ("PReLU", {}),
    ("PReLU", {"shared_axes": 1, "alpha_initializer": "random_normal"}),
    ("PReLU", {"shared_axes": [1, 2], "alpha_initializer": "ones",
               "alpha_regularizer": "l2", "alpha_constraint": "non_neg"}),
]


@pytest.mark.parametrize("cls,kwargs", ACTIVATION_CASES, ids=lambda v: str(v))
def test_activation_layers_match_keras(real_tf, cls, kwargs):
    compare(real_tf, cls, (), kwargs, (2, 5, 3))


def test_prelu_weights_trained_and_regularized(real_tf):
    ours, theirs = compare(real_tf, "PReLU", (), {"alpha_initializer": "random_uniform",
                                                  "alpha_regularizer": "l1"}, (2, 4, 3))
    np.testing.assert_allclose([float(v) for v in ours.losses],
                               [float(v) for v in theirs.losses], rtol=1e-5)


@pytest.mark.parametrize("mask_dtype", ["bool", "float32", "int32"])
def test_softmax_mask_matches_keras(real_tf, mask_dtype):
    x = RNG.standard_normal((2, 3, 4)).astype("float32")
    mask = (RNG.uniform(size=(2, 3, 4)) > 0.4).astype(mask_dtype)
    mask[0, 0] = 0  # a fully masked row gives zeros, not a uniform distribution
    ours, _ = compare(real_tf, "Softmax", (), {}, x=x, call_kwargs={"mask": mask})
    y = ours(nd.constant(x), mask=mask).numpy()
    assert not y[0, 0].any()


def test_softmax_broadcast_mask_and_errors(real_tf):
    x = RNG.standard_normal((2, 3, 4)).astype("float32")
    mask = np.array([True, False, True, True])
    theirs = real_tf.keras.layers.Softmax()(x, mask=mask).numpy()
    np.testing.assert_allclose(L.Softmax()(nd.constant(x), mask=mask).numpy(), theirs,
                               rtol=1e-6)
    for bad in (np.ones((2, 2, 3, 4), bool), np.ones((3,), bool)):
        with pytest.raises(ValueError) as theirs_err:
            real_tf.keras.layers.Softmax()(x, mask=bad)
        with pytest.raises(ValueError) as ours_err:
            L.Softmax()(nd.constant(x), mask=bad)
        assert str(ours_err.value).split(".")[0] in str(theirs_err.value)


@pytest.mark.parametrize("cls,kwargs", [
    ("ReLU", {"max_value": -1}), ("ReLU", {"negative_slope": -1}),
    ("ReLU", {"negative_slope": None}), ("ReLU", {"threshold": None}),
    ("ReLU", {"threshold": -0.5}), ("LeakyReLU", {"negative_slope": -1}),
    ("LeakyReLU", {"negative_slope": None}), ("ThresholdedReLU", {"theta": -1}),
    ("ThresholdedReLU", {"theta": None}), ("ReLU", {"foo": 1}),
])
def test_constructor_errors_match_keras(real_tf, cls, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, cls)(**kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(L, cls)(**kwargs)
    if cls != "ReLU" or "foo" not in kwargs:
        assert str(ours.value) == str(theirs.value)


def test_leaky_relu_alpha_is_deprecated(real_tf):
    with pytest.warns(UserWarning, match="alpha"):
        ours = L.LeakyReLU(alpha=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = real_tf.keras.layers.LeakyReLU(alpha=0.2)
    assert config_without_name(ours) == config_without_name(theirs)


def test_thresholded_relu_serializes_under_the_legacy_module(real_tf):
    from keras import saving as ksaving
    ser = serialization_lib.serialize_keras_object(L.ThresholdedReLU(0.5))
    assert ser["module"] == ksaving.serialize_keras_object(
        real_tf.keras.layers.ThresholdedReLU(0.5))["module"]


@pytest.mark.parametrize("cls", ["ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU"])
def test_activation_layers_pass_masks_through(cls):
    tokens = nd.constant(np.array([[3, 1, 0, 0]], np.int32))
    x = L.Embedding(5, 2, mask_zero=True)(tokens)
    y = getattr(L, cls)()(x)
    np.testing.assert_array_equal(y._keras_mask.numpy(), [[True, True, False, False]])


def test_softmax_rejects_an_embedding_mask_like_keras(real_tf):
    # Softmax receives the (batch, steps) mask as its `mask` argument; it does not broadcast
    # against (batch, steps, features), and Keras raises the same ValueError.
    tokens = np.array([[3, 1, 0, 0]], np.int32)
    with pytest.raises(ValueError, match="broadcastable"):
        real_tf.keras.layers.Softmax()(real_tf.keras.layers.Embedding(5, 2, mask_zero=True)(
            tokens))
    with pytest.raises(ValueError, match="broadcastable"):
        L.Softmax()(L.Embedding(5, 2, mask_zero=True)(nd.constant(tokens)))


# -- Masking --------------------------------------------------------------------------------------

def _padded_batch():
    x = RNG.standard_normal((3, 5, 2)).astype("float32")
    x[0, 3:] = 0.0
    x[1, 1] = 0.0
    x[2, 4, 0] = 0.0   # one zero feature does not mask the step
    return x


@pytest.mark.parametrize("mask_value", [0.0, -1.0])
def test_masking_matches_keras(real_tf, mask_value):
    x = _padded_batch()
    x[x == 0.0] = mask_value
    ours, theirs = compare(real_tf, "Masking", (), {"mask_value": mask_value}, x=x)
    y_ours, y_theirs = ours(nd.constant(x)), theirs(x)
    np.testing.assert_array_equal(y_ours._keras_mask.numpy(), y_theirs._keras_mask.numpy())
    np.testing.assert_array_equal(ours.compute_mask(nd.constant(x)).numpy(),
                                  theirs.compute_mask(x).numpy())


@pytest.mark.parametrize("rnn", ["LSTM", "GRU", "SimpleRNN"])
def test_masking_feeds_recurrent_layers_like_keras(real_tf, rnn):
    x = _padded_batch()

    def build(k):
        return k.Sequential([k.Input((5, 2)), k.layers.Masking(),
                             getattr(k.layers, rnn)(3), k.layers.Dense(1)])
    theirs, ours = build(real_tf.keras), build(nd.keras)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(nd.constant(x)).numpy(), theirs(x).numpy(), rtol=1e-5,
                               atol=1e-6)
    # The padded steps are skipped: the sequence with trailing padding equals its prefix.
    short = ours(nd.constant(x[:1, :3])).numpy()
    np.testing.assert_allclose(ours(nd.constant(x[:1])).numpy(), short, rtol=1e-5, atol=1e-6)


def test_masking_then_global_pooling_matches_keras(real_tf):
    x = _padded_batch()

    def build(k):
        return k.Sequential([k.Input((5, 2)), k.layers.Masking(),
                             k.layers.GlobalAveragePooling1D()])
    np.testing.assert_allclose(build(nd.keras)(nd.constant(x)).numpy(),
                               build(real_tf.keras)(x).numpy(), rtol=1e-6)
