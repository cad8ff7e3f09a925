"""model.summary() text against real Keras 3: the same models built in both libraries must
print the same characters (connections column, wrapping, widths, optimizer line...)."""
import numpy as np
import pytest

import ndflow as nd


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch):
    # Keras sizes the table from the terminal (and Rich crops to it): pin it for both.
    monkeypatch.setenv("COLUMNS", "80")


def _text(lib, build, **kwargs):
    lib.keras.backend.clear_session()
    model = build(lib.keras)
    out = []
    model.summary(print_fn=out.append, **kwargs)
    assert len(out) == 1  # Keras hands the whole text over in one call
    return out[0]


def _branching(keras):
    a = keras.Input((3,), name="inp")
    b = keras.Input((2,))
    hidden = keras.layers.Dense(2)(a)
    merged = keras.layers.Concatenate()([hidden, b])
    out = keras.layers.Dense(1)(merged)
    return keras.Model([a, b], [out, hidden], name="fun")


def _chain(keras):
    x = keras.Input((4,))
    y = keras.layers.Dense(3, activation="relu")(x)
    y = keras.layers.Dropout(0.1)(y)
    return keras.Model(x, keras.layers.Dense(1)(y))


def _shared(keras):
    shared = keras.layers.Dense(4, name="shared")
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    added = keras.layers.Add()([shared(a), shared(b)])
    return keras.Model([a, b], shared(added))


def _nested(keras):
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(5), keras.layers.Dense(2)],
                             name="inner")
    x = keras.Input((3,))
    skip = keras.layers.Dense(2)(x)
    return keras.Model(x, keras.layers.Add()([inner(x), skip]), name="outer")


def _sequential(keras):
    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(16),
                             keras.layers.BatchNormalization(), keras.layers.Dense(1)])


def _long_names(keras):
    x = keras.Input((2,), name="a_rather_long_input_name_that_cannot_fit")
    y = keras.layers.Dense(3, name="averyveryverylongdenselayernamewithoutspaces")(x)
    z = keras.layers.Concatenate(name="concat")([x, y])
    return keras.Model(x, z)


def _unbuilt(keras):
    return keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(1)])


BUILDERS = [_branching, _chain, _shared, _nested, _sequential, _long_names, _unbuilt]
OPTIONS = [{}, {"show_trainable": True}, {"line_length": 120}, {"line_length": 60},
           {"positions": [0.3, 0.5, 0.7, 1.0]}, {"expand_nested": True},
           {"expand_nested": True, "show_trainable": True}]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: ",".join(o) or "default")
@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_summary_text_matches_keras(real_tf, build, options):
    if "positions" in options and build in (_chain, _sequential, _unbuilt):
        options = {"positions": [0.4, 0.7, 1.0]}  # three columns there
    assert _text(nd, build, **options) == _text(real_tf, build, **options)


def test_layer_range_matches_keras(real_tf):
    options = {"layer_range": ["dense", "concatenate"]}
    assert _text(nd, _branching, **options) == _text(real_tf, _branching, **options)
    for lib in (nd, real_tf):
        with pytest.raises(ValueError):
            _text(lib, _branching, layer_range=["dense"])


def test_optimizer_params_line_matches_keras(real_tf):
    texts = []
    for lib in (nd, real_tf):
        lib.keras.backend.clear_session()
        model = _sequential(lib.keras)
        model.compile("adam", "mse")
        before = []
        model.summary(print_fn=before.append)
        assert "Optimizer params" not in before[0]
        model.train_on_batch(np.ones((4, 8), "float32"), np.ones((4, 1), "float32"))
        after = []
        model.summary(print_fn=after.append)
        texts.append(after[0])
    assert "Optimizer params" in texts[0]
    assert texts[0] == texts[1]


def test_subclassed_model_summary_matches_keras(real_tf):
    texts = []
    for lib in (nd, real_tf):
        lib.keras.backend.clear_session()

        class Tiny(lib.keras.Model):
            def __init__(self):
                super().__init__(name="tiny")
                self.first = lib.keras.layers.Dense(3)
                self.second = lib.keras.layers.Dense(1)

            def call(self, x):
                return self.second(self.first(x))
        model = Tiny()
        model(np.ones((2, 4), "float32"))
        out = []
        model.summary(print_fn=out.append)
        texts.append(out[0])
    assert texts[0] == texts[1]


def test_summary_prints_to_stdout(capsys):
    nd.keras.backend.clear_session()
    _branching(nd.keras).summary()
    printed = capsys.readouterr().out
    assert printed.startswith('Model: "fun"\n') and "Connected to" in printed
    assert "concatenate[0][0]" in printed
