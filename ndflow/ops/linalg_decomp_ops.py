"""Inverses, determinants, solvers and decompositions (Cholesky, QR, SVD, eigh)."""
import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register, register_gradient

_LAPACK_TYPES = D.FLOATING | D.COMPLEX
_IAE = errors.InvalidArgumentError


def _square(name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise op_error(_IAE, name, f"Input matrix must be square: got shape {list(a.shape)}")


def _lapack(fn):
    """Runs ``fn`` on arrays, computing float16 in float32 (LAPACK has no half precision)."""
    def kernel(xp, *arrays, **attrs):
        dtype = arrays[0].dtype
        if dtype == np.float16:
            arrays = [a.astype(np.float32) for a in arrays]
        out = fn(xp, *arrays, **attrs)
        if dtype == np.float16:
            out = tuple(o.astype(dtype) for o in out) if isinstance(out, tuple) else \
                out.astype(dtype)
        return out
    return kernel


@_lapack
def _inverse_kernel(xp, a, adjoint):
    _square("MatrixInverse", a)
    if adjoint:
        a = xp.swapaxes(a, -1, -2).conj()
    try:
        return xp.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise op_error(_IAE, "MatrixInverse", "Input is not invertible.") from None


@_lapack
def _det_kernel(xp, a):
    _square("MatrixDeterminant", a)
    return xp.linalg.det(a)


@_lapack
def _slogdet_kernel(xp, a):
    _square("LogMatrixDeterminant", a)
    sign, logdet = xp.linalg.slogdet(a)
    return sign.astype(a.dtype), logdet.astype(a.dtype)


@_lapack
def _cholesky_kernel(xp, a):
    _square("Cholesky", a)
    try:
        return xp.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        raise op_error(_IAE, "Cholesky", "Cholesky decomposition was not successful. The input "
                       "might not be valid.") from None


def _check_rhs(name, a, b):
    _square(name, a)
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise op_error(_IAE, name, f"Input matrix and right-hand side must have the same number "
                       f"of rows: {list(a.shape)} vs. {list(b.shape)}")


@_lapack
def _solve_kernel(xp, a, b, adjoint):
    _check_rhs("MatrixSolve", a, b)
    if a.shape[:-2] != b.shape[:-2]:
        raise op_error(_IAE, "MatrixSolve", f"Input matrix and right-hand side must have the "
                       f"same batch dimensions: {list(a.shape)} vs. {list(b.shape)}")
    if adjoint:
        a = xp.swapaxes(a, -1, -2).conj()
    try:
        return xp.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        raise op_error(_IAE, "MatrixSolve", "Input matrix is not invertible.") from None


@_lapack
def _triangular_solve_kernel(xp, a, b, lower, adjoint):
    _check_rhs("MatrixTriangularSolve", a, b)
    a = xp.tril(a) if lower else xp.triu(a)   # the other triangle is ignored, as in TF
    if adjoint:
        a = xp.swapaxes(a, -1, -2).conj()
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, batch + a.shape[-2:])
    b = xp.broadcast_to(b, batch + b.shape[-2:])
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            return xp.linalg.solve(a, b)
        except np.linalg.LinAlgError:  # a zero on the diagonal: TF divides by it
            return xp.full(b.shape, xp.nan, dtype=b.dtype)


@_lapack
def _qr_kernel(xp, a, full_matrices):
    return tuple(xp.linalg.qr(a, mode="complete" if full_matrices else "reduced"))


@_lapack
def _svd_kernel(xp, a, compute_uv, full_matrices):
    if not compute_uv:
        s = xp.linalg.svd(a, compute_uv=False)
        empty = xp.zeros((0,), a.dtype)
        return s.astype(a.real.dtype), empty, empty
    u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    return s, u, xp.swapaxes(vh, -1, -2).conj()


@_lapack
def _eigh_kernel(xp, a, compute_v):
    _square("SelfAdjointEigV2", a)
    if not compute_v:
        return xp.linalg.eigvalsh(a), xp.zeros((0,), a.dtype)
    return tuple(xp.linalg.eigh(a))


MATRIX_INVERSE = register("MatrixInverse", _inverse_kernel, allowed=_LAPACK_TYPES)
MATRIX_DETERMINANT = register("MatrixDeterminant", _det_kernel, allowed=_LAPACK_TYPES)
LOG_MATRIX_DETERMINANT = register("LogMatrixDeterminant", _slogdet_kernel, num_outputs=2,
                                  allowed=_LAPACK_TYPES)
