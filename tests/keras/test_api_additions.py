"""Behaviour of the Keras names the API-surface audit (test_api_surface.py) added:
legacy backend functions, InputSpec, Wrapper, keras.config, keras.random, SwapEMAWeights, ..."""
import importlib

import numpy as np
import pytest

import ndflow as nd


def _close(ours, theirs, **kw):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), rtol=1e-5, atol=1e-6, **kw)


BACKEND_CASES = [
    ("cos", lambda r: (r.standard_normal((3, 4)).astype("float32"),)),
    ("sin", lambda r: (r.standard_normal((3, 4)).astype("float32"),)),
    ("softsign", lambda r: (r.standard_normal((3, 4)).astype("float32"),)),
    ("hard_sigmoid", lambda r: (np.linspace(-4, 4, 12, dtype="float32"),)),
    ("elu", lambda r: (r.standard_normal((3, 4)).astype("float32"), 0.5)),
    ("repeat", lambda r: (r.standard_normal((2, 3)).astype("float32"), 4)),
    ("reverse", lambda r: (r.standard_normal((2, 3, 4)).astype("float32"), [0, 2])),
    ("temporal_padding", lambda r: (r.standard_normal((2, 3, 4)).astype("float32"), (1, 2))),
    ("spatial_2d_padding", lambda r: (r.standard_normal((1, 2, 3, 2)).astype("float32"),
                                      ((1, 0), (2, 1)))),
    ("spatial_3d_padding", lambda r: (r.standard_normal((1, 2, 2, 2, 1)).astype("float32"),)),
    ("batch_normalization", lambda r: tuple(r.standard_normal((4,)).astype("float32") ** p
                                            for p in (1, 1, 2, 1, 1))),
    ("binary_focal_crossentropy", lambda r: ((r.random((3, 4)) > 0.5).astype("float32"),
                                             r.random((3, 4)).astype("float32") * 0.9 + 0.05,
                                             True, 0.3, 1.5)),
    ("categorical_focal_crossentropy", lambda r: (np.eye(4, dtype="float32")[[0, 2, 3]],
                                                  r.standard_normal((3, 4)).astype("float32"),
                                                  0.25, 2.0, True)),
    ("conv1d", lambda r: (r.standard_normal((2, 9, 3)).astype("float32"),
                          r.standard_normal((3, 3, 4)).astype("float32"), 2, "causal")),
    ("conv2d", lambda r: (r.standard_normal((2, 7, 6, 3)).astype("float32"),
                          r.standard_normal((3, 2, 3, 4)).astype("float32"), (2, 1), "same")),
    ("depthwise_conv2d", lambda r: (r.standard_normal((2, 7, 6, 3)).astype("float32"),
                                    r.standard_normal((3, 3, 3, 2)).astype("float32"))),
    ("separable_conv2d", lambda r: (r.standard_normal((2, 7, 6, 3)).astype("float32"),
                                    r.standard_normal((3, 3, 3, 2)).astype("float32"),
                                    r.standard_normal((1, 1, 6, 5)).astype("float32"))),
    ("pool2d", lambda r: (r.standard_normal((2, 7, 6, 3)).astype("float32"), (2, 2), (2, 2),
                          "valid", None, "avg")),
    ("resize_images", lambda r: (r.standard_normal((1, 2, 3, 2)).astype("float32"), 2, 3,
                                 "channels_last")),
    ("resize_volumes", lambda r: (r.standard_normal((1, 2, 2, 2, 1)).astype("float32"), 2, 1,
                                  3, "channels_last")),
]


@pytest.mark.parametrize("name,make_args", BACKEND_CASES, ids=[c[0] for c in BACKEND_CASES])
def test_added_backend_functions_match_keras(real_tf, name, make_args):
    args = make_args(np.random.default_rng(7))
    tf_args = [real_tf.constant(a) if isinstance(a, np.ndarray) else a for a in args]
    theirs = getattr(real_tf.keras.backend, name)(*tf_args)
    ours = getattr(nd.keras.backend, name)(*args)
    assert tuple(ours.shape) == tuple(theirs.shape)
    _close(ours, theirs)


