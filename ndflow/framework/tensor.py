"""The immutable ``Tensor`` type and conversion of Python and NumPy values to tensors.

``Tensor`` is the common base (graph tracing adds symbolic tensors later); ``EagerTensor`` holds
a backend array. Operators and methods that run ops (``+``, ``__getitem__``...) are attached by
``ndflow.ops.operators`` so that this module stays free of op definitions.
"""
import numpy as np

from ndflow.backend import DEVICE
from ndflow.framework import dtypes
from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor_shape import TensorShape

_NP_TO_DTYPE = dtypes.NP_TO_DTYPE


class Tensor:
    """Base class of ndflow tensors (``ndflow.Tensor``)."""

    __slots__ = ()
    __array_priority__ = 100  # NumPy defers `array + tensor` to Tensor.__radd__

    def __hash__(self):
        raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")

    def __setitem__(self, key, value):
        raise TypeError(f"'{type(self).__name__}' object does not support item assignment; "
                        "tensors are immutable (use a Variable and `assign` to change values).")

    def ref(self):
        """A hashable reference to this tensor (``deref()`` gives it back)."""
        return Reference(self)

    def experimental_ref(self):
        """Deprecated alias of ``ref``."""
        return self.ref()

    def get_shape(self):
        """Alias of ``shape``."""
        return self.shape

    def set_shape(self, shape):
        """Checks that ``shape`` is compatible with the known shape."""
        if not self.shape.is_compatible_with(shape):
            raise ValueError(f"Tensor's shape {self.shape} is not compatible with supplied shape "
                             f"{TensorShape(shape)}.")


class EagerTensor(Tensor):
    """A tensor with a concrete value, computed when its op ran."""

    # _keras_logits: the logits a Keras sigmoid/softmax output came from (losses use them);
    # _keras_mask: the Keras mask that travels with a layer's output (e.g. from Embedding).
    __slots__ = ("_value", "_dtype", "_keras_logits", "_keras_mask", "__weakref__")

    @property
    def dtype(self):
        """The element type (a ``DType``)."""
        return self._dtype

    @property
    def shape(self):
        """The shape as a ``TensorShape``."""
        return TensorShape._from_tuple(self._value.shape)

    @property
    def ndim(self):
        """Number of dimensions."""
        return self._value.ndim

    @property
    def device(self):
        """The device the value lives on."""
        return DEVICE

    @property
    def name(self):
        """Undefined in eager mode (as in TensorFlow): raises AttributeError."""
        raise AttributeError("Tensor.name is undefined when eager execution is enabled.")

    @property
    def is_packed(self):
        """Always False (packed tensors are a multi-device feature)."""
        return False

    def numpy(self):
        """The value as a NumPy array (a copy) or, for a scalar, a NumPy scalar."""
        if self._dtype is dtypes.variant:
            from ndflow.framework import errors
            raise errors.InvalidArgumentError(
                None, None, "Cannot convert a Tensor of dtype variant to a NumPy array.")
        value = self._value
        if isinstance(value, np.ndarray):
            return value.copy() if value.ndim else value[()]
        return value

    def __array__(self, dtype=None, copy=None):
        value = np.asarray(self._value)
        if dtype is not None and value.dtype != dtype:
            return value.astype(dtype)
        return value.copy() if copy else value

    def __len__(self):
        if self._value.ndim == 0:
            raise TypeError("Scalar tensor has no `len()`")
        return self._value.shape[0]

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __index__(self):
        if self._dtype.is_integer and self._value.ndim == 0:
            return int(self._value)
        raise TypeError(f"Only integer scalar tensors can be used as an index, got dtype "
                        f"{self._dtype.name} and shape {self.shape}.")

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return wrap(self._value.copy() if isinstance(self._value, np.ndarray) else self._value)

    def __reduce__(self):
        return convert_to_tensor, (self.numpy(),)

    def __format__(self, spec):
        if self._value.ndim == 0:
            return format(self._value.item() if self._dtype is not dtypes.string
                          else self._value, spec)
        return format(str(self), spec)

    def __repr__(self):
        if self._dtype is dtypes.variant:
            return (f"<tf.Tensor: shape={self.shape}, dtype=variant, "
                    f"value={self._value[()][0]!r}>")
        text = numpy_text(self._value)
        if "\n" in text:
            text = "\n" + text
        return f"<tf.Tensor: shape={self.shape}, dtype={self._dtype.name}, numpy={text}>"

    def __str__(self):
        if self._dtype is dtypes.variant:
            return f"tf.Tensor({self._value[()][0]!r}, shape={self.shape}, dtype=variant)"
        text = numpy_text(self._value, is_repr=False)
        if "\n" in text:
            text = "\n" + text
        return f"tf.Tensor({text}, shape={self.shape}, dtype={self._dtype.name})"


