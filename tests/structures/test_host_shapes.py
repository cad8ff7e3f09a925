"""Static shapes of host-node results (structure functions that run on NumPy inside graphs),
compared with tf.function: the outputs of ``get_concrete_function(TensorSpec(...))`` must have
TensorFlow's static shapes and dtypes, and calling the function must give TensorFlow's values."""
import numpy as np
import pytest

import ndflow as nd


def _dims(shape):
    return None if shape.rank is None else shape.as_list()


def describe(value):
    """A comparable summary of a (nested) result: kind, static shape, dtype and components."""
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    kind = type(value).__name__
    if kind == "SparseTensor":
        if value.shape.rank is None:
            # TensorFlow's sparse-output reductions also leave the components' ranks unknown;
            # ndflow's components of an unknown-rank SparseTensor are [None, None], [None], [None].
            return ("sparse", None, value.dtype.name)
        return ("sparse", _dims(value.shape), value.dtype.name, _dims(value.indices.shape),
                _dims(value.values.shape), _dims(value.dense_shape.shape))
    if kind == "RaggedTensor":
        return ("ragged", _dims(value.shape), value.dtype.name, value.ragged_rank,
                _dims(value.row_splits.shape),
                value.flat_values.shape.as_list(), value.row_splits.dtype.name)
    if kind == "IndexedSlices":
        return ("slices", _dims(value.values.shape), _dims(value.indices.shape),
                None if value.dense_shape is None else _dims(value.dense_shape.shape))
    return ("dense", _dims(value.shape), value.dtype.name)


def values_of(value):
    """The nested values of a result as lists (ragged: to_list; sparse: its components)."""
    if isinstance(value, (list, tuple)):
        return [values_of(v) for v in value]
    if isinstance(value, dict):
        return {k: values_of(v) for k, v in value.items()}
    kind = type(value).__name__
    if kind == "SparseTensor":
        return [values_of(value.indices), values_of(value.values), values_of(value.dense_shape)]
    if kind == "RaggedTensor":
        return value.to_list()
    if kind == "IndexedSlices":
        return [values_of(value.values), values_of(value.indices)]
    return np.asarray(value.numpy()).tolist()


def check(real_tf, program, specs, args):
    """Traces ``program(mod)`` in ndflow and TensorFlow for ``specs(mod)``, compares the static
    description of the outputs, then calls both on ``args(mod)`` and compares values."""
    results = []
    for mod in (nd, real_tf):
        fn = mod.function(program(mod), autograph=False)
        cf = fn.get_concrete_function(*specs(mod))
        static = describe(cf.structured_outputs)
        results.append((static, values_of(cf(*args(mod)))))
    (mine, my_values), (theirs, their_values) = results
    assert mine == theirs
    assert repr(my_values) == repr(their_values)  # repr: NaNs compare equal


def _strings(mod, shape):
    return lambda m: [m.TensorSpec(shape, m.string)]


WORDS = [[b"a b c"], [b"d e"]]

