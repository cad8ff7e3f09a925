"""Tests of ndflow.keras.losses: unit tests, and conformance with real Keras 3 (tf.keras).

Conformance tests compare values (1e-6 relative) and gradients with respect to ``y_pred`` for
every loss, every reduction and scalar / per-sample / per-timestep sample weights, plus configs,
serialized dicts, name resolution and errors.
"""
import zlib

import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import losses

RTOL, ATOL = 1e-6, 1e-7
B, T, C = 4, 5, 3
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]


# ---------------------------------------------------------------- data for every kind of loss
def _rng(seed=0):
    return np.random.default_rng(seed)


def _probs(rng, shape):
    x = rng.uniform(0.05, 1.0, shape).astype(np.float32)
    return (x / x.sum(-1, keepdims=True)).astype(np.float32)


def _one_hot(rng, shape):
    idx = rng.integers(0, shape[-1], shape[:-1])
    return np.eye(shape[-1], dtype=np.float32)[idx]


def regression(rng, shape):
    return (rng.uniform(0.1, 2.0, shape).astype(np.float32),
            rng.uniform(0.1, 2.0, shape).astype(np.float32))


def signed(rng, shape):
    return (rng.normal(0, 1.5, shape).astype(np.float32),
            rng.normal(0, 1.5, shape).astype(np.float32))


def binary_probs(rng, shape):
    return (rng.integers(0, 2, shape).astype(np.float32),
            rng.uniform(0.05, 0.95, shape).astype(np.float32))


def binary_logits(rng, shape):
    return (rng.integers(0, 2, shape).astype(np.float32),
            rng.normal(0, 3.0, shape).astype(np.float32))


def pm_one_labels(rng, shape):
    return (rng.choice([-1.0, 1.0], shape).astype(np.float32),
            rng.normal(0, 1.0, shape).astype(np.float32))


def onehot_probs(rng, shape):
    return _one_hot(rng, shape), _probs(rng, shape)


def onehot_logits(rng, shape):
    return _one_hot(rng, shape), rng.normal(0, 2.0, shape).astype(np.float32)


def dist_dist(rng, shape):
    return _probs(rng, shape), _probs(rng, shape)


def sparse_probs(rng, shape):
    return rng.integers(0, shape[-1], shape[:-1]).astype(np.float32), _probs(rng, shape)


def sparse_probs_keepdim(rng, shape):
    return rng.integers(0, shape[-1], shape[:-1] + (1,)).astype(np.float32), _probs(rng, shape)


def sparse_logits(rng, shape):
    return (rng.integers(0, shape[-1], shape[:-1]).astype(np.float32),
            rng.normal(0, 2.0, shape).astype(np.float32))


