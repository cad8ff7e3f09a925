"""``BackupAndRestore``: lets an interrupted fit() resume where it stopped.

Storage (a deliberate choice, documented here): the backup is a pickle-free NumPy archive,
``<backup_dir>/latest.weights.npz``, holding ``model.get_weights()`` as ``model_0 ... model_N``
and the values of ``model.optimizer.variables`` (iteration count, learning rate, slots) as
``optimizer_0 ... optimizer_M``, next to ``training_metadata.json`` (``{"epoch": e, "batch": b}``,
the same metadata Keras 3 writes). Keras 3 writes ``latest.weights.h5`` with
``model.save_weights``; ndflow keeps to NumPy so that the callback works without an HDF5
dependency and independently of the saving format, and so a resumed run restores exactly the
optimizer state, not only the model weights. The file is written to a temporary name and
renamed, so an interruption during a save leaves the previous backup intact.

Resuming needs the fit loop to honour ``model._initial_epoch`` (set here in on_train_begin),
as Keras 3's loop does: ``initial_epoch = model._initial_epoch or initial_epoch``.
"""
import json
import os
import shutil
import zipfile

import numpy as np

from ndflow.keras.callbacks.callback import Callback

_LOAD_ERRORS = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


class BackupAndRestore(Callback):
    """Backs up the model and optimizer state every epoch (or every ``save_freq`` batches) and
    restores them when fit() starts again after an interruption.

    Args:
        backup_dir: the folder for the backup files (it should be used by one fit at a time).
        save_freq: ``"epoch"`` or a number of training batches between backups.
        double_checkpoint: also keep the previous backup (``*.bkp``), used when the latest one
            cannot be read.
        delete_checkpoint: delete ``backup_dir`` when training ends normally.

    A run resumes at the first epoch that had not finished; a batch-frequency backup restores
    the weights saved mid-epoch and that epoch is run again from its start, as in Keras 3.
    """

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.npz")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = f"{self._weights_path}.bkp"
        self._prev_training_metadata_path = f"{self._training_metadata_path}.bkp"
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError("Invalid value for argument `save_freq`. Received: "
                             f"save_freq={save_freq}. Expected either 'epoch' or an integer "
                             "value.")

    # -- restoring ------------------------------------------------------------------------------

    def on_train_begin(self, logs=None):
        try:
            self._load_model()
        except _LOAD_ERRORS:
            # The latest backup is unreadable (e.g. the process died while writing it): fall
            # back to the previous one when double_checkpoint kept it.
            if not os.path.exists(self._prev_weights_path):
                raise
            shutil.copyfile(self._prev_weights_path, self._weights_path)
            if os.path.exists(self._prev_training_metadata_path):
                shutil.copyfile(self._prev_training_metadata_path, self._training_metadata_path)
            elif os.path.exists(self._training_metadata_path):
                os.remove(self._training_metadata_path)
            self._load_model()

    def _load_model(self):
        """Loads the backup, if any, and tells the loop which epoch to start from."""
        model = self.model
        if not model.built:
            raise ValueError(
                "To use the BackupAndRestore callback, you model must be built before you call "
                f"`fit()`. Model {model} is unbuilt. You can build it beforehand by calling it "
                "on a batch of data.")
        if os.path.exists(self._weights_path):
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None and not getattr(optimizer, "built", True):
                # Slot variables exist only once the optimizer is built.
                optimizer.build(model.trainable_variables)
            self._read_weights()
        if os.path.exists(self._training_metadata_path):
            with open(self._training_metadata_path, "r") as f:
                metadata = json.loads(f.read())
            model._initial_epoch = metadata["epoch"]

    # -- backing up -----------------------------------------------------------------------------

    def on_epoch_end(self, epoch, logs=None):
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_save_on_batch(batch):
            self._save_model()

    def _save_model(self):
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._weights_path):
            shutil.copyfile(self._weights_path, self._prev_weights_path)
        if self.double_checkpoint and os.path.exists(self._training_metadata_path):
            shutil.copyfile(self._training_metadata_path, self._prev_training_metadata_path)
        self._write_weights()
        metadata = {"epoch": self._current_epoch, "batch": self._last_batch_seen}
        with open(self._training_metadata_path, "w") as f:
            f.write(json.dumps(metadata))

    # -- the weights file (the only place that knows its format) -------------------------------

    def _write_weights(self):
        model = self.model
        arrays = {f"model_{i}": np.array(w) for i, w in enumerate(model.get_weights())}
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            # .numpy(): a variable's __array__ may hand back a NumPy scalar, not an array.
            arrays.update({f"optimizer_{i}": np.array(v.numpy())
                           for i, v in enumerate(optimizer.variables)})
        tmp_path = self._weights_path + ".tmp"
        with open(tmp_path, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp_path, self._weights_path)

    def _read_weights(self):
        model = self.model
        with np.load(self._weights_path, allow_pickle=False) as archive:
            model_arrays = _numbered(archive, "model")
            optimizer_arrays = _numbered(archive, "optimizer")
        model.set_weights(model_arrays)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and optimizer_arrays:
            variables = list(optimizer.variables)
            if len(variables) != len(optimizer_arrays):
                raise ValueError(
                    f"The backup in {self.backup_dir} holds {len(optimizer_arrays)} optimizer "
                    f"variables but the optimizer has {len(variables)}.")
            for variable, value in zip(variables, optimizer_arrays):
                variable.assign(value)

    def _should_save_on_batch(self, batch):
        """Counts batches (the index restarts at 0 each epoch) and says when to back up."""
        if self.save_freq == "epoch":
            return False
        if batch <= self._last_batch_seen:
            added = batch + 1
        else:
            added = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += added
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def on_train_end(self, logs=None):
        # Only reached when fit() ends without an exception: the backup is no longer needed.
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)


def _numbered(archive, prefix):
    """``archive[prefix_0], archive[prefix_1], ...`` in index order."""
    indices = sorted(int(name[len(prefix) + 1:]) for name in archive.files
                     if name.startswith(prefix + "_"))
    return [archive[f"{prefix}_{i}"] for i in indices]
