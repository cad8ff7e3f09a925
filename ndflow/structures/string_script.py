"""``strings.unicode_script``: the ICU script number (UScriptCode) of each code point.

The script table (``unicode_script_data``) is a list of runs of code points sharing a script;
it is parsed on first use into run starts and script numbers, and a lookup is one binary search
per code point. Values outside 0..0x10FFFF give -1, as ICU's lookup fails for them.
"""
import numpy as np

from ndflow.framework import dtypes
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops.registry import execute, register

_TABLE = []


def _runs():
    """The run starts and script numbers, parsed once."""
    if not _TABLE:
        from ndflow.structures.unicode_script_data import RUNS
        pairs = [token.split(":") for token in RUNS.split()]
        starts = np.cumsum([int(delta, 16) for delta, _ in pairs])
        _TABLE.extend([starts, np.asarray([int(n) for _, n in pairs], np.int32)])
    return _TABLE


def _script_kernel(xp, codepoints):
    starts, numbers = _runs()
    flat = codepoints.reshape(-1)
    out = numbers[np.searchsorted(starts, flat, side="right") - 1]
    out = np.where((flat >= 0) & (flat <= 0x10FFFF), out, np.int32(-1))
    return out.reshape(codepoints.shape)


UNICODE_SCRIPT = register("UnicodeScript", _script_kernel,
                          allowed=frozenset((dtypes.int32,)))


def unicode_script(input, name=None):  # noqa: A002 - TensorFlow's name
    """The ICU UScriptCode of each int32 code point in ``input`` (0: Common, 1: Inherited,
    25: Latin, ...; 103 for unassigned code points, -1 for values that are not code points)."""
    # A tensor keeps its dtype so that a wrong one fails as TensorFlow's op does.
    x = input if isinstance(input, Tensor) else convert_to_tensor(input, dtypes.int32)
    return execute(UNICODE_SCRIPT, (x,))
