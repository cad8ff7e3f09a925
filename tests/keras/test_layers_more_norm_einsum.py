"""GroupNormalization, RMSNormalization and EinsumDense against Keras 3."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from test_layers_more_activation import compare

RNG = np.random.default_rng(5)

CASES = [
    ("GroupNormalization", (), {"groups": 4}, (2, 5, 8)),
    ("GroupNormalization", (), {"groups": 1}, (2, 5, 8)),
    ("GroupNormalization", (), {"groups": -1}, (2, 5, 8)),
    ("GroupNormalization", (), {"groups": 2, "axis": 1, "epsilon": 1e-5}, (2, 4, 3, 5)),
    ("GroupNormalization", (), {"groups": 3, "center": False, "gamma_initializer": "he_normal"},
     (2, 4, 4, 6)),
    ("GroupNormalization", (), {"groups": 2, "scale": False, "beta_regularizer": "l2"},
     (3, 6)),
    ("RMSNormalization", (), {}, (2, 5, 8)),
    ("RMSNormalization", (), {"epsilon": 1e-3}, (2, 8)),
    ("EinsumDense", ("ab,bc->ac", 4), {"bias_axes": "c"}, (2, 8)),
    ("EinsumDense", ("ab,bc->ac", 4), {"activation": "relu"}, (2, 8)),
    ("EinsumDense", ("...b,bc->...c", 4), {"bias_axes": "c"}, (2, 5, 8)),
    ("EinsumDense", ("abc,cde->abde", (None, 3, 4)), {"bias_axes": "de"}, (2, 5, 8)),
    ("EinsumDense", ("abc,bce->ae", 4), {"bias_axes": "e", "kernel_initializer": "ones"},
     (2, 5, 8)),
    ("EinsumDense", ("abc,cd->abd", (5, 4)), {"bias_axes": "bd",
                                              "bias_initializer": "random_normal"},
     (2, 5, 8)),
    ("EinsumDense", ("abc,cd->abd", (5, 4)), {"bias_axes": "b",
                                              "bias_initializer": "ones"}, (2, 5, 8)),
    ("EinsumDense", ("ab...,bc->ac...", 4), {"bias_axes": "c", "bias_initializer": "ones"},
     (2, 8, 5, 3)),
    ("EinsumDense", ("abc,cd->abd", [None, 4]), {"kernel_regularizer": "l2",
                                                 "activation": "tanh"}, (2, 5, 8)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES, ids=lambda v: str(v))
def test_matches_keras(real_tf, cls, args, kwargs, shape):
    ours, theirs = compare(real_tf, cls, args, kwargs, shape, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(sorted(float(v) for v in ours.losses),
                               sorted(float(v) for v in theirs.losses), rtol=1e-5)


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES[:-1:2], ids=lambda v: str(v))
def test_symbolic_shapes_match_keras(real_tf, cls, args, kwargs, shape):
    keras = real_tf.keras
    theirs = getattr(keras.layers, cls)(*args, **kwargs)(keras.Input(shape[1:]))
    ours = getattr(L, cls)(*args, **kwargs)(nd.keras.Input(shape[1:]))
    assert tuple(ours.shape) == tuple(theirs.shape)


def test_einsum_dense_symbolic_shape_matches_keras(real_tf):
    # Keras reports the None of output_shape as it is, even where the input fixes the size.
    keras = real_tf.keras
    theirs = keras.layers.EinsumDense("abc,cd->abd", (None, 4))(keras.Input((5, 8)))
    ours = L.EinsumDense("abc,cd->abd", (None, 4))(nd.keras.Input((5, 8)))
    assert tuple(ours.shape) == tuple(theirs.shape) == (None, None, 4)


def test_group_normalization_normalizes_each_group():
    x = RNG.standard_normal((3, 4, 6)).astype("float32") * 5 + 2
    y = L.GroupNormalization(groups=2, epsilon=0.0)(nd.constant(x)).numpy()
    grouped = y.reshape(3, 4, 2, 3)
    np.testing.assert_allclose(grouped.mean(axis=(1, 3)), 0.0, atol=1e-5)
    np.testing.assert_allclose(grouped.var(axis=(1, 3)), 1.0, rtol=1e-4)


@pytest.mark.parametrize("groups,shape", [(3, (2, 8)), (16, (2, 8))])
def test_group_normalization_errors_match_keras(real_tf, groups, shape):
    x = np.zeros(shape, "float32")
    with pytest.raises(ValueError) as theirs:
        real_tf.keras.layers.GroupNormalization(groups=groups)(x)
    with pytest.raises(ValueError) as ours:
        L.GroupNormalization(groups=groups)(nd.constant(x))
    assert str(ours.value) == str(theirs.value)


def test_group_normalization_unknown_channels_is_an_error():
    with pytest.raises(ValueError, match="defined dimension"):
        L.GroupNormalization(groups=2).build((None, 3, None))


@pytest.mark.parametrize("axis", [1, [1, 2], -2])
def test_rms_normalization_over_other_axes(axis):
    # Keras 3.15 fails to broadcast the scale for these axes; the result here is the formula.
    x = RNG.standard_normal((2, 3, 4)).astype("float32")
    layer = L.RMSNormalization(axis=axis)
    layer(nd.constant(x))
    scale = RNG.standard_normal(layer.scale.shape.as_list()).astype("float32")
    layer.set_weights([scale])
    axes = tuple(a % 3 for a in (axis if isinstance(axis, list) else [axis]))
    shape = [x.shape[d] if d in axes else 1 for d in range(3)]
    expected = x / np.sqrt((x ** 2).mean(axis=axes, keepdims=True) + 1e-6) * \
        scale.reshape(shape)
    np.testing.assert_allclose(layer(nd.constant(x)).numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize("equation,output_shape,kwargs,shape", [
    ("ab->ac", 4, {}, (2, 8)),
    ("ab,bc->ac", 4, {"bias_axes": "x"}, (2, 8)),
    ("abc,cd->abd", (4,), {}, (2, 5, 8)),
    ("ab,bcd->ac", 4, {}, (2, 8)),
])
def test_einsum_dense_errors_match_keras(real_tf, equation, output_shape, kwargs, shape):
    x = np.zeros(shape, "float32")
    with pytest.raises(ValueError) as theirs:
        real_tf.keras.layers.EinsumDense(equation, output_shape, **kwargs)(x)
    with pytest.raises(ValueError) as ours:
        L.EinsumDense(equation, output_shape, **kwargs)(nd.constant(x))
    assert str(ours.value) == str(theirs.value)


def test_einsum_dense_in_a_trained_model_matches_keras(real_tf):
    x = RNG.standard_normal((6, 5, 8)).astype("float32")
    y = RNG.standard_normal((6, 5, 2)).astype("float32")

    def build(k):
        model = k.Sequential([
            k.Input((5, 8)),
            k.layers.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de"),
            k.layers.Reshape((5, 6)), k.layers.GroupNormalization(groups=2),
            k.layers.RMSNormalization(), k.layers.PReLU(),
            k.layers.EinsumDense("...b,bc->...c", 2, bias_axes="c")])
        model.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
        return model
    theirs, ours = build(real_tf.keras), build(nd.keras)
    ours.set_weights(theirs.get_weights())
    h_theirs = theirs.fit(x, y, epochs=3, batch_size=3, shuffle=False, verbose=0)
    h_ours = ours.fit(x, y, epochs=3, batch_size=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-4)


@pytest.mark.parametrize("make", [
    lambda: L.GroupNormalization(groups=3), lambda: L.RMSNormalization(),
    lambda: L.EinsumDense("...b,bc->...c", 4, bias_axes="c"), lambda: L.Masking(),
    lambda: L.Softmax(), lambda: L.PReLU(shared_axes=[1]), lambda: L.ReLU(6.0),
    lambda: L.Conv1DTranspose(2, 3, strides=2), lambda: L.DepthwiseConv1D(3),
    lambda: L.SeparableConv1D(2, 3, padding="same"), lambda: L.UpSampling1D(),
    lambda: L.ZeroPadding1D(), lambda: L.Cropping1D(),
])
def test_traced_with_unknown_sizes_equals_eager(make):
    # Inside nd.function with unknown batch and step sizes, every layer builds its graph from
    # static sizes it knows (or dynamic shapes) and computes what it does eagerly.
    layer = make()
    x = RNG.standard_normal((2, 7, 3)).astype("float32")
    eager = layer(nd.constant(x)).numpy()
    traced = nd.function(layer.__call__, input_signature=[
        nd.TensorSpec([None, None, 3], nd.float32)])
    np.testing.assert_allclose(traced(nd.constant(x)).numpy(), eager, rtol=1e-6, atol=1e-6)


def test_traced_3d_upsampling_with_unknown_sizes_equals_eager():
    layer = L.UpSampling3D((2, 1, 3))
    x = RNG.standard_normal((2, 3, 2, 2, 1)).astype("float32")
    traced = nd.function(layer.__call__, input_signature=[
        nd.TensorSpec([None, None, None, None, 1], nd.float32)])
    np.testing.assert_array_equal(traced(nd.constant(x)).numpy(),
                                  layer(nd.constant(x)).numpy())
