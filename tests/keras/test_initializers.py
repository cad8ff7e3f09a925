"""ndflow.keras.initializers: statistics against Keras' formulas, configs against Keras 3."""
import math

import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import initializers

CONV = (3, 3, 32, 64)          # receptive field 9: fan_in 288, fan_out 576
DENSE = (300, 500)
TRUNC = 0.87962566103423978    # stddev of a standard normal truncated at +-2


def _sample(init, shape=CONV, dtype=None):
    value = init(shape, dtype=dtype)
    assert isinstance(value, nd.Tensor)
    assert tuple(value.shape.as_list()) == tuple(shape)
    return value.numpy().astype(np.float64)


def _fans(shape):
    if len(shape) == 2:
        return shape
    field = int(np.prod(shape[:-2]))
    return shape[-2] * field, shape[-1] * field


@pytest.mark.parametrize("shape", [CONV, DENSE])
@pytest.mark.parametrize("cls,scale,mode,uniform", [
    (initializers.GlorotUniform, 1.0, "fan_avg", True),
    (initializers.GlorotNormal, 1.0, "fan_avg", False),
    (initializers.HeUniform, 2.0, "fan_in", True),
    (initializers.HeNormal, 2.0, "fan_in", False),
    (initializers.LecunUniform, 1.0, "fan_in", True),
    (initializers.LecunNormal, 1.0, "fan_in", False),
])
def test_variance_scaling_presets_statistics(cls, scale, mode, uniform, shape):
    fan_in, fan_out = _fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    variance = scale / n
    values = _sample(cls(seed=7), shape)
    assert abs(values.mean()) < 0.02 * math.sqrt(variance)
    np.testing.assert_allclose(values.std(), math.sqrt(variance), rtol=0.02)
    if uniform:
        limit = math.sqrt(3 * variance)
        assert values.min() >= -limit and values.max() <= limit
        assert values.min() < -0.99 * limit and values.max() > 0.99 * limit
    else:
        # Truncated at two (pre-correction) stddevs.
        bound = 2 * math.sqrt(variance) / TRUNC
        assert np.abs(values).max() <= bound * (1 + 1e-6)
        assert np.abs(values).max() > 0.98 * bound


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_statistics(mode, distribution):
    fan_in, fan_out = _fans(CONV)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    std = math.sqrt(3.0 / n)
    values = _sample(initializers.VarianceScaling(3.0, mode, distribution, seed=1))
    np.testing.assert_allclose(values.std(), std, rtol=0.02)
    if distribution == "untruncated_normal":
        assert np.abs(values).max() > 3 * std   # tails exist


def test_variance_scaling_explicit_axes():
    init = initializers.VarianceScaling(1.0, "fan_in", "uniform", seed=2, input_axes=[0, 1],
                                        output_axes=[2])
    values = _sample(init, (20, 30, 40))
    assert values.max() <= math.sqrt(3.0 / 600)


@pytest.mark.parametrize("cls,kwargs,mean,std", [
    (initializers.RandomNormal, {}, 0.0, 0.05),
    (initializers.RandomNormal, {"mean": 1.5, "stddev": 0.3}, 1.5, 0.3),
    (initializers.TruncatedNormal, {}, 0.0, 0.05 * TRUNC),
    (initializers.TruncatedNormal, {"mean": -1.0, "stddev": 2.0}, -1.0, 2.0 * TRUNC),
    (initializers.RandomUniform, {}, 0.0, 0.1 / math.sqrt(12)),
    (initializers.RandomUniform, {"minval": 2.0, "maxval": 5.0}, 3.5, 3.0 / math.sqrt(12)),
])
def test_random_statistics(cls, kwargs, mean, std):
    values = _sample(cls(seed=3, **kwargs), DENSE)
    assert abs(values.mean() - mean) < 0.02 * std
    np.testing.assert_allclose(values.std(), std, rtol=0.02)
    if cls is initializers.TruncatedNormal:
        assert np.abs(values - mean).max() <= 2 * kwargs.get("stddev", 0.05) * (1 + 1e-6)
    if cls is initializers.RandomUniform:
        assert values.min() >= kwargs.get("minval", -0.05)
        assert values.max() < kwargs.get("maxval", 0.05)


