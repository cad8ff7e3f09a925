"""The eager fused updates give exactly the results of the op-by-op updates, and keep the
snapshot semantics of variable reads."""
import numpy as np
import pytest

import ndflow as tf
from ndflow.keras.optimizers import fused

keras = tf.keras

CONFIGS = {
    "adam": lambda: keras.optimizers.Adam(0.01),
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "adamw": lambda: keras.optimizers.AdamW(0.01),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
    "sgd": lambda: keras.optimizers.SGD(0.1),
    "sgd_momentum": lambda: keras.optimizers.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    "rmsprop": lambda: keras.optimizers.RMSprop(0.01),
    "rmsprop_centered_momentum": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5,
                                                                 centered=True),
}


def _train(make_optimizer, dtype, steps=20):
    rng = np.random.default_rng(0)
    variables = [tf.Variable(rng.normal(size=shape).astype(dtype)) for shape in [(5, 3), (3,), ()]]
    optimizer = make_optimizer()
    for _ in range(steps):
        grads = [tf.constant(rng.normal(size=v.shape.as_list()).astype(dtype)) for v in variables]
        optimizer.apply_gradients(zip(grads, variables))
    return [v.numpy() for v in variables] + [v.numpy() for v in optimizer.variables]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_fused_updates_equal_op_by_op_updates(name, dtype, monkeypatch):
    fast = _train(CONFIGS[name], dtype)
    monkeypatch.setattr(fused, "usable", lambda gradient, variable: False)
    slow = _train(CONFIGS[name], dtype)
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)


def test_reads_before_an_update_keep_their_values():
    v = tf.Variable([1.0, 2.0])
    optimizer = keras.optimizers.SGD(1.0)
    before = v.read_value()
    array_view = np.asarray(v)
    optimizer.apply_gradients([(tf.constant([1.0, 1.0]), v)])
    assert before.numpy().tolist() == [1.0, 2.0] and array_view.tolist() == [1.0, 2.0]
    assert v.numpy().tolist() == [0.0, 1.0]

