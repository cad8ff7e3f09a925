"""Unicode ops: unicode_decode (with offsets), unicode_encode, unicode_split, unicode_transcode.

Decoding uses Python's codecs with an error handler that marks each malformed sequence with a
lone surrogate (which no valid input decodes to), so ``errors`` and ``replacement_char`` can be
applied as TensorFlow (ICU) applies them: one replacement per malformed sequence.
"""
import codecs

import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops.registry import execute, op_error, register
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.ragged_tensor import RaggedTensor
from ndflow.structures.static_shapes import dims_of
from ndflow.structures.string_ops import (STRING, as_string_tensor, check_choice, map_strings,
                                          ragged_elementwise)

_BAD = errors.InvalidArgumentError
_MARK = "\ud800"
_ERRORS = ("strict", "replace", "ignore")
_OUTPUT_ENCODINGS = ("UTF-8", "UTF-16-BE", "UTF-32-BE")


def _mark_malformed(exc):
    # The marker's second character carries the malformed sequence's length in bytes.
    return _MARK + chr(0xDC00 + exc.end - exc.start), exc.end


codecs.register_error("ndflow_mark", _mark_malformed)


def _codec(op_name, encoding):
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise op_error(_BAD, op_name, f"Could not create converter for input encoding: "
                                      f"{encoding}") from None


def _decode(op_name, s, codec, errors, replacement_char, replace_control):
    """(code points, byte offsets) of the bytes ``s``."""
    text = s.decode(codec, "ndflow_mark")
    points, offsets, pos, i = [], [], 0, 0
    while i < len(text):
        ch = text[i]
        if ch == _MARK:
            if errors == "strict":
                raise op_error(_BAD, op_name, "Invalid formatting on input string")
            if errors == "replace":
                points.append(replacement_char)
                offsets.append(pos)
            pos += ord(text[i + 1]) - 0xDC00
            i += 2
            continue
        code = ord(ch)
        if replace_control and code < 0x20:
            code = replacement_char
        points.append(code)
        offsets.append(pos)
        pos += len(ch.encode(codec))
        i += 1
    return points, offsets


def _decode_kernel(with_offsets, op_name):
    def kernel(xp, x, input_encoding, errors, replacement_char, replace_control_characters):
        codec = _codec(op_name, input_encoding)
        splits, points, offsets = [0], [], []
        for s in x.reshape(-1):
            p, o = _decode(op_name, s, codec, errors, replacement_char,
                           replace_control_characters)
            points.extend(p)
            offsets.extend(o)
            splits.append(len(points))
        out = (xp.asarray(splits, np.int64), xp.asarray(points, np.int32))
        return out + (xp.asarray(offsets, np.int64),) if with_offsets else out
    return kernel


UNICODE_DECODE = register("UnicodeDecode", _decode_kernel(False, "UnicodeDecode"),
                          allowed=STRING, num_outputs=2)
UNICODE_DECODE_WITH_OFFSETS = register(
    "UnicodeDecodeWithOffsets", _decode_kernel(True, "UnicodeDecodeWithOffsets"),
    allowed=STRING, num_outputs=3)


def rows_to_ragged(values, splits, shape):
    """Rows of ``values`` cut at ``splits`` shaped like a string tensor of ``shape``: a dense
    tensor for a scalar, else a RaggedTensor whose outer dimensions are uniform."""
    if not shape:
        return values
    result = RaggedTensor.from_row_splits(values, splits, validate=False)
    count = int(np.prod(shape))
    for d in reversed(shape[1:]):
        count //= d
        result = RaggedTensor.from_uniform_row_length(result, d, nrows=count)
    return result


def _decode_attrs(op_name, input_encoding, errors, replacement_char,
                  replace_control_characters):
    check_choice(op_name, "errors", errors, _ERRORS)
    return {"input_encoding": input_encoding, "errors": errors,
            "replacement_char": int(replacement_char),
            "replace_control_characters": bool(replace_control_characters)}


def _chars_shape(input, *args, **kwargs):  # noqa: A002
    """TensorFlow's static shape of a per-character result: the input's shape plus one ragged
    dimension ([None] for a scalar)."""
    dims = dims_of(input)
    return None if dims is None else dims + [None]


def _chars_and_offsets_shape(input, *args, **kwargs):  # noqa: A002
    shape = _chars_shape(input)
    return [shape, shape]


# Inside a traced function these become one node each: the number of characters (and so the
# row partition) is only known from the strings' values at run time.
@host_function(shape=_chars_shape, type_name="UnicodeDecode")
def unicode_decode(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   replace_control_characters=False, name=None):
    """Code points (int32) of each string: a Tensor for a scalar, a RaggedTensor for batches
    (a ragged input gains one ragged dimension)."""
    if isinstance(input, RaggedTensor):
        return input.with_flat_values(unicode_decode(
            input.flat_values, input_encoding, errors, replacement_char,
            replace_control_characters))
    x = as_string_tensor(input)
    attrs = _decode_attrs("UnicodeDecode", input_encoding, errors, replacement_char,
                          replace_control_characters)
    splits, points = execute(UNICODE_DECODE, (x,), attrs)
    return rows_to_ragged(points, splits, x.shape.as_list())


