"""``sparse.map_values``, ``sparse.mask`` (rows of an IndexedSlices, with ``ListDiff``) and
``sparse.bincount`` (counts as a SparseTensor)."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops import array_ops, gather_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register
from ndflow.structures.sparse_tensor import SparseTensor
from ndflow.structures.graph_fallback import host_function


def _sparse_leaves(value, found):
    """Collects the SparseTensors in a nest of lists, tuples and dicts."""
    if isinstance(value, SparseTensor):
        found.append(value)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _sparse_leaves(v, found)
    elif isinstance(value, dict):
        for v in value.values():
            _sparse_leaves(v, found)
    return found


def _to_values(value):
    """The nest with every SparseTensor replaced by its values."""
    if isinstance(value, SparseTensor):
        return value.values
    if isinstance(value, (list, tuple)):
        items = [_to_values(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {k: _to_values(v) for k, v in value.items()}
    return value


def _check_same(what, a, b):
    a, b = np.asarray(a.numpy()), np.asarray(b.numpy())
    if a.shape != b.shape or not np.array_equal(a, b):
        raise errors.InvalidArgumentError(
            None, None, f"Mismatched {what}!\nCondition x == y did not hold.\n"
            f"x: {a.tolist()}\ny: {b.tolist()}")


@host_function()
def map_values(op, *args, **kwargs):
    """``op`` applied to the values of the SparseTensors in ``args``/``kwargs`` (which must all
    have the same indices and shape); the result keeps their indices and shape."""
    sparse = _sparse_leaves(kwargs, _sparse_leaves(args, []))
    if not sparse:
        raise ValueError("No SparseTensor in argument list of map_values")
    first = sparse[0]
    for other in sparse[1:]:
        _check_same("indices", first.indices, other.indices)
        _check_same("shapes", first.dense_shape, other.dense_shape)
    return first.with_values(op(*_to_values(args), **_to_values(kwargs)))


# ---- ListDiff (tf.compat.v1.setdiff1d) -------------------------------------------------------
def _list_diff_kernel(xp, x, y, out_idx):
    if x.ndim != 1 or y.ndim != 1:
        raise op_error(errors.InvalidArgumentError, "ListDiff",
                       f"x should be a 1D vector and y should be a 1D vector, got shapes "
                       f"{list(x.shape)} and {list(y.shape)}")
    keep = xp.flatnonzero(~xp.isin(x, y))  # x's order and repeats are kept
    return x[keep], keep.astype(out_idx)


LIST_DIFF = register("ListDiff", _list_diff_kernel, num_outputs=2, same_dtype=(0, 1),
                     infer=lambda types, attrs: [types[0], dtypes.as_dtype(attrs["out_idx"])])


def _list_diff(x, y, out_idx=dtypes.int32):
    """The entries of ``x`` not in ``y`` and their positions in ``x``."""
    return execute(LIST_DIFF, (x, y), {"out_idx": dtypes.as_dtype(out_idx).as_numpy_dtype})


def mask(a, mask_indices, name=None):
    """The rows of the IndexedSlices ``a`` whose indices are not in ``mask_indices``."""
    indices = convert_to_tensor(a.indices)
    if not isinstance(mask_indices, Tensor):
        mask_indices = convert_to_tensor(mask_indices, indices.dtype)
    if mask_indices.dtype is not indices.dtype:
        raise op_error(errors.InvalidArgumentError, "ListDiff",
                       f"cannot compute ListDiff as input #1(zero-based) was expected to be a "
                       f"{indices.dtype.name} tensor but is a {mask_indices.dtype.name} tensor")
    kept, positions = _list_diff(indices, mask_indices)
    return IndexedSlices(gather_ops.gather(a.values, positions), kept, a.dense_shape)


# ---- DenseCountSparseOutput / SparseCountSparseOutput ---------------------------------------
def _count(xp, op_name, batch, values, weights, batch_size, is_1d, binary_output, minlength,
           maxlength):
    if values.size and int(values.min()) < 0:
        raise op_error(errors.InvalidArgumentError, op_name,
                       "Input values must all be non-negative")
    # TensorFlow sizes the output from the largest value (0 when there is none) + 1, then
    # applies minlength and maxlength; values past the size are dropped.
    size = max((int(values.max()) if values.size else 0) + 1, minlength)
    if maxlength >= 0:
        size = min(size, maxlength)
    keep = values < size
    batch, values = batch[keep], values[keep].astype(np.int64)
    weighted = weights.size != 0
    counted = weights[keep] if weighted else xp.ones(values.shape[0], weights.dtype)
    key = batch * max(size, 1) + values
    unique, where = xp.unique(key, return_inverse=True)
    sums = xp.zeros(unique.shape[0], weights.dtype)
    xp.add.at(sums, where.reshape(-1), counted)
    if binary_output:
        sums = xp.ones_like(sums)
    rows, cols = (unique // max(size, 1), unique % max(size, 1)) if size else (unique, unique)
    if is_1d:
        return cols[:, None].astype(np.int64), sums, np.asarray([size], np.int64)
    return (xp.stack([rows, cols], axis=1).astype(np.int64), sums,
            np.asarray([batch_size, size], np.int64))


def _dense_count_kernel(xp, values, weights, binary_output, minlength, maxlength):
    if values.ndim not in (1, 2):
        raise op_error(errors.InvalidArgumentError, "DenseCountSparseOutput",
                       f"Input must be a 1 or 2-dimensional tensor. Got: "
                       f"[{','.join(map(str, values.shape))}]")
    if weights.size and weights.shape != values.shape:
        raise op_error(errors.InvalidArgumentError, "DenseCountSparseOutput",
                       f"Weights and data must have the same shape. Weight shape: "
                       f"[{','.join(map(str, weights.shape))}]; data shape: "
                       f"[{','.join(map(str, values.shape))}]")
    is_1d = values.ndim == 1
    batch = xp.zeros(values.shape, np.int64) if is_1d else \
        xp.repeat(xp.arange(values.shape[0]), values.shape[1])
    flat_w = weights.reshape(-1) if weights.size else weights
    return _count(xp, "DenseCountSparseOutput", batch.reshape(-1), values.reshape(-1), flat_w,
                  values.shape[0], is_1d, binary_output, minlength, maxlength)


def _sparse_count_kernel(xp, indices, values, dense_shape, weights, binary_output, minlength,
                         maxlength):
    is_1d = dense_shape.shape[0] == 1
    batch = xp.zeros(values.shape[0], np.int64) if is_1d else indices[:, 0]
    return _count(xp, "SparseCountSparseOutput", batch, values, weights,
                  int(dense_shape[0]) if not is_1d else 1, is_1d, binary_output, minlength,
                  maxlength)


DENSE_COUNT = register("DenseCountSparseOutput", _dense_count_kernel, num_outputs=3,
                       allowed=frozenset((dtypes.int32, dtypes.int64)),
                       infer=output_dtypes(dtypes.int64, 1, dtypes.int64))
SPARSE_COUNT = register("SparseCountSparseOutput", _sparse_count_kernel, num_outputs=3,
                        infer=output_dtypes(dtypes.int64, 3, dtypes.int64))
_COUNT_TYPES = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64)


def _length(value, attr):
    n = -1 if value is None else int(value.numpy() if isinstance(value, Tensor) else value)
    if n < -1:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr '{attr}' of {n} must be at least minimum -1")
    return n


@host_function()
def bincount(values, weights=None, axis=0, minlength=None, maxlength=None, binary_output=False,
             name=None):
    """Counts (or summed ``weights``) of each value, per row when ``axis=-1``, as a
    SparseTensor; ``values`` may be dense, sparse or ragged."""
    from ndflow.structures.ragged_tensor import RaggedTensor
    if axis is None:
        axis = 0
    if axis not in (0, -1):
        raise ValueError(f"Unsupported value for argument axis={axis}. Only 0 and -1 are "
                         f"currently supported.")
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. "
                         "Please specify only one.")
    attrs = {"binary_output": bool(binary_output), "minlength": _length(minlength, "minlength"),
             "maxlength": _length(maxlength, "maxlength")}
    if isinstance(values, RaggedTensor):
        values = values.to_sparse()
        if isinstance(weights, RaggedTensor):
            weights = weights.to_sparse()
    if isinstance(values, SparseTensor):
        if weights is not None and not isinstance(weights, SparseTensor):
            raise ValueError(f"Argument `weights` must be a SparseTensor if `values` is a "
                             f"SparseTensor. Received weights={weights} of type: "
                             f"{type(weights).__name__}")
        if weights is not None:
            try:
                _check_same("indices", values.indices, weights.indices)
            except errors.InvalidArgumentError:
                raise errors.InvalidArgumentError(
                    None, None, "'weights' and 'values' must have the same indices.") from None
        w = weights.values if weights is not None else None
        idx, shape = values.indices, values.dense_shape
        if axis == 0:  # all entries in one batch: a 1-D sparse vector
            n = int(values.values.shape[0])
            idx = convert_to_tensor(np.arange(n, dtype=np.int64)[:, None])
            shape = convert_to_tensor(np.asarray([n], np.int64))
        vals = values.values
        if vals.dtype not in (dtypes.int32, dtypes.int64):
            raise op_error(errors.InvalidArgumentError, "SparseCountSparseOutput",
                           f"Value for attr 'T' of {vals.dtype.name} is not in the list of "
                           f"allowed values: int32, int64")
        inputs = (idx, vals, shape)
    else:
        vals = convert_to_tensor(values)
        if vals.shape.rank == 0 or axis == 0:
            vals = array_ops.reshape(vals, [-1])
        w = None if weights is None else convert_to_tensor(weights)
        if w is not None and axis == 0 and w.shape.rank == vals.shape.rank + 1:
            w = array_ops.reshape(w, [-1])
        inputs = (vals,)
    out_type = vals.dtype if w is None else w.dtype
    if out_type not in _COUNT_TYPES:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'output_type' of {out_type.name} is not in the list of "
            f"allowed values: int32, int64, float, double")
    if w is None:
        w = convert_to_tensor(np.zeros(0, out_type.as_numpy_dtype))
    op = SPARSE_COUNT if len(inputs) == 3 else DENSE_COUNT
    idx, counts, shape = execute(op, inputs + (w,), attrs)
    return SparseTensor(idx, counts, shape)


__all__ = ["map_values", "mask", "bincount"]
