"""Core layers: Activation, Flatten, Reshape, Permute, RepeatVector, Lambda, Embedding, Rescaling
and Identity (the dropout family lives in ``regularization``, the merge layers in ``merging``).

Each layer follows Keras 3: the same constructor arguments and defaults, the same ``get_config``
dict, the same errors for bad arguments and bad input ranks, and computations made of ndflow ops
so gradients reach both the inputs and the weights.
"""
import math
import warnings

import numpy as np

import ndflow as nd
from ndflow.keras import activations, backend, constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving import serialization_lib
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import serialize_keras_object

__all__ = [
    "Activation",
    "Embedding",
    "Flatten",
    "Identity",
    "Lambda",
    "Permute",
    "RepeatVector",
    "Rescaling",
    "Reshape",
]


# -- shared helpers (also used by the merging and regularization modules) -----------------------

def check_input_rank(layer, inputs, ndim=None, min_ndim=None):
    """Raises Keras' InputSpec ValueError when ``inputs`` has the wrong rank."""
    shape = inputs.shape
    shape = tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)
    rank = len(shape)
    if ndim is not None and rank != ndim:
        expected = f"ndim={ndim}"
    elif min_ndim is not None and rank < min_ndim:
        expected = f"min_ndim={min_ndim}"
    else:
        return
    raise ValueError(f"Input 0 with name '{getattr(inputs, 'name', None)}' of layer "
                     f"'{layer.name}' is incompatible with the layer: expected {expected}, found "
                     f"ndim={rank}. Full shape received: {shape}")


def standardize_data_format(data_format):
    """'channels_last' / 'channels_first' (None: the global image data format)."""
    if data_format is None:
        return backend.image_data_format()
    value = str(data_format).lower()
    if value not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return value


def _static_shape(x):
    return x.shape.as_list()


def _batch_dim(x):
    """The batch size as an int when it is static, else -1 (for reshape)."""
    first = _static_shape(x)[0]
    return -1 if first is None else first


# -- simple layers --------------------------------------------------------------------------------

@register_builtin("keras.layers")
class Activation(Layer):
    """Applies an activation function (a name such as ``"relu"`` or a callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


@register_builtin("keras.layers")
class Identity(Layer):
    """Returns its inputs unchanged (a placeholder layer)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        # Overridden so the base reports the standard dict (its automatic config would echo a
        # raw ``dtype`` argument instead of the DTypePolicy config).
        return super().get_config()


@register_builtin("keras.layers")
class Flatten(Layer):
    """Flattens every dimension but the batch one: ``(batch, ...) -> (batch, prod(...))``.

    With ``data_format="channels_first"`` the channel axis is moved last first, so the element
    order matches a channels-last model.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self._channels_first = self.data_format == "channels_first"

    def call(self, inputs):
        check_input_rank(self, inputs, min_ndim=1)
        shape = _static_shape(inputs)
        rank = len(shape)
        if self._channels_first and rank > 1:
            inputs = nd.transpose(inputs, [0] + list(range(2, rank)) + [1])
        rest = shape[1:]
        if None in rest:
            return nd.reshape(inputs, nd.stack([nd.shape(inputs)[0], -1]))
        size = math.prod(rest) if rest else 1
        if shape[0] is None and size == 0:   # -1 cannot be inferred next to a zero size
            return nd.reshape(inputs, nd.stack([nd.shape(inputs)[0], 0]))
        return nd.reshape(inputs, [_batch_dim(inputs), size])

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        if not rest:
            size = 1
        elif None in rest:
            size = None
        else:
            size = math.prod(rest)
        return (input_shape[0], size)

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


def _validate_target_shape(target_shape, arg="target_shape"):
    unknown = 0
    for dim in target_shape:
        if not isinstance(dim, (int, np.integer)):
            continue
        if dim < -1:
            raise ValueError(f"Each dimension in `{arg}` must be a non-negative integer, or `-1` "
                             f"for a single unknown dimension. Received: {arg}={target_shape}.")
        unknown += dim == -1
    if unknown > 1:
        raise ValueError(f"There must be at most one unknown dimension (-1) in `{arg}`. "
                         f"Received: {arg}={target_shape}.")


def _resolve_target_shape(input_shape, target_shape, arg="target_shape"):
    """``target_shape`` with its -1 resolved against ``input_shape`` (None when unknowable)."""
    target = tuple(d if isinstance(d, (int, np.integer)) else None for d in target_shape)
    if None in input_shape or None in target:
        return tuple(None if d == -1 else d for d in target)
    size = math.prod(input_shape)
    if -1 not in target:
        if size != math.prod(target):
            raise ValueError("The total size of the tensor must be unchanged. Received: "
                             f"input_shape={tuple(input_shape)}, {arg}={target_shape}")
        return target
    known = math.prod(d for d in target if d != -1)
    if known == 0 or size % known:
        raise ValueError("The total size of the tensor must be unchanged, however, the input "
                         "size cannot by divided by the specified dimensions in "
                         f"{arg}. Received: input_shape={tuple(input_shape)}, "
                         f"{arg}={target_shape}")
    return tuple(size // known if d == -1 else d for d in target)


@register_builtin("keras.layers")
class Reshape(Layer):
    """Reshapes the non-batch dimensions to ``target_shape`` (one entry may be -1)."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        _validate_target_shape(target_shape)
        self.target_shape = target_shape
        self.built = True

    def call(self, inputs):
        shape = _static_shape(inputs)
        target = _resolve_target_shape(tuple(shape[1:]), self.target_shape)
        target = [-1 if d is None else int(d) for d in target]
        if shape[0] is None and -1 in target:
            return nd.reshape(inputs, nd.concat([nd.shape(inputs)[:1],
                                                 nd.constant(target, nd.int32)], 0))
        return nd.reshape(inputs, [_batch_dim(inputs)] + target)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + _resolve_target_shape(tuple(input_shape[1:]),
                                                         self.target_shape)

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


