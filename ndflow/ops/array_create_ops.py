"""Tensors built from shapes and scalars: fill, zeros, ones, range, linspace, eye, meshgrid.

Re-exported by ``array_ops`` (import these functions from there).
"""
import builtins
import operator

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import Tensor, wrap_as
from ndflow.ops import inputs as _in
from ndflow.ops.array_ops import broadcast_to, int_values, invalid, reshape
from ndflow.ops.math_ops import cast, equal, multiply, subtract, truediv, unbroadcast
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = ['fill', 'zeros', 'ones', 'range', 'linspace', 'eye', 'meshgrid']

# -- fill, zeros, ones -------------------------------------------------------------------------


def _fill_kernel(xp, value, shape):
    return xp.full(shape, value.reshape(()), dtype=value.dtype)


FILL = register("Fill", _fill_kernel)


def _dims(dims, op_name="Fill"):
    """A shape argument (list, tuple, TensorShape, int or tensor) as a tuple of sizes >= 0."""
    if isinstance(dims, (list, tuple)):
        try:
            shape = tuple([operator.index(d) for d in dims])
        except TypeError:  # floats, None or tensors inside: convert as a whole
            shape = None
        if shape is not None and min(shape, default=0) >= 0:
            return shape
    if hasattr(dims, "as_list"):
        dims = dims.as_list()
    arr = int_values(dims, "index_type", op_name)
    if arr.ndim > 1:
        raise invalid(op_name, f"dims must represent a vector, got shape {list(arr.shape)}")
    for d in arr.reshape(-1):
        if d < 0:
            raise invalid(op_name, f"Dimension {d} must be >= 0")
    return tuple(int(d) for d in arr.reshape(-1))


def fill(dims, value, name=None, layout=None):
    """A tensor of shape ``dims`` filled with the scalar ``value``."""
    v = _in.as_tensor(value)
    from ndflow.ops.array_ops import symbolic_shape
    dynamic = symbolic_shape(dims)
    if dynamic is not None:   # the shape is an input, as in TensorFlow's Fill
        return execute(FILL, (v, dynamic))
    shape = _dims(dims)
    if v.ndim != 0 and v.shape.dims != [1]:  # TensorFlow still accepts a one-element vector
        raise invalid("Fill", f"value must represent a scalar, got shape {v.shape.as_list()}")
    return execute(FILL, (v,), {"shape": shape})


@register_gradient("Fill")
def _fill_grad(op, dy):
    from ndflow.ops.reduce_ops import reduce_sum
    return (reshape(reduce_sum(dy), op.inputs[0].shape.dims),) + (None,) * (len(op.inputs) - 1)


_SCALARS = {}


def _scalar(number, dtype):
    """A cached scalar tensor of ``dtype`` holding 0 or 1 ('' for strings)."""
    key = (number, dtype)
    t = _SCALARS.get(key)
    if t is None:
        np_dtype = np.dtype(dtype.as_numpy_dtype)
        value = b"" if dtype is D.string else number
        t = _SCALARS[key] = wrap_as(np.array(value, np_dtype), dtype)
    return t


def _zeros_shape(shape):
    if isinstance(shape, (list, tuple)) and any(isinstance(d, float) for d in shape) or \
            isinstance(shape, float):
        raise TypeError(f"Cannot convert {shape!r} to EagerTensor of dtype int32")
    return shape


def zeros(shape, dtype=D.float32, name=None, layout=None):
    """A tensor of zeros (empty strings for tf.string) of the given shape."""
    return fill(_zeros_shape(shape), _scalar(0, D.as_dtype(dtype)))


def ones(shape, dtype=D.float32, name=None, layout=None):
    """A tensor of ones of the given shape."""
    dtype = D.as_dtype(dtype)
    if dtype is D.string:
        raise TypeError("Cannot convert 1 to EagerTensor of dtype string")
    return fill(_zeros_shape(shape), _scalar(1, dtype))


# -- range -------------------------------------------------------------------------------------

