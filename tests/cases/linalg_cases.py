"""Cases for ndflow's linear algebra: matmul, einsum, tensordot, norm, matrix structure ops and
decompositions. Decompositions whose outputs are unique only up to signs are compared through
sign-invariant functions of the outputs (reconstructions, absolute values)."""
import numpy as np

from opcases import ErrorCase, OpCase, rand

F32, I32 = np.float32, np.int32


def well(*shape, seed=None):
    """Well-conditioned square matrices (diagonally dominant)."""
    n = shape[-1]
    return rand(*shape, seed=seed) + 4 * np.eye(n)


def _spd(tf, x):
    n = x.shape[-1]
    return tf.matmul(x, x, transpose_b=True) + n * np.eye(n)


def _sym(tf, x):
    return x + tf.linalg.matrix_transpose(x)


def _np_sym(x):
    return x + np.swapaxes(x, -1, -2)


def _np_spd(x):
    return x @ np.swapaxes(x, -1, -2) + x.shape[-1] * np.eye(x.shape[-1])


MM = ["MatMul"]
BMM = ["BatchMatMulV2"]
CASES = [
    # -- matmul ------------------------------------------------------------------------------
    OpCase("matmul", lambda tf, a, b: tf.matmul(a, b), [rand(2, 3), rand(3, 4)], MM, np.matmul,
           grad=True),
    OpCase("matmul_operator_f32", lambda tf, a, b: a @ b, [rand(3, 3, dtype=F32),
           rand(3, 2, dtype=F32)], MM, np.matmul),
    OpCase("matmul_int32", lambda tf, a, b: tf.matmul(a, b),
           [rand(2, 3, dtype=I32, low=-5, high=5), rand(3, 2, dtype=I32, low=-5, high=5)], MM,
           np.matmul),
    OpCase("matmul_transpose_a", lambda tf, a, b: tf.matmul(a, b, transpose_a=True),
           [rand(3, 2), rand(3, 4)], MM, lambda a, b: a.T @ b, grad=True),
    OpCase("matmul_transpose_b", lambda tf, a, b: tf.linalg.matmul(a, b, transpose_b=True),
           [rand(2, 3), rand(4, 3)], MM, lambda a, b: a @ b.T, grad=True),
    OpCase("matmul_adjoint_both", lambda tf, a, b: tf.matmul(a, b, adjoint_a=True,
           adjoint_b=True), [rand(3, 2), rand(4, 3)], MM, lambda a, b: a.T @ b.T, grad=True),
    OpCase("matmul_empty", lambda tf, a, b: tf.matmul(a, b), [rand(2, 0), rand(0, 3)], MM,
           np.matmul),
    OpCase("matmul_list_literal", lambda tf, a: tf.matmul(a, [[1.0], [2.0]]), [rand(2, 2)], MM,
           lambda a: a @ np.array([[1.0], [2.0]])),
    OpCase("batch_matmul", lambda tf, a, b: tf.matmul(a, b), [rand(2, 3, 4), rand(2, 4, 2)],
           BMM, np.matmul, grad=True),
    OpCase("batch_matmul_broadcast", lambda tf, a, b: tf.matmul(a, b),
           [rand(2, 1, 3, 4), rand(5, 4, 2)], BMM, np.matmul, grad=True),
    OpCase("batch_matmul_rank2_rhs", lambda tf, a, b: tf.matmul(a, b, adjoint_b=True),
           [rand(3, 2, 4), rand(3, 4)], BMM, lambda a, b: a @ b.T, grad=True),
    OpCase("batch_matmul_adjoint_a", lambda tf, a, b: tf.matmul(a, b, transpose_a=True),
           [rand(2, 4, 3), rand(1, 4, 2)], BMM, lambda a, b: np.swapaxes(a, -1, -2) @ b,
           grad=True),
    OpCase("batch_matmul_int64", lambda tf, a, b: tf.matmul(a, b),
           [rand(2, 2, 3, dtype=np.int64), rand(2, 3, 2, dtype=np.int64)], BMM, np.matmul),
    OpCase("matvec", lambda tf, a, b: tf.linalg.matvec(a, b), [rand(2, 3), rand(3)],
           ["MatMul", "ExpandDims", "Squeeze"], lambda a, b: a @ b, grad=True),
    OpCase("matvec_batch_transpose", lambda tf, a, b: tf.linalg.matvec(a, b, transpose_a=True),
           [rand(4, 3, 2), rand(4, 3)], BMM, lambda a, b: np.einsum("bji,bj->bi", a, b),
           grad=True),
    # -- einsum and tensordot ----------------------------------------------------------------
    OpCase("einsum_matmul", lambda tf, a, b: tf.einsum("ij,jk->ik", a, b),
           [rand(2, 3), rand(3, 4)], ["Einsum"], lambda a, b: a @ b, grad=True),
    OpCase("einsum_batch", lambda tf, a, b: tf.einsum("bij,bjk->bik", a, b),
           [rand(2, 2, 3), rand(2, 3, 2)], ["Einsum"], np.matmul, grad=True),
    OpCase("einsum_transpose", lambda tf, a: tf.einsum("ij->ji", a), [rand(2, 3)], ["Einsum"],
           np.transpose, grad=True),
    OpCase("einsum_sum_axis", lambda tf, a: tf.einsum("ijk->ik", a), [rand(2, 3, 4)],
           ["Einsum"], lambda a: a.sum(1), grad=True),
    OpCase("einsum_diag", lambda tf, a: tf.einsum("ii->i", a), [rand(3, 3)], ["Einsum"],
           np.diag, grad=True),
    OpCase("einsum_trace_implicit", lambda tf, a: tf.einsum("ii", a), [rand(3, 3)],
           ["Einsum"], np.trace, grad=True),
    OpCase("einsum_outer", lambda tf, a, b: tf.einsum("i,j->ij", a, b), [rand(3), rand(2)],
           ["Einsum"], np.outer, grad=True),
    OpCase("einsum_implicit", lambda tf, a, b: tf.einsum("ij,jk", a, b), [rand(2, 3),
           rand(3, 2)], ["Einsum"], np.matmul, grad=True),
    OpCase("einsum_three", lambda tf, a, b, c: tf.einsum("ij,jk,kl->il", a, b, c),
           [rand(2, 3), rand(3, 4), rand(4, 2)], ["Einsum"], lambda a, b, c: a @ b @ c,
           grad=True),
    OpCase("einsum_ellipsis_broadcast", lambda tf, a, b: tf.einsum("...ij,...jk->...ik", a, b),
           [rand(2, 1, 2, 3), rand(4, 3, 2)], ["Einsum"], np.matmul, grad=True),
    OpCase("einsum_dot_f32", lambda tf, a, b: tf.einsum("i,i->", a, b),
           [rand(4, dtype=F32), rand(4, dtype=F32)], ["Einsum"], np.dot),
    OpCase("einsum_int32", lambda tf, a: tf.einsum("ij->i", a), [rand(2, 3, dtype=I32)],
           ["Einsum"], lambda a: a.sum(1)),
    OpCase("tensordot_int", lambda tf, a, b: tf.tensordot(a, b, 1), [rand(2, 3), rand(3, 4)],
           ["Einsum"], lambda a, b: np.tensordot(a, b, 1), grad=True),
    OpCase("tensordot_pairs", lambda tf, a, b: tf.tensordot(a, b, [[0, 2], [1, 0]]),
           [rand(2, 3, 4), rand(4, 2, 5)], ["Einsum"],
           lambda a, b: np.tensordot(a, b, [[0, 2], [1, 0]]), grad=True),
    OpCase("tensordot_outer", lambda tf, a, b: tf.tensordot(a, b, 0), [rand(2), rand(3)],
           ["Einsum"], lambda a, b: np.tensordot(a, b, 0), grad=True),
    OpCase("tensordot_scalar_axes", lambda tf, a, b: tf.tensordot(a, b, [-1, 0]),
           [rand(2, 3), rand(3, 2)], ["Einsum"], lambda a, b: a @ b),
    # -- norm --------------------------------------------------------------------------------
    OpCase("norm_default", lambda tf, x: tf.norm(x), [rand(2, 3)], ["Mul", "Sum", "Sqrt"],
           np.linalg.norm, grad=True),
    OpCase("norm_axis_keepdims", lambda tf, x: tf.norm(x, axis=1, keepdims=True),
           [rand(2, 3, dtype=F32)], ["Sqrt"], lambda x: np.linalg.norm(x, axis=1,
           keepdims=True), rtol=1e-5),
    OpCase("norm_ord1_vector", lambda tf, x: tf.norm(x, ord=1, axis=-1), [rand(2, 3)],
           ["Abs", "Sum"], lambda x: np.abs(x).sum(-1), grad=True),
    OpCase("norm_inf_vector", lambda tf, x: tf.norm(x, ord=np.inf, axis=0), [rand(3, 2)],
           ["Max"], lambda x: np.abs(x).max(0), grad=True),
    OpCase("norm_p3", lambda tf, x: tf.norm(x, ord=3, axis=1), [rand(2, 4)], ["Pow"],
           lambda x: (np.abs(x) ** 3).sum(1) ** (1 / 3), grad=True),
    OpCase("norm_fro", lambda tf, x: tf.norm(x, ord="fro", axis=(1, 2)), [rand(2, 3, 3)],
           ["Sqrt"], lambda x: np.linalg.norm(x, "fro", axis=(1, 2)), grad=True),
    OpCase("norm_matrix_1", lambda tf, x: tf.norm(x, ord=1, axis=[0, 1]), [rand(3, 2)],
           ["Max"], lambda x: np.linalg.norm(x, 1), grad=True),
    OpCase("norm_matrix_inf", lambda tf, x: tf.norm(x, ord=np.inf, axis=[-2, -1],
           keepdims=True), [rand(2, 3, 4)],
           ["Max"], lambda x: np.linalg.norm(x, np.inf, axis=(-2, -1), keepdims=True),
           grad=True),
    OpCase("norm_matrix_2", lambda tf, x: tf.norm(x, ord=2, axis=[1, 0]), [rand(3, 2)],
           ["Svd", "Transpose"], lambda x: np.linalg.norm(x, 2), grad=True),
    # -- matrix structure --------------------------------------------------------------------
    OpCase("diag", lambda tf, d: tf.linalg.diag(d), [rand(2, 3)], ["MatrixDiagV3"],
           lambda d: np.stack([np.diag(r) for r in d]), grad=True),
    OpCase("diag_k1_int", lambda tf, d: tf.linalg.diag(d, k=1), [rand(3, dtype=I32)],
           ["MatrixDiagV3"], lambda d: np.diag(d, 1)),
    OpCase("diag_part", lambda tf, x: tf.linalg.diag_part(x), [rand(2, 3, 4)],
           ["MatrixDiagPartV3"], lambda x: np.diagonal(x, 0, -2, -1), grad=True),
    OpCase("diag_part_k", lambda tf, x: tf.linalg.diag_part(x, k=-1), [rand(3, 3)],
           ["MatrixDiagPartV3"], lambda x: np.diagonal(x, -1), grad=True),
    OpCase("set_diag", lambda tf, x, d: tf.linalg.set_diag(x, d), [rand(2, 3, 3), rand(2, 3)],
           ["MatrixSetDiagV3"], lambda x, d: x - np.eye(3) * x + np.eye(3) * d[:, None, :],
           grad=True),
    OpCase("trace", lambda tf, x: tf.linalg.trace(x), [rand(2, 3, 4)],
           ["MatrixDiagPartV3", "Sum"], lambda x: np.trace(x, axis1=-2, axis2=-1), grad=True),
    OpCase("trace_int", lambda tf, x: tf.linalg.trace(x), [rand(3, 3, dtype=I32)],
           ["MatrixDiagPartV3"], np.trace),
    OpCase("band_part_lower", lambda tf, x: tf.linalg.band_part(x, -1, 0), [rand(2, 3, 4)],
           ["MatrixBandPart"], np.tril, grad=True),
    OpCase("band_part_band", lambda tf, x: tf.linalg.band_part(x, 1, 2), [rand(4, 4)],
           ["MatrixBandPart"], lambda x: np.triu(np.tril(x, 2), -1), grad=True),
    OpCase("matrix_transpose", lambda tf, x: tf.linalg.matrix_transpose(x), [rand(2, 3, 4)],
           ["Transpose"], lambda x: np.swapaxes(x, -1, -2), grad=True),
    OpCase("adjoint", lambda tf, x: tf.linalg.adjoint(x), [rand(3, 2)], ["Transpose"],
           np.transpose, grad=True),
    OpCase("l2_normalize", lambda tf, x: tf.linalg.l2_normalize(x, axis=1), [rand(2, 3)],
           ["Rsqrt", "Maximum"], lambda x: x / np.linalg.norm(x, axis=1, keepdims=True),
           grad=True),
    OpCase("l2_normalize_all_f32", lambda tf, x: tf.linalg.l2_normalize(x), [rand(2, 3,
           dtype=F32)], ["Rsqrt"], lambda x: x / np.linalg.norm(x)),
    OpCase("normalize", lambda tf, x: tf.linalg.normalize(x, axis=0), [rand(3, 2)], ["Sqrt"],
           lambda x: (x / np.linalg.norm(x, axis=0, keepdims=True),
                      np.linalg.norm(x, axis=0, keepdims=True)), grad=True),
    # -- inverses, determinants, solvers -----------------------------------------------------
    OpCase("inv", lambda tf, x: tf.linalg.inv(x), [well(2, 3, 3)], ["MatrixInverse"],
           np.linalg.inv, grad=True),
    OpCase("inv_adjoint_f32", lambda tf, x: tf.linalg.inv(x, adjoint=True),
           [well(3, 3).astype(F32)], ["MatrixInverse"], lambda x: np.linalg.inv(x.T),
           rtol=1e-4),
    OpCase("inv_adjoint_grad", lambda tf, x: tf.linalg.inv(x, adjoint=True), [well(3, 3)],
           ["MatrixInverse"], lambda x: np.linalg.inv(x.T), grad=True),
    OpCase("det", lambda tf, x: tf.linalg.det(x), [rand(2, 3, 3)], ["MatrixDeterminant"],
           np.linalg.det, grad=True),
    OpCase("slogdet", lambda tf, x: tf.linalg.slogdet(x), [rand(2, 3, 3)],
           ["LogMatrixDeterminant"], lambda x: tuple(np.linalg.slogdet(x)), grad=True),
    OpCase("logdet", lambda tf, x: tf.linalg.logdet(_spd(tf, x)), [rand(3, 3)],
           ["Cholesky", "Log"], lambda x: np.linalg.slogdet(_np_spd(x))[1], grad=True),
    OpCase("cholesky", lambda tf, x: tf.linalg.cholesky(_spd(tf, x)), [rand(2, 3, 3)],
           ["Cholesky"], lambda x: np.linalg.cholesky(_np_spd(x)), grad=True),
    OpCase("cholesky_f32", lambda tf, x: tf.linalg.cholesky(x),
           [_np_spd(rand(3, 3)).astype(F32)], ["Cholesky"], np.linalg.cholesky, rtol=1e-4),
    OpCase("solve", lambda tf, a, b: tf.linalg.solve(a, b), [well(2, 3, 3), rand(2, 3, 2)],
           ["MatrixSolve"], np.linalg.solve, grad=True),
    OpCase("solve_adjoint", lambda tf, a, b: tf.linalg.solve(a, b, adjoint=True),
           [well(3, 3), rand(3, 1)], ["MatrixSolve"], lambda a, b: np.linalg.solve(a.T, b),
           grad=True),
    OpCase("triangular_solve_lower", lambda tf, a, b: tf.linalg.triangular_solve(a, b),
           [well(3, 3), rand(3, 2)], ["MatrixTriangularSolve"],
           lambda a, b: np.linalg.solve(np.tril(a), b), grad=True),
    OpCase("triangular_solve_upper_adjoint_broadcast",
           lambda tf, a, b: tf.linalg.triangular_solve(a, b, lower=False, adjoint=True),
           [well(3, 3), rand(2, 3, 2)], ["MatrixTriangularSolve"],
           lambda a, b: np.linalg.solve(np.triu(a).T, b), grad=True),
    OpCase("cholesky_solve", lambda tf, x, b: tf.linalg.cholesky_solve(
           tf.linalg.cholesky(_spd(tf, x)), b), [rand(3, 3), rand(3, 2)],
           ["MatrixTriangularSolve"], lambda x, b: np.linalg.solve(_np_spd(x), b), grad=True),
    # -- decompositions (sign-invariant views) -----------------------------------------------
    OpCase("qr_reconstruct_abs", lambda tf, x: [tf.matmul(*tf.linalg.qr(x)),
           tf.abs(tf.linalg.qr(x).q), tf.abs(tf.linalg.qr(x).r)], [rand(4, 3)], ["Qr"],
           lambda x: [x, np.abs(np.linalg.qr(x)[0]), np.abs(np.linalg.qr(x)[1])], grad=True),
    OpCase("qr_square_batch", lambda tf, x: tf.abs(tf.linalg.qr(x)[1]), [rand(2, 3, 3)],
           ["Qr"], lambda x: np.abs(np.linalg.qr(x)[1]), grad=True),
    OpCase("qr_full_shapes_f32", lambda tf, x: [tf.abs(t) for t in tf.linalg.qr(
           x, full_matrices=True)], [rand(4, 2, dtype=F32)], ["Qr"],
           lambda x: [np.abs(t) for t in np.linalg.qr(x, "complete")], rtol=1e-4, atol=1e-5),
    OpCase("svd_values", lambda tf, x: tf.linalg.svd(x, compute_uv=False), [rand(2, 4, 3)],
           ["Svd"], lambda x: np.linalg.svd(x, compute_uv=False), grad=True),
    OpCase("svd_invariants_tall", lambda tf, x: _svd_invariants(tf, x), [rand(4, 3)], ["Svd"],
           lambda x: _np_svd_invariants(x), grad=True),
    OpCase("svd_invariants_wide", lambda tf, x: _svd_invariants(tf, x), [rand(2, 3, 4)],
           ["Svd"], lambda x: _np_svd_invariants(x), grad=True),
    OpCase("svd_full_shapes_f32", lambda tf, x: [tf.abs(t) for t in tf.linalg.svd(
           x, full_matrices=True)], [rand(4, 2, dtype=F32)], ["Svd"], values=False),
    OpCase("eigh", lambda tf, x: [tf.linalg.eigh(_sym(tf, x))[0],
           tf.abs(tf.linalg.eigh(_sym(tf, x))[1])], [rand(2, 3, 3)], ["SelfAdjointEigV2"],
           lambda x: [np.linalg.eigh(_np_sym(x))[0], np.abs(np.linalg.eigh(_np_sym(x))[1])],
           grad=True),
    OpCase("eigh_lower_triangle_grad", lambda tf, x: tf.linalg.eigh(x)[0], [rand(3, 3)],
           ["SelfAdjointEigV2"], lambda x: np.linalg.eigh(x)[0], grad=True),
    OpCase("eigh_reconstruct", lambda tf, x: _eigh_reconstruct(tf, _sym(tf, x)), [rand(3, 3)],
           ["SelfAdjointEigV2"], _np_sym, grad=True),
    OpCase("eigvalsh_f32", lambda tf, x: tf.linalg.eigvalsh(x), [_np_sym(rand(3, 3)).astype(F32)],
           ["SelfAdjointEigV2"], np.linalg.eigvalsh, rtol=1e-4, atol=1e-5),
    OpCase("eigvalsh_grad", lambda tf, x: tf.linalg.eigvalsh(_sym(tf, x)), [rand(3, 3)],
           ["SelfAdjointEigV2"], lambda x: np.linalg.eigvalsh(_np_sym(x)), grad=True),
]


