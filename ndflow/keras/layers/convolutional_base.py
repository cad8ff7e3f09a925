"""Shared pieces of the convolution, pooling and reshaping layers: argument standardisation
(Keras 3's rules and error classes), output-shape arithmetic and the channels_first transposes.

Layers parse their arguments once, in ``__init__``/``build``, into the exact lists the ndflow ops
take, so ``call`` does no per-call configuration work.
"""
import ndflow as nd
from ndflow.keras import activations, backend, constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.serialization_lib import serialize_keras_object


def standardize_tuple(value, n, name, allow_zero=False):
    """``value`` (an int or n ints) as a tuple of n ints; ValueError when malformed or when a
    value is negative (or zero unless ``allow_zero``)."""
    message = f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value}"
    if isinstance(value, int) and not isinstance(value, bool):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(message) from None
        if len(values) != n:
            raise ValueError(message)
        for v in values:
            try:
                int(v)
            except (TypeError, ValueError):
                raise ValueError(f"{message}, including element {v} of type {type(v)}") from None
    bad = {v for v in values if (v < 0 if allow_zero else v <= 0)}
    if bad:
        raise ValueError(f"{message}, including values {bad} that do not satisfy "
                         f"`value {'>= 0' if allow_zero else '> 0'}`")
    return values


def standardize_padding(value, allow_causal=False):
    """'valid', 'same' (or 'causal' where allowed), lower-cased; ValueError otherwise."""
    if isinstance(value, (list, tuple)):
        return value
    padding = str(value).lower()
    allowed = {"valid", "same", "causal"} if allow_causal else {"valid", "same"}
    if padding not in allowed:
        raise ValueError(f"The `padding` argument must be a list/tuple or one of {allowed}. "
                         f"Received: {padding}")
    return padding


def standardize_data_format(data_format):
    """'channels_last' or 'channels_first' (None means the global image data format)."""
    if data_format is None:
        return backend.image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format


def check_rank(layer, input_shape, ndim, exact=False):
    """Keras' InputSpec check, done once at build time: ValueError for a wrong input rank."""
    rank = len(input_shape)
    if (rank != ndim) if exact else (rank < ndim):
        kind = "ndim" if exact else "min_ndim"
        raise ValueError(f"Input 0 of layer '{layer.name}' is incompatible with the layer: "
                         f"expected {kind}={ndim}, found ndim={rank}. Full shape received: "
                         f"{tuple(input_shape)}")


class OpArgs:
    """The ready-made arguments of a layer's ops. A plain object rather than lists on the layer
    itself: Layer.__call__ walks list and tuple attributes looking for weights on every call."""

    def __init__(self, **values):
        self.__dict__.update(values)


def channel_perms(rank):
    """(to_last, to_first): transpose permutations between NC... and N...C layouts."""
    to_last = [0] + list(range(2, rank)) + [1]
    to_first = [0, rank - 1] + list(range(1, rank - 1))
    return to_last, to_first


