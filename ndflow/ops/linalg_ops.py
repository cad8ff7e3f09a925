"""Matrix products (matmul, matvec, einsum, tensordot) and norms.

Only the names TensorFlow also has at top level are in ``__all__``; ``ndflow.linalg`` lists the
rest.
"""
import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import EagerTensor, Tensor
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = ["matmul", "einsum", "tensordot", "norm"]

# TensorFlow's MatMul has no int8/int16 kernels; BatchMatMulV2 adds int16.
_MATMUL_TYPES = D.FLOATING | D.COMPLEX | D.UNSIGNED_INTS | frozenset((D.int32, D.int64))
_BATCH_TYPES = _MATMUL_TYPES | frozenset((D.int16,))


def _incompatible(op_name, a, b):
    return op_error(errors.InvalidArgumentError, op_name,
                    f"Matrix size-incompatible: In[0]: {list(a.shape)}, In[1]: {list(b.shape)}")


def _matmul_kernel(xp, a, b, transpose_a=False, transpose_b=False):
    x = a.T if transpose_a else a
    y = b.T if transpose_b else b
    try:
        if transpose_a and a.size > 4096:
            # dot copies a transposed first operand; matmul hands BLAS the transpose flag
            return xp.matmul(x, y)
        return x.dot(y)  # ndarray.dot is the cheapest 2-D product on small matrices
    except ValueError:
        raise _incompatible("MatMul", a, b) from None


def _batch_matmul_kernel(xp, a, b, adj_x, adj_y):
    x = xp.swapaxes(a, -1, -2).conj() if adj_x else a
    y = xp.swapaxes(b, -1, -2).conj() if adj_y else b
    if x.shape[-1] != y.shape[-2]:
        raise _incompatible("BatchMatMulV2", a, b)
    try:
        return xp.matmul(x, y)
    except ValueError:
        raise op_error(errors.InvalidArgumentError, "BatchMatMulV2",
                       f"In[0] and In[1] must have compatible batch dimensions: "
                       f"{list(a.shape)} vs. {list(b.shape)}") from None


MATMUL = register("MatMul", _matmul_kernel, same_dtype=(0, 1), allowed=_MATMUL_TYPES)
BATCH_MATMUL = register("BatchMatMulV2", _batch_matmul_kernel, same_dtype=(0, 1),
                        allowed=_BATCH_TYPES)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, grad_a=False, grad_b=False,
           name=None):
    """The matrix product of the inner-most two dimensions of a and b (batch dims broadcast)."""
    if (output_type is None and not (transpose_a or transpose_b or adjoint_a or adjoint_b)
            and not GRAPHS):
        # The eager fast path (a layer's input times its kernel variable): no attrs, so the
        # kernel's defaults apply.
        a = a if type(a) is EagerTensor else _in.as_tensor(a)
        b = b if type(b) is EagerTensor else _in.like(b, a.dtype)
        if a._value.ndim == 2 and b._value.ndim == 2 and type(b) is EagerTensor:
            return execute(MATMUL, (a, b))
    return _matmul(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, output_type)


def _matmul(a, b, transpose_a, transpose_b, adjoint_a, adjoint_b, output_type):
    for t, adj, side in ((transpose_a, adjoint_a, "a"), (transpose_b, adjoint_b, "b")):
        if t and adj:
            raise ValueError(f"Only one of `transpose_{side}` and `adjoint_{side}` can be True. "
                             f"Received `transpose_{side}`=True, `adjoint_{side}`=True.")
    a = _in.as_tensor(a)
    b = b if isinstance(b, Tensor) else _in.like(b, a.dtype)
    if output_type is not None and D.as_dtype(output_type) is not a.dtype:
        a, b = _widen_for_output(a, b, D.as_dtype(output_type))
    rank_a, rank_b = a.shape.rank, b.shape.rank
    if rank_a is None or rank_b is None:  # (tracing) the batched product takes any rank >= 2
        return execute(BATCH_MATMUL, (a, b), {"adj_x": bool(transpose_a or adjoint_a),
                                              "adj_y": bool(transpose_b or adjoint_b)})
    if rank_a < 2 or rank_b < 2:
        if rank_a > 2 or rank_b > 2:
            raise op_error(errors.InvalidArgumentError, "BatchMatMulV2",
                           f"In[{0 if rank_a < 2 else 1}] ndims must be >= 2: "
                           f"{min(rank_a, rank_b)}")
        text = (f"In[0] and In[1] ndims must be == 2: {rank_a}" if rank_a == rank_b else
                f"In[0] and In[1] has different ndims: {a.shape.as_list()} vs. "
                f"{b.shape.as_list()}")
        raise op_error(errors.InvalidArgumentError, "MatMul", text)
    if a.dtype.is_complex:
        if transpose_a or transpose_b:  # transpose without conjugation = adjoint of conj
            from ndflow import math as _math  # conj belongs to the math family
            a = _math.conj(a) if transpose_a else a
            b = _math.conj(b) if transpose_b else b
        return execute(BATCH_MATMUL, (a, b), {"adj_x": transpose_a or adjoint_a,
                                              "adj_y": transpose_b or adjoint_b})
    if rank_a == 2 and rank_b == 2:
        return execute(MATMUL, (a, b), {"transpose_a": bool(transpose_a or adjoint_a),
                                        "transpose_b": bool(transpose_b or adjoint_b)})
    return execute(BATCH_MATMUL, (a, b), {"adj_x": bool(transpose_a or adjoint_a),
                                          "adj_y": bool(transpose_b or adjoint_b)})


