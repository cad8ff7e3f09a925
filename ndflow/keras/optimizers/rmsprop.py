"""``RMSprop``: steps scaled by a moving root-mean-square of the gradients."""
import ndflow as nd
from ndflow.keras.optimizers.optimizer import Optimizer, _MODULE
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.optimizers import fused


class RMSprop(Optimizer):
    """``v = rho * v + (1 - rho) * g**2``; ``w -= lr * g / sqrt(v + epsilon)`` (with the
    squared mean gradient subtracted from ``v`` when ``centered``, and momentum on the step)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
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
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list):
        """Creates the velocity slots (and momentum / average-gradient slots when used)."""
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def update_step(self, gradient, variable, learning_rate):
        """One RMSprop step for ``variable``."""
        lr, = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        index = self._get_variable_index(variable)
        velocity = self._velocities[index]
        rho = self.rho
        if fused.usable(gradient, variable):
            fused.rmsprop(gradient._value, variable, velocity,
                          self._average_gradients[index] if self.centered else None,
                          self._momentums[index] if self.momentum > 0 else None,
                          lr, rho, self.momentum, self.epsilon)
            return
        velocity.assign(velocity * rho + nd.square(gradient) * (1 - rho))
        if self.centered:
            average = self._average_gradients[index]
            average.assign(average * rho + gradient * (1 - rho))
            denominator = velocity - nd.square(average) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = (gradient * lr) / nd.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            momentum.assign(momentum * self.momentum + increment)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(increment)

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config


_reg.register_builtin(_MODULE, RMSprop)
