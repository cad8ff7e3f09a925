"""``Lion``: sign-of-momentum updates (Chen et al., 2023)."""
import ndflow as nd
from ndflow.keras.optimizers.optimizer import Optimizer, _MODULE
from ndflow.keras.saving import object_registration as _reg


class Lion(Optimizer):
    """``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``;
    then ``m = beta_2 * m + (1 - beta_2) * g``."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None,
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
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the "
                             f"optimizer degenerates to SignSGD. Received: beta_1={beta_1}.")

    def build(self, var_list):
        """Creates the momentum slots."""
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def _compute_constants(self, dt, lr):
        b1, b2, one = dt(self.beta_1), dt(self.beta_2), dt(1.0)
        return float(lr), float(b1), float(one - b1), float(b2), float(one - b2)

    def update_step(self, gradient, variable, learning_rate):
        """One Lion step for ``variable``."""
        lr, b1, c1, b2, c2 = self._constants(variable, learning_rate)
        gradient = self._cast(gradient, variable)
        m = self._momentums[self._get_variable_index(variable)]
        variable.assign_sub(nd.sign(m * b1 + gradient * c1) * lr)
        m.assign(m * b2 + gradient * c2)

    def get_config(self):
        """The hyper-parameters."""
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config


_reg.register_builtin(_MODULE, Lion)
