"""Saving methods of ``Model`` (``save``, ``save_weights``, ``load_weights``, ``to_json``),
``model_from_json``, and the ``build_config`` / ``compile_config`` parts of a saved config.

Keras 3 adds to every serialized layer the shape it was built with (``build_config``) and to
every model how it was compiled (``compile_config``); loading builds each layer from its
``build_config`` (so its weights exist before they are read) and recompiles the model. A class
may override any of ``get_build_config``, ``build_from_config``, ``get_compile_config`` and
``compile_from_config``; the functions here are the defaults.
"""
import json
import warnings

import numpy as np

from ndflow.keras.saving import serialization_lib

_FUNCTIONAL_MODULE = "keras.src.models.functional"   # where Keras 3 files say Functional lives


def _classes():
    from ndflow.keras.layers.input_layer import InputLayer
    from ndflow.keras.layers.layer import Layer
    from ndflow.keras.models.functional import Functional
    from ndflow.keras.models.model import Model
    from ndflow.keras.models.sequential import Sequential
    return Layer, InputLayer, Model, Sequential, Functional


def _overrides(obj, name):
    """The object's own ``name`` method when its class defines one other than the default
    attached by ``install`` (a user override), else None."""
    fn = getattr(type(obj), name, None)
    if fn is None or fn is _METHODS.get(name):
        return None
    return getattr(obj, name)


def _default_build(layer):
    Layer = _classes()[0]
    return type(layer).build is Layer.build


def _is_subclassed_model(obj):
    _, _, Model, Sequential, Functional = _classes()
    return isinstance(obj, Model) and not isinstance(obj, (Sequential, Functional))


# -- build_config ------------------------------------------------------------------------------

def get_build_config(layer):
    """{"input_shape": shape the layer was built with}, or None (Keras' rules: none for an
    InputLayer or a layer without a ``build`` of its own, null for a functional model)."""
    method = _overrides(layer, "get_build_config")
    if method is not None:
        return method()
    _, InputLayer, _, Sequential, Functional = _classes()
    if isinstance(layer, InputLayer):
        return None
    if isinstance(layer, Functional):
        return {"input_shape": None}
    if isinstance(layer, Sequential):
        shape = layer._build_input_shape
        return {"input_shape": list(shape)} if shape is not None else None
    if _default_build(layer) and not _is_subclassed_model(layer):
        return None
    shapes = getattr(layer, "_build_shapes", None)
    if shapes is None:
        return None
    return {"input_shape": _as_lists(shapes)}


def _as_lists(structure):
    if isinstance(structure, (list, tuple)):
        return [_as_lists(s) for s in structure]
    return structure


def _is_shape(value):
    return isinstance(value, (list, tuple)) and all(
        isinstance(d, (int, type(None))) and not isinstance(d, bool) for d in value)


def _as_tuples(structure):
    if _is_shape(structure):
        return tuple(structure)
    if isinstance(structure, (list, tuple)):
        return [_as_tuples(s) for s in structure]
    return structure


def build_from_config(layer, config):
    """Builds ``layer`` for the shapes in ``config`` (a layer whose ``build`` is the default,
    such as a subclassed model, is run once on zeros so its sublayers create their weights)."""
    method = _overrides(layer, "build_from_config")
    if method is not None:
        return method(config)
    if not config or layer.built:
        return
    if "shapes_dict" in config:
        layer.build(**config["shapes_dict"])
        layer.built = True
        return
    shape = _as_tuples(config.get("input_shape"))
    if shape is None:
        return
    if _default_build(layer):
        def zeros(s):
            return np.zeros([1 if d is None else d for d in s], dtype=layer.compute_dtype)
        inputs = zeros(shape) if _is_shape(shape) else [zeros(s) for s in shape]
        from ndflow.keras.layers.layer import takes_training
        if takes_training(layer):
            layer(inputs, training=False)
        else:
            layer(inputs)
    else:
        layer.build(shape)
    layer._build_shapes = shape
    layer.built = True


# -- compile_config ----------------------------------------------------------------------------

def get_compile_config(model):
    """The arguments ``model`` was compiled with, serialized ({} when it is not compiled)."""
    method = _overrides(model, "get_compile_config")
    if method is not None:
        return method()
    if not getattr(model, "compiled", False):
        return {}
    ser = serialization_lib.serialize_keras_object
    loss_obj = getattr(model, "compiled_loss", None)
    metrics_obj = getattr(model, "compiled_metrics", None)
    jit = getattr(model, "jit_compile", False)
    return {
        "optimizer": ser(model.optimizer),
        "loss": ser(getattr(model, "loss", None)),
        "loss_weights": ser(getattr(loss_obj, "loss_weights", None)),
        "metrics": ser(getattr(metrics_obj, "metrics_arg", None)),
        "weighted_metrics": ser(getattr(metrics_obj, "weighted_metrics_arg", None)),
        "run_eagerly": bool(getattr(model, "run_eagerly", False)),
        "steps_per_execution": getattr(model, "steps_per_execution", 1),
        # Keras resolves "auto" before recording it; without XLA that is False.
        "jit_compile": False if jit == "auto" else jit,
    }


