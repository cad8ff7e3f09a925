"""Elementwise string ops: length, case, strip, join, reduce_join, substr, regexes and hashing.

String tensors hold NumPy object arrays of ``bytes``; kernels loop in Python over them (NumPy has
no vectorised form for variable-length bytes) and always return arrays, never bare ``bytes``.
"""
import functools
import re

import numpy as np

from ndflow.framework import dtypes, errors
from ndflow.framework.tensor import Tensor, convert_to_tensor
from ndflow.ops.registry import execute, op_error, register
from ndflow.structures.ragged_tensor import RaggedTensor
from ndflow.structures.string_farmhash import fingerprint64
from ndflow.structures.string_siphash import siphash24

STRING = frozenset((dtypes.string,))
_BAD = errors.InvalidArgumentError


def as_string_tensor(value):
    """A string tensor argument: Python values convert to strings, tensors pass unchanged (so a
    numeric tensor reaches the op and fails its dtype check, as in TensorFlow)."""
    if isinstance(value, Tensor):
        return value
    return convert_to_tensor(value, dtypes.string)


def ragged_elementwise(fn):
    """Lets an elementwise string function take a RaggedTensor (applied to its flat values)."""
    @functools.wraps(fn)
    def wrapper(input, *args, **kwargs):  # noqa: A002 - TensorFlow's argument name
        if isinstance(input, RaggedTensor):
            return input.with_flat_values(fn(input.flat_values, *args, **kwargs))
        return fn(input, *args, **kwargs)
    return wrapper


def map_strings(xp, x, fn, dtype=object):
    """``fn`` applied to every element of the object array ``x`` (an array of ``dtype``)."""
    out = xp.empty(x.shape, dtype=dtype)
    flat = out.reshape(-1)
    for i, s in enumerate(x.reshape(-1)):
        flat[i] = fn(s)
    return out


def check_choice(op_name, attr, value, allowed):
    """TensorFlow's error for a string attribute outside its allowed values."""
    if value not in allowed:
        listed = ", ".join(f'"{a}"' for a in allowed)
        raise op_error(_BAD, op_name, f"Value for attr '{attr}' of \"{value}\" is not in the list "
                                      f"of allowed values: {listed}")


def utf8_char_count(s):
    """Number of UTF-8 characters (bytes that are not continuation bytes), as TensorFlow counts."""
    return sum(1 for b in s if b & 0xC0 != 0x80)


# ---------------------------------------------------------------------------------------------
# length, lower, upper, strip

def _length_kernel(xp, x, unit):
    count = len if unit == "BYTE" else utf8_char_count
    return map_strings(xp, x, count, np.int32)


STRING_LENGTH = register("StringLength", _length_kernel, allowed=STRING)


@ragged_elementwise
def length(input, unit="BYTE", name=None):  # noqa: A002 - TensorFlow's argument name
    """Length of each string in bytes (``unit="BYTE"``) or UTF-8 characters (``"UTF8_CHAR"``)."""
    check_choice("StringLength", "unit", unit, ("BYTE", "UTF8_CHAR"))
    return execute(STRING_LENGTH, (as_string_tensor(input),), {"unit": unit})


def _case_kernel(ascii_fn, text_fn):
    def kernel(xp, x, encoding):
        if encoding:
            return map_strings(xp, x, lambda s: text_fn(s.decode("utf-8", "surrogateescape"))
                               .encode("utf-8", "surrogateescape"))
        return map_strings(xp, x, ascii_fn)
    return kernel


STRING_LOWER = register("StringLower", _case_kernel(bytes.lower, str.lower), allowed=STRING)
STRING_UPPER = register("StringUpper", _case_kernel(bytes.upper, str.upper), allowed=STRING)


def _case_attrs(op_name, encoding):
    check_choice(op_name, "encoding", encoding, ("", "utf-8"))
    return {"encoding": encoding}


@ragged_elementwise
def lower(input, encoding="", name=None):  # noqa: A002
    """Lower-cases ASCII letters, or every letter when ``encoding="utf-8"``."""
    return execute(STRING_LOWER, (as_string_tensor(input),), _case_attrs("StringLower", encoding))


