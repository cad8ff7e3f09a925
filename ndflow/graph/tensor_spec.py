"""``TensorSpec``: the dtype and (possibly partial) shape a function argument must have."""
from ndflow.framework import dtypes
from ndflow.framework.tensor_shape import TensorShape
from ndflow.framework.type_spec import TypeSpec


class TensorSpec(TypeSpec):
    """Describes a tensor by shape (``None`` for any size) and dtype."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=dtypes.float32, name=None):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)
        self._name = name

    shape = property(lambda self: self._shape, doc="The static shape.")
    dtype = property(lambda self: self._dtype, doc="The element type.")
    name = property(lambda self: self._name, doc="An optional name for the argument.")

    @classmethod
    def from_tensor(cls, tensor, name=None):
        """The spec of an existing tensor."""
        return cls(tensor.shape, tensor.dtype, name)

    def is_compatible_with(self, other):
        """True when a tensor (or spec) ``other`` fits this spec."""
        return (other.dtype is self._dtype
                and self._shape.is_compatible_with(TensorShape(other.shape)))

    def is_subtype_of(self, other):
        """True when every tensor fitting this spec fits ``other`` too."""
        if self._dtype is not other.dtype:
            return False
        mine, theirs = self._shape.dims, other.shape.dims
        if theirs is None:
            return True
        if mine is None or len(mine) != len(theirs):
            return False
        return all(b is None or a == b for a, b in zip(mine, theirs))

    def most_specific_common_supertype(self, others):
        """The narrowest spec that every spec in ``others`` and this one fit, or None."""
        dims = self._shape.dims
        for other in others:
            if other.dtype is not self._dtype:
                return None
            theirs = other.shape.dims
            if dims is None or theirs is None or len(dims) != len(theirs):
                dims = None
            else:
                dims = tuple(a if a == b else None for a, b in zip(dims, theirs))
        return TensorSpec(TensorShape(dims), self._dtype, self._name)

    def _key(self):
        return (self._dtype, self._shape._dims)

    def _with_shape(self, shape):
        return TensorSpec(shape, self._dtype, self._name)

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self._key() == other._key()
                and self._name == other._name)

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        return (f"TensorSpec(shape={self._shape}, dtype=tf.{self._dtype.name}, "
                f"name={self._name!r})")
