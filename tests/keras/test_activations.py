"""ndflow.keras.activations: values and gradients against Keras 3, lookup and serialization."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import activations
from ndflow.keras.saving import object_registration, serialization_lib

X = np.array([[-7.0, -3.5, -1.0, -0.6, -0.1, 0.0],
              [0.2, 0.5, 0.9, 1.0, 2.5, 7.5]], dtype=np.float32)

# name -> kwargs (each case is compared value-for-value with Keras 3).
CASES = [
    ("relu", {}), ("relu", {"negative_slope": 0.1}), ("relu", {"max_value": 1.5}),
    ("relu", {"max_value": 6}), ("relu", {"threshold": 0.5}),
    ("relu", {"negative_slope": 0.1, "max_value": 2.0, "threshold": 0.5}),
    ("relu", {"negative_slope": 0.2, "max_value": 6.0}),
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.05}), ("relu6", {}),
    ("softmax", {}), ("softmax", {"axis": 0}), ("softmax", {"axis": (0, 1)}),
    ("log_softmax", {}), ("log_softmax", {"axis": 0}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}), ("celu", {"alpha": 2.0}),
    ("softplus", {}), ("softsign", {}), ("squareplus", {}), ("squareplus", {"b": 1}),
    ("sparse_plus", {}), ("silu", {}), ("swish", {}), ("gelu", {}),
    ("gelu", {"approximate": True}), ("glu", {}), ("tanh", {}), ("tanh_shrink", {}),
    ("hard_tanh", {}), ("hard_shrink", {}), ("hard_shrink", {"threshold": 1.0}),
    ("soft_shrink", {}), ("threshold", {"threshold": 0.3, "default_value": -2.0}),
    ("sigmoid", {}), ("sparse_sigmoid", {}), ("exponential", {}), ("hard_sigmoid", {}),
    ("hard_silu", {}), ("hard_swish", {}), ("log_sigmoid", {}), ("linear", {}), ("mish", {}),
    ("sparsemax", {}), ("sparsemax", {"axis": 0}),
]


def _keras(real_tf):
    return real_tf.keras


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,kwargs", CASES, ids=lambda v: str(v))
def test_values_match_keras(real_tf, name, kwargs, dtype):
    x = X.astype(dtype)
    ours = activations.get(name)(nd.constant(x), **kwargs)
    theirs = _keras(real_tf).activations.get(name)(real_tf.constant(x), **kwargs)
    assert ours.dtype.name == theirs.dtype.name
    tol = 1e-6 if dtype == "float32" else 1e-12
    if name == "gelu" and dtype == "float64":
        # TF's gelu casts its Python constants through float32, so float64 results differ from
        # the exact formula near 1e-7 (ndflow.nn.gelu's business, not the activation's).
        tol = 1e-6
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tol, atol=tol)


GRAD_CASES = ["relu", "leaky_relu", "relu6", "softmax", "log_softmax", "elu", "selu", "celu",
              "softplus", "softsign", "squareplus", "sparse_plus", "silu", "gelu", "glu", "tanh",
              "tanh_shrink", "hard_tanh", "soft_shrink", "sigmoid", "exponential", "hard_sigmoid",
              "hard_silu", "log_sigmoid", "mish", "sparsemax"]


@pytest.mark.parametrize("name", GRAD_CASES)
def test_gradients_match_keras(real_tf, name):
    # Inputs away from the kinks so both sides agree on the subgradient.
    x = np.array([[-2.3, -0.7, 0.3, 1.7], [0.4, -1.2, 2.9, -0.05]], dtype=np.float64)
    xv = nd.constant(x)
    with nd.GradientTape() as tape:
        tape.watch(xv)
        out = activations.get(name)(xv)
        # A weighted sum, so that softmax has a non-zero gradient.
        w = np.arange(1.0, out.shape.num_elements() + 1).reshape(out.shape.as_list())
        y = nd.reduce_sum(out * w)
    ours = tape.gradient(y, xv)
    xr = real_tf.constant(x)
    with real_tf.GradientTape() as rtape:
        rtape.watch(xr)
        ry = real_tf.reduce_sum(_keras(real_tf).activations.get(name)(xr) * w)
    theirs = rtape.gradient(ry, xr)
    tol = 1e-6 if name == "gelu" else 1e-9   # see the float64 note in test_values_match_keras
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=tol, atol=1e-12)


def test_signatures_match_keras(real_tf):
    import inspect
    keras_acts = _keras(real_tf).activations
    for name in sorted(activations._OBJECTS):
        ours = inspect.signature(getattr(activations, name))
        theirs = inspect.signature(getattr(keras_acts, name))
        assert str(ours) == str(theirs), name


def test_same_names_as_keras(real_tf):
    theirs = {n for n in dir(_keras(real_tf).activations) if not n.startswith("_")}
    ours = {n for n in dir(activations) if not n.startswith("_")}
    assert theirs <= ours


def test_get_none_is_linear():
    assert activations.get(None) is activations.linear
    x = nd.constant([1.0, -2.0])
    assert activations.get(None)(x) is x


def test_get_names_aliases_and_callables():
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    assert activations.get("hard_swish") is activations.hard_silu

    def custom(x):
        return x * 3
    assert activations.get(custom) is custom
    assert activations.get(nd.nn.relu) is nd.nn.relu


def test_get_unknown_name_raises_with_suggestions():
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        activations.get("rellu")
    with pytest.raises(ValueError, match="relu"):
        activations.get("rellu")
    with pytest.raises(ValueError):
        activations.get(3)


def test_functions_carry_keras_module():
    for fn in set(activations._OBJECTS.values()):
        assert fn._keras_module == "keras.activations"


@pytest.mark.parametrize("name", sorted(activations._OBJECTS))
def test_serialize_matches_keras(real_tf, name):
    ours = activations.serialize(activations.get(name))
    theirs = _keras(real_tf).activations.serialize(_keras(real_tf).activations.get(name))
    assert ours == theirs
    assert activations.deserialize(ours) is activations.get(name)


def test_serialize_keras_object_gives_the_name():
    assert serialization_lib.serialize_keras_object(activations.gelu) == "gelu"
    assert serialization_lib.deserialize_keras_object("gelu") is activations.gelu


def test_get_from_config_dict(real_tf):
    config = {"module": "keras.activations", "class_name": "function", "config": "tanh",
              "registered_name": "tanh"}
    assert activations.get(config) is activations.tanh
    assert _keras(real_tf).activations.get(config) is _keras(real_tf).activations.tanh


def test_custom_function_round_trip():
    @object_registration.register_keras_serializable(package="act_test")
    def doubled(x):
        return x * 2.0
    config = activations.serialize(doubled)
    assert isinstance(config, dict) and config["class_name"] == "function"
    assert activations.deserialize(config) is doubled
    assert activations.get(config) is doubled


def test_custom_object_scope_name_lookup():
    def tripled(x):
        return x * 3.0
    with object_registration.custom_object_scope({"tripled": tripled}):
        assert activations.get("tripled") is tripled
    with pytest.raises(ValueError):
        activations.get("tripled")


def test_callable_object_passes_through():
    class Scaled:
        def __init__(self, k=2.0):
            self.k = k

        def __call__(self, x):
            return x * self.k

        def get_config(self):
            return {"k": self.k}
    obj = Scaled()
    assert activations.get(obj) is obj
    config = activations.serialize(obj)
    assert config["class_name"] == "Scaled" and config["config"] == {"k": 2.0}


def test_glu_odd_axis_raises():
    with pytest.raises(ValueError, match="divisible by 2"):
        activations.glu(nd.constant([[1.0, 2.0, 3.0]]))


def test_softmax_axis_none_normalises_everything():
    out = activations.softmax(nd.constant(X), axis=None)
    np.testing.assert_allclose(out.numpy().sum(), 1.0, rtol=1e-6)


def test_accepts_numpy_and_lists():
    np.testing.assert_allclose(activations.relu([-1.0, 2.0]).numpy(), [0.0, 2.0])
    np.testing.assert_allclose(activations.sigmoid(np.zeros(2, np.float32)).numpy(), [0.5, 0.5])
