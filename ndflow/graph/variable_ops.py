"""Variables inside traced graphs: reads and assignments become graph nodes on the variable's
resource handle, so every run of the graph reads and updates the real variable."""
import numpy as np

from ndflow.framework.context import GRAPHS, TAPES
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.tensor import convert_to_tensor
from ndflow.framework.tensor_shape import TensorShape
from ndflow.graph.graph import GraphTensor, examples_for


class VariableCreationTracker:
    """Counts variables created while a function is traced (only its first trace may)."""
    created = 0


def note_created():
    """Called when a Variable is created while tracing."""
    VariableCreationTracker.created += 1


def _read_value(variable):
    return (variable._value,)


def read(variable):
    """A ReadVariableOp node reading ``variable`` when the graph runs (recorded on tapes)."""
    from ndflow.ops.registry import record
    from ndflow.ops.variables import READ
    graph = GRAPHS[-1]
    handle = graph.resource_for(variable)
    node = graph.add_node("ReadVariableOp", (handle,), {"dtype": variable.dtype}, _read_value,
                          [(variable.shape, variable.dtype)], name="ReadVariableOp")
    out = node.outputs[0]
    if TAPES:
        for tape in TAPES:
            if tape._recording and tape._watch_accessed_variables and variable._trainable:
                tape._watch_variable(variable)
        record(READ, (variable,), out, {})
    return out


def _assign(variable, value):
    variable._value = np.asarray(value)
    return ()


def _assign_add(variable, delta):
    variable._value = np.asarray(np.add(variable._value, delta, dtype=variable._value.dtype))
    return ()


def _assign_sub(variable, delta):
    variable._value = np.asarray(np.subtract(variable._value, delta,
                                             dtype=variable._value.dtype))
    return ()


_UPDATES = {"AssignVariableOp": _assign, "AssignAddVariableOp": _assign_add,
            "AssignSubVariableOp": _assign_sub}


def update(variable, type_name, value):
    """An assignment node (``AssignVariableOp`` and friends) on ``variable``."""
    graph = GRAPHS[-1]
    value = convert_to_tensor(value, dtype=variable.dtype)
    shape = TensorShape(value.shape)
    target = variable._shape if type_name == "AssignVariableOp" else TensorShape(
        variable._value.shape)
    if not target.is_compatible_with(shape) or (type_name != "AssignVariableOp"
                                                and shape.rank is not None
                                                and shape.rank != target.rank):
        raise ValueError(f"Cannot update variable {variable.name} with shape {target} using a "
                         f"value of shape {shape}")
    handle = graph.resource_for(variable)
    graph.add_node(type_name, (handle, value), {"dtype": variable.dtype}, _UPDATES[type_name],
                   [], name=type_name)


# -- sliced and scatter assignments -----------------------------------------------------------

