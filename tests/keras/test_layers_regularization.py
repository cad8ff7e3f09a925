"""Regularization layers against Keras 3: configs, inference behaviour, noise statistics and
structure in training, reproducibility under seeds, activity losses and errors.

The random draws themselves cannot equal Keras' (TensorFlow's Philox bits are not reproduced),
so training-mode outputs are checked by their structure and statistics."""
import numpy as np
import pytest

import ndflow as tf

keras = tf.keras
L = keras.layers
RNG = np.random.default_rng(5)


def _rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _config_without_name(layer):
    config = dict(layer.get_config())
    config.pop("name")
    return config


CASES = [
    ("Dropout", (0.3,), {}),
    ("Dropout", (0.5,), {"noise_shape": (None, 1, 4), "seed": 7}),
    ("Dropout", (0.0,), {}),
    ("SpatialDropout1D", (0.2,), {"seed": 3}),
    ("SpatialDropout2D", (0.2,), {}),
    ("SpatialDropout2D", (0.2,), {"data_format": "channels_first", "seed": 1}),
    ("SpatialDropout3D", (0.4,), {}),
    ("GaussianNoise", (0.1,), {"seed": 2}),
    ("GaussianDropout", (0.25,), {}),
    ("AlphaDropout", (0.1,), {"noise_shape": [None, 1]}),
    ("ActivityRegularization", (), {"l1": 0.1, "l2": 0.01}),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]
RANKS = {"SpatialDropout1D": 3, "SpatialDropout2D": 4, "SpatialDropout3D": 5, "Dropout": 3}


def _input_for(name):
    return _rand(*(2, 3, 4, 5, 6)[:RANKS.get(name, 2)])


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_configs_match_keras(real_tf, case):
    name, args, kwargs = case
    ours, theirs = getattr(L, name)(*args, **kwargs), getattr(real_tf.keras.layers, name)(
        *args, **kwargs)
    assert _config_without_name(ours) == _config_without_name(theirs)
    clone = type(ours).from_config(ours.get_config())
    assert clone.get_config() == ours.get_config()
    assert ours.weights == [] and len(theirs.weights) == 0
    assert ours.built == theirs.built


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("training", [None, False])
def test_inference_is_the_identity_like_keras(real_tf, case, training):
    name, args, kwargs = case
    x = _input_for(name)
    ours = getattr(L, name)(*args, **kwargs)(x, training=training)
    theirs = getattr(real_tf.keras.layers, name)(*args, **kwargs)(x, training=training)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(ours.numpy(), x)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symbolic_shapes_match_keras(real_tf, case):
    name, args, kwargs = case
    shape = _input_for(name).shape[1:]
    ours = getattr(L, name)(*args, **kwargs)(keras.Input(shape))
    theirs = getattr(real_tf.keras.layers, name)(*args, **kwargs)(real_tf.keras.Input(shape))
    assert tuple(ours.shape) == tuple(theirs.shape)


# -- Dropout --------------------------------------------------------------------------------------

def test_dropout_training_structure_fraction_and_gradient():
    x = np.abs(_rand(200, 50)) + 0.1
    layer = L.Dropout(0.3, seed=1)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt, training=True)
    out = y.numpy()
    kept = out != 0
    np.testing.assert_allclose(out[kept], x[kept] / np.float32(0.7), rtol=1e-6)
    assert abs(1 - kept.mean() - 0.3) < 0.02
    grad = tape.gradient(y, xt).numpy()
    np.testing.assert_allclose(grad, kept / np.float32(0.7), rtol=1e-6)


def test_dropout_statistics_match_keras(real_tf):
    x = np.ones((400, 100), np.float32)
    ours = L.Dropout(0.4, seed=3)(x, training=True).numpy()
    theirs = real_tf.keras.layers.Dropout(0.4, seed=3)(x, training=True).numpy()
    assert set(np.unique(ours)) == set(np.unique(theirs))
    assert abs(ours.mean() - theirs.mean()) < 0.03


