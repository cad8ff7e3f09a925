"""``RaggedTensor``: a tensor whose rows have different lengths (TensorFlow's row-splits encoding).

A ragged tensor is ``values`` (a dense tensor or another ragged tensor) cut into rows by
``row_splits``: row ``i`` is ``values[row_splits[i]:row_splits[i + 1]]``. A partition whose rows all
have one length also keeps that length (``uniform_row_length``), which makes the dimension show in
the static shape. The state lives only in those int tensors; the index arithmetic reads their NumPy
values when it needs them (it never needs gradients). Everything that moves values goes through
ndflow ops (gather, concat, segment sums), so a GradientTape sees through ragged tensors to their
flat values.
"""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import EagerTensor, Tensor, convert_to_tensor
from ndflow.framework.static_value import get_static_value
from ndflow.framework.type_spec import CompositeTensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.ops import array_ops, gather_ops, math_ops
from ndflow.structures.graph_fallback import host_function


def _invalid(factory, message):
    return errors.InvalidArgumentError(
        None, None, f"Arguments to {factory} do not form a valid RaggedTensor: {message}")


def _splits_tensor(splits):
    # Python lists become int64 (TF's default); tensors and NumPy arrays keep their dtype.
    splits = convert_to_tensor(splits, dtype_hint=dtypes.int64)
    if splits.dtype not in (dtypes.int32, dtypes.int64):
        raise ValueError(f"Row partitioning tensors must have dtype int32 or int64, got "
                         f"{splits.dtype.name}")
    if splits.shape.rank != 1:
        raise ValueError(f"Row partitioning tensors must be 1-D, got shape {splits.shape}")
    return splits


def _as_values(values):
    return values if isinstance(values, RaggedTensor) else convert_to_tensor(values)


def _static_int(t):
    """The value of a scalar int tensor when known (always eagerly), else None."""
    value = get_static_value(t)
    return None if value is None else int(value)


