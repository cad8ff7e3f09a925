"""``SparseTensor``: a tensor stored as the coordinates and values of its non-default entries.

A sparse tensor is ``indices`` (int64 ``[N, rank]``), ``values`` (``[N]``) and ``dense_shape``
(int64 ``[rank]``). Index arithmetic is done on the NumPy arrays (indices never need gradients);
everything that moves values goes through ndflow ops, so a GradientTape sees through sparse
tensors to their values.
"""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.static_value import get_static_value
from ndflow.framework.type_spec import CompositeTensor, TypeSpec
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.ops import array_ops, gather_ops, math_ops, reduce_ops, segment_ops
from ndflow.ops.registry import execute, op_error, output_dtypes, register, register_gradient

_ORDER_HINT = ("Many sparse ops require sorted indices.\n"
               "    Use `tf.sparse.reorder` to create a correctly ordered copy.\n\n")


def _index_text(row):
    return "[" + ",".join(str(int(v)) for v in row) + "]"


def check_indices(xp, op_name, indices, shape):
    """Raises TensorFlow's InvalidArgumentError for the first index that is out of bounds,
    out of lexicographic order or repeated."""
    if indices.shape[0] == 0:
        return
    shape = xp.asarray(shape, dtype=np.int64)
    out_of_bounds = xp.any((indices < 0) | (indices >= shape), axis=1)
    bad = out_of_bounds.copy()
    if indices.shape[0] > 1:
        # Row-major linear positions; only compared up to the first out-of-bounds row.
        lin = xp.ravel_multi_index(tuple(xp.clip(indices, 0, xp.maximum(shape - 1, 0)).T),
                                   tuple(int(s) for s in xp.maximum(shape, 1)))
        bad[1:] |= lin[1:] <= lin[:-1]
    if not xp.any(bad):
        return
    i = int(xp.argmax(bad))
    head = f"indices[{i}] = {_index_text(indices[i])}"
    if out_of_bounds[i]:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"{head} is out of bounds: need 0 <= index < {_index_text(shape)}")
    if lin[i] == lin[i - 1]:
        raise op_error(errors.InvalidArgumentError, op_name, f"{head} is repeated")
    raise op_error(errors.InvalidArgumentError, op_name, f"{head} is out of order. {_ORDER_HINT}")


def _sparse_to_dense_kernel(xp, indices, output_shape, values, default_value, validate_indices):
    if indices.ndim == 1:  # TensorFlow accepts a vector of indices into a 1-D output
        indices = indices[:, None]
    if validate_indices:
        check_indices(xp, "SparseToDense", indices, output_shape)
    elif indices.shape[0] and xp.any((indices < 0) | (indices >= output_shape)):
        raise op_error(errors.InvalidArgumentError, "SparseToDense",
                       f"Indices are not valid (out of bounds).  Shape: "
                       f"{_index_text(output_shape)}")
    out = xp.full(tuple(int(s) for s in output_shape), default_value, dtype=values.dtype)
    if indices.shape[0]:
        out[tuple(indices.T)] = values
    return out


SPARSE_TO_DENSE = register("SparseToDense", _sparse_to_dense_kernel, same_dtype=(2, 3),
                           infer=output_dtypes(2))


@register_gradient("SparseToDense")
def _sparse_to_dense_grad(op, dy):
    values_grad = gather_ops.gather_nd(dy, op.inputs[0])
    default_grad = reduce_ops.reduce_sum(dy) - reduce_ops.reduce_sum(values_grad)
    return None, None, values_grad, default_grad


def _reorder_kernel(xp, indices, values, dense_shape):
    order = xp.lexsort(indices.T[::-1]) if indices.shape[0] else xp.zeros(0, np.int64)
    return indices[order], values[order]


REORDER = register("SparseReorder", _reorder_kernel, num_outputs=2,
                   infer=output_dtypes(dtypes.int64, 1))


@register_gradient("SparseReorder")
def _reorder_grad(op, d_indices, d_values):
    # Reordering entry numbers gives the permutation; scattering undoes it.
    n = array_ops.shape(op.inputs[0], out_type=dtypes.int64)[0]
    positions = math_ops.cast(array_ops.range(n), dtypes.int64)
    _, perm = execute(REORDER, (op.inputs[0], positions, op.inputs[2]))
    return None, segment_ops.unsorted_segment_sum(d_values, perm, n), None