def test_added_backend_helpers_match_keras(real_tf):
    K, KT = nd.keras.backend, real_tf.keras.backend
    preds = np.array([[0.1, 0.5, 0.5, 0.2], [0.9, 0.1, 0.0, np.inf]], "float32")
    for k in (1, 2):
        np.testing.assert_array_equal(K.in_top_k(preds, np.array([2, 3]), k),
                                      KT.in_top_k(preds, np.array([2, 3]), k))
    for dtype in ("float16", "bfloat16", "int8", "uint16", "bool", None):
        assert K.is_float_dtype(dtype) == KT.is_float_dtype(dtype)
        assert K.is_int_dtype(dtype) == KT.is_int_dtype(dtype)
    assert K.backend() == KT.backend() == "tensorflow"
    x = nd.constant([[1.0, 2.0], [3.0, 4.0]])
    _close(K.map_fn(lambda r: r * 2.0, x), KT.map_fn(lambda r: r * 2.0, x.numpy()))
    _close(K.foldl(lambda a, r: a * 2.0 + r, x), KT.foldl(lambda a, r: a * 2.0 + r, x.numpy()))
    _close(K.foldr(lambda a, r: a * 2.0 + r, x), KT.foldr(lambda a, r: a * 2.0 + r, x.numpy()))
    assert K.random_normal((3, 2)).dtype.name == "float32"
    assert K.random_bernoulli((50,), p=1.0).numpy().sum() == 50
    assert tuple(K.truncated_normal((2, 5), seed=1).shape) == (2, 5)
    v = K.random_uniform_variable((2, 2), 0.0, 1.0, name="u")
    assert isinstance(v, nd.Variable) and tuple(v.shape) == (2, 2)


def test_added_backend_variable_updates():
    K = nd.keras.backend
    v = nd.Variable([1.0, 2.0])
    K.update_add(v, [1.0, 1.0])
    K.update_sub(v, [0.5, 0.5])
    np.testing.assert_allclose(v.numpy(), [1.5, 2.5])
    K.moving_average_update(v, [3.5, 4.5], 0.5)
    np.testing.assert_allclose(v.numpy(), [2.5, 3.5])
    K.batch_set_value([(v, [0, 7])])
    np.testing.assert_allclose(K.batch_get_value([v])[0], [0.0, 7.0])
    K.update(v, [9.0, 9.0])
    np.testing.assert_allclose(v.numpy(), [9.0, 9.0])
    with pytest.raises(RuntimeError, match="GradientTape"):
        K.gradients(v, [v])


def test_backend_conv_is_differentiable():
    x = nd.Variable(np.ones((1, 2, 4, 4), "float32"))
    kernel = nd.constant(np.ones((2, 2, 2, 1), "float32"))
    with nd.GradientTape() as tape:
        y = nd.reduce_sum(nd.keras.backend.conv2d(x, kernel, data_format="channels_first"))
    assert tape.gradient(y, x) is not None


def test_input_spec_matches_keras(real_tf):
    for kwargs in ({"dtype": "float32", "shape": (None, 3), "name": "x"}, {"ndim": 3,
                   "axes": {-1: 4}}, {"min_ndim": 2, "max_ndim": 4}, {}):
        ours, theirs = nd.keras.layers.InputSpec(**kwargs), real_tf.keras.layers.InputSpec(**kwargs)
        assert ours.get_config() == theirs.get_config()
        assert repr(ours) == repr(theirs)
    with pytest.raises(ValueError, match="greater than the maximum"):
        nd.keras.layers.InputSpec(ndim=2, axes={3: 4})
    with pytest.raises(TypeError):
        nd.keras.layers.InputSpec(axes={"a": 4})


def test_input_spec_check():
    from ndflow.keras.layers.input_spec import assert_input_compatibility
    spec = nd.keras.layers.InputSpec(ndim=3, axes={-1: 4})
    assert_input_compatibility(spec, nd.zeros((2, 5, 4)), "layer")
    with pytest.raises(ValueError, match="expected ndim=3"):
        assert_input_compatibility(spec, nd.zeros((2, 4)), "layer")
    with pytest.raises(ValueError, match="axis -1"):
        assert_input_compatibility(spec, nd.zeros((2, 5, 3)), "layer")