STRING_CASES = {
    "split_2x1": (lambda m: lambda s: m.strings.split(s), _strings(None, [2, 1]),
                  lambda m: [m.constant(WORDS)]),
    "split_nx1": (lambda m: lambda s: m.strings.split(s), _strings(None, [None, 1]),
                  lambda m: [m.constant(WORDS)]),
    "split_n": (lambda m: lambda s: m.strings.split(s), _strings(None, [None]),
                lambda m: [m.constant([b"a b", b"c"])]),
    "split_3": (lambda m: lambda s: m.strings.split(s, sep=" ", maxsplit=1),
                _strings(None, [3]), lambda m: [m.constant([b"a b c", b"d", b""])]),
    "split_scalar": (lambda m: lambda s: m.strings.split(s), _strings(None, []),
                     lambda m: [m.constant(b"a b c")]),
    "bytes_split_n": (lambda m: lambda s: m.strings.bytes_split(s), _strings(None, [None]),
                      lambda m: [m.constant([b"ab", b"c"])]),
    "bytes_split_2x2": (lambda m: lambda s: m.strings.bytes_split(s), _strings(None, [2, 2]),
                        lambda m: [m.constant([[b"ab", b"c"], [b"", b"xyz"]])]),
    "bytes_split_scalar": (lambda m: lambda s: m.strings.bytes_split(s), _strings(None, []),
                           lambda m: [m.constant(b"abc")]),
    "ngrams_n": (lambda m: lambda s: m.strings.ngrams(s, 2), _strings(None, [None]),
                 lambda m: [m.constant([b"a", b"b", b"c"])]),
    "ngrams_4": (lambda m: lambda s: m.strings.ngrams(s, 2), _strings(None, [4]),
                 lambda m: [m.constant([b"a", b"b", b"c", b"d"])]),
    "ngrams_2x4": (lambda m: lambda s: m.strings.ngrams(s, (1, 3)), _strings(None, [2, 4]),
                   lambda m: [m.constant([[b"a", b"b", b"c", b"d"]] * 2)]),
    "ngrams_pad": (lambda m: lambda s: m.strings.ngrams(s, 3, pad_values=b"#"),
                   _strings(None, [None, 3]), lambda m: [m.constant([[b"a", b"b", b"c"]])]),
    "ngrams_ragged": (lambda m: lambda r: m.strings.ngrams(r, 2),
                      lambda m: [m.RaggedTensorSpec([None, None], m.string)],
                      lambda m: [m.ragged.constant([[b"a", b"b", b"c"], [b"d"]])]),
    "split_3x2x2": (lambda m: lambda s: m.strings.split(s), _strings(None, [3, 2, 2]),
                    lambda m: [m.constant([[[b"a b", b"c"]] * 2] * 3)]),
    "bytes_split_3": (lambda m: lambda s: m.strings.bytes_split(s), _strings(None, [3]),
                      lambda m: [m.constant([b"ab", b"", b"c"])]),
    "ngrams_3x2x2": (lambda m: lambda s: m.strings.ngrams(s, 2), _strings(None, [3, 2, 2]),
                     lambda m: [m.constant([[[b"a", b"c"]] * 2] * 3)]),
    "split_ragged": (lambda m: lambda r: m.strings.split(r),
                     lambda m: [m.RaggedTensorSpec([None, None], m.string)],
                     lambda m: [m.ragged.constant([[b"a b", b"c"], [b"d"]])]),
}


@pytest.mark.parametrize("case", sorted(STRING_CASES))
def test_string_host_shapes(real_tf, case):
    check(real_tf, *STRING_CASES[case])


def _ragged(shape, dtype="float32", ragged_rank=None):
    return lambda m: [m.RaggedTensorSpec(shape, getattr(m, dtype), ragged_rank)]


def _rt(m):
    return [m.ragged.constant([[1.0, 2.0], [], [3.0]])]


def _rt3(m):
    return [m.ragged.constant([[[1.0], [2.0, 3.0]], [[4.0]]], ragged_rank=2)]


def _rt_uniform(m):
    return [m.RaggedTensor.from_row_lengths(m.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                            [2, 0, 1])]


