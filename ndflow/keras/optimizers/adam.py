"""The Adam family: ``Adam``, ``AdamW``, ``Adamax`` and ``Nadam``."""
import math

import numpy as np

import ndflow as nd
from ndflow.keras.optimizers.optimizer import Optimizer, _MODULE
from ndflow.keras.optimizers.optimizer_utils import _np_dtype
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.optimizers import fused


_SCALARS = {}  # (NumPy dtype, Python numbers) -> those numbers as scalars of the dtype


def _scalars(dt, *values):
    """``values`` as NumPy scalars of type ``dt`` (cached: the hyper-parameters recur)."""
    key = (dt, values)
    try:
        found = _SCALARS.get(key)
    except TypeError:  # a hyper-parameter given as a tensor
        return tuple(dt(v) for v in values)
    if found is None:
        found = _SCALARS[key] = tuple(dt(v) for v in values)
    return found


class Adam(Optimizer):
    """Adam: moving averages of the gradient (``m``) and of its square (``v``);
    ``w -= alpha * m / (sqrt(v) + epsilon)`` with the bias-corrected step
    ``alpha = lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``. ``amsgrad`` uses the running
    maximum of ``v``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def build(self, var_list):
        """Creates the momentum and velocity slots (and velocity_hat with amsgrad)."""
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _compute_constants(self, dt, lr):
        step = dt(self._local_step() + 1)
        one = dt(1)
        alpha = lr * np.sqrt(one - dt(self.beta_2) ** step) / (one - dt(self.beta_1) ** step)
        return (float(alpha),)

    def update_step(self, gradient, variable, learning_rate):
        """One Adam step for ``variable``."""
        alpha, = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        index = self._get_variable_index(variable)
        m = self._momentums[index]
        v = self._velocities[index]
        if fused.usable(gradient, variable):
            fused.adam(gradient._value, variable, m, v, 1 - self.beta_1, 1 - self.beta_2, alpha,
                       self.epsilon, self._velocity_hats[index] if self.amsgrad else None)
            return
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((nd.square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            v_hat.assign(nd.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (nd.sqrt(v) + self.epsilon))

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config


class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay`` defaults to 0.004 and is required)."""

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name,
                         weight_decay=weight_decay, clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: "
                             "weight_decay=None")


class Adamax(Optimizer):
    """Adam with the infinity norm: ``u = max(beta_2 * u, |g|)``;
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        """Creates the momentum and norm slots."""
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _compute_constants(self, dt, lr):
        step = dt(self._local_step() + 1)
        return float(lr), float(dt(1) - dt(self.beta_1) ** step)

    def update_step(self, gradient, variable, learning_rate):
        """One Adamax step for ``variable``."""
        lr, correction = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        index = self._get_variable_index(variable)
        m = self._m[index]
        u = self._u[index]
        m.assign_add((gradient - m) * (1 - self.beta_1))
        u.assign(nd.maximum(u * self.beta_2, nd.abs(gradient)))
        variable.assign_sub((m * lr) / ((u + self.epsilon) * correction))

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat's schedule of momentum decay ``0.96``)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list):
        """Creates the momentum and velocity slots and the running momentum product."""
        if self.built:
            return
        dtype = var_list[0].dtype if var_list else None
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(
            var_list, ["momentum", "velocity"])
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype,
                                            name="u_product")

    def _backend_update_step(self, grads, variables, learning_rate):
        # The product of the momentum schedule advances once per step, before the updates.
        dt = self._u_product.dtype.as_numpy_dtype
        step = dt(self._local_step() + 1)
        u = self._u_product._buffer_for_update()
        u[()] = u[()] * dt(self.beta_1) * (dt(1) - dt(0.5) * dt(0.96) ** step)
        super()._backend_update_step(grads, variables, learning_rate)

    def _compute_constants(self, dt, lr):
        step = self._local_step()
        one, half, decay, beta_1, beta_2 = _scalars(dt, 1, 0.5, 0.96, self.beta_1, self.beta_2)
        u_t = beta_1 * (one - half * decay ** dt(step + 1))
        u_t_1 = beta_1 * (one - half * decay ** dt(step + 2))
        u_product = self._u_product._value.astype(dt)[()]
        return (float(lr), float(u_t_1), float(one - u_product * u_t_1), float(one - u_t),
                float(one - u_product), float(one - beta_2 ** dt(step + 1)),
                float(one - beta_1), float(one - beta_2))

    def _folded_constants(self, variable, learning_rate):
        # Keras' step lr·(m·u_t_1/den_1 + g·(1-u_t)/den_0) / (sqrt(v/bias_2) + eps) with the
        # scalar terms folded into three factors, (m·m_coef + g·g_coef) / (sqrt(v) + eps_coef):
        # four passes over the variable fewer, equal up to float rounding. The factors (and
        # 1 - beta_1, 1 - beta_2) are scalars of the variable's dtype, made once per step.
        key = ("folded", variable.dtype)
        found = self._consts.get(key)
        if found is None:
            lr, u_t_1, den_1, one_minus_u_t, den_0, bias_2, keep_m, keep_v = self._constants(
                variable, learning_rate)
            root = math.sqrt(bias_2)
            dt = _np_dtype(variable.dtype)
            found = self._consts[key] = (
                dt(lr * u_t_1 / den_1 * root), dt(lr * one_minus_u_t / den_0 * root),
                dt(self.epsilon * root), dt(keep_m), dt(keep_v))
        return found

    def update_step(self, gradient, variable, learning_rate):
        """One Nadam step for ``variable``."""
        constants = self._folded_constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        index = self._get_variable_index(variable)
        m = self._momentums[index]
        v = self._velocities[index]
        if fused.usable(gradient, variable):
            fused.nadam(gradient._value, variable, m, v, constants)
            return
        m_coef, g_coef, eps_coef, keep_m, keep_v = constants
        m.assign_add((gradient - m) * keep_m)
        v.assign_add((nd.square(gradient) - v) * keep_v)
        step = m * m_coef + gradient * g_coef
        variable.assign_sub(step / (nd.sqrt(v) + eps_coef))

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config


for _cls in (Adam, AdamW, Adamax, Nadam):
    _reg.register_builtin(_MODULE, _cls)
