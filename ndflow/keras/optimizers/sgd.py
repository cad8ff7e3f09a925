"""``SGD``: gradient descent, optionally with (Nesterov) momentum."""
from ndflow.keras.optimizers.optimizer import Optimizer, _MODULE
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.optimizers import fused


class SGD(Optimizer):
    """Gradient descent: ``w -= lr * g``; with ``momentum``, ``m = momentum * m - lr * g`` and
    ``w += m`` (``w += momentum * m - lr * g`` when ``nesterov``)."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay,
                         clipnorm=clipnorm, clipvalue=clipvalue,
                         global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum,
                         ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, variables):
        """Creates one momentum slot per variable when ``momentum`` is not 0."""
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _compute_constants(self, dt, lr):
        return float(lr), float(dt(self.momentum))

    def update_step(self, gradient, variable, learning_rate):
        """One SGD step for ``variable``."""
        lr, momentum = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        if fused.usable(gradient, variable):
            slot = self.momentums[self._get_variable_index(variable)] if self.momentum else None
            fused.sgd(gradient._value, variable, slot, lr, momentum, self.nesterov)
            return
        if self.momentum != 0:
            m = self.momentums[self._get_variable_index(variable)]
            m.assign(m * momentum - gradient * lr)
            if self.nesterov:
                variable.assign_add(m * momentum - gradient * lr)
            else:
                variable.assign_add(m)
        else:
            variable.assign_sub(gradient * lr)

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config


_reg.register_builtin(_MODULE, SGD)
