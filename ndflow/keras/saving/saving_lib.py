"""The Keras 3 ``.keras`` archive and the weights layout shared with ``.weights.h5`` files.

A ``.keras`` file is a zip (members stored uncompressed, as Keras writes them) holding
``metadata.json`` ({"keras_version", "date_saved"}), ``config.json`` (the model's serialized
config with ``build_config`` and ``compile_config``) and ``model.weights.h5``. Without h5py the
weights go into ``model.weights.npz`` under the same keys (see ``weights_store``).

Where each object's weights go follows Keras so files move both ways: Sequential and functional
models list their layers under ``layers/<snake_case class name>[_<n>]``; any other layer or model
is walked attribute by attribute (sorted, private ones last), a sublayer under its attribute name
and the items of a list, tuple or dict attribute under ``<attr>/<snake_case class name>[_<n>]``;
an object visited once is not written again. An object's own variables go to
``<path>/vars/<i>`` (trainable first, then non-trainable, each in creation order), and the
optimizer's to ``optimizer/vars/<i>``.
"""
import datetime
import io
import json
import os
import re
import tempfile
import warnings
import zipfile

import numpy as np

from ndflow.keras.saving import serialization_lib
from ndflow.keras.saving import weights_store as ws

KERAS_VERSION = "3.15.1"       # the Keras release whose file format this mirrors
CONFIG_NAME = "config.json"
METADATA_NAME = "metadata.json"

# Attributes of ndflow's model classes that mirror ``layers`` (Keras skips its own equivalents).
_INTERNAL_ATTRS = {"_stack", "_input_layer", "_symbolic_output", "_functional_layers",
                   "_input_layers", "_nodes", "inputs", "outputs", "_inputs_struct",
                   "_outputs_struct"}
_BASE_LAYER_ATTRS = None


def to_snake_case(name):
    """Keras' snake case of a class name ('Conv2D' -> 'conv2d', 'MyBlock' -> 'my_block')."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# -- the walk ----------------------------------------------------------------------------------

def _layer_cls():
    from ndflow.keras.layers.layer import Layer
    return Layer


def _is_saveable(obj):
    from ndflow.keras.optimizers.optimizer import Optimizer
    return isinstance(obj, (_layer_cls(), Optimizer))


def _is_graph_model(obj):
    from ndflow.keras.models.functional import Functional
    from ndflow.keras.models.sequential import Sequential
    return isinstance(obj, (Sequential, Functional))


def _skipped_attrs():
    """Instance attributes every ndflow layer has (Keras skips those of its base Layer)."""
    global _BASE_LAYER_ATTRS
    if _BASE_LAYER_ATTRS is None:
        _BASE_LAYER_ATTRS = set(vars(_layer_cls()(name="__probe__"))) | _INTERNAL_ATTRS
    return _BASE_LAYER_ATTRS


def _name_key(name):
    return "~" + name if name.startswith("_") else name


def _children(obj):
    """(attribute name, value) pairs in the order Keras visits them."""
    from ndflow.keras.models.model import Model
    if not isinstance(obj, _layer_cls()):
        return
    if _is_graph_model(obj):
        yield "layers", obj.layers
    names = set(vars(obj)) - _skipped_attrs()
    if isinstance(obj, Model):
        names.add("layers")
    for name in sorted(names, key=_name_key):
        try:
            value = getattr(obj, name)
        except Exception:  # noqa: BLE001,S112 - a property that cannot be computed holds no state
            continue
        yield name, value


def _join(path, name):
    return f"{path}/{name}" if path else name


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _container_items(container):
    """(key, item) for the saveables and nested containers of a list, tuple or dict."""
    used = {}
    items = container.values() if isinstance(container, dict) else container
    for item in items:
        if _is_saveable(item):
            yield _unique(to_snake_case(type(item).__name__), used), item
        elif isinstance(item, (list, tuple, dict)):
            yield _unique("container", used), item


def _walk(obj, path, visit, visited, containers=None):
    """Calls ``visit(saveable, path)`` once per saveable reachable from ``obj``."""
    if id(obj) in visited:
        return
    visited.add(id(obj))
    visit(obj, path)
    for name, child in _children(obj):
        _walk_value(child, _join(path, name), visit, visited, set())


def _walk_value(value, path, visit, visited, containers):
    if _is_saveable(value):
        _walk(value, path, visit, visited)
    elif isinstance(value, (list, tuple, dict)) and id(value) not in containers:
        containers.add(id(value))
        for key, item in _container_items(value):
            _walk_value(item, _join(path, key), visit, visited, containers)


# -- own variables -----------------------------------------------------------------------------

def own_variables(layer):
    """A layer's own variables in Keras' saving order: trainable, then non-trainable, each in
    creation order (variables assigned as attributes without add_weight come after)."""
    found, seen = [], set()
    for v in list(layer._weights_created) + list(layer._tracked_children()[1]):
        if id(v) not in seen:
            seen.add(id(v))
            found.append(v)
    return [v for v in found if v.trainable] + [v for v in found if not v.trainable]


def save_own_variables(obj, store):
    """Writes ``obj``'s own variables (its ``save_own_variables`` when it defines one)."""
    method = getattr(obj, "save_own_variables", None)
    if method is not None:
        return method(store)
    for i, v in enumerate(own_variables(obj)):
        store[str(i)] = v.numpy()


