"""Cases for ndflow/ops/unary_ops.py: elementwise unary math."""
import math

import numpy as np

from opcases import ErrorCase, OpCase, positive, rand

F32 = np.float32
I32 = np.int32


def _small(*shape, dtype=np.float64):
    """Data in (-0.9, 0.9), inside the domains of asin, acos and atanh."""
    return rand(*shape, dtype=dtype, low=-0.9, high=0.9)


def _sigmoid(x):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


_erf = np.vectorize(math.erf, otypes=[float])
_erfc = np.vectorize(math.erfc, otypes=[float])
_lgamma = np.vectorize(math.lgamma, otypes=[float])


def _digamma(x):
    h = 1e-5   # central difference of math.lgamma: a reference good to ~1e-9
    return (_lgamma(x + h) - _lgamma(x - h)) / (2 * h)


# Points away from the poles of lgamma and digamma, on both sides of zero.
_GAMMA_ARGS = np.array([[0.3, 1.7, 4.2], [-0.4, -1.6, 7.5]])

_SIMPLE = [  # name, function, args, reference, op type
    ("exp", lambda tf, x: tf.exp(x), rand(2, 3), np.exp, "Exp"),
    ("log", lambda tf, x: tf.math.log(x), positive(2, 3), np.log, "Log"),
    ("sqrt", lambda tf, x: tf.sqrt(x), positive(2, 3), np.sqrt, "Sqrt"),
    ("rsqrt", lambda tf, x: tf.math.rsqrt(x), positive(2, 3), lambda x: 1 / np.sqrt(x), "Rsqrt"),
    ("log1p", lambda tf, x: tf.math.log1p(x), positive(2, 3) - 0.4, np.log1p, "Log1p"),
    ("expm1", lambda tf, x: tf.math.expm1(x), rand(2, 3), np.expm1, "Expm1"),
    ("sin", lambda tf, x: tf.sin(x), rand(2, 3), np.sin, "Sin"),
    ("cos", lambda tf, x: tf.math.cos(x), rand(2, 3), np.cos, "Cos"),
    ("tan", lambda tf, x: tf.tan(x), _small(2, 3), np.tan, "Tan"),
    ("asin", lambda tf, x: tf.asin(x), _small(2, 3), np.arcsin, "Asin"),
    ("acos", lambda tf, x: tf.math.acos(x), _small(2, 3), np.arccos, "Acos"),
    ("atan", lambda tf, x: tf.atan(x), rand(2, 3), np.arctan, "Atan"),
    ("sinh", lambda tf, x: tf.sinh(x), rand(2, 3), np.sinh, "Sinh"),
    ("cosh", lambda tf, x: tf.cosh(x), rand(2, 3), np.cosh, "Cosh"),
    ("tanh", lambda tf, x: tf.tanh(x), rand(2, 3), np.tanh, "Tanh"),
    ("asinh", lambda tf, x: tf.asinh(x), rand(2, 3), np.arcsinh, "Asinh"),
    ("acosh", lambda tf, x: tf.math.acosh(x), positive(2, 3) + 0.6, np.arccosh, "Acosh"),
    ("atanh", lambda tf, x: tf.math.atanh(x), _small(2, 3), np.arctanh, "Atanh"),
    ("sigmoid", lambda tf, x: tf.sigmoid(x), rand(2, 3) * 4, _sigmoid, "Sigmoid"),
    ("softplus", lambda tf, x: tf.math.softplus(x), rand(2, 3) * 4,
     lambda x: np.log1p(np.exp(x)), "Softplus"),
    ("reciprocal", lambda tf, x: tf.math.reciprocal(x), positive(2, 3), lambda x: 1 / x,
     "Reciprocal"),
    ("erf", lambda tf, x: tf.math.erf(x), rand(2, 3), _erf, "Erf"),
    ("erfc", lambda tf, x: tf.math.erfc(x), rand(2, 3), _erfc, "Erfc"),
    ("lgamma", lambda tf, x: tf.math.lgamma(x), _GAMMA_ARGS, _lgamma, "Lgamma"),
    ("digamma", lambda tf, x: tf.math.digamma(x), _GAMMA_ARGS, _digamma, "Digamma"),
    ("square", lambda tf, x: tf.square(x), rand(2, 3), np.square, "Square"),
    ("sign", lambda tf, x: tf.sign(x), rand(5), np.sign, "Sign"),
]

