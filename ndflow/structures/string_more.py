"""More ``tf.strings`` ops: unicode_split_with_offsets, unsorted_segment_join and
to_hash_bucket (TensorFlow's legacy Hash64, a MurmurHash64A variant)."""
import struct

import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops.registry import execute, op_error, register
from ndflow.structures.string_ops import (STRING, _check_buckets, as_string_tensor, map_strings,
                                          ragged_elementwise)
from ndflow.structures.string_unicode import (UNICODE_DECODE_WITH_OFFSETS, UNICODE_ENCODE,
                                              _decode_attrs, _encode_attrs, rows_to_ragged)

_BAD = errors.InvalidArgumentError
_INDEX = frozenset((dtypes.int32, dtypes.int64))


def unicode_split_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                               replacement_char=65533, name=None):
    """``unicode_split`` plus the starting byte offset (int64) of each character."""
    x = as_string_tensor(input)
    attrs = _decode_attrs("UnicodeDecodeWithOffsets", input_encoding, errors, replacement_char,
                          False)
    splits, points, offsets = execute(UNICODE_DECODE_WITH_OFFSETS, (x,), attrs)
    singles = convert_to_tensor(np.arange(points.shape[0] + 1, dtype=np.int64))
    chars = execute(UNICODE_ENCODE, (points, singles),
                    _encode_attrs("UnicodeEncode", "UTF-8", errors, replacement_char))
    shape = x.shape.as_list()
    return rows_to_ragged(chars, splits, shape), rows_to_ragged(offsets, splits, shape)


def _segment_join_kernel(xp, inputs, segment_ids, num_segments, separator):
    op = "UnsortedSegmentJoin"
    n = int(num_segments)
    if segment_ids.ndim == 0:
        raise op_error(_BAD, op, "Segment_id cannot have rank 0")
    if n < 0:
        raise op_error(_BAD, op, f"Number of segments must be non-negative but got {n}")
    for axis, (s, d) in enumerate(zip(segment_ids.shape, inputs.shape)):
        if s != d:
            raise op_error(_BAD, op, f"Segment dimension is {s} while input dimension is {d} "
                                     f"in rank {axis}")
    if segment_ids.ndim > inputs.ndim:
        raise op_error(_BAD, op, f"Segment ids of shape {list(segment_ids.shape)} do not fit "
                                 f"inputs of shape {list(inputs.shape)}")
    ids = segment_ids.reshape(-1)
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise op_error(_BAD, op, "segment_ids are not allowed to exceed num_segments or to have "
                                 "negative values.")
    inner = inputs.shape[segment_ids.ndim:]
    rows = inputs.reshape((ids.size, int(np.prod(inner, dtype=np.int64))))
    parts = [[[] for _ in range(rows.shape[1])] for _ in range(n)]
    for r, seg in enumerate(ids):
        for c, item in enumerate(rows[r]):
            parts[seg][c].append(item)
    out = xp.empty((n, rows.shape[1]), dtype=object)
    for seg in range(n):
        for c in range(rows.shape[1]):
            out[seg, c] = separator.join(parts[seg][c])
    return out.reshape((n,) + inner)


UNSORTED_SEGMENT_JOIN = register("UnsortedSegmentJoin", _segment_join_kernel, allowed=STRING)


def unsorted_segment_join(inputs, segment_ids, num_segments, separator="", name=None):
    """Joins (with ``separator``) the strings of ``inputs`` that share a segment id; segment
    ``i`` of the result is row ``i``, empty when no id is ``i``."""
    x = convert_to_tensor(inputs, dtypes.string)
    ids = convert_to_tensor(segment_ids)
    num = convert_to_tensor(num_segments)
    for label, t in (("Tindices", ids), ("Tnumsegments", num)):
        if t.dtype not in _INDEX:
            raise _BAD(None, None, f"Value for attr '{label}' of {t.dtype.name} is not in the "
                                   f"list of allowed values: int32, int64")
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    return execute(UNSORTED_SEGMENT_JOIN, (x, ids, num), {"separator": sep})


# ---------------------------------------------------------------------------------------------
# Legacy Hash64

_M64 = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995
_SEED = 0xDECAFCAFFE  # TensorFlow's default seed for Hash64
_U64 = struct.Struct("<Q").unpack_from


def _mix(h):
    h ^= h >> 47
    return (h * _MUL) & _M64


def hash64(data, seed=_SEED):
    """TensorFlow's legacy 64-bit string hash (MurmurHash64A with its seed), unsigned."""
    n = len(data)
    h = (seed ^ (n * _MUL)) & _M64
    end = n - n % 8
    for i in range(0, end, 8):
        k = _mix((_U64(data, i)[0] * _MUL) & _M64)
        h = ((h ^ k) * _MUL) & _M64
    if n % 8:
        # The 1..7 trailing bytes are read little-endian into one word.
        h = ((h ^ int.from_bytes(data[end:], "little")) * _MUL) & _M64
    h = _mix(h)
    return h ^ (h >> 47)


def _bucket_kernel(xp, x, num_buckets):
    return map_strings(xp, x, lambda s: hash64(s) % num_buckets, np.int64)


STRING_TO_HASH_BUCKET = register("StringToHashBucket", _bucket_kernel, allowed=STRING)


@ragged_elementwise
def to_hash_bucket(input, num_buckets, name=None):  # noqa: A002 - TensorFlow's name
    """Buckets strings by TensorFlow's legacy Hash64 modulo ``num_buckets`` (int64); prefer
    ``to_hash_bucket_fast``, as TensorFlow does."""
    n = _check_buckets("StringToHashBucket", num_buckets)
    return execute(STRING_TO_HASH_BUCKET, (as_string_tensor(input),), {"num_buckets": n})