def _svd_invariants(tf, x):
    s, u, v = tf.linalg.svd(x)
    return [s, tf.matmul(u * tf.expand_dims(s, -2), v, adjoint_b=True),
            tf.matmul(u, v, adjoint_b=True), tf.abs(u), tf.abs(v)]


def _np_svd_invariants(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return [s, x, u @ vh, np.abs(u), np.abs(np.swapaxes(vh, -1, -2))]


def _eigh_reconstruct(tf, x):
    e, v = tf.linalg.eigh(x)
    return tf.matmul(v * tf.expand_dims(e, -2), v, adjoint_b=True)


IAE = "InvalidArgumentError"
CASES += [
    ErrorCase("matmul_rank1", lambda tf, a, b: tf.matmul(a, b), [rand(3), rand(3, 2)], IAE),
    ErrorCase("matmul_both_rank1", lambda tf, a, b: tf.matmul(a, b), [rand(3), rand(3)], IAE),
    ErrorCase("matmul_incompatible", lambda tf, a, b: tf.matmul(a, b), [rand(2, 3), rand(2, 3)],
              IAE),
    ErrorCase("matmul_dtype_mismatch", lambda tf, a, b: tf.matmul(a, b),
              [rand(2, 3, dtype=F32), rand(3, 2, dtype=I32)], IAE),
    ErrorCase("matmul_bool", lambda tf, a: tf.matmul(a, a), [rand(2, 2, dtype=bool)], IAE),
    ErrorCase("batch_matmul_incompatible_batch", lambda tf, a, b: tf.matmul(a, b),
              [rand(4, 2, 3), rand(5, 3, 2)], IAE),
    ErrorCase("batch_matmul_incompatible", lambda tf, a, b: tf.matmul(a, b),
              [rand(4, 2, 3), rand(4, 2, 3)], IAE),
    ErrorCase("matmul_transpose_and_adjoint", lambda tf, a: tf.matmul(a, a, transpose_a=True,
              adjoint_a=True), [rand(2, 2)], "ValueError"),
    ErrorCase("matvec_incompatible", lambda tf, a, b: tf.linalg.matvec(a, b),
              [rand(2, 3), rand(2)], IAE),
    ErrorCase("einsum_input_count", lambda tf, a: tf.einsum("ij,jk->ik", a), [rand(2, 3)],
              "ValueError"),
    ErrorCase("einsum_size_mismatch", lambda tf, a, b: tf.einsum("ij,jk->ik", a, b),
              [rand(2, 3), rand(4, 2)], IAE),
    ErrorCase("einsum_dtype_mismatch", lambda tf, a, b: tf.einsum("ij,jk->ik", a, b),
              [rand(2, 3), rand(3, 2, dtype=F32)], IAE),
    ErrorCase("tensordot_axes_too_large", lambda tf, a, b: tf.tensordot(a, b, 3),
              [rand(2, 3), rand(3, 4)], "ValueError"),
    ErrorCase("tensordot_size_mismatch", lambda tf, a, b: tf.tensordot(a, b, 1),
              [rand(2, 3), rand(2, 4)], IAE),
    ErrorCase("norm_bad_ord", lambda tf, x: tf.norm(x, ord="nuc"), [rand(2, 3)], "ValueError"),
    ErrorCase("norm_bad_matrix_ord", lambda tf, x: tf.norm(x, ord=3, axis=[0, 1]),
              [rand(2, 3)], "ValueError"),
    ErrorCase("norm_three_axes", lambda tf, x: tf.norm(x, axis=(0, 1, 1)), [rand(2, 3)],
              "ValueError"),
    ErrorCase("norm_axis_out_of_range", lambda tf, x: tf.norm(x, axis=5), [rand(2, 3)], IAE),
    ErrorCase("norm_int", lambda tf, x: tf.norm(x), [rand(2, 3, dtype=I32)], IAE),
    ErrorCase("inv_not_square", lambda tf, x: tf.linalg.inv(x), [rand(2, 3)], IAE),
    ErrorCase("inv_singular", lambda tf, x: tf.linalg.inv(x), [np.zeros((2, 2))], IAE),
    ErrorCase("inv_rank1", lambda tf, x: tf.linalg.inv(x), [rand(3)], IAE),
    ErrorCase("det_not_square", lambda tf, x: tf.linalg.det(x), [rand(2, 3)], IAE),
    ErrorCase("det_int", lambda tf, x: tf.linalg.det(x), [rand(2, 2, dtype=I32)], IAE),
    ErrorCase("cholesky_not_square", lambda tf, x: tf.linalg.cholesky(x), [rand(2, 3)], IAE),
    ErrorCase("solve_incompatible", lambda tf, a, b: tf.linalg.solve(a, b),
              [well(3, 3), rand(2, 1)], IAE),
    ErrorCase("solve_singular", lambda tf, a, b: tf.linalg.solve(a, b),
              [np.zeros((2, 2)), rand(2, 1)], IAE),
    ErrorCase("eigh_not_square", lambda tf, x: tf.linalg.eigh(x), [rand(2, 3)], IAE),
    ErrorCase("svd_int", lambda tf, x: tf.linalg.svd(x), [rand(2, 2, dtype=I32)], IAE),
    ErrorCase("diag_part_rank1", lambda tf, x: tf.linalg.diag_part(x), [rand(3)], IAE),
    ErrorCase("band_part_too_many", lambda tf, x: tf.linalg.band_part(x, 3, 0), [rand(2, 3)],
              IAE),
    ErrorCase("matrix_transpose_rank1", lambda tf, x: tf.linalg.matrix_transpose(x), [rand(3)],
              "ValueError"),
]
