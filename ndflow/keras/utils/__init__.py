"""``ndflow.keras.utils``: seeds, one-hot encoding, custom objects, padding and normalising,
dtypes, data packing, ``PyDataset`` and the progress bar."""
import random as _random

import numpy as _np

from ndflow.keras.backend import clear_session  # noqa: F401
from ndflow.keras.saving.object_registration import (CustomObjectScope,  # noqa: F401
                                                     custom_object_scope,
                                                     get_custom_objects, get_registered_name,
                                                     get_registered_object,
                                                     register_keras_serializable)
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,  # noqa: F401
                                                   serialize_keras_object)
from ndflow.keras.utils.config import Config  # noqa: F401
from ndflow.keras.utils.io_utils import (disable_interactive_logging,  # noqa: F401
                                        enable_interactive_logging,
                                        is_interactive_logging_enabled)
from ndflow.keras.utils.data_utils import (pack_x_y_sample_weight,  # noqa: F401
                                          unpack_x_y_sample_weight)
from ndflow.keras.utils.layer_utils import get_source_inputs, is_keras_tensor  # noqa: F401
from ndflow.keras.utils.numerical_utils import normalize, standardize_dtype  # noqa: F401
from ndflow.keras.utils.progbar import Progbar  # noqa: F401
from ndflow.keras.utils.py_dataset import PyDataset, Sequence  # noqa: F401
from ndflow.keras.utils.sequence_utils import pad_sequences  # noqa: F401


def set_random_seed(seed):
    """Seeds Python's, NumPy's and ndflow's random generators (same seed, same run)."""
    import ndflow
    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} "
                         f"(of type {type(seed)})")
    _random.seed(seed)
    _np.random.seed(seed)
    ndflow.random.set_seed(seed)


def to_categorical(x, num_classes=None):
    """One-hot encodes integer class labels (the last axis of size 1 is replaced)."""
    x = _np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1
    out = _np.zeros((x.shape[0], num_classes), dtype="float32")
    out[_np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))
