"""``Adafactor``: Adam-like steps with factored second moments (Shazeer & Stern, 2018)."""
import numpy as np

import ndflow as nd
from ndflow.keras.optimizers.optimizer import Optimizer, _MODULE
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.variables import KerasVariable


def _rms(x):
    return nd.sqrt(nd.reduce_mean(nd.square(x)))


class Adafactor(Optimizer):
    """Keeps row and column means of the squared gradients of each matrix (last two axes)
    instead of a full second-moment slot; steps are relative to the weights' RMS."""

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
                 clip_threshold=1.0, relative_step=True, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list):
        """Creates the row/column factors (placeholders below rank 2) and velocity slots."""
        if self.built:
            return
        super().build(var_list)
        self._r, self._c, self._v = [], [], []
        for var in var_list:
            shape = var.shape.as_list()
            if len(shape) < 2:
                # Unfactored: placeholders keep the variable list aligned with Keras'.
                for slots in (self._r, self._c):
                    holder = KerasVariable(np.int32(0), dtype="int32", trainable=False,
                                           name=var.name)
                    self._track_variable(holder)
                    slots.append(holder)
            else:
                self._r.append(self.add_variable(shape=shape[:-1], dtype=var.dtype))
                self._c.append(self.add_variable(shape=shape[:-2] + shape[-1:],
                                                 dtype=var.dtype))
            self._v.append(self.add_variable_from_reference(var, name="velocity"))

    def _compute_constants(self, dt, lr):
        step = dt(self._local_step() + 1)
        inv_sqrt = dt(1) / np.sqrt(step)
        if not callable(self._learning_rate) and self.relative_step:
            lr = min(lr, inv_sqrt)
        beta_2_t = dt(1) - step ** dt(self.beta_2_decay)
        return (float(min(lr, inv_sqrt)), float(beta_2_t), float(dt(1) - beta_2_t),
                float(dt(self.epsilon_2)))

    def update_step(self, gradient, variable, learning_rate):
        """One Adafactor step for ``variable``."""
        rho_t, beta_2_t, one_minus, eps_2 = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        alpha_t = nd.maximum(_rms(variable), eps_2) * rho_t
        squared = nd.square(gradient) + self.epsilon_1
        if variable.shape.rank >= 2:
            r.assign(r * beta_2_t + nd.reduce_mean(squared, axis=-1) * one_minus)
            c.assign(c * beta_2_t + nd.reduce_mean(squared, axis=-2) * one_minus)
            row = nd.expand_dims(r / nd.reduce_mean(r, axis=-1, keepdims=True), -1)
            v.assign(row * nd.expand_dims(c, -2))
        else:
            v.assign(v * beta_2_t + squared * one_minus)
        u_t = gradient / nd.sqrt(v)
        u_t_hat = u_t / nd.maximum(_rms(u_t) / self.clip_threshold, 1.0)
        variable.assign_sub(u_t_hat * alpha_t)

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config


_reg.register_builtin(_MODULE, Adafactor)
