"""SparseTensor and ndflow.sparse against TensorFlow 2.21 (values, dtypes, shapes, reprs, errors,
gradients)."""
import numpy as np
import pytest

import ndflow as nf
import ndflow.sparse as nsparse
from ndflow.structures.sparse_tensor import SparseTensor

tf = pytest.importorskip("tensorflow")


class Both:
    """The same code on ndflow and on TensorFlow (``SparseTensor`` and ``sparse`` are reached
    through this wrapper until ndflow exports them at top level)."""

    def __init__(self, mod):
        self.mod = mod

    def __getattr__(self, name):
        if self.mod is nf and name == "sparse":
            return nsparse
        if self.mod is nf and name == "SparseTensor":
            return SparseTensor
        return getattr(self.mod, name)


ND, TF = Both(nf), Both(tf)
IDX = [[0, 1], [1, 0], [1, 3], [2, 2]]
VALS = [1.5, -2.0, 3.0, 4.25]
SHAPE = [3, 4]


def sp(lib, indices=IDX, values=VALS, shape=SHAPE, dtype="float32"):
    return lib.SparseTensor(indices, lib.constant(np.asarray(values).astype(dtype)), shape)


def _same(a, b):
    assert type(a).__name__ == type(b).__name__, (a, b)
    if type(b).__name__ == "SparseTensor":
        for x, y in ((a.indices, b.indices), (a.values, b.values), (a.dense_shape, b.dense_shape)):
            _same(x, y)
        assert a.shape.as_list() == b.shape.as_list()
        assert str(a.dtype) == str(b.dtype)
    elif isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    else:
        assert str(a.dtype) == str(b.dtype), (a, b)
        assert a.shape.as_list() == b.shape.as_list(), (a, b)
        if b.dtype == tf.string:
            assert a.numpy().tolist() == b.numpy().tolist()
        else:
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-6)


def check(fn):
    _same(fn(ND), fn(TF))


def _error(fn, lib):
    try:
        fn(lib)
    except Exception as exc:  # noqa: BLE001 - the class and text are what is compared
        return type(exc).__name__, str(exc)
    return None, None


def check_error(fn, expected, text=None):
    """Both libraries raise ``expected``; ``text`` (if given) appears in both messages."""
    ours, theirs = _error(fn, ND), _error(fn, TF)
    assert theirs[0] == expected, theirs
    assert ours[0] == expected, ours
    if text is not None:
        assert text in theirs[1], theirs[1]
        assert text in ours[1], ours[1]


# ---- the SparseTensor class ------------------------------------------------------------------
def test_components_dtypes_shape_and_repr():
    check(lambda t: sp(t))
    check(lambda t: sp(t, dtype="int32"))
    check(lambda t: t.SparseTensor(np.zeros((0, 2), np.int64), np.zeros(0, np.float64), [2, 3]))
    ours, theirs = sp(ND), sp(TF)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert ours.get_shape().as_list() == [3, 4]


def test_constructor_errors():
    check_error(lambda t: t.SparseTensor([0, 1], [1.0, 2.0], [3]), "ValueError")
    check_error(lambda t: t.SparseTensor([[0], [1]], [[1.0, 2.0]], [3]), "ValueError")
    check_error(lambda t: t.SparseTensor([[0], [1]], [1.0], [3]), "ValueError")
    check_error(lambda t: t.SparseTensor([[0], [1]], [1.0, 2.0], [3, 4]), "ValueError")
    check_error(lambda t: t.SparseTensor([[0], [1]], [1.0, 2.0], [[3]]), "TypeError")
    check_error(lambda t: t.SparseTensor([[0.5], [1]], [1.0, 2.0], [3]), "TypeError")
    check_error(lambda t: t.SparseTensor(t.constant([[0], [1]]), [1.0, 2.0], [3]), "ValueError")


def test_convert_to_tensor_fails():
    check_error(lambda t: t.convert_to_tensor(sp(t)), "ValueError", "Attempt to convert a value")
    check_error(lambda t: t.constant(sp(t)), "ValueError")
    assert nf.is_tensor(sp(ND))


def test_with_values_and_from_value():
    check(lambda t: sp(t).with_values(t.constant([1, 2, 3, 4])))
    check(lambda t: t.SparseTensor.from_value(sp(t)))


