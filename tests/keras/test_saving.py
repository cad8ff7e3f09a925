"""Model saving: .keras archives, .weights.h5 files, JSON configs, and files moving to and from
real Keras 3."""
import json
import os
import zipfile

import numpy as np
import pytest

import ndflow as tf
from ndflow.keras.models import model_io
from ndflow.keras.saving import saving_api, saving_lib, serialization_lib
from ndflow.keras.saving import weights_store as ws

keras = tf.keras
model_io.install(keras.Model)   # idempotent; the package does it on import once wired in
h5py = pytest.importorskip("h5py") if ws.h5py_module() is not None else None

RNG = np.random.default_rng(0)
X = RNG.random((16, 4)).astype("float32")
Y = RNG.random((16, 1)).astype("float32")


def seq_model(name=None):
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="d1"),
                             keras.layers.BatchNormalization(), keras.layers.Dropout(0.1),
                             keras.layers.Dense(1)], name=name)


def functional_model():
    inp = keras.Input((4,), name="inp")
    h = keras.layers.Dense(5, activation="relu")(inp)
    h = keras.layers.BatchNormalization()(h)
    o1 = keras.layers.Dense(1, name="o1")(h)
    o2 = keras.layers.Dense(2, name="o2")(keras.layers.Dropout(0.2)(h))
    return keras.Model(inp, [o1, o2])


def _outputs(values):
    return [np.asarray(v) for v in (values if isinstance(values, (list, tuple)) else [values])]


def h5_tree(data_or_path):
    with h5py.File(data_or_path, "r") as f:
        found = {}
        f.visititems(lambda n, o: found.__setitem__(
            n, (dict(o.attrs), getattr(o, "shape", None))))
    return found


def archive_weights(path, tmp_path):
    with zipfile.ZipFile(path) as z:
        z.extract(ws.H5_NAME, tmp_path / "x")
    return h5_tree(tmp_path / "x" / ws.H5_NAME)


def needs_h5py():
    if h5py is None:
        pytest.skip("h5py is not installed")


# -- the archive -------------------------------------------------------------------------------

def test_archive_members_metadata_and_config(tmp_path):
    needs_h5py()
    model = seq_model()
    model.compile("adam", "mse", metrics=["mae"])
    model.fit(X, Y, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert z.namelist() == ["metadata.json", "config.json", "model.weights.h5"]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())
        meta = json.loads(z.read("metadata.json"))
        config = json.loads(z.read("config.json"))
    assert set(meta) == {"keras_version", "date_saved"}
    assert config["class_name"] == "Sequential" and config["module"] == "keras"
    assert config["build_config"] == {"input_shape": [None, 4]}
    layers = config["config"]["layers"]
    assert layers[1]["build_config"] == {"input_shape": [None, 4]}
    assert "build_config" not in layers[3]      # Dropout has no build of its own (as Keras)
    compile_config = config["compile_config"]
    assert set(compile_config) == {"optimizer", "loss", "loss_weights", "metrics",
                                   "weighted_metrics", "run_eagerly", "steps_per_execution",
                                   "jit_compile"}
    assert compile_config["optimizer"]["class_name"] == "Adam"
    assert compile_config["loss"] == "mse" and compile_config["metrics"] == ["mae"]
    assert compile_config["jit_compile"] is False


