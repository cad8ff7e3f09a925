"""Numeric checks and assertions (ndflow.debugging)."""

__all__ = []
