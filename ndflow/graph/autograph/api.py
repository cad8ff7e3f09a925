"""AutoGraph's public functions (``ndflow.autograph``) and the hook ``ndflow.function`` uses."""
import ast
import enum
import functools
import types

from ndflow.graph.autograph import calls, converter


class Feature(enum.Enum):
    """Optional conversion features (accepted for compatibility; ndflow applies its own set)."""

    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


def do_not_convert(func=None):
    """Decorator: calls of ``func`` from converted code (and ``ndflow.function``) run it as it
    is, without AutoGraph."""
    if func is None:
        return do_not_convert

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    setattr(wrapper, calls.DO_NOT_CONVERT, True)
    return wrapper


def _split_method(entity):
    if isinstance(entity, types.MethodType):
        return entity.__func__, entity.__self__
    return entity, None


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The converted version of the Python function or method ``entity``
    (``experimental_optional_features``: Feature.ASSERT_STATEMENTS turns asserts on tensors
    into Assert ops)."""
    fn, instance = _split_method(entity)
    if not isinstance(fn, types.FunctionType) or fn.__name__ == "<lambda>":
        raise converter.ConversionError(f"cannot convert {entity!r}: "
                                        f"{calls.why_not_convertible(fn)}")
    converted = calls.convert(fn, recursive,
                              calls.normalize_features(experimental_optional_features))
    return converted if instance is None else types.MethodType(converted, instance)


def to_code(entity, recursive=True, experimental_optional_features=None):
    """The converted source of ``entity`` (a string)."""
    fn, _ = _split_method(entity)
    if not isinstance(fn, types.FunctionType) or fn.__name__ == "<lambda>":
        raise converter.ConversionError(f"cannot convert {entity!r}: "
                                        f"{calls.why_not_convertible(fn)}")
    _, fdef = calls.conversion(fn, recursive,
                               calls.normalize_features(experimental_optional_features))
    return ast.unparse(fdef) + "\n"


def convert_for_function(python_function, experimental_autograph_options=None):
    """What ``ndflow.function`` traces: the converted function, or the original one with a
    warning (attributed to the user's line) saying why AutoGraph could not convert it.
    ``experimental_autograph_options`` are ``ndflow.function``'s optional features."""
    fn, instance = _split_method(python_function)
    if not isinstance(fn, types.FunctionType) or getattr(fn, calls.DO_NOT_CONVERT, False) \
            or hasattr(fn, "ag_original") or calls._skipped_module(fn):
        return python_function
    reason = calls.why_not_convertible(fn)
    if reason is None:
        try:
            converted = calls.convert(
                fn, True, calls.normalize_features(experimental_autograph_options))
        except converter.ConversionError as exc:
            reason = str(exc)
        else:
            return converted if instance is None else types.MethodType(converted, instance)
    if reason == "it is a lambda":
        reason = "lambda functions are not converted"
    calls.warn_at_user_code(
        f"AutoGraph could not transform {fn.__qualname__} and will run it as-is: {reason}. "
        "Python control flow on tensors inside it is not converted to graph ops. To silence "
        "this warning, decorate the function with @ndflow.autograph.experimental.do_not_convert")
    return python_function


def set_verbosity(level, alsologtostdout=False):
    """Accepted for compatibility (ndflow's AutoGraph does not log)."""


def trace(*args):
    """Prints ``args`` (TensorFlow's AutoGraph debugging aid)."""
    print(*args)


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None):
    """Accepted for compatibility; ndflow does not yet read loop options from loop bodies."""


__all__ = ["Feature", "do_not_convert", "to_graph", "to_code", "convert_for_function",
           "set_verbosity", "trace", "set_loop_options"]
