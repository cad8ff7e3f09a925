"""``ag__.converted_call`` and the conversion cache: user functions called from converted code
are converted too (once per function object); ndflow's own code, builtins, NumPy, the standard
library and functions marked ``do_not_convert`` run as they are."""
import functools
import inspect
import os
import sys
import types
import warnings
import weakref

from ndflow.graph.autograph import converter

DO_NOT_CONVERT = "__ag_do_not_convert__"

_SKIPPED_PACKAGES = frozenset(("ndflow", "numpy", "builtins", "tensorflow", "keras", "pytest",
                               "_pytest", "scipy", "pandas", "typing_extensions"))
# (function) -> {options key: converted or original}; the key is ``recursive`` alone for the
# default features, else (recursive, features).
_CONVERTED = weakref.WeakKeyDictionary()
_CODE = {}                                   # (code, options key) -> (inner code, FunctionDef)
_WARNED = weakref.WeakSet()
_NDFLOW_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
GENERATED_PREFIX = "<ndflow autograph "


def _skipped_module(fn):
    module = (getattr(fn, "__module__", None) or "").split(".")[0]
    return module in _SKIPPED_PACKAGES or module in sys.stdlib_module_names


def why_not_convertible(fn):
    """None when ``fn`` can be converted, else the reason (a phrase)."""
    if getattr(fn, DO_NOT_CONVERT, False):
        return "it is marked do_not_convert"
    if hasattr(fn, "ag_original"):
        return "it is already converted"
    if not isinstance(fn, types.FunctionType):
        return "it is not a Python function"
    if fn.__name__ == "<lambda>":
        return "it is a lambda"
    if _skipped_module(fn):
        return "it belongs to a library AutoGraph does not convert"
    if fn.__code__.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE |
                               inspect.CO_ASYNC_GENERATOR):
        return "it is a generator or coroutine"
    return None


# Optional features ndflow implements (TensorFlow's other features are accepted and ignored).
SUPPORTED_FEATURES = frozenset(("ASSERT_STATEMENTS",))


def normalize_features(features):
    """The supported optional features named by ``features`` (a Feature, a sequence of them,
    or None), as a sorted tuple of names."""
    if features is None:
        return ()
    if not isinstance(features, (list, tuple, set, frozenset)):
        features = (features,)
    names = {getattr(f, "value", f) for f in features}
    if "ALL" in names:
        names = SUPPORTED_FEATURES
    return tuple(sorted(names & SUPPORTED_FEATURES))


def _key(recursive, features):
    return (recursive, features) if features else recursive


def conversion(fn, recursive, features=()):
    """The converted ``ast.FunctionDef`` and the ``ag__inner`` code of ``fn`` (cached per
    code object: closures of one definition share them)."""
    key = (fn.__code__, _key(recursive, features))
    entry = _CODE.get(key)
    if entry is None:
        fdef = converter.convert_source(fn, recursive, features)
        entry = _CODE[key] = (converter.compile_converted(fn, fdef), fdef)
    return entry


def convert(fn, recursive=True, features=()):
    """The converted version of the function ``fn`` (raises ConversionError)."""
    key = _key(recursive, features)
    per_fn = _CONVERTED.get(fn)
    if per_fn is not None and key in per_fn:
        return per_fn[key]
    from ndflow.graph.autograph import operators
    inner_code, _ = conversion(fn, recursive, features)
    result = converter.instantiate(fn, inner_code, operators)
    _CONVERTED.setdefault(fn, {})[key] = result
    return result


def user_frame():
    """The innermost frame outside ndflow and outside AutoGraph's generated code: where a
    warning about the user's code should point."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not filename.startswith(_NDFLOW_DIR) and not filename.startswith(GENERATED_PREFIX):
            return frame
        frame = frame.f_back
    return None


def warn_at_user_code(message):
    """Issues a UserWarning attributed to the user's line (see ``user_frame``)."""
    frame = user_frame()
    if frame is None:
        warnings.warn(message, stacklevel=2)
        return
    module_globals = frame.f_globals
    registry = module_globals.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, UserWarning, frame.f_code.co_filename, frame.f_lineno,
                           module=module_globals.get("__name__", "<string>"), registry=registry)


def _convert_or_original(fn, features=()):
    if why_not_convertible(fn) is not None:
        return fn
    try:
        return convert(fn, True, features)
    except converter.ConversionError as exc:
        if fn not in _WARNED:
            _WARNED.add(fn)
            warn_at_user_code(f"AutoGraph could not convert {fn.__qualname__} and runs it as it "
                              f"is: {exc}")
        _CONVERTED.setdefault(fn, {})[_key(True, features)] = fn
        return fn


def _builtin_overrides():
    from ndflow.graph.autograph import py_builtins
    table = py_builtins.overrides()
    _builtin_overrides.table = table
    return table


def converted_call(f, args, kwargs, options=None):
    """Calls ``f(*args, **kwargs)``, converting ``f`` first when it is user code; ``options``
    is the caller's tuple of optional features (None for the default)."""
    kwargs = kwargs or {}
    features = options or ()
    if isinstance(f, (types.BuiltinFunctionType, type)):
        table = getattr(_builtin_overrides, "table", None) or _builtin_overrides()
        override = table.get(f)
        if override is not None:
            return override(*args, **kwargs)
        return f(*args, **kwargs)
    if isinstance(f, types.FunctionType):
        per_fn = _CONVERTED.get(f)
        target = per_fn.get(_key(True, features)) if per_fn is not None else None
        return (target or _convert_or_original(f, features))(*args, **kwargs)
    if isinstance(f, types.MethodType) and isinstance(f.__func__, types.FunctionType):
        target = _convert_or_original(f.__func__, features)
        return target(f.__self__, *args, **kwargs)
    if isinstance(f, functools.partial):
        return converted_call(f.func, tuple(f.args) + tuple(args), {**f.keywords, **kwargs},
                              options)
    return f(*args, **kwargs)