def numpy_text(value, is_repr=True):
    """The NumPy text of a tensor value, printed the way TensorFlow prints it."""
    if np.ndim(value) == 0:
        scalar = value[()] if isinstance(value, np.ndarray) else value
        if isinstance(scalar, bytes):  # a string tensor's element is already a Python value
            return repr(scalar) if is_repr else str(scalar)
        return repr(scalar.item()) if is_repr else str(scalar)
    with np.printoptions(legacy="1.25"):
        return repr(value) if is_repr else str(value)


class Reference:
    """A hashable wrapper of a tensor or variable, compared by identity."""

    __slots__ = ("_obj",)

    def __init__(self, obj):
        self._obj = obj

    def deref(self):
        """The wrapped object."""
        return self._obj

    def __hash__(self):
        return id(self._obj)

    def __eq__(self, other):
        return isinstance(other, Reference) and other._obj is self._obj

    def __repr__(self):
        return f"<Reference wrapping {self._obj!r}>"


_new = object.__new__


def wrap(value):
    """Wraps a backend array (or NumPy scalar) produced by a kernel as an EagerTensor."""
    t = _new(EagerTensor)
    t._value = value
    t._dtype = _NP_TO_DTYPE[value.dtype]
    return t


def wrap_as(value, dtype):
    """Wraps a backend array whose DType is already known."""
    t = _new(EagerTensor)
    t._value = value
    t._dtype = dtype
    return t


# ---------------------------------------------------------------------------------------------
# Conversion of Python and NumPy values

_CONVERSION_FUNCTIONS = []  # (type, function(value, dtype) -> Tensor), see register_tensor_conversion


def register_tensor_conversion_function(base_type, conversion_func, priority=100):
    """Makes ``convert_to_tensor`` accept instances of ``base_type``."""
    _CONVERSION_FUNCTIONS.append((priority, base_type, conversion_func))
    _CONVERSION_FUNCTIONS.sort(key=lambda item: item[0])


def _cannot_convert(value, dtype):
    return TypeError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype.name}")


def _python_array(value):
    """The array TensorFlow would make of a Python scalar or nested list (default dtypes)."""
    if isinstance(value, (list, tuple)) and _contains_tensor(value):
        return _stack_tensors(value)
    try:
        arr = np.asarray(value)
    except UnicodeDecodeError:  # NumPy cannot mix non-ASCII bytes with str: keep them as objects
        return _object_array(value, np.array(value, dtype=object))
    except ValueError:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor.") from None
    kind = arr.dtype.kind
    if kind in "iuf" and isinstance(value, (list, tuple)) and _mixes_bools(value):
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    if kind == "f":
        return arr.astype(np.float32) if arr.dtype == np.float64 else arr
    if kind in "iu":
        if arr.dtype == np.int64 or arr.dtype == np.uint64:
            if arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31):
                return arr.astype(np.int32)
            return arr.astype(np.int64)
        return arr
    if kind in "bc":
        return arr
    if kind in "US":
        # Python strings are taken as they are (NumPy's 'S' drops trailing NULs, and its 'U'
        # would stringify numbers mixed in with them).
        if isinstance(value, (str, bytes)):
            out = np.empty((), dtype=object)
            out[()] = value.encode("utf-8") if isinstance(value, str) else value
            return out
        return _object_array(value, np.array(value, dtype=object))
    if kind == "O":
        return _object_array(value, arr)
    raise ValueError(f"Attempt to convert a value ({value!r}) with an unsupported type "
                     f"({type(value)}) to a Tensor.")


def _mixes_bools(seq):
    for item in seq:
        if isinstance(item, (bool, np.bool_)):
            return True
        if isinstance(item, (list, tuple)) and _mixes_bools(item):
            return True
    return False


