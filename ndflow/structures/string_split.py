"""Tokenising ops: split, bytes_split and ngrams (ragged results for batches)."""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops.registry import execute, register
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.ragged_tensor import RaggedTensor
from ndflow.structures.static_shapes import dims_of
from ndflow.structures.string_ops import STRING, as_string_tensor
from ndflow.structures.string_unicode import rows_to_ragged

_BAD = errors.InvalidArgumentError


def _sparse_outputs(xp, pieces_per_row):
    """TensorFlow's sparse split outputs (indices, values, dense_shape) of lists of tokens."""
    rows, cols, values = [], [], []
    width = 0
    for r, pieces in enumerate(pieces_per_row):
        rows.extend([r] * len(pieces))
        cols.extend(range(len(pieces)))
        values.extend(pieces)
        width = max(width, len(pieces))
    indices = xp.asarray([rows, cols], dtype=np.int64).T.reshape(-1, 2)
    out = xp.empty(len(values), dtype=object)
    out[:] = values
    shape = xp.asarray([len(pieces_per_row), width], dtype=np.int64)
    return indices, out, shape


def _split_kernel(xp, x, sep, maxsplit):
    # An empty separator splits on runs of ASCII whitespace, ignoring leading/trailing runs.
    sep = sep[()] or None
    return _sparse_outputs(xp, [s.split(sep, maxsplit) for s in x.reshape(-1)])


STRING_SPLIT_V2 = register("StringSplitV2", _split_kernel, allowed=STRING, same_dtype=(0, 1),
                           num_outputs=3)


def _ragged_from_sparse(indices, values, shape, input_shape):
    rowids = convert_to_tensor(np.asarray(indices)[:, 0])
    nrows = int(np.prod(input_shape)) if input_shape else 1
    splits = np.searchsorted(np.asarray(rowids), np.arange(nrows + 1)).astype(np.int64)
    return rows_to_ragged(values, convert_to_tensor(splits), input_shape)


def _tokens_shape(input, *args, **kwargs):  # noqa: A002
    # The input's static shape plus one ragged dimension of tokens; TensorFlow builds a vector
    # input's rows from the sparse result's dense shape, so their number is not static.
    dims = dims_of(input)
    if dims is None:
        return None
    return [None, None] if len(dims) == 1 else dims + [None]


def split(input, sep=None, maxsplit=-1, name=None):  # noqa: A002 - TensorFlow's name
    """Splits each string on ``sep`` (runs of whitespace when None): a vector for a scalar
    input, a RaggedTensor for batches (a ragged input gains one ragged dimension)."""
    if isinstance(input, RaggedTensor):
        return input.with_flat_values(split(input.flat_values, sep, maxsplit))
    return _split(input, sep, maxsplit)


@host_function(shape=_tokens_shape, type_name="StringSplitV2")
def _split(input, sep, maxsplit):  # noqa: A002
    x = convert_to_tensor(input, dtypes.string)
    sep_t = convert_to_tensor(b"" if sep is None else sep)
    indices, values, shape = execute(STRING_SPLIT_V2, (x, sep_t), {"maxsplit": int(maxsplit)})
    return _ragged_from_sparse(indices, values, shape, x.shape.as_list())


def _bytes_kernel(xp, x, delimiter, skip_empty):
    # TensorFlow's StringSplit: an empty delimiter splits into single bytes.
    del delimiter, skip_empty
    return _sparse_outputs(xp, [[s[i:i + 1] for i in range(len(s))] for s in x.reshape(-1)])


STRING_SPLIT = register("StringSplit", _bytes_kernel, allowed=STRING, num_outputs=3)


def bytes_split(input, name=None):  # noqa: A002
    """Splits each string into single bytes (a RaggedTensor for batches; a ragged input gains
    one ragged dimension)."""
    if isinstance(input, RaggedTensor):
        return input.with_flat_values(bytes_split(input.flat_values))
    return _bytes_split(input)


@host_function(shape=_tokens_shape, type_name="StringSplit")
def _bytes_split(input):  # noqa: A002
    x = as_string_tensor(input)
    flat = x if x.ndim == 1 else _reshape(x, [-1])
    indices, values, shape = execute(STRING_SPLIT, (flat, convert_to_tensor(b"")),
                                     {"skip_empty": False})
    return _ragged_from_sparse(indices, values, shape, x.shape.as_list())


