"""Shape-changing ops on SparseTensors: ``sparse.reshape``, ``expand_dims``, ``split``, ``eye``.

Only indices and shapes change here; values either pass through untouched (reshape, expand_dims,
so gradients flow to them unchanged) or are partitioned by ``SparseSplit`` (which TensorFlow, and
so ndflow, does not differentiate).
"""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops import array_create_ops, math_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.sparse_ops import _np
from ndflow.structures.sparse_tensor import SparseTensor
from ndflow.structures.static_shapes import static_int, static_ints
from ndflow.framework.static_value import get_static_value


def _require_sparse(sp_input):
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sp_input


def _shape_text(shape):
    return "[" + ",".join(str(int(s)) for s in shape) + "]"


# ---- SparseReshape ---------------------------------------------------------------------------
def _reshape_kernel(xp, indices, input_shape, new_shape):
    unknown = [i for i, s in enumerate(new_shape.tolist()) if s == -1]
    if len(unknown) > 1:
        raise op_error(errors.InvalidArgumentError, "SparseReshape",
                       f"only one output dimension may be -1, not both {unknown[0]} and "
                       f"{unknown[1]}")
    for i, s in enumerate(new_shape.tolist()):
        if s < -1:
            raise op_error(errors.InvalidArgumentError, "SparseReshape",
                           f"size {i} must be non-negative, not {s}")
    dense_size = int(np.prod(input_shape.tolist(), dtype=np.int64))
    known = int(np.prod([s for s in new_shape.tolist() if s != -1], dtype=np.int64))
    out_shape = new_shape.astype(np.int64).copy()
    if unknown:
        if known == 0 or dense_size % known:
            shown = out_shape.copy()
            shown[unknown[0]] = 1  # TensorFlow's message shows the unknown size as 1
            raise op_error(errors.InvalidArgumentError, "SparseReshape",
                           f"Input to reshape is a SparseTensor with {dense_size} dense values, "
                           f"but the requested shape requires a multiple of {known}. "
                           f"input_shape={_shape_text(input_shape)} "
                           f"output_shape={_shape_text(shown)}")
        out_shape[unknown[0]] = dense_size // known
    elif known != dense_size:
        raise op_error(errors.InvalidArgumentError, "SparseReshape",
                       f"Input to reshape is a tensor with {dense_size} dense values, but the "
                       f"requested shape has {known}. input_shape={_shape_text(input_shape)} "
                       f"output_shape={_shape_text(out_shape)}")
    n = indices.shape[0]
    if n == 0:
        return xp.zeros((0, out_shape.shape[0]), np.int64), out_shape
    # Row-major linear positions keep the input's entry order (no re-sorting, as TensorFlow).
    linear = xp.zeros(n, np.int64)
    for d, size in enumerate(input_shape.tolist()):
        linear = linear * int(size) + indices[:, d]
    new = xp.zeros((n, out_shape.shape[0]), np.int64)
    for d in range(out_shape.shape[0] - 1, -1, -1):
        size = int(out_shape[d])
        new[:, d] = linear % size if size else 0
        linear = linear // size if size else linear
    return new, out_shape


RESHAPE = register("SparseReshape", _reshape_kernel, num_outputs=2,
                   infer=output_dtypes(dtypes.int64, dtypes.int64))


def reshape(sp_input, shape, name=None):
    """A SparseTensor with the same entries laid out in ``shape`` (one ``-1`` is inferred)."""
    sp_input = _require_sparse(sp_input)
    shape = convert_to_tensor(shape, dtypes.int64) if not isinstance(shape, Tensor) else shape
    if shape.dtype is not dtypes.int64:  # TensorFlow casts any integer shape tensor
        shape = math_ops.cast(shape, dtypes.int64)
    new_indices, new_shape = execute(RESHAPE, (sp_input.indices, sp_input.dense_shape, shape))
    return SparseTensor(new_indices, sp_input.values, new_shape,
                        _reshaped_static(sp_input.shape, shape))


def _reshaped_static(old, shape):
    """The static shape of a sparse reshape: TensorFlow computes it (the one -1 included) only
    when the input's shape is fully known and ``shape`` is known while tracing; otherwise only
    the rank is static (None when not even that is)."""
    wanted = static_ints(shape)
    if wanted is None or not old.is_fully_defined() or get_static_value(shape) is None:
        return None if wanted is None else [None] * len(wanted)
    if wanted.count(None) == 1:
        rest = int(np.prod([d for d in wanted if d is not None]))
        if rest:
            wanted[wanted.index(None)] = int(np.prod(old.as_list())) // rest
    return wanted


def _expand_shape(sp_input, axis=None, name=None):
    # TensorFlow knows only the rank and the inserted dimension of size 1.
    rank = sp_input.shape.rank
    if rank is None:
        return None
    dims = [None] * rank
    axis = -1 if axis is None else static_int(axis)
    if axis is None or not -rank - 1 <= axis <= rank:
        return dims + [None]
    dims.insert(axis % (rank + 1), 1)
    return dims


