"""TensorList ops: immutable lists of tensors held in a ``variant`` scalar (TensorArray's storage).

A list value is a ``TensorListValue`` (a tuple of arrays, ``None`` for unwritten slots, plus
the element dtype and the partially known element shape) stored in a 0-d array of dtype
``dtypes.VARIANT_NP``. Ops never mutate a list: writes return a new list sharing the arrays, so
a list is an ordinary value for tapes and, later, for graphs and loop variables.

The variant container is always a NumPy array (an object holder, never device memory); the
elements are backend arrays and the element math uses ``xp``.

Gradients are lists too (``None`` slots are zeros). Two gradients of one list are added by
``TensorListAdd`` (TensorFlow does this inside AddN's variant kernel), which the backward pass
reaches through ``_ListGradient._add_gradient``.
"""
import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import EagerTensor
from ndflow.ops.array_ops import reshape, zeros_like
from ndflow.ops.array_shape_ops import size
from ndflow.ops.inputs import as_tensor
from ndflow.ops.registry import execute, op_error, register, register_gradient
from ndflow.ops.segment_ops import unsorted_segment_sum
from ndflow.ops.sort_ops import unique

_VARIANT_NP = dtypes.VARIANT_NP


class TensorListValue:
    """The value inside a variant list tensor: items (arrays or None), dtype, element shape."""

    __slots__ = ("element_dtype", "element_shape", "items")

    def __init__(self, items, element_dtype, element_shape):
        self.items = items                  # tuple; None marks an unwritten (zero) slot
        self.element_dtype = element_dtype  # np.dtype
        self.element_shape = element_shape  # tuple (None for unknown dims) or None (unknown rank)

    def __repr__(self):
        return "<TensorList>"


def _variant(items, element_dtype, element_shape):
    out = np.empty((), _VARIANT_NP)
    out["variant"] = TensorListValue(tuple(items), element_dtype, element_shape)
    return out


def _value(arr):
    return arr[()][0]


def merge_shapes(a, b):
    """The merge of two partial shapes (None: unknown rank), or raises ValueError."""
    if a is None:
        return b
    if b is None:
        return a
    if len(a) != len(b):
        raise ValueError(f"ranks differ: {list(a)} vs {list(b)}")
    out = []
    for x, y in zip(a, b):
        if x is not None and y is not None and x != y:
            raise ValueError(f"dimensions differ: {list(a)} vs {list(b)}")
        out.append(x if x is not None else y)
    return tuple(out)


def _fill_shape(lst, shape_attr, op_name):
    """The full element shape used for unwritten slots (from the list, the attr, or an item)."""
    try:
        shape = merge_shapes(lst.element_shape, shape_attr)
        for item in lst.items:
            if item is not None:
                shape = merge_shapes(shape, item.shape)
                break
    except ValueError as exc:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Incompatible element shapes: {exc}") from None
    if shape is None or any(d is None for d in shape):
        raise op_error(errors.InvalidArgumentError, op_name,
                       "Trying to read an uninitialized tensor but element_shape "
                       f"{'<unknown>' if shape is None else list(shape)} is not fully defined")
    return shape


def _zeros(xp, shape, dtype):
    """Zeros, or empty strings for string lists (TensorFlow's default element)."""
    if dtype.kind == "O":
        return xp.full(shape, b"", dtype=object)
    return xp.zeros(shape, dtype)


def _item(xp, lst, i, shape):
    item = lst.items[i]
    return _zeros(xp, shape, lst.element_dtype) if item is None else item


def _check_index(index, n, op_name):
    if not 0 <= index < n:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Trying to access element {index} in a list with {n} elements.")


def _check_item(lst, item, op_name):
    if item.dtype != lst.element_dtype:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Invalid data types; op elements {dtypes.from_numpy(item.dtype).name} but "
                       f"list elements {dtypes.from_numpy(lst.element_dtype).name}")
    try:
        merge_shapes(lst.element_shape, item.shape)
    except ValueError:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Tried to set a tensor with incompatible shape at a list index. Item "
                       f"element shape: {list(item.shape)} list shape: "
                       f"{list(lst.element_shape)}") from None


