"""``ag__.converted_call`` and the conversion cache: user functions called from converted code
are converted too (once per function object); ndflow's own code, builtins, NumPy, the standard
library and functions marked ``do_not_convert`` run as they are."""
import builtins
import functools
import inspect
import sys
import types
import warnings
import weakref

from ndflow.graph.autograph import converter

DO_NOT_CONVERT = "__ag_do_not_convert__"

_SKIPPED_PACKAGES = frozenset(("ndflow", "numpy", "builtins", "tensorflow", "keras", "pytest",
                               "_pytest", "scipy", "pandas", "typing_extensions"))
_CONVERTED = weakref.WeakKeyDictionary()   # (function) -> {recursive: converted or original}
_CODE = {}                                   # (code, recursive) -> (inner code, FunctionDef)
_WARNED = weakref.WeakSet()


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


def conversion(fn, recursive):
    """The converted ``ast.FunctionDef`` and the ``ag__inner`` code of ``fn`` (cached per
    code object: closures of one definition share them)."""
    key = (fn.__code__, recursive)
    entry = _CODE.get(key)
    if entry is None:
        fdef = converter.convert_source(fn, recursive)
        entry = _CODE[key] = (converter.compile_converted(fn, fdef), fdef)
    return entry


def convert(fn, recursive=True):
    """The converted version of the function ``fn`` (raises ConversionError)."""
    per_fn = _CONVERTED.get(fn)
    if per_fn is not None and recursive in per_fn:
        return per_fn[recursive]
    from ndflow.graph.autograph import operators
    inner_code, _ = conversion(fn, recursive)
    result = converter.instantiate(fn, inner_code, operators)
    _CONVERTED.setdefault(fn, {})[recursive] = result
    return result


def _convert_or_original(fn):
    if why_not_convertible(fn) is not None:
        return fn
    try:
        return convert(fn)
    except converter.ConversionError as exc:
        if fn not in _WARNED:
            _WARNED.add(fn)
            warnings.warn(f"AutoGraph could not convert {fn.__qualname__} and runs it as it is: "
                          f"{exc}", stacklevel=3)
        _CONVERTED.setdefault(fn, {})[True] = fn
        return fn


def _builtin_overrides():
    from ndflow.graph.autograph import operators
    table = {builtins.range: operators.range_, builtins.len: operators.len_}
    _builtin_overrides.table = table
    return table


def converted_call(f, args, kwargs, options=None):
    """Calls ``f(*args, **kwargs)``, converting ``f`` first when it is user code."""
    kwargs = kwargs or {}
    if isinstance(f, (types.BuiltinFunctionType, type)):
        table = getattr(_builtin_overrides, "table", None) or _builtin_overrides()
        override = table.get(f)
        if override is not None:
            return override(*args, **kwargs)
        return f(*args, **kwargs)
    if isinstance(f, types.FunctionType):
        per_fn = _CONVERTED.get(f)
        target = per_fn.get(True) if per_fn is not None else None
        return (target or _convert_or_original(f))(*args, **kwargs)
    if isinstance(f, types.MethodType) and isinstance(f.__func__, types.FunctionType):
        target = _convert_or_original(f.__func__)
        return target(f.__self__, *args, **kwargs)
    if isinstance(f, functools.partial):
        return converted_call(f.func, tuple(f.args) + tuple(args), {**f.keywords, **kwargs})
    return f(*args, **kwargs)