CHOLESKY = register("Cholesky", _cholesky_kernel, allowed=_LAPACK_TYPES)
MATRIX_SOLVE = register("MatrixSolve", _solve_kernel, same_dtype=(0, 1), allowed=_LAPACK_TYPES)
MATRIX_TRIANGULAR_SOLVE = register("MatrixTriangularSolve", _triangular_solve_kernel,
                                   same_dtype=(0, 1), allowed=_LAPACK_TYPES)
QR = register("Qr", _qr_kernel, num_outputs=2, allowed=_LAPACK_TYPES)
SVD = register("Svd", _svd_kernel, num_outputs=3, allowed=_LAPACK_TYPES)
SELF_ADJOINT_EIG = register("SelfAdjointEigV2", _eigh_kernel, num_outputs=2,
                            allowed=_LAPACK_TYPES)


def _matrix(x, name):
    x = _in.as_tensor(x)
    if x.shape.rank is not None and x.shape.rank < 2:
        raise errors.InvalidArgumentError(
            None, None, f"Input must have rank >= 2, got shape {x.shape.as_list()} [Op:{name}]")
    return x


def _pair(matrix, rhs):
    a = _in.as_tensor(matrix)
    b = rhs if type(rhs) is type(a) else _in.like(rhs, a.dtype)
    return a, b


def inv(input, adjoint=False, name=None):  # noqa: A002
    """The inverse (of the adjoint, when ``adjoint``) of each inner-most square matrix."""
    return execute(MATRIX_INVERSE, (_matrix(input, "MatrixInverse"),), {"adjoint": bool(adjoint)})


def det(input, name=None):  # noqa: A002
    """The determinant of each inner-most square matrix."""
    return execute(MATRIX_DETERMINANT, (_matrix(input, "MatrixDeterminant"),))


def slogdet(input, name=None):  # noqa: A002
    """(sign, log|det|) of each inner-most square matrix."""
    return execute(LOG_MATRIX_DETERMINANT, (_matrix(input, "LogMatrixDeterminant"),))


def logdet(matrix, name=None):
    """log(det(matrix)) of Hermitian positive definite matrices, through their Cholesky factor."""
    from ndflow.ops.linalg_matrix_ops import diag_part
    from ndflow.ops.math_ops import multiply
    from ndflow.ops.reduce_ops import reduce_sum
    from ndflow.ops.unary_ops import log
    chol = cholesky(matrix)
    return multiply(_in.like(2.0, chol.dtype), reduce_sum(log(diag_part(chol)), -1))


def cholesky(input, name=None):  # noqa: A002
    """The lower-triangular Cholesky factor L (L L^H = input) of each inner-most matrix."""
    return execute(CHOLESKY, (_matrix(input, "Cholesky"),))


def solve(matrix, rhs, adjoint=False, name=None):
    """X with matrix @ X = rhs (adjoint(matrix) @ X = rhs when ``adjoint``)."""
    a, b = _pair(matrix, rhs)
    return execute(MATRIX_SOLVE, (a, b), {"adjoint": bool(adjoint)})


def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """X with matrix @ X = rhs for triangular matrices (batch dimensions broadcast)."""
    a, b = _pair(matrix, rhs)
    return execute(MATRIX_TRIANGULAR_SOLVE, (a, b), {"lower": bool(lower),
                                                     "adjoint": bool(adjoint)})


def cholesky_solve(chol, rhs, name=None):
    """X with A @ X = rhs, given the Cholesky factor of A."""
    y = triangular_solve(chol, rhs, lower=True, adjoint=False)
    return triangular_solve(chol, y, lower=True, adjoint=True)


