"""Ordering ops: sort, argsort, unique, unique_with_counts, searchsorted, invert_permutation.

Sorting follows TensorFlow (which sorts with top_k): ties keep their input order in both
directions. NaNs sort as the largest values (TensorFlow leaves their place undefined). The
gradient of ``sort`` moves each output gradient back to the position its value came from, with
the private ``_PermuteAlongAxis`` op.
"""
import collections

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register, register_gradient

# Top-level names; invert_permutation belongs to ndflow.math only, as in TensorFlow.
__all__ = ["sort", "argsort", "unique", "unique_with_counts", "searchsorted"]

_BAD = errors.InvalidArgumentError
_DIRECTIONS = {"ASCENDING": False, "DESCENDING": True}


def _argsort(xp, x, axis, descending):
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    # Descending and stable: sort the reversed input, then map positions back.
    order = xp.argsort(xp.flip(x, axis), axis=axis, kind="stable")
    return (x.shape[axis] - 1) - xp.flip(order, axis)


def _sort_kernel(xp, x, axis, descending):
    out = xp.sort(x, axis=axis)
    return xp.flip(out, axis) if descending else out


SORT = register("Sort", _sort_kernel, allowed=D.REAL)
ARGSORT = register("ArgSort", lambda xp, x, axis, descending:
                   _argsort(xp, x, axis, descending).astype(np.int32), allowed=D.REAL)
PERMUTE = register("_PermuteAlongAxis", lambda xp, x, perm, axis:
                   xp.take_along_axis(x, perm, axis))


