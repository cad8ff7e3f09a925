"""Attention layers: conformance with Keras 3 (weights copied over) plus unit tests."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L

RNG = np.random.default_rng(99)


@pytest.fixture(scope="module")
def keras(real_tf):
    return real_tf.keras


def _rand(*shape):
    return RNG.standard_normal(shape).astype("float32")


def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _close(ours, theirs, rtol=1e-5, atol=1e-5):
    ours, theirs = _flat(ours), _flat(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=rtol, atol=atol)


def _strip_names(config):
    if isinstance(config, dict):
        return {k: _strip_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, list):
        return [_strip_names(v) for v in config]
    return config


def _share_weights(ours, theirs, perturb=0.2):
    weights = [w + perturb * RNG.standard_normal(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)


Q, V, K = _rand(2, 5, 6), _rand(2, 7, 8), _rand(2, 7, 3)
MASK = RNG.uniform(size=(2, 5, 7)) > 0.3

MHA_OPTIONS = [{}, {"use_bias": False}, {"output_shape": (3,)}, {"value_dim": 5},
               {"use_gate": True}, {"sliding_window": 2}, {"output_shape": 4, "value_dim": 2}]
MHA_CALLS = [{}, {"key": K}, {"attention_mask": MASK}, {"use_causal_mask": True},
             {"return_attention_scores": True},
             {"attention_mask": MASK, "use_causal_mask": True, "return_attention_scores": True}]


@pytest.mark.parametrize("options", MHA_OPTIONS)
@pytest.mark.parametrize("call", MHA_CALLS)
def test_multi_head_attention_matches_keras(keras, options, call):
    theirs = keras.layers.MultiHeadAttention(2, 4, **options)
    ours = L.MultiHeadAttention(2, 4, **options)
    theirs(Q, V, **call)
    ours(Q, V, **call)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape.as_list()) for w in ours.weights] == \
        [tuple(w.shape) for w in theirs.weights]
    _share_weights(ours, theirs)
    _close(ours(Q, V, **call), theirs(Q, V, **call))


@pytest.mark.parametrize("axes", [None, (2,), (1, 2), 1])
def test_multi_head_attention_axes_match_keras(keras, axes):
    x = _rand(2, 3, 4, 6)
    theirs = keras.layers.MultiHeadAttention(2, 3, attention_axes=axes)
    ours = L.MultiHeadAttention(2, 3, attention_axes=axes)
    theirs(x, x)
    ours(x, x)
    _share_weights(ours, theirs)
    _close(ours(x, x, return_attention_scores=True), theirs(x, x, return_attention_scores=True))
    assert _strip_names(ours.get_config()) == _strip_names(theirs.get_config())


def test_multi_head_attention_gradients_match_keras(real_tf, keras):
    theirs = keras.layers.MultiHeadAttention(3, 2, value_dim=4)
    ours = L.MultiHeadAttention(3, 2, value_dim=4)
    theirs(Q, V)
    ours(Q, V)
    _share_weights(ours, theirs)
    r = _rand(2, 5, 6)
    qt, vt = real_tf.constant(Q), real_tf.constant(V)
    with real_tf.GradientTape() as tape:
        tape.watch([qt, vt])
        loss = real_tf.reduce_sum(theirs(qt, vt, attention_mask=MASK) * r)
    expected = tape.gradient(loss, [qt, vt] + list(theirs.trainable_weights))
    qn, vn = nd.constant(Q), nd.constant(V)
    with nd.GradientTape() as tape:
        tape.watch([qn, vn])
        loss = nd.reduce_sum(ours(qn, vn, attention_mask=MASK) * r)
    got = tape.gradient(loss, [qn, vn] + list(ours.trainable_weights))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-4, atol=1e-5)


def test_multi_head_attention_explicit_build(keras):
    ours = L.MultiHeadAttention(2, 4)
    ours.build((None, 5, 6), (None, 7, 8))
    theirs = keras.layers.MultiHeadAttention(2, 4)
    theirs.build((None, 5, 6), (None, 7, 8))
    assert [tuple(w.shape.as_list()) for w in ours.weights] == \
        [tuple(w.shape) for w in theirs.weights]


@pytest.mark.parametrize("options", [{}, {"value_dim": 3, "dropout": 0.1, "use_bias": False,
                                          "output_shape": [5], "attention_axes": [1]},
                                     {"kernel_initializer": "he_normal", "seed": 2}])
def test_multi_head_attention_config_matches_keras(keras, options):
    ours = L.MultiHeadAttention(2, 4, **options)
    theirs = keras.layers.MultiHeadAttention(2, 4, **options)
    assert _strip_names(ours.get_config()) == _strip_names(theirs.get_config())
    clone = L.MultiHeadAttention.from_config(ours.get_config())
    assert clone.get_config() == ours.get_config()


def test_multi_head_attention_functional_shapes_match_keras(keras):
    expected = None
    for layers, inp in ((keras.layers, keras.Input), (L, L.Input)):
        q, v = inp(shape=(None, 6)), inp(shape=(None, 8))
        out = layers.MultiHeadAttention(2, 4)(q, v, return_attention_scores=True)
        shapes = [tuple(t.shape) for t in out]
        if layers is L:
            assert shapes == expected
        expected = shapes
    assert expected == [(None, None, 6), (None, 2, None, None)]


def test_multi_head_attention_errors_match_keras(keras):
    for layers in (keras.layers, L):
        for kwargs in ({"num_heads": 0, "key_dim": 2}, {"num_heads": 2, "key_dim": 0},
                       {"num_heads": 2, "key_dim": 2, "attention_axes": "x"},
                       {"num_heads": 2, "key_dim": 2, "sliding_window": 0}):
            with pytest.raises(ValueError):
                layers.MultiHeadAttention(**kwargs)


def test_multi_head_attention_dropout_only_in_training():
    layer = L.MultiHeadAttention(2, 4, dropout=0.5, seed=1)
    inference = layer(Q, V).numpy()
    np.testing.assert_allclose(layer(Q, V, training=False).numpy(), inference)
    assert not np.allclose(layer(Q, V, training=True).numpy(), inference)
    _, scores = layer(Q, V, training=True, return_attention_scores=True)
    # The returned probabilities are taken before dropout, as in Keras.
    np.testing.assert_allclose(scores.numpy().sum(-1), 1.0, rtol=1e-5)


def test_fully_masked_rows_give_zero_probabilities():
    mask = np.ones((2, 5, 7), bool)
    mask[:, 0] = False
    _, scores = L.MultiHeadAttention(2, 4)(Q, V, attention_mask=mask,
                                           return_attention_scores=True)
    np.testing.assert_array_equal(scores.numpy()[:, :, 0], 0.0)


QA, VA = _rand(2, 5, 4), _rand(2, 7, 4)
QM, VM = RNG.uniform(size=(2, 5)) > 0.3, RNG.uniform(size=(2, 7)) > 0.3
DENSE_CASES = [("Attention", {}), ("Attention", {"use_scale": True}),
               ("Attention", {"score_mode": "concat"}),
               ("Attention", {"score_mode": "concat", "use_scale": True}),
               ("AdditiveAttention", {}), ("AdditiveAttention", {"use_scale": False})]
DENSE_CALLS = [{}, {"mask": [QM, VM]}, {"use_causal_mask": True},
               {"return_attention_scores": True, "mask": [None, VM], "use_causal_mask": True}]


@pytest.mark.parametrize("name,options", DENSE_CASES)
@pytest.mark.parametrize("call", DENSE_CALLS)
def test_dense_attention_matches_keras(keras, name, options, call):
    theirs, ours = getattr(keras.layers, name)(**options), getattr(L, name)(**options)
    theirs([QA, VA])
    ours([QA, VA])
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    _share_weights(ours, theirs, perturb=0.3)
    _close(ours([QA, VA, VA * 2], **call), theirs([QA, VA, VA * 2], **call))
    _close(ours([QA, VA], **call), theirs([QA, VA], **call))


@pytest.mark.parametrize("name,options", DENSE_CASES)
def test_dense_attention_gradients_match_keras(real_tf, keras, name, options):
    theirs, ours = getattr(keras.layers, name)(**options), getattr(L, name)(**options)
    theirs([QA, VA])
    ours([QA, VA])
    _share_weights(ours, theirs, perturb=0.3)
    r = _rand(2, 5, 4)
    qt, vt = real_tf.constant(QA), real_tf.constant(VA)
    with real_tf.GradientTape() as tape:
        tape.watch([qt, vt])
        loss = real_tf.reduce_sum(theirs([qt, vt], mask=[QM, VM]) * r)
    expected = tape.gradient(loss, [qt, vt] + list(theirs.trainable_weights))
    qn, vn = nd.constant(QA), nd.constant(VA)
    with nd.GradientTape() as tape:
        tape.watch([qn, vn])
        loss = nd.reduce_sum(ours([qn, vn], mask=[QM, VM]) * r)
    got = tape.gradient(loss, [qn, vn] + list(ours.trainable_weights))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name,options", DENSE_CASES + [("Attention", {"dropout": 0.2,
                                                                       "seed": 5})])
def test_dense_attention_config_matches_keras(keras, name, options):
    ours, theirs = getattr(L, name)(**options), getattr(keras.layers, name)(**options)
    assert _strip_names(ours.get_config()) == _strip_names(theirs.get_config())
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()


def test_dense_attention_functional_shapes_match_keras(keras):
    for name in ("Attention", "AdditiveAttention"):
        theirs = getattr(keras.layers, name)()(
            [keras.Input(shape=(None, 4)), keras.Input(shape=(None, 4))],
            return_attention_scores=True)
        ours = getattr(L, name)()([L.Input(shape=(None, 4)), L.Input(shape=(None, 4))],
                                  return_attention_scores=True)
        assert [tuple(t.shape) for t in ours] == [tuple(t.shape) for t in theirs]


def test_dense_attention_errors_match_keras(keras):
    for layers in (keras.layers, L):
        with pytest.raises(ValueError):
            layers.Attention(score_mode="foo")
        with pytest.raises(ValueError):
            layers.Attention()(np.zeros((2, 3, 4), "float32"))
        with pytest.raises(ValueError):
            layers.AdditiveAttention()([np.zeros((2, 3, 4), "float32")])
        with pytest.raises(ValueError):
            layers.Attention()([QA, VA], mask=QM)
