"""ndflow.cond, while_loop, case and switch_case run eagerly, checked against TensorFlow."""
import collections

import numpy as np
import pytest

import ndflow
from ndflow.ops.control_flow_ops import case, cond, switch_case, while_loop
from tests.conformance import assert_same

P = collections.namedtuple("P", "a b")


def _cf(m, name):
    return getattr(m, name) if m is not ndflow else {"cond": cond, "while_loop": while_loop,
                                                     "case": case, "switch_case": switch_case}[name]


CONFORMANCE = {
    "cond_true": lambda m: _cf(m, "cond")(m.constant(True), lambda: m.constant(1.5),
                                          lambda: m.constant(2.5)),
    "cond_false_nested": lambda m: _cf(m, "cond")(m.constant(False), lambda: (1, [2.0]),
                                                  lambda: (m.constant(3), [m.constant(4.0)])),
    "cond_python_pred": lambda m: _cf(m, "cond")(False, lambda: 1, lambda: m.constant(7)),
    "cond_int_pred": lambda m: _cf(m, "cond")(m.constant(0), lambda: 1, lambda: m.constant(7)),
    "cond_vector_pred": lambda m: _cf(m, "cond")(m.constant([True, False]), lambda: 1,
                                                 lambda: 2),
    "cond_none_pred": lambda m: _cf(m, "cond")(None, lambda: 1, lambda: 2),
    "cond_missing_fn": lambda m: _cf(m, "cond")(m.constant(True), None, lambda: 2),
    "cond_not_callable": lambda m: _cf(m, "cond")(m.constant(True), lambda: 1, 2),
    "while_two_vars": lambda m: _cf(m, "while_loop")(
        lambda i, s: i < 5, lambda i, s: (i + 1, s + i), (0, m.constant(0.5))),
    "while_list_returned_for_tuple": lambda m: _cf(m, "while_loop")(
        lambda i, s: i < 5, lambda i, s: [i + 1, s * 2], (m.constant(0), m.constant(1))),
    "while_single_tuple": lambda m: _cf(m, "while_loop")(lambda i: i < 3, lambda i: (i + 1,),
                                                         (m.constant(0),)),
    "while_namedtuple": lambda m: _cf(m, "while_loop")(
        lambda p: p.a < 5, lambda p: [P(p.a + 1, p.b * 2)], [P(m.constant(0), 1.0)])[0],
    "while_max_iterations_zero": lambda m: _cf(m, "while_loop")(
        lambda i: i < 5, lambda i: (i + 1,), [m.constant(0)], maximum_iterations=0),
    "while_max_iterations_vector": lambda m: _cf(m, "while_loop")(
        lambda i: i < 5, lambda i: (i + 1,), [0], maximum_iterations=[2]),
    "while_not_callable_cond": lambda m: _cf(m, "while_loop")(1, lambda i: i, [0]),
    "while_not_callable_body": lambda m: _cf(m, "while_loop")(lambda i: i < 1, 1, [0]),
    "while_no_loop_vars": lambda m: _cf(m, "while_loop")(lambda: True, lambda: (), []),
    "while_parallel_iterations": lambda m: _cf(m, "while_loop")(
        lambda i: i < 1, lambda i: (i + 1,), [0], parallel_iterations=0),
    "while_structure_mismatch": lambda m: _cf(m, "while_loop")(
        lambda i, s: i < 5, lambda i, s: (i + 1,), (m.constant(0), m.constant(0))),
    "while_none_var": lambda m: _cf(m, "while_loop")(
        lambda i, s: i < 2, lambda i, s: (i + 1, s), [0, None]),
    "case_first_true": lambda m: _cf(m, "case")(
        [(m.constant(False), lambda: 1), (m.constant(True), lambda: 2),
         (m.constant(True), lambda: 3)], default=lambda: 4),
    "case_default": lambda m: _cf(m, "case")([(m.constant(False), lambda: 1)],
                                             default=lambda: m.constant(9)),
    "case_no_default_none_true": lambda m: _cf(m, "case")(
        [(m.constant(False), lambda: 1), (m.constant(False), lambda: 2)]),
    "case_exclusive": lambda m: _cf(m, "case")(
        [(m.constant(True), lambda: 1), (m.constant(True), lambda: 2)], exclusive=True),
    "case_not_a_list": lambda m: _cf(m, "case")(5),
    "case_bad_pair": lambda m: _cf(m, "case")([m.constant(True)]),
    "case_python_pred": lambda m: _cf(m, "case")([(True, lambda: 1)], default=lambda: 2),
    "case_unpacks_singleton": lambda m: _cf(m, "case")([(m.constant(True), lambda: [1])],
                                                       default=lambda: [2]),
    "case_strict": lambda m: _cf(m, "case")([(m.constant(True), lambda: [1])],
                                            default=lambda: [2], strict=True),
    "switch_case": lambda m: _cf(m, "switch_case")(m.constant(1), [lambda: 10, lambda: 20]),
    "switch_case_out_of_range": lambda m: _cf(m, "switch_case")(
        m.constant(7), [lambda: 10, lambda: 20, lambda: 30]),
    "switch_case_negative_default": lambda m: _cf(m, "switch_case")(
        m.constant(-1), [lambda: 10, lambda: 20], default=lambda: 99),
    "switch_case_dict": lambda m: _cf(m, "switch_case")(m.constant(1),
                                                        {1: lambda: 5, 0: lambda: 6}),
    "switch_case_pairs": lambda m: _cf(m, "switch_case")(m.constant(0),
                                                         [(0, lambda: 5), (1, lambda: 6)]),
    "switch_case_python_index": lambda m: _cf(m, "switch_case")(1, [lambda: 5]),
    "switch_case_float_index": lambda m: _cf(m, "switch_case")(m.constant(1.0), [lambda: 5]),
    "switch_case_gap": lambda m: _cf(m, "switch_case")(m.constant(1), {0: lambda: 1,
                                                                       2: lambda: 2}),
    "switch_case_empty": lambda m: _cf(m, "switch_case")(m.constant(1), []),
    "switch_case_not_a_list": lambda m: _cf(m, "switch_case")(m.constant(1), 5),
    "switch_case_string_key": lambda m: _cf(m, "switch_case")(m.constant(1), {"a": lambda: 1}),
}


