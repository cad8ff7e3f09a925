"""ndflow.keras.optimizers.schedules: values, configs and errors against real Keras 3."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras.optimizers import schedules

CASES = {
    "exponential": lambda s: s.ExponentialDecay(0.1, 10, 0.8),
    "exponential_staircase": lambda s: s.ExponentialDecay(0.1, 7, 0.5, staircase=True),
    "piecewise": lambda s: s.PiecewiseConstantDecay([10, 40, 70], [1.0, 0.5, 0.1, 0.01]),
    "piecewise_single": lambda s: s.PiecewiseConstantDecay([5], [0.3, 0.2]),
    "polynomial": lambda s: s.PolynomialDecay(0.1, 50),
    "polynomial_power_cycle": lambda s: s.PolynomialDecay(0.1, 30, end_learning_rate=0.01,
                                                          power=2.0, cycle=True),
    "inverse_time": lambda s: s.InverseTimeDecay(0.1, 10, 0.5),
    "inverse_time_staircase": lambda s: s.InverseTimeDecay(0.1, 10, 0.5, staircase=True),
    "cosine": lambda s: s.CosineDecay(0.1, 60),
    "cosine_alpha": lambda s: s.CosineDecay(0.1, 60, alpha=0.2),
    "cosine_warmup": lambda s: s.CosineDecay(0.0, 50, warmup_target=0.1, warmup_steps=20),
    "cosine_restarts": lambda s: s.CosineDecayRestarts(0.1, 10),
    "cosine_restarts_flat": lambda s: s.CosineDecayRestarts(0.1, 10, t_mul=1.0, m_mul=0.5,
                                                            alpha=0.1),
    "cosine_restarts_three": lambda s: s.CosineDecayRestarts(0.1, 7, t_mul=3.0, m_mul=0.9),
}
STEPS = [0, 1, 2, 5, 9, 10, 11, 19, 20, 21, 29, 30, 31, 45, 59, 60, 61, 75, 99, 150]


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_match_keras(real_tf, case):
    ours = CASES[case](schedules)
    theirs = CASES[case](real_tf.keras.optimizers.schedules)
    for step in STEPS:
        got = ours(nd.constant(step, dtype=nd.int64))
        want = theirs(real_tf.constant(step, dtype=real_tf.int64))
        assert got.dtype.name == want.dtype.name
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=2e-6, atol=1e-8,
                                   err_msg=f"step {step}")
    # Plain Python steps are accepted as well.
    np.testing.assert_allclose(ours(3).numpy(), theirs(3).numpy(), rtol=2e-6, atol=1e-8)


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_and_serialization_match_keras(real_tf, case):
    ours = CASES[case](schedules)
    theirs = CASES[case](real_tf.keras.optimizers.schedules)
    assert ours.get_config() == theirs.get_config()
    assert schedules.serialize(ours) == real_tf.keras.optimizers.schedules.serialize(theirs)
    rebuilt = schedules.deserialize(schedules.serialize(ours))
    assert type(rebuilt) is type(ours)
    assert rebuilt.get_config() == ours.get_config()
    assert type(ours).from_config(ours.get_config()).get_config() == ours.get_config()


def test_keras_config_deserializes_here(real_tf):
    config = real_tf.keras.optimizers.schedules.serialize(
        real_tf.keras.optimizers.schedules.CosineDecay(0.1, 20, warmup_target=0.2,
                                                       warmup_steps=5))
    ours = schedules.deserialize(config)
    assert isinstance(ours, schedules.CosineDecay)
    np.testing.assert_allclose(ours(3).numpy(), 0.1 + 0.1 * 3 / 5, rtol=1e-6)


def _error(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the class and text are compared
        return type(exc).__name__, str(exc)
    return None


@pytest.mark.parametrize("make", [
    lambda s: s.ExponentialDecay(0.1, 0, 0.5),
    lambda s: s.PolynomialDecay(0.1, -1),
    lambda s: s.InverseTimeDecay(0.1, 0, 0.5),
    lambda s: s.CosineDecay(0.1, 0),
    lambda s: s.CosineDecayRestarts(0.1, 0),
    lambda s: s.PiecewiseConstantDecay([1, 2], [0.1]),
    lambda s: s.LearningRateSchedule()(1),
    lambda s: s.LearningRateSchedule().get_config(),
])
def test_errors_match_keras(real_tf, make):
    assert _error(lambda: make(schedules)) == _error(
        lambda: make(real_tf.keras.optimizers.schedules))


def test_custom_schedule_with_optimizer():
    from ndflow.keras import optimizers

    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / nd.pow(2.0, nd.cast(step, "float32"))

        def get_config(self):
            return {}

    optimizer = optimizers.SGD(Halving())
    variable = nd.Variable(0.0)
    for _ in range(3):
        optimizer.apply_gradients([(nd.constant(1.0), variable)])
    np.testing.assert_allclose(variable.numpy(), -1.75)
