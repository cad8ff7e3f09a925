"""``PyDataset`` (alias ``Sequence``): a Python object that hands out whole batches by index.

Subclasses implement ``__len__`` (batches per epoch) and ``__getitem__(index)`` returning a
batch ``x``, ``(x, y)`` or ``(x, y, sample_weight)``; ``on_epoch_end`` runs after each epoch
(e.g. to reshuffle). ndflow loads batches in the calling thread: ``workers`` and
``use_multiprocessing`` are accepted and recorded, as Keras' defaults do no parallel loading.
"""


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
    ``(x, y, sample_weight)``); each full pass ends with the dataset's ``on_epoch_end``."""

    def __init__(self, dataset, steps=None):
        self.dataset = dataset
        self.steps = steps

    @property
    def num_batches(self):
        """Batches per epoch (``steps`` when given, else the dataset's length)."""
        return self.steps if self.steps is not None else self.dataset.num_batches

    def __iter__(self):
        from ndflow.keras.trainers.data_adapter import to_arrays, unpack_x_y_sample_weight
        count = self.num_batches
        self.dataset.on_epoch_begin()
        index = 0
        while count is None or index < count:
            try:
                batch = self.dataset[index]
            except IndexError:
                if count is None:
                    break  # an endless dataset stops when it runs out of batches
                raise
            yield tuple(to_arrays(part) for part in unpack_x_y_sample_weight(batch))
            index += 1
        self.dataset.on_epoch_end()