# ---------------------------------------------------------------------------------------------
# Kernels

def _reserve_kernel(xp, num_elements, element_shape, element_dtype):
    n = int(num_elements)
    if n < 0:
        raise op_error(errors.InvalidArgumentError, "TensorListReserve",
                       f"The num_elements to reserve must be a non negative number, but got {n}")
    return _variant((None,) * n, np.dtype(element_dtype), element_shape)


def _from_tensor_kernel(xp, tensor, element_shape):
    if tensor.ndim == 0:
        raise op_error(errors.InvalidArgumentError, "TensorListFromTensor",
                       "Tensor must be at least a vector, but saw shape: []")
    try:
        shape = merge_shapes(element_shape, tensor.shape[1:])
    except ValueError as exc:
        raise op_error(errors.InvalidArgumentError, "TensorListFromTensor",
                       f"Incompatible element shape: {exc}") from None
    return _variant(list(tensor), tensor.dtype, shape)


def _length_kernel(xp, handle):
    return np.int32(len(_value(handle).items))


def _set_item_kernel(xp, handle, index, item, resize_if_index_out_of_bounds):
    lst, i = _value(handle), int(index)
    items = list(lst.items)
    if resize_if_index_out_of_bounds and i >= len(items):
        items.extend([None] * (i + 1 - len(items)))
    _check_index(i, len(items), "TensorListSetItem")
    _check_item(lst, item, "TensorListSetItem")
    items[i] = item
    return _variant(items, lst.element_dtype, lst.element_shape)


def _get_item_kernel(xp, handle, index, element_dtype, element_shape):
    lst, i = _value(handle), int(index)
    _check_index(i, len(lst.items), "TensorListGetItem")
    if lst.items[i] is not None:
        return lst.items[i]
    return _zeros(xp, _fill_shape(lst, element_shape, "TensorListGetItem"), lst.element_dtype)


def _stack_kernel(xp, handle, element_dtype, element_shape, num_elements=-1):
    # ``num_elements`` (TensorFlow's attribute) only informs the static shape while tracing.
    lst = _value(handle)
    if not lst.items:
        shape = merge_shapes(lst.element_shape, element_shape)
        known = shape is not None and all(d is not None for d in shape)
        return _zeros(xp, (0,) + (shape if known else ()), lst.element_dtype)
    if any(item is None for item in lst.items):
        shape = _fill_shape(lst, element_shape, "TensorListStack")
        return xp.stack([_item(xp, lst, i, shape) for i in range(len(lst.items))])
    shapes = {item.shape for item in lst.items}
    if len(shapes) > 1:
        raise op_error(errors.InvalidArgumentError, "TensorListStack",
                       f"Tried to stack elements of different shapes: {sorted(shapes)}")
    return xp.stack(lst.items)


def _gather_kernel(xp, handle, indices, element_dtype, element_shape):
    lst = _value(handle)
    n = len(lst.items)
    for i in indices.reshape(-1).tolist():
        _check_index(i, n, "TensorListGather")
    shape = None
    if any(lst.items[i] is None for i in indices.reshape(-1).tolist()) or not indices.size:
        shape = _fill_shape(lst, element_shape, "TensorListGather")
    rows = [_item(xp, lst, i, shape) for i in indices.reshape(-1).tolist()]
    if not rows:
        return _zeros(xp, indices.shape + shape, lst.element_dtype)
    return xp.stack(rows).reshape(indices.shape + rows[0].shape)


