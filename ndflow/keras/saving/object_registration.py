"""The one registry of serialisable objects: built-ins, registered classes and custom objects.

Built-in classes and functions register under ``(module, name)`` with ``register_builtin``; user
classes register with ``register_keras_serializable`` (as ``"Package>Name"``) or are passed per
call through ``custom_objects`` or ``custom_object_scope``.
"""
import threading

_GLOBAL_CUSTOM_OBJECTS = {}     # registered name or plain name -> object
_GLOBAL_CUSTOM_NAMES = {}       # object -> registered name
_BUILTINS = {}                  # module ('keras.layers', ...) -> {name: object}
_SCOPE = threading.local()


def register_builtin(module, obj=None, name=None):
    """Registers a built-in class or function under a Keras module ('keras.losses', ...)."""
    def decorate(target):
        _BUILTINS.setdefault(module, {})[name or target.__name__] = target
        return target
    return decorate(obj) if obj is not None else decorate


def builtin(module, name):
    """The built-in object called ``name`` in ``module``, or None."""
    return _BUILTINS.get(module, {}).get(name)


def builtin_names(module):
    """The names registered under ``module``."""
    return sorted(_BUILTINS.get(module, {}))


def register_keras_serializable(package="Custom", name=None):
    """Registers a class or function so it can be loaded by name as ``package>name``."""
    def decorate(arg):
        class_name = name if name is not None else arg.__name__
        registered_name = f"{package}>{class_name}"
        if isinstance(arg, type) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        _GLOBAL_CUSTOM_OBJECTS[registered_name] = arg
        _GLOBAL_CUSTOM_NAMES[arg] = registered_name
        return arg
    return decorate


def get_registered_name(obj):
    """The name ``obj`` is registered under (its own name when not registered)."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """Looks ``name`` up in scopes, the given dicts and the global registry; None if absent."""
    for scope in reversed(getattr(_SCOPE, "stack", [])):
        if name in scope:
            return scope[name]
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    if name in _GLOBAL_CUSTOM_OBJECTS:
        return _GLOBAL_CUSTOM_OBJECTS[name]
    if module_objects and name in module_objects:
        return module_objects[name]
    return None


def get_custom_objects():
    """The global dict of custom objects (editable: entries are looked up by name)."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """A context in which the given custom objects resolve by name."""

    def __init__(self, custom_objects):
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self):
        if not hasattr(_SCOPE, "stack"):
            _SCOPE.stack = []
        _SCOPE.stack.append(self.custom_objects)
        return self

    def __exit__(self, *exc):
        _SCOPE.stack.pop()


custom_object_scope = CustomObjectScope


def scoped_objects():
    """The custom objects of every active scope, merged (innermost wins)."""
    merged = {}
    for scope in getattr(_SCOPE, "stack", []):
        merged.update(scope)
    return merged
