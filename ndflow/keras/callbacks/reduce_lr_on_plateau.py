"""``ReduceLROnPlateau``: divides the learning rate when a monitored quantity plateaus."""
import warnings

import numpy as np

from ndflow.keras.callbacks.monitor_callback import MonitorCallback


def _lr_value(optimizer):
    value = optimizer.learning_rate
    # .numpy() first: a variable's __array__ may hand back a NumPy scalar, not an array.
    return float(np.array(value.numpy() if hasattr(value, "numpy") else value))


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the optimizer's learning rate by ``factor`` after ``patience`` epochs without
    improvement of ``monitor``; adds ``learning_rate`` to the epoch logs.

    Args:
        monitor: the logged quantity to watch. Defaults to ``"val_loss"``.
        factor: the multiplier (``new_lr = lr * factor``); must be below 1.
        patience: epochs without improvement before a reduction. Defaults to 10.
        verbose: 1 prints a line at each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"`` (see MonitorCallback).
        min_delta: the smallest change counted as an improvement. Defaults to 1e-4.
        cooldown: epochs to wait after a reduction before counting again.
        min_lr: the learning rate is never reduced below this.
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0, **kwargs):
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0. Received "
                             f"factor={factor}")
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self):
        """Forgets the best value and the counters (each fit() starts afresh)."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def _reduce_optimizer_lr(self, optimizer, epoch, name=""):
        old_lr = _lr_value(optimizer)
        # The stored rate is float32: compare in float32 so a rate already clipped to min_lr
        # is not "reduced" again because of rounding.
        if old_lr > np.float32(self.min_lr):
            new_lr = max(old_lr * self.factor, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0:
                name_str = f" {name}" if name else ""
                print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{name_str} learning "
                      f"rate to {new_lr}.")
            return True
        return False

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor_op is None:
            self._set_monitor_op()
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        sub_optimizers = getattr(optimizer, "optimizers", None)
        # The logs dict is shared with the callbacks that run later (History, CSVLogger).
        if sub_optimizers is not None:
            for opt in sub_optimizers:
                logs[f"learning_rate_{opt.name}"] = _lr_value(opt)
        else:
            logs["learning_rate"] = _lr_value(optimizer)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` "
                          "which is not available. Available metrics are: "
                          f"{','.join(list(logs.keys()))}.", stacklevel=2)
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                if sub_optimizers is not None:
                    reduced = False
                    for opt in sub_optimizers:
                        reduced = self._reduce_optimizer_lr(opt, epoch, f"{opt.name}") or reduced
                else:
                    reduced = self._reduce_optimizer_lr(optimizer, epoch)
                if reduced:
                    self.cooldown_counter = self.cooldown
                    self.wait = 0

    def in_cooldown(self):
        """True while the cooldown after a reduction is running."""
        return self.cooldown_counter > 0
