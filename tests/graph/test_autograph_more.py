"""AutoGraph, continued: asserts, builtins over tensors, Python lists in tensor loops, chained
comparisons, conditional expressions and where fallback warnings point. Each construct runs
under ndflow.function and TensorFlow's tf.function on the same source and must give the same
values or the same error class; converted code must still work on plain Python values."""
import ast
import warnings

import numpy as np
import pytest

import ndflow
from ndflow import autograph
from ndflow.graph.autograph import api, calls
from ndflow.graph.autograph.py_builtins import InaccessibleTensorError


# ------------------------------------------------------------------ functions under test

def tensor_assert(x):
    assert x > 0, "x must be positive"
    return x + 1


def python_assert(x):
    assert 1 < 2, "never fails"
    return x


def len_of(x):
    return len(x)


def len_of_scalar(x):
    return len(x)


def range_sum(n):
    s = 0
    for i in range(n):
        s += i
    return s


def range_step_sum(n):
    s = 0
    for i in range(1, n, 2):
        s += i
    return s


def range_down(n):
    s = 0
    for i in range(n, 0, -3):
        s = s * 10 + i
    return s


def range_tensor_step(n):
    s = 0
    for i in range(10, 0, n):
        s += i
    return s


def enumerate_tensor(x):
    s = 0
    for i, v in enumerate(x):
        s += i * v
    return s


def zip_tensor_list(x):
    s = 0
    for a, b in zip(x, [4, 5, 6]):
        s += a * b
    return s


def zip_list_tensor(x):
    s = 0
    for a, b in zip([4, 5, 6], x):
        s += a * b
    return s


def enumerate_list(x):
    s = 0
    for i, v in enumerate([10, 20], 1):
        s += i * v + x
    return s


def casts(x):
    return int(x), float(x), abs(x)


def parse_string(x):
    return int(x), float(x)


def bool_of(x):
    return bool(x)


def python_builtins(x):
    return len([1, 2]), int("3"), abs(-1), float(2), isinstance(x, int), x


def append_in_tensor_loop(n):
    values = []
    for i in range(n):
        values.append(i)
    return values


def append_in_tensor_while(n):
    values = []
    i = 0
    while i < n:
        values.append(i)
        i += 1
    return values


def pop_in_tensor_loop(n):
    values = [1, 2, 3]
    for _ in range(n):
        values.pop()
    return values


def append_in_python_loop(n):
    values = []
    for i in range(3):
        values.append(n * i)
    return values


def append_python_value(n):
    values = []
    for _ in range(n):
        values.append(7)
    return n, values


def extend_in_tensor_loop(n):
    values = [0]
    for i in range(n):
        values.extend([i, i])
    return values


def append_unused_after_loop(n):
    values = []
    for i in range(n):
        values.append(i)
    return n


def append_outer_tensor(n):
    values = []
    for _ in range(n):
        values.append(n)
    return values


def append_in_tensor_if(x):
    values = []
    if x > 0:
        values.append(x + 1)
    return values


def plus_equal_in_tensor_loop(n):
    values = []
    for i in range(n):
        values += [i]
    return values


def chained(x):
    return 0 < x < 10


def chained_eq(x):
    return x == 3 == x


def chained_in_if(x):
    if 0 < x < 10:
        y = 1
    else:
        y = 2
    return y


def chained_in_while(x):
    i = 0
    while 0 <= i < x:
        i += 1
    return i


def compare_in_if(x):
    if x != 3:
        y = x * 2
    else:
        y = x
    return y


def if_expression(x):
    return x * 2 if x > 0 else -x


def if_expression_dtypes(x):
    return 1 if x > 0 else 2.0


def if_expression_none(x):
    return x if x > 0 else None


def if_expression_tuple(x):
    return (x, x) if x > 0 else (x, 2 * x)


def python_if(x, flag=True):
    if flag:
        y = x
    return y


