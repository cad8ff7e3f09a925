"""Linear algebra: matmul, matvec, einsum, tensordot, norms, decompositions and solvers."""

__all__ = []
