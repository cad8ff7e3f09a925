"""Objects to and from Keras 3's config dicts: {module, class_name, config, registered_name}."""
import difflib
import inspect
import threading
import types

import numpy as np

from ndflow.keras.saving import object_registration as reg


def _is_builtin(obj):
    return getattr(obj, "__module__", "").startswith("ndflow.")


def _public_module(cls, default):
    # Built-in classes report their Keras module (keras.layers...); a user subclass of a
    # built-in keeps its own module, as in Keras.
    if cls.__module__.startswith("ndflow."):
        return getattr(cls, "_keras_module", None) or default
    return cls.__dict__.get("_keras_module") or default


_SAFE_MODE = threading.local()


def in_safe_mode():
    """True, False, or None (not set: callers treat it as safe) for the current thread."""
    return getattr(_SAFE_MODE, "value", _GLOBAL_SAFE_MODE[0])


_GLOBAL_SAFE_MODE = [None]


class SafeModeScope:
    """A context in which deserialization may (safe_mode=False) or may not run lambdas."""

    def __init__(self, safe_mode=True):
        self.safe_mode = safe_mode

    def __enter__(self):
        self._previous = in_safe_mode()
        _SAFE_MODE.value = self.safe_mode
        return self

    def __exit__(self, *exc):
        _SAFE_MODE.value = self._previous


def enable_unsafe_deserialization():
    """Allows deserializing Python lambdas everywhere (only for trusted files)."""
    _GLOBAL_SAFE_MODE[0] = False
    _SAFE_MODE.value = False


def serialize_keras_object(obj):
    """A JSON-ready description of ``obj`` (a layer, loss, function, value...)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [serialize_keras_object(x) for x in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, (np.generic,)):
        return obj.item()
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if hasattr(obj, "as_list") and hasattr(obj, "rank"):  # TensorShape
        return obj.as_list() if obj.rank is not None else None
    if hasattr(obj, "as_numpy_dtype"):  # DType
        return obj.name
    if isinstance(obj, types.FunctionType) or (callable(obj) and not hasattr(obj, "get_config")
                                                and inspect.isroutine(obj)):
        return _serialize_function(obj)
    if isinstance(obj, type):
        return {"module": obj.__module__, "class_name": obj.__name__,
                "config": None, "registered_name": reg.get_registered_name(obj)}
    if hasattr(obj, "get_config"):
        config = obj.get_config()
        name = reg.get_registered_name(type(obj))
        return {
            "module": _public_module(type(obj), type(obj).__module__),
            "class_name": type(obj).__name__,
            "config": serialize_keras_object(config),
            "registered_name": None if _is_builtin(type(obj)) and name == type(obj).__name__
            else name,
        }
    raise TypeError(f"Cannot serialize object {obj!r} of type {type(obj)}. To be serializable, "
                    "a class must implement the `get_config()` method.")


def _serialize_function(fn):
    name = reg.get_registered_name(fn)
    if _is_builtin(fn) and getattr(fn, "_keras_module", None):
        return fn.__name__ if fn._keras_module == "keras.activations" else {
            "module": fn._keras_module, "class_name": "function", "config": fn.__name__,
            "registered_name": fn.__name__}
    if fn.__name__ == "<lambda>":
        raise ValueError("Lambda functions cannot be serialized by name; register a named "
                         "function with register_keras_serializable.")
    return {"module": "builtins", "class_name": "function", "config": name,
            "registered_name": "function"}


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """Builds the object described by ``config`` (a name, or a dict from serialize).

    Namespace modules pass ``module_objects`` (name -> object), ``module`` (e.g.
    'keras.losses') and ``printable_module_name`` (for error messages) as keywords, as Keras's
    own namespaces do.
    """
    module_objects = kwargs.pop("module_objects", None)
    module = kwargs.pop("module", None)
    printable_module_name = kwargs.pop("printable_module_name", "object")
    if config is None or isinstance(config, (bool, int, float)):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(c, custom_objects, safe_mode) for c in config]
    custom = {**reg.scoped_objects(), **(custom_objects or {})}
    if isinstance(config, str):
        return resolve(config, module, custom, module_objects, printable_module_name)
    if not isinstance(config, dict) or "class_name" not in config:
        return config
    class_name = config["class_name"]
    inner = config.get("config")
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "function":
        registered = config.get("registered_name")
        name = inner if registered in (None, "function") else registered
        return resolve(name, config.get("module") or module, custom, module_objects,
                       printable_module_name)
    lookup = config.get("registered_name") or class_name
    cls = resolve(lookup, config.get("module") or module, custom, module_objects,
                  printable_module_name, fallback=class_name)
    if not isinstance(cls, type):
        return cls
    if hasattr(cls, "from_config"):
        return cls.from_config(inner or {})
    return cls(**(inner or {}))


def resolve(name, module, custom, module_objects, what="object", fallback=None):
    """The object ``name`` refers to; ValueError listing close names when unknown."""
    for candidate in (name, fallback):
        if candidate is None:
            continue
        found = reg.get_registered_object(candidate, custom, module_objects)
        if found is None and module:
            found = reg.builtin(_short_module(module), candidate)
        if found is None:
            found = _search_builtins(candidate)
        if found is not None:
            return found
    known = sorted(set(custom) | set(reg.get_custom_objects()) |
                   set(reg.builtin_names(_short_module(module)) if module else []))
    close = difflib.get_close_matches(name, known, n=5)
    hint = f" Did you mean one of: {', '.join(close)}?" if close else ""
    raise ValueError(f"Could not locate {what} '{name}'. Make sure custom classes and functions "
                     f"are decorated with `@keras.saving.register_keras_serializable()` or passed "
                     f"in `custom_objects`.{hint}")


def _short_module(module):
    if module is None:
        return None
    parts = module.split(".")
    if parts[0] == "ndflow":
        parts = parts[1:]
    return ".".join(parts[:2]) if len(parts) >= 2 else module


def _search_builtins(name):
    for table in reg._BUILTINS.values():
        if name in table:
            return table[name]
    return None


def get_from_identifier(identifier, module_objects, kind, deserialize, instantiate=True):
    """The object a namespace's ``get()`` returns: None for None, a deserialized dict, a
    registered or built-in name (a class is instantiated when ``instantiate``), or the callable
    itself; ValueError naming close names otherwise."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = reg.get_registered_object(identifier, reg.scoped_objects(), module_objects)
        if obj is None:
            close = difflib.get_close_matches(identifier, sorted(module_objects), n=5)
            hint = f" Did you mean one of: {', '.join(close)}?" if close else ""
            raise ValueError(f"Could not interpret {kind} identifier: {identifier}.{hint}")
    else:
        obj = identifier
    if instantiate and isinstance(obj, type):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret {kind} identifier: {identifier}")
