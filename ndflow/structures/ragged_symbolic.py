"""Ragged factories on tensors known only when a traced function runs.

Building a row partition from row lengths, row ids, padding or ranges, and validating row
splits, read the values of the arguments. Inside ``ndflow.function`` those steps become host
nodes (see ``graph_fallback``) whose results have the static shapes TensorFlow infers, and
whose checks raise TensorFlow's InvalidArgumentError when the function runs.
"""
import numpy as np

from ndflow.framework.tensor import convert_to_tensor
from ndflow.graph.tensor_spec import TensorSpec
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.ragged_spec import RaggedTensorSpec
from ndflow.structures.ragged_tensor import RaggedTensor, _invalid
from ndflow.structures.static_shapes import dims_of, static_int


def lengths_to_splits(lengths, validate):
    """Eager row splits (of ``lengths``' dtype) of the eager int tensor ``lengths``."""
    n = np.asarray(lengths.numpy())
    if validate and np.any(n < 0):
        raise _invalid("from_row_lengths", "row_lengths must be non-negative")
    return convert_to_tensor(np.concatenate([[0], np.cumsum(n)]).astype(
        lengths.dtype.as_numpy_dtype))


def rowids_to_splits(ids_t, nrows, validate):
    """Eager row splits of the sorted row ids ``ids_t`` (``nrows`` rows, default max + 1)."""
    ids = np.asarray(ids_t.numpy(), dtype=np.int64)
    if validate and (np.any(ids < 0) or np.any(ids[1:] < ids[:-1])):
        raise _invalid("from_value_rowids", "value_rowids must be sorted and non-negative")
    n = int(np.asarray(convert_to_tensor(nrows))) if nrows is not None else (
        int(ids[-1]) + 1 if ids.size else 0)
    if validate and ids.size and ids[-1] >= n:
        raise _invalid("from_value_rowids", f"value_rowids has ids >= nrows ({n})")
    splits = np.searchsorted(ids, np.arange(n + 1), side="left")
    return convert_to_tensor(splits.astype(ids_t.dtype.as_numpy_dtype))


def _splits_spec(count, like):
    """An int vector spec of ``count + 1`` row splits (unknown when ``count`` is)."""
    return TensorSpec([None if count is None else count + 1], like.dtype)


@host_function(lambda values, splits: TensorSpec(splits.shape, splits.dtype),
               type_name="RaggedFromRowSplits")
def checked_row_splits(values, splits):
    """``splits`` after the checks ``from_row_splits(validate=True)`` does."""
    RaggedTensor.from_row_splits(values, splits, validate=True)
    return splits


@host_function(lambda lengths, validate: _splits_spec(dims_of(lengths)[0], lengths),
               type_name="RaggedFromRowLengths")
def splits_from_lengths(lengths, validate):
    """Row splits of ``lengths`` (checked to be non-negative when ``validate``)."""
    return lengths_to_splits(lengths, validate)


@host_function(lambda ids, nrows, validate: _splits_spec(
    static_int(nrows) if nrows is not None else None, ids), type_name="RaggedFromValueRowIds")
def splits_from_rowids(ids, nrows, validate):
    """Row splits of sorted row ids (``nrows`` rows; default: the last id + 1)."""
    return rowids_to_splits(convert_to_tensor(ids), nrows, validate)


def _from_tensor_spec(tensor, lengths, padding, ragged_rank, row_splits_dtype):
    dims = dims_of(tensor)
    if dims is not None and (lengths is not None or padding is not None):
        dims = dims[:1] + [None] + dims[2:]       # the rows' lengths come from the values
    return RaggedTensorSpec(dims, tensor.dtype, ragged_rank, row_splits_dtype)


@host_function(_from_tensor_spec, type_name="RaggedFromTensor")
def from_tensor(tensor, lengths, padding, ragged_rank, row_splits_dtype):
    """``RaggedTensor.from_tensor`` on tensors known when the function runs."""
    return RaggedTensor.from_tensor(tensor, lengths=lengths, padding=padding,
                                    ragged_rank=ragged_rank, row_splits_dtype=row_splits_dtype)


def _range_spec(eager_range, args, dtype, row_splits_dtype):
    # One row per element of the (broadcast) vector arguments; a scalar-only call has one row.
    lengths = [dims_of(a)[0] for a in args if dims_of(a)]
    rows = 1 if not lengths else (None if None in lengths else max(lengths))
    return RaggedTensorSpec([rows, None], dtype, 1, row_splits_dtype)


@host_function(_range_spec, type_name="RaggedRange")
def ragged_range(eager_range, args, dtype, row_splits_dtype):
    """``ragged.range`` on arguments known when the function runs (``eager_range`` is the
    eager implementation)."""
    return eager_range(*args, dtype=dtype, row_splits_dtype=row_splits_dtype)
