"""Core layers (Activation, Flatten, Reshape, Permute, RepeatVector, Lambda, Embedding, Rescaling,
Identity) against Keras 3: values, gradients, weights, configs, symbolic shapes and errors."""
import numpy as np
import pytest

import ndflow as tf

keras = tf.keras
L = keras.layers
RNG = np.random.default_rng(7)


def _rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _compare(real_tf, ours, theirs, inputs, call_kwargs=None, rtol=1e-5, atol=1e-6,
             copy_weights=True):
    """Same outputs and same gradients (inputs and weights) for the same inputs."""
    call_kwargs = call_kwargs or {}
    multi = isinstance(inputs, list)
    xs = _as_list(inputs)
    r_in = [real_tf.constant(x) for x in xs]
    n_in = [tf.constant(x) for x in xs]
    theirs(r_in if multi else r_in[0], **call_kwargs)        # build both
    ours(n_in if multi else n_in[0], **call_kwargs)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    if copy_weights and theirs.weights:
        ours.set_weights(theirs.get_weights())
    with real_tf.GradientTape() as rtape:
        for x in r_in:
            if x.dtype.is_floating:
                rtape.watch(x)
        r_out = theirs(r_in if multi else r_in[0], **call_kwargs)
        probe = RNG.standard_normal(tuple(r_out.shape)).astype(np.float32)
        r_loss = real_tf.reduce_sum(real_tf.cast(r_out, "float32") * probe)
    with tf.GradientTape() as ntape:
        for x in n_in:
            if x.dtype.is_floating:
                ntape.watch(x)
        n_out = ours(n_in if multi else n_in[0], **call_kwargs)
        n_loss = tf.reduce_sum(tf.cast(n_out, "float32") * probe)
    assert n_out.dtype.name == r_out.dtype.name
    np.testing.assert_allclose(n_out.numpy(), r_out.numpy(), rtol=rtol, atol=atol)
    float_in = [i for i, x in enumerate(xs) if np.issubdtype(x.dtype, np.floating)]
    r_grads = rtape.gradient(r_loss, [r_in[i] for i in float_in] + list(theirs.trainable_weights))
    n_grads = ntape.gradient(n_loss, [n_in[i] for i in float_in] + list(ours.trainable_weights))
    for r, n in zip(r_grads, n_grads):
        assert (r is None) == (n is None)
        if r is not None:
            np.testing.assert_allclose(tf.convert_to_tensor(n).numpy(),
                                       real_tf.convert_to_tensor(r).numpy(), rtol=rtol,
                                       atol=atol)
    return n_out


def _config_without_name(layer):
    config = dict(layer.get_config())
    config.pop("name", None)
    return config


def _symbolic_shape(module, layer, shapes, dtype="float32"):
    ins = [module.Input(s, dtype=dtype) for s in shapes]
    out = layer(ins if len(ins) > 1 else ins[0])
    return tuple(out.shape)


def _make(module, spec):
    name, args, kwargs = spec
    return getattr(module.layers, name)(*args, **kwargs)


def _double(x):
    return x * 2.0


def _scaled(x, factor=1.0):
    return x * factor


# name, args, kwargs, input shapes (without batch), batch
CASES = [
    ("Activation", ("relu",), {}, [(3, 4)]),
    ("Activation", ("softmax",), {}, [(5,)]),
    ("Activation", ("tanh",), {}, [(2, 2, 2)]),
    ("Flatten", (), {}, [(3, 4)]),
    ("Flatten", (), {}, [(3,)]),
    ("Flatten", (), {"data_format": "channels_first"}, [(3, 4, 5)]),
    ("Reshape", ((-1, 2),), {}, [(3, 4)]),
    ("Reshape", ((6, 2),), {}, [(3, 4)]),
    ("Reshape", ((2, -1, 3),), {}, [(12,)]),
    ("Permute", ((2, 1),), {}, [(3, 4)]),
    ("Permute", ((3, 1, 2),), {}, [(2, 3, 4)]),
    ("RepeatVector", (3,), {}, [(5,)]),
    ("Lambda", (_double,), {}, [(3, 4)]),
    ("Lambda", (_scaled,), {"arguments": {"factor": 3.0}}, [(4,)]),
    ("Rescaling", (1 / 255.0,), {"offset": -1.0}, [(3, 4)]),
    ("Rescaling", (2.0,), {}, [(6,)]),
    ("Identity", (), {}, [(3,)]),
]


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.mark.parametrize("spec", CASES, ids=_ids(CASES))
def test_values_and_gradients_match_keras(real_tf, spec):
    inputs = [_rand(2, *s) for s in spec[3]]
    _compare(real_tf, _make(keras, spec[:3]), _make(real_tf.keras, spec[:3]),
             inputs if len(inputs) > 1 else inputs[0])