def test_weights_layout_matches_keras(tmp_path):
    needs_h5py()
    model = seq_model()
    model.compile("adam", "mse")
    model.fit(X, Y, epochs=1, verbose=0)
    path = tmp_path / "m.keras"
    model.save(path)
    tree = archive_weights(path, tmp_path)
    shapes = {k: v[1] for k, v in tree.items() if v[1] is not None}
    assert shapes["layers/dense/vars/0"] == (4, 3)
    assert shapes["layers/dense_1/vars/0"] == (3, 1)
    assert [shapes[f"layers/batch_normalization/vars/{i}"] for i in range(4)] == [(3,)] * 4
    assert tree["layers/dense/vars"][0] == {"name": "d1"}
    assert tree["layers/dropout/vars"][0] == {"name": model.layers[2].name}
    assert tree["vars"][0]["name"] == model.name
    assert shapes["optimizer/vars/0"] == () and shapes["optimizer/vars/1"] == ()
    assert len([k for k in shapes if k.startswith("optimizer/")]) == 2 + 2 * 6
    mean = dict(zip(["gamma", "beta", "moving_mean", "moving_variance"], range(4)))
    with zipfile.ZipFile(path) as z, h5py.File(z.open(ws.H5_NAME), "r") as f:
        bn = model.layers[1]
        np.testing.assert_array_equal(
            f[f"layers/batch_normalization/vars/{mean['moving_mean']}"][()],
            bn.moving_mean.numpy())


@pytest.mark.parametrize("make", [seq_model, functional_model])
def test_roundtrip_predicts_the_same(tmp_path, make):
    model = make()
    model.compile("sgd", "mse")
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(_outputs(model.predict(X, verbose=0)),
                    _outputs(loaded.predict(X, verbose=0))):
        np.testing.assert_array_equal(a, b)
    assert loaded.compiled and type(loaded.optimizer).__name__ == "SGD"
    assert not saving_api.load_model(path, compile=False).compiled


def test_training_continues_exactly_after_reload(tmp_path):
    def make():   # no Dropout: its random masks differ from run to run
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),
                                 keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    first, straight = make(), make()
    straight.set_weights(first.get_weights())
    for m in (first, straight):
        m.compile(keras.optimizers.Adam(0.01), "mse")
    first.fit(X, Y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    first.save(tmp_path / "m.keras")
    resumed = keras.saving.load_model(tmp_path / "m.keras")
    assert int(resumed.optimizer.iterations.numpy()) == 8
    resumed.fit(X, Y, epochs=1, batch_size=4, shuffle=False, verbose=0)
    straight.fit(X, Y, epochs=3, batch_size=4, shuffle=False, verbose=0)
    for a, b in zip(resumed.get_weights(), straight.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


# -- subclassed models and custom objects ------------------------------------------------------

@keras.saving.register_keras_serializable("test_saving")
class Block(keras.layers.Layer):
    def __init__(self, units=2, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.inner = keras.layers.Dense(units)
        self.lst = [keras.layers.Dense(units), keras.layers.Dense(units, name="zz")]

    def build(self, input_shape):
        self.w = self.add_weight(shape=(1,), initializer="ones", name="w")
        self.nt = self.add_weight(shape=(2,), trainable=False, name="nt")
        self.v2 = self.add_weight(shape=(3,), name="v2")
        for layer in [self.inner] + self.lst:
            layer.build(input_shape)

    def call(self, x):
        return self.inner(x) + self.lst[0](x) + self.lst[1](x) + self.w

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class Sub(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.b = Block(2)
        self.alpha = keras.layers.Dense(1)
        self._hidden = keras.layers.Dense(1)

    def call(self, x):
        return self.alpha(self.b(x)) + self._hidden(x)


def test_subclassed_layout_and_roundtrip(tmp_path):
    needs_h5py()
    model = Sub()
    model(X[:, :3])
    path = tmp_path / "sub.keras"
    model.save(path)
    tree = archive_weights(path, tmp_path)
    shapes = {k: v[1] for k, v in tree.items() if v[1] is not None}
    # The layout real Keras 3 writes for the same classes.
    assert shapes == {"alpha/vars/0": (2, 1), "alpha/vars/1": (1,),
                      "b/inner/vars/0": (3, 2), "b/inner/vars/1": (2,),
                      "b/lst/dense/vars/0": (3, 2), "b/lst/dense/vars/1": (2,),
                      "b/lst/dense_1/vars/0": (3, 2), "b/lst/dense_1/vars/1": (2,),
                      "b/vars/0": (1,), "b/vars/1": (3,), "b/vars/2": (2,),
                      "layers/dense_1/vars/0": (3, 1), "layers/dense_1/vars/1": (1,)}
    with pytest.raises(ValueError, match="Sub"):
        keras.saving.load_model(path)
    loaded = keras.saving.load_model(path, custom_objects={"Sub": Sub})
    np.testing.assert_allclose(loaded.predict(X[:, :3], verbose=0),
                               model.predict(X[:, :3], verbose=0), rtol=1e-6)
    with keras.saving.custom_object_scope({"Sub": Sub}):
        again = keras.saving.load_model(path)
    np.testing.assert_allclose(again(X[:, :3]).numpy(), model(X[:, :3]).numpy(), rtol=1e-6)


def test_unknown_class_lists_close_names(tmp_path):
    model = seq_model()
    path = tmp_path / "m.keras"
    model.save(path)
    config = model_io.serialize_model(model)
    config["config"]["layers"][1]["class_name"] = "Dens"
    with pytest.raises(ValueError, match="Dense"):
        keras.models.model_from_json(json.dumps(config)) if hasattr(
            keras.models, "model_from_json") else model_io.model_from_json(json.dumps(config))


def test_lambda_layer_needs_unsafe_mode(tmp_path):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2.0)])
    path = tmp_path / "lam.keras"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.saving.load_model(path)
    if not hasattr(serialization_lib, "in_safe_mode"):
        pytest.skip("serialization_lib has no safe-mode scope yet")
    loaded = keras.saving.load_model(path, safe_mode=False)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), X * 2.0)


