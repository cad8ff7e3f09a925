"""Cases for the string ops added with the ragged work (ndflow/structures/string_more.py).
Neither op has a gradient. String outputs are compared through their FarmHash buckets
and byte lengths (exact), as in string_cases."""
import numpy as np

import ndflow.strings  # noqa: F401 - makes ndflow.strings available to the case functions
from opcases import ErrorCase, OpCase


def _h(tf, t):
    return tf.strings.to_hash_bucket_fast(t, 2**62), tf.strings.length(t)


WORDS = np.array(["a", "bé", "", "cd", "e"])
GRID = np.array([["a", "b"], ["c", "d"], ["é", "f"]])

CASES = [
    OpCase("UnsortedSegmentJoin_1d", lambda tf, x: _h(tf, tf.strings.unsorted_segment_join(
        x, [2, 0, 2, 1, 2], 4, separator="|")), [WORDS], ["UnsortedSegmentJoin"]),
    OpCase("UnsortedSegmentJoin_rows", lambda tf, x: _h(tf, tf.strings.unsorted_segment_join(
        x, np.array([1, 0, 1], np.int64), 2)), [GRID], ["UnsortedSegmentJoin"]),
    OpCase("UnsortedSegmentJoin_2d_ids", lambda tf, x: _h(tf, tf.strings.unsorted_segment_join(
        x, [[0, 1], [1, 1], [0, 0]], 3, separator=", ")), [GRID], ["UnsortedSegmentJoin"]),
    ErrorCase("UnsortedSegmentJoin_id_too_big", lambda tf, x: tf.strings.unsorted_segment_join(
        x, [0, 0, 5, 0, 0], 3), [WORDS], "InvalidArgumentError"),
    ErrorCase("UnsortedSegmentJoin_negative_id", lambda tf, x: tf.strings.unsorted_segment_join(
        x, [0, -1, 0, 0, 0], 3), [WORDS], "InvalidArgumentError"),
    ErrorCase("UnsortedSegmentJoin_shape", lambda tf, x: tf.strings.unsorted_segment_join(
        x, [0, 1], 3), [WORDS], "InvalidArgumentError"),
    ErrorCase("UnsortedSegmentJoin_float_ids", lambda tf, x: tf.strings.unsorted_segment_join(
        x, [0.0, 1.0, 0.0, 0.0, 0.0], 3), [WORDS], "InvalidArgumentError"),
    ErrorCase("UnsortedSegmentJoin_negative_num", lambda tf, x: tf.strings.unsorted_segment_join(
        x, [0, 1, 0, 0, 0], -1), [WORDS], "InvalidArgumentError"),
    OpCase("StringToHashBucket", lambda tf, x: tf.strings.to_hash_bucket(x, 1000), [WORDS],
           ["StringToHashBucket"]),
    OpCase("StringToHashBucket_wide", lambda tf, x: tf.strings.to_hash_bucket(x, 2**63 - 1),
           [GRID], ["StringToHashBucket"]),
    ErrorCase("StringToHashBucket_zero_buckets", lambda tf, x: tf.strings.to_hash_bucket(x, 0),
              [WORDS], "InvalidArgumentError"),
]
