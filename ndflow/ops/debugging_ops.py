"""Numeric checks and assertions (ndflow.debugging).

Value assertions compute their condition with ops and, when it fails (or when its value is not
known yet, in a graph), run the ``Assert`` op, whose kernel raises InvalidArgumentError with the
message, the condition and a summary of the data. Rank, shape and dtype assertions are checked
statically and raise ValueError / TypeError, as TensorFlow does when those are known.
"""
import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import EagerTensor, Tensor
from ndflow.ops import inputs as _in
from ndflow.ops import math_ops as _m
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = ['Assert', 'assert_equal', 'assert_greater', 'assert_less', 'assert_rank']

_DEFAULT_SUMMARIZE = 3


def _check_numerics_kernel(xp, x, message):
    if not xp.isfinite(x).all():
        nan, inf = bool(xp.isnan(x).any()), bool(xp.isinf(x).any())
        what = "Inf and NaN" if nan and inf else "NaN" if nan else "Inf"
        raise op_error(errors.InvalidArgumentError, "CheckNumerics",
                       f"{message} : Tensor had {what} values")
    return x


def _summary(value, summarize):
    flat = np.asarray(value).reshape(-1)
    limit = flat.size if summarize is None or summarize < 0 else summarize
    items = [repr(v) if isinstance(v, bytes) else str(v) for v in flat[:limit].tolist()]
    return ", ".join(items + (["..."] if flat.size > limit else []))


def _assert_kernel(xp, condition, *data, summarize):
    if not xp.all(condition):
        text = "\n".join(_summary(d, summarize) for d in data)
        raise op_error(errors.InvalidArgumentError, "Assert",
                       f"Expected 'False' to be true. Summarized data: {text}")
    return ()


CHECK_NUMERICS = register("CheckNumerics", _check_numerics_kernel, allowed=D.FLOATING,
                          stateful=True)
ASSERT = register("Assert", _assert_kernel, num_outputs=None, stateful=True)


def check_numerics(tensor, message, name=None):
    """Returns ``tensor``; raises InvalidArgumentError naming ``message`` if it has NaN or Inf."""
    return execute(CHECK_NUMERICS, (_in.as_tensor(tensor),), {"message": str(message)})


@register_gradient("CheckNumerics")
def _check_numerics_grad(op, dy):
    return (check_numerics(dy, "Not a number (NaN) or infinity (Inf) values detected in "
                               f"gradient. {op.get_attr('message')}"),)


def assert_all_finite(x, message, name=None):
    """Returns ``x``; raises InvalidArgumentError naming ``message`` if it has NaN or Inf."""
    return check_numerics(x, message)


def _as_data(item):
    return _in.as_tensor(item)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TensorFlow's name
    """Raises InvalidArgumentError with a summary of ``data`` (the first ``summarize`` entries
    of each, default 3) when the scalar ``condition`` is false."""
    cond = _in.as_tensor(condition)
    if cond.shape.rank != 0:
        raise ValueError("The truth value of an array with more than one element is ambiguous. "
                         "Use a.any() or a.all()")
    if cond.dtype is not D.bool:
        cond = _m.not_equal(cond, _in.as_tensor(0, cond.dtype))
    summarize = _DEFAULT_SUMMARIZE if summarize is None else int(summarize)
    out = execute(ASSERT, (cond, *[_as_data(d) for d in data]), {"summarize": summarize})
    return None if isinstance(cond, EagerTensor) else out


def _check(cond, data, summarize):
    """Runs Assert on an elementwise condition unless its value is known to hold; ``data`` is
    a function giving the data list (built only when it is needed)."""
    if isinstance(cond, EagerTensor) and cond._value.all():
        return None
    summarize = _DEFAULT_SUMMARIZE if summarize is None else int(summarize)
    out = execute(ASSERT, (cond, *[_as_data(d) for d in data()]), {"summarize": summarize})
    return None if isinstance(cond, EagerTensor) else out


def _describe(t):
    return f"(shape={tuple(t.shape.as_list())} dtype={t.dtype.name})"


def _binary_assert(symbol, compare, x, y, message, summarize):
    x, y = _in.as_tensor(x), _in.as_tensor(y)
    cond = compare(x, y)
    if isinstance(cond, EagerTensor) and not cond._value.all():
        raise _binary_failure(symbol, x, y, cond, message, summarize)
    return _check(cond, lambda: [
        message or "", f"Condition x {symbol} y did not hold element-wise:",
        f"x {_describe(x)} = ", x, f"y {_describe(y)} = ", y], summarize)


