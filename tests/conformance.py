"""Helpers that run the same code on ndflow and on real TensorFlow and compare the outcomes."""
import numpy as np

import ndflow


def outcome(module, fn):
    """('ok', value) or ('raise', exception class name) of ``fn(module)``."""
    try:
        return "ok", fn(module)
    except Exception as exc:  # noqa: BLE001 - the class is what is compared
        return "raise", type(exc).__name__


def _plain(value):
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "numpy") and hasattr(value, "dtype"):
        return ("tensor", value.dtype.name, tuple(value.shape.as_list()), np.asarray(value))
    return value


def assert_same(fn, real_tf, rtol=1e-6):
    """Runs ``fn`` on both modules; results (values, dtypes, shapes) or exception classes agree."""
    ours, theirs = outcome(ndflow, fn), outcome(real_tf, fn)
    assert ours[0] == theirs[0], f"ndflow: {ours}, TensorFlow: {theirs}"
    if ours[0] == "raise":
        assert ours[1] == theirs[1], f"ndflow raised {ours[1]}, TensorFlow raised {theirs[1]}"
        return
    _compare(_plain(ours[1]), _plain(theirs[1]), rtol)


def _compare(a, b, rtol):
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            _compare(x, y, rtol)
    elif isinstance(a, tuple) and a and a[0] == "tensor":
        assert isinstance(b, tuple) and b[0] == "tensor", (a, b)
        assert a[1] == b[1], f"dtype {a[1]} != {b[1]}"
        assert a[2] == b[2], f"shape {a[2]} != {b[2]}"
        if a[3].dtype == object:
            assert a[3].tolist() == b[3].tolist()
        else:
            np.testing.assert_allclose(a[3], b[3], rtol=rtol)
    elif isinstance(a, float):
        assert np.isclose(a, b, rtol=rtol, equal_nan=True), (a, b)
    else:
        assert a == b, (a, b)
