"""The Layer base: tracking, building, calling, losses, configs and naming."""
import numpy as np
import pytest

import ndflow as tf

keras = tf.keras


class Scale(keras.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")
        self.frozen = self.add_weight(name="frozen", shape=(), initializer="zeros",
                                      trainable=False)

    def call(self, inputs, training=None):
        self.seen_training = training
        return inputs * self.w * self.factor


class Block(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = Scale(1.0)
        self.stack = [Scale(2.0), Scale(3.0)]
        self.by_name = {"last": keras.layers.Dense(2, kernel_regularizer="l2")}

    def call(self, inputs):
        x = self.first(inputs)
        for layer in self.stack:
            x = layer(x)
        self.add_loss(tf.reduce_sum(x) * 0.0 + 1.0)
        return self.by_name["last"](x)


def test_tracking_finds_layers_in_attributes_lists_and_dicts():
    block = Block()
    block(np.ones((2, 3), np.float32))
    names = [w.name for w in block.trainable_weights]
    assert names == ["w", "w", "w", "kernel", "bias"]
    assert [w.name for w in block.non_trainable_weights] == ["frozen"] * 3
    assert len(block.weights) == 8 and block.count_params() == 3 * 3 + 3 + 6 + 2


def test_freezing_a_sublayer_moves_its_weights():
    block = Block()
    block(np.ones((1, 3), np.float32))
    block.stack[0].trainable = False
    assert len(block.trainable_weights) == 4 and len(block.non_trainable_weights) == 4
    block.trainable = False
    assert block.trainable_weights == [] and block.stack[1].trainable is False


def test_losses_from_add_loss_and_regularizers_are_reset_each_call():
    block = Block()
    block(np.ones((1, 3), np.float32))
    block(np.ones((1, 3), np.float32))
    assert len(block.losses) == 2  # one add_loss term (latest call) + one kernel regularizer
    kernel = block.by_name["last"].kernel
    np.testing.assert_allclose(float(block.losses[1]), 0.01 * np.sum(kernel.numpy() ** 2),
                               rtol=1e-6)


def test_training_flag_propagates_to_sublayers():
    inner = Scale()

    class Outer(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.inner = inner

        def call(self, x):
            return self.inner(x)

    outer = Outer()
    outer(np.ones((1, 2), np.float32), training=True)
    assert inner.seen_training is True
    outer(np.ones((1, 2), np.float32))
    assert inner.seen_training is None


def test_float64_inputs_are_cast_to_the_layer_dtype():
    out = keras.layers.Dense(2)(np.ones((1, 3)))
    assert out.dtype == tf.float32


def test_default_get_config_and_round_trip():
    layer = Scale(5.0, name="scale_me")
    config = layer.get_config()
    assert config["factor"] == 5.0 and config["name"] == "scale_me"
    clone = Scale.from_config(config)
    assert clone.factor == 5.0 and clone.name == "scale_me"


def test_get_config_refuses_unserializable_constructor_arguments():
    class Holder(keras.layers.Layer):
        def __init__(self, thing, **kwargs):
            super().__init__(**kwargs)
            self.thing = thing

    with pytest.raises(NotImplementedError):
        Holder(object()).get_config()


def test_unknown_keyword_argument_raises():
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        keras.layers.Dense(2, foo=1)


def test_count_params_needs_a_built_layer():
    with pytest.raises(ValueError, match="isn't built"):
        keras.layers.Dense(2).count_params()


def test_set_weights_checks_count_and_shapes():
    layer = keras.layers.Dense(2)
    layer(np.ones((1, 3), np.float32))
    with pytest.raises(ValueError):
        layer.set_weights([np.ones((3, 2))])
    with pytest.raises(ValueError):
        layer.set_weights([np.ones((2, 2)), np.ones(2)])
    layer.set_weights([np.full((3, 2), 2.0), np.ones(2)])
    np.testing.assert_array_equal(layer(np.ones((1, 3), np.float32)).numpy(), [[7.0, 7.0]])


def test_automatic_names_are_unique_until_clear_session():
    keras.backend.clear_session()
    assert [keras.layers.Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    assert Scale().name == "scale"
    keras.backend.clear_session()
    assert keras.layers.Dense(1).name == "dense"


def test_dense_matches_keras(real_tf):
    rng = np.random.default_rng(0)
    theirs = real_tf.keras.layers.Dense(4, activation="relu")
    ours = keras.layers.Dense(4, activation="relu")
    x = rng.normal(size=(5, 3)).astype(np.float32)
    theirs(x)
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), theirs(x).numpy(), rtol=1e-6)
    ours_config, theirs_config = ours.get_config(), theirs.get_config()
    ours_config.pop("name"), theirs_config.pop("name")
    assert ours_config == theirs_config
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]


def test_dense_on_rank3_inputs_matches_keras(real_tf):
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype(np.float32)
    theirs, ours = real_tf.keras.layers.Dense(2), keras.layers.Dense(2)
    theirs(x)
    ours(x)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours(x).numpy(), theirs(x).numpy(), rtol=1e-5, atol=1e-6)