@register_builtin("keras.layers")
class Permute(Layer):
    """Permutes the non-batch dimensions: ``dims`` is a permutation of 1..rank-1."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError("Invalid permutation argument `dims` for Permute Layer. The set of "
                             "indices in `dims` must be consecutive and start from 1. Received "
                             f"dims={dims}")
        self._perm = [0] + list(self.dims)

    def call(self, inputs):
        check_input_rank(self, inputs, ndim=len(self.dims) + 1)
        return nd.transpose(inputs, self._perm)

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


@register_builtin("keras.layers")
class RepeatVector(Layer):
    """Repeats a ``(batch, features)`` input ``n`` times: ``(batch, n, features)``."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        if n <= 0:
            raise ValueError(f"Argument `n` should be a positive integer. Received: n={n}")
        self.n = n

    def call(self, inputs):
        check_input_rank(self, inputs, ndim=2)
        return nd.tile(nd.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


@register_builtin("keras.layers")
class Rescaling(Layer):
    """``inputs * scale + offset`` (integer inputs are cast to the compute dtype first)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self._constants = None

    def _scale_and_offset(self):
        # Built once: the cast constants are reused by every call.
        if self._constants is None:
            dtype = self.compute_dtype
            scale = nd.cast(nd.convert_to_tensor(np.asarray(self.scale)), dtype)
            offset = nd.cast(nd.convert_to_tensor(np.asarray(self.offset)), dtype)
            if scale.shape.rank and backend.image_data_format() == "channels_first":
                scale = nd.reshape(scale, scale.shape.as_list() + [1] * (3 - scale.shape.rank))
            self._constants = (scale, offset)
        return self._constants

    def call(self, inputs):
        scale, offset = self._scale_and_offset()
        if inputs.dtype.name != self.compute_dtype:
            inputs = nd.cast(inputs, self.compute_dtype)
        return inputs * scale + offset

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["scale"] = _plain(self.scale)
        config["offset"] = _plain(self.offset)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("scale", "offset"):
            if key in config:
                config[key] = serialization_lib.deserialize_keras_object(
                    config[key], custom_objects=custom_objects)
        return super().from_config(config)


def _plain(value):
    """A JSON-ready form of a scale/offset value (arrays and tensors become lists)."""
    if isinstance(value, np.ndarray) or hasattr(value, "numpy"):
        return np.asarray(value).tolist()
    return serialize_keras_object(value)


# -- Lambda ---------------------------------------------------------------------------------------

from ndflow.keras.layers.lambda_layer import Lambda  # noqa: E402,F401 - re-exported

# -- Embedding ------------------------------------------------------------------------------------

@register_builtin("keras.layers")
class Embedding(Layer):
    """Maps integer indices in ``[0, input_dim)`` to dense vectors of size ``output_dim``.

    ``mask_zero=True`` declares index 0 as padding: ``compute_mask`` then returns
    ``inputs != 0`` (and ``input_dim`` must count the padding index).
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero=False,
                 weights=None, lora_rank=None, lora_alpha=None, quantization_config=None,
                 **kwargs):
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value} "
                                 f"(of type {type(value).__name__}).")
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.")
        if lora_rank or quantization_config is not None:
            raise NotImplementedError("ndflow's Embedding supports neither LoRA nor "
                                      "quantization.")
        super().__init__(**kwargs)
        self.activity_regularizer = regularizers.get(self.activity_regularizer)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.autocast = False       # indices must not be cast to floats
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha
        self.quantization_config = quantization_config
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None):
        if self.built:
            return
        self._embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                           initializer=self.embeddings_initializer,
                                           name="embeddings",
                                           regularizer=self.embeddings_regularizer,
                                           constraint=self.embeddings_constraint, trainable=True)
        self.built = True

    @property
    def embeddings(self):
        """The ``(input_dim, output_dim)`` embedding matrix."""
        if not self.built:
            raise AttributeError("You must build the layer before accessing `embeddings`.")
        return self._embeddings

    def call(self, inputs):
        if inputs.dtype not in (nd.int32, nd.int64):
            inputs = nd.cast(inputs, nd.int32)
        # Negative indices count from the end, as Keras' `take` does (eagerly, a host-side look
        # skips the three ops in the usual case of no negative index).
        if not nd.executing_eagerly() or (inputs.numpy() < 0).any():
            inputs = nd.where(inputs < 0, inputs + self.input_dim, inputs)
        outputs = nd.gather(self._embeddings, inputs)
        if outputs.dtype.name != self.compute_dtype:
            outputs = nd.cast(outputs, self.compute_dtype)
        return outputs

    def compute_mask(self, inputs, mask=None):
        """``inputs != 0`` when ``mask_zero``, else None."""
        if not self.mask_zero:
            return None
        return nd.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": serialize_keras_object(self.quantization_config),
        })
        if self.lora_rank:
            config["lora_rank"] = self.lora_rank
            config["lora_alpha"] = self.lora_alpha
        return config
