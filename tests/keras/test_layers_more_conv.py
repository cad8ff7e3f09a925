"""Conv1DTranspose, DepthwiseConv1D, SeparableConv1D, Conv3D and the 3-D pooling layers
against Keras 3: outputs, gradients (inputs and weights), configs, shapes, errors."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from test_layers_more_activation import compare, config_without_name

RNG = np.random.default_rng(99)

CASES = [
    ("Conv1DTranspose", (4, 3), {}, (2, 6, 3)),
    ("Conv1DTranspose", (4, 3), {"strides": 2}, (2, 6, 3)),
    ("Conv1DTranspose", (4, 3), {"strides": 2, "padding": "same"}, (2, 6, 3)),
    ("Conv1DTranspose", (4, 3), {"strides": 3, "output_padding": 2, "activation": "relu"},
     (2, 5, 3)),
    ("Conv1DTranspose", (2, 4), {"padding": "same", "use_bias": False}, (2, 5, 3)),
    ("DepthwiseConv1D", (3,), {}, (2, 9, 3)),
    ("DepthwiseConv1D", (3,), {"depth_multiplier": 2, "padding": "same", "strides": 2},
     (2, 9, 3)),
    ("DepthwiseConv1D", (3,), {"dilation_rate": 2, "strides": 2, "activation": "tanh"},
     (2, 11, 2)),
    ("SeparableConv1D", (4, 3), {}, (2, 9, 3)),
    ("SeparableConv1D", (4, 3), {"depth_multiplier": 2, "strides": 2, "padding": "same"},
     (2, 9, 3)),
    ("SeparableConv1D", (5, 2), {"dilation_rate": 2, "use_bias": False}, (2, 9, 3)),
    ("Conv3D", (4, 3), {}, (2, 5, 6, 4, 3)),
    ("Conv3D", (4, 3), {"strides": 2, "padding": "same"}, (2, 5, 6, 4, 3)),
    ("Conv3D", (4, (2, 3, 1)), {"dilation_rate": (2, 1, 2), "activation": "relu"},
     (2, 5, 6, 4, 3)),
    ("Conv3D", (4, 2), {"groups": 2, "padding": "same", "strides": (1, 2, 3)},
     (2, 4, 5, 7, 4)),
    ("Conv3D", (2, 3), {"padding": "same", "dilation_rate": 2, "use_bias": False},
     (2, 4, 5, 4, 2)),
    ("MaxPooling3D", (), {}, (2, 4, 6, 5, 3)),
    ("MaxPooling3D", ((2, 3, 2),), {"strides": (1, 2, 1), "padding": "same"},
     (2, 5, 6, 5, 3)),
    ("MaxPooling3D", (3,), {"strides": 2, "padding": "same"}, (2, 6, 5, 4, 2)),
    ("AveragePooling3D", (2,), {}, (2, 4, 6, 5, 3)),
    ("AveragePooling3D", ((3, 2, 2),), {"strides": (2, 1, 2), "padding": "same"},
     (2, 5, 6, 5, 3)),
    ("AveragePooling3D", (3,), {"strides": 1}, (2, 4, 5, 6, 2)),
    ("GlobalAveragePooling3D", (), {}, (2, 3, 4, 5, 2)),
    ("GlobalAveragePooling3D", (), {"keepdims": True}, (2, 3, 4, 5, 2)),
    ("GlobalMaxPooling3D", (), {}, (2, 3, 4, 5, 2)),
    ("GlobalMaxPooling3D", (), {"keepdims": True, "data_format": "channels_first"},
     (2, 3, 4, 5, 2)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES, ids=lambda v: str(v))
def test_matches_keras(real_tf, cls, args, kwargs, shape):
    compare(real_tf, cls, args, kwargs, shape, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES[::3], ids=lambda v: str(v))
def test_symbolic_shapes_match_keras(real_tf, cls, args, kwargs, shape):
    keras = real_tf.keras
    theirs = getattr(keras.layers, cls)(*args, **kwargs)(keras.Input(shape[1:]))
    ours = getattr(L, cls)(*args, **kwargs)(nd.keras.Input(shape[1:]))
    assert tuple(ours.shape) == tuple(theirs.shape)


@pytest.mark.parametrize("cls,args,kwargs,shape", [
    ("Conv1DTranspose", (4, 3), {"strides": 2}, (2, 6, 3)),
    ("DepthwiseConv1D", (3,), {"depth_multiplier": 2}, (2, 9, 3)),
    ("SeparableConv1D", (4, 3), {"padding": "same"}, (2, 9, 3)),
    ("Conv3D", (4, 3), {"strides": 2, "padding": "same"}, (2, 5, 6, 4, 3)),
    ("MaxPooling3D", (2,), {"padding": "same"}, (2, 5, 6, 4, 3)),
    ("AveragePooling3D", (2,), {"strides": 1}, (2, 5, 6, 4, 3)),
])
def test_channels_first_is_transposed_channels_last(real_tf, cls, args, kwargs, shape):
    # TensorFlow cannot run channels_first convolutions or 3-D pooling on a CPU, so
    # channels_first is checked against our channels_last result on transposed data.
    rank = len(shape)
    to_first = [0, rank - 1] + list(range(1, rank - 1))
    to_last = [0] + list(range(2, rank)) + [1]
    x = RNG.standard_normal(shape).astype("float32")
    last = getattr(L, cls)(*args, **kwargs)
    first = getattr(L, cls)(*args, data_format="channels_first", **kwargs)
    y_last = last(nd.constant(x)).numpy()
    first(nd.constant(x.transpose(to_first)))
    first.set_weights(last.get_weights())
    y_first = first(nd.constant(x.transpose(to_first))).numpy()
    np.testing.assert_allclose(y_first.transpose(to_last), y_last, rtol=1e-5, atol=1e-6)
    theirs = getattr(real_tf.keras.layers, cls)(*args, data_format="channels_first", **kwargs)
    assert config_without_name(first) == config_without_name(theirs)
    s = x.transpose(to_first).shape
    assert tuple(first.compute_output_shape(s)) == tuple(theirs.compute_output_shape(s))


@pytest.mark.parametrize("cls,args,kwargs", [
    ("Conv1DTranspose", (4, 3), {"padding": "causal"}),
    ("DepthwiseConv1D", (3,), {"padding": "causal"}),
    ("SeparableConv1D", (4, 3), {"padding": "causal"}),
    ("Conv3D", (4, 3), {"strides": 2, "dilation_rate": 2}),
    ("Conv3D", (0, 3), {}),
    ("Conv3D", (4, (3, 3)), {}),
    ("Conv1DTranspose", (4, 3), {"strides": 2, "dilation_rate": 2}),
    ("Conv1DTranspose", (4, 3), {"strides": 2, "output_padding": 2}),
    ("DepthwiseConv1D", (3,), {"depth_multiplier": 0}),
    ("MaxPooling3D", ((2, 2),), {}),
])
def test_constructor_errors_match_keras(real_tf, cls, args, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(L, cls)(*args, **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("cls,args,shape", [
    ("Conv3D", (2, 3), (2, 5, 5, 3)), ("MaxPooling3D", (), (2, 5, 5, 3)),
    ("GlobalMaxPooling3D", (), (2, 5, 3)), ("Conv1DTranspose", (2, 3), (2, 5)),
])
def test_wrong_rank_is_a_value_error(real_tf, cls, args, shape):
    with pytest.raises(ValueError):
        getattr(real_tf.keras.layers, cls)(*args)(np.zeros(shape, "float32"))
    with pytest.raises(ValueError, match="ndim"):
        getattr(L, cls)(*args)(nd.zeros(shape))


def test_aliases_are_the_same_classes(real_tf):
    for alias, cls in (("Convolution3D", "Conv3D"),
                       ("Convolution1DTranspose", "Conv1DTranspose"),
                       ("SeparableConvolution1D", "SeparableConv1D"),
                       ("MaxPool3D", "MaxPooling3D"), ("AvgPool3D", "AveragePooling3D"),
                       ("GlobalAvgPool3D", "GlobalAveragePooling3D"),
                       ("GlobalMaxPool3D", "GlobalMaxPooling3D")):
        assert getattr(L, alias) is getattr(L, cls)
        assert getattr(real_tf.keras.layers, alias) is getattr(real_tf.keras.layers, cls)


def test_conv3d_in_a_trained_model_matches_keras(real_tf):
    x = RNG.standard_normal((4, 4, 5, 5, 2)).astype("float32")
    y = RNG.standard_normal((4, 1)).astype("float32")

    def build(k):
        model = k.Sequential([k.Input((4, 5, 5, 2)), k.layers.Conv3D(3, 2, padding="same"),
                              k.layers.MaxPooling3D(2), k.layers.GlobalAveragePooling3D(),
                              k.layers.Dense(1)])
        model.compile(optimizer=k.optimizers.SGD(0.1), loss="mse")
        return model
    theirs, ours = build(real_tf.keras), build(nd.keras)
    ours.set_weights(theirs.get_weights())
    h_theirs = theirs.fit(x, y, epochs=2, batch_size=2, shuffle=False, verbose=0)
    h_ours = ours.fit(x, y, epochs=2, batch_size=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-4)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
