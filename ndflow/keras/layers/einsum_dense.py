"""``EinsumDense``: a dense layer whose contraction is an einsum equation."""
import re

import ndflow as nd
from ndflow.keras import activations, constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import serialize_keras_object as _serialize

__all__ = ["EinsumDense"]

_FORMS = (  # (pattern, where the ellipsis is): plain, leading "...", trailing "..."
    (re.compile(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), None),
    (re.compile(r"^\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)$"), "leading"),
    (re.compile(r"^([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]{2,})\.\.\.$"), "trailing"),
)


def _parse(equation):
    """(input spec, kernel spec, output spec, ellipsis position) of ``equation``."""
    for pattern, ellipsis in _FORMS:
        match = pattern.match(equation)
        if match:
            return match.group(1), match.group(2), match.group(3), ellipsis
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) for inputs of ``input_shape``."""
    in_spec, kernel_spec, out_spec, ellipsis = _parse(equation)
    input_shape = list(input_shape)
    extra = len(input_shape) - len(in_spec)   # the axes the ellipsis stands for
    if ellipsis == "leading":
        # The named axes are the trailing ones; the ellipsis axes lead, unchanged.
        named_in = input_shape[extra:]
        full = input_shape[:extra] + list(output_shape)
        named_out = full[extra:extra + len(out_spec)]
    else:
        named_in = input_shape[:len(in_spec)]
        full = [input_shape[0]] + list(output_shape)
        if ellipsis == "trailing":
            full += input_shape[len(in_spec):]
        named_out = full[:len(out_spec)]
    in_dims = dict(zip(in_spec, named_in))
    out_dims = dict(zip(out_spec, named_out))
    for letter, size in out_dims.items():
        if letter in in_dims and size is not None and in_dims[letter] is not None \
                and size != in_dims[letter]:
            raise ValueError("Input shape and output shape do not match at shared dimension "
                             f"'{letter}'. Input shape is {in_dims[letter]}, and output shape "
                             f"is {size}.")
    kernel_shape = []
    for letter in kernel_spec:
        if letter in in_dims:
            kernel_shape.append(in_dims[letter])
        elif letter in out_dims:
            kernel_shape.append(out_dims[letter])
        else:
            raise ValueError(f"Weight dimension '{letter}' did not have a match in either the "
                             f"input spec '{in_spec}' or the output spec '{out_spec}'. For this "
                             "layer, the weight must be fully specified.")
    bias_shape = None
    if bias_axes:
        for letter in bias_axes:
            if letter not in out_spec:
                raise ValueError(f"Bias dimension '{letter}' was requested, but is not part of "
                                 f"the output spec '{out_spec}'")
        # The bias covers the output axes from the first biased one to the end (1 elsewhere),
        # so it broadcasts against the output.
        first = min(out_spec.find(letter) for letter in bias_axes)
        sizes = {letter: out_dims.get(letter) if out_dims.get(letter) is not None
                 else in_dims.get(letter) for letter in out_spec}
        bias_shape = [sizes[letter] if letter in bias_axes else 1
                      for letter in out_spec[first:]]
        if ellipsis == "trailing":
            bias_shape += [1] * extra
    return kernel_shape, bias_shape, tuple(full)


@register_builtin("keras.layers")
class EinsumDense(Layer):
    """``activation(einsum(equation, inputs, kernel) + bias)``: ``equation`` such as
    ``"ab,bc->ac"`` (a Dense layer), ``"abc,cd->abd"`` or ``"...b,bc->...c"`` names the input,
    kernel and output axes; ``output_shape`` gives the output sizes without the batch axis
    (None keeps an input size); ``bias_axes`` names the output axes that get a bias."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 gptq_unpacked_column_size=None, quantization_config=None, **kwargs):
        super().__init__(**kwargs)
        if lora_rank or quantization_config is not None or gptq_unpacked_column_size:
            raise NotImplementedError("ndflow's EinsumDense supports neither LoRA nor "
                                      "quantization.")
        _parse(equation)
        self.equation = equation
        self.partial_output_shape = tuple(output_shape) if isinstance(output_shape,
                                                                      (list, tuple)) \
            else (output_shape,)
        self.activation = activations.get(activation)
        self.bias_axes = bias_axes
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha
        self.quantization_config = quantization_config
        self.kernel = None
        self.bias = None

    def build(self, input_shape):
        kernel_shape, bias_shape, self.full_output_shape = _analyze(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        if None in kernel_shape:
            raise ValueError(f"EinsumDense needs known sizes for the kernel axes. Received: "
                             f"input_shape={tuple(input_shape)}, equation={self.equation}")
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs):
        outputs = nd.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        return _analyze(self.equation, self.bias_axes, input_shape,
                        self.partial_output_shape)[2]

    def get_config(self):
        config = super().get_config()
        config.update({
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": _serialize(self.kernel_initializer),
            "bias_initializer": _serialize(self.bias_initializer),
            "kernel_regularizer": _serialize(self.kernel_regularizer),
            "bias_regularizer": _serialize(self.bias_regularizer),
            "activity_regularizer": _serialize(self.activity_regularizer),
            "kernel_constraint": _serialize(self.kernel_constraint),
            "bias_constraint": _serialize(self.bias_constraint),
            "quantization_config": _serialize(self.quantization_config),
        })
        return config
