"""An eager Dense layer runs its product, bias and ReLU as one ``_FusedMatMul`` op: the values
and gradients must be bitwise those of the separate ops, match Keras, and nest under outer tapes."""
import numpy as np
import pytest

import ndflow as tf
from ndflow import keras
from ndflow.framework import errors

ACTIVATIONS = ["relu", None, "softmax", "tanh"]


def _layer(activation, dtype, rng, units=5, features=4):
    layer = keras.layers.Dense(units, activation=activation, dtype=dtype)
    layer.build((None, features))
    layer.kernel.assign(rng.normal(size=(features, units)).astype(dtype))
    layer.bias.assign(rng.normal(size=(units,)).astype(dtype))
    return layer


def _separate_ops(layer, x):
    """The layer's computation written with the unfused ops."""
    out = tf.matmul(x, layer.kernel) + layer.bias
    return layer.activation(out)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fused_dense_is_bitwise_the_separate_ops(activation, dtype):
    rng = np.random.default_rng(0)
    layer = _layer(activation, dtype, rng)
    x = tf.constant(rng.normal(size=(6, 4)).astype(dtype))
    weights = [layer.kernel, layer.bias]
    results = []
    for compute in (layer, lambda t: _separate_ops(layer, t)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = compute(x)
            loss = tf.reduce_sum(y * y)
        grads = tape.gradient(loss, [x] + weights)
        results.append([y.numpy()] + [g.numpy() for g in grads])
    for fused, separate in zip(*results):
        np.testing.assert_array_equal(fused, separate)


def test_fused_dense_records_one_op_per_layer():
    layer = _layer("relu", "float32", np.random.default_rng(1))
    x = tf.constant(np.ones((2, 4), np.float32))
    with tf.GradientTape() as tape:
        layer(x)
    assert [r.op.name for r in tape._records] == ["ReadVariableOp", "ReadVariableOp",
                                                  "_FusedMatMul"]


@pytest.mark.parametrize("activation", ["relu", None])
def test_second_order_gradients_through_the_fused_op(activation):
    rng = np.random.default_rng(2)
    layer = _layer(activation, "float64", rng)
    x = tf.constant(rng.normal(size=(3, 4)))
    results = []
    for compute in (layer, lambda t: _separate_ops(layer, t)):
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                y = compute(x)
                loss = tf.reduce_sum(y * y * y)
            dx, dkernel = inner.gradient(loss, [x, layer.kernel])
            total = tf.reduce_sum(dx * dx) + tf.reduce_sum(dkernel)
        results.append([g.numpy() for g in outer.gradient(total, [x, layer.kernel, layer.bias])])
    for fused, separate in zip(*results):
        np.testing.assert_allclose(fused, separate, rtol=1e-12, atol=1e-12)


def test_gradients_agree_with_finite_differences():
    rng = np.random.default_rng(3)
    layer = _layer("relu", "float64", rng)
    x = rng.normal(size=(3, 4))

    def loss_of(kernel, bias):
        out = np.maximum(x @ kernel + bias, 0)
        return float(np.sum(out ** 2))

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(layer(tf.constant(x))))
    dkernel, dbias = (g.numpy() for g in tape.gradient(loss, [layer.kernel, layer.bias]))
    kernel, bias, eps = layer.kernel.numpy(), layer.bias.numpy(), 1e-6
    for index in [(0, 0), (1, 3), (3, 4)]:
        up, down = kernel.copy(), kernel.copy()
        up[index] += eps
        down[index] -= eps
        expected = (loss_of(up, bias) - loss_of(down, bias)) / (2 * eps)
        assert dkernel[index] == pytest.approx(expected, rel=1e-5, abs=1e-6)
    for index in range(5):
        up, down = bias.copy(), bias.copy()
        up[index] += eps
        down[index] -= eps
        expected = (loss_of(kernel, up) - loss_of(kernel, down)) / (2 * eps)
        assert dbias[index] == pytest.approx(expected, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_values_and_gradients_match_keras(real_tf, activation):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    theirs = real_tf.keras.layers.Dense(4, activation=activation)
    ours = keras.layers.Dense(4, activation=activation)
    theirs(x)
    ours(x)
    ours.set_weights([w + 0.1 for w in theirs.get_weights()])
    theirs.set_weights(ours.get_weights())
    outputs = []
    for module, layer in ((real_tf, theirs), (tf, ours)):
        xt = module.constant(x)
        with module.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt)
            loss = module.reduce_sum(y * module.constant(np.arange(4, dtype=np.float32)))
        grads = tape.gradient(loss, [xt] + list(layer.trainable_weights))
        outputs.append([np.asarray(y)] + [np.asarray(g) for g in grads])
    for theirs_value, ours_value in zip(*outputs):
        np.testing.assert_allclose(ours_value, theirs_value, rtol=1e-5, atol=1e-6)


def test_traced_dense_keeps_the_separate_ops():
    layer = _layer("relu", "float32", np.random.default_rng(5))
    x = np.random.default_rng(6).normal(size=(2, 4)).astype(np.float32)

    @tf.function
    def traced(t):
        return layer(t)

    np.testing.assert_array_equal(traced(x).numpy(), layer(x).numpy())
    graph = traced.get_concrete_function(tf.TensorSpec((2, 4), tf.float32)).graph
    types = {op.type for op in graph.get_operations()}
    assert "_FusedMatMul" not in types and "MatMul" in types


def test_inputs_the_fused_op_does_not_take_still_work_or_fail_as_before():
    layer = _layer("relu", "float32", np.random.default_rng(7))
    rank3 = np.ones((2, 3, 4), np.float32)
    np.testing.assert_allclose(layer(rank3).numpy()[0, 0], layer(rank3[0]).numpy()[0])
    with pytest.raises(errors.InvalidArgumentError):
        layer(tf.constant(np.ones((2, 4), np.int32)))
