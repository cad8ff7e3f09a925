"""``clone_model``: a new model with the same architecture and fresh layers (new weights).

Sequential and functional models are rebuilt layer by layer (each layer passed through
``clone_function``, by default ``cls.from_config(layer.get_config())``); other models are
recreated from their config.
"""
from ndflow.keras.layers.functional_node import KerasTensor
from ndflow.keras.layers.input_layer import Input, InputLayer
from ndflow.util import nest


def _clone_layer(layer):
    return layer.__class__.from_config(layer.get_config())


def _clone_input(tensor):
    """A new Input like ``tensor`` (same batch shape, dtype and name)."""
    layer = tensor._node.layer
    return Input(batch_shape=tensor.shape, dtype=tensor.dtype.name, name=layer.name)


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """Clones a Sequential, functional or subclassed model.

    Args:
        model: the model to clone.
        input_tensors: ``Input`` tensors to build the clone on (the same structure as the
            model's inputs); by default new inputs like the model's.
        clone_function: ``layer -> new layer``, called on every layer except input layers
            (default: recreate the layer from its config, so weights are fresh).
        call_function: ``(layer, *args, **kwargs) -> outputs``, replacing the plain layer
            call when rebuilding a functional model (lets you rewire calls).
        recursive: also clone nested Sequential/functional models layer by layer.
    """
    from ndflow.keras.models.functional import Functional
    from ndflow.keras.models.sequential import Sequential
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s) passed to clone_model(): "
                         f"{list(kwargs)}")
    clone_function = clone_function or _clone_layer
    if recursive:
        user_function = clone_function

        def clone_function(layer):
            if isinstance(layer, (Sequential, Functional)):
                return clone_model(layer, clone_function=user_function,
                                   call_function=call_function, recursive=True)
            return user_function(layer)
    if isinstance(model, Sequential):
        return _clone_sequential(model, input_tensors, clone_function)
    if isinstance(model, Functional):
        return _clone_functional(model, input_tensors, clone_function, call_function)
    if input_tensors is not None or call_function is not None:
        raise ValueError("Arguments `input_tensors` and `call_function` are only supported "
                         "for Sequential and Functional models; this model is a subclassed "
                         f"model ({type(model).__name__}).")
    return clone_function(model)


def _clone_sequential(model, input_tensors, clone_function):
    from ndflow.keras.models.sequential import Sequential
    layers = [clone_function(layer) for layer in model.layers]
    if input_tensors is not None:
        flat = nest.flatten(input_tensors)
        if len(flat) != 1 or not isinstance(flat[0], KerasTensor):
            raise ValueError("`input_tensors` of a Sequential model must be one Input "
                             f"tensor. Received: {input_tensors}")
        layers.insert(0, flat[0])
    elif model._input_layer is not None:
        old = model._input_layer
        layers.insert(0, InputLayer(batch_shape=old.batch_shape, dtype=old.dtype,
                                    name=old.name))
    return Sequential(layers, trainable=model.trainable, name=model.name)


def _clone_functional(model, input_tensors, clone_function, call_function):
    from ndflow.keras.models.functional import Functional
    if input_tensors is None:
        new_inputs = [_clone_input(x) for x in model.inputs]
    else:
        new_inputs = nest.flatten(input_tensors)
        if len(new_inputs) != len(model.inputs) or \
                not all(isinstance(x, KerasTensor) for x in new_inputs):
            raise ValueError("`input_tensors` must have the same structure as model.input\n"
                             f"Reference structure: {model._inputs_struct}\n"
                             f"Received structure: {input_tensors}")
    values = {id(old): new for old, new in zip(model.inputs, new_inputs)}
    clones = {}

    def lookup(x):
        return values[id(x)] if isinstance(x, KerasTensor) else x
    for node in model._nodes:
        if isinstance(node.layer, InputLayer):
            continue
        layer = clones.get(id(node.layer))
        if layer is None:  # a shared layer is cloned once and shared again
            layer = clones[id(node.layer)] = clone_function(node.layer)
        args = nest.map_structure(lookup, node.call_args)
        kwargs = nest.map_structure(lookup, node.call_kwargs)
        outputs = call_function(layer, *args, **kwargs) if call_function else \
            layer(*args, **kwargs)
        for old, new in zip(nest.flatten(node.outputs), nest.flatten(outputs)):
            values[id(old)] = new
    inputs = nest.pack_sequence_as(model._inputs_struct, new_inputs)
    outputs = nest.pack_sequence_as(model._outputs_struct,
                                    [values[id(x)] for x in model.outputs])
    return Functional(inputs, outputs, name=model.name, trainable=model.trainable)
