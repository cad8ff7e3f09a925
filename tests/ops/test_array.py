"""Array ops beyond the registry cases: argument forms, dtype inference, strings, higher-order
gradients, and error messages."""
import numpy as np
import pytest

import ndflow as tf
from conformance import assert_same

X = np.arange(24, dtype=np.float64).reshape(2, 3, 4)

# Each runs on ndflow and on TensorFlow; values, dtypes and shapes (or exception classes) agree.
SAME = {
    "stack_python_with_tensor": lambda t: t.stack([t.constant([1.0], t.float64), [3.0]]),
    "stack_plain_lists": lambda t: t.stack([[1, 2], [3.0, 4.0]]),
    "stack_empty": lambda t: t.stack([]),
    "stack_shape_mismatch": lambda t: t.stack([t.zeros(2), t.zeros(1)], 1),
    "unstack_num_mismatch": lambda t: t.unstack(t.zeros((2, 3)), num=5),
    "unstack_scalar": lambda t: t.unstack(t.constant(1.0)),
    "zeros_string": lambda t: t.zeros([2], t.string),
    "fill_string": lambda t: t.fill([2, 1], "ab"),
    "zeros_tensor_shape_int64": lambda t: t.zeros(t.constant([2, 1], t.int64), t.int32),
    "zeros_int_shape": lambda t: t.ones(3, t.float64),
    "zeros_complex": lambda t: t.zeros([2], t.complex64),
    "ones_string": lambda t: t.ones([2], t.string),
    "fill_int64_value": lambda t: t.fill([2], t.constant(3, t.int64)),
    "shape_of_list": lambda t: t.shape([[1, 2, 3]]),
    "shape_of_scalar": lambda t: t.shape(3.0),
    "size_int16": lambda t: t.size(t.zeros((2, 3)), out_type=t.int16),
    "rank_of_list": lambda t: t.rank([[1], [2]]),
    "range_int64_tensor": lambda t: t.range(t.constant(1, t.int64), t.constant(4, t.int32)),
    "range_numpy_float64": lambda t: t.range(np.float64(1.5)),
    "range_numpy_int64": lambda t: t.range(np.int64(3)),
    "range_mixed_float": lambda t: t.range(1, 5.0),
    "range_float_tensor_start": lambda t: t.range(t.constant(3.0), 5),
    "range_float64_limit": lambda t: t.range(1, t.constant(5.0, t.float64)),
    "range_dtype_float64": lambda t: t.range(0, 10, 3, dtype=t.float64),
    "range_negative_float": lambda t: t.range(0, -1.0, -0.3),
    "range_fractional_delta": lambda t: t.range(1, 5, 2.5),
    "range_big_ints": lambda t: t.range(2**31, 2**31 + 2),
    "range_bool_dtype": lambda t: t.range(3, dtype=t.bool),
    "linspace_float16": lambda t: t.linspace(t.constant(0.0, t.float16), 1.0, 3),
    "linspace_int64_num": lambda t: t.linspace(0.0, 1.0, t.constant(3, t.int64)),
    "linspace_axis_0": lambda t: t.linspace([0.0, 1.0], [1.0, 2.0], 3),
    "eye_tensor_rows": lambda t: t.eye(t.constant(2)),
    "eye_batch_tuple": lambda t: t.eye(2, batch_shape=(2, 1)),
    "eye_int_batch": lambda t: t.eye(2, batch_shape=3),
    "meshgrid_one": lambda t: t.meshgrid(t.constant([1.0, 2.0])),
    "meshgrid_none": lambda t: t.meshgrid(),
    "meshgrid_matrix_input": lambda t: t.meshgrid([[1, 2]], [3]),
    "identity_n_tensor": lambda t: t.identity_n(t.constant([1, 2])),
    "identity_n_python": lambda t: t.identity_n([1, [2.0]]),
    "concat_tensor_values": lambda t: t.concat(t.constant([[1], [2]]), 0),
    "concat_axis_list": lambda t: t.concat([t.zeros((2, 1)), t.ones((2, 2))], [1]),
    "concat_axis_tensor": lambda t: t.concat([t.zeros((2, 1)), t.ones((2, 2))], t.constant(-1)),
    "concat_python_lists": lambda t: t.concat([[1, 2], [3]], 0),
    "concat_empty": lambda t: t.concat([t.zeros((0, 2)), t.ones((1, 2))], 0),
    "split_numpy_count": lambda t: t.split(t.zeros((4, 2)), np.int64(2)),
    "split_tensor_sizes": lambda t: t.split(t.zeros((2, 6)), t.constant([2, 4]), 1),
    "split_whole": lambda t: t.split(t.zeros((2, 6)), [6], 1),
    "split_zero_rest": lambda t: t.split(t.zeros((2, 6)), [6, -1], 1),
    "split_one_minus_one": lambda t: t.split(t.zeros((2, 6)), [-1], 1),
    "split_scalar": lambda t: t.split(3.0, 1),
    "squeeze_tuple_axis": lambda t: t.squeeze(t.zeros((1, 2, 1)), (0,)),
    "squeeze_duplicate_axes": lambda t: t.squeeze(t.zeros((1, 2, 1)), [0, 0]),
    "squeeze_float_axis": lambda t: t.squeeze(t.zeros((1, 2)), 0.0),
    "expand_dims_scalar": lambda t: t.expand_dims(3, 0),
    "expand_dims_int64_axis": lambda t: t.expand_dims([1, 2], t.constant(1, t.int64)),
    "expand_dims_float_axis": lambda t: t.expand_dims([1, 2], 1.0),
    "transpose_scalar": lambda t: t.transpose(3),
    "transpose_bool": lambda t: t.transpose([[True, False]]),
    "tile_scalar_empty": lambda t: t.tile(3, []),
    "tile_scalar_multiples": lambda t: t.tile([1, 2], 2),
    "pad_scalar_empty": lambda t: t.pad(t.constant(3.0), t.zeros((0, 2), t.int32)),
    "pad_lowercase_reflect": lambda t: t.pad([[1.0, 2.0, 3.0]], [[0, 0], [2, 2]], "reflect"),
    "pad_string": lambda t: t.pad(t.constant(["a"]), [[1, 0]], constant_values="z"),
    "pad_python_float_into_int": lambda t: t.pad([[1, 2]], [[1, 0], [0, 1]],
                                                 constant_values=7.5),
    "pad_bool": lambda t: t.pad([True], [[1, 1]]),
    "reverse_int64_axis": lambda t: t.reverse([[1, 2], [3, 4]], t.constant([0], t.int64)),
    "reverse_matrix_axis": lambda t: t.reverse([[1, 2]], [[0]]),
    "roll_duplicate_axes": lambda t: t.roll([[1, 2], [3, 4]], [1, 1], [0, 0]),
    "roll_big_negative": lambda t: t.roll([1, 2, 3, 4], -5, 0),
    "roll_matrix_shift": lambda t: t.roll([1, 2], [[1]], [[0]]),
    "repeat_scalar_input": lambda t: t.repeat(3, 2),
    "repeat_tensor_counts": lambda t: t.repeat([[1, 2], [3, 4]], t.constant([1, 2]), axis=1),
    "repeat_counts_matrix": lambda t: t.repeat([[1, 2], [3, 4]], [[1, 2]], axis=0),
    "repeat_flatten_counts_mismatch": lambda t: t.repeat([[1, 2], [3, 4]], [1, 2]),
    "repeat_negative_counts": lambda t: t.repeat([[1, 2], [3, 4]], [1, -2], axis=0),
}