class SparseTensorSpec(TypeSpec):
    """The type of SparseTensors with a given dense shape (``None`` dims: any) and dtype."""

    __slots__ = ("_shape", "_dtype")

    def __init__(self, shape=None, dtype=dtypes.float32):
        self._shape = TensorShape(shape)
        self._dtype = dtypes.as_dtype(dtype)

    shape = property(lambda self: self._shape, doc="The static dense shape.")
    dtype = property(lambda self: self._dtype, doc="The dtype of the values.")

    @property
    def value_type(self):
        """SparseTensor."""
        return SparseTensor

    @classmethod
    def from_value(cls, value):
        """The spec of a SparseTensor (as ``value._type_spec``)."""
        return value._type_spec

    @property
    def _component_specs(self):
        from ndflow.graph.tensor_spec import TensorSpec
        rank = self._shape.rank
        return [TensorSpec([None, rank], dtypes.int64), TensorSpec([None], self._dtype),
                TensorSpec([rank], dtypes.int64)]

    def _to_components(self, value):
        return [value.indices, value.values, value.dense_shape]

    def _from_components(self, components):
        indices, values, dense_shape = components
        return SparseTensor(indices, values, dense_shape, _static_shape=self._shape)

    def _key(self):
        return (SparseTensorSpec, self._dtype, self._shape._dims)

    def _with_shape(self, shape):
        return SparseTensorSpec(shape, self._dtype)

    def _example(self):
        dims = [1 if d is None else d for d in (self._shape.dims or [None])]
        return SparseTensor(np.zeros((0, len(dims)), np.int64),
                            np.zeros(0, self._dtype.as_numpy_dtype), dims)

    def _compatible(self, other):
        return other._dtype is self._dtype and self._shape.is_compatible_with(other._shape)

    def is_subtype_of(self, other):
        """True when every SparseTensor of this spec fits ``other``."""
        return (type(other) is SparseTensorSpec and other._dtype is self._dtype
                and (other._shape.dims is None or (
                    self._shape.dims is not None and len(self._shape) == len(other._shape)
                    and all(b is None or a == b for a, b in zip(self._shape.dims,
                                                                other._shape.dims)))))

    def __repr__(self):
        return f"SparseTensorSpec({self._shape!r}, tf.{self._dtype.name})"


class SparseTensor(CompositeTensor):
    """A sparse tensor: ``indices`` ([N, rank] int64), ``values`` ([N]) and ``dense_shape``."""

    _is_tensor_like = True
    __array_priority__ = 100  # NumPy arrays defer to our reflected operators

    def __init__(self, indices, values, dense_shape, _static_shape=None):
        indices = convert_to_tensor(indices, dtypes.int64)
        values = convert_to_tensor(values)
        dense_shape = convert_to_tensor(dense_shape, dtypes.int64)
        ishape, vshape, sshape = indices.shape, values.shape, dense_shape.shape
        # Shapes unknown while tracing (results of value-dependent ops) are not checked.
        if ishape.rank not in (None, 2):
            raise ValueError(f"Shape {ishape} must have rank 2")
        if vshape.rank not in (None, 1):
            raise ValueError(f"Shape {vshape} must have rank 1")
        if sshape.rank not in (None, 1):  # TensorFlow fails reading it as a static shape
            raise TypeError("only integer scalar arrays can be converted to a scalar index")
        if ishape.rank and vshape.rank and not _same_dim(ishape[0], vshape[0]):
            raise ValueError(f"Dimensions {ishape[0]} and {vshape[0]} are not compatible")
        if ishape.rank and sshape.rank and not _same_dim(ishape[1], sshape[0]):
            raise ValueError(f"Dimensions {ishape[1]} and {sshape[0]} are not compatible")
        self._indices, self._values, self._dense_shape = indices, values, dense_shape
        self._shape = _static_dense_shape(dense_shape, _static_shape)

    @classmethod
    def from_value(cls, sparse_tensor_value):
        """A SparseTensor with the same components as ``sparse_tensor_value``."""
        v = sparse_tensor_value
        return cls(v.indices, v.values, v.dense_shape)

    @property
    def indices(self):
        """The int64 ``[N, rank]`` coordinates of the stored entries."""
        return self._indices

    @property
    def values(self):
        """The ``[N]`` stored values."""
        return self._values

    @property
    def dense_shape(self):
        """The int64 shape of the dense tensor this represents."""
        return self._dense_shape

    @property
    def dtype(self):
        """The dtype of the values."""
        return self._values.dtype

    @property
    def shape(self):
        """The static shape of the dense tensor this represents (``None`` for dims unknown
        while tracing)."""
        return self._shape

    @property
    def _type_spec(self):
        return SparseTensorSpec(self._shape, self._values.dtype)

    def get_shape(self):
        """Same as ``shape``."""
        return self._shape

    def set_shape(self, shape):
        """Narrows the static shape to ``shape``; raises ValueError if incompatible."""
        shape = TensorShape(shape)
        if not self._shape.is_compatible_with(shape):
            raise ValueError(f"Shapes {self._shape} and {shape} are incompatible")
        self._shape = self._shape.merge_with(shape)

    def with_values(self, new_values):
        """A SparseTensor with the same indices and shape and ``new_values``. Its static shape
        is what is known of ``dense_shape`` (as TensorFlow, which rebuilds the tensor: inside a
        function, a traced argument's spec shape is not carried over)."""
        return SparseTensor(self._indices, new_values, self._dense_shape)

    def consumers(self):
        """Graph consumers; eager tensors have none."""
        return []

    def _cast_composite(self, dtype):
        return self.with_values(math_ops.cast(self._values, dtype))

    def __repr__(self):
        return (f"SparseTensor(indices={self._indices}, values={self._values}, "
                f"dense_shape={self._dense_shape})")

    # Operators: TensorFlow defines only the ones whose result stays sparse.
    def __mul__(self, other):
        return _cwise(self, other, math_ops.multiply)

    def __rmul__(self, other):
        # Only a dense tensor on the left multiplies (TensorFlow: `42.0 * sp` is a TypeError).
        return _cwise(self, other, math_ops.multiply) if isinstance(other, Tensor) \
            else NotImplemented

    def __truediv__(self, other):
        return _cwise(self, other, math_ops.truediv)

    __div__ = __truediv__


