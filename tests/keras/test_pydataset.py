"""fit/evaluate/predict with a ``keras.utils.PyDataset`` as ``x``, and
``pack_x_y_sample_weight``; conformance against real Keras where it defines the result."""
import warnings

import numpy as np
import pytest

import ndflow as tf


def _dataset_class(keras):
    """A PyDataset of ``length`` batches of 4 samples: batch i has features i/10 (3 columns),
    targets their sum and, with ``weighted``, per-sample weights 0..3."""

    class Batches(keras.utils.PyDataset):
        def __init__(self, length=5, weighted=False, form="xy", **kwargs):
            super().__init__(**kwargs)
            self.length, self.weighted, self.form = length, weighted, form
            self.calls, self.epochs_ended = [], 0

        def __len__(self):
            return self.length

        def __getitem__(self, index):
            self.calls.append(index)
            x = (np.arange(12, dtype="float32").reshape(4, 3) + index) / 10
            y = x.sum(axis=1, keepdims=True) * 0.5
            if self.form == "x":
                return x
            if self.form == "(x,)":
                return (x,)
            if self.weighted:
                return x, y, np.arange(4, dtype="float32")
            return x, y

        def on_epoch_end(self):
            self.epochs_ended += 1

    return Batches


def _model(keras):
    model = keras.Sequential([keras.Input((3,)),
                              keras.layers.Dense(2, kernel_initializer="ones"),
                              keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(keras.optimizers.SGD(0.01), "mse")
    return model


def test_sequence_alias_and_pack():
    keras = tf.keras
    assert keras.utils.Sequence is keras.utils.PyDataset
    x = np.ones(3)
    assert keras.utils.pack_x_y_sample_weight(x) is x
    assert keras.utils.pack_x_y_sample_weight((x, x)) == ((x, x),)
    from ndflow.keras.trainers import data_adapter
    assert data_adapter.pack_x_y_sample_weight(x) is x
    assert data_adapter.unpack_x_y_sample_weight(data_adapter.pack_x_y_sample_weight(x))[0] is x


def test_pack_conformance(real_tf):
    for args in [(1,), ((1, 2),), ([1],), (1, 2), (1, 2, 3), (1, None, 3)]:
        assert (tf.keras.utils.pack_x_y_sample_weight(*args)
                == real_tf.keras.utils.pack_x_y_sample_weight(*args))


def _run(keras, weighted=False, **fit_kwargs):
    Batches = _dataset_class(keras)
    model = _model(keras)
    train, val = Batches(weighted=weighted), Batches(length=2, weighted=weighted)
    history = model.fit(train, epochs=2, verbose=0, shuffle=False, validation_data=val,
                        **fit_kwargs)
    evaluation = model.evaluate(Batches(weighted=weighted), verbose=0)
    prediction = model.predict(Batches(form="x"), verbose=0)
    return history.history, evaluation, prediction, model.get_weights(), train


@pytest.mark.parametrize("weighted", [False, True])
def test_fit_evaluate_predict_match_keras(real_tf, weighted):
    ours = _run(tf.keras, weighted)
    theirs = _run(real_tf.keras, weighted)
    assert set(ours[0]) == set(theirs[0]) == {"loss", "val_loss"}
    for key in ours[0]:
        np.testing.assert_allclose(ours[0][key], theirs[0][key], rtol=1e-5)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-5)
    assert ours[2].shape == theirs[2].shape == (20, 1)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-5)
    for a, b in zip(ours[3], theirs[3]):
        np.testing.assert_allclose(a, b, rtol=1e-5)
    # Batches are requested in order, every one of them each epoch (Keras also peeks at
    # the first batches once to learn their structure, hence the comparison of the tail).
    assert ours[4].calls == [0, 1, 2, 3, 4] * 2
    assert theirs[4].calls[-10:] == ours[4].calls


def test_class_weight_with_py_dataset(real_tf):
    results = []
    for keras in (tf.keras, real_tf.keras):
        model = _model(keras)
        history = model.fit(_dataset_class(keras)(), epochs=2, verbose=0, shuffle=False,
                            class_weight={0: 2.0, 1: 0.5, 2: 3.0})
        results.append(history.history["loss"])
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


def test_predict_accepts_x_only_batches():
    Batches = _dataset_class(tf.keras)
    model = _model(tf.keras)
    for form in ("x", "(x,)", "xy"):
        assert model.predict(Batches(form=form, length=3), verbose=0).shape == (12, 1)


def test_on_epoch_end_and_shuffle():
    Batches = _dataset_class(tf.keras)
    model = _model(tf.keras)
    data = Batches()
    np.random.seed(0)
    model.fit(data, epochs=3, verbose=0)   # shuffle=True by default
    assert data.epochs_ended == 3
    epochs = [data.calls[i * 5:(i + 1) * 5] for i in range(3)]
    assert all(sorted(e) == [0, 1, 2, 3, 4] for e in epochs)
    assert any(e != [0, 1, 2, 3, 4] for e in epochs)   # visited in a shuffled order
    data = Batches()
    model.evaluate(data, verbose=0)
    model.predict(data, verbose=0)
    assert data.epochs_ended == 2 and data.calls == [0, 1, 2, 3, 4] * 2


def test_steps_per_epoch_continues_across_epochs(real_tf):
    """With steps_per_epoch, Keras keeps one pass going across epochs; an epoch that finds the
    pass exhausted ends early with a warning and the next epoch starts a new pass."""
    histories = []
    for keras in (tf.keras, real_tf.keras):
        data = _dataset_class(keras)()
        model = _model(keras)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = model.fit(data, epochs=4, steps_per_epoch=2, verbose=0, shuffle=False)
        histories.append(history.history["loss"])
        assert any("ran out of data" in str(w.message) for w in caught)
    assert len(histories[0]) == 4
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-5)
    data = _dataset_class(tf.keras)()
    _model(tf.keras).fit(data, epochs=4, steps_per_epoch=2, verbose=0, shuffle=False)
    assert data.calls == [0, 1, 2, 3, 4, 0, 1] and data.epochs_ended == 1
    data = _dataset_class(tf.keras)()
    assert _model(tf.keras).predict(data, steps=2, verbose=0).shape == (8, 1)
    assert data.calls == [0, 1]


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_argument_errors_match_keras(real_tf, method):
    for keras in (tf.keras, real_tf.keras):
        data, model = _dataset_class(keras)(), _model(keras)
        call = getattr(model, method)
        with pytest.raises(ValueError, match="`y` should not be passed"):
            call(data, np.zeros((20, 1)), verbose=0)
        with pytest.raises(ValueError, match="`sample_weights` should not be passed"):
            call(data, sample_weight=np.ones(20), verbose=0)
        call(data, batch_size=7, verbose=0)   # batch_size is ignored, as in Keras
    for keras in (tf.keras, real_tf.keras):
        with pytest.raises(ValueError, match="validation_split"):
            _model(keras).fit(_dataset_class(keras)(), validation_split=0.2, verbose=0)


def test_endless_dataset_stops_on_index_error():
    class Endless(tf.keras.utils.PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, index):
            if index >= 3:
                raise IndexError(index)
            return np.ones((2, 3), "float32"), np.ones((2, 1), "float32")

    assert _model(tf.keras).predict(Endless(), verbose=0).shape == (6, 1)
