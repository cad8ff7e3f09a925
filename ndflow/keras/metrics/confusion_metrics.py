"""Metrics computed from confusion-matrix counts at one or more thresholds: TruePositives and
its siblings, Precision, Recall, the sensitivity/specificity family and AUC."""
import numpy as np

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import Metric, register
from ndflow.keras.metrics.metrics_utils import ConfusionMatrix as CM


def _zeros_variable(metric, name, shape):
    return metric.add_variable(shape=shape, initializer="zeros", name=name)


def _ratio(a, b):
    return nd.math.divide_no_nan(a, a + b)


class _ConfusionMatrixConditionCount(Metric):
    """The weighted count of one confusion-matrix cell at each threshold."""

    _cell = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = mu.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
            self.thresholds)
        self.accumulator = _zeros_variable(self, "accumulator", (len(self.thresholds),))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's counts (a prediction is positive when > threshold)."""
        mu.update_confusion_matrix_variables(
            {self._cell: self.accumulator}, y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight)

    def result(self):
        """The count (a scalar with one threshold, else one per threshold)."""
        if len(self.thresholds) == 1:
            return self.accumulator[0]
        return nd.identity(self.accumulator)

    def get_config(self):
        """name, dtype and thresholds (as given)."""
        return {**super().get_config(), "thresholds": self.init_thresholds}


@register
class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of positive labels predicted positive."""
    _cell = CM.TRUE_POSITIVES


@register
class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of negative labels predicted positive."""
    _cell = CM.FALSE_POSITIVES


@register
class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of negative labels predicted negative."""
    _cell = CM.TRUE_NEGATIVES


@register
class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of positive labels predicted negative."""
    _cell = CM.FALSE_NEGATIVES