# ---- operators -------------------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    lambda t, s: s * 42.0,
    lambda t, s: s * 2,
    lambda t, s: s / 2.0,
    lambda t, s: s / t.constant(4.0),
    lambda t, s: s * t.constant([1.0, 2.0, 3.0, 4.0]),
    lambda t, s: s * t.constant([[1.0], [2.0], [3.0]]),
    lambda t, s: s * np.arange(12, dtype=np.float32).reshape(3, 4),
    lambda t, s: s / t.constant([1.0, 2.0, 3.0, 4.0]),
    lambda t, s: s.__div__(2.0),
])
def test_scalar_and_dense_operators(expr):
    check(lambda t: expr(t, sp(t)))


def test_dense_on_the_left_times_sparse():
    # TF dispatches dense * sparse to the sparse op; ndflow's Tensor.__mul__ needs a core change
    # (it converts its right operand first), so only the sparse-left spelling is checked here.
    theirs = tf.constant([1.0, 2.0, 3.0, 4.0]) * sp(TF)
    _same(sp(ND) * nf.constant([1.0, 2.0, 3.0, 4.0]), theirs)
    _same(sp(ND).__rmul__(nf.constant([1.0, 2.0, 3.0, 4.0])), theirs)  # what the fix will call


@pytest.mark.parametrize("expr, error", [
    (lambda t, s: s + 42.0, "TypeError"),
    (lambda t, s: 42.0 + s, "TypeError"),
    (lambda t, s: 42.0 * s, "TypeError"),
    (lambda t, s: s - 1.0, "TypeError"),
    (lambda t, s: s // 2, "TypeError"),
    (lambda t, s: -s, "TypeError"),
    (lambda t, s: abs(s), "TypeError"),
    (lambda t, s: s * s, "ValueError"),
    (lambda t, s: s * t.constant(2, "int32"), "ValueError"),
    (lambda t, s: s * t.constant([[[2.0]]]), "InvalidArgumentError"),
    (lambda t, s: s * t.ones([3, 1, 4]), "InvalidArgumentError"),
    (lambda t, s: s * t.ones([5]), "InvalidArgumentError"),
    (lambda t, s: s * t.constant([1.0, 2.0, 3.0, 4.0], "float64"), "ValueError"),
    (lambda t, s: np.ones(4, np.float32) * s, "TypeError"),
])
def test_operator_errors(expr, error):
    check_error(lambda t: expr(t, sp(t)), error)


# ---- to_dense, reorder, from_dense -----------------------------------------------------------
UNORDERED = [[1, 3], [0, 1], [2, 2], [1, 0]]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "bool", "complex64"])
def test_to_dense_dtypes(dtype):
    check(lambda t: t.sparse.to_dense(sp(t, dtype=dtype)))


def test_to_dense_default_value_and_shapes():
    check(lambda t: t.sparse.to_dense(sp(t), default_value=-1.0))
    check(lambda t: t.sparse.to_dense(sp(t, dtype="int64"), -1))
    check(lambda t: t.sparse.to_dense(t.SparseTensor([[1], [4]], [2, 3], [6])))
    check(lambda t: t.sparse.to_dense(t.SparseTensor([[0, 1, 2]], [7], [1, 2, 3])))
    check(lambda t: t.sparse.to_dense(t.SparseTensor(np.zeros((0, 2), np.int64),
                                                     np.zeros(0, np.float32), [2, 0])))
    check(lambda t: t.sparse.to_dense(t.SparseTensor([[0]], [b"x"], [3]), b"-"))
    check(lambda t: t.sparse.to_dense(t.SparseTensor([[0]], [b"x"], [3])))
    check(lambda t: t.sparse.to_dense(sp(t, UNORDERED), validate_indices=False))


@pytest.mark.parametrize("indices, text", [
    (UNORDERED, "indices[1] = [0,1] is out of order. Many sparse ops require sorted indices."),
    ([[0, 1], [1, 0], [1, 0], [2, 2]], "indices[2] = [1,0] is repeated"),
    ([[0, 1], [1, 0], [1, 4], [2, 2]], "indices[2] = [1,4] is out of bounds: need 0 <= index "
                                       "< [3,4]"),
    ([[0, 1], [1, 0], [1, 3], [-1, 2]], "indices[3] = [-1,2] is out of bounds"),
])
def test_to_dense_bad_indices(indices, text):
    check_error(lambda t: t.sparse.to_dense(sp(t, indices)), "InvalidArgumentError", text)


