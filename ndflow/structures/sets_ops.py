"""Set operations on the last dimension of dense tensors and SparseTensors (``tf.sets``)."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops.registry import execute, op_error, output_dtypes, register
from ndflow.structures.sparse_tensor import SparseTensor, check_indices

_SET_DTYPES = (dtypes.int8, dtypes.int16, dtypes.int32, dtypes.int64, dtypes.uint8,
               dtypes.uint16, dtypes.string)
_COMBINE = {
    "union": lambda a, b: a | b,
    "intersection": lambda a, b: a & b,
    "a-b": lambda a, b: a - b,
    "b-a": lambda a, b: b - a,
}


def _check_rank(op_name, shape):
    if len(shape) < 2:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Shape [{','.join(map(str, shape))}] has rank {len(shape)} < 2")


def _dense_groups(values, op_name):
    """(group shape, {group index: set of values}) of a dense array; every element counts."""
    _check_rank(op_name, values.shape)
    lead = values.shape[:-1]
    rows = values.reshape(int(np.prod(lead)), values.shape[-1])
    return lead, {key: set(row.tolist()) for key, row in zip(np.ndindex(*lead), rows)}


def _sparse_groups(indices, values, shape, op_name, validate):
    _check_rank(op_name, shape.tolist())
    if validate:
        check_indices(np, op_name, indices, shape)
    groups = {}
    for key, v in zip(map(tuple, indices[:, :-1].tolist()), values.tolist()):
        groups.setdefault(key, set()).add(v)
    return tuple(int(s) for s in shape[:-1]), groups


def _result(op_name, xp, first, second, set_operation, dtype):
    (lead_a, a), (lead_b, b) = first, second
    if lead_a != lead_b:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Mismatched shapes [{','.join(map(str, lead_a))}] vs "
                       f"[{','.join(map(str, lead_b))}]")
    combine = _COMBINE[set_operation]
    indices, values, widest = [], [], 0
    for key in sorted(set(a) | set(b)):
        members = sorted(combine(a.get(key, set()), b.get(key, set())))
        widest = max(widest, len(members))
        indices.extend(key + (j,) for j in range(len(members)))
        values.extend(members)
    rank = len(lead_a) + 1
    out_idx = xp.asarray(indices, dtype=np.int64).reshape(-1, rank)
    out_val = xp.asarray(values, dtype=dtype).reshape(-1)
    return out_idx, out_val, xp.asarray(lead_a + (widest,), dtype=np.int64)


def _dense_dense(xp, a, b, set_operation, validate_indices):
    name = "DenseToDenseSetOperation"
    return _result(name, xp, _dense_groups(a, name), _dense_groups(b, name), set_operation,
                   a.dtype)


def _dense_sparse(xp, a, b_idx, b_val, b_shape, set_operation, validate_indices):
    name = "DenseToSparseSetOperation"
    return _result(name, xp, _dense_groups(a, name), _sparse_groups(b_idx, b_val, b_shape, name,
                                                                  validate_indices),
                   set_operation, a.dtype)


def _sparse_sparse(xp, a_idx, a_val, a_shape, b_idx, b_val, b_shape, set_operation,
                   validate_indices):
    name = "SparseToSparseSetOperation"
    return _result(name, xp, _sparse_groups(a_idx, a_val, a_shape, name, validate_indices),
                   _sparse_groups(b_idx, b_val, b_shape, name, validate_indices),
                   set_operation, a_val.dtype)


def _set_size_kernel(xp, idx, val, shape, validate_indices):
    lead, groups = _sparse_groups(idx, val, shape, "SetSize", validate_indices)
    out = xp.zeros(lead, dtype=np.int32)
    for key, members in groups.items():
        out[key] = len(members)
    return out


DENSE_DENSE = register("DenseToDenseSetOperation", _dense_dense, num_outputs=3, same_dtype=(0, 1),
                       infer=output_dtypes(dtypes.int64, 0, dtypes.int64))
DENSE_SPARSE = register("DenseToSparseSetOperation", _dense_sparse, num_outputs=3,
                        same_dtype=(0, 2), infer=output_dtypes(dtypes.int64, 0, dtypes.int64))
SPARSE_SPARSE = register("SparseToSparseSetOperation", _sparse_sparse, num_outputs=3,
                         same_dtype=(1, 4), infer=output_dtypes(dtypes.int64, 1, dtypes.int64))
SET_SIZE = register("SetSize", _set_size_kernel, infer=output_dtypes(dtypes.int32))


def _as_set(x, name):
    if isinstance(x, SparseTensor):
        t, sparse = x.values, True
    else:
        t = x = convert_to_tensor(x)
        sparse = False
    if t.dtype not in _SET_DTYPES:
        raise TypeError(f"'{name}' has invalid dtype `{t.dtype}` not in supported dtypes: "
                        f"`{', '.join(d.name for d in _SET_DTYPES)}`.")
    return x, sparse


def _set_operation(a, b, set_operation, validate_indices):
    a, a_sparse = _as_set(a, "a")
    b, b_sparse = _as_set(b, "b")
    if a.dtype != b.dtype:
        raise TypeError(f"Types don't match, {a.dtype} vs {b.dtype}.")
    attrs = {"set_operation": set_operation, "validate_indices": bool(validate_indices)}
    if a_sparse and not b_sparse:  # only dense-to-sparse exists: swap the operands
        a, b, a_sparse, b_sparse = b, a, False, True
        attrs["set_operation"] = {"a-b": "b-a", "b-a": "a-b"}.get(set_operation, set_operation)
    if not a_sparse and not b_sparse:
        out = execute(DENSE_DENSE, (a, b), attrs)
    elif not a_sparse:
        out = execute(DENSE_SPARSE, (a, b.indices, b.values, b.dense_shape), attrs)
    else:
        out = execute(SPARSE_SPARSE, (a.indices, a.values, a.dense_shape, b.indices, b.values,
                                      b.dense_shape), attrs)
    return SparseTensor(*out)


def set_union(a, b, validate_indices=True):
    """Per-row union of the sets in the last dimension of ``a`` and ``b`` (a SparseTensor)."""
    return _set_operation(a, b, "union", validate_indices)


def set_intersection(a, b, validate_indices=True):
    """Per-row intersection of the sets in the last dimension of ``a`` and ``b``."""
    return _set_operation(a, b, "intersection", validate_indices)


def set_difference(a, b, aminusb=True, validate_indices=True):
    """Per-row ``a - b`` (or ``b - a`` when ``aminusb`` is False) of last-dimension sets."""
    return _set_operation(a, b, "a-b" if aminusb else "b-a", validate_indices)


def set_size(a, validate_indices=True):
    """Number of distinct values in each set (last dimension) of a SparseTensor (int32)."""
    if not isinstance(a, SparseTensor):
        raise TypeError(f"Expected `SparseTensor`, got {a}.")
    if a.dtype not in _SET_DTYPES:
        raise TypeError(f"Invalid dtype `{a.dtype}`.")
    return execute(SET_SIZE, (a.indices, a.values, a.dense_shape),
                   {"validate_indices": bool(validate_indices)})
