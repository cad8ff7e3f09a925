"""``TerminateOnNaN``: stops fit() when a batch loss is NaN or infinite."""
import numpy as np

from ndflow.keras.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stops training at the first batch whose ``loss`` is NaN or +/-inf.

    Args:
        raise_error: raise RuntimeError at once instead of printing a message and setting
            ``model.stop_training`` (which lets the epoch end and the other callbacks run).
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        """Checks the batch loss (on_train_batch_end forwards here)."""
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        if np.isnan(loss) or np.isinf(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