def test_to_dense_errors():
    check_error(lambda t: t.sparse.to_dense(sp(t), default_value="x"), "TypeError")
    check_error(lambda t: t.sparse.to_dense(t.constant([1.0])), "TypeError")
    # Out-of-bounds indices are an error even without validation.
    check_error(lambda t: t.sparse.to_dense(sp(t, [[0, 1], [1, 0], [1, 9], [2, 2]]),
                                            validate_indices=False), "InvalidArgumentError")


def test_reorder_and_from_dense():
    check(lambda t: t.sparse.reorder(sp(t, UNORDERED)))
    check(lambda t: t.sparse.to_dense(t.sparse.reorder(sp(t, UNORDERED, dtype="int32"))))
    check(lambda t: t.sparse.reorder(t.SparseTensor([[2, 0, 1], [0, 3, 1], [0, 1, 5]],
                                                    [1, 2, 3], [3, 4, 6])))
    dense = np.array([[0.0, 1.5, 0.0], [-2.0, 0.0, 0.0]], np.float32)
    check(lambda t: t.sparse.from_dense(t.constant(dense)))
    check(lambda t: t.sparse.from_dense(dense.astype(np.int32)))
    check(lambda t: t.sparse.from_dense(t.constant([[True, False], [False, True]])))
    check(lambda t: t.sparse.from_dense(t.constant([b"", b"a", b"b"])))
    check_error(lambda t: t.sparse.from_dense(t.constant(5.0)), "InvalidArgumentError")
    check(lambda t: t.sparse.from_dense(t.zeros([2, 3])))


# ---- add -------------------------------------------------------------------------------------
IDX_B = [[0, 1], [0, 2], [2, 2]]


def test_sparse_plus_sparse():
    check(lambda t: t.sparse.add(sp(t), sp(t, IDX_B, [1.0, 0.5, -4.25])))
    check(lambda t: t.sparse.add(sp(t), sp(t, IDX_B, [1.0, 0.5, -4.25]), threshold=0.6))
    check(lambda t: t.sparse.add(sp(t), sp(t, IDX_B, [1.0, 0.5, -4.25]), 0.1))
    check(lambda t: t.sparse.add(sp(t, dtype="int32"), sp(t, IDX_B, [1, 5, -4], dtype="int32")))
    check(lambda t: t.sparse.add(sp(t, dtype="int64"), sp(t, IDX_B, [1, 5, -4], dtype="int64"),
                                 threshold=2))
    # Unsorted operands are merged as they are given.
    check(lambda t: t.sparse.add(sp(t, UNORDERED), sp(t, IDX_B, [1.0, 0.5, -4.25])))
    check(lambda t: t.sparse.add(sp(t, IDX_B, [1.0, 0.5, -4.25]), sp(t, UNORDERED)))
    check(lambda t: t.sparse.add(sp(t), sp(t, [[0, 1], [0, 1]], [1.0, 0.5])))
    check(lambda t: t.sparse.add(sp(t), sp(t, np.zeros((0, 2), np.int64), [])))
    check(lambda t: t.sparse.add(sp(t, dtype="complex128"), sp(t, IDX_B, [1j, 2, 3],
                                                               dtype="complex128"), 0.5))


def test_sparse_plus_dense():
    dense = np.arange(12, dtype=np.float32).reshape(3, 4)
    check(lambda t: t.sparse.add(sp(t), t.constant(dense)))
    check(lambda t: t.sparse.add(t.constant(dense), sp(t)))
    check(lambda t: t.sparse.add(sp(t, [[0, 1], [0, 1]], [1.0, 2.0]), dense))


