"""``ndflow.keras.optimizers``: Keras 3's optimizers and learning-rate schedules.

``get`` accepts None, a name (any case: ``"adam"``, ``"RMSprop"``), a config dict, an optimizer
class or an instance.
"""
from ndflow.keras.optimizers import schedules
from ndflow.keras.optimizers.adafactor import Adafactor
from ndflow.keras.optimizers.adagrad import Adadelta, Adagrad, Ftrl
from ndflow.keras.optimizers.adam import Adam, Adamax, AdamW, Nadam
from ndflow.keras.optimizers.lion import Lion
from ndflow.keras.optimizers.optimizer import Optimizer
from ndflow.keras.optimizers.rmsprop import RMSprop
from ndflow.keras.optimizers.sgd import SGD
from ndflow.keras.saving import serialization_lib as _serial

ALL_OBJECTS = (Optimizer, Adam, SGD, RMSprop, Adadelta, AdamW, Adagrad, Adamax, Adafactor,
               Nadam, Ftrl, Lion)
# Keras looks built-in optimizers up by their lower-cased class name.
ALL_OBJECTS_DICT = {cls.__name__.lower(): cls for cls in ALL_OBJECTS}


def serialize(optimizer):
    """The optimizer as a Keras 3 config dict."""
    return _serial.serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """The optimizer described by a config dict (built-in class names in any case)."""
    if config["class_name"].lower() in ALL_OBJECTS_DICT:
        config = dict(config, class_name=config["class_name"].lower())
    return _serial.deserialize_keras_object(config, custom_objects=custom_objects,
                                            module_objects=ALL_OBJECTS_DICT,
                                            module="keras.optimizers",
                                            printable_module_name="optimizer")


def get(identifier):
    """An optimizer instance from None, a name, a config dict, a class or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        try:
            obj = deserialize({"class_name": identifier, "config": {}})
        except ValueError as error:
            raise ValueError(f"Could not interpret optimizer identifier: {identifier}. "
                             f"{error}") from None
    elif isinstance(identifier, type) and issubclass(identifier, Optimizer):
        obj = identifier()
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


__all__ = ["Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion",
           "Nadam", "Optimizer", "RMSprop", "SGD", "deserialize", "get", "schedules",
           "serialize"]
