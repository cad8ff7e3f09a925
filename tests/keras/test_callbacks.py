"""Tests of the ndflow.keras callbacks: unit tests in real fit() runs, and conformance tests that
drive ndflow's and Keras 3's callbacks with identical logs and compare what they do."""
import json
import math
import os

import numpy as np
import pytest

from ndflow import keras
from ndflow.keras import callbacks as cbs
from ndflow.keras import optimizers as nd_optimizers


# -- helpers ---------------------------------------------------------------------------------

def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
    return x, y


def _model(optimizer="sgd", seed=0, metrics=None):
    model = keras.Sequential([keras.layers.Dense(1)])
    model.build((None, 3))
    rng = np.random.default_rng(seed)
    model.set_weights([rng.standard_normal((3, 1)).astype("float32") * 0.1,
                       np.zeros((1,), "float32")])
    model.compile(optimizer=optimizer, loss="mse", metrics=metrics)
    return model


def _feeder(key, values):
    """A LambdaCallback that overwrites logs[key] with values[epoch] (put it first)."""
    def on_epoch_end(epoch, logs):
        logs[key] = values[epoch]
    return on_epoch_end


class FakeModel:
    """Stands for a model in callback-driving tests (works for Keras' callbacks too)."""

    def __init__(self, optimizer=None):
        self.stop_training = False
        self.optimizer = optimizer
        self.built = True
        self.step = 0
        self.restored = None
        self.saved = []

    def get_weights(self):
        return [np.array(float(self.step))]

    def set_weights(self, weights):
        self.restored = float(weights[0])

    def save(self, filepath, overwrite=True):
        self.saved.append(("model", filepath))

    def save_weights(self, filepath, overwrite=True):
        self.saved.append(("weights", filepath))


def _drive(callback, model, epoch_logs, batches=0, lr_of=None):
    """Runs the hooks of a fit() over ``epoch_logs``; returns (epochs run, logs seen, lrs)."""
    callback.set_model(model)
    callback.set_params({"epochs": len(epoch_logs), "steps": batches, "verbose": 0})
    callback.on_train_begin()
    seen, lrs = [], []
    for epoch, logs in enumerate(epoch_logs):
        model.step = epoch
        callback.on_epoch_begin(epoch)
        for batch in range(batches):
            callback.on_train_batch_begin(batch)
            callback.on_train_batch_end(batch, dict(logs))
        logs = dict(logs)
        callback.on_epoch_end(epoch, logs)
        seen.append(logs)
        if lr_of is not None:
            lrs.append(lr_of(model.optimizer))
        if model.stop_training:
            break
    callback.on_train_end()
    return len(seen), seen, lrs


def _np(variable):
    return np.array(variable.numpy())


def _lr(optimizer):
    return float(_np(optimizer.learning_rate))


@pytest.fixture(scope="module")
def rk(real_tf):
    """Real Keras 3 (the one TF 2.21 ships)."""
    return real_tf.keras


# -- MonitorCallback ---------------------------------------------------------------------------

def test_mode_inference():
    from ndflow.keras.callbacks.monitor_callback import MonitorCallback
    model = _model(metrics=["accuracy", "mae"])
    model.fit(*_data(), epochs=1, verbose=0)     # builds the compiled metrics
    for monitor, op in [("val_loss", np.less), ("loss", np.less), ("accuracy", np.greater),
                        ("val_accuracy", np.greater), ("val_mae", np.less)]:
        cb = MonitorCallback(monitor=monitor)
        cb.set_model(model)
        cb._set_monitor_op()
        assert cb.monitor_op is op, monitor
    cb = MonitorCallback(monitor="val_loss", min_delta=0.5)
    cb.set_model(model)
    cb._set_monitor_op()
    assert cb.min_delta == -0.5
    assert cb._is_improvement(1.0, None)
    assert cb._is_improvement(1.0, 1.6) and not cb._is_improvement(1.0, 1.4)


