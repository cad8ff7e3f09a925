"""``ndflow.print``: prints tensors when the op runs (at every call of a traced function, unlike
Python's ``print``, which runs once per trace)."""
import sys

import numpy as np

from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import Tensor
from ndflow.util import nest


def _format_scalar(x):
    if isinstance(x, (bytes, np.bytes_)):
        return '"' + x.decode("utf-8", "backslashreplace") + '"'
    if isinstance(x, (bool, np.bool_)):
        return "1" if x else "0"
    if isinstance(x, (float, np.floating)):
        return np.format_float_positional(x, trim="-") if 1e-4 <= abs(x) < 1e16 or x == 0 \
            else np.format_float_scientific(x, trim="-", exp_digits=2)
    return str(x)


def format_array(value, summarize=3):
    """A tensor value as ``ndflow.print`` shows it: ``[1 2 ... 8 9]``, nested rows."""
    value = np.asarray(value)
    if value.ndim == 0:
        return _format_scalar(value[()])

    def rows(arr, indent):
        n = arr.shape[0]
        keep = list(range(n)) if summarize < 0 or n <= 2 * summarize else (
            list(range(summarize)) + [None] + list(range(n - summarize, n)))
        if arr.ndim == 1:
            return "[" + " ".join("..." if i is None else _format_scalar(arr[i])
                                  for i in keep) + "]"
        parts = ["..." if i is None else rows(arr[i], indent + " ") for i in keep]
        return "[" + ("\n" + indent + " ").join(parts) + "]"

    return rows(value, "")


def _format_item(item, summarize):
    if isinstance(item, np.ndarray):
        return format_array(item, summarize)
    if isinstance(item, str):
        return item
    if isinstance(item, list):
        return "[" + ", ".join(_format_item(i, summarize) for i in item) + "]"
    if isinstance(item, tuple):
        return "(" + ", ".join(_format_item(i, summarize) for i in item) + ")"
    if isinstance(item, dict):
        return "{" + ", ".join(f"{k!r}: {_format_item(v, summarize)}"
                               for k, v in item.items()) + "}"
    return str(item)


_IMPORT_STDERR, _IMPORT_STDOUT = sys.stderr, sys.stdout


def _stream(output_stream):
    """The stream to write to, resolved when printing (so redirected sys.stderr is honoured)."""
    if output_stream in (_IMPORT_STDERR, sys.__stderr__, "stderr"):
        return sys.stderr
    if output_stream in (_IMPORT_STDOUT, sys.__stdout__, "stdout"):
        return sys.stdout
    return output_stream


def print_v2(*inputs, output_stream=sys.stderr, summarize=3, sep=" ", end="\n", name=None):
    """Prints its inputs (tensors, Python values and nests of them) when it runs."""
    flat = nest.flatten(list(inputs))
    positions = [i for i, x in enumerate(flat) if isinstance(x, Tensor) or hasattr(x, "_as_tensor")]

    def emit(*values):
        leaves = list(flat)
        for i, v in zip(positions, values):
            leaves[i] = np.asarray(v)
        items = nest.pack_sequence_as(list(inputs), leaves)
        text = sep.join(_format_item(item, summarize) for item in items) + end
        _stream(output_stream).write(text)
        return ()

    tensors = [flat[i] for i in positions]
    if GRAPHS:
        GRAPHS[-1].add_node("PrintV2", tensors, {"summarize": summarize}, emit, [],
                            name=name or "PrintV2")
        return None
    emit(*[np.asarray(t) for t in tensors])
    return None