def test_wrapper_and_layer_serialization_match_keras(real_tf):
    ours_cls = type("Twice", (nd.keras.layers.Wrapper,), {"call": lambda s, x: s.layer(x) * 2})
    theirs_cls = type("Twice", (real_tf.keras.layers.Wrapper,),
                      {"call": lambda s, x: s.layer(x) * 2})
    ours, theirs = ours_cls(nd.keras.layers.Dense(3)), theirs_cls(real_tf.keras.layers.Dense(3))
    a, b = ours.get_config(), theirs.get_config()
    for config in (a, b, a["layer"]["config"], b["layer"]["config"]):
        config.pop("name")
    assert a == b
    clone = ours_cls.from_config(ours.get_config())
    assert clone.layer.units == 3
    assert tuple(clone(np.ones((2, 5), "float32")).shape) == (2, 3)
    with pytest.raises(ValueError, match="supported layer type"):
        ours_cls(3)
    config = nd.keras.layers.serialize(nd.keras.layers.Dense(2))
    assert config["class_name"] == "Dense" and config["module"] == "keras.layers"
    assert nd.keras.layers.deserialize(config).units == 2


def test_utils_config_matches_keras(real_tf):
    for cls in (nd.keras.utils.Config, real_tf.keras.utils.Config):
        c = cls(a=1, b=2)
        c.x = 5
        assert (c.a, c["b"], len(c), list(c), "a" in c) == (1, 2, 3, ["a", "b", "x"], True)
        assert c.as_dict() == {"a": 1, "b": 2, "x": 5} and c.to_json() == '{"a": 1, "b": 2, "x": 5}'
        assert repr(c) == "<Config {'a': 1, 'b': 2, 'x': 5}>"
        c.freeze()
        assert c.frozen
        for mutate in (lambda: setattr(c, "a", 3), lambda: c.update({"a": 1}),
                       lambda: c.pop("a")):
            with pytest.raises(ValueError, match="frozen"):
                mutate()
        with pytest.raises(AttributeError):
            c.missing
        c.unfreeze()
        c.a = 9
        assert c.a == 9


def test_interactive_logging_switch(capsys, caplog):
    utils = nd.keras.utils
    assert utils.is_interactive_logging_enabled()
    utils.disable_interactive_logging()
    try:
        assert not utils.is_interactive_logging_enabled()
        with caplog.at_level("INFO", logger="ndflow.keras"):
            bar = utils.Progbar(2, verbose=2)
            bar.update(2, [("loss", 0.5)])
        assert capsys.readouterr().out == ""
        assert "loss: 0.5000" in caplog.text
    finally:
        utils.enable_interactive_logging()
    bar = utils.Progbar(2, verbose=2)
    bar.update(2, [("loss", 0.5)])
    assert "loss: 0.5000" in capsys.readouterr().out


def test_progbar_averages_like_keras(real_tf, capsys):
    # Keras averages values over steps unless they are named stateful (fit's logs are).
    shown = []
    for module in (nd.keras, real_tf.keras):
        for kwargs in ({}, {"stateful_metrics": ["a"]}, {"stateless_metrics": ["a"]}):
            bar = module.utils.Progbar(None, verbose=2, **kwargs)
            bar.update(1, [("a", 1.0), ("b", 2.0)])
            bar.update(3, [("a", 4.0), ("b", 8.0)])
            values = {k: (v[0] / v[1] if isinstance(v, (list, tuple)) else v)
                      for k, v in bar._values.items()}
            shown.append(values)
    capsys.readouterr()
    assert shown[:3] == shown[3:]
    with pytest.raises(ValueError):
        nd.keras.utils.Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


def test_keras_config_settings(real_tf):
    config = importlib.import_module("ndflow.keras.config")
    theirs = real_tf.keras.config
    for name in ("backend", "floatx", "epsilon", "image_data_format", "is_nnx_enabled",
                 "is_flash_attention_enabled", "is_traceback_filtering_enabled", "max_epochs",
                 "max_steps_per_epoch", "is_interactive_logging_enabled"):
        assert getattr(config, name)() == getattr(theirs, name)(), name
    assert config.dtype_policy().name == theirs.dtype_policy().name
    with pytest.raises(ValueError):
        config.set_backend("jax")


