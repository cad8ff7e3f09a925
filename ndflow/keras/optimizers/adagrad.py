"""Accumulator optimizers: ``Adagrad``, ``Adadelta`` and ``Ftrl``."""
import numpy as np

import ndflow as nd
from ndflow.keras.optimizers.optimizer import Optimizer, _MODULE
from ndflow.keras.saving import object_registration as _reg


def _constant(value):
    """An initializer filling with ``value`` (what Keras' Constant initializer gives)."""
    def initializer(shape, dtype=None):
        return np.full(shape, value, dtype=nd.as_dtype(dtype or "float32").as_numpy_dtype)
    return initializer


class Adagrad(Optimizer):
    """Per-coordinate steps shrinking with the sum of squared gradients:
    ``acc += g**2``; ``w -= lr * g / sqrt(acc + epsilon)``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list):
        """Creates the accumulators, filled with ``initial_accumulator_value``."""
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=_constant(self.initial_accumulator_value))

    def update_step(self, gradient, variable, learning_rate):
        """One Adagrad step for ``variable``."""
        lr, = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        accumulator.assign_add(nd.square(gradient))
        variable.assign_sub((gradient * lr) / nd.sqrt(accumulator + self.epsilon))

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config


class Adadelta(Optimizer):
    """Steps scaled by the ratio of moving RMS of past updates to moving RMS of gradients."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name,
                         **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list):
        """Creates the accumulated-gradient and accumulated-update slots."""
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, grad, variable, learning_rate):
        """One Adadelta step for ``variable``."""
        lr, = self._constants(variable, learning_rate)
        grad = self._cast(grad, variable)
        index = self._get_variable_index(variable)
        acc_grad = self._accumulated_grads[index]
        acc_delta = self._accumulated_delta_vars[index]
        rho, eps = self.rho, self.epsilon
        acc_grad.assign(acc_grad * rho + nd.square(grad) * (1 - rho))
        delta = -((nd.sqrt(acc_delta + eps) * grad) / nd.sqrt(acc_grad + eps))
        acc_delta.assign(acc_delta * rho + nd.square(delta) * (1 - rho))
        variable.assign_add(delta * lr)

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config


class Ftrl(Optimizer):
    """Follow-the-regularized-leader (McMahan et al.), with L1, L2 and L2-shrinkage terms."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5,
                 initial_accumulator_value=0.1, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
                 beta=0.0, weight_decay=None, clipnorm=None, clipvalue=None,
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
        for arg, value, sign in (
                ("initial_accumulator_value", initial_accumulator_value, "positive or zero"),
                ("learning_rate_power", -learning_rate_power, None),
                ("l1_regularization_strength", l1_regularization_strength, "positive or zero"),
                ("l2_regularization_strength", l2_regularization_strength, "positive or zero"),
                ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength,
                 "positive or zero")):
            if value < 0.0:
                shown = learning_rate_power if sign is None else value
                raise ValueError(f"`{arg}` needs to be {sign or 'negative or zero'}. "
                                 f"Received: {arg}={shown}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list):
        """Creates the accumulator and linear slots."""
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"],
            initializer=[_constant(self.initial_accumulator_value), "zeros"])

    def _compute_constants(self, dt, lr):
        l2 = dt(self.l2_regularization_strength) + dt(self.beta) / (dt(2.0) * lr)
        return float(lr), float(dt(2) * l2)

    def update_step(self, gradient, variable, learning_rate):
        """One FTRL step for ``variable``."""
        lr, two_l2 = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        index = self._get_variable_index(variable)
        accum = self._accumulators[index]
        linear = self._linears[index]
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        grad_to_use = gradient + variable * (2 * self.l2_shrinkage_regularization_strength)
        new_accum = accum + nd.square(gradient)
        new_accum_pow = nd.pow(new_accum, power)
        linear.assign_add(grad_to_use - ((new_accum_pow - nd.pow(accum, power)) / lr) * variable)
        quadratic = new_accum_pow / lr + two_l2
        clipped = nd.clip_by_value(linear, -l1, l1)
        variable.assign((clipped - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({
            "learning_rate_power": self.learning_rate_power,
            "initial_accumulator_value": self.initial_accumulator_value,
            "l1_regularization_strength": self.l1_regularization_strength,
            "l2_regularization_strength": self.l2_regularization_strength,
            "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
            "beta": self.beta,
        })
        return config


for _cls in (Adagrad, Adadelta, Ftrl):
    _reg.register_builtin(_MODULE, _cls)
