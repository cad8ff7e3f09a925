"""Static output shapes of layers called on symbolic inputs (functional API) against Keras 3."""
import numpy as np
import pytest

import ndflow as nd

# (layer class, input shapes without the batch dimension, constructor keywords)
CASES = [
    ("MaxPooling1D", [(None, 3)], {"pool_size": 3}),
    ("MaxPooling2D", [(None, None, 3)], {"pool_size": 2}),
    ("MaxPooling2D", [(7, 9, 3)], {"pool_size": 2}),
    ("MaxPooling3D", [(None, None, None, 2)], {"pool_size": 2}),
    ("AveragePooling1D", [(None, 3)], {"pool_size": 2}),
    ("AveragePooling2D", [(None, None, 3)], {"pool_size": 3, "strides": 2, "padding": "same"}),
    ("AveragePooling3D", [(None, 6, None, 2)], {"pool_size": 2}),
    ("Conv1D", [(None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("Conv1D", [(None, 3)], {"filters": 4, "kernel_size": 5}),
    ("Conv2D", [(None, None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("Conv2D", [(None, None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2,
                                   "padding": "same"}),
    ("Conv2D", [(None, None, 3)], {"filters": 4, "kernel_size": 2, "dilation_rate": 2}),
    ("Conv2D", [(8, 8, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("Conv3D", [(None, None, None, 3)], {"filters": 4, "kernel_size": 2, "strides": 2}),
    ("Conv1DTranspose", [(None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("Conv2DTranspose", [(None, None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("Conv3DTranspose", [(None, None, None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("SeparableConv1D", [(None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("SeparableConv2D", [(None, None, 3)], {"filters": 4, "kernel_size": 3, "strides": 2}),
    ("DepthwiseConv1D", [(None, 3)], {"kernel_size": 3, "strides": 2}),
    ("DepthwiseConv2D", [(None, None, 3)], {"kernel_size": 3, "strides": 2}),
    ("GlobalAveragePooling2D", [(None, None, 3)], {}),
    ("GlobalMaxPooling1D", [(None, 3)], {"keepdims": True}),
    ("UpSampling1D", [(None, 3)], {"size": 2}),
    ("UpSampling2D", [(None, None, 3)], {"size": 2}),
    ("UpSampling3D", [(None, None, None, 3)], {"size": 2}),
    ("ZeroPadding1D", [(None, 3)], {"padding": 1}),
    ("ZeroPadding2D", [(None, None, 3)], {"padding": 1}),
    ("ZeroPadding3D", [(None, None, None, 3)], {"padding": 1}),
    ("Cropping1D", [(None, 3)], {"cropping": 1}),
    ("Cropping2D", [(None, None, 3)], {"cropping": 1}),
    ("Cropping3D", [(None, None, None, 3)], {"cropping": 1}),
    ("Reshape", [(4, 6)], {"target_shape": (-1, 3)}),
    ("Reshape", [(None, 6)], {"target_shape": (-1, 3)}),
    ("Reshape", [(None, 6)], {"target_shape": (2, -1)}),
    ("Flatten", [(None, 6)], {}),
    ("Flatten", [(4, 6)], {}),
    ("Permute", [(None, 6)], {"dims": (2, 1)}),
    ("RepeatVector", [(6,)], {"n": 3}),
    ("Dense", [(None, None, 3)], {"units": 5}),
    ("EinsumDense", [(None, 3)], {"equation": "abc,cd->abd", "output_shape": (None, 5)}),
    ("Embedding", [(None,)], {"input_dim": 10, "output_dim": 3}),
    ("SimpleRNN", [(None, 3)], {"units": 4}),
    ("SimpleRNN", [(None, 3)], {"units": 4, "return_sequences": True}),
    ("LSTM", [(None, 3)], {"units": 4, "return_sequences": True, "return_state": True}),
    ("GRU", [(5, 3)], {"units": 4, "return_state": True}),
    ("LayerNormalization", [(None, 3)], {}),
    ("BatchNormalization", [(None, None, 3)], {}),
    ("GroupNormalization", [(None, 4)], {"groups": 2}),
    ("Dropout", [(None, 3)], {"rate": 0.5}),
    ("SpatialDropout2D", [(None, None, 3)], {"rate": 0.5}),
    ("Resizing", [(None, None, 3)], {"height": 4, "width": 5}),
    ("CenterCrop", [(None, None, 3)], {"height": 4, "width": 5}),
    ("CategoryEncoding", [(None,)], {"num_tokens": 5, "output_mode": "multi_hot"}),
    ("MultiHeadAttention", [(None, 8), (None, 8)], {"num_heads": 2, "key_dim": 4}),
    ("MultiHeadAttention", [(5, 8), (7, 6)], {"num_heads": 2, "key_dim": 4}),
    ("Concatenate", [(None, 3), (None, 4)], {}),
    ("Add", [(None, 3), (None, 3)], {}),
]


def _shapes(out):
    if isinstance(out, (list, tuple)):
        return [tuple(o.shape) for o in out]
    return tuple(out.shape)


def _call(module, name, input_shapes, kwargs):
    inputs = [module.Input(s) for s in input_shapes]
    layer = getattr(module.layers, name)(**kwargs)
    if name in ("Concatenate", "Add"):
        return layer(inputs)
    return layer(*inputs)


@pytest.mark.parametrize("name,input_shapes,kwargs", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_layer_output_shape_matches_keras(real_tf, name, input_shapes, kwargs):
    ours = _call(nd.keras, name, input_shapes, kwargs)
    theirs = _call(real_tf.keras, name, input_shapes, kwargs)
    assert _shapes(ours) == _shapes(theirs)


def test_pooling_keeps_unknown_sizes_unknown():
    x = nd.keras.Input((None, None, None, 2))
    y = nd.keras.layers.MaxPooling3D(2)(x)
    assert tuple(y.shape) == (None, None, None, None, 2)


class _HalveTime(nd.keras.layers.Layer):
    """A custom layer without compute_output_shape that strides the time axis by 2."""

    def call(self, x):
        return x[:, ::2] * 2.0


class _FixedLength(nd.keras.layers.Layer):
    """A custom layer whose output length does not depend on the input length."""

    def call(self, x):
        return nd.reduce_mean(x, axis=1, keepdims=True) + nd.zeros((1, 4, 1))


class _PoolInside(nd.keras.layers.Layer):
    """A custom layer wrapping a pooling layer, without its own compute_output_shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pool = nd.keras.layers.MaxPooling1D(2)

    def call(self, x):
        return self.pool(x)


class _WideKernel(nd.keras.layers.Layer):
    """A custom layer whose call fails on small placeholder sizes (a 'valid' window of 9)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.conv = nd.keras.layers.Conv1D(2, 9)

    def call(self, x):
        return self.conv(x)


@pytest.mark.parametrize("layer_cls,expected", [
    (_HalveTime, (None, None, 3)),
    (_FixedLength, (None, 4, 3)),
    (_PoolInside, (None, None, 3)),
    (_WideKernel, (None, None, 2)),
])
def test_custom_layers_without_compute_output_shape(layer_cls, expected):
    y = layer_cls()(nd.keras.Input((None, 3)))
    assert tuple(y.shape) == expected


def test_custom_layer_with_compute_output_shape_marks_unknown():
    class Strided(nd.keras.layers.Layer):
        def call(self, x):
            return x[:, ::4]

        def compute_output_shape(self, input_shape):
            return (input_shape[0], None, input_shape[2])

    y = Strided()(nd.keras.Input((None, 3)))
    assert tuple(y.shape) == (None, None, 3)


def test_wrong_compute_output_shape_does_not_override_real_sizes():
    class Lies(nd.keras.layers.Layer):
        def call(self, x):
            return x[:, :2]

        def compute_output_shape(self, input_shape):
            return (input_shape[0], 5, input_shape[2])

    # The concrete runs show the length is 2; the declared 5 is not believed.
    y = Lies()(nd.keras.Input((None, 3)))
    assert tuple(y.shape) == (None, 2, 3)


def test_functional_model_with_unknown_sizes_runs_on_any_size():
    inputs = nd.keras.Input((None, None, 3))
    x = nd.keras.layers.Conv2D(4, 3, strides=2, padding="same")(inputs)
    x = nd.keras.layers.MaxPooling2D(2)(x)
    outputs = nd.keras.layers.GlobalAveragePooling2D()(x)
    model = nd.keras.Model(inputs, outputs)
    assert tuple(x.shape) == (None, None, None, 4)
    for size in (8, 13):
        y = model(np.zeros((2, size, size, 3), "float32"))
        assert tuple(y.shape) == (2, 4)


def test_layer_error_surfaces_when_no_size_works():
    class Broken(nd.keras.layers.Layer):
        def call(self, x):
            raise RuntimeError("broken on purpose")

    with pytest.raises(RuntimeError, match="broken on purpose"):
        Broken()(nd.keras.Input((None, 3)))


@pytest.mark.parametrize("shape", [(3, 3, 1), (None, 3, 1)])
def test_invalid_known_size_raises_value_error_like_keras(real_tf, shape):
    with pytest.raises(ValueError):
        real_tf.keras.layers.Conv2D(2, 5)(real_tf.keras.Input(shape))
    with pytest.raises(ValueError, match="negative"):
        nd.keras.layers.Conv2D(2, 5)(nd.keras.Input(shape))
