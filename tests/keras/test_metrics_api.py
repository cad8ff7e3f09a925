"""ndflow.keras.metrics' API against real Keras 3: get_config, get/serialize/deserialize,
errors, resolve_metric (compile's metrics entries) and the Metric base class."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import metrics


@pytest.fixture(scope="module")
def keras(real_tf):
    return real_tf.keras


# -- configuration, get, serialize ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["Mean", "Sum", "MeanSquaredError", "BinaryAccuracy", "AUC",
                                  "Precision", "Recall", "F1Score", "FBetaScore", "R2Score",
                                  "TruePositives", "SparseTopKCategoricalAccuracy",
                                  "SparseCategoricalCrossentropy", "LogCoshError"])
def test_default_config_and_serialize_match_keras(keras, name):
    ours, theirs = getattr(metrics, name)(name="x"), getattr(keras.metrics, name)(name="x")
    assert ours.get_config() == theirs.get_config()
    assert metrics.serialize(ours) == keras.metrics.serialize(theirs)
    clone = metrics.deserialize(metrics.serialize(ours))
    assert type(clone) is type(ours) and clone.get_config() == ours.get_config()


def test_config_with_arguments_matches_keras(keras):
    for name, kwargs in [("AUC", {"thresholds": [0.2, 0.6], "curve": "pr"}),
                         ("Precision", {"thresholds": [0.2, 0.6], "top_k": 2, "class_id": 1}),
                         ("SensitivityAtSpecificity", {"specificity": 0.3, "class_id": 0}),
                         ("RecallAtPrecision", {"precision": 0.8, "num_thresholds": 10}),
                         ("SparseTopKCategoricalAccuracy", {"k": 3, "from_sorted_ids": True}),
                         ("CategoricalCrossentropy", {"label_smoothing": 0.1, "axis": -1}),
                         ("F1Score", {"average": "micro", "threshold": 0.4})]:
        ours = getattr(metrics, name)(name="c", **kwargs)
        theirs = getattr(keras.metrics, name)(name="c", **kwargs)
        assert ours.get_config() == theirs.get_config(), name
        assert getattr(metrics, name).from_config(ours.get_config()).get_config() == \
            ours.get_config()


def test_automatic_names_are_unique():
    from ndflow.keras import backend
    backend.clear_session()
    assert [metrics.AUC().name, metrics.AUC().name, metrics.Precision().name] == \
        ["auc", "auc_1", "precision"]
    assert metrics.Mean().name == "mean" and metrics.Mean().name == "mean"


@pytest.mark.parametrize("identifier", ["mse", "MSE", "mae", "mape", "msle", "bce", "AUC",
                                        "auc", "binary_accuracy", "accuracy", "Precision",
                                        "f1_score", "mean_squared_error", "r2_score",
                                        "categorical_crossentropy", "top_k_categorical_accuracy"])
def test_get_matches_keras(keras, identifier):
    assert type(metrics.get(identifier)).__name__ == type(keras.metrics.get(identifier)).__name__


def test_get_other_identifiers(keras):
    assert metrics.get(None) is None
    m = metrics.Recall()
    assert metrics.get(m) is m
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    from_dict = metrics.get({"class_name": "AUC", "config": {"name": "zz"}})
    assert isinstance(from_dict, metrics.AUC) and from_dict.name == "zz"
    with pytest.raises(ValueError, match="Could not interpret metric identifier: precison"):
        metrics.get("precison")
    with pytest.raises(ValueError):
        keras.metrics.get("precison")


def test_errors_match_keras(keras):
    for name, kwargs in [("F1Score", {"average": "bad"}), ("FBetaScore", {"beta": 1}),
                         ("F1Score", {"threshold": 2.0}), ("AUC", {"num_thresholds": 1}),
                         ("AUC", {"curve": "XY"}), ("AUC", {"summation_method": "avg"}),
                         ("AUC", {"num_labels": 3}), ("Precision", {"thresholds": [1.5]}),
                         ("R2Score", {"class_aggregation": "mean"}),
                         ("R2Score", {"num_regressors": -1}),
                         ("PrecisionAtRecall", {"recall": 2.0})]:
        with pytest.raises(ValueError):
            getattr(keras.metrics, name)(**kwargs)
        with pytest.raises(ValueError):
            getattr(metrics, name)(**kwargs)
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.R2Score().update_state(np.zeros((4,)), np.zeros((4,)))
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(np.zeros((4,)), np.zeros((4,)))


# -- resolve_metric (compile's metrics entries) ------------------------------------------------

SHAPES = {"binary": ((4, 1), "float32", (4, 1)), "onehot": ((4, 3), "float32", (4, 3)),
          "sparse": ((4,), "int32", (4, 3)), "sparse1": ((4, 1), "int32", (4, 3)),
          "flat": ((4,), "float32", (4,)), "multilabel": ((4, 3), "float32", (4, 3)),
          "seq": ((2, 5), "int32", (2, 5, 7))}


@pytest.mark.parametrize("identifier", ["accuracy", "acc", "ACC", "Accuracy", "mse", "MAE",
                                        "AUC", "binary_crossentropy", "bce", "precision"])
@pytest.mark.parametrize("shapes", sorted(SHAPES))
def test_resolve_metric_matches_keras(keras, identifier, shapes):
    from keras.src.trainers.compile_utils import get_metric
    true_shape, true_dtype, pred_shape = SHAPES[shapes]
    y_true = np.zeros(true_shape, true_dtype)
    y_pred = np.zeros(pred_shape, "float32")
    ours = metrics.resolve_metric(identifier, y_true, y_pred, loss="binary_crossentropy")
    theirs = get_metric(identifier, keras.ops.convert_to_tensor(y_true),
                        keras.ops.convert_to_tensor(y_pred))
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == theirs.name


def test_resolve_metric_objects_and_functions(keras):
    y = np.zeros((4, 1), "float32")
    instance = metrics.AUC(name="my_auc")
    assert metrics.resolve_metric(instance, y, y) is instance and instance.name == "my_auc"
    from_class = metrics.resolve_metric(metrics.Precision, y, y)
    assert isinstance(from_class, metrics.Precision) and from_class.name.startswith("precision")

    def my_metric(y_true, y_pred):
        return nd.abs(nd.convert_to_tensor(y_true) - y_pred)

    wrapped = metrics.resolve_metric(my_metric, y, nd.constant(y + 1))
    assert isinstance(wrapped, metrics.MeanMetricWrapper) and wrapped.name == "my_metric"
    wrapped.update_state(y, nd.constant(y + 1))
    assert float(wrapped.result()) == 1.0
    builtin_fn = metrics.resolve_metric(metrics.binary_accuracy, y, y)
    assert isinstance(builtin_fn, metrics.MeanMetricWrapper)
    assert builtin_fn.name == "binary_accuracy"
    lam = metrics.resolve_metric(lambda a, b: a, y, y)
    assert lam.name == "lambda"
    with pytest.raises(ValueError, match="Could not interpret metric identifier: crossentropy"):
        metrics.resolve_metric("crossentropy", y, y)
    with pytest.raises(ValueError):
        metrics.resolve_metric(None, y, y)


# -- the Metric base ------------------------------------------------------------------------------

class BinaryTruePositives(metrics.Metric):
    """The docstring example of Keras' Metric: counts true positives."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), initializer="zeros",
                                                name="true_positives")

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = nd.cast(nd.logical_and(nd.cast(y_true, "bool"), nd.cast(y_pred, "bool")),
                         self.dtype)
        if sample_weight is not None:
            values = values * nd.broadcast_to(nd.cast(sample_weight, self.dtype),
                                              nd.shape(values))
        self.true_positives.assign(self.true_positives + nd.reduce_sum(values))

    def result(self):
        return nd.identity(self.true_positives)


