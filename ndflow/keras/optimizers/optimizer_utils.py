"""Helpers of the optimizer base class: clipping, weight decay, EMA, state and ``minimize``.

``OptimizerExtras`` is a mixin of ``Optimizer`` that keeps the base class's module short; it
relies on the attributes ``Optimizer.__init__`` sets.
"""
import re
import warnings

import numpy as np

import ndflow as nd
from ndflow.framework.indexed_slices import IndexedSlices
from ndflow.framework.tensor import Tensor


def _np_dtype(dtype):
    return dtype.as_numpy_dtype


def _initial_value(initializer, shape, dtype):
    """The starting value of an optimizer variable from an initializer name or callable."""
    shape = tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape or ())
    np_dtype = _np_dtype(nd.as_dtype(dtype))
    if isinstance(initializer, str) and initializer in ("zeros", "ones"):
        # The common case, without a round trip through the initializer registry.
        return (np.zeros if initializer == "zeros" else np.ones)(shape, np_dtype)
    if isinstance(initializer, str) or isinstance(initializer, dict):
        from ndflow.keras import initializers
        initializer = initializers.get(initializer)
    if callable(initializer):
        return np.asarray(initializer(shape, dtype=nd.as_dtype(dtype)), dtype=np_dtype)
    return np.broadcast_to(np.asarray(initializer, dtype=np_dtype), shape).copy()


def _densify(gradient):
    """A dense tensor from a gradient (IndexedSlices rows are summed into place)."""
    if isinstance(gradient, Tensor):
        return gradient
    if isinstance(gradient, IndexedSlices):
        rows = int(np.asarray(gradient.dense_shape)[0])
        return nd.math.unsorted_segment_sum(gradient.values, gradient.indices, rows)
    return nd.convert_to_tensor(gradient)


class OptimizerExtras:
    """Gradient clipping, weight decay, weight EMA, state I/O and ``minimize``."""

    # -- clipping, weight decay, EMA ------------------------------------------------------------

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [nd.clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            v = self.clipvalue
            return [nd.clip_by_value(g, -v, v) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Excludes variables (or those whose name contains one of ``var_names``) from weight
        decay; call it before the optimizer is built."""
        self._exclude_from_weight_decay = {id(v) for v in var_list or ()}
        self._exclude_from_weight_decay_pattern = (
            re.compile("|".join(set(var_names))) if var_names else None)
        self._exclude_from_weight_decay_cache = {}

    def _use_weight_decay(self, variable):
        cache = self.__dict__.get("_exclude_from_weight_decay_cache")
        if cache is None:
            cache = self._exclude_from_weight_decay_cache = {}
        key = id(variable)
        if key not in cache:
            excluded = key in self.__dict__.get("_exclude_from_weight_decay", ())
            pattern = self.__dict__.get("_exclude_from_weight_decay_pattern")
            if not excluded and pattern is not None:
                excluded = pattern.search(variable.name) is not None
            cache[key] = not excluded
        return cache[key]

    def _apply_weight_decay(self, variables, learning_rate=None):
        if self.weight_decay is None:
            return
        if learning_rate is None:
            learning_rate = self.learning_rate
        for variable in variables:
            if self._use_weight_decay(variable):
                dt = _np_dtype(variable.dtype)
                lr = float(np.asarray(learning_rate).astype(dt))
                wd = float(dt(self.weight_decay))
                variable.assign_sub(variable * wd * lr)

    def _update_model_variables_moving_average(self, variables):
        first = self._local_step() == 0
        for var, average in zip(variables, self._model_variables_moving_average):
            if average is not None:
                dt = _np_dtype(var.dtype)
                momentum = dt(0.0) if first else dt(self.ema_momentum)
                average.assign(average * float(momentum) + var * float(dt(1) - momentum))

    def _overwrite_model_variables_with_average_value(self, variables):
        if len(variables) != len(self._model_variables_moving_average):
            raise ValueError(
                f"The length of model variables ({len(variables)}) to override does not match "
                "the length of model variables stored in the optimizer "
                f"({len(self._model_variables_moving_average)}). Please check if the optimizer "
                "was called on your model.")
        for var, average in zip(variables, self._model_variables_moving_average):
            if average is not None:
                var.assign(average)

    def finalize_variable_values(self, var_list):
        """At the end of training: replaces the weights by their moving average (use_ema)."""
        if self.use_ema:
            self._overwrite_model_variables_with_average_value(var_list)

    # -- conveniences ---------------------------------------------------------------------------

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of ``loss`` (a callable, or a tensor recorded on ``tape``) with
        respect to ``var_list`` (a list or a callable returning one) and applies them."""
        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. Received: "
                             f"loss={loss}, tape={tape}.")
        if tape is None:
            with nd.GradientTape() as tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
        elif callable(loss):
            with tape:
                loss = loss()
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        self.apply_gradients(zip(grads, var_list))

    def scale_loss(self, loss):
        """``loss * loss_scale_factor`` (unchanged when no factor is set)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        """Not supported with the TensorFlow backend (as in Keras)."""
        raise ValueError("stateless_apply is not supported with the TensorFlow backend (as it "
                         "is incompatible with tf.distribute).")

    def set_weights(self, weights):
        """Sets the optimizer's variables from a list of arrays."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet "
                             "been built. Please call `optimizer.build(trainable_variables)` to "
                             "create the optimizer weights before calling `set_weights()`.")
        for variable, weight in zip(self._variables, weights):
            if tuple(variable.shape.as_list()) != tuple(np.shape(weight)):
                raise ValueError(f"Optimizer variable {variable.path} has shape "
                                 f"{variable.shape} not compatible with provided weight shape "
                                 f"{np.shape(weight)}.")
            variable.assign(weight)

    def save_own_variables(self, store):
        """Writes each variable's value under its position ("0", "1", ...)."""
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store):
        """Reads the values written by ``save_own_variables``."""
        if len(store.keys()) != len(self.variables):
            msg = (f"Skipping variable loading for optimizer '{self.name}', because it has "
                   f"{len(self.variables)} variables whereas the saved optimizer has "
                   f"{len(store.keys())} variables. ")
            if not self.variables:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=2)
            return
        for i, variable in enumerate(self.variables):
            variable.assign(store[str(i)])


def global_norm(value_list):
    """sqrt of the sum of squares of every tensor in ``value_list`` (None skipped)."""
    squared = [nd.reduce_sum(nd.square(v)) for v in value_list if v is not None]
    return nd.sqrt(nd.reduce_sum(nd.stack(squared)))


def clip_by_global_norm(value_list, clip_norm):
    """Keras 3's global-norm clipping: scales all tensors by ``clip_norm / max(norm, clip_norm)``
    (NaN everywhere when the norm is not finite)."""
    norm = global_norm(value_list)
    scale = clip_norm * nd.minimum(1.0 / norm, 1.0 / clip_norm)
    scale = scale + (norm - norm)     # NaN for an infinite or NaN norm, as Keras
    return [v * scale if v is not None else v for v in value_list]