def _sort_args(values, axis, direction):
    x = _in.as_tensor(values)
    if direction not in _DIRECTIONS:
        raise ValueError("Argument `direction` should be one of ASCENDING, DESCENDING. "
                         f"Received: direction={direction}")
    axis = int(_in.as_tensor(axis).numpy()) if hasattr(axis, "numpy") else int(axis)
    if not -x.ndim <= axis < x.ndim:
        raise op_error(_BAD, "Sort", f"axis {axis} is out of bounds for a tensor of rank "
                       f"{x.ndim}")
    return x, {"axis": axis % x.ndim, "descending": _DIRECTIONS[direction]}


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``values`` sorted along ``axis``."""
    x, attrs = _sort_args(values, axis, direction)
    return execute(SORT, (x,), attrs)


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """int32 indices that sort ``values`` along ``axis`` (always stable: ties keep their order)."""
    x, attrs = _sort_args(values, axis, direction)
    return execute(ARGSORT, (x,), attrs)


@register_gradient("Sort")
def _sort_grad(op, dy):
    axis = op.get_attr("axis")
    order = execute(ARGSORT, (op.inputs[0],), op.attrs)
    inverse = execute(ARGSORT, (order,), {"axis": axis, "descending": False})
    return (execute(PERMUTE, (dy, inverse), {"axis": axis}),)


@register_gradient("_PermuteAlongAxis")
def _permute_grad(op, dy):
    axis = op.get_attr("axis")
    inverse = execute(ARGSORT, (op.inputs[1],), {"axis": axis, "descending": False})
    return execute(PERMUTE, (dy, inverse), {"axis": axis}), None


# ---------------------------------------------------------------------------------------------
# unique

UniqueOutput = collections.namedtuple("Unique", ["y", "idx"])
UniqueWithCountsOutput = collections.namedtuple("UniqueWithCounts", ["y", "idx", "count"])
_OUT_IDX = frozenset((D.int32, D.int64))


def _unique(xp, x, op_name):
    if x.ndim != 1:
        raise op_error(_BAD, op_name, "unique expects a 1D vector.")
    # NaNs are all distinct, as in TensorFlow; values keep the order of first occurrence.
    _, first, inverse = xp.unique(x, return_index=True, return_inverse=True, equal_nan=False)
    order = xp.argsort(first, kind="stable")
    rank = xp.empty_like(order)
    rank[order] = xp.arange(order.size)
    return x[first[order]], rank[inverse.reshape(-1)]


def _unique_kernel(xp, x, out_idx):
    y, idx = _unique(xp, x, "Unique")
    return y, idx.astype(out_idx)


def _unique_with_counts_kernel(xp, x, out_idx):
    y, idx = _unique(xp, x, "UniqueWithCounts")
    return y, idx.astype(out_idx), xp.bincount(idx, minlength=y.size).astype(out_idx)


UNIQUE = register("Unique", _unique_kernel, num_outputs=2)
UNIQUE_WITH_COUNTS = register("UniqueWithCounts", _unique_with_counts_kernel, num_outputs=3)


def _out_idx(dtype, op_name, attr="out_idx"):
    dtype = D.as_dtype(dtype)
    if dtype not in _OUT_IDX:
        raise op_error(_BAD, op_name, f"Value for attr '{attr}' of {dtype.name} is not in the "
                       "list of allowed values: int32, int64")
    return dtype.as_numpy_dtype


def unique(x, out_idx=D.int32, name=None):
    """The distinct values of a 1-D tensor in order of first occurrence (``y``) and, for each
    input entry, the position of its value in ``y`` (``idx``)."""
    t = _in.as_tensor(x)
    return UniqueOutput(*execute(UNIQUE, (t,), {"out_idx": _out_idx(out_idx, "Unique")}))


def unique_with_counts(x, out_idx=D.int32, name=None):
    """Like ``unique``, plus how many times each distinct value occurs (``count``)."""
    t = _in.as_tensor(x)
    return UniqueWithCountsOutput(*execute(
        UNIQUE_WITH_COUNTS, (t,), {"out_idx": _out_idx(out_idx, "UniqueWithCounts")}))


# ---------------------------------------------------------------------------------------------
# searchsorted and invert_permutation

def _bound_kernel(side, op_name):
    def kernel(xp, sorted_sequence, values, out_type):
        rows = sorted_sequence.reshape(-1, sorted_sequence.shape[-1])
        queries = values.reshape(-1, values.shape[-1])
        if rows.shape[0] != queries.shape[0]:
            raise op_error(_BAD, op_name, "Leading dim_size of both tensors must match.")
        out = xp.empty(queries.shape, dtype=out_type)
        for r in range(rows.shape[0]):
            out[r] = xp.searchsorted(rows[r], queries[r], side=side)
        return out.reshape(values.shape)
    return kernel


LOWER_BOUND = register("LowerBound", _bound_kernel("left", "LowerBound"), same_dtype=(0, 1),
                       allowed=D.REAL)
UPPER_BOUND = register("UpperBound", _bound_kernel("right", "UpperBound"), same_dtype=(0, 1),
                       allowed=D.REAL)


def searchsorted(sorted_sequence, values, side="left", out_type=D.int32, name=None):
    """For each value, the index in the innermost dimension of ``sorted_sequence`` where it
    would be inserted to keep it sorted (before equal entries for side='left', after for
    'right'); the leading dimensions of both inputs pair up rows."""
    if side not in ("left", "right"):
        raise ValueError("Argument `side` must be either 'right' or 'left'. Received: `side` = "
                         f"'{side}'.")
    op = LOWER_BOUND if side == "left" else UPPER_BOUND
    s, v = _in.as_tensor(sorted_sequence), _in.as_tensor(values)
    if s.ndim == 0 or v.ndim == 0:
        raise op_error(_BAD, op.name, f"sorted_sequence and values must be at least 1-D, got "
                       f"shapes {s.shape} and {v.shape}")
    return execute(op, (s, v), {"out_type": _out_idx(out_type, op.name, "out_type")})


def _invert_permutation_kernel(xp, x):
    if x.ndim != 1:
        raise op_error(_BAD, "InvertPermutation", "invert_permutation expects a 1D vector.")
    n = x.size
    if n and (int(x.min()) < 0 or int(x.max()) >= n):
        bad = int(x[(x < 0) | (x >= n)][0])
        raise op_error(_BAD, "InvertPermutation", f"{bad} is not between 0 and {n}")
    out = xp.full(n, -1, dtype=x.dtype)
    out[x] = xp.arange(n, dtype=x.dtype)
    if n and bool((out < 0).any()):
        counts = xp.bincount(x, minlength=n)
        raise op_error(_BAD, "InvertPermutation",
                       f"{int(xp.argmax(counts > 1))} is duplicated in the input.")
    return out


INVERT_PERMUTATION = register("InvertPermutation", _invert_permutation_kernel, allowed=_OUT_IDX)


def invert_permutation(x, name=None):
    """The inverse of a permutation of 0..n-1: ``y[x[i]] = i``."""
    return execute(INVERT_PERMUTATION, (_in.as_tensor(x),))
