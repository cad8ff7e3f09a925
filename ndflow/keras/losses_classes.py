"""Keras 3's loss classes: each wraps one function of ``losses_functions`` with its options.

Only the options Keras puts in ``get_config`` are listed there (for example Huber's ``delta`` and
CosineSimilarity's ``axis`` are not), so configs compare equal to Keras'.
"""
from ndflow.keras import losses_functions as F
from ndflow.keras.losses_base import Loss, LossFunctionWrapper
from ndflow.keras.saving import object_registration


def _simple(class_name, fn, default_name, doc):
    """A wrapper class with no options besides name, reduction and dtype."""
    def __init__(self, reduction="sum_over_batch_size", name=default_name, dtype=None):
        LossFunctionWrapper.__init__(self, fn, name=name, reduction=reduction, dtype=dtype)

    def get_config(self):
        return Loss.get_config(self)

    get_config.__doc__ = "{'name', 'reduction'}."
    cls = type(class_name, (LossFunctionWrapper,), {
        "__init__": __init__, "get_config": get_config, "__doc__": doc,
        "__module__": __name__})
    return cls


MeanSquaredError = _simple(
    "MeanSquaredError", F.mean_squared_error, "mean_squared_error",
    "Mean of squared differences between targets and predictions.")
MeanAbsoluteError = _simple(
    "MeanAbsoluteError", F.mean_absolute_error, "mean_absolute_error",
    "Mean of absolute differences between targets and predictions.")
MeanAbsolutePercentageError = _simple(
    "MeanAbsolutePercentageError", F.mean_absolute_percentage_error,
    "mean_absolute_percentage_error",
    "100 * mean(|y_true - y_pred| / max(|y_true|, epsilon)).")
MeanSquaredLogarithmicError = _simple(
    "MeanSquaredLogarithmicError", F.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error", "Mean of squared differences of log(1 + x).")
LogCosh = _simple("LogCosh", F.log_cosh, "log_cosh",
                  "Mean of log(cosh(y_pred - y_true)).")
Hinge = _simple("Hinge", F.hinge, "hinge",
                "Mean of max(1 - y_true * y_pred, 0); 0/1 labels become -1/1.")
SquaredHinge = _simple("SquaredHinge", F.squared_hinge, "squared_hinge",
                       "Mean of max(1 - y_true * y_pred, 0) ** 2; 0/1 labels become -1/1.")
CategoricalHinge = _simple("CategoricalHinge", F.categorical_hinge, "categorical_hinge",
                           "max(max_wrong_score - true_score + 1, 0) per sample.")
KLDivergence = _simple("KLDivergence", F.kl_divergence, "kl_divergence",
                       "Kullback-Leibler divergence sum(y_true * log(y_true / y_pred)).")
Poisson = _simple("Poisson", F.poisson, "poisson",
                  "Mean of y_pred - y_true * log(y_pred + epsilon).")


class CosineSimilarity(LossFunctionWrapper):
    """Negative cosine similarity between targets and predictions along ``axis``."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity",
                 dtype=None):
        super().__init__(F.cosine_similarity, name=name, reduction=reduction, dtype=dtype,
                         axis=axis)

    def get_config(self):
        """{'name', 'reduction'} (Keras leaves ``axis`` out)."""
        return Loss.get_config(self)


class Huber(LossFunctionWrapper):
    """Quadratic for errors up to ``delta``, linear beyond."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(F.huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self):
        """{'name', 'reduction'} (Keras leaves ``delta`` out)."""
        return Loss.get_config(self)


class BinaryCrossentropy(LossFunctionWrapper):
    """Cross-entropy between binary labels and predicted probabilities (or logits)."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(F.binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        """Name, reduction, from_logits, label_smoothing and axis."""
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                       "axis": self.axis})
        return config


class BinaryFocalCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy down-weighting well-classified examples by (1 - p_t) ** gamma."""

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                 label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_focal_crossentropy", dtype=None):
        super().__init__(F.binary_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, apply_class_balancing=apply_class_balancing, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self):
        """Name, reduction and every focal option."""
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                       "axis": self.axis, "apply_class_balancing": self.apply_class_balancing,
                       "alpha": self.alpha, "gamma": self.gamma})
        return config


class CategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy between one-hot (or soft) labels and predicted class probabilities."""

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(F.categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing,
                         axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        """Name, reduction, from_logits, label_smoothing and axis."""
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                       "axis": self.axis})
        return config


class CategoricalFocalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy with each class term scaled by alpha * (1 - p) ** gamma."""

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy",
                 dtype=None):
        super().__init__(F.categorical_focal_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma

    def get_config(self):
        """Name, reduction and every focal option."""
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "label_smoothing": self.label_smoothing,
                       "axis": self.axis, "alpha": self.alpha, "gamma": self.gamma})
        return config


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Cross-entropy with integer class labels; ``ignore_class`` entries are left out of the
    loss and of the average."""

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(F.sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def _call_with_mask(self, y_true, y_pred):
        # The valid-entry mask must reach the reduction, so the average is over valid entries
        # (unless a subclass replaced ``call``, which then decides alone).
        if type(self).call is not LossFunctionWrapper.call:
            return super()._call_with_mask(y_true, y_pred)
        y_true, y_pred = self._match_ranks(y_true, y_pred)
        return F.sparse_categorical_crossentropy_with_mask(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        """Name, reduction, from_logits and ignore_class (Keras leaves ``axis`` out)."""
        config = Loss.get_config(self)
        config.update({"from_logits": self.from_logits, "ignore_class": self.ignore_class})
        return config


class Dice(LossFunctionWrapper):
    """1 - the soft Dice coefficient over ``axis`` (all axes by default)."""

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(F.dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        """Name, reduction and axis."""
        config = Loss.get_config(self)
        config["axis"] = self.axis
        return config


class Tversky(LossFunctionWrapper):
    """1 - the Tversky index (alpha weights false positives, beta false negatives)."""

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky",
                 axis=None, dtype=None):
        super().__init__(F.tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         beta=beta, axis=axis)
        self.alpha = alpha
        self.beta = beta
        self.axis = axis

    def get_config(self):
        """Name, reduction, alpha, beta and axis."""
        config = Loss.get_config(self)
        config.update({"alpha": self.alpha, "beta": self.beta, "axis": self.axis})
        return config


class CategoricalGeneralizedCrossEntropy(LossFunctionWrapper):
    """(1 - p[label] ** q) / q with integer labels, q in (0, 1)."""

    def __init__(self, q=0.5, reduction="sum_over_batch_size",
                 name="categorical_generalized_cross_entropy", dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(F.categorical_generalized_cross_entropy, name=name,
                         reduction=reduction, dtype=dtype, q=q)
        self.q = q

    def get_config(self):
        """Name, reduction and q."""
        config = Loss.get_config(self)
        config["q"] = self.q
        return config


CLASSES = (
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy,
    CategoricalCrossentropy, CategoricalFocalCrossentropy, SparseCategoricalCrossentropy, Dice,
    Tversky, CategoricalGeneralizedCrossEntropy,
)

for _cls in CLASSES:
    object_registration.register_builtin("keras.losses", _cls)