class _PrecisionRecallBase(Metric):
    """Shared by Precision and Recall: TP plus one other cell, per threshold."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    _other = None  # (cell, variable name)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else mu.NEG_INF
        self.thresholds = mu.parse_init_thresholds(thresholds, default_threshold=default)
        self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
            self.thresholds)
        n = len(self.thresholds)
        self.true_positives = _zeros_variable(self, "true_positives", (n,))
        setattr(self, self._other[1], _zeros_variable(self, self._other[1], (n,)))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's counts (after the top_k / class_id selection)."""
        mu.update_confusion_matrix_variables(
            {CM.TRUE_POSITIVES: self.true_positives,
             self._other[0]: getattr(self, self._other[1])},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k, class_id=self.class_id, sample_weight=sample_weight)

    def result(self):
        """TP / (TP + other) (0 when empty); a scalar with one threshold."""
        value = _ratio(self.true_positives, getattr(self, self._other[1]))
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        """name, dtype, thresholds, top_k and class_id."""
        return {**super().get_config(), "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


@register
class Precision(_PrecisionRecallBase):
    """TP / (TP + FP): how many predicted positives are positive.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction is positive when above.
            Default 0.5 (or, with top_k, every top-k prediction counts as positive).
        top_k: only the k highest predictions of each row count as positive.
        class_id: compute the metric for this one class only.
    """
    _other = (CM.FALSE_POSITIVES, "false_positives")


@register
class Recall(_PrecisionRecallBase):
    """TP / (TP + FN): how many positives are predicted positive (arguments as Precision)."""
    _other = (CM.FALSE_NEGATIVES, "false_negatives")


class SensitivitySpecificityBase(Metric):
    """Four cells at ``num_thresholds`` evenly spaced thresholds; subclasses pick one rate
    subject to a constraint on another."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError("Argument `num_thresholds` must be an integer > 0. Received: "
                             f"num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0] + inner + [1.0]
            self._thresholds_distributed_evenly = True
        n = len(self.thresholds)
        self.true_positives = _zeros_variable(self, "true_positives", (n,))
        self.false_positives = _zeros_variable(self, "false_positives", (n,))
        self.true_negatives = _zeros_variable(self, "true_negatives", (n,))
        self.false_negatives = _zeros_variable(self, "false_negatives", (n,))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's four counts at every threshold."""
        mu.update_confusion_matrix_variables(
            {CM.TRUE_POSITIVES: self.true_positives, CM.TRUE_NEGATIVES: self.true_negatives,
             CM.FALSE_POSITIVES: self.false_positives,
             CM.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id, sample_weight=sample_weight)

    def get_config(self):
        """name, dtype and class_id (subclasses add theirs)."""
        return {**super().get_config(), "class_id": self.class_id}

    def _max_under_constraint(self, constrained, dependent):
        feasible = nd.greater_equal(constrained, self.value)
        picked = nd.where(feasible, dependent, nd.zeros_like(dependent))
        return nd.maximum(nd.reduce_max(picked), nd.zeros((), dtype=picked.dtype))

    def _rates(self):
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        return {"sensitivity": _ratio(tp, fn), "specificity": _ratio(tn, fp),
                "recall": _ratio(tp, fn), "precision": _ratio(tp, fp)}


class _RateAtConstraint(SensitivitySpecificityBase):
    """The best ``_dependent`` rate among thresholds whose ``_constrained`` rate is at least
    the given value; the constructor's first argument is named ``_argument``."""

    _argument = _constrained = _dependent = None

    def _setup(self, value, num_thresholds, class_id, name, dtype):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._argument}` must be in the range [0, 1]. "
                             f"Received: {self._argument}={value}")
        setattr(self, self._argument, value)
        self.num_thresholds = num_thresholds
        SensitivitySpecificityBase.__init__(self, value, num_thresholds=num_thresholds,
                                            class_id=class_id, name=name, dtype=dtype)

    def result(self):
        """The best dependent rate among thresholds meeting the constraint."""
        rates = self._rates()
        return self._max_under_constraint(rates[self._constrained], rates[self._dependent])

    def get_config(self):
        """name, dtype, class_id, num_thresholds and the constraint value."""
        return {**super().get_config(), "num_thresholds": self.num_thresholds,
                self._argument: getattr(self, self._argument)}


@register
class SensitivityAtSpecificity(_RateAtConstraint):
    """The best sensitivity (recall) among thresholds whose specificity is >= `specificity`."""

    _argument, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._setup(specificity, num_thresholds, class_id, name, dtype)


@register
class SpecificityAtSensitivity(_RateAtConstraint):
    """The best specificity among thresholds whose sensitivity is >= `sensitivity`."""

    _argument, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._setup(sensitivity, num_thresholds, class_id, name, dtype)


@register
class PrecisionAtRecall(_RateAtConstraint):
    """The best precision among thresholds whose recall is >= `recall`."""

    _argument, _constrained, _dependent = "recall", "recall", "precision"

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._setup(recall, num_thresholds, class_id, name, dtype)


@register
class RecallAtPrecision(_RateAtConstraint):
    """The best recall among thresholds whose precision is >= `precision`."""

    _argument, _constrained, _dependent = "precision", "precision", "recall"

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        self._setup(precision, num_thresholds, class_id, name, dtype)


@register
class AUC(Metric):
    """The area under the ROC or precision-recall curve, by a Riemann sum over thresholds.

    Args:
        num_thresholds: the number of thresholds (evenly spaced over [0, 1]); default 200.
        curve: "ROC", "PR" or "PRGAIN".
        summation_method: "interpolation" (trapezoids; for PR, Davis & Goadrich's
            interpolation), "minoring" or "majoring".
        thresholds: explicit thresholds instead of num_thresholds.
        multi_label: treat each column as its own label (one curve each, averaged).
        num_labels: the number of labels when multi_label (else found on the first update).
        label_weights: per-label weights of the average (or of the counts without
            multi_label).
        from_logits: apply a sigmoid to the predictions first.
    """

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = mu.is_evenly_distributed_thresholds(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        # Outer thresholds just beyond [0, 1] so predictions of exactly 0 or 1 are counted.
        self._thresholds = np.array([0.0 - backend.epsilon()] + list(thresholds) +
                                    [1.0 + backend.epsilon()])
        self.curve = _parse(curve, {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"},
                            f'Invalid AUC curve value: "{curve}". Expected values are '
                            '["PR", "ROC", "PRGAIN"]')
        self.summation_method = _parse(
            summation_method, {"interpolation": "interpolation", "majoring": "majoring",
                               "minoring": "minoring"},
            f'Invalid AUC summation method value: "{summation_method}". Expected values are '
            '["interpolation", "majoring", "minoring"]')
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = (None if label_weights is None
                              else mu.to_tensor(np.asarray(label_weights), self.dtype))
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        """The thresholds, including the two outer ones."""
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{shape}")
            self._num_labels = shape[1]
            variable_shape = [self.num_thresholds, self._num_labels]
        else:
            variable_shape = [self.num_thresholds]
        self._build_input_shape = shape
        self.true_positives = _zeros_variable(self, "true_positives", variable_shape)
        self.false_positives = _zeros_variable(self, "false_positives", variable_shape)
        self.true_negatives = _zeros_variable(self, "true_negatives", variable_shape)
        self.false_negatives = _zeros_variable(self, "false_negatives", variable_shape)
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's four counts at every threshold."""
        if not self._built:
            self._build(list(mu.static_shape(y_pred)))
        if self._from_logits:
            y_pred = nd.sigmoid(mu.to_tensor(y_pred))
        mu.update_confusion_matrix_variables(
            {CM.TRUE_POSITIVES: self.true_positives, CM.TRUE_NEGATIVES: self.true_negatives,
             CM.FALSE_POSITIVES: self.false_positives,
             CM.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _per_label(self, terms):
        if not self.multi_label:
            return nd.reduce_sum(terms)
        by_label = nd.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return nd.reduce_mean(by_label)
        return nd.math.divide_no_nan(nd.reduce_sum(by_label * self.label_weights),
                                     nd.reduce_sum(self.label_weights))

    def interpolate_pr_auc(self):
        """The PR AUC with Davis & Goadrich's (2006) interpolation between thresholds."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        zero = nd.zeros((), dtype=tp.dtype)
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = nd.math.divide_no_nan(dtp, nd.maximum(dp, zero))
        intercept = tp[1:] - slope * p[1:]
        both_positive = nd.logical_and(nd.greater(p[:n - 1], zero), nd.greater(p[1:], zero))
        safe_ratio = nd.where(both_positive,
                              nd.math.divide_no_nan(p[:n - 1], nd.maximum(p[1:], zero)),
                              nd.ones_like(p[1:]))
        increments = nd.math.divide_no_nan(slope * (dtp + intercept * nd.log(safe_ratio)),
                                           nd.maximum(tp[1:] + fn[1:], zero))
        return self._per_label(increments)

    def result(self):
        """The area under the chosen curve."""
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        recall = _ratio(tp, fn)
        if self.curve == "ROC":
            x, y = _ratio(fp, tn), recall
        elif self.curve == "PR":
            x, y = recall, _ratio(tp, fp)
        else:
            scaling = nd.math.divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * nd.math.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * nd.math.divide_no_nan(fp, tp)
            no_tp = nd.equal(tp, 0.0)
            recall_gain = nd.maximum(nd.where(no_tp, nd.zeros_like(tp), recall_gain), 0.0)
            precision_gain = nd.where(no_tp, nd.ones_like(tp), precision_gain)
            x, y = recall_gain, precision_gain
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = nd.minimum(y[:n - 1], y[1:])
        else:
            heights = nd.maximum(y[:n - 1], y[1:])
        return self._per_label((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        """Sets the four counts back to zeros (nothing to do before they exist)."""
        if self._built:
            super().reset_state()

    def get_config(self):
        """The constructor arguments (thresholds only when given explicitly)."""
        label_weights = self.label_weights
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if label_weights is None
                  else [float(w) for w in label_weights.numpy()],
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}


def _parse(value, table, message):
    value = getattr(value, "value", value)  # accept Keras' enum members too
    key = str(value).lower()
    if key not in table:
        raise ValueError(message)
    return table[key]
