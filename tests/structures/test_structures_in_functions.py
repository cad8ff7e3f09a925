"""Data structures inside ndflow.function compared with tf.function (round 2): value-dependent
string, sparse and set ops get TensorFlow's static shapes (not the shapes of one example run)
and the right values at call time; ragged constructors take symbolic tensors; composite
results (IndexedSlices) come back as composites."""
import numpy as np
import pytest

import ndflow as nd
from test_host_shapes import check, values_of


def _strings(shape):
    return lambda m: [m.TensorSpec(shape, m.string)]


def _texts(*values):
    return lambda m: [m.constant(list(values) if len(values) > 1 else values[0])]


HELLO = ("Hello", "h\u00e9!", "")

STRING_CASES = {
    "unicode_split_3": (lambda m: lambda s: m.strings.unicode_split(s, "UTF-8"),
                        _strings([3]), _texts(*HELLO)),
    "unicode_split_n": (lambda m: lambda s: m.strings.unicode_split(s, "UTF-8"),
                        _strings([None]), _texts(*HELLO)),
    "unicode_split_scalar": (lambda m: lambda s: m.strings.unicode_split(s, "UTF-8"),
                             _strings([]), _texts("h\u00e9llo")),
    "unicode_split_2x2": (lambda m: lambda s: m.strings.unicode_split(s, "UTF-8"),
                          _strings([2, 2]),
                          lambda m: [m.constant([["ab", "\u00e9"], ["", "xyz"]])]),
    "unicode_decode_3": (lambda m: lambda s: m.strings.unicode_decode(s, "UTF-8"),
                         _strings([3]), _texts(*HELLO)),
    "unicode_decode_n": (lambda m: lambda s: m.strings.unicode_decode(s, "UTF-8"),
                         _strings([None]), _texts(*HELLO)),
    "unicode_decode_scalar": (lambda m: lambda s: m.strings.unicode_decode(s, "UTF-8"),
                              _strings([]), _texts("h\u00e9llo")),
    "unicode_decode_nx2": (lambda m: lambda s: m.strings.unicode_decode(s, "UTF-8"),
                           _strings([None, 2]),
                           lambda m: [m.constant([["ab", "\u00e9"], ["", "xyz"], ["q", "r"]])]),
    "unicode_decode_2xn": (lambda m: lambda s: m.strings.unicode_decode(s, "UTF-8"),
                           _strings([2, None]),
                           lambda m: [m.constant([["ab", "\u00e9", "z"], ["", "xyz", "w"]])]),
    "unicode_decode_offsets_n": (
        lambda m: lambda s: m.strings.unicode_decode_with_offsets(s, "UTF-8"),
        _strings([None]), _texts(*HELLO)),
    "unicode_decode_offsets_scalar": (
        lambda m: lambda s: m.strings.unicode_decode_with_offsets(s, "UTF-8"),
        _strings([]), _texts("h\u00e9llo")),
    "split_values": (lambda m: lambda s: m.strings.split(s), _strings([3]),
                     _texts("a bb c", "d", "")),
    "bytes_split_values": (lambda m: lambda s: m.strings.bytes_split(s), _strings([3]),
                           _texts("abc", "d", "")),
    "to_number": (lambda m: lambda s: m.strings.to_number(s), _strings([2]),
                  _texts("1.5", "-2")),
    "to_number_int": (lambda m: lambda s: m.strings.to_number(s, m.int64),
                      _strings([None, 2]), lambda m: [m.constant([["1", "2"], ["3", "-4"]])]),
    "to_number_f64_scalar": (lambda m: lambda s: m.strings.to_number(s, m.float64),
                             _strings([]), _texts("0.25")),
}


@pytest.mark.parametrize("case", sorted(STRING_CASES))
def test_string_ops_in_functions(real_tf, case):
    check(real_tf, *STRING_CASES[case])


def _ints(*shapes):
    return lambda m: [m.TensorSpec(s, m.int64) for s in shapes]


def _sets(m):
    return [m.constant([[1, 2, 3], [4, 5, 6]], m.int64), m.constant([[1, 2, 9], [4, 5, 6]], m.int64)]


