"""sparse=True outputs of CategoryEncoding, Hashing and Discretization against real Keras
(a SparseTensor of the non-zero entries, with the same indices, values and dense shape)."""
import numpy as np
import pytest

import ndflow as tf

IDS = np.array([[0, 1, 1], [2, 3, 0]])
NUMBERS = np.array([[0.1, 2.5, 1.0], [-1.0, 0.5, 0.6]])
WORDS = np.array([["a", "b", "a"], ["c", "d", "e"]])


def _cases():
    for mode in ("one_hot", "multi_hot", "count"):
        first = (lambda x: x[:, :1]) if mode == "one_hot" else (lambda x: x)
        yield "CategoryEncoding", (5,), {"output_mode": mode}, first(IDS)
        yield ("Discretization", (), {"bin_boundaries": [0.0, 1.0, 2.0], "output_mode": mode},
               first(NUMBERS))
        yield "Hashing", (4,), {"output_mode": mode}, first(WORDS)
    yield "CategoryEncoding", (5,), {"output_mode": "multi_hot"}, np.array([1, 3, 3])


def _assert_same_sparse(ours, theirs):
    assert isinstance(ours, tf.SparseTensor)
    np.testing.assert_array_equal(np.asarray(ours.indices), theirs.indices.numpy())
    np.testing.assert_array_equal(np.asarray(ours.values), theirs.values.numpy())
    np.testing.assert_array_equal(np.asarray(ours.dense_shape), theirs.dense_shape.numpy())
    assert ours.dtype.name == theirs.dtype.name


@pytest.mark.parametrize("cls,args,kwargs,x", list(_cases()),
                         ids=lambda v: str(v) if not isinstance(v, np.ndarray) else "x")
def test_sparse_outputs_match_keras(real_tf, cls, args, kwargs, x):
    ours = getattr(tf.keras.layers, cls)(*args, sparse=True, **kwargs)
    theirs = getattr(real_tf.keras.layers, cls)(*args, sparse=True, **kwargs)
    _assert_same_sparse(ours(x), theirs(x))
    np.testing.assert_array_equal(
        np.asarray(tf.sparse.to_dense(ours(x))),
        np.asarray(getattr(tf.keras.layers, cls)(*args, **kwargs)(x)))
    assert ours.get_config() == {**theirs.get_config(), "name": ours.name}


def test_count_weights_sparse_match_keras(real_tf):
    weights = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    outputs = [keras.layers.CategoryEncoding(5, output_mode="count", sparse=True)(
        IDS, count_weights=weights) for keras in (tf.keras, real_tf.keras)]
    _assert_same_sparse(*outputs)


def test_adapted_discretization_sparse(real_tf):
    data = np.random.default_rng(0).standard_normal((50, 2))
    outputs = []
    for keras in (tf.keras, real_tf.keras):
        layer = keras.layers.Discretization(num_bins=4, output_mode="count", sparse=True)
        layer.adapt(data)
        outputs.append(layer(data[:6]))
    _assert_same_sparse(*outputs)


def test_sparse_output_inside_function():
    layer = tf.keras.layers.CategoryEncoding(4, output_mode="multi_hot", sparse=True)

    @tf.function
    def traced(x):
        return tf.sparse.to_dense(layer(x))

    np.testing.assert_array_equal(np.asarray(traced(tf.constant(IDS))),
                                  [[1, 1, 0, 0], [1, 0, 1, 1]])


@pytest.mark.parametrize("cls,args", [("Discretization", {"bin_boundaries": [0.0]}),
                                      ("Hashing", {"num_bins": 3})])
def test_sparse_int_output_is_an_error_as_in_keras(real_tf, cls, args):
    messages = []
    for keras in (tf.keras, real_tf.keras):
        with pytest.raises(ValueError) as info:
            getattr(keras.layers, cls)(sparse=True, **args)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
