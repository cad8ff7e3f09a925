"""Merge layers and their functional forms against Keras 3: values, gradients, configs, symbolic
shapes and shape-compatibility errors."""
import numpy as np
import pytest

import ndflow as tf

keras = tf.keras
L = keras.layers
RNG = np.random.default_rng(11)


def _rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _run(module_tf, layer, arrays, tape_cls):
    xs = [module_tf.constant(a) for a in arrays]
    with tape_cls() as tape:
        for x in xs:
            tape.watch(x)
        out = layer(xs)
        probe = np.linspace(-1, 1, int(np.prod(tuple(out.shape)))).reshape(tuple(out.shape))
        loss = module_tf.reduce_sum(out * probe.astype(np.float32))
    grads = tape.gradient(loss, xs)
    return out.numpy(), [g.numpy() for g in grads]


def _compare(real_tf, ours, theirs, arrays, rtol=1e-5):
    n_out, n_grads = _run(tf, ours, arrays, tf.GradientTape)
    r_out, r_grads = _run(real_tf, theirs, arrays, real_tf.GradientTape)
    assert n_out.shape == r_out.shape
    np.testing.assert_allclose(n_out, r_out, rtol=rtol, atol=1e-6)
    for n, r in zip(n_grads, r_grads):
        np.testing.assert_allclose(n, r, rtol=rtol, atol=1e-6)
    assert ours.weights == [] and theirs.weights == []


def _config_without_name(layer):
    config = dict(layer.get_config())
    config.pop("name")
    return config


# class name, kwargs, input shapes (with batch)
CASES = [
    ("Add", {}, [(2, 3), (2, 3)]),
    ("Add", {}, [(2, 3, 4), (2, 3, 4), (2, 3, 4)]),
    ("Add", {}, [(2, 3), (2, 1)]),
    ("Add", {}, [(2, 3, 4), (2, 4)]),
    ("Subtract", {}, [(2, 5), (2, 5)]),
    ("Subtract", {}, [(2, 3, 1), (2, 3, 4)]),
    ("Multiply", {}, [(2, 4), (2, 4), (2, 4)]),
    ("Multiply", {}, [(2, 1, 3), (2, 3)]),
    ("Average", {}, [(2, 3), (2, 3), (2, 3)]),
    ("Maximum", {}, [(2, 3), (2, 3)]),
    ("Maximum", {}, [(2, 3), (2, 1, 3)]),
    ("Minimum", {}, [(2, 3, 2), (2, 3, 2)]),
    ("Concatenate", {}, [(2, 3), (2, 4)]),
    ("Concatenate", {"axis": 1}, [(2, 3, 4), (2, 2, 4), (2, 1, 4)]),
    ("Concatenate", {"axis": 0}, [(2, 3), (1, 3)]),
    ("Concatenate", {"axis": -2}, [(2, 3, 4), (2, 5, 4)]),
    ("Dot", {"axes": 1}, [(2, 4), (2, 4)]),
    ("Dot", {"axes": -1}, [(2, 3, 4), (2, 5, 4)]),
    ("Dot", {"axes": (1, 1)}, [(2, 3, 4), (2, 3, 5)]),
    ("Dot", {"axes": (2, 1)}, [(2, 3, 4), (2, 4, 5)]),
    ("Dot", {"axes": [1, 2]}, [(2, 4), (2, 3, 4)]),
    ("Dot", {"axes": (2, 1)}, [(2, 3, 4), (2, 4)]),
    ("Dot", {"axes": (3, 1)}, [(2, 3, 4, 5), (2, 5, 2, 3)]),
    ("Dot", {"axes": 1, "normalize": True}, [(2, 4), (2, 4)]),
    ("Dot", {"axes": (1, 2), "normalize": True}, [(2, 3, 5), (2, 4, 3)]),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_and_gradients_match_keras(real_tf, case):
    name, kwargs, shapes = case
    arrays = [_rand(*s) for s in shapes]
    _compare(real_tf, getattr(L, name)(**kwargs), getattr(real_tf.keras.layers, name)(**kwargs),
             arrays)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_configs_and_round_trip(real_tf, case):
    name, kwargs, _ = case
    ours, theirs = getattr(L, name)(**kwargs), getattr(real_tf.keras.layers, name)(**kwargs)
    assert _config_without_name(ours) == _config_without_name(theirs)
    clone = type(ours).from_config(ours.get_config())
    assert clone.get_config() == ours.get_config()


@pytest.mark.parametrize("case", [c for c in CASES if c[0] != "Concatenate" or
                                  c[1].get("axis") != 0], ids=lambda c: c[0])
def test_symbolic_shapes_match_keras(real_tf, case):
    name, kwargs, shapes = case

    def shape_of(module):
        ins = [module.Input(s[1:]) for s in shapes]
        return tuple(getattr(module.layers, name)(**kwargs)(ins).shape)

    expected = shape_of(real_tf.keras)
    assert shape_of(keras) == expected
    batchless = [(None,) + tuple(s[1:]) for s in shapes]
    assert tuple(getattr(L, name)(**kwargs).compute_output_shape(batchless)) == expected


FUNCTIONAL = [
    ("concatenate", {"axis": 1}, [(3,), (2,)]),
    ("add", {}, [(3,), (3,)]),
    ("subtract", {}, [(3,), (3,)]),
    ("multiply", {}, [(3,), (3,), (3,)]),
    ("average", {}, [(4,), (4,)]),
    ("maximum", {}, [(4,), (4,)]),
    ("minimum", {}, [(4,), (4,)]),
    ("dot", {"axes": 1}, [(4,), (4,)]),
    ("dot", {}, [(2, 4), (3, 4)]),
]


@pytest.mark.parametrize("case", FUNCTIONAL, ids=[c[0] for c in FUNCTIONAL])
def test_functional_forms_on_keras_tensors_and_tensors(real_tf, case):
    name, kwargs, shapes = case
    ins = [keras.Input(s) for s in shapes]
    out = getattr(L, name)(ins, **kwargs)
    r_ins = [real_tf.keras.Input(s) for s in shapes]
    r_out = getattr(real_tf.keras.layers, name)(r_ins, **kwargs)
    assert tuple(out.shape) == tuple(r_out.shape)
    model = keras.Model(ins, out)
    arrays = [_rand(2, *s) for s in shapes]
    expected = real_tf.keras.Model(r_ins, r_out)(arrays).numpy()
    np.testing.assert_allclose(model(arrays).numpy(), expected, rtol=1e-5, atol=1e-6)
    eager = getattr(L, name)([tf.constant(a) for a in arrays], **kwargs)
    np.testing.assert_allclose(eager.numpy(), expected, rtol=1e-5, atol=1e-6)


def test_functional_forms_pass_layer_kwargs():
    ins = [keras.Input((3,)), keras.Input((3,))]
    out = L.add(ins, name="my_sum")
    model = keras.Model(ins, out)
    assert model.get_layer("my_sum").__class__ is L.Add


ERRORS = [
    ("Add", {}, [(2, 3), (2, 4)]),
    ("Add", {}, [(2, 3), (3, 3)]),
    ("Multiply", {}, [(2, 3, 4), (2, 5)]),
    ("Subtract", {}, [(2, 3), (2, 3), (2, 3)]),
    ("Concatenate", {}, [(2, 3), (2, 4, 5)]),
    ("Concatenate", {}, [(2, 3, 4), (2, 4, 5)]),
    ("Concatenate", {"axis": 1}, [(2, 3, 4), (2, 3, 5)]),
    ("Dot", {"axes": 1}, [(2, 3), (2, 4)]),
    ("Dot", {"axes": 1}, [(2, 3), (2, 3), (2, 3)]),
    ("Dot", {"axes": 0}, [(2, 3), (2, 3)]),
]


@pytest.mark.parametrize("case", ERRORS, ids=[f"{c[0]}-{i}" for i, c in enumerate(ERRORS)])
def test_shape_errors_match_keras(real_tf, case):
    name, kwargs, shapes = case
    arrays = [np.ones(s, np.float32) for s in shapes]
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, name)(**kwargs)(arrays)
    with pytest.raises(Exception) as ours:
        getattr(L, name)(**kwargs)(arrays)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value).split(".")[0] in str(theirs.value)


