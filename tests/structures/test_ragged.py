"""RaggedTensor and ndflow.ragged against TensorFlow 2.21 (values, dtypes, shapes, reprs, errors)."""
import numpy as np
import pytest

import ndflow as nf
from ndflow import ragged as nragged
from ndflow.structures import ragged_ops
from ndflow.structures.ragged_tensor import RaggedTensor

tf = pytest.importorskip("tensorflow")

LISTS = [[[1, 2, 3], [], [4, 5]], [[1.5, 2.0], [3.0]], [[[1, 2], [3]], [[4]]], [[]], [[1, 2], [3, 4]]]


class Both:
    """Runs the same code on ndflow (with ragged_ops standing in for TF's dispatch) and on TF."""

    def __init__(self, mod):
        self.mod = mod

    def rc(self, *a, **k):
        return (nragged if self.mod is nf else tf.ragged).constant(*a, **k)

    @property
    def RT(self):
        return RaggedTensor if self.mod is nf else tf.RaggedTensor

    def __getattr__(self, name):
        if self.mod is nf and name in ("concat", "stack", "reduce_sum", "reduce_mean",
                                       "reduce_max", "reduce_min", "boolean_mask"):
            return getattr(ragged_ops, name)
        if name == "ragged":
            return nragged if self.mod is nf else tf.ragged
        return getattr(self.mod, name)


ND, TF = Both(nf), Both(tf)


def _same(a, b):
    assert type(a).__name__ == type(b).__name__, (a, b)
    if type(b).__name__ == "RaggedTensor":
        assert repr(a) == repr(b)
        assert str(a.dtype) == str(b.dtype)
        assert a.shape.as_list() == b.shape.as_list()
        assert a.ragged_rank == b.ragged_rank
        assert a.to_list() == b.to_list()
        for x, y in zip(a.nested_row_splits, b.nested_row_splits):
            np.testing.assert_array_equal(x.numpy(), y.numpy())
            assert str(x.dtype) == str(y.dtype)
    else:
        assert str(a.dtype) == str(b.dtype)
        assert a.shape.as_list() == b.shape.as_list()
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def check(fn):
    _same(fn(ND), fn(TF))


def check_error(fn):
    with pytest.raises(Exception) as ours:
        fn(ND)
    with pytest.raises(Exception) as theirs:
        fn(TF)
    assert type(ours.value).__name__ == type(theirs.value).__name__


@pytest.mark.parametrize("pylist", LISTS)
def test_constant_and_properties(pylist):
    check(lambda m: m.rc(pylist))
    a, b = ND.rc(pylist), TF.rc(pylist)
    np.testing.assert_array_equal(a.flat_values.numpy(), b.flat_values.numpy())
    assert a.nrows().numpy() == b.nrows().numpy()
    np.testing.assert_array_equal(a.row_lengths().numpy(), b.row_lengths().numpy())
    np.testing.assert_array_equal(a.bounding_shape().numpy(), b.bounding_shape().numpy())
    np.testing.assert_array_equal(a.value_rowids().numpy(), b.value_rowids().numpy())
    assert repr(a.numpy()) == repr(b.numpy())
    assert str(a) == str(b)
    _same(a.to_tensor(), b.to_tensor())


def test_constant_options_and_errors():
    check(lambda m: m.rc([[1, 2], [3]], dtype=m.float64))
    check(lambda m: m.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1))
    check(lambda m: m.rc([[[]]]))
    check(lambda m: m.rc([[], [[1]]]))
    check(lambda m: m.rc([]))
    check(lambda m: m.rc(5))
    check(lambda m: m.rc([["a", "bc"], ["d"]]))
    check_error(lambda m: m.rc([1, [2]]))
    check_error(lambda m: m.rc([[[1, 2]], [[3]]], ragged_rank=1))


def test_factories():
    check(lambda m: m.RT.from_row_splits([1, 2, 3], [0, 2, 2, 3]))
    check(lambda m: m.RT.from_row_lengths([1., 2, 3], [1, 0, 2]))
    check(lambda m: m.RT.from_value_rowids([1, 2, 3, 4], [0, 0, 2, 2]))
    check(lambda m: m.RT.from_value_rowids([1, 2, 3, 4], [0, 0, 2, 2], nrows=5))
    check(lambda m: m.RT.from_nested_row_splits([1, 2, 3], [[0, 1, 2], [0, 2, 3]]))
    check(lambda m: m.RT.from_tensor([[1, 0], [2, 3]], padding=0))
    check(lambda m: m.RT.from_tensor([[1, 0, 0], [2, 3, 0]], lengths=[1, 2]))
    # TF gives uniform_row_length partitions here (static shape [2, 3, 2]); ndflow gives splits.
    assert (ND.RT.from_tensor(np.arange(12).reshape(2, 3, 2), ragged_rank=2).to_list()
            == TF.RT.from_tensor(np.arange(12).reshape(2, 3, 2), ragged_rank=2).to_list())
    check(lambda m: m.RT.from_row_splits(m.zeros([0]), [0]))
    check(lambda m: m.RT.from_row_splits(np.array([1., 2]), np.array([0, 2], np.int32)))


