"""``CSVLogger``: writes each epoch's logs as a row of a CSV file."""
import collections.abc
import csv
import os

import numpy as np

from ndflow.keras.callbacks.callback import Callback


def _cell(value):
    """Strings and scalars go in as they are; sequences become a quoted "[a, b]" cell."""
    if isinstance(value, str):
        return value
    if isinstance(value, collections.abc.Iterable) and not (
            isinstance(value, np.ndarray) and value.ndim == 0):
        return f'"[{", ".join(map(str, value))}]"'
    return value


class CSVLogger(Callback):
    """Streams the epoch logs to ``filename``: a header ``epoch,<sorted keys>`` and one row
    per epoch.

    The columns are fixed by the first epoch's logs (sorted); when they hold no ``val_`` key,
    ``val_<key>`` columns are added anyway, so a later validation epoch has somewhere to go.
    Missing values are written as ``NA``.

    Args:
        filename: the CSV file.
        separator: the column separator. Defaults to ``","``.
        append: add to an existing file (its header is kept; a header is written only when
            the file is empty) instead of overwriting it.
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename) if isinstance(filename, os.PathLike) else filename
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode)
        self.writer = None
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs.keys())
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if not self.writer:
            separator = self.sep

            class _Dialect(csv.excel):
                delimiter = separator

            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=_Dialect)
            if self.append_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update((key, _cell(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        # Flushed every epoch so the file is readable while training runs (or after a crash).
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None