def load_own_variables(obj, store):
    """Reads ``obj``'s own variables, checking their count and shapes (ValueError)."""
    method = getattr(obj, "load_own_variables", None)
    if method is not None:
        return method(store)
    variables = own_variables(obj)
    if len(store) != len(variables):
        hint = ""
        if not variables and not obj.built:
            hint = (" The layer was never built, so it has no variables yet: build it (or give it"
                    " a `build_config`) before loading its weights.")
        raise ValueError(f"Layer '{obj.name}' expected {len(variables)} variables, but received "
                         f"{len(store)} variables during loading. Expected: "
                         f"{[v.name for v in variables]}.{hint}")
    for i, v in enumerate(variables):
        value = store[str(i)]
        expected = tuple(v.shape.as_list())
        if tuple(value.shape) != expected:
            raise ValueError(f"The shape of the target variable and the shape of the loaded "
                             f"value must match. Variable '{v.path}' has shape {expected}; the "
                             f"file holds shape {tuple(value.shape)}.")
    for i, v in enumerate(variables):
        v.assign(np.asarray(store[str(i)]).astype(v.dtype.as_numpy_dtype))


def _metadata(obj):
    name = getattr(obj, "name", None)
    return {"name": name} if isinstance(name, str) else None


def save_state(model, store):
    """Writes every saveable reachable from ``model`` to ``store``."""
    _walk(model, "", lambda obj, path: save_own_variables(obj, store.make(path, _metadata(obj))),
          set())


def load_state(model, store, skip_mismatch=False):
    """Reads every saveable reachable from ``model``; failures are gathered into one
    ValueError (a warning with ``skip_mismatch``). Weight groups of the file that nothing read
    are reported too, outside the optimizer (whose state Keras loads only when it matches)."""
    errors = []
    optimizer_paths = []

    def visit(obj, path):
        if not isinstance(obj, _layer_cls()):
            optimizer_paths.append(path)
        try:
            load_own_variables(obj, store.get(path))
        except Exception as error:  # noqa: BLE001 - gathered and re-raised below, as Keras does
            errors.append((obj, error))

    _walk(model, "", visit, set())
    unused = [p for p in store.var_groups() if p not in store.read_paths
              and not any(p == o or p.startswith(o + "/") for o in optimizer_paths + ["optimizer"])]
    if unused:
        errors.append((model, ValueError(
            f"The file holds weights that match no object of the model: {unused}. The model's "
            "structure differs from the one that was saved.")))
    if errors:
        obj, first = errors[0]
        message = (f"A total of {len(errors)} objects could not be loaded. Example error message "
                   f"for object {obj!r}:\n\n{first}\n\nList of objects that could not be loaded:"
                   f"\n{[o for o, _ in errors]}")
        if skip_mismatch:
            warnings.warn(message, stacklevel=3)
        else:
            raise ValueError(message)


# -- atomic writes -----------------------------------------------------------------------------

def atomic_write(filepath, write):
    """Calls ``write(fileobj)`` on a temporary file beside ``filepath``, then renames it into
    place, so a failure never leaves a half-written file under the final name."""
    filepath = os.fspath(filepath)
    directory = os.path.dirname(os.path.abspath(filepath))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(filepath) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


# -- .keras archives ---------------------------------------------------------------------------

def _new_store(weights_format):
    if weights_format == "h5":
        return ws.H5Store(mode="w"), ws.H5_NAME
    if weights_format == "npz":
        return ws.NpzStore(mode="w"), ws.NPZ_NAME
    raise ValueError("Unknown `weights_format` argument. Expected 'h5' or 'npz'. Received: "
                     f"weights_format={weights_format}")


