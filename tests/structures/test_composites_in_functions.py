"""Composite tensors (SparseTensor) as ndflow.function arguments and results, compared with
tf.function: trace keys, placeholders, signatures, results."""
import numpy as np
import pytest

import ndflow as nd


def _both(real_tf):
    return [(nd, nd.function), (real_tf, real_tf.function)]


def _sparse(mod, indices, values, shape):
    return mod.sparse.SparseTensor(indices, values, shape)


def _program(mod):
    def f(sp, dense):
        return mod.sparse.reduce_sum(sp, axis=1), sp * 2.0, mod.sparse.to_dense(sp) + dense, \
            mod.sparse.sparse_dense_matmul(sp, dense, adjoint_b=True)
    return f


def test_sparse_arguments_and_results_match_tensorflow(real_tf):
    results = []
    for mod, function in _both(real_tf):
        f = function(_program(mod))
        sp = _sparse(mod, [[0, 0], [1, 2], [2, 3]], [1.0, 2.0, 3.0], [3, 4])
        dense = mod.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
        out = f(sp, dense)
        cf = f.get_concrete_function(sp, dense)
        results.append((out, cf))
    (mine, my_cf), (theirs, their_cf) = results
    np.testing.assert_array_equal(mine[0].numpy(), theirs[0].numpy())
    assert mine[0].dtype.name == theirs[0].dtype.name
    assert isinstance(mine[1], nd.SparseTensor)
    for a, b in ((mine[1].indices, theirs[1].indices), (mine[1].values, theirs[1].values),
                 (mine[1].dense_shape, theirs[1].dense_shape)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.dtype.name == b.dtype.name
    np.testing.assert_array_equal(mine[2].numpy(), theirs[2].numpy())
    np.testing.assert_allclose(mine[3].numpy(), theirs[3].numpy())
    assert repr(my_cf.structured_input_signature) == repr(their_cf.structured_input_signature)
    mine_args = [(a.name, a.type.name) for a in my_cf.function_def.signature.input_arg]
    their_args = [(a.name, real_tf.dtypes.as_dtype(a.type).name)
                  for a in their_cf.function_def.signature.input_arg]
    assert mine_args == their_args
    assert [tuple(t.shape.as_list()) for t in my_cf.inputs] == \
        [tuple(t.shape.as_list()) for t in their_cf.inputs]
    assert repr(nd.type_spec_from_value(my_cf.structured_outputs[1])) == \
        repr(real_tf.type_spec_from_value(their_cf.structured_outputs[1]))


def test_sparse_trace_keys_match_tensorflow(real_tf):
    counts = []
    for mod, function in _both(real_tf):
        f = function(lambda sp: mod.sparse.reduce_sum(sp))
        f(_sparse(mod, [[0, 0], [1, 2]], [1.0, 2.0], [3, 4]))
        f(_sparse(mod, [[0, 1]], [5.0], [3, 4]))              # other entries: same trace
        f(_sparse(mod, [[0, 1]], [5.0], [5, 4]))              # other dense shape: new trace
        f(_sparse(mod, [[0, 1]], [5], [5, 4]))                # other dtype: new trace
        counts.append(f.experimental_get_tracing_count())
    assert counts[0] == counts[1] == 3


def test_input_signature_with_sparse_spec(real_tf):
    for mod, function in _both(real_tf):
        g = function(lambda s: mod.sparse.to_dense(s),
                     input_signature=[mod.SparseTensorSpec([None, 4], mod.float32)])
        sp = _sparse(mod, [[0, 0], [4, 3]], [1.0, 2.0], [5, 4])
        np.testing.assert_array_equal(g(sp).numpy()[4], [0, 0, 0, 2])
        assert repr(g.get_concrete_function().structured_input_signature) == \
            "((SparseTensorSpec(TensorShape([None, 4]), tf.float32),), {})"
        with pytest.raises(TypeError):
            g(mod.constant([[1.0]]))


def test_sparse_shape_is_static_inside_the_trace():
    seen = []

    @nd.function
    def f(sp):
        seen.append(sp.shape)
        return nd.sparse.to_dense(sp)
    f(nd.sparse.SparseTensor([[0, 0]], [1.0], [2, 3]))
    f.get_concrete_function(nd.SparseTensorSpec([None, 3], nd.float32))
    assert [s.as_list() for s in seen] == [[2, 3], [None, 3]]


def test_sparse_from_dense_and_gradients_inside_a_function():
    @nd.function
    def f(x):
        with nd.GradientTape() as tape:
            tape.watch(x)
            sp = nd.sparse.from_dense(x)
            loss = nd.sparse.reduce_sum(sp * x)
        return loss, tape.gradient(loss, x), sp
    x = nd.constant([[0.0, 2.0], [3.0, 0.0]])
    loss, grad, sp = f(x)
    assert float(loss) == 13.0
    np.testing.assert_array_equal(grad.numpy(), [[0.0, 4.0], [6.0, 0.0]])
    np.testing.assert_array_equal(sp.indices.numpy(), [[0, 1], [1, 0]])
    assert sp.shape.as_list() == [2, 2]


def _sp():
    return nd.sparse.SparseTensor([[0, 1], [1, 0], [2, 3]], [1.0, 2.0, 3.0], [3, 4])


_PROGRAMS = {
    "retain": lambda sp: nd.sparse.retain(sp, nd.constant([True, False, True])),
    "reset_shape": lambda sp: nd.sparse.reset_shape(sp, [5, 6]),
    "reset_shape_tight": lambda sp: nd.sparse.reset_shape(sp),
    "slice": lambda sp: nd.sparse.slice(sp, [1, 0], [2, 4]),
    "to_indicator": lambda sp: nd.sparse.to_indicator(
        nd.sparse.SparseTensor(sp.indices, nd.cast(sp.values, nd.int64), sp.dense_shape), 5),
    "reduce_sparse": lambda sp: nd.sparse.reduce_sum(sp, axis=1, output_is_sparse=True),
    "transpose": lambda sp: nd.sparse.transpose(sp),
    "concat": lambda sp: nd.sparse.concat(0, [sp, sp]),
    "add": lambda sp: nd.sparse.add(sp, sp),
    "add_dense": lambda sp: nd.sparse.add(sp, nd.ones([3, 4])),
    "reorder": lambda sp: nd.sparse.reorder(sp),
    "sets": lambda sp: nd.sets.union(nd.constant([[1, 2], [3, 4]]), nd.constant([[2, 5], [3, 3]])),
    "set_size": lambda sp: nd.sets.size(nd.sets.intersection(
        nd.constant([[1, 2], [3, 4]]), nd.constant([[2, 5], [3, 3]]))),
}


def _dense_parts(value):
    if isinstance(value, nd.SparseTensor):
        return [value.indices.numpy(), value.values.numpy(), value.dense_shape.numpy()]
    return [value.numpy()]


@pytest.mark.parametrize("name", sorted(_PROGRAMS))
def test_sparse_functions_in_graphs_equal_eager(name):
    program = _PROGRAMS[name]
    eager = _dense_parts(program(_sp()))
    traced = _dense_parts(nd.function(program)(_sp()))
    assert len(eager) == len(traced)
    for a, b in zip(eager, traced):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


def test_host_node_gradients_flow_under_an_outer_tape():
    f = nd.function(lambda sp: nd.sparse.reduce_sum(nd.sparse.retain(
        sp, nd.constant([True, False, True]))))
    values = nd.Variable([1.0, 2.0, 3.0])
    with nd.GradientTape() as tape:
        loss = f(nd.sparse.SparseTensor([[0, 1], [1, 0], [2, 3]], values.read_value(), [3, 4]))
    grad = nd.convert_to_tensor(tape.gradient(loss, values))   # gather gives IndexedSlices
    np.testing.assert_array_equal(grad.numpy(), [1.0, 0.0, 1.0])
    assert float(loss) == 4.0


def test_ragged_arguments_and_results_match_tensorflow(real_tf):
    results = []
    for mod, function in _both(real_tf):
        @function
        def f(r):
            return r * 2, r.row_lengths(), r.to_tensor(), mod.reduce_sum(r, axis=1), r.nrows()
        r = mod.ragged.constant([[1, 2], [3]])
        results.append((f(r), f.get_concrete_function(r), f))
        f(mod.ragged.constant([[1], [3, 4, 5]]))                 # same nrows: same trace
        f(mod.ragged.constant([[1], [3, 4, 5], []]))             # other nrows: new trace
        assert f.experimental_get_tracing_count() == 2
    (mine, my_cf, _), (theirs, their_cf, _) = results
    assert mine[0].to_list() == theirs[0].to_list()
    for a, b in zip(mine[1:], theirs[1:]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        assert a.dtype.name == b.dtype.name
    assert repr(my_cf.structured_input_signature) == repr(their_cf.structured_input_signature)
    assert [tuple(t.shape.as_list()) for t in my_cf.inputs] == \
        [tuple(t.shape.as_list()) for t in their_cf.inputs]
    assert [op.name for op in my_cf.graph.get_operations() if op.type == "Placeholder"] == \
        [op.name for op in their_cf.graph.get_operations() if op.type == "Placeholder"]


def test_uniform_ragged_levels_survive_a_function():
    s = nd.strings.split(nd.constant([["a b"], ["c d e"]]))
    out = nd.function(lambda r: r)(s)
    assert out.shape.as_list() == [2, 1, None]
    assert out.to_list() == s.to_list()


def test_ragged_spec_input_signature_and_indexing():
    f = nd.function(lambda r: (r[0], r[:, :1], nd.concat([r, r], axis=0)),
                    input_signature=[nd.RaggedTensorSpec([None, None], nd.int32, 1)])
    r = nd.ragged.constant([[1, 2], [3], [4, 5, 6]])
    first, heads, doubled = f(r)
    np.testing.assert_array_equal(first.numpy(), [1, 2])
    assert heads.to_list() == [[1], [3], [4]]
    assert doubled.to_list() == r.to_list() * 2
    assert repr(f.get_concrete_function().structured_input_signature) == \
        "((RaggedTensorSpec(TensorShape([None, None]), tf.int32, 1, tf.int64),), {})"


def test_queue_operations_in_a_function_act_at_every_call(real_tf):
    logs = []
    for mod, function in _both(real_tf):
        q = mod.queue.FIFOQueue(10, [mod.float32, mod.int32], shapes=[[2], []])

        @function
        def push(x, i):
            q.enqueue((x, i))
            q.enqueue((x * 2.0, i + 1))
            return q.size()

        @function
        def pop():
            x, i = q.dequeue()
            return x, i, q.dequeue_many(2)

        sizes = [int(push(mod.constant([1.0, 2.0]), mod.constant(5))),
                 int(push(mod.constant([3.0, 4.0]), mod.constant(7)))]
        x, i, (xs, ids) = pop()
        cf = pop.get_concrete_function()
        logs.append((sizes, x.numpy().tolist(), int(i), xs.numpy().tolist(), ids.numpy().tolist(),
                     int(q.size()), [tuple(t.shape.as_list()) for t in cf.outputs]))
    assert logs[0] == logs[1]


def test_queue_ops_are_graph_nodes_that_act_at_call_time_only():
    q = nd.queue.FIFOQueue(3, nd.int32, shapes=[[]])
    push = nd.function(lambda: q.enqueue(1))
    types = [op.type for op in push.get_concrete_function().graph.get_operations()]
    assert types.count("QueueEnqueueV2") == 1
    assert int(q.size()) == 0          # tracing did not enqueue
    push()
    push()
    assert int(q.size()) == 2          # every call did
    pop = nd.function(lambda: q.dequeue())
    assert "QueueDequeueV2" in [op.type for op in pop.get_concrete_function().graph.get_operations()]
    assert int(q.size()) == 2
    assert int(pop()) == 1 and int(q.size()) == 1


def test_ragged_operands_with_different_splits_fail_at_run_time(real_tf):
    for mod, function in _both(real_tf):
        f = function(lambda a, b: a + b)
        a = mod.ragged.constant([[1, 2], [3]])
        assert f(a, mod.ragged.constant([[1, 1], [1]])).to_list() == [[2, 3], [4]]
        with pytest.raises(mod.errors.InvalidArgumentError):
            f(a, mod.ragged.constant([[1], [1, 1]]))


def test_get_static_value_matches_tensorflow(real_tf):
    for mod, function in _both(real_tf):
        assert mod.get_static_value(mod.constant([1, 2])).tolist() == [1, 2]
        assert mod.get_static_value(3) == 3 and mod.get_static_value([1, 2]) == [1, 2]
        seen = []

        @function
        def f(x):
            seen.append((mod.get_static_value(x),
                         mod.get_static_value(mod.cast(mod.constant(6), mod.int64))))
            return x
        f(mod.constant(1))
        assert seen[-1][0] is None and int(seen[-1][1]) == 6


_MORE_PROGRAMS = {
    "expand_dims": lambda sp: nd.sparse.expand_dims(sp, 1),
    "eye": lambda sp: nd.sparse.eye(nd.size(sp.values)),
    "reshape": lambda sp: nd.sparse.reshape(sp, [4, -1]),
    "split": lambda sp: nd.sparse.split(sp, 2, axis=1)[1],
    "softmax": lambda sp: nd.sparse.softmax(sp),
    "fill_empty_rows": lambda sp: nd.sparse.fill_empty_rows(
        nd.sparse.retain(sp, nd.constant([True, False, True])), -1.0)[0],
    "maximum": lambda sp: nd.sparse.maximum(sp, sp * 2.0),
    "segment_sum": lambda sp: nd.sparse.segment_sum(sp.values, nd.constant([0, 2]),
                                                    nd.constant([0, 1])),
    "bincount": lambda sp: nd.sparse.bincount(nd.sparse.SparseTensor(
        sp.indices, nd.cast(sp.values, nd.int64), sp.dense_shape)),
    "map_values": lambda sp: nd.sparse.map_values(nd.square, sp),
}


@pytest.mark.parametrize("name", sorted(_MORE_PROGRAMS))
def test_more_sparse_functions_in_graphs_equal_eager(name):
    program = _MORE_PROGRAMS[name]
    eager = _dense_parts(program(_sp()))
    traced = _dense_parts(nd.function(program)(_sp()))
    for a, b in zip(eager, traced):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


_STRING_PROGRAMS = {
    "split": lambda s: nd.strings.split(s),
    "ngrams": lambda s: nd.strings.ngrams(nd.strings.split(s), 2),
    "bytes_split": lambda s: nd.strings.bytes_split(s),
    "unicode_decode": lambda s: nd.strings.unicode_decode(s, "UTF-8"),
    "split_rank2": lambda s: nd.strings.split(nd.reshape(s, [2, 1])),
}


@pytest.mark.parametrize("name", sorted(_STRING_PROGRAMS))
def test_string_functions_with_ragged_results_in_graphs_equal_eager(name):
    program = _STRING_PROGRAMS[name]
    s = nd.constant(["a bc", "dé"])
    eager, traced = program(s), nd.function(program)(s)
    assert traced.to_list() == eager.to_list()
    assert traced.shape.rank == eager.shape.rank
