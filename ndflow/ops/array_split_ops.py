"""Joining and cutting tensors: concat, split and slice.

Re-exported by ``array_ops`` (import these functions from there). Inside a traced function the
rank or the split dimension may be unknown: the wrappers then leave the checks that need them
to the kernels, which run with the real arrays.
"""
import builtins  # ``slice`` below is TensorFlow's, not the builtin

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework.tensor import Tensor
from ndflow.ops import inputs as _in
from ndflow.ops.array_ops import (_same_dtype_tensors, int_values, invalid, scalar_int,
                                  stack)
from ndflow.ops.registry import execute, register, register_gradient

__all__ = ['concat', 'split', 'slice']

_INDEX_TYPES = (D.int32, D.int64)


def _symbolic(value):
    """Whether ``value`` is a tensor whose value is only known when a traced function runs."""
    return isinstance(value, Tensor) and getattr(value, "_const", 0) is None


# -- concat ------------------------------------------------------------------------------------

def _concat_kernel(xp, *xs, axis):
    try:
        return xp.concatenate(xs, axis=axis)
    except (ValueError, np.exceptions.AxisError):
        # Diagnose only on failure, so the common case pays for no shape checks.
        first = xs[0].shape
        if not first:
            raise invalid("ConcatV2", "ConcatOp : Can't concatenate scalars (use tf.stack "
                                      "instead)") from None
        if not -len(first) <= axis < len(first):
            raise invalid("ConcatV2", f"ConcatOp : Expected concatenating dimensions in the "
                                      f"range [{-len(first)}, {len(first)}), but got "
                                      f"{axis}") from None
        for i, x in enumerate(xs[1:], 1):
            if x.ndim != len(first):
                raise invalid("ConcatV2", f"ConcatOp : Ranks of all input tensors should "
                                           f"match: shape[0] = {list(first)} vs. shape[{i}] = "
                                           f"{list(x.shape)}") from None
            for d, (a, b) in enumerate(zip(first, x.shape)):
                if d != axis % len(first) and a != b:
                    raise invalid("ConcatV2", f"ConcatOp : Dimension {d} in both shapes must "
                                               f"be equal: shape[0] = {list(first)} vs. "
                                               f"shape[{i}] = {list(x.shape)}") from None
        raise


CONCAT = register("ConcatV2", _concat_kernel)


def concat(values, axis, name="concat"):
    """Joins tensors along an existing ``axis``; all other dimensions must agree."""
    if not isinstance(values, (list, tuple)):
        values = [values]
    axis = scalar_int(axis)
    if len(values) == 1:
        return _in.as_tensor(values[0])
    if not values:
        raise invalid("ConcatV2", "ConcatV2 needs at least one input tensor (got an empty list)")
    tensors = _same_dtype_tensors(values, "ConcatV2")
    rank = next((t.ndim for t in tensors if t.ndim is not None), None)
    if rank is None:          # unknown rank while tracing: the kernel checks the axis
        return execute(CONCAT, tuple(tensors), {"axis": axis})
    if rank == 0:
        raise invalid("ConcatV2", "ConcatOp : Can't concatenate scalars (use tf.stack instead)")
    if not -rank <= axis < rank:
        raise invalid("ConcatV2", f"ConcatOp : Expected concatenating dimensions in the range "
                                   f"[{-rank}, {rank}), but got {axis}")
    return execute(CONCAT, tuple(tensors), {"axis": axis % rank})


def _sizes_along(tensors, axis):
    """The sizes of ``tensors`` along ``axis``: a list when all are known while tracing, else
    a 1-D int tensor computed when the graph runs."""
    from ndflow.ops.array_shape_ops import shape
    if all(t.shape.rank is not None and t.shape[axis] is not None for t in tensors):
        return [t.shape[axis] for t in tensors]
    return stack([shape(t)[axis] for t in tensors])


@register_gradient("ConcatV2")
def _concat_grad(op, dy):
    axis = op.get_attr("axis")
    return tuple(split(dy, _sizes_along(op.inputs, axis), axis))


# -- split -------------------------------------------------------------------------------------

