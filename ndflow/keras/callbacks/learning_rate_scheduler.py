"""``LearningRateScheduler``: sets the learning rate at the start of each epoch."""
import numpy as np

from ndflow.keras.callbacks.callback import Callback


def _lr_value(optimizer):
    value = optimizer.learning_rate
    # .numpy() first: a variable's __array__ may hand back a NumPy scalar, not an array.
    return float(np.array(value.numpy() if hasattr(value, "numpy") else value))


class LearningRateScheduler(Callback):
    """Sets ``optimizer.learning_rate = schedule(epoch, lr)`` before every epoch.

    Args:
        schedule: a function of the 0-based epoch index and the current learning rate (a
            float) returning the new rate as a float; a one-argument ``schedule(epoch)`` is
            accepted too.
        verbose: 1 prints the rate set at each epoch.

    The rate in force is added to the epoch logs as ``learning_rate``.
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer, epoch):
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, _lr_value(optimizer))
        except TypeError:
            # A schedule that takes only the epoch (the older one-argument form).
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {learning_rate}")
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        sub_optimizers = getattr(optimizer, "optimizers", None)
        if sub_optimizers is not None:
            for opt in sub_optimizers:
                lr = self._update_optimizer_lr(opt, epoch)
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting {opt.name} "
                          f"learning rate to {lr}.")
        else:
            lr = self._update_optimizer_lr(optimizer, epoch)
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                      f"{lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        optimizer = self.model.optimizer
        sub_optimizers = getattr(optimizer, "optimizers", None)
        if sub_optimizers is not None:
            for opt in sub_optimizers:
                logs[f"learning_rate_{opt.name}"] = _lr_value(opt)
        else:
            logs["learning_rate"] = _lr_value(optimizer)