def _scatter_kernel(xp, handle, tensor, indices):
    lst = _value(handle)
    idx = indices.reshape(-1).tolist()
    if tensor.ndim == 0 or tensor.shape[0] != len(idx):
        raise op_error(errors.InvalidArgumentError, "TensorListScatterIntoExistingList",
                       f"Specified a list of {len(idx)} indices but the tensor has shape "
                       f"{list(tensor.shape)}")
    items = list(lst.items)
    if idx and max(idx) >= len(items):  # a scatter grows the list, as TensorFlow's does
        items.extend([None] * (max(idx) + 1 - len(items)))
    for k, i in enumerate(idx):
        if i < 0:
            raise op_error(errors.InvalidArgumentError, "TensorListScatterIntoExistingList",
                           f"Indices must be non negative, got {i}")
        _check_item(lst, tensor[k], "TensorListScatterIntoExistingList")
        items[i] = tensor[k]
    return _variant(items, lst.element_dtype, lst.element_shape)


def _concat_kernel(xp, handle, leading_dims, element_dtype, element_shape):
    lst = _value(handle)
    shape = merge_shapes(lst.element_shape, element_shape)
    if not lst.items:
        if shape is None or not shape or any(d is None for d in shape[1:]):
            raise op_error(errors.InvalidArgumentError, "TensorListConcatV2",
                           "Concat of an empty list needs a known element shape (rank >= 1)")
        return _zeros(xp, (0,) + shape[1:], lst.element_dtype), np.zeros(0, np.int64)
    parts = []
    for i, item in enumerate(lst.items):
        if item is None:
            if leading_dims.size <= i:
                raise op_error(errors.InvalidArgumentError, "TensorListConcatV2",
                               f"Element {i} is uninitialized and leading_dims gives no length")
            rest = _fill_shape(lst, element_shape, "TensorListConcatV2")[1:]
            item = _zeros(xp, (int(leading_dims[i]),) + rest, lst.element_dtype)
        elif item.ndim == 0:
            raise op_error(errors.InvalidArgumentError, "TensorListConcatV2",
                           "Concat saw a scalar shape at index 0 but requires at least vectors.")
        parts.append(item)
    if len({p.shape[1:] for p in parts}) > 1:
        raise op_error(errors.InvalidArgumentError, "TensorListConcatV2",
                       "Tried to concat tensors with unequal shapes: "
                       f"{[list(p.shape) for p in parts]}")
    lengths = np.array([p.shape[0] for p in parts], np.int64)
    return xp.concatenate(parts), lengths


def _split_kernel(xp, tensor, lengths, element_shape):
    if tensor.ndim == 0:
        raise op_error(errors.InvalidArgumentError, "TensorListSplit",
                       "Expected value to be at least a vector, but received shape: []")
    sizes = lengths.reshape(-1).tolist()
    if any(s < 0 for s in sizes) or sum(sizes) != tensor.shape[0]:
        raise op_error(errors.InvalidArgumentError, "TensorListSplit",
                       f"Expected sum of lengths to be equal to values.shape[0], but sum of "
                       f"lengths is {sum(sizes)} and value's shape is: {list(tensor.shape)}")
    bounds = np.cumsum([0] + sizes)
    items = [tensor[bounds[k]:bounds[k + 1]] for k in range(len(sizes))]
    shape = element_shape
    if shape is not None:
        shape = (None,) + tuple(shape[1:])
    return _variant(items, tensor.dtype, shape)


def _resize_kernel(xp, handle, size):
    lst, n = _value(handle), int(size)
    if n < 0:
        raise op_error(errors.InvalidArgumentError, "TensorListResize",
                       f"TensorListSlice expects size to be non-negative. Got: {n}")
    items = lst.items[:n] + (None,) * max(0, n - len(lst.items))
    return _variant(items, lst.element_dtype, lst.element_shape)


def _add_kernel(xp, a, b):
    la, lb = _value(a), _value(b)
    if len(la.items) != len(lb.items):
        raise op_error(errors.InvalidArgumentError, "TensorListAdd",
                       f"Trying to add two lists of different lengths: {len(la.items)} and "
                       f"{len(lb.items)}")
    items = [x if y is None else y if x is None else xp.add(x, y)
             for x, y in zip(la.items, lb.items)]
    return _variant(items, la.element_dtype, la.element_shape)


