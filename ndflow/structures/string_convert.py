"""Conversions between numbers and strings: to_number, as_string and format."""
import re

import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops.registry import execute, op_error, register
from ndflow.structures.string_ops import STRING, as_string_tensor, map_strings, ragged_elementwise

_BAD = errors.InvalidArgumentError

# ---------------------------------------------------------------------------------------------
# to_number: floats follow strtod (decimal, hex, inf, nan; surrounding whitespace allowed),
# integers are optionally signed decimal digits within the type's range.

_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity|nan)",
                      re.IGNORECASE)
_HEX = re.compile(r"[+-]?0x([0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(p[+-]?\d+)?", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?\d+")
_OUT_TYPES = (dtypes.float32, dtypes.float64, dtypes.int32, dtypes.int64, dtypes.uint32,
              dtypes.uint64)


def _parse_float(text):
    if _DECIMAL.fullmatch(text):
        return float(text)
    if _HEX.fullmatch(text):
        sign = -1.0 if text.startswith("-") else 1.0
        body = text.lstrip("+-")
        return sign * float.fromhex(body if "p" in body.lower() else body + "p0")
    return None


def _to_number_kernel(xp, x, out_type):
    np_type = out_type.as_numpy_dtype
    integer = out_type.is_integer
    info = np.iinfo(np_type) if integer else None
    unsigned = out_type.is_unsigned

    def convert(s):
        text = s.decode("utf-8", "replace").strip()
        if integer:
            value = int(text) if _INTEGER.fullmatch(text) else None
            if unsigned and text.startswith("-"):  # strtoull-style: no sign on unsigned
                value = None
            if value is not None and info.min <= value <= info.max:
                return value
        else:
            value = _parse_float(text)
            if value is not None:
                return value
        raise op_error(_BAD, "StringToNumber", f"StringToNumberOp could not correctly convert "
                                               f"string: {s.decode('utf-8', 'replace')}")

    with np.errstate(over="ignore"):
        return map_strings(xp, x, convert, np.float64 if not integer else object).astype(np_type)


def _to_number_dtype(input_dtypes, attrs):
    # The examples (b"a") never parse, so the traced output's dtype comes from ``out_type``.
    return [attrs["out_type"]]


STRING_TO_NUMBER = register("StringToNumber", _to_number_kernel, allowed=STRING,
                            infer=_to_number_dtype)


@ragged_elementwise
def to_number(string_tensor, out_type=dtypes.float32, name=None):
    """Parses each string as a number of ``out_type`` (float32 by default)."""
    out_type = dtypes.as_dtype(out_type)
    if out_type not in _OUT_TYPES:
        raise op_error(_BAD, "StringToNumber", f"Value for attr 'out_type' of {out_type.name} is "
                                               f"not in the list of allowed values: float, "
                                               f"double, int32, int64, uint32, uint64")
    return execute(STRING_TO_NUMBER, (as_string_tensor(string_tensor),), {"out_type": out_type})


# ---------------------------------------------------------------------------------------------
# as_string: printf formats, as TensorFlow builds them

def _as_string_kernel(xp, x, spec, conversion):
    kind = x.dtype.kind
    if kind == "b":
        return map_strings(xp, x, lambda v: b"true" if v else b"false")
    if kind == "O":
        return map_strings(xp, x, lambda s: (spec + "s") % s.decode("utf-8", "surrogateescape")
                           if spec != "%" else s)
    if kind == "c":
        fmt = spec + conversion
        return map_strings(xp, x, lambda v: f"({fmt % v.real},{fmt % v.imag})".encode())
    fmt = spec + conversion
    cast = float if kind == "f" else int
    return map_strings(xp, x, lambda v: (fmt % cast(v)).encode())


AS_STRING = register("AsString", _as_string_kernel)
_FILLS = (" ", "+", "-", "0", "#")


@ragged_elementwise
def as_string(input, precision=-1, scientific=False, shortest=False, width=-1,  # noqa: A002
              fill="", name=None):
    """Formats each element as a string (printf-style ``precision``, ``width``, ``fill``)."""
    x = convert_to_tensor(input)
    dt = x.dtype
    inexact = dt.is_floating or dt.is_complex
    if scientific and shortest:
        raise op_error(_BAD, "AsString", "Cannot select both scientific and shortest notation")
    if precision > -1 and not inexact:
        raise op_error(_BAD, "AsString", f"precision not supported for datatype {dt.name}")
    if (scientific or shortest) and not inexact:
        raise op_error(_BAD, "AsString", f"scientific and shortest format not supported for "
                                         f"datatype {dt.name}")
    if len(fill) > 1:
        raise op_error(_BAD, "AsString", f"Fill string must be one or fewer characters: {fill}")
    if fill and fill not in _FILLS:
        raise op_error(_BAD, "AsString", f'Fill argument not supported: "{fill}"')
    spec = "%" + fill + (str(width) if width > -1 else "")
    if inexact and precision > -1:
        spec += f".{precision}"
    conversion = ("e" if scientific else "g" if shortest else "f") if inexact else "d"
    return execute(AS_STRING, (x,), {"spec": spec, "conversion": conversion})


# ---------------------------------------------------------------------------------------------
# format: tensors summarised the way TensorFlow prints them

def _float_text(v, digits, more, kind):
    """The shortest of two precisions that reads back as the same ``kind`` of float."""
    text = "%.*g" % (digits, v)
    return text if kind(text) == kind(v) or v != v else "%.*g" % (more, v)


def _element_text(dtype):
    if dtype == np.float32 or dtype == np.float16:
        return lambda v: _float_text(float(v), 6, 9, np.float32)
    if dtype.kind == "f":
        return lambda v: _float_text(float(v), 15, 17, float)
    if dtype.kind == "O":
        return lambda v: '"' + v.decode("utf-8", "surrogateescape") + '"'
    if dtype.kind == "b":
        return lambda v: str(int(v))
    return str


def _summarize(arr, summarize, text, depth=0):
    n = arr.shape[0]
    if 0 <= summarize < n and n > 2 * summarize:
        picks = list(range(summarize)) + [None] + list(range(n - summarize, n))
    else:
        picks = list(range(n))
    if arr.ndim == 1:
        items = [text(arr[i]) if i is not None else "..." for i in picks]
        return "[" + " ".join(items) + "]"
    sep = "\n" * (arr.ndim - 1) + " " * (depth + 1)
    items = [_summarize(arr[i], summarize, text, depth + 1) if i is not None else "..."
             for i in picks]
    return "[" + sep.join(items) + "]"


def _format_kernel(xp, *values, pieces, summarize):
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:]):
        text = _element_text(value.dtype)
        out.append(text(value[()]) if value.ndim == 0 else _summarize(value, summarize, text))
        out.append(piece)
    result = xp.empty((), dtype=object)
    result[()] = "".join(out).encode("utf-8", "surrogateescape")
    return result


STRING_FORMAT = register("StringFormat", _format_kernel)


def format(template, inputs, placeholder="{}", summarize=3, name=None):  # noqa: A001
    """Fills the ``placeholder``s of ``template`` with summaries of the tensors in ``inputs``."""
    if isinstance(inputs, (list, tuple)):
        tensors = tuple(convert_to_tensor(t) for t in inputs)
    else:
        tensors = (inputs if isinstance(inputs, Tensor) else convert_to_tensor(inputs),)
    pieces = template.split(placeholder)
    if len(pieces) - 1 != len(tensors):
        raise ValueError(f"The template expects {len(pieces) - 1} tensors, but the inputs only "
                         f"has {len(tensors)}. Please ensure the number of placeholders in "
                         f"template matches inputs length.")
    return execute(STRING_FORMAT, tensors, {"pieces": tuple(pieces),
                                            "summarize": int(summarize)})