# (id, class name, constructor kwargs, data, allows 3-D inputs)
CASES = [
    ("mse", "MeanSquaredError", {}, regression, True),
    ("mae", "MeanAbsoluteError", {}, regression, True),
    ("mape", "MeanAbsolutePercentageError", {}, regression, True),
    ("msle", "MeanSquaredLogarithmicError", {}, regression, True),
    ("huber", "Huber", {}, signed, True),
    ("huber_delta", "Huber", {"delta": 0.6}, signed, True),
    ("logcosh", "LogCosh", {}, signed, True),
    ("cosine", "CosineSimilarity", {}, signed, True),
    ("cosine_axis0", "CosineSimilarity", {"axis": 0}, signed, False),
    ("bce", "BinaryCrossentropy", {}, binary_probs, True),
    ("bce_logits", "BinaryCrossentropy", {"from_logits": True}, binary_logits, True),
    ("bce_smooth", "BinaryCrossentropy", {"label_smoothing": 0.2}, binary_probs, True),
    ("bce_logits_smooth", "BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1},
     binary_logits, True),
    ("bfce", "BinaryFocalCrossentropy", {}, binary_probs, True),
    ("bfce_logits_balanced", "BinaryFocalCrossentropy",
     {"from_logits": True, "apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5},
     binary_logits, True),
    ("bfce_smooth", "BinaryFocalCrossentropy", {"label_smoothing": 0.1, "gamma": 3.0},
     binary_probs, True),
    ("cce", "CategoricalCrossentropy", {}, onehot_probs, True),
    ("cce_logits", "CategoricalCrossentropy", {"from_logits": True}, onehot_logits, True),
    ("cce_smooth", "CategoricalCrossentropy", {"label_smoothing": 0.1}, onehot_probs, True),
    ("cce_logits_smooth", "CategoricalCrossentropy",
     {"from_logits": True, "label_smoothing": 0.2}, onehot_logits, True),
    ("cce_unnormalised", "CategoricalCrossentropy", {}, regression, True),
    ("cfce", "CategoricalFocalCrossentropy", {}, onehot_probs, True),
    ("cfce_logits", "CategoricalFocalCrossentropy",
     {"from_logits": True, "alpha": 0.5, "gamma": 1.0, "label_smoothing": 0.1},
     onehot_logits, True),
    ("scce", "SparseCategoricalCrossentropy", {}, sparse_probs, True),
    ("scce_keepdim", "SparseCategoricalCrossentropy", {}, sparse_probs_keepdim, True),
    ("scce_logits", "SparseCategoricalCrossentropy", {"from_logits": True}, sparse_logits, True),
    ("scce_ignore", "SparseCategoricalCrossentropy", {"ignore_class": 1}, sparse_probs, True),
    ("scce_logits_ignore", "SparseCategoricalCrossentropy",
     {"from_logits": True, "ignore_class": 0}, sparse_logits, True),
    ("hinge01", "Hinge", {}, binary_logits, True),
    ("hinge_pm", "Hinge", {}, pm_one_labels, True),
    ("sq_hinge01", "SquaredHinge", {}, binary_logits, True),
    ("sq_hinge_pm", "SquaredHinge", {}, pm_one_labels, True),
    ("cat_hinge", "CategoricalHinge", {}, onehot_logits, True),
    ("kld", "KLDivergence", {}, dist_dist, True),
    ("poisson", "Poisson", {}, regression, True),
    ("dice", "Dice", {}, binary_probs, False),
    ("dice_axis", "Dice", {"axis": -1}, binary_probs, True),
    ("tversky", "Tversky", {"alpha": 0.3, "beta": 0.7, "axis": -1}, binary_probs, True),
    ("gce", "CategoricalGeneralizedCrossEntropy", {"q": 0.7}, sparse_probs, False),
]

WEIGHTS_2D = {
    "none": lambda rng: None,
    "scalar": lambda rng: np.float32(0.7),
    "per_sample": lambda rng: rng.uniform(0.0, 2.0, (B,)).astype(np.float32),
    "per_sample_col": lambda rng: rng.uniform(0.0, 2.0, (B, 1)).astype(np.float32),
}
WEIGHTS_3D = {
    "none": lambda rng: None,
    "scalar": lambda rng: np.float32(1.3),
    "per_sample_col": lambda rng: rng.uniform(0.0, 2.0, (B, 1)).astype(np.float32),
    "per_timestep": lambda rng: rng.uniform(0.0, 2.0, (B, T)).astype(np.float32),
}


def _params():
    for case_id, name, kwargs, data, allows_3d in CASES:
        for reduction in REDUCTIONS:
            for wname in WEIGHTS_2D:
                yield pytest.param(name, kwargs, data, (B, C), WEIGHTS_2D[wname], reduction,
                                   id=f"{case_id}-2d-{wname}-{reduction}")
            if allows_3d:
                for wname in WEIGHTS_3D:
                    yield pytest.param(name, kwargs, data, (B, T, C), WEIGHTS_3D[wname],
                                       reduction, id=f"{case_id}-3d-{wname}-{reduction}")


def _ours_and_theirs(real_tf, y_true, y_pred, make_nd, make_tf, sample_weight):
    """(value, d sum(value) / d y_pred) from ndflow and from TensorFlow."""
    p = nd.constant(y_pred)
    with nd.GradientTape() as tape:
        tape.watch(p)
        ours = make_nd(nd.constant(y_true), p, sample_weight)
        total = nd.reduce_sum(ours)
    our_grad = tape.gradient(total, p)
    tp = real_tf.constant(y_pred)
    with real_tf.GradientTape() as tape:
        tape.watch(tp)
        theirs = make_tf(real_tf.constant(y_true), tp, sample_weight)
        total = real_tf.reduce_sum(theirs)
    their_grad = tape.gradient(total, tp)
    return ours, our_grad, theirs, their_grad


def _assert_match(ours, our_grad, theirs, their_grad):
    assert ours.dtype.name == theirs.dtype.name
    assert tuple(ours.shape.as_list()) == tuple(theirs.shape.as_list())
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL)
    # Gradient entries come from sums with cancellation (softmax - label, ...): compare them
    # relative to the gradient's scale, not entry by entry.
    scale = max(1.0, float(np.abs(their_grad.numpy()).max()))
    np.testing.assert_allclose(our_grad.numpy(), their_grad.numpy(), rtol=RTOL,
                               atol=RTOL * scale)