def test_to_json_and_model_from_json():
    model = functional_model()
    model.compile("adam", "mse")
    text = model.to_json()
    config = json.loads(text)
    assert config["class_name"] == "Functional" and "compile_config" in config
    rebuilt = model_io.model_from_json(text)
    assert [l.name for l in rebuilt.layers] == [l.name for l in model.layers]
    assert rebuilt.count_params() == model.count_params() and rebuilt.compiled


# -- weights only ------------------------------------------------------------------------------

def test_save_weights_requires_suffix(tmp_path):
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        seq_model().save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="extension"):
        seq_model().save(tmp_path / "m.zip")


def test_weights_roundtrip_and_mismatches(tmp_path):
    needs_h5py()
    model = seq_model()
    path = tmp_path / "w.weights.h5"
    model.save_weights(path)
    other = seq_model()
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)
    wider = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5), keras.layers.
                              BatchNormalization(), keras.layers.Dropout(0.1),
                              keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="shape"):
        wider.load_weights(path)
    fewer = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="could not be loaded"):
        fewer.load_weights(path)
    more = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.
                             BatchNormalization(), keras.layers.Dense(1), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="expected 2 variables, but received 0"):
        more.load_weights(path)
    with pytest.warns(UserWarning, match="could not be loaded"):
        wider.load_weights(path, skip_mismatch=True)


def test_bad_files_raise_clear_errors(tmp_path):
    model = seq_model()
    path = tmp_path / "m.keras"
    model.save(path)
    data = path.read_bytes()
    truncated = tmp_path / "t.keras"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a valid `.keras` zip archive"):
        keras.saving.load_model(truncated)
    foreign = tmp_path / "f.keras"
    foreign.write_text("hello")
    with pytest.raises(ValueError, match="truncated or in another format"):
        keras.saving.load_model(foreign)
    other_zip = tmp_path / "o.keras"
    with zipfile.ZipFile(other_zip, "w") as z:
        z.writestr("readme.txt", "x")
    with pytest.raises(ValueError, match="config.json"):
        keras.saving.load_model(other_zip)
    with pytest.raises(ValueError, match="File not found"):
        keras.saving.load_model(tmp_path / "missing.keras")
    junk = tmp_path / "j.weights.h5"
    junk.write_bytes(b"junk" * 10)
    with pytest.raises(ValueError, match="neither an HDF5"):
        model.load_weights(junk)


