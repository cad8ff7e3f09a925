"""keras.utils helpers against real Keras 3: pad_sequences, normalize, standardize_dtype,
pack/unpack_x_y_sample_weight, get_source_inputs, is_keras_tensor, CustomObjectScope,
clear_session and PyDataset."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import utils


@pytest.fixture(scope="module")
def keras(real_tf):
    return real_tf.keras


PAD_CASES = [
    ([[1, 2, 3], [4, 5], [6]], {}),
    ([[1, 2, 3], [4, 5], [6]], dict(maxlen=2, padding="post", truncating="post", value=9)),
    ([[1, 2, 3], [4, 5], [6]], dict(maxlen=2)),
    ([[1, 2, 3], [4, 5], [6]], dict(maxlen=4, padding="post")),
    ([[1.5, 2], [3]], dict(dtype="float32")),
    ([[1, 2], []], {}),
    ([[[1, 2], [3, 4]], [[5, 6]]], dict(value=-1)),
    ([["a", "b"], ["c"]], dict(dtype=object, value="-")),
]


@pytest.mark.parametrize("sequences,kwargs", PAD_CASES)
def test_pad_sequences_matches_keras(keras, sequences, kwargs):
    ours = utils.pad_sequences(sequences, **kwargs)
    theirs = keras.utils.pad_sequences(sequences, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("kwargs,message", [
    (dict(padding="x"), 'Padding type "x" not understood'),
    (dict(truncating="x", maxlen=0), 'Truncating type "x" not understood'),
    (dict(value="a"), "is not compatible with `value`'s type"),
])
def test_pad_sequences_errors_match_keras(keras, kwargs, message):
    with pytest.raises(ValueError, match=message):
        keras.utils.pad_sequences([[1, 2]], **kwargs)
    with pytest.raises(ValueError, match=message):
        utils.pad_sequences([[1, 2]], **kwargs)


def test_pad_sequences_rejects_non_iterables(keras):
    with pytest.raises(ValueError, match="non-iterable"):
        keras.utils.pad_sequences([1, 2])
    with pytest.raises(ValueError, match="non-iterable"):
        utils.pad_sequences([1, 2])


@pytest.mark.parametrize("kwargs", [{}, dict(axis=0, order=1), dict(order=1), dict(axis=0)])
def test_normalize_arrays_match_keras(keras, kwargs):
    for x in (np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([[1, 2, 2], [0, 3, 4]]),
              np.array([1.0, 2.0], "float32")):
        try:
            theirs = keras.utils.normalize(x, **kwargs)
        except ValueError:  # Keras' NumPy path broadcasts axis-0 norms on the last axis
            with pytest.raises(ValueError):
                utils.normalize(x, **kwargs)
            continue
        ours = utils.normalize(x, **kwargs)
        assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


@pytest.mark.parametrize("kwargs", [{}, dict(axis=0, order=1), dict(axis=0)])
def test_normalize_tensors_match_keras(keras, real_tf, kwargs):
    x = np.array([[3.0, 4.0], [1.0, -2.0]], "float32")
    ours = utils.normalize(nd.constant(x), **kwargs)
    theirs = keras.utils.normalize(real_tf.constant(x), **kwargs)
    assert nd.is_tensor(ours) and ours.dtype == nd.float32
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_normalize_tensor_is_differentiable():
    x = nd.Variable([[3.0, 4.0]])
    with nd.GradientTape() as tape:
        y = nd.reduce_sum(utils.normalize(x)[:, 0])
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [[0.128, -0.096]], rtol=1e-5)


def test_standardize_dtype_matches_keras(keras, real_tf):
    cases = [(None, None), ("float32", "float32"), (float, float), (int, int), (bool, bool),
             ("bfloat16", "bfloat16"), (np.float64, np.float64),
             (np.dtype("int8"), np.dtype("int8")), (nd.float16, real_tf.float16),
             (nd.int32, real_tf.int32)]
    for ours, theirs in cases:
        assert utils.standardize_dtype(ours) == keras.utils.standardize_dtype(theirs)
    for bad in ("foo", "float"):
        with pytest.raises(ValueError, match="Invalid dtype"):
            keras.utils.standardize_dtype(bad)
        with pytest.raises(ValueError, match="Invalid dtype"):
            utils.standardize_dtype(bad)


def test_pack_and_unpack_match_keras(keras):
    for args in [(1,), (1, 2), (1, 2, 3), ((1, 2),), ([1, 2],), (1, None, 3)]:
        assert utils.pack_x_y_sample_weight(*args) == keras.utils.pack_x_y_sample_weight(*args)
    for data in [(1,), (1, 2), (1, 2, 3), [1, 2], 5]:
        assert utils.unpack_x_y_sample_weight(data) == \
            keras.utils.unpack_x_y_sample_weight(data)
    for lib in (utils, keras.utils):
        with pytest.raises(ValueError, match="Data is expected to be in format"):
            lib.unpack_x_y_sample_weight((1, 2, 3, 4))


def test_source_inputs_and_is_keras_tensor():
    a, b = nd.keras.Input((3,)), nd.keras.Input((3,))
    hidden = nd.keras.layers.Dense(2)(a)
    merged = nd.keras.layers.Concatenate()([hidden, b])
    out = nd.keras.layers.Dense(1)(merged)
    sources = utils.get_source_inputs(out)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert utils.get_source_inputs(a) == [a]
    assert utils.is_keras_tensor(out) and not utils.is_keras_tensor(np.ones(2))
    assert not utils.is_keras_tensor(nd.constant(1.0))


def test_custom_object_scope_alias():
    assert utils.CustomObjectScope is utils.custom_object_scope

    def my_fn(x):
        return x
    with utils.CustomObjectScope({"my_fn": my_fn}):
        assert utils.get_registered_object("my_fn") is my_fn
    assert utils.get_registered_object("my_fn") is None


def test_clear_session_resets_names(keras):
    utils.clear_session()
    assert nd.keras.layers.Dense(1).name == "dense"
    assert nd.keras.layers.Dense(1).name == "dense_1"
    utils.clear_session()
    assert nd.keras.layers.Dense(1).name == "dense"


class _Squares(utils.PyDataset):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.epochs_ended = 0

    def __len__(self):
        return 3

    def __getitem__(self, index):
        x = np.full((2, 1), index, "float32")
        return x, x * x

    def on_epoch_end(self):
        self.epochs_ended += 1


def test_py_dataset_batches():
    from ndflow.keras.utils.py_dataset import PyDatasetBatches
    dataset = _Squares(workers=2)
    assert utils.Sequence is utils.PyDataset
    assert dataset.workers == 2 and not dataset.use_multiprocessing
    assert dataset.num_batches == 3
    batches = list(PyDatasetBatches(dataset))
    assert len(batches) == 3 and dataset.epochs_ended == 1
    x, y, w = batches[2]
    np.testing.assert_array_equal(y, np.full((2, 1), 4.0))
    assert w is None
    assert len(list(PyDatasetBatches(dataset, steps=2))) == 2
