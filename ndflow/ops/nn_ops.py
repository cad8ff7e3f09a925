"""Neural-network ops: activations, softmax, cross-entropies, moments, bias_add, embedding_lookup."""

__all__ = []
