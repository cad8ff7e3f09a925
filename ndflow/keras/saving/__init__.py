"""Saving and loading: the object registry, serialization, and the .keras format."""
from ndflow.keras.saving.object_registration import (CustomObjectScope, custom_object_scope,
                                                     get_custom_objects, get_registered_name,
                                                     get_registered_object,
                                                     register_keras_serializable)
from ndflow.keras.saving.saving_api import load_model, load_weights, save_model, save_weights
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,
                                                   serialize_keras_object)
