"""Keras variables: ndflow Variables named like Keras 3 ('kernel', path 'dense/kernel')."""
from ndflow.framework.context import init_scope
from ndflow.ops.variables import Variable as _BaseVariable


_AGGREGATIONS = ("none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = ("none", "on_read", "on_write", "auto")


class KerasVariable(_BaseVariable):
    """A layer weight: its ``name`` has no ':0' suffix and ``path`` includes the layer name.

    ``aggregation`` and ``synchronization`` are validated and reported as Keras's plain strings;
    with one device they change nothing. ``path``, ``regularizer`` and ``constraint`` are
    ndflow keywords (passed by ``add_weight``).
    """

    def __init__(self, initializer, shape=None, dtype=None, trainable=True, autocast=True,
                 aggregation="none", synchronization="auto", name=None, layout=None, **kwargs):
        path = kwargs.pop("path", None)
        regularizer = kwargs.pop("regularizer", None)
        constraint = kwargs.pop("constraint", None)
        if kwargs:
            raise TypeError(f"Variable got unexpected keyword arguments: {sorted(kwargs)}")
        aggregation = "none" if aggregation is None else aggregation
        if aggregation not in _AGGREGATIONS:
            raise ValueError("Invalid value for argument `aggregation`. Expected one of "
                             f"{_AGGREGATIONS}. Received: aggregation={aggregation}")
        synchronization = "none" if synchronization is None else synchronization
        if synchronization not in _SYNCHRONIZATIONS:
            raise ValueError("Invalid value for argument `synchronization`. Expected one of "
                             f"{_SYNCHRONIZATIONS}. Received: synchronization={synchronization}")
        with init_scope():  # weights built while tracing get concrete initial values
            value = initializer(shape, dtype=dtype) if callable(initializer) else initializer
        super().__init__(value, trainable=trainable, name=name or "variable", dtype=dtype,
                         constraint=constraint)
        self._aggregation, self._synchronization = aggregation, synchronization
        self._autocast = autocast
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
