"""GradientTape behaviour, compared with TensorFlow where TensorFlow defines it."""
import logging

import numpy as np
import pytest

import ndflow as tf
from conformance import assert_same


def _variable_gradient(t):
    v = t.Variable([1.0, 2.0])
    with t.GradientTape() as tape:
        y = t.reduce_sum(v * v * 3.0)
    return tape.gradient(y, v)


def _watched_constant(t):
    x = t.constant(3.0)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    return tape.gradient(y, x)


def _unwatched_constant(t):
    x = t.constant(3.0)
    with t.GradientTape() as tape:
        y = x * x
    return tape.gradient(y, x)


def _persistent(t):
    x = t.constant([1.0, 2.0])
    with t.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * x
    return [tape.gradient(y, x), tape.gradient(z, x)]


def _non_persistent_twice(t):
    x = t.constant(1.0)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    return tape.gradient(y, x)


def _nested_sources(t):
    a, b, c = t.Variable(1.0), t.Variable([2.0, 3.0]), t.Variable(4.0)
    with t.GradientTape() as tape:
        y = a * t.reduce_sum(b) * c
    grads = tape.gradient(y, {"first": [a, (b,)], "second": c})
    return [grads["first"][0], grads["first"][1][0], grads["second"]]


def _target_list_and_output_gradients(t):
    x = t.constant([1.0, 2.0])
    with t.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y1, y2 = x * 2.0, x * x
    return [tape.gradient([y1, y2], x),
            tape.gradient(y2, x, output_gradients=t.constant([10.0, 100.0]))]


def _unconnected(t):
    x, z = t.Variable(1.0), t.Variable(2.0)
    with t.GradientTape(persistent=True) as tape:
        y = x * 2.0
    return [tape.gradient(y, z) is None,
            tape.gradient(y, z, unconnected_gradients=t.UnconnectedGradients.ZERO),
            tape.gradient(y, z, unconnected_gradients="zero")]


def _integer_source(t):
    x = t.constant(3)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    return tape.gradient(y, x) is None


def _no_accessed_variables(t):
    a, b = t.Variable(2.0), t.Variable(3.0)
    with t.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b
    return [[v.name for v in tape.watched_variables()], tape.gradient(y, [a, b])[1] is None]


def _watched_variables_order(t):
    a, b = t.Variable(2.0, name="a"), t.Variable(3.0, name="b")
    with t.GradientTape() as tape:
        _ = b * a
        _ = a * 2.0
    return [v.name for v in tape.watched_variables()]


def _stop_recording(t):
    x = t.constant(2.0)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        with tape.stop_recording():
            z = y * x
        w = y + 1.0
    return [tape.gradient(w, x)] if z is not None else None


def _reset(t):
    x = t.constant(2.0)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        tape.reset()
        tape.watch(x)
        z = x * 5.0
    return tape.gradient(z + y, x)


def _second_derivative(t):
    x = t.Variable(3.0)
    with t.GradientTape() as outer:
        with t.GradientTape() as inner:
            y = x * x * x
        dy = inner.gradient(y, x)
    return [dy, outer.gradient(dy, x)]


def _third_derivative(t):
    x = t.constant(2.0)
    with t.GradientTape() as t3:
        t3.watch(x)
        with t.GradientTape() as t2:
            t2.watch(x)
            with t.GradientTape() as t1:
                t1.watch(x)
                y = x ** 4.0
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    return [d1, d2, t3.gradient(d2, x)]


def _jacobian(t):
    x = t.constant([1.0, 2.0, 3.0])
    with t.GradientTape() as tape:
        tape.watch(x)
        y = t.reshape(x * x, [3, 1]) * t.constant([[1.0, 2.0]])
    return tape.jacobian(y, x)


def _jacobian_unconnected(t):
    x, z = t.constant([1.0, 2.0]), t.constant([3.0])
    with t.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 2.0
    return [tape.jacobian(y, z) is None,
            tape.jacobian(y, z, unconnected_gradients=t.UnconnectedGradients.ZERO)]


def _hessian(t):
    x = t.Variable([1.0, 2.0])
    with t.GradientTape() as outer:
        with t.GradientTape() as inner:
            y = t.reduce_sum(x * x * x) + x[0] * x[1]
        g = inner.gradient(y, x)
    return outer.jacobian(g, x)


def _batch_jacobian(t):
    x = t.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with t.GradientTape() as tape:
        tape.watch(x)
        y = t.stack([x[:, 0] * x[:, 1], x[:, 0] * 2.0, x[:, 1] * x[:, 1]], axis=1)
    return tape.batch_jacobian(y, x)


