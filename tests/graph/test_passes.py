"""Graph optimisation passes: what each rewrites and what it must leave alone, the traced graph
left as traced, switches, and random programs run eagerly vs optimised and compiled."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.graph import config
from ndflow.graph.passes import optimize

_KEYS = ("constant_folding", "arithmetic_optimization", "common_subexpression_elimination",
         "remapping", "disable_model_pruning", "disable_meta_optimizer")


@pytest.fixture(autouse=True)
def _restore_options():
    saved = dict(config.OPTIMIZER_OPTIONS)
    yield
    config.OPTIMIZER_OPTIONS.clear()
    config.OPTIMIZER_OPTIONS.update(saved)


def _only(*keys):
    """Switches every pass off except ``keys``."""
    options = {k: False for k in _KEYS[:4]}
    options.update({k: True for k in keys})
    options["disable_model_pruning"] = "pruning" not in keys
    nd.config.optimizer.set_experimental_options(options)


def _optimized(fn, *specs):
    concrete = nd.function(fn).get_concrete_function(*specs)
    before = [(op.name, op.type) for op in concrete.graph.get_operations()]
    graph, outputs = optimize(concrete.graph)
    assert [(op.name, op.type) for op in concrete.graph.get_operations()] == before
    return concrete, graph, [op.type for op in graph.get_operations()]


VEC = nd.TensorSpec([3], nd.float32)


def test_constant_folding_replaces_ops_on_constants():
    _only("constant_folding")

    def f(x):
        return x + nd.constant(2.0) * nd.constant(3.0)
    concrete, graph, types = _optimized(f, VEC)
    assert "Mul" in [op.type for op in concrete.graph.get_operations()]
    assert "Mul" not in types and "AddV2" in types
    np.testing.assert_array_equal(concrete(nd.constant([1.0, 2.0, 3.0])).numpy(), [7, 8, 9])


def test_constant_folding_folds_ones_like_of_known_shapes_and_what_follows():
    _only("constant_folding")

    def f(x):
        loss = nd.reduce_sum(x * x)
        return x * nd.reshape(nd.ones_like(loss) / 4.0, [1])
    concrete, graph, types = _optimized(f, VEC)
    assert "OnesLike" in [op.type for op in concrete.graph.get_operations()]
    assert "OnesLike" not in types and "RealDiv" not in types and "Reshape" not in types
    np.testing.assert_array_equal(concrete(nd.constant([4.0, 8.0, 12.0])).numpy(), [1, 2, 3])


def test_constant_folding_leaves_ones_like_of_unknown_shapes():
    _only("constant_folding")

    def f(x):
        return nd.ones_like(x) + x
    _, _, types = _optimized(f, nd.TensorSpec([None], nd.float32))
    assert "OnesLike" in types


def test_constant_folding_keeps_stateful_ops():
    _only("constant_folding")

    def f(x):
        return x + nd.random.uniform([3], seed=1)
    _, _, types = _optimized(f, VEC)
    assert any("Random" in t for t in types)


def test_arithmetic_drops_neutral_elements():
    _only("arithmetic_optimization", "pruning")

    def f(x):
        return nd.identity(nd.identity((x * 1.0 - 0.0) / 1.0)) + 1.0
    _, _, types = _optimized(f, VEC)
    assert types.count("AddV2") == 1 and not {"Mul", "Sub", "RealDiv", "Identity"} & set(types)


def test_arithmetic_keeps_broadcasting_and_signed_zero():
    _only("arithmetic_optimization", "pruning")

    def f(x):
        return x * nd.ones([2, 3]), x + 0.0, 1.0 * x
    concrete, _, types = _optimized(f, VEC)
    assert types.count("Mul") == 1 and types.count("AddV2") == 1     # 1.0 * x goes
    a, b, _ = concrete(nd.constant([-0.0, 1.0, 2.0]))
    assert a.shape == (2, 3) and not np.signbit(b.numpy()[0])       # -0.0 + 0.0 is +0.0


def test_arithmetic_merges_transposes_and_reshapes():
    _only("arithmetic_optimization", "pruning")

    def f(x):
        y = nd.transpose(nd.transpose(x, [1, 0, 2]), [1, 0, 2])
        z = nd.transpose(nd.transpose(x, [1, 2, 0]), [1, 2, 0])
        return y + 1.0, nd.reshape(nd.reshape(x, [6, 4]), [4, 6]), z
    concrete, _, types = _optimized(f, nd.TensorSpec([2, 3, 4], nd.float32))
    assert types.count("Transpose") == 1 and types.count("Reshape") == 1
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    y, r, z = concrete(nd.constant(x))
    np.testing.assert_array_equal(y.numpy(), x + 1)
    np.testing.assert_array_equal(r.numpy(), x.reshape(4, 6))
    np.testing.assert_array_equal(z.numpy(), x.transpose(1, 2, 0).transpose(1, 2, 0))


def test_cse_merges_identical_ops_only():
    _only("common_subexpression_elimination", "pruning")

    def f(x):
        return nd.exp(x) + nd.exp(x), nd.reduce_sum(x, 0) + nd.reduce_sum(x, 1)
    _, _, types = _optimized(f, nd.TensorSpec([3, 3], nd.float32))
    assert types.count("Exp") == 1 and types.count("Sum") == 2     # different axis attrs


def test_cse_never_merges_reads_across_assignments_or_stateful_ops():
    _only("common_subexpression_elimination", "pruning")
    v = nd.Variable(1.0)

    def f():
        a = v.read_value() * 2.0
        b = v.read_value() * 2.0
        v.assign_add(1.0)
        c = v.read_value() * 2.0
        return a, b, c, nd.random.uniform([2], seed=3), nd.random.uniform([2], seed=3)
    concrete, _, types = _optimized(f)
    assert types.count("ReadVariableOp") == 2 and types.count("Mul") == 2
    a, b, c, r1, r2 = concrete()
    assert (a.numpy(), b.numpy(), c.numpy()) == (2.0, 2.0, 4.0)
    assert not np.array_equal(r1.numpy(), r2.numpy())


def test_pruning_drops_dead_ops_and_keeps_side_effects():
    _only("pruning")
    v = nd.Variable(1.0)

    def f(x):
        nd.exp(x)                       # dead
        v.assign(5.0)                   # a side effect: kept
        return x
    concrete, _, types = _optimized(f, VEC)
    assert "Exp" not in types and "AssignVariableOp" in types
    concrete(nd.constant([1.0, 2.0, 3.0]))
    assert v.numpy() == 5.0


def test_fusion_runs_a_chain_as_one_kernel():
    _only("remapping")

    def f(x, y):
        return nd.nn.relu(nd.tanh(x * y + 1.0) - x)
    concrete, graph, types = _optimized(f, nd.TensorSpec([4, 5], nd.float32),
                                        nd.TensorSpec([5], nd.float32))
    assert types.count("FusedElementwise") == 1
    assert not {"Mul", "AddV2", "Tanh", "Sub", "Relu"} & set(types)
    code = concrete.pretty_code()
    assert "out=" in code and "(fused)" in code
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    y = np.random.default_rng(1).normal(size=5).astype(np.float32)
    np.testing.assert_array_equal(concrete(nd.constant(x), nd.constant(y)).numpy(),
                                  f(nd.constant(x), nd.constant(y)).numpy())


def test_fusion_leaves_shared_dynamic_and_broadcasting_links():
    _only("remapping")

    def shared(x):
        y = nd.exp(x)
        return nd.tanh(y), y              # y has two users: not fused into tanh
    _, _, types = _optimized(shared, VEC)
    assert "FusedElementwise" not in types

    def dynamic(x):
        return nd.tanh(nd.exp(x))         # unknown shape
    _, _, types = _optimized(dynamic, nd.TensorSpec([None], nd.float32))
    assert "FusedElementwise" not in types

    def widening(x):
        return nd.exp(x) + nd.ones([2, 3])  # the sum is bigger than exp(x)'s buffer
    _, _, types = _optimized(widening, VEC)
    assert "FusedElementwise" not in types


def test_passes_off_compile_the_graph_as_traced():
    nd.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})

    def f(x):
        return nd.identity(x * 1.0) + nd.constant(1.0) * nd.constant(2.0)
    concrete = nd.function(f).get_concrete_function(VEC)
    graph, _ = optimize(concrete.graph)
    assert graph is concrete.graph
    assert "Mul 'mul'" in concrete.pretty_code() and "Identity" in concrete.pretty_code()


# -- random programs: eager vs compiled with every pass on -----------------------------------

_UNARY = [nd.exp, nd.tanh, nd.sin, nd.cos, nd.square, nd.nn.relu, nd.negative, nd.abs,
          lambda x: nd.sqrt(nd.abs(x)), lambda x: nd.math.log1p(nd.abs(x)), nd.identity,
          lambda x: nd.transpose(nd.transpose(x)), lambda x: nd.reshape(nd.reshape(x, [16]), [4, 4]),
          lambda x: x * 1.0, lambda x: x - 0.0, lambda x: nd.reduce_sum(x, 0, keepdims=True) + x,
          lambda x: nd.reduce_max(x, 1, keepdims=True) - x]
_BINARY = [nd.add, nd.subtract, nd.multiply, nd.maximum, nd.minimum, nd.math.squared_difference,
           lambda a, b: nd.matmul(a, b) * 0.1, lambda a, b: a / (nd.abs(b) + 1.0)]


def _program(seed):
    rng = np.random.default_rng(seed)
    steps = []
    for _ in range(int(rng.integers(4, 16))):
        if rng.random() < 0.5:
            steps.append((0, int(rng.integers(len(_UNARY))), int(rng.integers(1 << 30)), 0))
        else:
            steps.append((1, int(rng.integers(len(_BINARY))), int(rng.integers(1 << 30)),
                          int(rng.integers(1 << 30))))

    def run(a, b):
        values = [a, b, nd.constant(np.full((4, 4), 0.5, np.float32))]
        for arity, which, i, j in steps:
            x = values[i % len(values)]
            if arity == 0:
                values.append(_UNARY[which](x))
            else:
                values.append(_BINARY[which](x, values[j % len(values)]))
        return values[-1], values[-2] + values[-3]
    return run


@pytest.mark.parametrize("seed", range(25))
def test_random_programs_match_eager_bitwise(seed):
    program = _program(seed)
    rng = np.random.default_rng(seed)
    a = nd.constant(rng.normal(size=(4, 4)).astype(np.float32))
    b = nd.constant(rng.normal(size=(4, 4)).astype(np.float32))
    eager = program(a, b)
    graph = nd.function(program)(a, b)
    for e, g in zip(eager, graph):
        assert e.dtype == g.dtype and e.shape == g.shape
        np.testing.assert_array_equal(e.numpy(), g.numpy())
