"""``EarlyStopping``: ends fit() once a monitored quantity stops improving."""
import warnings

from ndflow.keras.callbacks.monitor_callback import MonitorCallback


class EarlyStopping(MonitorCallback):
    """Sets ``model.stop_training`` when ``monitor`` has not improved for ``patience`` epochs.

    Args:
        monitor: the logged quantity to watch. Defaults to ``"val_loss"``.
        min_delta: the smallest change counted as an improvement. Defaults to 0.
        patience: epochs without improvement tolerated before stopping. Defaults to 0.
        verbose: 1 prints a line when training is stopped and when weights are restored.
        mode: ``"auto"``, ``"min"`` or ``"max"`` (see MonitorCallback).
        baseline: a value the quantity must beat; epochs that improve on the best value but
            not on the baseline still count towards ``patience``.
        restore_best_weights: put back the weights of the best epoch when training ends
            (whenever the callback has seen an epoch, even if training was not stopped early).
        start_from_epoch: epochs to ignore at the start (a warm-up without monitoring).
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs=None):
        # A callback instance may be reused by several fit() calls: each starts afresh.
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Keep the first monitored epoch's weights so there is always something to restore.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Beating the best value resets the patience only if it also beats the baseline.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print("Restoring model weights from the end of the best epoch: "
                      f"{self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs):
        """The monitored value from ``logs``, or None (with a warning) when it is missing."""
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {','.join(list(logs.keys()))}",
                          stacklevel=2)
        return value
