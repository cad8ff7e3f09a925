"""Cases for ndflow.strings (ndflow/structures/string_*.py). None of these ops has a gradient.

Registry conformance compares numbers, so string outputs are checked through their FarmHash
buckets (``_h``: exact, since the hash is of the whole byte string) and lengths."""
import numpy as np

import ndflow.strings  # noqa: F401 - makes ndflow.strings available to the case functions
from opcases import ErrorCase, OpCase

WORDS = np.array(["café", "Hello World", "", "  padded\t", "a,b,,c", "ab cd e"])
GRID = np.array([["a", "bc"], ["déf", ""], ["g", "hi"]])


def _h(tf, t):
    """A string tensor as exact numbers: its FarmHash buckets and byte lengths."""
    return tf.strings.to_hash_bucket_fast(t, 2**62), tf.strings.length(t)


def _ragged(r):
    return r.flat_values, r.row_splits


CASES = [
    OpCase("StringLength_bytes", lambda tf, x: tf.strings.length(x), [WORDS],
           ["StringLength"]),
    OpCase("StringLength_utf8", lambda tf, x: tf.strings.length(x, unit="UTF8_CHAR"), [GRID],
           ["StringLength"]),
    OpCase("StringLower_upper", lambda tf, x: _h(tf, tf.strings.lower(x)) +
           _h(tf, tf.strings.upper(x, encoding="utf-8")), [WORDS],
           ["StringLower", "StringUpper", "StringToHashBucketFast"]),
    OpCase("StringStrip", lambda tf, x: _h(tf, tf.strings.strip(x)), [WORDS], ["StringStrip"]),
    OpCase("StringJoin_broadcast", lambda tf, x: _h(tf, tf.strings.join([x, "-", x[::-1]])),
           [WORDS], ["StringJoin"]),
    OpCase("ReduceJoin_axis", lambda tf, x: _h(tf, tf.strings.reduce_join(
        x, axis=0, keepdims=True, separator="|")), [GRID], ["ReduceJoin"]),
    OpCase("ReduceJoin_all", lambda tf, x: _h(tf, tf.strings.reduce_join(x)), [GRID],
           ["ReduceJoin"]),
    OpCase("Substr_negative_pos", lambda tf, x: _h(tf, tf.strings.substr(x, -1, 1)),
           [np.array(["abc", "de"])], ["Substr"]),
    OpCase("Substr_utf8", lambda tf, x, p, n: _h(tf, tf.strings.substr(x, p, n,
                                                                         unit="UTF8_CHAR")),
           [np.array(["café", "héllo"]), np.array([2, 1], np.int32), np.array([2, 9], np.int32)],
           ["Substr"]),
    OpCase("StaticRegexReplace", lambda tf, x: _h(tf, tf.strings.regex_replace(
        x, r"([a-z])\s", r"<\1>")), [WORDS], ["StaticRegexReplace"]),
    OpCase("RegexReplace_tensor_pattern", lambda tf, x, p: _h(tf, tf.strings.regex_replace(
        x, p, "#", replace_global=False)), [WORDS, np.array("[a-c]")], ["RegexReplace"]),
    OpCase("StaticRegexFullMatch", lambda tf, x: tf.strings.regex_full_match(x, ".*a.*"),
           [WORDS], ["StaticRegexFullMatch"]),
    OpCase("RegexFullMatch_tensor_pattern", lambda tf, x, p: tf.strings.regex_full_match(x, p),
           [GRID, np.array("[a-z]+")], ["RegexFullMatch"]),
    OpCase("StringToNumber_float", lambda tf, x: tf.strings.to_number(x),
           [np.array(["1.5", " -2e3 ", "inf", "0x10"])], ["StringToNumber"]),
    OpCase("StringToNumber_int64", lambda tf, x: tf.strings.to_number(x, tf.int64),
           [np.array([["12", "-9223372036854775808"]])], ["StringToNumber"]),
    OpCase("AsString_float_width", lambda tf, x: _h(tf, tf.strings.as_string(
        x, precision=3, width=12, fill="0")), [np.array([1.25, -3.5, 1e10], np.float32)],
        ["AsString"]),
    OpCase("AsString_int_shortest", lambda tf, x, y: _h(tf, tf.strings.as_string(x)) +
           _h(tf, tf.strings.as_string(y, shortest=True)),
           [np.array([7, -12], np.int64), np.array([0.1, 2.5e-7])], ["AsString"]),
    OpCase("StringFormat", lambda tf, x, y: _h(tf, tf.strings.format(
        "x={}, y={}", [x, y], summarize=2)), [np.arange(12, dtype=np.int32).reshape(3, 4),
                                              np.array(["p", "q"])], ["StringFormat"]),
    OpCase("StringToHashBucketFast", lambda tf, x: tf.strings.to_hash_bucket_fast(x, 7),
           [WORDS], ["StringToHashBucketFast"]),
    OpCase("StringToHashBucketStrong", lambda tf, x: tf.strings.to_hash_bucket_strong(
        x, 11, [3, 99]), [GRID], ["StringToHashBucketStrong"]),
    OpCase("UnicodeDecode_batch", lambda tf, x: _ragged(tf.strings.unicode_decode(x, "UTF-8")),
           [WORDS], ["UnicodeDecode"]),
    OpCase("UnicodeDecodeWithOffsets", lambda tf, x: _ragged(
        tf.strings.unicode_decode_with_offsets(x, "UTF-8")[1]), [WORDS],
        ["UnicodeDecodeWithOffsets"]),
    OpCase("UnicodeEncode_dense", lambda tf, x: _h(tf, tf.strings.unicode_encode(x, "UTF-8")),
           [np.array([[99, 233, 0x1F600], [65, 0xD800, 66]], np.int32)], ["UnicodeEncode"]),
    OpCase("UnicodeScript", lambda tf, x: tf.strings.unicode_script(x),
           [np.array([[65, 0x416, 0x3B1, 0x4E2D], [0x627, 48, 0x301, -1]], np.int32)],
           ["UnicodeScript"]),
    OpCase("UnicodeSplit", lambda tf, x: _h(tf, tf.strings.unicode_split(x, "UTF-8")
                                            .flat_values), [WORDS],
           ["UnicodeDecode", "UnicodeEncode"]),
    OpCase("UnicodeTranscode_utf16", lambda tf, x: _h(tf, tf.strings.unicode_transcode(
        x, "UTF-8", "UTF-16-BE")), [WORDS], ["UnicodeTranscode"]),
    OpCase("StringSplitV2_whitespace", lambda tf, x: _h(tf, tf.strings.split(x).flat_values)
           + (tf.strings.split(x).row_splits,), [WORDS], ["StringSplitV2"]),
    OpCase("StringSplitV2_sep", lambda tf, x: _h(tf, tf.strings.split(x, ",", maxsplit=2)
                                                 .flat_values), [WORDS], ["StringSplitV2"]),
    OpCase("StringSplit_bytes", lambda tf, x: _h(tf, tf.strings.bytes_split(x).flat_values),
           [WORDS], ["StringSplit"]),
    OpCase("StringNGrams_padded", lambda tf, x: _h(tf, tf.strings.ngrams(
        x, (2, 3), separator="+", pad_values=("<", ">"))), [GRID], ["StringNGrams"]),
    ErrorCase("StringLength_numeric", lambda tf, x: tf.strings.length(x),
              [np.array([1, 2], np.int32)], "InvalidArgumentError"),
    ErrorCase("Substr_pos_out_of_range", lambda tf, x: tf.strings.substr(x, 4, 1),
              [np.array(["abc"])], "InvalidArgumentError"),
    ErrorCase("StringToNumber_bad", lambda tf, x: tf.strings.to_number(x),
              [np.array(["1.5x"])], "InvalidArgumentError"),
    ErrorCase("StringJoin_shapes", lambda tf, x, y: tf.strings.join([x, y]),
              [np.array(["a", "b"]), np.array(["c"])], "InvalidArgumentError"),
    ErrorCase("UnicodeEncode_int64", lambda tf, x: tf.strings.unicode_encode(x, "UTF-8"),
              [np.array([65], np.int64)], "InvalidArgumentError"),
    ErrorCase("StaticRegexReplace_bad_pattern", lambda tf, x: tf.strings.regex_replace(
        x, "(", ""), [np.array(["a"])], "InvalidArgumentError"),
    ErrorCase("ReduceJoin_axis_out_of_range", lambda tf, x: tf.strings.reduce_join(x, axis=3),
              [GRID], "OutOfRangeError"),
]
