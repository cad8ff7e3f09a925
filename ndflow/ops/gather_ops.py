"""Indexing by index tensors: gather, gather_nd, scatter_nd, tensor_scatter_nd_*, boolean_mask, one_hot, sort, argsort, unique, searchsorted."""

__all__ = []