RESERVE = register("TensorListReserve", _reserve_kernel)
FROM_TENSOR = register("TensorListFromTensor", _from_tensor_kernel)
LENGTH = register("TensorListLength", _length_kernel)
SET_ITEM = register("TensorListSetItem", _set_item_kernel)
GET_ITEM = register("TensorListGetItem", _get_item_kernel)
STACK = register("TensorListStack", _stack_kernel)
GATHER = register("TensorListGather", _gather_kernel)
SCATTER = register("TensorListScatterIntoExistingList", _scatter_kernel)
CONCAT = register("TensorListConcatV2", _concat_kernel, num_outputs=2)
SPLIT = register("TensorListSplit", _split_kernel)
RESIZE = register("TensorListResize", _resize_kernel)
ADD = register("TensorListAdd", _add_kernel)


# ---------------------------------------------------------------------------------------------
# Wrappers (TensorArray's building blocks; indices are int32 tensors)

def _shape_attr(shape):
    return None if shape is None else tuple(shape)


def reserve(num_elements, element_dtype, element_shape=None):
    """A list of ``num_elements`` unwritten slots."""
    return execute(RESERVE, (as_tensor(num_elements, dtypes.int32),),
                   {"element_shape": _shape_attr(element_shape),
                    "element_dtype": np.dtype(element_dtype.as_numpy_dtype)})


def from_tensor(tensor, element_shape=None):
    """The list of ``tensor``'s rows."""
    return execute(FROM_TENSOR, (tensor,), {"element_shape": _shape_attr(element_shape)})


def length(handle):
    """The number of slots (int32 scalar)."""
    return execute(LENGTH, (handle,))


def set_item(handle, index, item, resize_if_index_out_of_bounds=False):
    """A new list with slot ``index`` set to ``item``."""
    return execute(SET_ITEM, (handle, index, item),
                   {"resize_if_index_out_of_bounds": resize_if_index_out_of_bounds})


def get_item(handle, index, element_dtype, element_shape=None):
    """Slot ``index`` (zeros of the element shape if unwritten)."""
    return execute(GET_ITEM, (handle, index), _element_attrs(element_dtype, element_shape))


def stack(handle, element_dtype, element_shape=None, num_elements=None):
    """All slots stacked along a new first axis. ``num_elements`` (-1: not known while
    tracing) makes the traced result's static shape ``[num_elements] + element_shape`` (an
    unknown rank for an unknown element shape), as TensorFlow's attribute does."""
    attrs = _element_attrs(element_dtype, element_shape)
    if num_elements is not None:
        attrs["num_elements"] = int(num_elements)
    return execute(STACK, (handle,), attrs)


def gather(handle, indices, element_dtype, element_shape=None):
    """The slots at ``indices`` stacked."""
    return execute(GATHER, (handle, indices), _element_attrs(element_dtype, element_shape))


def scatter(handle, tensor, indices):
    """A new list with slot ``indices[k]`` set to ``tensor[k]`` (grown when needed)."""
    return execute(SCATTER, (handle, tensor, indices))


def concat(handle, element_dtype, element_shape=None, leading_dims=None):
    """(all slots concatenated along axis 0, int64 lengths of the slots)."""
    if leading_dims is None:
        leading_dims = as_tensor(np.zeros(0, np.int64))
    return execute(CONCAT, (handle, leading_dims), _element_attrs(element_dtype, element_shape))


def split(tensor, lengths, element_shape=None):
    """The list of consecutive pieces of ``tensor`` with the given lengths."""
    return execute(SPLIT, (tensor, lengths), {"element_shape": _shape_attr(element_shape)})


def resize(handle, size):
    """The list truncated or padded with unwritten slots to ``size``."""
    return execute(RESIZE, (handle, size))