def _widen_for_output(a, b, output_type):
    """int8/uint8 products accumulated in int32 (TensorFlow's only supported ``output_type``)."""
    if output_type is D.int32 and a.dtype in (D.int8, D.uint8) and b.dtype is a.dtype:
        from ndflow.ops.math_ops import cast
        return cast(a, D.int32), cast(b, D.int32)
    raise errors.NotFoundError(
        None, None, f"matmul has no kernel for {a.dtype.name} x {b.dtype.name} inputs with "
        f"output_type {output_type.name} [Op:BatchMatMulV3]")


def _adjoint_product(a, b, adj_a, adj_b):
    return _matmul(a, b, False, False, adj_a, adj_b, None)


def _rank2_product(a, b, transpose_a, transpose_b):
    # Gradients of a real MatMul are MatMuls of rank-2 operands: no checks needed.
    return execute(MATMUL, (a, b), {"transpose_a": transpose_a, "transpose_b": transpose_b})


def _product_grads(dy, x, y, adj_x, adj_y, skip=(), product=_adjoint_product):
    """Gradients of x @ y (with adjoint flags) with respect to x and y (None for the input
    positions in ``skip``, whose gradient is not needed); ``product(a, b, adj_a, adj_b)``
    computes each."""
    if not adj_x:
        gx = (dy, y, False, not adj_y)
        gy = (x, dy, True, False) if not adj_y else (dy, x, True, False)
    elif not adj_y:
        gx, gy = (y, dy, False, True), (x, dy, False, False)
    else:
        gx, gy = (y, dy, True, True), (dy, x, True, True)
    return (None if 0 in skip else product(*gx)), (None if 1 in skip else product(*gy))


@register_gradient("MatMul")
def _matmul_grad(op, dy):
    x, y = op.inputs
    # MatMul only carries transpose flags for real dtypes, where transpose == adjoint
    # (complex products get here without flags, and need conjugates)
    product = _adjoint_product if dy.dtype.is_complex else _rank2_product
    return _product_grads(dy, x, y, _flag(op, "transpose_a"), _flag(op, "transpose_b"),
                          op.skip_input_indices, product)


def _flag(op, name):
    """A MatMul flag; the fast path leaves both out (they default to False)."""
    return op.attrs.get(name, False)


@register_gradient("BatchMatMulV2")
def _batch_matmul_grad(op, dy):
    from ndflow.ops.math_ops import unbroadcast
    x, y = op.inputs
    gx, gy = _product_grads(dy, x, y, op.get_attr("adj_x"), op.get_attr("adj_y"))
    return unbroadcast(gx, x), unbroadcast(gy, y)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False,
           name=None):
    """The matrix-vector product of the inner-most matrices of a and vectors of b."""
    from ndflow.ops.array_ops import expand_dims, squeeze
    a = _in.as_tensor(a)
    b = b if isinstance(b, Tensor) else _in.like(b, a.dtype)
    out = _matmul(a, expand_dims(b, -1), transpose_a, False, adjoint_a, False, None)
    return squeeze(out, -1)


# -- einsum ------------------------------------------------------------------------------------

_EINSUM_TYPES = D.FLOATING | D.COMPLEX | frozenset((D.int32, D.int64))


def _einsum_kernel(xp, *arrays, equation):
    # optimize lets NumPy contract through BLAS (tensordot) instead of its naive loops
    return xp.einsum(equation, *arrays, optimize=len(arrays) > 1)


EINSUM = register("Einsum", _einsum_kernel, num_outputs=1, allowed=_EINSUM_TYPES)