def test_max_epochs_and_steps_cap_fit():
    config = importlib.import_module("ndflow.keras.config")
    model = nd.keras.Sequential([nd.keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    config.set_max_epochs(2)
    config.set_max_steps_per_epoch(3)
    try:
        history = model.fit(np.ones((320, 2)), np.ones((320, 1)), epochs=10, verbose=0)
    finally:
        config.set_max_epochs(None)
        config.set_max_steps_per_epoch(None)
    assert len(history.history["loss"]) == 2
    assert int(model.optimizer.iterations.numpy()) == 6


def test_variable_signature_arguments_match_keras(real_tf):
    for module in (nd.keras, real_tf.keras):
        v = module.Variable(1.0, aggregation="sum", synchronization="on_read")
        assert (v.aggregation, v.synchronization) == ("sum", "on_read")
        w = module.Variable(1.0)
        assert (w.aggregation, w.synchronization) == ("none", "auto")
        with pytest.raises(ValueError, match="aggregation"):
            module.Variable(1.0, aggregation="bogus")


def test_dense_refuses_lora_instead_of_ignoring_it():
    with pytest.raises(NotImplementedError, match="LoRA"):
        nd.keras.layers.Dense(3, lora_rank=2)


def test_input_accepts_keras_ragged_keyword():
    assert tuple(nd.keras.Input((3,), ragged=False).shape) == (None, 3)
    with pytest.raises(NotImplementedError):
        nd.keras.Input((3,), ragged=True)


def test_keras_tensor_signature_keywords():
    from ndflow.keras.layers.functional_node import KerasTensor
    t = KerasTensor((None, 3), "float32", sparse=False, ragged=False, name="x")
    assert (t.shape, t.dtype.name, t.name, t.sparse) == ((None, 3), "float32", "x", False)


def _ema_model(module, weights):
    model = module.Sequential([module.Input((3,)), module.layers.Dense(2)])
    model.set_weights(weights)
    model.compile(module.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), "mse")
    return model


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_matches_keras(real_tf, swap_on_epoch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((16, 3)).astype("float32")
    y = rng.standard_normal((16, 2)).astype("float32")
    weights = [rng.standard_normal((3, 2)).astype("float32"), np.zeros(2, "float32")]
    results = []
    for module in (nd.keras, real_tf.keras):
        model = _ema_model(module, weights)
        swap = module.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)
        history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
                            validation_data=(x, y), callbacks=[swap])
        loss = model.evaluate(x, y, verbose=0, callbacks=[swap])
        results.append((history.history["val_loss"], loss, model.get_weights()))
    (ours_val, ours_loss, ours_w), (their_val, their_loss, their_w) = results
    np.testing.assert_allclose(ours_val, their_val, rtol=1e-5)
    np.testing.assert_allclose(ours_loss, their_loss, rtol=1e-5)
    for a, b in zip(ours_w, their_w):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_fit_ends_with_ema_weights_like_keras(real_tf):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 3)).astype("float32")
    y = rng.standard_normal((8, 2)).astype("float32")
    weights = [rng.standard_normal((3, 2)).astype("float32"), np.zeros(2, "float32")]
    final = []
    for module in (nd.keras, real_tf.keras):
        model = _ema_model(module, weights)
        model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        final.append(model.get_weights())
    for a, b in zip(*final):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_random_seeds_behave_like_keras(real_tf):
    from ndflow.keras import random as ours
    theirs = real_tf.keras.random
    for module in (ours, theirs):
        a = module.normal((3,), seed=5).numpy()
        np.testing.assert_array_equal(a, module.normal((3,), seed=5).numpy())
        gen = module.SeedGenerator(42)
        assert gen.get_config() == {"seed": 42, "name": gen.name}
        first, second = (module.uniform((3,), seed=gen).numpy() for _ in range(2))
        assert not np.array_equal(first, second)
        np.testing.assert_array_equal(gen.state.numpy(), [42, 2])
        assert not np.array_equal(module.normal((3,)).numpy(), module.normal((3,)).numpy())
    for call in (lambda m: m.uniform((2,), dtype="int32"), lambda m: m.normal((2,), seed="a"),
                 lambda m: m.SeedGenerator("a"), lambda m: m.randint((2,), 0, 5,
                                                                      dtype="float32")):
        with pytest.raises(ValueError):
            call(theirs)
        with pytest.raises(ValueError):
            call(ours)