def _element_attrs(element_dtype, element_shape):
    return {"element_dtype": np.dtype(element_dtype.as_numpy_dtype),
            "element_shape": _shape_attr(element_shape)}


# ---------------------------------------------------------------------------------------------
# Gradients: list gradients are lists (tagged _ListGradient so that the backward pass can add
# two of them); element gradients are dense tensors.

class _ListGradient(EagerTensor):
    """A variant gradient: same layout as EagerTensor plus the hook the backward pass uses."""

    __slots__ = ()

    def _add_gradient(self, other):
        return _as_gradient(execute(ADD, (self, other)))


def _as_gradient(t):
    # Retagging in place keeps the tensor's identity, so tapes that recorded it still see it.
    if t.__class__ is EagerTensor:
        t.__class__ = _ListGradient
    return t


def _dtype_of(lst_tensor):
    return dtypes.from_numpy(_value(lst_tensor._value).element_dtype)


def _zeros_list(like):
    """An unwritten list with ``like``'s length, dtype and element shape (all zeros)."""
    lst = _value(like._value)
    return reserve(length(like), dtypes.from_numpy(lst.element_dtype), lst.element_shape)


def _skip(op, i):
    return i in op.skip_input_indices


@register_gradient("TensorListFromTensor")
def _from_tensor_grad(op, dlist):
    x = op.inputs[0]
    return (stack(dlist, x.dtype, x.shape.as_list()[1:]),)


@register_gradient("TensorListStack")
def _stack_grad(op, dy):
    return (_as_gradient(from_tensor(dy)),)


@register_gradient("TensorListSetItem")
def _set_item_grad(op, dlist):
    handle, index, item = op.inputs
    ditem = get_item(dlist, index, item.dtype, item.shape.as_list())
    dhandle = None
    if not _skip(op, 0):
        dhandle = set_item(dlist, index, zeros_like(item))
        if op.get_attr("resize_if_index_out_of_bounds"):
            dhandle = resize(dhandle, length(handle))
        dhandle = _as_gradient(dhandle)
    return dhandle, None, ditem


@register_gradient("TensorListGetItem")
def _get_item_grad(op, dy):
    handle, index = op.inputs
    return _as_gradient(set_item(_zeros_list(handle), index, dy)), None


@register_gradient("TensorListGather")
def _gather_grad(op, dy):
    handle, indices = op.inputs
    # Repeated indices add up: sum the rows of dy per distinct index, then scatter once.
    flat = reshape(indices, [-1])
    rows = reshape(dy, [-1] + dy.shape.as_list()[indices.shape.rank:])
    uniq, pos = unique(flat)
    summed = unsorted_segment_sum(rows, pos, size(uniq))
    return _as_gradient(scatter(_zeros_list(handle), summed, uniq)), None


@register_gradient("TensorListScatterIntoExistingList")
def _scatter_grad(op, dlist):
    handle, tensor, indices = op.inputs
    dtensor = gather(dlist, indices, tensor.dtype, tensor.shape.as_list()[1:])
    dhandle = None
    if not _skip(op, 0):
        dhandle = _as_gradient(resize(scatter(dlist, zeros_like(tensor), indices),
                                      length(handle)))
    return dhandle, dtensor, None


@register_gradient("TensorListConcatV2")
def _concat_grad(op, dy, dlengths):
    handle = op.inputs[0]
    lengths = op.outputs[1]
    lst = _value(handle._value)
    return _as_gradient(split(dy, lengths, lst.element_shape)), None


@register_gradient("TensorListSplit")
def _split_grad(op, dlist):
    tensor, lengths = op.inputs
    dtensor, _ = concat(dlist, tensor.dtype, [None] + tensor.shape.as_list()[1:],
                        leading_dims=lengths)
    return dtensor, None


@register_gradient("TensorListResize")
def _resize_grad(op, dlist):
    return _as_gradient(resize(dlist, length(op.inputs[0]))), None


@register_gradient("TensorListAdd")
def _add_grad(op, dlist):
    return dlist, dlist
