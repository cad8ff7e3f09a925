"""Random ops: TensorFlow's seed semantics, sample statistics, Generators and dropout."""
import numpy as np
import pytest

import ndflow as tf
from ndflow.ops.random_ops import DEFAULT_GRAPH_SEED, dropout, get_seed

N = 100_000


@pytest.fixture(autouse=True)
def _fresh_seed():
    """Each test starts (and leaves) the global seed unset, like a fresh program."""
    tf.random.set_seed(None)
    yield
    tf.random.set_seed(None)


def _draws(count=3, **kwargs):
    return [tf.random.uniform([4], **kwargs).numpy() for _ in range(count)]


def _same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


# -- seeds ---------------------------------------------------------------------------------------

def test_no_seed_is_nondeterministic():
    a, b = _draws(2)
    assert not np.array_equal(a, b)
    tf.random.set_seed(None)
    assert not np.array_equal(_draws(1)[0], a)


def test_global_seed_reproduces_the_sequence():
    tf.random.set_seed(7)
    first = _draws()
    assert not np.array_equal(first[0], first[1])   # each call gets a new op seed
    tf.random.set_seed(7)
    assert _same(_draws(), first)                    # set_seed restarts the sequence
    tf.random.set_seed(8)
    assert not np.array_equal(_draws(1)[0], first[0])


def test_global_seed_only_gives_op_seeds_from_a_counter():
    tf.random.set_seed(7)
    seeds = [get_seed(None) for _ in range(3)]
    assert all(s[0] == 7 for s in seeds) and len({s[1] for s in seeds}) == 3
    tf.random.set_seed(7)
    assert [get_seed(None) for _ in range(3)] == seeds


def test_op_seed_only_uses_the_default_global_seed():
    assert get_seed(5) == (DEFAULT_GRAPH_SEED, 5)
    assert get_seed(None) == (None, None)
    a = _draws(seed=5)
    assert not np.array_equal(a[0], a[1])            # the seed pair's counter advances
    tf.random.set_seed(None)                         # which set_seed resets
    assert _same(_draws(seed=5), a)
    assert not np.array_equal(_draws(1, seed=6)[0], a[0])


def test_both_seeds_determine_the_values():
    tf.random.set_seed(1)
    a = _draws(seed=3)
    assert not np.array_equal(a[0], a[1])
    tf.random.set_seed(1)
    assert _same(_draws(seed=3), a)
    tf.random.set_seed(2)
    assert not np.array_equal(_draws(1, seed=3)[0], a[0])
    tf.random.set_seed(1)
    assert not np.array_equal(_draws(1, seed=4)[0], a[0])


def test_zero_seeds_are_still_deterministic():
    tf.random.set_seed(0)
    assert get_seed(0) == (0, 2**31 - 1)
    a = tf.random.normal([3], seed=0).numpy()
    tf.random.set_seed(0)
    np.testing.assert_array_equal(tf.random.normal([3], seed=0).numpy(), a)


def test_each_op_type_keeps_its_own_counter():
    tf.random.set_seed(3)
    n1 = tf.random.normal([3], seed=1).numpy()
    tf.random.set_seed(3)
    tf.random.uniform([3], seed=1)
    np.testing.assert_array_equal(tf.random.normal([3], seed=1).numpy(), n1)


@pytest.mark.parametrize("draw", [
    lambda s: tf.random.normal([5], seed=s),
    lambda s: tf.random.truncated_normal([5], seed=s),
    lambda s: tf.random.uniform([5], 0, 100, dtype=tf.int64, seed=s),
    lambda s: tf.random.categorical([[0.0, 1.0, 2.0]], 6, seed=s),
    lambda s: tf.random.shuffle(np.arange(10), seed=s),
], ids=["normal", "truncated_normal", "uniform_int", "categorical", "shuffle"])
def test_every_random_op_follows_the_seeds(draw):
    tf.random.set_seed(11)
    a, b = draw(2).numpy(), draw(2).numpy()
    tf.random.set_seed(11)
    np.testing.assert_array_equal(draw(2).numpy(), a)
    np.testing.assert_array_equal(draw(2).numpy(), b)


