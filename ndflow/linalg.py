"""``ndflow.linalg``: matrix products, decompositions, solvers and norms."""
from ndflow.ops.linalg_ops import einsum, matmul, matvec, norm, tensordot  # noqa: F401
from ndflow.ops.linalg_matrix_ops import (adjoint, band_part, diag, diag_part,  # noqa: F401
                                          l2_normalize, matrix_transpose, normalize, set_diag,
                                          trace)
from ndflow.ops.linalg_decomp_ops import (cholesky, cholesky_solve, det, eigh,  # noqa: F401
                                          eigvalsh, inv, logdet, qr, slogdet, solve, svd,
                                          triangular_solve)
from ndflow.ops.math_extra_ops import global_norm  # noqa: F401
from ndflow.ops.array_ops import eye  # noqa: F401
