"""Graph gaps, part 3: ops on inputs of unknown rank or size inside functions, shape arguments
known only at run time (random ops, linspace, eye, pad, repeat, split, slice), and the new
ops slice, sequence_mask, unravel_index and histogram_fixed_width. Static shapes, values and
gradients are compared with TensorFlow's tf.function where it is installed."""
import numpy as np
import pytest

import ndflow as nd

pytestmark = pytest.mark.filterwarnings("ignore:AutoGraph could not transform")

F, I = "float32", "int32"


@pytest.fixture(scope="module")
def real_tf():
    return pytest.importorskip("tensorflow")


def _specs(tf, specs):
    return [tf.TensorSpec(shape, getattr(tf, dtype)) for shape, dtype in specs]


def _out_shapes(tf, fn, specs):
    concrete = tf.function(fn, autograph=False).get_concrete_function(*_specs(tf, specs))
    return [(str(t.shape), t.dtype.name) for t in concrete.outputs]


# name: (function of the module, input specs)
SHAPE_CASES = {
    "concat_unknown_rank": (lambda tf: lambda x, y: tf.concat([x, y], -1), [(None, F)] * 2),
    "concat_one_ranked": (lambda tf: lambda x, y: tf.concat([x, y], 1),
                          [(None, F), ([2, 3], F)]),
    "gather": (lambda tf: lambda x, i: tf.gather(x, i, axis=1), [(None, F), ([5], I)]),
    "one_hot": (lambda tf: lambda i: tf.one_hot(i, 4, axis=0), [(None, I)]),
    "transpose": (lambda tf: lambda x: tf.transpose(x), [(None, F)]),
    "transpose_perm": (lambda tf: lambda x: tf.transpose(x, [1, 0]), [(None, F)]),
    "expand_dims": (lambda tf: lambda x: tf.expand_dims(x, -1), [(None, F)]),
    "squeeze_axis": (lambda tf: lambda x: tf.squeeze(x, [1]), [(None, F)]),
    "squeeze_partly_known": (lambda tf: lambda x: tf.squeeze(x), [([None, 1, 3], F)]),
    "pad": (lambda tf: lambda x: tf.pad(x, [[1, 1], [2, 0]]), [(None, F)]),
    "pad_tensor": (lambda tf: lambda x, p: tf.pad(x, p), [([None, 3], F), ([2, 2], I)]),
    "pad_symbolic_entry": (lambda tf: lambda x, n: tf.pad(x, [[0, n], [1, 1]]),
                           [([None, 3], F), ([], I)]),
    "pad_v2_tensor": (lambda tf: lambda x, p: tf.pad(x, p, constant_values=2.0),
                      [([None, 3], F), ([2, 2], I)]),
    "mirror_pad_tensor": (lambda tf: lambda x, p: tf.pad(x, p, "REFLECT"),
                          [([None, 3], F), ([2, 2], I)]),
    "cumsum": (lambda tf: lambda x: tf.cumsum(x, axis=1), [(None, F)]),
    "cumprod": (lambda tf: lambda x: tf.math.cumprod(x), [(None, F)]),
    "stack": (lambda tf: lambda x, y: tf.stack([x, y], axis=1), [(None, F)] * 2),
    "reverse": (lambda tf: lambda x: tf.reverse(x, [0]), [(None, F)]),
    "log_softmax": (lambda tf: lambda x: tf.nn.log_softmax(x, axis=-1), [(None, F)]),
    "split_unknown_dim": (lambda tf: lambda x: tf.split(x, 2, axis=0), [([None, 3], F)]),
    "split_unknown_rank": (lambda tf: lambda x: tf.split(x, 2, axis=0), [(None, F)]),
    "split_sizes": (lambda tf: lambda x: tf.split(x, [1, -1]), [([None, 3], F)]),
    "split_tensor_sizes": (lambda tf: lambda x, s: tf.split(x, s), [([None, 3], F), ([2], I)]),
    "dropout": (lambda tf: lambda x: tf.nn.dropout(x, 0.5), [([None, 3], F)]),
    "dropout_unknown_rank": (lambda tf: lambda x: tf.nn.dropout(x, 0.5), [(None, F)]),
    "normal": (lambda tf: lambda x: tf.random.normal(tf.shape(x)), [([None, 3], F)]),
    "normal_unknown_rank": (lambda tf: lambda x: tf.random.normal(tf.shape(x)), [(None, F)]),
    "normal_list": (lambda tf: lambda x: tf.random.normal([tf.shape(x)[0], 2]),
                    [([None, 3], F)]),
    "uniform": (lambda tf: lambda x: tf.random.uniform(tf.shape(x)), [([None, 3], F)]),
    "uniform_int": (lambda tf: lambda x: tf.random.uniform(tf.shape(x), maxval=5,
                                                           dtype=tf.int32), [([None, 3], F)]),
    "truncated_normal": (lambda tf: lambda x: tf.random.truncated_normal(tf.shape(x)),
                         [([None, 3], F)]),
    "stateless_normal": (lambda tf: lambda x: tf.random.stateless_normal(tf.shape(x), [1, 2]),
                         [([None, 3], F)]),
    "stateless_uniform": (lambda tf: lambda x: tf.random.stateless_uniform(
        tf.shape(x), [1, 2]), [([None, 3], F)]),
    "stateless_uniform_int": (lambda tf: lambda x: tf.random.stateless_uniform(
        tf.shape(x), [1, 2], minval=0, maxval=4, dtype=tf.int32), [([None, 3], F)]),
    "stateless_truncated_normal": (lambda tf: lambda x: tf.random.stateless_truncated_normal(
        tf.shape(x), [1, 2]), [([None, 3], F)]),
    "linspace": (lambda tf: lambda n: tf.linspace(0.0, 1.0, n), [([], I)]),
    "eye": (lambda tf: lambda n: tf.eye(n), [([], I)]),
    "eye_columns": (lambda tf: lambda n: tf.eye(n, 3), [([], I)]),
    "ones": (lambda tf: lambda n: tf.ones([n, 3]), [([], I)]),
    "repeat_vector": (lambda tf: lambda x, r: tf.repeat(x, r, axis=0),
                      [([None, 3], F), ([None], I)]),
    "repeat_scalar": (lambda tf: lambda x, r: tf.repeat(x, r, axis=0), [([None, 3], F), ([], I)]),
    "slice": (lambda tf: lambda x: tf.slice(x, [0, 1], [-1, 2]), [([None, 3], F)]),
    "slice_unknown_rank": (lambda tf: lambda x: tf.slice(x, [0, 1], [-1, 2]), [(None, F)]),
    "slice_tensor_begin": (lambda tf: lambda x, b: tf.slice(x, b, [1, -1]),
                           [([None, 3], F), ([2], I)]),
    "slice_tensor_size": (lambda tf: lambda x, s: tf.slice(x, [0, 0], s),
                          [([None, 3], F), ([2], I)]),
    "sequence_mask": (lambda tf: lambda n: tf.sequence_mask(n, 5), [([None], I)]),
    "sequence_mask_default": (lambda tf: lambda n, m: tf.sequence_mask(n, m),
                              [([None, 2], I), ([], I)]),
    "histogram": (lambda tf: lambda v: tf.histogram_fixed_width(v, [0.0, 5.0], nbins=5),
                  [([None], F)]),
    "histogram_tensor_bins": (lambda tf: lambda v, n: tf.histogram_fixed_width(
        v, [0.0, 5.0], nbins=n), [([None], F), ([], I)]),
    "unravel_index": (lambda tf: lambda i: tf.unravel_index(i, [3, 4]), [([None], I)]),
    "unravel_index_tensor_dims": (lambda tf: lambda i, d: tf.unravel_index(i, d),
                                  [([None], I), ([None], I)]),
}


