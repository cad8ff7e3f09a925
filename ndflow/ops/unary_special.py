"""Special functions (erf, erfc, lgamma, digamma, Hurwitz zeta, polygamma) on arrays.

NumPy has none of these and SciPy is not a dependency, so they are computed here in float64
(inputs of other float dtypes are widened by the callers' kernels) from series and continued
fractions whose convergence is checked at run time, giving close to double precision.
"""
import math

_EPS = 2.0 ** -53
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
# erf by its series below _ERF_SWITCH, erfc by its continued fraction above _ERFC_SWITCH
# (1 - erf would lose digits there); 200 terms of the fraction converge for x >= 1.
_ERF_SWITCH = 2.5
_ERFC_SWITCH = 1.0
_CF_TERMS = 200
# Lanczos approximation, g = 7, 9 terms (relative error below 1e-15 for Re(z) >= 0.5).
_LANCZOS_G = 7.0
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Bernoulli numbers B_2 .. B_20, for the asymptotic series of digamma and zeta.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
              43867 / 798, -174611 / 330)


def _erf_series(xp, x):
    """erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (2n+1)!!  (positive terms only)."""
    x2 = x * x
    term = x.copy()
    total = x.copy()
    n = 0
    while True:
        n += 1
        term = term * (2.0 * x2 / (2 * n + 1))
        total = total + term
        if not xp.any(xp.abs(term) > _EPS * xp.abs(total)):
            break
    return _TWO_OVER_SQRT_PI * xp.exp(-x2) * total


def _erfc_fraction(xp, x):
    """erfc(x) for x >= _ERFC_SWITCH: exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/...)))."""
    tail = xp.zeros_like(x)
    for k in range(_CF_TERMS, 0, -1):
        tail = (k / 2.0) / (x + tail)
    return xp.exp(-x * x) / (math.sqrt(math.pi) * (x + tail))


def erf(xp, x):
    """The error function of a float64 array."""
    ax = xp.abs(x)
    small = ax < _ERF_SWITCH
    out = xp.empty_like(x)
    if xp.any(small):
        out[small] = _erf_series(xp, x[small])
    big = ~small & ~xp.isnan(x)
    if xp.any(big):
        out[big] = xp.sign(x[big]) * (1.0 - _erfc_fraction(xp, ax[big]))
    out[xp.isnan(x)] = xp.nan
    return out


def erfc(xp, x):
    """The complementary error function 1 - erf(x) of a float64 array, accurate in the tail."""
    small = xp.abs(x) < _ERFC_SWITCH
    out = xp.empty_like(x)
    if xp.any(small):
        out[small] = 1.0 - _erf_series(xp, x[small])
    big = ~small & ~xp.isnan(x)
    if xp.any(big):
        xb = x[big]
        tail = _erfc_fraction(xp, xp.abs(xb))
        out[big] = xp.where(xb > 0, tail, 2.0 - tail)
    out[xp.isnan(x)] = xp.nan
    return out


def _sinpi(xp, x):
    """sin(pi x) with the argument reduced first, exact zeros at integers."""
    r = x - 2.0 * xp.round(x / 2.0)                  # in [-1, 1], exact
    r = xp.where(r > 0.5, 1.0 - r, xp.where(r < -0.5, -1.0 - r, r))  # same sine, |r| <= 1/2
    return xp.sin(math.pi * r)


def _lgamma_positive(xp, x):
    """log Gamma(x) for x >= 0.5 (Lanczos)."""
    z = x - 1.0
    series = xp.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], 1):
        series = series + c / (z + i)
    t = z + _LANCZOS_G + 0.5
    return _HALF_LOG_2PI + (z + 0.5) * xp.log(t) - t + xp.log(series)


def lgamma(xp, x):
    """log |Gamma(x)| of a float64 array; +inf at poles and at +-inf."""
    out = xp.empty_like(x)
    right = x >= 0.5
    out[right] = _lgamma_positive(xp, x[right])
    left = ~right & ~xp.isnan(x)
    if xp.any(left):
        xl = x[left]
        # Reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x).
        s = xp.abs(_sinpi(xp, xl))
        val = math.log(math.pi) - xp.log(s) - _lgamma_positive(xp, 1.0 - xl)
        out[left] = xp.where((s == 0) | xp.isinf(xl), xp.inf, val)
    out[xp.isinf(x)] = xp.inf
    out[(x == 1.0) | (x == 2.0)] = 0.0       # exact zeros, which the Lanczos sum misses by 1 ulp
    out[xp.isnan(x)] = xp.nan
    return out