def test_dropout_rate_one_gives_zeros_like_keras(real_tf):
    x = _rand(3, 4)
    np.testing.assert_array_equal(L.Dropout(1.0)(x, training=True).numpy(),
                                  real_tf.keras.layers.Dropout(1.0)(x, training=True).numpy())


def test_dropout_noise_shape_shares_decisions():
    x = np.ones((4, 6, 8), np.float32)
    out = L.Dropout(0.5, noise_shape=(None, 1, 8), seed=4)(x, training=True).numpy()
    assert (out == out[:, :1, :]).all()
    assert 0 < (out == 0).mean() < 1


def test_seeded_layers_repeat_their_masks_and_calls_differ():
    x = np.ones((10, 10), np.float32)
    a, b = L.Dropout(0.5, seed=42), L.Dropout(0.5, seed=42)
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())
    assert not np.array_equal(first, a(x, training=True).numpy())
    assert not np.array_equal(first, L.Dropout(0.5, seed=43)(x, training=True).numpy())


@pytest.mark.parametrize("name, args", [("Dropout", (0.5,)), ("GaussianNoise", (0.3,)),
                                        ("GaussianDropout", (0.3,)), ("AlphaDropout", (0.3,)),
                                        ("SpatialDropout1D", (0.5,))])
def test_set_random_seed_makes_unseeded_layers_repeat(name, args):
    x = np.ones((4, 5, 6), np.float32)

    def run():
        keras.utils.set_random_seed(1234)
        layer = getattr(L, name)(*args)
        return [layer(x, training=True).numpy() for _ in range(2)]

    first, second = run(), run()
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])


def test_model_training_flag_reaches_dropout():
    model = keras.Sequential([keras.Input((20,)), L.Dense(20, kernel_initializer="identity"),
                              L.Dropout(0.5, seed=0)])
    x = np.ones((8, 20), np.float32)
    np.testing.assert_allclose(model(x).numpy(), x)
    np.testing.assert_allclose(model(x, training=False).numpy(), x)
    trained = model(x, training=True).numpy()
    assert set(np.unique(trained)) == {0.0, 2.0}


def test_seed_state_is_not_a_weight(real_tf):
    layer = L.Dropout(0.5, seed=1)
    layer(np.ones((2, 3), np.float32), training=True)
    assert layer.weights == [] and layer.non_trainable_weights == []
    assert layer.count_params() == 0


# -- spatial dropout ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, shape, kwargs, shared_axes", [
    ("SpatialDropout1D", (6, 5, 40), {}, (1,)),
    ("SpatialDropout2D", (6, 3, 4, 40), {}, (1, 2)),
    ("SpatialDropout2D", (6, 40, 3, 4), {"data_format": "channels_first"}, (2, 3)),
    ("SpatialDropout3D", (4, 2, 3, 2, 30), {}, (1, 2, 3)),
])
def test_spatial_dropout_drops_whole_feature_maps(name, shape, kwargs, shared_axes):
    x = np.ones(shape, np.float32)
    out = getattr(L, name)(0.5, seed=9, **kwargs)(x, training=True).numpy()
    first = out[tuple(slice(None) if i not in shared_axes else slice(0, 1)
                      for i in range(len(shape)))]
    assert (out == first).all()
    assert set(np.unique(out)) == {0.0, 2.0}


def test_spatial_dropout_rank_errors_match_keras(real_tf):
    for module in (L, real_tf.keras.layers):
        with pytest.raises(ValueError, match="expected ndim=3"):
            module.SpatialDropout1D(0.2)(np.ones((2, 3), np.float32))
        with pytest.raises(ValueError, match="expected ndim=4"):
            module.SpatialDropout2D(0.2)(np.ones((2, 3, 4), np.float32))
        with pytest.raises(TypeError):
            module.SpatialDropout1D(0.2, trainable=False)


# -- Gaussian layers and AlphaDropout -------------------------------------------------------------

