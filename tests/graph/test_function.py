"""ndflow.function: tracing, the trace cache, concrete functions, variables and gradients in
graphs, compared with eager execution and with real TensorFlow."""
import warnings

import numpy as np
import pytest

import ndflow as nd
from tests.conformance import assert_same


def _types(concrete):
    return [op.type for op in concrete.graph.get_operations()]


def test_values_match_eager_and_tensorflow(real_tf):
    def run(tf):
        def f(x, y):
            return tf.reduce_sum(tf.nn.relu(tf.matmul(x, y) - 1.0) ** 2, axis=1)
        x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
        y = tf.constant(np.ones((3, 4), np.float32))
        return [tf.function(f)(x, y), f(x, y)]
    assert_same(run, real_tf)


def test_graph_ops_are_named_and_typed_like_tensorflow(real_tf):
    def names(tf):
        @tf.function
        def f(x):
            return x ** 2 + 1.0
        c = f.get_concrete_function(tf.TensorSpec([None], tf.float32))
        return [(op.name, op.type) for op in c.graph.get_operations()]
    assert names(nd) == names(real_tf)


def test_concrete_function_inspection():
    @nd.function
    def f(x):
        return x * 2.0
    c = f.get_concrete_function(nd.TensorSpec([None, 3], nd.float32))
    assert c is f.get_concrete_function(nd.TensorSpec([None, 3], nd.float32))
    placeholder = c.graph.get_operation_by_name("x")
    assert placeholder.type == "Placeholder" and placeholder.outputs[0].shape.as_list() == [None, 3]
    out = c.graph.get_tensor_by_name("mul:0")
    assert out.op.type == "Mul" and out.value_index == 0 and out.dtype is nd.float32
    assert [a.name for a in c.function_def.signature.input_arg] == ["x"]
    assert [a.name for a in c.function_def.signature.output_arg] == ["identity"]
    assert "x (POSITIONAL_OR_KEYWORD): TensorSpec(shape=(None, 3)" in c.pretty_printed_signature()
    assert "Mul 'mul'" in c.pretty_code()
    np.testing.assert_array_equal(c(nd.constant([[1.0, 2.0, 3.0]])).numpy(), [[2, 4, 6]])
    with pytest.raises(KeyError):
        c.graph.get_operation_by_name("nope")


def test_retracing_follows_tensorflow(real_tf):
    def count(tf):
        traces = []

        @tf.function
        def f(x, n):
            traces.append(1)
            return x * n
        f(tf.constant(1.0), 2)
        f(tf.constant(2.0), 2)          # same dtype and shape, same Python value: cached
        f(tf.constant(2.0), 3)          # a new Python value: traced again
        f(tf.constant([1.0, 2.0]), 3)   # a new shape: traced again
        f(tf.constant(1), 3)            # a new dtype: traced again
        return len(traces)
    assert count(nd) == count(real_tf) == 4


def test_python_print_runs_per_trace_and_nd_print_per_call(capsys):
    @nd.function
    def f(x):
        print("tracing")
        nd.print("running", x)
        return x
    f(nd.constant(1))
    f(nd.constant(2))
    captured = capsys.readouterr()
    assert captured.out.count("tracing") == 1
    assert captured.err.splitlines() == ["running 1", "running 2"]


def test_input_signature_accepts_any_batch_and_rejects_others():
    @nd.function(input_signature=[nd.TensorSpec([None, 2], nd.float32)])
    def f(x):
        return nd.reduce_sum(x, axis=1)
    np.testing.assert_array_equal(f(nd.ones([3, 2])).numpy(), [2, 2, 2])
    np.testing.assert_array_equal(f(nd.ones([5, 2])).numpy(), [2] * 5)
    assert f.experimental_get_tracing_count() == 1
    with pytest.raises(TypeError, match="x"):
        f(nd.ones([3, 3]))
    with pytest.raises(TypeError):
        f(nd.ones([3, 2], nd.int32))


def test_reduce_retracing_relaxes_shapes():
    @nd.function(reduce_retracing=True)
    def f(x):
        return x + 1
    for n in (2, 3, 4, 5):
        f(nd.zeros([n]))
    assert f.experimental_get_tracing_count() == 2
    shape = f.get_concrete_function(nd.zeros([7])).inputs[0].shape
    assert shape.as_list() == [None]


def test_retracing_warning_names_the_argument():
    @nd.function
    def f(x):
        return x
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(6):
            f(nd.zeros([n]))
    messages = [str(w.message) for w in caught]
    assert any("argument `x` changed" in m for m in messages)


def test_variables_are_captured_by_reference():
    v = nd.Variable(1.0)

    @nd.function
    def f(x):
        v.assign_add(x)
        return v * 2.0
    assert float(f(nd.constant(2.0))) == 6.0
    assert float(f(nd.constant(2.0))) == 10.0
    assert float(v) == 5.0
    v.assign(0.0)
    assert float(f(nd.constant(1.0))) == 2.0
    types = _types(f.get_concrete_function(nd.constant(1.0)))
    assert types.index("AssignAddVariableOp") < types.index("ReadVariableOp")


def test_variables_created_on_first_trace_only(real_tf):
    def run(tf):
        class Model:
            def __init__(self):
                self.v = None

            @tf.function
            def __call__(self, x):
                if self.v is None:
                    self.v = tf.Variable(tf.ones_like(x))
                return self.v * x
        m = Model()
        first = m(tf.constant([1.0, 2.0]))
        m(tf.constant([1.0, 2.0, 3.0]))     # a new shape: a trace that creates a variable
        return first
    assert_same(run, real_tf)


