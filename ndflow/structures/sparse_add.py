"""``sparse.add`` (sparse + sparse, sparse + dense) and ``sparse.sparse_dense_matmul``."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops import array_ops, complex_ops, gather_ops, reduce_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register, register_gradient
from ndflow.structures.sparse_tensor import SparseTensor, _as_sparse


# ---- sparse + sparse -------------------------------------------------------------------------
def _strictly_increasing(xp, idx):
    """True when the rows of ``idx`` are in strictly increasing lexicographic order."""
    if idx.shape[0] < 2:
        return True
    d = idx[1:] - idx[:-1]
    nonzero = d != 0
    first = xp.argmax(nonzero, axis=1)
    return bool(xp.all(nonzero.any(axis=1) & (d[xp.arange(d.shape[0]), first] > 0)))


def _merge(xp, a_idx, b_idx):
    """Positions in ``a`` and ``b`` (-1: none) of each entry of the merged index list.

    TensorFlow merges the two lists as if both were sorted, in one pass: the smaller head goes
    first and equal heads become one summed entry. Sorted, duplicate-free inputs (the common
    case) are merged with array ops; anything else replays that pass entry by entry, so unsorted
    or repeated indices give exactly TensorFlow's result.
    """
    na, nb = a_idx.shape[0], b_idx.shape[0]
    if _strictly_increasing(xp, a_idx) and _strictly_increasing(xp, b_idx):
        both = xp.concatenate([a_idx, b_idx])
        source = xp.arange(na + nb)
        order = xp.lexsort((source,) + tuple(both.T[::-1]))  # equal rows: a's entry first
        rows = both[order]
        pair = xp.zeros(order.shape[0], dtype=bool)
        if order.shape[0] > 1:
            pair[1:] = xp.all(rows[1:] == rows[:-1], axis=1)   # b entry equal to the one before
        starts = ~pair
        pos_a = xp.where(order < na, order, -1)
        pos_b = xp.where(order >= na, order - na, -1)
        nxt = xp.concatenate([pair[1:], xp.zeros(1, dtype=bool)])  # the entry has a partner
        out_a = pos_a[starts]
        out_b = xp.where(nxt, xp.concatenate([pos_b[1:], [-1]]), pos_b)[starts]
        return out_a, out_b
    out_a, out_b, i, j = [], [], 0, 0
    a_rows, b_rows = a_idx.tolist(), b_idx.tolist()
    while i < na and j < nb:
        if a_rows[i] < b_rows[j]:
            out_a.append(i), out_b.append(-1)
            i += 1
        elif b_rows[j] < a_rows[i]:
            out_a.append(-1), out_b.append(j)
            j += 1
        else:
            out_a.append(i), out_b.append(j)
            i, j = i + 1, j + 1
    out_a += list(range(i, na)) + [-1] * (nb - j)
    out_b += [-1] * (na - i) + list(range(j, nb))
    return xp.asarray(out_a, dtype=np.int64), xp.asarray(out_b, dtype=np.int64)


def _sparse_add_kernel(xp, a_idx, a_val, a_shape, b_idx, b_val, b_shape, thresh):
    if a_idx.shape[1] != b_idx.shape[1]:
        raise op_error(errors.InvalidArgumentError, "SparseAdd",
                       f"Input indices must have the same dimension, got {a_idx.shape[1]} and "
                       f"{b_idx.shape[1]}")
    for d in range(a_shape.shape[0]):
        if a_shape[d] != b_shape[d]:
            raise op_error(errors.InvalidArgumentError, "SparseAdd",
                           f"Operands' shapes do not match: got {a_shape[d]} and {b_shape[d]} "
                           f"for dimension {d}")
    out_a, out_b = _merge(xp, a_idx, b_idx)
    has_a, has_b = out_a >= 0, out_b >= 0
    a_part, b_part = _padded(xp, a_val)[out_a], _padded(xp, b_val)[out_b]  # -1 reads the pad
    paired = has_a & has_b
    vals = xp.where(paired, a_part + b_part, xp.where(has_a, a_part, b_part))
    keep = ~paired | (xp.abs(vals) >= thresh)  # only sums are thresholded
    idx = xp.where(has_a[:, None], _padded(xp, a_idx)[out_a], _padded(xp, b_idx)[out_b])
    return idx[keep].astype(np.int64), vals[keep].astype(a_val.dtype), a_shape.copy()


def _padded(xp, x):
    """``x`` with one zero row appended, so that position -1 selects it."""
    return xp.concatenate([x, xp.zeros((1,) + x.shape[1:], x.dtype)])


SPARSE_ADD = register("SparseAdd", _sparse_add_kernel, num_outputs=3, same_dtype=(1, 4),
                      infer=output_dtypes(dtypes.int64, 1, dtypes.int64))


def _sparse_add_grad_kernel(xp, dy, a_idx, b_idx, sum_idx):
    out_a, out_b = _merge(xp, a_idx, b_idx)
    # The sum is the merged list less some thresholded pairs: align it greedily.
    merged = xp.where((out_a >= 0)[:, None], _padded(xp, a_idx)[out_a],
                      _padded(xp, b_idx)[out_b])
    slot = xp.full(out_a.shape[0], -1, dtype=np.int64)
    k, sums = 0, sum_idx.tolist()
    for m, row in enumerate(merged.tolist()):
        if k < len(sums) and sums[k] == row:
            slot[m] = k
            k += 1
    padded = _padded(xp, dy)   # slot -1 (a dropped sum) reads zero
    a_grad = xp.zeros(a_idx.shape[0], dy.dtype)
    b_grad = xp.zeros(b_idx.shape[0], dy.dtype)
    a_grad[out_a[out_a >= 0]] = padded[slot[out_a >= 0]]
    b_grad[out_b[out_b >= 0]] = padded[slot[out_b >= 0]]
    return a_grad, b_grad


SPARSE_ADD_GRAD = register("SparseAddGrad", _sparse_add_grad_kernel, num_outputs=2,
                           infer=output_dtypes(0, 0))


@register_gradient("SparseAdd")
def _sparse_add_grad(op, d_idx, d_val, d_shape):
    a_grad, b_grad = execute(SPARSE_ADD_GRAD, (d_val, op.inputs[0], op.inputs[3],
                                               op.outputs[0]))
    return None, a_grad, None, None, b_grad, None, None


# ---- sparse + dense --------------------------------------------------------------------------
def _sparse_dense_add_kernel(xp, idx, val, shape, dense):
    if dense.ndim != shape.shape[0]:
        raise op_error(errors.InvalidArgumentError, "SparseTensorDenseAdd",
                       f"Two operands have different ranks; received: {shape.shape[0]} and "
                       f"{dense.ndim}")
    for d in range(dense.ndim):
        if shape[d] != dense.shape[d]:
            raise op_error(errors.InvalidArgumentError, "SparseTensorDenseAdd",
                           f"Dimension {d} does not equal (no broadcasting is supported): sparse "
                           f"side {shape[d]} vs dense side {dense.shape[d]}")
    out = dense.copy()
    xp.add.at(out, tuple(idx.T), val)
    return out


SPARSE_DENSE_ADD = register("SparseTensorDenseAdd", _sparse_dense_add_kernel, same_dtype=(1, 3),
                            infer=output_dtypes(3))


@register_gradient("SparseTensorDenseAdd")
def _sparse_dense_add_grad(op, dy):
    return None, gather_ops.gather_nd(dy, op.inputs[0]), None, dy


def add(a, b, threshold=0, name=None):
    """Sum of two SparseTensors (a SparseTensor; sums below ``threshold`` in magnitude are
    dropped) or of a SparseTensor and a dense tensor (a dense tensor)."""
    a_sparse, b_sparse = isinstance(a, SparseTensor), isinstance(b, SparseTensor)
    if not (a_sparse or b_sparse):
        raise TypeError("At least one input should be SparseTensor; do you mean to use tf.add()?")
    if a_sparse and b_sparse:
        dtype = a.dtype.real_dtype if a.dtype.is_complex else a.dtype
        thresh = convert_to_tensor(threshold, dtype)
        idx, val, shape = execute(SPARSE_ADD, (a.indices, a.values, a.dense_shape, b.indices,
                                               b.values, b.dense_shape, thresh))
        static = a.shape.merge_with(b.shape) if a.shape.is_compatible_with(b.shape) else None
        return SparseTensor(idx, val, shape, static)
    if b_sparse:
        a, b = b, a
    b = convert_to_tensor(b, a.dtype)
    return execute(SPARSE_DENSE_ADD, (a.indices, a.values, a.dense_shape, b))


# ---- sparse x dense matmul -------------------------------------------------------------------
def _matmul_kernel(xp, idx, val, shape, b, adjoint_a, adjoint_b):
    if b.ndim != 2:
        raise op_error(errors.InvalidArgumentError, "SparseTensorDenseMatMul",
                       "Tensor 'b' is not a matrix")
    out_rows, inner = (int(shape[1]), int(shape[0])) if adjoint_a else (int(shape[0]),
                                                                         int(shape[1]))
    b_rows, b_cols = (b.shape[1], b.shape[0]) if adjoint_b else b.shape
    if b_rows != inner:
        raise op_error(errors.InvalidArgumentError, "SparseTensorDenseMatMul",
                       f"Cannot multiply A and B because inner dimension does not match: {inner} "
                       f"vs. {b_rows}.  Did you forget a transpose?  Dimensions of A: "
                       f"[{shape[0]}, {shape[1]}).  Dimensions of B: [{b.shape[0]},{b.shape[1]}]")
    rows, cols = (idx[:, 1], idx[:, 0]) if adjoint_a else (idx[:, 0], idx[:, 1])
    for name, pos, bound, column in (("m", rows, out_rows, int(adjoint_a)),
                                     ("k", cols, inner, int(not adjoint_a))):
        bad = (pos < 0) | (pos >= bound)
        if xp.any(bad):
            i = int(xp.argmax(bad))
            raise op_error(errors.InvalidArgumentError, "SparseTensorDenseMatMul",
                           f"{name} ({pos[i]}) from index[{i},{column}] out of bounds "
                           f"(>={bound})")
    if adjoint_a:
        val = xp.conj(val)
    if adjoint_b:
        b = xp.conj(b).T
    out = xp.zeros((out_rows, b_cols), dtype=b.dtype)
    xp.add.at(out, rows, val[:, None] * b[cols])
    return out


MATMUL = register("SparseTensorDenseMatMul", _matmul_kernel, same_dtype=(1, 3),
                  infer=output_dtypes(1))


@register_gradient("SparseTensorDenseMatMul")
def _matmul_grad(op, dy):
    idx, val, shape, b = op.inputs
    adj_a, adj_b = op.get_attr("adjoint_a"), op.get_attr("adjoint_b")
    # d(b) = op(A)^H dy, transposed back when b was used adjointed.
    b_grad = execute(MATMUL, (idx, val, shape, dy), {"adjoint_a": not adj_a, "adjoint_b": False})
    if adj_b:
        b_grad = array_ops.transpose(b_grad, conjugate=True)
    rows, cols = (idx[:, 1], idx[:, 0]) if adj_a else (idx[:, 0], idx[:, 1])
    b_used = array_ops.transpose(b, conjugate=True) if adj_b else b
    # d(value of A at (r, c)) = sum_j dy[r, j] * conj(op(B)[c, j]); conjugated again for A^H.
    b_rows = gather_ops.gather(b_used, cols)
    if b_rows.dtype.is_complex:
        b_rows = complex_ops.conj(b_rows)
    val_grad = reduce_ops.reduce_sum(gather_ops.gather(dy, rows) * b_rows, axis=1)
    if adj_a and val_grad.dtype.is_complex:
        val_grad = complex_ops.conj(val_grad)
    return None, val_grad, None, b_grad


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """The dense product of a rank-2 SparseTensor and a dense matrix (either adjointed)."""
    if isinstance(b, SparseTensor):
        raise NotImplementedError("sparse_dense_matmul with a sparse right operand (TensorFlow "
                                  "transposes dense x sparse products into this form)")
    sp_a = _as_sparse(sp_a, "sparse_dense_matmul")
    b = convert_to_tensor(b)  # a dtype mismatch is the op's InvalidArgumentError, as in TF
    return execute(MATMUL, (sp_a.indices, sp_a.values, sp_a.dense_shape, b),
                   {"adjoint_a": bool(adjoint_a), "adjoint_b": bool(adjoint_b)})
