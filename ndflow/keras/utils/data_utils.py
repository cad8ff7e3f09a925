"""``pack_x_y_sample_weight`` / ``unpack_x_y_sample_weight``: the batch structures that
``train_step`` and ``PyDataset.__getitem__`` use."""
from ndflow.keras.trainers.data_adapter import (pack_x_y_sample_weight,  # noqa: F401
                                                unpack_x_y_sample_weight)