def _sp(m):
    return m.sparse.SparseTensor([[0, 0], [1, 2], [2, 3]], [1.0, 2.0, 3.0], [3, 4])


def _sparse_spec(shape, dtype="float32"):
    return lambda m: [m.SparseTensorSpec(shape, getattr(m, dtype))]


def _sparse_ints(shape):
    return lambda m: [m.SparseTensorSpec(shape, m.int64)]


def _sp_ints(m):
    return [m.sparse.SparseTensor([[0, 0], [0, 1], [1, 0]], m.constant([1, 2, 5], m.int64),
                                  [2, 3])]


SET_AND_SPARSE_CASES = {
    "intersection": (lambda m: lambda a, b: m.sets.intersection(a, b), _ints([2, 3], [2, 3]),
                     _sets),
    "union_n": (lambda m: lambda a, b: m.sets.union(a, b), _ints([None, 3], [None, 3]), _sets),
    "difference": (lambda m: lambda a, b: m.sets.difference(a, b), _ints([2, 3], [2, None]),
                   _sets),
    "union_sparse": (lambda m: lambda a: m.sets.union(a, a), _sparse_ints([None, None]), _sp_ints),
    "union_dense_sparse": (lambda m: lambda a, b: m.sets.union(a, m.sparse.from_dense(b)),
                           _ints([2, 3], [2, 3]), _sets),
    "intersection_sparse_dense": (
        lambda m: lambda a, b: m.sets.intersection(m.sparse.from_dense(a), b),
        _ints([2, 3], [2, 3]), _sets),
    "cross": (lambda m: lambda a, b: m.sparse.cross([a, b]),
              lambda m: [m.TensorSpec([2, 1], m.string), m.TensorSpec([2, 2], m.string)],
              lambda m: [m.constant([["a"], ["b"]]), m.constant([["c", "d"], ["e", "f"]])]),
    "cross_hashed": (lambda m: lambda a, b: m.sparse.cross_hashed([a, b], 10),
                     lambda m: [m.TensorSpec([None, 1], m.string),
                                m.TensorSpec([None, 2], m.string)],
                     lambda m: [m.constant([["a"], ["b"]]), m.constant([["c", "d"], ["e", "f"]])]),
    "to_dense": (lambda m: lambda s: m.sparse.to_dense(s), _sparse_spec([None, None]),
                 lambda m: [_sp(m)]),
    "to_dense_known": (lambda m: lambda s: m.sparse.to_dense(s), _sparse_spec([3, None]),
                       lambda m: [_sp(m)]),
    "sparse_dense_matmul": (lambda m: lambda s, d: m.sparse.sparse_dense_matmul(s, d),
                            lambda m: _sparse_spec([None, None])(m) + [
                                m.TensorSpec([4, 2], m.float32)],
                            lambda m: [_sp(m), m.ones([4, 2])]),
    "split": (lambda m: lambda s: m.sparse.split(sp_input=s, num_split=2, axis=1),
              _sparse_spec([None, None]), lambda m: [_sp(m)]),
    "fill_empty_rows": (lambda m: lambda s: m.sparse.fill_empty_rows(s, -1.0),
                        _sparse_spec([None, None]), lambda m: [_sp(m)]),
    "times_3": (lambda m: lambda s: s * 3.0, _sparse_spec([None, 4]), lambda m: [_sp(m)]),
    "times_3_known": (lambda m: lambda s: s * 3.0, _sparse_spec([3, 4]), lambda m: [_sp(m)]),
}


@pytest.mark.parametrize("case", sorted(SET_AND_SPARSE_CASES))
def test_set_and_sparse_ops_in_functions(real_tf, case):
    check(real_tf, *SET_AND_SPARSE_CASES[case])


def _gather_gradient(m):
    def f(params, ids):
        with m.GradientTape() as tape:
            tape.watch(params)
            total = m.reduce_sum(m.gather(params, ids) * 2.0)
        return tape.gradient(total, params)
    return f