# TensorFlow infers range's dtype as the widest of its arguments' dtypes in this order.
_RANGE_ORDER = (D.int32, D.int64, D.float32, D.float64)
_RANGE_TYPES = D.FLOATING | frozenset((D.int8, D.int16, D.int32, D.int64, D.uint16, D.uint32,
                                       D.uint64))


def _range_kernel(xp, start, limit, delta):
    first, last, step = start.item(), limit.item(), delta.item()  # cheap scalar checks
    if step == 0:
        raise op_error(errors.InvalidArgumentError, "Range", f"Requires delta != 0: {step}")
    if step > 0 and first > last:
        raise op_error(errors.InvalidArgumentError, "Range",
                       f"Requires start <= limit when delta > 0: {first}/{last}")
    if step < 0 and first < last:
        raise op_error(errors.InvalidArgumentError, "Range",
                       f"Requires start >= limit when delta < 0: {first}/{last}")
    dtype = start.dtype
    if dtype.kind in "iu":
        return xp.arange(first, last, step, dtype=dtype)
    # The length and the values are computed in the output dtype, as TensorFlow does.
    count = int(xp.ceil(xp.abs((limit - start) / delta)))
    return start + xp.arange(count, dtype=dtype) * delta


RANGE = register("Range", _range_kernel, same_dtype=(0, 1, 2), allowed=_RANGE_TYPES)


_PY_NUMBERS = {int, float}


def _number(value, dtype):
    return wrap_as(np.array(value, dtype.as_numpy_dtype), dtype)


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TF's name
    """Numbers from ``start`` (inclusive) to ``limit`` (exclusive) in steps of ``delta``;
    ``range(n)`` counts from 0. The dtype is the widest of the arguments' (ints give int32,
    Python floats float32) unless given."""
    if limit is None:
        start, limit = 0, start
    kinds = {type(start), type(limit), type(delta)}
    if dtype is None and kinds <= _PY_NUMBERS:
        # Fast path for Python numbers: any float gives float32, else int32 if it fits.
        if float in kinds:
            return execute(RANGE, (_number(start, D.float32), _number(limit, D.float32),
                                   _number(delta, D.float32)))
        if -2**31 <= min(start, limit, delta) and max(start, limit, delta) < 2**31:
            return execute(RANGE, (_number(start, D.int32), _number(limit, D.int32),
                                   _number(delta, D.int32)))
    if dtype is not None:
        dtype = D.as_dtype(dtype)
        args = [_in.as_tensor(v, dtype) for v in (start, limit, delta)]
    else:
        args = [_in.as_tensor(v) for v in (start, limit, delta)]
        ranked = [a.dtype for a in args if a.dtype in _RANGE_ORDER]
        widest = max(ranked, key=_RANGE_ORDER.index) if ranked else args[0].dtype
        args = [cast(a, widest) for a in args]
    for what, a in zip(("start", "limit", "delta"), args):
        if a.ndim != 0:
            raise invalid("Range", f"{what} must be a scalar, not shape {a.shape.as_list()}")
    return execute(RANGE, tuple(args))


# -- linspace ----------------------------------------------------------------------------------

def _linspace_kernel(xp, start, stop, num, axis):
    # ``num`` is an input array when it was only known at run time (then checked here).
    num = int(num)
    if num < 0:
        raise invalid("Range", f"Requires start <= limit when delta > 0: 1/{num - 1}")
    if start.shape != stop.shape:
        start, stop = xp.broadcast_arrays(start, stop)
    delta = (stop - start) / xp.asarray(max(num - 1, 1), start.dtype)
    out = start[..., None] + delta[..., None] * xp.arange(num, dtype=start.dtype)
    if num > 1:
        out[..., -1] = stop  # the end point exactly, whatever the rounding
    return out if axis == out.ndim - 1 else xp.moveaxis(out, -1, axis)


LINSPACE = register("LinSpace", _linspace_kernel, same_dtype=(0, 1), allowed=D.FLOATING)