def test_custom_metric_subclass():
    m = BinaryTruePositives()
    assert m.name == "binary_true_positives" and m.dtype == "float32"
    assert [v.name for v in m.variables] == ["true_positives"]
    assert m.variables[0].path == "binary_true_positives/true_positives"
    assert not m.variables[0].trainable and m.variables[0].aggregation == "sum"
    y_true = nd.constant([1, 1, 0, 1])
    y_pred = nd.constant([1, 0, 1, 1])
    assert float(m(y_true, y_pred)) == 2.0   # __call__ returns the running result
    assert float(m(y_true, y_pred, sample_weight=nd.constant([1.0, 1.0, 1.0, 0.5]))) == 3.5
    m.reset_states()  # the Keras 2 name
    assert float(m.result()) == 0.0
    assert m.get_config() == {"name": "binary_true_positives", "dtype": "float32"}
    clone = BinaryTruePositives.from_config(m.get_config())
    assert clone.name == m.name
    assert repr(m) == "<BinaryTruePositives name=binary_true_positives>"


def test_custom_metric_with_sub_metrics_and_dict_result():
    class MeanAndTotal(metrics.Metric):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.mean = metrics.Mean(name="avg")
            self.total = metrics.Sum(name="tot")
            self.calls = self.add_weight(shape=(), initializer="zeros", name="calls")

        def update_state(self, values):
            self.mean.update_state(values)
            self.total.update_state(values)
            self.calls.assign_add(nd.constant(1.0))

        def result(self):
            return {"avg": self.mean.result(), "tot": self.total.result()}

    m = MeanAndTotal(name="mt", dtype="float64")
    assert m.dtype == "float64"
    assert [v.path for v in m.variables] == ["mt/calls", "avg/total", "avg/count", "tot/total"]
    out = m([1.0, 2.0, 3.0])
    assert float(out["avg"]) == 2.0 and float(out["tot"]) == 6.0
    m.reset_state()
    assert all(float(v.numpy()) == 0.0 for v in m.variables)