CASES = [
    (tensor_assert, (3,)), (tensor_assert, (-3,)), (python_assert, (3,)),
    (len_of, ([1, 2, 3],)), (len_of_scalar, (4,)),
    (range_sum, (5,)), (range_sum, (0,)), (range_step_sum, (10,)), (range_down, (10,)),
    (range_tensor_step, (-4,)), (range_tensor_step, (3,)),
    (enumerate_tensor, ([1, 2, 3],)), (zip_tensor_list, ([1, 2, 3],)),
    (zip_list_tensor, ([1, 2, 3],)), (enumerate_list, (3,)),
    (casts, (-2.5,)), (casts, (-2,)), (parse_string, (b"7",)), (bool_of, (1,)),
    (python_builtins, (3,)),
    (append_in_tensor_loop, (3,)), (append_in_tensor_while, (3,)), (pop_in_tensor_loop, (3,)),
    (append_in_python_loop, (3,)), (append_python_value, (2,)), (extend_in_tensor_loop, (3,)),
    (append_unused_after_loop, (3,)), (append_outer_tensor, (3,)), (append_in_tensor_if, (3,)),
    (append_in_tensor_if, (-3,)), (plus_equal_in_tensor_loop, (3,)),
    (chained, (5,)), (chained, (15,)), (chained, (-1,)), (chained_eq, (3,)), (chained_eq, (4,)),
    (chained_in_if, (3,)), (chained_in_if, (30,)), (chained_in_while, (4,)),
    (chained_in_while, (-4,)), (compare_in_if, (3,)), (compare_in_if, (4,)),
    (if_expression, (3,)), (if_expression, (-3,)), (if_expression_dtypes, (3,)),
    (if_expression_none, (3,)), (if_expression_tuple, (3,)), (if_expression_tuple, (-3,)),
    (python_if, (3,)),
]


def _outcome(fn, module, args):
    args = [module.constant(a) for a in args]
    try:
        out = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the class is compared
        return "raise", type(exc).__name__
    return "ok", _plain(out, module)


def _plain(value, module):
    if isinstance(value, (tuple, list)):
        return [_plain(v, module) for v in value]
    # ndflow.function returns Python outputs as they are where TensorFlow makes them tensors
    # (a function.py difference reported separately): compare them as tensors.
    value = np.asarray(module.convert_to_tensor(value))
    return value.tolist(), value.dtype.name


def _case_id(value):
    return getattr(value, "__name__", None) or "-".join(map(str, value))


@pytest.mark.parametrize("fn,args", CASES, ids=_case_id)
def test_function_matches_tensorflow(fn, args, real_tf):
    ours = _outcome(ndflow.function(fn), ndflow, args)
    theirs = _outcome(real_tf.function(fn), real_tf, args)
    assert ours == theirs


@pytest.mark.parametrize("fn,args", [
    (tensor_assert, (3,)), (range_sum, (5,)), (range_down, (10,)), (enumerate_tensor, ([1, 2],)),
    (zip_tensor_list, ([1, 2, 3],)), (casts, (-2.5,)), (pop_in_tensor_loop, (2,)),
    (append_in_tensor_loop, (3,)), (chained, (5,)), (chained_in_while, (4,)),
    (if_expression, (-3,)), (if_expression_none, (-3,))], ids=_case_id)
def test_converted_code_keeps_python_semantics(fn, args):
    converted = autograph.to_graph(fn)
    assert converted(*args) == fn(*args)


@pytest.mark.parametrize("fn,args", [
    (casts, (-2.5,)), (enumerate_tensor, ([1, 2, 3],)), (append_in_tensor_loop, (3,)),
    (chained_in_if, (30,)), (range_step_sum, (10,))], ids=_case_id)
def test_eager_calls_of_converted_code_match_tensorflow(fn, args, real_tf):
    ours = _outcome(autograph.to_graph(fn), ndflow, args)
    theirs = _outcome(real_tf.autograph.to_graph(fn), real_tf, args)
    assert ours == theirs


@pytest.mark.parametrize("fn,calls_", [
    (tensor_assert, ["assert x > 0, 'x must be positive'"]),
    (range_sum, ["ag__.converted_call(range, (n,), None)", "ag__.for_stmt("]),
    (enumerate_tensor, ["ag__.converted_call(enumerate, (x,), None)"]),
    (zip_tensor_list, ["ag__.converted_call(zip, (x, [4, 5, 6]), None)"]),
    (casts, ["ag__.converted_call(int, (x,), None)", "ag__.converted_call(float, (x,), None)",
             "ag__.converted_call(abs, (x,), None)"]),
    (python_builtins, ["isinstance(x, int)"]),
    (append_in_tensor_loop, ["{'iterate_names': 'i', 'list_watch': {'values': lambda: values}}"]),
    (chained, ["ag__.and_(lambda: 0 < x, lambda: x < 10)"]),
    (chained_in_while, ["return ag__.and_(lambda: 0 <= i, lambda: i < x)"]),
    (if_expression, ["ag__.if_exp(x > 0, lambda: x * 2, lambda: -x, 'x > 0')"]),
    (python_if, ["ag__.if_stmt(flag,"]),
])
def test_to_code_is_valid_source(fn, calls_):
    code = autograph.to_code(fn)
    ast.parse(code)
    for call in calls_:
        assert call in code, call