def test_mode_errors_match_keras(rk):
    with pytest.warns(UserWarning, match="mode 'bad' is unknown, fallback to auto mode"):
        cb = cbs.EarlyStopping(mode="bad")
    assert cb.mode == "auto"
    errors = []
    for module in (cbs, rk.callbacks):
        cb = module.EarlyStopping(monitor="foo")
        cb.set_model(FakeModel())
        with pytest.raises(ValueError) as info:
            cb.on_epoch_end(0, {"foo": 1.0})
        errors.append(str(info.value))
    assert errors[0] == errors[1]


# -- EarlyStopping -----------------------------------------------------------------------------

EARLY_CASES = [
    (dict(patience=0), [1.0, 0.9, 0.95, 0.8]),
    (dict(patience=2), [1.0, 0.9, 0.95, 0.92, 0.91, 0.5]),
    (dict(patience=2, min_delta=0.05), [1.0, 0.97, 0.96, 0.9, 0.89, 0.88, 0.5]),
    (dict(patience=1, baseline=0.5), [1.0, 0.9, 0.8, 0.4, 0.3]),
    (dict(patience=1, start_from_epoch=3), [1.0, 2.0, 3.0, 4.0, 3.5, 3.6, 3.7]),
    (dict(patience=1, mode="max"), [0.1, 0.2, 0.15, 0.1, 0.3]),
    (dict(patience=2, restore_best_weights=True), [1.0, 0.5, 0.7, 0.8, 0.2]),
    (dict(patience=3, restore_best_weights=True, baseline=0.1), [1.0, 0.5, 0.7, 0.8, 0.2]),
    (dict(patience=5, restore_best_weights=True), [1.0, 0.5, 0.7]),
]


@pytest.mark.parametrize("kwargs,values", EARLY_CASES)
def test_early_stopping_matches_keras(rk, capsys, kwargs, values):
    results = []
    for module in (cbs, rk.callbacks):
        model = FakeModel()
        cb = module.EarlyStopping(monitor="val_loss", verbose=1, **kwargs)
        capsys.readouterr()
        ran, _, _ = _drive(cb, model, [{"val_loss": v} for v in values])
        results.append((ran, cb.stopped_epoch, cb.best, cb.wait, model.restored,
                        capsys.readouterr().out))
    assert results[0] == results[1]


def test_early_stopping_in_fit_matches_keras(rk):
    values = [1.0, 0.8, 0.85, 0.9, 0.7, 0.6]
    epochs = []
    for ks, model in ((keras, _model()), (rk, None)):
        if model is None:
            model = rk.Sequential([rk.layers.Input((3,)), rk.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
        feeder = ks.callbacks.LambdaCallback(on_epoch_end=_feeder("val_loss", values))
        stop = ks.callbacks.EarlyStopping(patience=2)
        history = model.fit(*_data(), epochs=len(values), batch_size=8, verbose=0,
                            callbacks=[feeder, stop])
        epochs.append((len(history.history["loss"]), stop.stopped_epoch))
    assert epochs[0] == epochs[1] == (4, 3)


def test_early_stopping_restores_best_weights_in_fit():
    model = _model()
    snapshots = []
    values = [1.0, 0.5, 0.9, 0.9]
    feeder = cbs.LambdaCallback(on_epoch_end=_feeder("loss", values))
    keep = cbs.LambdaCallback(on_epoch_end=lambda e, logs: snapshots.append(model.get_weights()))
    stop = cbs.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)
    model.fit(*_data(), epochs=10, batch_size=8, verbose=0, callbacks=[feeder, keep, stop])
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for got, want in zip(model.get_weights(), snapshots[1]):
        np.testing.assert_array_equal(got, want)


def test_early_stopping_missing_monitor_warns():
    cb = cbs.EarlyStopping(monitor="val_loss")
    with pytest.warns(UserWarning, match="Early stopping conditioned on metric `val_loss` which "
                                         "is not available. Available metrics are: loss"):
        _drive(cb, FakeModel(), [{"loss": 1.0}])


# -- ReduceLROnPlateau -------------------------------------------------------------------------

PLATEAU_CASES = [
    (dict(patience=1), [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]),
    (dict(patience=2, factor=0.5, cooldown=2), [1.0] * 10),
    (dict(patience=1, factor=0.5, min_lr=0.02), [1.0] * 8),
    (dict(patience=1, mode="max", min_delta=0.1), [0.1, 0.15, 0.3, 0.35, 0.36, 0.9]),
]


@pytest.mark.parametrize("kwargs,values", PLATEAU_CASES)
def test_reduce_lr_matches_keras(rk, capsys, kwargs, values):
    results = []
    for module, opt in ((cbs, nd_optimizers.SGD(0.1)), (rk.callbacks, rk.optimizers.SGD(0.1))):
        model = FakeModel(optimizer=opt)
        cb = module.ReduceLROnPlateau(monitor="val_loss", verbose=1, **kwargs)
        capsys.readouterr()
        _, seen, lrs = _drive(cb, model, [{"val_loss": v} for v in values], lr_of=_lr)
        results.append(([s["learning_rate"] for s in seen], lrs, capsys.readouterr().out))
    assert results[0][2] == results[1][2]
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=0, atol=0)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=0, atol=0)


