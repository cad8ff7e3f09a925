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
    _adam_step(w, m, v, tmp, alpha, epsilon, v_hat_var)


def _adam_step(w, m, v, tmp, alpha, epsilon, v_hat_var):
    """w -= m·alpha / (sqrt(v or max(v_hat, v)) + epsilon), with ``tmp`` as scratch."""
    dt = w.dtype.type
    if v_hat_var is not None:
        v_hat = v_hat_var._buffer_for_update()
        np.maximum(v_hat, v, out=v_hat)
        v = v_hat
    np.sqrt(v, out=tmp)
    tmp += dt(epsilon)
    step = np.multiply(m, dt(alpha), out=_scratch(w, 1))
    step /= tmp
    w -= step


def nadam(g, variable, m_var, v_var, constants):
    """Nadam's update with this step's scalar factors folded (``constants``: scalars of the
    variable's dtype): w -= (m·m_coef + g·g_coef) / (sqrt(v) + eps_coef)."""
    m_coef, g_coef, eps_coef, keep_m, keep_v = constants
    m, v, w = m_var._buffer_for_update(), v_var._buffer_for_update(), variable._buffer_for_update()
    tmp = np.subtract(g, m, out=_scratch(w, 0))
    tmp *= keep_m
    m += tmp
    np.square(g, out=tmp)
    tmp -= v
    tmp *= keep_v
    v += tmp
    step = np.multiply(m, m_coef, out=_scratch(w, 1))
    step += np.multiply(g, g_coef, out=_scratch(w, 2))
    np.sqrt(v, out=tmp)
    tmp += eps_coef
    step /= tmp
    w -= step


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


# -- sparse gradients (IndexedSlices) -------------------------------------------------------------
# Keras 3 with TensorFlow keeps an IndexedSlices gradient sparse through element-wise products and
# quotients (applied to each slice) and densifies it when it is added to a dense slot. These
# updates follow the same operations in the same order: slices are combined per row only where
# Keras densifies (so duplicated rows round as in Keras), and rows absent from the gradient only
# get the work that their dense slots need (none at all for plain SGD and Adagrad).

def _sparse_usable(gradient, variable):
    values = gradient.values
    return (not GRAPHS and type(values) is EagerTensor and values._dtype is variable._dtype
            and variable._dtype in _FUSED_DTYPES)


def _segment_sum(values, indices):
    """(unique rows, per-row sums of ``values`` added in order from zero), as densifying does."""
    rows, where = np.unique(indices, return_inverse=True)
    sums = np.zeros((rows.shape[0],) + values.shape[1:], values.dtype)
    np.add.at(sums, where.reshape(-1), values)
    return rows, sums


def _dense_minus(values, indices, slot, out):
    """``densify(slices) - slot`` into ``out`` (only the gradient's rows add anything)."""
    rows, sums = _segment_sum(values, indices)
    np.negative(slot, out=out)
    out[rows] += sums
    return out


def sparse_sgd(values, indices, variable, m_var, lr, momentum, nesterov):
    """SGD: w -= slices·lr (scattered); with momentum m = m·momentum - densify(slices·lr)."""
    w = variable._buffer_for_update()
    dt = w.dtype.type
    g_lr = values * dt(lr)
    if m_var is None:
        np.subtract.at(w, indices, g_lr)
        return
    rows, sums = _segment_sum(g_lr, indices)
    m = m_var._buffer_for_update()
    m *= dt(momentum)
    m[rows] -= sums
    if nesterov:
        step = np.multiply(m, dt(momentum), out=_scratch(w, 1))
        step[rows] -= sums
        w += step
    else:
        w += m


def _moments(values, indices, w, m_var, v_var, keep_m, keep_v):
    """Adam's moment updates: m += (densify(g) - m)·keep_m; v += (densify(g²) - v)·keep_v."""
    m, v = m_var._buffer_for_update(), v_var._buffer_for_update()
    dt = w.dtype.type
    tmp = _dense_minus(values, indices, m, _scratch(w, 0))
    tmp *= dt(keep_m)
    m += tmp
    _dense_minus(np.square(values), indices, v, tmp)
    tmp *= dt(keep_v)
    v += tmp
    return m, v, tmp


def sparse_adam(values, indices, variable, m_var, v_var, keep_m, keep_v, alpha, epsilon,
                v_hat_var=None):
    """Adam with slices (Keras squares each slice before densifying)."""
    w = variable._buffer_for_update()
    m, v, tmp = _moments(values, indices, w, m_var, v_var, keep_m, keep_v)
    _adam_step(w, m, v, tmp, alpha, epsilon, v_hat_var)


