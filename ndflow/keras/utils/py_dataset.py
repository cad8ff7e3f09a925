"""``PyDataset`` (alias ``Sequence``): a Python object that hands out whole batches by index.

Subclasses implement ``__len__`` (batches per epoch) and ``__getitem__(index)`` returning a
batch ``x``, ``(x, y)`` or ``(x, y, sample_weight)``; ``on_epoch_end`` runs after each epoch
(e.g. to reshuffle). ndflow loads batches in the calling thread: ``workers`` and
``use_multiprocessing`` are accepted and recorded, as Keras' defaults do no parallel loading.
"""
import itertools
import warnings

import numpy as np


class PyDataset:
    """Base class for datasets that produce one batch per ``__getitem__`` call."""

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        """The number of loader workers requested."""
        return getattr(self, "_workers", 1)

    @property
    def use_multiprocessing(self):
        """Whether process-based loading was requested."""
        return getattr(self, "_use_multiprocessing", False)

    @property
    def max_queue_size(self):
        """The size of the prefetch queue requested."""
        return getattr(self, "_max_queue_size", 10)

    def __getitem__(self, index):
        """The batch at position ``index``; subclasses implement it."""
        raise NotImplementedError

    def __len__(self):
        """The number of batches per epoch (None for an endless dataset)."""
        return self.num_batches

    @property
    def num_batches(self):
        """The number of batches per epoch; defaults to ``len(self)`` when defined."""
        if type(self).__len__ is not PyDataset.__len__:
            return len(self)
        return None

    def on_epoch_begin(self):
        """Called before each epoch."""

    def on_epoch_end(self):
        """Called after each epoch (e.g. to shuffle the samples)."""


Sequence = PyDataset


class PyDatasetBatches:
    """Adapts a PyDataset to the trainer's batch iterator (``num_batches`` and iteration over
    ``(x, y, sample_weight)``).

    Each full pass over the dataset ends with its ``on_epoch_end``. ``shuffle`` visits the
    batches in a new random order each pass, as Keras' ``fit`` does. With ``steps`` the batches
    come from one pass that continues across epochs (Keras keeps its iterator when
    ``steps_per_epoch`` is given); when that pass runs out before ``steps`` batches, a warning
    says so, the epoch ends early and the next epoch starts a new pass, as in Keras.
    """

    def __init__(self, dataset, steps=None, shuffle=False):
        self.dataset = dataset
        self.steps = steps
        self.shuffle = shuffle
        self._pass = None

    @property
    def num_batches(self):
        """Batches per epoch (``steps`` when given, else the dataset's length)."""
        return self.steps if self.steps is not None else self.dataset.num_batches

    def _one_pass(self):
        """Every batch of the dataset once (until IndexError for an endless dataset)."""
        from ndflow.keras.trainers.data_adapter import to_arrays, unpack_x_y_sample_weight
        length = self.dataset.num_batches
        self.dataset.on_epoch_begin()
        if length is None:
            order = itertools.count()
        elif self.shuffle:
            order = iter(np.random.permutation(length).tolist())
        else:
            order = iter(range(length))
        for index in order:
            try:
                batch = self.dataset[index]
            except IndexError:
                if length is None:
                    break  # an endless dataset stops when it runs out of batches
                raise
            yield tuple(to_arrays(part) for part in unpack_x_y_sample_weight(batch))
        self.dataset.on_epoch_end()

    def __iter__(self):
        if self.steps is None:
            yield from self._one_pass()
            return
        if self._pass is None:
            self._pass = self._one_pass()
        for _ in range(self.steps):
            try:
                yield next(self._pass)
            except StopIteration:
                self._pass = None
                warnings.warn("Your input ran out of data; interrupting training. Make sure "
                              "that your dataset can generate at least `steps_per_epoch * "
                              "epochs` batches.", stacklevel=2)
                return
