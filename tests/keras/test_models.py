"""Sequential, functional and subclassed models: structure, calls, summary and configs."""
import io
import contextlib

import numpy as np
import pytest

import ndflow as tf

keras = tf.keras


def _summary_text(model):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        model.summary()
    return buffer.getvalue()


def test_sequential_with_input_builds_immediately():
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(30, activation="relu"),
                              keras.layers.Dense(1)])
    assert model.built and len(model.layers) == 2 and model.count_params() == 301
    assert model.output_shape == (None, 1)
    assert model(np.ones((4, 8), np.float32)).shape == [4, 1]


def test_sequential_deferred_build_add_and_pop():
    model = keras.Sequential()
    model.add(keras.layers.Dense(3))
    model.add(keras.layers.Dense(2))
    assert not model.built
    model(np.ones((2, 5), np.float32))
    assert model.built and model.count_params() == 5 * 3 + 3 + 3 * 2 + 2
    popped = model.pop()
    assert isinstance(popped, keras.layers.Dense) and len(model.layers) == 1
    with pytest.raises(ValueError):
        model.add("not a layer")


def test_sequential_input_shape_argument_on_first_layer():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(4,))])
    assert model.built and model.input_shape == (None, 4)


def test_functional_multi_input_multi_output_and_shared_layers():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    shared = keras.layers.Dense(4, name="shared")
    ha, hb = shared(a), shared(b)
    out1 = keras.layers.Dense(1, name="out1")(ha)
    out2 = keras.layers.Dense(2, name="out2")(hb)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    y1, y2 = model([np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)])
    assert y1.shape == [2, 1] and y2.shape == [2, 2]
    assert model.get_layer("shared") is shared
    assert len(model.trainable_weights) == 6
    with pytest.raises(ValueError):
        model.get_layer("missing")


def test_functional_unknown_batch_dimension_in_custom_layer():
    class Center(keras.layers.Layer):
        def call(self, x):
            return x - tf.reduce_mean(x, axis=0)

    x = keras.Input((3,))
    y = Center()(x)
    assert y.shape == (None, 3)
    model = keras.Model(x, y)
    np.testing.assert_allclose(model(np.array([[1.0, 2, 3], [3, 4, 5]], np.float32)).numpy(),
                               [[-1, -1, -1], [1, 1, 1]])


def test_functional_config_round_trip_predicts_the_same():
    x = keras.Input((3,), name="inp")
    h = keras.layers.Dense(4, activation="tanh", name="h")(x)
    y = keras.layers.Dense(2, name="y")(h)
    model = keras.Model(x, y, name="fun")
    clone = keras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    data = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(clone(data).numpy(), model(data).numpy())
    assert [layer.name for layer in clone.layers] == ["inp", "h", "y"]


def test_sequential_config_round_trip():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, name="d")])
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.built and [layer.name for layer in clone.layers] == ["d"]


def test_subclassed_model_tracks_layers_and_builds_on_first_call():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = keras.layers.Dense(4, activation="relu")
            self.out = keras.layers.Dense(1)

        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

    net = Net()
    assert not net.built
    net(np.ones((2, 3), np.float32))
    assert net.built and len(net.trainable_weights) == 4 and len(net.layers) == 2


def test_summary_matches_keras(real_tf):
    for module in (keras, real_tf.keras):
        module.backend.clear_session()
    ours = keras.Sequential([keras.Input((8,)), keras.layers.Dense(30, activation="relu"),
                             keras.layers.Dense(1)])
    theirs = real_tf.keras.Sequential([real_tf.keras.Input((8,)),
                                       real_tf.keras.layers.Dense(30, activation="relu"),
                                       real_tf.keras.layers.Dense(1)])
    assert _summary_text(ours) == _summary_text(theirs)
    unbuilt = [m.Sequential([m.layers.Dense(3, name="d")]) for m in (keras, real_tf.keras)]
    text = [_summary_text(m) for m in unbuilt]
    assert text[0].split("\n", 1)[1] == text[1].split("\n", 1)[1]


def test_functional_summary_matches_keras(real_tf):
    texts = []
    for module in (keras, real_tf.keras):
        x = module.Input((3,), name="inp")
        y = module.layers.Dense(2, name="dd")(x)
        texts.append(_summary_text(module.Model(x, y, name="fun")))
    assert texts[0] == texts[1]
