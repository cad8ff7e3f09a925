"""``Optimizer``: the base class of ``ndflow.keras.optimizers`` (Keras 3 semantics).

A subclass writes ``build`` (slot variables through ``add_variable_from_reference``) and
``update_step(gradient, variable, learning_rate)``; the base class filters missing gradients,
unscales, clips, applies decoupled weight decay, runs the update steps, applies constraints,
keeps the EMA of the weights and counts iterations. Updates go through ``Variable.assign*``,
which tapes never record.

Speed: the built-in optimizers evaluate their scalar hyper-parameter terms once per step (per
dtype) on NumPy scalars of the variable's dtype, so their rounding matches Keras' float32
arithmetic, and hand them to ndflow ops as Python floats (the cheapest operand to convert).
"""
import warnings

import numpy as np

import ndflow as nd
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import Tensor, wrap
from ndflow.keras import backend
from ndflow.keras.optimizers import fused
from ndflow.keras.optimizers import schedules as _schedules
from ndflow.keras.saving import object_registration as _reg
from ndflow.keras.saving import serialization_lib as _serial
from ndflow.keras.optimizers.optimizer_utils import (OptimizerExtras, _densify, _initial_value,
                                                     _np_dtype)
from ndflow.keras.variables import KerasVariable
from ndflow.ops.variables import Variable as _Variable

_MODULE = "keras.optimizers"