@pytest.mark.parametrize("name", sorted(SHAPE_CASES))
def test_static_shapes_match_tensorflow(real_tf, name):
    build, specs = SHAPE_CASES[name]
    assert _out_shapes(nd, build(nd), specs) == _out_shapes(real_tf, build(real_tf), specs)


def _run_both(real_tf, build, specs, args):
    """Runs the function built for each module through tf.function with these specs."""
    results = []
    for tf in (nd, real_tf):
        fn = tf.function(build(tf), input_signature=_specs(tf, specs), autograph=False)
        out = fn(*[tf.constant(a) for a in args])
        results.append([np.asarray(o) for o in (out if isinstance(out, (list, tuple))
                                                 else [out])])
    return results


_X = np.arange(12.0, dtype=np.float32).reshape(4, 3)

# name: (function of the module, specs, arguments); the functions return values and gradients.
VALUE_CASES = {
    "concat_transpose_unknown_rank": (lambda tf: lambda x: tf.transpose(
        tf.concat([x, x * 2.0], -1)), [(None, F)], [_X]),
    "gather_one_hot_unknown_rank": (lambda tf: lambda x, i: (
        tf.gather(x, i, axis=-1), tf.one_hot(i, 3, axis=0)), [(None, F), (None, I)],
        [_X, np.array([2, 0], np.int32)]),
    "expand_squeeze_reverse_stack": (lambda tf: lambda x: (
        tf.squeeze(tf.expand_dims(x, -1), [-1]), tf.reverse(x, [-1]),
        tf.stack([x, x], axis=-1), tf.squeeze(x[:1])), [(None, F)], [_X]),
    "cumsum_split": (lambda tf: lambda x: [tf.cumsum(x, axis=-1)] + tf.split(x, 2)
                     + tf.split(x, [1, -1], axis=0), [([None, 3], F)], [_X]),
    "split_tensor_sizes": (lambda tf: lambda x, s: tf.split(x, s), [([None, 3], F), ([2], I)],
                           [_X, np.array([3, 1], np.int32)]),
    "pad_tensor": (lambda tf: lambda x, p, n: (
        tf.pad(x, p), tf.pad(x, p, constant_values=-1.0), tf.pad(x, p, "SYMMETRIC"),
        tf.pad(x, [[0, n], [1, 1]])), [([None, 3], F), ([2, 2], I), ([], I)],
        [_X, np.array([[1, 0], [2, 1]], np.int32), np.int32(2)]),
    "repeat_tensor": (lambda tf: lambda x, r, k: (tf.repeat(x, r, axis=0),
                                                  tf.repeat(x, k, axis=1)),
                      [([None, 3], F), ([None], I), ([], I)],
                      [_X, np.array([2, 0, 1, 3], np.int32), np.int32(2)]),
    "linspace_eye_ones": (lambda tf: lambda n: (tf.linspace(0.0, 1.0, n), tf.eye(n),
                                                tf.eye(n, 3), tf.ones([n, 2])),
                          [([], I)], [np.int32(4)]),
    "slice_sequence_mask": (lambda tf: lambda x, b, n: (
        tf.slice(x, b, [2, -1]), tf.sequence_mask(n), tf.sequence_mask(n, 4)),
        [([None, 3], F), ([2], I), ([None], I)],
        [_X, np.array([1, 1], np.int32), np.array([0, 2, 3], np.int32)]),
    "unravel_histogram": (lambda tf: lambda i, v: (
        tf.unravel_index(i, [3, 4]), tf.histogram_fixed_width(v, [0.0, 10.0], nbins=4)),
        [([None], I), ([None], F)], [np.array([0, 7, 11], np.int32), _X.reshape(-1)]),
}