@pytest.mark.parametrize("name", sorted(SAME))
def test_same_as_tensorflow(name, real_tf):
    assert_same(SAME[name], real_tf)


def test_shape_and_split_return_types():
    x = tf.constant(X)
    s = tf.shape(x)
    assert isinstance(s, tf.Tensor) and s.dtype is tf.int32 and s.numpy().tolist() == [2, 3, 4]
    assert int(tf.shape(x)[1]) == 3
    parts = tf.split(x, 2)
    assert isinstance(parts, list) and len(parts) == 2
    assert isinstance(tf.unstack(x), list) and isinstance(tf.identity_n([x]), list)


def test_zeros_accept_every_shape_form():
    for shape in ([2, 3], (2, 3), tf.TensorShape([2, 3]), tf.constant([2, 3]),
                  np.array([2, 3]), [np.int64(2), 3], [tf.constant(2), 3]):
        out = tf.zeros(shape)
        assert out.shape.as_list() == [2, 3] and out.dtype is tf.float32
        assert tf.ones(shape, tf.int64).numpy().sum() == 6


def test_zeros_results_are_independent():
    a = tf.zeros([2])
    b = tf.zeros([2])
    assert a is not b and a.numpy().tolist() == b.numpy().tolist() == [0.0, 0.0]


def _second_derivative(module, fn, value):
    x = module.constant(value)
    with module.GradientTape() as outer:
        outer.watch(x)
        with module.GradientTape() as inner:
            inner.watch(x)
            y = module.reduce_sum(fn(module, x) ** 3)
        g = inner.gradient(y, x)
    return outer.gradient(g, x).numpy()


