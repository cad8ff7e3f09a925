"""``IndexedSlices``: a sparse set of rows of a dense tensor (the gradient of ``gather``)."""


class IndexedSlices:
    """Rows ``values`` at positions ``indices`` of a tensor of shape ``dense_shape``."""

    _is_tensor_like = True

    def __init__(self, values, indices, dense_shape=None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    values = property(lambda self: self._values, doc="The slices' values.")
    indices = property(lambda self: self._indices, doc="Row indices of the slices.")
    dense_shape = property(lambda self: self._dense_shape, doc="Shape of the dense tensor.")
    dtype = property(lambda self: self._values.dtype, doc="The values' dtype.")
    name = property(lambda self: getattr(self._values, "name", None), doc="The values' name.")
    device = property(lambda self: getattr(self._values, "device", ""),
                      doc="The values' device.")

    @property
    def shape(self):
        """The dense shape as a TensorShape."""
        from ndflow.framework.tensor_shape import TensorShape
        if self._dense_shape is None:
            return TensorShape(None)
        return TensorShape([int(d) for d in self._dense_shape])

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
