"""``DTypePolicy``: the dtype of a layer's weights and computations."""
import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.saving import object_registration


class DTypePolicy:
    """The dtype of a layer's weights and computations (mixed precision is not supported)."""

    def __init__(self, name=None):
        if name is None:
            name = backend.floatx()
        self.name = nd.as_dtype(name).name if not isinstance(name, DTypePolicy) else name.name

    variable_dtype = property(lambda self: self.name, doc="The dtype of the weights.")
    compute_dtype = property(lambda self: self.name, doc="The dtype of the computations.")

    def get_config(self):
        """{'name': dtype name}."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config):
        """The policy described by ``config``."""
        return cls(**config)

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'


object_registration.register_builtin("keras", DTypePolicy)
DTypePolicy._keras_module = "keras"


def policy(dtype):
    """A DTypePolicy from None (floatx), a name, a config dict or a policy."""
    if dtype is None:
        return DTypePolicy(backend.floatx())
    if isinstance(dtype, DTypePolicy):
        return dtype
    if isinstance(dtype, dict):
        return DTypePolicy(**dtype.get("config", {}))
    return DTypePolicy(dtype)
