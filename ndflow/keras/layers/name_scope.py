"""Keras 3's name scopes for weight paths: while a layer builds (or runs its first call), its
name is on a thread-local stack, so weights created inside get paths such as
'sequential/dense/kernel' or 'lstm/lstm_cell/kernel'."""
import functools
import threading

_LOCAL = threading.local()


def _scope_stack():
    """The layers whose build or first call is running, outermost first."""
    if not hasattr(_LOCAL, "scope"):
        _LOCAL.scope = []
    return _LOCAL.scope


def _scoped_build(build):
    """Wraps a ``build`` so that it runs inside its layer's name scope, also when a parent
    calls it directly (an RNN building its cell, a wrapper building its inner layer)."""
    @functools.wraps(build)
    def scoped(self, *args, **kwargs):
        scope = _scope_stack()
        if scope and scope[-1] is self:
            return build(self, *args, **kwargs)
        scope.append(self)
        try:
            return build(self, *args, **kwargs)
        finally:
            scope.pop()
    scoped._scoped = True
    return scoped