def test_reduce_lr_in_fit_sets_optimizer_and_logs():
    model = _model(optimizer=nd_optimizers.SGD(0.1))
    values = [1.0, 1.0, 1.0, 1.0]
    feeder = cbs.LambdaCallback(on_epoch_end=_feeder("loss", values))
    reduce = cbs.ReduceLROnPlateau(monitor="loss", patience=1, factor=0.5)
    history = model.fit(*_data(), epochs=4, batch_size=8, verbose=0,
                        callbacks=[feeder, reduce])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.1, 0.05, 0.025],
                               rtol=1e-6)
    assert _lr(model.optimizer) == pytest.approx(0.0125)


def test_reduce_lr_rejects_factor():
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        cbs.ReduceLROnPlateau(factor=1.0)


# -- LearningRateScheduler ---------------------------------------------------------------------

def _schedule(epoch, lr):
    return lr if epoch < 2 else lr * math.exp(-0.5)


def test_lr_scheduler_matches_keras(rk, capsys):
    outs = []
    for ks, model in ((keras, _model()), (rk, None)):
        if model is None:
            model = rk.Sequential([rk.layers.Input((3,)), rk.layers.Dense(1)])
            model.compile(optimizer=rk.optimizers.SGD(0.1), loss="mse")
        else:
            model.compile(optimizer=nd_optimizers.SGD(0.1), loss="mse")
        capsys.readouterr()
        history = model.fit(*_data(), epochs=5, batch_size=8, verbose=0, callbacks=[
            ks.callbacks.LearningRateScheduler(_schedule, verbose=1)])
        outs.append((history.history["learning_rate"], capsys.readouterr().out))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-7)
    assert outs[0][1] == outs[1][1]


def test_lr_scheduler_one_argument_and_errors():
    model = _model()
    history = model.fit(*_data(), epochs=3, batch_size=8, verbose=0, callbacks=[
        cbs.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])
    np.testing.assert_allclose(history.history["learning_rate"], [0.01, 0.02, 0.03], rtol=1e-6)
    with pytest.raises(ValueError, match="should be a float. Got: 1"):
        model.fit(*_data(), epochs=1, verbose=0,
                  callbacks=[cbs.LearningRateScheduler(lambda epoch, lr: 1)])


# -- TerminateOnNaN ----------------------------------------------------------------------------

