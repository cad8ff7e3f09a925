"""1-D/3-D UpSampling, ZeroPadding and Cropping layers against Keras 3."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import layers as L
from test_layers_more_activation import compare, config_without_name

CASES = [
    ("UpSampling1D", (), {}, (2, 4, 3)),
    ("UpSampling1D", (3,), {}, (2, 4, 3)),
    ("ZeroPadding1D", (), {}, (2, 4, 3)),
    ("ZeroPadding1D", ((2, 0),), {}, (2, 4, 3)),
    ("ZeroPadding1D", (3,), {"data_format": "channels_first"}, (2, 4, 3)),
    ("Cropping1D", (), {}, (2, 5, 3)),
    ("Cropping1D", ((0, 2),), {}, (2, 5, 3)),
    ("Cropping1D", (2,), {}, (2, 5, 3)),
    ("UpSampling3D", (), {}, (2, 2, 3, 2, 2)),
    ("UpSampling3D", ((1, 2, 3),), {}, (2, 2, 3, 2, 2)),
    ("UpSampling3D", (2,), {"data_format": "channels_first"}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", (), {}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", (2,), {}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", ((1, 0, 2),), {}, (2, 2, 3, 2, 2)),
    ("ZeroPadding3D", (((1, 2), (0, 1), (2, 0)),), {"data_format": "channels_first"},
     (2, 2, 3, 2, 2)),
    ("Cropping3D", (), {}, (2, 4, 5, 3, 2)),
    ("Cropping3D", ((1, 0, 1),), {}, (2, 4, 5, 3, 2)),
    ("Cropping3D", (((0, 1), (2, 1), (1, 0)),), {}, (2, 4, 5, 3, 2)),
    ("Cropping3D", ((0, 1, 1),), {"data_format": "channels_first"}, (2, 2, 5, 4, 3)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES, ids=lambda v: str(v))
def test_matches_keras(real_tf, cls, args, kwargs, shape):
    compare(real_tf, cls, args, kwargs, shape)


@pytest.mark.parametrize("cls,args,kwargs,shape", CASES[::2], ids=lambda v: str(v))
def test_symbolic_shapes_match_keras(real_tf, cls, args, kwargs, shape):
    keras = real_tf.keras
    theirs = getattr(keras.layers, cls)(*args, **kwargs)(keras.Input(shape[1:]))
    ours = getattr(L, cls)(*args, **kwargs)(nd.keras.Input(shape[1:]))
    assert tuple(ours.shape) == tuple(theirs.shape)


@pytest.mark.parametrize("cls,args", [
    ("ZeroPadding1D", ((1, 2, 3),)), ("ZeroPadding1D", ((1, -1),)), ("ZeroPadding1D", ("a",)),
    ("Cropping1D", (-1,)), ("Cropping1D", ((1, 2, 3),)),
    ("ZeroPadding3D", ((1, 2),)), ("Cropping3D", ((1, 2),)), ("Cropping3D", (-1,)),
    ("UpSampling3D", (0,)), ("UpSampling3D", ((1, 2),)),
    ("UpSampling1D", (0,)), ("UpSampling1D", ((2,),)), ("UpSampling1D", (2.0,)),
])
def test_constructor_errors_match_keras(real_tf, cls, args):
    with pytest.raises(Exception) as theirs:
        getattr(real_tf.keras.layers, cls)(*args)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(L, cls)(*args)
    assert str(ours.value) == str(theirs.value)


def test_negative_3d_padding_is_refused():
    # Keras accepts ZeroPadding3D(-1) and fails later inside the pad op; ndflow refuses it up
    # front, as Cropping3D(-1) does in both.
    with pytest.raises(ValueError, match="cannot be negative"):
        L.ZeroPadding3D(-1)


@pytest.mark.parametrize("cls,arg,shape", [
    ("Cropping1D", (3, 3), (1, 5, 2)), ("Cropping1D", (1, 1), (1, 2, 2)),
    ("Cropping3D", ((3, 3), (0, 0), (0, 0)), (1, 5, 6, 7, 2)),
])
def test_cropping_too_much_matches_keras(real_tf, cls, arg, shape):
    with pytest.raises(ValueError) as theirs:
        getattr(real_tf.keras.layers, cls)(arg).compute_output_shape(shape)
    with pytest.raises(ValueError) as ours:
        getattr(L, cls)(arg).compute_output_shape(shape)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(ValueError, match="cropping"):
        getattr(L, cls)(arg)(nd.zeros(shape))


@pytest.mark.parametrize("cls,shape", [("UpSampling1D", (1, 5)), ("ZeroPadding1D", (1, 5)),
                                       ("Cropping1D", (1, 5, 2, 2)),
                                       ("ZeroPadding3D", (1, 5, 3, 2)),
                                       ("UpSampling3D", (1, 5, 3, 2)),
                                       ("Cropping3D", (1, 5, 3, 2))])
def test_wrong_rank_is_a_value_error(real_tf, cls, shape):
    with pytest.raises(ValueError) as theirs:
        getattr(real_tf.keras.layers, cls)()(np.zeros(shape, "float32"))
    with pytest.raises(ValueError) as ours:
        getattr(L, cls)()(nd.zeros(shape))
    assert "is incompatible with the layer: expected ndim" in str(theirs.value)
    assert "is incompatible with the layer: expected ndim" in str(ours.value)


def test_unknown_lengths_stay_unknown(real_tf):
    for cls in ("UpSampling1D", "ZeroPadding1D", "Cropping1D"):
        theirs = getattr(real_tf.keras.layers, cls)().compute_output_shape((None, None, 3))
        assert getattr(L, cls)().compute_output_shape((None, None, 3)) == tuple(theirs)


def test_configs_of_defaults_match_keras(real_tf):
    for cls in ("UpSampling1D", "ZeroPadding1D", "Cropping1D", "UpSampling3D",
                "ZeroPadding3D", "Cropping3D"):
        assert config_without_name(getattr(L, cls)()) == \
            config_without_name(getattr(real_tf.keras.layers, cls)())