def test_factory_errors():
    check_error(lambda m: m.RT.from_row_splits([1, 2, 3], [0, 2, 4]))
    check_error(lambda m: m.RT.from_row_splits([1, 2, 3], [1, 2, 3]))
    check_error(lambda m: m.RT.from_row_lengths([1, 2, 3], [1, 1]))
    check_error(lambda m: m.RT.from_value_rowids([1, 2, 3, 4], [0, 2, 0, 2]))


def test_to_tensor_and_numpy():
    check(lambda m: m.rc([[1, 2, 3], [], [4, 5]]).to_tensor(default_value=9, shape=[2, 4]))
    check(lambda m: m.rc([[1, 2, 3], [], [4, 5]]).to_tensor(shape=[4, 2]))
    check(lambda m: m.rc([[[1], [2, 3]], [[4]]]).to_tensor(default_value=-1))
    check(lambda m: m.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1).to_tensor())
    check(lambda m: m.rc([[True], []]).to_tensor())
    a = ND.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1)
    b = TF.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1)
    assert repr(a.numpy()) == repr(b.numpy()) and repr(a) == repr(b)
    assert repr(ND.rc([[[1], [2, 3]], [[4]]]).numpy()) == repr(TF.rc([[[1], [2, 3]], [[4]]])
                                                                .numpy())


KEYS = [0, -1, 2, (2, 1), (0, -1), slice(1, 3), slice(None, None, 2), (slice(None), slice(None, 2)),
        (slice(None), slice(1, None)), (slice(None), slice(-1, None)),
        (slice(None), slice(None, None, -1)), (slice(1, None), slice(0, 1))]


@pytest.mark.parametrize("key", KEYS, ids=repr)
def test_getitem(key):
    check(lambda m: m.rc([[1, 2, 3], [], [4, 5]])[key])


@pytest.mark.parametrize("key", [0, (1, 0), (slice(None), slice(0, 1)),
                                 (slice(None), slice(None), slice(1, None)), (0, 1, 0)], ids=repr)
def test_getitem_nested(key):
    check(lambda m: m.rc([[[1, 2], [3]], [[4, 5, 6]]])[key])


def test_getitem_uniform_inner():
    check(lambda m: m.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1)[:, :, 1])
    check(lambda m: m.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1)[1, :, 0])


def test_getitem_errors():
    check_error(lambda m: m.rc([[1, 2, 3], [], [4, 5]])[5])
    check_error(lambda m: m.rc([[1, 2, 3], [], [4, 5]])[1, 0])
    check_error(lambda m: m.rc([[1, 2, 3], [], [4, 5]])[:, 1])
    check_error(lambda m: bool(m.rc([[1]])))


A = [[1., 2, 3], [], [4, 5]]
B = [[2., 1, 0.5], [], [3, 1.5]]  # no negative divisor: floormod's -0.0 differs


@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "lt",
                                "le", "gt", "ge", "eq", "ne"])
def test_operators(op):
    import operator
    f = getattr(operator, op)
    check(lambda m: f(m.rc(A), m.rc(B)))
    check(lambda m: f(m.rc(A), 2.0))
    check(lambda m: f(3.0, m.rc(B)))
    check(lambda m: f(m.rc(A), m.constant([[1.], [2.], [3.]])))


def test_unary_logical_and_cast():
    check(lambda m: -m.rc(A))
    check(lambda m: abs(m.rc(B)))
    check(lambda m: ~m.rc([[True], [False, True]]))
    check(lambda m: m.rc([[True], [False, True]]) & m.rc([[True], [True, True]]))
    check_error(lambda m: m.rc([[1], [2, 3]]) | 4)
    check_error(lambda m: ~m.rc([[1], [2, 3]]))
    check(lambda m: m.cast(m.rc([[1, 2], [3]]), m.float32))
    check(lambda m: m.rc([[1, 2], [3]]) + 1)
    check(lambda m: m.ragged.map_flat_values(m.ones_like, m.rc(A)))
    check(lambda m: m.ragged.map_flat_values(m.add, m.rc(A), m.rc(B)))
    check(lambda m: m.ragged.map_flat_values(m.ones_like, m.constant([1])))
    check(lambda m: m.rc(A).with_flat_values(m.constant([1, 2, 3, 4, 5])))
    check(lambda m: m.rc([[[1], [2, 3]], [[4]]]).with_values(m.rc([[1], [2, 3], [4]]) * 2))


def test_operator_errors():
    check_error(lambda m: m.rc([[1, 2, 3], [], [4, 5]]) + m.rc([[1, 2], [3], [4, 5]]))
    check_error(lambda m: m.rc([[1, 2, 3], [], [4, 5]]) + m.constant([1, 2, 3]))
    check_error(lambda m: m.ragged.map_flat_values(m.add, m.rc([[1, 2], [3]]), m.rc([[1], [2, 3]])))


