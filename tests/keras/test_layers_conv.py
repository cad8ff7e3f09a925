"""Convolution layers against Keras 3: outputs, gradients, configs, weights, shapes, errors."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from ndflow.keras.saving import serialization_lib

RNG = np.random.default_rng(1234)


def _run_keras(tf, layer, x):
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        loss = tf.reduce_sum(y * y)
    grads = tape.gradient(loss, [xt] + layer.trainable_weights)
    return y.numpy(), [g.numpy() for g in grads]


def _run_ours(layer, x):
    xn = nd.constant(x)
    with nd.GradientTape() as tape:
        tape.watch(xn)
        y = layer(xn)
        loss = nd.reduce_sum(y * y)
    grads = tape.gradient(loss, [xn] + layer.trainable_weights)
    return y.numpy(), [g.numpy() for g in grads]


def _config(layer):
    config = layer.get_config()
    config.pop("name")
    return config


def compare(real_tf, cls, args, kwargs, shape):
    """Same weights and inputs in Keras and ndflow: same outputs, gradients, configs."""
    x = RNG.standard_normal(shape).astype("float32")
    theirs = getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    theirs(x)
    ours = getattr(L, cls)(*args, **kwargs)
    ours(nd.constant(x))
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in theirs.weights]
    assert [w.trainable for w in ours.weights] == [w.trainable for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    y_theirs, g_theirs = _run_keras(real_tf, theirs, x)
    y_ours, g_ours = _run_ours(ours, x)
    np.testing.assert_allclose(y_ours, y_theirs, rtol=1e-5, atol=1e-5)
    for a, b in zip(g_ours, g_theirs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)
    assert _config(ours) == _config(theirs)
    return ours, theirs


CASES = [
    ("Conv1D", (4, 3), {}, (2, 9, 3)),
    ("Conv1D", (4, 3), {"padding": "same", "strides": 2}, (2, 9, 3)),
    ("Conv1D", (4, 3), {"padding": "causal", "dilation_rate": 2}, (2, 9, 3)),
    ("Conv1D", (4, 1), {"padding": "causal"}, (2, 5, 3)),
    ("Conv1D", (4, 3), {"groups": 2, "activation": "tanh", "use_bias": False}, (2, 8, 6)),
    ("Conv2D", (4, 3), {}, (2, 7, 6, 3)),
    ("Conv2D", (5, (3, 2)), {"strides": (2, 1), "padding": "same", "activation": "relu"},
     (2, 9, 8, 3)),
    ("Conv2D", (4, 3), {"dilation_rate": 2, "groups": 2}, (2, 9, 8, 4)),
    ("Conv2D", (3, 1), {"kernel_initializer": "he_normal", "bias_initializer": "ones"},
     (2, 4, 4, 2)),
    ("Conv2DTranspose", (4, 3), {}, (2, 5, 4, 3)),
    ("Conv2DTranspose", (4, 3), {"strides": 2}, (2, 5, 4, 3)),
    ("Conv2DTranspose", (4, 3), {"strides": 2, "padding": "same"}, (2, 5, 4, 3)),
    ("Conv2DTranspose", (4, 3), {"strides": 2, "padding": "same", "output_padding": 1},
     (2, 5, 4, 3)),
    ("Conv2DTranspose", (2, 4), {"strides": 3, "output_padding": (2, 1), "activation": "relu"},
     (2, 4, 3, 3)),
    ("Conv2DTranspose", (2, (2, 3)), {"strides": (1, 2), "use_bias": False}, (2, 4, 3, 3)),
    ("DepthwiseConv2D", (3,), {}, (2, 7, 6, 3)),
    ("DepthwiseConv2D", (3,), {"depth_multiplier": 2, "padding": "same", "strides": 2},
     (2, 7, 6, 3)),
    ("DepthwiseConv2D", ((3, 2),), {"dilation_rate": 2, "activation": "relu"}, (2, 9, 8, 2)),
    ("DepthwiseConv2D", (3,), {"strides": 2, "dilation_rate": 2}, (2, 11, 10, 3)),
    ("SeparableConv2D", (5, 3), {}, (2, 7, 6, 3)),
    ("SeparableConv2D", (5, 3), {"depth_multiplier": 2, "strides": 2, "padding": "same"},
     (2, 7, 6, 3)),
    ("SeparableConv2D", (4, 2), {"dilation_rate": 2, "use_bias": False}, (2, 7, 6, 3)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES, ids=lambda v: str(v))
def test_matches_keras(real_tf, cls, args, kwargs, shape):
    compare(real_tf, cls, args, kwargs, shape)


@pytest.mark.parametrize("cls,args,kwargs,shape", [c for c in CASES if c[0] != "Conv1D"][::3],
                         ids=lambda v: str(v))
def test_symbolic_output_shapes_match_keras(real_tf, cls, args, kwargs, shape):
    keras = real_tf.keras
    # Unknown spatial sizes are covered below with small kernels: the functional API infers
    # shapes by running the layer on placeholder sizes 2 and 3.
    for inner in (shape[1:],):
        theirs = getattr(keras.layers, cls)(*args, **kwargs)(keras.Input(inner))
        ours = getattr(L, cls)(*args, **kwargs)(nd.keras.Input(inner))
        assert tuple(ours.shape) == tuple(theirs.shape)


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES[::2], ids=lambda v: str(v))
def test_compute_output_shape_matches_keras(real_tf, cls, args, kwargs, shape):
    theirs = getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    ours = getattr(L, cls)(*args, **kwargs)
    for s in (shape, (None,) + shape[1:]):
        assert tuple(ours.compute_output_shape(s)) == tuple(theirs.compute_output_shape(s))


@pytest.mark.parametrize("cls,args,kwargs", [
    ("Conv2D", (4, 2), {"padding": "same", "strides": 2}),
    ("Conv2DTranspose", (4, 3), {"strides": 2}),
    ("SeparableConv2D", (4, 1), {}),
])
def test_symbolic_unknown_spatial_sizes(real_tf, cls, args, kwargs):
    keras = real_tf.keras
    theirs = getattr(keras.layers, cls)(*args, **kwargs)(keras.Input((None, None, 3)))
    ours = getattr(L, cls)(*args, **kwargs)(nd.keras.Input((None, None, 3)))
    assert tuple(ours.shape) == tuple(theirs.shape)


def test_conv1d_symbolic_causal(real_tf):
    keras = real_tf.keras
    theirs = keras.layers.Conv1D(3, 4, padding="causal", strides=2)(keras.Input((None, 2)))
    ours = L.Conv1D(3, 4, padding="causal", strides=2)(nd.keras.Input((None, 2)))
    assert tuple(ours.shape) == tuple(theirs.shape)


@pytest.mark.parametrize("cls,args,kwargs", [
    ("Conv2D", (4, 3), {"strides": 2, "padding": "same"}),
    ("Conv1D", (4, 3), {"padding": "causal"}),
    ("Conv2DTranspose", (4, 3), {"strides": 2}),
    ("DepthwiseConv2D", (3,), {"depth_multiplier": 2}),
    ("SeparableConv2D", (4, 3), {}),
])
def test_channels_first_is_transposed_channels_last(real_tf, cls, args, kwargs):
    # Keras' TensorFlow backend cannot run NCHW convolutions on a CPU, so channels_first is
    # checked against our own channels_last result on transposed data (and the config
    # against Keras).
    rank = 3 if cls == "Conv1D" else 4
    shape = (2, 7, 3) if rank == 3 else (2, 7, 6, 3)
    x = RNG.standard_normal(shape).astype("float32")
    last = getattr(L, cls)(*args, **kwargs)
    first = getattr(L, cls)(*args, data_format="channels_first", **kwargs)
    to_first = [0, rank - 1] + list(range(1, rank - 1))
    to_last = [0] + list(range(2, rank)) + [1]
    y_last = last(nd.constant(x)).numpy()
    first(nd.constant(x.transpose(to_first)))
    first.set_weights(last.get_weights())
    y_first = first(nd.constant(x.transpose(to_first))).numpy()
    np.testing.assert_allclose(y_first.transpose(to_last), y_last, rtol=1e-6, atol=1e-6)
    theirs = getattr(real_tf.keras.layers, cls)(*args, data_format="channels_first", **kwargs)
    assert _config(first) == _config(theirs)
    assert tuple(first.compute_output_shape(x.transpose(to_first).shape)) == \
        tuple(theirs.compute_output_shape(x.transpose(to_first).shape))


def test_dilated_conv2d_transpose_equals_zero_inserted_kernel():
    # TensorFlow's CPU kernels refuse dilated transposed convolutions, so the reference is the
    # same layer with the dilation spelled out as zeros in a bigger kernel.
    x = RNG.standard_normal((2, 5, 4, 3)).astype("float32")
    dilated = L.Conv2DTranspose(2, 3, dilation_rate=2)
    dilated(nd.constant(x))
    kernel, bias = dilated.get_weights()
    wide = np.zeros((5, 5, 2, 3), np.float32)
    wide[::2, ::2] = kernel
    plain = L.Conv2DTranspose(2, 5)
    plain(nd.constant(x))
    plain.set_weights([wide, bias])
    np.testing.assert_allclose(dilated(nd.constant(x)).numpy(), plain(nd.constant(x)).numpy(),
                               rtol=1e-5, atol=1e-6)
    assert dilated(nd.constant(x)).shape.as_list() == [2, 9, 8, 2]


def test_regularizers_and_constraints(real_tf):
    kwargs = {"kernel_regularizer": "l2", "bias_regularizer": {"class_name": "L1",
                                                               "config": {"l1": 0.1}},
              "activity_regularizer": "l1", "kernel_constraint": "max_norm",
              "bias_constraint": "non_neg", "bias_initializer": "ones"}
    ours, theirs = compare(real_tf, "Conv2D", (3, 2), kwargs, (2, 5, 5, 2))
    x = RNG.standard_normal((2, 5, 5, 2)).astype("float32")
    ours(nd.constant(x))
    theirs(x)
    np.testing.assert_allclose(sorted(float(v) for v in ours.losses),
                               sorted(float(v) for v in theirs.losses), rtol=1e-5)
    assert ours.kernel.constraint is ours.kernel_constraint
    assert ours.bias.constraint is ours.bias_constraint


def test_depthwise_and_separable_regularizers(real_tf):
    compare(real_tf, "DepthwiseConv2D", (2,),
            {"depthwise_regularizer": "l2", "depthwise_constraint": "unit_norm"}, (2, 4, 4, 2))
    compare(real_tf, "SeparableConv2D", (3, 2),
            {"pointwise_regularizer": "l1", "pointwise_initializer": "zeros",
             "depthwise_initializer": "ones"}, (2, 4, 4, 2))


BAD_ARGS = [
    ("Conv2D", (0, 3), {}),
    ("Conv2D", (2, 0), {}),
    ("Conv2D", (2, (3, 3, 3)), {}),
    ("Conv2D", (2, "a"), {}),
    ("Conv2D", (2, 3), {"padding": "causal"}),
    ("Conv2D", (2, 3), {"padding": "full"}),
    ("Conv2D", (2, 3), {"strides": 2, "dilation_rate": 2}),
    ("Conv2D", (3, 3), {"groups": 2}),
    ("Conv2D", (2, 3), {"groups": 0}),
    ("Conv2D", (2, 3), {"data_format": "nhwc"}),
    ("Conv2D", (2, 3), {"activation": "no_such_activation"}),
    ("Conv2D", (2, 3), {"strides": 0}),
    ("Conv1D", (2, 3), {"padding": "circular"}),
    ("Conv2DTranspose", (2, 3), {"strides": 2, "output_padding": 2}),
    ("Conv2DTranspose", (2, 3), {"padding": "causal"}),
    ("Conv2DTranspose", (0, 3), {}),
    ("DepthwiseConv2D", (3,), {"depth_multiplier": 0}),
    ("SeparableConv2D", (0, 3), {}),
    ("Conv2D", (2, 3), {"unknown_argument": 1}),
]


@pytest.mark.parametrize("cls,args,kwargs", BAD_ARGS, ids=lambda v: str(v))
def test_bad_arguments_raise_like_keras(real_tf, cls, args, kwargs):
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, cls)(*args, **kwargs)
    with pytest.raises(Exception) as ours:
        getattr(L, cls)(*args, **kwargs)
    assert type(ours.value).__name__ == type(theirs.value).__name__


@pytest.mark.parametrize("cls,args,shape", [
    ("Conv2D", (2, 3), (2, 5, 5)),            # rank too low
    ("Conv2D", (2, 6), (1, 5, 5, 1)),         # kernel larger than input
    ("Conv2D", (3, 2, (1, 1), "valid", None, (1, 1), 2), (1, 5, 5, 3)),  # channels vs groups
    ("Conv1D", (2, 3), (2, 5)),
])
def test_bad_inputs_raise_like_keras(real_tf, cls, args, shape):
    x = np.zeros(shape, np.float32)
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, cls)(*args)(x)
    with pytest.raises(Exception) as ours:
        getattr(L, cls)(*args)(nd.constant(x))
    assert type(ours.value).__name__ == type(theirs.value).__name__


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES[::4], ids=lambda v: str(v))
def test_from_config_and_serialization_round_trip(cls, args, kwargs, shape):
    layer = getattr(L, cls)(*args, **kwargs)
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    described = serialization_lib.serialize_keras_object(layer)
    assert described["module"] == "keras.layers"
    assert described["class_name"] == cls
    assert described["registered_name"] is None
    rebuilt = serialization_lib.deserialize_keras_object(described)
    assert type(rebuilt) is type(layer) and rebuilt.get_config() == config


def test_aliases():
    assert L.Convolution2D is L.Conv2D and L.Convolution1D is L.Conv1D
    assert L.Convolution2DTranspose is L.Conv2DTranspose
    assert L.SeparableConvolution2D is L.SeparableConv2D


def test_unknown_batch_dimension_and_sizes_between_calls():
    layer = L.Conv2DTranspose(2, 3, strides=2, padding="same")
    assert layer(nd.zeros([1, 3, 4, 1])).shape.as_list() == [1, 6, 8, 2]
    assert layer(nd.zeros([3, 5, 2, 1])).shape.as_list() == [3, 10, 4, 2]
    conv = L.Conv2D(2, 3)
    assert conv(nd.zeros([1, 5, 5, 1])).shape.as_list() == [1, 3, 3, 2]
    assert conv(nd.zeros([2, 7, 6, 1])).shape.as_list() == [2, 5, 4, 2]


def test_weights_before_build_and_count_params():
    layer = L.SeparableConv2D(4, 3, depth_multiplier=2)
    assert layer.weights == []
    layer(nd.zeros([1, 5, 5, 3]))
    assert layer.count_params() == 3 * 3 * 3 * 2 + 6 * 4 + 4


def test_small_cnn_trains():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 8, 8, 1)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("float32")[:, None]
    conv, pool, dense = L.Conv2D(4, 3, activation="relu"), L.GlobalAveragePooling2D(), \
        L.Dense(1)
    params, losses = None, []
    for _ in range(30):
        with nd.GradientTape() as tape:
            logits = dense(pool(conv(nd.constant(x))))
            loss = nd.reduce_mean(nd.nn.sigmoid_cross_entropy_with_logits(y, logits))
        params = conv.trainable_weights + dense.trainable_weights
        for p, g in zip(params, tape.gradient(loss, params)):
            p.assign_sub(0.5 * g)
        losses.append(float(loss))
    assert losses[-1] < losses[0]
