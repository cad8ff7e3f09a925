"""``Lambda``: a layer that wraps a Python function, with Keras 3's function serialization
(named functions by name, lambdas as marshalled bytecode that loads only with safe_mode=False)."""
import base64
import builtins
import inspect
import marshal
import types

import numpy as np

from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving import serialization_lib
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import serialize_keras_object

__all__ = ["Lambda"]


def _dump_function(fn):
    """Keras 3's description of a Python lambda: its marshalled bytecode in base64, its
    defaults and its closure values."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return {"class_name": "__lambda__",
            "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}


def _make_cell(value):
    return (lambda: value).__closure__[0]


def _loader_globals(custom_objects):
    import ndflow
    namespace = {"__builtins__": builtins, "tf": ndflow, "ndflow": ndflow, "np": np,
                 "numpy": np, "keras": ndflow.keras}
    ops = getattr(ndflow.keras, "ops", None)
    if ops is not None:
        namespace["ops"] = ops
    namespace.update(custom_objects or {})
    return namespace


def _load_function(config, custom_objects=None):
    """Rebuilds a lambda from ``_dump_function`` output."""
    code = marshal.loads(base64.decodebytes(config["code"].encode("ascii")))
    defaults = config.get("defaults")
    closure = config.get("closure")
    if closure is not None:
        closure = tuple(_make_cell(v) for v in closure)
    return types.FunctionType(code, _loader_globals(custom_objects), code.co_name,
                              tuple(defaults) if defaults is not None else None, closure)


def _is_lambda(fn):
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def _is_lambda_config(value):
    return isinstance(value, dict) and value.get("class_name") == "__lambda__"


def _in_safe_mode():
    # The saving code owns the safe-mode switch; when it is unset, stay safe (as Keras does).
    probe = getattr(serialization_lib, "in_safe_mode", None)
    return (probe() if probe is not None else None) is not False


@register_builtin("keras.layers")
class Lambda(Layer):
    """Wraps a function of the inputs as a layer: ``function(inputs, **arguments)``.

    ``output_shape`` (without the batch dimension, or a function of the full input shape) is only
    needed when it cannot be inferred by running the function. A lambda is saved as its
    bytecode, so loading it needs ``safe_mode=False`` and the same Python version.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.arguments = arguments or {}
        self.function = function
        self.supports_masking = mask is not None
        self.mask = mask
        self._output_shape = output_shape
        try:
            names = inspect.getfullargspec(function).args
        except TypeError as error:
            raise TypeError(str(error)) from None
        self._fn_expects_training_arg = "training" in names
        self._fn_expects_mask_arg = "mask" in names

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            try:
                return super().compute_output_shape(input_shape)
            except Exception:  # noqa: BLE001 - any failure means: not inferable
                raise NotImplementedError(
                    "We could not automatically infer the shape of the Lambda's output. Please "
                    "specify the `output_shape` argument for this Lambda layer.") from None
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape[0]
        while isinstance(first, (list, tuple)):   # a list of shapes: the first one's batch
            first = first[0] if first else None
        return _add_batch(self._output_shape, first)

    def compute_mask(self, inputs, mask=None):
        """The output mask: ``mask(inputs, mask)`` when a callable was given, else ``mask``."""
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    @staticmethod
    def _serialize_function(fn):
        if _is_lambda(fn):
            return _dump_function(fn)
        if callable(fn):
            return serialize_keras_object(fn)
        raise ValueError(f"Invalid input type for serialization. Received: {fn} of type "
                         f"{type(fn)}.")

    def get_config(self):
        config = super().get_config()
        config["function"] = self._serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = (self._serialize_function(self._output_shape)
                                      if callable(self._output_shape) else self._output_shape)
        if self.mask is not None:
            config["mask"] = (self._serialize_function(self.mask) if callable(self.mask)
                              else serialize_keras_object(self.mask))
        config["arguments"] = serialize_keras_object(self.arguments)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        config = dict(config)
        safe = _in_safe_mode() if safe_mode is None else safe_mode is not False

        def load(value):
            if _is_lambda_config(value):
                if safe:
                    raise ValueError(
                        "Requested the deserialization of a `Lambda` layer whose `function` is "
                        "a Python lambda. This carries a potential risk of arbitrary code "
                        "execution and thus it is disallowed by default. If you trust the "
                        "source of the artifact, you can override this error by passing "
                        "`safe_mode=False` to the loading function, or calling "
                        "`keras.config.enable_unsafe_deserialization().")
                return _load_function(value["config"], custom_objects)
            return serialization_lib.deserialize_keras_object(value,
                                                              custom_objects=custom_objects)

        config["function"] = load(config["function"])
        if "output_shape" in config:
            shape = load(config["output_shape"])
            if isinstance(shape, list) and all(isinstance(d, (int, type(None))) for d in shape):
                shape = tuple(shape)
            config["output_shape"] = shape
        if "mask" in config:
            config["mask"] = load(config["mask"])
        if "arguments" in config:
            config["arguments"] = serialization_lib.deserialize_keras_object(
                config["arguments"], custom_objects=custom_objects)
        return super().from_config(config)


def _add_batch(shape, batch):
    """``(batch,) + shape`` for one shape, or for each shape of a nested structure."""
    if isinstance(shape, dict):
        return {k: _add_batch(v, batch) for k, v in shape.items()}
    shape = tuple(shape)
    if shape and all(isinstance(s, (list, tuple, dict)) for s in shape):
        return [_add_batch(s, batch) for s in shape]
    return (batch,) + shape