def test_training_step_matches_eager():
    rng = np.random.default_rng(0)
    x = nd.constant(rng.normal(size=(8, 3)).astype(np.float32))
    y = nd.constant(rng.normal(size=(8, 1)).astype(np.float32))

    def make():
        return nd.Variable(np.ones((3, 1), np.float32)), nd.Variable(np.zeros(1, np.float32))

    def step(w, b):
        with nd.GradientTape() as tape:
            loss = nd.reduce_mean((nd.matmul(x, w) + b - y) ** 2)
        gw, gb = tape.gradient(loss, [w, b])
        w.assign_sub(0.1 * gw)
        b.assign_sub(0.1 * gb)
        return loss

    eager_vars, graph_vars = make(), make()
    graph_step = nd.function(lambda: step(*graph_vars))
    for _ in range(5):
        np.testing.assert_allclose(graph_step().numpy(), step(*eager_vars).numpy(), rtol=1e-6)
    np.testing.assert_allclose(graph_vars[0].numpy(), eager_vars[0].numpy(), rtol=1e-6)


def test_call_under_outer_tape_is_differentiable():
    w = nd.Variable([1.0, 2.0])

    @nd.function
    def f(x):
        return nd.reduce_sum(w * x ** 2)
    x = nd.constant([3.0, 4.0])
    with nd.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    gx, gw = tape.gradient(y, [x, w])
    np.testing.assert_allclose(gx.numpy(), [6.0, 16.0])
    np.testing.assert_allclose(gw.numpy(), [9.0, 16.0])


def test_methods_have_one_cache_per_instance():
    class Scaler:
        def __init__(self, k):
            self.k = k

        @nd.function
        def scale(self, x):
            return x * self.k
    a, b = Scaler(2.0), Scaler(3.0)
    assert float(a.scale(nd.constant(1.0))) == 2.0
    assert float(b.scale(nd.constant(1.0))) == 3.0
    assert a.scale is a.scale and a.scale is not b.scale


def test_nested_structures_and_python_values_in_outputs():
    @nd.function
    def f(pair, scale=2):
        return {"sum": pair[0] + pair[1], "scaled": pair[0] * scale, "k": scale}
    out = f((nd.constant(1.0), nd.constant(2.0)))
    assert float(out["sum"]) == 3.0 and float(out["scaled"]) == 2.0 and out["k"] == 2


def test_run_functions_eagerly():
    @nd.function
    def f(x):
        return x.numpy() * 2
    nd.config.run_functions_eagerly(True)
    try:
        assert f(nd.constant(2.0)) == 4.0
    finally:
        nd.config.run_functions_eagerly(False)
    with pytest.raises(NotImplementedError):
        f(nd.constant(2.0))


def test_symbolic_tensors_refuse_python_bool():
    @nd.function(autograph=False)
    def f(x):
        if x > 0:
            return x
        return -x
    with pytest.raises(nd.errors.OperatorNotAllowedInGraphError):
        f(nd.constant(1.0))


def test_kernel_errors_at_run_time_name_the_op():
    @nd.function(input_signature=[nd.TensorSpec([None], nd.float32),
                                  nd.TensorSpec([None], nd.float32)])
    def f(x, y):
        return x + y
    with pytest.raises(nd.errors.InvalidArgumentError, match="AddV2"):
        f(nd.ones([2]), nd.ones([3]))


def test_shape_errors_raise_while_tracing(real_tf):
    def run(tf):
        @tf.function
        def f(x, y):
            return tf.matmul(x, y)
        return f(tf.ones([2, 3]), tf.ones([2, 3]))
    assert_same(run, real_tf)


def test_gradients_through_while_loop_and_cond_in_a_graph():
    w = nd.Variable(1.5)

    def loss_and_grads(x, n):
        with nd.GradientTape() as tape:
            tape.watch(x)
            _, y = nd.while_loop(lambda i, y: i < n, lambda i, y: (i + 1, y * x * w),
                                 (nd.constant(0), nd.constant(1.0)))
            y = nd.cond(y > 10.0, lambda: y * 2.0, lambda: y)
        return [y] + tape.gradient(y, [x, w])
    graph = nd.function(loss_and_grads)
    for n in (1, 3):
        eager = loss_and_grads(nd.constant(2.0), nd.constant(n))
        traced = graph(nd.constant(2.0), nd.constant(n))
        for a, b in zip(traced, eager):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_tensor_array_as_a_loop_variable(real_tf):
    def run(tf):
        @tf.function
        def squares(n):
            ta = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            for i in tf.range(n):
                ta = ta.write(i, tf.cast(i, tf.float32) ** 2)
            return ta.stack()

        @tf.function
        def weighted(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                ta = tf.TensorArray(tf.float32, size=3)
                _, ta = tf.while_loop(lambda i, ta: i < 3,
                                      lambda i, ta: (i + 1, ta.write(i, x * tf.cast(i, tf.float32))),
                                      (0, ta))
                y = tf.reduce_sum(ta.stack())
            return [y, tape.gradient(y, x)]
        return [squares(tf.constant(5)), weighted(tf.constant(2.0))]
    assert_same(run, real_tf)