def _same_dim(a, b):
    return a is None or b is None or a == b


def _static_dense_shape(dense_shape, hint):
    """The static shape a SparseTensor reports: its dense_shape's value when known (always
    eagerly), else ``hint`` (a traced argument's spec) or unknown dims of the known rank."""
    known = get_static_value(dense_shape)
    if known is not None:
        return TensorShape([int(d) for d in known])
    shape = TensorShape([None] * dense_shape.shape[0]) if dense_shape.shape.rank == 1 and \
        dense_shape.shape[0] is not None else TensorShape(None)
    return shape if hint is None else shape.merge_with(hint)


def _cwise(sp, other, fn):
    """``sp`` combined entry-wise with a dense tensor broadcast to the sparse shape."""
    other = convert_to_tensor(other, sp.dtype)  # a SparseTensor or other dtype: ValueError
    if other.shape.rank == 0:
        return sp.with_values(fn(sp.values, other))
    dense = sp.shape.as_list() if sp.shape.rank is not None else None
    oshape = other.shape.as_list() if other.shape.rank is not None else None
    if dense is not None and oshape is not None:
        ok = len(oshape) <= len(dense) and all(
            o is None or d is None or o == 1 or o == d
            for o, d in zip(oshape[::-1], dense[::-1]))
        if not ok:
            raise errors.InvalidArgumentError(
                None, None, f"SparseDenseBinaryOpShared broadcasts dense to sparse only; got "
                f"incompatible shapes: {_index_text(dense)} vs. {_index_text(oshape)}")
    picked = gather_ops.gather_nd(array_ops.broadcast_to(other, sp.dense_shape), sp.indices)
    return sp.with_values(fn(sp.values, picked))


def _as_sparse(sp_input, fn_name):
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"Input must be a SparseTensor (in {fn_name}), got {type(sp_input)}")
    return sp_input


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    """The dense tensor a SparseTensor represents (``default_value`` where nothing is stored)."""
    sp_input = _as_sparse(sp_input, "to_dense")
    dtype = sp_input.dtype
    if default_value is None:
        default_value = b"" if dtype is dtypes.string else dtype.as_numpy_dtype(0)
    default = convert_to_tensor(default_value, dtype)
    return execute(SPARSE_TO_DENSE, (sp_input.indices, sp_input.dense_shape, sp_input.values,
                                     default), {"validate_indices": bool(validate_indices)})


def reorder(sp_input, name=None):
    """The SparseTensor with its entries sorted in row-major (lexicographic) order."""
    sp_input = _as_sparse(sp_input, "reorder")
    indices, values = execute(REORDER, (sp_input.indices, sp_input.values, sp_input.dense_shape))
    return SparseTensor(indices, values, sp_input.dense_shape, sp_input.shape)


def from_dense(tensor, name=None):
    """A SparseTensor holding the non-zero (non-empty for strings) entries of ``tensor``."""
    tensor = convert_to_tensor(tensor)
    if tensor.shape.rank == 0:
        raise op_error(errors.InvalidArgumentError, "Where",
                       "WhereOp : Unhandled input dimensions: 0")
    zero = b"" if tensor.dtype == dtypes.string else False if tensor.dtype == dtypes.bool else 0
    indices = array_ops.where(math_ops.not_equal(tensor, convert_to_tensor(zero, tensor.dtype)))
    values = gather_ops.gather_nd(tensor, indices)
    return SparseTensor(indices, values, array_ops.shape(tensor, out_type=dtypes.int64),
                        tensor.shape)
