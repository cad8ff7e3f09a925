"""Routes ``ndflow.concat``, ``stack`` and ``reduce_*`` to their ragged versions
when an argument is a RaggedTensor. The dense function runs first; only when it rejects its
arguments are they checked for ragged tensors, so dense calls pay nothing extra but one frame."""
import functools

from ndflow.ops import array_ops, reduce_ops
from ndflow.structures import ragged_ops
from ndflow.structures.ragged_tensor import RaggedTensor


def _has_ragged(value):
    if isinstance(value, RaggedTensor):
        return True
    return isinstance(value, (list, tuple)) and any(isinstance(v, RaggedTensor) for v in value)


def _routed(dense, ragged, check=lambda args, kwargs: _has_ragged(args[0]) if args else False):
    @functools.wraps(dense)
    def route(*args, **kwargs):
        try:
            return dense(*args, **kwargs)
        except (TypeError, ValueError):
            if check(args, kwargs):
                return ragged(*args, **kwargs)
            raise
    return route


concat = _routed(array_ops.concat, ragged_ops.concat)
stack = _routed(array_ops.stack, ragged_ops.stack)
reduce_sum = _routed(reduce_ops.reduce_sum, ragged_ops.reduce_sum)
reduce_mean = _routed(reduce_ops.reduce_mean, ragged_ops.reduce_mean)
reduce_max = _routed(reduce_ops.reduce_max, ragged_ops.reduce_max)
reduce_min = _routed(reduce_ops.reduce_min, ragged_ops.reduce_min)

__all__ = ["concat", "reduce_max", "reduce_mean", "reduce_min", "reduce_sum",
           "stack"]
