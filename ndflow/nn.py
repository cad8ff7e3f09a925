"""``ndflow.nn``: activations, losses on logits, convolutions, pooling and friends."""