def _binary_failure(symbol, x, y, cond, message, summarize):
    """TensorFlow's eager message: the failing indices and values (when x and y have one shape)
    and the first elements of each."""
    n = _DEFAULT_SUMMARIZE if summarize is None else int(summarize)
    xv, yv = np.asarray(x._value), np.asarray(y._value)
    lines = ([str(message)] if message else []) + [f"Condition x {symbol} y did not hold."]
    if xv.shape == yv.shape and xv.ndim:
        bad = np.argwhere(~np.asarray(cond._value))[:n]
        where = tuple(bad.T)
        lines += [f"Indices of first {len(bad)} different values:", str(bad),
                  "Corresponding x values:", str(xv[where]),
                  "Corresponding y values:", str(yv[where])]
    for label, v in (("x", xv), ("y", yv)):
        first = v.reshape(-1)[:n]
        lines += [f"First {first.size} elements of {label}:", str(first)]
    return errors.InvalidArgumentError(None, None, "\n".join(lines))


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x == y elementwise (with broadcasting)."""
    return _binary_assert("==", _m.equal, x, y, message, summarize)


def assert_none_equal(x, y, summarize=None, message=None, name=None):
    """Raises InvalidArgumentError unless x != y everywhere."""
    return _binary_assert("!=", _m.not_equal, x, y, message, summarize)


def assert_less(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x < y elementwise."""
    return _binary_assert("<", _m.less, x, y, message, summarize)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x <= y elementwise."""
    return _binary_assert("<=", _m.less_equal, x, y, message, summarize)


def assert_greater(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x > y elementwise."""
    return _binary_assert(">", _m.greater, x, y, message, summarize)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x >= y elementwise."""
    return _binary_assert(">=", _m.greater_equal, x, y, message, summarize)


def _sign_assert(symbol, compare, x, message, summarize):
    x = _in.as_tensor(x)
    zero = _in.as_tensor(0, x.dtype)  # TypeError for bool and string tensors, as TensorFlow
    return _check(compare(x, zero), lambda: [
        message or "", f"Condition x {symbol} 0 did not hold element-wise:",
        f"x {_describe(x)} = ", x], summarize)


def assert_positive(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x > 0 everywhere."""
    return _sign_assert(">", _m.greater, x, message, summarize)


