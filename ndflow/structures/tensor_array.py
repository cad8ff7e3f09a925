"""``ndflow.TensorArray``: a list of same-dtype tensors held in a variant ``flow`` tensor.

Every method is built on the TensorList ops of ``list_ops``, so a TensorArray is differentiable
(stack, read, gather, unstack, scatter, concat, split) and is carried through loops by its flow
tensor alone (see ``TensorArray._flatten`` and ``TensorArray._from_flow``).
"""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.ops.array_create_ops import zeros
from ndflow.ops.array_ops import zeros_like
from ndflow.ops.identity_ops import identity
from ndflow.ops.inputs import as_tensor
from ndflow.ops.math_ops import cast
from ndflow.structures import list_ops

__all__ = ["TensorArray"]


def _convert(value, dtype):
    """Converts ``value`` preferring ``dtype``, then checks the dtype as TensorFlow does."""
    if not isinstance(value, Tensor):
        try:
            value = convert_to_tensor(value, dtype)
        except (TypeError, ValueError):
            value = convert_to_tensor(value)
    if value.dtype is not dtype:
        raise errors.InvalidArgumentError(
            None, None, f"TensorArray dtype is {dtype.name} but Op is trying to write dtype "
                        f"{value.dtype.name} ")
    return value


def _int_value(index):
    return int(np.asarray(index))


def _index_tensor(index):
    if isinstance(index, Tensor):
        if index.dtype is dtypes.int64:
            return cast(index, dtypes.int32)
        return index
    return as_tensor(np.int32(index))