CASES = []
for _name, _fn, _x, _ref, _op in _SIMPLE:
    CASES.append(OpCase(_name, _fn, [_x], [_op], _ref, grad=True,
                        rtol=1e-5 if _name == "digamma" else 1e-7))
    # float32 conformance (values, dtypes and gradients against TensorFlow's float32 kernels).
    CASES.append(OpCase(f"{_name}_f32", _fn, [_x.astype(F32)], [_op],
                        lambda x, _r=_ref: _r(x.astype(np.float64)).astype(F32), grad=True))

CASES += [
    OpCase("sigmoid_tails", lambda tf, x: tf.sigmoid(x),
           [np.array([-800., -40., 0., 40., 800.])], ["Sigmoid"], _sigmoid, atol=0),
    OpCase("softplus_tails", lambda tf, x: tf.math.softplus(x),
           [np.array([-800., -40., 0., 40., 800.])], ["Softplus"],
           lambda x: np.logaddexp(0, x), atol=0),
    OpCase("softplus_tails_f32", lambda tf, x: tf.nn.softplus(x),
           [np.array([-100., -20., 0., 20., 100.], F32)], ["Softplus"],
           lambda x: np.logaddexp(0, x), grad=True),
    OpCase("log_sigmoid", lambda tf, x: tf.math.log_sigmoid(x), [rand(2, 3) * 5],
           ["Neg", "Softplus"], lambda x: -np.logaddexp(0, -x), grad=True),
    OpCase("log_sigmoid_tails_f32", lambda tf, x: tf.math.log_sigmoid(x),
           [np.array([-200., -30., 0., 30., 200.], F32)], ["Softplus"],
           lambda x: -np.logaddexp(0, -x), grad=True),
    OpCase("tanh_tails_f32", lambda tf, x: tf.tanh(x), [np.array([-30., -5., 5., 30.], F32)],
           ["Tanh"], np.tanh, grad=True),
    OpCase("round_half_even", lambda tf, x: tf.round(x),
           [np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6], F32)], ["Round"], np.round),
    OpCase("round_int", lambda tf, x: tf.math.round(x), [np.array([-3, 0, 7], I32)], ["Round"],
           lambda x: x),
    OpCase("round_no_grad", lambda tf, x: tf.round(x) * x, [rand(4)], ["Round"],
           lambda x: np.round(x) * x, grad=True),
    OpCase("rint", lambda tf, x: tf.math.rint(x), [np.array([-1.5, -0.5, 0.5, 1.5, 2.7])],
           ["Rint"], np.rint),
    OpCase("floor", lambda tf, x: tf.floor(x), [rand(5) * 3], ["Floor"], np.floor),
    OpCase("ceil", lambda tf, x: tf.math.ceil(x), [rand(5, dtype=F32) * 3], ["Ceil"], np.ceil),
    OpCase("ceil_floor_no_grad", lambda tf, x: tf.math.ceil(x) * x + tf.floor(x) * x,
           [rand(4)], ["Ceil", "Floor"], lambda x: np.ceil(x) * x + np.floor(x) * x, grad=True),
    OpCase("is_nan_inf_finite",
           lambda tf, x: (tf.math.is_nan(x), tf.math.is_inf(x), tf.math.is_finite(x)),
           [np.array([1., np.nan, np.inf, -np.inf, 0.], F32)], ["IsNan", "IsInf", "IsFinite"],
           lambda x: (np.isnan(x), np.isinf(x), np.isfinite(x))),
    OpCase("sign_int", lambda tf, x: tf.sign(x), [np.array([-3, 0, 4], I32)], ["Sign"],
           np.sign),
    OpCase("square_int", lambda tf, x: tf.square(x), [np.array([3, 0, 4], np.uint8)],
           ["Square"], np.square),
    OpCase("exp_complex", lambda tf, x: tf.exp(x), [rand(3, dtype=np.complex128)], ["Exp"],
           np.exp),
    OpCase("sqrt_float16", lambda tf, x: tf.sqrt(x), [positive(3, dtype=np.float16)], ["Sqrt"],
           np.sqrt, rtol=1e-3),
    OpCase("erf_tails", lambda tf, x: (tf.math.erf(x), tf.math.erfc(x)),
           [np.array([-6., -3., -1., 1e-10, 0.8, 2.4, 2.6, 6., 12.])], ["Erf", "Erfc"],
           lambda x: (_erf(x), _erfc(x)), rtol=1e-12, atol=0),
    OpCase("lgamma_edges", lambda tf, x: tf.math.lgamma(x),
           [np.array([1., 2., 0., -1., 1e-300, 1e300, -2.5, np.inf])], ["Lgamma"],
           lambda x: np.array([0., 0., np.inf, np.inf, 690.77552789821368, 6.8977552789821372e302,
                               -0.056243716497674054, np.inf])),
    OpCase("digamma_edges", lambda tf, x: tf.math.digamma(x),
           [np.array([1., 0., -1., -2.5, np.inf, 1e-300])], ["Digamma"],
           lambda x: np.array([-0.57721566490153287, np.nan, np.nan, 1.1031566406452432,
                               np.inf, -1e300])),
    OpCase("exp_log_grad_chain", lambda tf, x: tf.math.log(tf.exp(x) + 1.), [rand(2, 3)],
           ["Exp", "Log", "AddV2"], lambda x: np.log1p(np.exp(x)), grad=True),
]