class Optimizer(OptimizerExtras):
    """Base class of optimizers.

    Subclasses override ``build(variables)`` to create their slot variables and
    ``update_step(gradient, variable, learning_rate)`` to update one variable, plus
    ``get_config`` for their hyper-parameters. Only one of ``clipnorm``, ``clipvalue`` and
    ``global_clipnorm`` may be set. ``weight_decay`` is decoupled: before the update each
    variable not excluded by ``exclude_from_weight_decay`` loses ``variable * wd * lr``.
    """

    _keras_module = _MODULE

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        self._lock = False
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.")
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if name is None:
            name = backend.unique_name(backend.to_snake_case(type(self).__name__))
        self.name = name
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.use_ema = use_ema
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                             f"gradient_accumulation_steps={gradient_accumulation_steps}")
        if use_ema:
            if ema_momentum > 1 or ema_momentum < 0:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. "
                                 f"Received: ema_overwrite_frequency={ema_overwrite_frequency}")
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be "
                             f"set. Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                             f"global_clipnorm={global_clipnorm}")
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._trainable_variables_indices = {}
        self._consts = {}        # dtype -> this step's scalar terms (built-in optimizers)
        self._iterations = self._new_variable(np.int64(0), "iteration", "int64")
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            self._learning_rate = learning_rate
        else:
            if not isinstance(learning_rate, float):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance of "
                    "LearningRateSchedule, or a callable (that takes in the current iteration "
                    "value and returns the corresponding learning rate value). Received "
                    f"instead: learning_rate={learning_rate}")
            self._learning_rate = self._new_variable(learning_rate, "learning_rate",
                                                     backend.floatx())

    def __setattr__(self, name, value):
        # As Keras: state set before super().__init__() would silently escape tracking.
        if name != "_lock" and "_lock" not in self.__dict__:
            raise RuntimeError(f"In optimizer '{type(self).__name__}', you forgot to call "
                               "`super().__init__()` as the first statement in the `__init__()` "
                               "method. Go add it!")
        if isinstance(value, _Variable) and "_variables" in self.__dict__:
            self._track_variable(value)
        object.__setattr__(self, name, value)

    def _check_super_called(self):
        if "_lock" not in self.__dict__:
            raise RuntimeError(f"In optimizer '{type(self).__name__}', you forgot to call "
                               "`super().__init__()` as the first statement in the `__init__()` "
                               "method. Go add it!")

    # -- variables -----------------------------------------------------------------------------

    def _new_variable(self, value, name, dtype):
        variable = KerasVariable(np.asarray(value, dtype=dtype), dtype=dtype, trainable=False,
                                 name=name, path=f"{self.name}/{name}")
        self._track_variable(variable)
        return variable

    def _track_variable(self, variable):
        if all(variable is not v for v in self._variables):
            self._variables.append(variable)

    def _untrack_variable(self, variable):
        self._variables = [v for v in self._variables if v is not variable]

    @property
    def variables(self):
        """The optimizer's own variables: iteration, learning rate, then the slots."""
        return self._variables[:]

    @property
    def iterations(self):
        """The number of steps taken (an int64 variable; divided by the accumulation steps)."""
        if self.gradient_accumulation_steps:
            return nd.math.floordiv(self._iterations, self.gradient_accumulation_steps)
        return self._iterations

    def _local_step(self):
        """``iterations`` as a Python int (the hot path's view of it)."""
        step = int(self._iterations._value)
        if self.gradient_accumulation_steps:
            step //= self.gradient_accumulation_steps
        return step

    def _var_key(self, variable):
        return id(variable)

    def _get_variable_index(self, variable):
        return self._trainable_variables_indices[id(variable)]

    def build(self, variables):
        """Records the variables to optimise; subclasses then create their slot variables."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(
                variables, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = []
        for i, variable in enumerate(variables):
            self._trainable_variables_indices[id(variable)] = i
            if self.gradient_accumulation_steps:
                self._accumulated_gradients.append(
                    self.add_variable_from_reference(variable, name="gradient_accumulator"))
        self._trainable_variables = list(variables)
        self.built = True

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none",
                     layout=None, name=None):
        """A new non-trainable optimizer variable, tracked in ``variables``."""
        self._check_super_called()
        dtype = dtype or backend.floatx()
        value = _initial_value(initializer, shape, dtype)
        name = name or "variable"
        variable = KerasVariable(value, dtype=dtype, trainable=False, name=name,
                                 path=f"{self.name}/{name}")
        self._track_variable(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot variable shaped like ``reference_variable``, named ``<its path>_<name>``."""
        name = name or "var"
        path = getattr(reference_variable, "path", None)
        if path is not None:
            name = f"{path.replace('/', '_')}_{name}"
        else:
            base = str(reference_variable.name).replace("/", "_").replace(":", "_")
            name = f"{base}_{name}"
        return self.add_variable(shape=reference_variable.shape, initializer=initializer,
                                 dtype=reference_variable.dtype, name=name)

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable (a list), or a tuple of lists when ``name`` is a list."""
        names = [name] if isinstance(name, str) else list(name)
        inits = initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(
            names)
        if len(names) != len(inits):
            raise ValueError("The number of provided names must match the number of provided "
                             f"initializers.  Received name='{name}', "
                             f"initializer='{initializer}'")
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            overwrite = getattr(variable, "overwrite_with_gradient", False)
            for i, (slot_name, init) in enumerate(zip(names, inits)):
                slots[i].append(None if overwrite else self.add_variable_from_reference(
                    variable, name=slot_name, initializer=init))
        return slots[0] if isinstance(name, str) else slots

    def _check_variables_are_known(self, variables):
        known = self._trainable_variables_indices
        for v in variables:
            if id(v) not in known:
                raise ValueError(f"Unknown variable: {v}. This optimizer can only be called for "
                                 "the variables it was originally built with. When working with "
                                 "a new set of variables, you should recreate a new optimizer "
                                 "instance.")

    def assign(self, variable, value):
        """``variable.assign(value)`` (value cast to the variable's dtype)."""
        variable.assign(self._as_update(variable, value))

    def assign_add(self, variable, value):
        """``variable.assign_add(value)`` (value cast to the variable's dtype)."""
        variable.assign_add(self._as_update(variable, value))

    def assign_sub(self, variable, value):
        """``variable.assign_sub(value)`` (value cast to the variable's dtype)."""
        variable.assign_sub(self._as_update(variable, value))

    @staticmethod
    def _as_update(variable, value):
        value = _densify(value)
        return value if value.dtype is variable.dtype else nd.cast(value, variable.dtype)

    # -- learning rate --------------------------------------------------------------------------

    @property
    def learning_rate(self):
        """The current learning rate: the variable, or the schedule's value at ``iterations``."""
        lr = self._learning_rate
        if isinstance(lr, _Variable):
            return lr
        if isinstance(lr, _schedules.LearningRateSchedule):
            return lr(self._iterations)
        if callable(lr):
            return lr()
        return lr

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        previous = self._learning_rate if isinstance(self._learning_rate, _Variable) else None
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(
                learning_rate):
            self._learning_rate = learning_rate
        else:
            if isinstance(self._learning_rate, _schedules.LearningRateSchedule):
                raise TypeError(
                    "This optimizer was created with a `LearningRateSchedule` object as its "
                    "`learning_rate` constructor argument, hence its learning rate is not "
                    "settable. If you need the learning rate to be settable, you should "
                    "instantiate the optimizer with a float `learning_rate` argument.")
            self._learning_rate.assign(learning_rate)
        if previous is not None and not isinstance(self._learning_rate, _Variable):
            self._untrack_variable(previous)

    def _get_current_learning_rate(self):
        return self.learning_rate

    # -- applying gradients ---------------------------------------------------------------------

    def apply_gradients(self, grads_and_vars):
        """Applies ``(gradient, variable)`` pairs; returns the iteration variable."""
        pairs = list(grads_and_vars)
        if pairs:
            grads, variables = zip(*pairs)
            self.apply(grads, variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        """Updates ``trainable_variables`` (or the built ones) with ``grads``."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must "
                                 "already be built on a list of variables. Call "
                                 "`optimizer.build(trainable_variables)` first. ")
            if len(grads) != len(self._trainable_variables_indices):
                raise ValueError(
                    "When passing `grads` as a list of gradient tensors, the gradients must "
                    "match `optimizer.variables` one-to-on. Received a list of "
                    f"{len(grads)} gradients, but the optimizer is tracking "
                    f"{len(self._trainable_variables)} trainable variables.")
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
                self.built = True
            self._check_variables_are_known(trainable_variables)
        if GRAPHS:
            return self._apply_in_graph(grads, trainable_variables)
        grads, variables = self._filter_empty_gradients(grads, trainable_variables)
        # IndexedSlices stay sparse (see fused.apply_sparse) unless a gradient transform below
        # needs dense tensors.
        keep_sparse = not (self.gradient_accumulation_steps or self.loss_scale_factor is not None
                           or self.clipvalue or self.global_clipnorm)
        grads = [g if keep_sparse and type(g) is IndexedSlices else _densify(g) for g in grads]
        grads, variables = self._overwrite_variables_directly_with_gradients(grads, variables)
        if variables:
            scale = self.loss_scale_factor
            if scale is not None:
                grads = [g / scale for g in grads]
            self._backend_apply_gradients(grads, variables)
            for variable in variables:
                constraint = variable.constraint
                if constraint is not None:
                    variable.assign(constraint(variable))
        self._iterations._buffer_for_update()[()] += 1

    def _filter_empty_gradients(self, grads, variables):
        if all(g is not None for g in grads):
            return grads, variables
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        missing = [getattr(v, "path", None) or v.name
                   for g, v in zip(grads, variables) if g is None]
        warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the "
                      "loss. If using `model.compile()`, did you forget to provide a `loss` "
                      "argument?", stacklevel=3)
        return [g for g, _ in kept], [v for _, v in kept]

    def _overwrite_variables_directly_with_gradients(self, grads, variables):
        # Variables flagged `overwrite_with_gradient` (float8 scales) take the gradient as value.
        if not any(getattr(v, "overwrite_with_gradient", False) for v in variables):
            return grads, variables
        kept_g, kept_v = [], []
        for g, v in zip(grads, variables):
            if getattr(v, "overwrite_with_gradient", False):
                v.assign(g)
            else:
                kept_g.append(g)
                kept_v.append(v)
        return kept_g, kept_v

    def _backend_apply_gradients(self, grads, variables):
        steps = self.gradient_accumulation_steps
        if steps:
            accumulators = [self._accumulated_gradients[self._get_variable_index(v)]
                            for v in variables]
            if (int(self._iterations._value) + 1) % steps == 0:
                grads = [(g + a) / steps for g, a in zip(grads, accumulators)]
                self._clipped_update(grads, variables)
                for a in self._accumulated_gradients:
                    if a is not None:
                        a.assign(np.zeros(a.shape.as_list(), _np_dtype(a.dtype)))
            else:
                for g, a in zip(grads, accumulators):
                    a.assign(g + a)
        else:
            self._clipped_update(grads, variables)
        if self.use_ema:
            self._update_model_variables_moving_average(self._trainable_variables)
            frequency = self.ema_overwrite_frequency
            if frequency and (self._local_step() + 1) % frequency == 0:
                self._overwrite_model_variables_with_average_value(self._trainable_variables)

    def _clipped_update(self, grads, variables):
        learning_rate = self.learning_rate      # evaluated once per step
        grads = self._clip_gradients(grads)
        self._apply_weight_decay(variables, learning_rate)
        self._backend_update_step(grads, variables, learning_rate)

    def _apply_in_graph(self, grads, variables):
        """Inside a traced function: one graph node that runs this optimizer's eager update
        (fused, in place) on the gradients' values when the graph runs, so step-dependent
        terms (bias corrections, schedules, accumulation) are computed per run, not per trace."""
        parts, layout = [], []
        for grad in grads:
            if grad is None:
                layout.append(None)
            elif type(grad) is IndexedSlices:
                layout.append(("slices", len(parts), grad.dense_shape))
                parts += [grad.values, grad.indices]
            else:
                layout.append(("dense", len(parts)))
                parts.append(grad)

        def run(*values):
            rebuilt = []
            for entry in layout:
                if entry is None:
                    rebuilt.append(None)
                elif entry[0] == "dense":
                    rebuilt.append(wrap(values[entry[1]]))
                else:
                    i = entry[1]
                    rebuilt.append(IndexedSlices(wrap(values[i]), wrap(values[i + 1]),
                                                 entry[2]))
            self.apply(rebuilt, variables)
            return ()

        GRAPHS[-1].add_node("OptimizerApply", parts, {"optimizer": self.name}, run, [],
                            name=self.name)
        return self.iterations

    def _backend_update_step(self, grads, variables, learning_rate):
        self._consts.clear()
        for grad, variable in zip(grads, variables):
            if type(grad) is IndexedSlices:
                if fused.apply_sparse(self, grad, variable, learning_rate):
                    continue
                grad = _densify(grad)
            self.update_step(grad, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        """Updates one variable from its gradient (subclasses implement it)."""
        raise NotImplementedError

    def _constants(self, variable, learning_rate):
        """This step's scalar terms for ``variable``'s dtype, from ``_compute_constants``."""
        dtype = variable.dtype
        found = self._consts.get(dtype)
        if found is None:
            dt = _np_dtype(dtype)
            lr = np.asarray(getattr(learning_rate, "_value", learning_rate)).astype(dt)[()]
            found = self._consts[dtype] = self._compute_constants(dt, lr)
        return found

    def _compute_constants(self, dt, lr):
        """Scalar terms of one step as Python floats (``dt``: the NumPy dtype, ``lr``: a
        scalar of it); built-in optimizers extend it."""
        return (float(lr),)

    @staticmethod
    def _cast(gradient, variable):
        return gradient if gradient.dtype is variable.dtype else nd.cast(gradient,
                                                                         variable.dtype)

    # -- configuration --------------------------------------------------------------------------

    def get_config(self):
        """The hyper-parameters (``learning_rate`` as a float, or a serialized schedule)."""
        lr = self._learning_rate
        if isinstance(lr, _schedules.LearningRateSchedule):
            learning_rate = _schedules.serialize(lr)
        elif isinstance(lr, _Variable):
            learning_rate = float(lr.numpy())
        elif isinstance(lr, Tensor):
            learning_rate = float(lr)
        elif callable(lr):
            learning_rate = _serial.serialize_keras_object(lr)
        else:
            learning_rate = 0.5
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The optimizer described by ``config`` (a schedule given as a dict is rebuilt)."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _serial.deserialize_keras_object(
                config["learning_rate"], custom_objects=custom_objects)
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_reg.register_builtin(_MODULE, Optimizer)