def test_add_errors():
    check_error(lambda t: t.sparse.add(t.constant(1.0), t.constant(2.0)), "TypeError")
    check_error(lambda t: t.sparse.add(sp(t), sp(t, shape=[3, 5])), "InvalidArgumentError",
                "Operands' shapes do not match: got 4 and 5 for dimension 1")
    check_error(lambda t: t.sparse.add(sp(t), t.SparseTensor([[0, 1, 1]], [1.0], [3, 4, 5])),
                "InvalidArgumentError", "Input indices must have the same dimension, got 2 and 3")
    check_error(lambda t: t.sparse.add(sp(t), sp(t, dtype="float64")), "InvalidArgumentError")
    check_error(lambda t: t.sparse.add(sp(t), t.ones([3, 5])), "InvalidArgumentError")
    check_error(lambda t: t.sparse.add(sp(t), t.ones([4])), "InvalidArgumentError",
                "Two operands have different ranks; received: 2 and 1")


# ---- sparse x dense matmul -------------------------------------------------------------------
B = np.arange(20, dtype=np.float32).reshape(4, 5) / 3


@pytest.mark.parametrize("adjoint_a, adjoint_b", [(False, False), (True, False), (False, True),
                                                  (True, True)])
def test_sparse_dense_matmul(adjoint_a, adjoint_b):
    b = B if not adjoint_a else B[:3]
    b = b.T.copy() if adjoint_b else b
    check(lambda t: t.sparse.sparse_dense_matmul(sp(t), t.constant(b), adjoint_a, adjoint_b))
    check(lambda t: t.sparse.sparse_dense_matmul(sp(t, dtype="float64"), b.astype(np.float64),
                                                 adjoint_a=adjoint_a, adjoint_b=adjoint_b))


def test_sparse_dense_matmul_dtypes_and_errors():
    check(lambda t: t.sparse.sparse_dense_matmul(sp(t, dtype="int32"), (B * 3).astype(np.int32)))
    check(lambda t: t.sparse.sparse_dense_matmul(sp(t, dtype="complex64"),
                                                 (B[:3] + 1j).astype(np.complex64), adjoint_a=True))
    check_error(lambda t: t.sparse.sparse_dense_matmul(sp(t), B[:3]), "InvalidArgumentError",
                "Cannot multiply A and B because inner dimension does not match: 4 vs. 3.")
    check_error(lambda t: t.sparse.sparse_dense_matmul(sp(t), B.astype(np.float64)),
                "InvalidArgumentError")
    check_error(lambda t: t.sparse.sparse_dense_matmul(sp(t, [[0, 1], [5, 0]], [1.0, 2.0]), B),
                "InvalidArgumentError", "m (5) from index[1,0] out of bounds (>=3)")
    check_error(lambda t: t.sparse.sparse_dense_matmul(sp(t, [[0, 1], [2, 7]], [1.0, 2.0]), B,
                                                       adjoint_b=True), "InvalidArgumentError")
    check_error(lambda t: t.sparse.sparse_dense_matmul(sp(t, [[0, 1], [2, 7]], [1.0, 2.0]), B),
                "InvalidArgumentError", "k (7) from index[1,1] out of bounds (>=4)")
    check_error(lambda t: t.sparse.sparse_dense_matmul(sp(t), B[0]), "InvalidArgumentError",
                "Tensor 'b' is not a matrix")


# ---- reductions ------------------------------------------------------------------------------
IDX_3D = [[0, 0, 1], [0, 2, 0], [1, 1, 3], [1, 2, 1], [1, 2, 3]]


@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 0], [0, 1]])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("output_is_sparse", [False, True])
def test_reduce_sum_and_max(axis, keepdims, output_is_sparse):
    for fn in ("reduce_sum", "reduce_max"):
        check(lambda t: getattr(t.sparse, fn)(sp(t), axis, keepdims, output_is_sparse))
        check(lambda t: getattr(t.sparse, fn)(
            sp(t, IDX_3D, [1, -2, 3, -4, 5], [2, 3, 4], dtype="int32"), axis, keepdims,
            output_is_sparse))


