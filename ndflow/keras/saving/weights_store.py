"""Where weights are written: an HDF5 file (Keras 3's layout) or, without h5py, an ``.npz``.

Both stores hold groups addressed by a path such as ``layers/dense`` (``""`` is the root); each
group's variables live under ``<path>/vars/<i>`` and the ``vars`` group carries the owner's
``name`` as an attribute, exactly as Keras 3 writes ``model.weights.h5``.

The ``.npz`` fallback (used when h5py is not installed) stores the same arrays under the same
keys (``layers/dense/vars/0``) plus one JSON member ``__metadata__`` with each group's attributes.
It is an ndflow format: real Keras cannot read it, and ndflow cannot read HDF5 without h5py.
"""
import io
import json

import numpy as np

H5_NAME = "model.weights.h5"
NPZ_NAME = "model.weights.npz"
_METADATA_KEY = "__metadata__"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def h5py_module():
    """The h5py module, or None when it is not installed (imported on first use only)."""
    try:
        import h5py
    except ImportError:
        return None
    return h5py


def require_h5py(what):
    """h5py, or an ImportError that says what needs it and how to do without it."""
    module = h5py_module()
    if module is None:
        raise ImportError(f"{what} needs the `h5py` package (HDF5), which is not installed. "
                          "Install it with `pip install h5py`, or save the whole model with "
                          "`model.save('name.keras')`, which falls back to NumPy's `.npz` "
                          "storage inside the archive when h5py is missing.")
    return module


def is_hdf5(data):
    """Whether ``data`` (bytes) starts with the HDF5 signature."""
    return data[:8] == _HDF5_SIGNATURE


def _join(path, *parts):
    return "/".join(p for p in (path,) + parts if p)


class Entry:
    """The variables of one group: a dict-like view ``{"0": array, "1": array, ...}``.

    Writing creates the group lazily unless metadata was given (Keras creates a group with a
    ``name`` attribute for every layer, even one without variables)."""

    def __init__(self, store, path, metadata=None, writable=False):
        self._store = store
        self.path = path
        self._writable = writable
        if writable and metadata:
            store._make_group(path, metadata)

    def keys(self):
        """The variable keys, sorted by index (``"0"``, ``"1"``, ..., ``"10"``)."""
        return sorted(self._store._keys(self.path), key=_index_key)

    def __len__(self):
        return len(self._store._keys(self.path))

    def __contains__(self, key):
        return str(key) in self._store._keys(self.path)

    def __iter__(self):
        return iter(self.keys())

    def __getitem__(self, key):
        self._store.read_paths.add(self.path)
        return self._store._read(self.path, str(key))

    def __setitem__(self, key, value):
        if not self._writable:
            raise ValueError("This weights store was opened for reading.")
        value = value.numpy() if hasattr(value, "numpy") else np.asarray(value)
        self._store._write(self.path, str(key), np.asarray(value))


def _index_key(key):
    return (0, int(key)) if str(key).isdigit() else (1, str(key))


class H5Store:
    """Keras 3's HDF5 weights layout, on a path or in memory (``data``/``getvalue``)."""

    def __init__(self, path=None, mode="r", data=None):
        h5py = require_h5py("Reading or writing `.weights.h5` weights" if mode == "r" else
                            "Writing HDF5 weights")
        self.mode = mode
        self.read_paths = set()
        self._buffer = None
        if path is None:
            self._buffer = io.BytesIO(data if data is not None else b"")
            target = self._buffer
        else:
            target = path
        try:
            self._file = h5py.File(target, mode)
        except OSError as error:
            raise ValueError(f"Could not read the weights as HDF5 ({error}). The file is not an "
                             "HDF5 file or it is truncated.") from None

    def make(self, path, metadata=None):
        """The writable entry of ``path`` (its ``vars`` group is created when ``metadata``)."""
        return Entry(self, path, metadata, writable=True)

    def get(self, path):
        """The readable entry of ``path`` (empty when the file has no such group)."""
        return Entry(self, path)

    def has_path(self, path):
        """Whether the file has a group at ``path``."""
        return path in self._file

    def var_groups(self):
        """Paths of every group whose ``vars`` holds at least one array."""
        found = []

        def visit(name, obj):
            if (name == "vars" or name.endswith("/vars")) and len(obj):
                found.append(name[:-len("vars")].rstrip("/"))
        self._file.visititems(visit)
        return found

    def _vars(self, path):
        name = _join(path, "vars")
        return self._file.get(name)

    def _make_group(self, path, metadata=None):
        name = _join(path, "vars")
        group = self._file[name] if name in self._file else self._file.create_group(name)
        for k, v in (metadata or {}).items():
            group.attrs[k] = v
        return group

    def _keys(self, path):
        group = self._vars(path)
        return list(group.keys()) if group is not None else []

    def _read(self, path, key):
        group = self._vars(path)
        if group is None or key not in group:
            raise KeyError(f"No weight '{key}' under '{_join(path, 'vars')}'.")
        return np.asarray(group[key])

    def _write(self, path, key, value):
        group = self._vars(path)
        if group is None:
            group = self._make_group(path)
        group[key] = value

    def close(self):
        """Closes the file (flushing it when writing)."""
        self._file.close()

    def getvalue(self):
        """The bytes of an in-memory store (after ``close``)."""
        return self._buffer.getvalue()


class NpzStore:
    """The same groups and keys as ``H5Store``, kept in a NumPy ``.npz`` (no h5py needed)."""

    def __init__(self, mode="r", data=None):
        self.mode = mode
        self.read_paths = set()
        self._arrays = {}
        self._metadata = {}
        if mode == "r":
            try:
                with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                    for key in npz.files:
                        self._arrays[key] = npz[key]
            except Exception as error:  # noqa: BLE001 - zipfile/ValueError/OSError of a damaged member
                raise ValueError(f"Could not read the `.npz` weights ({error}); the file is "
                                 "damaged or truncated.") from None
            meta = self._arrays.pop(_METADATA_KEY, None)
            self._metadata = json.loads(str(meta)) if meta is not None else {}

    def make(self, path, metadata=None):
        """The writable entry of ``path``."""
        return Entry(self, path, metadata, writable=True)

    def get(self, path):
        """The readable entry of ``path``."""
        return Entry(self, path)

    def has_path(self, path):
        """Whether a group at ``path`` exists."""
        prefix = path + "/" if path else ""
        return any(k.startswith(prefix) for k in list(self._arrays) + list(self._metadata))

    def var_groups(self):
        """Paths of every group that holds at least one array."""
        return sorted({k.rsplit("/vars/", 1)[0] if "/vars/" in k else "" for k in self._arrays})

    def _make_group(self, path, metadata=None):
        self._metadata.setdefault(_join(path, "vars"), {}).update(metadata or {})

    def _keys(self, path):
        prefix = _join(path, "vars") + "/"
        return [k[len(prefix):] for k in self._arrays if k.startswith(prefix)
                and "/" not in k[len(prefix):]]

    def _read(self, path, key):
        name = _join(path, "vars", key)
        if name not in self._arrays:
            raise KeyError(f"No weight '{key}' under '{_join(path, 'vars')}'.")
        return self._arrays[name]

    def _write(self, path, key, value):
        self._arrays[_join(path, "vars", key)] = value

    def close(self):
        """Nothing to release (``getvalue`` serialises)."""

    def getvalue(self):
        """The ``.npz`` bytes."""
        buffer = io.BytesIO()
        arrays = dict(self._arrays)
        arrays[_METADATA_KEY] = np.array(json.dumps(self._metadata))
        np.savez(buffer, **arrays)
        return buffer.getvalue()
