"""Reductions: reduce_sum/mean/max/min/prod/any/all/logsumexp/std/variance, argmax and friends."""
import collections
import numbers

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import Tensor
from ndflow.ops import inputs as _in
from ndflow.ops.array_ops import broadcast_to, ones_like, reshape, where_v2, zeros_like
from ndflow.ops.identity_ops import stop_gradient
from ndflow.ops.math_ops import (add, cast, equal, maximum, multiply, not_equal, subtract,
                                 truediv)
from ndflow.ops.unary_ops import exp, is_finite, log, sqrt, square
from ndflow.ops.registry import execute, op_error, register, register_gradient

# Top-level names; reduce_std, reduce_variance, count_nonzero and top_k are only in tf.math
# (and top_k in tf.nn), so the namespace modules import them by name.
__all__ = ['reduce_sum', 'reduce_mean', 'reduce_max', 'reduce_min', 'reduce_prod', 'reduce_any',
           'reduce_all', 'reduce_logsumexp', 'argmax', 'argmin']

_BOOL = frozenset([D.bool])


# -- kernels -----------------------------------------------------------------------------------

def _sum_kernel(xp, x, axis, keepdims):
    return xp.add.reduce(x, axis=axis, keepdims=keepdims, dtype=x.dtype)


def _mean_kernel(xp, x, axis, keepdims):
    count = 1
    for a in axis:
        count *= x.shape[a]
    if x.dtype.kind in "iu":
        # TF accumulates integers in a wider type and truncates the quotient toward zero.
        total = xp.sum(x, axis=axis, keepdims=keepdims,
                       dtype=xp.int64 if x.dtype.kind == "i" else xp.uint64)
        if count == 0:
            return xp.zeros_like(total, dtype=x.dtype)
        if x.dtype.kind == "u":
            return xp.asarray(total // count).astype(x.dtype)
        quotient = xp.where(total < 0, -(-total // count), total // count)
        return xp.asarray(quotient).astype(x.dtype)
    # float16 accumulates in float32, as in TF; an empty mean is 0/0 = NaN, without warnings.
    total = xp.sum(x, axis=axis, keepdims=keepdims,
                   dtype=xp.float32 if x.dtype == xp.float16 else x.dtype)
    return xp.asarray(total / count).astype(x.dtype, copy=False)


def _extreme_kernel(fn, pick_identity):
    def kernel(xp, x, axis, keepdims):
        if x.size == 0:  # an empty reduction gives the identity (e.g. -inf for max), as in TF
            return fn(x, axis=axis, keepdims=keepdims, initial=pick_identity(x.dtype))
        return fn(x, axis=axis, keepdims=keepdims)
    return kernel


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


SUM = register("Sum", _sum_kernel, allowed=D.NUMBERS)
MEAN = register("Mean", _mean_kernel, allowed=D.NUMBERS)
MAX = register("Max", _extreme_kernel(np.max, _lowest), allowed=D.REAL)
MIN = register("Min", _extreme_kernel(np.min, _highest), allowed=D.REAL)
PROD = register("Prod", lambda xp, x, axis, keepdims: xp.prod(x, axis=axis, keepdims=keepdims,
                                                             dtype=x.dtype), allowed=D.NUMBERS)
ANY = register("Any", lambda xp, x, axis, keepdims: xp.any(x, axis=axis, keepdims=keepdims),
               allowed=_BOOL)
ALL = register("All", lambda xp, x, axis, keepdims: xp.all(x, axis=axis, keepdims=keepdims),
               allowed=_BOOL)


# -- public reductions -------------------------------------------------------------------------

def _reduce(op, input_tensor, axis, keepdims):
    x = _in.as_tensor(input_tensor)
    if x.ndim is None and axis is None and not keepdims:
        # Unknown rank (only while tracing): every axis is the one axis of the flat tensor.
        from ndflow.ops.array_ops import reshape
        x, axis = reshape(x, [-1]), 0
    return execute(op, (x,), {"axis": _in.axis_list(axis, x.ndim), "keepdims": bool(keepdims)})


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum of elements over ``axis`` (all axes when None); keeps reduced axes when keepdims."""
    return _reduce(SUM, input_tensor, axis, keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over ``axis``; integer tensors give the integer mean (truncated toward zero)."""
    return _reduce(MEAN, input_tensor, axis, keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Maximum over ``axis``; NaN propagates, an empty reduction gives the dtype's lowest value."""
    return _reduce(MAX, input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Minimum over ``axis``; NaN propagates, an empty reduction gives the dtype's highest value."""
    return _reduce(MIN, input_tensor, axis, keepdims)


def reduce_prod(input_tensor, axis=None, keepdims=False, name=None):
    """Product of elements over ``axis``."""
    return _reduce(PROD, input_tensor, axis, keepdims)


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical OR over ``axis`` of a bool tensor."""
    return _reduce(ANY, input_tensor, axis, keepdims)


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical AND over ``axis`` of a bool tensor."""
    return _reduce(ALL, input_tensor, axis, keepdims)


def reduce_logsumexp(input_tensor, axis=None, keepdims=False, name=None):
    """log(sum(exp(x))) over ``axis``, computed stably by factoring out the maximum."""
    x = _in.as_tensor(input_tensor)
    raw_max = reduce_max(x, axis, keepdims=True)
    # An infinite maximum would turn x - max into NaN; shifting by 0 then gives TF's +-inf.
    # (is_finite also rejects integer input, as TF's reduce_logsumexp does.)
    shift = stop_gradient(where_v2(is_finite(raw_max), raw_max, zeros_like(raw_max)))
    result = log(reduce_sum(exp(subtract(x, shift)), axis, keepdims))
    if not keepdims:
        shift = reshape(shift, result.shape.dims)
    return add(result, shift)


def reduce_variance(input_tensor, axis=None, keepdims=False, name=None):
    """Population variance over ``axis`` (complex input gives a real variance)."""
    x = _in.as_tensor(input_tensor)
    means = reduce_mean(x, axis, keepdims=True)
    if x.dtype.is_integer:
        raise TypeError(f"Input must be either real or complex. Received integer type {x.dtype}.")
    diff = subtract(x, means)
    if x.dtype.is_complex:
        # |d|^2 = re(d)^2 + im(d)^2: a cast to the real dtype keeps the real part, and
        # im(d) = re(-1j * d).
        part = x.dtype.real_dtype
        squared = add(square(cast(diff, part)), square(cast(multiply(diff, -1j), part)))
    else:
        squared = square(diff)
    return reduce_mean(squared, axis, keepdims)


def reduce_std(input_tensor, axis=None, keepdims=False, name=None):
    """Population standard deviation over ``axis``."""
    return sqrt(reduce_variance(input_tensor, axis, keepdims))


# -- argmax / argmin ---------------------------------------------------------------------------

_ARG_OUTPUT_TYPES = {"ArgMax": frozenset([D.int16, D.uint16, D.int32, D.int64]),
                     "ArgMin": frozenset([D.int32, D.int64])}


def _picked(xp, x, index, axis):
    """The values of ``x`` at ``index`` along ``axis`` (cheap paths for 1-D and 2-D)."""
    if x.ndim == 1:
        return x[index]
    if x.ndim == 2:
        other = xp.arange(x.shape[1 - axis])
        return x[other, index] if axis == 1 else x[index, other]
    return xp.take_along_axis(x, xp.expand_dims(index, axis), axis=axis)


def _arg_kernel(name, fn, nan_fill):
    def kernel(xp, x, axis, output_type):
        axis %= max(x.ndim, 1)  # negative when the rank was unknown while tracing
        if x.shape[axis] == 0:
            raise op_error(errors.InvalidArgumentError, name,
                           f"Reduction axis {axis} is empty in shape {list(x.shape)}")
        index = fn(x, axis=axis)
        # NumPy picks the first NaN; TF never picks a NaN over a number.
        if x.dtype.kind == "f" and xp.isnan(_picked(xp, x, index, axis)).any():
            index = fn(xp.where(xp.isnan(x), nan_fill, x), axis=axis)
        return xp.asarray(index).astype(output_type, copy=False)
    return kernel


def _arg_dtype(input_dtypes, attrs):
    return [D.as_dtype(attrs["output_type"])]


ARGMAX = register("ArgMax", _arg_kernel("ArgMax", np.argmax, -np.inf), allowed=D.REAL | _BOOL,
                  infer=_arg_dtype)
ARGMIN = register("ArgMin", _arg_kernel("ArgMin", np.argmin, np.inf), allowed=D.REAL | _BOOL,
                  infer=_arg_dtype)


def _arg_reduce(op, input, axis, output_type):  # noqa: A002 - TensorFlow's argument name
    x = _in.as_tensor(input)
    if axis is None:
        axis = 0
    elif isinstance(axis, Tensor) or hasattr(axis, "_as_tensor"):
        t = _in.as_tensor(axis)
        if not t.dtype.is_integer or t.ndim != 0:
            raise TypeError("axis must be int or Tensor with integer datatype")
        axis = int(t)
    elif isinstance(axis, numbers.Integral) and not isinstance(axis, bool):
        axis = int(axis)
    else:
        raise TypeError("axis must be int or Tensor with integer datatype")
    ndim = x.ndim
    if ndim is not None and not -ndim <= axis < ndim:  # (unknown rank: checked at run time)
        raise op_error(errors.InvalidArgumentError, op.name,
                       f"Expected dimension in the range [{-ndim}, {ndim}), but got {axis}")
    output_type = D.as_dtype(output_type)
    allowed = _ARG_OUTPUT_TYPES[op.name]
    if output_type not in allowed:
        names = ", ".join(sorted(d.name for d in allowed))
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'output_type' of {output_type.name} is not in the list "
            f"of allowed values: {names} [Op:{op.name}]")
    return execute(op, (x,), {"axis": axis if ndim is None else axis % ndim,
                              "output_type": output_type.as_numpy_dtype})


def argmax(input, axis=None, output_type=D.int64, name=None):  # noqa: A002
    """Index of the largest value along ``axis`` (0 when None); the first one among ties."""
    return _arg_reduce(ARGMAX, input, axis, output_type)


def argmin(input, axis=None, output_type=D.int64, name=None):  # noqa: A002
    """Index of the smallest value along ``axis`` (0 when None); the first one among ties."""
    return _arg_reduce(ARGMIN, input, axis, output_type)


def count_nonzero(input, axis=None, keepdims=None, dtype=D.int64, name=None):  # noqa: A002
    """Number of non-zero (non-False) elements over ``axis``, as ``dtype``."""
    x = _in.as_tensor(input)
    zero = _in.as_tensor(np.zeros((), x.dtype.as_numpy_dtype))
    counts = reduce_sum(cast(not_equal(x, zero), D.int64), axis, bool(keepdims))
    return cast(counts, dtype)


# -- top_k -------------------------------------------------------------------------------------

TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])
_TOPK_INDEX_TYPES = frozenset([D.int16, D.int32, D.int64])


def _top_k_kernel(xp, x, k, sorted, index_type):  # noqa: A002 - TensorFlow's attribute name
    n = x.shape[-1]
    key = x
    if x.dtype.kind == "f" and xp.isnan(x).any():
        key = xp.where(xp.isnan(x), -xp.inf, x)  # TF ranks NaN below every number
    # A stable ascending sort of the reversed row, read backwards, orders values descending
    # with ties by ascending index (TF's order), and works for unsigned types too.
    order = xp.argsort(key[..., ::-1], axis=-1, kind="stable")[..., ::-1][..., :k]
    index = (n - 1) - order
    return xp.take_along_axis(x, index, axis=-1), index.astype(index_type)


TOPK = register("TopKV2", _top_k_kernel, allowed=D.REAL, num_outputs=2,
                infer=lambda dtypes, attrs: [dtypes[0], D.as_dtype(attrs["index_type"])])


def top_k(input, k=1, sorted=True, index_type=D.int32, name=None):  # noqa: A002
    """The ``k`` largest entries of the last dimension and their indices, largest first (ties
    by lower index); returns ``TopKV2(values, indices)``."""
    x = _in.as_tensor(input)
    if isinstance(k, Tensor) or hasattr(k, "_as_tensor"):
        kt = _in.as_tensor(k)
        if not kt.dtype.is_integer:
            raise errors.InvalidArgumentError(None, None, f"top_k: k must be an integer tensor, "
                                              f"got {kt.dtype.name} [Op:TopKV2]")
        k = int(kt)
    elif isinstance(k, numbers.Integral) and not isinstance(k, bool):
        k = int(k)
    else:
        raise TypeError(f"Cannot convert {k!r} to EagerTensor of dtype int32")
    if x.ndim is not None and x.ndim < 1:
        raise op_error(errors.InvalidArgumentError, "TopKV2",
                       f"input must be >= 1-D, got shape {list(x.shape)}")
    if k < 0:
        raise op_error(errors.InvalidArgumentError, "TopKV2", f"Need k >= 0, got {k}")
    n = x.shape[-1]
    if n is not None and n < k:
        raise op_error(errors.InvalidArgumentError, "TopKV2",
                       f"input must have at least k columns. Had {n}, needed {k}")
    index_type = D.as_dtype(index_type)
    if index_type not in _TOPK_INDEX_TYPES:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'index_type' of {index_type.name} is not in the list "
            f"of allowed values: int16, int32, int64 [Op:TopKV2]")
    values, indices = execute(TOPK, (x,), {"k": k, "sorted": bool(sorted),
                                           "index_type": index_type.as_numpy_dtype})
    return TopKV2(values, indices)


# -- gradients ---------------------------------------------------------------------------------

def _kept(t, op):
    """``t`` (shaped like the op's output) reshaped to keep the reduced axes as size 1."""
    if op.get_attr("keepdims") or t.shape.rank == 0:  # a scalar broadcasts as it is
        return t
    axes = op.get_attr("axis")
    kept = [1 if i in axes else d for i, d in enumerate(op.inputs[0].shape.dims)]
    if kept.count(None) > 1:   # unknown sizes while tracing: the run-time shape, reduced axes 1
        shape = _run_time_shape(op.inputs[0])
        kept = where_v2([i in axes for i in range(len(kept))], ones_like(shape), shape)
    return reshape(t, kept)


def _run_time_shape(x):
    """The static shape of ``x`` when fully known, else its run-time shape tensor."""
    if x.shape.is_fully_defined():
        return x.shape.dims
    from ndflow.ops.array_shape_ops import shape
    return shape(x)


def _reduced_count(op):
    dims = op.inputs[0].shape.dims
    axes = op.get_attr("axis")
    if any(dims[a] is None for a in axes):
        from ndflow.ops.gather_ops import gather
        sizes = gather(_run_time_shape(op.inputs[0]), list(axes))
        return maximum(reduce_prod(sizes), 1)
    count = 1
    for a in axes:
        count *= dims[a]
    return max(count, 1)


@register_gradient("Sum")
def _sum_grad(op, dy):
    return (broadcast_to(_kept(dy, op), _run_time_shape(op.inputs[0])),)


@register_gradient("Mean")
def _mean_grad(op, dy):
    count = _reduced_count(op)
    if isinstance(count, Tensor):
        count = cast(count, dy.dtype)
    return (truediv(_sum_grad(op, dy)[0], count),)


def _extreme_grad(op, dy):
    # Ties share the gradient equally, as in TensorFlow.
    x = op.inputs[0]
    chosen = cast(equal(_kept(op.outputs, op), x), dy.dtype)
    count = reduce_sum(chosen, op.get_attr("axis"), keepdims=True)
    return (multiply(truediv(chosen, count), _kept(dy, op)),)


register_gradient("Max")(_extreme_grad)
register_gradient("Min")(_extreme_grad)


@register_gradient("Prod")
def _prod_grad(op, dy):
    # d prod / d x_i is the product of the other elements. It is computed from the product of
    # the non-zero elements and the zero count, so zeros in the input are handled exactly.
    x = op.inputs[0]
    axes = op.get_attr("axis")
    is_zero = equal(x, 0)
    safe = where_v2(is_zero, ones_like(x), x)
    nonzero_prod = reduce_prod(safe, axes, keepdims=True)
    zero_flags = cast(is_zero, x.dtype)
    zeros_elsewhere = reduce_sum(zero_flags, axes, keepdims=True) - zero_flags
    others = where_v2(is_zero, nonzero_prod * ones_like(x), truediv(nonzero_prod, safe))
    others = where_v2(equal(zeros_elsewhere, 0), others, zero_flags * 0)
    return (multiply(others, _kept(dy, op)),)


@register_gradient("TopKV2")
def _top_k_grad(op, dvalues, dindices):
    # Scatters each value's gradient back to the position it was taken from.
    from ndflow.ops.segment_ops import unsorted_segment_sum
    x = op.inputs[0]
    dims = x.shape.dims
    n, k = dims[-1], op.get_attr("k")
    total = int(np.prod(dims))
    rows = total // n if n else 0
    # Row offsets depend only on static shapes, so they are a constant of the gradient graph.
    offsets = _in.as_tensor(np.arange(0, rows * n, n, dtype=np.int64).reshape(rows, 1))
    flat = reshape(add(reshape(cast(op.outputs[1], D.int64), [rows, k]), offsets), [-1])
    grad = unsorted_segment_sum(reshape(dvalues, [-1]), flat, total)
    return (reshape(grad, dims),)
