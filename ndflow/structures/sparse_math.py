"""Value arithmetic on SparseTensors: ``sparse.maximum/minimum``, ``softmax``,
``fill_empty_rows`` and ``sampled_addmm``."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops import array_ops, array_shape_ops, gather_ops, math_extra_ops, math_ops
from ndflow.ops import reduce_ops, segment_ops, sort_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register, register_gradient
from ndflow.structures.sparse_add import _merge, _padded
from ndflow.structures.sparse_tensor import SparseTensor
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.static_shapes import dims_of


def _require_sparse(sp_input):
    if not isinstance(sp_input, SparseTensor):
        raise TypeError("Input must be a SparseTensor.")
    return sp_input


# ---- SparseSparseMaximum / SparseSparseMinimum -----------------------------------------------
def _extreme_kernel(op_name, pick):
    def kernel(xp, a_idx, a_val, a_shape, b_idx, b_val, b_shape):
        if a_shape.shape[0] != b_shape.shape[0]:
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"Operands do not have the same ranks; got shapes: "
                           f"{' '.join(map(str, a_shape.tolist()))} and "
                           f"{' '.join(map(str, b_shape.tolist()))}")
        for d in range(a_shape.shape[0]):
            if a_shape[d] != b_shape[d]:
                raise op_error(errors.InvalidArgumentError, op_name,
                               f"Operands' shapes do not match: got {a_shape[d]} and "
                               f"{b_shape[d]} for dimension {d}")
        # The union of the entries, merged in one pass as TensorFlow does (so unsorted inputs
        # give TensorFlow's result); an entry missing on one side counts as 0 there.
        out_a, out_b = _merge(xp, a_idx, b_idx)
        zero = xp.zeros((), a_val.dtype)
        a_part = xp.where(out_a >= 0, _padded(xp, a_val)[out_a], zero)
        b_part = xp.where(out_b >= 0, _padded(xp, b_val)[out_b], zero)
        idx = xp.where((out_a >= 0)[:, None], _padded(xp, a_idx)[out_a],
                       _padded(xp, b_idx)[out_b])
        return idx.astype(np.int64), pick(a_part, b_part).astype(a_val.dtype)
    return kernel


# TensorFlow's registered gradient for these ops cannot run (it takes the wrong number of
# arguments), so, as there, nothing is differentiated through them.
MAXIMUM = register("SparseSparseMaximum", _extreme_kernel("SparseSparseMaximum", np.maximum),
                   num_outputs=2, same_dtype=(1, 4), infer=output_dtypes(dtypes.int64, 1))
MINIMUM = register("SparseSparseMinimum", _extreme_kernel("SparseSparseMinimum", np.minimum),
                   num_outputs=2, same_dtype=(1, 4), infer=output_dtypes(dtypes.int64, 1))


def _extreme(op, sp_a, sp_b):
    sp_a, sp_b = _require_sparse(sp_a), _require_sparse(sp_b)
    if sp_a.dtype not in dtypes.REAL:
        names = ", ".join(sorted(d.name for d in dtypes.REAL))
        raise op_error(errors.InvalidArgumentError, op.name,
                       f"Value for attr 'T' of {sp_a.dtype.name} is not in the list of allowed "
                       f"values: {names}")
    if sp_b.dtype is not sp_a.dtype:
        raise op_error(errors.InvalidArgumentError, op.name,
                       f"cannot compute {op.name} as input #4(zero-based) was expected to be a "
                       f"{sp_a.dtype.name} tensor but is a {sp_b.dtype.name} tensor")
    idx, val = execute(op, (sp_a.indices, sp_a.values, sp_a.dense_shape,
                            sp_b.indices, sp_b.values, sp_b.dense_shape))
    return SparseTensor(idx, val, sp_a.dense_shape)


def maximum(sp_a, sp_b, name=None):
    """Entry-wise maximum of two SparseTensors of the same shape (missing entries count as 0)."""
    return _extreme(MAXIMUM, sp_a, sp_b)


def minimum(sp_a, sp_b, name=None):
    """Entry-wise minimum of two SparseTensors of the same shape (missing entries count as 0)."""
    return _extreme(MINIMUM, sp_a, sp_b)


# ---- SparseSoftmax ---------------------------------------------------------------------------
def _softmax_kernel(xp, indices, values, shape):
    if shape.shape[0] < 2:
        raise op_error(errors.InvalidArgumentError, "SparseSoftmax",
                       f"Input should have rank >= 2, but received shape: "
                       f"{' '.join(map(str, shape.tolist()))}")
    n = indices.shape[0]
    if n == 0:
        return values.copy()
    # TensorFlow sorts the entries and writes the results in sorted order (the indices the
    # public function returns stay the input's), so unsorted inputs give its values.
    order = xp.lexsort(indices.T[::-1])
    idx, val = indices[order], values[order]
    new_group = xp.ones(n, dtype=bool)
    new_group[1:] = xp.any(idx[1:, :-1] != idx[:-1, :-1], axis=1)
    group = xp.cumsum(new_group) - 1
    top = xp.full(int(group[-1]) + 1, -xp.inf, dtype=val.dtype)
    xp.maximum.at(top, group, val)
    with np.errstate(over="ignore", invalid="ignore"):
        # NumPy's float32 exp can be an ulp further from the true value than Eigen's, which
        # TensorFlow uses (exp(-1): 0.36787942 vs 0.36787945): exponentiate in float64, round.
        shifted = val - top[group]
        e = xp.exp(shifted.astype(np.float64)).astype(val.dtype)
        total = xp.zeros(top.shape, dtype=val.dtype)
        xp.add.at(total, group, e)
        # As TensorFlow: a multiplication by the reciprocal of each row's sum, not a division.
        return (e * (1 / total)[group]).astype(values.dtype)


SOFTMAX = register("SparseSoftmax", _softmax_kernel, infer=output_dtypes(1))


@register_gradient("SparseSoftmax")
def _softmax_grad(op, dy):
    indices, _, shape = op.inputs
    sm = op.outputs
    # Entries are handled in sorted (row-major) order, as the kernel does.
    strides = math_extra_ops.cumprod(shape, exclusive=True, reverse=True)
    linear = reduce_ops.reduce_sum(indices * strides, axis=1)
    perm = sort_ops.argsort(linear, stable=True)
    row_strides = math_extra_ops.cumprod(shape[:-1], exclusive=True, reverse=True)
    rows = reduce_ops.reduce_sum(gather_ops.gather(indices, perm)[:, :-1] * row_strides, axis=1)
    _, group = sort_ops.unique(rows)
    n_groups = reduce_ops.reduce_max(group) + 1 if rows.shape[0] else 0
    per_row = segment_ops.unsorted_segment_sum(dy * sm, group, n_groups)
    grad_sorted = (dy - gather_ops.gather(per_row, group)) * sm
    n = array_shape_ops.shape(perm)[0]
    # The output at sorted position k came from input value perm[k].
    return None, segment_ops.unsorted_segment_sum(grad_sorted, perm, n), None


def softmax(sp_input, name=None):
    """Softmax over the last dimension of a SparseTensor, counting only the stored entries."""
    sp_input = _require_sparse(sp_input)
    if sp_input.dtype not in dtypes.FLOATING:
        raise op_error(errors.InvalidArgumentError, "SparseSoftmax",
                       f"Value for attr 'T' of {sp_input.dtype.name} is not in the list of "
                       f"allowed values: half, float, double")
    values = execute(SOFTMAX, (sp_input.indices, sp_input.values, sp_input.dense_shape))
    return SparseTensor(sp_input.indices, values, sp_input.dense_shape)


# ---- SparseFillEmptyRows ---------------------------------------------------------------------
def _fill_kernel(xp, indices, values, shape, default_value):
    rows = int(shape[0]) if shape.shape[0] else 0
    n = indices.shape[0]
    if n:
        first = indices[:, 0]
        bad = (first < 0) | (first >= rows)
        if xp.any(bad):
            i = int(xp.argmax(bad))
            raise op_error(errors.InvalidArgumentError, "SparseFillEmptyRows",
                           f"indices({i}, 0) is invalid: {int(first[i])} >= {rows}")
    first = indices[:, 0] if n else xp.zeros(0, np.int64)
    counts = xp.bincount(first, minlength=rows)[:rows] if n else xp.zeros(rows, np.int64)
    empty = counts == 0
    # Entries are grouped by row (stable within a row); each empty row gets one default entry
    # at column 0, placed where its row falls.
    order = xp.argsort(first, kind="stable")
    starts = xp.cumsum(counts + empty) - (counts + empty)
    within = xp.arange(n) - (xp.cumsum(counts) - counts)[first[order]]
    reverse_map = xp.zeros(n, np.int64)
    reverse_map[order] = starts[first[order]] + within
    total = n + int(empty.sum())
    out_idx = xp.zeros((total, indices.shape[1]), np.int64)
    out_val = xp.full(total, default_value, dtype=values.dtype)
    out_idx[reverse_map] = indices
    out_val[reverse_map] = values
    empty_rows = xp.flatnonzero(empty)
    out_idx[starts[empty_rows], 0] = empty_rows
    return out_idx, out_val, empty, reverse_map


FILL_EMPTY_ROWS = register("SparseFillEmptyRows", _fill_kernel, num_outputs=4, same_dtype=(1, 3),
                           infer=output_dtypes(dtypes.int64, 1, dtypes.bool, dtypes.int64))


@register_gradient("SparseFillEmptyRows")
def _fill_grad(op, d_indices, d_values, d_empty, d_map):
    reverse_map = op.outputs[3]
    d_input = gather_ops.gather(d_values, reverse_map)
    d_default = reduce_ops.reduce_sum(d_values) - reduce_ops.reduce_sum(d_input)
    return None, d_input, None, d_default


def fill_empty_rows(sp_input, default_value, name=None):
    """``sp_input`` with ``default_value`` at ``[row, 0, ...]`` of every row that has no entry,
    and a bool vector marking those rows."""
    sp_input = _require_sparse(sp_input)
    default = convert_to_tensor(default_value, sp_input.dtype)
    idx, val, empty, _ = execute(FILL_EMPTY_ROWS, (sp_input.indices, sp_input.values,
                                                   sp_input.dense_shape, default))
    return SparseTensor(idx, val, sp_input.dense_shape), empty


# ---- sampled_addmm (composed, as in TensorFlow) ----------------------------------------------
def _addmm_shapes(indices, values, dense_shape, mat1, mat2, *args, **kwargs):
    # The components keep the static shapes of the given indices, values and dense shape.
    return [dims_of(indices), dims_of(values), dims_of(dense_shape)]


@host_function(shape=_addmm_shapes, type_name="SampledAddmm")
def sampled_addmm(indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0,
                  output_type=dtypes.float32):
    """``alpha * (mat1 @ mat2)`` sampled at ``indices`` plus ``beta * values``, returned as the
    ``(indices, values, dense_shape)`` of the sparse result (only the sampled dot products are
    computed)."""
    indices = convert_to_tensor(indices, dtypes.int32)
    dense_shape = convert_to_tensor(dense_shape, dtypes.int32)
    values = convert_to_tensor(values, output_type)
    mat1 = convert_to_tensor(mat1, output_type)
    mat2 = convert_to_tensor(mat2, output_type)
    if mat1.shape.rank != 2 or mat2.shape.rank != 2 or dense_shape.shape.as_list() != [2]:
        # TensorFlow's own batched path fails the same way (a shape comparison of rank 2 vs 3).
        raise op_error(errors.InvalidArgumentError, "Equal",
                       f"Incompatible shapes: {dense_shape.shape.as_list()} vs. [2]")
    output_shape = [int(mat1.shape[0]), int(mat2.shape[1])]
    if dense_shape.numpy().tolist() != output_shape:
        raise ValueError(f"Dense shape: {dense_shape.numpy()} does not match output shape: "
                         f"{np.asarray(output_shape, np.int32)}")
    rows = gather_ops.gather(mat1, indices[:, 0])
    cols = gather_ops.gather(array_ops.transpose(mat2), indices[:, 1])
    dots = reduce_ops.reduce_sum(math_ops.multiply(rows, cols), axis=-1)
    result = alpha * dots + beta * values
    return indices, result, dense_shape


__all__ = ["maximum", "minimum", "softmax", "fill_empty_rows", "sampled_addmm"]