def einsum(equation, *inputs, **kwargs):
    """Contracts the inputs as described by an Einstein-summation ``equation``."""
    kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"Invalid keyword arguments for this function: "
                        f"{', '.join(sorted(kwargs))}. Expected: name, optimize")
    equation = equation.replace(" ", "")
    in_specs = equation.split("->")[0].split(",")
    if len(in_specs) != len(inputs):
        raise ValueError(f'Got {len(inputs)} inputs for equation "{equation}", expecting '
                         f'{len(in_specs)}')
    tensors = [_in.as_tensor(inputs[0])]
    for value in inputs[1:]:
        tensors.append(value if isinstance(value, Tensor) else _in.like(value, tensors[0].dtype))
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype is not tensors[0].dtype:
            raise op_error(errors.InvalidArgumentError, "Einsum",
                           f"cannot compute Einsum as input #{i}(zero-based) was expected to be "
                           f"a {tensors[0].dtype.name} tensor but is a {t.dtype.name} tensor")
    if "->" not in equation:
        equation = equation + "->" + _implicit_output(in_specs)
    return execute(EINSUM, tuple(tensors), {"equation": equation})


def _implicit_output(specs):
    """The output of an equation without '->': ellipsis, then letters used once, sorted."""
    letters = "".join(specs).replace(".", "")
    once = sorted(c for c in set(letters) if letters.count(c) == 1)
    return ("..." if any("..." in s for s in specs) else "") + "".join(once)


def _expand_ellipses(specs, ranks):
    """Input subscripts with '...' replaced by fresh letters, right-aligned across inputs."""
    used = set("".join(specs))
    fresh = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" if c not in used]
    width = max([r - len(s.replace("...", "")) for s, r in zip(specs, ranks) if "..." in s] or [0])
    batch = "".join(fresh[:width])
    out = []
    for s, r in zip(specs, ranks):
        if "..." in s:
            n = r - len(s.replace("...", ""))
            s = s.replace("...", batch[width - n:])
        out.append(s)
    return out, batch


@register_gradient("Einsum")
def _einsum_grad(op, dy):
    from ndflow.ops.reduce_ops import reduce_sum
    from ndflow.ops.array_ops import reshape, broadcast_to
    lhs, out_spec = op.get_attr("equation").split("->")
    ranks = [t.shape.rank for t in op.inputs]
    specs, batch = _expand_ellipses(lhs.split(","), ranks)
    out_spec = out_spec.replace("...", batch)
    grads = []
    for i, (x, spec) in enumerate(zip(op.inputs, specs)):
        others = [(s, t) for j, (s, t) in enumerate(zip(specs, op.inputs)) if j != i]
        available = set(out_spec).union(*[set(s) for s, _ in others])
        unique = "".join(dict.fromkeys(spec))
        kept = "".join(c for c in unique if c in available)
        # sizes of every letter, the largest where broadcasting made them differ
        sizes = {}
        for s, t in [(out_spec, dy)] + others + [(spec, x)]:
            for c, d in zip(s, t.shape.dims):
                sizes[c] = max(sizes.get(c, 1), d)
        g = einsum(",".join([out_spec] + [s for s, _ in others]) + "->" + kept,
                   dy, *[t for _, t in others])
        if kept != unique:  # letters summed inside this input alone: broadcast back
            g = reshape(g, [sizes[c] if c in kept else 1 for c in unique])
            g = broadcast_to(g, [sizes[c] for c in unique])
        if len(unique) != len(spec):  # a repeated letter read a diagonal: write it back
            g = _undiagonal(g, unique, spec, sizes)
        own = x.shape.dims
        summed = [k for k, (c, d) in enumerate(zip(spec, own)) if d == 1 and sizes[c] != 1]
        if summed:  # size-1 dims broadcast against the other inputs
            g = reshape(reduce_sum(g, summed, keepdims=True), own)
        grads.append(g)
    return tuple(grads)


def _undiagonal(g, unique, spec, sizes):
    """Spreads ``g`` (one axis per letter) onto ``spec``, zero off the repeated-letter diagonals."""
    from ndflow.framework.tensor import constant
    used = set(spec)
    spare = iter(c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                 if c not in used)
    renamed, masks, seen = [], [], set()
    for c in spec:
        if c in seen:
            fresh = next(spare)
            masks.append((c + fresh, np.eye(sizes[c], dtype=g.dtype.as_numpy_dtype)))
            c = fresh
        seen.add(c)
        renamed.append(c)
    equation = ",".join([unique] + [m for m, _ in masks]) + "->" + "".join(renamed)
    return einsum(equation, g, *[constant(m) for _, m in masks])


# -- tensordot ---------------------------------------------------------------------------------