# -- statistics ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_normal_statistics(dtype):
    x = tf.random.normal([N], mean=3.0, stddev=2.0, dtype=dtype, seed=1).numpy()
    assert x.dtype == dtype.as_numpy_dtype
    x = x.astype(np.float64)
    assert abs(x.mean() - 3.0) < 0.05 and abs(x.std() - 2.0) < 0.05


def test_truncated_normal_bounds_and_spread():
    x = tf.random.truncated_normal([N], mean=1.0, stddev=0.5, seed=2).numpy()
    assert np.all(np.abs(x - 1.0) <= 1.0 + 1e-6)
    assert abs(x.mean() - 1.0) < 0.01
    assert abs(x.std() - 0.5 * 0.8796) < 0.01       # the std of a normal cut at two stddevs


@pytest.mark.parametrize("dtype", [tf.float16, tf.float32, tf.float64])
def test_uniform_float_range(dtype):
    x = tf.random.uniform([N], dtype=dtype, seed=3).numpy()
    assert x.dtype == dtype.as_numpy_dtype and x.min() >= 0 and x.max() < 1
    assert abs(x.astype(np.float64).mean() - 0.5) < 0.01
    y = tf.random.uniform([N], -2.0, 6.0, dtype=dtype, seed=3).numpy().astype(np.float64)
    assert y.min() >= -2 and y.max() <= 6 and abs(y.mean() - 2.0) < 0.1


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
def test_uniform_int_range(dtype):
    x = tf.random.uniform([N], minval=-3, maxval=4, dtype=dtype, seed=4).numpy()
    assert x.dtype == dtype.as_numpy_dtype
    values, counts = np.unique(x, return_counts=True)
    np.testing.assert_array_equal(values, np.arange(-3, 4))
    np.testing.assert_allclose(counts / N, 1 / 7, atol=0.01)


def test_categorical_frequencies():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]])
    logits = np.log(probs, where=probs > 0, out=np.full_like(probs, -np.inf)).astype(np.float32)
    # a -inf logit (probability 0) is never drawn
    out = tf.random.categorical(logits, N, seed=5).numpy()
    assert out.shape == (2, N) and out.dtype == np.int64
    for row in range(2):
        freq = np.bincount(out[row], minlength=3) / N
        np.testing.assert_allclose(freq, probs[row], atol=0.01)
    assert not np.any(out[1] == 1)


def test_shuffle_permutes_the_first_axis():
    x = np.arange(20).reshape(10, 2)
    out = tf.random.shuffle(x, seed=6).numpy()
    assert sorted(map(tuple, out)) == sorted(map(tuple, x))
    assert not np.array_equal(out, x)


def test_random_ops_have_no_gradient():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.random.shuffle(x)
    assert tape.gradient(y, x) is None


def test_normal_gradient_reaches_mean_and_stddev():
    mean, std = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([mean, std])
        y = tf.random.normal([2], mean=mean, stddev=std, seed=1)
    np.testing.assert_array_equal(tape.gradient(y, mean).numpy(), [1.0, 1.0])
    np.testing.assert_allclose(tape.gradient(y, std).numpy(), (y.numpy() - [1, 2]) / [3, 4],
                               rtol=1e-5)


# -- stateless ops and Generators ----------------------------------------------------------------

def test_stateless_ops_depend_only_on_the_seed():
    a = tf.random.stateless_normal([3], seed=[1, 2]).numpy()
    np.testing.assert_array_equal(tf.random.stateless_normal([3], seed=[1, 2]).numpy(), a)
    assert not np.array_equal(tf.random.stateless_normal([3], seed=[1, 3]).numpy(), a)
    u = tf.random.stateless_uniform([N], seed=[4, 5], minval=2, maxval=5, dtype=tf.int32).numpy()
    assert set(np.unique(u)) == {2, 3, 4}
    t = tf.random.stateless_truncated_normal([N], seed=[4, 5]).numpy()
    assert np.all(np.abs(t) <= 2)


def test_generator_reproducibility():
    g1, g2 = tf.random.Generator.from_seed(42), tf.random.Generator.from_seed(42)
    a = [g1.normal([3]).numpy() for _ in range(2)]
    assert not np.array_equal(a[0], a[1])
    assert _same([g2.normal([3]).numpy() for _ in range(2)], a)
    g1.reset_from_seed(42)
    np.testing.assert_array_equal(g1.normal([3]).numpy(), a[0])
    other = tf.random.Generator.from_seed(43).normal([3]).numpy()
    assert not np.array_equal(other, a[0])


