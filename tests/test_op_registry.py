"""Walks the op registry: values against NumPy, gradients against finite differences (float64),
and conformance with TensorFlow, for every case in tests/cases/."""
import importlib
import pkgutil

import numpy as np
import pytest

import ndflow
from ndflow.ops.registry import REGISTRY
from opcases import ErrorCase
import cases

CASES, ERROR_CASES = [], []
for _info in pkgutil.iter_modules(cases.__path__):
    _module = importlib.import_module(f"cases.{_info.name}")
    for _case in getattr(_module, "CASES", []):
        (ERROR_CASES if isinstance(_case, ErrorCase) else CASES).append(_case)

# Ops that have no public function to call on their own (each with the reason).
UNTESTED_ON_PURPOSE = {
    "CustomGradient": "created per custom_gradient call; tested in tests/autodiff",
}


def _run(module, case, arrays):
    tensors = [module.constant(a) for a in arrays]
    return case.fn(module, *tensors, **case.kwargs)


def _flat(out):
    if isinstance(out, (list, tuple)):
        return [leaf for item in out for leaf in _flat(item)]
    if isinstance(out, dict):
        return [leaf for key in sorted(out) for leaf in _flat(out[key])]
    return [out]


def test_every_op_has_a_case():
    covered = {op for case in CASES + ERROR_CASES for op in getattr(case, "ops", [])}
    missing = sorted(set(REGISTRY) - covered - set(UNTESTED_ON_PURPOSE))
    assert not missing, f"ops without a test case in tests/cases/: {missing}"


def test_case_names_are_unique():
    names = [c.name for c in CASES + ERROR_CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_values_match_reference(case):
    outs = _flat(_run(ndflow, case, case.args))
    for out in outs:
        assert isinstance(out, ndflow.Tensor), f"{case.name}: output {out!r} is not a Tensor"
    if case.ref is None or not case.values:
        return
    refs = _flat(case.ref(*case.args, **case.kwargs))
    assert len(refs) == len(outs)
    for out, ref in zip(outs, refs):
        ref = np.asarray(ref)
        assert out.shape == ref.shape, f"{case.name}: shape {out.shape} != {ref.shape}"
        np.testing.assert_allclose(np.asarray(out), ref, rtol=case.rtol, atol=case.atol,
                                   err_msg=case.name)


def _weights(outs):
    rng = np.random.default_rng(0)
    return [rng.uniform(0.5, 1.5, np.shape(o)) for o in outs]


def _weighted_sum(module, outs, weights):
    total = 0.0
    for o, w in zip(outs, weights):
        if o.dtype.is_floating:
            total = total + module.reduce_sum(o * module.constant(w, dtype=o.dtype))
    return total


def _float_positions(case):
    if case.wrt is not None:
        return list(case.wrt)
    return [i for i, a in enumerate(case.args) if np.asarray(a).dtype.kind == "f"]


def _tape_gradients(module, case, arrays):
    tensors = [module.constant(a) for a in arrays]
    wrt = _float_positions(case)
    with module.GradientTape() as tape:
        for i in wrt:
            tape.watch(tensors[i])
        outs = _flat(case.fn(module, *tensors, **case.kwargs))
        weights = _weights(outs)
        total = _weighted_sum(module, outs, weights)
    grads = tape.gradient(total, [tensors[i] for i in wrt])
    return [None if g is None else np.asarray(_densify(module, g)) for g in grads]


def _densify(module, g):
    return module.convert_to_tensor(g) if hasattr(g, "indices") else g


GRAD_CASES = [c for c in CASES if c.grad]


@pytest.mark.parametrize("case", GRAD_CASES, ids=lambda c: c.name)
def test_gradients_match_finite_differences(case):
    arrays = [np.asarray(a, dtype=np.float64) if np.asarray(a).dtype.kind == "f" else a
              for a in case.args]
    grads = _tape_gradients(ndflow, case, arrays)
    weights = _weights(_flat(_run(ndflow, case, arrays)))

    def objective(values):
        outs = _flat(_run(ndflow, case, values))
        return sum(float(np.sum(np.asarray(o) * w)) for o, w in zip(outs, weights)
                   if o.dtype.is_floating)

    eps = 1e-6
    for g, i in zip(grads, _float_positions(case)):
        assert g is not None, f"{case.name}: no gradient for argument {i}"
        numeric = np.zeros_like(arrays[i])
        for idx in np.ndindex(arrays[i].shape):
            plus = [a.copy() if k == i else a for k, a in enumerate(arrays)]
            minus = [a.copy() if k == i else a for k, a in enumerate(arrays)]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            numeric[idx] = (objective(plus) - objective(minus)) / (2 * eps)
        np.testing.assert_allclose(g, numeric, rtol=case.grad_rtol, atol=case.grad_atol,
                                   err_msg=f"{case.name}: gradient of argument {i}")


TF_CASES = [c for c in CASES if c.tf]


@pytest.mark.parametrize("case", TF_CASES, ids=lambda c: c.name)
def test_conformance_with_tensorflow(case, real_tf):
    ours = _flat(_run(ndflow, case, case.args))
    theirs = _flat(_run(real_tf, case, case.args))
    assert len(ours) == len(theirs), case.name
    for o, t in zip(ours, theirs):
        assert o.dtype.name == t.dtype.name, f"{case.name}: dtype {o.dtype.name} != {t.dtype.name}"
        assert o.shape.as_list() == t.shape.as_list(), f"{case.name}: {o.shape} != {t.shape}"
        if case.values:
            np.testing.assert_allclose(np.asarray(o), t.numpy(), rtol=case.rtol, atol=case.atol,
                                       err_msg=case.name)
    if case.grad and case.values:
        ours_g = _tape_gradients(ndflow, case, case.args)
        theirs_g = _tape_gradients(real_tf, case, case.args)
        for i, (o, t) in enumerate(zip(ours_g, theirs_g)):
            if t is None:
                assert o is None or not np.any(o), f"{case.name}: TF has no gradient for arg {i}"
                continue
            np.testing.assert_allclose(o, t, rtol=max(case.grad_rtol, 1e-4), atol=1e-5,
                                       err_msg=f"{case.name}: gradient {i}")


def _error_name(module, case):
    try:
        _run(module, case, case.args)
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return type(exc).__name__
    return None


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: c.name)
def test_errors(case):
    assert _error_name(ndflow, case) == case.error


@pytest.mark.parametrize("case", [c for c in ERROR_CASES if c.tf], ids=lambda c: c.name)
def test_errors_match_tensorflow(case, real_tf):
    assert _error_name(real_tf, case) == case.error
