"""Tensors: literal dtype rules, conversion, operators, indexing, NumPy interop, repr."""
import numpy as np
import pytest

import ndflow as tf
from conformance import assert_same

CONVERSIONS = {
    "int_literal": lambda t: t.constant(1),
    "big_int_literal": lambda t: t.constant(2**40),
    "float_literal": lambda t: t.constant(1.5),
    "bool_literal": lambda t: t.constant(True),
    "complex_literal": lambda t: t.constant(1j),
    "mixed_list": lambda t: t.constant([1, 2.5]),
    "nested_list": lambda t: t.constant([[1, 2], [3, 4]]),
    "int_list_big": lambda t: t.constant([1, 2**40]),
    "float64_array": lambda t: t.constant(np.array([1.0, 2.0])),
    "int64_scalar": lambda t: t.constant(np.int64(3)),
    "float_to_int_dtype": lambda t: t.constant(1.5, t.int32),
    "float_whole_to_int": lambda t: t.constant(1.0, t.int32),
    "int_to_float_dtype": lambda t: t.constant(1, t.float32),
    "int_wraps_uint8": lambda t: t.constant(300, t.uint8),
    "negative_to_uint8": lambda t: t.constant(-1, t.uint8),
    "int_to_bool": lambda t: t.constant(1, t.bool),
    "bool_to_int": lambda t: t.constant(True, t.int32),
    "numpy_float_to_int": lambda t: t.constant(np.array([1.5, -2.5]), t.int32),
    "ragged_list": lambda t: t.constant([[1, 2], [3]]),
    "none": lambda t: t.constant(None),
    "mixed_bool_int": lambda t: t.constant([True, 1]),
    "shape_fill": lambda t: t.constant(0.5, shape=(2, 2)),
    "shape_reshape": lambda t: t.constant([1, 2, 3, 4], shape=(2, 2)),
    "shape_bad": lambda t: t.constant([1, 2, 3, 4], shape=(3,)),
    "tensor_other_dtype": lambda t: t.constant(t.constant(1), dtype=t.float32),
    "convert_tensor_other_dtype": lambda t: t.convert_to_tensor(t.constant(1), t.float32),
    "convert_numpy_cast": lambda t: t.convert_to_tensor(np.array([1.0]), t.float32),
    "convert_hint_used": lambda t: t.convert_to_tensor(1, dtype_hint=t.float32),
    "convert_hint_ignored": lambda t: t.convert_to_tensor(1.5, dtype_hint=t.int32),
    "list_of_tensors": lambda t: t.convert_to_tensor([t.constant(1.0), 2.0]),
    "strings": lambda t: t.constant(["a", "bc"]),
    "unicode_string": lambda t: t.constant("café"),
}


@pytest.mark.parametrize("name", sorted(CONVERSIONS))
def test_conversion_matches_tensorflow(name, real_tf):
    assert_same(CONVERSIONS[name], real_tf)


OPERATORS = {
    "int_plus_literal": lambda t: t.constant([1, 2]) + 1,
    "int_plus_float_literal": lambda t: t.constant([1, 2]) + 1.5,
    "float_plus_int_list": lambda t: t.constant([1.0, 2.0]) + [1, 2],
    "int_tensor_plus_float_array": lambda t: t.constant([1, 2]) + np.array([1.5, 2.0]),
    "array_plus_tensor": lambda t: np.array([1.0, 2.0]) + t.constant([1.0, 2.0]),
    "add_python_first": lambda t: t.add(1, 2.0),
    "uint8_wraps": lambda t: t.constant(1, t.uint8) + 300,
    "int_true_division": lambda t: t.constant([7, -7]) / 2,
    "int8_true_division": lambda t: t.constant([7], t.int8) / t.constant([2], t.int8),
    "floordiv_negative": lambda t: t.constant([-7, 7]) // 2,
    "mod_negative": lambda t: t.constant([-7, 7]) % 3,
    "float_mod": lambda t: t.constant([-7.5]) % 2,
    "float_div_zero": lambda t: t.constant([1.0, -1.0, 0.0]) / 0.0,
    "int_pow": lambda t: t.constant(3) ** 2,
    "rpow": lambda t: 2 ** t.constant(3.0),
    "matmul_operator": lambda t: t.constant([[1.0, 2.0]]) @ t.constant([[3.0], [4.0]]),
    "neg_abs": lambda t: [-t.constant([1, -2]), abs(t.constant([-1.5]))],
    "bool_ops": lambda t: [t.constant([True, False]) & True, t.constant([True]) | False,
                           t.constant([True]) ^ True, ~t.constant([True])],
    "int_bitwise": lambda t: [t.constant(5) & 3, t.constant(5) | 3, t.constant(5) ^ 3,
                              ~t.constant(5)],
    "comparisons": lambda t: [t.constant([1.0, 2.0]) < 2, t.constant([1, 2]) >= 2,
                              t.constant([1, 2]) == 2, t.constant([1, 2]) != 2],
    "eq_none": lambda t: t.constant([1.0]) == None,  # noqa: E711
    "eq_incompatible_shapes": lambda t: t.constant([1, 2]) == t.constant([1, 2, 3]),
    "eq_mismatched_dtypes": lambda t: t.constant([1, 2]) == t.constant([1.0, 2.0]),
    "neg_bool": lambda t: -t.constant(True),
    "float_and": lambda t: t.constant(1.5) & True,
}


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operators_match_tensorflow(name, real_tf):
    assert_same(OPERATORS[name], real_tf)