RAGGED_CASES = {
    "to_tensor_n": (lambda m: lambda r: r.to_tensor(), _ragged([None, None]), _rt),
    "to_tensor_3": (lambda m: lambda r: r.to_tensor(-1.0), _ragged([3, None]), _rt),
    "to_tensor_shape": (lambda m: lambda r: r.to_tensor(shape=[2, 4]), _ragged([3, None]), _rt),
    "to_tensor_shape_none": (lambda m: lambda r: r.to_tensor(shape=[None, 4]),
                             _ragged([None, None]), _rt),
    "to_tensor_inner": (lambda m: lambda r: r.to_tensor(), _ragged([None, None, 2], ragged_rank=1),
                        _rt_uniform),
    "to_tensor_rank3": (lambda m: lambda r: r.to_tensor(), _ragged([2, None, None]), _rt3),
    "reduce_sum_1": (lambda m: lambda r: m.reduce_sum(r, axis=1), _ragged([None, None]), _rt),
    "reduce_sum_1_known": (lambda m: lambda r: m.reduce_sum(r, axis=1), _ragged([3, None]),
                           _rt),
    "reduce_sum_0": (lambda m: lambda r: m.reduce_sum(r, axis=0), _ragged([3, None]), _rt),
    "reduce_sum_all": (lambda m: lambda r: m.reduce_sum(r), _ragged([3, None]), _rt),
    "reduce_mean_1": (lambda m: lambda r: m.reduce_mean(r, axis=1), _ragged([3, None]), _rt),
    "reduce_max_keep": (lambda m: lambda r: m.reduce_max(r, axis=1, keepdims=True),
                        _ragged([3, None]), _rt),
    "reduce_sum_inner": (lambda m: lambda r: m.reduce_sum(r, axis=2), _ragged([None, None, 2], ragged_rank=1),
                         _rt_uniform),
    "reduce_sum_rank3": (lambda m: lambda r: m.reduce_sum(r, axis=2), _ragged([2, None, None]),
                         _rt3),
    "reduce_sum_rank3_1": (lambda m: lambda r: m.reduce_sum(r, axis=1),
                           _ragged([2, None, None]), _rt3),
    "reduce_max_rank3_1": (lambda m: lambda r: m.reduce_max(r, axis=1),
                           _ragged([None, None, None]), _rt3),
    "reduce_sum_rank4_2": (lambda m: lambda r: m.reduce_sum(r, axis=2),
                           _ragged([None, None, None, None]),
                           lambda m: [m.ragged.constant([[[[1.0], [2.0, 3.0]], [[4.0]]],
                                                         [[[5.0, 6.0]]]], ragged_rank=3)]),
    "concat_0": (lambda m: lambda r: m.concat([r, r], axis=0), _ragged([3, None]), _rt),
    "concat_0_n": (lambda m: lambda r: m.concat([r, r], axis=0), _ragged([None, None]), _rt),
    "concat_1": (lambda m: lambda r: m.concat([r, r], axis=1), _ragged([3, None]), _rt),
    "concat_1_n": (lambda m: lambda r: m.concat([r, r], axis=1), _ragged([None, None]), _rt),
    "stack_0": (lambda m: lambda r: m.stack([r, r], axis=0), _ragged([3, None]), _rt),
    "stack_1": (lambda m: lambda r: m.stack([r, r], axis=1), _ragged([3, None]), _rt),
    "stack_0_n": (lambda m: lambda r: m.stack([r, r, r], axis=0), _ragged([None, None]), _rt),
    "ragged_stack_1_n": (lambda m: lambda r: m.ragged.stack([r, r], axis=1),
                         _ragged([None, None]), _rt),
    "mask_dense": (lambda m: lambda r, k: m.ragged.boolean_mask(r, k),
                   lambda m: [m.RaggedTensorSpec([3, None], m.float32),
                              m.TensorSpec([3], m.bool)],
                   lambda m: _rt(m) + [m.constant([True, False, True])]),
    "mask_ragged": (lambda m: lambda r, k: m.ragged.boolean_mask(r, k),
                    lambda m: [m.RaggedTensorSpec([3, None], m.float32),
                               m.RaggedTensorSpec([3, None], m.bool)],
                    lambda m: _rt(m) + [m.ragged.constant([[True, False], [], [True]])]),
    "mask_dense_data": (lambda m: lambda d, k: m.ragged.boolean_mask(d, k),
                        lambda m: [m.TensorSpec([3, 2], m.float32),
                                   m.TensorSpec([3, 2], m.bool)],
                        lambda m: [m.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                   m.constant([[True, False], [True, True], [False, False]])]),
    "getitem_row": (lambda m: lambda r: r[0], _ragged([3, None]), _rt),
    "getitem_slice": (lambda m: lambda r: r[1:], _ragged([3, None]), _rt),
    "getitem_slice_n": (lambda m: lambda r: r[1:], _ragged([None, None]), _rt),
    "getitem_col_slice": (lambda m: lambda r: r[:, :1], _ragged([3, None]), _rt),
    "getitem_rank3": (lambda m: lambda r: r[1], _ragged([2, None, None]), _rt3),
    "getitem_inner": (lambda m: lambda r: r[:, :, 1], _ragged([None, None, 2], ragged_rank=1), _rt_uniform),
    "getitem_row_inner": (lambda m: lambda r: r[0], _ragged([None, None, 2], ragged_rank=1), _rt_uniform),
    "value_rowids": (lambda m: lambda r: r.value_rowids(), _ragged([3, None]), _rt),
    "bounding_shape": (lambda m: lambda r: r.bounding_shape(), _ragged([3, None]), _rt),
    "bounding_shape_axis": (lambda m: lambda r: r.bounding_shape(axis=1),
                            _ragged([3, None]), _rt),
    "bounding_shape_32": (lambda m: lambda r: r.bounding_shape(out_type=m.int32),
                          _ragged([None, None, 2], ragged_rank=1), _rt_uniform),
}


@pytest.mark.parametrize("case", sorted(RAGGED_CASES))
def test_ragged_host_shapes(real_tf, case):
    check(real_tf, *RAGGED_CASES[case])


