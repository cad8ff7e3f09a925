"""``ndflow.random``: seeded random tensors and stateful generators."""
