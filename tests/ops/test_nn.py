"""ndflow.nn behaviour that does not fit an OpCase: gradients at kinks and ties (where finite
differences say nothing), third derivatives, the namespace, error messages, conv speed shape."""
import numpy as np
import pytest

import ndflow

KINKS = np.array([-1.0, 0.0, 3.0, 6.0, 7.0])


def _gradient(module, fn, x, order=1):
    """The ``order``-th derivative of sum(fn(x)) (each taken of the previous one's sum)."""
    x = module.constant(x)
    tapes = [module.GradientTape(persistent=True) for _ in range(order)]
    for tape in tapes:
        tape.__enter__()
        tape.watch(x)
    y = fn(module, x)
    for k in range(order - 1, -1, -1):
        tapes[k].__exit__(None, None, None)
        y = tapes[k].gradient(y, x)
        if k:
            y = module.reduce_sum(y * np.linspace(0.5, 1.5, y.shape.num_elements()).reshape(
                y.shape.as_list()))
    return np.asarray(y)


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu"])
def test_activation_gradient_at_kinks_matches_tensorflow(name, real_tf):
    def fn(module, x):
        return getattr(module.nn, name)(x)
    np.testing.assert_allclose(_gradient(ndflow, fn, KINKS), _gradient(real_tf, fn, KINKS),
                               rtol=1e-6)


def test_relu_gradient_at_zero_is_zero():
    assert _gradient(ndflow, lambda m, x: m.nn.relu(x), np.zeros(3)).tolist() == [0, 0, 0]


@pytest.mark.parametrize("padding,ksize,strides", [("SAME", 3, 1), ("VALID", 2, 2),
                                                   ("SAME", [2, 3], [1, 2])])
def test_max_pool_tie_gradient_matches_tensorflow(padding, ksize, strides, real_tf):
    x = np.ones((1, 5, 4, 2))
    x[0, 2:, :, 1] = 3.0

    def fn(module, t):
        return module.nn.max_pool2d(t, ksize, strides, padding)
    np.testing.assert_array_equal(_gradient(ndflow, fn, x), _gradient(real_tf, fn, x))


def test_max_pool_third_derivative_matches_tensorflow(real_tf):
    """MaxPoolGradGrad's gradient (back to MaxPoolGrad) as TensorFlow defines it."""
    x = np.random.default_rng(3).uniform(-1, 1, (1, 4, 4, 2))

    def fn(module, t):
        return module.nn.max_pool2d(t * t * t, 2, 1, "SAME")
    for order in (2, 3):
        np.testing.assert_allclose(_gradient(ndflow, fn, x, order),
                                   _gradient(real_tf, fn, x, order), rtol=1e-6, atol=1e-9)


def test_conv_second_derivatives_match_tensorflow(real_tf):
    rng = np.random.default_rng(4)
    x, w = rng.uniform(-1, 1, (1, 5, 5, 2)), rng.uniform(-1, 1, (3, 3, 2, 3))

    def fn(module, t):
        return module.nn.conv2d(t * t, module.constant(w), 2, "SAME")
    np.testing.assert_allclose(_gradient(ndflow, fn, x, 2), _gradient(real_tf, fn, x, 2),
                               rtol=1e-6, atol=1e-9)


def test_nn_namespace_has_the_tensorflow_names(real_tf):
    names = ["relu", "relu6", "elu", "selu", "gelu", "leaky_relu", "silu", "swish", "softmax",
             "log_softmax", "sigmoid_cross_entropy_with_logits",
             "softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
             "moments", "bias_add", "embedding_lookup", "batch_normalization", "conv1d",
             "conv2d", "depthwise_conv2d", "depthwise_conv2d_backprop_input",
             "depthwise_conv2d_backprop_filter", "conv2d_transpose", "max_pool", "max_pool1d",
             "max_pool2d", "avg_pool", "avg_pool1d", "avg_pool2d", "sigmoid", "tanh",
             "softplus", "top_k", "l2_normalize", "dropout"]
    for name in names:
        assert hasattr(real_tf.nn, name), name
        assert callable(getattr(ndflow.nn, name)), name


def test_sparse_xent_error_names_the_bad_label():
    with pytest.raises(ndflow.errors.InvalidArgumentError, match="label value of 7"):
        ndflow.nn.sparse_softmax_cross_entropy_with_logits([1, 7], np.zeros((2, 3)))


def test_conv_errors_name_the_op_and_shapes():
    with pytest.raises(ndflow.errors.InvalidArgumentError,
                       match=r"evenly divisible by filter depth: 2 vs 3.*Conv2D"):
        ndflow.nn.conv2d(np.zeros((1, 4, 4, 2)), np.zeros((2, 2, 3, 1)), 1, "SAME")


def test_softmax_is_stable_and_quiet():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any NumPy warning from the kernels fails the test
        out = ndflow.nn.softmax(np.array([1e4, -1e4, 0.0]))
        log = ndflow.nn.log_softmax(np.array([1e4, -1e4, 0.0]))
    assert np.asarray(out).tolist() == [1.0, 0.0, 0.0]
    assert np.asarray(log).tolist() == [0.0, -2e4, -1e4]


def test_embedding_lookup_accepts_a_single_shard_list():
    params = np.arange(6.0).reshape(3, 2)
    out = ndflow.nn.embedding_lookup([params], [2, 0])
    np.testing.assert_array_equal(np.asarray(out), params[[2, 0]])


def test_conv_kernels_do_not_loop_over_pixels():
    """A 64x64 image is one matmul: the work must not grow with Python-level pixel loops."""
    x = np.random.default_rng(0).standard_normal((2, 64, 64, 8)).astype(np.float32)
    w = np.random.default_rng(1).standard_normal((3, 3, 8, 8)).astype(np.float32)
    import ndflow.ops.conv_util as util
    calls = []
    original = util.tap

    def counting_tap(*args):
        calls.append(1)
        return original(*args)
    util.tap = counting_tap
    try:
        xt, wt = ndflow.constant(x), ndflow.constant(w)
        with ndflow.GradientTape() as tape:
            tape.watch([xt, wt])
            y = ndflow.nn.conv2d(xt, wt, 1, "SAME")
        tape.gradient(y, [xt, wt])
    finally:
        util.tap = original
    assert len(calls) <= 9  # one strided add per filter tap in the input gradient


def test_sparse_xent_row_index_cache_stays_small():
    from ndflow.ops import nn_loss_ops
    for rows in range(1, 200):
        logits = np.zeros((rows, 3), np.float32)
        loss = ndflow.nn.sparse_softmax_cross_entropy_with_logits(np.ones(rows, np.int64), logits)
        np.testing.assert_allclose(loss.numpy(), np.log(3.0), rtol=1e-6)
    assert len(nn_loss_ops._ROW_STARTS) <= 64