@pytest.mark.parametrize("spec", CASES, ids=_ids(CASES))
def test_configs_match_keras(real_tf, spec):
    ours, theirs = _make(keras, spec[:3]), _make(real_tf.keras, spec[:3])
    mine, ref = _config_without_name(ours), _config_without_name(theirs)
    if spec[0] == "Lambda":   # named functions: the registry's naming is checked elsewhere
        assert mine.pop("function")["config"] == ref.pop("function")["config"]
    assert mine == ref


@pytest.mark.parametrize("spec", CASES, ids=_ids(CASES))
def test_from_config_round_trip(spec):
    layer = _make(keras, spec[:3])
    config = layer.get_config()
    if spec[0] == "Lambda":
        clone = L.Lambda.from_config(config, custom_objects={"_double": _double,
                                                             "_scaled": _scaled})
    else:
        clone = type(layer).from_config(config)
    assert clone.get_config() == config
    x = _rand(2, *spec[3][0])
    np.testing.assert_allclose(clone(x).numpy(), layer(x).numpy())


@pytest.mark.parametrize("spec", CASES, ids=_ids(CASES))
def test_symbolic_shapes_match_keras(real_tf, spec):
    shapes = spec[3]
    ours = _symbolic_shape(keras, _make(keras, spec[:3]), shapes)
    theirs = _symbolic_shape(real_tf.keras, _make(real_tf.keras, spec[:3]), shapes)
    assert ours == theirs
    layer = _make(keras, spec[:3])
    if spec[0] != "Lambda":
        assert tuple(layer.compute_output_shape((None,) + shapes[0])) == theirs


def test_reshape_and_flatten_with_unknown_dims(real_tf):
    assert _symbolic_shape(keras, L.Reshape((-1, 2)), [(None, 4)]) == \
        _symbolic_shape(real_tf.keras, real_tf.keras.layers.Reshape((-1, 2)), [(None, 4)])
    assert _symbolic_shape(keras, L.Flatten(), [(None, 4)]) == (None, None)
    x = _rand(2, 5, 4)
    np.testing.assert_allclose(L.Reshape((-1, 2))(x).numpy(), x.reshape(2, 10, 2))


# -- Embedding ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"mask_zero": True},
                                    {"embeddings_regularizer": "l2",
                                     "embeddings_constraint": "non_neg"}])
def test_embedding_matches_keras(real_tf, kwargs):
    ours, theirs = L.Embedding(10, 4, **kwargs), real_tf.keras.layers.Embedding(10, 4, **kwargs)
    ids = RNG.integers(-10, 10, size=(3, 5)).astype(np.int32)
    out = _compare(real_tf, ours, theirs, ids)
    assert out.dtype == tf.float32 and out.shape == [3, 5, 4]
    assert [w.name for w in ours.weights] == ["embeddings"]
    assert _config_without_name(ours) == _config_without_name(theirs)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(ours.compute_mask(tf.constant(ids)).numpy(),
                                      theirs.compute_mask(real_tf.constant(ids)).numpy())
    else:
        assert ours.compute_mask(tf.constant(ids)) is None
    if "embeddings_regularizer" in kwargs:
        np.testing.assert_allclose(sum(l.numpy() for l in ours.losses),
                                   sum(l.numpy() for l in theirs.losses), rtol=1e-5)


