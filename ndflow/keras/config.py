"""``ndflow.keras.config``: Keras 3's global settings (floatx, epsilon, image data format,
interactive logging, unsafe deserialization, the backend name, fit's epoch/step caps)."""
from ndflow.keras.backend import (epsilon, floatx, image_data_format,  # noqa: F401
                                  set_epsilon, set_floatx, set_image_data_format)
from ndflow.keras.saving.serialization_lib import enable_unsafe_deserialization  # noqa: F401
from ndflow.keras.utils.io_utils import (disable_interactive_logging,  # noqa: F401
                                        enable_interactive_logging,
                                        is_interactive_logging_enabled)

_SETTINGS = {"flash_attention": None, "traceback_filtering": True, "max_epochs": None,
             "max_steps_per_epoch": None}


def backend():
    """The backend's name: 'tensorflow' (ndflow stands in for it)."""
    return "tensorflow"


def set_backend(backend):
    """Only 'tensorflow' is available; any other name raises ValueError."""
    if backend != "tensorflow":
        raise ValueError(f"ndflow provides only the 'tensorflow' backend. Received: "
                         f"backend={backend!r}")


def is_nnx_enabled():
    """Flax NNX integration (a JAX feature): always False."""
    return False


def dtype_policy():
    """The global dtype policy (a DTypePolicy of floatx; mixed precision is not supported)."""
    from ndflow.keras.layers.dtype_policy import DTypePolicy
    return DTypePolicy(floatx())


def enable_flash_attention():
    """Records the request for flash attention (ndflow's attention has one kernel)."""
    _SETTINGS["flash_attention"] = True


def disable_flash_attention():
    """Records that flash attention must not be used."""
    _SETTINGS["flash_attention"] = False


def is_flash_attention_enabled():
    """The flash-attention setting: None (automatic, the default), True or False."""
    return _SETTINGS["flash_attention"]


def enable_traceback_filtering():
    """Records that tracebacks may be shortened (ndflow shows them whole)."""
    _SETTINGS["traceback_filtering"] = True


def disable_traceback_filtering():
    """Records that tracebacks must be shown whole."""
    _SETTINGS["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """The traceback-filtering setting (True by default)."""
    return _SETTINGS["traceback_filtering"]


def set_max_epochs(max_epochs):
    """Caps the number of epochs ``fit`` runs (None: no cap)."""
    _SETTINGS["max_epochs"] = max_epochs


def max_epochs():
    """The cap on ``fit``'s epochs, or None."""
    return _SETTINGS["max_epochs"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Caps the number of steps per epoch in ``fit``/``evaluate``/``predict`` (None: no cap)."""
    _SETTINGS["max_steps_per_epoch"] = max_steps_per_epoch


def max_steps_per_epoch():
    """The cap on steps per epoch, or None."""
    return _SETTINGS["max_steps_per_epoch"]