# ------------------------------------------------------------------------- value conformance
@pytest.mark.parametrize("name,kwargs,data,shape,weight,reduction", list(_params()))
def test_loss_matches_keras(real_tf, name, kwargs, data, shape, weight, reduction):
    rng = _rng(zlib.crc32(f"{name}{sorted(kwargs.items())}{len(shape)}".encode()))
    y_true, y_pred = data(rng, shape)
    sample_weight = weight(rng)
    ours_loss = getattr(losses, name)(reduction=reduction, **kwargs)
    theirs_loss = getattr(real_tf.keras.losses, name)(reduction=reduction, **kwargs)
    if _error_of(lambda: theirs_loss(y_true, y_pred, sample_weight=sample_weight)):
        # Weights Keras cannot broadcast (e.g. (batch,) against per-class values) fail in both.
        assert _error_of(lambda: ours_loss(y_true, y_pred, sample_weight=sample_weight))
        return
    _assert_match(*_ours_and_theirs(
        real_tf, y_true, y_pred,
        lambda t, p, w: ours_loss(t, p, sample_weight=w),
        lambda t, p, w: theirs_loss(t, p, sample_weight=w), sample_weight))


FUNCTION_CASES = [
    ("mean_squared_error", {}, regression), ("mean_absolute_error", {}, regression),
    ("mean_absolute_percentage_error", {}, regression),
    ("mean_squared_logarithmic_error", {}, regression), ("huber", {"delta": 0.5}, signed),
    ("log_cosh", {}, signed), ("cosine_similarity", {"axis": -1}, signed),
    ("binary_crossentropy", {}, binary_probs),
    ("binary_crossentropy", {"from_logits": True, "label_smoothing": 0.1}, binary_logits),
    ("binary_focal_crossentropy", {"apply_class_balancing": True}, binary_probs),
    ("binary_focal_crossentropy", {"from_logits": True}, binary_logits),
    ("categorical_crossentropy", {}, onehot_probs),
    ("categorical_crossentropy", {"from_logits": True, "label_smoothing": 0.3}, onehot_logits),
    ("categorical_crossentropy", {"axis": 0}, onehot_probs),
    ("categorical_crossentropy", {"from_logits": True, "axis": 0}, onehot_logits),
    ("categorical_focal_crossentropy", {}, onehot_probs),
    ("sparse_categorical_crossentropy", {}, sparse_probs),
    ("sparse_categorical_crossentropy", {"from_logits": True}, sparse_logits),
    ("sparse_categorical_crossentropy", {"ignore_class": 2}, sparse_probs),
    ("hinge", {}, binary_logits), ("squared_hinge", {}, pm_one_labels),
    ("categorical_hinge", {}, onehot_logits), ("kl_divergence", {}, dist_dist),
    ("poisson", {}, regression), ("dice", {}, binary_probs), ("dice", {"axis": 1}, binary_probs),
    ("tversky", {}, binary_probs),
]


