"""Conv3DTranspose against real Keras: same weights in, same outputs and gradients out; config,
errors and the saving round trip."""
import numpy as np
import pytest

import ndflow as tf

CASES = [
    dict(),
    dict(strides=2),
    dict(strides=2, padding="same"),
    dict(strides=(2, 1, 3), padding="same"),
    dict(strides=2, output_padding=1),
    dict(strides=(2, 1, 3), padding="same", output_padding=(1, 0, 2)),
    dict(strides=(3, 2, 1), output_padding=(2, 1, 0)),
    dict(kernel_size=(2, 1, 3), strides=(1, 2, 2), padding="same"),
    dict(activation="relu", use_bias=False),
]


def _pair(real_tf, **kwargs):
    """Our layer and Keras', built with the same random weights."""
    kwargs = dict(dict(filters=2, kernel_size=3), **kwargs)
    ours = tf.keras.layers.Conv3DTranspose(**kwargs)
    theirs = real_tf.keras.layers.Conv3DTranspose(**kwargs)
    return ours, theirs


def _forward_and_grads(keras_tf, layer, x):
    x = keras_tf.constant(x)
    with keras_tf.GradientTape() as tape:
        tape.watch(x)
        y = layer(x)
        loss = keras_tf.reduce_sum(y * y * 0.5 + y)
    grads = tape.gradient(loss, [x] + list(layer.trainable_weights))
    return np.asarray(y), [np.asarray(g) for g in grads]


@pytest.mark.parametrize("kwargs", CASES)
def test_matches_keras(real_tf, kwargs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 5, 3)).astype("float32")
    ours, theirs = _pair(real_tf, **kwargs)
    theirs.build(x.shape)
    ours.build(x.shape)
    weights = [rng.standard_normal(w.shape).astype("float32") for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    y_ours, g_ours = _forward_and_grads(tf, ours, x)
    y_theirs, g_theirs = _forward_and_grads(real_tf, theirs, x)
    assert y_ours.shape == y_theirs.shape
    assert ours.compute_output_shape(x.shape) == y_theirs.shape
    np.testing.assert_allclose(y_ours, y_theirs, rtol=1e-5, atol=1e-4)
    for a, b in zip(g_ours, g_theirs):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-3)


