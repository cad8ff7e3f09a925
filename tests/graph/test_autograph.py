"""AutoGraph: converted functions called eagerly agree with the originals and with
TensorFlow's tf.function; to_code, recursive conversion, do_not_convert and fallbacks."""
import warnings

import numpy as np
import pytest

import ndflow
from ndflow import autograph
from ndflow.graph.autograph import api


def _helper(v):
    if v > 2:
        return v * 10
    return v


def ret_in_if(x):
    if x > 0:
        return 1
    return 2


def one_branch_return(x):
    if x > 0:
        return 1


def defined_in_one_branch(x):
    if x > 0:
        y = 1
    return y


def temp_in_branch(x):
    if x > 0:
        tmp = x * 2
        y = tmp + 1
    else:
        y = -x
    return y


def while_break_continue(x):
    s = 0
    i = 0
    while i < x:
        i += 1
        if i % 2 == 0:
            continue
        if i > 7:
            break
        s += i
    return s, i


def for_over_tensor(x):
    s = 0
    for v in x:
        s += v
    return s


def nested_tensor_loops(x):
    s = 0
    for row in x:
        for v in row:
            if v < 0:
                continue
            s += v
    return s


def for_range_tensor(n):
    total = 0
    for i in range(n):
        total += i
    return total


def python_range_unrolls(x, n):
    for _ in range(n):
        x = x * 2
    return x


def calls_helper(n):
    s = 0
    for i in range(n):
        s += _helper(i)
    return s


def logical_ops(x):
    y = x if x > 0 else -x
    return not (y > 3) or x < -10


def and_in_if(x):
    if x > 0 and x < 5:
        return x
    return -x


def loop_var_becomes_none(x):
    i = 0
    while i < x:
        i = None
    return i


def int_condition(x):
    if x:
        y = 1
    else:
        y = 2
    return y


def temp_in_loop_branch(x):
    s = 0
    for i in range(5):
        if x > i:
            t = i * 2
            s += t
    return s


def defined_in_loop(x):
    while x > 0:
        y = x
        x -= 1
    return y


def return_in_tensor_loop(x):
    for i in range(x):
        if i > 2:
            return i
    return -1


CASES = [
    (ret_in_if, (3,)), (ret_in_if, (-3,)), (one_branch_return, (-1,)),
    (defined_in_one_branch, (-1,)), (temp_in_branch, (3,)), (temp_in_branch, (-3,)),
    (while_break_continue, (20,)), (for_over_tensor, ([1, 2, 3],)),
    (nested_tensor_loops, ([[1, -2], [3, 4]],)), (for_range_tensor, (10,)),
    (python_range_unrolls, (1.5, None)), (calls_helper, (5,)), (logical_ops, (-2,)),
    (logical_ops, (5,)), (and_in_if, (3,)), (and_in_if, (7,)), (loop_var_becomes_none, (3,)),
    (int_condition, (3,)), (temp_in_loop_branch, (3,)), (defined_in_loop, (3,)),
    (return_in_tensor_loop, (5,)),
]


def _outcome(fn, module, args):
    args = [module.constant(a) if a is not None else 3 for a in args]
    try:
        out = fn(*args)
    except Exception as exc:  # noqa: BLE001 - the class is compared
        return "raise", type(exc).__name__
    return "ok", np.asarray(out).tolist()


