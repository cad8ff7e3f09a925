"""Linear algebra behaviour that does not fit an OpCase: result structures, the matmul fast
path's cost, higher-order gradients and dtype rules of mixed operands."""
import timeit

import numpy as np
import pytest

import ndflow as tf


def test_svd_returns_s_u_v():
    x = np.random.default_rng(0).normal(size=(4, 3))
    s, u, v = tf.linalg.svd(tf.constant(x))
    np.testing.assert_allclose((np.asarray(u) * np.asarray(s)) @ np.asarray(v).T, x, atol=1e-12)
    assert tf.linalg.svd(tf.constant(x), compute_uv=False).shape == [3]


def test_qr_result_has_named_fields():
    result = tf.linalg.qr(tf.constant(np.eye(3)))
    assert result.q is result[0] and result.r is result[1]


def test_eigh_eigenvalues_ascending():
    x = np.array([[2.0, 1.0], [1.0, 2.0]])
    e, v = tf.linalg.eigh(tf.constant(x))
    np.testing.assert_allclose(np.asarray(e), [1.0, 3.0])


def test_matmul_fast_path_is_cheap():
    a = tf.constant(np.random.default_rng(0).random((8, 8), dtype=np.float32))
    cost = min(timeit.repeat(lambda: tf.matmul(a, a), number=2000, repeat=5)) / 2000
    assert cost < 10e-6, f"8x8 matmul took {cost * 1e6:.2f} us"


def test_matmul_second_order_gradient():
    x = tf.constant(np.array([[1.0, 2.0], [3.0, 4.0]]))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.matmul(x, x))
        g = inner.gradient(y, x)
        z = tf.reduce_sum(g * g)
    gg = outer.gradient(z, x)
    # y = sum(x @ x); g = (x @ 1)^T-ish rows + cols; check against finite differences
    eps = 1e-6
    base = np.asarray(x)

    def grad_sq(v):
        ones = np.ones((2, 2))
        grad = ones @ v.T + v.T @ ones
        return np.sum(grad * grad)

    numeric = np.zeros((2, 2))
    for idx in np.ndindex(2, 2):
        p, m = base.copy(), base.copy()
        p[idx] += eps
        m[idx] -= eps
        numeric[idx] = (grad_sq(p) - grad_sq(m)) / (2 * eps)
    np.testing.assert_allclose(np.asarray(gg), numeric, rtol=1e-5)


def test_matmul_converts_literal_with_tensor_dtype():
    a = tf.constant(np.ones((1, 2), np.float32))
    assert tf.matmul(a, np.ones((2, 1))).dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.matmul([[3, 4]], tf.constant(np.ones((2, 1), np.float32)))


def test_matmul_output_type_int8():
    a = tf.constant(np.full((2, 2), 100, np.int8))
    out = tf.matmul(a, a, output_type=tf.int32)
    assert out.dtype == tf.int32
    np.testing.assert_array_equal(np.asarray(out), np.full((2, 2), 20000))
    with pytest.raises(tf.errors.NotFoundError):
        tf.matmul(tf.constant(np.ones((2, 2), np.float32)), tf.constant(np.ones((2, 2),
                  np.float32)), output_type=tf.float64)


def test_complex_adjoint_matmul():
    x = np.array([[1 + 2j, 3 - 1j], [0.5j, 2]], np.complex128)
    out = tf.matmul(tf.constant(x), tf.constant(x), adjoint_a=True)
    np.testing.assert_allclose(np.asarray(out), x.conj().T @ x)


def test_half_precision_inverse():
    x = np.array([[2.0, 1.0], [1.0, 3.0]], np.float16)
    out = tf.linalg.inv(tf.constant(x))
    assert out.dtype == tf.float16
    np.testing.assert_allclose(np.asarray(out, np.float32), np.linalg.inv(x.astype(np.float32)),
                               rtol=1e-3)
