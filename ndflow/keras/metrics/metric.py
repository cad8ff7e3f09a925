"""``Metric``: the base of every Keras metric.

A metric keeps its running state in non-trainable variables created with ``add_variable`` in
``__init__`` (or lazily, on the first ``update_state``), folds each batch into them in
``update_state`` and turns them into a value in ``result``. Metrics assigned as attributes of a
metric are sub-metrics: their variables belong to the owner too (Keras tracks them the same way).
"""
import re

import numpy as np

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.saving import object_registration
from ndflow.keras.variables import KerasVariable
from ndflow.util.tracking import collect

MODULE = "keras.metrics"


def to_snake_case(name):
    """Keras' snake case: drops non-word characters, then 'MyMetric' -> 'my_metric'."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def register(obj):
    """Registers a built-in metric class or function under 'keras.metrics'."""
    obj._keras_module = MODULE
    object_registration.register_builtin(MODULE, obj)
    return obj


def compute_dtype_of(dtype):
    """The computation dtype name for a dtype argument (None, a name, a policy or its config)."""
    if dtype is None:
        return backend.floatx()
    if hasattr(dtype, "compute_dtype"):
        return dtype.compute_dtype
    if isinstance(dtype, dict):
        return compute_dtype_of(dtype.get("config", {}).get("name"))
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return dtype[len("mixed_"):]
    return nd.as_dtype(dtype).name


def _zeros_initializer(shape, dtype=None):
    return nd.zeros(shape, dtype=dtype)


def _initializer(identifier):
    if identifier is None or identifier in ("zeros", "Zeros"):
        return _zeros_initializer
    if callable(identifier) and not isinstance(identifier, type):
        return identifier
    from ndflow.keras import initializers
    return initializers.get(identifier)


class Metric:
    """Base class of metrics: state variables, ``update_state``, ``result``, ``reset_state``.

    Subclasses create their state with ``self.add_variable(...)`` in ``__init__``, accumulate in
    ``update_state(...)`` (``variable.assign(...)``) and compute the value in ``result()`` (a
    scalar tensor or a dict of them).
    """

    def __init__(self, dtype=None, name=None):
        self.name = name or backend.unique_name(to_snake_case(type(self).__name__))
        self._dtype_arg = dtype
        self._dtype = compute_dtype_of(dtype)
        self._variables = []

    # -- state ----------------------------------------------------------------------------------

    @property
    def dtype(self):
        """The name of the dtype the metric computes in ('float32' by default)."""
        return self._dtype

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Creates a non-trainable state variable of this metric and tracks it."""
        self._check_super_called()
        shape = tuple(int(d) for d in nd.TensorShape(shape if shape is not None else ())
                      .as_list())
        dtype = nd.as_dtype(dtype or backend.floatx())
        init = _initializer(initializer)
        name = name or "variable"
        variable = KerasVariable(lambda s, dtype: init(s, dtype=dtype), shape=shape,
                                 dtype=dtype, trainable=False, name=name,
                                 path=f"{self.name.replace('/', '>')}/{name}")
        variable._aggregation = aggregation  # Keras reports it as a plain string ('sum').
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Same as ``add_variable`` (the older name)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        """The state variables: those made by ``add_variable``, variables assigned as
        attributes, then the variables of sub-metrics."""
        if not hasattr(self, "_variables"):
            return []
        out = list(self._variables)
        seen = {id(v) for v in out}
        variables, sub_metrics = self._tracked_attributes()
        for v in variables + [v for m in sub_metrics for v in m.variables]:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    def _tracked_attributes(self):
        """(variables, metrics) found in the attributes, lists and dicts included."""
        values = [v for k, v in vars(self).items() if k != "_variables"]
        variables, sub_metrics = collect(values, (nd.Variable, Metric), exclude=self)
        return variables, sub_metrics

    def reset_state(self):
        """Sets every state variable back to zeros (called between epochs)."""
        for v in self.variables:
            v.assign(np.zeros(v.shape.as_list(), dtype=v.dtype.as_numpy_dtype))

    def reset_states(self):
        """The old (Keras 2) name of ``reset_state``."""
        return self.reset_state()

    # -- computation ----------------------------------------------------------------------------

    def update_state(self, *args, **kwargs):
        """Folds one batch into the state; subclasses implement it."""
        raise NotImplementedError

    def result(self):
        """The current value (a scalar tensor or a dict of them); subclasses implement it."""
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Updates the state with one batch and returns ``result()`` afterwards."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def _check_super_called(self):
        if not hasattr(self, "_variables"):
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` "
                               "method. Go add it!")

    # -- configuration --------------------------------------------------------------------------

    def get_config(self):
        """{'name': ..., 'dtype': ...}; subclasses add their constructor arguments."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        """The metric described by ``get_config()`` output."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__


register(Metric)
