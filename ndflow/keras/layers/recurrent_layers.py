"""Recurrent layers: the generic ``RNN(cell)`` wrapper and ``SimpleRNN``, ``LSTM``, ``GRU``.

The time loop runs in Python over ndflow ops, so GradientTape sees every step. For the built-in
cells the input projection of all time steps is one matmul before the loop; each step then does
only the recurrent matmul and the gate arithmetic.
"""
import ndflow as nd
from ndflow.keras import regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.layers.recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell,
                                                 StackedRNNCells, _DropoutCell,
                                                 _initial_state_of)
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,
                                                   serialize_keras_object)

__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU"]


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


@register_builtin("keras.layers")
class RNN(Layer):
    """Runs a recurrent ``cell`` over the time axis (axis 1) of its input.

    ``cell`` is a layer with ``state_size`` and ``call(inputs, states)`` returning
    ``(output, new_states)``, or a list of such cells (stacked). ``return_sequences`` returns every
    step's output, ``return_state`` appends the final states, ``go_backwards`` reads the sequence
    in reverse (and returns outputs in processing order, as Keras does).
    """

    _keras_module = "keras.layers"

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if "call" not in dir(cell):
            raise ValueError("Argument `cell` should have a `call` method. "
                             f"Received: cell={cell}")
        if "state_size" not in dir(cell):
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer "
                             "or list of integers, one integer per RNN state). "
                             f"Received: cell={cell}")
        if stateful:
            raise NotImplementedError(
                "ndflow's recurrent layers do not support `stateful=True`: pass the final "
                "states back yourself with `return_state=True` and `initial_state=`.")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True

    @property
    def state_size(self):
        """The cell's state sizes as a list."""
        return _as_list(self.cell.state_size)

    def build(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        if len(shape) < 3:
            raise ValueError(f"Input 0 with name 'None' of layer '{self.name}' is incompatible "
                             f"with the layer: expected ndim=3, found ndim={len(shape)}. Full "
                             f"shape received: {shape}")
        if not self.cell.built:
            self.cell.build((shape[0],) + shape[2:])
            self.cell.built = True
        self.built = True

    def get_initial_state(self, batch_size):
        """Zero initial states for a batch of ``batch_size`` sequences."""
        return _initial_state_of(self.cell, batch_size, self.compute_dtype)

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        if size is None:
            size = self.state_size[0]
        return size

    def compute_mask(self, inputs, mask=None):
        """The time-step mask for sequence outputs; None for the last output and the states."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            sizes = self.cell.state_size
            count = len(sizes) if isinstance(sizes, (list, tuple)) else 1
            return [output_mask] + [None] * count
        return output_mask

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        size = self._output_size()
        out = shape[:2] + (size,) if self.return_sequences else (shape[0], size)
        if not self.return_state:
            return out
        sizes = [s for s in self.state_size]
        return (out,) + tuple((shape[0], s) for s in sizes)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        cell = self.cell
        if initial_state is None:
            states = self.get_initial_state(sequences.shape[0])
        else:
            states = [self._state_tensor(s) for s in _as_list(initial_state)]
            if not isinstance(cell, StackedRNNCells) and len(states) != len(self.state_size):
                raise ValueError(f"An `initial_state` was passed that is not compatible with "
                                 f"`cell.state_size`. Received {len(states)} initial states; "
                                 f"however `cell.state_size` is {cell.state_size}")
        if isinstance(cell, _DropoutCell):
            steps, step = self._fast_steps(sequences, states, training)
        else:
            steps = nd.unstack(sequences, axis=1)

            def step(inputs, states):
                output, new = cell(inputs, states, training=training)
                return output, _as_list(new)
        if self.go_backwards:
            steps = steps[::-1]
        mask_steps = None
        if mask is not None:
            mask_steps = [nd.expand_dims(m, -1) for m in nd.unstack(nd.cast(mask, "bool"),
                                                                      axis=1)]
            if self.go_backwards:
                mask_steps = mask_steps[::-1]
        outputs = []
        output = None
        for t, inputs in enumerate(steps):
            new_output, new_states = step(inputs, states)
            if mask_steps is not None:
                keep = mask_steps[t]
                if output is None or self.zero_output_for_mask:
                    previous = nd.zeros_like(new_output)
                else:
                    previous = output
                new_output = nd.where(keep, new_output, previous)
                new_states = [nd.where(keep, n, o) for n, o in zip(new_states, states)]
            output, states = new_output, new_states
            if self.return_sequences:
                outputs.append(output)
        if isinstance(cell, _DropoutCell):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
        if self.return_sequences:
            output = nd.stack(outputs, axis=1)
        if self.return_state:
            return (output,) + tuple(states)
        return output

    def _state_tensor(self, state):
        state = nd.convert_to_tensor(state)
        if state.dtype.is_floating and state.dtype.name != self.compute_dtype:
            state = nd.cast(state, self.compute_dtype)
        return state

    def _fast_steps(self, sequences, states, training):
        """Projects all time steps at once; returns the per-step inputs and the step function."""
        cell = self.cell
        shape = sequences.shape.as_list()
        batch, time, features = shape[0], shape[1], shape[-1]
        if training and 0.0 < cell.dropout < 1.0:
            # One mask per sequence, shared by every time step.
            mask = cell.get_dropout_mask(sequences[:, 0, :])
            sequences = sequences * nd.expand_dims(mask, 1)
        projected = cell._project(nd.reshape(sequences, (-1, features)))
        projected = nd.reshape(projected, (batch, time, -1))
        steps = nd.unstack(projected, axis=1)
        rec_mask = cell._recurrent_mask_for(states[0], training)
        constants = cell._step_constants()
        cell_step = cell._step

        def step(inputs, states):
            return cell_step(inputs, states, rec_mask, constants)
        return steps, step

    def get_config(self):
        config = super().get_config()
        config.update({
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
            "zero_output_for_mask": self.zero_output_for_mask,
            "cell": serialize_keras_object(self.cell),
        })
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cell = deserialize_keras_object(config.pop("cell"), custom_objects=custom_objects)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name")
        return cls(cell, **config)


_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll",
             "zero_output_for_mask")


class _BuiltinRNN(RNN):
    """SimpleRNN, LSTM and GRU: an RNN owning one built-in cell, configured flat."""

    _CELL = None
    _CELL_NAME = None
    _CONFIG_SEED = True

    def __init__(self, units, *, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, activity_regularizer=None, cell_kwargs=None,
                 **kwargs):
        zero_output_for_mask = kwargs.pop("zero_output_for_mask", False)
        kwargs.pop("use_cudnn", None)
        kwargs.pop("implementation", None)
        cell = self._CELL(units, name=self._CELL_NAME, dtype=kwargs.get("dtype"),
                          trainable=kwargs.get("trainable", True), **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.activity_regularizer = regularizers.get(activity_regularizer)

    def call(self, sequences, initial_state=None, mask=None, training=False):
        return super().call(sequences, initial_state=initial_state, mask=mask, training=training)

    def get_config(self):
        config = Layer.get_config(self)
        cell_config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell_config.pop(key, None)
        if not self._CONFIG_SEED:
            cell_config.pop("seed", None)
        config.update(cell_config)
        config["activity_regularizer"] = serialize_keras_object(self.activity_regularizer)
        for key in _RNN_ARGS:
            config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config):
        return Layer.from_config.__func__(cls, config)


def _delegate(*names):
    """Read-only properties forwarding to the cell (``layer.units`` is ``layer.cell.units``)."""
    def decorate(cls):
        for name in names:
            setattr(cls, name, property(lambda self, n=name: getattr(self.cell, n),
                                        doc=f"The cell's ``{name}``."))
        return cls
    return decorate


_COMMON = ("units", "activation", "use_bias", "kernel_initializer", "recurrent_initializer",
           "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
           "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
           "recurrent_dropout")


@register_builtin("keras.layers")
@_delegate(*_COMMON)
class SimpleRNN(_BuiltinRNN):
    """A fully connected RNN whose output is fed back as the next step's state."""

    _keras_module = "keras.layers"

    _CELL = SimpleRNNCell
    _CELL_NAME = "simple_rnn_cell"
    _CONFIG_SEED = False

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell_kwargs = dict(
            activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, seed=seed)
        super().__init__(units, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, cell_kwargs=cell_kwargs,
                         **kwargs)


@register_builtin("keras.layers")
@_delegate(*_COMMON, "recurrent_activation", "unit_forget_bias")
class LSTM(_BuiltinRNN):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997); states are [h, c]."""

    _keras_module = "keras.layers"

    _CELL = LSTMCell
    _CELL_NAME = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        cell_kwargs = dict(
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed)
        self.use_cudnn = use_cudnn
        super().__init__(units, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, cell_kwargs=cell_kwargs,
                         **kwargs)


@register_builtin("keras.layers")
@_delegate(*_COMMON, "recurrent_activation", "reset_after")
class GRU(_BuiltinRNN):
    """Gated recurrent unit (Cho et al., 2014); ``reset_after=True`` is the cuDNN-compatible
    variant Keras defaults to."""

    _keras_module = "keras.layers"

    _CELL = GRUCell
    _CELL_NAME = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        cell_kwargs = dict(
            activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            seed=seed)
        self.use_cudnn = use_cudnn
        super().__init__(units, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, cell_kwargs=cell_kwargs,
                         **kwargs)