@pytest.mark.parametrize("fn_name,kwargs,data", FUNCTION_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(FUNCTION_CASES)])
def test_function_matches_keras(real_tf, fn_name, kwargs, data):
    import keras
    rng = _rng(7)
    y_true, y_pred = data(rng, (B, C))
    ours_fn = getattr(losses, fn_name)
    theirs_fn = getattr(keras.losses, fn_name)
    _assert_match(*_ours_and_theirs(
        real_tf, y_true, y_pred, lambda t, p, w: ours_fn(t, p, **kwargs),
        lambda t, p, w: theirs_fn(t, p, **kwargs), None))


def test_rank_mismatch_targets_are_matched(real_tf):
    """(batch,) targets against (batch, 1) predictions, as a Dense(1) model produces."""
    rng = _rng(3)
    y_true = rng.integers(0, 2, (B,)).astype(np.float32)
    y_pred = rng.uniform(0.1, 0.9, (B, 1)).astype(np.float32)
    for name in ("MeanSquaredError", "BinaryCrossentropy", "Hinge", "Huber", "Poisson"):
        ours = getattr(losses, name)()(y_true, y_pred).numpy()
        theirs = getattr(real_tf.keras.losses, name)()(y_true, y_pred).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_dtype_conversion_matches_keras(real_tf):
    y_true = np.array([[1, 0], [0, 1]], np.int64)
    y_pred = np.array([[0.7, 0.3], [0.4, 0.6]], np.float64)
    ours = losses.CategoricalCrossentropy()(y_true, y_pred)
    theirs = real_tf.keras.losses.CategoricalCrossentropy()(y_true, y_pred)
    assert ours.dtype.name == theirs.dtype.name == "float32"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL)
    ours = losses.MeanSquaredError(dtype="float64")(y_true, y_pred)
    theirs = real_tf.keras.losses.MeanSquaredError(dtype="float64")(y_true, y_pred)
    assert ours.dtype.name == theirs.dtype.name == "float64"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    # Functions cast targets to the predictions' dtype.
    ours = losses.mean_squared_error(y_true, y_pred)
    assert ours.dtype.name == "float64"
    sparse = losses.sparse_categorical_crossentropy(np.array([0, 1]), y_pred.astype(np.float32))
    assert sparse.dtype.name == "float32"


# ---------------------------------------------------------------------- reduction helpers
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (), (B,), (B, 1), (B, T), (B, T, 1)])
def test_reduce_weighted_values_matches_keras(real_tf, reduction, weight_shape):
    from keras.src.losses.loss import reduce_weighted_values as keras_reduce
    rng = _rng(11)
    values = rng.normal(size=(B, T)).astype(np.float32)
    weight = None if weight_shape is None else rng.uniform(0, 2, weight_shape).astype(np.float32)
    if weight_shape == (B,):
        # Keras broadcasts a (batch,) weight against the last axis: legal only when T == B.
        values = rng.normal(size=(B, B)).astype(np.float32)
    ours = losses.reduce_weighted_values(values, weight, reduction)
    theirs = keras_reduce(real_tf.constant(values),
                          None if weight is None else real_tf.constant(weight),
                          reduction=reduction)
    assert tuple(ours.shape.as_list()) == tuple(theirs.shape)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=RTOL, atol=ATOL)


def test_reduce_values_edge_cases():
    zero_weights = losses.reduce_weighted_values(np.ones((3,), np.float32),
                                                 np.zeros((3,), np.float32),
                                                 "mean_with_sample_weight")
    assert zero_weights.numpy() == 0.0
    scalar = losses.reduce_weighted_values(np.float32(2.5), None, "sum_over_batch_size")
    assert scalar.numpy() == np.float32(2.5)
    empty = losses.reduce_weighted_values(np.zeros((0,), np.float32), None, "sum")
    assert empty.shape.as_list() == [0]
    with pytest.raises(ValueError, match="Invalid value for argument `reduction`"):
        losses.reduce_weighted_values(np.ones((2,), np.float32), None, "avg")