def _stop_gradient(t):
    x = t.constant(2.0)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = t.stop_gradient(x * x) * x
    return tape.gradient(y, x)


def _getitem_gradient(t):
    x = t.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    with t.GradientTape() as tape:
        y = t.reduce_sum(x[:, ::2] * 2.0) + x[1, 1] * x[1, 1]
    return tape.gradient(y, x)


def _sqrt_tiny(t):
    x = t.constant(1e-50)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = t.sqrt(x)
    return tape.gradient(y, x)


def _user_softplus_overflow(t):
    x = t.constant([1e30, 1.0])
    with t.GradientTape() as tape:
        tape.watch(x)
        y = t.math.log(t.exp(x) + 1.0)
    return tape.gradient(y, x)


def _custom_softplus(t):
    @t.custom_gradient
    def softplus(x):
        def grad(dy):
            return dy * (1.0 - 1.0 / (1.0 + t.exp(x)))
        return t.math.log(t.exp(x) + 1.0), grad

    x = t.constant([1e30, 1.0, -5.0])
    with t.GradientTape() as tape:
        tape.watch(x)
        y = softplus(x)
    return tape.gradient(y, x)


def _custom_gradient_with_variables(t):
    v = t.Variable(2.0)

    @t.custom_gradient
    def scaled(x):
        def grad(dy, variables=None):
            return dy * v * 10.0, [dy * x * 100.0]
        return x * v, grad

    x = t.constant(3.0)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = scaled(x)
    return tape.gradient(y, [x, v])


def _custom_gradient_variable_argument(t):
    @t.custom_gradient
    def softplus(z):
        e = t.exp(z)
        return t.math.log(e + 1.0), lambda dy: dy / (1 + 1 / e)

    x = t.Variable([100.0, 1.0])
    with t.GradientTape() as tape:
        y = softplus(x)
    return tape.gradient(y, [x])


def _custom_gradient_second_order(t):
    @t.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3.0 * x * x
        return x * x * x, grad

    x = t.constant(2.0)
    with t.GradientTape() as outer:
        outer.watch(x)
        with t.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        g = inner.gradient(y, x)
    return [g, outer.gradient(g, x)]


def _watch_non_tensor(t):
    with t.GradientTape() as tape:
        tape.watch(3.0)


def _integer_intermediate_blocks_gradient(t):
    x = t.constant(2.5)
    with t.GradientTape() as tape:
        tape.watch(x)
        y = t.cast(t.cast(x, t.int32), t.float32) * x
    return tape.gradient(y, x)


CASES = {name[1:]: fn for name, fn in list(globals().items())
         if name.startswith("_") and callable(fn) and not name.startswith("__")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_tape_matches_tensorflow(name, real_tf):
    assert_same(CASES[name], real_tf)


@pytest.mark.parametrize("name", sorted(CASES))
def test_tape_runs_without_tensorflow(name):
    from conformance import outcome
    assert outcome(tf, CASES[name])[0] in ("ok", "raise")


def test_deep_chain_does_not_recurse():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for _ in range(20000):
            y = y * 1.0
    assert float(tape.gradient(y, x)) == 1.0


def test_integer_source_warns(caplog):
    x = tf.constant(3)
    with caplog.at_level(logging.WARNING, logger="ndflow"):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        assert tape.gradient(y, x) is None
    assert "floating" in caplog.text


def test_non_tensor_source_is_a_clear_error():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 2.0
    with pytest.raises(ValueError, match="not tf.Tensor"):
        tape.gradient(y, [x, 3.0])


def test_tape_cannot_be_reentered():
    tape = tf.GradientTape()
    with tape:
        with pytest.raises(ValueError):
            tape.__enter__()


def test_non_persistent_error_message():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(y, x)


def test_numeric_hessian_matches_finite_differences():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(3,))
    x = tf.Variable(rng.normal(size=(3,)))

    def f(v):
        return tf.reduce_sum(tf.exp(v * w)) + v[0] * v[1] * v[2]

    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = f(x)
        g = inner.gradient(y, x)
    hessian = outer.jacobian(g, x).numpy()
    expected = np.diag(w * w * np.exp(x.numpy() * w))
    v = x.numpy()
    expected += np.array([[0, v[2], v[1]], [v[2], 0, v[0]], [v[1], v[0], 0]])
    np.testing.assert_allclose(hessian, expected, rtol=1e-10)
