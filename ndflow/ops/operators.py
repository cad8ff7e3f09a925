"""Python operators on tensors and variables (``+``, ``<``, ``&``, ``[]``, iteration...)."""
from ndflow.framework import dtypes
from ndflow.framework.tensor import Tensor
from ndflow.ops import inputs as _in
from ndflow.ops import math_ops as m
from ndflow.ops.array_ops import unstack
from ndflow.ops.indexing import getitem
from ndflow.ops.linalg_ops import matmul
from ndflow.ops.registry import execute
from ndflow.ops.variables import Variable


def _logical_or_bitwise(logical, bitwise):
    def apply(x, y):
        x, y = _in.binary(x, y)
        return logical(x, y) if x.dtype is dtypes.bool else bitwise(x, y)
    return apply


_and = _logical_or_bitwise(m.logical_and, m.bitwise_and)
_or = _logical_or_bitwise(m.logical_or, m.bitwise_or)
_xor = _logical_or_bitwise(m.logical_xor, m.bitwise_xor)


def _invert(x):
    x = _in.as_tensor(x)
    return m.logical_not(x) if x.dtype is dtypes.bool else m.invert(x)


def _equality(op, if_incompatible):
    def compare(x, y):
        if y is None:
            return if_incompatible
        try:
            x, y = _in.strict_binary(x, y)
        except ValueError:
            return if_incompatible
        if not _broadcastable(x.shape.dims, y.shape.dims):
            from ndflow.framework.tensor import constant
            return constant(if_incompatible)
        return execute(op, (x, y))
    return compare


def _broadcastable(a, b):
    if a is None or b is None:
        return True
    return all(p == q or p == 1 or q == 1 or p is None or q is None
               for p, q in zip(reversed(a), reversed(b)))


def _iterate(x):
    x = _in.as_tensor(x)
    if x.shape.rank == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    if x.shape[0] == 0:
        return iter(())
    return iter(unstack(x))


def _swap(fn):
    return lambda x, y: fn(y, x)


_BINARY = {
    "add": m.add, "sub": m.subtract, "mul": m.multiply, "truediv": m.truediv,
    "floordiv": m.floordiv, "mod": m.floormod, "pow": m.pow, "matmul": matmul,
    "and": _and, "or": _or, "xor": _xor,
}
_UNARY = {"__neg__": m.negative, "__abs__": m.abs, "__invert__": _invert}
_COMPARISONS = {"__lt__": m.less, "__le__": m.less_equal, "__gt__": m.greater,
                "__ge__": m.greater_equal}


def _deferring(fn):
    """``fn`` as an operator that defers (returns NotImplemented) to a tensor-like operand that
    is not a Tensor, such as a SparseTensor or RaggedTensor, so its reflected operator runs."""
    def operator(x, y):
        try:
            return fn(x, y)
        except (TypeError, ValueError):
            if getattr(y, "_is_tensor_like", False) and not isinstance(y, Tensor):
                return NotImplemented
            raise
    return operator


def _install(cls):
    for name, fn in _BINARY.items():
        setattr(cls, f"__{name}__", _deferring(fn))
        setattr(cls, f"__r{name}__", _swap(fn))
    for name, fn in _UNARY.items():
        setattr(cls, name, fn)
    for name, fn in _COMPARISONS.items():
        setattr(cls, name, fn)
    cls.__eq__ = _equality(m.EQUAL, False)
    cls.__ne__ = _equality(m.NOT_EQUAL, True)
    cls.__pos__ = lambda x: x
    if cls is Tensor:
        cls.__getitem__ = getitem
        cls.__iter__ = _iterate


_install(Tensor)
_install(Variable)