def test_channels_first_equals_transposed_channels_last(real_tf):
    """TensorFlow's CPU kernel refuses channels_first (so does Keras there); the result must be
    the channels_last one with the axes moved."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4, 5, 3)).astype("float32")
    last = tf.keras.layers.Conv3DTranspose(4, 3, strides=2, padding="same")
    first = tf.keras.layers.Conv3DTranspose(4, 3, strides=2, padding="same",
                                            data_format="channels_first")
    y_last = last(x)
    first.build((2, 3, 3, 4, 5))
    first.set_weights(last.get_weights())
    y_first = first(np.transpose(x, (0, 4, 1, 2, 3)))
    np.testing.assert_allclose(np.transpose(np.asarray(y_first), (0, 2, 3, 4, 1)),
                               np.asarray(y_last), rtol=1e-6)
    assert first.compute_output_shape((2, 3, 3, 4, 5)) == tuple(y_first.shape)


@pytest.mark.parametrize("dilation", [(2, 1, 1), (2, 2, 3), (1, 2, 1)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_dilation_is_adjoint_of_conv3d(dilation, padding):
    """TensorFlow's CPU kernel refuses dilations, so check the defining identity instead:
    <conv3d(x, w), y> == <x, conv3d_transpose(y, w)>, with ndflow's Conv3D (tested against
    Keras) as conv3d."""
    rng = np.random.default_rng(2)
    conv = tf.keras.layers.Conv3D(3, (2, 3, 2), padding=padding, dilation_rate=dilation,
                                  use_bias=False)
    x = rng.standard_normal((2, 7, 8, 9, 4)).astype("float32")
    y_shape = conv.compute_output_shape(x.shape)
    conv.build(x.shape)
    transpose = tf.keras.layers.Conv3DTranspose(4, (2, 3, 2), padding=padding,
                                                dilation_rate=dilation, use_bias=False)
    transpose.build(y_shape)
    kernel = rng.standard_normal(conv.kernel.shape).astype("float32")
    conv.set_weights([kernel])
    transpose.set_weights([kernel])
    y = rng.standard_normal(y_shape).astype("float32")
    back = np.asarray(transpose(y))
    assert back.shape == x.shape
    np.testing.assert_allclose(np.sum(np.asarray(conv(x)) * y), np.sum(x * back), rtol=1e-4)


def test_config_matches_keras(real_tf):
    kwargs = dict(filters=3, kernel_size=(1, 2, 3), strides=(2, 2, 1), padding="same",
                  output_padding=(1, 0, 0), activation="relu", name="t")
    ours = tf.keras.layers.Conv3DTranspose(**kwargs).get_config()
    theirs = real_tf.keras.layers.Conv3DTranspose(**kwargs).get_config()
    assert ours == theirs
    assert tf.keras.layers.Conv3DTranspose.from_config(ours).get_config() == ours
    assert tf.keras.layers.Convolution3DTranspose is tf.keras.layers.Conv3DTranspose


def test_argument_errors_match_keras(real_tf):
    for kwargs in [dict(strides=2, output_padding=2), dict(strides=2, dilation_rate=2),
                   dict(padding="causal"), dict(kernel_size=(1, 2))]:
        for keras in (tf.keras, real_tf.keras):
            with pytest.raises(ValueError):
                keras.layers.Conv3DTranspose(2, **dict(dict(kernel_size=3), **kwargs))


def test_functional_model_fit_and_save(tmp_path):
    inputs = tf.keras.Input((3, 4, 4, 2))
    outputs = tf.keras.layers.Conv3DTranspose(2, 3, strides=2, padding="same")(inputs)
    assert tuple(outputs.shape) == (None, 6, 8, 8, 2)
    model = tf.keras.Model(inputs, outputs)
    model.compile("adam", "mse")
    x = np.random.rand(4, 3, 4, 4, 2).astype("float32")
    model.fit(x, np.zeros((4, 6, 8, 8, 2), "float32"), epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    restored = tf.keras.models.load_model(path)
    np.testing.assert_allclose(restored.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda L: L.Conv3DTranspose(2, 3),
    lambda L: L.Conv3DTranspose(2, (2, 3, 3), strides=(2, 1, 2), padding="same"),
    lambda L: L.Conv3DTranspose(2, 3, strides=3, output_padding=(2, 0, 1)),
    lambda L: L.Conv3DTranspose(2, 3, strides=2, padding="same", output_padding=1,
                                data_format="channels_first"),
    lambda L: L.Conv3D(2, 3, strides=2, padding="same"),
    lambda L: L.Conv3D(2, (2, 2, 2), dilation_rate=(2, 1, 1)),
    lambda L: L.MaxPooling3D(2, padding="same"),
    lambda L: L.MaxPooling3D((3, 2, 2), strides=(2, 1, 1)),
    lambda L: L.AveragePooling3D(3, strides=2, padding="same"),
    lambda L: L.AveragePooling3D(2),
])
def test_3d_layers_with_unknown_spatial_sizes(make):
    """Traced with unknown depth, height and width, the 3-D layers give the eager results."""
    layer = make(tf.keras.layers)
    x = np.random.default_rng(4).standard_normal((2, 5, 6, 7, 3)).astype("float32")
    eager = np.asarray(layer(x))
    traced = tf.function(layer.__call__, input_signature=[
        tf.TensorSpec([None, None, None, None, 3] if layer.data_format == "channels_last"
                      else [None, 5, None, None, None], tf.float32)])
    np.testing.assert_allclose(np.asarray(traced(x)), eager, rtol=1e-5, atol=1e-5)
    # A second call with other sizes reuses the trace (channels, the last or axis 1, kept).
    smaller = x[:1, :, :5, :4] if layer.data_format == "channels_first" else x[:1, :4, :5, :4]
    np.testing.assert_allclose(np.asarray(traced(smaller)), np.asarray(layer(smaller)),
                               rtol=1e-5, atol=1e-5)
