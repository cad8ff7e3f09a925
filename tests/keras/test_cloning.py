"""keras.models.clone_model against real Keras 3: structure, names, fresh weights,
clone_function, call_function, input_tensors and errors."""
import numpy as np
import pytest

import ndflow as nd


def _sequential(keras):
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="d1"),
                             keras.layers.Dense(1)], name="seq")


def _functional(keras):
    a, b = keras.Input((3,), name="inp"), keras.Input((2,), name="other")
    hidden = keras.layers.Dense(2)(a)
    out = keras.layers.Concatenate()([hidden, b])
    return keras.Model([a, b], out, name="fun")


def _describe(model, x):
    return {"type": type(model).__name__, "name": model.name,
            "layers": [(type(layer).__name__, layer.name) for layer in model.layers],
            "shapes": [tuple(w.shape) for w in model.weights],
            "out": np.asarray(model(x)).shape, "built": model.built}


@pytest.mark.parametrize("build,x", [
    (_sequential, np.ones((2, 3), "float32")),
    (_functional, [np.ones((2, 3), "float32"), np.ones((2, 2), "float32")])])
def test_clone_matches_keras(real_tf, build, x):
    results = []
    for lib in (nd, real_tf):
        lib.keras.backend.clear_session()
        model = build(lib.keras)
        clone = lib.keras.models.clone_model(model)
        assert all(a is not b for a, b in zip(model.layers, clone.layers))
        assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])
        results.append(_describe(clone, x))
    assert results[0] == results[1]


def test_clone_function_and_input_tensors_match_keras(real_tf):
    results = []
    for lib in (nd, real_tf):
        keras = lib.keras
        keras.backend.clear_session()
        seen = []

        def rename(layer):
            seen.append(layer.name)
            config = layer.get_config()
            config["name"] += "_c"
            return layer.__class__.from_config(config)
        model = _functional(keras)
        clone = keras.models.clone_model(model, clone_function=rename)
        new_inputs = [keras.Input((3,), name="x1"), keras.Input((2,), name="x2")]
        rewired = keras.models.clone_model(model, input_tensors=new_inputs)
        assert rewired.inputs[0] is new_inputs[0]
        seq = keras.models.clone_model(_sequential(keras),
                                       input_tensors=keras.Input((3,), name="zz"))
        results.append((seen, [layer.name for layer in clone.layers],
                        [layer.name for layer in rewired.layers],
                        [layer.name for layer in seq.layers], seq.built))
        with pytest.raises(ValueError, match="same structure"):
            keras.models.clone_model(model, input_tensors=[new_inputs[0]])
    assert results[0] == results[1]


def test_clone_copies_weights_with_set_weights_and_shares_shared_layers():
    nd.keras.backend.clear_session()
    shared = nd.keras.layers.Dense(3)
    x = nd.keras.Input((3,))
    model = nd.keras.Model(x, shared(shared(x)))
    clone = nd.keras.models.clone_model(model)
    assert len(clone.weights) == 2
    clone.set_weights(model.get_weights())
    data = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    np.testing.assert_allclose(clone.predict(data, verbose=0), model.predict(data, verbose=0))


def test_call_function_rewires_calls():
    nd.keras.backend.clear_session()
    model = _functional(nd.keras)
    calls = []

    def call(layer, *args, **kwargs):
        calls.append(layer.name)
        return layer(*args, **kwargs)
    clone = nd.keras.models.clone_model(model, call_function=call)
    assert calls == ["dense", "concatenate"]
    assert clone.output_shape == (None, 4)


def test_clone_unbuilt_sequential_and_subclassed(real_tf):
    for lib in (nd, real_tf):
        keras = lib.keras
        unbuilt = keras.models.clone_model(keras.Sequential([keras.layers.Dense(2)]))
        assert not unbuilt.built and len(unbuilt.layers) == 1

    class Sub(nd.keras.Model):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.dense = nd.keras.layers.Dense(units)

        def call(self, x):
            return self.dense(x)

        def get_config(self):
            return {"units": self.units, "name": self.name}
    model = Sub(units=3, name="sub")
    clone = nd.keras.models.clone_model(model)
    assert type(clone) is Sub and clone is not model and clone.units == 3
    with pytest.raises(ValueError, match="only supported"):
        nd.keras.models.clone_model(model, input_tensors=[nd.keras.Input((2,))])


def test_recursive_clone_clones_nested_models():
    nd.keras.backend.clear_session()
    inner = nd.keras.Sequential([nd.keras.Input((3,)), nd.keras.layers.Dense(2)], name="inner")
    x = nd.keras.Input((3,))
    model = nd.keras.Model(x, nd.keras.layers.Dense(1)(inner(x)))
    seen = []

    def record(layer):
        seen.append(layer.name)
        return layer.__class__.from_config(layer.get_config())
    nd.keras.models.clone_model(model, clone_function=record, recursive=True)
    assert seen == ["dense", "dense_1"]
