"""Normalization layers against Keras 3: BatchNormalization (training, inference, frozen,
moving statistics), LayerNormalization, UnitNormalization and Normalization (adapt)."""
import warnings

import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from ndflow.keras.saving import serialization_lib

RNG = np.random.default_rng(7)


def _config(layer):
    config = layer.get_config()
    config.pop("name")
    return config


def _step_keras(tf, layer, x, kwargs):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, **kwargs)
        loss = tf.reduce_sum(y * y * np.linspace(0.5, 1.5, y.shape[-1]).astype(y.dtype.name))
    grads = tape.gradient(loss, [xt] + layer.trainable_weights)
    return y.numpy(), [g.numpy() for g in grads]


def _step_ours(layer, x, kwargs):
    xn = nd.constant(x)
    with nd.GradientTape() as tape:
        tape.watch(xn)
        y = layer(xn, **kwargs)
        loss = nd.reduce_sum(y * y * np.linspace(0.5, 1.5, y.shape[-1]).astype(y.dtype.name))
    grads = tape.gradient(loss, [xn] + layer.trainable_weights)
    return y.numpy(), [g.numpy() for g in grads]


def compare(real_tf, cls, args, kwargs, shape, call_kwargs=None, steps=1, perturb=True,
            dtype="float32"):
    """Same weights and inputs on both sides, ``steps`` calls: outputs, gradients, weights
    (moving statistics included) and configs agree."""
    call_kwargs = call_kwargs or {}
    theirs = getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    ours = getattr(L, cls)(*args, **kwargs)
    x0 = (RNG.standard_normal(shape) * 2 + 0.5).astype(dtype)
    theirs(x0)
    ours(nd.constant(x0))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.name for w in ours.trainable_weights] == \
        [w.name for w in theirs.trainable_weights]
    assert [w.name for w in ours.non_trainable_weights] == \
        [w.name for w in theirs.non_trainable_weights]
    weights = theirs.get_weights()
    if perturb:
        weights = [w + RNG.uniform(0.1, 0.3, w.shape).astype(w.dtype) if w.dtype.kind == "f"
                   else w for w in weights]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    for _ in range(steps):
        x = (RNG.standard_normal(shape) * 2 + 0.5).astype(dtype)
        y_theirs, g_theirs = _step_keras(real_tf, theirs, x, call_kwargs)
        y_ours, g_ours = _step_ours(ours, x, call_kwargs)
        assert y_ours.dtype == y_theirs.dtype
        np.testing.assert_allclose(y_ours, y_theirs, rtol=1e-5, atol=1e-5)
        for a, b in zip(g_ours, g_theirs):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
        for a, b in zip(ours.get_weights(), theirs.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert _config(ours) == _config(theirs)
    return ours, theirs


BN_CASES = [
    ({}, (8, 5), {}),
    ({}, (8, 5), {"training": True}),
    ({}, (8, 5), {"training": False}),
    ({"momentum": 0.9, "epsilon": 1e-2}, (6, 4, 3), {"training": True}),
    ({"axis": 1}, (4, 3, 5, 2), {"training": True}),
    ({"axis": 1}, (4, 3, 5, 2), {}),
    ({"axis": -2}, (4, 3, 5), {"training": True}),
    ({"center": False}, (4, 3, 5, 2), {"training": True}),
    ({"scale": False, "beta_initializer": "ones"}, (4, 3, 2), {"training": True}),
    ({"center": False, "scale": False}, (4, 3), {"training": True}),
    ({"trainable": False}, (4, 3, 5, 2), {"training": True}),
    ({"gamma_regularizer": "l2", "beta_constraint": "non_neg",
      "moving_variance_initializer": "random_uniform"}, (5, 3), {"training": True}),
]


@pytest.mark.parametrize("kwargs,shape,call_kwargs", BN_CASES, ids=lambda v: str(v))
def test_batch_normalization_matches_keras(real_tf, kwargs, shape, call_kwargs):
    compare(real_tf, "BatchNormalization", (), kwargs, shape, call_kwargs, steps=3)


def test_batch_normalization_mask(real_tf):
    mask = np.ones((4, 6), bool)
    mask[1, 3:] = False
    mask[3, :2] = False
    compare(real_tf, "BatchNormalization", (), {}, (4, 6, 3),
            {"training": True, "mask": mask}, steps=2)


def test_batch_normalization_moving_statistics_by_hand():
    layer = L.BatchNormalization(momentum=0.8)
    x = RNG.standard_normal((16, 3)).astype("float32") * 3 + 2
    y = layer(nd.constant(x), training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.2 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.8 + 0.2 * var, rtol=1e-5)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    before = layer.get_weights()
    layer(nd.constant(x))            # inference: no update
    layer(nd.constant(x), training=False)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_frozen_batch_normalization_uses_moving_statistics():
    layer = L.BatchNormalization()
    x = nd.constant(RNG.standard_normal((8, 3)).astype("float32"))
    layer(x)
    layer.trainable = False
    before = layer.get_weights()
    y = layer(x, training=True).numpy()
    np.testing.assert_allclose(y, x.numpy() / np.sqrt(1 + 1e-3), rtol=1e-6)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_batch_normalization_in_a_model_updates_during_fit():
    keras = nd.keras
    model = keras.Sequential([keras.Input((4,)), L.BatchNormalization(momentum=0.5),
                              L.Dense(1)])
    x = (RNG.standard_normal((32, 4)) * 2 + 3).astype("float32")
    y = RNG.standard_normal((32, 1)).astype("float32")
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=32, epochs=3, verbose=0)
    bn = model.layers[0]
    # Three updates with momentum 0.5 move the mean 7/8 of the way to the batch mean.
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.875 * x.mean(0), rtol=1e-4)
    before = bn.moving_mean.numpy()
    model.predict(x, verbose=0)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), before)


