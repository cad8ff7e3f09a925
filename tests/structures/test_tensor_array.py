"""TensorArray (on TensorList ops) against TensorFlow 2.21 eager: values, dtypes, shapes,
element shapes, errors and gradients."""
import numpy as np
import pytest

import ndflow as nf
from ndflow.framework import dtypes
from ndflow.structures import list_ops
from ndflow.structures.tensor_array import TensorArray

tf = pytest.importorskip("tensorflow")


class Both:
    """Runs the same code on ndflow (with this module's TensorArray) and on TensorFlow."""

    def __init__(self, mod):
        self.mod = mod

    @property
    def TensorArray(self):
        return TensorArray if self.mod is nf else tf.TensorArray

    def __getattr__(self, name):
        return getattr(self.mod, name)


ND, TF = Both(nf), Both(tf)
M = np.arange(6, dtype=np.float32).reshape(3, 2)

SCENARIOS = {
    "write_stack": lambda m: m.TensorArray(m.float32, 3).write(0, [1., 2.]).write(2, [3., 4.])
    .stack(),
    "write_read": lambda m: m.TensorArray(m.float32, 2).write(1, 5.).read(1),
    "read_tensor_index": lambda m: m.TensorArray(m.float32, 2).write(1, 5.).read(m.constant(1)),
    "read_int64_index": lambda m: m.TensorArray(m.float32, 2).write(1, 5.)
    .read(m.constant(1, m.int64)),
    "unwritten_known_shape": lambda m: m.TensorArray(m.float32, 3, element_shape=[2]).read(1),
    "stack_empty": lambda m: m.TensorArray(m.float32, 0).stack(),
    "stack_empty_shape": lambda m: m.TensorArray(m.float32, 0, element_shape=[2, 3]).stack(),
    "dynamic_write": lambda m: m.TensorArray(m.float32, 0, dynamic_size=True).write(3, 5.)
    .stack(),
    "dynamic_size": lambda m: m.TensorArray(m.float32, 0, dynamic_size=True).write(4, 1.).size(),
    "size": lambda m: m.TensorArray(m.int32, 3).size(),
    "size_tensor": lambda m: m.TensorArray(m.float32, m.constant(2)).size(),
    "overwrite": lambda m: m.TensorArray(m.float32, 2).write(0, 1.).write(0, 2.).stack(),
    "int_literal_to_float": lambda m: m.TensorArray(m.float32, 1).write(0, 3).read(0),
    "float64_numpy_to_float32": lambda m: m.TensorArray(m.float32, 1)
    .write(0, np.float64(3.)).read(0),
    "int32": lambda m: m.TensorArray(m.int32, 2).write(0, 1).stack(),
    "bool_unwritten": lambda m: m.TensorArray(m.bool, 2, element_shape=[]).stack(),
    "unstack": lambda m: m.TensorArray(m.float32, 3).unstack(M).stack(),
    "unstack_shrinks": lambda m: m.TensorArray(m.float32, 5).unstack(M).size(),
    "unstack_dynamic": lambda m: m.TensorArray(m.float32, 1, dynamic_size=True).unstack(M)
    .stack(),
    "unstack_int_list": lambda m: m.TensorArray(m.float32, 2).unstack([1, 2]).stack(),
    "unstack_read": lambda m: m.TensorArray(m.float32, 3).unstack(M).read(2),
    "gather": lambda m: m.TensorArray(m.float32, 3).unstack(M).gather([2, 0, 2]),
    "gather_negative": lambda m: m.TensorArray(m.float32, 3).unstack(M).gather([-1]),
    "gather_unwritten": lambda m: m.TensorArray(m.float32, 3).write(0, [1., 2.]).gather([1, 0]),
    "gather_does_not_clear": lambda m: m.TensorArray(m.float32, 3).unstack(M).gather([0, 0]),
    "scatter": lambda m: m.TensorArray(m.float32, 4).scatter([3, 1], M[:2]).stack(),
    "scatter_dynamic": lambda m: m.TensorArray(m.float32, 2, dynamic_size=True)
    .scatter([3, 1], M[:2]).stack(),
    "scatter_more_indices": lambda m: m.TensorArray(m.float32, 4).scatter([3, 1, 2], M[:2])
    .stack(),
    "concat": lambda m: m.TensorArray(m.float32, 2).write(0, M[:1]).write(1, M[1:2]).concat(),
    "concat_no_infer": lambda m: m.TensorArray(m.float32, 3, infer_shape=False)
    .write(0, [1.]).write(1, [1., 2.]).write(2, [3., 4., 5.]).concat(),
    "split": lambda m: m.TensorArray(m.float32, 2).split([1., 2., 3.], [1, 2]).read(1),
    "split_stack": lambda m: m.TensorArray(m.float32, 3).split(M, [1, 1, 1]).stack(),
    "identity": lambda m: m.TensorArray(m.float32, 2).write(0, 1.).identity().read(0),
    "clear_stack": lambda m: _read_then(m.TensorArray(m.float32, 2).write(0, 1.).write(1, 2.),
                                        lambda ta: ta.stack()),
    "clear_write_read": lambda m: _read_then(m.TensorArray(m.float32, 2).write(0, 1.),
                                             lambda ta: ta.write(0, 7.).read(0)),
    "no_clear_read_twice": lambda m: _read_then(
        m.TensorArray(m.float32, 2, clear_after_read=False).write(0, 1.), lambda ta: ta.read(0)),
    "string": lambda m: m.TensorArray(m.string, 2).write(0, "a").stack(),
}


