"""``ProgbarLogger``: prints the progress bar (verbose=1) or one line per epoch (verbose=2)."""
from ndflow.keras.callbacks.callback import Callback
from ndflow.keras.utils.io_utils import print_msg
from ndflow.keras.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints training and evaluation progress."""

    def __init__(self):
        super().__init__()
        self._bar = None
        self._seen = 0

    def _new_bar(self, target):
        self._seen = 0
        # fit's logs are already running means: show them as given.
        self._bar = Progbar(target, verbose=self.params.get("verbose", 1), stateless_metrics=set())

    def on_epoch_begin(self, epoch, logs=None):
        if self.params.get("verbose", 1):
            print_msg(f"Epoch {epoch + 1}/{self.params.get('epochs', 1)}")
        self._new_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        self._bar.update(self._seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        self._bar.update(self._seen, list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs=None):
        if not self.params.get("_in_fit"):
            self._new_bar(self.params.get("steps"))

    def on_test_batch_end(self, batch, logs=None):
        if not self.params.get("_in_fit"):
            self._seen = batch + 1
            self._bar.update(self._seen, list((logs or {}).items()), finalize=False)

    def on_test_end(self, logs=None):
        if not self.params.get("_in_fit"):
            self._bar.update(self._seen, list((logs or {}).items()), finalize=True)

    def on_predict_begin(self, logs=None):
        self._new_bar(self.params.get("steps"))

    def on_predict_batch_end(self, batch, logs=None):
        self._seen = batch + 1
        self._bar.update(self._seen, finalize=False)

    def on_predict_end(self, logs=None):
        self._bar.update(self._seen, finalize=True)