def test_terminate_on_nan_stops_fit(capsys):
    x, y = _data()
    y[5] = np.nan                       # in the second batch of size 4
    model = _model()
    seen = []
    log_batches = cbs.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    history = model.fit(x, y, epochs=5, batch_size=4, shuffle=False, verbose=0,
                        callbacks=[cbs.TerminateOnNaN(), log_batches])
    assert seen == [0, 1]
    assert len(history.history["loss"]) == 1 and math.isnan(history.history["loss"][0])
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_nan_matches_keras(rk, capsys):
    outs = []
    for module in (cbs, rk.callbacks):
        model = FakeModel()
        cb = module.TerminateOnNaN()
        cb.set_model(model)
        capsys.readouterr()
        cb.on_train_batch_end(0, {"loss": 1.0})
        stopped_early = model.stop_training
        cb.on_train_batch_end(3, {"loss": float("inf")})
        outs.append((stopped_early, model.stop_training, capsys.readouterr().out))
        cb = module.TerminateOnNaN(raise_error=True)
        cb.set_model(model)
        with pytest.raises(RuntimeError) as info:
            cb.on_train_batch_end(2, {"loss": float("nan")})
        outs.append(str(info.value))
    assert outs[:2] == outs[2:]


# -- CSVLogger ---------------------------------------------------------------------------------

CSV_LOGS = [
    {"loss": 0.5, "mae": np.float32(0.25)},
    {"loss": 0.25, "mae": 0.125, "val_loss": 0.3},
    {"loss": 0.125, "mae": [1.0, 2.0], "val_mae": np.array(0.5)},
]


@pytest.mark.parametrize("separator", [",", ";"])
def test_csv_logger_matches_keras(rk, tmp_path, separator):
    contents = []
    for name, module in (("nd", cbs), ("k", rk.callbacks)):
        path = tmp_path / f"{name}.csv"
        _drive(module.CSVLogger(path, separator=separator), FakeModel(), CSV_LOGS)
        # A second fit appending to the file, then one with val keys from the start.
        _drive(module.CSVLogger(str(path), separator=separator, append=True), FakeModel(),
               CSV_LOGS[:2])
        with open(path, newline="") as f:
            first = f.read()
        _drive(module.CSVLogger(str(path), separator=separator), FakeModel(), CSV_LOGS[1:])
        with open(path, newline="") as f:
            contents.append((first, f.read()))
    assert contents[0] == contents[1]
    assert contents[0][0].startswith(f"epoch{separator}loss{separator}mae{separator}val_loss")