LN_CASES = [
    ({}, (4, 6)),
    ({}, (2, 3, 6)),
    ({"axis": 1}, (4, 3, 5)),
    ({"axis": [1, 2]}, (4, 3, 5, 2)),
    ({"axis": (-1, -2)}, (4, 3, 5)),
    ({"axis": [0, 2]}, (4, 3, 5)),
    ({"center": False}, (4, 6)),
    ({"scale": False, "epsilon": 0.1}, (4, 6)),
    ({"gamma_initializer": "random_normal", "beta_regularizer": "l1"}, (4, 6)),
]


@pytest.mark.parametrize("kwargs,shape", LN_CASES, ids=lambda v: str(v))
def test_layer_normalization_matches_keras(real_tf, kwargs, shape):
    compare(real_tf, "LayerNormalization", (), kwargs, shape)


def test_layer_normalization_rms_scaling_matches_keras(real_tf):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(real_tf, "LayerNormalization", (), {"rms_scaling": True}, (4, 3, 5))
    with pytest.warns(UserWarning):
        L.LayerNormalization(rms_scaling=True)


@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_output_dtypes_match_keras(real_tf, dtype):
    x = RNG.standard_normal((4, 3)).astype(dtype)
    for cls, kwargs in (("BatchNormalization", {}), ("LayerNormalization", {}),
                        ("UnitNormalization", {}),
                        ("Normalization", {"mean": 1.0, "variance": 2.0})):
        theirs = getattr(real_tf.keras.layers, cls)(**kwargs)(x)
        ours = getattr(L, cls)(**kwargs)(nd.constant(x))
        assert ours.dtype.name == theirs.dtype.name
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("kwargs,shape", [({}, (4, 6)), ({"axis": [1, 2]}, (4, 3, 2)),
                                          ({"axis": 0}, (4, 3))])
def test_unit_normalization_matches_keras(real_tf, kwargs, shape):
    compare(real_tf, "UnitNormalization", (), kwargs, shape)


def test_unit_normalization_of_zeros_is_zeros():
    y = L.UnitNormalization()(nd.zeros([2, 3]))
    np.testing.assert_array_equal(y.numpy(), np.zeros((2, 3)))