def _digamma_positive(xp, x):
    """psi(x) for x > 0: recurrence up to x >= 10, then the asymptotic series."""
    shift = xp.zeros_like(x)
    x = x.copy()
    low = x < 10.0
    while xp.any(low):
        shift = shift - xp.where(low, 1.0 / xp.where(low, x, 1.0), 0.0)
        x = xp.where(low, x + 1.0, x)
        low = x < 10.0
    inv2 = 1.0 / (x * x)
    series = xp.zeros_like(x)
    for k in range(len(_BERNOULLI) - 1, -1, -1):
        series = (series + _BERNOULLI[k] / (2 * k + 2)) * inv2
    return shift + xp.log(x) - 0.5 / x - series


def digamma(xp, x):
    """The digamma function psi = d/dx log Gamma of a float64 array; nan at poles and -inf."""
    out = xp.empty_like(x)
    right = x > 0
    out[right] = _digamma_positive(xp, x[right])
    left = ~right & ~xp.isnan(x)
    if xp.any(left):
        xl = x[left]
        # Reflection: psi(1 - x) - psi(x) = pi / tan(pi x).
        r = xl - xp.round(xl)                    # cot has period 1; |r| <= 1/2
        cot = xp.cos(math.pi * r) / xp.sin(math.pi * r)
        val = _digamma_positive(xp, 1.0 - xl) - math.pi * cot
        out[left] = xp.where((r == 0) | xp.isinf(xl), xp.nan, val)
    out[xp.isnan(x)] = xp.nan
    return out


def zeta(xp, s, q):
    """The Hurwitz zeta function sum_k (q + k)^-s of broadcast float64 arrays.

    Follows TensorFlow's domain: inf at s == 1, nan for s < 1; for q a non-positive integer,
    inf when s is an even integer, else nan; for other negative q, nan unless s is an integer.
    """
    s, q = xp.broadcast_arrays(s, q)
    s_int = s == xp.floor(s)
    q_pole = (q <= 0) & (q == xp.floor(q))
    even = s_int & (xp.fmod(s, 2.0) == 0)
    bad = (s < 1) | ((q <= 0) & ~s_int) | (q_pole & ~even) | xp.isnan(s) | xp.isnan(q)
    inf = (s == 1) | (q_pole & even)
    ok = ~bad & ~inf & xp.isfinite(q)
    out = xp.where(bad & ~(s == 1), xp.nan, xp.where(inf, xp.inf, 0.0))
    if xp.any(ok):
        out[ok] = _zeta_regular(xp, s[ok], q[ok])
    return out


def _zeta_regular(xp, s, q):
    """Euler-Maclaurin summation after shifting q to q + N >= s + 15 (where the remainder
    of the asymptotic series is below double precision)."""
    total = xp.zeros_like(q)
    a = q.copy()
    target = s + 15.0
    low = a < target
    while xp.any(low):
        total = total + xp.where(low, xp.power(xp.where(low, a, 1.0), -s), 0.0)
        a = xp.where(low, a + 1.0, a)
        low = a < target
    tail = xp.power(a, 1.0 - s) / (s - 1.0) + 0.5 * xp.power(a, -s)
    # sum_j B_2j / (2j)! * s (s+1) ... (s+2j-2) * a^(-s-2j+1)
    factor = s * xp.power(a, -s - 1.0)
    fact = 1.0
    for j, b in enumerate(_BERNOULLI, 1):
        fact *= (2 * j) * (2 * j - 1) if j > 1 else 2
        tail = tail + b / fact * factor
        factor = factor * (s + 2 * j - 1) * (s + 2 * j) / (a * a)
    return total + tail


def polygamma(xp, n, x):
    """The n-th derivative of digamma for broadcast float64 arrays; nan unless n is a
    non-negative integer."""
    n, x = xp.broadcast_arrays(n, x)
    out = xp.full(n.shape, xp.nan)
    valid = (n >= 0) & (n == xp.floor(n))
    zero = valid & (n == 0)
    if xp.any(zero):
        out[zero] = digamma(xp, x[zero])
    higher = valid & (n > 0)
    if xp.any(higher):
        m = n[higher]
        sign = xp.where(xp.fmod(m, 2.0) == 1, 1.0, -1.0)
        factorial = xp.exp(lgamma(xp, m + 1.0))
        with_zeta = zeta(xp, m + 1.0, x[higher])
        out[higher] = sign * factorial * with_zeta
    return out