def test_csv_logger_in_fit(tmp_path):
    path = tmp_path / "log.csv"
    model = _model()
    history = model.fit(*_data(), epochs=3, batch_size=8, verbose=0,
                        callbacks=[cbs.CSVLogger(path)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss,val_loss"
    assert len(lines) == 4
    for epoch, line in enumerate(lines[1:]):
        e, loss, val = line.split(",")
        assert int(e) == epoch and float(loss) == history.history["loss"][epoch]
        assert val == "NA"


# -- LambdaCallback ----------------------------------------------------------------------------

def test_lambda_callback_hooks_in_fit():
    events = []
    cb = cbs.LambdaCallback(
        on_train_begin=lambda logs=None: events.append("train_begin"),
        on_epoch_begin=lambda epoch, logs=None: events.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs=None: events.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: events.append(("batch_end", batch,
                                                               sorted(logs))),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs=None: events.append("train_end"),
        on_predict_begin=lambda logs=None: events.append("predict_begin"),
        custom_attribute=7)
    model = _model()
    model.fit(*_data(8), epochs=2, batch_size=4, verbose=0, callbacks=[cb])
    assert events == ["train_begin",
                      ("epoch_begin", 0), ("batch_begin", 0), ("batch_end", 0, ["loss"]),
                      ("batch_begin", 1), ("batch_end", 1, ["loss"]), ("epoch_end", 0, ["loss"]),
                      ("epoch_begin", 1), ("batch_begin", 0), ("batch_end", 0, ["loss"]),
                      ("batch_begin", 1), ("batch_end", 1, ["loss"]), ("epoch_end", 1, ["loss"]),
                      "train_end"]
    model.predict(_data(4)[0], verbose=0, callbacks=[cb])
    assert events[-1] == "predict_begin" and cb.custom_attribute == 7


def test_lambda_callback_keras_style_lambdas():
    """Keras 3 passes ``logs`` (a dict, {} when empty) to every hook, so the documented
    ``lambda logs: ...`` / ``lambda batch, logs: ...`` forms work."""
    seen = []
    cb = cbs.LambdaCallback(
        on_train_begin=lambda logs: seen.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: seen.append(("epoch_begin", logs)),
        on_train_batch_begin=lambda batch, logs: seen.append(("batch_begin", logs)),
        on_train_end=lambda logs: seen.append(("train_end", sorted(logs))))
    _model().fit(*_data(4), epochs=1, batch_size=4, verbose=0, callbacks=[cb])
    assert seen == [("train_begin", {}), ("epoch_begin", {}), ("batch_begin", {}),
                    ("train_end", ["loss"])]


# -- ModelCheckpoint ---------------------------------------------------------------------------

def _stub_saving(model):
    saved = []
    model.save = lambda filepath, overwrite=True: saved.append(("model", filepath))
    model.save_weights = lambda filepath, overwrite=True: saved.append(("weights", filepath))
    return saved


def test_model_checkpoint_in_fit(tmp_path):
    model = _model()
    saved = _stub_saving(model)
    template = str(tmp_path / "sub" / "m-{epoch:02d}-{loss:.2f}.keras")
    feeder = cbs.LambdaCallback(on_epoch_end=_feeder("loss", [0.5, 0.25, 0.75]))
    model.fit(*_data(), epochs=3, batch_size=8, verbose=0, callbacks=[
        feeder, cbs.ModelCheckpoint(template, monitor="loss", save_best_only=True)])
    assert saved == [("model", str(tmp_path / "sub" / "m-01-0.50.keras")),
                     ("model", str(tmp_path / "sub" / "m-02-0.25.keras"))]
    assert (tmp_path / "sub").is_dir()
    saved.clear()
    model.fit(*_data(), epochs=2, batch_size=4, verbose=0, callbacks=[
        cbs.ModelCheckpoint(str(tmp_path / "w-{epoch}-{batch}.weights.h5"),
                            save_weights_only=True, save_freq=3)])
    assert saved == [("weights", str(tmp_path / "w-1-3.weights.h5")),
                     ("weights", str(tmp_path / "w-2-2.weights.h5"))]


CHECKPOINT_CASES = [
    (dict(), 0),
    (dict(save_best_only=True), 0),
    (dict(save_best_only=True, mode="max"), 0),
    (dict(save_best_only=True, initial_value_threshold=0.6), 0),
    (dict(save_freq=3), 4),
    (dict(save_freq=2, save_weights_only=True), 3),
]


@pytest.mark.parametrize("kwargs,batches", CHECKPOINT_CASES)
def test_model_checkpoint_matches_keras(rk, capsys, tmp_path, kwargs, batches):
    suffix = ".weights.h5" if kwargs.get("save_weights_only") else ".keras"
    template = str(tmp_path / ("ck-{epoch:02d}-{val_loss:.3f}" + suffix))
    logs = [{"loss": 1.0, "val_loss": v} for v in (0.7, 0.5, 0.55, 0.4, 0.9)]
    outs = []
    for module in (cbs, rk.callbacks):
        model = FakeModel()
        capsys.readouterr()
        _drive(module.ModelCheckpoint(template, verbose=1, **kwargs), model, logs,
               batches=batches)
        outs.append((model.saved, capsys.readouterr().out))
    assert outs[0] == outs[1]


def test_model_checkpoint_errors_match_keras(rk, tmp_path):
    bad = [dict(filepath="a.h5", save_weights_only=True), dict(filepath="model.txt"),
           dict(filepath="m.keras", save_freq="batch")]
    for kwargs in bad:
        messages = []
        for module in (cbs, rk.callbacks):
            with pytest.raises(ValueError) as info:
                module.ModelCheckpoint(**kwargs)
            messages.append(str(info.value))
        assert messages[0] == messages[1]
    messages = []
    for module in (cbs, rk.callbacks):
        cb = module.ModelCheckpoint("m-{nope}.keras")
        cb.set_model(FakeModel())
        with pytest.raises(KeyError) as info:
            cb.on_epoch_end(0, {"loss": 1.0})
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_model_checkpoint_real_weights_file(tmp_path):
    model = _model()
    path = str(tmp_path / "best.weights.h5")
    model.fit(*_data(), epochs=2, batch_size=8, verbose=0, callbacks=[
        cbs.ModelCheckpoint(path, monitor="loss", save_weights_only=True)])
    other = _model(seed=1)
    other.load_weights(path)
    for a, b in zip(model.get_weights(), other.get_weights()):
        np.testing.assert_array_equal(a, b)


# -- BackupAndRestore --------------------------------------------------------------------------

class _Interrupt(Exception):
    pass


def _interrupt_at(epoch):
    def on_epoch_begin(e, logs=None):
        if e == epoch:
            raise _Interrupt()
    return cbs.LambdaCallback(on_epoch_begin=on_epoch_begin)


def _momentum_model():
    return _model(optimizer=nd_optimizers.SGD(0.05, momentum=0.9))


def test_backup_written_and_loaded(tmp_path):
    backup = str(tmp_path / "backup")
    model = _momentum_model()
    snapshot = {}
    keep = cbs.LambdaCallback(on_epoch_end=lambda e, logs: snapshot.update(
        {e: (model.get_weights(), [_np(v) for v in model.optimizer.variables])}))
    with pytest.raises(_Interrupt):
        model.fit(*_data(), epochs=6, batch_size=4, shuffle=False, verbose=0,
                  callbacks=[keep, cbs.BackupAndRestore(backup), _interrupt_at(3)])
    assert sorted(os.listdir(backup)) == ["latest.weights.npz", "training_metadata.json"]
    with open(os.path.join(backup, "training_metadata.json")) as f:
        assert json.load(f) == {"epoch": 3, "batch": 0}
    fresh = _momentum_model()
    cb = cbs.BackupAndRestore(backup)
    cb.set_model(fresh)
    cb.on_train_begin()
    assert fresh._initial_epoch == 3
    weights, opt_values = snapshot[2]
    for a, b in zip(fresh.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    assert len(fresh.optimizer.variables) == len(opt_values) == 4
    for v, b in zip(fresh.optimizer.variables, opt_values):
        np.testing.assert_array_equal(_np(v), b)


def test_backup_and_restore_resumes(tmp_path):
    x, y = _data()
    reference = _momentum_model()
    reference.fit(x, y, epochs=6, batch_size=4, shuffle=False, verbose=0)
    backup = str(tmp_path / "backup")
    model = _momentum_model()
    with pytest.raises(_Interrupt):
        model.fit(x, y, epochs=6, batch_size=4, shuffle=False, verbose=0, callbacks=[
            cbs.BackupAndRestore(backup), _interrupt_at(3)])
    resumed = _momentum_model()
    epochs = []
    history = resumed.fit(x, y, epochs=6, batch_size=4, shuffle=False, verbose=0, callbacks=[
        cbs.BackupAndRestore(backup),
        cbs.LambdaCallback(on_epoch_begin=lambda e, logs=None: epochs.append(e))])
    assert epochs == [3, 4, 5] and len(history.history["loss"]) == 3
    # Same weights as the uninterrupted run: the momentum slots were restored too.
    for a, b in zip(resumed.get_weights(), reference.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    assert int(resumed.optimizer.iterations.numpy()) == 24
    assert not os.path.exists(backup)      # delete_checkpoint=True


def test_backup_every_n_batches_resumes_like_keras(tmp_path):
    """As in Keras 3, the metadata of a batch-frequency backup names the epoch in progress,
    so the resumed fit runs that epoch again, starting from the mid-epoch weights."""
    x, y = _data()
    backup = str(tmp_path / "backup")
    model = _momentum_model()
    snapshots = []
    keep = cbs.LambdaCallback(
        on_train_batch_end=lambda b, logs=None: snapshots.append(model.get_weights()))
    with pytest.raises(_Interrupt):
        model.fit(x, y, epochs=6, batch_size=4, shuffle=False, verbose=0, callbacks=[
            keep, cbs.BackupAndRestore(backup, save_freq=3), _interrupt_at(3)])
    # 12 batches ran; backups after batches 3, 6, 9 and 12 (the last one: epoch 2, batch 3).
    resumed = _momentum_model()
    epochs = []
    cb = cbs.BackupAndRestore(backup, save_freq=3)
    cb.set_model(resumed)
    cb.on_train_begin()
    for a, b in zip(resumed.get_weights(), snapshots[11]):
        np.testing.assert_array_equal(a, b)
    resumed.fit(x, y, epochs=6, batch_size=4, shuffle=False, verbose=0, callbacks=[
        cbs.BackupAndRestore(backup, save_freq=3),
        cbs.LambdaCallback(on_epoch_begin=lambda e, logs=None: epochs.append(e))])
    assert epochs == [2, 3, 4, 5]


def test_backup_double_checkpoint_falls_back(tmp_path):
    backup = str(tmp_path / "backup")
    model = _momentum_model()
    with pytest.raises(_Interrupt):
        model.fit(*_data(), epochs=6, batch_size=4, shuffle=False, verbose=0, callbacks=[
            cbs.BackupAndRestore(backup, double_checkpoint=True), _interrupt_at(3)])
    with open(os.path.join(backup, "latest.weights.npz"), "wb") as f:
        f.write(b"corrupt")
    fresh = _momentum_model()
    cb = cbs.BackupAndRestore(backup)
    cb.set_model(fresh)
    cb.on_train_begin()
    assert fresh._initial_epoch == 2
    with open(os.path.join(backup, "latest.weights.npz"), "wb") as f:
        f.write(b"corrupt")
    os.remove(os.path.join(backup, "latest.weights.npz.bkp"))
    with pytest.raises(Exception):
        cb.on_train_begin()


def test_backup_metadata_matches_keras(rk, tmp_path):
    metadata = []
    for ks, model in ((keras, _model()), (rk, None)):
        if model is None:
            model = rk.Sequential([rk.layers.Input((3,)), rk.layers.Dense(1)])
            model.compile(optimizer="sgd", loss="mse")
        backup = str(tmp_path / ks.__name__)

        def on_epoch_begin(e, logs=None):
            if e == 2:
                raise _Interrupt()
        with pytest.raises(_Interrupt):
            model.fit(*_data(), epochs=4, batch_size=4, verbose=0, callbacks=[
                ks.callbacks.BackupAndRestore(backup, save_freq=3),
                ks.callbacks.LambdaCallback(on_epoch_begin=on_epoch_begin)])
        with open(os.path.join(backup, "training_metadata.json")) as f:
            metadata.append(f.read())
    assert metadata[0] == metadata[1]


def test_backup_errors():
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed"):
        cbs.BackupAndRestore("")
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        cbs.BackupAndRestore("/tmp/x", save_freq="batch")
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    cb = cbs.BackupAndRestore("/tmp/never-created-backup")
    cb.set_model(unbuilt)
    with pytest.raises(ValueError, match="must be built before you call `fit\\(\\)`"):
        cb.on_train_begin()
