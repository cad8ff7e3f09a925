"""Small helpers shared across layers (nested structures)."""
