"""Operations on ragged tensors: elementwise maths and operators, concat/stack, reductions,
boolean_mask and map_flat_values. Values always move through ndflow ops so tapes see them."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import EagerTensor, Tensor, convert_to_tensor
from ndflow.ops import array_ops, gather_ops, math_ops, reduce_ops, segment_ops
from ndflow.ops.inputs import axis_list
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.ragged_tensor import RaggedTensor, _np_splits, concat_rows, gather_rows
from ndflow.structures.static_shapes import (dims_of, merge_dims, ragged_rank_of, rank_of,
                                            static_axes, static_int)
from ndflow.util import nest


def _same_splits(a, b):
    sa, sb = a.nested_row_splits, b.nested_row_splits
    if len(sa) != len(sb):
        return False
    if any(type(x) is not EagerTensor for x in sa + sb):
        # While tracing the splits are not known: shared splits are the same tensors; others
        # are compared by an assertion when the graph runs, as in TensorFlow.
        from ndflow.ops.debugging_ops import assert_equal
        for x, y in zip(sa, sb):
            if x is not y:
                assert_equal(x, y, message="Inputs must have identical ragged splits")
        return True
    return all(np.array_equal(np.asarray(x.numpy()), np.asarray(y.numpy()))
               for x, y in zip(sa, sb))


def _check_same_splits(a, b):
    if not _same_splits(a, b):
        raise errors.InvalidArgumentError(None, None, "Inputs must have identical ragged splits")


def _dense_for(rt, other):
    """``other`` (not ragged) ready to combine with ``rt.flat_values``, with TF's broadcasting:
    shapes that only reach into the uniform inner dims apply as they are; a full-rank tensor with
    size 1 on the ragged dims is repeated along them."""
    if not isinstance(other, (Tensor, np.ndarray, list, tuple)) and not hasattr(other,
                                                                                 "_as_tensor"):
        return other  # Python or NumPy scalar: the op converts it to rt's dtype
    other = convert_to_tensor(other, dtype_hint=rt.dtype)
    inner = rt.flat_values.shape.rank - 1
    rank = other.shape.rank
    if rank <= inner:
        return other
    shape = other.shape.as_list()
    k = rt.ragged_rank
    if rank == rt.shape.rank and shape[0] in (1, rt.nrows_int()) and all(
            d == 1 for d in shape[1:k + 1]):
        rows = rt._flat_positions()[:, 0] if shape[0] != 1 else np.zeros(
            rt.flat_values.shape[0], np.int64)
        squeezed = array_ops.reshape(other, [shape[0]] + shape[k + 1:])
        return gather_ops.gather(squeezed, rows)
    raise errors.InvalidArgumentError(
        None, None, f"Cannot broadcast a tensor of shape {other.shape} against a ragged tensor "
                    f"of shape {rt.shape}")


def elementwise(fn, x, y):
    """``fn(x, y)`` where either operand may be ragged (same row structure, or broadcastable)."""
    if isinstance(x, RaggedTensor):
        if isinstance(y, RaggedTensor):
            _check_same_splits(x, y)
            return x.with_flat_values(fn(x.flat_values, y.flat_values))
        return x.with_flat_values(fn(x.flat_values, _dense_for(x, y)))
    return y.with_flat_values(fn(_dense_for(y, x), y.flat_values))


def _swap(fn):
    return lambda x, y: fn(y, x)


_BINARY = {
    "add": math_ops.add, "sub": math_ops.subtract, "mul": math_ops.multiply,
    "truediv": math_ops.truediv, "floordiv": math_ops.floordiv, "mod": math_ops.floormod,
    "pow": math_ops.pow,
    # TF's ragged &, | and ^ are logical only (integers raise).
    "and": math_ops.logical_and, "or": math_ops.logical_or, "xor": math_ops.logical_xor,
}
_COMPARISONS = {"__lt__": math_ops.less, "__le__": math_ops.less_equal,
                "__gt__": math_ops.greater, "__ge__": math_ops.greater_equal,
                "__eq__": math_ops.equal, "__ne__": math_ops.not_equal}


def _install():
    for op_name, fn in _BINARY.items():
        setattr(RaggedTensor, f"__{op_name}__", lambda x, y, _fn=fn: elementwise(_fn, x, y))
        setattr(RaggedTensor, f"__r{op_name}__",
                lambda x, y, _fn=fn: elementwise(_swap(_fn), x, y))
    for op_name, fn in _COMPARISONS.items():
        setattr(RaggedTensor, op_name, lambda x, y, _fn=fn: elementwise(_fn, x, y))
    RaggedTensor.__neg__ = lambda x: x.with_flat_values(math_ops.negative(x.flat_values))
    RaggedTensor.__abs__ = lambda x: x.with_flat_values(math_ops.abs(x.flat_values))
    RaggedTensor.__invert__ = lambda x: x.with_flat_values(math_ops.logical_not(x.flat_values))
    RaggedTensor.__hash__ = object.__hash__


_install()


# ---- map_flat_values ----------------------------------------------------------------------
def map_flat_values(op, *args, **kwargs):
    """Applies ``op`` to the flat values of the ragged arguments (which must share their row
    partitions) and gives the result their row partition."""
    ragged = [x for x in nest.flatten((args, kwargs)) if isinstance(x, RaggedTensor)]
    if not ragged:
        return op(*args, **kwargs)
    for other in ragged[1:]:
        if not _same_splits(ragged[0], other):
            raise errors.InvalidArgumentError(
                None, None, "map_flat_values: the ragged arguments have incompatible row_splits")
    args, kwargs = nest.map_structure(
        lambda x: x.flat_values if isinstance(x, RaggedTensor) else x, (args, kwargs))
    return ragged[0].with_flat_values(op(*args, **kwargs))


# ---- concat and stack ---------------------------------------------------------------------
def _as_ragged_parts(values):
    values = list(values)
    rank = next(v.ragged_rank for v in values if isinstance(v, RaggedTensor))
    parts = [v if isinstance(v, RaggedTensor) else RaggedTensor.from_tensor(v, ragged_rank=rank)
             for v in values]
    if any(p.ragged_rank != rank for p in parts):
        raise ValueError("ndflow concatenates ragged tensors of one ragged_rank only")
    dtype = parts[0].dtype
    for i, p in enumerate(parts[1:], 1):
        if p.dtype != dtype:
            raise errors.InvalidArgumentError(
                None, None, f"cannot compute ConcatV2 as input #{i}(zero-based) was expected to "
                            f"be a {dtype.name} tensor but is a {p.dtype.name} tensor")
    return parts


def _axis(axis, rank, what):
    axis = int(np.asarray(axis.numpy())) if isinstance(axis, Tensor) else int(axis)
    if not -rank <= axis < rank:
        raise ValueError(f"{what}: axis={axis} out of bounds for rank {rank}")
    return axis % rank


def _joined_dims(values):
    """The static dims of ``values`` merged position by position, and the largest ragged rank
    among them (None when a rank is unknown or no value is ragged: a dense join)."""
    dims = [dims_of(v) for v in values]
    if any(d is None for d in dims) or len({len(d) for d in dims}) != 1 or \
            not any(isinstance(v, RaggedTensor) for v in values):
        return None, 0
    return [merge_dims(*column) for column in zip(*dims)], max(map(ragged_rank_of, values))


def _concat_shape(values, axis, name=None):
    # Rows add up along axis 0; the ragged dimensions of the result are unknown.
    values = list(values)
    out, ragged_rank = _joined_dims(values)
    axis = static_int(axis)
    if out is None or axis is None:
        return None
    if axis % len(out) == 0:
        rows = [dims_of(v)[0] for v in values]
        out[0] = None if None in rows else sum(rows)
    return out[:1] + [None] * ragged_rank + out[ragged_rank + 1:]


@host_function(shape=_concat_shape, type_name="RaggedConcat")
def concat(values, axis, name=None):
    """Concatenates ragged (and dense) tensors along ``axis`` 0 or 1, as ``tf.concat``."""
    values = list(values)
    if not any(isinstance(v, RaggedTensor) for v in values):
        return array_ops.concat(values, axis)
    if len(values) == 1:
        return values[0]
    parts = _as_ragged_parts(values)
    axis = _axis(axis, parts[0].shape.rank, "concat")
    if axis == 0:
        return concat_rows(parts)
    if axis != 1:
        raise NotImplementedError("ndflow concatenates ragged tensors along axis 0 or 1 only")
    n = parts[0].nrows_int()
    for i, p in enumerate(parts[1:], 1):
        if p.nrows_int() != n:
            raise errors.InvalidArgumentError(
                None, None, f"Input tensors at index 0 (=x) and {i} (=y) have incompatible "
                            f"shapes: {n} and {p.nrows_int()} rows")
    # Row i of the result is row i of every part, joined: gather those values' rows.
    combined = concat_rows(parts)
    bases = np.cumsum([0] + [int(p._splits[-1]) for p in parts])
    picks, lengths = [], np.zeros(n, np.int64)
    part_splits = [p._splits for p in parts]
    for i in range(n):
        for j, splits in enumerate(part_splits):
            lo, hi = splits[i], splits[i + 1]
            picks.append(np.arange(lo, hi) + bases[j])
            lengths[i] += hi - lo
    picks = np.concatenate(picks) if picks else np.zeros(0, np.int64)
    splits = np.concatenate([[0], np.cumsum(lengths)])
    return RaggedTensor(gather_rows(combined.values, picks),
                        _np_splits(splits, parts[0].row_splits_dtype), internal=True)


def _stack_shape(values, axis=0, name=None):
    # A new dimension of len(values) at ``axis``; the dimensions after the outer one are
    # ragged (unknown) up to the new ragged rank.
    values = list(values)
    out, ragged_rank = _joined_dims(values)
    axis = static_int(axis)
    if out is None or axis is None:
        return None
    out.insert(axis % (len(out) + 1), len(values))
    return out[:1] + [None] * (ragged_rank + 1) + out[ragged_rank + 2:]


@host_function(shape=_stack_shape, type_name="RaggedStack")
def stack(values, axis=0, name=None):
    """Stacks ragged (and dense) tensors along a new ``axis`` 0 or 1, as ``tf.stack``."""
    values = list(values)
    if not any(isinstance(v, RaggedTensor) for v in values):
        return array_ops.stack(values, axis)
    parts = _as_ragged_parts(values)
    axis = _axis(axis, parts[0].shape.rank + 1, "stack")
    k = len(parts)
    dtype = parts[0].row_splits_dtype
    if axis == 0:
        splits = np.cumsum([0] + [p.nrows_int() for p in parts])
        return RaggedTensor(concat_rows(parts), _np_splits(splits, dtype), internal=True)
    if axis != 1:
        raise NotImplementedError("ndflow stacks ragged tensors along axis 0 or 1 only")
    n = parts[0].nrows_int()
    if any(p.nrows_int() != n for p in parts):
        raise errors.InvalidArgumentError(None, None, "stack: inputs must have the same nrows")
    offsets = np.arange(k) * n
    picks = (offsets[None, :] + np.arange(n)[:, None]).ravel()
    return RaggedTensor(gather_rows(concat_rows(parts), picks),
                        _np_splits(np.arange(n + 1) * k, dtype), internal=True)


# ---- boolean_mask -------------------------------------------------------------------------
def _mask_shape(data, mask, name=None):
    # A 1-D mask selects rows (their number unknown); a k-D mask keeps the rows and makes the
    # k - 1 masked dimensions after them ragged.
    dims, k = dims_of(data), rank_of(mask)
    if dims is None or k is None:
        return None
    if k == 1:
        return [None] + dims[1:]
    return [merge_dims(dims[0], dims_of(mask)[0])] + [None] * (k - 1) + dims[k:]


@host_function(shape=_mask_shape, type_name="RaggedBooleanMask")
def boolean_mask(data, mask, name=None):
    """Keeps the items of ``data`` where ``mask`` is True; a ragged mask matches ``data``'s
    ragged structure, a dense 1-D mask selects rows."""
    if not isinstance(mask, RaggedTensor):
        mask_arr = np.asarray(convert_to_tensor(mask, dtypes.bool).numpy())
        if mask_arr.ndim > 1:
            # As TF: a k-D dense mask is the ragged mask of its own (uniform) rows, and the
            # masked dimensions of the result are ragged.
            k = mask_arr.ndim - 1
            if not isinstance(data, RaggedTensor):
                data = RaggedTensor.from_tensor(data, ragged_rank=k)
            return boolean_mask(data, RaggedTensor.from_tensor(mask_arr, ragged_rank=k))
        if not isinstance(data, RaggedTensor):
            return gather_ops.boolean_mask(data, mask_arr)
        if mask_arr.shape[0] != data.nrows_int():
            raise errors.InvalidArgumentError(
                None, None, f"boolean_mask: mask has {mask_arr.shape[0]} rows but data has "
                            f"{data.nrows_int()}")
        rows = gather_rows(data, np.flatnonzero(mask_arr))
        # As TF: the masked dimension is ragged even when data's rows were uniform.
        return RaggedTensor(rows.values, rows.row_splits, internal=True)
    if mask.dtype is not dtypes.bool:
        raise TypeError(f"mask must have dtype bool, got {mask.dtype.name}")
    if not isinstance(data, RaggedTensor) or not _same_splits(data, mask):
        raise errors.InvalidArgumentError(None, None, "Inputs must have identical ragged splits")
    keep = np.asarray(mask.flat_values.numpy())
    if keep.ndim != 1:
        raise NotImplementedError("ndflow: a ragged mask needs 1-D flat values")
    kept = np.concatenate([[0], np.cumsum(keep)])
    splits = [np.asarray(s.numpy()) for s in data.nested_row_splits]
    splits[-1] = kept[splits[-1]]
    flat = gather_ops.gather(data.flat_values, np.flatnonzero(keep))
    dtype = data.row_splits_dtype
    return RaggedTensor.from_nested_row_splits(
        flat, [_np_splits(s, dtype) for s in splits], validate=False)


# ---- reductions ---------------------------------------------------------------------------
_DENSE = {"sum": reduce_ops.reduce_sum, "mean": reduce_ops.reduce_mean,
          "max": reduce_ops.reduce_max, "min": reduce_ops.reduce_min}
_SEGMENT = {"sum": segment_ops.unsorted_segment_sum, "max": segment_ops.unsorted_segment_max,
            "min": segment_ops.unsorted_segment_min}


def _segment(kind, data, ids, num):
    return _SEGMENT[kind](data, ids, num)


def _replace_innermost(rt, values):
    """``rt`` with its innermost ragged level replaced by ``values`` (the outer partitions,
    uniform ones included, stay)."""
    if not isinstance(rt.values, RaggedTensor):
        return values
    return rt.with_values(_replace_innermost(rt.values, values))


def _reduce_axis(kind, rt, axis):
    k = rt.ragged_rank
    if axis > k:
        return rt.with_flat_values(_DENSE[kind](rt.flat_values, axis=axis - k))
    if axis == k:
        inner = rt
        while isinstance(inner.values, RaggedTensor):
            inner = inner.values
        reduced = _segment(kind, rt.flat_values, inner._rowids(), inner.nrows_int())
        return _replace_innermost(rt, reduced)
    if axis == 0 and k == 1:
        columns = rt._flat_positions()[:, 1]
        width = int(np.diff(rt._splits).max()) if rt.nrows_int() else 0
        return _segment(kind, rt.values, columns, width)
    if 2 <= axis < k:
        # Below the rows, each row's items reduce on their own: reduce the stacked items.
        return rt.with_values(_reduce_axis(kind, rt.values, axis - 1))
    if axis == 1 and k == 2:
        return _reduce_inner_rows(kind, rt)
    raise NotImplementedError(
        f"ndflow reduces a ragged tensor of ragged_rank {k} along axis {axis} only when the "
        f"axis is the innermost ragged one or a uniform one")


def _reduce_shape(kind, input_tensor, axis, keepdims):
    # The input's static dimensions without the reduced axes (size 1 with keepdims).
    dims = dims_of(input_tensor)
    axes = None if dims is None else static_axes(axis, len(dims))
    if axes is None:
        return None
    if keepdims:
        return [1 if i in axes else d for i, d in enumerate(dims)]
    return [d for i, d in enumerate(dims) if i not in axes]


def _reduce_inner_rows(kind, rt):
    """Reduces axis 1 of a ragged_rank-2 ``rt``: row i of the result combines the inner rows of
    row i position by position, so it is as long as the longest of them."""
    inner = rt.values
    outer_of_inner = rt._rowids()
    lengths = np.diff(inner._splits)
    width = np.zeros(rt.nrows_int(), np.int64)
    np.maximum.at(width, outer_of_inner, lengths)
    splits = np.concatenate([[0], np.cumsum(width)]).astype(np.int64)
    positions = inner._flat_positions()
    segments = splits[outer_of_inner[positions[:, 0]]] + positions[:, 1]
    reduced = _segment(kind, inner.values, segments, int(splits[-1]))
    return RaggedTensor(reduced, _np_splits(splits, rt.row_splits_dtype), internal=True)


@host_function(shape=_reduce_shape, type_name="RaggedReduce")
def _reduce(kind, input_tensor, axis, keepdims):
    if not isinstance(input_tensor, RaggedTensor):
        return _DENSE[kind](input_tensor, axis=axis, keepdims=keepdims)
    rank = input_tensor.shape.rank
    axes = axis_list(axis, rank)
    if kind == "mean":
        # Sum over count of the values present (TF averages integers in float64).
        if not input_tensor.dtype.is_floating:
            input_tensor = input_tensor._cast_composite(dtypes.float64)
        ones = input_tensor.with_flat_values(array_ops.ones_like(input_tensor.flat_values))
        total, count = (_reduce("sum", input_tensor, axis, keepdims),
                        _reduce("sum", ones, axis, keepdims))
        if isinstance(total, RaggedTensor):
            mean = elementwise(math_ops.truediv, total, count)
            # TF's ragged mean reports every ragged level as ragged, uniform or not.
            return RaggedTensor.from_nested_row_splits(mean.flat_values, mean.nested_row_splits,
                                                       validate=False)
        return math_ops.truediv(total, count)
    if axis is None:
        result = _DENSE[kind](input_tensor.flat_values)
    else:
        result = input_tensor
        for i, a in enumerate(sorted(axes, reverse=True)):
            if isinstance(result, RaggedTensor):
                result = _reduce_axis(kind, result, a)
            else:
                result = _DENSE[kind](result, axis=list(sorted(axes)[:len(axes) - i]))
                break
    if keepdims:
        if isinstance(result, RaggedTensor):
            raise NotImplementedError("ndflow: keepdims on a ragged result")
        for a in axes:
            result = array_ops.expand_dims(result, a)
    return result


def reduce_sum(input_tensor, axis=None, keepdims=False, name=None):
    """Sum over ``axis`` of a ragged tensor (missing values count as 0)."""
    return _reduce("sum", input_tensor, axis, keepdims)


def reduce_mean(input_tensor, axis=None, keepdims=False, name=None):
    """Mean over ``axis`` of the values present (NaN for empty rows)."""
    return _reduce("mean", input_tensor, axis, keepdims)


def reduce_max(input_tensor, axis=None, keepdims=False, name=None):
    """Maximum over ``axis`` (the dtype's lowest value for empty rows)."""
    return _reduce("max", input_tensor, axis, keepdims)


def reduce_min(input_tensor, axis=None, keepdims=False, name=None):
    """Minimum over ``axis`` (the dtype's highest value for empty rows)."""
    return _reduce("min", input_tensor, axis, keepdims)
