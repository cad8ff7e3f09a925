"""Public saving functions: ``save_model``, ``load_model``, ``save_weights``, ``load_weights``.

Keras 3 semantics: models are saved as ``.keras`` archives, weights alone as ``.weights.h5``.
ndflow addition: where h5py is not installed, ``.keras`` archives keep their weights in
``model.weights.npz`` and weights alone may be saved to a ``.weights.npz`` file (both readable
by ndflow only).
"""
import os
import zipfile

from ndflow.keras.saving import saving_lib
from ndflow.keras.saving import weights_store as ws


def _proceed_with_overwrite(filepath):
    """Asks on the terminal, as Keras does; no answer (no terminal) means no."""
    try:
        answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    except EOFError:
        return False
    while answer not in ("y", "n"):
        try:
            answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
        except EOFError:
            return False
    return answer == "y"


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves ``model`` as a ``.keras`` zip archive (config, weights and optimizer state).

    ``include_optimizer`` and ``save_format`` are accepted as Keras 3 accepts them; legacy
    ``.h5`` model files and unzipped directories are not supported."""
    kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", False)
    path = str(filepath)
    if save_format and not path.endswith((".h5", ".hdf5", ".keras")):
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove this "
                         "argument and pass a file path with either `.keras` or `.h5` extension."
                         f"Received: save_format={save_format}")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    if zipped is False:
        raise NotImplementedError("Saving a model as an unzipped directory (`zipped=False`) is "
                                  "not supported by ndflow; save to a `.keras` file.")
    if path.endswith((".h5", ".hdf5")):
        raise NotImplementedError(
            "The legacy HDF5 model format (`.h5`) is not supported by ndflow. Save the model "
            "with a `.keras` extension (Keras 3's native format), or its weights alone with "
            "`model.save_weights('name.weights.h5')`.")
    if not path.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add either a `.keras` "
                         "extension for the native Keras format (recommended) or a `.h5` "
                         "extension. Use `model.export(filepath)` if you want to export a "
                         "SavedModel for use with TFLite/TFServing/etc. "
                         f"Received: filepath={filepath}.")
    if os.path.exists(path) and not overwrite and not _proceed_with_overwrite(path):
        return
    saving_lib.save_model(model, filepath)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a model saved with ``model.save()`` (by ndflow or by Keras 3).

    ``custom_objects`` maps names to custom classes or functions; ``compile=False`` leaves the
    model uncompiled; ``safe_mode=False`` allows loading Python lambdas (arbitrary code)."""
    path = str(filepath)
    if path.endswith(".keras"):
        if not os.path.exists(path):
            raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is an "
                             "accessible `.keras` zip file.")
        return saving_lib.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                     safe_mode=safe_mode)
    if os.path.isdir(path) and os.path.exists(os.path.join(path, "config.json")):
        raise NotImplementedError("Loading an unzipped Keras model directory is not supported by "
                                  "ndflow; zip it into a `.keras` file.")
    if path.endswith((".h5", ".hdf5")):
        raise NotImplementedError(
            "The legacy HDF5 model format (`.h5`) is not supported by ndflow; load a `.keras` "
            "file, or build the model and call `model.load_weights()` on a `.weights.h5` file.")
    if os.path.isfile(path) and zipfile.is_zipfile(path):
        # A `.keras` archive under another name: say what is wrong instead of guessing.
        raise ValueError(f"File format not supported: filepath={filepath}. Keras model archives "
                         "must have the `.keras` extension.")
    raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only supports V3 "
                     "`.keras` files, legacy H5 format files (`.h5` extension). Note that the "
                     "legacy SavedModel format is not supported by `load_model()` in Keras 3.")


def save_weights(model, filepath, overwrite=True, max_shard_size=None, **kwargs):
    """Saves the weights of ``model`` to ``filepath``, which must end in ``.weights.h5``
    (``.weights.npz`` is accepted when h5py is not installed)."""
    path = str(filepath)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if max_shard_size is not None:
        raise NotImplementedError("Sharded weights (`max_shard_size`) are not supported by "
                                  "ndflow.")
    npz_fallback = path.endswith(".weights.npz") and ws.h5py_module() is None
    if not path.endswith(".weights.h5") and not npz_fallback:
        extra = (" (without h5py, ndflow also accepts `.weights.npz`)"
                 if ws.h5py_module() is None else "")
        raise ValueError(f"The filename must end in `.weights.h5`{extra}. "
                         f"Received: filepath={path}")
    if path.endswith(".weights.h5"):
        ws.require_h5py("Saving weights to a `.weights.h5` file")
    if os.path.exists(path) and not overwrite and not _proceed_with_overwrite(path):
        return
    saving_lib.save_weights_only(model, filepath)


def load_weights(model, filepath, skip_mismatch=False, **kwargs):
    """Loads weights saved by ``save_weights`` (or the weights of a ``.keras`` archive) into
    ``model``; a different count or shape of weights raises ValueError (a warning with
    ``skip_mismatch=True``)."""
    path = str(filepath)
    kwargs.pop("objects_to_skip", None) if kwargs.get("objects_to_skip") is None else None
    if kwargs.get("by_name") is not None:
        raise ValueError("`by_name` only supports loading legacy '.h5' or '.hdf5' files. "
                         f"Received: {filepath}")
    kwargs.pop("by_name", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments: {kwargs}")
    if path.endswith((".keras", ".weights.h5", ".weights.npz")):
        return saving_lib.load_weights_only(model, filepath, skip_mismatch=skip_mismatch)
    if path.endswith((".h5", ".hdf5")):
        raise NotImplementedError("Legacy Keras 2 HDF5 weight files are not supported by ndflow; "
                                  "use a Keras 3 `.weights.h5` file.")
    raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only supports V3 "
                     "`.keras` and `.weights.h5` files, or legacy H5 format files (`.h5` "
                     "extension).")
