"""``sparse.cross`` and ``sparse.cross_hashed``: per-row cartesian products of feature columns.

Each input (a ``[batch, k]`` dense tensor or a 2-D SparseTensor) gives, for every batch row, a
list of features; a row's crosses are all combinations taking one feature from each input
(SparseTensor inputs first, then dense ones, as TensorFlow's kernel orders them; the last
input varies fastest). ``cross`` joins the features' text with a separator; ``cross_hashed``
chains FarmHash fingerprints bit for bit as TensorFlow does.
"""
import itertools

import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops import math_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register
from ndflow.structures.sparse_tensor import SparseTensor
from ndflow.structures.string_farmhash import fingerprint64

_M64 = (1 << 64) - 1
_INT64_MAX = (1 << 63) - 1
_CAT_MUL = 0xc6a4a7935bd1e995
_DEFAULT_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default key for cross_hashed


def _shift_mix(v):
    return v ^ (v >> 47)


def _fingerprint_cat64(fp1, fp2):
    """Combines two 64-bit fingerprints (TensorFlow's FingerprintCat64)."""
    result = fp1 ^ _CAT_MUL
    result ^= (_shift_mix((fp2 * _CAT_MUL) & _M64) * _CAT_MUL) & _M64
    result = (result * _CAT_MUL) & _M64
    result = (_shift_mix(result) * _CAT_MUL) & _M64
    return _shift_mix(result)


def _row_features(op_name, tensors, num_sparse):
    """Per input, per batch row, the list of that row's features (bytes or ints)."""
    idxs, vals = tensors[:num_sparse], tensors[num_sparse:2 * num_sparse]
    shapes, dense = tensors[2 * num_sparse:3 * num_sparse], tensors[3 * num_sparse:]
    for i, idx in enumerate(idxs):
        if idx.ndim != 2 or idx.shape[1] != 2:
            got = idx.shape[1] if idx.ndim == 2 else idx.ndim
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"Expected D2 of index to be 2 got {got} at position {i}")
    for i, d in enumerate(dense):
        if d.ndim != 2:
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"Dense inputs should be a matrix but received shape "
                           f"{list(d.shape)} at position {i}")
    batch = int(shapes[0][0]) if num_sparse else (dense[0].shape[0] if dense else 0)
    for i, shape in enumerate(shapes):
        if int(shape[0]) != batch:
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"Expected batch size {batch} got {int(shape[0])} at position {i}")
    for i, d in enumerate(dense):
        if d.shape[0] != batch:
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"Expected batch size {batch} got {d.shape[0]} at dense tensor {i}")
    columns = []
    for idx, val in zip(idxs, vals):
        # TensorFlow scans the entries once, expecting them grouped by ascending row: a row's
        # features are the run of entries with that row id where the scan stands.
        rows, end, n = [], 0, idx.shape[0]
        values = val.tolist()
        for b in range(batch):
            start = end
            while end < n and int(idx[end, 0]) == b:
                end += 1
            rows.append(values[start:end])
        columns.append(rows)
    columns.extend([row for row in d.tolist()] for d in dense)
    return batch, columns


def _cross(op_name, tensors, num_sparse, combine, out_dtype):
    batch, columns = _row_features(op_name, tensors, num_sparse)
    out_idx, out_val, width = [], [], 0
    for b in range(batch):
        crosses = [combine(c) for c in itertools.product(*[col[b] for col in columns])] \
            if columns else []
        out_idx.extend([b, k] for k in range(len(crosses)))
        out_val.extend(crosses)
        width = max(width, len(crosses))
    idx = np.asarray(out_idx, np.int64).reshape(-1, 2)
    val = np.empty(len(out_val), object) if out_dtype is object else np.asarray(out_val, out_dtype)
    if out_dtype is object:
        val[:] = out_val
    return idx, val, np.asarray([batch, width], np.int64)


def _as_text(feature):
    return feature if isinstance(feature, bytes) else str(int(feature)).encode()


def _cross_v2_kernel(xp, *tensors, num_sparse):
    sep = tensors[-1].item()
    return _cross("SparseCrossV2", tensors[:-1], num_sparse,
                  lambda c: sep.join(_as_text(f) for f in c), object)


def _cross_kernel(xp, *tensors, num_sparse, hashed_output, num_buckets, hash_key):
    if not hashed_output:
        return _cross("SparseCross", tensors, num_sparse,
                      lambda c: b"_X_".join(_as_text(f) for f in c), object)

    def combine(features):
        h = hash_key
        for f in features:
            h = _fingerprint_cat64(h, fingerprint64(f) if isinstance(f, bytes) else f & _M64)
        return h % num_buckets if num_buckets > 0 else h % _INT64_MAX
    return _cross("SparseCross", tensors, num_sparse, combine, np.int64)


CROSS_V2 = register("SparseCrossV2", _cross_v2_kernel, num_outputs=3,
                    infer=output_dtypes(dtypes.int64, dtypes.string, dtypes.int64))
CROSS = register("SparseCross", _cross_kernel, num_outputs=3,
                 infer=output_dtypes(dtypes.int64, dtypes.int64, dtypes.int64))


def _split_inputs(inputs):
    """The sparse and dense inputs, features cast to int64 unless they are strings."""
    if not isinstance(inputs, list):
        raise TypeError("Inputs must be a list")
    sparse, dense = [], []
    for x in inputs:
        if isinstance(x, SparseTensor):
            if x.dtype not in (dtypes.string, dtypes.int64):
                x = SparseTensor(x.indices, math_ops.cast(x.values, dtypes.int64),
                                 x.dense_shape)
            sparse.append(x)
        elif isinstance(x, Tensor) or not hasattr(x, "_is_tensor_like"):
            t = convert_to_tensor(x)
            if t.dtype not in (dtypes.string, dtypes.int64):
                t = math_ops.cast(t, dtypes.int64)
            dense.append(t)
        else:
            raise TypeError("All inputs must be Tensor or SparseTensor.")
    tensors = ([s.indices for s in sparse] + [s.values for s in sparse]
               + [s.dense_shape for s in sparse] + dense)
    return tensors, len(sparse)


def cross(inputs, name=None, separator=None):
    """The string crosses of the features of each row of ``inputs`` (features joined by
    ``separator``, default ``"_X_"``), as a 2-D string SparseTensor."""
    tensors, num_sparse = _split_inputs(inputs)
    sep = convert_to_tensor("_X_" if separator is None else separator, dtypes.string)
    idx, val, shape = execute(CROSS_V2, tuple(tensors) + (sep,), {"num_sparse": num_sparse})
    return SparseTensor(idx, val, shape)


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """The hashed crosses of the features of each row of ``inputs`` as a 2-D int64
    SparseTensor (``num_buckets`` > 0: hashes taken modulo it)."""
    tensors, num_sparse = _split_inputs(inputs)
    num_buckets = int(num_buckets)
    if num_buckets < 0:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr 'num_buckets' of {num_buckets} must be at least "
            f"minimum 0")
    key = _DEFAULT_HASH_KEY if hash_key is None else int(hash_key) & _M64
    idx, val, shape = execute(CROSS, tuple(tensors), {
        "num_sparse": num_sparse, "hashed_output": True, "num_buckets": num_buckets,
        "hash_key": key})
    return SparseTensor(idx, val, shape)


__all__ = ["cross", "cross_hashed"]