@pytest.mark.parametrize("name,args,kwargs", [
    ("normal", ((4, 3),), {}), ("uniform", ((4, 3),), {"dtype": "float64"}),
    ("truncated_normal", ((5,),), {}), ("randint", ((2, 3), 0, 7), {}),
    ("randint", ((2,), 0, 7), {"dtype": "int8"}),
    ("categorical", ([[0.0, 1.0], [2.0, 0.0]], 5), {}),
    ("shuffle", (np.arange(6),), {}), ("dropout", (np.ones((3, 4), "float32"), 0.5), {}),
    ("gamma", ((3,), 2.0), {}), ("beta", ((3,), 2.0, 3.0), {}),
    ("binomial", ((3,), 5, 0.5), {}),
])
def test_random_shapes_and_dtypes_match_keras(real_tf, name, args, kwargs):
    from ndflow.keras import random as ours
    a = getattr(ours, name)(*args, seed=1, **kwargs)
    b = getattr(real_tf.keras.random, name)(*args, seed=1, **kwargs)
    assert tuple(a.shape) == tuple(b.shape) and a.dtype.name == b.dtype.name


def test_random_distributions():
    from ndflow.keras import random as ours
    x = ours.normal((20000,), mean=1.0, stddev=2.0, seed=3).numpy()
    assert abs(x.mean() - 1.0) < 0.05 and abs(x.std() - 2.0) < 0.05
    t = ours.truncated_normal((20000,), seed=3).numpy()
    assert np.abs(t).max() <= 2.0
    r = ours.randint((20000,), 2, 5, seed=3).numpy()
    assert set(np.unique(r)) == {2, 3, 4}
    c = ours.categorical(np.log([[0.2, 0.8]]).astype("float32"), 20000, seed=4).numpy()
    assert abs(c.mean() - 0.8) < 0.02
    kept = ours.dropout(np.ones((20000,), "float32"), 0.25, seed=5).numpy()
    assert set(np.unique(kept)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((kept == 0).mean() - 0.25) < 0.02
    assert sorted(ours.shuffle(np.arange(10), seed=6).numpy().tolist()) == list(range(10))


def test_seed_generator_in_a_layer_trains_in_graph_mode():
    from ndflow.keras import random as ours

    class Noise(nd.keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = ours.SeedGenerator(1337)

        def call(self, x):
            return x + ours.normal(nd.shape(x), seed=self.seed_generator)

    inputs = nd.keras.Input((4,))
    noise = Noise()
    model = nd.keras.Model(inputs, nd.keras.layers.Dense(1)(noise(inputs)))
    model.compile("sgd", "mse", run_eagerly=False)
    before = int(noise.seed_generator.state.numpy()[1])
    model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), batch_size=4, verbose=0)
    assert int(noise.seed_generator.state.numpy()[1]) == before + 2


def test_layers_check_their_input_spec_like_keras(real_tf):
    def make(keras):
        class Checked(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.input_spec = keras.layers.InputSpec(ndim=2, axes={-1: 3})

            def call(self, x):
                return x * 2.0
        return Checked
    for keras in (nd.keras, real_tf.keras):
        checked = make(keras)
        assert tuple(checked()(np.ones((2, 3), np.float32)).shape) == (2, 3)
        assert tuple(checked()(keras.Input((3,))).shape) == (None, 3)
        for bad in (np.ones((2, 4), np.float32), np.ones((2, 3, 1), np.float32),
                    keras.Input((4,))):
            with pytest.raises(ValueError, match="incompatible with the layer"):
                checked()(bad)
