"""``sparse.segment_sum/mean/sqrt_n``: segment reductions over rows picked by ``indices``.

Row ``indices[i]`` of ``data`` goes to segment ``segment_ids[i]`` (sorted, as TensorFlow requires).
Each public function maps to two TensorFlow op types: ``SparseSegment<Kind>`` (as many output
rows as the last segment id + 1) and ``SparseSegment<Kind>WithNumSegments``.
"""
from ndflow.framework import dtypes, errors
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.tensor import convert_to_tensor
from ndflow.ops import array_ops, array_shape_ops, gather_ops, math_ops, segment_ops, sort_ops
from ndflow.ops import unary_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register, register_gradient

_INDEX_DTYPES = (dtypes.int32, dtypes.int64)


def _segment_kernel(kind, op_name):
    def kernel(xp, data, indices, segment_ids, *num_segments, sparse_gradient=False):
        if indices.shape != segment_ids.shape:
            raise op_error(errors.InvalidArgumentError, op_name,
                           "segment_ids and indices should have same size.")
        n = segment_ids.shape[0]
        rows = int(num_segments[0]) if num_segments else (int(segment_ids[-1]) + 1 if n else 0)
        if n:
            if num_segments and int(segment_ids.max()) >= rows:
                raise op_error(errors.InvalidArgumentError, op_name,
                               "segment ids must be < num_segments")
            if n > 1 and xp.any(segment_ids[1:] < segment_ids[:-1]):
                raise op_error(errors.InvalidArgumentError, op_name,
                               "segment ids are not increasing")
            if int(segment_ids[0]) < 0:
                raise op_error(errors.InvalidArgumentError, op_name,
                               f"Segment id {int(segment_ids[0])} out of range [0, {rows}), "
                               f"possibly because 'segment_ids' input is not sorted.")
            bad = (indices < 0) | (indices >= data.shape[0])
            if xp.any(bad):
                i = int(xp.argmax(bad))
                raise op_error(errors.InvalidArgumentError, op_name,
                               f"Bad: indices[{i}] == {int(indices[i])} out of range "
                               f"[0, {data.shape[0]})")
        out = xp.zeros((rows,) + data.shape[1:], dtype=data.dtype)
        xp.add.at(out, segment_ids, data[indices])
        if kind == "Sum":
            return out
        counts = xp.maximum(xp.bincount(segment_ids, minlength=rows)[:rows], 1).astype(data.dtype)
        scale = counts if kind == "Mean" else xp.sqrt(counts)
        return out / scale.reshape((rows,) + (1,) * (data.ndim - 1))
    return kernel


_OPS = {}
for _kind, _allowed in (("Sum", dtypes.REAL), ("Mean", dtypes.FLOATING),
                        ("SqrtN", dtypes.FLOATING)):
    for _suffix in ("", "WithNumSegments"):
        _name = f"SparseSegment{_kind}{_suffix}"
        _OPS[_name] = register(_name, _segment_kernel(_kind, _name), allowed=_allowed,
                               infer=output_dtypes(0))


def _segment_grad(op, dy):
    data, indices, segment_ids = op.inputs[:3]
    kind = op.type[len("SparseSegment"):].replace("WithNumSegments", "")
    rows = gather_ops.gather(dy, segment_ids)
    if kind != "Sum":
        counts = segment_ops.unsorted_segment_sum(
            array_ops.ones_like(segment_ids, dtype=dy.dtype), segment_ids,
            array_shape_ops.shape(dy)[0])
        counts = math_ops.maximum(counts, array_ops.ones_like(counts))
        scale = gather_ops.gather(counts if kind == "Mean" else unary_ops.sqrt(counts),
                                  segment_ids)
        rows = rows / array_ops.reshape(scale, [-1] + [1] * (dy.shape.rank - 1))
    none = (None,) * (len(op.inputs) - 1)
    if not op.get_attr("sparse_gradient"):
        return (segment_ops.unsorted_segment_sum(
            rows, indices, array_shape_ops.shape(data, out_type=indices.dtype)[0]),) + none
    # TensorFlow's sparse gradient: one row per distinct index, indices sorted ascending.
    unique, where = sort_ops.unique(indices, out_idx=indices.dtype)
    order = sort_ops.argsort(unique)
    rank = sort_ops.argsort(order)
    values = segment_ops.unsorted_segment_sum(rows, gather_ops.gather(rank, where),
                                              array_shape_ops.size(unique))
    return (IndexedSlices(values, gather_ops.gather(unique, order),
                          array_shape_ops.shape(data, out_type=indices.dtype)),) + none


for _name in _OPS:
    register_gradient(_name)(_segment_grad)


def _index_tensor(value, attr, op_name):
    t = convert_to_tensor(value)
    if t.dtype not in _INDEX_DTYPES:
        raise errors.InvalidArgumentError(
            None, None, f"Value for attr '{attr}' of {t.dtype.name} is not in the list of "
            f"allowed values: int32, int64 [Op:{op_name}]")
    return t


def _segment(kind, data, indices, segment_ids, num_segments, sparse_gradient):
    name = f"SparseSegment{kind}" + ("" if num_segments is None else "WithNumSegments")
    data = convert_to_tensor(data)
    inputs = [data, _index_tensor(indices, "Tidx", name),
              _index_tensor(segment_ids, "Tsegmentids", name)]
    if num_segments is not None:
        inputs.append(convert_to_tensor(segment_ops._num_segments(num_segments, name),
                                        dtypes.int32))
    return execute(_OPS[name], tuple(inputs), {"sparse_gradient": bool(sparse_gradient)})


def segment_sum(data, indices, segment_ids, num_segments=None, name=None,
                sparse_gradient=False):
    """Sums of the rows ``data[indices]`` grouped by the sorted ``segment_ids``."""
    return _segment("Sum", data, indices, segment_ids, num_segments, sparse_gradient)


def segment_mean(data, indices, segment_ids, num_segments=None, name=None,
                 sparse_gradient=False):
    """Means of the rows ``data[indices]`` grouped by the sorted ``segment_ids`` (empty
    segments give 0)."""
    return _segment("Mean", data, indices, segment_ids, num_segments, sparse_gradient)


def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None,
                   sparse_gradient=False):
    """Sums of the rows ``data[indices]`` per sorted segment, divided by the square root of
    the segment's size."""
    return _segment("SqrtN", data, indices, segment_ids, num_segments, sparse_gradient)


__all__ = ["segment_sum", "segment_mean", "segment_sqrt_n"]
