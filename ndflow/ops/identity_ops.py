"""``identity`` and ``stop_gradient``: ops that pass their input through unchanged."""
from ndflow.ops.inputs import as_tensor
from ndflow.ops.registry import execute, register

IDENTITY = register("Identity", lambda xp, x: x, grad=lambda op, dy: (dy,))
STOP_GRADIENT = register("StopGradient", lambda xp, x: x)

__all__ = ["identity", "stop_gradient"]


def identity(input, name=None):  # noqa: A002 - TensorFlow's argument name
    """``input`` unchanged (a new tensor through which gradients flow)."""
    return execute(IDENTITY, (as_tensor(input),))


def stop_gradient(input, name=None):  # noqa: A002
    """``input`` unchanged, but no gradient flows back through it."""
    return execute(STOP_GRADIENT, (as_tensor(input),))