@pytest.mark.parametrize("name", sorted(VALUE_CASES))
def test_values_match_tensorflow(real_tf, name):
    ours, theirs = _run_both(real_tf, *VALUE_CASES[name])
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-6)


def _grad_fn(tf, op):
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = op(tf, x)
            loss = tf.reduce_sum(y * y * tf.cast(tf.range(1, tf.size(y) + 1) % 5,
                                                  y.dtype)[:1])
        return tf.convert_to_tensor(tape.gradient(loss, x))
    return f


GRAD_CASES = {
    "concat": lambda tf, x: tf.concat([x, 2.0 * x], 0),
    "concat_unknown_rank_axis": lambda tf, x: tf.concat([x[:, :2], x], -1),
    # Reshape(Reshape(dy, shape_a), shape_b) in the backward graph, with run-time shapes.
    "expand_squeeze": lambda tf, x: tf.squeeze(tf.expand_dims(x, 0)) * 3.0,
    "split": lambda tf, x: tf.split(x, 2)[1] * 2.0 + tf.split(x, [3, -1])[1][:1],
    "gather": lambda tf, x: tf.gather(x, [3, 0, 0]),
    "pad": lambda tf, x: tf.pad(x, [[1, tf.shape(x)[0] - 3], [0, 2]]),
    "slice": lambda tf, x: tf.slice(x, [1, tf.shape(x)[1] - 2], [-1, 2]),
    "linspace": lambda tf, x: tf.linspace(x[0], x[1], tf.shape(x)[0]),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
@pytest.mark.parametrize("shape", [[None, 3], None])
def test_gradients_with_unknown_shapes_match_tensorflow(real_tf, name, shape):
    if name == "gather":
        # Densifying the IndexedSlices gradient needs its row count as a Python int
        # (UnsortedSegmentSum takes num_segments as an attribute, TF as an input).
        pytest.xfail("gather's gradient on params of unknown shape")
    if name == "linspace" and shape is None:
        pytest.skip("LinSpace's gradient needs the rank of its output")
    op = GRAD_CASES[name]
    results = []
    for tf in (nd, real_tf):
        fn = tf.function(_grad_fn(tf, op), input_signature=_specs(tf, [(shape, F)]))
        results.append(np.asarray(fn(tf.constant(_X))))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5)