def sparse_nadam(values, indices, variable, m_var, v_var, constants, epsilon):
    """Nadam with slices: the gradient term of m_hat is computed per slice, then densified."""
    lr, u_t_1, den_1, one_minus_u_t, den_0, bias_2, keep_m, keep_v = constants
    w = variable._buffer_for_update()
    dt = w.dtype.type
    m, v, tmp = _moments(values, indices, w, m_var, v_var, keep_m, keep_v)
    m_hat = np.multiply(m, dt(u_t_1), out=_scratch(w, 1))
    m_hat /= dt(den_1)
    rows, sums = _segment_sum(values * dt(one_minus_u_t) / dt(den_0), indices)
    m_hat[rows] += sums
    np.divide(v, dt(bias_2), out=tmp)
    np.sqrt(tmp, out=tmp)
    tmp += dt(epsilon)
    m_hat *= dt(lr)
    m_hat /= tmp
    w -= m_hat


def sparse_rmsprop(values, indices, variable, velocity_var, average_var, momentum_var, lr, rho,
                   momentum, epsilon):
    """RMSprop with slices: the increment is computed per slice from the updated slots' rows."""
    v, w = velocity_var._buffer_for_update(), variable._buffer_for_update()
    dt = w.dtype.type
    v *= dt(rho)
    rows, sums = _segment_sum(np.square(values) * dt(1 - rho), indices)
    v[rows] += sums
    if average_var is not None:
        a = average_var._buffer_for_update()
        a *= dt(rho)
        rows, sums = _segment_sum(values * dt(1 - rho), indices)
        a[rows] += sums
        denominator = v[indices] - np.square(a[indices]) + dt(epsilon)
    else:
        denominator = v[indices] + dt(epsilon)
    increment = values * dt(lr) / np.sqrt(denominator)
    if momentum_var is None:
        np.subtract.at(w, indices, increment)
        return
    mom = momentum_var._buffer_for_update()
    mom *= dt(momentum)
    rows, sums = _segment_sum(increment, indices)
    mom[rows] += sums
    w -= mom


def sparse_adagrad(values, indices, variable, accumulator_var, lr, epsilon):
    """Adagrad with slices: both the accumulator and the variable change only at the rows."""
    acc, w = accumulator_var._buffer_for_update(), variable._buffer_for_update()
    dt = w.dtype.type
    np.add.at(acc, indices, np.square(values))
    np.subtract.at(w, indices, values * dt(lr) / np.sqrt(acc[indices] + dt(epsilon)))


def _rules():
    """{update_step function: sparse applier} for the built-in optimizers (subclasses that
    override ``update_step`` get the dense path)."""
    if not _RULES:
        from ndflow.keras.optimizers import adagrad, adam, rmsprop, sgd
        _RULES.update({sgd.SGD.update_step: _apply_sgd, adam.Adam.update_step: _apply_adam,
                       adam.Nadam.update_step: _apply_nadam,
                       rmsprop.RMSprop.update_step: _apply_rmsprop,
                       adagrad.Adagrad.update_step: _apply_adagrad})
    return _RULES


_RULES = {}


def apply_sparse(optimizer, gradient, variable, learning_rate):
    """Applies an IndexedSlices gradient in place; False when this optimizer or dtype has no
    sparse update (the caller then densifies the gradient)."""
    rule = _rules().get(type(optimizer).update_step)
    if rule is None or not _sparse_usable(gradient, variable):
        return False
    indices = np.asarray(gradient.indices).reshape(-1)
    values = gradient.values._value.reshape(indices.shape + tuple(variable.shape[1:]))
    rule(optimizer, values, indices, variable, optimizer._constants(variable, learning_rate))
    return True


def _apply_sgd(opt, values, indices, variable, constants):
    lr, momentum = constants
    slot = opt.momentums[opt._get_variable_index(variable)] if opt.momentum else None
    sparse_sgd(values, indices, variable, slot, lr, momentum, opt.nesterov)


def _apply_adam(opt, values, indices, variable, constants):
    index = opt._get_variable_index(variable)
    sparse_adam(values, indices, variable, opt._momentums[index], opt._velocities[index],
                1 - opt.beta_1, 1 - opt.beta_2, constants[0], opt.epsilon,
                opt._velocity_hats[index] if opt.amsgrad else None)


def _apply_nadam(opt, values, indices, variable, constants):
    index = opt._get_variable_index(variable)
    sparse_nadam(values, indices, variable, opt._momentums[index], opt._velocities[index],
                 constants, opt.epsilon)


def _apply_rmsprop(opt, values, indices, variable, constants):
    index = opt._get_variable_index(variable)
    sparse_rmsprop(values, indices, variable, opt._velocities[index],
                   opt._average_gradients[index] if opt.centered else None,
                   opt._momentums[index] if opt.momentum > 0 else None,
                   constants[0], opt.rho, opt.momentum, opt.epsilon)


def _apply_adagrad(opt, values, indices, variable, constants):
    sparse_adagrad(values, indices, variable,
                   opt._accumulators[opt._get_variable_index(variable)], constants[0],
                   opt.epsilon)
