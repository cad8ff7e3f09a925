"""Saving and loading: the object registry, serialization, and (later) the .keras format."""
from ndflow.keras.saving.object_registration import (CustomObjectScope, custom_object_scope,
                                                     get_custom_objects, get_registered_name,
                                                     get_registered_object,
                                                     register_keras_serializable)
from ndflow.keras.saving.serialization_lib import (deserialize_keras_object,
                                                   serialize_keras_object)
