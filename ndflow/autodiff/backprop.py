"""The backward pass over a tape's records (shared by gradient, jacobian and batch_jacobian).

Records are kept in execution order, so walking them in reverse visits every op after all of its
consumers: no recursion and no graph sort are needed, however deep the computation.
"""
from ndflow.framework import dtypes
from ndflow.ops.array_ops import ones_like, zeros_like
from ndflow.ops.inputs import as_tensor
from ndflow.ops.math_ops import add

_INEXACT = dtypes.INEXACT


def accumulate(grads, key, grad):
    """Adds ``grad`` to the gradient accumulated under ``key``."""
    old = grads.get(key)
    if old is None:
        grads[key] = grad
    elif hasattr(old, "_add_gradient"):  # sparse gradients know how to add themselves
        grads[key] = old._add_gradient(grad)
    elif hasattr(grad, "_add_gradient"):
        grads[key] = grad._add_gradient(old)
    else:
        grads[key] = add(old, grad)


def backprop(records, targets, output_gradients, source_ids):
    """Gradients of sum(targets * output_gradients) with respect to every recorded tensor whose
    id is in ``source_ids``; returns {id: gradient}."""
    grads = {}
    for target, seed in zip(targets, output_gradients):
        if seed is None:
            seed = ones_like(as_tensor(target))
        accumulate(grads, id(target), seed)
    for rec in reversed(records):
        op = rec.op
        if op.single:
            key = id(rec.outputs)
            dy = grads.get(key)
            if dy is None:
                continue
            if key not in source_ids:
                del grads[key]
            in_grads = op.grad(rec, dy)
        else:
            dys = [grads.get(id(o)) for o in rec.outputs]
            if all(d is None for d in dys):
                continue
            for o in rec.outputs:
                if id(o) not in source_ids:
                    grads.pop(id(o), None)
            dys = [zeros_like(o) if d is None and o.dtype in _INEXACT else d
                   for d, o in zip(dys, rec.outputs)]
            in_grads = op.grad(rec, *dys)
        for x, g in zip(rec.inputs, in_grads):
            if g is not None and x.dtype in _INEXACT:
                accumulate(grads, id(x), g)
    return grads