def test_trainer_contract():
    """The names compile_utils relies on: get, Loss.__call__ and reduce_weighted_values."""
    from ndflow.keras.trainers.compile_utils import CompileLoss
    y_true = np.array([[1.0], [2.0]], np.float32)
    y_pred = np.array([[1.5], [1.0]], np.float32)
    for spec in ("mse", "MeanSquaredError", losses.MeanSquaredError(), losses.mse):
        value = CompileLoss(spec)(y_true, y_pred, np.array([1.0, 3.0], np.float32))
        np.testing.assert_allclose(value.numpy(), (0.25 + 3.0) / 2, rtol=RTOL)


# ---------------------------------------------------------------------- errors vs Keras
def _error_of(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return type(exc)
    return None


@pytest.mark.parametrize("call", [
    lambda L, np_: L.BinaryCrossentropy()(np_.ones((2, 3), "float32"), np_.ones((2, 4), "float32")
                                          * 0.5),
    lambda L, np_: L.CategoricalCrossentropy()(np_.ones((2, 3), "float32"),
                                               np_.ones((2, 4), "float32")),
    lambda L, np_: L.SparseCategoricalCrossentropy()(np_.ones((2, 3), "float32"),
                                                     np_.ones((2, 3), "float32")),
    lambda L, np_: L.SparseCategoricalCrossentropy(axis=0)(np_.zeros((2,), "float32"),
                                                           np_.ones((2, 3), "float32")),
    lambda L, np_: L.categorical_crossentropy(np_.ones((2, 3), "float32"),
                                              np_.ones((2, 3), "float32"), axis=True),
    lambda L, np_: L.MeanSquaredError(reduction="bad"),
    lambda L, np_: L.CategoricalGeneralizedCrossEntropy(q=1.5),
], ids=["bce_shape", "cce_shape", "scce_rank", "scce_axis", "cce_bool_axis", "bad_reduction",
        "gce_q"])
def test_errors_match_keras(real_tf, call):
    theirs = _error_of(lambda: call(real_tf.keras.losses, np))
    ours = _error_of(lambda: call(losses, np))
    assert theirs is ValueError
    assert ours is ValueError


def test_incompatible_sample_weight_raises(real_tf):
    y = np.ones((B, T, C), np.float32)
    assert _error_of(lambda: real_tf.keras.losses.MeanSquaredError()(
        y, y, sample_weight=np.ones((B,), np.float32))) is not None
    assert _error_of(lambda: losses.MeanSquaredError()(
        y, y, sample_weight=np.ones((B,), np.float32))) is not None


def test_categorical_single_class_warns():
    with pytest.warns(SyntaxWarning, match="num_classes > 1"):
        losses.categorical_crossentropy(np.ones((2, 1), np.float32),
                                        np.ones((2, 1), np.float32))


# ---------------------------------------------------------------------- configs and names
CONFIG_CASES = [
    (name, kwargs) for name in sorted({c[1] for c in CASES}) for kwargs in ({},)
] + [(c[1], c[2]) for c in CASES if c[2]] + [
    ("MeanSquaredError", {"reduction": "sum", "name": "my_mse"}),
    ("BinaryCrossentropy", {"reduction": None, "axis": 1}),
    ("SparseCategoricalCrossentropy", {"reduction": "none", "axis": -1, "ignore_class": 3}),
    ("Dice", {"reduction": "mean_with_sample_weight", "axis": [1, 2]}),
]


@pytest.mark.parametrize("name,kwargs", CONFIG_CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIG_CASES)])
def test_config_and_serialize_match_keras(real_tf, name, kwargs):
    ours = getattr(losses, name)(**kwargs)
    theirs = getattr(real_tf.keras.losses, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert ours.name == theirs.name
    assert losses.serialize(ours) == real_tf.keras.losses.serialize(theirs)
    clone = losses.deserialize(losses.serialize(ours))
    assert type(clone) is type(ours) and clone.get_config() == ours.get_config()
    clone = type(ours).from_config(ours.get_config())
    assert clone.get_config() == ours.get_config()


def test_function_serialization_matches_keras(real_tf):
    import keras
    for name in ("mean_squared_error", "huber", "sparse_categorical_crossentropy"):
        ours = losses.serialize(getattr(losses, name))
        assert ours == keras.losses.serialize(getattr(keras.losses, name))
        assert losses.deserialize(ours) is getattr(losses, name)
        assert losses.get(ours) is getattr(losses, name)


def test_wrapper_config_matches_keras(real_tf):
    from keras.src.losses import LossFunctionWrapper as KerasWrapper
    import keras
    ours = losses.LossFunctionWrapper(losses.huber, delta=3.0)
    theirs = KerasWrapper(keras.losses.huber, delta=3.0)
    assert ours.get_config() == theirs.get_config()
    assert losses.serialize(ours) == keras.losses.serialize(theirs)
    clone = losses.deserialize(losses.serialize(ours))
    assert clone.fn is losses.huber and clone.get_config() == ours.get_config()
    y_true, y_pred = signed(_rng(5), (B, C))
    np.testing.assert_allclose(clone(y_true, y_pred).numpy(),
                               theirs(y_true, y_pred).numpy(), rtol=RTOL)


def test_get_resolves_every_keras_name(real_tf):
    from keras.src.losses import ALL_OBJECTS_DICT as KERAS_NAMES
    # CTC and Circle are not implemented; get("LossFunctionWrapper") fails in Keras too
    # (the wrapper needs ``fn``).
    missing = {"CTC", "ctc", "Circle", "circle", "LossFunctionWrapper"}
    for name, obj in KERAS_NAMES.items():
        if name in missing:
            continue
        ours = losses.get(name)
        if isinstance(obj, type):
            assert type(ours).__name__ == name
        else:
            assert callable(ours) and ours.__name__ == obj.__name__, name


def test_tf_keras_attribute_aliases(real_tf):
    import inspect
    tfl = real_tf.keras.losses
    for name in dir(tfl):
        obj = getattr(tfl, name)
        if name.startswith("_") or name in ("ctc", "circle", "CTC", "Circle"):
            continue
        assert hasattr(losses, name), name
        if inspect.isfunction(obj) and name not in ("get", "serialize", "deserialize"):
            assert getattr(losses, name).__name__ == obj.__name__, name


def test_get_aliases_and_instances():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("mae") is losses.MAE is losses.mean_absolute_error
    assert losses.get("mape") is losses.mean_absolute_percentage_error
    assert losses.get("msle") is losses.mean_squared_logarithmic_error
    assert losses.get("kld") is losses.KLD is losses.kl_divergence
    assert losses.get("log_cosh") is losses.logcosh is losses.log_cosh
    assert losses.get("logcosh") is losses.log_cosh
    assert losses.get("huber") is losses.huber
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    instance = losses.Poisson()
    assert losses.get(instance) is instance
    assert losses.get(None) is None
    custom = lambda y_true, y_pred: y_pred  # noqa: E731
    assert losses.get(custom) is custom
    loss = losses.get({"class_name": "CategoricalCrossentropy",
                       "config": {"from_logits": True}})
    assert isinstance(loss, losses.CategoricalCrossentropy) and loss.from_logits


@pytest.mark.parametrize("identifier", ["mse2", "Foo", "meansquarederror", 3,
                                        {"class_name": "NoSuchLoss", "config": {}}])
def test_unknown_identifiers_raise_value_error(identifier):
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(identifier)


def test_unknown_name_lists_close_names():
    with pytest.raises(ValueError, match="mse"):
        losses.get("mse2")


def test_unknown_names_also_fail_in_keras(real_tf):
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        real_tf.keras.losses.get("mse2")


def test_legacy_reduction_enum(real_tf):
    ours, theirs = losses.Reduction, real_tf.keras.losses.Reduction
    assert ours.all() == theirs.all()
    assert ours.SUM_OVER_BATCH_SIZE == theirs.SUM_OVER_BATCH_SIZE
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        ours.validate("avg")


# ---------------------------------------------------------------------- custom losses
class ScaledError(losses.Loss):
    """A user loss overriding only ``call``."""

    def call(self, y_true, y_pred):
        return nd.reduce_mean(nd.abs(y_pred - y_true), axis=-1) * 2.0


def test_custom_subclass_overriding_call(real_tf):
    import keras

    class KerasScaledError(keras.losses.Loss):
        def call(self, y_true, y_pred):
            return keras.ops.mean(keras.ops.abs(y_pred - y_true), axis=-1) * 2.0

    y_true, y_pred = regression(_rng(2), (B, C))
    weight = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    for reduction in REDUCTIONS:
        ours = ScaledError(reduction=reduction)
        theirs = KerasScaledError(reduction=reduction)
        _assert_match(*_ours_and_theirs(
            real_tf, y_true, y_pred, lambda t, p, w: ours(t, p, sample_weight=w),
            lambda t, p, w: theirs(t, p, sample_weight=w), weight))
    first, second = ScaledError(), ScaledError()
    assert first.name.startswith("scaled_error") and second.name != first.name
    assert ScaledError(name="x").get_config() == {"name": "x",
                                                  "reduction": "sum_over_batch_size"}
    clone = ScaledError.from_config({"name": "x", "reduction": "sum"})
    assert clone.name == "x" and clone.reduction == "sum"
    assert isinstance(losses.get(ScaledError), ScaledError)
    assert isinstance(losses.deserialize({"class_name": "ScaledError", "config": {}},
                                         custom_objects={"ScaledError": ScaledError}),
                      ScaledError)


def test_base_loss_call_is_abstract():
    with pytest.raises(NotImplementedError):
        losses.Loss()(np.ones((2,), np.float32), np.ones((2,), np.float32))


def test_custom_function_in_wrapper():
    def scaled_mse(y_true, y_pred, scale=1.0):
        return losses.mean_squared_error(y_true, y_pred) * scale

    loss = losses.LossFunctionWrapper(scaled_mse, scale=3.0, reduction="sum", name="s")
    value = loss(np.zeros((2, 2), np.float32), np.ones((2, 2), np.float32))
    assert value.numpy() == pytest.approx(6.0)
    assert loss.get_config()["scale"] == 3.0 and loss.get_config()["name"] == "s"


def test_ignore_class_averages_over_valid_entries():
    y_true = np.array([0, 1, 2, 1], np.float32)
    probs = _probs(_rng(4), (4, 3))
    values = losses.SparseCategoricalCrossentropy(ignore_class=1, reduction="none")(
        y_true, probs).numpy()
    assert values[1] == 0.0 and values[3] == 0.0
    mean = losses.SparseCategoricalCrossentropy(ignore_class=1)(y_true, probs).numpy()
    np.testing.assert_allclose(mean, values.sum() / 2, rtol=RTOL)


def test_integer_labels_and_variable_predictions():
    labels = np.array([0, 2, 1], np.int32)
    logits = nd.Variable(np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0], [0.0, 1.0, 0.0]],
                                  np.float32))
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    with nd.GradientTape() as tape:
        value = loss(labels, logits)
    grad = tape.gradient(value, logits)
    assert grad is not None and grad.shape.as_list() == [3, 3]
    np.testing.assert_allclose(grad.numpy().sum(axis=1), 0.0, atol=1e-6)


def test_logits_recorded_by_an_activation_are_used():
    """Keras computes cross-entropies from the logits a sigmoid/softmax activation recorded on
    its output (``_keras_logits``); ndflow looks for the same attribute."""
    from ndflow.keras import losses_functions as F

    class Output:
        pass

    out = Output()
    out._keras_logits = nd.constant([[30.0, -30.0]])
    logits, from_logits = F._logits_of(out, False, "Sigmoid", "binary_crossentropy")
    assert logits is out._keras_logits and from_logits
    with pytest.warns(UserWarning, match="does not represent logits"):
        F._logits_of(out, True, "Sigmoid", "binary_crossentropy")
    plain = nd.constant([0.5])
    assert F._logits_of(plain, False, "Sigmoid", "binary_crossentropy") == (plain, False)
