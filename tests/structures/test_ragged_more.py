"""Uniform row lengths, the remaining RaggedTensor factories/methods, tf.ragged segment helpers
and stack_dynamic_partitions, and tf.strings.unicode_split_with_offsets, unsorted_segment_join
and to_hash_bucket, against TensorFlow."""
import numpy as np
import pytest

import ndflow as nf
from ndflow import ragged as nragged
from ndflow.structures import ragged_ops
from ndflow.structures.ragged_tensor import RaggedTensor

tf = pytest.importorskip("tensorflow")


def _mods(m):
    """(module, RaggedTensor class, ragged namespace, ops with ragged dispatch) for one side."""
    if m == "nf":
        return nf, RaggedTensor, nragged, ragged_ops
    return tf, tf.RaggedTensor, tf.ragged, tf


def _same(a, b):
    if isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
        return
    assert type(a).__name__ == type(b).__name__, (a, b)
    if type(b).__name__ == "SparseTensor":
        for x, y in ((a.indices, b.indices), (a.values, b.values), (a.dense_shape, b.dense_shape)):
            _same(x, y)
        return
    assert str(a.dtype) == str(b.dtype)
    assert a.shape.as_list() == b.shape.as_list()
    if type(b).__name__ == "RaggedTensor":
        assert repr(a) == repr(b)
        assert a.to_list() == b.to_list()
        ra, rb = a, b
        while type(rb).__name__ == "RaggedTensor":
            _same(ra.row_splits, rb.row_splits)
            ua, ub = ra.uniform_row_length, rb.uniform_row_length
            assert (ua is None) == (ub is None)
            if ub is not None:
                _same(ua, ub)
            ra, rb = ra.values, rb.values
    else:
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def check(fn):
    _same(fn("nf"), fn("tf"))


def check_error(fn, cls):
    with pytest.raises(getattr(tf.errors, cls, None) or eval(cls)):
        fn("tf")
    with pytest.raises(getattr(nf.errors, cls, None) or eval(cls)):
        fn("nf")


def split2(m):
    t = _mods(m)[0]
    return t.strings.split(t.constant([["a b"], ["c d e"]]))


def u(m):
    _, rt, rg, _ = _mods(m)
    return rt.from_uniform_row_length(rg.constant([[1, 2], [3]]), 1)


def v(m):
    t, rt, _, _ = _mods(m)
    return rt.from_uniform_row_length(t.range(6), 2)


def w(m):
    t, rt, _, _ = _mods(m)
    return rt.from_tensor(t.reshape(t.range(24), [2, 3, 4]), ragged_rank=2)


def nested(m):
    return _mods(m)[2].constant([[[1, 2], [3]], [], [[4, 5, 6]]])


# ---- uniform row lengths ------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda m: v(m),
    lambda m: _mods(m)[1].from_uniform_row_length(_mods(m)[0].range(6), 3, nrows=2),
    lambda m: _mods(m)[1].from_uniform_row_length(_mods(m)[0].zeros([0]), 0, nrows=5),
    lambda m: _mods(m)[1].from_uniform_row_length(_mods(m)[0].range(6),
                                                  _mods(m)[0].constant(2, _mods(m)[0].int32)),
    lambda m: u(m), lambda m: w(m), lambda m: w(m).values,
    lambda m: _mods(m)[1].from_tensor(_mods(m)[0].constant([[1, 2], [3, 4]])),
    lambda m: _mods(m)[1].from_tensor(_mods(m)[0].constant([[1, 2], [3, 4]]), lengths=[1, 2]),
])
def test_from_uniform_row_length_and_from_tensor(make):
    check(make)


@pytest.mark.parametrize("length, nrows", [(4, None), (-1, None), ([2], None), (2.0, None),
                                           (2, 2), (0, None)])
def test_from_uniform_row_length_errors(length, nrows):
    check_error(lambda m: _mods(m)[1].from_uniform_row_length(_mods(m)[0].range(6), length,
                                                              nrows=nrows), "ValueError")


