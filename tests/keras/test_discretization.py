"""Discretization.adapt (approximate quantile boundaries) and output modes against real
Keras: same data in, same boundaries and outputs out; config round trips and errors."""
import numpy as np
import pytest

import ndflow as tf

DATA = [
    np.random.default_rng(0).standard_normal((100, 3)),
    np.random.default_rng(1).uniform(-5, 5, (37,)),
    np.random.default_rng(2).exponential(2.0, (1000, 2)).astype("float32"),
    np.random.default_rng(3).integers(0, 4, (64, 1)).astype("float64"),   # many ties
    np.arange(50.0),
    [1, 2, 3, 4, 5, 6, 7],
    [[1.0, 2.0], [3.0, 4.0]],
]


@pytest.mark.parametrize("index", range(len(DATA)))
@pytest.mark.parametrize("num_bins,epsilon", [(4, 0.01), (3, 0.01), (5, 0.3), (10, 0.05),
                                              (2, 0.001)])
def test_adapt_boundaries_match_keras(real_tf, index, num_bins, epsilon):
    data = DATA[index]
    ours = tf.keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    theirs = real_tf.keras.layers.Discretization(num_bins=num_bins, epsilon=epsilon)
    ours.adapt(data)
    theirs.adapt(data)
    assert ours.bin_boundaries == theirs.bin_boundaries
    assert ours.get_config() == theirs.get_config()
    sample = np.asarray(data, dtype="float32")[:5]
    np.testing.assert_array_equal(ours(sample), theirs(sample))


def test_adapt_batches_match_keras_dataset(real_tf):
    """An iterable of batches is summarised batch by batch like a tf.data.Dataset."""
    data = np.random.default_rng(4).standard_normal((250, 2)).astype("float32")
    theirs = real_tf.keras.layers.Discretization(num_bins=6, epsilon=0.02)
    theirs.adapt(real_tf.data.Dataset.from_tensor_slices(data).batch(40))
    ours = tf.keras.layers.Discretization(num_bins=6, epsilon=0.02)
    ours.adapt(data[i:i + 40] for i in range(0, 250, 40))
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    # A real tf.data.Dataset works as well, and `steps` limits the batches.
    ours.adapt(real_tf.data.Dataset.from_tensor_slices(data).batch(40), steps=2)
    theirs.adapt(real_tf.data.Dataset.from_tensor_slices(data).batch(40), steps=2)
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)


def test_adapt_twice_replaces_and_tensor_input(real_tf):
    data = np.random.default_rng(5).standard_normal((60, 3))
    results = []
    for keras_tf in (tf, real_tf):
        layer = keras_tf.keras.layers.Discretization(num_bins=3)
        layer.adapt(data)
        layer.adapt(keras_tf.constant(data[:10]))
        results.append(layer.bin_boundaries)
    assert results[0] == results[1]


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_output_modes_match_keras(real_tf, mode):
    data = np.random.default_rng(6).standard_normal((40, 3)).astype("float32")
    x = {"one_hot": data[:6, :1]}.get(mode, data[:6])
    outs = []
    for keras in (tf.keras, real_tf.keras):
        layer = keras.layers.Discretization(num_bins=4, output_mode=mode)
        layer.adapt(data)
        out = layer(x)
        outs.append((np.asarray(out), out.dtype.name, layer.compute_output_shape((None,) +
                                                                                 x.shape[1:])))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    assert outs[0][1:] == outs[1][1:]


def test_config_round_trip_and_model_saving(tmp_path):
    layer = tf.keras.layers.Discretization(num_bins=4, epsilon=0.05, output_mode="count")
    layer.adapt(np.arange(100.0))
    config = layer.get_config()
    assert config["bin_boundaries"] == layer.bin_boundaries and config["num_bins"] == 4
    clone = tf.keras.layers.Discretization.from_config(config)
    x = np.array([[1.0, 30.0, 99.0]])
    np.testing.assert_array_equal(clone(x), layer(x))
    model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
    path = str(tmp_path / "d.keras")
    model.save(path)
    np.testing.assert_array_equal(tf.keras.models.load_model(path).predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_errors_match_keras(real_tf):
    for keras in (tf.keras, real_tf.keras):
        with pytest.raises(ValueError, match="Cannot adapt a Discretization layer"):
            keras.layers.Discretization(bin_boundaries=[0.0, 1.0]).adapt(np.arange(5.0))
        with pytest.raises(ValueError, match="call `adapt"):
            keras.layers.Discretization(num_bins=3)(np.array([1.0, 2.0]))
        with pytest.raises(ValueError, match="should not be set"):
            keras.layers.Discretization(bin_boundaries=[0.0, 1.0], num_bins=3)