def test_reduce_edge_cases():
    neg = lambda t: sp(t, [[0, 1]], [-1.5])  # noqa: E731 - a row whose only value is negative
    check(lambda t: t.sparse.reduce_max(neg(t), 1))
    check(lambda t: t.sparse.reduce_max(neg(t), 1, output_is_sparse=True))
    check(lambda t: t.sparse.reduce_sum(sp(t, [[1, 1], [0, 1]], [1.5, 2.0]), 1,
                                        output_is_sparse=True))
    check(lambda t: t.sparse.reduce_sum(sp(t, [[0, 1], [0, 1]], [1.5, 2.0])))
    check(lambda t: t.sparse.reduce_sum(sp(t), t.constant(1)))
    check(lambda t: t.sparse.reduce_sum(sp(t, dtype="complex64"), 0))
    check_error(lambda t: t.sparse.reduce_sum(sp(t), -3), "InvalidArgumentError",
                "Invalid reduction dimension -3, for input with 2 dimensions.")
    check_error(lambda t: t.sparse.reduce_max(sp(t, dtype="complex64")), "InvalidArgumentError",
                "Value for attr 'T' of complex64 is not in the list of allowed values")


# ---- transpose, concat, retain, reset_shape, slice, to_indicator ------------------------------
def test_transpose():
    check(lambda t: t.sparse.transpose(sp(t)))
    check(lambda t: t.sparse.transpose(sp(t, IDX_3D, [1, 2, 3, 4, 5], [2, 3, 4]), [1, 2, 0]))
    check(lambda t: t.sparse.transpose(sp(t, IDX_3D, [1, 2, 3, 4, 5], [2, 3, 4]),
                                       t.constant([2, 0, 1])))


def test_concat():
    b = lambda t: sp(t, IDX_B, [1.0, 0.5, -4.25])  # noqa: E731
    check(lambda t: t.sparse.concat(0, [sp(t), b(t)]))
    check(lambda t: t.sparse.concat(1, [sp(t), b(t), sp(t)]))
    check(lambda t: t.sparse.concat(-1, [sp(t, UNORDERED), b(t)]))
    wide = lambda t: sp(t, [[0, 0], [4, 1]], [7.0, 8.0], [5, 2])  # noqa: E731
    check(lambda t: t.sparse.concat(1, [sp(t), wide(t)], expand_nonconcat_dims=True))
    check(lambda t: t.sparse.concat(0, [sp(t), wide(t)], expand_nonconcat_dims=True))
    check_error(lambda t: t.sparse.concat(1, [sp(t), wide(t)]), "InvalidArgumentError")
    check_error(lambda t: t.sparse.concat(2, [sp(t), b(t)]), "InvalidArgumentError")
    check_error(lambda t: t.sparse.concat(0, [sp(t), sp(t, dtype="int32")]),
                "InvalidArgumentError")


def test_retain_reset_shape_slice():
    check(lambda t: t.sparse.retain(sp(t), [True, False, True, False]))
    check(lambda t: t.sparse.retain(sp(t), t.constant([False] * 4)))
    check_error(lambda t: t.sparse.retain(sp(t), [True, False]), "ValueError")
    check(lambda t: t.sparse.reset_shape(sp(t)))
    check(lambda t: t.sparse.reset_shape(sp(t), [5, 4]))
    check(lambda t: t.sparse.reset_shape(sp(t), t.constant([3, 7], "int64")))
    check_error(lambda t: t.sparse.reset_shape(sp(t), [2, 4]), "ValueError")
    check_error(lambda t: t.sparse.reset_shape(sp(t), [5, 4, 1]), "ValueError")
    check(lambda t: t.sparse.slice(sp(t), [1, 0], [2, 3]))
    check(lambda t: t.sparse.slice(sp(t), [0, 1], [5, 9]))
    check(lambda t: t.sparse.slice(sp(t), [2, 3], [1, 1]))
    check(lambda t: t.sparse.slice(sp(t, UNORDERED), [1, 0], [2, 4]))


def test_to_indicator():
    ids = lambda t, dt: sp(t, [[0, 0], [0, 1], [2, 0], [2, 1]], [0, 3, 1, 1], [3, 2], dt)  # noqa
    check(lambda t: t.sparse.to_indicator(ids(t, "int64"), 4))
    check(lambda t: t.sparse.to_indicator(ids(t, "int32"), 5))
    check(lambda t: t.sparse.to_indicator(ids(t, "float32"), 4))
    check_error(lambda t: t.sparse.to_indicator(ids(t, "int64"), 3), "InvalidArgumentError",
                "Indices are not valid (out of bounds).  Shape: [3,3]")