def _object_array(value, arr):
    flat = arr.reshape(-1)
    is_text = [isinstance(x, (str, bytes)) for x in flat]
    if all(is_text):
        return _to_bytes_array(arr)
    if any(is_text):
        raise ValueError("Can't convert Python sequence with mixed types to Tensor.")
    bad = next((x for x in flat if not isinstance(x, (int, float, bool, complex, np.generic))),
               None)
    if bad is not None or flat.size == 0:
        raise ValueError(f"Attempt to convert a value ({bad!r}) with an unsupported type "
                         f"({type(bad)}) to a Tensor.")
    raise ValueError("Can't convert Python sequence with mixed types to Tensor.")


def _check_object_strings(arr):
    """An object array converts to a string tensor only when it holds str/bytes alone."""
    for x in arr.reshape(-1):
        if not isinstance(x, (str, bytes)):
            raise ValueError(f"Failed to convert a NumPy array to a Tensor (Unsupported object "
                             f"type {type(x).__name__}).")


def _to_bytes_array(arr):
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, x in enumerate(flat_in):
        flat_out[i] = x.encode("utf-8") if isinstance(x, str) else bytes(x)
    return out


def _contains_tensor(seq):
    for item in seq:
        if isinstance(item, Tensor) or hasattr(item, "_as_tensor"):
            return True
        if isinstance(item, (list, tuple)) and _contains_tensor(item):
            return True
    return False


def _contains_symbolic(seq):
    """True when a nested list holds a tensor whose value is only known when a graph runs."""
    for item in seq:
        if isinstance(item, (list, tuple)):
            if _contains_symbolic(item):
                return True
        elif (isinstance(item, Tensor) and type(item) is not EagerTensor
              and getattr(item, "_const", None) is None):
            return True
    return False


def _stack_tensors(seq):
    """Packs a nested list mixing tensors and Python numbers (tensors decide the dtype)."""
    dtype = _first_tensor_dtype(seq)
    return np.asarray(_to_values(seq, dtype))


def _first_tensor_dtype(seq):
    for item in seq:
        if isinstance(item, (list, tuple)):
            found = _first_tensor_dtype(item)
            if found is not None:
                return found
        elif isinstance(item, Tensor) or hasattr(item, "_as_tensor"):
            return convert_to_tensor(item).dtype
    return None


def _to_values(seq, dtype):
    if isinstance(seq, (list, tuple)):
        return [_to_values(item, dtype) for item in seq]
    return np.asarray(convert_to_tensor(seq, dtype=dtype))