@pytest.mark.parametrize("fn", [
    lambda m, t, rg, ops: split2(m),
    lambda m, t, rg, ops: t.strings.split(t.constant([[["ab"], ["c"]]])),
    lambda m, t, rg, ops: t.strings.unicode_split(t.constant([["ab"], ["c"]]), "UTF-8"),
    lambda m, t, rg, ops: t.strings.unicode_decode(t.constant([["ab"], ["c"]]), "UTF-8"),
    lambda m, t, rg, ops: t.strings.unicode_decode_with_offsets(t.constant([["ab"]]), "UTF-8"),
    lambda m, t, rg, ops: t.strings.bytes_split(t.constant([["ab"], ["c"]])),
    lambda m, t, rg, ops: t.strings.ngrams(split2(m), 2),
    lambda m, t, rg, ops: split2(m)[0], lambda m, t, rg, ops: split2(m)[:, 0],
    lambda m, t, rg, ops: split2(m)[1:], lambda m, t, rg, ops: split2(m)[:, 0:1],
    lambda m, t, rg, ops: split2(m)[:, 0, 1:], lambda m, t, rg, ops: split2(m)[:, -1, :1],
    lambda m, t, rg, ops: v(m)[:, 1:], lambda m, t, rg, ops: v(m)[:, -1],
    lambda m, t, rg, ops: u(m)[:, 1:], lambda m, t, rg, ops: u(m)[::2],
    lambda m, t, rg, ops: w(m)[:, 1, 2], lambda m, t, rg, ops: w(m)[:, :, 2],
    lambda m, t, rg, ops: w(m)[:, 1:, 1:], lambda m, t, rg, ops: w(m)[1, :, 2],
    lambda m, t, rg, ops: u(m) * 2, lambda m, t, rg, ops: u(m) + u(m),
    lambda m, t, rg, ops: t.cast(u(m), t.float32),
    lambda m, t, rg, ops: rg.map_flat_values(t.strings.upper, split2(m)),
    lambda m, t, rg, ops: u(m).with_row_splits_dtype(t.int32),
    lambda m, t, rg, ops: (u(m).row_lengths(), u(m).value_rowids(), u(m).bounding_shape()),
    lambda m, t, rg, ops: split2(m).to_tensor(),
    lambda m, t, rg, ops: u(m).to_tensor(shape=[2, 3, 4]),
    lambda m, t, rg, ops: rg.boolean_mask(u(m), t.constant([True, False])),
    lambda m, t, rg, ops: rg.boolean_mask(v(m), t.constant([True, False, True])),
    lambda m, t, rg, ops: ops.reduce_sum(u(m), axis=2),
    lambda m, t, rg, ops: ops.reduce_mean(u(m), axis=2),
    lambda m, t, rg, ops: ops.reduce_max(w(m), axis=2),
    lambda m, t, rg, ops: ops.concat([split2(m), split2(m)], 0),
    lambda m, t, rg, ops: ops.concat([split2(m), split2(m)], 1),
    lambda m, t, rg, ops: ops.stack([split2(m), split2(m)], 1),
])
def test_uniform_partition_is_kept_where_tf_keeps_it(fn):
    check(lambda m: fn(m, *_mods(m)[:1], _mods(m)[2], _mods(m)[3]))


def test_uniform_reprs_lists_and_numpy():
    a, b = split2("nf"), split2("tf")
    assert repr(a) == repr(b) and a.to_list() == b.to_list()
    assert str(a.numpy()) == str(b.numpy())
    assert repr(v("nf")) == repr(v("tf"))


def test_uniform_index_errors():
    check_error(lambda m: v(m)[:, 2], "InvalidArgumentError")
    check_error(lambda m: w(m)[:, 1:, 2], "ValueError")


def test_state_is_only_in_tensors():
    rt = split2("nf")
    while isinstance(rt, RaggedTensor):
        assert not any(isinstance(x, np.ndarray) for x in vars(rt).values())
        rt = rt.values


# ---- factories and methods ----------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda t, rt: rt.from_row_starts(t.range(6), [0, 2, 5]),
    lambda t, rt: rt.from_row_starts(t.range(6), []),
    lambda t, rt: rt.from_row_starts(t.range(6), t.constant([0, 2], t.int32)),
    lambda t, rt: rt.from_row_limits(t.range(6), [2, 2, 6]),
    lambda t, rt: rt.from_row_limits(t.range(0), []),
    lambda t, rt: rt.from_nested_value_rowids(t.range(5), [[0, 0, 1], [0, 0, 1, 2, 2]]),
    lambda t, rt: rt.from_nested_value_rowids(t.range(5), ([0, 0, 1], [0, 0, 1, 2, 2]),
                                              nested_nrows=[4, 3]),
    lambda t, rt: rt.from_nested_value_rowids(t.range(5), []),
    lambda t, rt: rt.from_sparse(t.SparseTensor([[0, 0], [0, 1], [2, 0]], [1, 2, 3], [4, 5])),
    lambda t, rt: rt.from_sparse(t.SparseTensor([[0, 0], [2, 0]], [1., 2.], [3, 5]),
                                 row_splits_dtype=t.int32),
    lambda t, rt: rt.from_sparse(t.SparseTensor([[1, 0], [0, 0]], [1, 2], [2, 2])),
])
def test_factories(fn):
    check(lambda m: fn(*_mods(m)[:2]))


