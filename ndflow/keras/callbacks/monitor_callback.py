"""``MonitorCallback``: the shared "is this value better than the best so far?" logic of
EarlyStopping, ModelCheckpoint and ReduceLROnPlateau.

The comparison is done host-side on Python/NumPy scalars: the logs the fit loop hands to
callbacks are already Python floats, and nothing here needs a gradient.
"""
import warnings

import numpy as np

from ndflow.keras.callbacks.callback import Callback

# Keras 3 reads a metric's ``_direction`` ("up"/"down"). Metrics that do not (yet) carry that
# attribute fall back to this table, keyed by class name along the MRO, holding the directions
# Keras 3 gives those classes; a class not listed gets no direction, as in Keras.
_DIRECTIONS = {
    "Accuracy": "up", "BinaryAccuracy": "up", "CategoricalAccuracy": "up",
    "SparseCategoricalAccuracy": "up", "TopKCategoricalAccuracy": "up",
    "SparseTopKCategoricalAccuracy": "up", "Precision": "up", "Recall": "up",
    "SensitivitySpecificityBase": "up", "AUC": "up", "PearsonCorrelation": "up",
    "ConcordanceCorrelation": "up", "FBetaScore": "up", "IoU": "up", "_IoUBase": "up",
    "CosineSimilarity": "up", "R2Score": "up",
    "Hinge": "down", "SquaredHinge": "down", "CategoricalHinge": "down",
    "BinaryCrossentropy": "down", "CategoricalCrossentropy": "down",
    "SparseCategoricalCrossentropy": "down", "MeanSquaredError": "down",
    "MeanAbsoluteError": "down", "MeanAbsolutePercentageError": "down",
    "MeanSquaredLogarithmicError": "down", "RootMeanSquaredError": "down",
    "LogCoshError": "down", "KLDivergence": "down", "Poisson": "down",
}


def _direction_of(metric):
    direction = getattr(metric, "_direction", None)
    if direction is not None:
        return direction
    for klass in type(metric).__mro__:
        if klass.__name__ in _DIRECTIONS:
            return _DIRECTIONS[klass.__name__]
    return None


def _compiled_metrics(model):
    """The metrics compile() created (Keras 3 looks only at those, not at the loss tracker or
    at metrics added by layers)."""
    compiled = getattr(model, "compiled_metrics", None)
    if compiled is not None and hasattr(compiled, "metrics"):
        found = list(compiled.metrics)
    else:
        found = []
        for m in getattr(model, "metrics", None) or []:
            # Containers (a list of metrics per output) are expanded one level, as Keras does.
            inner = getattr(m, "metrics", None)
            found.extend(inner if isinstance(inner, (list, tuple)) else [m])
    tracker = getattr(model, "_loss_tracker", None)
    return [m for m in found if m is not tracker]


class MonitorCallback(Callback):
    """Base class of callbacks that watch one logged quantity and track its best value.

    Args:
        monitor: the name of the quantity in the epoch logs. Defaults to ``"val_loss"``.
        mode: ``"auto"``, ``"min"`` or ``"max"``. ``"auto"`` minimises ``loss``/``val_loss``
            and otherwise asks the compiled metric of that name which way is better; when it
            cannot tell, the first comparison raises ValueError.
        baseline: the initial best value; None means the first value seen is the best.
        min_delta: the smallest change that counts as an improvement (its sign is ignored).
    """

    def __init__(self, monitor="val_loss", mode="auto", baseline=None, min_delta=0):
        super().__init__()
        if mode not in ("auto", "min", "max"):
            warnings.warn(f"{self.__class__.__name__} mode '{mode}' is unknown, fallback to "
                          "auto mode.", stacklevel=2)
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = baseline
        self.min_delta = abs(min_delta)
        self.monitor_op = None

    def _set_monitor_op(self):
        """Chooses ``np.less`` or ``np.greater`` and orients ``min_delta`` to match."""
        if self.mode == "min":
            self.monitor_op = np.less
        elif self.mode == "max":
            self.monitor_op = np.greater
        else:
            name = self.monitor[len("val_"):] if self.monitor.startswith("val_") else \
                self.monitor
            if name == "loss":
                self.monitor_op = np.less
            if self.model is not None:
                for metric in _compiled_metrics(self.model):
                    if getattr(metric, "name", None) != name:
                        continue
                    direction = _direction_of(metric)
                    if direction is not None:
                        self.monitor_op = np.greater if direction == "up" else np.less
            if self.monitor_op is None:
                raise ValueError(
                    f"{self.__class__.__name__} callback received monitor={self.monitor}, but "
                    "Keras isn't able to automatically determine whether that metric should be "
                    "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                    "highest metric value, or pass `mode='min'` in order to use the lowest "
                    "value.")
        # Stored negative in min mode so that one expression, op(value - min_delta, best),
        # serves both directions.
        if self.monitor_op is np.less:
            self.min_delta *= -1

    def _is_improvement(self, monitor_value, reference_value):
        """True when ``monitor_value`` beats ``reference_value`` by more than ``min_delta``
        (always True against None)."""
        if reference_value is None:
            return True
        return bool(self.monitor_op(monitor_value - self.min_delta, reference_value))