@ragged_elementwise
def upper(input, encoding="", name=None):  # noqa: A002
    """Upper-cases ASCII letters, or every letter when ``encoding="utf-8"``."""
    return execute(STRING_UPPER, (as_string_tensor(input),), _case_attrs("StringUpper", encoding))


STRING_STRIP = register("StringStrip", lambda xp, x: map_strings(xp, x, bytes.strip),
                        allowed=STRING)


@ragged_elementwise
def strip(input, name=None):  # noqa: A002
    """Removes leading and trailing ASCII whitespace."""
    return execute(STRING_STRIP, (as_string_tensor(input),))


# ---------------------------------------------------------------------------------------------
# join, reduce_join

def _join_kernel(xp, *parts, separator):
    shape = next((p.shape for p in parts if p.ndim), ())
    for p in parts:
        if p.ndim and p.shape != shape:
            raise op_error(_BAD, "StringJoin", f"Input shapes do not match: {list(shape)} vs. "
                                               f"{list(p.shape)}")
    cols = [np.broadcast_to(p, shape).reshape(-1) for p in parts]
    out = xp.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i in range(flat.size):
        flat[i] = separator.join(c[i] for c in cols)
    return out


STRING_JOIN = register("StringJoin", _join_kernel, allowed=STRING)


def join(inputs, separator="", name=None):
    """Joins strings elementwise across a list of tensors (scalars broadcast)."""
    tensors = tuple(as_string_tensor(x) for x in inputs)
    if not tensors:
        tensors = (convert_to_tensor(b""),)
    return execute(STRING_JOIN, tensors, {"separator": _to_bytes(separator)})


def _reduce_join_kernel(xp, x, axes, keep_dims, separator):
    kept = [d for d in range(x.ndim) if d not in axes]
    # The first listed axis varies fastest in the joined order (TensorFlow's convention).
    moved = np.transpose(x, kept + list(reversed(axes)))
    rows = moved.reshape(tuple(x.shape[d] for d in kept) + (-1,))
    out = xp.empty(rows.shape[:-1], dtype=object)
    flat, rows2 = out.reshape(-1), rows.reshape(out.size, -1)
    for i in range(flat.size):
        flat[i] = separator.join(rows2[i])
    if keep_dims:
        out = out.reshape(tuple(1 if d in axes else n for d, n in enumerate(x.shape)))
    return out


