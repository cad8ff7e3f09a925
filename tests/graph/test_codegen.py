"""The compiled executor: inlined variable reads and updates, loops and branches as nested code,
scalar fast paths, and kernel errors mapped back to their ops."""
import weakref

import numpy as np
import pytest

import ndflow as nd


def test_variable_reads_and_updates_are_statements():
    v = nd.Variable([1.0, 2.0])

    @nd.function
    def step(x):
        v.assign_add(x)
        v.assign_sub([0.5, 0.5])
        y = v.read_value() * 2.0
        v.assign(y)
        return y
    x = nd.constant([1.0, 1.0])
    np.testing.assert_array_equal(step(x).numpy(), [3.0, 5.0])
    np.testing.assert_array_equal(v.numpy(), [3.0, 5.0])
    code = step.get_concrete_function(x).pretty_code()
    assert "._value = _asarray(_add(" in code and "._value\n" in code.replace("  ", "").replace(
        "# ReadVariableOp 'ReadVariableOp'", "")
    assert v.numpy().dtype == np.float32


def test_while_and_if_run_as_nested_code():
    @nd.function
    def f(n):
        total = nd.constant(0)
        for i in nd.range(n):
            if i % 2 == 0:
                total += i
            else:
                total -= 1
        return total
    n = nd.constant(10)
    assert f(n).numpy() == sum(i if i % 2 == 0 else -1 for i in range(10))
    code = f.get_concrete_function(n).pretty_code()
    assert "while True:" in code and "    if " in code and "StatelessIf" in code


def test_scalar_int_overflow_wraps_like_the_kernels():
    @nd.function
    def f(x):
        return x + nd.constant(np.int32(1)), -x
    big = nd.constant(np.int32(2 ** 31 - 1))
    a, b = f(big)
    assert a.numpy() == np.int32(-2 ** 31) and a.dtype == nd.int32
    assert b.numpy() == -(2 ** 31 - 1)
    assert "+" in f.get_concrete_function(big).pretty_code()


def test_scalar_gather_out_of_range_raises_tensorflow_error():
    @nd.function
    def f(x, i):
        return nd.gather(x, i)
    x = nd.constant([1.0, 2.0, 3.0])
    assert f(x, nd.constant(2)).numpy() == 3.0
    with pytest.raises(nd.errors.InvalidArgumentError):
        f(x, nd.constant(3))
    with pytest.raises(nd.errors.InvalidArgumentError):
        f(x, nd.constant(-1))


def test_errors_name_the_failing_op_inside_branches():
    @nd.function
    def f(a, b):
        return nd.cond(nd.reduce_sum(a) > 0, lambda: nd.matmul(a, b), lambda: a)
    spec = nd.TensorSpec([None, None], nd.float32)
    concrete = f.get_concrete_function(spec, spec)
    with pytest.raises(nd.errors.InvalidArgumentError, match="MatMul"):
        concrete(nd.ones([2, 3]), nd.ones([2, 3]))


def test_dead_locals_are_deleted_so_in_place_updates_need_no_copy():
    model = nd.keras.Sequential([nd.keras.Input((4,)), nd.keras.layers.Dense(3)])
    optimizer = nd.keras.optimizers.Adam(0.1)

    @nd.function
    def step(x):
        with nd.GradientTape() as tape:
            loss = nd.reduce_sum(model(x) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    x = nd.constant(np.ones((2, 4), np.float32))
    step(x)
    kernel = model.trainable_variables[0]
    buffer = weakref.ref(kernel._value)      # a weak reference does not force a copy
    before = kernel.numpy()
    step(x)
    assert kernel._value is buffer()         # updated in place: no copy was needed
    assert not np.array_equal(kernel.numpy(), before)
    code = step.get_concrete_function(x).pretty_code()
    assert "del " in code
    assert code.splitlines()[-1].strip().startswith("return")


def test_outputs_and_arrays_still_read_are_not_deleted_or_overwritten():
    v = nd.Variable([1.0, 2.0])

    @nd.function
    def f():
        before = v.read_value()
        v.assign_add([1.0, 1.0])
        return before, v.read_value()
    before, after = f()
    np.testing.assert_array_equal(before.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(after.numpy(), [2.0, 3.0])