_INT = [np.array([1, 2], I32)]
CASES += [ErrorCase(f"{n}_int32", fn, _INT, "InvalidArgumentError") for n, fn in [
    ("sqrt", lambda tf, x: tf.sqrt(x)),
    ("exp", lambda tf, x: tf.exp(x)),
    ("log", lambda tf, x: tf.math.log(x)),
    ("sin", lambda tf, x: tf.sin(x)),
    ("tanh", lambda tf, x: tf.tanh(x)),
    ("sigmoid", lambda tf, x: tf.sigmoid(x)),
    ("softplus", lambda tf, x: tf.math.softplus(x)),
    ("erf", lambda tf, x: tf.math.erf(x)),
    ("lgamma", lambda tf, x: tf.math.lgamma(x)),
    ("digamma", lambda tf, x: tf.math.digamma(x)),
    ("floor", lambda tf, x: tf.floor(x)),
    ("ceil", lambda tf, x: tf.math.ceil(x)),
    ("is_nan", lambda tf, x: tf.math.is_nan(x)),
    ("rint", lambda tf, x: tf.math.rint(x)),
]]
CASES += [
    ErrorCase("reciprocal_int32", lambda tf, x: tf.math.reciprocal(x), _INT, "NotFoundError"),
    ErrorCase("rint_float16", lambda tf, x: tf.math.rint(x), [np.ones(2, np.float16)],
              "NotFoundError"),
    ErrorCase("round_complex", lambda tf, x: tf.round(x), [np.ones(2, np.complex64)],
              "NotFoundError"),
    ErrorCase("round_bool", lambda tf, x: tf.round(x), [np.ones(2, bool)],
              "InvalidArgumentError"),
    ErrorCase("sign_uint8", lambda tf, x: tf.sign(x), [np.ones(2, np.uint8)],
              "InvalidArgumentError"),
    ErrorCase("erf_complex", lambda tf, x: tf.math.erf(x), [np.ones(2, np.complex64)],
              "InvalidArgumentError"),
]