class RaggedTensor(CompositeTensor):
    """A tensor with one or more ragged dimensions, encoded as values plus row splits."""

    _is_tensor_like = True
    __array_priority__ = 100  # NumPy arrays defer to our reflected operators

    def __init__(self, values, row_splits, internal=False, uniform_row_length=None):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the factory "
                             "methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits
        self._uniform_row_length = uniform_row_length

    @property
    def _splits(self):
        """The row splits as a NumPy int64 array (for index arithmetic)."""
        return np.asarray(self._row_splits.numpy(), dtype=np.int64)

    # ---- factories -------------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        """Rows ``values[row_splits[i]:row_splits[i + 1]]``."""
        values, row_splits = _as_values(values), _splits_tensor(row_splits)
        if validate and _symbolic(values, row_splits):
            row_splits = ragged_symbolic.checked_row_splits(values, row_splits)
        elif validate:
            s = np.asarray(row_splits.numpy())
            if s.size == 0 or s[0] != 0:
                raise _invalid("from_row_splits", "row_splits must start with zero")
            if np.any(s[1:] < s[:-1]):
                raise _invalid("from_row_splits", "row_splits must be sorted in ascending order")
            if s[-1] != _nrows_of(values):
                raise _invalid("from_row_splits", f"row_splits ends with {s[-1]} but values has "
                                                  f"{_nrows_of(values)} rows")
        return cls(values, row_splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        """Rows of the given lengths, taken in order from ``values``."""
        lengths = _splits_tensor(row_lengths)
        if _symbolic(lengths):
            splits = ragged_symbolic.splits_from_lengths(lengths, validate)
        else:
            splits = ragged_symbolic.lengths_to_splits(lengths, validate)
        return cls.from_row_splits(values, splits, validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        """Value ``k`` goes to row ``value_rowids[k]`` (sorted ids; ``nrows`` defaults to max+1)."""
        ids_t = _splits_tensor(value_rowids)
        if _symbolic(ids_t, nrows):
            splits = ragged_symbolic.splits_from_rowids(ids_t, nrows, validate)
        else:
            splits = ragged_symbolic.rowids_to_splits(ids_t, nrows, validate)
        return cls.from_row_splits(values, splits, validate=validate)

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True,
                                name=None):
        """Rows that all have ``uniform_row_length`` values (``nrows`` of them, needed only when
        the length is zero)."""
        values = _as_values(values)
        length = convert_to_tensor(uniform_row_length, dtype_hint=dtypes.int64)
        if length.dtype not in (dtypes.int32, dtypes.int64):
            raise ValueError("UniformRowLength must have dtype int32 or int64")
        if length.shape.rank != 0:
            raise ValueError(f"Shape {length.shape} must have rank 0")
        n, nvals = int(length.numpy()), _nrows_of(values)
        if n < 0:
            raise ValueError("uniform_row_length must be >= 0.")
        if nrows is None:
            rows = nvals // n if n else 0
        else:
            rows = int(np.asarray(convert_to_tensor(nrows).numpy()))
        if n * rows != nvals:
            raise ValueError(f"uniform_row_length={n} times nrows={rows} must equal "
                             f"nvals={nvals}")
        splits = _np_splits(np.arange(rows + 1) * n, length.dtype)
        return cls(values, splits, internal=True, uniform_row_length=length)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        """Applies ``from_row_splits`` once per splits vector, innermost last."""
        result = _as_values(flat_values)
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None, validate=True):
        """Applies ``from_row_lengths`` once per lengths vector, innermost last."""
        result = _as_values(flat_values)
        for lengths in reversed(list(nested_row_lengths)):
            result = cls.from_row_lengths(result, lengths, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None,
                    row_splits_dtype=dtypes.int64):
        """Rows of a dense tensor, cut to ``lengths`` or with trailing ``padding`` removed."""
        tensor = convert_to_tensor(tensor)
        if lengths is not None and padding is not None:
            raise ValueError("Specify argument `lengths` or `padding`, but not both.")
        if _symbolic(tensor, lengths, padding):
            return ragged_symbolic.from_tensor(tensor, lengths, padding, ragged_rank,
                                               row_splits_dtype)
        rank = tensor.shape.rank
        if not isinstance(ragged_rank, int) or not 0 < ragged_rank < max(rank, 1):
            raise ValueError(f"ragged_rank must be greater than 0 and less than tensor rank "
                             f"({rank}); got {ragged_rank}")
        shape = tensor.shape.as_list()
        if ragged_rank > 1:
            if lengths is not None or padding is not None:
                raise NotImplementedError("lengths/padding need ragged_rank=1 in ndflow")
            inner = cls.from_tensor(array_ops.reshape(tensor, [-1] + shape[2:]),
                                    ragged_rank=ragged_rank - 1, row_splits_dtype=row_splits_dtype)
            return cls.from_uniform_row_length(inner, _np_splits(shape[1], row_splits_dtype),
                                               nrows=shape[0])
        nrows, ncols = shape[0], shape[1]
        if lengths is not None:
            lens = np.minimum(np.asarray(convert_to_tensor(lengths).numpy(), np.int64), ncols)
        elif padding is not None:
            arr = tensor.numpy()
            differs = arr != np.asarray(convert_to_tensor(padding, tensor.dtype).numpy())
            differs = differs.reshape(nrows, ncols, -1).any(axis=2)
            # A row's length is one past its last value that differs from the padding.
            last = ncols - np.argmax(differs[:, ::-1], axis=1)
            lens = np.where(differs.any(axis=1), last, 0)
        flat = array_ops.reshape(tensor, [nrows * ncols] + shape[2:])
        if lengths is None and padding is None:
            return cls.from_uniform_row_length(flat, _np_splits(ncols, row_splits_dtype),
                                               nrows=nrows)
        keep = np.arange(ncols)[None, :] < lens[:, None]
        values = gather_ops.gather(flat, np.flatnonzero(keep.ravel()))
        splits = np.concatenate([[0], np.cumsum(lens)])
        return cls.from_row_splits(values, _np_splits(splits, row_splits_dtype), validate=False)

    # ---- structure -------------------------------------------------------------------------
    @property
    def values(self):
        """The concatenated rows (a tensor or a ragged tensor)."""
        return self._values

    @property
    def row_splits(self):
        """Where each row starts and ends in ``values``."""
        return self._row_splits

    @property
    def uniform_row_length(self):
        """The length of every row as a scalar tensor when the rows are uniform, else None."""
        return self._uniform_row_length

    @property
    def flat_values(self):
        """The innermost dense values."""
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v._values
        return v

    @property
    def nested_row_splits(self):
        """The row splits of every ragged level, outermost first."""
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt._row_splits)
            rt = rt._values
        return tuple(out)

    @property
    def ragged_rank(self):
        """The number of ragged levels."""
        return len(self.nested_row_splits)

    @property
    def dtype(self):
        """The dtype of the values."""
        return self.flat_values.dtype

    @property
    def row_splits_dtype(self):
        """The dtype of the row splits (int64 unless built from int32 splits)."""
        return self._row_splits.dtype

    @property
    def shape(self):
        """Static shape: ``nrows``, the row length of each level (None where ragged), then the
        inner dims."""
        count = self._row_splits.shape[0]
        dims, rt = [None if count is None else count - 1], self
        while isinstance(rt, RaggedTensor):
            length = rt._uniform_row_length
            dims.append(None if length is None else _static_int(length))
            rt = rt._values
        inner = rt.shape
        return TensorShape(dims + inner.as_list()[1:]) if inner.rank is not None else \
            TensorShape(None)

    @property
    def _type_spec(self):
        from ndflow.structures.ragged_spec import RaggedTensorSpec
        return RaggedTensorSpec(self.shape, self.dtype, self.ragged_rank, self.row_splits_dtype)

    def get_shape(self):
        """Same as ``shape``."""
        return self.shape

    @property
    def ndim(self):
        """The number of dimensions, ragged ones included."""
        return self.shape.rank

    def nrows_int(self):
        """The number of rows as a Python int."""
        return len(self._splits) - 1

    def nrows(self, out_type=None, name=None):
        """The number of rows, as a scalar tensor."""
        out_type = out_type or self.row_splits_dtype
        if type(self._row_splits) is not EagerTensor:          # symbolic: computed by ops
            count = array_ops.shape(self._row_splits, out_type=out_type)[0]
            return math_ops.subtract(count, convert_to_tensor(1, out_type))
        return convert_to_tensor(self.nrows_int(), out_type)

    def row_lengths(self, axis=1, name=None):
        """The length of each row (``axis=1``) or of each row of an inner level."""
        if axis == 1:
            if type(self._row_splits) is not EagerTensor:      # symbolic: computed by ops
                return math_ops.subtract(self._row_splits[1:], self._row_splits[:-1])
            return convert_to_tensor(np.diff(self._splits).astype(self.row_splits_dtype
                                                                  .as_numpy_dtype))
        if axis < 1 or not isinstance(self._values, RaggedTensor):
            raise ValueError(f"axis={axis} out of bounds for row_lengths")
        return self.with_values(self._values.row_lengths(axis - 1))

    def row_starts(self, name=None):
        """The start of each row in ``values``."""
        return self._row_splits[:-1]

    def row_limits(self, name=None):
        """The end of each row in ``values``."""
        return self._row_splits[1:]

    def value_rowids(self, name=None):
        """The row index of each value."""
        return _value_rowids(self)

    def _rowids(self):
        return np.repeat(np.arange(self.nrows_int()), np.diff(self._splits))

    def nested_row_lengths(self, name=None):
        """The row lengths of every ragged level, outermost first."""
        out, rt = [], self
        while isinstance(rt, RaggedTensor):
            out.append(rt.row_lengths())
            rt = rt._values
        return tuple(out)

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """The smallest dense shape that holds this tensor."""
        shape = _bounding_shape(self, out_type)
        return shape if axis is None else shape[axis]

    def _bounding_dims(self, out_type):
        dims = [self.nrows_int()]
        rt = self
        while isinstance(rt, RaggedTensor):
            lengths = np.diff(rt._splits)
            dims.append(int(lengths.max()) if lengths.size else 0)
            rt = rt._values
        dims += rt.shape.as_list()[1:]
        return convert_to_tensor(np.array(dims), out_type or self.row_splits_dtype)

    def with_values(self, new_values):
        """The same row partition over new values."""
        return RaggedTensor(_as_values(new_values), self._row_splits, internal=True,
                            uniform_row_length=self._uniform_row_length)

    def with_flat_values(self, new_values):
        """The same nested row partition over new flat values."""
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def with_row_splits_dtype(self, dtype):
        """This tensor with its row splits cast to ``dtype`` (int32 or int64)."""
        values = self._values
        if isinstance(values, RaggedTensor):
            values = values.with_row_splits_dtype(dtype)
        length = self._uniform_row_length
        return RaggedTensor(values, math_ops.cast(self._row_splits, dtype), internal=True,
                            uniform_row_length=None if length is None
                            else math_ops.cast(length, dtype))

    def _cast_composite(self, dtype):
        return self.with_flat_values(math_ops.cast(self.flat_values, dtype))

    def _flat_positions(self):
        """For each flat value: its dense coordinates (one column per ragged level + 1)."""
        rt, columns = self, [np.arange(self.nrows_int())]
        while isinstance(rt, RaggedTensor):
            ids = rt._rowids()
            columns = [c[ids] for c in columns]
            columns.append(np.arange(len(ids)) - rt._splits[ids])
            rt = rt._values
        return np.stack(columns, axis=1) if columns[0].size else np.zeros((0, len(columns)),
                                                                          np.int64)

    # ---- conversion ------------------------------------------------------------------------
    def to_tensor(self, default_value=None, name=None, shape=None):
        """A dense tensor, padded with ``default_value`` (zero) to the bounding or given shape."""
        from ndflow.structures import ragged_dense
        return ragged_dense.to_tensor(self, default_value, shape)

    def to_list(self):
        """Nested Python lists of the values."""
        splits = self._splits
        inner = (self._values.to_list() if isinstance(self._values, RaggedTensor)
                 else self._values.numpy().tolist())
        return [inner[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

    def numpy(self):
        """A NumPy array: rows stacked when they share a shape, else an object array of rows."""
        values = self._values.numpy()
        splits = self._splits
        rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return np.zeros((0, 0) + values.shape[1:], dtype=values.dtype)
        # As TF: rows of one length stack into a dense array, else a 1-D object array of rows.
        variable = any(len(r) != len(rows[0]) for r in rows)
        return np.array(rows, dtype=object if variable else None)

    def __repr__(self):
        if type(self._row_splits) is not EagerTensor:      # symbolic, while tracing
            return f"tf.RaggedTensor(values={self._values!r}, row_splits={self._row_splits!r})"
        with np.printoptions(formatter={"all": _format}):
            return f"<tf.RaggedTensor {_format(self.numpy())}>"

    __str__ = __repr__

    def __bool__(self):
        raise TypeError("RaggedTensor may not be used as a boolean.")

    def __getitem__(self, key):
        from ndflow.structures import ragged_getitem
        return ragged_getitem.getitem(self, key)

    __hash__ = object.__hash__


def _rowids_spec(rt):
    from ndflow.graph.tensor_spec import TensorSpec
    return TensorSpec([None], rt.row_splits_dtype)


def _bounding_spec(rt, out_type):
    from ndflow.graph.tensor_spec import TensorSpec
    return TensorSpec([rt.shape.rank], out_type or rt.row_splits_dtype)


@host_function(_rowids_spec)
def _value_rowids(rt):
    return convert_to_tensor(rt._rowids().astype(rt.row_splits_dtype.as_numpy_dtype))


@host_function(_bounding_spec)
def _bounding_shape(rt, out_type):
    return rt._bounding_dims(out_type)


def _format(x):
    if isinstance(x, np.ndarray):
        return np.array2string(x, separator=", ") if x.size else repr(x.tolist())
    return str(x)


def _symbolic(*values):
    """Whether any argument is a tensor known only when a traced function runs."""
    return any(isinstance(v, Tensor) and type(v) is not EagerTensor for v in values) or \
        any(isinstance(v, RaggedTensor) and _symbolic(v.flat_values, *v.nested_row_splits)
            for v in values)


def _nrows_of(values):
    return values.nrows_int() if isinstance(values, RaggedTensor) else values.shape[0]


def _np_splits(splits, dtype):
    return convert_to_tensor(np.asarray(splits).astype(dtypes.as_dtype(dtype).as_numpy_dtype))


def is_ragged(value):
    """Whether ``value`` is a RaggedTensor."""
    return isinstance(value, RaggedTensor)


def convert_to_tensor_or_ragged_tensor(value, dtype=None):
    """``value`` unchanged when ragged, else as a dense tensor."""
    if isinstance(value, RaggedTensor):
        return value if dtype is None else value._cast_composite(dtype)
    return convert_to_tensor(value, dtype)


def gather_rows(rt, indices):
    """Rows ``indices`` (a NumPy int array) of a ragged tensor or tensor, keeping gradients."""
    indices = np.asarray(indices, np.int64)
    if not isinstance(rt, RaggedTensor):
        return gather_ops.gather(rt, indices)
    starts, limits = rt._splits[indices], rt._splits[indices + 1]
    lengths = limits - starts
    splits = np.concatenate([[0], np.cumsum(lengths)])
    # Positions in ``values`` of every selected row, in order.
    inner = np.repeat(starts - splits[:-1], lengths) + np.arange(splits[-1])
    # Selected rows keep their lengths, so a uniform partition stays uniform.
    return RaggedTensor(gather_rows(rt._values, inner), _np_splits(splits, rt.row_splits_dtype),
                        internal=True, uniform_row_length=rt._uniform_row_length)


def concat_rows(parts):
    """Rows of every part, in order (parts share a ragged rank and dtype)."""
    if not isinstance(parts[0], RaggedTensor):
        return array_ops.concat(list(parts), 0)
    offsets, splits = 0, [np.zeros(1, np.int64)]
    for p in parts:
        splits.append(p._splits[1:] + offsets)
        offsets += p._splits[-1]
    values = concat_rows([p._values for p in parts])
    return RaggedTensor(values, _np_splits(np.concatenate(splits), parts[0].row_splits_dtype),
                        internal=True)


# Installs the Python operators and the remaining factories/methods on RaggedTensor (those
# modules need the class defined above).
from ndflow.structures import ragged_convert as _ragged_convert  # noqa: E402, F401
from ndflow.structures import ragged_ops as _ragged_ops  # noqa: E402, F401
from ndflow.structures import ragged_symbolic  # noqa: E402
