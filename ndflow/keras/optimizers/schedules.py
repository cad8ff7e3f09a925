"""``ndflow.keras.optimizers.schedules``: learning rates as functions of the step.

Each schedule is called with the optimizer's iteration count and returns a scalar tensor; the
arithmetic follows Keras 3 op by op in the dtype of ``initial_learning_rate`` (float32 for a
Python float), so the values agree with Keras to the last bit or so.
"""
import math

import ndflow as nd
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.saving import serialization_lib as _serial

_MODULE = "keras.optimizers.schedules"


def _register(cls):
    _reg.register_builtin(_MODULE, cls)
    return cls


@_register
class LearningRateSchedule:
    """Base class: subclasses implement ``__call__(step)`` and ``get_config()``."""

    _keras_module = _MODULE

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `__call__(self, step)`.")

    def get_config(self):
        """The constructor arguments (subclasses implement it)."""
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must "
                                  "override `get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config):
        """The schedule built from ``get_config()``'s output."""
        return cls(**config)


def _check_steps(value, what="decay_steps"):
    if value <= 0:
        raise ValueError(f"Argument `{what}` must be > 0. Received: {what}={value}")


def _start(initial_learning_rate, step):
    """(initial rate as a tensor, its dtype, the step cast to that dtype)."""
    lr = nd.convert_to_tensor(initial_learning_rate)
    return lr, lr.dtype, nd.cast(step, lr.dtype)


@_register
class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (the exponent floored
    when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps(decay_steps)

    def __call__(self, step):
        lr, dtype, step = _start(self.initial_learning_rate, step)
        p = step / nd.cast(self.decay_steps, dtype)
        if self.staircase:
            p = nd.floor(p)
        return nd.multiply(lr, nd.pow(nd.cast(self.decay_rate, dtype), p))

    def get_config(self):
        """The constructor arguments."""
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@_register
class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` while ``boundaries[i-1] < step <= boundaries[i]``."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of values. "
                f"Received: boundaries={boundaries} of length {len(boundaries)}, and "
                f"values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = nd.convert_to_tensor(step)
        bounds = [nd.convert_to_tensor(b) for b in self.boundaries]
        bounds = [b if b.dtype is step.dtype else nd.cast(b, step.dtype) for b in bounds]
        values = [nd.convert_to_tensor(v) for v in self.values]
        dtype = values[0].dtype
        # Sum of value * indicator(range), as Keras: one expression valid in graphs too.
        result = nd.cast(nd.less_equal(step, bounds[0]), dtype) * values[0]
        result = result + nd.cast(nd.greater(step, bounds[-1]), dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            inside = nd.logical_and(nd.greater(step, low), nd.less_equal(step, high))
            result = result + nd.cast(inside, dtype) * value
        return result

    def get_config(self):
        """The constructor arguments."""
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@_register
class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` along
    ``(1 - step / decay_steps) ** power`` (restarting every ``decay_steps`` when ``cycle``)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_steps(decay_steps)

    def __call__(self, step):
        lr, dtype, step = _start(self.initial_learning_rate, step)
        end = nd.cast(self.end_learning_rate, dtype)
        power = nd.cast(self.power, dtype)
        decay_steps = nd.cast(self.decay_steps, dtype)
        if self.cycle:
            # The first multiple of decay_steps above the step (1 at step 0).
            if float(step) == 0:
                multiplier = nd.constant(1.0, dtype=dtype)
            else:
                multiplier = nd.ceil(step / nd.cast(self.decay_steps, dtype))
            decay_steps = decay_steps * multiplier
        else:
            step = nd.minimum(step, decay_steps)
        p = step / decay_steps
        return (lr - end) * nd.pow(1 - p, power) + end

    def get_config(self):
        """The constructor arguments."""
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


@_register
class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)`` (the ratio floored
    when ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name
        _check_steps(decay_steps)

    def __call__(self, step):
        lr, dtype, step = _start(self.initial_learning_rate, step)
        p = step / nd.cast(self.decay_steps, dtype)
        if self.staircase:
            p = nd.floor(p)
        denom = nd.cast(1, dtype) + nd.cast(self.decay_rate, dtype) * p
        return lr / denom

    def get_config(self):
        """The constructor arguments."""
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@_register
class CosineDecay(LearningRateSchedule):
    """Cosine decay over ``decay_steps`` down to ``alpha`` times the rate, after an optional
    linear warmup of ``warmup_steps`` from ``initial_learning_rate`` to ``warmup_target``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_steps(decay_steps)

    def _decay(self, step, decay_steps, decay_from, dtype):
        fraction = step / decay_steps
        cosine = 0.5 * (1.0 + nd.cos(nd.constant(math.pi, dtype=dtype) * fraction))
        decayed = (1 - self.alpha) * cosine + self.alpha
        return decay_from * decayed

    def __call__(self, step):
        lr, dtype, step = _start(self.initial_learning_rate, step)
        decay_steps = nd.cast(self.decay_steps, dtype)
        if self.warmup_target is None:
            return self._decay(nd.minimum(step, decay_steps), decay_steps, lr, dtype)
        target = nd.cast(self.warmup_target, dtype)
        warmup_steps = nd.cast(self.warmup_steps, dtype)
        step = nd.minimum(step, decay_steps + warmup_steps)
        if bool(nd.less(step, warmup_steps)):
            return (target - lr) * (step / warmup_steps) + lr
        return self._decay(step - warmup_steps, decay_steps, target, dtype)

    def get_config(self):
        """The constructor arguments."""
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


@_register
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods grow by ``t_mul``, and each restart's
    peak is ``m_mul`` times the previous one."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_steps(first_decay_steps, "first_decay_steps")

    def __call__(self, step):
        lr, dtype, step = _start(self.initial_learning_rate, step)
        first = nd.cast(self.first_decay_steps, dtype)
        alpha = nd.cast(self.alpha, dtype)
        t_mul = nd.cast(self._t_mul, dtype)
        m_mul = nd.cast(self._m_mul, dtype)
        fraction = step / first
        if float(t_mul) == 1.0:
            restart = nd.floor(fraction)
            fraction = fraction - restart
        else:
            # The number of whole periods so far, from the geometric series of their lengths.
            restart = nd.floor(nd.log(1.0 - fraction * (1.0 - t_mul)) / nd.log(t_mul))
            done = (1.0 - nd.pow(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / nd.pow(t_mul, restart)
        m_fac = nd.pow(m_mul, restart)
        cosine = 0.5 * m_fac * (1.0 + nd.cos(nd.constant(math.pi, dtype=dtype) * fraction))
        return lr * ((1 - alpha) * cosine + alpha)

    def get_config(self):
        """The constructor arguments."""
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self._t_mul,
                "m_mul": self._m_mul, "alpha": self.alpha, "name": self.name}


_OBJECTS = {cls.__name__: cls for cls in (
    LearningRateSchedule, ExponentialDecay, PiecewiseConstantDecay, PolynomialDecay,
    InverseTimeDecay, CosineDecay, CosineDecayRestarts)}


def serialize(learning_rate_schedule):
    """The schedule as a Keras 3 config dict."""
    return _serial.serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    """The schedule described by a config dict (from ``serialize``)."""
    return _serial.deserialize_keras_object(config, custom_objects=custom_objects,
                                            module_objects=_OBJECTS, module=_MODULE,
                                            printable_module_name="decay")


__all__ = sorted(_OBJECTS) + ["deserialize", "serialize"]