def test_indexed_slices_result_comes_back_as_indexed_slices(real_tf):
    check(real_tf, _gather_gradient,
          lambda m: [m.TensorSpec([5, 2], m.float32), m.TensorSpec([3], m.int32)],
          lambda m: [m.ones([5, 2]), m.constant([0, 2, 2])])
    out = nd.function(_gather_gradient(nd))(nd.ones([5, 2]), nd.constant([0, 2, 2]))
    assert isinstance(out, nd.IndexedSlices)
    np.testing.assert_array_equal(nd.convert_to_tensor(out).numpy()[2], [4.0, 4.0])


def test_indexed_slices_spec_matches_tensorflow(real_tf):
    from ndflow.framework.indexed_slices import IndexedSlicesSpec
    specs = []
    for mod, spec_type in ((nd, IndexedSlicesSpec), (real_tf, real_tf.IndexedSlicesSpec)):
        fn = mod.function(_gather_gradient(mod))
        cf = fn.get_concrete_function(mod.TensorSpec([None, 2], mod.float32),
                                      mod.TensorSpec([None], mod.int64))
        made = spec_type([None, 2], mod.float64, mod.int32, mod.int64, [4])
        specs.append((repr(mod.type_spec_from_value(cf.structured_outputs)), repr(made),
                      [repr((s.shape, s.dtype)) for s in made._component_specs]))
    assert specs[0] == specs[1]


def test_indexed_slices_argument(real_tf):
    results = []
    for mod in (nd, real_tf):
        fn = mod.function(lambda s: (s.values * 2.0, s.indices + 1))
        value = mod.IndexedSlices(mod.ones([2, 3]), mod.constant([1, 4]), mod.constant([6, 3]))
        results.append(values_of(fn(value)) + [fn.experimental_get_tracing_count()])
        fn(mod.IndexedSlices(mod.zeros([4, 3]), mod.constant([0, 1, 2, 3]),
                             mod.constant([6, 3])))
        results[-1].append(fn.experimental_get_tracing_count())
    assert results[0] == results[1]


def test_sparse_softmax_bits_match_tensorflow(real_tf):
    results = []
    for mod in (nd, real_tf):
        sp = mod.sparse.SparseTensor([[0, 0], [0, 1], [1, 0], [1, 1], [1, 3]],
                                     [1.0, 2.0, 1.0, 2.0, 0.5], [2, 4])
        eager = mod.sparse.softmax(sp).values.numpy()
        traced = mod.function(mod.sparse.softmax)(sp).values.numpy()
        results.append((eager.tobytes(), traced.tobytes()))
    assert results[0] == results[1]


def test_sparse_softmax_close_to_tensorflow(real_tf):
    rng = np.random.default_rng(0)
    dense = rng.normal(size=(6, 7)).astype(np.float32) * 3
    dense[rng.random((6, 7)) < 0.4] = 0
    mine, theirs = (mod.sparse.softmax(mod.sparse.from_dense(mod.constant(dense))).values.numpy()
                    for mod in (nd, real_tf))
    np.testing.assert_allclose(mine, theirs, rtol=3e-7, atol=0)


TENSOR_ARRAYS = {
    "sized": dict(size=2),
    "dynamic": dict(size=0, dynamic_size=True),
    "dynamic_sized": dict(size=2, dynamic_size=True),
    "no_infer": dict(size=2, infer_shape=False),
    "no_infer_shaped": dict(size=2, infer_shape=False, element_shape=[3]),
    "partial_shape": dict(size=2, element_shape=[None]),
    "dynamic_shaped": dict(size=0, dynamic_size=True, element_shape=[3]),
}


@pytest.mark.parametrize("case", sorted(TENSOR_ARRAYS))
def test_tensor_array_results_in_functions(real_tf, case):
    def program(m):
        def f(x, y):
            ta = m.TensorArray(m.float32, **TENSOR_ARRAYS[case])
            ta = ta.write(0, x).write(1, y)
            return ta.stack(), ta.concat(), ta.gather([1, 0]), ta.read(1)
        return f
    check(real_tf, program, lambda m: [m.TensorSpec([3], m.float32)] * 2,
          lambda m: [m.constant([1.0, 2.0, 3.0]), m.constant([4.0, 5.0, 6.0])])


