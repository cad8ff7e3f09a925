"""Dense conversion of ``IndexedSlices`` (``convert_to_tensor`` accepts them)."""
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.static_value import get_static_value
from ndflow.framework.tensor import register_tensor_conversion_function
from ndflow.ops.inputs import as_tensor


def indexed_slices_to_dense(slices, dtype=None):
    """The dense tensor of an IndexedSlices: rows added at their indices (duplicates sum)."""
    from ndflow.ops.segment_ops import unsorted_segment_sum
    values = as_tensor(slices.values)
    if dtype is not None and values.dtype is not dtype:
        raise ValueError(f"Tensor conversion requested dtype {dtype.name} for IndexedSlices "
                         f"with dtype {values.dtype.name}")
    if slices.dense_shape is None:
        raise ValueError("Tensor conversion requested for IndexedSlices without dense_shape.")
    dense_shape = as_tensor(slices.dense_shape)
    known = get_static_value(dense_shape)
    # The number of rows as an int when known, else (while tracing) as a run-time scalar.
    rows = int(known[0]) if known is not None else dense_shape[0]
    return unsorted_segment_sum(values, as_tensor(slices.indices), rows)


register_tensor_conversion_function(IndexedSlices, indexed_slices_to_dense)