@pytest.mark.parametrize("fn, cls", [
    (lambda t, rt: rt.from_row_starts(t.range(6), [1, 2, 5]), "InvalidArgumentError"),
    (lambda t, rt: rt.from_row_starts(t.range(6), [0, 3, 2]), "InvalidArgumentError"),
    (lambda t, rt: rt.from_row_starts(t.range(6), [0, 3, 7]), "InvalidArgumentError"),
    (lambda t, rt: rt.from_row_limits(t.range(6), [2, 2, 5]), "InvalidArgumentError"),
    (lambda t, rt: rt.from_row_limits(t.range(6), [2, 1, 6]), "InvalidArgumentError"),
    (lambda t, rt: rt.from_row_limits(t.range(6), [-1, 6]), "InvalidArgumentError"),
    (lambda t, rt: rt.from_nested_value_rowids(t.range(5), [[0, 0, 1], [0, 0, 1, 2, 2]],
                                               nested_nrows=[4]), "ValueError"),
    (lambda t, rt: rt.from_nested_value_rowids(t.range(5), t.constant([[0, 0, 1, 2, 2]])),
     "TypeError"),
    (lambda t, rt: rt.from_sparse(t.sparse.from_dense([[1, 0, 2], [0, 0, 3]])),
     "InvalidArgumentError"),
    (lambda t, rt: rt.from_sparse(t.sparse.from_dense([[[1, 0, 2]]])), "ValueError"),
    (lambda t, rt: rt.from_sparse(t.constant([1])), "TypeError"),
])
def test_factory_errors(fn, cls):
    check_error(lambda m: fn(*_mods(m)[:2]), cls)


@pytest.mark.parametrize("axes", [(0, 1), (1, 2), (0, 2), (0, -1), (1, 1), (-3, -2)])
def test_merge_dims(axes):
    check(lambda m: nested(m).merge_dims(*axes))
    check(lambda m: split2(m).merge_dims(*axes))
    check(lambda m: _mods(m)[1].from_tensor(_mods(m)[0].reshape(_mods(m)[0].range(24),
                                                                [2, 3, 4]),
                                            lengths=[1, 3]).merge_dims(*axes))


def test_merge_dims_errors():
    check_error(lambda m: nested(m).merge_dims(2, 1), "ValueError")
    check_error(lambda m: nested(m).merge_dims(0, 3), "ValueError")


def test_nested_value_rowids_and_to_sparse():
    check(lambda m: nested(m).nested_value_rowids())
    check(lambda m: nested(m).to_sparse())
    check(lambda m: split2(m).to_sparse())
    check(lambda m: _mods(m)[1].from_tensor(_mods(m)[0].reshape(_mods(m)[0].range(24), [2, 3, 4]),
                                            lengths=[1, 3]).to_sparse())
    check(lambda m: _mods(m)[2].constant([[]]).to_sparse())


# ---- tf.ragged functions ------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda t, rg: rg.row_splits_to_segment_ids([0, 2, 2, 5]),
    lambda t, rg: rg.row_splits_to_segment_ids(t.constant([0, 2, 2, 5], t.int32)),
    lambda t, rg: rg.row_splits_to_segment_ids([0, 2, 2, 5], out_type=t.int32),
    lambda t, rg: rg.segment_ids_to_row_splits([0, 0, 2, 2, 2]),
    lambda t, rg: rg.segment_ids_to_row_splits([0, 0, 2], num_segments=5),
    lambda t, rg: rg.segment_ids_to_row_splits([0, 0, 2], num_segments=2),
    lambda t, rg: rg.segment_ids_to_row_splits(t.constant([0, 0, 2], t.int32)),
    lambda t, rg: rg.segment_ids_to_row_splits([0, 0, 2], out_type=t.int32),
    lambda t, rg: rg.segment_ids_to_row_splits([]),
    lambda t, rg: rg.stack_dynamic_partitions([1, 2, 3, 4, 5], [2, 0, 2, 1, 0], 3),
    lambda t, rg: rg.stack_dynamic_partitions(rg.constant([[1, 2], [3], [4, 5, 6]]),
                                              [1, 0, 1], 3),
    lambda t, rg: rg.stack_dynamic_partitions([[1, 2], [3, 4]], [1, 0], 2),
    lambda t, rg: rg.stack_dynamic_partitions([[1, 2], [3, 4]], [[1, 0], [0, 0]], 2),
    lambda t, rg: rg.stack_dynamic_partitions([1., 2.], t.constant([1, 0], t.int64), 2),
    lambda t, rg: rg.stack_dynamic_partitions(rg.constant([[1, 2], [3], [4, 5, 6]]),
                                              rg.constant([[1, 0], [0], [1, 1, 1]]), 2),
])
def test_ragged_functions(fn):
    check(lambda m: fn(_mods(m)[0], _mods(m)[2]))