def _vals(m):
    return m.TensorSpec([None], m.float32)


def _i64(shape):
    return lambda m: m.TensorSpec(shape, m.int64)


def _two(first, second):
    return lambda m: [first(m), second(m)]


RAGGED_FACTORY_CASES = {
    "from_row_splits": (lambda m: lambda v, s: m.RaggedTensor.from_row_splits(v, s),
                        _two(_vals, _i64([None])),
                        lambda m: [m.constant([1.0, 2.0, 3.0]), m.constant([0, 2, 2, 3], m.int64)]),
    "from_row_splits_4": (lambda m: lambda v, s: m.RaggedTensor.from_row_splits(v, s),
                          lambda m: [m.TensorSpec([3], m.float32), m.TensorSpec([4], m.int64)],
                          lambda m: [m.constant([1.0, 2.0, 3.0]),
                                     m.constant([0, 2, 2, 3], m.int64)]),
    "from_row_lengths": (lambda m: lambda v, n: m.RaggedTensor.from_row_lengths(v, n),
                         _two(_vals, _i64([None])),
                         lambda m: [m.constant([1.0, 2.0, 3.0]), m.constant([2, 0, 1], m.int64)]),
    "from_row_lengths_3": (lambda m: lambda v, n: m.RaggedTensor.from_row_lengths(v, n),
                           lambda m: [_vals(m), m.TensorSpec([3], m.int32)],
                           lambda m: [m.constant([1.0, 2.0, 3.0]), m.constant([2, 0, 1])]),
    "from_value_rowids": (lambda m: lambda v, i: m.RaggedTensor.from_value_rowids(v, i),
                          _two(_vals, _i64([None])),
                          lambda m: [m.constant([1.0, 2.0, 3.0]), m.constant([0, 0, 2], m.int64)]),
    "from_value_rowids_nrows": (
        lambda m: lambda v, i: m.RaggedTensor.from_value_rowids(v, i, nrows=4),
        _two(_vals, _i64([None])),
        lambda m: [m.constant([1.0, 2.0, 3.0]), m.constant([0, 0, 2], m.int64)]),
    "from_tensor": (lambda m: lambda t: m.RaggedTensor.from_tensor(t),
                    lambda m: [m.TensorSpec([None, 3], m.float32)], lambda m: [m.ones([2, 3])]),
    "from_tensor_padding": (lambda m: lambda t: m.RaggedTensor.from_tensor(t, padding=0.0),
                            lambda m: [m.TensorSpec([None, 3], m.float32)],
                            lambda m: [m.constant([[1.0, 0.0, 0.0], [1.0, 2.0, 0.0]])]),
    "from_tensor_symbolic_padding": (
        lambda m: lambda t, p: m.RaggedTensor.from_tensor(t, padding=p),
        lambda m: [m.TensorSpec([2, 3], m.float32), m.TensorSpec([], m.float32)],
        lambda m: [m.constant([[1.0, 0.0, 0.0], [1.0, 2.0, 0.0]]), m.constant(0.0)]),
    "from_tensor_lengths": (lambda m: lambda t, n: m.RaggedTensor.from_tensor(t, lengths=n),
                            lambda m: [m.TensorSpec([None, 3], m.float32),
                                       m.TensorSpec([None], m.int64)],
                            lambda m: [m.ones([2, 3]), m.constant([1, 3], m.int64)]),
    "range": (lambda m: lambda n: m.ragged.range(n), lambda m: [m.TensorSpec([None], m.int32)],
              lambda m: [m.constant([2, 0, 3])]),
    "range_broadcast": (lambda m: lambda a, b: m.ragged.range(a, b, 2),
                        _two(_i64([3]), _i64([])),
                        lambda m: [m.constant([2, 0, 3], m.int64), m.constant(6, m.int64)]),
}


@pytest.mark.parametrize("case", sorted(RAGGED_FACTORY_CASES))
def test_ragged_factories_in_functions(real_tf, case):
    check(real_tf, *RAGGED_FACTORY_CASES[case])