NORM_CASES = [
    ({"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}, (4, 3)),
    ({"mean": 2.0, "variance": 4.0}, (4, 3)),
    ({"mean": 2.0, "variance": 4.0, "invert": True}, (4, 3)),
    ({"mean": [1.0, -1.0], "variance": [2.0, 0.5], "axis": 1}, (4, 2, 3)),
    ({"mean": [[1.0, 2.0, 3.0], [0.0, 0.5, 1.0]], "variance": np.ones((2, 3)) * 2,
      "axis": (1, 2)}, (4, 2, 3)),
    ({"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 0.0]}, (4, 3)),
    ({"mean": 0.5, "variance": 2.0, "axis": None}, (4, 3)),
]


@pytest.mark.parametrize("kwargs,shape", NORM_CASES, ids=lambda v: str(v))
def test_normalization_with_given_statistics(real_tf, kwargs, shape):
    compare(real_tf, "Normalization", (), kwargs, shape, perturb=False)


def _batches(data, n):
    return [data[i:i + n] for i in range(0, len(data), n)]


@pytest.mark.parametrize("kwargs", [{}, {"axis": None}, {"axis": 1}, {"axis": (1, 2)},
                                    {"axis": -1, "invert": True}])
@pytest.mark.parametrize("form", ["array", "tensor", "list", "generator", "tuples"])
def test_normalization_adapt_matches_keras(real_tf, kwargs, form):
    data = (RNG.standard_normal((30, 3, 4)) * 2 + 1).astype("float32")
    x = (RNG.standard_normal((5, 3, 4))).astype("float32")

    def feed(side_tf):
        if form == "array":
            return data
        if form == "tensor":
            return side_tf.constant(data)
        if form == "list":
            return _batches(data, 7)
        if form == "generator":
            return (b for b in _batches(data, 8))
        return [(b, np.zeros(len(b))) for b in _batches(data, 9)]

    theirs = real_tf.keras.layers.Normalization(**kwargs)
    theirs.adapt(feed(real_tf))
    ours = L.Normalization(**kwargs)
    ours.adapt(feed(nd))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [w.dtype.name if hasattr(w.dtype, "name") else w.dtype for w in ours.weights] == \
        [w.dtype for w in theirs.weights]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours(nd.constant(x)).numpy(), theirs(x).numpy(), rtol=1e-5,
                               atol=1e-5)
    assert _config(ours) == _config(theirs)


def test_normalization_readapt_and_set_weights():
    layer = L.Normalization()
    layer.adapt(np.array([[0.0], [2.0]], np.float32))
    np.testing.assert_allclose(layer(nd.constant([[3.0]])).numpy(), [[2.0]])
    layer.adapt(np.array([[10.0], [14.0]], np.float32))
    np.testing.assert_allclose(layer(nd.constant([[14.0]])).numpy(), [[1.0]])
    layer.set_weights([np.array([1.0], np.float32), np.array([4.0], np.float32),
                       np.array(0, np.int64)])
    np.testing.assert_allclose(layer(nd.constant([[5.0]])).numpy(), [[2.0]])
    # Unadapted and unbuilt: the identity statistics (mean 0, variance 1).
    np.testing.assert_allclose(L.Normalization()(nd.constant([[5.0]])).numpy(), [[5.0]])


def test_normalization_adapt_rejects_other_shapes(real_tf):
    layer = L.Normalization(axis=1)
    layer.adapt(np.zeros((2, 3, 4), np.float32))
    with pytest.raises(ValueError):
        layer.adapt(np.zeros((2, 4, 4), np.float32))
    with pytest.raises(ValueError):
        L.Normalization().adapt([])
    with pytest.raises(TypeError):
        L.Normalization().adapt(5)


BAD = [
    ("BatchNormalization", {"axis": "a"}, None),
    ("BatchNormalization", {"axis": 3}, (2, 3)),
    ("LayerNormalization", {"axis": "a"}, None),
    ("LayerNormalization", {"axis": 3}, (2, 3)),
    ("UnitNormalization", {"axis": "a"}, None),
    ("Normalization", {"mean": 1.0}, None),
    ("Normalization", {"mean": [1.0, 2.0], "variance": [1.0]}, None),
    ("Normalization", {"mean": [[1.0]], "variance": [[1.0]]}, None),
    ("Normalization", {"axis": 3}, (2, 3)),
    ("Normalization", {"axis": 1, "mean": [1.0, 2.0], "variance": [1.0, 1.0]}, (2, None)),
    ("BatchNormalization", {"unknown": 1}, None),
]


@pytest.mark.parametrize("cls,kwargs,shape", BAD, ids=lambda v: str(v))
def test_errors_match_keras(real_tf, cls, kwargs, shape):
    def attempt(module, make):
        layer = getattr(module, cls)(**kwargs)
        if shape is not None:
            if None in shape:
                layer.build(shape)
            else:
                layer(make(np.zeros(shape, np.float32)))

    with pytest.raises(Exception) as theirs:
        attempt(real_tf.keras.layers, lambda v: v)
    with pytest.raises(Exception) as ours:
        attempt(L, nd.constant)
    assert type(ours.value).__name__ == type(theirs.value).__name__


def test_unsupported_options_are_explicit():
    with pytest.raises(NotImplementedError):
        L.BatchNormalization(renorm=True)


@pytest.mark.parametrize("cls,kwargs", [
    ("BatchNormalization", {"axis": 1, "momentum": 0.5, "gamma_regularizer": "l2"}),
    ("LayerNormalization", {"axis": [1, 2], "epsilon": 0.1}),
    ("UnitNormalization", {"axis": [1]}),
    ("Normalization", {"mean": [1.0, 2.0], "variance": [3.0, 4.0], "invert": True}),
])
def test_from_config_and_serialization_round_trip(real_tf, cls, kwargs):
    layer = getattr(L, cls)(**kwargs)
    config = layer.get_config()
    assert _config(layer) == _config(getattr(real_tf.keras.layers, cls)(**kwargs))
    assert type(layer).from_config(config).get_config() == config
    described = serialization_lib.serialize_keras_object(layer)
    assert (described["module"], described["class_name"]) == ("keras.layers", cls)
    assert serialization_lib.deserialize_keras_object(described).get_config() == config


def test_layer_normalization_axis_becomes_a_list_when_built(real_tf):
    ours, theirs = L.LayerNormalization(), real_tf.keras.layers.LayerNormalization()
    assert ours.get_config()["axis"] == theirs.get_config()["axis"] == -1
    ours.build((None, 3))
    theirs.build((None, 3))
    assert ours.get_config()["axis"] == theirs.get_config()["axis"] == [-1]


def test_symbolic_shapes(real_tf):
    keras = real_tf.keras
    for cls, kwargs in (("BatchNormalization", {}), ("LayerNormalization", {}),
                        ("UnitNormalization", {}), ("Normalization", {})):
        theirs = getattr(keras.layers, cls)(**kwargs)(keras.Input((None, 3)))
        ours = getattr(L, cls)(**kwargs)(nd.keras.Input((None, 3)))
        assert tuple(ours.shape) == tuple(theirs.shape)