@pytest.mark.parametrize("kind", ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min"])
@pytest.mark.parametrize("data", [[[1, 2, 3], [], [4, 5]], [[1.5, 2], [], [-3.0]]], ids=["i", "f"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1, [0, 1]], ids=repr)
def test_reductions(kind, data, axis):
    check(lambda m: getattr(m, kind)(m.rc(data), axis=axis))


@pytest.mark.parametrize("kind", ["reduce_sum", "reduce_mean", "reduce_max"])
def test_reductions_more(kind):
    check(lambda m: getattr(m, kind)(m.rc([[[1, 2], [3]], [[4.0]]]), axis=2))
    check(lambda m: getattr(m, kind)(m.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1), axis=2))
    check(lambda m: getattr(m, kind)(m.rc([[[1, 2]], [[3, 4], [5, 6]]], ragged_rank=1), axis=1))
    check(lambda m: getattr(m, kind)(m.rc([[1, 2, 3], [], [4, 5]]), axis=1, keepdims=True))
    check(lambda m: getattr(m, kind)(m.rc([[1, 2, 3], [], [4, 5]]), axis=0, keepdims=True))


def test_concat_and_stack():
    x, y = [[1, 2, 3], [], [4, 5]], [[6], [7, 8], []]
    for axis in (0, 1, -1):
        check(lambda m, a=axis: m.concat([m.rc(x), m.rc(y)], a))
    check(lambda m: m.concat([m.rc(x), m.constant([[7, 8], [9, 9], [1, 1]])], 1))
    check(lambda m: m.concat([m.rc([[[1], [2, 3]]]), m.rc([[[4]], []])], 0))
    check(lambda m: m.concat([m.rc([[[1], [2, 3]], []]), m.rc([[[4]], [[5, 6]]])], 1))
    for axis in (0, 1):
        check(lambda m, a=axis: m.stack([m.rc(x), m.rc(y)], a))
    check(lambda m: m.ragged.stack([m.rc(x), m.rc(y)], 1))
    check_error(lambda m: m.concat([m.rc(x), m.rc([[1, 2], [3]])], 1))
    check_error(lambda m: m.concat([m.rc(x), m.rc([[1.]])], 0))


def test_boolean_mask():
    x = [[1, 2, 3], [], [4, 5]]
    check(lambda m: m.ragged.boolean_mask(m.rc(x), m.rc([[True, False, True], [], [False, True]])))
    check(lambda m: m.ragged.boolean_mask(m.rc(x), m.constant([True, False, True])))
    check(lambda m: m.ragged.boolean_mask(m.rc([[[1, 2], [3]], [[4]]]),
                                          m.rc([[[True, False], [True]], [[False]]])))
    check_error(lambda m: m.ragged.boolean_mask(m.rc(x), m.rc([[True, False], [], [False, True]])))


def test_range():
    check(lambda m: m.ragged.range([0, 2], [3, 5]))
    check(lambda m: m.ragged.range(3))
    check(lambda m: m.ragged.range([0, 5], [3, 1], [1, -2]))
    check(lambda m: m.ragged.range([0., 1], [1., 3], 0.5))
    check(lambda m: m.ragged.range([3, 5], dtype=m.int64))
    check_error(lambda m: m.ragged.range([0, 5], [3, 1], [0, -2]))


def test_gradients_through_flat_values():
    def loss(m, tape, w):
        rt = m.RT.from_row_splits(w * 1.0, [0, 2, 2, 3])
        y = m.reduce_sum(m.reduce_max(rt * w[0], axis=1) + m.reduce_sum(rt * rt, axis=0)[0])
        return tape.gradient(y, w)

    def run(m):
        w = m.Variable([1., -2., 3.])
        with m.GradientTape() as tape:
            return loss(m, tape, w)
    _same(run(ND), run(TF))


def test_gradient_ragged_reduce_sum():
    w = nf.constant([1., 2., 3.])
    with nf.GradientTape() as tape:
        tape.watch(w)
        rt = RaggedTensor.from_row_splits(w, [0, 2, 3])
        y = ragged_ops.reduce_sum(rt * w[1])
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), [2., 1. + 4. + 3., 2.])


def test_gradients_through_structure_ops():
    def run(m):
        w = m.Variable([1., -2., 3., 4.])
        with m.GradientTape() as tape:
            rt = m.RT.from_row_splits(w * 1.0, [0, 3, 3, 4])
            parts = [m.concat([rt, rt[:, :1]], 1).to_tensor(default_value=5.0),
                     m.ragged.boolean_mask(rt, rt > 0).to_tensor(), rt[1:].to_tensor(),
                     m.reduce_mean(rt, axis=1)]
            y = sum(m.reduce_sum(m.where(m.math.is_nan(p), 0., p) ** 2) for p in parts)
        return tape.gradient(y, w)
    _same(run(ND), run(TF))


def test_private_constructor():
    with pytest.raises(ValueError):
        RaggedTensor(nf.constant([1]), nf.constant([0, 1]))
