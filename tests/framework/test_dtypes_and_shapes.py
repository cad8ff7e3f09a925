"""DTypes and TensorShape against TensorFlow."""
import numpy as np
import pytest

import ndflow as tf

NAMES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
         "uint32", "uint64", "bool", "complex64", "complex128", "string"]


@pytest.mark.parametrize("name", NAMES)
def test_dtype_properties_match_tensorflow(name, real_tf):
    ours, theirs = getattr(tf, name), getattr(real_tf, name)
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)
    for prop in ("name", "is_floating", "is_integer", "is_unsigned", "is_complex", "is_bool",
                 "as_datatype_enum"):
        assert getattr(ours, prop) == getattr(theirs, prop), prop
    assert ours.as_numpy_dtype == theirs.as_numpy_dtype
    if ours.is_integer or ours.is_floating:
        assert ours.min == theirs.min and ours.max == theirs.max
        assert ours.size == theirs.size
    assert ours.real_dtype.name == theirs.real_dtype.name


@pytest.mark.parametrize("value", ["float32", np.float32, np.dtype("int64"), float, bool,
                                   "foo", int, 1, 3])
def test_as_dtype_matches_tensorflow(value, real_tf):
    def run(module):
        try:
            return module.as_dtype(value).name
        except Exception as exc:  # noqa: BLE001
            return type(exc).__name__
    assert run(tf) == run(real_tf)


def test_dtype_equality():
    assert tf.int32 == np.int32 and tf.int32 == "int32" and tf.float32 != tf.float64
    assert tf.float32 != None  # noqa: E711
    assert hash(tf.int32) == hash(tf.as_dtype("int32"))
    assert tf.float64.limits == (0, 1) and tf.int8.limits == (-128, 127)


SHAPES = {
    "repr": lambda t: repr(t.TensorShape([2, None])),
    "str": lambda t: str(t.TensorShape([2, None])),
    "str_1d": lambda t: str(t.TensorShape([3])),
    "unknown_repr": lambda t: repr(t.TensorShape(None)),
    "unknown_rank": lambda t: t.TensorShape(None).rank,
    "eq_list": lambda t: t.TensorShape([2, 3]) == [2, 3],
    "eq_none_dims": lambda t: t.TensorShape([2, None]) == [2, None],
    "slice": lambda t: repr(t.TensorShape([2, 3, 4])[1:]),
    "index": lambda t: t.TensorShape([2, 3])[1],
    "as_list_unknown": lambda t: t.TensorShape(None).as_list(),
    "compatible": lambda t: [t.TensorShape([2, None]).is_compatible_with([2, 5]),
                             t.TensorShape([2, 3]).is_compatible_with([2, 5]),
                             t.TensorShape(None).is_compatible_with([1])],
    "merge": lambda t: repr(t.TensorShape([2, None]).merge_with([None, 3])),
    "merge_bad": lambda t: t.TensorShape([2]).merge_with([3]),
    "concatenate": lambda t: repr(t.TensorShape([2]).concatenate([3, None])),
    "num_elements": lambda t: [t.TensorShape([2, 3]).num_elements(),
                               t.TensorShape([2, None]).num_elements()],
    "fully_defined": lambda t: t.TensorShape([2, None]).is_fully_defined(),
    "len": lambda t: len(t.TensorShape([2, 3, 4])),
    "negative_dim": lambda t: t.TensorShape([-2]),
    "most_specific": lambda t: repr(t.TensorShape([2, 3]).most_specific_compatible_shape([2, 4])),
    "with_rank_bad": lambda t: t.TensorShape([2, 3]).with_rank(3),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_tensor_shape_matches_tensorflow(name, real_tf):
    from conformance import assert_same
    assert_same(SHAPES[name], real_tf)