def test_writes_are_atomic(tmp_path, monkeypatch):
    model = seq_model()
    path = tmp_path / "m.keras"
    model.save(path)
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(saving_lib, "save_state", fail)
    with pytest.raises(RuntimeError):
        model.save(path)
    assert path.read_bytes() == before
    monkeypatch.undo()

    def fail_write(f):
        f.write(b"partial")
        raise OSError("disk full")
    with pytest.raises(OSError):
        saving_lib.atomic_write(path, fail_write)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["m.keras"]


# -- without h5py ------------------------------------------------------------------------------

def test_npz_fallback_without_h5py(tmp_path, monkeypatch):
    model = functional_model()
    model.compile("adam", "mse")
    h5_path = tmp_path / "h5.keras"
    if h5py is not None:
        model.save(h5_path)
    monkeypatch.setattr(ws, "h5py_module", lambda: None)
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        assert ws.NPZ_NAME in z.namelist() and ws.H5_NAME not in z.namelist()
    loaded = keras.saving.load_model(path)
    for a, b in zip(model.predict(X, verbose=0), loaded.predict(X, verbose=0)):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ImportError, match="h5py"):
        model.save_weights(tmp_path / "w.weights.h5")
    model.save_weights(tmp_path / "w.weights.npz")
    loaded.load_weights(tmp_path / "w.weights.npz")
    if h5py is not None:
        with pytest.raises(ImportError, match="h5py"):
            keras.saving.load_model(h5_path)


# -- interoperability with real Keras 3 --------------------------------------------------------

def _real_keras(real_tf):
    needs_h5py()
    import keras as real_keras
    return real_keras


def _real_models(real_keras):
    seq = real_keras.Sequential([real_keras.Input((4,)), real_keras.layers.Dense(3),
                                 real_keras.layers.BatchNormalization(),
                                 real_keras.layers.Dropout(0.1), real_keras.layers.Dense(1)])
    inp = real_keras.Input((4,), name="inp")
    h = real_keras.layers.Dense(5, activation="relu")(inp)
    h = real_keras.layers.BatchNormalization()(h)
    fn = real_keras.Model(inp, [real_keras.layers.Dense(1)(h),
                                real_keras.layers.Dense(2)(real_keras.layers.Dropout(0.2)(h))])
    return seq, fn


def test_keras_saved_models_load_in_ndflow(tmp_path, real_tf):
    real_keras = _real_keras(real_tf)
    for i, model in enumerate(_real_models(real_keras)):
        model.compile("adam", "mse")
        y = [Y, np.zeros((16, 2), "float32")] if i else Y
        model.fit(X, y, epochs=1, verbose=0)
        path = tmp_path / f"k{i}.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        for a, b in zip(_outputs(model.predict(X, verbose=0)),
                        _outputs(loaded.predict(X, verbose=0))):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        assert int(loaded.optimizer.iterations.numpy()) == 1
        wpath = tmp_path / f"k{i}.weights.h5"
        model.save_weights(wpath)
        fresh = seq_model() if i == 0 else functional_model()
        fresh.load_weights(wpath)
        for a, b in zip(_outputs(model.predict(X, verbose=0)),
                        _outputs(fresh.predict(X, verbose=0))):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_ndflow_saved_models_load_in_keras(tmp_path, real_tf):
    real_keras = _real_keras(real_tf)
    seq_ref, fn_ref = _real_models(real_keras)
    for i, model in enumerate([seq_model(), functional_model()]):
        model.compile("adam", "mse")
        y = [Y, np.zeros((16, 2), "float32")] if i else Y
        model.fit(X, y, epochs=1, verbose=0)
        path = tmp_path / f"n{i}.keras"
        model.save(path)
        loaded = real_keras.saving.load_model(path)
        for a, b in zip(_outputs(model.predict(X, verbose=0)),
                        _outputs(loaded.predict(X, verbose=0))):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        wpath = tmp_path / f"n{i}.weights.h5"
        model.save_weights(wpath)
        target = seq_ref if i == 0 else fn_ref
        target.load_weights(wpath)
        for a, b in zip(_outputs(model.predict(X, verbose=0)),
                        _outputs(target.predict(X, verbose=0))):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
