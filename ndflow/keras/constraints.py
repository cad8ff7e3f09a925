"""``ndflow.keras.constraints``: projections applied to weights after each optimizer update."""

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.saving import serialization_lib as _serial

_MODULE = "keras.constraints"


class Constraint:
    """Base class of weight constraints: ``__call__(w)`` returns the projected weights."""

    _keras_module = _MODULE

    def __call__(self, w):
        """The constrained value of ``w`` (the base class returns ``w`` unchanged)."""
        return w

    def get_config(self):
        """The constructor arguments as a dict."""
        return {}

    @classmethod
    def from_config(cls, config):
        """The constraint described by ``config``."""
        return cls(**config)


def _norms(w, axis):
    return nd.sqrt(nd.reduce_sum(nd.square(w), axis=axis, keepdims=True))


def _floating(w):
    # Norms of integer weights are computed in floatx, as Keras' sqrt promotes them.
    w = nd.convert_to_tensor(w)
    return w if w.dtype.is_floating else nd.cast(w, backend.floatx())


class MaxNorm(Constraint):
    """Rescales each slice along ``axis`` so that its L2 norm is at most ``max_value``."""

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _floating(w)
        norms = _norms(w, self.axis)
        desired = nd.clip_by_value(norms, nd.constant(0, w.dtype),
                                   nd.constant(self.max_value, w.dtype))
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        """{'max_value', 'axis'}."""
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        w = nd.convert_to_tensor(w)
        return nd.maximum(w, nd.zeros_like(w))


class UnitNorm(Constraint):
    """Rescales each slice along ``axis`` to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _floating(w)
        return w / (backend.epsilon() + _norms(w, self.axis))

    def get_config(self):
        """{'axis'}."""
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each slice's L2 norm into ``[min_value, max_value]``; ``rate`` < 1 only goes part of
    the way: ``norm' = rate * clip(norm) + (1 - rate) * norm``."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _floating(w)
        norms = _norms(w, self.axis)
        clipped = nd.clip_by_value(norms, nd.constant(self.min_value, w.dtype),
                                   nd.constant(self.max_value, w.dtype))
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (backend.epsilon() + norms))

    def get_config(self):
        """{'min_value', 'max_value', 'rate', 'axis'}."""
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


_CLASSES = [Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm]
_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
_OBJECTS.update({backend.to_snake_case(cls.__name__): cls for cls in _CLASSES})
max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm
for _name, _cls in _OBJECTS.items():
    _reg.register_builtin(_MODULE, _cls, name=_name)
del _name, _cls


def serialize(constraint):
    """Keras 3's config dict for ``constraint``."""
    return _serial.serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """The constraint described by ``config`` (a name or a serialized dict)."""
    return _serial.deserialize_keras_object(config, custom_objects=custom_objects,
                                            module_objects=_OBJECTS, module=_MODULE,
                                            printable_module_name="constraint")


def get(identifier):
    """A constraint from None (None), a name, a config dict, a class or a callable."""
    return _serial.get_from_identifier(identifier, _OBJECTS, "constraint", deserialize)
