"""fit/evaluate/predict bookkeeping against real Keras: same weights and data in, same history,
evaluation results, predictions and trained weights out."""
import numpy as np
import pytest

import ndflow as tf


def _model(keras, activation="relu", units=1):
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation=activation),
                             keras.layers.BatchNormalization(),
                             keras.layers.Dense(units, activation=None if units == 1 else
                                                "softmax")])


def _data(classes=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(70, 4)).astype(np.float32)
    if classes:
        y = rng.integers(0, classes, size=70)
    else:
        y = (x @ rng.normal(size=(4, 1)) + 0.1).astype(np.float32)
    w = rng.uniform(0.5, 2.0, size=70).astype(np.float32)
    return x, y, w


def _run(keras, compile_kwargs, fit_kwargs, classes=None, weights=None):
    x, y, w = _data(classes)
    model = _model(keras, units=classes or 1)
    if weights is not None:
        model.set_weights(weights)
    model.compile(**compile_kwargs)
    kwargs = dict(fit_kwargs)
    if kwargs.pop("use_sample_weight", False):
        kwargs["sample_weight"] = w
    history = model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, **kwargs)
    evaluation = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    return history.history, evaluation, model.predict(x[:5], verbose=0), model.get_weights()


CASES = {
    "mse_sgd_mae": ({"optimizer": "sgd", "loss": "mse", "metrics": ["mae"]}, {}, None),
    "huber_adam_validation": ({"optimizer": "adam", "loss": "huber", "metrics": ["mse"]},
                              {"validation_split": 0.2}, None),
    "sample_weights_weighted_metrics": ({"optimizer": "rmsprop", "loss": "mae",
                                         "weighted_metrics": ["mse"]},
                                        {"use_sample_weight": True}, None),
    "sparse_categorical_accuracy": ({"optimizer": "nadam",
                                     "loss": "sparse_categorical_crossentropy",
                                     "metrics": ["accuracy"]}, {}, 3),
    "class_weight": ({"optimizer": "sgd", "loss": "sparse_categorical_crossentropy",
                      "metrics": ["accuracy"]}, {"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}}, 3),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_fit_matches_keras(name, real_tf):
    compile_kwargs, fit_kwargs, classes = CASES[name]
    theirs_model = _model(real_tf.keras, units=classes or 1)
    weights = theirs_model.get_weights()
    ours = _run(tf.keras, compile_kwargs, fit_kwargs, classes, weights)
    theirs = _run(real_tf.keras, compile_kwargs, fit_kwargs, classes, weights)
    assert sorted(ours[0]) == sorted(theirs[0])
    for key in theirs[0]:
        np.testing.assert_allclose(ours[0][key], theirs[0][key], rtol=2e-4, atol=1e-6,
                                   err_msg=key)
    assert sorted(ours[1]) == sorted(theirs[1])
    for key in theirs[1]:
        np.testing.assert_allclose(ours[1][key], theirs[1][key], rtol=2e-4, atol=1e-6,
                                   err_msg=key)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=2e-4, atol=1e-6)
    for a, b in zip(ours[3], theirs[3]):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-6)
