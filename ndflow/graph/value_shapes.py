"""Static shapes of string, sparse, set and tensor-list ops whose output sizes depend on the
input values (entries of ``shape_functions.SHAPE_FUNCTIONS``).

The examples of a string tensor hold one string (b"a") in every position and sparse examples
have no entries, so both example runs of these ops agree on sizes that really depend on the
values (how many characters, tokens, crosses or set members there are).
"""
from ndflow.framework.tensor_shape import TensorShape
from ndflow.graph.shape_functions import _UNKNOWN, _shape_function, constant_value_as_shape


def _vector(n=None):
    return TensorShape([n])


def _known_length(tensor):
    """The static length of the 1-D ``tensor`` (a dense shape), or None."""
    shape = tensor.shape
    return shape[0] if shape.rank == 1 else None


def _sparse_triple(rank):
    """Shapes of (indices, values, dense_shape) of a sparse result of ``rank``."""
    return [TensorShape([None, rank]), _vector(), _vector(rank)]


@_shape_function("DenseBincount")
def _dense_bincount(inputs, attrs):
    arr, size = inputs[0].shape, inputs[1]._const
    length = None if size is None else int(size)
    return [TensorShape([arr[0], length]) if arr.rank == 2 else _vector(length)]


@_shape_function("StringToNumber")
def _to_number(inputs, attrs):
    return [inputs[0].shape]


def _decoded_splits(strings):
    """The row splits of decoded strings: one row per string of a fully known input."""
    shape = strings.shape
    return _vector(shape.num_elements() + 1 if shape.is_fully_defined() else None)


@_shape_function("UnicodeDecode")
def _unicode_decode(inputs, attrs):
    return [_decoded_splits(inputs[0]), _vector()]


@_shape_function("UnicodeDecodeWithOffsets")
def _unicode_decode_with_offsets(inputs, attrs):
    return [_decoded_splits(inputs[0]), _vector(), _vector()]


@_shape_function("StringSplit", "StringSplitV2", "SparseCross", "SparseCrossV2")
def _string_tokens(inputs, attrs):
    return _sparse_triple(2)


@_shape_function("DenseToDenseSetOperation", "DenseToSparseSetOperation")
def _dense_set_operation(inputs, attrs):
    rank = inputs[0].shape.rank
    if rank is None:
        other = inputs[1]
        rank = other.shape.rank if len(inputs) == 2 else _known_length(inputs[3])
    return _sparse_triple(rank)


@_shape_function("SparseToSparseSetOperation")
def _sparse_set_operation(inputs, attrs):
    rank = _known_length(inputs[2])
    return _sparse_triple(rank if rank is not None else _known_length(inputs[5]))


@_shape_function("SparseToDense")
def _sparse_to_dense(inputs, attrs):
    return [constant_value_as_shape(inputs[1])]


@_shape_function("SparseTensorDenseMatMul")
def _sparse_dense_matmul(inputs, attrs):
    a = constant_value_as_shape(inputs[2])
    b = inputs[3].shape
    rows = a.dims[1 if attrs.get("adjoint_a") else 0] if a.rank == 2 else None
    cols = b.dims[0 if attrs.get("adjoint_b") else 1] if b.rank == 2 else None
    return [TensorShape([rows, cols])]


@_shape_function("SparseSplit")
def _sparse_split(inputs, attrs):
    count = attrs["num_split"]
    rank = _known_length(inputs[3])
    return ([TensorShape([None, rank])] * count + [_vector()] * count
            + [_vector(rank)] * count)


@_shape_function("SparseFillEmptyRows")
def _fill_empty_rows(inputs, attrs):
    return [TensorShape([None, _known_length(inputs[2])]), _vector(), _vector(), _vector()]


@_shape_function("SparseAdd")
def _sparse_add(inputs, attrs):
    rank = _known_length(inputs[2])
    return _sparse_triple(rank if rank is not None else _known_length(inputs[5]))


@_shape_function("SparseConcat")
def _sparse_concat(inputs, attrs):
    lengths = [_known_length(t) for t in inputs[2 * attrs["n"]:]]
    return _sparse_triple(next((n for n in lengths if n is not None), None))


@_shape_function("SparseTensorDenseAdd")
def _sparse_dense_add(inputs, attrs):
    return [inputs[3].shape]


@_shape_function("SparseSparseMaximum", "SparseSparseMinimum")
def _sparse_extreme(inputs, attrs):
    return [TensorShape([None, None]), _vector()]


@_shape_function("SparseReorder")
def _sparse_reorder(inputs, attrs):
    return [TensorShape([None, _known_length(inputs[2])]), _vector()]


@_shape_function("ListDiff")
def _list_diff(inputs, attrs):
    return [_vector(), _vector()]


@_shape_function("StringNGrams")
def _string_ngrams(inputs, attrs):
    return [_vector(), inputs[1].shape]


@_shape_function("DenseCountSparseOutput")
def _dense_count(inputs, attrs):
    return _sparse_triple(inputs[0].shape.rank)


@_shape_function("SparseCountSparseOutput")
def _sparse_count(inputs, attrs):
    return _sparse_triple(_known_length(inputs[2]))


@_shape_function("TensorListStack")
def _list_stack(inputs, attrs):
    if "num_elements" not in attrs:
        return None          # the example lists give it
    shape, count = attrs["element_shape"], attrs["num_elements"]
    if shape is None:
        return [_UNKNOWN]
    return [TensorShape([None if count < 0 else count] + list(shape))]


@_shape_function("TensorListGetItem", "TensorListGather")
def _list_items(inputs, attrs):
    # The examples hold whatever was written; an element shape nobody inferred
    # (TensorArray(infer_shape=False)) leaves the rank unknown in TensorFlow's trace.
    return [_UNKNOWN] if attrs["element_shape"] is None else None


@_shape_function("TensorListConcatV2")
def _list_concat(inputs, attrs):
    shape = attrs["element_shape"]
    if shape is None or not len(shape):
        return [_UNKNOWN, _vector()]
    return [TensorShape([None] + list(shape[1:])), _vector()]
