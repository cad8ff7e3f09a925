"""Recurrent layers and wrappers: conformance with Keras 3 (weights copied over) plus unit tests."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L

RNG = np.random.default_rng(1234)


@pytest.fixture(scope="module")
def keras(real_tf):
    return real_tf.keras


def _rand(*shape):
    return RNG.standard_normal(shape).astype("float32")


def _flat(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _close(ours, theirs, rtol=1e-5, atol=1e-5):
    ours, theirs = _flat(ours), _flat(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        a = a.numpy() if hasattr(a, "numpy") else np.asarray(a)
        np.testing.assert_allclose(a, np.asarray(b), rtol=rtol, atol=atol)


def _strip_names(config):
    """A config with every 'name' entry removed (auto-generated names differ)."""
    if isinstance(config, dict):
        return {k: _strip_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, (list, tuple)):
        return [_strip_names(v) for v in config]
    return config


def _pair(ours, theirs, x, perturb=0.2):
    """Builds both layers on ``x`` and gives them the same (non-default) weights."""
    theirs(x)
    ours(x)
    weights = [w + perturb * RNG.standard_normal(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)


def _grads(real_tf, ours, theirs, x, **call_kwargs):
    """Gradients of sum(outputs * r) w.r.t. the input and the weights, on both sides."""
    probe = _flat(theirs(x, **call_kwargs))
    rs = [RNG.standard_normal(np.asarray(p).shape).astype("float32") for p in probe]
    xt = real_tf.constant(x)
    with real_tf.GradientTape() as tape:
        tape.watch(xt)
        out = _flat(theirs(xt, **call_kwargs))
        loss = sum(real_tf.reduce_sum(o * r) for o, r in zip(out, rs))
    expected = tape.gradient(loss, [xt] + list(theirs.trainable_weights))
    xn = nd.constant(x)
    with nd.GradientTape() as tape:
        tape.watch(xn)
        out = _flat(ours(xn, **call_kwargs))
        loss = sum(nd.reduce_sum(o * r) for o, r in zip(out, rs))
    got = tape.gradient(loss, [xn] + list(ours.trainable_weights))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g.numpy(), e.numpy(), rtol=1e-4, atol=1e-5)


LAYERS = [("SimpleRNN", {}), ("LSTM", {}), ("GRU", {}), ("GRU", {"reset_after": False}),
          ("LSTM", {"unit_forget_bias": False, "activation": "relu", "use_bias": False})]


@pytest.mark.parametrize("name,kwargs", LAYERS)
@pytest.mark.parametrize("return_sequences,return_state,go_backwards", [
    (False, False, False), (True, False, False), (False, True, True), (True, True, True),
    (True, False, True)])
def test_rnn_layers_match_keras(keras, name, kwargs, return_sequences, return_state,
                                go_backwards):
    x = _rand(3, 6, 4)
    opts = dict(return_sequences=return_sequences, return_state=return_state,
                go_backwards=go_backwards, **kwargs)
    theirs, ours = getattr(keras.layers, name)(5, **opts), getattr(L, name)(5, **opts)
    _pair(ours, theirs, x)
    _close(ours(x), theirs(x))
    assert isinstance(ours(x), tuple) == return_state


@pytest.mark.parametrize("name,kwargs", LAYERS[:4])
def test_rnn_gradients_match_keras(real_tf, keras, name, kwargs):
    x = _rand(2, 5, 3)
    theirs = getattr(keras.layers, name)(4, return_sequences=True, return_state=True, **kwargs)
    ours = getattr(L, name)(4, return_sequences=True, return_state=True, **kwargs)
    _pair(ours, theirs, x)
    _grads(real_tf, ours, theirs, x)


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_initial_state_matches_keras(keras, name):
    x = _rand(2, 4, 3)
    theirs = getattr(keras.layers, name)(3, return_state=True)
    ours = getattr(L, name)(3, return_state=True)
    _pair(ours, theirs, x)
    states = [_rand(2, 3) for _ in range(2 if name == "LSTM" else 1)]
    _close(ours(x, initial_state=states), theirs(x, initial_state=states))


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_explicit_mask_matches_keras(keras, name):
    x = _rand(3, 5, 2)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 1, 1, 0]], dtype=bool)
    theirs = getattr(keras.layers, name)(3, return_sequences=True, return_state=True)
    ours = getattr(L, name)(3, return_sequences=True, return_state=True)
    _pair(ours, theirs, x)
    _close(ours(x, mask=mask), theirs(x, mask=mask))


@pytest.mark.parametrize("name,kwargs", [("SimpleRNNCell", {}), ("LSTMCell", {}),
                                         ("GRUCell", {}), ("GRUCell", {"reset_after": False})])
def test_cells_match_keras(keras, name, kwargs):
    x = _rand(3, 4)
    theirs, ours = getattr(keras.layers, name)(5, **kwargs), getattr(L, name)(5, **kwargs)
    states = [_rand(3, 5) for _ in range(2 if name == "LSTMCell" else 1)]
    theirs(x, states)
    ours(x, states)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape.as_list()) for w in ours.weights] == \
        [tuple(w.shape) for w in theirs.weights]
    weights = [w + 0.2 * RNG.standard_normal(w.shape).astype("float32")
               for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    out_t, new_t = theirs(x, states)
    out_o, new_o = ours(x, states)
    _close(out_o, out_t)
    _close(new_o, new_t)


def test_lstm_bias_initialisation_has_forget_gate_ones():
    cell = L.LSTMCell(3)
    cell.build((None, 2))
    np.testing.assert_array_equal(cell.bias.numpy(), [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    cell = L.LSTMCell(3, unit_forget_bias=False)
    cell.build((None, 2))
    np.testing.assert_array_equal(cell.bias.numpy(), np.zeros(12))


@pytest.mark.parametrize("name,kwargs", LAYERS)
def test_weight_names_shapes_and_order(keras, name, kwargs):
    x = _rand(2, 3, 4)
    theirs, ours = getattr(keras.layers, name)(5, **kwargs), getattr(L, name)(5, **kwargs)
    theirs(x)
    ours(x)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape.as_list()) for w in ours.weights] == \
        [tuple(w.shape) for w in theirs.weights]


CONFIG_CASES = [
    ("SimpleRNN", (3,), {}), ("LSTM", (3,), {"return_sequences": True, "dropout": 0.1}),
    ("GRU", (3,), {"reset_after": False, "go_backwards": True, "recurrent_dropout": 0.2}),
    ("SimpleRNNCell", (3,), {}), ("LSTMCell", (3,), {"recurrent_activation": "hard_sigmoid"}),
    ("GRUCell", (3,), {"seed": 4}),
]


@pytest.mark.parametrize("name,args,kwargs", CONFIG_CASES)
def test_get_config_matches_keras(keras, name, args, kwargs):
    theirs = getattr(keras.layers, name)(*args, **kwargs).get_config()
    ours = getattr(L, name)(*args, **kwargs).get_config()
    assert _strip_names(ours) == _strip_names(theirs)


def test_wrapper_configs_match_keras(keras):
    pairs = [
        (keras.layers.RNN(keras.layers.LSTMCell(3), return_state=True),
         L.RNN(L.LSTMCell(3), return_state=True)),
        (keras.layers.Bidirectional(keras.layers.GRU(2), merge_mode="sum"),
         L.Bidirectional(L.GRU(2), merge_mode="sum")),
        (keras.layers.TimeDistributed(keras.layers.Dense(3)), L.TimeDistributed(L.Dense(3))),
    ]
    for theirs, ours in pairs:
        assert _strip_names(ours.get_config()) == _strip_names(theirs.get_config())


@pytest.mark.parametrize("name,args,kwargs", CONFIG_CASES)
def test_from_config_round_trip(name, args, kwargs):
    layer = getattr(L, name)(*args, **kwargs)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_wrapper_from_config_round_trip():
    for layer in (L.RNN(L.GRUCell(3), go_backwards=True), L.Bidirectional(L.LSTM(2)),
                  L.TimeDistributed(L.Dense(3)), L.RNN([L.LSTMCell(2), L.GRUCell(3)])):
        clone = type(layer).from_config(layer.get_config())
        assert _strip_names(clone.get_config()) == _strip_names(layer.get_config())


def test_generic_rnn_wrapper_matches_keras(keras):
    x = _rand(2, 5, 3)
    for return_sequences in (False, True):
        theirs = keras.layers.RNN(keras.layers.GRUCell(4), return_sequences=return_sequences,
                                  return_state=True, go_backwards=True)
        ours = L.RNN(L.GRUCell(4), return_sequences=return_sequences, return_state=True,
                     go_backwards=True)
        _pair(ours, theirs, x)
        _close(ours(x), theirs(x))


def test_stacked_cells_match_keras(keras):
    x = _rand(2, 5, 3)
    theirs = keras.layers.RNN([keras.layers.SimpleRNNCell(4), keras.layers.LSTMCell(2)],
                              return_sequences=True)
    ours = L.RNN([L.SimpleRNNCell(4), L.LSTMCell(2)], return_sequences=True)
    _pair(ours, theirs, x)
    _close(ours(x), theirs(x))


class _SumCell(L.Layer):
    """A minimal user cell: the state accumulates inputs @ kernel."""

    state_size = 2

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], 2))

    def call(self, inputs, states):
        new = states[0] + nd.matmul(inputs, self.kernel)
        return new * 2.0, [new]


def test_custom_cell_runs_and_differentiates():
    x = nd.constant(_rand(3, 4, 5))
    layer = L.RNN(_SumCell(), return_sequences=True, return_state=True)
    with nd.GradientTape() as tape:
        seq, state = layer(x)
        loss = nd.reduce_sum(seq)
    kernel = layer.cell.kernel.numpy()
    expected = np.cumsum(x.numpy() @ kernel, axis=1)
    np.testing.assert_allclose(seq.numpy(), 2 * expected, rtol=1e-5)
    np.testing.assert_allclose(state.numpy(), expected[:, -1], rtol=1e-5)
    grad = tape.gradient(loss, layer.trainable_weights)[0]
    # d/dK sum_t 2 * cumsum_t(x K) = 2 * sum_t (T - t) x_t.
    weights = np.arange(4, 0, -1)[None, :, None]
    np.testing.assert_allclose(grad.numpy(), 2 * np.einsum("btf->f", x.numpy() * weights)[:, None]
                               * np.ones((1, 2)), rtol=1e-4)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences,return_state", [(False, False), (True, False),
                                                           (True, True), (False, True)])
def test_bidirectional_matches_keras(keras, merge_mode, return_sequences, return_state):
    x = _rand(2, 5, 3)
    theirs = keras.layers.Bidirectional(
        keras.layers.LSTM(3, return_sequences=return_sequences, return_state=return_state),
        merge_mode=merge_mode)
    ours = L.Bidirectional(L.LSTM(3, return_sequences=return_sequences,
                                  return_state=return_state), merge_mode=merge_mode)
    _pair(ours, theirs, x)
    _close(ours(x), theirs(x))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]


def test_bidirectional_backward_layer_initial_state_and_gradients(real_tf, keras):
    x = _rand(2, 4, 3)
    theirs = keras.layers.Bidirectional(
        keras.layers.GRU(3, return_sequences=True),
        backward_layer=keras.layers.SimpleRNN(3, return_sequences=True, go_backwards=True))
    ours = L.Bidirectional(L.GRU(3, return_sequences=True),
                           backward_layer=L.SimpleRNN(3, return_sequences=True,
                                                      go_backwards=True))
    _pair(ours, theirs, x)
    states = [_rand(2, 3), _rand(2, 3)]
    _close(ours(x, initial_state=states), theirs(x, initial_state=states))
    _grads(real_tf, ours, theirs, x)


def test_bidirectional_errors(keras):
    with pytest.raises(ValueError):
        L.Bidirectional(L.LSTM(3), merge_mode="foo")
    with pytest.raises(ValueError):
        keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode="foo")
    with pytest.raises(ValueError):
        L.Bidirectional(L.LSTM(3), backward_layer=L.LSTM(3))
    with pytest.raises(ValueError):
        keras.layers.Bidirectional(keras.layers.LSTM(3), backward_layer=keras.layers.LSTM(3))


def test_time_distributed_matches_keras(real_tf, keras):
    x = _rand(2, 4, 3)
    theirs = keras.layers.TimeDistributed(keras.layers.Dense(5, activation="tanh"))
    ours = L.TimeDistributed(L.Dense(5, activation="tanh"))
    _pair(ours, theirs, x)
    _close(ours(x), theirs(x))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    _grads(real_tf, ours, theirs, x)
    x4 = _rand(2, 3, 4, 3)
    _close(ours(x4), theirs(x4))


def test_time_distributed_errors(keras):
    for layers in (keras.layers, L):
        with pytest.raises(ValueError):
            layers.TimeDistributed(3)
        with pytest.raises(ValueError):
            layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3), "float32"))


@pytest.mark.parametrize("make", [
    lambda m: m.LSTM(4, return_sequences=True, return_state=True),
    lambda m: m.GRU(4, go_backwards=True),
    lambda m: m.SimpleRNN(4, return_sequences=True),
    lambda m: m.Bidirectional(m.LSTM(4, return_sequences=True, return_state=True)),
    lambda m: m.Bidirectional(m.GRU(4), merge_mode=None),
    lambda m: m.TimeDistributed(m.Dense(6)),
    lambda m: m.RNN(m.LSTMCell(3), return_state=True),
])
def test_functional_output_shapes_match_keras(keras, make):
    theirs = make(keras.layers)(keras.Input(shape=(None, 5)))
    ours = make(L)(L.Input(shape=(None, 5)))
    assert [tuple(t.shape) for t in _flat(ours)] == [tuple(t.shape) for t in _flat(theirs)]
    fixed = make(L)(L.Input(shape=(7, 5)))
    assert all(t.shape[0] is None for t in _flat(fixed))


def test_errors_match_keras(keras):
    for layers in (keras.layers, L):
        with pytest.raises(ValueError):
            layers.LSTM(0)
        with pytest.raises(ValueError):
            layers.GRU(3)(np.zeros((2, 3), "float32"))
        with pytest.raises(ValueError):
            layers.RNN(layers.Dense(3))


def test_stateful_is_not_supported():
    with pytest.raises(NotImplementedError, match="stateful"):
        L.LSTM(3, stateful=True)


def test_unroll_is_accepted_and_equivalent():
    x = nd.constant(_rand(2, 4, 3))
    a, b = L.GRU(3, unroll=True), L.GRU(3)
    a(x)
    b(x)
    b.set_weights(a.get_weights())
    np.testing.assert_allclose(a(x).numpy(), b(x).numpy(), rtol=1e-6)


def test_dropout_only_in_training():
    x = nd.constant(_rand(4, 6, 8))
    layer = L.LSTM(5, dropout=0.5, recurrent_dropout=0.5, seed=3, return_sequences=True)
    inference = layer(x).numpy()
    np.testing.assert_allclose(layer(x, training=False).numpy(), inference)
    trained = layer(x, training=True).numpy()
    assert not np.allclose(trained, inference)
    with nd.GradientTape() as tape:
        loss = nd.reduce_sum(layer(x, training=True))
    grads = tape.gradient(loss, layer.trainable_weights)
    assert all(g is not None and np.all(np.isfinite(g.numpy())) for g in grads)


def test_input_dropout_mask_is_shared_across_time_steps():
    # With a linear cell and no recurrence, a dropped input feature is dropped at every step:
    # the output is x_t @ (mask * K), so equal inputs at all steps give equal outputs.
    step = _rand(2, 1, 6)
    x = nd.constant(np.repeat(step, 5, axis=1))
    layer = L.SimpleRNN(4, activation=None, recurrent_initializer="zeros", dropout=0.5,
                        return_sequences=True, seed=0)
    out = layer(x, training=True).numpy()
    for t in range(1, 5):
        np.testing.assert_allclose(out[:, t], out[:, 0], rtol=1e-6)


def test_layer_properties_delegate_to_cell():
    layer = L.GRU(7, reset_after=False, recurrent_activation="hard_sigmoid")
    assert layer.units == 7 and layer.reset_after is False
    assert layer.recurrent_activation is layer.cell.recurrent_activation


def test_time_distributed_batch_norm_training_matches_keras(keras):
    # Keras runs the wrapped layer once per time step, so batch statistics (and the moving
    # averages) are per step; ndflow does the same for layers with non-trainable state.
    x = _rand(4, 3, 5)
    theirs = keras.layers.TimeDistributed(keras.layers.BatchNormalization())
    ours = L.TimeDistributed(L.BatchNormalization())
    _close(ours(x, training=True), theirs(x, training=True))
    _close(ours.get_weights(), theirs.get_weights())
    _close(ours(x), theirs(x))


def test_functional_encoder_decoder_passes_states():
    from ndflow import keras as ndk
    enc_in, dec_in = L.Input(shape=(None, 4)), L.Input(shape=(None, 3))
    encoder = L.LSTM(6, return_state=True)
    decoder = L.LSTM(6, return_sequences=True)
    _, h, c = encoder(enc_in)
    out = decoder(dec_in, initial_state=[h, c])
    assert tuple(out.shape) == (None, None, 6)
    model = ndk.Model([enc_in, dec_in], out)
    a, b = _rand(2, 5, 4), _rand(2, 7, 3)
    _, h_val, c_val = encoder(a)
    expected = decoder(b, initial_state=[h_val, c_val])
    np.testing.assert_allclose(model([a, b]).numpy(), expected.numpy(), rtol=1e-5)
    assert not np.allclose(model([a * 0, b]).numpy(), expected.numpy())
