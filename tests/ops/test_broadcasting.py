"""Broadcasting of the binary elementwise ops on random shapes (hypothesis), against NumPy for
values and against TensorFlow for values, dtypes, shapes and gradients."""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ndflow as tf

BINARY = {
    "add": (lambda t, x, y: x + y, np.add),
    "subtract": (lambda t, x, y: x - y, np.subtract),
    "multiply": (lambda t, x, y: x * y, np.multiply),
    "maximum": (lambda t, x, y: t.maximum(x, y), np.maximum),
    "squared_difference": (lambda t, x, y: t.math.squared_difference(x, y),
                           lambda x, y: (x - y) ** 2),
}

shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def _arrays(shapes_pair, seed):
    rng = np.random.default_rng(seed)
    return [rng.uniform(-2, 2, s).astype(np.float32) for s in shapes_pair.input_shapes]


def _grads(module, fn, x, y):
    tx, ty = module.constant(x), module.constant(y)
    with module.GradientTape() as tape:
        tape.watch([tx, ty])
        out = fn(module, tx, ty)
        loss = module.reduce_sum(out * out)
    return out, tape.gradient(loss, [tx, ty])


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shapes_pair=shapes, seed=st.integers(0, 2**16))
def test_broadcast_values_and_gradient_shapes(name, shapes_pair, seed):
    fn, ref = BINARY[name]
    x, y = _arrays(shapes_pair, seed)
    out, (gx, gy) = _grads(tf, fn, x, y)
    np.testing.assert_allclose(out.numpy(), ref(x, y), rtol=1e-6)
    assert gx.shape == x.shape and gy.shape == y.shape


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(shapes_pair=shapes, seed=st.integers(0, 2**16))
def test_broadcast_matches_tensorflow(name, shapes_pair, seed, real_tf):
    fn, _ = BINARY[name]
    x, y = _arrays(shapes_pair, seed)
    ours, our_grads = _grads(tf, fn, x, y)
    theirs, their_grads = _grads(real_tf, fn, x, y)
    assert ours.dtype.name == theirs.dtype.name and ours.shape == theirs.shape.as_list()
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    for g, h in zip(our_grads, their_grads):
        np.testing.assert_allclose(g.numpy(), h.numpy(), rtol=1e-5, atol=1e-6)
