"""``tf.strings``: operations on string tensors."""
from ndflow.structures.string_convert import as_string, format, to_number  # noqa: A004
from ndflow.structures.string_more import (to_hash_bucket, unicode_split_with_offsets,
                                           unsorted_segment_join)
from ndflow.structures.string_ops import (join, length, lower, reduce_join, regex_full_match,
                                          regex_replace, strip, substr, to_hash_bucket_fast,
                                          to_hash_bucket_strong, upper)
from ndflow.structures.string_script import unicode_script
from ndflow.structures.string_split import bytes_split, ngrams, split
from ndflow.structures.string_unicode import (unicode_decode, unicode_decode_with_offsets,
                                              unicode_encode, unicode_split, unicode_transcode)

__all__ = ["as_string", "bytes_split", "format", "join", "length", "lower", "ngrams",
           "reduce_join", "regex_full_match", "regex_replace", "split", "strip", "substr",
           "to_hash_bucket", "to_hash_bucket_fast", "to_hash_bucket_strong", "to_number",
           "unicode_decode", "unicode_decode_with_offsets", "unicode_encode", "unicode_script",
           "unicode_split", "unicode_split_with_offsets", "unicode_transcode",
           "unsorted_segment_join", "upper"]
