"""``IndexedSlices``: a sparse set of rows of a dense tensor (the gradient of ``gather``).

It is a composite tensor (components: values, indices and, when given, dense_shape), so an
``ndflow.function`` can take and return it, as TensorFlow's ``IndexedSlicesSpec`` allows.
"""
from ndflow.framework import dtypes
from ndflow.framework.tensor_shape import TensorShape
from ndflow.framework.type_spec import CompositeTensor, TypeSpec


class IndexedSlicesSpec(TypeSpec):
    """The type of IndexedSlices: dense shape, values dtype, indices dtype, dense-shape dtype
    (None: no dense_shape component) and the shape of the indices."""

    __slots__ = ("_shape", "_values_dtype", "_indices_dtype", "_dense_shape_dtype",
                 "_indices_shape")

    def __init__(self, shape=None, dtype=dtypes.float32, indices_dtype=dtypes.int64,
                 dense_shape_dtype=None, indices_shape=None):
        self._shape = TensorShape(shape)
        self._values_dtype = dtypes.as_dtype(dtype)
        self._indices_dtype = dtypes.as_dtype(indices_dtype)
        self._dense_shape_dtype = None if dense_shape_dtype is None else \
            dtypes.as_dtype(dense_shape_dtype)
        self._indices_shape = TensorShape(indices_shape).with_rank(1)

    shape = property(lambda self: self._shape, doc="The static dense shape.")
    dtype = property(lambda self: self._values_dtype, doc="The dtype of the values.")

    @property
    def value_type(self):
        """IndexedSlices."""
        return IndexedSlices

    @property
    def _component_specs(self):
        from ndflow.graph.tensor_spec import TensorSpec
        rank = self._shape.rank
        values_shape = None if rank is None else \
            list(self._indices_shape.dims) + list(self._shape.dims[1:])
        specs = [TensorSpec(values_shape, self._values_dtype),
                 TensorSpec(self._indices_shape, self._indices_dtype)]
        if self._dense_shape_dtype is not None:
            specs.append(TensorSpec([rank], self._dense_shape_dtype))
        return specs

    def _to_components(self, value):
        parts = [value.values, value.indices]
        return parts if self._dense_shape_dtype is None else parts + [value.dense_shape]

    def _from_components(self, components):
        value = IndexedSlices(*components)
        value._shape_hint = self._shape     # the traced value's static shape, as TensorFlow's
        return value

    def _key(self):
        return (IndexedSlicesSpec, self._shape._dims, self._values_dtype, self._indices_dtype,
                self._dense_shape_dtype, self._indices_shape._dims)

    def _with_shape(self, shape):
        return IndexedSlicesSpec(shape, self._values_dtype, self._indices_dtype,
                                 self._dense_shape_dtype, self._indices_shape)

    def _example(self):
        import numpy as np
        dims = [1 if d is None else d for d in (self._shape.dims or [None])]
        values = np.zeros([0] + dims[1:], self._values_dtype.as_numpy_dtype)
        indices = np.zeros(0, self._indices_dtype.as_numpy_dtype)
        from ndflow.framework.tensor import convert_to_tensor
        dense = None if self._dense_shape_dtype is None else \
            convert_to_tensor(np.asarray(dims, self._dense_shape_dtype.as_numpy_dtype))
        return IndexedSlices(convert_to_tensor(values), convert_to_tensor(indices), dense)

    def _compatible(self, other):
        return (other._values_dtype is self._values_dtype
                and other._indices_dtype is self._indices_dtype
                and other._dense_shape_dtype is self._dense_shape_dtype
                and self._shape.is_compatible_with(other._shape)
                and self._indices_shape.is_compatible_with(other._indices_shape))

    def __repr__(self):
        dense = "None" if self._dense_shape_dtype is None else f"tf.{self._dense_shape_dtype.name}"
        return (f"IndexedSlicesSpec({self._shape!r}, tf.{self._values_dtype.name}, "
                f"tf.{self._indices_dtype.name}, {dense}, {self._indices_shape!r})")


class IndexedSlices(CompositeTensor):
    """Rows ``values`` at positions ``indices`` of a tensor of shape ``dense_shape``."""

    _is_tensor_like = True

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape
        self._shape_hint = None

    values = property(lambda self: self._values, doc="The slices' values.")
    indices = property(lambda self: self._indices, doc="Row indices of the slices.")
    dense_shape = property(lambda self: self._dense_shape, doc="Shape of the dense tensor.")
    dtype = property(lambda self: self._values.dtype, doc="The values' dtype.")
    name = property(lambda self: getattr(self._values, "name", None), doc="The values' name.")
    device = property(lambda self: getattr(self._values, "device", ""),
                      doc="The values' device.")

    @property
    def shape(self):
        """The dense shape as a TensorShape (what is known of it while tracing)."""
        if self._dense_shape is None:
            return TensorShape(None)
        from ndflow.framework.static_value import get_static_value
        known = get_static_value(self._dense_shape)
        if known is not None:
            return TensorShape([int(d) for d in known])
        # Symbolic: partly known shapes (``Shape`` of a [None, 2] tensor) as TensorFlow reads them.
        from ndflow.graph.shape_functions import constant_value_as_shape
        shape = constant_value_as_shape(self._dense_shape)
        return shape if self._shape_hint is None else shape.merge_with(self._shape_hint)

    @property
    def _type_spec(self):
        dense = self._dense_shape
        return IndexedSlicesSpec(self.shape, self._values.dtype, self._indices.dtype,
                                 None if dense is None else getattr(dense, "dtype", dtypes.int64),
                                 self._indices.shape)

    def _as_tensor(self, dtype=None):
        # The dense tensor (duplicate rows summed); convert_to_tensor and packing use it.
        from ndflow.ops.indexed_slices_ops import indexed_slices_to_dense
        return indexed_slices_to_dense(self, dtype)

    def __neg__(self):
        from ndflow.ops.math_ops import negative
        return IndexedSlices(negative(self._values), self._indices, self._dense_shape)

    def __str__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"

    def _add_gradient(self, other):
        """Gradient accumulation: the slices of two IndexedSlices are concatenated (``self``'s
        first); with a dense gradient the sum is dense."""
        from ndflow.ops.array_ops import concat
        from ndflow.ops.math_ops import cast
        if isinstance(other, IndexedSlices):
            a, b = self._indices, other._indices
            if a.dtype != b.dtype:  # mixed int32/int64 indices meet at int64, as in TensorFlow
                a, b = cast(a, "int64"), cast(b, "int64")
            return IndexedSlices(concat([self._values, other._values], 0), concat([a, b], 0),
                                 self._dense_shape)
        from ndflow.ops.indexed_slices_ops import indexed_slices_to_dense
        from ndflow.ops.math_ops import add
        return add(other, indexed_slices_to_dense(self))