def _sparse_spec(shape, dtype="float32"):
    return lambda m: [m.SparseTensorSpec(shape, getattr(m, dtype))]


def _sp(m):
    return [m.sparse.SparseTensor([[0, 0], [1, 2], [2, 3]], [1.0, 2.0, 3.0], [3, 4])]


def _sp_ids(m):
    return [m.sparse.SparseTensor([[0, 0], [1, 2], [2, 3]], m.constant([1, 4, 2], m.int64),
                                  [3, 4])]


SPARSE_CASES = {
    "retain": (lambda m: lambda s: m.sparse.retain(s, m.constant([True, False, True])),
               _sparse_spec([3, 4]), _sp),
    "retain_n": (lambda m: lambda s: m.sparse.retain(s, m.constant([True, False, True])),
                 _sparse_spec([None, 4]), _sp),
    "reset_shape": (lambda m: lambda s: m.sparse.reset_shape(s), _sparse_spec([3, 4]), _sp),
    "reset_shape_new": (lambda m: lambda s: m.sparse.reset_shape(s, [5, 6]),
                        _sparse_spec([3, 4]), _sp),
    "slice": (lambda m: lambda s: m.sparse.slice(s, [1, 0], [2, 3]), _sparse_spec([3, 4]), _sp),
    "slice_n": (lambda m: lambda s: m.sparse.slice(s, [1, 0], [2, 3]),
                _sparse_spec([None, 4]), _sp),
    "to_indicator": (lambda m: lambda s: m.sparse.to_indicator(s, 5),
                     _sparse_spec([3, 4], "int64"), _sp_ids),
    "to_indicator_n": (lambda m: lambda s: m.sparse.to_indicator(s, 5),
                       _sparse_spec([None, None], "int64"), _sp_ids),
    "reduce_sum_sparse": (lambda m: lambda s: m.sparse.reduce_sum(s, 1, output_is_sparse=True),
                          _sparse_spec([3, 4]), _sp),
    "reduce_sum_sparse_keep": (lambda m: lambda s: m.sparse.reduce_sum(
        s, 1, keepdims=True, output_is_sparse=True), _sparse_spec([3, 4]), _sp),
    "reduce_max_sparse_n": (lambda m: lambda s: m.sparse.reduce_max(
        s, 0, output_is_sparse=True), _sparse_spec([None, 4]), _sp),
    "reduce_sum_sparse_all": (lambda m: lambda s: m.sparse.reduce_sum(
        s, output_is_sparse=True), _sparse_spec([3, 4]), _sp),
    "reduce_sum_dense": (lambda m: lambda s: m.sparse.reduce_sum(s, 1),
                         _sparse_spec([3, 4]), _sp),
    "reduce_sum_dense_n": (lambda m: lambda s: m.sparse.reduce_sum(s, 0),
                           _sparse_spec([None, 4]), _sp),
    "expand_dims": (lambda m: lambda s: m.sparse.expand_dims(s, 1), _sparse_spec([3, 4]), _sp),
    "expand_dims_last": (lambda m: lambda s: m.sparse.expand_dims(s),
                         _sparse_spec([None, 4]), _sp),
    "eye": (lambda m: lambda n: m.sparse.eye(n, 3), lambda m: [m.TensorSpec([], m.int32)],
            lambda m: [m.constant(2)]),
    "eye_const": (lambda m: lambda s: (s, m.sparse.eye(2, 3)), _sparse_spec([3, 4]), _sp),
    "bincount": (lambda m: lambda x: m.sparse.bincount(x), lambda m: [m.TensorSpec([4], m.int32)],
                 lambda m: [m.constant([1, 1, 3, 0])]),
    "bincount_rows": (lambda m: lambda x: m.sparse.bincount(x, axis=-1, minlength=5),
                      lambda m: [m.TensorSpec([None, 2], m.int32)],
                      lambda m: [m.constant([[1, 1], [3, 0]])]),
    "bincount_sparse": (lambda m: lambda s: m.sparse.bincount(s, axis=-1),
                        _sparse_spec([3, 4], "int64"), _sp_ids),
    "map_values": (lambda m: lambda s: m.sparse.map_values(m.math.square, s),
                   _sparse_spec([None, 4]), _sp),
    "map_values_known": (lambda m: lambda s: m.sparse.map_values(m.add, s, s),
                         _sparse_spec([3, 4]), _sp),
    "transpose": (lambda m: lambda s: m.sparse.transpose(s), _sparse_spec([3, None]), _sp),
    "concat": (lambda m: lambda s: m.sparse.concat(1, [s, s]), _sparse_spec([3, 4]), _sp),
    "add": (lambda m: lambda s: m.sparse.add(s, s), _sparse_spec([3, 4]), _sp),
    "reorder": (lambda m: lambda s: m.sparse.reorder(s), _sparse_spec([3, 4]), _sp),
    "reshape": (lambda m: lambda s: m.sparse.reshape(s, [4, 3]), _sparse_spec([3, 4]), _sp),
    "reshape_infer": (lambda m: lambda s: m.sparse.reshape(s, [-1, 2]), _sparse_spec([3, 4]),
                      _sp),
    "reshape_infer_n": (lambda m: lambda s: m.sparse.reshape(s, [-1, 2]),
                        _sparse_spec([None, 4]), _sp),
    "reshape_n": (lambda m: lambda s: m.sparse.reshape(s, [2, 6]), _sparse_spec([None, 4]),
                  _sp),
    "add_merge": (lambda m: lambda s, t: m.sparse.add(s, t),
                  lambda m: [m.SparseTensorSpec([None, 4], m.float32),
                             m.SparseTensorSpec([3, None], m.float32)], lambda m: _sp(m) * 2),
    "concat_n": (lambda m: lambda s: m.sparse.concat(0, [s, s]), _sparse_spec([None, 4]), _sp),
    "reset_shape_tensor": (lambda m: lambda s, n: m.sparse.reset_shape(s, n),
                           lambda m: _sparse_spec([3, 4])(m) + [m.TensorSpec([2], m.int64)],
                           lambda m: _sp(m) + [m.constant([5, 6], m.int64)]),
    "from_dense": (lambda m: lambda x: m.sparse.from_dense(x),
                   lambda m: [m.TensorSpec([None, 2], m.float32)],
                   lambda m: [m.constant([[0.0, 1.0], [2.0, 0.0]])]),
}


