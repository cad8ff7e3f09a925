"""``SwapEMAWeights``: evaluates (and optionally checkpoints) with the optimizer's moving
averages of the weights (``use_ema=True``) instead of the raw weights."""
import numpy as np

from ndflow.keras.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the model's trainable weights with the optimizer's EMA weights around evaluation
    and prediction; with ``swap_on_epoch=True`` also from each epoch's end to the next epoch's
    start, so callbacks after it (ModelCheckpoint) see the EMA weights."""

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _optimizers(self):
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        inner = getattr(optimizer, "optimizers", None)
        if inner is not None:
            chosen = [opt for opt in inner if getattr(opt, "use_ema", False)]
            if not chosen:
                raise ValueError("SwapEMAWeights must be used when at least one inner optimizer "
                                 "has `use_ema=True` set.")
            return chosen
        return [optimizer]

    def _pairs(self):
        for optimizer in self._optimizers():
            averages = getattr(optimizer, "_model_variables_moving_average", None)
            if averages is None:
                raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the "
                                 f"optimizer. Received: use_ema={optimizer.use_ema}")
            yield from zip(optimizer._trainable_variables, averages)

    def _swap_variables(self):
        for var, average in self._pairs():
            if average is not None:
                value = np.array(var.numpy())  # a copy: the assignment below replaces var
                var.assign(average)
                average.assign(value)

    def _finalize_ema_values(self):
        # The model holds the EMA weights now; fit's final step copies the optimizer's
        # averages into the model, so they must hold the EMA weights too.
        for var, average in self._pairs():
            if average is not None:
                average.assign(var)

    def _swap_in(self):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def _swap_out(self):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap_out()

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_in()
            if epoch == self.params.get("epochs", 0) - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        self._swap_in()

    def on_test_end(self, logs=None):
        self._swap_out()

    def on_predict_begin(self, logs=None):
        self._swap_in()

    def on_predict_end(self, logs=None):
        self._swap_out()