def test_embedding_float_and_int64_inputs(real_tf):
    ours = L.Embedding(6, 3)
    ours.build()
    table = ours.get_weights()[0]
    np.testing.assert_allclose(ours(np.array([[1.0, 5.0]], np.float32)).numpy(), table[[[1, 5]]])
    np.testing.assert_allclose(ours(np.array([2, 0], np.int64)).numpy(), table[[2, 0]])
    assert _symbolic_shape(keras, L.Embedding(6, 3), [(7,)], dtype="int32") == \
        _symbolic_shape(real_tf.keras, real_tf.keras.layers.Embedding(6, 3), [(7,)],
                        dtype="int32")


def test_embedding_weights_argument_and_initializer():
    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    layer = L.Embedding(4, 3, weights=[table])
    assert layer.built
    np.testing.assert_array_equal(layer(np.array([3, 1])).numpy(), table[[3, 1]])
    layer = L.Embedding(50, 8)
    layer.build()
    values = layer.embeddings.numpy()
    assert np.abs(values).max() <= 0.05 and values.std() > 0.01
    with pytest.raises(AttributeError):
        _ = L.Embedding(3, 2).embeddings


def test_embedding_trains_with_an_optimizer_step():
    layer = L.Embedding(5, 2, embeddings_initializer="ones")
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(np.array([[1, 1, 3]])))
    grad = tf.convert_to_tensor(tape.gradient(loss, layer.trainable_weights[0])).numpy()
    np.testing.assert_array_equal(grad, [[0, 0], [2, 2], [0, 0], [1, 1], [0, 0]])


# -- Lambda ---------------------------------------------------------------------------------------

def test_lambda_config_of_a_python_lambda_matches_keras(real_tf):
    offset = 4.0
    fn = lambda x, k=2.0: x * k + offset
    ours = L.Lambda(fn, output_shape=(3,), arguments={"k": 3.0})
    theirs = real_tf.keras.layers.Lambda(fn, output_shape=(3,), arguments={"k": 3.0})
    assert _config_without_name(ours) == _config_without_name(theirs)
    config = ours.get_config()
    assert config["function"]["class_name"] == "__lambda__"
    assert config["function"]["config"]["closure"] == (4.0,)


def test_lambda_from_config_needs_unsafe_mode(real_tf):
    offset = 1.5
    layer = L.Lambda(lambda x: x * 2 + offset)
    config = layer.get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        L.Lambda.from_config(dict(config))
    with pytest.raises(ValueError):
        real_tf.keras.layers.Lambda.from_config(dict(config))
    clone = L.Lambda.from_config(dict(config), safe_mode=False)
    x = _rand(2, 3)
    np.testing.assert_allclose(clone(x).numpy(), x * 2 + 1.5, rtol=1e-6)
    # The same config loads in real Keras too (same Python, same bytecode).
    theirs = real_tf.keras.layers.Lambda.from_config(dict(config), safe_mode=False)
    np.testing.assert_allclose(theirs(real_tf.constant(x)).numpy(), x * 2 + 1.5, rtol=1e-6)


def test_lambda_loaded_from_a_keras_config(real_tf):
    theirs = real_tf.keras.layers.Lambda(lambda x, a: x - a, arguments={"a": 1.0},
                                         output_shape=(4,))
    ours = L.Lambda.from_config(theirs.get_config(), safe_mode=False)
    assert ours.compute_output_shape((None, 4)) == (None, 4)
    np.testing.assert_allclose(ours(np.ones((2, 4), np.float32)).numpy(), 0.0)


def test_lambda_passes_training_and_output_shape_forms():
    seen = {}

    def fn(x, training=None):
        seen["training"] = training
        return x

    layer = L.Lambda(fn)
    layer(np.ones((1, 2), np.float32), training=True)
    assert seen["training"] is True
    assert L.Lambda(fn, output_shape=lambda s: s).compute_output_shape((None, 2)) == (None, 2)
    assert L.Lambda(fn, output_shape=(5,)).compute_output_shape((7, 2)) == (7, 5)
    assert L.Lambda(lambda x: x[:, :1]).compute_output_shape((None, 3)) == (None, 1)
    with pytest.raises(TypeError):
        L.Lambda(3)


