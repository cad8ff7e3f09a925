"""Resizing with every interpolation Keras 3 (TensorFlow backend) accepts, with and without
antialiasing, against real Keras / tf.image.resize on random images (float32, 1e-5)."""
import numpy as np
import pytest

import ndflow as tf

MODES = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5"]
SIZES = [(7, 9, 4, 12), (5, 5, 13, 2), (16, 3, 5, 7), (1, 6, 3, 1), (64, 50, 17, 101),
         (3, 8, 9, 3)]


@pytest.mark.parametrize("antialias", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_values_match_keras_and_tf_image_resize(real_tf, mode, antialias):
    rng = np.random.default_rng(0)
    for h, w, out_h, out_w in SIZES:
        x = rng.random((2, h, w, 3)).astype("float32")
        ours = tf.keras.layers.Resizing(out_h, out_w, interpolation=mode, antialias=antialias)
        theirs = real_tf.keras.layers.Resizing(out_h, out_w, interpolation=mode,
                                               antialias=antialias)
        y = np.asarray(ours(x))
        reference = real_tf.image.resize(x, (out_h, out_w), method=mode,
                                         antialias=antialias).numpy()
        np.testing.assert_allclose(y, np.asarray(theirs(x)), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(y, reference, rtol=1e-5, atol=1e-5)
        ours_config, theirs_config = ours.get_config(), theirs.get_config()
        ours_config.pop("name"), theirs_config.pop("name")  # auto names count per process
        assert ours_config == theirs_config


@pytest.mark.parametrize("mode", ["bicubic", "area", "lanczos3", "lanczos5"])
@pytest.mark.parametrize("options", [{"crop_to_aspect_ratio": True},
                                     {"pad_to_aspect_ratio": True, "fill_value": 0.5},
                                     {"data_format": "channels_first"}])
def test_aspect_ratio_and_layout_options_match_keras(real_tf, mode, options):
    x = np.random.default_rng(1).random((2, 6, 11, 3)).astype("float32")
    if options.get("data_format") == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2))
    kwargs = dict(options, interpolation=mode)
    y = tf.keras.layers.Resizing(5, 4, **kwargs)(x)
    expected = real_tf.keras.layers.Resizing(5, 4, **kwargs)(x)
    np.testing.assert_allclose(np.asarray(y), np.asarray(expected), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("mode", ["bicubic", "lanczos5", "area"])
def test_integer_images_round_and_saturate_like_keras(real_tf, mode):
    """Cubic and Lanczos kernels overshoot; Keras rounds and clips to the dtype's range."""
    image = np.zeros((1, 8, 8, 1), "uint8")
    image[:, 2:6, 2:6] = 255
    ours = tf.keras.layers.Resizing(13, 11, interpolation=mode)(image)
    theirs = real_tf.keras.layers.Resizing(13, 11, interpolation=mode)(image)
    assert ours.dtype.name == theirs.dtype.name == "uint8"
    np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))


@pytest.mark.parametrize("mode,antialias", [("bicubic", False), ("bicubic", True),
                                            ("lanczos3", False), ("bilinear", True)])
def test_gradients_match_tf(real_tf, mode, antialias):
    """(TensorFlow has no gradient for 'area'; ndflow's is the transposed weight matrix.)"""
    x = np.random.default_rng(2).random((1, 6, 7, 2)).astype("float32")
    weights = np.random.default_rng(3).random((1, 4, 10, 2)).astype("float32")
    grads = []
    for module in (tf, real_tf):
        layer = module.keras.layers.Resizing(4, 10, interpolation=mode, antialias=antialias)
        xt = module.constant(x)
        with module.GradientTape() as tape:
            tape.watch(xt)
            loss = module.reduce_sum(layer(xt) * weights)
        grads.append(np.asarray(tape.gradient(loss, xt)))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-5, atol=1e-5)


def test_errors_match_keras(real_tf):
    x = np.zeros((1, 4, 4, 1), "float32")
    cases = [({"interpolation": "gaussian"}, "interpolation"),
             ({"interpolation": "mitchellcubic"}, "interpolation"),
             ({"interpolation": "foo"}, "interpolation"),
             ({"pad_to_aspect_ratio": True, "fill_mode": "reflect"}, "fill_mode"),
             ({"pad_to_aspect_ratio": True, "crop_to_aspect_ratio": True}, "Only one of")]
    for kwargs, match in cases:
        for keras in (tf.keras, real_tf.keras):
            layer = keras.layers.Resizing(2, 3, **kwargs)   # Keras checks when called
            with pytest.raises(ValueError, match=match):
                layer(x)