def _count(num):
    if isinstance(num, (int, np.integer)) and not isinstance(num, bool):
        return int(num)
    arr = np.asarray(num)
    if arr.dtype.kind not in "iu" or arr.ndim != 0:
        raise TypeError(f"Argument `tensor` (name: num) must be of type integer. Received "
                        f"`tensor` = {num!r}")
    return int(arr)


def linspace(start, stop, num, name=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop`` (both included), along a new
    ``axis``; start and stop broadcast. Integer inputs give float64."""
    start = _in.as_tensor(start)
    stop = _in.as_tensor(stop, None if isinstance(stop, Tensor) else start.dtype)
    dynamic = _symbolic_int(num, "num")
    num = _count(num) if dynamic is None else dynamic
    if start.dtype.is_integer:
        start, stop = cast(start, D.float64), cast(stop, D.float64)
    if isinstance(num, int) and num < 0:
        raise invalid("Range", f"Requires start <= limit when delta > 0: 1/{num - 1}")
    if start.ndim is None or stop.ndim is None:
        # Unknown rank while tracing: the kernel places the new axis when the graph runs.
        inputs = (start, stop) if isinstance(num, int) else (start, stop, num)
        return execute(LINSPACE, inputs, {"num": num, "axis": int(axis)} if isinstance(
            num, int) else {"axis": int(axis)})
    try:
        ndim = 1 + (start.ndim if start.shape == stop.shape else len(
            np.broadcast_shapes(tuple(start.shape.dims), tuple(stop.shape.dims))))
    except ValueError:
        raise invalid("BroadcastArgs", f"Incompatible shapes: {start.shape.as_list()} vs. "
                                        f"{stop.shape.as_list()}") from None
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise invalid("ExpandDims", f"Tried to expand dim index {axis} for tensor with "
                                     f"{ndim - 1} dimensions.")
    if isinstance(num, Tensor):   # known only when the traced function runs: an input
        return execute(LINSPACE, (start, stop, num), {"axis": axis % ndim})
    return execute(LINSPACE, (start, stop), {"num": num, "axis": axis % ndim})


def _symbolic_int(value, what):
    """``value`` when it is a scalar integer tensor known only when a traced function runs;
    None otherwise."""
    if not isinstance(value, Tensor) or getattr(value, "_const", 0) is not None:
        return None
    if not value.dtype.is_integer or value.shape.rank not in (0, None):
        raise TypeError(f"Argument `{what}` must be a scalar integer, got {value!r}")
    return value


@register_gradient("LinSpace")
def _linspace_grad(op, dy):
    from ndflow.ops.reduce_ops import reduce_sum
    from ndflow.ops.math_ops import maximum
    start, stop = op.inputs[:2]
    axis = op.get_attr("axis")
    num = op.inputs[2] if len(op.inputs) == 3 else op.get_attr("num")
    # Element k is start * (1 - t_k) + stop * t_k with t_k = k / (num - 1).
    t = truediv(cast(range(num), dy.dtype), cast(maximum(num - 1, 1), dy.dtype))
    t = reshape(t, [-1] + [1] * (dy.ndim - 1 - axis))
    d_stop = reduce_sum(multiply(dy, t), axis)
    d_start = subtract(reduce_sum(dy, axis), d_stop)
    return (unbroadcast(d_start, start), unbroadcast(d_stop, stop)) + (None,) * (
        len(op.inputs) - 2)


# -- eye, meshgrid (composites: their gradients come from the ops they use) -------------------

def _dimension(value):
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, Tensor) and getattr(value, "_const", 0) is None:
        # Known only when the traced function runs: range and equal work on it as it is.
        return value if value.dtype.is_integer and value.shape.rank in (0, None) else None
    arr = np.asarray(value)
    if arr.dtype.kind in "iu" and arr.ndim == 0:
        return int(arr)
    return None


def eye(num_rows, num_columns=None, batch_shape=None, dtype=D.float32, name=None):
    """An identity matrix (ones on the main diagonal) of shape ``batch_shape + [num_rows,
    num_columns]`` (square by default)."""
    rows = _dimension(num_rows)
    cols = rows if num_columns is None else _dimension(num_columns)
    if rows is None or cols is None:
        raise TypeError(f"Arguments `num_rows` and `num_columns` must be positive integer "
                        f"values. Received: num_rows={num_rows}, num_columns={num_columns}")
    for d in (rows, cols):
        if isinstance(d, int) and d < 0:
            raise invalid("Fill", f"Dimension {d} must be >= 0")
    dtype = D.as_dtype(dtype)
    out = cast(equal(reshape(range(rows), [rows, 1]), range(cols)), dtype)
    if batch_shape is None:
        return out
    batch = [int(d) for d in (batch_shape.as_list() if hasattr(batch_shape, "as_list")
                              else np.asarray(batch_shape).reshape(-1).tolist()
                              if isinstance(batch_shape, Tensor) else batch_shape)]
    return broadcast_to(out, batch + [rows, cols])


def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D coordinate vectors: with ``indexing='xy'`` (default) the
    first two output axes are swapped (Cartesian), with ``'ij'`` they follow the inputs."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"'{next(iter(kwargs))}' is an invalid keyword argument for this "
                        f"function")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Argument `indexing` parameter must be either 'xy' or 'ij', got "
                         f"'{indexing}'")
    vectors = [reshape(_in.as_tensor(a), [-1]) for a in args]
    for i, v in enumerate(vectors[1:], 1):
        if v.dtype is not vectors[0].dtype:
            raise invalid("Mul", f"meshgrid: input #{i}(zero-based) was expected to be a "
                                  f"{vectors[0].dtype.name} tensor but is a {v.dtype.name} tensor")
    n = len(vectors)
    axes = list(builtins.range(n))
    if indexing == "xy" and n > 1:
        axes[0], axes[1] = 1, 0
    out_shape = [0] * n
    for v, a in zip(vectors, axes):
        out_shape[a] = v.shape[0]
    grids = []
    for v, a in zip(vectors, axes):
        shape = [1] * n
        shape[a] = -1
        grids.append(broadcast_to(reshape(v, shape), out_shape))
    return grids


# -- packing nested lists that hold symbolic tensors ---------------------------------------------

def pack_nested(values, dtype=None):
    """A nested list or tuple mixing tensors and Python numbers as one tensor built with Pack
    ops, as TensorFlow converts such a list while tracing (``tf.convert_to_tensor([a, b])``
    with symbolic ``a``, ``b``). The dtype is ``dtype``, else the first tensor's."""
    if dtype is None:
        dtype = _first_dtype(values)
    dtype = None if dtype is None else D.as_dtype(dtype)
    return _pack(values, dtype)


def _first_dtype(values):
    for item in values:
        if isinstance(item, (list, tuple)):
            found = _first_dtype(item)
            if found is not None:
                return found
        elif isinstance(item, Tensor) or hasattr(item, "_as_tensor"):
            return _in.as_tensor(item).dtype
    return None


def _pack(values, dtype):
    from ndflow.ops.array_ops import stack
    if not isinstance(values, (list, tuple)):
        if isinstance(values, Tensor) or hasattr(values, "_as_tensor"):
            tensor = _in.as_tensor(values)
            if dtype is not None and tensor.dtype is not dtype:
                raise TypeError(f"Cannot convert a list containing a tensor of dtype "
                                f"{tensor.dtype!r} to {dtype!r} (Tensor is: {tensor!r})")
            return tensor
        try:
            return _in.as_tensor(values, dtype)
        except (TypeError, ValueError):
            raise TypeError(f"Expected {dtype.name}, but got {values!r} of type "
                            f"'{type(values).__name__}'.") from None
    if not values:
        return _in.as_tensor([], dtype)
    return stack([_pack(item, dtype) for item in values])
