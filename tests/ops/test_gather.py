"""Index-driven ops: behaviour that OpCases do not cover (second derivatives through the private
scatter-add ops, namedtuple outputs, string tensors, error messages)."""
import numpy as np
import pytest

import ndflow as tf
from ndflow.ops import sort_ops

RNG = np.random.default_rng(3)


def _second_derivative(fn, x):
    """d/dx of sum(g * g) where g = d/dx sum(fn(x) * w), taken with nested tapes."""
    x = tf.constant(x)
    w = tf.constant(np.random.default_rng(0).uniform(0.5, 1.5, np.shape(fn(x))))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(fn(x) ** 2 * w)
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g * g)
    return g, outer.gradient(z, x)


def _numeric(fn, x, eps=1e-6):
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += eps
        minus[idx] -= eps
        out[idx] = (fn(plus) - fn(minus)) / (2 * eps)
    return out


@pytest.mark.parametrize("fn", [
    lambda x: tf.gather(x, [2, 0, 2], axis=1),
    lambda x: tf.gather(x, [[1, 1], [0, 2]], axis=1, batch_dims=1),
    lambda x: tf.gather_nd(x, [[1, 2], [1, 2], [0, 0]]),
    lambda x: tf.gather_nd(x, [[[1], [0]], [[2], [2]]], batch_dims=1),
    lambda x: sort_ops.sort(x, axis=0, direction="DESCENDING"),
], ids=["gather_axis1", "gather_batch", "gather_nd", "gather_nd_batch", "sort"])
def test_second_derivatives_match_finite_differences(fn):
    x = RNG.uniform(-2, 2, (2, 3))

    def first(v):
        return np.asarray(_second_derivative(fn, v)[0])

    g, gg = _second_derivative(fn, x)
    assert isinstance(g, tf.Tensor) and g.shape == (2, 3)
    # gg = d/dx sum(first(x)^2): compare with finite differences of that scalar.
    numeric = _numeric(lambda v: float(np.sum(first(v) ** 2)), x)
    np.testing.assert_allclose(np.asarray(gg), numeric, rtol=1e-4, atol=1e-6)


def test_gather_gradient_is_indexed_slices_that_add_duplicates():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.gather(x, [2, 0, 2]))
    g = tape.gradient(y, x)
    assert isinstance(g, tf.IndexedSlices)
    np.testing.assert_array_equal(np.asarray(g.indices), [2, 0, 2])
    np.testing.assert_array_equal(np.asarray(tf.convert_to_tensor(g)), [[1, 1], [0, 0], [2, 2]])


def test_scatter_gradients_reach_every_input():
    t = tf.constant([1.0, 2.0, 3.0])
    u = tf.constant([10.0, 20.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([t, u])
        y = tf.reduce_sum(tf.tensor_scatter_nd_update(t, [[2], [0]], u) * [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(np.asarray(tape.gradient(y, t)), [0, 2, 0])
    np.testing.assert_array_equal(np.asarray(tape.gradient(y, u)), [3, 1])


def test_unique_outputs_are_named():
    out = tf.unique([4, 4, 1])
    assert type(out).__name__ == "Unique" and out._fields == ("y", "idx")
    y, idx = out
    np.testing.assert_array_equal(np.asarray(out.y), np.asarray(y))
    np.testing.assert_array_equal(np.asarray(idx), [0, 0, 1])
    counted = tf.unique_with_counts([4, 4, 1])
    assert type(counted).__name__ == "UniqueWithCounts"
    np.testing.assert_array_equal(np.asarray(counted.count), [2, 1])


def test_string_tensors():
    words = tf.constant(["b", "a", "b"])
    assert tf.gather(words, [2, 1]).numpy().tolist() == [b"b", b"a"]
    assert tf.unique(words).y.numpy().tolist() == [b"b", b"a"]
    hot = tf.one_hot([1, 0], 2, on_value="x", off_value="-")
    assert hot.dtype == tf.string and hot.numpy().tolist() == [[b"-", b"x"], [b"x", b"-"]]
    updated = tf.tensor_scatter_nd_update(words, [[1]], ["z"])
    assert updated.numpy().tolist() == [b"b", b"z", b"b"]


def test_bool_scatters():
    mask = tf.scatter_nd([[1], [1]], [True, True], [3])
    assert mask.dtype == tf.bool and mask.numpy().tolist() == [False, True, False]
    flags = tf.tensor_scatter_nd_update(tf.constant([True, False]), [[1]], [True])
    assert flags.numpy().tolist() == [True, True]


def test_out_of_range_messages_name_the_index():
    p = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0,1\] = 5 is not in"):
        tf.gather(p, [[0, 5]])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2, 0\] does not index"):
        tf.gather_nd(p, [[0, 0], [2, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="GatherV2"):
        tf.gather(p, [-1])


def test_gather_reads_variables():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.gather(v, [1, 1]))
    np.testing.assert_array_equal(np.asarray(tf.convert_to_tensor(tape.gradient(y, v))),
                                  [[0, 0], [2, 2]])