class _Slot:
    """Where the value of the ``index``-th symbolic tensor goes in a slice key."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def _split_key(key):
    """``key`` with each symbolic tensor replaced by a ``_Slot``; and those tensors."""
    from ndflow.framework.tensor import EagerTensor, Tensor
    tensors = []

    def part(item):
        if isinstance(item, Tensor) and type(item) is not EagerTensor:
            if item._const is not None:      # known while tracing: a plain index
                return item._const.item() if item._const.ndim == 0 else item
            if not item.dtype.is_integer or item.shape.rank != 0:
                raise TypeError(f"Only integers, slices (`:`), ellipsis (`...`), tf.newaxis "
                                f"(`None`) and scalar tf.int32/tf.int64 tensors are valid "
                                f"indices, got {item!r}")
            tensors.append(item)
            return _Slot(len(tensors) - 1)
        if isinstance(item, slice):
            return slice(part(item.start), part(item.stop), part(item.step))
        return item

    items = key if isinstance(key, (tuple, list)) else (key,)
    return tuple(part(item) for item in items), tensors


def _fill_key(template, values, convert=int):
    """The key with each ``_Slot`` replaced by its value (``convert``-ed: ints when the graph
    runs; tensors, left as they are, when a branch is replayed op by op)."""
    def part(item):
        if type(item) is _Slot:
            return convert(values[item.index])
        if isinstance(item, slice):
            return slice(part(item.start), part(item.stop), part(item.step))
        return item
    return tuple(part(item) for item in template)


def _static_slice_shape(template, shape):
    """The static shape of ``x[key]`` for a key holding symbolic ints (``_Slot``). As in
    TensorFlow, a begin or end known only at run time leaves every explicit slice's size
    unknown; dimensions the key does not name (after an ellipsis, or trailing) keep theirs."""
    from ndflow.ops.indexing import normalize_key
    if shape.rank is None or any(isinstance(item, slice) and type(item.step) is _Slot
                                 for item in template):
        return TensorShape(None)     # TensorFlow gives up on the shape for a symbolic stride
    dims = list(shape.dims)
    explicit = sum(1 for item in template if item is not None and item is not Ellipsis)
    expanded = []
    for item in template:
        expanded += [_UNNAMED] * (len(dims) - explicit) if item is Ellipsis else [item]
    expanded += [_UNNAMED] * (len(dims) - sum(1 for i in expanded if i is not None))
    out, axis = [], 0
    for item in expanded:
        if item is None:
            out.append(1)
            continue
        size = dims[axis]
        axis += 1
        if item is _UNNAMED:
            out.append(size)
        elif isinstance(item, slice):
            out.append(None)
        elif type(item) is not _Slot and size is not None:
            normalize_key((item,), [size])   # TensorFlow's error for a static index
    return TensorShape(out)


def _same(value):
    return value


_UNNAMED = object()     # a dimension the key does not name (after an ellipsis, or trailing)


class GraphVariableSlice(GraphTensor):
    """``variable[key]`` read while tracing: ``assign`` writes the slice back as a
    ``ResourceStridedSliceAssign`` node (see ``slice_of``)."""

    # No slots of its own, so a GraphTensor (already an op's output and perhaps on a tape) can
    # become one in place; ``_slice_of`` (variable, key) is a GraphTensor slot.
    __slots__ = ()

    def assign(self, value, use_locking=None, name=None, read_value=True):
        """Writes ``value`` into the slice of the variable this tensor was read from when the
        graph runs; returns the variable (None if not ``read_value``)."""
        variable, key = self._slice_of
        template, tensors = _split_key(key)
        graph = GRAPHS[-1]
        value = convert_to_tensor(value, dtype=variable.dtype)
        handle = graph.resource_for(variable)

        def run(var, new, *index_values):
            var._assign_slice(_fill_key(template, index_values), new)
            return ()

        def replayed(var, new, *index_tensors):
            var[_fill_key(template, index_tensors, _same)].assign(new, read_value=False)
            return ()
        node = graph.add_node("ResourceStridedSliceAssign", (handle, value, *tensors),
                              {"T": variable.dtype, "key": template}, run, [],
                              name=f"{self.op.name}/_assign")
        node.eager = replayed
        return variable if read_value else None


def _dynamic_slice_kernel(xp, x, *index_values, key):
    from ndflow.ops.indexing import normalize_key
    return xp.asarray(x[normalize_key(_fill_key(key, index_values), list(x.shape))])


def _dynamic_slice_grad_kernel(xp, dy, x, *index_values, key):
    from ndflow.ops.indexing import normalize_key
    out = xp.zeros_like(x)
    out[normalize_key(_fill_key(key, index_values), list(x.shape))] = dy
    return out


def _dynamic_slice_grad(rec, dy):
    from ndflow.ops.registry import execute
    x, indices = rec.inputs[0], rec.inputs[1:]
    grad = execute(_DYNAMIC_SLICE_GRAD, (dy, x, *indices), {"key": rec.get_attr("key")})
    return (grad,) + (None,) * len(indices)


def _dynamic_slice_grad_grad(rec, ddx):
    from ndflow.ops.registry import execute
    indices = rec.inputs[2:]
    grad = execute(_DYNAMIC_SLICE, (ddx, *indices), {"key": rec.get_attr("key")})
    return (grad, None) + (None,) * len(indices)


def _make_ops():
    from ndflow.ops.registry import Op
    # Not registered: eager code never meets a symbolic index, so only graphs hold these.
    return (Op("StridedSlice", _dynamic_slice_kernel, grad=_dynamic_slice_grad),
            Op("StridedSliceGrad", _dynamic_slice_grad_kernel, grad=_dynamic_slice_grad_grad))


_DYNAMIC_SLICE, _DYNAMIC_SLICE_GRAD = _make_ops()


def _sliced(source, template, tensors):
    """A StridedSlice of ``source`` (a tensor or variable) whose symbolic indices are inputs,
    with TensorFlow's static shape."""
    from ndflow.ops.registry import execute
    result = execute(_DYNAMIC_SLICE, (source, *tensors), {"key": template})
    result._shape = _static_slice_shape(template, source.shape)
    result._ex = examples_for(result._shape, result.dtype)
    return result


