"""Recurrent cells: ``SimpleRNNCell``, ``LSTMCell``, ``GRUCell`` and ``StackedRNNCells``.

A cell computes one time step: ``call(inputs, states, training)`` returns ``(output, new_states)``.
The built-in cells also expose a split form that the ``RNN`` layer uses for speed:
``_project(inputs)`` applies the input kernel (and input bias) to every time step in one matmul,
and ``_step(projected, states)`` does only the recurrent part of one step. Weights have Keras 3's
names, shapes and gate order, so ``set_weights(keras_cell.get_weights())`` copies them 1:1.
"""
import numpy as np

import ndflow as nd
from ndflow.keras import activations, constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,
                                                   serialize_keras_object)

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]


def _fast_activation(fn):
    """The bare ndflow op for the common activations (skips a Python wrapper per step)."""
    if fn is activations.tanh:
        return nd.tanh
    if fn is activations.sigmoid:
        return nd.sigmoid
    return fn


class _DropoutCell(Layer):
    """Shared configuration of the built-in cells: units, initializers and dropout masks.

    Dropout masks are drawn once per sequence (Keras' ``get_dropout_mask``) and cached until
    ``reset_dropout_mask``, so every time step drops the same input features and state units.
    """

    _GATES = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **kwargs):
        if units <= 0:
            raise ValueError("Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, dropout))
        self.recurrent_dropout = min(1.0, max(0.0, recurrent_dropout))
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self._dropout_mask = None
        self._recurrent_dropout_mask = None
        self._act = _fast_activation(self.activation)

    state_size = property(lambda self: self.units, doc="The size of the recurrent state.")
    output_size = property(lambda self: self.units, doc="The size of each step's output.")

    def _make_kernels(self, input_dim, bias_shape, bias_initializer=None):
        width = self._GATES * self.units
        self.kernel = self.add_weight(name="kernel", shape=(input_dim, width),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel",
                                                shape=(self.units, width),
                                                initializer=self.recurrent_initializer,
                                                regularizer=self.recurrent_regularizer,
                                                constraint=self.recurrent_constraint)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=bias_shape,
                                        initializer=bias_initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    # -- dropout masks (constants: no gradient flows into them) ----------------------------------

    def _mask(self, shape, rate, dtype):
        keep = self._rng.uniform(size=shape) >= rate
        return nd.constant(keep.astype(dtype.as_numpy_dtype) / (1.0 - rate))

    def get_dropout_mask(self, step_input):
        """The input dropout mask of the current sequence (drawn on first use)."""
        if self._dropout_mask is None and self.dropout > 0:
            shape = tuple(step_input.shape.as_list())
            self._dropout_mask = self._mask(shape, self.dropout, step_input.dtype)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_input):
        """The recurrent-state dropout mask of the current sequence (drawn on first use)."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            shape = tuple(step_input.shape.as_list())
            self._recurrent_dropout_mask = self._mask(shape, self.recurrent_dropout,
                                                      step_input.dtype)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        """Forgets the cached input mask (the RNN layer calls it after each sequence)."""
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        """Forgets the cached recurrent mask."""
        self._recurrent_dropout_mask = None

    def _dropped(self, inputs, training):
        if training and 0.0 < self.dropout < 1.0:
            return inputs * self.get_dropout_mask(inputs)
        return inputs

    def _recurrent_mask_for(self, h, training):
        if training and 0.0 < self.recurrent_dropout < 1.0:
            return self.get_recurrent_dropout_mask(h)
        return None

    # -- the split step (used by RNN for all time steps at once) ----------------------------------

    def _project(self, inputs):
        """Input kernel (and input bias) applied to ``inputs`` of shape (N, input_dim)."""
        x = nd.matmul(inputs, self.kernel)
        bias = self._input_bias()
        return x + bias if bias is not None else x

    def _input_bias(self):
        return self.bias

    def _step_constants(self):
        """Per-sequence values the step needs (slices of weights, taken once, not per step)."""
        return None

    def call(self, inputs, states, training=False):
        nested = isinstance(states, (list, tuple))
        state_list = list(states) if nested else [states]
        rec_mask = self._recurrent_mask_for(state_list[0], training)
        projected = self._project(self._dropped(inputs, training))
        output, new_states = self._step(projected, state_list, rec_mask, self._step_constants())
        if not nested and len(new_states) == 1:
            return output, new_states[0]
        return output, new_states

    def get_initial_state(self, batch_size=None):
        """Zero states, one per entry of ``state_size``."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [
            self.state_size]
        return [nd.zeros((batch_size, d), dtype=self.compute_dtype) for d in sizes]

    def _base_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "recurrent_initializer": serialize_keras_object(self.recurrent_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "recurrent_regularizer": serialize_keras_object(self.recurrent_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "recurrent_constraint": serialize_keras_object(self.recurrent_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        return config

    def get_config(self):
        config = super().get_config()
        config.update(self._base_config())
        return config


@register_builtin("keras.layers")
class SimpleRNNCell(_DropoutCell):
    """One step of a fully connected RNN: ``h = activation(x @ kernel + h_prev @ recurrent_kernel
    + bias)``."""

    _keras_module = "keras.layers"

    def build(self, input_shape):
        self._make_kernels(input_shape[-1], (self.units,))

    def _step(self, projected, states, rec_mask, constants):
        prev = states[0]
        if rec_mask is not None:
            prev = prev * rec_mask
        h = projected + nd.matmul(prev, self.recurrent_kernel)
        if self._act is not None:
            h = self._act(h)
        return h, [h]


@register_builtin("keras.layers")
class LSTMCell(_DropoutCell):
    """One step of a long short-term memory layer (gates in Keras' order: i, f, c, o).

    ``unit_forget_bias=True`` initialises the forget-gate bias to one.
    """

    _keras_module = "keras.layers"

    _GATES = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self._rec_act = _fast_activation(self.recurrent_activation)

    state_size = property(lambda self: [self.units, self.units],
                          doc="[hidden state size, carry state size].")

    def build(self, input_shape):
        bias_init = None
        if self.use_bias and self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            def bias_init(shape, dtype=None):
                # Forget gate starts at one so early training does not forget everything.
                return nd.concat([base((units,), dtype=dtype), nd.ones((units,), dtype=dtype),
                                  base((2 * units,), dtype=dtype)], axis=0)
        self._make_kernels(input_shape[-1], (4 * self.units,), bias_init)

    def _step(self, projected, states, rec_mask, constants):
        h_prev, c_prev = states[0], states[1]
        if rec_mask is not None:
            h_prev = h_prev * rec_mask
        z = projected + nd.matmul(h_prev, self.recurrent_kernel)
        # One gate activation over the contiguous block is cheaper than three over column
        # slices; the candidate block's share is simply unused.
        i, f, _, o = nd.split(self._rec_act(z), 4, axis=1)
        g = nd.split(z, 4, axis=1)[2]
        act = self._act
        c = f * c_prev + i * act(g)
        h = o * act(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["unit_forget_bias"] = self.unit_forget_bias
        return config


@register_builtin("keras.layers")
class GRUCell(_DropoutCell):
    """One step of a gated recurrent unit (gates in Keras' order: z, r, h).

    With ``reset_after=True`` (the default) the reset gate multiplies the recurrent projection
    and the bias has shape (2, 3 * units): row 0 for the input, row 1 for the recurrent part.
    """

    _keras_module = "keras.layers"

    _GATES = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(units, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer,
                         recurrent_regularizer=recurrent_regularizer,
                         bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
                         recurrent_constraint=recurrent_constraint,
                         bias_constraint=bias_constraint, dropout=dropout,
                         recurrent_dropout=recurrent_dropout, seed=seed, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after
        self._rec_act = _fast_activation(self.recurrent_activation)

    def build(self, input_shape):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._make_kernels(input_shape[-1], shape)

    def _input_bias(self):
        if self.bias is None:
            return None
        return self.bias[0] if self.reset_after else self.bias

    def _step_constants(self):
        units = self.units
        if self.reset_after:
            return self.bias[1] if self.bias is not None else None
        # Without reset_after the candidate's recurrent product needs r * h first, so the
        # recurrent kernel is used in two column blocks.
        return (self.recurrent_kernel[:, :2 * units], self.recurrent_kernel[:, 2 * units:])

    def _step(self, projected, states, rec_mask, constants):
        h_prev = states[0]
        h_in = h_prev * rec_mask if rec_mask is not None else h_prev
        units = self.units
        x_zr, x_h = nd.split(projected, [2 * units, units], axis=1)
        if self.reset_after:
            inner = nd.matmul(h_in, self.recurrent_kernel)
            if constants is not None:
                inner = inner + constants
            r_zr, r_h = nd.split(inner, [2 * units, units], axis=1)
            z, r = nd.split(self._rec_act(x_zr + r_zr), 2, axis=1)
            candidate = x_h + r * r_h
        else:
            kernel_zr, kernel_h = constants
            z, r = nd.split(self._rec_act(x_zr + nd.matmul(h_in, kernel_zr)), 2, axis=1)
            candidate = x_h + nd.matmul(r * h_in, kernel_h)
        hh = self._act(candidate) if self._act is not None else candidate
        # z * h_prev + (1 - z) * hh, rearranged to save an op per step.
        h = hh + z * (h_prev - hh)
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        config["reset_after"] = self.reset_after
        return config


@register_builtin("keras.layers")
class StackedRNNCells(Layer):
    """Several cells run one after the other at each time step, as one cell."""

    _keras_module = "keras.layers"

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell) or not hasattr(cell, "state_size"):
                raise ValueError("All cells must have a `call` method and a `state_size` "
                                 f"attribute. Received cell without them: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self):
        """One entry per cell (each a size or a list of sizes)."""
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        """The last cell's output size."""
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        """The cells' initial states, one (nested) entry per cell."""
        out = []
        for cell in self.cells:
            out.append(_initial_state_of(cell, batch_size, self.compute_dtype))
        return out

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            if not cell.built:
                cell.build(shape)
                cell.built = True
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) \
                    else cell.state_size
            shape = shape[:-1] + (size,)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            nested = isinstance(cell_states, (list, tuple))
            inputs, cell_new = cell(inputs, list(cell_states) if nested else [cell_states],
                                    training=training)
            if not isinstance(cell_new, (list, tuple)):
                cell_new = [cell_new]
            new_states.append(list(cell_new) if nested else cell_new[0])
        return inputs, new_states

    def get_config(self):
        config = super().get_config()
        config["cells"] = [serialize_keras_object(c) for c in self.cells]
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_keras_object(c, custom_objects=custom_objects)
                 for c in config.pop("cells")]
        return cls(cells, **config)


def _initial_state_of(cell, batch_size, dtype):
    """A cell's initial state list: its ``get_initial_state`` or zeros per ``state_size``."""
    fn = getattr(cell, "get_initial_state", None)
    if fn is not None:
        state = fn(batch_size=batch_size)
        return list(state) if isinstance(state, (list, tuple)) else [state]
    sizes = cell.state_size if isinstance(cell.state_size, (list, tuple)) else [cell.state_size]
    return [nd.zeros((batch_size, d), dtype=dtype) for d in sizes]
