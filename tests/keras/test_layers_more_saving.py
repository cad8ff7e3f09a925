"""`.keras` files holding the new layers load in real Keras and back, with the same outputs."""
import numpy as np
import pytest

import ndflow as nd

h5py = pytest.importorskip("h5py")
RNG = np.random.default_rng(3)


def _sequence_model(k):
    return k.Sequential([
        k.Input((6, 4)), k.layers.ZeroPadding1D(1),
        k.layers.Conv1DTranspose(3, 2), k.layers.SeparableConv1D(4, 3),
        k.layers.DepthwiseConv1D(2), k.layers.PReLU(shared_axes=[1]), k.layers.UpSampling1D(2),
        k.layers.Cropping1D((1, 2)), k.layers.GroupNormalization(groups=2),
        k.layers.RMSNormalization(), k.layers.EinsumDense("abc,cd->abd", (None, 5),
                                                          bias_axes="d"),
        k.layers.LeakyReLU(0.1), k.layers.ReLU(max_value=2.0), k.layers.ELU(),
        k.layers.Softmax(), k.layers.GlobalAveragePooling1D(),
    ])


def _masked_model(k):
    # Masking's mask reaches the pooling through mask-preserving layers.
    return k.Sequential([
        k.Input((6, 4)), k.layers.Masking(), k.layers.LeakyReLU(), k.layers.ELU(),
        k.layers.GroupNormalization(groups=2), k.layers.GlobalAveragePooling1D(),
        k.layers.Dense(2)])


def _volume_model(k):
    inp = k.Input((4, 6, 6, 2))
    h = k.layers.ZeroPadding3D(1)(inp)
    h = k.layers.Conv3D(3, 2, activation="relu")(h)
    h = k.layers.MaxPooling3D(2, padding="same")(h)
    h = k.layers.UpSampling3D(2)(h)
    h = k.layers.Cropping3D(1)(h)
    h = k.layers.AveragePooling3D(2)(h)
    out = k.layers.Dense(2)(k.layers.GlobalMaxPooling3D()(h))
    return k.Model(inp, [out, k.layers.ThresholdedReLU(0.1)(out)])


def _image_model(k):
    inp = k.Input((9, 8, 3))
    h = k.layers.CenterCrop(7, 6)(inp)
    h = k.layers.Resizing(4, 5, interpolation="nearest")(h)
    return k.Model(inp, k.layers.Dense(2)(k.layers.Flatten()(h)))


def _inputs(name):
    if name in ("sequence", "masked"):
        x = RNG.standard_normal((3, 6, 4)).astype("float32")
        x[0, 4:] = 0.0
        return x
    if name == "volume":
        return RNG.standard_normal((2, 4, 6, 6, 2)).astype("float32")
    return RNG.uniform(size=(2, 9, 8, 3)).astype("float32")


BUILDERS = {"sequence": _sequence_model, "masked": _masked_model, "volume": _volume_model, "image": _image_model}


def _outputs(y):
    return [np.asarray(v) for v in (y if isinstance(y, list) else [y])]


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_ndflow_file_loads_in_keras(tmp_path, real_tf, name):
    import keras as real_keras
    x = _inputs(name)
    ours = BUILDERS[name](nd.keras)
    path = tmp_path / "ours.keras"
    ours.save(path)
    theirs = real_keras.saving.load_model(path)
    for a, b in zip(_outputs(ours.predict(x, verbose=0)), _outputs(theirs.predict(x,
                                                                                  verbose=0))):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_keras_file_loads_in_ndflow(tmp_path, real_tf, name):
    x = _inputs(name)
    theirs = BUILDERS[name](real_tf.keras)   # tf.keras still has the legacy ThresholdedReLU
    path = tmp_path / "theirs.keras"
    theirs.save(path)
    ours = nd.keras.saving.load_model(path)
    assert [type(layer).__name__ for layer in ours.layers] == \
        [type(layer).__name__ for layer in theirs.layers]
    for a, b in zip(_outputs(ours.predict(x, verbose=0)), _outputs(theirs.predict(x,
                                                                                  verbose=0))):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