REDUCE_JOIN = register("ReduceJoin", _reduce_join_kernel, allowed=STRING)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins the strings along ``axis`` (all axes when None) with ``separator``."""
    # Converted without a dtype, as TensorFlow does: an empty list becomes float32 and fails.
    x = inputs if isinstance(inputs, Tensor) else convert_to_tensor(inputs)
    ndim = x.ndim
    if axis is None:
        axes = list(range(ndim - 1, -1, -1))
    else:
        raw = np.asarray(axis).reshape(-1).tolist()
        axes = []
        for a in raw:
            if not -ndim <= a < ndim:
                raise op_error(errors.OutOfRangeError, "ReduceJoin",
                               f"Invalid reduction dimension {a} for input "
                                                   f"with {ndim} dimension(s)")
            if a % ndim in axes:
                raise op_error(_BAD, "ReduceJoin", f"Duplicate reduction dimension {a % ndim}")
            axes.append(a % ndim)
    return execute(REDUCE_JOIN, (x,), {"axes": tuple(axes), "keep_dims": bool(keepdims),
                                       "separator": _to_bytes(separator)})


def _to_bytes(text):
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


# ---------------------------------------------------------------------------------------------
# substr

def _char_starts(s):
    """Byte offsets of the UTF-8 characters of ``s``, plus ``len(s)``."""
    return [i for i, b in enumerate(s) if b & 0xC0 != 0x80] + [len(s)]


def _substr_kernel(xp, x, pos, length, unit):
    shape = np.broadcast_shapes(x.shape, pos.shape)
    xs = np.broadcast_to(x, shape).reshape(-1)
    ps = np.broadcast_to(pos, shape).reshape(-1)
    ls = np.broadcast_to(length, shape).reshape(-1)
    out = xp.empty(shape, dtype=object)
    flat = out.reshape(-1)
    for i, s in enumerate(xs):
        starts = _char_starts(s) if unit == "UTF8_CHAR" else None
        size = len(s) if starts is None else len(starts) - 1
        p, n = int(ps[i]), int(ls[i])
        if not -size <= p <= size:
            raise op_error(_BAD, "Substr", f"pos {p} out of range for string {s!r} at index {i}")
        p = p + size if p < 0 else p
        end = size if n < 0 else min(size, p + n)  # a negative length reads to the end
        flat[i] = s[p:end] if starts is None else s[starts[p]:starts[end]]
    return out


SUBSTR = register("Substr", _substr_kernel, allowed=STRING, same_dtype=(1, 2))


@ragged_elementwise
def substr(input, pos, len, unit="BYTE", name=None):  # noqa: A002 - TensorFlow's names
    """Substrings starting at ``pos`` (negative counts from the end) of ``len`` bytes/chars."""
    check_choice("Substr", "unit", unit, ("BYTE", "UTF8_CHAR"))
    x = as_string_tensor(input)
    p, n = convert_to_tensor(pos), convert_to_tensor(len)
    if p.shape != n.shape:
        raise op_error(_BAD, "Substr", f"pos and len should have the same shape, got: "
                                       f"{p.shape.as_list()} vs. {n.shape.as_list()}")
    return execute(SUBSTR, (x, p, n), {"unit": unit})


# ---------------------------------------------------------------------------------------------
# Regular expressions. TensorFlow uses RE2; Python's ``re`` accepts the same common syntax on
# text decoded from UTF-8 (so ``.`` matches one character). Differences: RE2 rejects
# backreferences and lookarounds that ``re`` accepts, and ``re`` lacks ``\C``, ``\pN`` and
# ``\z``. Undecodable bytes pass through as surrogate escapes.

def _text(s):
    return s.decode("utf-8", "surrogateescape")


def _compile(op_name, pattern):
    try:
        return re.compile(_text(pattern))
    except re.error as exc:
        raise op_error(_BAD, op_name, f"Invalid pattern: {_text(pattern)}, error: {exc}") from None


def _rewrite_fn(op_name, rewrite):
    """RE2's rewrite string (``\\0``-``\\9`` groups, ``\\\\`` a backslash) as a function."""
    parts, text, i = [], _text(rewrite), 0
    literal = []
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text) and (text[i + 1].isdigit() or text[i + 1] == "\\"):
            if text[i + 1] == "\\":
                literal.append("\\")
            else:
                parts.append("".join(literal))
                literal = []
                parts.append(int(text[i + 1]))
            i += 2
            continue
        if c == "\\":
            raise op_error(_BAD, op_name, f"Invalid rewrite pattern: {text}")
        literal.append(c)
        i += 1
    parts.append("".join(literal))
    return lambda m: "".join(p if isinstance(p, str) else (m.group(p) or "") for p in parts)


def _replace_kernel(xp, x, pattern, rewrite, replace_global, op_name="StaticRegexReplace"):
    regex, fn = _compile(op_name, pattern), _rewrite_fn(op_name, rewrite)
    count = 0 if replace_global else 1
    return map_strings(xp, x, lambda s: regex.sub(fn, _text(s), count=count)
                       .encode("utf-8", "surrogateescape"))


def _dynamic_replace_kernel(xp, x, pattern, rewrite, replace_global):
    for arg, what in ((pattern, "Pattern"), (rewrite, "Rewrite")):
        if arg.ndim:
            raise op_error(_BAD, "RegexReplace", f"{what} must be scalar, but received "
                                                 f"{list(arg.shape)}")
    return _replace_kernel(xp, x, pattern[()], rewrite[()], replace_global, "RegexReplace")


STATIC_REGEX_REPLACE = register("StaticRegexReplace", _replace_kernel, allowed=STRING)
REGEX_REPLACE = register("RegexReplace", _dynamic_replace_kernel, allowed=STRING,
                         same_dtype=(0, 1, 2))