INDEXING = {
    "int": lambda t: t.constant([[1, 2, 3], [4, 5, 6]])[1],
    "negative_int": lambda t: t.range(5)[-1] if hasattr(t, "range") else None,
    "slice_step": lambda t: t.constant([1, 2, 3, 4, 5])[::2],
    "reverse": lambda t: t.constant([1, 2, 3])[::-1],
    "past_end": lambda t: t.constant([1.0, 2.0])[1:5],
    "column": lambda t: t.constant([[1.0, 2.0], [3.0, 4.0]])[:, 0],
    "ellipsis_newaxis": lambda t: t.constant(np.arange(24).reshape(2, 3, 4))[1, ..., None, ::2],
    "newaxis_mix": lambda t: t.constant([1, 2])[None, 1:, None],
    "tensor_index": lambda t: t.constant([1.0, 2.0])[t.constant(1)],
    "float_index": lambda t: t.constant([1, 2])[1.0],
    "list_index": lambda t: t.constant([1.0, 2.0])[[0, 1]],
    "out_of_bounds": lambda t: t.constant([[1, 2, 3]])[0, 5],
    "negative_out_of_bounds": lambda t: t.constant([1, 2, 3])[-4],
    "scalar": lambda t: t.constant(1.0)[0],
    "two_ellipses": lambda t: t.constant([1.0])[..., ...],
}


@pytest.mark.parametrize("name", sorted(INDEXING))
def test_indexing_matches_tensorflow(name, real_tf):
    assert_same(INDEXING[name], real_tf)


def test_properties_and_python_conversions():
    t = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == [2, 3] and t.shape.rank == 2 and t.ndim == 2
    assert t.dtype == tf.float32 and t.dtype is tf.float32
    assert t.device.endswith("CPU:0")
    assert len(t) == 2
    assert [row.numpy().tolist() for row in t] == [[1, 2, 3], [4, 5, 6]]
    s = tf.constant(3)
    assert int(s) == 3 and float(s) == 3.0 and bool(s) and [10, 20, 30, 40][s] == 40
    with pytest.raises(TypeError):
        len(tf.constant(1.0))
    with pytest.raises(ValueError):
        bool(tf.constant([1, 2]))
    with pytest.raises(TypeError):
        iter(tf.constant(1.0))


def test_numpy_interop():
    t = tf.constant([1.0, 4.0])
    assert isinstance(np.array(t), np.ndarray) and np.array(t).dtype == np.float32
    assert isinstance(np.square(t), np.ndarray)
    np.testing.assert_array_equal(np.square(t), [1.0, 16.0])
    out = t.numpy()
    out[0] = 100.0  # numpy() is a copy: the tensor stays unchanged
    assert t.numpy()[0] == 1.0
    source = np.array([1.0, 2.0])
    made = tf.constant(source)
    source[0] = 9.0  # nor does changing the source array afterwards
    assert made.numpy()[0] == 1.0
    assert isinstance(tf.constant(2.0).numpy(), np.float32)


def test_immutable_and_unhashable():
    t = tf.constant([1, 2])
    with pytest.raises(TypeError):
        t[0] = 5
    with pytest.raises(TypeError, match="ref"):
        hash(t)
    refs = {t.ref(): "x"}
    assert refs[t.ref()] == "x" and t.ref().deref() is t
    assert t.ref() != tf.constant([1, 2]).ref()


def test_repr_and_str_match_tensorflow(real_tf):
    values = [np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32), np.float32(1.0),
              np.array([1, 2], np.int32), np.zeros((0, 3), np.float32), np.float32(0.1),
              np.array([True, False])]
    for v in values:
        assert repr(tf.constant(v)).replace("ndflow", "tf") == repr(real_tf.constant(v))
        assert str(tf.constant(v)) == str(real_tf.constant(v))
    assert repr(tf.constant([b"a", b"b"])) == repr(real_tf.constant([b"a", b"b"]))


def test_dtype_mismatch_message_names_op_dtypes_and_line():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])
    message = str(info.value)
    assert "AddV2" in message and "int32" in message and "float32" in message
    assert "test_tensor.py" in message and "tf.constant([1, 2]) + tf.constant" in message


def test_shape_error_message_names_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"\[2\] vs. \[3\]"):
        tf.constant([1.0, 2.0]) + tf.constant([1.0, 2.0, 3.0])
