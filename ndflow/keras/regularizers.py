"""``ndflow.keras.regularizers``: weight penalties added to a model's loss."""
import math

import numpy as np

import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.saving import serialization_lib as _serial

_MODULE = "keras.regularizers"


def _check_factor(value, name):
    """``value`` as a float; ValueError unless it is a finite non-negative number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            math.isinf(value) or math.isnan(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. "
                         f"Received: {name}={value}")
    return float(value)


def _float32(value):
    # Keras keeps some factors as float32 tensors; their configs report the rounded value.
    return float(np.float32(value))


def _factor(value, like):
    # Keras casts a Python factor through a float32 tensor to the weights' dtype, so float64
    # weights see the float32-rounded factor; doing the same keeps values identical.
    return nd.cast(nd.constant(value, dtype=nd.float32), like.dtype)


class Regularizer:
    """Base class of regularizers: ``__call__(x)`` returns a scalar penalty."""

    _keras_module = _MODULE

    def __call__(self, x):
        """The penalty for ``x`` (the base class adds none)."""
        return 0.0

    def get_config(self):
        """The constructor arguments as a dict (subclasses must define it)."""
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config):
        """The regularizer described by ``config``."""
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = nd.convert_to_tensor(x)
        penalty = nd.zeros([], dtype=x.dtype)
        if self.l1 != 0.0:
            penalty = penalty + _factor(self.l1, x) * nd.reduce_sum(nd.abs(x))
        if self.l2 != 0.0:
            penalty = penalty + _factor(self.l2, x) * nd.reduce_sum(nd.square(x))
        return penalty

    def get_config(self):
        """{'l1', 'l2'}."""
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(abs(x))``."""

    def __init__(self, l1=0.01):
        self.l1 = _float32(_check_factor(0.01 if l1 is None else l1, "l1"))

    def __call__(self, x):
        x = nd.convert_to_tensor(x)
        return _factor(self.l1, x) * nd.reduce_sum(nd.abs(x))

    def get_config(self):
        """{'l1'} (float32-rounded, as Keras reports it)."""
        return {"l1": self.l1}


class L2(Regularizer):
    """``l2 * sum(square(x))``."""

    def __init__(self, l2=0.01):
        self.l2 = _check_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = nd.convert_to_tensor(x)
        return _factor(self.l2, x) * nd.reduce_sum(nd.square(x))

    def get_config(self):
        """{'l2'}."""
        return {"l2": self.l2}


def _l2_normalize(x, axis):
    # x / ||x|| with the inverse norm capped at 1 / epsilon so zero rows stay zero.
    inverse = nd.math.rsqrt(nd.reduce_sum(nd.square(x), axis=axis, keepdims=True))
    return x * nd.minimum(inverse, nd.constant(1.0 / backend.epsilon(), dtype=x.dtype))


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode="rows"``) or columns (``"columns"``) of a matrix towards
    orthogonality: ``factor`` times the mean absolute cosine similarity over distinct pairs."""

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _float32(_check_factor(factor, "factor"))
        if mode not in {"rows", "columns"}:
            raise ValueError('Invalid value for argument `mode`. Expected one of '
                             f'{{"rows", "columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, inputs):
        x = nd.convert_to_tensor(inputs)
        if x.shape.rank != 2:
            raise ValueError("Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={tuple(x.shape.as_list())}")
        if self.mode == "rows":
            x = _l2_normalize(x, 1)
            gram = nd.matmul(x, x, transpose_b=True)
        else:
            x = _l2_normalize(x, 0)
            gram = nd.matmul(x, x, transpose_a=True)
        size = gram.shape[0]
        off_diagonal = gram * (1.0 - nd.eye(size, dtype=x.dtype))
        pairs = size * (size - 1.0) / 2.0
        # The sum counts each pair twice, hence the 0.5.
        return _factor(self.factor, x) * 0.5 * nd.reduce_sum(nd.abs(off_diagonal)) / pairs

    def get_config(self):
        """{'factor' (float32-rounded), 'mode'}."""
        return {"factor": self.factor, "mode": self.mode}


_CLASSES = [Regularizer, L1, L2, L1L2, OrthogonalRegularizer]
_OBJECTS = {cls.__name__: cls for cls in _CLASSES}
_OBJECTS.update(regularizer=Regularizer, l1=L1, l2=L2, l1l2=L1L2, l1_l2=L1L2,
                orthogonal_regularizer=OrthogonalRegularizer)
l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer
for _name, _cls in _OBJECTS.items():
    _reg.register_builtin(_MODULE, _cls, name=_name)
del _name, _cls


def serialize(regularizer):
    """Keras 3's config dict for ``regularizer``."""
    return _serial.serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    """The regularizer described by ``config`` (a name or a serialized dict)."""
    return _serial.deserialize_keras_object(config, custom_objects=custom_objects,
                                            module_objects=_OBJECTS, module=_MODULE,
                                            printable_module_name="regularizer")


def get(identifier):
    """A regularizer from None (None), a name, a config dict, a class or a callable."""
    return _serial.get_from_identifier(identifier, _OBJECTS, "regularizer", deserialize)
