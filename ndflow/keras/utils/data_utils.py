"""``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``: the batch structures that
``train_step`` and ``PyDataset.__getitem__`` use."""
from ndflow.keras.trainers.data_adapter import unpack_x_y_sample_weight  # noqa: F401


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch for ``x``, ``y`` and ``sample_weight``: ``x`` alone (wrapped in a 1-tuple
    when it is itself a tuple or list, so it is not mistaken for ``(x, y)``), ``(x, y)`` or
    ``(x, y, sample_weight)``."""
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)
