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

    @property
    def shape(self):
        """The dense shape as a TensorShape."""
        from ndflow.framework.tensor_shape import TensorShape
        if self._dense_shape is None:
            return TensorShape(None)
        return TensorShape([int(d) for d in self._dense_shape])

    def __repr__(self):
        return (f"IndexedSlices(indices={self._indices!r}, values={self._values!r}, "
                f"dense_shape={self._dense_shape!r})")
