"""Turning user data (arrays, tensors, lists, dicts) into batches for fit/evaluate/predict."""
import math

import numpy as np

import ndflow as nd
from ndflow.util import nest


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch given as x, (x,), (x, y) or (x, y, sample_weight)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch for ``x``, ``y`` and ``sample_weight`` (the inverse of
    unpack_x_y_sample_weight): ``x`` alone (wrapped in a 1-tuple when it is itself a tuple or
    list, so it is not mistaken for ``(x, y)``), ``(x, y)`` or ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _as_array(value):
    if value is None:
        return None
    if isinstance(value, (nd.Tensor, nd.Variable)):
        return np.asarray(value)
    return np.asarray(value)


def to_arrays(structure):
    """Every leaf of ``structure`` as a NumPy array (None stays None)."""
    return nest.map_structure(_as_array, structure)


def num_samples(x):
    """The common length of the leaves of ``x``; ValueError when they disagree."""
    lengths = {len(a) for a in nest.flatten(x) if a is not None}
    if len(lengths) > 1:
        raise ValueError(f"Data cardinality is ambiguous: make sure all arrays contain the same "
                         f"number of samples. Got lengths {sorted(lengths)}.")
    return lengths.pop() if lengths else 0


def take(structure, index):
    """The rows ``index`` (a slice or an index array) of every leaf."""
    return nest.map_structure(lambda a: None if a is None else a[index], structure)


def class_weights_to_sample_weights(y, class_weight):
    """Per-sample weights looked up from a {class: weight} dict (labels or one-hot targets)."""
    y = np.asarray(y)
    labels = np.argmax(y, axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(len(y), -1)[:, 0]
    labels = np.round(labels).astype(np.int64)
    weights = np.ones(len(labels), dtype=np.float32)
    for cls, w in class_weight.items():
        weights[labels == int(cls)] = w
    return weights


def split_validation(x, y, sample_weight, validation_split):
    """The last ``validation_split`` fraction of the samples, kept apart (before shuffling)."""
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1. Received: "
                         f"{validation_split}")
    n = num_samples((x, y))
    split_at = int(math.floor(n * (1.0 - validation_split)))
    train = (take(x, slice(0, split_at)), take(y, slice(0, split_at)),
             take(sample_weight, slice(0, split_at)))
    val = (take(x, slice(split_at, n)), take(y, slice(split_at, n)),
           take(sample_weight, slice(split_at, n)))
    return train, val


class ArrayBatches:
    """Iterates over (x, y, sample_weight) in batches, optionally shuffled each epoch."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 steps=None):
        self.x, self.y, self.sample_weight = to_arrays(x), to_arrays(y), to_arrays(sample_weight)
        self.size = num_samples((self.x, self.y, self.sample_weight))
        self.batch_size = batch_size or 32
        self.shuffle = shuffle
        self.steps = steps

    @property
    def num_batches(self):
        """Batches per epoch."""
        if self.steps is not None:
            return self.steps
        return int(math.ceil(self.size / self.batch_size))

    def __iter__(self):
        order = np.random.permutation(self.size) if self.shuffle else None
        for step in range(self.num_batches):
            start = (step * self.batch_size) % max(self.size, 1)
            stop = min(start + self.batch_size, self.size)
            index = slice(start, stop) if order is None else order[start:stop]
            yield (take(self.x, index), take(self.y, index), take(self.sample_weight, index))


def is_py_dataset(x):
    """Whether ``x`` is a ``keras.utils.PyDataset`` (or ``Sequence``)."""
    from ndflow.keras.utils.py_dataset import PyDataset
    return isinstance(x, PyDataset)


def check_py_dataset_args(x, y=None, sample_weight=None, validation_split=None):
    """ValueError, worded as Keras', for arguments that a PyDataset ``x`` carries itself."""
    if not is_py_dataset(x):
        return
    if y is not None:
        raise ValueError("When providing `x` as a PyDataset, `y` should not be passed. "
                         "Instead, the targets should be included as part of the PyDataset.")
    if sample_weight is not None:
        raise ValueError("When providing `x` as a PyDataset, `sample_weights` should not be "
                         "passed. Instead, the sample weights should be included as part of "
                         "the PyDataset.")
    if validation_split:
        raise ValueError("Argument `validation_split` is only supported for tensors or NumPy "
                         f"arrays.Found incompatible type in the input: [{type(x)}]")


def make_batches(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None):
    """The batch iterator for ``x``: a PyDataset's own batches (``batch_size`` is then
    ignored, as in Keras) or slices of in-memory arrays."""
    if is_py_dataset(x):
        from ndflow.keras.utils.py_dataset import PyDatasetBatches
        return PyDatasetBatches(x, steps=steps, shuffle=bool(shuffle))
    return ArrayBatches(x, y, sample_weight, batch_size, shuffle, steps)


def with_class_weight(batches, class_weight):
    """``batches`` with each batch's sample weights multiplied by its targets' class weights
    (for datasets whose batches are only known while iterating)."""
    for x, y, sample_weight in batches:
        if y is None:
            raise ValueError("`class_weight` needs targets `y`.")
        weights = class_weights_to_sample_weights(nest.flatten(y)[0], class_weight)
        yield x, y, weights if sample_weight is None else sample_weight * weights