@pytest.mark.parametrize("fn, cls", [
    (lambda rg: rg.row_splits_to_segment_ids([[0, 2]]), "ValueError"),
    (lambda rg: rg.row_splits_to_segment_ids([0.0, 2]), "ValueError"),
    (lambda rg: rg.segment_ids_to_row_splits([[0]]), "ValueError"),
    (lambda rg: rg.stack_dynamic_partitions([1, 2, 3], [1, 0, 5], 3), "InvalidArgumentError"),
    (lambda rg: rg.stack_dynamic_partitions([1, 2, 3], [1, 0, -1], 3), "InvalidArgumentError"),
    (lambda rg: rg.stack_dynamic_partitions([1, 2, 3], [1, 0], 3), "ValueError"),
])
def test_ragged_function_errors(fn, cls):
    check_error(lambda m: fn(_mods(m)[2]), cls)


# ---- gradients through flat values --------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda t, rt, rg, x: rt.from_uniform_row_length(x, 2).to_tensor() * 3.0,
    lambda t, rt, rg, x: rt.from_row_starts(x, [0, 1, 4]).merge_dims(0, 1) ** 2,
    lambda t, rt, rg, x: rt.from_row_limits(x, [2, 6]).to_sparse().values * 2.0,
    lambda t, rt, rg, x: rg.stack_dynamic_partitions(x, [1, 0, 1, 0, 2, 2], 3).to_tensor()
    * t.constant([[1.0], [2.0], [3.0]]),
])
def test_gradients(fn):
    grads = []
    for m in ("nf", "tf"):
        t, rt, rg, _ = _mods(m)
        x = t.Variable(np.arange(6, dtype=np.float32) + 1)
        with t.GradientTape() as tape:
            loss = t.reduce_sum(fn(t, rt, rg, x))
        grads.append(t.convert_to_tensor(tape.gradient(loss, x)).numpy())
    np.testing.assert_allclose(grads[0], grads[1])


# ---- tf.strings ---------------------------------------------------------------------------
@pytest.mark.parametrize("args, kwargs", [
    ((["héllo", "ab"], "UTF-8"), {}), (("hé", "UTF-8"), {}), (([["hé"], ["a"]], "UTF-8"), {}),
    (([b"a\xffb"], "UTF-8"), {"errors": "ignore"}), (([b"a\xffb"], "UTF-8"), {}),
    (([b"a\xffb"], "UTF-8"), {"replacement_char": 63}),
])
def test_unicode_split_with_offsets(args, kwargs):
    check(lambda m: _mods(m)[0].strings.unicode_split_with_offsets(*args, **kwargs))


def test_unicode_split_with_offsets_strict():
    check_error(lambda m: _mods(m)[0].strings.unicode_split_with_offsets(
        [b"a\xffb"], "UTF-8", errors="strict"), "InvalidArgumentError")


def test_unsorted_segment_join_values():
    check(lambda m: _mods(m)[0].strings.unsorted_segment_join(["a", "b", "c"], [1, 0, 1], 3,
                                                              separator=", "))
    check(lambda m: _mods(m)[0].strings.unsorted_segment_join(
        _mods(m)[0].zeros([0], _mods(m)[0].string), _mods(m)[0].zeros([0], _mods(m)[0].int32),
        2))


def test_to_hash_bucket_matches_tf_bit_for_bit():
    words = [b"", b"a", b"hello", b"abcdefgh", b"abcdefghi", "café au lait".encode(),
             bytes(range(256)), b"\xff" * 15]
    for buckets in (1, 10, 2**31 - 1, 2**63 - 1):
        check(lambda m: _mods(m)[0].strings.to_hash_bucket(words, buckets))
    check(lambda m: _mods(m)[0].strings.to_hash_bucket(_mods(m)[2].constant([["a", "b"], ["c"]]),
                                                       7))
