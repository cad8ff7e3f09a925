"""``get_static_value``: a tensor's value when it is known without running a graph."""
from ndflow.framework.tensor import EagerTensor, Tensor


def get_static_value(tensor, partial=False):
    """The value of ``tensor`` as a NumPy array when it is known now (always for eager tensors;
    while tracing, for constants and what was computed from them), else None. Values that are
    not tensors come back unchanged (composite tensors give None)."""
    if type(tensor) is EagerTensor:
        return tensor.numpy()
    if isinstance(tensor, Tensor):
        return getattr(tensor, "_const", None)
    if hasattr(tensor, "_type_spec"):      # composites have no single value
        return None
    return tensor
