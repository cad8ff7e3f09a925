"""Variables: creation, assignment, slicing, scatter updates, operators, reprs."""
import numpy as np
import pytest

import ndflow as tf
from conformance import assert_same

BEHAVIOUR = {
    "name": lambda t: [t.Variable(1.0).name, t.Variable(1.0, name="a").name],
    "dtype_from_literal": lambda t: t.Variable(1).dtype.name,
    "assign_returns": lambda t: t.Variable([1.0, 2.0]).assign([3.0, 4.0]).numpy().tolist(),
    "assign_read_value_false": lambda t: t.Variable(1.0).assign(2.0, read_value=False),
    "assign_shape_mismatch": lambda t: t.Variable(1.0).assign([1.0, 2.0]),
    "assign_float_to_int": lambda t: t.Variable(1).assign(1.5),
    "assign_add_sub": lambda t: t.Variable([1.0, 2.0]).assign_add([1.0, 1.0]).assign_sub(
        [0.5, 0.5]).numpy().tolist(),
    "slice_assign": lambda t: _slice_assign(t),
    "column_assign": lambda t: _column_assign(t),
    "item_assignment": lambda t: _item_assignment(t),
    "operators": lambda t: [t.Variable([1.0, 2.0]) + 1, 2 * t.Variable([1.0, 2.0]),
                            t.Variable([[1.0, 2.0]]) @ t.constant([[1.0], [1.0]]),
                            -t.Variable([1, 2]), t.Variable([1.0, 3.0]) > 2],
    "not_a_tensor": lambda t: isinstance(t.Variable(1.0), t.Tensor),
    "scatter_nd_update": lambda t: t.Variable([1, 2, 3, 4]).scatter_nd_update(
        [[0], [2]], [10, 30]).numpy().tolist(),
    "scatter_nd_add": lambda t: t.Variable([[1.0, 2.0], [3.0, 4.0]]).scatter_nd_add(
        [[0, 1], [0, 1]], [1.0, 1.0]).numpy().tolist(),
    "scatter_nd_sub_rows": lambda t: t.Variable([[1.0, 2.0], [3.0, 4.0]]).scatter_nd_sub(
        [[1]], [[1.0, 1.0]]).numpy().tolist(),
    "scatter_update_slices": lambda t: t.Variable([[1.0, 2.0], [3.0, 4.0]]).scatter_update(
        t.IndexedSlices(t.constant([[9.0, 9.0]]), t.constant([1]))).numpy().tolist(),
    "scatter_add_slices": lambda t: t.Variable([1.0, 2.0, 3.0]).scatter_add(
        t.IndexedSlices(t.constant([1.0, 1.0]), t.constant([0, 0]))).numpy().tolist(),
    "scatter_nd_out_of_range": lambda t: t.Variable([1, 2]).scatter_nd_update([[5]], [1]),
    "numpy_scalar": lambda t: type(t.Variable(1.0).numpy()).__name__,
    "convert": lambda t: t.convert_to_tensor(t.Variable([1, 2])),
    "trainable": lambda t: [t.Variable(1.0).trainable, t.Variable(1.0, trainable=False).trainable],
    "callable_initial": lambda t: t.Variable(lambda: t.ones([2])).numpy().tolist(),
    "dtype_argument": lambda t: t.Variable(1, dtype=t.float32).dtype.name,
    "shape": lambda t: t.Variable([[1.0, 2.0]]).shape.as_list(),
    "hash": lambda t: hash(t.Variable(1.0)),
    "len": lambda t: len(t.Variable([1, 2, 3])),
    "iterate": lambda t: [x.numpy().tolist() for x in t.Variable([[1, 2], [3, 4]])],
}


def _slice_assign(t):
    v = t.Variable([[1, 2, 3], [4, 5, 6]])
    v[0, 1].assign(42)
    return v.numpy().tolist()


def _column_assign(t):
    v = t.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    v[:, 2].assign([0.0, 1.0])
    return v.numpy().tolist()


def _item_assignment(t):
    v = t.Variable([1, 2])
    v[1] = 5
    return v


@pytest.mark.parametrize("name", sorted(BEHAVIOUR))
def test_variable_matches_tensorflow(name, real_tf):
    assert_same(BEHAVIOUR[name], real_tf)


def test_repr_matches_tensorflow(real_tf):
    for value in ([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], 1.5, [1, 2]):
        assert repr(tf.Variable(value)) == repr(real_tf.Variable(value))


def test_reads_are_snapshots():
    v = tf.Variable([1.0, 2.0])
    before = v.read_value()
    v.assign([5.0, 6.0])
    v.assign_add([1.0, 1.0])
    v[0].assign(0.0)
    assert before.numpy().tolist() == [1.0, 2.0]
    assert v.numpy().tolist() == [0.0, 7.0]


def test_constraint_and_initial_value():
    v = tf.Variable([1.0, -1.0], constraint=lambda x: tf.maximum(x, 0.0))
    assert v.constraint(v).numpy().tolist() == [1.0, 0.0]
    with pytest.raises(ValueError):
        tf.Variable(1.0, constraint=3)
    with pytest.raises(ValueError):
        tf.Variable(None)


def test_flexible_shape_allows_new_shapes():
    v = tf.Variable([1.0], shape=tf.TensorShape(None))
    v.assign([1.0, 2.0, 3.0])
    assert v.shape.rank is None and np.asarray(v).shape == (3,)