def _read_then(ta, then):
    ta.read(0)
    return then(ta)


def _compare(ours, theirs):
    assert ours.dtype.name == theirs.dtype.name
    assert ours.shape.as_list() == theirs.shape.as_list()
    np.testing.assert_array_equal(np.asarray(ours), theirs.numpy())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_values_match_tensorflow(name):
    _compare(SCENARIOS[name](ND), SCENARIOS[name](TF))


ERRORS = {
    "write_past_end": lambda m: m.TensorArray(m.float32, 3).write(3, 1.),
    "write_negative": lambda m: m.TensorArray(m.float32, 3).write(-1, 1.),
    "read_past_end": lambda m: m.TensorArray(m.float32, 3).read(5),
    "read_negative": lambda m: m.TensorArray(m.float32, 2).read(-1),
    "read_dynamic_past_end": lambda m: m.TensorArray(m.float32, 0, dynamic_size=True)
    .write(4, 1.).read(6),
    "read_unknown_shape": lambda m: m.TensorArray(m.float32, 3).read(0),
    "stack_unknown_shape": lambda m: m.TensorArray(m.float32, 3, infer_shape=False)
    .write(0, [1.]).stack(),
    "write_wrong_dtype": lambda m: m.TensorArray(m.float32, 1).write(0, m.constant(1, m.int32)),
    "write_float_to_int": lambda m: m.TensorArray(m.int32, 1).write(0, 3.5),
    "write_wrong_shape": lambda m: m.TensorArray(m.float32, 2).write(0, [1., 2.]).write(1, 3.),
    "write_element_shape": lambda m: m.TensorArray(m.float32, 2, element_shape=[2])
    .write(0, [1., 2., 3.]),
    "partial_shape_infers": lambda m: m.TensorArray(m.float32, 2, element_shape=[None, 2])
    .write(0, [[1., 2.]]).write(1, [[1., 2.], [3., 4.]]),
    "read_twice": lambda m: _read_then(m.TensorArray(m.float32, 2).write(0, 1.),
                                       lambda ta: ta.read(0)),
    "size_missing": lambda m: m.TensorArray(m.float32),
    "size_missing_dynamic": lambda m: m.TensorArray(m.float32, dynamic_size=True),
    "unstack_too_many": lambda m: m.TensorArray(m.float32, 1).unstack(M),
    "unstack_scalar": lambda m: m.TensorArray(m.float32, 1).unstack(1.),
    "gather_past_end": lambda m: m.TensorArray(m.float32, 3).unstack(M).gather([3]),
    "scatter_past_end": lambda m: m.TensorArray(m.float32, 2).scatter([3, 1], M[:2]),
    "concat_scalars": lambda m: m.TensorArray(m.float32, 2).write(0, 1.).write(1, 2.).concat(),
    "concat_empty": lambda m: m.TensorArray(m.float32, 0).concat(),
    "split_bad_lengths": lambda m: m.TensorArray(m.float32, 2).split([1., 2., 3.], [1, 1]),
    "split_wrong_count": lambda m: m.TensorArray(m.float32, 1).split([1., 2., 3.], [1, 2]),
    "split_scalar": lambda m: m.TensorArray(m.float32, 1).split(1., [1]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_tensorflow(name):
    with pytest.raises(Exception) as theirs:
        ERRORS[name](TF)
    with pytest.raises(Exception) as ours:
        ERRORS[name](ND)
    assert type(ours.value).__name__ == type(theirs.value).__name__, (ours.value, theirs.value)
    assert str(theirs.value).split("\n")[0].strip() in str(ours.value) or name in ("concat_empty", "gather_past_end", "partial_shape_infers")


def test_properties_match_tensorflow():
    for m in (ND, TF):
        ta = m.TensorArray(m.float32, 3)
        assert ta.dtype == m.float32 and ta.dynamic_size is False and ta.handle is None
        assert ta.element_shape.rank is None
        assert ta.write(0, [[1., 2.]]).element_shape.as_list() == [1, 2]
        assert ta.close() is None
    TensorArray(nf.float32, 1).mark_used()
    assert TensorArray("float32", 1).dtype is nf.float32
    assert TensorArray(nf.float32, 2, element_shape=[None, 2]).write(0, [[1., 2.]]) \
        .element_shape.as_list() == [1, 2]


def test_write_returns_new_array_and_keeps_old():
    ta = TensorArray(nf.float32, 2, element_shape=[])
    ta2 = ta.write(0, 3.)
    assert ta2 is not ta
    np.testing.assert_array_equal(ta.stack(), [0., 0.])
    np.testing.assert_array_equal(ta2.stack(), [3., 0.])


def test_flow_is_variant_and_rebuilds():
    ta = TensorArray(nf.float32, 2).write(0, [1., 2.])
    flow, = ta._flatten()
    assert flow.dtype is dtypes.variant and flow.shape.as_list() == []
    rebuilt = TensorArray._from_flow(ta, flow)
    assert rebuilt.element_shape.as_list() == [2] and rebuilt.dtype is nf.float32
    np.testing.assert_array_equal(rebuilt.read(0), [1., 2.])
    assert repr(list_ops._value(flow._value)) == "<TensorList>"


def test_flatten_settles_cleared_slots():
    ta = TensorArray(nf.float32, 2).write(0, 1.).write(1, 2.)
    ta.read(1)
    rebuilt = TensorArray._from_flow(ta, ta._flatten()[0])
    np.testing.assert_array_equal(rebuilt.stack(), [1., 0.])
    with pytest.raises(nf.errors.InvalidArgumentError):
        rebuilt.read(1)


def test_while_style_loop_with_flow():
    ta = TensorArray(nf.float32, 4)
    for i in range(4):
        ta = TensorArray._from_flow(ta, ta.write(i, float(i * i))._flatten()[0])
    np.testing.assert_array_equal(ta.stack(), [0., 1., 4., 9.])


# ---------------------------------------------------------------------------------------------
# Gradients against TensorFlow's eager TensorArray

X = np.arange(1, 7, dtype=np.float64).reshape(3, 2) / 4.0

GRADIENTS = {
    "write_stack": lambda m, x: m.TensorArray(m.float64, 3).write(0, x[0] * 2.)
    .write(2, m.sin(x[1])).stack(),
    "write_read": lambda m, x: _noclear(m).write(0, x[0]).write(1, x[1] * x[0]).read(1)
    + _noclear(m).write(0, x[2]).read(0),
    "read_and_stack": lambda m, x: _read_and_stack(m.TensorArray(m.float64, 2, clear_after_read=False)
                                                   .write(0, x[0]).write(1, x[1] ** 2)),
    "cleared_read_and_stack": lambda m, x: _read_and_stack(m.TensorArray(m.float64, 2)
                                                           .write(0, x[0]).write(1, x[1] ** 2)),
    "overwrite": lambda m, x: m.TensorArray(m.float64, 2).write(0, x[0]).write(0, x[1])
    .write(1, x[2]).stack(),
    "unstack_stack": lambda m, x: m.TensorArray(m.float64, 3).unstack(x * x).stack(),
    "unstack_read": lambda m, x: m.TensorArray(m.float64, 3).unstack(x * x).read(1),
    "unstack_gather_repeats": lambda m, x: m.TensorArray(m.float64, 3).unstack(x)
    .gather([2, 0, 2]),
    "scatter_stack": lambda m, x: m.TensorArray(m.float64, 4).scatter([3, 1], x[:2] * 3.)
    .stack(),
    "scatter_dynamic_read": lambda m, x: m.TensorArray(m.float64, 1, dynamic_size=True)
    .scatter([2, 0], x[1:]).read(2),
    "dynamic_writes": lambda m, x: m.TensorArray(m.float64, 0, dynamic_size=True)
    .write(2, x[0]).write(4, x[1]).stack(),
    "concat": lambda m, x: m.TensorArray(m.float64, 2).write(0, x[:1]).write(1, x[1:2] * 2.)
    .concat(),
    "concat_ragged": lambda m, x: m.TensorArray(m.float64, 2, infer_shape=False).write(0, x[:1])
    .write(1, x[1:] * 2.).concat(),
    "split_stack": lambda m, x: m.TensorArray(m.float64, 3).split(x * x, [1, 1, 1]).stack(),
    "split_concat": lambda m, x: m.TensorArray(m.float64, 2).split(m.exp(x), [2, 1]).concat(),
    "split_read": lambda m, x: m.TensorArray(m.float64, 2).split(x, [1, 2]).read(1),
    "identity": lambda m, x: m.TensorArray(m.float64, 1).write(0, x).identity().stack(),
}


def _noclear(m):
    return m.TensorArray(m.float64, 2, clear_after_read=False)


def _read_and_stack(ta):
    first = ta.read(1)
    return ta.stack() * first


def _grad(m, fn, x):
    x = m.constant(x)
    with m.GradientTape() as tape:
        tape.watch(x)
        y = fn(m, x)
        w = m.constant(np.linspace(0.5, 1.5, int(np.prod(y.shape))).reshape(y.shape.as_list()))
        loss = m.reduce_sum(y * w)
    return y, tape.gradient(loss, x)


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_gradients_match_tensorflow(name):
    y, g = _grad(ND, GRADIENTS[name], X)
    ty, tg = _grad(TF, GRADIENTS[name], X)
    np.testing.assert_allclose(np.asarray(y), ty.numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(g), tg.numpy(), rtol=1e-12)


def test_second_order_gradient():
    x = nf.constant([0.5, 2.0], dtype=nf.float64)
    with nf.GradientTape() as outer:
        outer.watch(x)
        with nf.GradientTape() as inner:
            inner.watch(x)
            ta = TensorArray(nf.float64, 2).write(0, x * x).write(1, x)
            y = nf.reduce_sum(ta.stack() * ta.stack())
        g = inner.gradient(y, x)   # 4x^3 + 2x
    h = outer.gradient(g, x)       # 12x^2 + 2
    np.testing.assert_allclose(np.asarray(g), 4 * np.asarray(x) ** 3 + 2 * np.asarray(x))
    np.testing.assert_allclose(np.asarray(h), 12 * np.asarray(x) ** 2 + 2)


def test_unwatched_read_has_no_gradient():
    x = nf.constant(1.0)
    with nf.GradientTape() as tape:
        tape.watch(x)
        y = TensorArray(nf.float32, 1).write(0, nf.constant(2.0)).read(0)
    assert tape.gradient(y, x) is None


def test_variant_flow_repr_and_numpy_match_tensorflow(real_tf):
    import ndflow
    ours = ndflow.TensorArray(ndflow.float32, size=2).write(0, 1.0).flow
    theirs = real_tf.raw_ops.TensorListReserve(element_shape=-1, num_elements=2,
                                               element_dtype=real_tf.float32)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    with pytest.raises(ndflow.errors.InvalidArgumentError):
        ours.numpy()
