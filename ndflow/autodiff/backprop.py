"""The backward pass over a tape's records (shared by gradient, jacobian and batch_jacobian).

Records are kept in execution order, so walking them in reverse visits every op after all of its
consumers: no recursion and no graph sort are needed, however deep the computation.
"""
from ndflow.framework import dtypes
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.ops.array_ops import ones_like, zeros_like
from ndflow.ops.inputs import as_tensor
from ndflow.ops.math_ops import add

_INEXACT = dtypes.INEXACT
_INEXACT_MASK = dtypes.INEXACT_MASK
# Ops whose gradient functions pass an IndexedSlices through unchanged; every other gradient
# function receives its output gradient densified.
_SPARSE_GRAD_OPS = frozenset(("ReadVariableOp", "Identity"))


def accumulate(grads, key, grad):
    """Adds ``grad`` to the gradient accumulated under ``key``."""
    old = grads.get(key)
    grads[key] = grad if old is None else add_gradients(old, grad)


def add_gradients(a, b):
    """The sum of two gradients of the same tensor (either may be sparse); ``b`` is the newer
    one (from an earlier-recorded consumer), so it comes first, as TensorFlow orders slices."""
    if hasattr(b, "_add_gradient"):  # sparse gradients know how to add themselves
        return b._add_gradient(a)
    if hasattr(a, "_add_gradient"):
        return a._add_gradient(b)
    return add(a, b)


def _dense(grad):
    from ndflow.ops.indexed_slices_ops import indexed_slices_to_dense
    return indexed_slices_to_dense(grad)


def backprop(records, targets, output_gradients, source_ids, watched=None):
    """Gradients of sum(targets * output_gradients) with respect to every recorded tensor whose
    id is in ``source_ids``; returns {id: gradient}. ``watched`` (ids of the tensors that
    depend on a watched source) lets gradient functions skip inputs that need no gradient."""
    grads = {}
    for target, seed in zip(targets, output_gradients):
        if seed is None:
            seed = ones_like(as_tensor(target))
        accumulate(grads, id(target), seed)
    for rec in reversed(records):
        op = rec.op
        rec.watched = watched
        if op.single:
            key = id(rec.outputs)
            dy = grads.get(key)
            if dy is None:
                continue
            if key not in source_ids:
                del grads[key]
            if dy.__class__ is IndexedSlices and op.name not in _SPARSE_GRAD_OPS:
                dy = _dense(dy)
            in_grads = op.grad(rec, dy)
        else:
            dys = [grads.get(id(o)) for o in rec.outputs]
            if all(d is None for d in dys):
                continue
            for o in rec.outputs:
                if id(o) not in source_ids:
                    grads.pop(id(o), None)
            zero_fill = not getattr(op.grad, "missing_as_none", False)
            dys = [(zeros_like(o) if zero_fill and o.dtype in _INEXACT else None) if d is None
                   else _dense(d) if d.__class__ is IndexedSlices else d
                   for d, o in zip(dys, rec.outputs)]
            in_grads = op.grad(rec, *dys)
        for x, g in zip(rec.inputs, in_grads):
            if g is not None and x._dtype._bit & _INEXACT_MASK:  # no gradients into integers
                key = id(x)
                old = grads.get(key)
                grads[key] = g if old is None else add_gradients(old, g)
    return grads
