"""Reductions beyond the OpCase tables: random axes/keepdims against TensorFlow, second-order
gradients, top_k's result type, and inputs of every accepted axis kind."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ndflow as tf
from ndflow.ops import reduce_ops, segment_ops

SETTINGS = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# name -> (ndflow function, TF function getter); ties are made likely by rounding the data.
REDUCERS = {
    "sum": (reduce_ops.reduce_sum, lambda t: t.reduce_sum),
    "mean": (reduce_ops.reduce_mean, lambda t: t.reduce_mean),
    "max": (reduce_ops.reduce_max, lambda t: t.reduce_max),
    "min": (reduce_ops.reduce_min, lambda t: t.reduce_min),
    "prod": (reduce_ops.reduce_prod, lambda t: t.reduce_prod),
    "logsumexp": (reduce_ops.reduce_logsumexp, lambda t: t.reduce_logsumexp),
    "variance": (reduce_ops.reduce_variance, lambda t: t.math.reduce_variance),
    "std": (reduce_ops.reduce_std, lambda t: t.math.reduce_std),
}


@st.composite
def _reduction(draw):
    shape = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    ndim = len(shape)
    axes = draw(st.one_of(st.none(), st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda a:
                                               a % ndim, max_size=ndim) if ndim else st.none()))
    if axes is not None and len(axes) == 1 and draw(st.booleans()):
        axes = axes[0]  # a plain int axis
    keepdims = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return shape, axes, keepdims, seed


def _grad(module, fn, x, axes, keepdims):
    t = module.constant(x)
    with module.GradientTape() as tape:
        tape.watch(t)
        out = fn(t, axes, keepdims)
        loss = module.reduce_sum(out * module.constant(np.linspace(0.5, 1.5, np.size(out))
                                                       .reshape(np.shape(out))))
    return out, tape.gradient(loss, t)


@pytest.mark.parametrize("name", sorted(REDUCERS))
@SETTINGS
@given(case=_reduction())
def test_random_axes_match_tensorflow(name, case, real_tf):
    shape, axes, keepdims, seed = case
    x = np.round(np.random.default_rng(seed).uniform(-2, 2, shape), 1)  # rounding makes ties
    ours, theirs = REDUCERS[name][0], REDUCERS[name][1](real_tf)
    out, grad = _grad(tf, ours, x, axes, keepdims)
    ref_out, ref_grad = _grad(real_tf, theirs, x, axes, keepdims)
    assert out.shape.as_list() == ref_out.shape.as_list()
    np.testing.assert_allclose(np.asarray(out), ref_out.numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(np.asarray(grad), ref_grad.numpy(), rtol=1e-6, atol=1e-9)


def _second_order(module, fn, x):
    t = module.constant(x)
    with module.GradientTape() as outer:
        outer.watch(t)
        with module.GradientTape() as inner:
            inner.watch(t)
            y = fn(module, t)
        g = inner.gradient(y, t)
        gg = module.reduce_sum(g * g)
    return outer.gradient(gg, t)


def _math(module, name):
    """module.math.<name>, falling back to ndflow's defining module before it is re-exported."""
    fn = getattr(module.math, name, None)
    return fn or getattr(reduce_ops, name, None) or getattr(segment_ops, name)


SECOND_ORDER = {
    "prod": (lambda m, t: m.reduce_sum(m.reduce_prod(t, 1) ** 2),
             np.array([[0.5, 1.5, -2.0], [1.2, 0.3, 2.5]])),
    "mean": (lambda m, t: m.reduce_sum(m.reduce_mean(t * t, 0)), np.array([[0.5, 1.5], [2, 3]])),
    "max": (lambda m, t: m.reduce_sum(m.reduce_max(t * t, 1)), np.array([[0.5, -1.5], [2, 3]])),
    "logsumexp": (lambda m, t: m.reduce_logsumexp(t, 0), np.array([[0.5, 1.5], [2.0, -3.0]])),
    "std": (lambda m, t: _math(m, "reduce_std")(t), np.array([[0.5, 1.5], [2.0, -3.0]])),
    "segment_max": (lambda m, t: m.reduce_sum(_math(m, "unsorted_segment_max")(
        t * t, m.constant([1, 0, 1]), 2) ** 2), np.array([[0.5, 1.5], [2.0, -3.0], [1, 1]])),
    "top_k": (lambda m, t: m.reduce_sum(_math(m, "top_k")(t * t, 2).values ** 2),
              np.array([[0.5, 1.5, -0.2], [2.0, -3.0, 1.0]])),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_gradients_match_tensorflow(name, real_tf):
    fn, x = SECOND_ORDER[name]
    ours = _second_order(tf, fn, x)
    theirs = _second_order(real_tf, fn, x)
    np.testing.assert_allclose(np.asarray(ours), theirs.numpy(), rtol=1e-6, atol=1e-9)


def test_top_k_result_is_a_named_pair():
    out = reduce_ops.top_k(tf.constant([[1.0, 4.0, 2.0]]), k=2)
    values, indices = out
    assert type(out).__name__ == "TopKV2"
    assert out.values is values and out.indices is indices
    np.testing.assert_array_equal(np.asarray(values), [[4.0, 2.0]])
    assert indices.dtype == tf.int32


def test_top_k_gradient_ignores_indices_only_use():
    x = tf.constant([3.0, 1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        values, indices = reduce_ops.top_k(x, 2)
        loss = tf.reduce_sum(values * tf.constant([2.0, 5.0]))
    np.testing.assert_allclose(np.asarray(tape.gradient(loss, x)), [2.0, 0.0, 5.0])


@pytest.mark.parametrize("axis", [1, [1], (1,), np.array([1]), tf.constant(1),
                                  tf.constant([1], tf.int64)])
def test_axis_kinds(axis):
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(np.asarray(tf.reduce_sum(x, axis)), [3.0, 12.0])
    np.testing.assert_allclose(np.asarray(tf.reduce_max(x, axis, keepdims=True)), [[2.0], [5.0]])


def test_reductions_accept_variables_and_python_lists():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    assert float(tf.reduce_mean(v)) == 2.5
    assert int(tf.argmax([1, 5, 2])) == 1
    assert tf.reduce_any([[False, True]]).dtype == tf.bool


def test_error_names_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match="TopKV2"):
        reduce_ops.top_k(tf.constant([1.0, 2.0]), 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="UnsortedSegmentSum"):
        segment_ops.unsorted_segment_sum(tf.constant([1.0, 2.0]), tf.constant([0, 2]), 2)