def test_gaussian_noise_statistics_and_gradient():
    x = np.zeros((300, 200), np.float32)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = L.GaussianNoise(0.2, seed=1)(xt, training=True)
    out = y.numpy()
    assert abs(out.mean()) < 0.01 and abs(out.std() - 0.2) < 0.01
    np.testing.assert_array_equal(tape.gradient(y, xt).numpy(), np.ones_like(x))


def test_gaussian_dropout_statistics_match_keras(real_tf):
    x = np.ones((300, 200), np.float32)
    ours = L.GaussianDropout(0.3, seed=1)(x, training=True).numpy()
    theirs = real_tf.keras.layers.GaussianDropout(0.3, seed=1)(x, training=True).numpy()
    expected_std = np.sqrt(0.3 / 0.7)
    for out in (ours, theirs):
        assert abs(out.mean() - 1) < 0.01 and abs(out.std() - expected_std) < 0.01


def test_alpha_dropout_keeps_selu_statistics_like_keras(real_tf):
    x = RNG.standard_normal((400, 250)).astype(np.float32)
    ours = L.AlphaDropout(0.2, seed=1)(x, training=True).numpy()
    theirs = real_tf.keras.layers.AlphaDropout(0.2, seed=1)(x, training=True).numpy()
    assert abs(ours.mean() - theirs.mean()) < 0.02 and abs(ours.std() - theirs.std()) < 0.02
    # Dropped entries all map to the same value, as in Keras.
    dropped = np.unique(np.round(ours[np.isclose(ours, ours.min())], 5))
    assert len(dropped) == 1
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    b = -a * alpha_p * 0.2
    kept = ~np.isclose(ours, a * alpha_p + b)
    np.testing.assert_allclose(ours[kept], a * x[kept] + b, rtol=1e-5, atol=1e-6)


# -- ActivityRegularization -----------------------------------------------------------------------

def test_activity_regularization_losses_match_keras(real_tf):
    x = _rand(4, 3)
    ours, theirs = L.ActivityRegularization(0.1, 0.2), \
        real_tf.keras.layers.ActivityRegularization(0.1, 0.2)
    np.testing.assert_array_equal(ours(x).numpy(), x)
    theirs(x)
    assert len(ours.losses) == len(theirs.losses) == 1
    np.testing.assert_allclose(ours.losses[0].numpy(), theirs.losses[0].numpy(), rtol=1e-6)


def test_activity_regularization_in_a_model_adds_a_loss():
    model = keras.Sequential([keras.Input((3,)), L.ActivityRegularization(l2=1.0)])
    model(np.full((2, 3), 2.0, np.float32))
    np.testing.assert_allclose(model.losses[0].numpy(), 12.0)


# -- errors ---------------------------------------------------------------------------------------

ERRORS = [
    lambda L: L.Dropout(1.5),
    lambda L: L.Dropout(-0.1),
    lambda L: L.Dropout(0.5, noise_shape="ab"),
    lambda L: L.Dropout(0.5, noise_shape=(None, 0)),
    lambda L: L.Dropout(0.5, noise_shape=(None, 1.5)),
    lambda L: L.Dropout(0.5, noise_shape=3),
    lambda L: L.Dropout(0.5, seed="a"),
    lambda L: L.Dropout(0.5, seed=1.5),
    lambda L: L.GaussianNoise(2.0),
    lambda L: L.GaussianNoise(0.1, seed="x"),
    lambda L: L.GaussianDropout(-1),
    lambda L: L.AlphaDropout(0.1, seed="x"),
    lambda L: L.SpatialDropout2D(0.1, data_format="nhwc"),
    lambda L: L.Dropout(0.5, foo=1),
]


@pytest.mark.parametrize("build", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_argument_errors_match_keras(real_tf, build):
    with pytest.raises(Exception) as theirs:
        build(real_tf.keras.layers)
    with pytest.raises(Exception) as ours:
        build(L)
    assert type(ours.value) is type(theirs.value)
