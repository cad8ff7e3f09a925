"""Intersection-over-union metrics (IoU, MeanIoU, BinaryIoU, OneHotIoU, OneHotMeanIoU).

Each keeps a ``(num_classes, num_classes)`` confusion matrix (rows: true class, columns:
predicted class) in the metric's dtype, int64 by default as in Keras, so fractional sample
weights are truncated when they are added, exactly as Keras does.
"""
import ndflow as nd
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import Metric, register

_EPSILON = 1e-7  # Keras adds it to the IoU denominator


class _IoUBase(Metric):
    """Accumulates the confusion matrix; ``result`` averages the IoU of ``target_class_ids``."""

    _direction = "up"  # for callbacks monitoring it in mode "auto"

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int64")
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(name="total_confusion_matrix",
                                          shape=(num_classes, num_classes),
                                          initializer="zeros", dtype=self.dtype)

    def _class_ids(self, y_true, y_pred):
        """Flat integer class ids of the labels and predictions."""
        if not self.sparse_y_true:
            y_true = nd.argmax(mu.to_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = nd.argmax(mu.to_tensor(y_pred), axis=self.axis)
        return y_true, y_pred

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the (weighted) (true, predicted) pairs of the batch to the confusion matrix."""
        y_true, y_pred = self._class_ids(y_true, y_pred)
        y_true = nd.reshape(mu.to_tensor(y_true, self.dtype), [-1])
        y_pred = nd.reshape(mu.to_tensor(y_pred, self.dtype), [-1])
        if sample_weight is None:
            weights = nd.ones_like(y_true)
        else:
            weights = nd.reshape(mu.to_tensor(sample_weight, self.dtype), [-1])
            weights = nd.broadcast_to(weights, nd.shape(y_true))
        if self.ignore_class is not None:
            keep = nd.not_equal(y_true, nd.cast(self.ignore_class, y_true.dtype))
            y_true = nd.boolean_mask(y_true, keep)
            y_pred = nd.boolean_mask(y_pred, keep)
            weights = nd.boolean_mask(weights, keep)
        n = self.num_classes
        cells = nd.cast(y_true, "int64") * n + nd.cast(y_pred, "int64")
        counts = nd.math.unsorted_segment_sum(weights, cells, n * n)
        self.total_cm.assign_add(nd.cast(nd.reshape(counts, [n, n]), self.total_cm.dtype))

    def _iou_per_class(self):
        cm = nd.cast(self.total_cm, "float32")
        per_true = nd.reduce_sum(cm, axis=1)
        per_pred = nd.reduce_sum(cm, axis=0)
        true_positives = nd.linalg.diag_part(cm)
        denominator = per_true + per_pred - true_positives
        return true_positives / (denominator + _EPSILON), denominator

    def _mean_iou(self, target_class_ids):
        iou, denominator = self._iou_per_class()
        iou = nd.gather(iou, target_class_ids)
        denominator = nd.gather(denominator, target_class_ids)
        # Classes never seen (empty denominator) do not count towards the mean.
        valid = nd.reduce_sum(nd.cast(denominator > 1e-9, "float32"))
        return nd.math.divide_no_nan(nd.reduce_sum(iou), valid)

    def reset_state(self):
        """Zeroes the confusion matrix."""
        self.total_cm.assign(nd.zeros_like(self.total_cm))


@register
class IoU(_IoUBase):
    """The mean intersection-over-union of the classes in ``target_class_ids``."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which "
                             f"is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        """The mean IoU over the target classes that occurred."""
        return self._mean_iou(self.target_class_ids)

    def get_config(self):
        """name, dtype, num_classes, target_class_ids, ignore_class, sparse flags and axis."""
        return {"name": self.name, "dtype": self.dtype, "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


@register
class MeanIoU(IoU):
    """The mean intersection-over-union over all ``num_classes`` classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        """num_classes, name, dtype, ignore_class, sparse flags and axis."""
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@register
class BinaryIoU(IoU):
    """IoU of binary labels; predictions ``>= threshold`` count as class 1."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(2, target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Thresholds the predictions, then accumulates as IoU."""
        y_pred = mu.to_tensor(y_pred, "float32")
        y_pred = nd.cast(y_pred >= nd.constant(self.threshold, "float32"), "int64")
        return super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        """target_class_ids, threshold, name and dtype."""
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


@register
class OneHotIoU(IoU):
    """IoU for one-hot labels and per-class scores (both reduced with argmax)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        """num_classes, target_class_ids, name, dtype, ignore_class, sparse_y_pred, axis."""
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


@register
class OneHotMeanIoU(MeanIoU):
    """Mean IoU over all classes for one-hot labels and per-class scores."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        """num_classes, name, dtype, ignore_class, sparse_y_pred and axis."""
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