RAGGED_INVALID = {
    "splits_order": (lambda m, v, s: m.RaggedTensor.from_row_splits(v, s), [0, 2, 1, 3]),
    "splits_end": (lambda m, v, s: m.RaggedTensor.from_row_splits(v, s), [0, 2, 4]),
    "lengths": (lambda m, v, s: m.RaggedTensor.from_row_lengths(v, s), [2, -1, 2]),
    "rowids": (lambda m, v, s: m.RaggedTensor.from_value_rowids(v, s), [0, 2, 1]),
    "range_delta": (lambda m, v, s: m.ragged.range(0, s, 0), [2, 0, 3]),
}


@pytest.mark.parametrize("case", sorted(RAGGED_INVALID))
def test_ragged_factories_validate_when_run(real_tf, case):
    build, ints = RAGGED_INVALID[case]
    for mod in (nd, real_tf):
        fn = mod.function(lambda v, s: build(mod, v, s).flat_values, autograph=False)
        cf = fn.get_concrete_function(_vals(mod), _i64([None])(mod))   # tracing succeeds
        with pytest.raises(mod.errors.InvalidArgumentError):
            cf(mod.constant([1.0, 2.0, 3.0]), mod.constant(ints, mod.int64))


def test_ragged_factory_gradient_in_function(real_tf):
    grads = []
    for mod in (nd, real_tf):
        @mod.function(autograph=False)
        def f(v, n):
            with mod.GradientTape() as tape:
                tape.watch(v)
                # The values pass through the factory untouched (ragged reductions are host
                # nodes, which a tape inside a trace does not see through yet).
                rt = mod.RaggedTensor.from_row_lengths(v * v, n) * 3.0
                total = mod.reduce_sum(rt.flat_values * mod.constant([1.0, 2.0, 3.0]))
            return tape.gradient(total, v)
        grads.append(f(mod.constant([1.0, 2.0, 3.0]), mod.constant([2, 0, 1], mod.int64)).numpy())
    np.testing.assert_allclose(grads[0], grads[1])


def _any_sparse(m):
    return [m.SparseTensorSpec([None, None], m.float32)]


def _sp3x4(m):
    return [_sp(m)]