@host_function(shape=_expand_shape, type_name="SparseExpandDims")
def expand_dims(sp_input, axis=None, name=None):
    """``sp_input`` with a dimension of size 1 inserted at ``axis`` (default -1: appended)."""
    sp_input = _require_sparse(sp_input)
    rank = int(sp_input.dense_shape.shape[0])
    axis = -1 if axis is None else int(_np(axis)) if isinstance(axis, Tensor) else int(axis)
    if not -rank - 1 <= axis <= rank:
        raise errors.InvalidArgumentError(
            None, None, f"expand_dims: axis {axis} is out of range [{-rank - 1}, {rank}] for a "
            f"SparseTensor of rank {rank}")
    axis = axis % (rank + 1)
    idx = _np(sp_input.indices)
    new_idx = np.insert(idx, axis, 0, axis=1).astype(np.int64)
    new_shape = np.insert(_np(sp_input.dense_shape), axis, 1).astype(np.int64)
    return SparseTensor(new_idx, sp_input.values, new_shape)


# ---- SparseSplit -----------------------------------------------------------------------------
def _split_kernel(xp, split_dim, indices, values, shape, num_split):
    rank = shape.shape[0]
    axis = int(split_dim)
    if not -rank <= axis < rank:
        raise op_error(errors.InvalidArgumentError, "SparseSplit",
                       f"Input axis should be in range [{-rank}, {rank}), got {axis}")
    axis %= rank
    size = int(shape[axis])
    if not 1 <= num_split <= size:
        raise op_error(errors.InvalidArgumentError, "SparseSplit",
                       f"Input num_split should be between 1 and the splitting dimension size "
                       f"({size}), got {num_split}")
    # The first ``size % num_split`` pieces are one longer, as TensorFlow splits.
    small, extra = divmod(size, num_split)
    sizes = [small + 1 if i < extra else small for i in range(num_split)]
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    piece = xp.searchsorted(xp.asarray(starts[1:]), indices[:, axis], side="right")
    out_idx, out_val, out_shape = [], [], []
    for i in range(num_split):
        keep = piece == i  # boolean selection keeps the input's entry order
        idx = indices[keep].copy()
        idx[:, axis] -= starts[i]
        piece_shape = shape.copy()
        piece_shape[axis] = sizes[i]
        out_idx.append(idx)
        out_val.append(values[keep])
        out_shape.append(piece_shape)
    return tuple(out_idx + out_val + out_shape)


SPLIT = register("SparseSplit", _split_kernel, num_outputs=None,
                 infer=lambda types, attrs: ([dtypes.int64] * attrs["num_split"]
                                             + [types[2]] * attrs["num_split"]
                                             + [dtypes.int64] * attrs["num_split"]))


def split(sp_input=None, num_split=None, axis=None, name=None):
    """``sp_input`` cut into ``num_split`` SparseTensors along ``axis`` (the first pieces are
    one longer when the size does not divide evenly)."""
    if num_split is None:
        raise ValueError("num_split is required")
    if axis is None:
        raise ValueError("axis is required")
    sp_input = _require_sparse(sp_input)
    num_split = int(num_split)
    if num_split < 1:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'num_split' of {num_split} must be at least minimum 1")
    axis_t = axis if isinstance(axis, Tensor) else convert_to_tensor(int(axis), dtypes.int64)
    if axis_t.dtype is not dtypes.int64:
        raise op_error(errors.InvalidArgumentError, "SparseSplit",
                       f"cannot compute SparseSplit as input #0(zero-based) was expected to be "
                       f"a int64 tensor but is a {axis_t.dtype.name} tensor")
    outs = execute(SPLIT, (axis_t, sp_input.indices, sp_input.values, sp_input.dense_shape),
                   {"num_split": num_split})
    n = num_split
    return [SparseTensor(outs[i], outs[n + i], outs[2 * n + i]) for i in range(n)]


def _eye_shape(num_rows, num_columns=None, *args, **kwargs):
    # The sizes known while tracing (the columns default to the rows).
    rows = static_int(num_rows)
    return [rows, rows if num_columns is None else static_int(num_columns)]


@host_function(shape=_eye_shape, type_name="SparseEye")
def eye(num_rows, num_columns=None, dtype=dtypes.float32, name=None):
    """A 2-D SparseTensor with ones on the main diagonal."""
    dtype = dtypes.as_dtype(dtype)
    rows = int(_np(num_rows)) if isinstance(num_rows, Tensor) else int(num_rows)
    cols = rows if num_columns is None else (
        int(_np(num_columns)) if isinstance(num_columns, Tensor) else int(num_columns))
    diag = min(rows, cols)
    if diag < 0:
        raise op_error(errors.InvalidArgumentError, "Range",
                       f"Requires start <= limit when delta > 0: 0/{diag}")
    if dtype is dtypes.string:
        raise TypeError("Cannot convert 1 to EagerTensor of dtype string")
    idx = np.repeat(np.arange(diag, dtype=np.int64)[:, None], 2, axis=1)
    values = array_create_ops.ones([diag], dtype=dtype)
    return SparseTensor(idx, values, np.asarray([rows, cols], np.int64))
