"""Graph gaps: variables passed as arguments into branches and loops, sliced and scatter
assignments as graph nodes, and static shapes of value-dependent ops while tracing. Each
behaviour is compared with TensorFlow's tf.function where it is installed."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.ops.array_create_ops import FILL
from ndflow.ops.array_ops import RESHAPE
from ndflow.ops.array_shape_ops import TILE
from ndflow.ops.registry import execute

# Lambdas are traced as they are (AutoGraph warns once for each); that is what is wanted here.
pytestmark = pytest.mark.filterwarnings("ignore:AutoGraph could not transform")


@pytest.fixture(scope="module")
def real_tf():
    return pytest.importorskip("tensorflow")


def _both(real_tf, build):
    """``build(module)`` run with ndflow and with TensorFlow."""
    return build(nd), build(real_tf)


# -- 1. variables passed as arguments into cond / while -------------------------------------

def _branchy(tf):
    @tf.function
    def f(v, x):
        if x > 0:
            v.assign_add(x)
            r = v.read_value() * 2.0
        else:
            v.assign_sub(1.0)
            r = v.read_value()
        return r
    return f


def _loopy(tf):
    @tf.function
    def g(v, n):
        i = tf.constant(0)
        while i < n:
            v.assign_add(1.0)
            v.assign_sub(0.5)
            v.assign(v * 2.0)
            i += 1
        return v.read_value()
    return g


@pytest.mark.parametrize("x", [2.0, -2.0])
def test_autograph_if_reads_and_updates_the_variable_passed_in(real_tf, x):
    results = []
    for tf in (nd, real_tf):
        f = _branchy(tf)
        a, b = tf.Variable(1.0), tf.Variable(10.0)
        outs = [f(a, tf.constant(x)).numpy(), f(b, tf.constant(x)).numpy()]
        results.append(outs + [a.numpy(), b.numpy()])
    np.testing.assert_allclose(results[0], results[1])


def test_while_loop_updates_the_variable_passed_in(real_tf):
    results = []
    for tf in (nd, real_tf):
        g = _loopy(tf)
        a, b = tf.Variable(1.0), tf.Variable(10.0)
        outs = [g(a, tf.constant(3)).numpy(), g(b, tf.constant(2)).numpy()]
        results.append(outs + [a.numpy(), b.numpy()])
    np.testing.assert_allclose(results[0], results[1])
    assert results[0] == [15.0, 43.0, 15.0, 43.0]


def test_one_concrete_function_serves_both_variables():
    g = _loopy(nd)
    a, b = nd.Variable(1.0), nd.Variable(10.0)
    g(a, nd.constant(1))
    g(b, nd.constant(1))
    assert g.experimental_get_tracing_count() == 1
    assert (a.numpy(), b.numpy()) == (3.0, 21.0)


def test_gradients_under_an_outer_tape_are_for_the_variable_passed_in(real_tf):
    def run(tf):
        h = tf.function(lambda v, x: tf.cond(x > 0, lambda: v * x, lambda: v * 3.0))
        g = _loopy(tf)
        out = []
        for var in (tf.Variable(1.0), tf.Variable(10.0)):
            with tf.GradientTape() as tape:
                y = h(var, tf.constant(2.0))
            out.append(tape.gradient(y, var).numpy())
            with tf.GradientTape() as tape:
                y = g(var, tf.constant(1)) * var
            out += [y.numpy(), tape.gradient(y, var).numpy()]
        return out
    ours, theirs = _both(real_tf, run)
    np.testing.assert_allclose(ours, theirs)


def test_gradients_inside_the_function_follow_the_variable_passed_in(real_tf):
    def run(tf):
        @tf.function
        def k(v, x):
            with tf.GradientTape() as tape:
                y = tf.cond(x > 0, lambda: v * v, lambda: v * 3.0)
            return tape.gradient(y, v)

        @tf.function
        def w(v, n):
            with tf.GradientTape() as tape:
                y = tf.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s * v),
                                  [0, tf.constant(1.0)])[1]
            return tape.gradient(y, v)
        a, b = tf.Variable(1.0), tf.Variable(10.0)
        return [k(a, tf.constant(1.0)).numpy(), k(b, tf.constant(1.0)).numpy(),
                w(a, tf.constant(2)).numpy(), w(b, tf.constant(2)).numpy()]
    ours, theirs = _both(real_tf, run)
    np.testing.assert_allclose(ours, theirs)
    np.testing.assert_allclose(ours, [2.0, 20.0, 2.0, 20.0])


def test_closed_over_variable_in_a_branch_still_works():
    v = nd.Variable(1.0)

    @nd.function
    def f(x):
        return nd.cond(x > 0, lambda: v.assign_add(x).read_value(), lambda: v * 1.0)
    assert f(nd.constant(2.0)).numpy() == 3.0
    assert f(nd.constant(-1.0)).numpy() == 3.0
    assert v.numpy() == 3.0


# -- 2. sliced and scatter assignments ------------------------------------------------------

def _assignments(tf):
    v = tf.Variable(tf.zeros([4, 3]))

    @tf.function
    def f(x, i):
        r = v[0:2].assign(tf.ones([2, 3]) * x)
        v[i].assign(tf.fill([3], 7.0))
        s = v.scatter_nd_update([[3, 1]], [5.0])
        u = v.scatter_update(tf.IndexedSlices(tf.ones([1, 3]) * 9.0, [2]))
        return r, s, u
    return v, f


def test_sliced_and_scatter_assignments_run_in_program_order(real_tf):
    results, types = [], []
    for tf in (nd, real_tf):
        v, f = _assignments(tf)
        outs = f(tf.constant(2.0), tf.constant(1))
        results.append([o.numpy() for o in outs] + [v.numpy()])
        concrete = f.get_concrete_function(tf.TensorSpec([], tf.float32),
                                           tf.TensorSpec([], tf.int32))
        types.append([op.type for op in concrete.graph.get_operations()
                      if op.type.startswith("Resource")])
    np.testing.assert_allclose(results[0], results[1])
    assert types[0] == types[1] == ["ResourceStridedSliceAssign", "ResourceStridedSliceAssign",
                                    "ResourceScatterNdUpdate", "ResourceScatterUpdate"]


def test_slice_assign_node_names_follow_the_slice(real_tf):
    names = []
    for tf in (nd, real_tf):
        v = tf.Variable(tf.zeros([3]))

        @tf.function
        def f():
            v[0:1].assign([1.0])
            v[2:3].assign([2.0])
        names.append([op.name for op in f.get_concrete_function().graph.get_operations()
                      if op.type == "ResourceStridedSliceAssign"])
    assert names[0] == names[1] == ["strided_slice/_assign", "strided_slice_1/_assign"]


def test_slice_assign_in_a_converted_while_loop(real_tf):
    def run(tf):
        v = tf.Variable(tf.zeros([4, 3]))

        @tf.function
        def g(n):
            for i in tf.range(n):
                v[i, 0].assign(tf.cast(i, tf.float32) * 10)
                v[i:i + 1, 1:].assign(tf.ones([1, 2]) * tf.cast(i, tf.float32))
            return v[n - 1]
        out = g(tf.constant(3))
        return [out.numpy(), v.numpy()]
    ours, theirs = _both(real_tf, run)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_slice_and_scatter_assignments_under_an_outer_tape(real_tf):
    def run(tf):
        v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])

        @tf.function
        def f(x, i):
            v[i].assign(x)
            v.scatter_nd_update([[0, 0]], [10.0])
            return tf.reduce_sum(v * x)
        x = tf.constant([2.0, 3.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x, tf.constant(1))
        return [y.numpy(), v.numpy()] + [g.numpy() for g in tape.gradient(y, [x, v])]
    ours, theirs = _both(real_tf, run)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_assignments_in_a_branch_differentiated_inside_the_function(real_tf):
    # The If's gradient replays the branch op by op while tracing: the assignment nodes are
    # re-emitted there, not run on symbolic values.
    def run(tf):
        v = tf.Variable([1.0, 2.0])

        @tf.function
        def f(x):
            def true_fn():
                v[0].assign(x)
                v.scatter_nd_update([[1]], tf.stack([x]))
                v.scatter_update(tf.IndexedSlices(tf.stack([x]), [0]))
                return tf.reduce_sum(x * v)
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.cond(x > 0, true_fn, lambda: x * 1.0)
            return tape.gradient(y, x)
        return [f(tf.constant(2.0)).numpy(), v.numpy()]
    ours, theirs = _both(real_tf, run)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_symbolic_slice_reads_are_differentiable(real_tf):
    def run(tf):
        v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
        f = tf.function(lambda i: v[i] * 2.0)
        with tf.GradientTape() as tape:
            y = f(tf.constant(1))
        outer = tape.gradient(y, v).numpy()

        @tf.function
        def inner(i):
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(v[i] ** 2)
            return tape.gradient(y, v)
        return [outer, inner(tf.constant(0)).numpy()]
    ours, theirs = _both(real_tf, run)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b)


def test_symbolic_slice_read_has_tensorflows_static_shape(real_tf):
    shapes = []
    for tf in (nd, real_tf):
        v = tf.Variable(tf.zeros([4, 3, 5]))
        f = tf.function(lambda i: (v[i], v[i, 1:], v[i:i + 2], v[1:, i], v[..., i],
                                   v[i, ..., 1:3], v[None, i], v[1:3, i, None]))
        shapes.append([str(t.shape) for t in f.get_concrete_function(
            tf.TensorSpec([], tf.int32)).outputs])
    assert shapes[0] == shapes[1]


def test_slice_assign_broadcasts_and_scatter_ops_combine(real_tf):
    def run(tf):
        v = tf.Variable(tf.ones([3, 2]))

        @tf.function
        def f():
            v[1:3].assign(5.0)
            v.scatter_nd_add([[0, 0], [0, 0]], [1.0, 2.0])
            v.scatter_sub(tf.IndexedSlices(tf.ones([1, 2]), [2]))
            return v.read_value()
        return f().numpy()
    ours, theirs = _both(real_tf, run)
    np.testing.assert_allclose(ours, theirs)


def test_scatter_shape_mismatch_is_a_trace_time_value_error(real_tf):
    for tf in (nd, real_tf):
        v = tf.Variable(tf.zeros([4, 3]))
        with pytest.raises(ValueError):
            tf.function(lambda: v.scatter_nd_update([[1]], tf.ones([2, 3]))
                        ).get_concrete_function()


# -- 3. static shapes -----------------------------------------------------------------------

def _spec(tf, shape, dtype="float32"):
    return tf.TensorSpec(shape, getattr(tf, dtype))


SHAPE_CASES = {
    "reshape_minus_one": (lambda tf: lambda x: tf.reshape(x, [-1, 4]), [([None, 2], "float32")]),
    "reshape_to_known_shape": (lambda tf: lambda x, y: tf.reshape(x, tf.shape(y)),
                               [([None], "float32"), ([3, 4], "float32")]),
    "range_symbolic": (lambda tf: lambda n: tf.range(n), [([], "int32")]),
    "tile": (lambda tf: lambda x: tf.tile(x, [2, 3]), [([None, 3], "float32")]),
    "concat_axis0": (lambda tf: lambda x, y: tf.concat([x, y], 0),
                     [([None, 3], "float32"), ([2, None], "float32")]),
    "concat_axis1": (lambda tf: lambda x, y: tf.concat([x, y], 1),
                     [([None, 3], "float32"), ([2, None], "float32")]),
    "gather_unknown_indices": (lambda tf: lambda x, i: tf.gather(x, i),
                               [([5, 3], "float32"), (None, "int32")]),
    "gather_matrix_indices": (lambda tf: lambda x, i: tf.gather(x, i),
                              [([5, 3], "float32"), ([None, 2], "int32")]),
    "where_unknown": (lambda tf: lambda c: tf.where(c), [([None, 3], "bool")]),
    "where_known": (lambda tf: lambda c: tf.where(c), [([4, 3], "bool")]),
    "where_then_add": (lambda tf: lambda c: tf.where(c) + 1, [([4, 3], "bool")]),
    "boolean_mask": (lambda tf: lambda x, m: tf.boolean_mask(x, m),
                     [([4, 3], "float32"), ([4], "bool")]),
    "unique_unknown": (lambda tf: lambda x: tf.unique(x), [([None], "int32")]),
    "unique_known": (lambda tf: lambda x: tf.unique(x), [([5], "int32")]),
    "unique_then_double": (lambda tf: lambda x: tf.unique(x)[0] * 2, [([5], "int32")]),
    "add_unknown_rank": (lambda tf: lambda x: x + 1.0, [(None, "float32")]),
    "exp_unknown_rank": (lambda tf: lambda x: tf.exp(x) * x, [(None, "float32")]),
    "shape_unknown_rank": (lambda tf: lambda x: tf.shape(x), [(None, "float32")]),
    "ones_like_unknown_rank": (lambda tf: lambda x: tf.ones_like(x), [(None, "float32")]),
}


# Op wrappers that pass a symbolic shape on as an input (or flatten an unknown-rank tensor)
# instead of reading its value while tracing.
WRAPPER_CASES = {
    "reshape_to_partly_known_shape": (lambda tf: lambda x, y: tf.reshape(x, tf.shape(y)),
                                      [([None], "float32"), ([None, 4], "float32")]),
    "reduce_sum_unknown_rank": (lambda tf: lambda x: tf.reduce_sum(x), [(None, "float32")]),
    "reduce_mean_unknown_rank": (lambda tf: lambda x: tf.reduce_mean(x), [(None, "float32")]),
    "reduce_max_unknown_rank": (lambda tf: lambda x: tf.reduce_max(x), [(None, "float32")]),
    "reduce_sum_axis_unknown_rank": (lambda tf: lambda x: tf.reduce_sum(x, axis=0),
                                     [(None, "float32")]),
    "zeros_of_shape": (lambda tf: lambda x: tf.zeros(tf.shape(x)), [([None, 3], "float32")]),
    "fill_of_shape": (lambda tf: lambda x: tf.fill(tf.shape(x), 2.0), [([None, 3], "float32")]),
    "fill_symbolic_dim": (lambda tf: lambda n: tf.fill([n, 2], 2.0), [([], "int32")]),
    "zeros_symbolic_dim": (lambda tf: lambda n: tf.zeros([n, 3]), [([], "int32")]),
    "boolean_mask_unknown_dims": (lambda tf: lambda x, m: tf.boolean_mask(x, m),
                                  [([None, 3], "float32"), ([None, 3], "bool")]),
}


def _static_shapes(real_tf, build, specs):
    shapes = []
    for tf in (nd, real_tf):
        concrete = tf.function(build(tf)).get_concrete_function(
            *[_spec(tf, shape, dtype) for shape, dtype in specs])
        shapes.append([str(t.shape) for t in concrete.outputs])
    return shapes


@pytest.mark.parametrize("case", sorted(WRAPPER_CASES))
def test_static_shapes_of_wrappers_given_symbolic_shapes(real_tf, case):
    ours, theirs = _static_shapes(real_tf, *WRAPPER_CASES[case])
    assert ours == theirs


def test_tile_with_symbolic_multiples_through_the_wrapper(real_tf):
    ours, theirs = _static_shapes(real_tf, lambda tf: lambda x, m: tf.tile(x, m),
                                  [([None, 3], "float32"), ([2], "int32")])
    assert ours == theirs


@pytest.mark.parametrize("case", sorted(SHAPE_CASES))
def test_static_shapes_match_tensorflow(real_tf, case):
    build, specs = SHAPE_CASES[case]
    shapes = []
    for tf in (nd, real_tf):
        concrete = tf.function(build(tf)).get_concrete_function(
            *[_spec(tf, shape, dtype) for shape, dtype in specs])
        shapes.append([str(t.shape) for t in concrete.outputs])
    assert shapes[0] == shapes[1]


# Ops given their shape as a symbolic input tensor (as TensorFlow's Reshape, Fill and Tile
# take it): the graph reads what is known of it while tracing.

def test_reshape_to_a_partly_known_symbolic_shape():
    f = nd.function(lambda x, y: execute(RESHAPE, (x, nd.shape(y))) * 2.0)
    concrete = f.get_concrete_function(nd.TensorSpec([None], nd.float32),
                                       nd.TensorSpec([None, 4], nd.float32))
    assert concrete.outputs[0].shape.as_list() == [None, 4]
    assert f(nd.ones([8]), nd.ones([2, 4])).shape == (2, 4)


def test_fill_with_a_packed_symbolic_shape():
    f = nd.function(lambda n: execute(FILL, (nd.constant(2.0), nd.stack([n, 2]))))
    concrete = f.get_concrete_function(nd.TensorSpec([], nd.int32))
    assert concrete.outputs[0].shape.as_list() == [None, 2]
    np.testing.assert_array_equal(f(nd.constant(3)).numpy(), np.full((3, 2), 2.0))


def test_tile_with_symbolic_multiples():
    f = nd.function(lambda x, m: execute(TILE, (x, m)))
    concrete = f.get_concrete_function(nd.TensorSpec([None, 3], nd.float32),
                                       nd.TensorSpec([2], nd.int32))
    assert concrete.outputs[0].shape.as_list() == [None, None]
    assert f(nd.ones([2, 3]), nd.constant([2, 1])).shape == (4, 3)


def test_shape_function_results_still_run_correctly():
    @nd.function
    def f(x, c):
        y, idx = nd.unique(x)
        return nd.reshape(nd.concat([y, y], 0), [-1, 2]), idx, nd.where(c)
    y, idx, w = f(nd.constant([3, 1, 3, 2]), nd.constant([[True, False], [False, True]]))
    np.testing.assert_array_equal(y.numpy(), [[3, 1], [2, 3], [1, 2]])
    np.testing.assert_array_equal(idx.numpy(), [0, 1, 0, 2])
    np.testing.assert_array_equal(w.numpy(), [[0, 0], [1, 1]])


def test_ops_without_outputs_still_trace():
    @nd.function
    def f(x):
        nd.debugging.Assert(x > 0, ["x must be positive"])
        return x * 2
    assert f(nd.constant(3)).numpy() == 6


def test_stateless_loop_reading_a_variable_gives_examples_to_later_ops():
    v = nd.Variable([1, 2, 3])

    @nd.function
    def f(n):
        _, s = nd.while_loop(lambda i, s: i < n, lambda i, s: (i + 1, s + v),
                             [0, nd.zeros([3], nd.int32)])
        return nd.unique(s)[0], s
    concrete = f.get_concrete_function(nd.TensorSpec([], nd.int32))
    (loop,) = [op for op in concrete.graph.get_operations() if op.type.endswith("While")]
    assert loop.outputs[1]._ex is not None
    assert concrete.outputs[0].shape.as_list() == [None]
    np.testing.assert_array_equal(f(nd.constant(2))[1].numpy(), [2, 4, 6])