def assert_negative(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x < 0 everywhere."""
    return _sign_assert("<", _m.less, x, message, summarize)


def assert_non_negative(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x >= 0 everywhere."""
    return _sign_assert(">=", _m.greater_equal, x, message, summarize)


def assert_non_positive(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless x <= 0 everywhere."""
    return _sign_assert("<=", _m.less_equal, x, message, summarize)


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless |x - y| <= atol + rtol * |y| everywhere (tolerances
    default to 10 * eps of the dtype)."""
    x = _in.as_tensor(x)
    y = _in.as_tensor(y, x.dtype)
    eps = np.finfo(x.dtype.as_numpy_dtype).eps  # ValueError for integers, as TensorFlow
    rtol_t = _in.as_tensor(10 * eps if rtol is None else rtol, x.dtype.real_dtype)
    atol_t = _in.as_tensor(10 * eps if atol is None else atol, x.dtype.real_dtype)
    diff = _m.abs(_m.subtract(x, y))
    cond = _m.less_equal(diff, _m.add(atol_t, _m.multiply(rtol_t, _m.abs(y))))
    return _check(cond, lambda: [
        f"{message or ''}.  ", f"x and y not equal to tolerance rtol = {float(rtol_t):g}, "
        f"atol = {float(atol_t):g}", f"x {_describe(x)} = ", x, f"y {_describe(y)} = ", y],
        summarize)


def _prefix(message):
    return f"{message}.  " if message else ""


def _static_rank(x, rank, message, relation, ok):
    x = _in.as_tensor(x)
    rank = np.asarray(rank)
    if rank.ndim:
        raise ValueError("Rank must be a scalar.")
    rank = int(rank)
    if not ok(x.ndim, rank):
        raise ValueError(f"{_prefix(message)}Tensor must have rank {relation}{rank}.  Received "
                         f"rank {x.ndim}, shape {tuple(x.shape.as_list())}")


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError unless ``x`` has rank ``rank``."""
    _static_rank(x, rank, message, "", lambda r, want: r == want)


def assert_rank_at_least(x, rank, message=None, name=None):
    """Raises ValueError unless ``x`` has rank ``rank`` or more."""
    _static_rank(x, rank, message, "at least ", lambda r, want: r >= want)


def assert_rank_in(x, ranks, message=None, name=None):
    """Raises ValueError unless the rank of ``x`` is one of ``ranks``."""
    x = _in.as_tensor(x)
    ranks = tuple(int(r) for r in np.asarray(ranks).reshape(-1))
    if x.ndim not in ranks:
        raise ValueError(f"{_prefix(message)}Tensor must have rank in {ranks}.  Received rank "
                         f"{x.ndim}, shape {tuple(x.shape.as_list())}")


def assert_scalar(tensor, message=None, name=None):
    """Raises ValueError unless ``tensor`` is a scalar."""
    tensor = _in.as_tensor(tensor)
    if tensor.ndim:
        raise ValueError(f"{_prefix(message)}Expected scalar shape, saw shape: "
                         f"{tuple(tensor.shape.as_list())}.")


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless ``tensor`` has dtype ``tf_type``."""
    tf_type = D.as_dtype(tf_type)
    dtype = tensor.dtype if isinstance(tensor, Tensor) or hasattr(tensor, "_as_tensor") else (
        _in.as_tensor(tensor).dtype)
    if dtype is not tf_type:
        raise TypeError(f"{_prefix(message)}tensor must be of type tf.{tf_type.name}; got "
                        f"tf.{dtype.name}")


def assert_integer(x, message=None, name=None):
    """Raises TypeError unless ``x`` has an integer dtype."""
    x = _in.as_tensor(x)
    if not x.dtype.is_integer:
        raise TypeError(f"{_prefix(message)}Expected \"x\" to be integer type.  Found: tensor of "
                        f"dtype {x.dtype!r}")


def assert_proper_iterable(values):
    """Raises TypeError if ``values`` is not a proper iterable (a tensor, array or string is
    iterable but not a collection of values)."""
    unintentional = (Tensor, np.ndarray, str, bytes)
    if isinstance(values, unintentional) or hasattr(values, "_as_tensor") or not hasattr(
            values, "__iter__"):
        raise TypeError(f"Expected argument \"values\" to be a \"proper\" iterable.  Found: "
                        f"{type(values)}")


def assert_same_float_dtype(tensors=None, dtype=None):
    """The common float dtype of ``tensors`` (and ``dtype``), float32 when there is none;
    raises ValueError for a non-float or a mismatch."""
    if dtype is not None:
        dtype = D.as_dtype(dtype)
        if not dtype.is_floating:
            raise ValueError(f"Expected floating point type, got {dtype!r}.")
    first = None
    for t in tensors or ():
        t_dtype = D.as_dtype(t.dtype)
        if dtype is None:
            dtype, first = t_dtype, t
            if not dtype.is_floating:
                raise ValueError(f"Expected floating point type, got {dtype!r}.")
        elif t_dtype is not dtype:
            raise ValueError(f"{t}, type={t_dtype!r}, must be of the same type ({dtype!r})"
                             f"{'' if first is None else f' as {first}'}.")
    return D.float32 if dtype is None else dtype


def is_numeric_tensor(tensor):
    """Whether ``tensor`` is a tensor of a numeric (integer, float or complex) dtype."""
    return isinstance(tensor, Tensor) and tensor.dtype in D.NUMBERS


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Raises ValueError unless each tensor matches its shape spec: ints are sizes, strings are
    symbols that must mean the same size everywhere they appear."""
    items = shapes.items() if isinstance(shapes, dict) else shapes
    sizes = {}
    for x, spec in items:
        x = _in.as_tensor(x)
        spec = (spec,) if isinstance(spec, (int, str)) else tuple(spec)
        _static_rank(x, len(spec), message, "", lambda r, want: r == want)
        for axis, (want, got) in enumerate(zip(spec, x.shape.as_list())):
            if isinstance(want, str):
                source, size = sizes.setdefault(want, (f"Specified by tensor {_describe(x)[1:-1]}"
                                                       f" dimension {axis}", got))
            else:
                source, size = "Specified explicitly", int(want)
            if got != size:
                raise ValueError(f"{_prefix(message)}{source}.  Tensor {_describe(x)[1:-1]} "
                                 f"dimension {axis} must have size {size}.  Received size "
                                 f"{got}, shape {tuple(x.shape.as_list())}")
