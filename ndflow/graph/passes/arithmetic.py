"""Arithmetic simplification: x*1, 1*x, x+0, 0+x, x-0, x/1, Identity, transpose of a transpose
and reshape of a reshape.

A rewrite applies only when the result keeps the op's dtype and static shape (so a ``+ 0`` that
broadcasts ``x`` to a bigger shape stays) and the values are bitwise the same: ``x + 0.0`` turns
``-0.0`` into ``0.0``, so on floats only ``x + (-0.0)`` and ``x - 0.0`` are dropped.
"""
import numpy as np

from ndflow.graph.passes.rewrite import substitute


def run(graph):
    """Simplifies ``graph`` in place, walking operations in order so that rewrites chain."""
    subst = {}
    for operation in graph._operations:
        if subst and any(id(t) in subst for t in operation.inputs):
            operation.inputs = tuple(subst.get(id(t), t) for t in operation.inputs)
        if operation.op is None or operation.control_inputs:
            continue
        replacement = simplify(operation)
        if replacement is not None:
            subst[id(operation.outputs[0])] = replacement
    substitute(graph, subst)


def simplify(operation):
    """The tensor ``operation``'s output can be replaced by, or None; may rewrite the
    operation itself (transpose and reshape pairs)."""
    kind = operation.type
    out = operation.outputs[0] if len(operation.outputs) == 1 else None
    if out is None:
        return None
    if kind == "Identity":
        return _same(out, operation.inputs[0])
    if kind in _NEUTRAL:
        x, y = operation.inputs
        if _is_neutral(y, kind, right=True):
            return _same(out, x)
        if kind in ("Mul", "AddV2") and _is_neutral(x, kind, right=False):
            return _same(out, y)
        return None
    if kind == "Transpose":
        inner = operation.inputs[0]._op
        outer_perm, inner_perm = operation.attrs.get("perm"), inner.attrs.get("perm")
        # (a perm of None reverses the axes of an input whose rank is known only at run time)
        if (inner.type == "Transpose" and inner.op is operation.op
                and outer_perm is not None and inner_perm is not None):
            perm = tuple(inner_perm[p] for p in outer_perm)
            source = inner.inputs[0]
            if perm == tuple(range(len(perm))):
                return _same(out, source)
            operation.inputs = (source,)
            operation.attrs = dict(operation.attrs, perm=perm)
        return None
    if kind == "Reshape":
        inner = operation.inputs[0]._op
        if inner.type == "Reshape" and inner.op is operation.op:
            # the outer op's own shape input (if any) still decides the result
            operation.inputs = (inner.inputs[0],) + tuple(operation.inputs[1:])
        return _same(out, operation.inputs[0]) if out._shape.is_fully_defined() else None
    return None


# The neutral element of each op, and whether -0.0 / +0.0 is needed on floats (see above).
_NEUTRAL = {"Mul": 1, "RealDiv": 1, "AddV2": 0, "Sub": 0}


def _is_neutral(t, kind, right):
    value = t._const
    if value is None or np.asarray(value).dtype.kind not in "iuf":
        return False
    value = np.asarray(value)
    if not np.all(value == _NEUTRAL[kind]):
        return False
    if value.dtype.kind == "f" and kind in ("AddV2", "Sub"):
        # x + (-0.0) == x and x - 0.0 == x for every x, including -0.0.
        negative = np.signbit(value)
        return bool(np.all(negative)) if kind == "AddV2" else not np.any(negative)
    return True


def _same(out, source):
    """``source`` if it can stand for ``out`` (same dtype and static shape), else None."""
    if source._dtype is out._dtype and source._shape == out._shape and \
            source._shape.rank is not None:
        return source
    return None
