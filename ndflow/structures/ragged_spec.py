"""``RaggedTensorSpec``: the type of ragged tensors, and how they pass through functions.

Its components are the flat values followed by the row splits of every ragged level, outermost
first. Uniform levels are rebuilt from the static shape (their row length is a dimension of the
spec), so a ``(2, 1, None)`` tensor comes back with its uniform middle level.
"""
import numpy as np

from ndflow.framework import dtypes
from ndflow.framework.tensor import convert_to_tensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.framework.type_spec import TypeSpec


class RaggedTensorSpec(TypeSpec):
    """The type of RaggedTensors: static shape, dtype, ragged rank and row-splits dtype."""

    __slots__ = ("_shape", "_dtype", "_ragged_rank", "_row_splits_dtype", "_flat_values_spec")

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None,
                 row_splits_dtype=dtypes.int64, flat_values_spec=None):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        rank = self._shape.rank
        if ragged_rank is None:
            if rank is None:
                raise ValueError("Must specify ragged_rank or a shape with a known rank.")
            ragged_rank = rank - 1
        if rank is not None and not 0 < ragged_rank < rank and rank > 1:
            raise ValueError(f"ragged_rank must be in [1, {rank - 1}] for shape {self._shape}, "
                             f"got {ragged_rank}")
        self._ragged_rank = int(ragged_rank)
        self._row_splits_dtype = dtypes.as_dtype(row_splits_dtype)
        self._flat_values_spec = flat_values_spec

    shape = property(lambda self: self._shape, doc="The static shape.")
    dtype = property(lambda self: self._dtype, doc="The dtype of the values.")
    ragged_rank = property(lambda self: self._ragged_rank, doc="The number of ragged levels.")
    row_splits_dtype = property(lambda self: self._row_splits_dtype,
                                doc="The dtype of the row splits.")
    flat_values_spec = property(lambda self: self._flat_values_spec,
                                doc="The spec of the flat values, if given.")

    @property
    def value_type(self):
        """RaggedTensor."""
        from ndflow.structures.ragged_tensor import RaggedTensor
        return RaggedTensor

    def _dims(self):
        rank = self._shape.rank
        return list(self._shape.dims) if rank is not None else \
            [None] * (self._ragged_rank + 1)

    @classmethod
    def from_value(cls, value):
        """The spec of a RaggedTensor (as ``value._type_spec``)."""
        return value._type_spec

    @property
    def _component_specs(self):
        from ndflow.graph.tensor_spec import TensorSpec
        dims = self._dims()
        inner = dims[self._ragged_rank + 1:] if self._shape.rank is not None else None
        flat = TensorSpec(None if inner is None else [None] + inner, self._dtype)
        nrows = dims[0]
        splits = [TensorSpec([None if nrows is None else nrows + 1], self._row_splits_dtype)]
        splits += [TensorSpec([None], self._row_splits_dtype)
                   for _ in range(self._ragged_rank - 1)]
        return [flat] + splits

    def _to_components(self, value):
        return [value.flat_values] + list(value.nested_row_splits)

    def _from_components(self, components):
        from ndflow.structures.ragged_tensor import RaggedTensor
        values, splits = components[0], components[1:]
        dims = self._dims()
        for level in reversed(range(len(splits))):
            length = dims[level + 1]
            uniform = None if length is None else convert_to_tensor(length,
                                                                    self._row_splits_dtype)
            values = RaggedTensor(values, splits[level], internal=True,
                                  uniform_row_length=uniform)
        return values

    def _with_shape(self, shape):
        return RaggedTensorSpec(shape, self._dtype, self._ragged_rank, self._row_splits_dtype)

    def _example(self):
        from ndflow.structures.ragged_tensor import RaggedTensor
        dims = self._dims()
        nrows = 2 if dims[0] is None else dims[0]
        counts = [nrows]          # rows at each level; each row holds `length` items
        for level in range(self._ragged_rank):
            length = dims[level + 1]
            counts.append(counts[-1] * (1 if length is None else length))
        inner = [1 if d is None else d for d in dims[self._ragged_rank + 1:]]
        from ndflow.graph.graph import examples_for
        values = examples_for(TensorShape([counts[-1]] + inner), self._dtype)[0]
        splits_type = self._row_splits_dtype.as_numpy_dtype
        for level in reversed(range(self._ragged_rank)):
            step = counts[level + 1] // max(counts[level], 1)
            splits = np.arange(counts[level] + 1, dtype=splits_type) * step
            values = RaggedTensor.from_row_splits(values, splits)
        return values

    def _key(self):
        return (RaggedTensorSpec, self._dtype, self._shape._dims, self._ragged_rank,
                self._row_splits_dtype)

    def _compatible(self, other):
        return (other._dtype is self._dtype and other._ragged_rank == self._ragged_rank
                and other._row_splits_dtype is self._row_splits_dtype
                and self._shape.is_compatible_with(other._shape))

    def __repr__(self):
        return (f"RaggedTensorSpec({self._shape!r}, tf.{self._dtype.name}, {self._ragged_rank}, "
                f"tf.{self._row_splits_dtype.name})")
