"""Helpers about symbolic (functional API) tensors: ``is_keras_tensor`` and
``get_source_inputs``."""
from ndflow.keras.layers.functional_node import KerasTensor


def is_keras_tensor(x):
    """True when ``x`` is a symbolic KerasTensor (from ``Input`` or a layer called on one)."""
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor):
    """The ``Input`` tensors that ``tensor`` was computed from, in first-found order (a list;
    an input tensor gives ``[tensor]``)."""
    from ndflow.keras.layers.input_layer import InputLayer
    if not is_keras_tensor(tensor):
        return tensor
    found, seen_nodes = [], set()
    stack = [tensor]
    while stack:
        current = stack.pop(0)
        node = current._node
        if node is None or isinstance(node.layer, InputLayer) or not node.input_tensors:
            if all(current is not f for f in found):
                found.append(current)
            continue
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        stack[0:0] = list(node.input_tensors)  # depth first, parents in call order
    return found
