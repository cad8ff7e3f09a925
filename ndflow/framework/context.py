"""The explicit execution contexts: the active tapes and the graphs being built.

Both are plain lists that are mutated in place and never rebound, so the hot path can test them
with a single truthiness check (``if TAPES:``).
"""

TAPES = []   # active GradientTapes, innermost last
GRAPHS = []  # graphs being traced, innermost last (empty in eager mode)


def executing_eagerly():
    """True unless a graph is being traced."""
    return not GRAPHS


class init_scope:  # noqa: N801 - TensorFlow's name
    """Context manager that leaves every graph being traced and pauses tapes, so the code
    inside runs eagerly (variable initialisers, one-time setup)."""

    def __enter__(self):
        self._saved = GRAPHS[:], TAPES[:]
        GRAPHS.clear()
        TAPES.clear()
        return self

    def __exit__(self, *exc):
        GRAPHS[:], TAPES[:] = self._saved
        return False