def test_constant_initializers():
    np.testing.assert_array_equal(_sample(initializers.Zeros(), (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(_sample(initializers.Ones(), (2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(_sample(initializers.Constant(2.5), (4,)), np.full(4, 2.5))
    np.testing.assert_array_equal(_sample(initializers.Constant([1.0, 2.0]), (3, 2)),
                                  [[1, 2]] * 3)
    ints = initializers.Constant(3)((2,), dtype="int32")
    assert ints.dtype == nd.int32 and ints.numpy().tolist() == [3, 3]
    assert initializers.Zeros()((2,), dtype=nd.int64).dtype == nd.int64


def test_identity():
    np.testing.assert_array_equal(_sample(initializers.Identity(2.0), (2, 3)),
                                  [[2, 0, 0], [0, 2, 0]])
    with pytest.raises(ValueError, match="2D matrices"):
        initializers.Identity()((2, 2, 2))


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 4, 5)])
def test_orthogonal(shape):
    values = _sample(initializers.Orthogonal(gain=2.0, seed=4), shape)
    flat = values.reshape(-1, shape[-1])
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-5)
    with pytest.raises(ValueError, match="at least two-dimensional"):
        initializers.Orthogonal()((3,))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_dtype_of_results(dtype):
    for name in ["glorot_uniform", "he_normal", "random_normal", "random_uniform",
                 "truncated_normal", "orthogonal", "zeros", "ones", "identity"]:
        value = initializers.get(name)((4, 4), dtype=dtype)
        assert value.dtype.name == dtype, name
        assert value.dtype == nd.as_dtype(dtype)
    assert initializers.get("glorot_uniform")((2, 2)).dtype == nd.float32
    assert initializers.get("glorot_uniform")((2, 2), dtype=nd.float64).dtype == nd.float64


def test_seeded_calls_repeat_and_seeds_differ():
    a = initializers.GlorotUniform(seed=5)
    np.testing.assert_array_equal(a((8, 8)).numpy(), a((8, 8)).numpy())
    np.testing.assert_array_equal(a((8, 8)).numpy(),
                                  initializers.GlorotUniform(seed=5)((8, 8)).numpy())
    assert not np.array_equal(a((8, 8)).numpy(),
                              initializers.GlorotUniform(seed=6)((8, 8)).numpy())


def test_unseeded_instance_repeats_but_instances_differ():
    # Keras 3: an unseeded initializer picks its seed once, when it is created.
    a = initializers.RandomNormal()
    np.testing.assert_array_equal(a((8, 8)).numpy(), a((8, 8)).numpy())
    assert not np.array_equal(a((8, 8)).numpy(), initializers.RandomNormal()((8, 8)).numpy())


def test_global_seed_makes_unseeded_reproducible():
    nd.random.set_seed(1234)
    first = [initializers.HeNormal()((5, 5)).numpy() for _ in range(2)]
    nd.random.set_seed(1234)
    second = [initializers.HeNormal()((5, 5)).numpy() for _ in range(2)]
    nd.random.set_seed(None)
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(first[0], first[1])


def test_python_seed_makes_unseeded_reproducible_without_global_seed():
    # Keras 3 draws default seeds from Python's `random`, which set_random_seed seeds.
    import random
    nd.random.set_seed(None)
    random.seed(99)
    first = initializers.GlorotNormal()((4, 4)).numpy()
    random.seed(99)
    np.testing.assert_array_equal(first, initializers.GlorotNormal()((4, 4)).numpy())


def test_get_identifiers():
    assert initializers.get(None) is None
    for name, cls in [("glorot_uniform", initializers.GlorotUniform),
                      ("GlorotUniform", initializers.GlorotUniform),
                      ("he_normal", initializers.HeNormal), ("zeros", initializers.Zeros),
                      ("zero", initializers.Zeros), ("ones", initializers.Ones),
                      ("one", initializers.Ones), ("normal", initializers.RandomNormal),
                      ("uniform", initializers.RandomUniform),
                      ("IdentityInitializer", initializers.Identity),
                      ("orthogonal", initializers.Orthogonal),
                      ("variance_scaling", initializers.VarianceScaling)]:
        assert type(initializers.get(name)) is cls, name
    assert isinstance(initializers.get(initializers.HeUniform), initializers.HeUniform)
    inst = initializers.Ones()
    assert initializers.get(inst) is inst

    def fn(shape, dtype=None):
        return nd.zeros(shape, dtype=dtype)
    assert initializers.get(fn) is fn
    config = {"class_name": "RandomNormal", "config": {"stddev": 2.0, "seed": 1}}
    got = initializers.get(config)
    assert isinstance(got, initializers.RandomNormal) and got.stddev == 2.0


def test_get_unknown_name():
    with pytest.raises(ValueError, match="Could not interpret initializer identifier.*"
                                         "glorot_uniform"):
        initializers.get("glorot_unifrom")


def test_get_array_is_the_initial_value():
    value = np.arange(6.0).reshape(2, 3)
    init = initializers.get(value)
    out = init((2, 3), dtype="float32")
    assert out.dtype == nd.float32
    np.testing.assert_array_equal(out.numpy(), value)
    with pytest.raises(ValueError, match="Expected `shape`"):
        init((3, 2))
    assert initializers.get(nd.constant([1.0, 2.0]))((2,)).numpy().tolist() == [1.0, 2.0]


def test_user_subclass_round_trip():
    class Twos(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return 2.0 * nd.ones(shape, dtype=dtype or "float32")
    config = initializers.serialize(Twos())
    assert config["class_name"] == "Twos"
    restored = initializers.deserialize(config, custom_objects={"Twos": Twos})
    assert isinstance(restored, Twos)


def test_clone_and_from_config():
    init = initializers.VarianceScaling(2.0, "fan_out", "uniform", seed=9)
    clone = init.clone()
    assert clone.get_config() == init.get_config()
    np.testing.assert_array_equal(clone((3, 3)).numpy(), init((3, 3)).numpy())


# -- conformance with Keras 3 --------------------------------------------------------------------

CONFIG_CASES = [
    ("Zeros", {}), ("Ones", {}), ("Constant", {}), ("Constant", {"value": 3.5}),
    ("Identity", {}), ("RandomNormal", {}), ("RandomNormal", {"mean": 1.0, "stddev": 2.0,
                                                              "seed": 3}),
    ("RandomUniform", {}), ("RandomUniform", {"minval": -1.0, "maxval": 2, "seed": 4}),
    ("TruncatedNormal", {"stddev": 0.1}), ("VarianceScaling", {}),
    ("VarianceScaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "normal",
                         "seed": 2}),
    ("VarianceScaling", {"distribution": "UNIFORM", "input_axes": [0], "output_axes": [1]}),
    ("GlorotUniform", {}), ("GlorotUniform", {"seed": 1}), ("GlorotNormal", {}),
    ("HeUniform", {"seed": 11}), ("HeNormal", {}), ("LecunUniform", {}), ("LecunNormal", {}),
    ("Orthogonal", {}), ("Orthogonal", {"gain": 0.5, "seed": 1}),
]


@pytest.mark.parametrize("name,kwargs", CONFIG_CASES, ids=str)
def test_config_and_serialize_match_keras(real_tf, name, kwargs):
    ki = real_tf.keras.initializers
    ours = getattr(initializers, name)(**kwargs)
    theirs = getattr(ki, name)(**kwargs)
    assert ours.get_config() == theirs.get_config()
    assert initializers.serialize(ours) == ki.serialize(theirs)
    # Keras' own config loads here, and ours loads in Keras.
    restored = initializers.deserialize(ki.serialize(theirs))
    assert type(restored) is type(ours) and restored.get_config() == ours.get_config()
    assert ki.deserialize(initializers.serialize(ours)).get_config() == theirs.get_config()


@pytest.mark.parametrize("shape", [(), (7,), (3, 4), (3, 3, 5), (2, 3, 4, 5), (2, 2, 2, 3, 4)])
def test_fans_match_keras(real_tf, shape):
    from keras.src.initializers.random_initializers import compute_fans
    assert initializers.compute_fans(shape) == compute_fans(shape)


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"scale": -1.0}, {"mode": "fan"},
                                    {"distribution": "gaussian"}])
def test_variance_scaling_errors_match_keras(real_tf, kwargs):
    with pytest.raises(ValueError) as theirs:
        real_tf.keras.initializers.VarianceScaling(**kwargs)
    with pytest.raises(ValueError) as ours:
        initializers.VarianceScaling(**kwargs)
    assert str(ours.value).split(":")[0] == str(theirs.value).split(":")[0]


def test_bad_seed_matches_keras(real_tf):
    with pytest.raises(ValueError, match="`seed` argument should be"):
        real_tf.keras.initializers.RandomNormal(seed="a")
    with pytest.raises(ValueError, match="`seed` argument should be"):
        initializers.RandomNormal(seed="a")


def test_same_names_as_keras(real_tf):
    theirs = {n for n in dir(real_tf.keras.initializers) if not n.startswith("_")}
    theirs -= {"STFT", "STFTInitializer", "stft"}   # audio-only, not provided
    ours = {n for n in dir(initializers) if not n.startswith("_")}
    assert theirs <= ours