@pytest.mark.parametrize("build", [
    lambda tf: lambda x: tf.split(x, 2),
    lambda tf: lambda x: tf.squeeze(x, [0]),
    lambda tf: lambda x: tf.slice(x, [0, 0], [5, -1]),
    lambda tf: lambda x: tf.concat([x, x], 2),
])
def test_run_time_shape_errors_are_invalid_argument_errors(real_tf, build):
    for tf in (nd, real_tf):
        fn = tf.function(build(tf), input_signature=_specs(tf, [(None, F)]), autograph=False)
        with pytest.raises(tf.errors.InvalidArgumentError):
            fn(tf.constant(_X[:3]))


def test_random_ops_with_run_time_shapes_draw_that_shape():
    @nd.function(input_signature=[nd.TensorSpec([None, 3])])
    def f(x):
        s = nd.shape(x)
        return (nd.random.normal(s), nd.random.uniform(s, maxval=4, dtype=nd.int32),
                nd.random.stateless_uniform(s, [1, 2]), nd.nn.dropout(x, 0.5))
    outs = f(nd.ones([5, 3]))
    assert [o.shape.as_list() for o in outs] == [[5, 3]] * 4
    again = f(nd.ones([5, 3]))
    np.testing.assert_array_equal(outs[2].numpy(), again[2].numpy())   # stateless
    assert set(np.unique(outs[3].numpy())) <= {0.0, 2.0}


def test_no_op_returns_none(real_tf):
    assert nd.no_op() is None and real_tf.no_op() is None


def test_matmul_argmax_and_top_k_on_unknown_rank_match_tensorflow(real_tf):
    x = np.random.default_rng(0).random((3, 4)).astype(np.float32)
    results = []
    for tf in (nd, real_tf):
        f = tf.function(lambda a, tf=tf: (tf.argmax(a, -1), tf.argmin(a, 0, output_type=tf.int32),
                                          *tf.math.top_k(a, 2),
                                          tf.matmul(a, a, transpose_b=True)),
                        input_signature=[tf.TensorSpec(None, tf.float32)])
        outs = f.get_concrete_function().structured_outputs
        results.append(([(o.dtype.name, o.shape.rank) for o in outs],
                        [np.asarray(v) for v in f(tf.constant(x))]))
    assert results[0][0] == results[1][0]
    for ours, theirs in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_bincount_on_unknown_length_matches_tensorflow(real_tf):
    results = []
    for tf in (nd, real_tf):
        f = tf.function(lambda x, tf=tf: (tf.math.bincount(x), tf.math.bincount(x, minlength=6)),
                        input_signature=[tf.TensorSpec([None], tf.int32)])
        shapes = [o.shape.as_list() for o in f.get_concrete_function().structured_outputs]
        values = [[v.numpy().tolist() for v in f(tf.constant(x, tf.int32))]
                  for x in ([1, 1, 3], [])]
        results.append((shapes, values))
    assert results[0] == results[1]
