"""Graph gaps, part 2: symbolic tile multiples, indexing with symbolic scalars, gradients of
tensors traced with unknown dimensions or rank, packing lists of symbolic tensors, tensors
leaking out of branch and loop bodies, Python values returned from functions, and static shapes
of common ops on inputs of unknown batch size or rank. Each behaviour is compared with
TensorFlow's tf.function where it is installed."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.graph.graph import InaccessibleTensorError
from ndflow.ops.array_create_ops import pack_nested

# Lambdas are traced as they are (AutoGraph warns once for each); that is what is wanted here.
pytestmark = pytest.mark.filterwarnings("ignore:AutoGraph could not transform")


@pytest.fixture(scope="module")
def real_tf():
    return pytest.importorskip("tensorflow")


def _spec(tf, shape, dtype="float32"):
    return tf.TensorSpec(shape, getattr(tf, dtype))


def _out_shapes(tf, fn, specs):
    concrete = tf.function(fn, autograph=False).get_concrete_function(
        *[_spec(tf, *s) for s in specs])
    return [(str(t.shape), t.dtype.name) for t in concrete.outputs]


def _same_shapes(real_tf, build, specs):
    ours = _out_shapes(nd, build(nd), specs)
    assert ours == _out_shapes(real_tf, build(real_tf), specs)
    return ours


_X = np.arange(12.0, dtype=np.float32).reshape(4, 3)


# -- 1. tile with symbolic multiples --------------------------------------------------------

@pytest.mark.parametrize("specs", [[([None, 3],), ([None, 2],)], [([None, 3],), ([None, None],)],
                                   [(None,), ([2, 5],)]])
def test_tile_by_a_symbolic_shape_has_tensorflows_static_shape(real_tf, specs):
    _same_shapes(real_tf, lambda tf: lambda x, y: tf.tile(x, tf.shape(y)), specs)


def test_tile_with_symbolic_multiples_runs_and_differentiates(real_tf):
    results = []
    for tf in (nd, real_tf):
        @tf.function(input_signature=[_spec(tf, [None, 3]), _spec(tf, [None, None])])
        def f(x, y):
            with tf.GradientTape() as tape:
                tape.watch(x)
                z = tf.tile(x, tf.shape(y)) * tf.range(1.0, 10.0)
                loss = tf.reduce_sum(z) + tf.reduce_sum(tf.tile(x, [2, 1]) ** 2)
            return z, tape.gradient(loss, x)
        z, g = f(tf.constant(_X[:2]), tf.ones([1, 3]))
        results.append((z.numpy(), g.numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_tile_with_multiples_of_the_wrong_length_is_a_trace_time_value_error(real_tf):
    for tf in (nd, real_tf):
        with pytest.raises(ValueError, match="rank"):
            tf.function(lambda x, m: tf.tile(x, m)).get_concrete_function(
                _spec(tf, [None, 3]), _spec(tf, [3], "int32"))


# -- 2. x[i], x[i:j] with symbolic scalars --------------------------------------------------

@pytest.mark.parametrize("name", ["index", "range", "index_and_slice", "stride", "ellipsis"])
def test_symbolic_indices_give_tensorflows_values_and_shapes(real_tf, name):
    keys = {"index": lambda x, i, j: x[i], "range": lambda x, i, j: x[i:j],
            "index_and_slice": lambda x, i, j: x[i:, j], "stride": lambda x, i, j: x[::i],
            "ellipsis": lambda x, i, j: x[..., j]}
    fn = keys[name]
    specs = [([None, 3],), ([], "int32"), ([], "int32")]
    _same_shapes(real_tf, lambda tf: fn, specs)
    _same_shapes(real_tf, lambda tf: fn, [([4, 3],), ([], "int32"), ([], "int32")])
    values = [tf.function(fn)(tf.constant(_X), tf.constant(1), tf.constant(2)).numpy()
              for tf in (nd, real_tf)]
    np.testing.assert_array_equal(values[0], values[1])


def test_constant_index_on_unknown_dims_and_rank(real_tf):
    assert _same_shapes(real_tf, lambda tf: lambda x: x[0], [([None, 3],)]) == [("(3,)", "float32")]
    _same_shapes(real_tf, lambda tf: lambda x: x[0], [(None,)])
    _same_shapes(real_tf, lambda tf: lambda x: x[1:, 0], [(None,)])


def test_symbolic_index_out_of_range_fails_when_the_graph_runs(real_tf):
    for tf in (nd, real_tf):
        f = tf.function(lambda x, i: x[i])
        with pytest.raises(tf.errors.InvalidArgumentError):
            f(tf.constant(_X), tf.constant(7))


def _indexing_loop(tf):
    @tf.function
    def total(x, n):
        acc = tf.zeros([3])
        for i in tf.range(n):
            acc += x[i] * x[i]
        return acc

    @tf.function(input_signature=[_spec(tf, [None, 3]), _spec(tf, [], "int32")])
    def grad(x, n):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(total(x, n)) + tf.reduce_sum(x[n - 1:] * 3.0) + x[n, 2]
        return tape.gradient(loss, x)
    return total, grad


def test_indexing_with_a_loop_counter_and_its_gradient(real_tf):
    results = []
    for tf in (nd, real_tf):
        total, grad = _indexing_loop(tf)
        x = tf.constant(_X)
        results.append((total(x, tf.constant(3)).numpy(), grad(x, tf.constant(2)).numpy()))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1])


def test_second_order_gradient_through_a_symbolic_index():
    @nd.function
    def f(x, i):
        with nd.GradientTape() as outer:
            outer.watch(x)
            with nd.GradientTape() as inner:
                inner.watch(x)
                y = x[i] ** 3
            g = inner.gradient(y, x)
        return outer.gradient(g, x)
    x = nd.constant([1.0, 2.0, 3.0])
    np.testing.assert_allclose(f(x, nd.constant(1)).numpy(), [0.0, 12.0, 0.0])


# -- 3. gradients traced with unknown dims and rank ------------------------------------------

_GRAD_CASES = {
    "add_bias": (lambda tf, x, b: tf.reduce_sum((x + b) ** 2), [3]),
    "mul_row": (lambda tf, x, b: tf.reduce_sum(x * b * x), [3]),
    "sub_col": (lambda tf, x, b: tf.reduce_sum(tf.sin(b - x)), [1]),
    "div_scalar": (lambda tf, x, b: tf.reduce_sum(x / b), []),
    "maximum": (lambda tf, x, b: tf.reduce_sum(tf.maximum(x, b)), [3]),
    "slice": (lambda tf, x, b: tf.reduce_sum(x[1:, :2] * b[:2]) + tf.reduce_sum(x[0]), [3]),
    "pow": (lambda tf, x, b: tf.reduce_sum(tf.pow(x + 1.0, b)), [3]),
}


@pytest.mark.parametrize("xshape", [[None, 3], [None, None], None], ids=str)
@pytest.mark.parametrize("case", sorted(_GRAD_CASES))
def test_gradients_with_unknown_shapes_match_eager(real_tf, case, xshape):
    loss, bshape = _GRAD_CASES[case]
    if xshape is None and case == "slice":
        pytest.skip("x[1:, :2] needs rank 2; covered with known rank")
    b_value = np.linspace(0.5, 1.5, int(np.prod(bshape))).astype(np.float32).reshape(bshape)
    results = []
    for tf in (nd, real_tf):
        @tf.function(input_signature=[_spec(tf, xshape), _spec(tf, None)])
        def f(x, b):
            with tf.GradientTape() as tape:
                tape.watch([x, b])
                y = loss(tf, x, b)
            return tape.gradient(y, [x, b])
        gx, gb = f(tf.constant(_X + 0.5), tf.constant(b_value))
        results.append((gx.numpy(), gb.numpy()))
    eager = []
    x, b = nd.constant(_X + 0.5), nd.constant(b_value)
    with nd.GradientTape() as tape:
        tape.watch([x, b])
        y = loss(nd, x, b)
    eager = [g.numpy() for g in tape.gradient(y, [x, b])]
    for ours, theirs, plain in zip(results[0], results[1], eager):
        assert ours.shape == plain.shape
        np.testing.assert_allclose(ours, theirs, rtol=1e-5)
        np.testing.assert_allclose(ours, plain, rtol=1e-6)


def test_broadcast_decided_at_run_time_is_summed():
    # Both [None, 3]: only the values show that b has one row and was broadcast.
    @nd.function(input_signature=[nd.TensorSpec([None, 3]), nd.TensorSpec([None, 3])])
    def f(x, b):
        with nd.GradientTape() as tape:
            tape.watch(b)
            y = nd.reduce_sum(x * b)
        return tape.gradient(y, b)
    g = f(nd.constant(_X), nd.ones([1, 3]))
    np.testing.assert_allclose(g.numpy(), _X.sum(0, keepdims=True))


# -- 4. packing lists that hold symbolic tensors ------------------------------------------------

def test_pack_nested_builds_pack_nodes_with_tensorflows_shape_and_values(real_tf):
    def build(tf, pack):
        return tf.function(lambda a, b: pack([[a, 1.0], [2.0, b]]), autograph=False)
    ours = build(nd, pack_nested)
    theirs = build(real_tf, real_tf.convert_to_tensor)
    specs = [([],), ([],)]
    concrete = ours.get_concrete_function(*[_spec(nd, *s) for s in specs])
    assert [op.type for op in concrete.graph.get_operations()].count("Pack") == 3
    assert _out_shapes(nd, lambda a, b: pack_nested([[a, 1.0], [2.0, b]]), specs) == \
        _out_shapes(real_tf, lambda a, b: real_tf.convert_to_tensor([[a, 1.0], [2.0, b]]), specs)
    np.testing.assert_array_equal(ours(nd.constant(5.0), nd.constant(7.0)).numpy(),
                                  theirs(real_tf.constant(5.0), real_tf.constant(7.0)).numpy())


def test_pack_nested_of_vectors_and_its_errors(real_tf):
    specs = [([None],), ([3],)]
    assert _out_shapes(nd, lambda a, b: pack_nested([a, b]), specs) == \
        _out_shapes(real_tf, lambda a, b: real_tf.convert_to_tensor([a, b]), specs)
    with pytest.raises(TypeError, match="tensor of dtype"):
        pack_nested([nd.constant(1.0), nd.constant(2)])
    with pytest.raises(TypeError, match="Expected int32, but got 1.5"):
        pack_nested([nd.constant(1), 1.5])


def test_stack_of_symbolic_scalars_and_numbers(real_tf):
    specs = [([], "int32")]
    _same_shapes(real_tf, lambda tf: lambda n: tf.stack([n, 2, n * 3]), specs)
    f = nd.function(lambda n: nd.stack([n, 2, n * 3]))
    np.testing.assert_array_equal(f(nd.constant(4)).numpy(), [4, 2, 12])


# -- 5. tensors leaking out of branch and loop bodies -------------------------------------------

def _leaky_cond(tf):
    leaked = []

    def branch(x):
        leaked.append(x * 2.0)
        return x

    @tf.function
    def f(x):
        y = tf.cond(x > 0, lambda: branch(x), lambda: x)
        return leaked[0] + y
    return f


def _leaky_while(tf):
    box = {}

    def body(i):
        box["t"] = i * 3
        return (i + 1,)

    @tf.function
    def g(n):
        tf.while_loop(lambda i: i < n, body, [tf.constant(0)])
        return box["t"]
    return g


@pytest.mark.parametrize("build,arg", [(_leaky_cond, 1.0), (_leaky_while, 3)])
def test_tensor_used_outside_its_body_raises_inaccessible_tensor_error(real_tf, build, arg):
    for tf, error in ((nd, InaccessibleTensorError), (real_tf, ValueError)):
        with pytest.raises(error, match="out of scope") as info:
            build(tf)(tf.constant(arg))
        assert type(info.value).__name__ == "InaccessibleTensorError"


def test_nested_function_may_still_capture_the_outer_functions_tensors():
    @nd.function
    def outer(x):
        y = x * 2.0

        @nd.function
        def inner():
            return y + 1.0
        return inner()
    assert outer(nd.constant(3.0)).numpy() == 7.0


# -- 6. Python values returned from functions ---------------------------------------------------

_RETURNS = {
    "int": lambda tf: lambda: 3,
    "bool": lambda tf: lambda: True,
    "big_int": lambda tf: lambda: 2 ** 40,
    "numpy_float": lambda tf: lambda: np.float64(1.5),
    "bytes": lambda tf: lambda: b"x",
    "dict": lambda tf: lambda: {"a": 1.0, "b": tf.constant(2.0), "c": None},
    "nested": lambda tf: lambda: [1, (2.5, "s"), None],
}


def _describe(value):
    if value is None:
        return None
    if isinstance(value, dict):
        return {k: _describe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_describe(v) for v in value)
    return (type(value).__name__, value.dtype.name, np.asarray(value.numpy()).tolist())


@pytest.mark.parametrize("case", sorted(_RETURNS))
def test_python_return_values_become_tensors(real_tf, case):
    ours = _describe(nd.function(_RETURNS[case](nd), autograph=False)())
    theirs = _describe(real_tf.function(_RETURNS[case](real_tf), autograph=False)())
    assert str(ours).replace("EagerTensor", "T") == str(theirs).replace("EagerTensor", "T")


@pytest.mark.parametrize("value", [object(), 2 ** 70], ids=["object", "huge_int"])
def test_unconvertible_return_values_raise_type_error(real_tf, value):
    for tf in (nd, real_tf):
        with pytest.raises(TypeError, match="must return zero or more Tensors"):
            tf.function(lambda: value, autograph=False)()


# -- 7. static shapes with unknown batch size or rank --------------------------------------------

_SHAPE_CASES = {
    "matmul": (lambda t: lambda x, w: t.matmul(x, w), [([None, 3],), ([3, 4],)]),
    "concat": (lambda t: lambda x: t.concat([x, x], axis=-1), [([None, 3],)]),
    "gather_axis1": (lambda t: lambda x: t.gather(x, [0, 1], axis=1), [([None, 3],)]),
    "one_hot": (lambda t: lambda i: t.one_hot(i, 5), [([None], "int32")]),
    "reduce_mean": (lambda t: lambda x: t.reduce_mean(x, axis=1), [([None, 3],)]),
    "reduce_max_keepdims": (lambda t: lambda x: t.reduce_max(x, axis=-1, keepdims=True),
                            [([None, None, 3],)]),
    "argmax": (lambda t: lambda x: t.argmax(x, axis=-1), [([None, 3],)]),
    "transpose_perm": (lambda t: lambda x: t.transpose(x, [1, 0, 2]), [([None, None, 3],)]),
    "expand_dims": (lambda t: lambda x: t.expand_dims(x, -1), [([None, 3],)]),
    "squeeze_axis": (lambda t: lambda x: t.squeeze(x, axis=1), [([None, 1, 3],)]),
    "pad": (lambda t: lambda x: t.pad(x, [[1, 1], [0, 2]]), [([None, 3],)]),
    "split": (lambda t: lambda x: t.split(x, 3, axis=1), [([None, 6],)]),
    "split_sizes": (lambda t: lambda x: t.split(x, [2, 4], axis=1), [([None, 6],)]),
    "boolean_mask": (lambda t: lambda x, m: t.boolean_mask(x, m),
                     [([None, 3],), ([None], "bool")]),
    "where": (lambda t: lambda c, x: t.where(c, x, 0.0), [([None, 3], "bool"), ([None, 3],)]),
    "top_k": (lambda t: lambda x: t.math.top_k(x, 2), [([None, 5],)]),
    "sort": (lambda t: lambda x: t.sort(x), [([None, 5],)]),
    "cumsum": (lambda t: lambda x: t.cumsum(x, axis=1), [([None, 5],)]),
    "softmax": (lambda t: lambda x: t.nn.softmax(x), [([None, 5],)]),
    "softmax_unknown_rank": (lambda t: lambda x: t.nn.softmax(x), [(None,)]),
    "conv1d_unknown_steps": (lambda t: lambda x, k: t.nn.conv1d(x, k, 1, "SAME"),
                             [([None, None, 3],), ([3, 3, 4],)]),
    "conv1d_valid": (lambda t: lambda x, k: t.nn.conv1d(x, k, 2, "VALID"),
                     [([None, 9, 3],), ([3, 3, 4],)]),
    "conv2d": (lambda t: lambda x, k: t.nn.conv2d(x, k, 1, "SAME"),
               [([None, None, None, 3],), ([3, 3, 3, 4],)]),
    "max_pool2d_unknown_spatial": (lambda t: lambda x: t.nn.max_pool2d(x, 2, 2, "VALID"),
                                   [([None, None, None, 3],)]),
    "avg_pool2d": (lambda t: lambda x: t.nn.avg_pool2d(x, 2, 2, "VALID"), [([None, 8, 8, 3],)]),
    "conv2d_strided_unknown_width": (lambda t: lambda x, k: t.nn.conv2d(x, k, 2, "VALID"),
                                     [([None, 8, None, 3],), ([3, 3, 3, 4],)]),
    "repeat_axis0": (lambda t: lambda x: t.repeat(x, 2, axis=0), [([None, 3],)]),
    "repeat_axis1": (lambda t: lambda x: t.repeat(x, 2, axis=1), [([None, 3],)]),
    "repeat_unknown_axis": (lambda t: lambda x: t.repeat(x, 2, axis=1), [([2, None],)]),
    "repeat_flat": (lambda t: lambda x: t.repeat(x, 2), [([None, 3],)]),
    "stack_partly_known": (lambda t: lambda x, y: t.stack([x, y], axis=1),
                           [([None, 3],), ([2, None],)]),
    "max_pool2d_known": (lambda t: lambda x: t.nn.max_pool2d(x, 2, 2, "SAME"),
                         [([None, 7, 7, 3],)]),
    "reshape_minus_one": (lambda t: lambda x: t.reshape(x, [-1, 6]), [([None, 2, 3],)]),
    "batch_matmul": (lambda t: lambda x, y: t.matmul(x, y), [([None, 2, 3],), ([None, 3, 4],)]),
    "sparse_xent": (lambda t: lambda lab, x: t.nn.sparse_softmax_cross_entropy_with_logits(lab, x),
                    [([None], "int32"), ([None, 5],)]),
    "bias_add": (lambda t: lambda x, b: t.nn.bias_add(x, b), [([None, None, 3],), ([3],)]),
    "cast_unknown_rank": (lambda t: lambda x: t.cast(x, "int32"), [(None,)]),
    "gather_nd": (lambda t: lambda x, i: t.gather_nd(x, i), [([None, 3],), ([None, 2], "int32")]),
}


@pytest.mark.parametrize("case", sorted(_SHAPE_CASES))
def test_static_shapes_with_unknown_dims_match_tensorflow(real_tf, case):
    _same_shapes(real_tf, *_SHAPE_CASES[case])


def test_conv1d_layer_with_unknown_batch_and_steps_runs():
    layer = nd.keras.layers.Conv1D(4, 3, padding="same")
    f = nd.function(lambda x: layer(x))
    concrete = f.get_concrete_function(nd.TensorSpec([None, None, 2]))
    assert concrete.outputs[0].shape.as_list() == [None, None, 4]
    assert f(nd.ones([2, 5, 2])).shape == (2, 5, 4)
    assert f(nd.ones([1, 7, 2])).shape == (1, 7, 4)


def test_repeat_with_unknown_dims_runs(real_tf):
    x = _X[:2].astype(np.int32)
    for axis in (0, 1, None):
        values = [tf.function(lambda v: tf.repeat(v, 3, axis=axis), input_signature=[
            _spec(tf, [None, None], "int32")])(tf.constant(x)).numpy() for tf in (nd, real_tf)]
        np.testing.assert_array_equal(values[0], values[1])


def test_convert_to_tensor_packs_lists_of_symbolic_tensors(real_tf):
    def body(lib):
        def f(a, b):
            return (lib.convert_to_tensor([a, 3.0, b]),
                    lib.convert_to_tensor([[a, 1], [b, 2.0]]))
        return lib.function(f)
    args = (1.5, -2.0)
    ours = body(nd)(*[nd.constant(v) for v in args])
    theirs = body(real_tf)(*[real_tf.constant(v) for v in args])
    for o, t in zip(ours, theirs):
        assert o.dtype.name == t.dtype.name and o.shape.as_list() == t.shape.as_list()
        np.testing.assert_array_equal(o.numpy(), t.numpy())


def test_constant_of_a_list_with_a_symbolic_tensor_is_a_type_error(real_tf):
    for lib in (nd, real_tf):
        f = lib.function(lambda a: lib.constant([a, 1.0]))
        with pytest.raises(TypeError, match="non-tensor"):
            f(lib.constant(1.0))
