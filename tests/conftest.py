"""Shared fixtures: the reference TensorFlow (skipped cleanly when it is not installed)."""
import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _load_tensorflow():
    try:
        import tensorflow
    except ImportError:
        return None
    return tensorflow


@pytest.fixture(scope="session")
def real_tf():
    """The real TensorFlow module, for conformance tests."""
    module = _load_tensorflow()
    if module is None:
        pytest.skip("TensorFlow is not installed")
    return module