def test_generator_state_roundtrip_and_copy():
    g = tf.random.Generator.from_seed(1)
    g.uniform([2])
    state = g.state.numpy()
    assert state.dtype == np.int64 and state.shape == (3,)
    twin, copy = tf.random.Generator.from_state(state, alg="philox"), tf.random.Generator(g)
    expected = g.uniform([4]).numpy()
    np.testing.assert_array_equal(twin.uniform([4]).numpy(), expected)
    np.testing.assert_array_equal(copy.uniform([4]).numpy(), expected)
    g.skip(3)
    twin.skip(3)
    np.testing.assert_array_equal(g.state.numpy(), twin.state.numpy())
    assert tf.random.Generator.from_seed(1, alg="threefry").state.shape == (2,)


def test_generator_methods():
    g = tf.random.Generator.from_seed(9)
    n = g.normal([N], mean=1.0, stddev=2.0).numpy()
    assert abs(n.mean() - 1.0) < 0.05 and abs(n.std() - 2.0) < 0.05
    u = g.uniform([N], minval=5, maxval=8, dtype=tf.int64).numpy()
    assert u.dtype == np.int64 and set(np.unique(u)) == {5, 6, 7}
    t = g.truncated_normal([N], dtype=tf.float64).numpy()
    assert t.dtype == np.float64 and np.all(np.abs(t) <= 2)
    assert g.uniform_full_int([3]).dtype == tf.uint64
    seeds = g.make_seeds(4)
    assert seeds.dtype == tf.int64 and seeds.shape == (2, 4)


def test_generator_split():
    g = tf.random.Generator.from_seed(3)
    before = g.state.numpy()
    children = g.split(3)
    assert len(children) == 3 and not np.array_equal(g.state.numpy(), before)
    draws = [c.normal([4]).numpy() for c in children] + [g.normal([4]).numpy()]
    assert len({d.tobytes() for d in draws}) == 4
    again = tf.random.Generator.from_seed(3).split(3)
    np.testing.assert_array_equal(again[0].normal([4]).numpy(), draws[0])


def test_global_and_nondeterministic_generators():
    g = tf.random.get_global_generator()
    assert tf.random.get_global_generator() is g
    tf.random.set_seed(1)
    assert tf.random.get_global_generator() is g          # set_seed leaves it alone
    a = tf.random.Generator.from_non_deterministic_state().normal([4]).numpy()
    b = tf.random.Generator.from_non_deterministic_state().normal([4]).numpy()
    assert not np.array_equal(a, b)
    mine = tf.random.Generator.from_seed(5)
    tf.random.set_global_generator(mine)
    try:
        assert tf.random.get_global_generator() is mine
    finally:
        tf.random.set_global_generator(g)


# -- dropout -------------------------------------------------------------------------------------

def test_dropout_scales_kept_values():
    x = tf.constant(np.full(N, 3.0, np.float32))
    y = dropout(x, 0.2, seed=1).numpy()
    kept = y != 0
    np.testing.assert_allclose(y[kept], 3.0 / 0.8, rtol=1e-6)
    assert abs(kept.mean() - 0.8) < 0.01


def test_dropout_gradient_uses_the_same_mask():
    x = tf.constant(np.arange(1.0, 101.0))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = dropout(x, 0.5)
    grad = tape.gradient(y, x).numpy()
    mask = y.numpy() != 0
    np.testing.assert_allclose(grad, mask * 2.0)


def test_dropout_noise_shape_and_rate_zero():
    x = tf.ones([6, 5])
    y = dropout(x, 0.5, noise_shape=[6, 1], seed=2).numpy()
    assert all(len(set(row)) == 1 for row in y)
    assert dropout(x, 0.0) is x
    tf.random.set_seed(4)
    a = dropout(x, 0.5).numpy()
    tf.random.set_seed(4)
    np.testing.assert_array_equal(dropout(x, 0.5).numpy(), a)


def test_dropout_tensor_rate():
    y = dropout(tf.ones([N]), tf.constant(0.75), seed=3).numpy()
    assert abs((y == 0).mean() - 0.75) < 0.01
    np.testing.assert_allclose(y[y != 0], 4.0)


def test_dropout_in_nn_namespace():
    assert tf.nn.dropout is dropout
