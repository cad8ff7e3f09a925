"""Matrix structure ops: diagonals, band parts, trace, (conjugate) transposes, l2 normalization."""
from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register, register_gradient

_MATRIX_TYPES = D.NUMBERS | frozenset((D.bool,))


def _offsets(k):
    return max(-k, 0), max(k, 0)


def _diag_kernel(xp, d, padding, k, num_rows, num_cols):
    length = d.shape[-1]
    r0, c0 = _offsets(k)
    rows = num_rows if num_rows != -1 else (length + abs(k) if num_cols == -1 else num_cols - k)
    cols = num_cols if num_cols != -1 else rows + k if num_rows != -1 else length + abs(k)
    if min(rows - r0, cols - c0) != length:
        raise op_error(errors.InvalidArgumentError, "MatrixDiagV3",
                       f"The number of diagonal elements {length} does not fit a "
                       f"{rows}x{cols} matrix at diagonal k={k}")
    out = xp.full(d.shape[:-1] + (rows, cols), padding, dtype=d.dtype)
    i = xp.arange(length)
    out[..., i + r0, i + c0] = d
    return out


def _diag_part_kernel(xp, x, padding, k):
    return xp.diagonal(x, offset=k, axis1=-2, axis2=-1).copy()


def _set_diag_kernel(xp, x, d, k):
    r0, c0 = _offsets(k)
    length = min(x.shape[-2] - r0, x.shape[-1] - c0)
    if d.shape[-1] != length or d.shape[:-1] != x.shape[:-2]:
        raise op_error(errors.InvalidArgumentError, "MatrixSetDiagV3",
                       f"diagonal must have shape {list(x.shape[:-2]) + [max(length, 0)]} for "
                       f"input of shape {list(x.shape)} and k={k}, got {list(d.shape)}")
    out = x.copy()
    i = xp.arange(length)
    out[..., i + r0, i + c0] = d
    return out


def _band_kernel(xp, x, num_lower, num_upper):
    rows, cols = x.shape[-2:]
    offset = xp.arange(cols)[None, :] - xp.arange(rows)[:, None]   # column - row
    keep = ((num_lower < 0) | (-offset <= num_lower)) & ((num_upper < 0) | (offset <= num_upper))
    return xp.where(keep, x, xp.zeros((), x.dtype))


MATRIX_DIAG = register("MatrixDiagV3", _diag_kernel, same_dtype=(0, 1), allowed=_MATRIX_TYPES)
MATRIX_DIAG_PART = register("MatrixDiagPartV3", _diag_part_kernel, same_dtype=(0, 1),
                            allowed=_MATRIX_TYPES)
MATRIX_SET_DIAG = register("MatrixSetDiagV3", _set_diag_kernel, same_dtype=(0, 1),
                           allowed=_MATRIX_TYPES)
BAND_PART = register("MatrixBandPart", _band_kernel, allowed=_MATRIX_TYPES)


def _k(k):
    if not isinstance(k, int):
        k = int(_in.as_tensor(k).numpy())  # a pair of diagonals (k_min, k_max) is not supported
    return k


def _check_rank(x, least, what):
    if x.shape.rank is not None and x.shape.rank < least:
        raise errors.InvalidArgumentError(
            None, None, f"{what} must be at least {least}-dim, received shape: "
            f"{x.shape.as_list()}")


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0,
         align="RIGHT_LEFT"):
    """A batch of matrices with ``diagonal`` on their k-th diagonal and padding elsewhere."""
    d = _in.as_tensor(diagonal)
    _check_rank(d, 1, "diagonal")
    pad = _in.like(padding_value, d.dtype)
    return execute(MATRIX_DIAG, (d, pad), {"k": _k(k), "num_rows": int(num_rows),
                                           "num_cols": int(num_cols)})


