"""ndflow.keras.metrics against real Keras 3: streaming values over several batches (with and
without sample weights), __call__ results, variables, reset and the metric functions.
The API (config, get, resolve_metric, the Metric base) is tested in test_metrics_api.py."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import metrics

N = 8


def _data(kind, rng):
    """(y_true, y_pred) of one batch of the given kind."""
    if kind == "binary":
        return (rng.integers(0, 2, (N, 1)).astype("float32"),
                rng.uniform(size=(N, 1)).astype("float32"))
    if kind == "binary1d":
        return (rng.integers(0, 2, (N,)).astype("float32"),
                rng.uniform(size=(N,)).astype("float32"))
    if kind == "multilabel":
        return (rng.integers(0, 2, (N, 4)).astype("float32"),
                rng.uniform(size=(N, 4)).astype("float32"))
    if kind == "logits":
        return (rng.integers(0, 2, (N, 3)).astype("float32"),
                rng.normal(size=(N, 3)).astype("float32") * 3)
    if kind in ("onehot", "sparse", "sparse1", "onehot_logits"):
        labels = rng.integers(0, 5, (N,))
        logits = rng.normal(size=(N, 5)).astype("float32")
        probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
        pred = logits if kind == "onehot_logits" else probs.astype("float32")
        if kind in ("onehot", "onehot_logits"):
            return np.eye(5, dtype="float32")[labels], pred
        return (labels if kind == "sparse" else labels[:, None]).astype("int32"), pred
    if kind == "regression":
        return (rng.normal(size=(N, 3)).astype("float32"),
                rng.normal(size=(N, 3)).astype("float32"))
    if kind == "positive":
        return (rng.uniform(0.1, 2, (N, 3)).astype("float32"),
                rng.uniform(0.1, 2, (N, 3)).astype("float32"))
    if kind == "distribution":
        a, b = rng.uniform(0.05, 1, (N, 3)), rng.uniform(0.05, 1, (N, 3))
        return ((a / a.sum(-1, keepdims=True)).astype("float32"),
                (b / b.sum(-1, keepdims=True)).astype("float32"))
    if kind == "integers":
        return (rng.integers(0, 3, (N, 2)).astype("float32"),
                rng.integers(0, 3, (N, 2)).astype("float32"))
    if kind == "hinge":
        return (rng.choice([-1.0, 1.0], (N, 3)).astype("float32"),
                rng.normal(size=(N, 3)).astype("float32"))
    raise ValueError(kind)


def _weights(kind, rng, y_true):
    if kind is None:
        return None
    if kind == "per_sample":
        return rng.uniform(0, 2, (N,)).astype("float32")
    if kind == "column":
        return rng.uniform(0, 2, (N, 1)).astype("float32")
    if kind == "elementwise":
        return rng.uniform(0, 2, y_true.shape).astype("float32")
    raise ValueError(kind)


# (class name, constructor kwargs, data kind, sample-weight kinds to try)
CASES = [
    ("MeanSquaredError", {}, "regression", (None, "per_sample", "column")),
    ("MeanAbsoluteError", {}, "regression", (None, "per_sample")),
    ("MeanAbsolutePercentageError", {}, "regression", (None, "per_sample")),
    ("MeanSquaredLogarithmicError", {}, "positive", (None, "per_sample")),
    ("RootMeanSquaredError", {}, "regression", (None, "per_sample", "elementwise")),
    ("CosineSimilarity", {}, "regression", (None, "per_sample")),
    ("CosineSimilarity", {"axis": 0}, "regression", (None,)),
    ("LogCoshError", {}, "regression", (None, "per_sample")),
    ("R2Score", {}, "regression", (None, "per_sample", "elementwise")),
    ("R2Score", {"class_aggregation": None}, "regression", (None, "per_sample")),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "regression", (None,)),
    ("R2Score", {"num_regressors": 2}, "regression", (None,)),
    ("Accuracy", {}, "integers", (None, "per_sample")),
    ("BinaryAccuracy", {}, "binary", (None, "per_sample", "column")),
    ("BinaryAccuracy", {"threshold": 0.3}, "multilabel", (None, "per_sample", "elementwise")),
    ("BinaryAccuracy", {}, "binary1d", (None, "per_sample")),
    ("CategoricalAccuracy", {}, "onehot", (None, "per_sample")),
    ("SparseCategoricalAccuracy", {}, "sparse", (None, "per_sample")),
    ("SparseCategoricalAccuracy", {}, "sparse1", (None, "per_sample", "column")),
    ("TopKCategoricalAccuracy", {"k": 2}, "onehot", (None, "per_sample")),
    ("TopKCategoricalAccuracy", {}, "onehot", (None,)),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse", (None, "per_sample")),
    ("SparseTopKCategoricalAccuracy", {"k": 3}, "sparse1", (None,)),
    ("BinaryCrossentropy", {}, "multilabel", (None, "per_sample")),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1}, "logits",
     (None, "per_sample")),
    ("CategoricalCrossentropy", {}, "onehot", (None, "per_sample")),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2},
     "onehot_logits", (None,)),
    ("SparseCategoricalCrossentropy", {}, "sparse", (None, "per_sample")),
    ("SparseCategoricalCrossentropy", {"ignore_class": 1}, "sparse", (None, "per_sample")),
    ("KLDivergence", {}, "distribution", (None, "per_sample")),
    ("Poisson", {}, "positive", (None, "per_sample")),
    ("Hinge", {}, "multilabel", (None, "per_sample")),
    ("Hinge", {}, "hinge", (None,)),
    ("SquaredHinge", {}, "hinge", (None, "per_sample")),
    ("CategoricalHinge", {}, "onehot", (None, "per_sample")),
    ("TruePositives", {}, "binary", (None, "per_sample")),
    ("TrueNegatives", {"thresholds": [0.3, 0.6]}, "multilabel", (None, "per_sample")),
    ("FalsePositives", {"thresholds": [0.0, 0.5, 1.0]}, "multilabel", (None, "elementwise")),
    ("FalseNegatives", {}, "binary1d", (None, "per_sample")),
    ("Precision", {}, "binary", (None, "per_sample")),
    ("Precision", {"thresholds": [0.2, 0.5, 0.7]}, "multilabel", (None, "per_sample")),
    ("Precision", {"top_k": 2}, "multilabel", (None, "per_sample")),
    ("Precision", {"class_id": 1}, "multilabel", (None, "per_sample")),
    ("Recall", {}, "binary", (None, "per_sample")),
    ("Recall", {"top_k": 1, "class_id": 2}, "multilabel", (None, "per_sample")),
    ("Recall", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "multilabel", (None,)),
    ("AUC", {}, "binary", (None, "per_sample")),
    ("AUC", {"curve": "PR"}, "multilabel", (None, "per_sample")),
    ("AUC", {"curve": "PR", "summation_method": "minoring"}, "multilabel", (None,)),
    ("AUC", {"summation_method": "majoring", "num_thresholds": 50}, "multilabel", (None,)),
    ("AUC", {"curve": "PRGAIN"}, "multilabel", (None,)),
    ("AUC", {"thresholds": [0.1, 0.4, 0.8]}, "multilabel", (None, "per_sample")),
    ("AUC", {"multi_label": True}, "multilabel", (None, "per_sample")),
    ("AUC", {"multi_label": True, "num_labels": 4, "curve": "PR"}, "multilabel", (None,)),
    ("AUC", {"from_logits": True}, "logits", (None,)),
    ("AUC", {"num_thresholds": 2}, "binary", (None,)),
    ("AUC", {"label_weights": [0.2, 1.0, 0.5, 2.0]}, "multilabel", (None, "per_sample")),
    ("AUC", {"multi_label": True, "label_weights": [0.2, 1.0, 0.5, 2.0]}, "multilabel",
     (None, "per_sample")),
    ("AUC", {"multi_label": True, "summation_method": "minoring", "curve": "PRGAIN"},
     "multilabel", (None,)),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "multilabel", (None, "per_sample")),
    ("SpecificityAtSensitivity", {"sensitivity": 0.6, "num_thresholds": 20}, "multilabel",
     (None,)),
    ("PrecisionAtRecall", {"recall": 0.4}, "multilabel", (None, "per_sample")),
    ("RecallAtPrecision", {"precision": 0.5, "class_id": 1}, "multilabel", (None,)),
    ("F1Score", {}, "onehot", (None, "per_sample")),
    ("F1Score", {"average": "micro", "threshold": 0.3}, "multilabel", (None, "per_sample")),
    ("F1Score", {"average": "macro"}, "multilabel", (None,)),
    ("F1Score", {"average": "weighted", "threshold": 0.5}, "multilabel", (None, "per_sample")),
    ("FBetaScore", {"beta": 2.0, "average": "macro", "threshold": 0.4}, "multilabel",
     (None, "per_sample")),
]


def _ids(case):
    name, kwargs, kind, _ = case
    args = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{name}({args})-{kind}"


@pytest.fixture(scope="module")
def keras(real_tf):
    return real_tf.keras


def _close(ours, theirs, rtol=1e-5, atol=1e-6):
    ours = np.asarray(ours.numpy() if hasattr(ours, "numpy") else ours)
    theirs = np.asarray(theirs.numpy() if hasattr(theirs, "numpy") else theirs)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


@pytest.mark.filterwarnings("ignore:More independent predictors")
@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_streaming_matches_keras(keras, case):
    name, kwargs, kind, weight_kinds = case
    rng = np.random.default_rng(abs(hash(_ids(case))) % 2 ** 32)
    ours = getattr(metrics, name)(name="m", **kwargs)
    theirs = getattr(keras.metrics, name)(name="m", **kwargs)
    if "label_weights" not in kwargs:  # Keras keeps label_weights as a tensor in its config
        assert ours.get_config() == theirs.get_config()
    for weight_kind in weight_kinds:
        for _ in range(3):
            y_true, y_pred = _data(kind, rng)
            sw = _weights(weight_kind, rng, y_true)
            ours.update_state(y_true, y_pred, sample_weight=sw)
            theirs.update_state(y_true, y_pred, sample_weight=sw)
            _close(ours.result(), theirs.result())
        # __call__ updates and returns the running result; ndflow tensors as inputs.
        y_true, y_pred = _data(kind, rng)
        sw = _weights(weight_kind, rng, y_true)
        nd_sw = None if sw is None else nd.constant(sw)
        _close(ours(nd.constant(y_true), nd.constant(y_pred), sample_weight=nd_sw),
               theirs(y_true, y_pred, sample_weight=sw))
        assert len(ours.variables) == len(theirs.variables)
        for a, b in zip(ours.variables, theirs.variables):
            assert a.name == b.name and tuple(a.shape.as_list()) == tuple(b.shape)
            _close(a, b, rtol=1e-5, atol=1e-4)
        ours.reset_state()
        theirs.reset_state()
        _close(ours.result(), theirs.result())


MEAN_CASES = [((N,), None), ((N,), "per_sample"), ((N, 3), None), ((N, 3), "per_sample"),
              ((N, 3), "elementwise"), ((N, 3), "column"), ((N, 3, 2), "per_sample"),
              ((N, 3, 2), "elementwise"), ((), None)]


@pytest.mark.parametrize("cls", ["Mean", "Sum"])
@pytest.mark.parametrize("shape,weight_kind", MEAN_CASES)
def test_mean_and_sum_match_keras(keras, cls, shape, weight_kind):
    rng = np.random.default_rng(len(shape) * 7 + len(str(weight_kind)))
    ours, theirs = getattr(metrics, cls)(), getattr(keras.metrics, cls)()
    for _ in range(3):
        values = rng.normal(size=shape).astype("float32")
        sw = None
        if weight_kind is not None:
            sw = _weights(weight_kind, rng, values)
        ours.update_state(values, sample_weight=sw)
        theirs.update_state(values, sample_weight=sw)
        _close(ours.result(), theirs.result())
    assert ours.get_config() == theirs.get_config()


def test_mean_with_scalar_loss_and_batch_size_weight(keras):
    # The trainer's loss tracker: a scalar loss weighted by the batch size (an int tensor).
    ours, theirs = metrics.Mean(name="loss"), keras.metrics.Mean(name="loss")
    for loss, batch in [(2.0, 32), (1.0, 32), (4.0, 8)]:
        ours.update_state(nd.constant(loss), sample_weight=nd.constant(batch))
        theirs.update_state(np.float32(loss), sample_weight=np.int32(batch))
    _close(ours.result(), theirs.result())
    assert float(ours.result()) == pytest.approx((64 + 32 + 32) / 72)


def test_empty_metrics_give_zero(keras):
    for name in ["Mean", "Sum", "MeanSquaredError", "Precision", "Recall", "AUC"]:
        _close(getattr(metrics, name)().result(), getattr(keras.metrics, name)().result())


def test_mean_metric_wrapper_custom_function(keras):
    def scaled_error(y_true, y_pred, scale=1.0):
        return nd.reduce_mean(nd.abs(nd.convert_to_tensor(y_true) - y_pred), axis=-1) * scale

    def scaled_error_keras(y_true, y_pred, scale=1.0):
        return keras.ops.mean(keras.ops.abs(y_true - y_pred), axis=-1) * scale

    rng = np.random.default_rng(0)
    ours = metrics.MeanMetricWrapper(scaled_error, name="se", scale=2.0)
    theirs = keras.metrics.MeanMetricWrapper(scaled_error_keras, name="se", scale=2.0)
    for sw in [None, rng.uniform(size=(N,)).astype("float32")]:
        y_true, y_pred = _data("regression", rng)
        ours.update_state(y_true, nd.constant(y_pred), sample_weight=sw)
        theirs.update_state(y_true, y_pred, sample_weight=sw)
        _close(ours.result(), theirs.result())
    config = ours.get_config()
    assert config["name"] == "se" and config["dtype"] == "float32" and config["scale"] == 2.0
    assert "fn" in config


def test_mean_metric_wrapper_round_trip_with_builtin_function():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="ba", threshold=0.3)
    clone = metrics.MeanMetricWrapper.from_config(m.get_config())
    assert clone._fn is metrics.binary_accuracy and clone._fn_kwargs == {"threshold": 0.3}
    y_true, y_pred = np.array([[1.0], [0.0]]), np.array([[0.4], [0.2]], "float32")
    assert float(clone(y_true, y_pred)) == 1.0


@pytest.mark.parametrize("fn", ["binary_accuracy", "categorical_accuracy",
                                "sparse_categorical_accuracy", "top_k_categorical_accuracy",
                                "sparse_top_k_categorical_accuracy", "mse", "MAE", "logcosh",
                                "kld", "binary_crossentropy", "hinge"])
def test_metric_functions_match_keras(keras, fn):
    rng = np.random.default_rng(3)
    kind = {"binary_accuracy": "multilabel", "categorical_accuracy": "onehot",
            "sparse_categorical_accuracy": "sparse", "top_k_categorical_accuracy": "onehot",
            "sparse_top_k_categorical_accuracy": "sparse", "binary_crossentropy": "multilabel",
            "hinge": "hinge", "kld": "distribution"}.get(fn, "regression")
    y_true, y_pred = _data(kind, rng)
    _close(getattr(metrics, fn)(y_true, y_pred), getattr(keras.metrics, fn)(y_true, y_pred))


def test_top_k_ties_and_rank_3(keras):
    y_pred = np.array([[0.3, 0.3, 0.3, 0.1], [0.5, 0.2, 0.2, 0.1]], "float32")
    y_true = np.array([2, 3])
    _close(metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=1),
           keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=1))
    rng = np.random.default_rng(5)
    y_pred = rng.uniform(size=(2, 3, 6)).astype("float32")
    y_true = rng.integers(0, 6, (2, 3))
    _close(metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=2),
           keras.metrics.sparse_top_k_categorical_accuracy(y_true, y_pred, k=2))
    _close(metrics.sparse_categorical_accuracy(y_true, y_pred),
           keras.metrics.sparse_categorical_accuracy(y_true, y_pred))
