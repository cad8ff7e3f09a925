"""Layer wrappers: ``Bidirectional`` (an RNN run both ways) and ``TimeDistributed``."""
import ndflow as nd
from ndflow.keras.layers.layer import Layer
from ndflow.keras.layers.wrapper import Wrapper, policy_by_name
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,
                                                   serialize_keras_object)

__all__ = ["Bidirectional", "TimeDistributed"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _clone(layer, name, **overrides):
    """A fresh layer with ``layer``'s configuration, a new name and ``overrides``."""
    config = serialize_keras_object(layer)
    config["config"]["name"] = name
    config["config"].update(overrides)
    return deserialize_keras_object(config)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


@register_builtin("keras.layers")
class Bidirectional(Layer):
    """Runs an RNN forwards and a copy of it backwards over the sequence and merges the outputs.

    ``merge_mode`` is 'concat' (default), 'sum', 'mul', 'ave' or None (a pair of outputs). With
    ``return_sequences`` the backward outputs are re-reversed so both align in time. With
    ``return_state`` the forward states follow the output, then the backward states.
    """

    _keras_module = "keras.layers"

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `keras.layers.Layer` instance. "
                             f"Received: {backward_layer}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should be "
                             'one of {"sum", "mul", "ave", "concat", None}')
        if not hasattr(layer, "go_backwards") or not hasattr(layer, "return_sequences"):
            raise ValueError("`Bidirectional` needs a recurrent layer (with `go_backwards` and "
                             f"`return_sequences`). Received: {layer}")
        super().__init__(weights=weights, **kwargs)
        # Fresh copies, so the wrapped layer's own weights (if built) are not shared.
        self.forward_layer = _clone(layer, "forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            self.backward_layer = _clone(layer, "backward_" + _strip(layer.name, "backward_"),
                                         go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
            self._check_pair()
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = getattr(layer, "stateful", False)
        self.supports_masking = True

    def _check_pair(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError("Forward layer and backward layer should have different "
                             "`go_backwards` value. Received: forward_layer.go_backwards="
                             f"{forward.go_backwards}, backward_layer.go_backwards="
                             f"{backward.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(forward, attr, None), getattr(backward, attr, None)
            if a != b:
                raise ValueError("Forward layer and backward layer are expected to have the "
                                 f'same value for attribute "{attr}", got "{a}" for forward '
                                 f'layer and "{b}" for backward layer')

    def build(self, sequences_shape, initial_state_shape=None):
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer.build(tuple(sequences_shape))
                layer.built = True
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        kwargs = {"training": training}
        if mask is not None:
            kwargs["mask"] = mask
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            # The backward layer emits outputs in processing order: flip them back into time
            # order so step t of both directions lines up.
            y_rev = nd.reverse(y_rev, [1])
        mode = self.merge_mode
        if mode == "concat":
            output = nd.concat([y, y_rev], axis=-1)
        elif mode == "sum":
            output = y + y_rev
        elif mode == "ave":
            output = (y + y_rev) / 2
        elif mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return (output + states) if mode is None else (output,) + states
        return output

    def reset_states(self):
        """Stateful recurrent layers are not supported, so there is nothing to reset."""

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        config["layer"] = serialize_keras_object(self.forward_layer)
        config["backward_layer"] = serialize_keras_object(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = policy_by_name(config)
        layer = deserialize_keras_object(config.pop("layer"), custom_objects=custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = deserialize_keras_object(backward, custom_objects=custom_objects)
        return cls(layer, backward_layer=backward, **config)

    def compute_mask(self, inputs, mask=None):
        """The time-step mask for sequence outputs; None for a last output and for states."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            output_mask = [output_mask, output_mask]
        if self.return_state:
            states = self.forward_layer.cell.state_size
            count = 2 * (len(states) if isinstance(states, (list, tuple)) else 1)
            return (output_mask if isinstance(output_mask, list) else [output_mask]) + [None] * count
        return output_mask


@register_builtin("keras.layers")
class TimeDistributed(Wrapper):
    """Applies ``layer`` to every time slice (axis 1) of the input independently."""

    _keras_module = "keras.layers"

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `TimeDistributed` layer with a "
                             f"`keras.layers.Layer` instance. Received: {layer}")
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _inner_shape(self, input_shape):
        shape = tuple(input_shape)
        if len(shape) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape` with at "
                             f"least 3 dimensions, received: {shape}")
        return (shape[0],) + shape[2:]

    def build(self, input_shape):
        inner = self._inner_shape(input_shape)
        if not self.layer.built:
            self.layer.build(inner)
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        inner = self.layer.compute_output_shape(self._inner_shape(shape))
        return (shape[0], shape[1]) + tuple(inner[1:])

    def call(self, inputs, training=None, mask=None):
        shape = inputs.shape.as_list()
        self._inner_shape(shape)
        batch, time = shape[0], shape[1]
        kwargs = {} if training is None else {"training": training}
        if training and self.layer.non_trainable_weights:
            # Layers with batch statistics (batch normalisation) must see one time step at a
            # time, as Keras runs them, or their statistics would mix time steps.
            outputs = [self.layer(x, **kwargs) for x in nd.unstack(inputs, axis=1)]
            return nd.stack(outputs, axis=1)
        # Folding time into the batch runs the inner layer once instead of once per step.
        flat = nd.reshape(inputs, [batch * time] + shape[2:])
        outputs = self.layer(flat, **kwargs)
        out_shape = outputs.shape.as_list()
        return nd.reshape(outputs, [batch, time] + out_shape[1:])