def dynamic_getitem(tensor, key):
    """``tensor[key]`` while tracing when the key holds symbolic scalar indices (``x[i]``,
    ``x[i:j]``); None when every index is known, so the caller slices as usual."""
    template, tensors = _split_key(key)
    return _sliced(tensor, template, tensors) if tensors else None


def slice_grad(dy, x, key):
    """The gradient of ``x[key]`` for an ``x`` whose static shape is not fully known: zeros of
    x's run-time shape with ``dy`` written at ``key``."""
    from ndflow.ops.registry import execute
    return execute(_DYNAMIC_SLICE_GRAD, (dy, x), {"key": key})


def slice_of(variable, key):
    """``variable[key]`` while tracing: a symbolic slice whose ``assign`` updates the variable.
    Keys with symbolic scalar indices (``v[i]``) slice with a StridedSlice of their own whose
    indices are inputs; it has TensorFlow's static shape and a gradient."""
    from ndflow.ops.indexing import getitem
    template, tensors = _split_key(key)
    if tensors:
        result = _sliced(variable, template, tensors)
    else:
        result = getitem(variable, template)
    result.__class__ = GraphVariableSlice
    result._slice_of = (variable, key)
    return result


def scatter(variable, type_name, indices, updates, combine, rows):
    """A scatter node (``ResourceScatterNdUpdate``, ``ResourceScatterUpdate``...) applying
    ``combine`` at ``indices`` when the graph runs (``rows``: indices name rows, as
    ``scatter_update`` takes them, rather than ``[..., k]`` coordinates)."""
    graph = GRAPHS[-1]
    indices = convert_to_tensor(indices)
    if not indices.dtype.is_integer:
        raise TypeError(f"{type_name}: indices must be int32 or int64, got {indices.dtype.name}")
    updates = convert_to_tensor(updates, dtype=variable.dtype)
    _check_scatter_shapes(variable, type_name, indices.shape, updates.shape, rows)
    eager_name = type_name if rows else type_name[len("Resource"):]
    handle = graph.resource_for(variable)

    def run(var, index, values):
        index = np.asarray(index)
        var._scatter_nd(index[..., None] if rows else index, values, combine, eager_name)
        return ()

    def replayed(var, index, values):
        if rows:
            var._scatter_rows(IndexedSlices(values, index), combine, eager_name)
        else:
            var._scatter_nd(index, values, combine, eager_name)
        return ()
    node = graph.add_node(type_name, (handle, indices, updates), {"dtype": variable.dtype}, run,
                          [], name=type_name)
    node.eager = replayed
    return variable


def _check_scatter_shapes(variable, type_name, index_shape, update_shape, rows):
    """TensorFlow's trace-time shape check: updates must be indices' outer dims followed by the
    variable's dims the indices do not address."""
    shape = variable.shape
    if index_shape.rank is None or update_shape.rank is None or shape.rank is None:
        return
    if rows:
        outer, depth = index_shape.dims, 1
    else:
        depth = index_shape.dims[-1] if index_shape.rank else None
        if depth is None:
            return
        outer = index_shape.dims[:-1]
    expected = TensorShape(list(outer) + list(shape.dims[depth:]))
    if not expected.is_compatible_with(update_shape):
        raise ValueError(f"Shapes of indices {index_shape} and updates {update_shape} do not "
                         f"match variable {variable.name} of shape {shape} in {type_name}: "
                         f"updates must have shape {expected}.")