class TensorArray:
    """A list of tensors of one dtype, written and read by index (TensorFlow's TensorArray).

    ``write``, ``unstack``, ``scatter`` and ``split`` return a new TensorArray; the old one is
    unchanged (use the returned one, as in TensorFlow graphs). Reads with ``clear_after_read``
    (the default) clear the slot in this TensorArray: reading it again raises
    InvalidArgumentError, and stack/gather/concat see zeros there, as TensorFlow's eager
    TensorArray does. Unwritten slots read as zeros of the element shape.

    Loops carry a TensorArray as its variant ``flow`` tensor: ``ta._flatten()`` returns
    ``[flow]`` and ``TensorArray._from_flow(ta, flow)`` rebuilds a TensorArray with ``ta``'s
    settings (dtype, dynamic size, element shape) around a new flow.
    """

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None,
                 tensor_array_name=None, handle=None, flow=None, infer_shape=True,
                 element_shape=None, colocate_with_first_write_call=True, name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic_size = bool(dynamic_size)
        self._clear_after_read = True if clear_after_read is None else bool(clear_after_read)
        self._infer_shape = infer_shape
        self._element_shape = TensorShape(element_shape)
        self._cleared = frozenset()  # slots read with clear_after_read (reading again raises)
        self._stale = frozenset()    # cleared slots whose flow still holds the old value
        if flow is not None:
            self._flow = flow
            return
        if size is None:
            if not GRAPHS:
                raise ValueError("Size must be declared for TensorArrays when eager execution "
                                 "is enabled.")
            size = 0
        shape = self._element_shape
        self._flow = list_ops.reserve(size, self._dtype,
                                      None if shape.rank is None else shape.as_list())

    @classmethod
    def _from_flow(cls, template, flow):
        """A TensorArray with ``template``'s settings around ``flow`` (a loop's new value)."""
        ta = cls.__new__(cls)
        ta._dtype = template._dtype
        ta._dynamic_size = template._dynamic_size
        ta._clear_after_read = template._clear_after_read
        ta._infer_shape = template._infer_shape
        ta._element_shape = template._element_shape
        ta._cleared = template._cleared
        ta._stale = frozenset()
        ta._flow = flow
        return ta

    def _flatten(self):
        """The tensors that stand for this TensorArray in a loop: ``[flow]``."""
        return [self._settled_flow()]

    def _derive(self, flow, element_shape=None, written=()):
        ta = TensorArray._from_flow(self, flow)
        if element_shape is not None:
            ta._element_shape = element_shape
        ta._cleared = self._cleared.difference(written)
        ta._stale = self._stale.difference(written)
        return ta

    @property
    def flow(self):
        """The variant tensor holding the list."""
        return self._flow

    @property
    def handle(self):
        """None: there is no resource handle (the list lives in ``flow``)."""
        return None

    @property
    def dtype(self):
        """The dtype of the elements."""
        return self._dtype

    @property
    def dynamic_size(self):
        """Whether writes past the end grow the array."""
        return self._dynamic_size

    @property
    def element_shape(self):
        """The (possibly partial) shape of the elements as a TensorShape."""
        return self._element_shape

    def _shape_list(self):
        shape = self._element_shape
        return None if shape.rank is None else shape.as_list()

    def _settled_flow(self):
        """The flow with cleared slots zeroed (they are zeroed lazily, when a whole-array read
        needs them, so that a loop of reads does not copy the list at every step)."""
        if self._stale:
            flow = self._flow
            for i in sorted(self._stale):
                index = _index_tensor(i)
                if self._element_shape.is_fully_defined():
                    zero = zeros(self._element_shape.as_list(), self._dtype)
                else:
                    zero = zeros_like(list_ops.get_item(flow, index, self._dtype))
                flow = list_ops.set_item(flow, index, zero)
            self._flow, self._stale = flow, frozenset()
        return self._flow

    def _check_shape(self, value):
        if not self._element_shape.is_compatible_with(value.shape):
            raise ValueError(f"Incompatible shape for value ({_shape_text(value.shape)}), "
                             f"expected ({_shape_text(self._element_shape)})")
        if self._infer_shape:
            return self._element_shape.merge_with(value.shape)
        return self._element_shape

    def size(self, name=None):
        """The number of elements (an int32 scalar)."""
        return list_ops.length(self._flow)

    def write(self, index, value, name=None):
        """A new TensorArray with ``value`` at ``index``."""
        if not GRAPHS:
            i = _int_value(index)
            if i < 0:
                raise errors.OutOfRangeError(
                    None, None, f"Writing to negative indices (index {i}) is not allowed.")
            n = len(list_ops._value(self._flow._value).items)
            if i >= n and not self._dynamic_size:
                raise errors.OutOfRangeError(
                    None, None, f"Tried to write to index {i} but array is not resizeable and "
                                f"size is: {n} ")
            written = (i,)
        else:
            written = ()
        value = _convert(value, self._dtype)
        shape = self._check_shape(value)
        flow = list_ops.set_item(self._flow, _index_tensor(index), value,
                                 resize_if_index_out_of_bounds=self._dynamic_size)
        return self._derive(flow, shape, written)

    def read(self, index, name=None):
        """The element at ``index`` (zeros of the element shape if it was never written)."""
        index_t = _index_tensor(index)
        if GRAPHS:
            return list_ops.get_item(self._flow, index_t, self._dtype, self._shape_list())
        i = _int_value(index)
        lst = list_ops._value(self._flow._value)
        if i < 0:
            raise errors.OutOfRangeError(
                None, None, f"Reading from negative indices (index {i}) is not allowed.")
        if i >= len(lst.items):
            raise errors.OutOfRangeError(
                None, None, f"Tried to read from index {i} but array size is: "
                            f"{len(lst.items)} ")
        if i in self._cleared:
            raise errors.InvalidArgumentError(
                None, None, f"Could not read index {i} twice because it was cleared after a "
                            f"previous read (perhaps try setting clear_after_read = false?)")
        if lst.items[i] is None:
            self._require_full_shape()
        value = list_ops.get_item(self._flow, index_t, self._dtype, self._shape_list())
        if self._clear_after_read:
            self._cleared = self._cleared | {i}
            self._stale = self._stale | {i}
        return value

    def _require_full_shape(self):
        if not self._element_shape.is_fully_defined():
            raise ValueError(f"Cannot convert a partially known TensorShape "
                             f"{_shape_text(self._element_shape)} to a Tensor.")

    def _require_fill_shape(self, flow):
        if not GRAPHS and any(x is None for x in list_ops._value(flow._value).items):
            self._require_full_shape()

    def stack(self, name=None):
        """All elements stacked along a new first axis."""
        flow = self._settled_flow()
        self._require_fill_shape(flow)
        # A growable array's length, or an element shape nobody inferred, is not static in
        # TensorFlow's trace; otherwise the traced example lists give the static shape.
        unknown = self._dynamic_size or self._element_shape.rank is None
        return list_ops.stack(flow, self._dtype, self._shape_list(),
                              num_elements=-1 if unknown else None)

    def gather(self, indices, name=None):
        """The elements at ``indices`` stacked along a new first axis."""
        flow = self._settled_flow()
        if GRAPHS:
            return list_ops.gather(flow, as_tensor(indices), self._dtype, self._shape_list())
        n = len(list_ops._value(flow._value).items)
        wanted = np.asarray(indices).reshape(-1)
        if any(not -n <= int(i) < n for i in wanted):
            raise IndexError("list index out of range")
        idx = np.asarray([int(i) % n for i in wanted], np.int32)  # Python list indexing
        items = list_ops._value(flow._value).items
        if any(items[i] is None for i in idx):
            self._require_full_shape()
        return list_ops.gather(flow, as_tensor(idx), self._dtype, self._shape_list())

    def concat(self, name=None):
        """All elements concatenated along their first axis."""
        flow = self._settled_flow()
        if not GRAPHS:
            items = list_ops._value(flow._value).items
            if not items:
                raise errors.InvalidArgumentError(
                    None, None, "Cannot concat an empty TensorArray (it has no elements)")
            if any(x is None for x in items):
                self._require_full_shape()
        value, _ = list_ops.concat(flow, self._dtype, self._shape_list())
        return value

    def unstack(self, value, name=None):
        """A new TensorArray whose elements are the rows of ``value``."""
        value = _convert(value, self._dtype)
        if value.shape.rank == 0:
            raise ValueError("Argument `axis` = 0 not in range [0, 0)")
        if not GRAPHS and not self._dynamic_size:
            n = len(list_ops._value(self._flow._value).items)
            if value.shape[0] > n:
                raise ValueError(f"Cannot unstack {value.shape[0]} tensors into a TensorArray "
                                 f"of static size {n} ")
        flow = list_ops.from_tensor(value, self._shape_list())
        ta = self._derive(flow)
        ta._cleared = ta._stale = frozenset()
        return ta

    def scatter(self, indices, value, name=None):
        """A new TensorArray with ``value[k]`` at ``indices[k]``."""
        value = _convert(value, self._dtype)
        written = ()
        if not GRAPHS:
            n = len(list_ops._value(self._flow._value).items)
            idx = np.asarray(indices).reshape(-1).astype(np.int64)
            idx = idx[:value.shape[0]] if value.shape.rank else idx  # pairs, as zip() makes
            for i in idx.tolist():
                if i < 0:
                    raise errors.OutOfRangeError(
                        None, None, f"Writing to negative indices (index {i}) is not allowed.")
                if i >= n and not self._dynamic_size:
                    raise errors.OutOfRangeError(
                        None, None, f"Tried to write to index {i} but array is not resizeable "
                                    f"and size is: {n} ")
            indices = idx.astype(np.int32)
            value = value[:len(idx)] if value.shape[0] != len(idx) else value
            written = tuple(idx.tolist())
        shape = self._element_shape
        if value.shape.rank:
            shape = self._check_shape_rows(value)
        flow = list_ops.scatter(self._flow, value, as_tensor(indices, dtypes.int32))
        return self._derive(flow, shape, written)

    def _check_shape_rows(self, value):
        row = TensorShape(value.shape.as_list()[1:])
        if not self._element_shape.is_compatible_with(row):
            raise ValueError(f"Incompatible shape for value ({_shape_text(row)}), expected "
                             f"({_shape_text(self._element_shape)})")
        return self._element_shape.merge_with(row) if self._infer_shape else self._element_shape

    def split(self, value, lengths, name=None):
        """A new TensorArray whose elements are consecutive pieces of ``value``."""
        value = _convert(value, self._dtype)
        lengths_t = as_tensor(lengths)
        if lengths_t.dtype is not dtypes.int64:
            lengths_t = cast(lengths_t, dtypes.int64)
        if not GRAPHS:
            if value.shape.rank == 0:
                raise errors.InvalidArgumentError(
                    None, None, "Expected value to be at least a vector, but received shape: "
                                f"{value.shape.as_list()} ")
            n = len(list_ops._value(self._flow._value).items)
            sizes = np.asarray(lengths_t).reshape(-1)
            if len(sizes) != n and not self._dynamic_size:
                raise errors.InvalidArgumentError(
                    None, None, f"TensorArray's size is not equal to the size of lengths ({n} "
                                f"vs. {len(sizes)}), and the TensorArray is not marked as "
                                f"dynamically resizeable.")
            if int(sizes.sum()) != value.shape[0]:
                raise errors.InvalidArgumentError(
                    None, None, f"Expected sum of lengths to be equal to values.shape[0], but "
                                f"sum of lengths is {int(sizes.sum())} and value's shape is: "
                                f"{value.shape.as_list()} ")
        flow = list_ops.split(value, lengths_t, self._shape_list())
        ta = self._derive(flow)
        ta._cleared = ta._stale = frozenset()
        return ta

    def identity(self):
        """A TensorArray over an identity of the flow (a new tensor on tapes and in graphs)."""
        return self._derive(identity(self._flow))

    def close(self, name=None):
        """Does nothing (the list is freed with its last reference)."""
        return

    def mark_used(self):
        """Does nothing (TensorFlow uses it to silence unused-value warnings)."""


def _shape_text(shape):
    shape = TensorShape(shape)
    if shape.rank is None:
        return "<unknown>"
    return str(tuple(shape.as_list()))
