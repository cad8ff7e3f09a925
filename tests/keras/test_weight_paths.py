"""Weight paths and names (``variable.path``/``.name``) of nested layers and models against real
Keras 3, the optimizer slot names derived from them, and weights files exchanged with Keras."""
import numpy as np
import pytest

import ndflow as nd


def _sequential(keras):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    return model, model


def _sequential_deferred(keras):
    model = keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(1)])
    model(np.ones((1, 3), "float32"))
    return model, model


def _lstm(keras):
    model = keras.Sequential([keras.Input((4, 3)), keras.layers.LSTM(2)])
    return model, model


def _bidirectional(keras):
    layer = keras.layers.Bidirectional(keras.layers.GRU(2))
    layer(np.ones((1, 4, 3), "float32"))
    return layer, None


def _time_distributed(keras):
    layer = keras.layers.TimeDistributed(keras.layers.Dense(2))
    layer(np.ones((1, 2, 3), "float32"))
    return layer, None


def _attention(keras):
    layer = keras.layers.MultiHeadAttention(2, 2)
    x = np.ones((1, 2, 3), "float32")
    layer(x, x)
    return layer, None


def _functional(keras):
    x = keras.Input((3,))
    model = keras.Model(x, keras.layers.Dense(1)(keras.layers.Dense(2)(x)))
    return model, model


def _branching(keras):
    # Layers created in one order but listed by Keras by depth, then discovery from outputs.
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    from_b = keras.layers.Dense(2, name="from_b")(b)
    from_a = keras.layers.Dense(3, name="from_a")(a)
    deep = keras.layers.Dense(4, name="deep")(keras.layers.Dense(4, name="mid")(from_b))
    out = keras.layers.Concatenate()([from_a, deep])
    model = keras.Model([a, b], out)
    return model, model


def _nested_sequential(keras):
    inner = keras.Sequential([keras.layers.Dense(2)], name="inner")
    model = keras.Sequential([keras.Input((3,)), inner, keras.layers.BatchNormalization()])
    return model, model


def _prebuilt_layer(keras):
    dense = keras.layers.Dense(2)
    dense(np.ones((1, 3), "float32"))
    model = keras.Sequential([keras.Input((3,)), dense])
    return model, model


def _subclassed(keras):
    class Blocks(keras.Model):
        def __init__(self):
            super().__init__(name="blocks")
            self.head = keras.layers.Dense(1)
            self.body = [keras.layers.Dense(2), keras.layers.Dense(2)]

        def call(self, x):
            return self.head(self.body[1](self.body[0](x)))
    model = Blocks()
    model(np.ones((1, 2), "float32"))
    return model, None


def _custom_layer(keras):
    class Gated(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = keras.layers.Dense(2)

        def build(self, input_shape):
            self.gate = self.add_weight(shape=(2,), name="gate")

        def call(self, x):
            return self.inner(x) * self.gate
    x = keras.Input((3,))
    model = keras.Model(x, Gated()(keras.layers.Dense(2)(x)))
    return model, None


CASES = [_sequential, _sequential_deferred, _lstm, _bidirectional, _time_distributed,
         _attention, _functional, _branching, _nested_sequential, _prebuilt_layer, _subclassed,
         _custom_layer]


def _paths(lib, build):
    lib.keras.backend.clear_session()
    obj, _ = build(lib.keras)
    return [(w.path, w.name) for w in obj.weights]


@pytest.mark.parametrize("build", CASES, ids=lambda b: b.__name__)
def test_weight_paths_and_names_match_keras(real_tf, build):
    ours = _paths(nd, build)
    assert ours == _paths(real_tf, build)
    assert all(":" not in name for _, name in ours)


def test_functional_layer_order_matches_keras(real_tf):
    names = []
    for lib in (nd, real_tf):
        lib.keras.backend.clear_session()
        model, _ = _branching(lib.keras)
        names.append([layer.name for layer in model.layers])
    assert names[0] == names[1]


def test_optimizer_slot_paths_follow_weight_paths(real_tf):
    results = []
    for lib in (nd, real_tf):
        lib.keras.backend.clear_session()
        model = lib.keras.Sequential([lib.keras.layers.Dense(2)])
        model.compile("adam", "mse")
        model.train_on_batch(np.ones((2, 3), "float32"), np.ones((2, 2), "float32"))
        results.append([v.path for v in model.optimizer.variables])
    assert results[0] == results[1]


@pytest.mark.parametrize("build", [_lstm, _nested_sequential, _functional, _branching],
                         ids=lambda b: b.__name__)
def test_weights_files_exchange_with_keras(tmp_path, real_tf, build):
    pytest.importorskip("h5py")
    nd.keras.backend.clear_session()
    ours, _ = build(nd.keras)
    real_tf.keras.backend.clear_session()
    theirs, _ = build(real_tf.keras)
    ours.save_weights(str(tmp_path / "ours.weights.h5"))
    theirs.load_weights(str(tmp_path / "ours.weights.h5"))
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
    theirs.set_weights([w * 0 + i for i, w in enumerate(theirs.get_weights())])
    theirs.save_weights(str(tmp_path / "theirs.weights.h5"))
    ours.load_weights(str(tmp_path / "theirs.weights.h5"))
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_keras_file_roundtrip_with_nested_paths(tmp_path, real_tf):
    """Nested paths do not affect the .keras file: it loads in ndflow and in Keras.
    (Paths of reloaded models depend on how from_config builds: not compared.)"""
    nd.keras.backend.clear_session()
    model, _ = _nested_sequential(nd.keras)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = nd.keras.models.load_model(path)
    theirs = real_tf.keras.models.load_model(path)
    for a, b in zip(theirs.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
