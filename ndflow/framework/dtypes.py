"""TensorFlow's dtype objects (``ndflow.float32`` ...) and the conversions between them and NumPy."""
import numpy as np


class DType:
    """A tensor element type with TensorFlow's name and properties."""

    __slots__ = ("_name", "_np", "_enum", "_bit")
    _count = 0

    def __init__(self, name, np_type, enum):
        self._name = name
        self._np = np_type
        self._enum = enum
        self._bit = 1 << DType._count  # for fast set membership tests on the hot path
        DType._count += 1

    name = property(lambda self: self._name, doc="The dtype's name, e.g. 'float32'.")
    as_numpy_dtype = property(lambda self: self._np, doc="The matching NumPy scalar type.")
    as_datatype_enum = property(lambda self: self._enum, doc="TensorFlow's DataType enum value.")
    base_dtype = property(lambda self: self, doc="The dtype itself (no reference dtypes here).")

    @property
    def is_floating(self):
        """True for float16/32/64 and bfloat16."""
        return self._name in ("float16", "float32", "float64", "bfloat16")

    @property
    def is_integer(self):
        """True for the signed and unsigned integer types."""
        return self._name.startswith(("int", "uint"))

    @property
    def is_unsigned(self):
        """True for the unsigned integer types."""
        return self._name.startswith("uint")

    @property
    def is_complex(self):
        """True for complex64 and complex128."""
        return self._name.startswith("complex")

    @property
    def is_bool(self):
        """True for bool."""
        return self._name == "bool"

    @property
    def is_quantized(self):
        """Always False: quantized types are not supported."""
        return False

    @property
    def is_numpy_compatible(self):
        """True except for variant (opaque values with no NumPy counterpart)."""
        return self is not variant

    @property
    def real_dtype(self):
        """float32 for complex64, float64 for complex128, the dtype itself otherwise."""
        return {"complex64": float32, "complex128": float64}.get(self._name, self)

    @property
    def size(self):
        """Bytes per element."""
        if self is variant:
            return 0
        return 1 if self is string else np.dtype(self._np).itemsize

    @property
    def min(self):
        """The smallest representable value."""
        if self.is_floating:
            return np.finfo(self._np).min
        if self.is_integer:
            return np.iinfo(self._np).min
        if self.is_bool:
            return False
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        """The largest representable value."""
        if self.is_floating:
            return np.finfo(self._np).max
        if self.is_integer:
            return np.iinfo(self._np).max
        if self.is_bool:
            return True
        raise TypeError(f"Cannot find maximum value of {self}.")

    @property
    def limits(self):
        """(min, max) for integers and bool; (0, 1) for other types (image value range)."""
        if self.is_integer or self.is_bool:
            return (self.min, self.max)
        return (0, 1)

    def is_compatible_with(self, other):
        """True when ``other`` names the same dtype."""
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __eq__(self, other):
        if other is self:
            return True
        if other is None:
            return False
        try:
            return as_dtype(other) is self
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._name)

    def __reduce__(self):
        return as_dtype, (self._name,)

    def __repr__(self):
        return f"tf.{self._name}"

    def __str__(self):
        return f"<dtype: '{self._name}'>"


float16 = DType("float16", np.float16, 19)
half = float16
float32 = DType("float32", np.float32, 1)
float64 = DType("float64", np.float64, 2)
double = float64
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
uint16 = DType("uint16", np.uint16, 17)
uint32 = DType("uint32", np.uint32, 22)
uint64 = DType("uint64", np.uint64, 23)
bool = DType("bool", np.bool_, 10)  # noqa: A001 - TensorFlow's name
complex64 = DType("complex64", np.complex64, 8)
complex128 = DType("complex128", np.complex128, 18)
string = DType("string", object, 7)
# Opaque values (TensorList values of TensorArray): a 0-d array of a structured NumPy dtype with
# one object field, so kernel results map back to `variant`, not to `string` (plain object).
VARIANT_NP = np.dtype([("variant", "O")])
variant = DType("variant", VARIANT_NP, 21)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool,
       complex64, complex128, string, variant)
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(half=float16, double=float64, float=float32)
# np.dtype -> DType; also used on the hot path to type kernel results.
NP_TO_DTYPE = {np.dtype(d.as_numpy_dtype): d for d in ALL}
NP_TO_DTYPE.update({np.dtype("U"): string, np.dtype("S"): string})
_BY_ENUM = {d.as_datatype_enum: d for d in ALL}
_PY_TYPES = {float: float32, bool: bool, complex: complex128, str: string, bytes: string}


def as_dtype(type_value):
    """Converts a DType, NumPy dtype or type, dtype name or enum value to a DType."""
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        found = _BY_NAME.get(type_value)
    elif isinstance(type_value, int) and not isinstance(type_value, type(True)):
        found = _BY_ENUM.get(type_value)
    elif type_value is int:
        found = None  # ambiguous (int32 or int64), so TensorFlow refuses it
    elif type_value in _PY_TYPES:
        found = _PY_TYPES[type_value]
    else:
        try:
            np_dtype = np.dtype(type_value)
        except TypeError:
            found = None
        else:
            found = NP_TO_DTYPE.get(np_dtype)
            if found is None and np_dtype.kind in "SU":
                found = string
    if found is None:
        raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a "
                        f"TensorFlow DType.")
    return found


def from_numpy(np_dtype):
    """The DType of a NumPy dtype, with a TypeError naming unsupported ones."""
    found = NP_TO_DTYPE.get(np_dtype)
    if found is None:
        if np_dtype.kind in "SUO":
            return string
        raise TypeError(f"NumPy dtype {np_dtype} has no TensorFlow equivalent.")
    return found


FLOATING = frozenset((float16, float32, float64))
COMPLEX = frozenset((complex64, complex128))
SIGNED_INTS = frozenset((int8, int16, int32, int64))
UNSIGNED_INTS = frozenset((uint8, uint16, uint32, uint64))
INTEGERS = SIGNED_INTS | UNSIGNED_INTS
REAL = FLOATING | INTEGERS                     # numbers that can be ordered
NUMBERS = REAL | COMPLEX
SIGNED = FLOATING | SIGNED_INTS | COMPLEX      # numbers that can be negated
INEXACT = FLOATING | COMPLEX                   # dtypes that carry gradients


def mask(dtype_set):
    """A bit mask of a set of dtypes: ``dtype._bit & mask`` tests membership quickly."""
    bits = 0
    for d in dtype_set:
        bits |= d._bit
    return bits


# Also "dtypes that carry gradients" for the backward pass: a variant (a TensorArray's list)
# carries the list of its elements' gradients from one TensorList op to the next.
INEXACT_MASK = mask(INEXACT) | variant._bit
