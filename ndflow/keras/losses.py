"""``ndflow.keras.losses``: Keras 3's losses (``tf.keras.losses``).

Loss classes (``MeanSquaredError()``, ...) are called as ``loss(y_true, y_pred,
sample_weight=None)`` and return the weighted, reduced loss; the functions
(``mean_squared_error`` and its aliases ``mse``/``MSE``, ...) return one value per sample.
``get`` resolves names, config dicts, classes and callables as ``compile(loss=...)`` does.

The code lives in ``losses_base`` (the base class and the reductions), ``losses_functions``
and ``losses_classes``; this module is the public namespace.
"""
import difflib
import inspect

from ndflow.keras.losses_base import (  # noqa: F401
    Loss, LossFunctionWrapper, Reduction, apply_mask, reduce_values, reduce_weighted_values,
    serialize_function, squeeze_or_expand_to_same_rank, standardize_reduction)
from ndflow.keras.losses_classes import (  # noqa: F401
    CLASSES, BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
    CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, CategoricalHinge,
    CosineSimilarity, Dice, Hinge, Huber, KLDivergence, LogCosh, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredError, MeanSquaredLogarithmicError, Poisson,
    SparseCategoricalCrossentropy, SquaredHinge, Tversky)
from ndflow.keras.losses_functions import (  # noqa: F401
    FUNCTIONS, binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy,
    categorical_focal_crossentropy, categorical_generalized_cross_entropy, categorical_hinge,
    cosine_similarity, dice, hinge, huber, kl_divergence, log_cosh, mean_absolute_error,
    mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, poisson,
    sparse_categorical_crossentropy, squared_hinge, tversky)
from ndflow.keras.saving import object_registration, serialization_lib

# The short names tf.keras keeps from Keras 2.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh

# What ``get`` and ``deserialize`` resolve by name: the class and function names plus Keras 3's
# aliases.
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in (Loss, LossFunctionWrapper) + CLASSES + FUNCTIONS}
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
})
# Keras 2 names that tf.keras still exports as attributes; ``get`` accepts them too (Keras 3's
# ``get`` does not, so this only makes programs work that would otherwise fail).
_LEGACY_NAMES = {"logcosh": log_cosh, "kullback_leibler_divergence": kl_divergence}


def serialize(loss):
    """The config dict of a loss object or function, in Keras 3's format."""
    if inspect.isfunction(loss):
        return serialize_function(loss)
    config = serialization_lib.serialize_keras_object(loss)
    if type(loss) is LossFunctionWrapper:
        # Keras does not export the wrapper publicly, so it names its private module.
        config["module"] = "keras.src.losses.losses"
        config["registered_name"] = "LossFunctionWrapper"
    return config


def deserialize(name, custom_objects=None):
    """The loss object or function described by ``name`` (a name or a config dict)."""
    if isinstance(name, dict) and name.get("class_name") == "function":
        # Keras 3 writes built-in functions as {'module': 'builtins', 'config': fn_name,
        # 'registered_name': 'function'}: the function's name is in 'config'.
        fn_name = name.get("config")
        if name.get("registered_name") in (None, "function") and isinstance(fn_name, str):
            found = _lookup(fn_name, custom_objects)
            if found is not None:
                return found
    return serialization_lib.deserialize_keras_object(
        name, custom_objects=custom_objects, module_objects=ALL_OBJECTS_DICT,
        module="keras.losses", printable_module_name="loss function")


def _lookup(name, custom_objects=None):
    found = object_registration.get_registered_object(
        name, {**object_registration.scoped_objects(), **(custom_objects or {})})
    if found is None:
        found = ALL_OBJECTS_DICT.get(name) or _LEGACY_NAMES.get(name)
    return found


def _not_understood(identifier, detail=""):
    if isinstance(identifier, str):
        close = difflib.get_close_matches(identifier, sorted(ALL_OBJECTS_DICT), n=5)
        if close:
            detail = f" Did you mean one of: {', '.join(close)}?"
    return ValueError(f"Could not interpret loss identifier: {identifier}{detail}")


def get(identifier):
    """A loss from ``identifier``: None, a name ('mse', 'MeanSquaredError', ...), a config
    dict, a ``Loss`` class (instantiated with defaults), an instance or a callable. Function
    names give the function, class names a new instance; anything else raises ValueError."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        try:
            obj = deserialize(identifier)
        except (ValueError, TypeError) as exc:
            raise _not_understood(identifier, f" ({exc})") from None
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier) or _lookup(identifier)
        if obj is None:
            raise _not_understood(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise _not_understood(identifier)