@host_function(shape=_chars_and_offsets_shape, type_name="UnicodeDecodeWithOffsets")
def unicode_decode_with_offsets(input, input_encoding, errors="replace",  # noqa: A002
                                replacement_char=65533, replace_control_characters=False,
                                name=None):
    """``unicode_decode`` plus each character's starting byte offset (int64)."""
    if isinstance(input, RaggedTensor):
        points, offsets = unicode_decode_with_offsets(
            input.flat_values, input_encoding, errors, replacement_char,
            replace_control_characters)
        return input.with_flat_values(points), input.with_flat_values(offsets)
    x = as_string_tensor(input)
    attrs = _decode_attrs("UnicodeDecodeWithOffsets", input_encoding, errors, replacement_char,
                          replace_control_characters)
    splits, points, offsets = execute(UNICODE_DECODE_WITH_OFFSETS, (x,), attrs)
    shape = x.shape.as_list()
    return rows_to_ragged(points, splits, shape), rows_to_ragged(offsets, splits, shape)


# ---------------------------------------------------------------------------------------------
# Encoding

def _valid_point(code):
    return 0 <= code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF


def _encode_points(points, encoding, errors, replacement_char, op_name):
    chars = []
    for code in points:
        code = int(code)
        if not _valid_point(code):
            if errors == "strict":
                raise op_error(_BAD, op_name,
                               "Code point is out of range for Unicode, or is a surrogate.")
            if errors == "ignore":
                continue
            code = replacement_char
        chars.append(chr(code))
    return "".join(chars).encode(encoding)


def _encode_kernel(xp, values, splits, output_encoding, errors, replacement_char):
    out = xp.empty(len(splits) - 1, dtype=object)
    for i in range(out.size):
        out[i] = _encode_points(values[splits[i]:splits[i + 1]], output_encoding, errors,
                                replacement_char, "UnicodeEncode")
    return out


UNICODE_ENCODE = register("UnicodeEncode", _encode_kernel, allowed=frozenset((dtypes.int32,)))


def _encode_attrs(op_name, encoding, errors, replacement_char):
    check_choice(op_name, "output_encoding", encoding, _OUTPUT_ENCODINGS)
    check_choice(op_name, "errors", errors, _ERRORS)
    return {"output_encoding": encoding, "errors": errors,
            "replacement_char": int(replacement_char)}


def unicode_encode(input, output_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                   name=None):
    """Encodes int32 code points (the innermost dimension, dense or ragged) as strings."""
    attrs = _encode_attrs("UnicodeEncode", output_encoding, errors, replacement_char)
    if isinstance(input, RaggedTensor):
        if isinstance(input.values, RaggedTensor):
            return input.with_values(unicode_encode(input.values, output_encoding, errors,
                                                    replacement_char))
        return execute(UNICODE_ENCODE, (input.values, input.row_splits), attrs)
    x = convert_to_tensor(input)
    if x.ndim == 0:
        raise ValueError("input_tensor's rank must be at least 1.")
    return _encode_dense(x, attrs)


def _encoded_shape(x, attrs):
    dims = dims_of(x)
    return None if dims is None else dims[:-1]


# Inside a traced function with unknown dimensions the rows are cut when the function runs.
@host_function(shape=_encoded_shape, type_name="UnicodeEncode")
def _encode_dense(x, attrs):
    shape = x.shape.as_list()
    width, rows = shape[-1], int(np.prod(shape[:-1]))
    flat = execute_reshape(x, [-1])
    splits = convert_to_tensor(np.arange(rows + 1, dtype=np.int64) * width)
    out = execute(UNICODE_ENCODE, (flat, splits), attrs)
    return execute_reshape(out, shape[:-1])


def execute_reshape(x, shape):
    """``ndflow.reshape`` (imported late: array_ops imports much of ndflow)."""
    from ndflow.ops.array_ops import reshape
    return reshape(x, shape)


@host_function(shape=_chars_shape, type_name="UnicodeSplit")
def unicode_split(input, input_encoding, errors="replace", replacement_char=65533,  # noqa: A002
                  name=None):
    """Splits each string into its characters, re-encoded as UTF-8 strings (a ragged input
    gains one ragged dimension)."""
    if isinstance(input, RaggedTensor):
        return input.with_flat_values(unicode_split(input.flat_values, input_encoding, errors,
                                                    replacement_char))
    x = as_string_tensor(input)
    attrs = _decode_attrs("UnicodeDecode", input_encoding, errors, replacement_char, False)
    splits, points = execute(UNICODE_DECODE, (x,), attrs)
    n = points.shape[0]
    singles = convert_to_tensor(np.arange(n + 1, dtype=np.int64))
    chars = execute(UNICODE_ENCODE, (points, singles),
                    _encode_attrs("UnicodeEncode", "UTF-8", errors, replacement_char))
    return rows_to_ragged(chars, splits, x.shape.as_list())


def _transcode_kernel(xp, x, input_encoding, output_encoding, errors, replacement_char,
                      replace_control_characters):
    codec = _codec("UnicodeTranscode", input_encoding)

    def transcode(s):
        points, _ = _decode("UnicodeTranscode", s, codec, errors, replacement_char,
                            replace_control_characters)
        return _encode_points(points, output_encoding, errors, replacement_char,
                              "UnicodeTranscode")
    return map_strings(xp, x, transcode)


UNICODE_TRANSCODE = register("UnicodeTranscode", _transcode_kernel, allowed=STRING)


@ragged_elementwise
def unicode_transcode(input, input_encoding, output_encoding, errors="replace",  # noqa: A002
                      replacement_char=65533, replace_control_characters=False, name=None):
    """Re-encodes each string from ``input_encoding`` to ``output_encoding``."""
    attrs = _encode_attrs("UnicodeTranscode", output_encoding, errors, replacement_char)
    attrs.update(input_encoding=input_encoding,
                 replace_control_characters=bool(replace_control_characters))
    return execute(UNICODE_TRANSCODE, (as_string_tensor(input),), attrs)
