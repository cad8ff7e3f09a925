"""Random tensors with TensorFlow's global and op-level seed semantics, and stateful Generators."""

__all__ = []
