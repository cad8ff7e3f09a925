"""``RaggedTensor.__getitem__``: ints and slices on the row axis, slices on ragged axes, any
index on the uniform inner axes."""
import numpy as np

from ndflow.framework import errors
from ndflow.framework.tensor import Tensor
from ndflow.structures.graph_fallback import host_function
from ndflow.structures.ragged_tensor import RaggedTensor, _np_splits, gather_rows
from ndflow.structures.static_shapes import dims_of, static_int


def _index(k):
    if isinstance(k, Tensor):
        k = k.numpy().item()
    if isinstance(k, (bool, np.bool_)) or not hasattr(k, "__index__"):
        raise TypeError(f"Ragged __getitem__ expects an int, slice or Ellipsis; got {k!r}")
    return int(k)


def _slice(k):
    return slice(*(None if v is None else _index(v) for v in (k.start, k.stop, k.step)))


def _slice_length(k, dim):
    # The length of slice ``k`` of a dimension of static size ``dim`` (None: not static).
    bounds = [None if v is None else static_int(v) for v in (k.start, k.stop, k.step)]
    if dim is None or any(b is None and v is not None
                          for b, v in zip(bounds, (k.start, k.stop, k.step))):
        return None
    return len(range(*slice(*bounds).indices(dim)))


def _getitem_shape(rt, key):
    # Ints drop their dimension, slices of static dimensions (the rows, uniform ones) keep a
    # static length, ragged dimensions stay unknown.
    key = tuple(key) if isinstance(key, tuple) else (key,)
    dims = dims_of(rt)
    if any(k is Ellipsis for k in key):
        i = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (slice(None),) * max(len(dims) - len(key) + 1, 0) + key[i + 1:]
    out = []
    for dim, k in zip(dims, key):
        if isinstance(k, slice):
            out.append(_slice_length(k, dim))
        elif k is None:
            return None
    return out + dims[len(key):]


@host_function(shape=_getitem_shape, type_name="RaggedGetItem")
def getitem(rt, key):
    """``rt[key]`` as TensorFlow indexes ragged tensors."""
    key = tuple(key) if isinstance(key, tuple) else (key,)
    if any(k is Ellipsis for k in key):
        i = key.index(Ellipsis)
        fill = rt.shape.rank - (len(key) - 1)
        key = key[:i] + (slice(None),) * max(fill, 0) + key[i + 1:]
    if len(key) > rt.shape.rank:
        raise ValueError(f"Too many indices for RaggedTensor of rank {rt.shape.rank}")
    if not key:
        return rt
    head, rest = key[0], key[1:]
    if isinstance(head, slice):
        start, stop, step = _slice(head).indices(rt.nrows_int())
        rows = gather_rows(rt, np.arange(start, stop, step))
        return _inner(rows, rest) if rest else rows
    if head is None:
        raise ValueError("Ragged __getitem__ does not support tf.newaxis")
    i, n = _index(head), rt.nrows_int()
    if not -n <= i < n:
        raise IndexError(f"Row key {i} out of bounds")
    i %= n
    row = _slice_values(rt.values, slice(int(rt._splits[i]), int(rt._splits[i + 1])))
    if not rest:
        return row
    return getitem(row, rest) if isinstance(row, RaggedTensor) else row[rest]


def _slice_values(values, s):
    if isinstance(values, RaggedTensor):
        return gather_rows(values, np.arange(s.start, s.stop))
    return values[s]


def _inner(rt, rest):
    """Applies ``rest`` to axes 1.. of every row of ``rt`` (axis 1 is ragged)."""
    head, tail = rest[0], rest[1:]
    if not isinstance(head, slice):
        if rt.uniform_row_length is None:
            raise ValueError("Cannot index into an inner ragged dimension.")  # noqa: TRY004
        return _uniform_index(rt, _index(head), tail)
    values, head = rt.values, _slice(head)
    if tail and isinstance(values, RaggedTensor):
        if head != slice(None):
            # As TF: once this axis is sliced, inner uniform axes are handled as ragged ones.
            if not isinstance(tail[0], slice):
                raise ValueError("Cannot index into an inner ragged dimension.")
            values = RaggedTensor(values.values, values.row_splits, internal=True)
        values = _inner(values, tail)
    elif tail:
        values = values[(slice(None),) + tail]
    if head == slice(None):
        return rt.with_values(values)
    splits = rt._splits
    picks, lengths = [], []
    # Each row is sliced on its own (the rows differ in length), so Python's slice rules apply.
    for r in range(rt.nrows_int()):
        lo, hi = splits[r], splits[r + 1]
        idx = np.arange(*head.indices(hi - lo)) + lo
        picks.append(idx)
        lengths.append(len(idx))
    picks = np.concatenate(picks) if picks else np.zeros(0, np.int64)
    new_splits = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    uniform = rt.uniform_row_length
    if uniform is not None:
        # Rows of one length stay of one length after the same slice.
        uniform = _np_splits(len(range(*head.indices(int(uniform.numpy())))), uniform.dtype)
    return RaggedTensor(gather_rows(values, picks), _np_splits(new_splits, rt.row_splits_dtype),
                        internal=True, uniform_row_length=uniform)



def _uniform_index(rt, i, tail):
    """``rt[:, i, *tail]`` where axis 1 is uniform: item ``i`` of every row."""
    length = int(rt.uniform_row_length.numpy())
    if not -length <= i < length:
        raise errors.InvalidArgumentError(
            None, None, f"Index out of bounds when indexing into a ragged tensor: index {i} "
                        f"on a dimension of size {length}")
    picked = gather_rows(rt.values, rt._splits[:-1] + i % length)
    if not tail:
        return picked
    return getitem(picked, (slice(None),) + tail)