def _deserialize_values(value, custom_objects):
    """Objects for the serialized dicts inside ``value``; names stay strings (compile takes
    them as given, as Keras does)."""
    if isinstance(value, dict) and "class_name" in value:
        return serialization_lib.deserialize_keras_object(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {k: _deserialize_values(v, custom_objects) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_deserialize_values(v, custom_objects) for v in value]
    return value


def compile_from_config(model, config, custom_objects=None):
    """Compiles ``model`` from ``get_compile_config`` output and builds its optimizer, so the
    saved optimizer state can be loaded into it."""
    method = _overrides(model, "compile_from_config")
    if method is not None:
        return method(config)
    from ndflow.keras.trainers.trainer import Trainer
    if type(model).compile is not Trainer.compile:
        warnings.warn("`compile()` was not called as part of model loading because the model's "
                      "`compile()` method is custom. All subclassed Models that have `compile()` "
                      "overridden should also override `get_compile_config()` and "
                      "`compile_from_config(config)`. Alternatively, you can call `compile()` "
                      "manually after loading.", stacklevel=3)
        return
    import importlib
    for name in ("optimizers", "losses", "metrics"):   # their classes register on import
        try:
            importlib.import_module(f"ndflow.keras.{name}")
        except ImportError:
            pass
    config = _deserialize_values(dict(config), custom_objects)
    model.compile(**config)
    if model.optimizer is not None and model.built:
        model.optimizer.build(model.trainable_variables)


# -- configs with build and compile parts ------------------------------------------------------

def _graph_layer_configs(model, config):
    """(layer, its config dict) pairs of a Sequential or functional model's config."""
    Sequential = _classes()[3]
    entries = config.get("config", {}).get("layers", [])
    if isinstance(model, Sequential):
        entries = [e for e in entries if e.get("class_name") != "InputLayer"]
        return list(zip(model.layers, entries))
    by_name = {}
    for e in entries:
        by_name[e.get("name") or e.get("config", {}).get("name")] = e
    return [(layer, by_name[layer.name]) for layer in model.layers if layer.name in by_name]


def _annotate(obj, config):
    """Adds Keras' build_config/compile_config to ``config`` (the serialized ``obj``) and its
    layers' entries, and names Functional as Keras files do."""
    _, _, Model, Sequential, Functional = _classes()
    if isinstance(obj, (Sequential, Functional)):
        for layer, entry in _graph_layer_configs(obj, config):
            _annotate(layer, entry)
    if type(obj) is Functional:
        config["module"] = _FUNCTIONAL_MODULE
        config["registered_name"] = "Functional"
    elif type(obj) is Sequential:
        config["module"] = "keras"
    build = get_build_config(obj)
    if build is not None:
        config["build_config"] = serialization_lib.serialize_keras_object(build)
    else:
        config.pop("build_config", None)
    if isinstance(obj, Model):
        config["compile_config"] = get_compile_config(obj)
    return config


def serialize_model(model):
    """``serialize_keras_object(model)`` with Keras 3's build and compile configs."""
    return _annotate(model, serialization_lib.serialize_keras_object(model))


def apply_build_configs(obj, config):
    """Builds, from their ``build_config``, the layers that deserialization left unbuilt
    (inner layers first)."""
    _, _, _, Sequential, Functional = _classes()
    if isinstance(obj, (Sequential, Functional)):
        for layer, entry in _graph_layer_configs(obj, config):
            apply_build_configs(layer, entry)
    build = config.get("build_config") if isinstance(config, dict) else None
    if build and not obj.built:
        build_from_config(obj, build)


# -- Model methods -----------------------------------------------------------------------------

def save(self, filepath, overwrite=True, zipped=None, **kwargs):
    """Saves the model (architecture, weights, optimizer state) as a ``.keras`` archive."""
    from ndflow.keras.saving import saving_api
    return saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def save_weights(self, filepath, overwrite=True, max_shard_size=None):
    """Saves the weights to a ``.weights.h5`` file (Keras 3's layout)."""
    from ndflow.keras.saving import saving_api
    return saving_api.save_weights(self, filepath, overwrite=overwrite,
                                   max_shard_size=max_shard_size)


def load_weights(self, filepath, skip_mismatch=False, **kwargs):
    """Loads weights from a ``.weights.h5`` file or a ``.keras`` archive."""
    from ndflow.keras.saving import saving_api
    return saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)


def to_json(self, **kwargs):
    """The model's config (with build and compile configs) as a JSON string;
    ``kwargs`` go to ``json.dumps``."""
    return json.dumps(serialize_model(self), **kwargs)


def model_from_json(json_string, custom_objects=None):
    """Rebuilds a model (without weights) from ``Model.to_json()`` output."""
    from ndflow.keras.saving.saving_lib import model_from_config_dict
    return model_from_config_dict(json.loads(json_string), custom_objects=custom_objects,
                                  compile=True, safe_mode=True)


_METHODS = {"save": save, "save_weights": save_weights, "load_weights": load_weights,
            "to_json": to_json, "get_build_config": get_build_config,
            "build_from_config": build_from_config, "get_compile_config": get_compile_config,
            "compile_from_config": compile_from_config}


def install(model_class):
    """Attaches the saving methods to ``model_class`` (those it does not define itself)."""
    for name, fn in _METHODS.items():
        if name not in vars(model_class):
            setattr(model_class, name, fn)
    return model_class