SECOND_ORDER = {
    "transpose": lambda t, x: t.transpose(x, [1, 0]),
    "concat_split": lambda t, x: t.concat(t.split(x, [1, 2], 1)[::-1], 1),
    "tile": lambda t, x: t.tile(x, [2, 3]),
    "pad_reflect": lambda t, x: t.pad(x, [[1, 1], [2, 1]], "REFLECT"),
    "pad_symmetric": lambda t, x: t.pad(x, [[2, 0], [3, 3]], "SYMMETRIC"),
    "pad_constant": lambda t, x: t.pad(x, [[1, 1], [0, 2]], constant_values=2.0),
    "reverse_roll": lambda t, x: t.roll(t.reverse(x, [0, 1]), [1, 2], [0, 1]),
    "expand_squeeze": lambda t, x: t.squeeze(t.expand_dims(x, 1)),
    "repeat": lambda t, x: t.repeat(x, [2, 0, 1], axis=1),
    "linspace": lambda t, x: t.linspace(x[0], x[1], 4, axis=-1),
    "meshgrid": lambda t, x: t.meshgrid(x[0], x[1])[0] * t.meshgrid(x[0], x[1])[1],
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_gradients_match_tensorflow(name, real_tf):
    value = np.random.default_rng(1).uniform(-2, 2, (2, 3))
    ours = _second_derivative(tf, SECOND_ORDER[name], value)
    theirs = _second_derivative(real_tf, SECOND_ORDER[name], value)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
def test_mirror_pad_gradient_all_paddings(mode, real_tf):
    value = np.random.default_rng(2).uniform(-1, 1, (3, 4))
    weights = np.random.default_rng(3).uniform(0.5, 1.5, (20, 20))
    limit = 2 if mode == "REFLECT" else 3
    for before in range(limit + 1):
        for after in range(limit + 1):
            grads = []
            for module in (tf, real_tf):
                x = module.constant(value)
                with module.GradientTape() as tape:
                    tape.watch(x)
                    y = module.pad(x, [[before, after], [after, before]], mode)
                    w = module.constant(weights[:y.shape[0], :y.shape[1]])
                    total = module.reduce_sum(y * w)
                grads.append(tape.gradient(total, x).numpy())
            np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12, err_msg=f"{before},{after}")


def test_errors_name_the_op():
    x = tf.constant(X)
    cases = [
        (lambda: tf.transpose(x, [0, 1]), "Transpose"),
        (lambda: tf.squeeze(x, 0), "Squeeze"),
        (lambda: tf.concat([x, x[:, :2]], 0), "ConcatV2"),
        (lambda: tf.split(x, 5, 1), "Split"),
        (lambda: tf.tile(x, [1, 2]), "Tile"),
        (lambda: tf.pad(x, [[5, 0], [0, 0], [0, 0]], "REFLECT"), "MirrorPad"),
        (lambda: tf.range(1, 2, 0), "Range"),
        (lambda: tf.fill([-1], 1.0), "Fill"),
    ]
    for fn, op in cases:
        with pytest.raises(tf.errors.InvalidArgumentError, match=rf"\[Op:{op}\]"):
            fn()


def test_concat_reports_the_mismatched_dimension():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Dimension 1 .*\[2, 3, 4\]"):
        tf.concat([tf.constant(X), tf.constant(X[:, :2])], 0)


def test_large_repeat_counts_follow_numpy():
    x = np.arange(6.0).reshape(3, 2)
    counts = [3, 1, 4]
    np.testing.assert_array_equal(tf.repeat(x, counts, axis=0).numpy(), np.repeat(x, counts, 0))