def tensordot(a, b, axes, name=None):
    """Sums the products of a and b over the given axes (an int N: last N of a, first N of b)."""
    a = _in.as_tensor(a)
    b = b if isinstance(b, Tensor) else _in.like(b, a.dtype)
    ra, rb = a.shape.rank, b.shape.rank
    if isinstance(axes, Tensor):
        axes = np.asarray(axes).tolist()
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0:
            raise ValueError(f"'axes' must be at least 0, but got {n}.")
        if n > ra or n > rb:
            raise ValueError(f"`axes` must not be larger than the number of dimensions of "
                             f"tensor {a if n > ra else b}.  Received {n}, vs tensor "
                             f"dimensions {ra if n > ra else rb}.")
        axes_a, axes_b = list(range(ra - n, ra)), list(range(n))
    else:
        if len(axes) != 2:
            raise ValueError(f"`axes` must be an integer or have length 2. Received {axes}.")
        axes_a, axes_b = ([int(v)] if np.ndim(v) == 0 else [int(i) for i in v] for v in axes)
        if len(axes_a) != len(axes_b):
            raise ValueError(f"Different number of contraction axes `a` and `b`, "
                             f"{len(axes_a)} != {len(axes_b)}.")
        axes_a = [x % ra for x in axes_a]
        axes_b = [x % rb for x in axes_b]
    for i, j in zip(axes_a, axes_b):
        da, db = a.shape.dims[i], b.shape.dims[j]
        if da is not None and db is not None and da != db:
            raise errors.InvalidArgumentError(
                None, None, f"Matrix size-incompatible: In[0]: {a.shape.as_list()}, In[1]: "
                f"{b.shape.as_list()} (contracting axis {i} of size {da} with axis {j} of "
                f"size {db}) [Op:MatMul]")
    letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    sa = list(letters[:ra])
    sb = list(letters[ra:ra + rb])
    for i, j in zip(axes_a, axes_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in axes_a] + [
        c for k, c in enumerate(sb) if k not in axes_b]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


# -- norm --------------------------------------------------------------------------------------

def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):  # noqa: A002
    """Vector norm (axis None or an int) or matrix norm (axis a pair) of a tensor."""
    from ndflow.ops.array_ops import reshape, squeeze
    from ndflow.ops.math_ops import abs as _abs, multiply, pow as _pow
    from ndflow.ops.reduce_ops import reduce_max, reduce_sum
    from ndflow.ops.unary_ops import sqrt
    x = _in.as_tensor(tensor)
    rank = x.shape.rank
    matrix = isinstance(axis, (tuple, list)) and len(axis) == 2
    if axis is not None and not matrix and not (
            isinstance(axis, (int, np.integer)) or
            isinstance(axis, (tuple, list)) and len(axis) == 1):
        raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                         f"got {axis}")
    if matrix:
        if axis[0] % max(rank, 1) == axis[1] % max(rank, 1):
            raise ValueError(f"'axis' must be None, an integer, or a tuple of 2 unique integers, "
                             f"got {axis}")
        if not (ord in ("euclidean", "fro") or ord in (1, 2, np.inf)):
            raise ValueError(f"'ord' must be a supported matrix norm in ['euclidean', 'fro', 1, "
                             f"2, inf], got {ord}")
    elif not (ord == "euclidean" or not isinstance(ord, str) and ord > 0):
        raise ValueError(f"'ord' must be a supported vector norm, got {ord}")
    axes = list(range(rank)) if axis is None else [
        int(a) for a in (axis if isinstance(axis, (tuple, list)) else [axis])]
    for a in axes:
        if not -rank <= a < rank:
            raise errors.InvalidArgumentError(
                None, None, f"Invalid reduction dimension ({a} for input with {rank} "
                f"dimension(s) [Op:Sum]")
    axes = [a % rank for a in axes]
    spectral = matrix and ord == 2
    ax = _abs(x) if x.dtype.is_complex or ord not in ("euclidean", "fro") and not spectral else x
    if ord in ("euclidean", "fro") or ord == 2 and not matrix:
        out = sqrt(reduce_sum(multiply(ax, ax), axes, keepdims=True))
    elif spectral:
        from ndflow.ops.linalg_decomp_ops import svd
        from ndflow.ops.array_ops import transpose
        moved = transpose(x, [k for k in range(rank) if k not in axes] + axes)
        s = svd(moved, compute_uv=False)
        out = reduce_max(s, -1, keepdims=True)
        kept = [1 if k in axes else d for k, d in enumerate(x.shape.dims)]
        out = reshape(out, kept)
    elif matrix:
        rows, cols = axes if ord == 1 else axes[::-1]
        out = reduce_max(reduce_sum(ax, rows, keepdims=True), cols, keepdims=True)
    elif ord == np.inf:
        out = reduce_max(ax, axes, keepdims=True)
    elif ord == 1:
        out = reduce_sum(ax, axes, keepdims=True)
    else:
        p = float(ord)
        out = _pow(reduce_sum(_pow(ax, p), axes, keepdims=True), 1.0 / p)
    return out if keepdims else squeeze(out, axes)

