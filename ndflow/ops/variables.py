"""``Variable``: a named, mutable tensor whose reads are recorded on tapes.

An assignment replaces the variable's array with a new one instead of writing into it, so every
tensor read earlier keeps its value without reads having to copy.
"""
import sys

import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.context import GRAPHS, TAPES, init_scope
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.tensor import (EagerTensor, Reference, Tensor, convert_to_tensor,
                                     numpy_text, wrap_as)
from ndflow.framework.tensor_shape import TensorShape
from ndflow.backend import DEVICE
from ndflow.ops.identity_ops import IDENTITY
from ndflow.ops.indexing import normalize_key
from ndflow.ops.registry import op_error, record, register

READ = register("ReadVariableOp", lambda xp, x: x, grad=lambda op, dy: (dy,))
_EMPTY = {}


class VariableSynchronization:
    """Where a distributed variable is synchronised (accepted for compatibility)."""
    AUTO, NONE, ON_WRITE, ON_READ = 0, 1, 2, 3


class VariableAggregation:
    """How a distributed variable's updates are aggregated (accepted for compatibility)."""
    NONE, SUM, MEAN, ONLY_FIRST_REPLICA = 0, 1, 2, 3


class Variable:
    """A mutable tensor: ``assign`` changes it; every op accepts it as a tensor."""

    __array_priority__ = 100

    def __init__(self, initial_value=None, trainable=None, validate_shape=True,
                 caching_device=None, name=None, variable_def=None, dtype=None,
                 import_scope=None, constraint=None, synchronization=VariableSynchronization.AUTO,
                 aggregation=VariableAggregation.NONE, shape=None,
                 experimental_enable_variable_lifting=True):
        if initial_value is None:
            raise ValueError("The `initial_value` arg (None) must be specified.")
        if GRAPHS:
            initial_value = _lift_initial_value(initial_value)
        if callable(initial_value) and not isinstance(initial_value, (Tensor, Variable)):
            initial_value = initial_value()
        if constraint is not None and not callable(constraint):
            raise ValueError(f"Argument `constraint` must be None or a callable. a callable. "
                             f"Got a {type(constraint)}:  {constraint}")
        if isinstance(initial_value, Variable):
            initial_value = initial_value._as_tensor(None)
        value = convert_to_tensor(initial_value, dtype=dtype) if not isinstance(
            initial_value, Tensor) else initial_value
        if dtype is not None and value.dtype is not dtypes.as_dtype(dtype):
            value = convert_to_tensor(np.asarray(value), dtype=dtype)
        arr = np.asarray(value)
        self._value = arr
        self._dtype = value.dtype
        self._shape = TensorShape(arr.shape) if shape is None else TensorShape(shape)
        if not self._shape.is_compatible_with(arr.shape):
            raise ValueError(f"The initial value's shape ({TensorShape(arr.shape)}) is not "
                             f"compatible with the explicitly supplied `shape` argument "
                             f"({self._shape}).")
        self._trainable = True if trainable is None else bool(trainable)
        if synchronization == VariableSynchronization.ON_READ and trainable is None:
            self._trainable = False
        self._name = _strip_suffix(name) if name else "Variable"
        self._constraint = constraint
        self._synchronization = synchronization
        self._aggregation = aggregation
        self._initial_value = value

    # -- properties ---------------------------------------------------------------------------

    name = property(lambda self: f"{self._name}:0", doc="The variable's name, e.g. 'Variable:0'.")
    dtype = property(lambda self: self._dtype, doc="The element type.")
    trainable = property(lambda self: self._trainable, doc="Whether tapes watch it when read.")
    constraint = property(lambda self: self._constraint,
                          doc="A function applied by optimizers after each update, or None.")
    device = property(lambda self: DEVICE, doc="The device holding the value.")
    synchronization = property(lambda self: self._synchronization, doc="Accepted; unused.")
    aggregation = property(lambda self: self._aggregation, doc="Accepted; unused.")
    initial_value = property(lambda self: self._initial_value, doc="The value it started with.")

    @property
    def shape(self):
        """The variable's static shape."""
        return self._shape if not self._shape.is_fully_defined() else TensorShape(
            self._value.shape)

    def get_shape(self):
        """Alias of ``shape``."""
        return self.shape

    @property
    def ndim(self):
        """Number of dimensions."""
        return self._value.ndim

    # -- reading --------------------------------------------------------------------------------

    def _as_tensor(self, dtype=None):
        if dtype is not None and dtype is not self._dtype:
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for variable "
                             f"{self.name} with dtype {self._dtype.name}")
        if GRAPHS:
            from ndflow.graph import variable_ops
            t = variable_ops.read(self)
        else:
            t = wrap_as(self._value, self._dtype)
        if TAPES:
            for tape in TAPES:
                if tape._recording and tape._watch_accessed_variables and self._trainable:
                    tape._watch_variable(self)
            record(READ, (self,), t, _EMPTY)
        return t

    def read_value(self):
        """The current value as a tensor."""
        return self._as_tensor()

    def value(self):
        """The current value as a tensor."""
        return self._as_tensor()

    def numpy(self):
        """The current value as a NumPy array (a copy)."""
        value = self._value
        return value.copy() if value.ndim else value[()]  # a scalar, like TensorFlow

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self._value)
        if dtype is not None and value.dtype != dtype:
            return value.astype(dtype)
        return value.copy() if copy else value

    def ref(self):
        """A hashable reference to this variable."""
        return Reference(self)

    experimental_ref = ref

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __index__(self):
        return self._as_tensor().__index__()

    def __iter__(self):
        return iter(self._as_tensor())

    def __setitem__(self, key, value):
        raise TypeError("'ResourceVariable' object does not support item assignment")

    def __getitem__(self, key):
        from ndflow.ops.indexing import getitem
        if GRAPHS:   # a symbolic read whose assign becomes a graph node
            from ndflow.graph import variable_ops
            return variable_ops.slice_of(self, key)
        result = getitem(self, key)
        sliced = object.__new__(_VariableSlice)
        sliced._value, sliced._dtype = result._value, result._dtype
        sliced._variable, sliced._key = self, key
        if TAPES:
            record(IDENTITY, (result,), sliced, _EMPTY)  # keeps the slice on the tape
        return sliced

    def __repr__(self):
        text = numpy_text(self.numpy())
        if "\n" in text:
            text = "\n" + text
        return (f"<tf.Variable '{self.name}' shape={self.shape} dtype={self._dtype.name}, "
                f"numpy={text}>")

    def __deepcopy__(self, memo):
        copied = Variable(self._value.copy(), trainable=self._trainable, name=self._name,
                          constraint=self._constraint, shape=self._shape)
        memo[id(self)] = copied
        return copied

    # -- writing --------------------------------------------------------------------------------

    def _new_value(self, value):
        arr = np.asarray(convert_to_tensor(value, dtype=self._dtype))
        if not self._shape.is_compatible_with(arr.shape):
            raise ValueError(f"Cannot assign value to variable ' {self.name}': Shape mismatch."
                             f"The variable shape {self._shape}, and the assigned value shape "
                             f"{TensorShape(arr.shape)} are incompatible.")
        return arr

    def _finish(self, read_value):
        return self if read_value else None

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Sets the variable to ``value``; returns the variable (None if not read_value)."""
        if GRAPHS:
            return self._graph_update("AssignVariableOp", value, read_value)
        self._value = self._new_value(value)
        return self._finish(read_value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        """Adds ``delta`` to the variable."""
        if GRAPHS:
            return self._graph_update("AssignAddVariableOp", delta, read_value)
        delta = np.asarray(convert_to_tensor(delta, dtype=self._dtype))
        self._value = self._checked(np.add(self._value, delta))
        return self._finish(read_value)

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        """Subtracts ``delta`` from the variable."""
        if GRAPHS:
            return self._graph_update("AssignSubVariableOp", delta, read_value)
        delta = np.asarray(convert_to_tensor(delta, dtype=self._dtype))
        self._value = self._checked(np.subtract(self._value, delta))
        return self._finish(read_value)

    def _graph_update(self, type_name, value, read_value):
        from ndflow.graph import variable_ops
        variable_ops.update(self, type_name, value)
        return self._finish(read_value)

    def _checked(self, arr):
        if arr.shape != self._value.shape:
            raise ValueError(f"Cannot update variable {self.name} with shape "
                             f"{TensorShape(self._value.shape)} using a value of shape "
                             f"{TensorShape(arr.shape)}")
        return np.asarray(arr.astype(self._value.dtype, copy=False))

    def _buffer_for_update(self):
        """The variable's array, safe to modify in place (for optimizers' fused updates).

        It is copied first when anything else still refers to it (a tensor read earlier, a
        view, a NumPy array handed out), so earlier reads keep their values."""
        value = self._value
        # References: self.__dict__, the local name and getrefcount's own argument.
        if (type(value) is not np.ndarray or value.base is not None
                or sys.getrefcount(value) > 3 or not value.flags.writeable):
            value = self._value = np.array(value)
        return value

    def _scatter_nd(self, indices, updates, combine, op_name):
        if GRAPHS:
            from ndflow.graph import variable_ops
            return variable_ops.scatter(self, "Resource" + op_name, indices, updates, combine,
                                        rows=False)
        idx = np.asarray(convert_to_tensor(indices))
        if idx.dtype.kind not in "iu":
            raise TypeError(f"{op_name}: indices must be int32 or int64, got {idx.dtype}")
        upd = np.asarray(convert_to_tensor(updates, dtype=self._dtype))
        k = idx.shape[-1]
        shape = self._value.shape
        for d in range(k):
            bad = (idx[..., d] < 0) | (idx[..., d] >= shape[d])
            if bad.any():
                raise op_error(errors.InvalidArgumentError, op_name,
                               f"indices{np.argwhere(bad)[0].tolist()} = "
                               f"{idx[tuple(np.argwhere(bad)[0])].tolist()} does not index into "
                               f"param shape {list(shape)}")
        expected = idx.shape[:-1] + shape[k:]
        if upd.shape != expected:
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"updates must have shape {list(expected)}, got {list(upd.shape)}")
        new = self._value.copy()
        combine(new, tuple(np.moveaxis(idx, -1, 0)), upd)
        self._value = new
        return self

    def scatter_nd_update(self, indices, updates, name=None):
        """Sets the elements or slices at ``indices`` (shape [..., k]) to ``updates``."""
        return self._scatter_nd(indices, updates, _set_at, "ScatterNdUpdate")

    def scatter_nd_add(self, indices, updates, name=None):
        """Adds ``updates`` at ``indices`` (repeated indices accumulate)."""
        return self._scatter_nd(indices, updates, np.add.at, "ScatterNdAdd")

    def scatter_nd_sub(self, indices, updates, name=None):
        """Subtracts ``updates`` at ``indices`` (repeated indices accumulate)."""
        return self._scatter_nd(indices, updates, np.subtract.at, "ScatterNdSub")

    def _scatter_rows(self, sparse_delta, combine, op_name):
        if not isinstance(sparse_delta, IndexedSlices):
            raise TypeError(f"sparse_delta is not IndexedSlices: {sparse_delta}")
        if GRAPHS:
            from ndflow.graph import variable_ops
            return variable_ops.scatter(self, op_name, sparse_delta.indices, sparse_delta.values,
                                        combine, rows=True)
        idx = np.asarray(convert_to_tensor(sparse_delta.indices))
        return self._scatter_nd(idx[..., None], sparse_delta.values, combine, op_name)

    def scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Sets rows ``sparse_delta.indices`` to ``sparse_delta.values``."""
        return self._scatter_rows(sparse_delta, _set_at, "ResourceScatterUpdate")

    def scatter_add(self, sparse_delta, use_locking=False, name=None):
        """Adds an IndexedSlices to the variable's rows."""
        return self._scatter_rows(sparse_delta, np.add.at, "ResourceScatterAdd")

    def scatter_sub(self, sparse_delta, use_locking=False, name=None):
        """Subtracts an IndexedSlices from the variable's rows."""
        return self._scatter_rows(sparse_delta, np.subtract.at, "ResourceScatterSub")

    def scatter_max(self, sparse_delta, use_locking=False, name=None):
        """Element-wise maximum of the variable's rows and an IndexedSlices."""
        return self._scatter_rows(sparse_delta, np.maximum.at, "ResourceScatterMax")

    def scatter_min(self, sparse_delta, use_locking=False, name=None):
        """Element-wise minimum of the variable's rows and an IndexedSlices."""
        return self._scatter_rows(sparse_delta, np.minimum.at, "ResourceScatterMin")

    def scatter_mul(self, sparse_delta, use_locking=False, name=None):
        """Multiplies the variable's rows by an IndexedSlices."""
        return self._scatter_rows(sparse_delta, np.multiply.at, "ResourceScatterMul")

    def scatter_div(self, sparse_delta, use_locking=False, name=None):
        """Divides the variable's rows by an IndexedSlices."""
        return self._scatter_rows(sparse_delta, _divide_at, "ResourceScatterDiv")

    def batch_scatter_update(self, sparse_delta, use_locking=False, name=None):
        """Same as ``scatter_update`` for rank-1 indices."""
        return self.scatter_update(sparse_delta, use_locking, name)

    def _assign_slice(self, key, value):
        new = self._value.copy()
        parts = normalize_key(key, list(new.shape))
        target_shape = new[parts].shape
        arr = np.asarray(convert_to_tensor(value, dtype=self._dtype))
        if arr.shape != target_shape:
            try:
                arr = np.broadcast_to(arr, target_shape)
            except ValueError:
                raise ValueError(f"Cannot assign a value of shape {TensorShape(arr.shape)} to "
                                 f"the slice of shape {TensorShape(target_shape)} of variable "
                                 f"{self.name}") from None
        new[parts] = arr
        self._value = new
        return self


def _lift_initial_value(initial_value):
    """The initial value of a variable created while tracing, computed outside the graph (or
    read from a symbolic tensor whose value is known at trace time)."""
    from ndflow.graph import variable_ops
    variable_ops.note_created()
    if callable(initial_value) and not isinstance(initial_value, (Tensor, Variable)):
        with init_scope():
            return initial_value()
    if isinstance(initial_value, Tensor) and not isinstance(initial_value, EagerTensor):
        if getattr(initial_value, "_const", None) is None:
            raise ValueError(
                f"The initial value of a variable created inside a traced function must be "
                f"computable before the function runs; {initial_value!r} depends on the "
                f"function's inputs. Pass a callable, or create the variable outside.")
        return initial_value._const
    return initial_value


def _strip_suffix(name):
    return name[:-2] if name.endswith(":0") else name


def _set_at(target, index, values):
    target[index] = values


def _divide_at(target, index, values):
    np.divide.at(target, index, values)


class _VariableSlice(EagerTensor):
    """The tensor ``variable[key]``, which also offers ``assign`` to write the slice back."""

    __slots__ = ("_variable", "_key")

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Writes ``value`` into the slice of the variable this tensor was read from."""
        var = self._variable._assign_slice(self._key, value)
        return var if read_value else None
