"""The correlation and IoU metrics and the loss-function aliases of keras.metrics, against
real Keras 3 (values, configs, variables, callbacks' "auto" direction)."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import metrics


@pytest.fixture(scope="module")
def keras(real_tf):
    return real_tf.keras


def _data(seed=0, shape=(4, 5)):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape).astype("float32"), rng.normal(size=shape).astype("float32"))


ALIASES = ["binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
           "categorical_focal_crossentropy", "categorical_hinge", "hinge", "huber", "kld", "KLD",
           "kullback_leibler_divergence", "logcosh", "mae", "MAE", "mape", "MAPE", "mse", "MSE",
           "msle", "MSLE", "poisson", "squared_hinge"]


@pytest.mark.parametrize("name", ALIASES)
def test_metric_function_aliases_match_keras(keras, name):
    rng = np.random.default_rng(1)
    y_true = rng.uniform(0.05, 1, size=(3, 4)).astype("float32")
    y_pred = rng.uniform(0.05, 1, size=(3, 4)).astype("float32")
    ours = getattr(metrics, name)(y_true, y_pred)
    theirs = getattr(keras.metrics, name)(y_true, y_pred)
    np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=1e-5, atol=1e-6)


def test_sparse_categorical_crossentropy_alias(keras):
    y_pred = np.array([[0.2, 0.5, 0.3], [0.7, 0.2, 0.1]], "float32")
    y_true = np.array([1, 0])
    np.testing.assert_allclose(metrics.sparse_categorical_crossentropy(y_true, y_pred).numpy(),
                               keras.metrics.sparse_categorical_crossentropy(y_true, y_pred),
                               rtol=1e-6)


@pytest.mark.parametrize("name", ["pearson_correlation", "concordance_correlation"])
def test_correlation_functions_match_keras(keras, name):
    y_true, y_pred = _data()
    for axis in (-1, 0):
        ours = getattr(metrics, name)(y_true, y_pred, axis=axis)
        theirs = getattr(keras.metrics, name)(y_true, y_pred, axis=axis)
        assert ours.dtype == nd.float32
        np.testing.assert_allclose(ours.numpy(), np.asarray(theirs), rtol=1e-5, atol=1e-6)


def test_correlation_is_differentiable():
    y_true, y_pred = _data()
    x = nd.Variable(y_pred)
    with nd.GradientTape() as tape:
        value = nd.reduce_sum(metrics.pearson_correlation(y_true, x))
    grad = tape.gradient(value, x)
    assert grad is not None and np.all(np.isfinite(grad.numpy()))


@pytest.mark.parametrize("name", ["PearsonCorrelation", "ConcordanceCorrelation"])
def test_correlation_metrics_match_keras(keras, name):
    ours, theirs = getattr(metrics, name)(), getattr(keras.metrics, name)()
    assert ours.get_config() == theirs.get_config()
    assert [v.path for v in ours.variables] == [v.path for v in theirs.variables]
    for seed in range(2):
        y_true, y_pred = _data(seed)
        ours.update_state(y_true, y_pred, sample_weight=[1, 2, 0, 1])
        theirs.update_state(y_true, y_pred, sample_weight=[1, 2, 0, 1])
    np.testing.assert_allclose(ours.result().numpy(), np.asarray(theirs.result()), rtol=1e-5)
    assert metrics.serialize(ours) == keras.metrics.serialize(theirs)


IOU_CASES = [
    ("IoU", dict(num_classes=3, target_class_ids=[0, 2]),
     [0, 1, 2, 2, 1], [0, 2, 2, 1, 1], [1, 2, 1, 1, 0.5]),
    ("IoU", dict(num_classes=3, target_class_ids=[0, 2], ignore_class=1),
     [0, 1, 2, 2, 1], [0, 2, 2, 1, 1], None),
    ("IoU", dict(num_classes=3, target_class_ids=[0, 2], sparse_y_pred=False),
     [0, 1, 2], [[.9, .05, .05], [.1, .2, .7], [0, 0, 1]], None),
    ("MeanIoU", dict(num_classes=3), [[0], [1], [2]], [[0], [2], [2]], None),
    ("MeanIoU", dict(num_classes=4), [0, 1, 1], [0, 1, 0], [1, 3, 2]),
    ("BinaryIoU", dict(), [0, 1, 1, 0], [.2, .6, .4, .7], None),
    ("BinaryIoU", dict(target_class_ids=[1], threshold=.3), [0, 1, 1, 0], [.2, .6, .5, .3],
     [1, 2, 3, 4]),
    ("OneHotIoU", dict(num_classes=3, target_class_ids=[0, 2]),
     [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[.9, .05, .05], [.1, .2, .7], [0, 0, 1]], None),
    ("OneHotMeanIoU", dict(num_classes=3),
     [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[.9, .05, .05], [.1, .2, .7], [0, 0, 1]], [1, 1, 2]),
]


@pytest.mark.parametrize("name,kwargs,y_true,y_pred,weights", IOU_CASES)
def test_iou_metrics_match_keras(keras, name, kwargs, y_true, y_pred, weights):
    ours, theirs = getattr(metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    np.testing.assert_allclose(ours.result().numpy(), np.asarray(theirs.result()))
    y_pred = np.asarray(y_pred, "float32")
    for _ in range(2):
        ours.update_state(y_true, y_pred, sample_weight=weights)
        theirs.update_state(y_true, y_pred, sample_weight=weights)
    result = ours.result()
    assert result.dtype == nd.float32
    np.testing.assert_allclose(result.numpy(), np.asarray(theirs.result()), rtol=1e-6)
    np.testing.assert_array_equal(ours.total_cm.numpy(), np.asarray(theirs.total_cm))
    assert ours.total_cm.dtype == nd.int64
    assert ours.get_config() == theirs.get_config()
    assert [v.path for v in ours.variables] == [v.path for v in theirs.variables]
    clone = metrics.deserialize(metrics.serialize(ours))
    assert type(clone) is type(ours) and clone.get_config() == ours.get_config()
    ours.reset_state()
    assert ours.result().numpy() == 0.0


def test_iou_rejects_out_of_range_target(keras):
    with pytest.raises(ValueError):
        keras.metrics.IoU(2, [0, 2])
    with pytest.raises(ValueError, match="out of range"):
        metrics.IoU(2, [0, 2])


def test_get_by_name():
    assert isinstance(metrics.get("PearsonCorrelation"), metrics.PearsonCorrelation)
    assert isinstance(metrics.get("concordance_correlation"), metrics.ConcordanceCorrelation)
    assert metrics.get({"module": "keras.metrics", "class_name": "MeanIoU",
                        "config": {"num_classes": 2}, "registered_name": None}).num_classes == 2


@pytest.mark.parametrize("metric,logged", [
    ("mae", "mae"), ("mse", "mse"), ("PearsonCorrelation", "pearson_correlation"),
    ("pearson_correlation", "pearson_correlation"),
    ("ConcordanceCorrelation", "concordance_correlation"), ("BinaryIoU", "binary_io_u")])
def test_auto_mode_resolves_like_keras(keras, metric, logged):
    """EarlyStopping(mode='auto') on a compiled metric picks the same comparison as Keras
    (or fails the same way when Keras cannot tell)."""
    x = np.random.default_rng(0).uniform(size=(16, 3)).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 1.5).astype("float32")
    results = []
    for lib in (nd.keras, keras):
        inputs = lib.Input((3,))
        model = lib.Model(inputs, lib.layers.Dense(1, activation="sigmoid")(inputs))
        model.compile("sgd", "binary_crossentropy", metrics=[metric])
        stop = lib.callbacks.EarlyStopping(monitor=logged, patience=5)
        try:
            history = model.fit(x, y, epochs=1, verbose=0, callbacks=[stop])
        except ValueError as error:
            results.append(("error", "automatically determine" in str(error)))
            continue
        assert logged in history.history
        results.append(("ok", bool(stop.monitor_op(1.0, 0.0))))
    assert results[0] == results[1]