def test_variables_assigned_as_attributes_are_tracked():
    from ndflow.keras.variables import KerasVariable

    class Counter(metrics.Metric):
        def __init__(self):
            super().__init__(name="counter")
            self.count = KerasVariable(np.zeros((), "float32"), dtype="float32",
                                       trainable=False, name="count")

        def update_state(self, values):
            self.count.assign_add(nd.cast(nd.size(values), "float32"))

        def result(self):
            return nd.identity(self.count)

    m = Counter()
    assert [v.name for v in m.variables] == ["count"]
    m.update_state([1, 2, 3])
    assert float(m.result()) == 3.0
    m.reset_state()
    assert float(m.result()) == 0.0


def test_forgetting_super_init_raises():
    class Broken(metrics.Metric):
        def __init__(self):
            self.v = self.add_variable(shape=(), initializer="zeros", name="v")

    with pytest.raises(RuntimeError, match="super"):
        Broken()


def test_base_metric_methods_are_abstract():
    m = metrics.Metric(name="base")
    with pytest.raises(NotImplementedError):
        m.update_state(1)
    with pytest.raises(NotImplementedError):
        m.result()


def test_layers_find_metric_attributes():
    from ndflow.keras.layers import Layer

    class WithMetric(Layer):
        def __init__(self):
            super().__init__()
            self.tracker = metrics.Mean(name="tracked")

    layer = WithMetric()
    assert [m.name for m in layer.metrics] == ["tracked"]
    assert layer.weights == []


def test_dtype_float64_and_policy_names():
    m = metrics.Mean(dtype="float64")
    m.update_state([1.0, 2.0])
    assert m.result().dtype == nd.float64 and m.variables[0].dtype == nd.float64
    assert metrics.Mean(dtype="mixed_float16").dtype == "float16"


def test_loss_functions_exported():
    for name in ["mean_squared_error", "binary_crossentropy", "hinge", "kl_divergence", "mse",
                 "logcosh", "kullback_leibler_divergence"]:
        assert callable(getattr(metrics, name))
    assert metrics.mse is metrics.mean_squared_error
    with pytest.raises(AttributeError):
        metrics.not_a_metric  # noqa: B018
