"""Keras masks travel from Embedding(mask_zero=True) through the layers that use them."""
import numpy as np
import pytest

import ndflow as tf

TOKENS = np.array([[3, 5, 0, 0, 0], [2, 7, 4, 0, 0], [1, 0, 0, 0, 0]], np.int32)


def _stacks(k):
    return {
        "lstm": [k.layers.Embedding(10, 4, mask_zero=True), k.layers.LSTM(3)],
        "gru_sequences_pooled": [k.layers.Embedding(10, 4, mask_zero=True),
                                 k.layers.GRU(3, return_sequences=True),
                                 k.layers.GlobalAveragePooling1D()],
        "simple_rnn_then_dense": [k.layers.Embedding(10, 4, mask_zero=True),
                                  k.layers.SimpleRNN(3, return_sequences=True),
                                  k.layers.Dense(2), k.layers.LSTM(2)],
        "bidirectional": [k.layers.Embedding(10, 4, mask_zero=True),
                          k.layers.Bidirectional(k.layers.LSTM(2))],
    }


@pytest.mark.parametrize("name", ["lstm", "gru_sequences_pooled", "simple_rnn_then_dense",
                                  "bidirectional"])
def test_masked_sequence_models_match_keras(name, real_tf):
    def build(k):
        return k.Sequential([k.Input((5,), dtype="int32")] + _stacks(k)[name])
    theirs, ours = build(real_tf.keras), build(tf.keras)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(ours.predict(TOKENS, verbose=0),
                               theirs.predict(TOKENS, verbose=0), rtol=1e-5, atol=1e-6)


def test_mask_is_attached_to_embedding_outputs():
    out = tf.keras.layers.Embedding(10, 2, mask_zero=True)(TOKENS)
    np.testing.assert_array_equal(out._keras_mask.numpy(), TOKENS != 0)
    assert getattr(tf.keras.layers.Dense(2)(out), "_keras_mask", None) is not None  # passed on
    assert getattr(tf.keras.layers.LSTM(2)(out), "_keras_mask", None) is None  # consumed


def test_masks_stop_at_layers_that_return_last_outputs():
    keras = tf.keras
    keras.backend.clear_session()   # metric names below must not depend on earlier tests
    inputs = keras.Input((5,), dtype="int32")
    embedded = keras.layers.Embedding(10, 4, mask_zero=True)(inputs)
    last = keras.layers.Bidirectional(keras.layers.GRU(3))(embedded)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(last))
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy", keras.metrics.AUC()])
    history = model.fit(TOKENS, np.array([[0.0], [1.0], [1.0]]), epochs=2, verbose=0)
    assert sorted(history.history) == ["accuracy", "auc", "loss"]
    assert getattr(model(TOKENS), "_keras_mask", None) is None