@pytest.mark.parametrize("fn,args", CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_converted_matches_tensorflow_function(fn, args, real_tf):
    ours = _outcome(autograph.to_graph(fn), ndflow, args)
    theirs = _outcome(real_tf.function(fn), real_tf, args)
    assert ours == theirs


@pytest.mark.parametrize("fn,args", [(c, a) for c, a in CASES if c in (
    ret_in_if, temp_in_branch, while_break_continue, for_over_tensor, nested_tensor_loops,
    for_range_tensor, calls_helper, logical_ops, and_in_if, temp_in_loop_branch)],
    ids=lambda v: getattr(v, "__name__", ""))
def test_converted_matches_original_in_python(fn, args):
    plain = [np.asarray(a).tolist() if a is not None else 3 for a in args]
    converted = autograph.to_graph(fn)
    if isinstance(plain[0], list):  # plain Python iterables also work unchanged
        assert converted(*plain) == fn(*plain)
    else:
        assert np.asarray(converted(*plain)).tolist() == np.asarray(fn(*plain)).tolist()


def test_to_code_shows_the_converted_calls():
    code = autograph.to_code(while_break_continue)
    assert code.startswith("def ndf__while_break_continue(x):")
    for call in ("ag__.while_stmt(", "ag__.if_stmt(", "ag__.not_(", "break_ = True",
                 "continue_ = True", "ag__.and_(lambda"):
        assert call in code, call
    assert "ag__.for_stmt(" in autograph.to_code(for_over_tensor)
    assert "ag__.converted_call(_helper" in autograph.to_code(calls_helper)
    assert "ag__.converted_call(" not in autograph.to_code(calls_helper, recursive=False).replace(
        "ag__.converted_call(range", "")
    assert "retval_" in autograph.to_code(ret_in_if)


def test_error_messages_match_tensorflow():
    with pytest.raises(ValueError, match="'y' must also be initialized in the else branch"):
        autograph.to_graph(defined_in_one_branch)(ndflow.constant(-1))
    with pytest.raises(ValueError, match="else branch must also have a return statement"):
        autograph.to_graph(one_branch_return)(ndflow.constant(-1))
    with pytest.raises(ValueError, match="'i' is None at the end of the iteration"):
        autograph.to_graph(loop_var_becomes_none)(ndflow.constant(3))
    with pytest.raises(ValueError, match="expected to be `tf.bool` scalar"):
        autograph.to_graph(int_condition)(ndflow.constant(3))


def test_loop_variable_dtype_change_raises():
    def f(x):
        i = ndflow.constant(0)
        while i < x:
            i = ndflow.cast(i, ndflow.float32) + 1.5
        return i
    with pytest.raises(TypeError, match="'i' has dtype int32 before the loop, but dtype float32"):
        autograph.to_graph(f)(ndflow.constant(3))


def test_recursive_conversion_is_cached():
    converted = autograph.to_graph(calls_helper)
    assert int(converted(ndflow.constant(5))) == 73
    from ndflow.graph.autograph import calls
    assert calls._CONVERTED[_helper][True] is not _helper
    assert autograph.to_graph(calls_helper) is converted


def test_closures_methods_and_defaults():
    scale = [2]
    counter = 0

    def outer(x, offset=1):
        nonlocal counter
        counter += 1
        if x > 0:
            y = x * scale[0] + offset
        else:
            y = x
        return y

    converted = autograph.to_graph(outer)
    assert int(converted(ndflow.constant(3))) == 7 and counter == 1
    scale[0] = 10
    assert int(converted(ndflow.constant(3), offset=0)) == 30 and counter == 2

    class Model:
        def __init__(self):
            self.k = 3

        def call(self, x):
            while x < self.k * 10:
                x = x * 2
            return x

    model = Model()
    bound = autograph.to_graph(model.call)
    assert bound.__self__ is model and int(bound(ndflow.constant(1))) == 32


def test_gradients_through_converted_control_flow():
    def f(x):
        y = x
        for _ in ndflow.range(3):
            if y > 0:
                y = y * x
        return y
    x = ndflow.Variable(2.0)
    with ndflow.GradientTape() as tape:
        out = autograph.to_graph(f)(x)
    assert float(out) == 16.0
    np.testing.assert_allclose(tape.gradient(out, x).numpy(), 4 * 2.0 ** 3)


def test_do_not_convert():
    @autograph.experimental.do_not_convert
    def plain(v):
        return v

    def caller(x):
        return plain(x)

    from ndflow.graph.autograph import calls
    assert int(autograph.to_graph(caller)(ndflow.constant(2))) == 2
    assert plain not in calls._CONVERTED
    assert api.convert_for_function(plain) is plain


def test_print_stays_python_print(capsys):
    def f(x):
        print("value", 1)
        return x + 1
    assert "print('value', 1)" in autograph.to_code(f)
    autograph.to_graph(f)(ndflow.constant(1))
    assert capsys.readouterr().out == "value 1\n"


def test_fallback_warnings_for_exec_and_lambda():
    namespace = {}
    exec("def made(x):\n    return x\n", namespace)  # noqa: S102 - a function without source
    with pytest.warns(UserWarning, match="made") as record:
        assert api.convert_for_function(namespace["made"]) is namespace["made"]
    assert len(record) == 1
    fn = lambda x: x  # noqa: E731
    with pytest.warns(UserWarning, match="lambda"):
        assert api.convert_for_function(fn) is fn
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        converted = api.convert_for_function(ret_in_if)
    assert converted is not ret_in_if and int(converted(ndflow.constant(1))) == 1
    assert api.convert_for_function(ndflow.reduce_sum) is ndflow.reduce_sum