def conv_output_length(size, kernel, stride, padding, dilation):
    """The output length of one spatial dimension of a convolution (None stays None)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - dilation * (kernel - 1) - 1) // stride + 1
    return (size - 1) // stride + 1  # 'same' and 'causal'


def transpose_output_length(size, kernel, stride, padding, output_padding, dilation):
    """The output length of one spatial dimension of a transposed convolution (Keras' rule)."""
    if size is None:
        return None
    kernel = (kernel - 1) * dilation + 1
    if padding == "valid":
        extra = max(kernel, stride) - kernel if output_padding is None else output_padding
        return (size - 1) * stride + kernel + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + kernel % 2 + output_padding


def serialize(obj):
    """An initializer/regularizer/constraint (or None) as Keras' config dict."""
    return serialize_keras_object(obj)


class BaseConv(Layer):
    """The common part of Conv1D and Conv2D: arguments, kernel/bias creation, config."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 **kwargs):
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer), **kwargs)
        rank = self.rank
        self.filters = filters
        self.groups = groups
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        if lora_rank:
            raise NotImplementedError("LoRA (`lora_rank`) is not supported by ndflow's "
                                      "convolution layers.")
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha
        if filters is not None and filters <= 0:
            raise ValueError("Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        if groups <= 0:
            raise ValueError("The number of groups must be a positive integer. "
                             f"Received: groups={groups}.")
        if filters is not None and filters % groups != 0:
            raise ValueError("The number of filters must be evenly divisible by the number of "
                             f"groups. Received: groups={groups}, filters={filters}.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with `dilation_rate > "
                             f"1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        self._channels_first = self.data_format == "channels_first"
        self._linear = self.activation is activations.get("linear")
        to_last, to_first = channel_perms(rank + 2)
        self._args = OpArgs(to_last=to_last, to_first=to_first, padding=self.padding.upper(),
                            strides=list(self.strides), dilations=list(self.dilation_rate))
        self.kernel = None
        self.bias = None

    def _input_channels(self, input_shape):
        check_rank(self, input_shape, self.rank + 2)
        channels = input_shape[1] if self._channels_first else input_shape[-1]
        if channels is None:
            raise ValueError(f"The channel dimension of the inputs to {type(self).__name__} "
                             f"should be defined. Found None. Full input shape received: "
                             f"{tuple(input_shape)}")
        return channels

    def build(self, input_shape):
        channels = self._input_channels(input_shape)
        if channels % self.groups != 0:
            raise ValueError("The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the input "
                             f"has {channels} channels (full input shape is "
                             f"{tuple(input_shape)}).")
        self.compute_output_shape(input_shape)  # validates the spatial sizes
        self.kernel = self.add_weight(name="kernel",
                                      shape=self.kernel_size + (channels // self.groups,
                                                                self.filters),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def _finish(self, outputs):
        """Bias, activation and the channels_first transpose back."""
        if self.bias is not None:
            outputs = outputs + self.bias
        if not self._linear:
            outputs = self.activation(outputs)
        if self._channels_first:
            outputs = nd.transpose(outputs, self._args.to_first)
        return outputs

    def _spatial(self, input_shape):
        return list(input_shape[2:] if self._channels_first else input_shape[1:-1])

    def _assemble(self, input_shape, spatial, channels):
        if self._channels_first:
            return (input_shape[0], channels) + tuple(spatial)
        return (input_shape[0],) + tuple(spatial) + (channels,)

    def _conv_output_shape(self, input_shape, channels):
        input_shape = tuple(input_shape)
        spatial = self._spatial(input_shape)
        if len(spatial) != self.rank:
            raise ValueError(f"Kernel shape must have the same length as input, but received "
                             f"kernel of shape {self.kernel_size} and input of shape "
                             f"{input_shape}.")
        out = [conv_output_length(s, k, st, self.padding, d) for s, k, st, d in
               zip(spatial, self.kernel_size, self.strides, self.dilation_rate)]
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(f"Computed output size would be zero or negative. Received "
                             f"`inputs shape={input_shape}`, `kernel_size={self.kernel_size}`, "
                             f"`dilation_rate={self.dilation_rate}`, "
                             f"`strides={self.strides}`, `padding={self.padding}`.")
        return self._assemble(input_shape, out, channels)

    def compute_output_shape(self, input_shape):
        return self._conv_output_shape(input_shape, self.filters)

    def _common_config(self):
        return {
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
        }

    def _tail_config(self, kernel_names=("kernel",)):
        """activation, use_bias and the initializer/regularizer/constraint entries."""
        config = {"activation": activations.serialize(self.activation),
                  "use_bias": self.use_bias}
        for part in ("initializer", "regularizer"):
            for k in kernel_names + ("bias",):
                config[f"{k}_{part}"] = serialize(getattr(self, f"{k}_{part}"))
            if part == "regularizer":
                config["activity_regularizer"] = serialize(self.activity_regularizer)
        for k in kernel_names + ("bias",):
            config[f"{k}_constraint"] = serialize(getattr(self, f"{k}_constraint"))
        return config

    def get_config(self):
        config = super().get_config()
        config["filters"] = self.filters
        config.update(self._common_config())
        config["groups"] = self.groups
        config.update(self._tail_config())
        return config