@ragged_elementwise
def regex_replace(input, pattern, rewrite, replace_global=True, name=None):  # noqa: A002
    """Replaces matches of the RE2 ``pattern`` with ``rewrite`` (``\\1`` refers to a group)."""
    x = as_string_tensor(input)
    attrs = {"replace_global": bool(replace_global)}
    if isinstance(pattern, (str, bytes)) and isinstance(rewrite, (str, bytes)):
        attrs.update(pattern=_to_bytes(pattern), rewrite=_to_bytes(rewrite))
        return execute(STATIC_REGEX_REPLACE, (x,), attrs)
    return execute(REGEX_REPLACE, (x, as_string_tensor(pattern), as_string_tensor(rewrite)),
                   attrs)


def _full_match_kernel(xp, x, pattern, op_name="StaticRegexFullMatch"):
    regex = _compile(op_name, pattern)
    return map_strings(xp, x, lambda s: regex.fullmatch(_text(s)) is not None, np.bool_)


def _dynamic_full_match_kernel(xp, x, pattern):
    if pattern.ndim:
        raise op_error(_BAD, "RegexFullMatch", f"Pattern must be scalar, but received "
                                               f"{list(pattern.shape)}")
    return _full_match_kernel(xp, x, pattern[()], "RegexFullMatch")


STATIC_REGEX_FULL_MATCH = register("StaticRegexFullMatch", _full_match_kernel, allowed=STRING)
REGEX_FULL_MATCH = register("RegexFullMatch", _dynamic_full_match_kernel, allowed=STRING,
                            same_dtype=(0, 1))


@ragged_elementwise
def regex_full_match(input, pattern, name=None):  # noqa: A002
    """True where the whole string matches the RE2 ``pattern``."""
    x = as_string_tensor(input)
    if isinstance(pattern, (str, bytes)):
        return execute(STATIC_REGEX_FULL_MATCH, (x,), {"pattern": _to_bytes(pattern)})
    return execute(REGEX_FULL_MATCH, (x, as_string_tensor(pattern)))


# ---------------------------------------------------------------------------------------------
# Hashing

def _bucket_fast_kernel(xp, x, num_buckets):
    return map_strings(xp, x, lambda s: fingerprint64(s) % num_buckets, np.int64)


def _bucket_strong_kernel(xp, x, num_buckets, key):
    return map_strings(xp, x, lambda s: siphash24(key[0], key[1], s) % num_buckets, np.int64)


STRING_TO_HASH_BUCKET_FAST = register("StringToHashBucketFast", _bucket_fast_kernel,
                                      allowed=STRING)
STRING_TO_HASH_BUCKET_STRONG = register("StringToHashBucketStrong", _bucket_strong_kernel,
                                        allowed=STRING)


def _check_buckets(op_name, num_buckets):
    if int(num_buckets) < 1:
        raise op_error(_BAD, op_name, f"Value for attr 'num_buckets' of {int(num_buckets)} must "
                                      f"be at least minimum 1")
    return int(num_buckets)


@ragged_elementwise
def to_hash_bucket_fast(input, num_buckets, name=None):  # noqa: A002
    """Buckets strings by FarmHash Fingerprint64 modulo ``num_buckets`` (int64)."""
    n = _check_buckets("StringToHashBucketFast", num_buckets)
    return execute(STRING_TO_HASH_BUCKET_FAST, (as_string_tensor(input),), {"num_buckets": n})


@ragged_elementwise
def to_hash_bucket_strong(input, num_buckets, key, name=None):  # noqa: A002
    """Buckets strings by SipHash-2-4 keyed with two 64-bit ints, modulo ``num_buckets``."""
    n = _check_buckets("StringToHashBucketStrong", num_buckets)
    key = [int(k) & (2**64 - 1) for k in key]
    if len(key) != 2:
        raise op_error(_BAD, "StringToHashBucketStrong", "Key must have 2 elements")
    return execute(STRING_TO_HASH_BUCKET_STRONG, (as_string_tensor(input),),
                   {"num_buckets": n, "key": tuple(key)})