@pytest.mark.parametrize("case", sorted(SPARSE_CASES))
def test_sparse_host_shapes(real_tf, case):
    check(real_tf, *SPARSE_CASES[case])


def test_sampled_addmm_host_shapes(real_tf):
    def program(m):
        def f(a, b):
            return m.sparse.sampled_addmm([[0, 0], [1, 1]], [1.0, 2.0], [2, 2], a, b)
        return f
    specs = lambda m: [m.TensorSpec([2, 3], m.float32), m.TensorSpec([3, 2], m.float32)]
    args = lambda m: [m.ones([2, 3]), m.ones([3, 2])]
    check(real_tf, program, specs, args)


def test_indexed_slices_mask_host_shapes(real_tf):
    def program(m):
        def f(v, i):
            kept = m.sparse.mask(m.IndexedSlices(v, i, m.constant([5, 2])), m.constant([1]))
            # ndflow functions do not return IndexedSlices yet: compare their components.
            return kept.values, kept.indices, kept.dense_shape
        return f
    specs = lambda m: [m.TensorSpec([3, 2], m.float32), m.TensorSpec([3], m.int32)]
    args = lambda m: [m.ones([3, 2]), m.constant([0, 1, 4])]
    check(real_tf, program, specs, args)


@pytest.mark.parametrize("kind", ["many", "up_to", "one", "padding"])
def test_queue_dequeue_host_shapes(real_tf, kind):
    results = []
    for mod in (nd, real_tf):
        if kind == "padding":
            q = mod.queue.PaddingFIFOQueue(10, [mod.float32, mod.int32], shapes=[[None], []])
        else:
            q = mod.queue.FIFOQueue(10, [mod.float32, mod.int32], shapes=[[3], []])
        for i in range(4):
            q.enqueue((mod.fill([3], float(i)), mod.constant(i)))
        take = {"many": lambda n: q.dequeue_many(n), "up_to": lambda n: q.dequeue_up_to(n),
                "one": lambda n: q.dequeue(), "padding": lambda n: q.dequeue_many(n)}[kind]
        fn = mod.function(lambda n: take(2) if kind != "up_to" else take(n), autograph=False)
        cf = fn.get_concrete_function(mod.TensorSpec([], mod.int32))
        results.append((describe(cf.structured_outputs), values_of(cf(mod.constant(2)))))
    assert results[0] == results[1]
