"""``History``: records the logs of every epoch; ``fit`` returns it."""
from ndflow.keras.callbacks.callback import Callback


class History(Callback):
    """Collects ``history[metric_name] = [value per epoch]``."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            self.model.history = self
