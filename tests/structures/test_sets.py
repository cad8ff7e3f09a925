"""ndflow.sets against TensorFlow 2.21: union, intersection, difference and size on dense and
sparse inputs (results are SparseTensors), padding values, validation and errors."""
import numpy as np
import pytest

import ndflow.sets as nsets
import ndflow.sparse as nsparse
from ndflow.structures.sparse_tensor import SparseTensor

tf = pytest.importorskip("tensorflow")

import test_sparse  # noqa: E402 - shares the comparison helpers once TensorFlow is known present

check, check_error = test_sparse.check, test_sparse.check_error
ND, TF = test_sparse.ND, test_sparse.TF

A = np.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], np.int32)
B = np.array([[[1, 3], [2, 4]], [[5, 5], [8, 9]]], np.int32)
X = np.array([[1, 2, -1], [3, -1, -1]], np.int32)      # -1 pads the rows
Y = np.array([[2, 5, -1], [3, 4, -1]], np.int32)


def sets(t):
    return nsets if t is ND else tf.sets


def sparse(t):
    return nsparse if t is ND else tf.sparse


def sparse_tensor(t):
    return SparseTensor if t is ND else tf.SparseTensor


def as_input(t, value, kind):
    value = t.constant(value)
    return sparse(t).from_dense(value) if kind == "sparse" else value


KINDS = [("dense", "dense"), ("dense", "sparse"), ("sparse", "dense"), ("sparse", "sparse")]


@pytest.mark.parametrize("kinds", KINDS)
@pytest.mark.parametrize("op, kwargs", [("union", {}), ("intersection", {}),
                                        ("difference", {}), ("difference", {"aminusb": False})])
@pytest.mark.parametrize("a, b", [(A, B), (X, Y), (A.astype(np.int64), B.astype(np.int64)),
                                  (X.astype(np.uint8) + 1, Y.astype(np.uint8) + 1)])
def test_set_operations(kinds, op, kwargs, a, b):
    def run(t):
        return getattr(sets(t), op)(as_input(t, a, kinds[0]), as_input(t, b, kinds[1]), **kwargs)
    check(run)
    # The round trip from the issue: padding becomes -1 again.
    if a.dtype.kind == "i":
        check(lambda t: sparse(t).to_dense(run(t), default_value=-1))


def test_strings_and_empty_results():
    check(lambda t: sets(t).union(t.constant([["a", "b"]]), t.constant([["c", ""]])))
    check(lambda t: sets(t).intersection(t.constant([[b"x", b"y"]]),
                                         sparse(t).from_dense(t.constant([[b"y", b""]]))))
    check(lambda t: sets(t).union(t.zeros([2, 0], "int32"), t.zeros([2, 0], "int32")))
    check(lambda t: sets(t).intersection(t.constant(X), t.constant(X + 10)))


def test_set_size():
    check(lambda t: sets(t).size(sparse(t).from_dense(t.constant(X))))
    check(lambda t: sets(t).size(sparse(t).from_dense(t.constant(A))))
    repeated = lambda t: sparse_tensor(t)([[0, 0], [0, 1]], [2, 2], [2, 3])  # noqa: E731
    check(lambda t: sets(t).size(repeated(t)))
    check(lambda t: sets(t).size(repeated(t), validate_indices=False))


def test_sparse_shapes_and_validation():
    wide = lambda t: sparse_tensor(t)([[0, 0], [0, 1]], [2, 2], [2, 5])  # noqa: E731
    check(lambda t: sets(t).union(wide(t), t.constant(X)))
    unordered = lambda t: sparse_tensor(t)([[0, 1], [0, 0]], [1, 2], [2, 3])  # noqa: E731
    check(lambda t: sets(t).union(unordered(t), t.constant(X), validate_indices=False))
    check_error(lambda t: sets(t).union(unordered(t), t.constant(X)), "InvalidArgumentError",
                "indices[1] = [0,0] is out of order")
    check_error(lambda t: sets(t).size(unordered(t)), "InvalidArgumentError", "out of order")
    tall = lambda t: sparse_tensor(t)([[0, 0]], [2], [3, 5])  # noqa: E731
    check_error(lambda t: sets(t).union(tall(t), t.constant(X)), "InvalidArgumentError",
                "Mismatched shapes [2] vs [3]")


def test_errors():
    check_error(lambda t: sets(t).size(t.constant(X)), "TypeError")
    check_error(lambda t: sets(t).intersection(t.constant(X), t.constant([[1.0, 2.0]])),
                "TypeError")
    check_error(lambda t: sets(t).union(t.constant([[1.0]]), t.constant([[1.0]])), "TypeError")
    check_error(lambda t: sets(t).union(t.constant([[1]], "uint32"), t.constant([[1]], "uint32")),
                "TypeError")
    check_error(lambda t: sets(t).union(t.constant([1, 2]), t.constant([1, 2])),
                "InvalidArgumentError", "Shape [2] has rank 1 < 2")
    check_error(lambda t: sets(t).union(t.constant(X), t.constant([[1, 2]])),
                "InvalidArgumentError", "Mismatched shapes [2] vs [1]")