# Value-dependent ops audited for example-run shapes (sizes that only the values decide).
AUDIT_CASES = {
    "reorder": (lambda m: lambda s: m.sparse.reorder(s), _any_sparse, _sp3x4),
    "add": (lambda m: lambda s: m.sparse.add(s, s), _any_sparse, _sp3x4),
    "add_dense": (lambda m: lambda s: m.sparse.add(s, m.ones([3, 4])), _any_sparse, _sp3x4),
    "maximum": (lambda m: lambda s: m.sparse.maximum(s, s), _any_sparse, _sp3x4),
    "reshape": (lambda m: lambda s: m.sparse.reshape(s, [2, -1]), _any_sparse, _sp3x4),
    "concat": (lambda m: lambda s: m.sparse.concat(1, [s, s]), _any_sparse, _sp3x4),
    "retain": (lambda m: lambda s: m.sparse.retain(s, s.values > 1.5), _any_sparse, _sp3x4),
    "fill_empty_rows_4": (lambda m: lambda s: m.sparse.fill_empty_rows(s, 0.0),
                          lambda m: [m.SparseTensorSpec([None, 4], m.float32)],
                          lambda m: [m.sparse.SparseTensor([[0, 0], [2, 3]], [1.0, 3.0], [3, 4])]),
    "softmax": (lambda m: lambda s: m.sparse.softmax(s), _any_sparse, _sp3x4),
    "set_size": (lambda m: lambda a: m.sets.size(m.sets.union(a, a)), _ints([2, 3]),
                 lambda m: [m.constant([[1, 2, 2], [3, 4, 5]], m.int64)]),
    "cross_sparse": (lambda m: lambda s: m.sparse.cross([s, m.constant([["x"], ["y"], ["z"]])]),
                     lambda m: [m.SparseTensorSpec([None, None], m.string)],
                     lambda m: [m.sparse.SparseTensor([[0, 0], [1, 2], [2, 3]], ["a", "b", "c"],
                                                      [3, 4])]),
    "unsorted_segment_join": (lambda m: lambda a, i: m.strings.unsorted_segment_join(a, i, 3),
                              lambda m: [m.TensorSpec([4], m.string),
                                         m.TensorSpec([4], m.int32)],
                              lambda m: [m.constant(["a", "b", "c", "d"]),
                                         m.constant([0, 2, 0, 1])]),
    "split_sep": (lambda m: lambda a: m.strings.split(a, sep=","), _strings([None]),
                  _texts("a,b", "", "c")),
    "unicode_decode_ragged": (lambda m: lambda r: m.strings.unicode_decode(r, "UTF-8"),
                              lambda m: [m.RaggedTensorSpec([None, None], m.string)],
                              lambda m: [m.ragged.constant([["ab", "c"], []])]),
    "unicode_split_ragged": (lambda m: lambda r: m.strings.unicode_split(r, "UTF-8"),
                             lambda m: [m.RaggedTensorSpec([None, None], m.string)],
                             lambda m: [m.ragged.constant([["ab", "c"], []])]),
    "unicode_offsets_ragged": (
        lambda m: lambda r: m.strings.unicode_decode_with_offsets(r, "UTF-8"),
        lambda m: [m.RaggedTensorSpec([None, None], m.string)],
        lambda m: [m.ragged.constant([["a\u00e9", "c"], []])]),
    "unicode_encode_n": (lambda m: lambda r: m.strings.unicode_encode(r, "UTF-8"),
                         lambda m: [m.TensorSpec([None, 2], m.int32)],
                         lambda m: [m.constant([[104, 105], [233, 33]])]),
    "unicode_encode_2x2": (lambda m: lambda r: m.strings.unicode_encode(r, "UTF-8"),
                           lambda m: [m.TensorSpec([2, 2], m.int32)],
                           lambda m: [m.constant([[104, 105], [233, 33]])]),
    "to_number_ragged": (lambda m: lambda r: m.strings.to_number(r),
                         lambda m: [m.RaggedTensorSpec([None, None], m.string)],
                         lambda m: [m.ragged.constant([["1", "2.5"], []])]),
}


@pytest.mark.parametrize("case", sorted(AUDIT_CASES))
def test_value_dependent_ops_in_functions(real_tf, case):
    check(real_tf, *AUDIT_CASES[case])


HOST_GRADIENT_CASES = {
    "ragged_reduce_sum": lambda tf, v: tf.reduce_sum(
        tf.reduce_sum(tf.RaggedTensor.from_row_splits(v, [0, 2, 3, 5]), axis=1) ** 2),
    "ragged_reduce_max": lambda tf, v: tf.reduce_sum(
        tf.reduce_max(tf.RaggedTensor.from_row_splits(v * v, [0, 2, 3, 5]), axis=1)),
    "ragged_to_tensor": lambda tf, v: tf.reduce_sum(
        tf.RaggedTensor.from_row_splits(v, [0, 2, 3, 5]).to_tensor(default_value=1.0) ** 3),
    "sparse_slice": lambda tf, v: tf.reduce_sum(tf.sparse.slice(
        tf.sparse.SparseTensor([[0, 0], [0, 2], [1, 1], [2, 0], [2, 3]], v, [3, 4]),
        [0, 1], [3, 3]).values ** 2),
}


@pytest.mark.parametrize("name", sorted(HOST_GRADIENT_CASES))
def test_gradients_through_host_nodes_under_an_inner_tape_match_tensorflow(real_tf, name):
    """A tape opened inside the traced function differentiates through host nodes."""
    case = HOST_GRADIENT_CASES[name]
    values = np.array([1.0, -2.0, 3.0, 0.5, 4.0], np.float32)
    results = []
    for lib in (nd, real_tf):
        def step(v, lib=lib):
            with lib.GradientTape() as tape:
                tape.watch(v)
                y = case(lib, v)
            return tape.gradient(y, v)
        fn = lib.function(step, input_signature=[lib.TensorSpec([5], lib.float32)])
        results.append(np.asarray(lib.convert_to_tensor(fn(lib.constant(values)))))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)