def test_lambda_in_a_functional_model(real_tf):
    inp = keras.Input((3,))
    out = L.Lambda(lambda t: tf.reduce_sum(t, axis=-1, keepdims=True))(inp)
    model = keras.Model(inp, out)
    x = _rand(4, 3)
    np.testing.assert_allclose(model(x).numpy(), x.sum(-1, keepdims=True), rtol=1e-5)


# -- Rescaling ------------------------------------------------------------------------------------

def test_rescaling_integer_inputs_and_vector_scale(real_tf):
    img = RNG.integers(0, 256, size=(2, 3, 3)).astype(np.int32)
    ours = L.Rescaling(1 / 127.5, offset=-1)
    theirs = real_tf.keras.layers.Rescaling(1 / 127.5, offset=-1)
    out = ours(img)
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), theirs(real_tf.constant(img)).numpy(), rtol=1e-6)
    scale = [0.5, 2.0, 3.0]
    ours, theirs = L.Rescaling(scale), real_tf.keras.layers.Rescaling(scale)
    x = _rand(2, 4, 3)
    np.testing.assert_allclose(ours(x).numpy(), theirs(real_tf.constant(x)).numpy())
    assert _config_without_name(ours) == _config_without_name(theirs)


# -- errors ---------------------------------------------------------------------------------------

ERRORS = [
    ("RepeatVector", lambda L: L.RepeatVector(2)(np.ones((2, 3, 4), np.float32))),
    ("Permute", lambda L: L.Permute((2, 1))(np.ones((2, 3), np.float32))),
    ("Flatten", lambda L: L.Flatten()(np.float32(3.0))),
    ("Reshape", lambda L: L.Reshape((5,))(np.ones((2, 3), np.float32))),
    ("Reshape", lambda L: L.Reshape((4, -1))(np.ones((2, 3), np.float32))),
    ("Reshape", lambda L: L.Reshape((-1, -1))),
    ("Reshape", lambda L: L.Reshape((-2, 3))),
    ("Permute", lambda L: L.Permute((1, 3))),
    ("RepeatVector", lambda L: L.RepeatVector(2.0)),
    ("RepeatVector", lambda L: L.RepeatVector(0)),
    ("Embedding", lambda L: L.Embedding(0, 3)),
    ("Embedding", lambda L: L.Embedding(3, 0.5)),
    ("Embedding", lambda L: L.Embedding(True, 2)),
    ("Flatten", lambda L: L.Flatten(data_format="x")),
    ("Activation", lambda L: L.Activation("nope")),
    ("Lambda", lambda L: L.Lambda(3)),
]


@pytest.mark.parametrize("case", ERRORS, ids=[f"{c[0]}-{i}" for i, c in enumerate(ERRORS)])
def test_errors_match_keras(real_tf, case):
    _, build = case
    with pytest.raises(Exception) as theirs:
        build(real_tf.keras.layers)
    with pytest.raises(Exception) as ours:
        build(L)
    assert type(ours.value) is type(theirs.value)


def test_input_rank_error_message_names_the_layer():
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        L.RepeatVector(2, name="rep")(np.ones((2, 3, 4), np.float32))


def test_layers_are_built_at_init_like_keras(real_tf):
    for name in ("Activation", "Identity", "Reshape"):
        args = {"Activation": ("relu",), "Reshape": ((2,),)}.get(name, ())
        assert getattr(L, name)(*args).built == getattr(real_tf.keras.layers, name)(*args).built


def test_sequential_model_of_core_layers():
    model = keras.Sequential([keras.Input((4, 3)), L.Flatten(), L.RepeatVector(2),
                              L.Permute((2, 1)), L.Reshape((-1,)), L.Activation("tanh")])
    x = _rand(2, 4, 3)
    flat = x.reshape(2, 12)
    expected = np.tanh(np.repeat(flat[:, None], 2, axis=1).transpose(0, 2, 1).reshape(2, -1))
    np.testing.assert_allclose(model(x).numpy(), expected, rtol=1e-6)
    assert model.output_shape == (None, 24)
