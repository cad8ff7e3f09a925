"""Core types: dtypes, shapes, tensors, variables and TensorFlow's error classes."""
