"""Eager fast paths of the common optimizers: each variable's update is a few in-place NumPy
operations instead of a dozen ops, with the same operations in the same order (so the results
are identical to the op-by-op updates, which traced graphs and unusual cases keep using).

The in-place writes go through ``Variable._buffer_for_update``, which copies a buffer that
anything else still refers to, so tensors read before the update keep their values.
"""
import numpy as np

from ndflow.framework import dtypes
from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import EagerTensor

_FUSED_DTYPES = (dtypes.float32, dtypes.float64)
_SCRATCH = {}  # (shape, dtype, slot) -> a reusable work array (saves allocating every step)


def _scratch(like, slot):
    key = (like.shape, like.dtype, slot)
    buffer = _SCRATCH.get(key)
    if buffer is None:
        buffer = _SCRATCH[key] = np.empty_like(like)
    return buffer


def usable(gradient, variable):
    """True when the fast path applies: eager, a dense gradient of the variable's dtype."""
    return (not GRAPHS and type(gradient) is EagerTensor
            and gradient._dtype is variable._dtype and variable._dtype in _FUSED_DTYPES)


def adam(g, variable, m_var, v_var, keep_m, keep_v, alpha, epsilon, v_hat_var=None):
    """m += (g - m) * keep_m; v += (g² - v) * keep_v; w -= m * alpha / (sqrt(v) + eps)."""
    m, v, w = m_var._buffer_for_update(), v_var._buffer_for_update(), variable._buffer_for_update()
    dt = w.dtype.type
    tmp = np.subtract(g, m, out=_scratch(w, 0))
    tmp *= dt(keep_m)
    m += tmp
    np.square(g, out=tmp)
    tmp -= v
    tmp *= dt(keep_v)
    v += tmp
    if v_hat_var is not None:
        v_hat = v_hat_var._buffer_for_update()
        np.maximum(v_hat, v, out=v_hat)
        v = v_hat
    np.sqrt(v, out=tmp)
    tmp += dt(epsilon)
    step = np.multiply(m, dt(alpha), out=_scratch(w, 1))
    step /= tmp
    w -= step


def nadam(g, variable, m_var, v_var, constants, epsilon):
    """Nadam's update with this step's precomputed scalar terms."""
    lr, u_t_1, den_1, one_minus_u_t, den_0, bias_2, keep_m, keep_v = constants
    m, v, w = m_var._buffer_for_update(), v_var._buffer_for_update(), variable._buffer_for_update()
    dt = w.dtype.type
    tmp = np.subtract(g, m, out=_scratch(w, 0))
    tmp *= dt(keep_m)
    m += tmp
    np.square(g, out=tmp)
    tmp -= v
    tmp *= dt(keep_v)
    v += tmp
    m_hat = np.multiply(m, dt(u_t_1), out=_scratch(w, 1))
    m_hat /= dt(den_1)
    g_term = np.multiply(g, dt(one_minus_u_t), out=_scratch(w, 2))
    g_term /= dt(den_0)
    m_hat += g_term
    np.divide(v, dt(bias_2), out=tmp)
    np.sqrt(tmp, out=tmp)
    tmp += dt(epsilon)
    m_hat *= dt(lr)
    m_hat /= tmp
    w -= m_hat


def sgd(g, variable, m_var, lr, momentum, nesterov):
    """Plain, momentum or Nesterov SGD."""
    w = variable._buffer_for_update()
    dt = w.dtype.type
    g_lr = np.multiply(g, dt(lr), out=_scratch(w, 0))
    if m_var is None:
        w -= g_lr
        return
    m = m_var._buffer_for_update()
    m *= dt(momentum)
    m -= g_lr
    if nesterov:
        step = np.multiply(m, dt(momentum), out=_scratch(w, 1))
        step -= g_lr
        w += step
    else:
        w += m


def rmsprop(g, variable, velocity_var, average_var, momentum_var, lr, rho, momentum, epsilon):
    """RMSprop, optionally centered and with momentum."""
    v, w = velocity_var._buffer_for_update(), variable._buffer_for_update()
    dt = w.dtype.type
    v *= dt(rho)
    tmp = np.square(g, out=_scratch(w, 0))
    tmp *= dt(1 - rho)
    v += tmp
    if average_var is not None:
        a = average_var._buffer_for_update()
        a *= dt(rho)
        np.multiply(g, dt(1 - rho), out=tmp)
        a += tmp
        np.square(a, out=tmp)
        np.subtract(v, tmp, out=tmp)
        tmp += dt(epsilon)
    else:
        np.add(v, dt(epsilon), out=tmp)
    np.sqrt(tmp, out=tmp)
    increment = np.multiply(g, dt(lr), out=_scratch(w, 1))
    increment /= tmp
    if momentum_var is not None:
        mom = momentum_var._buffer_for_update()
        mom *= dt(momentum)
        mom += increment
        w -= mom
    else:
        w -= increment