def _convert_python(value, dtype):
    """Converts a Python value to ``dtype`` as TensorFlow does: ints wrap, floats never become
    ints, bools only become bools or numbers."""
    arr = _python_array(value)
    if dtype is None:
        return arr
    src = arr.dtype.kind
    if dtype is dtypes.string:
        if src != "O":
            if arr.size == 0 and isinstance(value, (list, tuple)):  # [[], []] takes any dtype
                return np.empty(arr.shape, dtype=object)
            raise _cannot_convert(value, dtype)
        return arr
    if src == "O":
        raise _cannot_convert(value, dtype)
    if arr.size == 0 and isinstance(value, (list, tuple)):  # [] takes any dtype
        return np.empty(arr.shape, dtype=dtype.as_numpy_dtype)
    if src == "f" and not (isinstance(value, (list, tuple)) and _contains_tensor(value)):
        arr = np.asarray(value, dtype=np.float64)  # full precision before the requested cast
    allowed = {"b": "b", "i": "biu", "u": "biu", "f": "biuf", "c": "biufc"}
    target_kind = np.dtype(dtype.as_numpy_dtype).kind
    if src not in allowed[target_kind]:
        raise _cannot_convert(value, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        return arr.astype(dtype.as_numpy_dtype)


def _convert_numpy(value, dtype):
    arr = np.array(value)  # a copy: later changes to the caller's array must not leak in
    kind = arr.dtype.kind
    if kind in "USO":
        if kind == "O":
            _check_object_strings(arr)
        elif dtype is not None and dtype is not dtypes.string:
            return arr.astype(dtype.as_numpy_dtype)  # NumPy parses numbers, as TensorFlow does
        arr = _to_bytes_array(arr)
    if dtype is None:
        dtypes.from_numpy(arr.dtype)
        return arr
    if dtype is dtypes.string:
        if arr.dtype.kind != "O":
            raise ValueError(f"Failed to convert a NumPy array to a Tensor (Unsupported object "
                             f"type {arr.dtype.name}).")
        return arr
    if arr.dtype.kind == "O":
        raise _cannot_convert(value, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        return arr.astype(dtype.as_numpy_dtype, copy=False)


_INEXACT_MASK = dtypes.INEXACT_MASK


def _python_scalar(value, dtype):
    """A Python int or float that ``dtype`` holds exactly as it is (a float into a float or
    complex type, an int into one of those or an in-range int32/int64), or a NumPy scalar of
    ``dtype``, as a tensor; else None, and the general conversion decides."""
    kind = type(value)
    if kind is float:
        ok = dtype._bit & _INEXACT_MASK
    elif kind is int:
        ok = (dtype._bit & _INEXACT_MASK or dtype is dtypes.int64 and -2**63 <= value < 2**63
              or dtype is dtypes.int32 and -2**31 <= value < 2**31)
    elif kind is dtype._np:   # a NumPy scalar of that very dtype
        return wrap_as(np.asarray(value), dtype)
    else:
        return None
    return wrap_as(np.asarray(value, dtype._np), dtype) if ok else None


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """Converts a tensor, variable, NumPy array, Python scalar or nested list to a Tensor.

    ``dtype`` is a requirement (a tensor of another dtype raises ValueError); ``dtype_hint`` is
    used when the value can take it and ignored otherwise.
    """
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype is not dtypes.as_dtype(dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} "
                             f"for Tensor with dtype {value.dtype.name}: {value!r}")
        return value
    as_tensor = getattr(value, "_as_tensor", None)
    if as_tensor is not None:
        return as_tensor(None if dtype is None else dtypes.as_dtype(dtype))
    if dtype is not None:
        dtype = dtypes.as_dtype(dtype)
        scalar = _python_scalar(value, dtype)
        if scalar is not None:
            return scalar
    if GRAPHS and type(value) in (list, tuple) and _contains_symbolic(value):
        from ndflow.ops.array_create_ops import pack_nested  # packed by ops while tracing
        return pack_nested(value, dtype)
    for _, base_type, func in _CONVERSION_FUNCTIONS:
        if isinstance(value, base_type):
            return func(value, dtype)
    if isinstance(value, (np.ndarray, np.generic)):
        return wrap(_convert_numpy(value, dtype))
    if dtype is None and dtype_hint is not None:
        try:
            return wrap(_convert_python(value, dtypes.as_dtype(dtype_hint)))
        except (TypeError, ValueError):
            pass
    if value is None:
        raise ValueError(f"Attempt to convert a value (None) with an unsupported type "
                         f"({type(None)}) to a Tensor.")
    return wrap(_convert_python(value, dtype))


def constant(value, dtype=None, shape=None, name="Const"):
    """Creates a tensor from a value; ``dtype`` converts it, ``shape`` reshapes or fills."""
    if isinstance(value, Tensor) or hasattr(value, "_as_tensor"):
        tensor = convert_to_tensor(value)
        if dtype is not None and tensor.dtype is not dtypes.as_dtype(dtype):
            raise TypeError(f"Expected tensor {tensor.numpy()!r} with dtype "
                            f"{dtypes.as_dtype(dtype)!r}, but got dtype {tensor.dtype!r}.")
        arr = np.asarray(tensor)
    elif isinstance(value, (np.ndarray, np.generic)):
        arr = _convert_numpy(value, None if dtype is None else dtypes.as_dtype(dtype))
    elif GRAPHS and type(value) in (list, tuple) and _contains_symbolic(value):
        raise TypeError("Expected any non-tensor type, but got a tensor instead.")
    else:
        arr = _convert_python(value, None if dtype is None else dtypes.as_dtype(dtype))
    if shape is not None:
        shape = tuple(TensorShape(shape).as_list())
        if arr.size == 1:
            arr = np.full(shape, arr.reshape(()), dtype=arr.dtype)
        elif arr.size == int(np.prod(shape)):
            arr = arr.reshape(shape)
        else:
            raise TypeError(f"Eager execution of tf.constant with unsupported shape. Tensor {arr} "
                            f"has {arr.size} elements, but got `shape` {shape} with "
                            f"{int(np.prod(shape))} elements).")
    return wrap(arr)


def is_tensor(x):
    """True for tensors and tensor-like objects (variables, sparse and ragged tensors)."""
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor") or getattr(x, "_is_tensor_like", False)
