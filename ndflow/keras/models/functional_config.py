"""Functional models to and from Keras 3 config dicts (layers with their inbound nodes)."""
from ndflow.keras.layers.functional_node import KerasTensor
from ndflow.keras.layers.input_layer import InputLayer
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,
                                                   serialize_keras_object)
from ndflow.util import nest


def _history(tensor):
    node = tensor._node
    layer = node.layer
    return [layer.name, layer._inbound_nodes.index(node), tensor._index]


def _tensor_spec(value):
    if isinstance(value, KerasTensor):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": list(value.shape), "dtype": value.dtype.name,
                           "keras_history": _history(value)}}
    return serialize_keras_object(value)


def functional_config(model):
    """Keras 3's config of a functional model."""
    own_nodes = {id(n) for n in model._nodes}
    layers = []
    for layer in model.layers:
        entry = serialize_keras_object(layer)
        entry["name"] = layer.name
        if getattr(layer, "_build_shapes", None) is not None and not isinstance(layer, InputLayer):
            entry["build_config"] = {"input_shape": layer._build_shapes}
        entry["inbound_nodes"] = [
            {"args": nest.map_structure(_tensor_spec, list(node.call_args)),
             "kwargs": nest.map_structure(_tensor_spec, dict(node.call_kwargs))}
            for node in layer._inbound_nodes
            if id(node) in own_nodes and not isinstance(layer, InputLayer)]
        layers.append(entry)

    def refs(tensors):
        out = [_history(t) for t in tensors]
        return out[0] if len(out) == 1 else out
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": refs(model.inputs), "output_layers": refs(model.outputs)}


def functional_from_config(cls, config, custom_objects=None):
    """Rebuilds the layers and replays their calls to recreate the model's graph."""
    created = {}
    for entry in config["layers"]:
        layer_config = {k: v for k, v in entry.items() if k not in ("inbound_nodes", "name",
                                                                    "build_config")}
        created[entry["name"]] = deserialize_keras_object(layer_config,
                                                          custom_objects=custom_objects)
    outputs = {}  # (layer name, node index, tensor index) -> KerasTensor
    for name, layer in created.items():
        if isinstance(layer, InputLayer):
            outputs[(name, 0, 0)] = layer.output
    pending = [(entry["name"], i, node) for entry in config["layers"]
               for i, node in enumerate(entry.get("inbound_nodes", []))]
    while pending:
        progressed = False
        for item in list(pending):
            name, _, node = item
            try:
                args = _resolve(node.get("args", []), outputs)
                kwargs = _resolve(node.get("kwargs", {}), outputs)
            except KeyError:
                continue
            layer = created[name]
            result = layer(*args, **kwargs)
            node_index = len(layer._inbound_nodes) - 1
            for k, t in enumerate(nest.flatten(result)):
                outputs[(name, node_index, k)] = t
            pending.remove(item)
            progressed = True
        if not progressed:
            raise ValueError("Cannot rebuild the functional model: some layer inputs are never "
                             f"produced ({[p[0] for p in pending]}).")
    inputs = _lookup_refs(config["input_layers"], outputs)
    outs = _lookup_refs(config["output_layers"], outputs)
    return cls(inputs=inputs, outputs=outs, name=config.get("name"),
               trainable=config.get("trainable", True))


def _resolve(structure, outputs):
    if isinstance(structure, dict) and structure.get("class_name") == "__keras_tensor__":
        name, node_index, tensor_index = structure["config"]["keras_history"]
        return outputs[(name, node_index, tensor_index)]
    if isinstance(structure, dict):
        return {k: _resolve(v, outputs) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_resolve(v, outputs) for v in structure)
    return structure


def _lookup_refs(refs, outputs):
    if refs and isinstance(refs[0], str):
        return outputs[tuple(refs)]
    return [outputs[tuple(r)] for r in refs]
