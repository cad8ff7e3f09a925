"""Convolutions and pooling in NHWC layout."""

__all__ = []
