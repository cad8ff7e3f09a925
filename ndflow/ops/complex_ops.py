"""Complex numbers: ``complex``, ``real``, ``imag`` and ``conj``."""
from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.ops import inputs as _in
from ndflow.ops.registry import execute, register, register_gradient

_REAL_TO_COMPLEX = {D.float32: D.complex64, D.float64: D.complex128}

COMPLEX = register("Complex", lambda xp, re, im, dtype: (re + 1j * im).astype(dtype),
                   same_dtype=(0, 1), allowed=frozenset(_REAL_TO_COMPLEX))
REAL = register("Real", lambda xp, x: xp.real(x).copy(), allowed=D.COMPLEX)
IMAG = register("Imag", lambda xp, x: xp.imag(x).copy(), allowed=D.COMPLEX)
CONJ = register("Conj", lambda xp, x: xp.conj(x), allowed=D.COMPLEX)


def complex(real, imag, name=None):  # noqa: A001 - TensorFlow's name
    """real + 1j * imag, from two float32 (complex64) or float64 (complex128) tensors."""
    re, im = _in.binary(real, imag)
    target = _REAL_TO_COMPLEX.get(re.dtype)
    return execute(COMPLEX, (re, im), {"dtype": (target or D.complex64).as_numpy_dtype})


def real(input, name=None):  # noqa: A002 - TensorFlow's argument name
    """The real part (a real tensor is returned as it is)."""
    x = _in.as_tensor(input)
    return execute(REAL, (x,)) if x.dtype.is_complex else x


def imag(input, name=None):  # noqa: A002
    """The imaginary part (zeros for a real tensor)."""
    x = _in.as_tensor(input)
    if x.dtype.is_complex:
        return execute(IMAG, (x,))
    from ndflow.ops.array_ops import zeros_like
    return zeros_like(x)


def conj(x, name=None):
    """The complex conjugate (a real tensor is returned as it is)."""
    x = _in.as_tensor(x)
    if x.dtype.is_complex:
        return execute(CONJ, (x,))
    if x.dtype.is_floating or x.dtype.is_integer:
        return x
    raise errors.InvalidArgumentError(None, None, f"conj: expected a numeric tensor, got "
                                      f"{x.dtype.name}")


@register_gradient("Complex")
def _complex_grad(op, dy):
    return real(dy), imag(dy)


@register_gradient("Real")
def _real_grad(op, dy):
    from ndflow.ops.array_ops import zeros_like
    return (complex(dy, zeros_like(dy)),)


@register_gradient("Imag")
def _imag_grad(op, dy):
    from ndflow.ops.array_ops import zeros_like
    return (complex(zeros_like(dy), dy),)


@register_gradient("Conj")
def _conj_grad(op, dy):
    return (conj(dy),)