@pytest.mark.parametrize("name", ["Add", "Concatenate", "Subtract"])
def test_symbolic_shape_errors_are_raised_when_the_layer_is_added(real_tf, name):
    with pytest.raises(ValueError):
        getattr(real_tf.keras.layers, name)()([real_tf.keras.Input((3,)),
                                               real_tf.keras.Input((4, 5))])
    with pytest.raises(ValueError):
        getattr(L, name)()([keras.Input((3,)), keras.Input((4, 5))])


def test_non_list_input_and_bad_dot_arguments(real_tf):
    for module in (L, real_tf.keras.layers):
        with pytest.raises(ValueError, match="list of inputs"):
            module.Add()(np.ones((2, 3), np.float32))
        with pytest.raises(TypeError):
            module.Dot(axes="a")
        with pytest.raises(ValueError):
            module.Dot(axes=(1, 2, 3))
        with pytest.raises(ValueError):
            module.Dot(axes=(1.0, 2))


def test_single_input_merges_are_identity(real_tf):
    x = _rand(2, 3)
    for name in ("Add", "Concatenate", "Maximum"):
        out = getattr(L, name)()([x]).numpy()
        np.testing.assert_array_equal(out, getattr(real_tf.keras.layers, name)()([x]).numpy())


def test_dot_normalize_of_zero_vector_stays_finite():
    out = L.Dot(axes=1, normalize=True)([np.zeros((1, 3), np.float32),
                                         np.ones((1, 3), np.float32)])
    assert np.isfinite(out.numpy()).all() and out.numpy()[0, 0] == 0


def test_merge_masks_combine():
    a = tf.constant([[True, False]])
    b = tf.constant([[False, False]])
    np.testing.assert_array_equal(L.Add().compute_mask([None, None], [a, b]).numpy(),
                                  [[True, False]])
    assert L.Add().compute_mask([None, None], [a, None]) is None
    assert L.Dot(axes=1).compute_mask([None, None], [a, b]) is None
