"""Keras variables: ndflow Variables named like Keras 3 ('kernel', path 'dense/kernel')."""
from ndflow.framework.context import init_scope
from ndflow.ops.variables import Variable as _BaseVariable


class KerasVariable(_BaseVariable):
    """A layer weight: its ``name`` has no ':0' suffix and ``path`` includes the layer name."""

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, name=None,
                 path=None, regularizer=None, constraint=None, **kwargs):
        with init_scope():  # weights built while tracing get concrete initial values
            value = initializer(shape, dtype=dtype) if callable(initializer) else initializer
        super().__init__(value, trainable=trainable, name=name or "variable", dtype=dtype,
                         constraint=constraint)
        self._path = path or self._name
        self.regularizer = regularizer

    @property
    def name(self):
        """The variable's own name, e.g. 'kernel'."""
        return self._name

    @property
    def path(self):
        """The name with its owner's path, e.g. 'dense/kernel'."""
        return self._path

    def __repr__(self):
        return (f"<KerasVariable shape={tuple(self.shape.as_list())}, dtype={self.dtype.name}, "
                f"path={self.path}>")


Variable = KerasVariable
