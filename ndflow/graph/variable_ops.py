"""Variables inside traced graphs: reads and assignments become graph nodes on the variable's
resource handle, so every run of the graph reads and updates the real variable."""
import numpy as np

from ndflow.framework.context import GRAPHS, TAPES
from ndflow.framework.tensor import convert_to_tensor
from ndflow.framework.tensor_shape import TensorShape


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