def _split_kernel(xp, x, num_split, axis):
    if not -x.ndim <= axis < x.ndim:
        raise invalid("Split", f"-input rank(-{x.ndim}) <= split_dim < input rank ({x.ndim}), "
                               f"but got {axis}")
    axis %= x.ndim
    size = x.shape[axis]
    if size % num_split:
        raise invalid("Split", f"Number of ways to split should evenly divide the split "
                               f"dimension, but got split_dim {axis} (size = {size}) and "
                               f"num_split {num_split}")
    step = size // num_split
    lead = (builtins.slice(None),) * axis
    return tuple(x[lead + (builtins.slice(i * step, (i + 1) * step),)]
                 for i in builtins.range(num_split))


def _splitv_kernel(xp, x, *sizes, size_splits=None, axis, num_split=None):
    # ``sizes`` is the sizes tensor when it was only known at run time (num_split then says
    # how many pieces); a -1 (the rest) is resolved here when the dimension was unknown.
    if not -x.ndim <= axis < x.ndim:
        raise invalid("SplitV", f"-input rank(-{x.ndim}) <= split_dim < input rank "
                                f"({x.ndim}), but got {axis}")
    axis %= x.ndim
    if sizes or -1 in size_splits:
        size_splits = _size_splits(sizes[0] if sizes else size_splits, x.shape[axis], num_split)
    lead = (builtins.slice(None),) * axis
    pieces, begin = [], 0
    for size in size_splits:
        pieces.append(x[lead + (builtins.slice(begin, begin + size),)])
        begin += size
    return tuple(pieces)


SPLIT = register("Split", _split_kernel, num_outputs=None,
                 infer=lambda dtypes, attrs: [dtypes[0]] * attrs["num_split"])
SPLITV = register("SplitV", _splitv_kernel, num_outputs=None,
                  infer=lambda dtypes, attrs: [dtypes[0]] * (
                      attrs.get("num_split") or len(attrs["size_splits"])))


def _size_splits(sizes, dim, num):
    """The piece sizes, with a -1 resolved against ``dim``; ``dim`` None (unknown while
    tracing) keeps the -1 and leaves the checks to the kernel."""
    arr = int_values(sizes, "Tlen", "SplitV")
    if arr.ndim != 1 or num is not None and num != arr.size:
        raise invalid("SplitV", f"size of the split_tensor must be 1-D and have the same "
                                 f"elements as outputs got {arr.ndim} -D and {arr.size} elements")
    if arr.size == 0:
        raise invalid("SplitV", "Value for attr 'num_split' of 0 must be at least minimum 1")
    sizes = [int(s) for s in arr]
    unknown = sizes.count(-1)
    if unknown > 1:
        raise invalid("SplitV", "There can only be one -1 in the input.")
    if dim is None:
        return tuple(sizes)
    known = sum(s for s in sizes if s != -1)
    if len(sizes) == 1 and sizes[0] != dim:
        raise invalid("SplitV", f"If there is only one output, it must have the same size as "
                                 f"the input. Input size: {dim} output size: {sizes[0]}")
    if any(s < -1 for s in sizes) or (known != dim if not unknown else known > dim):
        raise invalid("SplitV", f"Determined shape must either match input shape along "
                                 f"split_dim exactly if fully specified, or be less than the size "
                                 f"of the input along split_dim if not fully specified. Got: "
                                 f"{known}")
    return tuple(dim - known if s == -1 else s for s in sizes)


def _symbolic_split(x, sizes, axis, num):
    """SplitV with sizes known only at run time; the piece count must be static."""
    count = sizes.shape[0] if sizes.shape.rank == 1 else None
    if sizes.dtype not in _INDEX_TYPES:
        raise invalid("SplitV", f"Value for attr 'Tlen' of {sizes.dtype.name} is not in the "
                                 f"list of allowed values: int32, int64")
    if num is None and count is None:
        raise ValueError(f"Cannot infer argument `num` from shape {sizes.shape}")
    return list(execute(SPLITV, (x, sizes), {"axis": axis, "num_split": num or count}))