@pytest.mark.parametrize("name", sorted(CONFORMANCE))
def test_conformance(name, real_tf):
    assert_same(CONFORMANCE[name], real_tf)


def test_while_loop_accepts_bare_values_and_dicts():
    # TensorFlow requires a list or tuple; a single tensor or dict is carried as one variable.
    assert int(while_loop(lambda i: i < 4, lambda i: i + 1, ndflow.constant(0))) == 4
    out = while_loop(lambda d: d["i"] < 3, lambda d: {"i": d["i"] + 1, "x": d["x"] * 2.0},
                     {"i": 0, "x": 1.0})
    assert int(out["i"]) == 3 and float(out["x"]) == 8.0


def test_while_loop_single_list_var_returned_bare():
    out = while_loop(lambda i: i < 5, lambda i: i + 1, [0])
    assert isinstance(out, list) and int(out[0]) == 5


def test_while_loop_maximum_iterations_and_dtypes():
    out = while_loop(lambda i, s: i < 100, lambda i, s: (i + 1, s * 2), (0, 1.0),
                     maximum_iterations=ndflow.constant(3))
    assert int(out[0]) == 3 and out[1].dtype == ndflow.float32 and float(out[1]) == 8.0
    with pytest.raises(TypeError):
        while_loop(lambda i: i < 1, lambda i: (i + 1,), [0], maximum_iterations=2.5)


def test_while_loop_body_structure_errors():
    with pytest.raises(ValueError):
        while_loop(lambda i: i < 3, lambda i: (i + 1, 2), [0])
    with pytest.raises(TypeError):
        while_loop(lambda i: i < 3, lambda i: None, [0])


def test_gradients_flow_through_eager_control_flow():
    x = ndflow.Variable(2.0)
    with ndflow.GradientTape() as tape:
        y = cond(x > 1.0, lambda: x * x, lambda: x)
        _, z = while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * x), (0, y))
        w = switch_case(ndflow.constant(1), [lambda: z, lambda: z * 3.0])
    # w = 3 * x**5 -> dw/dx = 15 x**4
    np.testing.assert_allclose(tape.gradient(w, x).numpy(), 15 * 2.0 ** 4)


def test_back_prop_false_stops_gradients():
    x = ndflow.Variable(2.0)
    with ndflow.GradientTape() as tape:
        (out,) = while_loop(lambda v: v < 10.0, lambda v: (v * x,), (x * 1.0,), back_prop=False)
    assert float(out) == 16.0
    assert tape.gradient(out, x) is None


def test_case_runs_only_the_chosen_branch():
    calls = []

    def branch(k):
        return lambda: calls.append(k) or k

    assert case([(ndflow.constant(False), branch(1)), (ndflow.constant(True), branch(2))],
                default=branch(3)) == 2
    assert calls == [2]


def test_graph_mode_delegates(monkeypatch):
    import sys
    import types

    from ndflow.framework import context
    seen = []
    fake = types.ModuleType("ndflow.graph.control_flow")
    fake.cond = lambda *args: seen.append(("cond",) + args) or "c"
    fake.while_loop = lambda *args: seen.append(("while",) + args) or "w"
    monkeypatch.setitem(sys.modules, "ndflow.graph.control_flow", fake)
    import ndflow.graph
    monkeypatch.setattr(ndflow.graph, "control_flow", fake, raising=False)
    monkeypatch.setattr(context, "GRAPHS", context.GRAPHS)
    context.GRAPHS.append(object())
    try:
        pred, t, f = ndflow.constant(True), (lambda: 1), (lambda: 2)
        assert cond(pred, t, f, name="c") == "c"
        with pytest.raises(TypeError):
            cond(True, t, f)
        body, test = (lambda i: (i + 1,)), (lambda i: i < 3)
        assert while_loop(test, body, [0], maximum_iterations=4, name="w") == "w"
    finally:
        context.GRAPHS.pop()
    assert seen[0] == ("cond", pred, t, f, "c")
    assert seen[1][:4] == ("while", test, body, [0]) and seen[1][4] is None
    assert int(seen[1][5]) == 4 and seen[1][6] == "w"