# ------------------------------------------------------------------ assert statements

def test_assert_statements_feature_matches_tensorflow(real_tf):
    ours_feature = autograph.experimental.Feature.ASSERT_STATEMENTS
    theirs_feature = real_tf.autograph.experimental.Feature.ASSERT_STATEMENTS
    code = autograph.to_code(tensor_assert, experimental_optional_features=ours_feature)
    assert "ag__.assert_stmt(x > 0, lambda: 'x must be positive')" in code
    ast.parse(code)
    ours = autograph.to_graph(tensor_assert, experimental_optional_features=ours_feature)
    theirs = real_tf.autograph.to_graph(tensor_assert,
                                        experimental_optional_features=theirs_feature)
    for wrap_ours, wrap_theirs in ((lambda f: f, lambda f: f),  # eager calls
                                   (lambda f: ndflow.function(f, autograph=False),
                                    lambda f: real_tf.function(f, autograph=False))):
        for value in (3, -3):
            assert _outcome(wrap_ours(ours), ndflow, (value,)) == \
                _outcome(wrap_theirs(theirs), real_tf, (value,))
    graph_fn = ndflow.function(ours, autograph=False)
    with pytest.raises(ndflow.errors.InvalidArgumentError, match="x must be positive"):
        graph_fn(ndflow.constant(-1))
    with pytest.raises(AssertionError, match="x must be positive"):
        ours(-1)  # a Python condition keeps Python's assert
    assert ours(2) == 3


def test_assert_feature_reaches_called_functions():
    feature = autograph.experimental.Feature.ALL

    def outer(x):
        return tensor_assert(x) * 2

    converted = api.convert_for_function(outer, experimental_autograph_options=(feature,))
    graph_fn = ndflow.function(converted, autograph=False)
    assert int(graph_fn(ndflow.constant(2))) == 6
    with pytest.raises(ndflow.errors.InvalidArgumentError, match="x must be positive"):
        graph_fn(ndflow.constant(-2))


def test_tensor_assert_without_the_feature_names_the_problem():
    with pytest.raises(ndflow.errors.OperatorNotAllowedInGraphError, match="as a Python `bool`"):
        ndflow.function(tensor_assert)(ndflow.constant(1))


# ------------------------------------------------------------------ builtins and loops

def test_builtin_results_have_tensorflow_dtypes():
    int_, float_, abs_ = ndflow.function(casts)(ndflow.constant(-2.5))
    assert (int_.dtype, float_.dtype, abs_.dtype) == (ndflow.int32, ndflow.float32, ndflow.float32)
    assert float(abs_) == 2.5 and int(int_) == -2
    with pytest.raises(NotImplementedError, match="base 2 not supported for int"):
        autograph.to_graph(_int_base_two)(ndflow.constant("101"))
    with pytest.raises(ValueError, match="len requires a non-scalar tensor"):
        ndflow.function(len_of_scalar)(ndflow.constant(1))


def _int_base_two(x):
    return int(x, 2)


def test_len_of_unknown_length_is_a_tensor():
    fn = ndflow.function(len_of, input_signature=[ndflow.TensorSpec([None], ndflow.int32)])
    out = fn(ndflow.constant([4, 5, 6, 7]))
    assert int(out) == 4 and out.dtype == ndflow.int32


def test_range_loop_becomes_one_while_op_with_a_scalar_iterate():
    concrete = ndflow.function(range_step_sum).get_concrete_function(ndflow.constant(10))
    types = [op.type for op in concrete.graph.get_operations()]
    assert types.count("StatelessWhile") + types.count("While") == 1
    assert int(concrete(ndflow.constant(10))) == 25
    assert int(concrete(ndflow.constant(1))) == 0