def diag_part(input, name="diag_part", k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """The k-th diagonal of each inner-most matrix."""
    x = _in.as_tensor(input)
    _check_rank(x, 2, "input")
    pad = _in.like(padding_value, x.dtype)
    return execute(MATRIX_DIAG_PART, (x, pad), {"k": _k(k)})


def set_diag(input, diagonal, name="set_diag", k=0, align="RIGHT_LEFT"):  # noqa: A002
    """``input`` with its k-th diagonal replaced by ``diagonal``."""
    x = _in.as_tensor(input)
    _check_rank(x, 2, "input")
    d = diagonal if isinstance(diagonal, type(x)) else _in.like(diagonal, x.dtype)
    return execute(MATRIX_SET_DIAG, (x, d), {"k": _k(k)})


def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Keeps num_lower sub- and num_upper super-diagonals (negative: all), zeroing the rest."""
    x = _in.as_tensor(input)
    _check_rank(x, 2, "input")
    lower, upper = int(num_lower), int(num_upper)
    rows, cols = x.shape.dims[-2:]
    if rows is not None and lower > rows or cols is not None and upper > cols:
        raise errors.InvalidArgumentError(
            None, None, f"num_lower ({lower}) must not exceed the number of rows ({rows}) and "
            f"num_upper ({upper}) the number of columns ({cols}) [Op:MatrixBandPart]")
    return execute(BAND_PART, (x,), {"num_lower": lower, "num_upper": upper})


def trace(x, name=None):
    """The sum of the main diagonal of each inner-most matrix."""
    from ndflow.ops.reduce_ops import reduce_sum
    return reduce_sum(diag_part(x), -1)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """Swaps the last two dimensions (conjugating too when ``conjugate``)."""
    from ndflow.ops.array_ops import transpose
    x = _in.as_tensor(a)
    rank = x.shape.rank
    if rank is not None and rank < 2:
        raise ValueError(f"Argument `a` should be a (batch) matrix with rank >= 2.  Received "
                         f"`a` = {x} with shape: {x.shape}")
    return transpose(x, list(range(rank - 2)) + [rank - 1, rank - 2], conjugate=conjugate)


def adjoint(matrix, name=None):
    """The conjugate transpose of the inner-most matrices."""
    return matrix_transpose(matrix, conjugate=True)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon))."""
    from ndflow.ops.math_ops import maximum, multiply
    from ndflow.ops.reduce_ops import reduce_sum
    from ndflow.ops.unary_ops import rsqrt, square
    if dim is not None:
        if axis is not None:
            raise ValueError("Cannot specify both 'axis' and 'dim'")
        axis = dim
    x = _in.as_tensor(x)
    if x.dtype.is_complex:
        raise NotImplementedError("ndflow's l2_normalize does not support complex tensors yet")
    square_sum = reduce_sum(square(x), axis, keepdims=True)
    return multiply(x, rsqrt(maximum(square_sum, _in.like(epsilon, x.dtype))))


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """``tensor`` divided by its norm, and the norm (kept dims)."""
    from ndflow.ops.linalg_ops import norm
    from ndflow.ops.math_ops import truediv
    x = _in.as_tensor(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return truediv(x, n), n


# -- gradients ---------------------------------------------------------------------------------

@register_gradient("MatrixDiagV3")
def _diag_grad(op, dy):
    return diag_part(dy, k=op.get_attr("k")), None


@register_gradient("MatrixDiagPartV3")
def _diag_part_grad(op, dy):
    rows, cols = op.inputs[0].shape.dims[-2:]
    return diag(dy, k=op.get_attr("k"), num_rows=rows, num_cols=cols), None


@register_gradient("MatrixSetDiagV3")
def _set_diag_grad(op, dy):
    from ndflow.ops.array_ops import zeros_like
    k = op.get_attr("k")
    d = op.inputs[1]
    return set_diag(dy, zeros_like(d), k=k), diag_part(dy, k=k)


@register_gradient("MatrixBandPart")
def _band_grad(op, dy):
    return (band_part(dy, op.get_attr("num_lower"), op.get_attr("num_upper")),)