def save_model(model, filepath, weights_format=None):
    """Writes ``model`` as a ``.keras`` archive (HDF5 weights, or ``.npz`` without h5py)."""
    if weights_format is None:
        weights_format = "h5" if ws.h5py_module() is not None else "npz"
    if not model.built:
        warnings.warn("You are saving a model that has not yet been built. It might not contain "
                      "any weights yet. Consider building the model first by calling it on some "
                      "data.", stacklevel=3)
    from ndflow.keras.models.model_io import serialize_model
    config = json.dumps(serialize_model(model))
    metadata = json.dumps({"keras_version": KERAS_VERSION,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    store, member = _new_store(weights_format)
    try:
        save_state(model, store)
    finally:
        store.close()
    weights = store.getvalue()

    def write(f):
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_NAME, metadata)
            zf.writestr(CONFIG_NAME, config)
            zf.writestr(member, weights)
    if isinstance(filepath, io.IOBase):
        write(filepath)
    else:
        atomic_write(filepath, write)


def _open_archive(filepath):
    try:
        archive = zipfile.ZipFile(filepath, "r")
        archive.testzip()
        return archive
    except (zipfile.BadZipFile, EOFError, OSError, zlib_error()) as error:
        raise ValueError(f"Cannot load '{filepath}': it is not a valid `.keras` zip archive "
                         f"({error}). The file may be truncated or in another format.") from None


def zlib_error():
    """zlib's error class (imported lazily: only a damaged archive needs it)."""
    import zlib
    return zlib.error


def _read_member(archive, filepath, name):
    if name not in archive.namelist():
        raise ValueError(f"Cannot load '{filepath}': the archive has no '{name}', so it is not a "
                         f"Keras `.keras` file (members: {archive.namelist()}).")
    return archive.read(name)


def _open_weights(archive, filepath):
    names = archive.namelist()
    if ws.H5_NAME in names:
        data = archive.read(ws.H5_NAME)
        if ws.h5py_module() is None:
            raise ImportError(f"'{filepath}' stores its weights in HDF5 ({ws.H5_NAME}); reading "
                              "them needs the `h5py` package: `pip install h5py`.")
        return ws.H5Store(mode="r", data=data)
    if ws.NPZ_NAME in names:
        return ws.NpzStore(mode="r", data=archive.read(ws.NPZ_NAME))
    raise ValueError(f"Cannot load '{filepath}': expected a {ws.H5_NAME} or {ws.NPZ_NAME} file "
                     "in the archive.")


def _config_from_archive(archive, filepath):
    raw = _read_member(archive, filepath, CONFIG_NAME)
    try:
        return json.loads(raw)
    except ValueError as error:
        raise ValueError(f"Cannot load '{filepath}': its {CONFIG_NAME} is not valid JSON "
                         f"({error}).") from None


def model_from_config_dict(config, custom_objects=None, compile=True, safe_mode=True):
    """Rebuilds a model from a ``serialize_model`` dict: layers, builds, then compile."""
    from ndflow.keras.models.model_io import apply_build_configs, compile_from_config
    with safe_mode_scope(safe_mode):
        model = serialization_lib.deserialize_keras_object(config, custom_objects=custom_objects,
                                                           safe_mode=safe_mode)
        apply_build_configs(model, config)
        if compile and config.get("compile_config"):
            compile_from_config(model, config["compile_config"], custom_objects)
    return model


def safe_mode_scope(safe_mode):
    """serialization_lib's SafeModeScope when it has one (Lambda layers consult it)."""
    scope = getattr(serialization_lib, "SafeModeScope", None)
    if scope is not None:
        return scope(safe_mode)
    import contextlib
    return contextlib.nullcontext()


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a ``.keras`` archive written by ndflow or by Keras 3."""
    with _open_archive(filepath) as archive:
        config = _config_from_archive(archive, filepath)
        if not isinstance(config, dict) or "class_name" not in config:
            raise ValueError(f"Cannot load '{filepath}': {CONFIG_NAME} does not describe a "
                             "Keras object.")
        store = _open_weights(archive, filepath)
        try:
            model = model_from_config_dict(config, custom_objects, compile, safe_mode)
            load_state(model, store)
        finally:
            store.close()
    return model


# -- weights only ------------------------------------------------------------------------------

def save_weights_only(model, filepath):
    """Writes the weights (and optimizer state) to an HDF5 ``.weights.h5`` file, or an
    ``.weights.npz`` file (ndflow's format for machines without h5py)."""
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building the "
                         "model first by calling it on some data or by using `build()`.")
    if str(filepath).endswith(".weights.npz"):
        store = ws.NpzStore(mode="w")
    else:
        store = ws.H5Store(mode="w")
    try:
        save_state(model, store)
    finally:
        store.close()
    data = store.getvalue()
    atomic_write(filepath, lambda f: f.write(data))


def load_weights_only(model, filepath, skip_mismatch=False):
    """Loads weights from ``.weights.h5``, ``.weights.npz`` or a ``.keras`` archive."""
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. Try "
                         "building the model first by calling it on some data or by using "
                         "`build()`.")
    path = str(filepath)
    if path.endswith(".keras"):
        with _open_archive(filepath) as archive:
            store = _open_weights(archive, filepath)
    else:
        if not os.path.exists(path):
            raise ValueError(f"File not found: filepath={path}.")
        with open(path, "rb") as f:
            data = f.read()
        if ws.is_hdf5(data):
            if ws.h5py_module() is None:
                raise ImportError(f"'{path}' is an HDF5 weights file; reading it needs the "
                                  "`h5py` package: `pip install h5py`.")
            store = ws.H5Store(mode="r", data=data)
        elif data[:2] == b"PK":
            store = ws.NpzStore(mode="r", data=data)
        else:
            raise ValueError(f"Cannot load weights from '{path}': it is neither an HDF5 file nor "
                             "an `.npz` archive (it may be truncated or in another format).")
    try:
        load_state(model, store, skip_mismatch=skip_mismatch)
    finally:
        store.close()