def _gradient_through_range_loop(tf):
    def f(x, n):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in range(n):
                y = y * x
        return y, tape.gradient(y, x)
    return f


def test_gradient_through_a_tensor_range_loop(real_tf):
    ours = ndflow.function(_gradient_through_range_loop(ndflow))(ndflow.constant(2.0),
                                                                  ndflow.constant(3))
    theirs = real_tf.function(_gradient_through_range_loop(real_tf))(real_tf.constant(2.0),
                                                                     real_tf.constant(3))
    np.testing.assert_allclose([float(v) for v in ours], [float(v) for v in theirs])


def test_enumerate_and_zip_over_symbolic_tensors_say_how_to_loop():
    with pytest.raises(ndflow.errors.OperatorNotAllowedInGraphError, match="`enumerate`"):
        ndflow.function(enumerate_tensor)(ndflow.constant([1, 2]))
    with pytest.raises(ndflow.errors.OperatorNotAllowedInGraphError, match="`zip`"):
        ndflow.function(zip_list_tensor)(ndflow.constant([1, 2, 3]))
    # Eagerly, Python's enumerate walks the tensor as TensorFlow does.
    assert int(autograph.to_graph(enumerate_tensor)(ndflow.constant([1, 2, 3]))) == 8


def test_list_appended_in_tensor_loop_names_the_list():
    with pytest.raises(InaccessibleTensorError, match="'values' inside a TensorFlow loop") as info:
        ndflow.function(append_in_tensor_loop)(ndflow.constant(3))
    assert isinstance(info.value, ValueError) and "TensorArray" in str(info.value)
    with pytest.raises(InaccessibleTensorError, match="'values'"):
        ndflow.function(append_in_tensor_while)(ndflow.constant(3))
    with pytest.raises(InaccessibleTensorError, match="'values' inside a branch"):
        ndflow.function(append_in_tensor_if)(ndflow.constant(3))
    # Eagerly the loop and the branch run as Python: the lists fill up as in Python.
    assert autograph.to_graph(append_in_tensor_loop)(ndflow.constant(2)) == [0, 1]
    assert len(autograph.to_graph(append_in_tensor_if)(ndflow.constant(2))) == 1


def test_print_runs_once_per_trace_like_tensorflow(capsys, real_tf):
    def printing(x):
        print("tracing", isinstance(x, int))
        return x + 1

    for module in (ndflow, real_tf):
        fn = module.function(printing)
        fn(module.constant(1))
        fn(module.constant(2))
    assert capsys.readouterr().out == "tracing False\n" * 2


# ------------------------------------------------------------------ warnings point at the user

def test_fallback_warning_points_at_the_callers_line():
    namespace = {}
    exec("def made(x):\n    return x\n", namespace)  # noqa: S102 - a function without source
    fn = ndflow.function(namespace["made"])
    with pytest.warns(UserWarning, match="could not transform made") as record:
        fn(ndflow.constant(1))
    assert [w.filename for w in record] == [__file__]


def test_lambda_fallback_warning_points_at_the_callers_line():
    with pytest.warns(UserWarning, match="lambda") as record:
        api.convert_for_function(lambda x: x)
    assert [w.filename for w in record] == [__file__]


def test_nested_fallback_warning_points_at_the_callers_line():
    namespace = {}
    exec("def inner(x):\n    return x * 2\n", namespace)  # noqa: S102
    inner = namespace["inner"]

    def outer(x):
        return inner(x) + 1

    with pytest.warns(UserWarning, match="could not convert inner") as record:
        assert int(ndflow.function(outer)(ndflow.constant(1))) == 3
    assert [w.filename for w in record] == [__file__]
    assert calls.user_frame() is not None


def test_no_warning_for_convertible_functions():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert int(ndflow.function(chained_in_if)(ndflow.constant(3))) == 1


def test_function_passes_autograph_options_to_the_converter():
    @ndflow.function(
        experimental_autograph_options=ndflow.autograph.experimental.Feature.ASSERT_STATEMENTS)
    def f(x):
        assert x > 0, "x must be positive"
        return x + 1
    assert int(f(ndflow.constant(2))) == 3
    with pytest.raises(ndflow.errors.InvalidArgumentError, match="x must be positive"):
        f(ndflow.constant(-1))