def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits ``value`` along ``axis`` into ``num_or_size_splits`` equal pieces (an int) or
    pieces of the given sizes (a list; one size may be -1, meaning the rest)."""
    x = _in.as_tensor(value)
    axis = scalar_int(axis)
    rank = x.ndim
    count = isinstance(num_or_size_splits, (int, np.integer)) and \
        not isinstance(num_or_size_splits, bool)
    op_name = "Split" if count else "SplitV"
    if _symbolic(num_or_size_splits):
        if num_or_size_splits.shape.rank == 0:
            raise ValueError(f"Rank-0 tensors are not supported as the num_or_size_splits "
                             f"argument to split. Argument provided: {num_or_size_splits!r}")
    elif not count and np.ndim(num_or_size_splits) == 0:
        raise ValueError(f"Rank-0 tensors are not supported as the num_or_size_splits argument "
                         f"to split. Argument provided: {num_or_size_splits!r}")
    if rank is not None:
        if not -rank <= axis < rank:
            raise invalid(op_name, f"-input rank(-{rank}) <= split_dim < input rank ({rank}), "
                                   f"but got {axis}")
        axis %= rank
    dim = None if rank is None else x.shape[axis]
    if _symbolic(num_or_size_splits):
        return _symbolic_split(x, num_or_size_splits, axis, num)
    if not count:
        sizes = _size_splits(num_or_size_splits, dim, num)
        return list(execute(SPLITV, (x,), {"size_splits": sizes, "axis": axis}))
    n = int(num_or_size_splits)
    if n < 1:
        raise invalid("Split", f"Value for attr 'num_split' of {n} must be at least minimum 1")
    if dim is not None and dim % n:
        raise invalid("Split", f"Number of ways to split should evenly divide the split "
                                f"dimension, but got split_dim {axis} (size = {dim}) and "
                                f"num_split {n}")
    return list(execute(SPLIT, (x,), {"num_split": n, "axis": axis}))


@register_gradient("Split")
def _split_grad(op, *dys):
    return (concat(list(dys), op.get_attr("axis")),)


@register_gradient("SplitV")
def _splitv_grad(op, *dys):
    return (concat(list(dys), op.get_attr("axis")),) + (None,) * (len(op.inputs) - 1)


# -- slice -------------------------------------------------------------------------------------

def _slice_kernel(xp, x, begin, size):
    rank = x.ndim
    if begin.shape != (rank,) or size.shape != (rank,):
        raise invalid("Slice", f"Expected begin and size arguments to be 1-D tensors of size "
                               f"{rank}, but got shapes {list(begin.shape)} and "
                               f"{list(size.shape)} instead.")
    index = []
    for i, (b, s, d) in enumerate(zip(begin.tolist(), size.tolist(), x.shape)):
        if not 0 <= b <= d:
            raise invalid("Slice", f"Expected begin[{i}] in [0, {d}], but got {b}")
        if s == -1:
            s = d - b
        if not 0 <= s <= d - b:
            raise invalid("Slice", f"Expected size[{i}] in [0, {d - b}], but got {s}")
        index.append(builtins.slice(b, b + s))
    return x[tuple(index)]


SLICE = register("Slice", _slice_kernel, same_dtype=(1, 2))


def slice(input_, begin, size, name=None):  # noqa: A001 - TensorFlow's name
    """The ``size``-sized block of ``input_`` starting at ``begin`` (a size of -1 takes the
    rest of that dimension)."""
    x = _in.as_tensor(input_)
    begin_t, size_t = _in.binary(begin, size)
    if begin_t.dtype not in _INDEX_TYPES:
        raise invalid("Slice", f"Value for attr 'Index' of {begin_t.dtype.name} is not in the "
                               f"list of allowed values: int32, int64")
    return execute(SLICE, (x, begin_t, size_t))


@register_gradient("Slice")
def _slice_grad(op, dy):
    from ndflow.ops.array_shape_ops import pad, shape
    from ndflow.ops.math_ops import cast, subtract
    x, begin, _ = op.inputs
    begin = cast(begin, D.int32)
    after = subtract(subtract(shape(x), begin), shape(op.outputs))
    return pad(dy, stack([begin, after], axis=1)), None, None