def _reshape(x, shape):
    from ndflow.ops.array_ops import reshape
    return reshape(x, shape)


# ---------------------------------------------------------------------------------------------
# ngrams

def _ngrams_kernel(xp, data, splits, separator, ngram_widths, left_pad, right_pad, pad_width,
                   preserve_short_sequences):
    out, out_splits = [], [0]
    for r in range(len(splits) - 1):
        row = list(data[splits[r]:splits[r + 1]])
        start = len(out)
        for width in ngram_widths:
            pad = min(width - 1 if pad_width < 0 else pad_width, width - 1)
            tokens = [left_pad] * pad + row + [right_pad] * pad
            for i in range(len(tokens) - width + 1):
                out.append(separator.join(tokens[i:i + width]))
        if preserve_short_sequences and len(out) == start and row:
            # No width fits: the whole (padded) sequence becomes the row's only n-gram.
            pad = max(pad_width, 0)
            out.append(separator.join([left_pad] * pad + row + [right_pad] * pad))
        out_splits.append(len(out))
    values = xp.empty(len(out), dtype=object)
    values[:] = out
    return values, xp.asarray(out_splits, dtype=splits.dtype)


STRING_NGRAMS = register("StringNGrams", _ngrams_kernel, allowed=STRING, num_outputs=2)


def _bytes(text):
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def _ngrams_shape(data, *args, **kwargs):
    # The outer dimensions of ``data``; the number of n-grams per row is not static.
    dims = dims_of(data)
    return None if not dims else dims[:-1] + [None]


@host_function(shape=_ngrams_shape, type_name="StringNGrams")
def ngrams(data, ngram_width, separator=" ", pad_values=None, padding_width=None,
           preserve_short_sequences=False, name=None):
    """N-grams of the innermost dimension of ``data``, joined with ``separator``."""
    widths = tuple(ngram_width) if isinstance(ngram_width, (list, tuple)) else (ngram_width,)
    for w in widths:
        if w < 1:
            raise ValueError(f"All ngram_widths must be greater than 0. Got {ngram_width}")
    if pad_values is None:
        if padding_width is not None:
            raise ValueError("pad_values must be provided if padding_width is set.")
        left = right = b""
        pad = 0
    elif isinstance(pad_values, (tuple, list)) and len(pad_values) == 2 and all(
            isinstance(p, (str, bytes)) for p in pad_values):
        left, right = _bytes(pad_values[0]), _bytes(pad_values[1])
    elif isinstance(pad_values, (str, bytes)):
        left = right = _bytes(pad_values)
    else:
        raise TypeError("pad_values must be a string, tuple of strings, or None.")
    if pad_values is not None:
        if padding_width is not None and padding_width < 1:
            raise ValueError("padding_width must be greater than 0.")
        pad = -1 if padding_width is None else int(padding_width)
    attrs = {"separator": _bytes(separator), "ngram_widths": widths, "left_pad": left,
             "right_pad": right, "pad_width": pad,
             "preserve_short_sequences": bool(preserve_short_sequences)}
    if isinstance(data, RaggedTensor):
        if isinstance(data.values, RaggedTensor):
            return data.with_values(ngrams(data.values, ngram_width, separator, pad_values,
                                           padding_width, preserve_short_sequences))
        values, splits = execute(STRING_NGRAMS, (data.values, data.row_splits), attrs)
        return RaggedTensor.from_row_splits(values, splits, validate=False)
    x = as_string_tensor(data)
    if x.ndim == 0:
        raise ValueError("Data must have rank>0")
    shape = x.shape.as_list()
    rows, width = int(np.prod(shape[:-1])), shape[-1]
    splits = convert_to_tensor(np.arange(rows + 1, dtype=np.int64) * width)
    values, out_splits = execute(STRING_NGRAMS, (_reshape(x, [-1]), splits), attrs)
    per_row = np.diff(np.asarray(out_splits))
    if per_row.size and np.all(per_row == per_row[0]):
        return _reshape(values, shape[:-1] + [int(per_row[0])])
    if rows == 0:
        return _reshape(values, shape[:-1] + [0])
    return rows_to_ragged(values, out_splits, shape[:-1]).to_tensor()