def qr(input, full_matrices=False, name=None):  # noqa: A002
    """The QR decomposition (q, r) of each inner-most matrix."""
    return _Qr(*execute(QR, (_matrix(input, "Qr"),), {"full_matrices": bool(full_matrices)}))


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values s (descending) and, when ``compute_uv``, u and v with a = u diag(s) v^H."""
    s, u, v = execute(SVD, (_matrix(tensor, "Svd"),), {"compute_uv": bool(compute_uv),
                                                       "full_matrices": bool(full_matrices)})
    return (s, u, v) if compute_uv else s


def eigh(tensor, name=None):
    """Eigenvalues (ascending) and eigenvectors of self-adjoint matrices (lower triangle read)."""
    return execute(SELF_ADJOINT_EIG, (_matrix(tensor, "SelfAdjointEigV2"),), {"compute_v": True})


def eigvalsh(tensor, name=None):
    """Eigenvalues (ascending) of self-adjoint matrices."""
    return execute(SELF_ADJOINT_EIG, (_matrix(tensor, "SelfAdjointEigV2"),),
                   {"compute_v": False})[0]


class _Qr(tuple):
    """qr's result: a (q, r) tuple with named fields, like TensorFlow's."""

    def __new__(cls, q, r):
        return super().__new__(cls, (q, r))

    q = property(lambda self: self[0])
    r = property(lambda self: self[1])


# -- gradients ---------------------------------------------------------------------------------

def _mm(a, b, adjoint_a=False, adjoint_b=False):
    from ndflow.ops.linalg_ops import matmul
    return matmul(a, b, adjoint_a=adjoint_a, adjoint_b=adjoint_b)


def _adj(x):
    from ndflow.ops.linalg_matrix_ops import adjoint
    return adjoint(x)


def _expand2(x):
    """x with two trailing unit dimensions (to scale whole matrices)."""
    from ndflow.ops.array_ops import reshape
    return reshape(x, list(x.shape.dims) + [1, 1])


def _safe_reciprocal(x, epsilon=1e-20):
    from ndflow.ops.math_ops import add, multiply, truediv
    return truediv(x, add(multiply(x, x), _in.like(epsilon, x.dtype)))


@register_gradient("MatrixInverse")
def _inverse_grad(op, dy):
    from ndflow.ops.math_ops import negative
    ainv = op.outputs
    adj = op.get_attr("adjoint")
    return (negative(_mm(ainv, _mm(dy, ainv, adjoint_a=adj, adjoint_b=not adj),
                         adjoint_a=not adj)),)


@register_gradient("MatrixDeterminant")
def _det_grad(op, dy):
    from ndflow.ops.math_ops import multiply
    return (multiply(_expand2(multiply(dy, op.outputs)), inv(op.inputs[0], adjoint=True)),)


@register_gradient("LogMatrixDeterminant")
def _slogdet_grad(op, dsign, dlogdet):
    from ndflow.ops.math_ops import multiply
    return (multiply(_expand2(dlogdet), inv(op.inputs[0], adjoint=True)),)


@register_gradient("Cholesky")
def _cholesky_grad(op, dy):
    from ndflow.ops.array_ops import ones
    from ndflow.ops.linalg_matrix_ops import band_part, diag, diag_part, set_diag
    from ndflow.ops.math_ops import add, multiply
    chol = op.outputs
    eye = diag(ones(list(chol.shape.dims[:-1]), dtype=chol.dtype))
    chol_inv = triangular_solve(chol, eye)
    middle = _mm(chol, dy, adjoint_a=True)
    half = _in.like(0.5, chol.dtype)
    middle = band_part(set_diag(middle, multiply(half, diag_part(middle))), -1, 0)
    grad = _mm(_mm(chol_inv, middle, adjoint_a=True), chol_inv)
    return (multiply(add(grad, _adj(grad)), half),)


@register_gradient("MatrixSolve")
def _solve_grad(op, dy):
    from ndflow.ops.math_ops import negative
    a = op.inputs[0]
    adj = op.get_attr("adjoint")
    gb = solve(a, dy, adjoint=not adj)
    ga = _mm(op.outputs, gb, adjoint_b=True) if adj else _mm(gb, op.outputs, adjoint_b=True)
    return negative(ga), gb


@register_gradient("MatrixTriangularSolve")
def _triangular_solve_grad(op, dy):
    from ndflow.ops.linalg_matrix_ops import band_part
    from ndflow.ops.math_ops import negative, unbroadcast
    a, b = op.inputs
    adj, lower = op.get_attr("adjoint"), op.get_attr("lower")
    gb = triangular_solve(a, dy, lower=lower, adjoint=not adj)
    ga = _mm(op.outputs, gb, adjoint_b=True) if adj else _mm(gb, op.outputs, adjoint_b=True)
    ga = band_part(negative(ga), -1, 0) if lower else band_part(negative(ga), 0, -1)
    return unbroadcast(ga, a), unbroadcast(gb, b)


def _triangular_right_solve(x, r):
    """x @ adjoint(inv(r)) for upper-triangular r."""
    return _adj(triangular_solve(r, _adj(x), lower=False, adjoint=False))


@register_gradient("Qr")
def _qr_grad(op, dq, dr):
    from ndflow.ops.linalg_matrix_ops import band_part
    from ndflow.ops.math_ops import add, subtract
    q, r = op.outputs
    rows, cols = op.inputs[0].shape.dims[-2:]
    if rows < cols or op.get_attr("full_matrices") and rows > cols:
        raise NotImplementedError(
            "ndflow's QR gradient needs a matrix with rows >= cols (and full_matrices=False "
            f"unless it is square); got {rows}x{cols}")
    qdq = _mm(q, dq, adjoint_a=True)
    rdr = _mm(r, dr, adjoint_b=True)
    tril = band_part(add(subtract(qdq, _adj(qdq)), subtract(rdr, _adj(rdr))), -1, 0)
    grad_a = _mm(q, add(dr, _triangular_right_solve(tril, r)))
    grad_b = _triangular_right_solve(subtract(dq, _mm(q, qdq)), r)
    return (add(grad_a, grad_b),)


@register_gradient("SelfAdjointEigV2")
def _eigh_grad(op, de, dv):
    from ndflow.ops.array_ops import zeros_like
    from ndflow.ops.linalg_matrix_ops import band_part, diag, diag_part, set_diag
    from ndflow.ops.math_ops import add, multiply, subtract
    e = op.outputs[0]
    if op.get_attr("compute_v"):
        v = op.outputs[1]
        gaps = subtract(_row(e), _column(e))                 # e_j - e_i
        f = set_diag(_safe_reciprocal(gaps), zeros_like(e))
        inner = add(diag(de), multiply(f, _mm(v, dv, adjoint_a=True)))
    else:
        v = eigh(op.inputs[0])[1]
        inner = diag(de)
    grad = _mm(v, _mm(inner, v, adjoint_b=True))
    # the op reads only the lower triangle: fold the symmetric gradient onto it
    grad = band_part(add(grad, _adj(grad)), -1, 0)
    return (set_diag(grad, multiply(_in.like(0.5, grad.dtype), diag_part(grad))),)


def _row(x):
    from ndflow.ops.array_ops import reshape
    return reshape(x, list(x.shape.dims[:-1]) + [1, x.shape.dims[-1]])


def _column(x):
    from ndflow.ops.array_ops import reshape
    return reshape(x, list(x.shape.dims) + [1])


@register_gradient("Svd")
def _svd_grad(op, ds, du, dv):
    from ndflow.ops.array_ops import zeros_like
    from ndflow.ops.linalg_matrix_ops import diag, set_diag
    from ndflow.ops.math_ops import add, multiply, subtract
    from ndflow.ops.unary_ops import square
    a = op.inputs[0]
    if not op.get_attr("compute_uv"):
        s, u, v = svd(a, compute_uv=True, full_matrices=False)
        return (_mm(u, _mm(diag(ds), v, adjoint_b=True)),)
    s, u, v = op.outputs
    m, n = a.shape.dims[-2:]
    if op.get_attr("full_matrices") and m != n:
        raise NotImplementedError("ndflow's SVD gradient needs full_matrices=False for "
                                  "non-square matrices")
    swap = m > n
    if swap:  # work on the adjoint so that m <= n
        m, n, u, v, du, dv = n, m, v, u, dv, du
    s_mat = diag(s)
    s2 = square(s)
    f = set_diag(_safe_reciprocal(subtract(_row(s2), _column(s2))), zeros_like(s))
    f_u = multiply(f, _mm(u, du, adjoint_a=True))
    f_v = multiply(f, _mm(v, dv, adjoint_a=True))
    inner = add(diag(ds), add(_mm(add(f_u, _adj(f_u)), s_mat), _mm(s_mat, add(f_v, _adj(f_v)))))
    grad = _mm(u, _mm(inner, v, adjoint_b=True))
    if m != n:
        dvt = _adj(dv)
        rest = subtract(dvt, _mm(_mm(dvt, v), v, adjoint_b=True))
        grad = add(grad, _mm(_mm(u, diag(_safe_reciprocal(s))), rest))
    return (_adj(grad) if swap else grad,)

