"""``Trainer``: compile, fit, evaluate and predict (a mixin of ``Model``).

The loop calls ``train_step``/``test_step``/``predict_step``, which users may override. Each step
returns a dict of logs; the loss tracker is a Mean weighted by the batch size, so the epoch loss
is the per-sample mean over the epoch, as in Keras 3.
"""
import warnings

import numpy as np

import ndflow as nd
from ndflow.keras import config as keras_config
from ndflow.keras.callbacks import CallbackList
from ndflow.keras.trainers import data_adapter as da
from ndflow.keras.trainers.compile_utils import CompileLoss, CompileMetrics
from ndflow.util import nest


class Trainer:
    """Training and inference methods shared by every model."""

    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Configures the model for training."""
        from ndflow.keras import metrics as metrics_module
        from ndflow.keras import optimizers
        self.optimizer = optimizers.get(optimizer)
        names = self._output_names()
        self.loss = loss
        self.compiled_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        self.compiled_metrics = CompileMetrics(metrics, weighted_metrics, names, loss=loss)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self.run_eagerly = run_eagerly or getattr(self, "dynamic", False)
        self.jit_compile = jit_compile
        self.steps_per_execution = steps_per_execution
        self._step_functions = {}
        self.compiled = True
        self.stop_training = False

    def _step_function(self, kind):
        """``train_step``/``test_step``/``predict_step``, wrapped in ndflow.function unless the
        model runs eagerly (one graph per input signature, traced on first use)."""
        step = getattr(self, f"{kind}_step")
        if kind != "predict":
            def step(data, _step=step):
                return self._track_added_metrics(_step(data))
        if getattr(self, "run_eagerly", False) or getattr(self, "dynamic", False):
            return step
        functions = self.__dict__.setdefault("_step_functions", {})
        function = functions.get(kind)
        if function is None:
            function = functions[kind] = nd.function(step)
        return function

    make_train_function = lambda self, force=False: self._step_function("train")  # noqa: E731
    make_test_function = lambda self, force=False: self._step_function("test")  # noqa: E731
    make_predict_function = lambda self, force=False: self._step_function("predict")  # noqa: E731

    def _output_names(self):
        outputs = getattr(self, "outputs", None)
        if not outputs or len(outputs) < 2:
            return None
        return [out.name for out in outputs]

    # -- metrics --------------------------------------------------------------------------------

    @property
    def metrics(self):
        """The loss tracker, the compiled metrics and metrics tracked by the model's layers."""
        out = []
        if getattr(self, "compiled", False):
            out.append(self._loss_tracker)
            out.extend(self.compiled_metrics.metrics)
        for layer in [self] + self._flatten_layers():
            out.extend(m for m in layer._tracked_metric_objects() if all(m is not o for o in out))
        return out

    def _flatten_layers(self):
        found, stack = [], list(self._tracked_children()[0])
        while stack:
            layer = stack.pop(0)
            if all(layer is not seen for seen in found):
                found.append(layer)
                stack.extend(layer._tracked_children()[0])
        return found

    @property
    def metrics_names(self):
        """Names of the metrics, the loss first."""
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        """Resets every metric's state."""
        for m in self.metrics:
            m.reset_state()
        self._added_metrics = {}

    def _track_added_metrics(self, logs):
        """Folds this step's add_metric values into running means and adds them to ``logs``."""
        from ndflow.keras.metrics import Mean
        trackers = self.__dict__.setdefault("_added_metrics", {})
        for name, value in self._added_metric_values():
            if name not in trackers:
                trackers[name] = Mean(name=name)
            trackers[name].update_state(value)
        for name, tracker in trackers.items():
            logs[name] = tracker.result()
        return logs

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss plus the model's regularisation and add_loss terms."""
        total = None
        if self.compiled_loss is not None:
            total = self.compiled_loss(y, y_pred, sample_weight)
        extra = self.losses
        if extra:
            penalty = nd.add_n([nd.cast(v, "float32") for v in extra])
            total = penalty if total is None else total + penalty
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics and returns the current results."""
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        """{name: value} of every metric, as Python floats (dict results are expanded)."""
        logs = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[m.name] = result
        return logs

    # -- steps ----------------------------------------------------------------------------------

    def _batch_size_of(self, x):
        first = next(a for a in nest.flatten(x) if a is not None)
        return nd.shape(first)[0] if hasattr(nd, "shape") else len(first)

    def train_step(self, data):
        """One optimisation step on a batch; returns the logs."""
        x, y, sample_weight = da.unpack_x_y_sample_weight(data)
        with nd.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                     training=True)
        self._loss_tracker.update_state(loss, sample_weight=self._batch_size_of(x))
        weights = self.trainable_weights
        if weights:
            grads = tape.gradient(loss, weights)
            self.optimizer.apply_gradients(zip(grads, weights))
        else:
            warnings.warn("The model does not have any trainable weights.")
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data):
        """Computes the loss and metrics on a batch without training."""
        x, y, sample_weight = da.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        self._loss_tracker.update_state(loss, sample_weight=self._batch_size_of(x))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data):
        """The model's output on a batch."""
        x, _, _ = da.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # -- loops ----------------------------------------------------------------------------------

    def _check_compiled(self):
        if not getattr(self, "compiled", False):
            raise RuntimeError("You must call `compile()` before using the model.")

    @staticmethod
    def _to_tensors(batch):
        return nest.map_structure(lambda a: None if a is None else nd.convert_to_tensor(a), batch)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Trains the model for ``epochs`` epochs; returns the History."""
        self._check_compiled()
        verbose = 1 if verbose == "auto" else verbose
        da.check_py_dataset_args(x, y, sample_weight, validation_split)
        py_dataset = da.is_py_dataset(x)
        if not py_dataset:
            x, y, sample_weight = (da.to_arrays(x), da.to_arrays(y),
                                   da.to_arrays(sample_weight))
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = da.split_validation(
                x, y, sample_weight, validation_split)
        if class_weight is not None and not py_dataset:
            if y is None:
                raise ValueError("`class_weight` needs targets `y`.")
            weights = da.class_weights_to_sample_weights(nest.flatten(y)[0], class_weight)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        # keras.config's global caps (set for quick test runs) bound the user's values.
        if keras_config.max_epochs():
            epochs = min(epochs, keras_config.max_epochs())
        if keras_config.max_steps_per_epoch():
            steps_per_epoch = min(steps_per_epoch or keras_config.max_steps_per_epoch(),
                                  keras_config.max_steps_per_epoch())
        batches = da.make_batches(x, y, sample_weight, batch_size, shuffle, steps_per_epoch)
        callback_list = CallbackList(callbacks, add_history=True, add_progbar=verbose != 0,
                                     model=self, verbose=verbose, epochs=epochs,
                                     steps=batches.num_batches)
        self.stop_training = False
        callback_list.on_train_begin()
        # BackupAndRestore sets _initial_epoch to resume an interrupted fit.
        initial_epoch = self.__dict__.pop("_initial_epoch", None) or initial_epoch
        logs = epoch_logs = {}
        train_step = self._step_function("train")
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            epoch_batches = batches
            if class_weight is not None and py_dataset:
                epoch_batches = da.with_class_weight(batches, class_weight)
            for step, batch in enumerate(epoch_batches):
                callback_list.on_train_batch_begin(step)
                logs = self._python_logs(train_step(self._to_tensors(batch)))
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = dict(logs)
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                vx, vy, vw = da.unpack_x_y_sample_weight(validation_data)
                val_logs = self.evaluate(vx, vy, sample_weight=vw,
                                         batch_size=validation_batch_size or batch_size,
                                         steps=validation_steps, verbose=0, return_dict=True,
                                         _callbacks=callback_list)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        if epochs > 0 and hasattr(self.optimizer, "finalize_variable_values"):
            # With use_ema, training ends with the moving averages as the model's weights.
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callback_list.on_train_end(epoch_logs)
        return self.history

    @staticmethod
    def _python_logs(logs):
        return {k: float(np.asarray(v)) if np.ndim(v) == 0 else np.asarray(v)
                for k, v in logs.items()}

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, _callbacks=None):
        """The loss and metrics over the data, batch by batch."""
        self._check_compiled()
        verbose = 1 if verbose == "auto" else verbose
        da.check_py_dataset_args(x, y, sample_weight)
        batches = da.make_batches(x, y, sample_weight, batch_size, False, steps)
        if _callbacks is not None:
            callback_list = _callbacks
            callback_list.params["_in_fit"] = True
        else:
            callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                         verbose=verbose, steps=batches.num_batches)
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = {}
        test_step = self._step_function("test")
        for step, batch in enumerate(batches):
            callback_list.on_test_batch_begin(step)
            logs = self._python_logs(test_step(self._to_tensors(batch)))
            callback_list.on_test_batch_end(step, logs)
        callback_list.on_test_end(logs)
        if _callbacks is not None:
            callback_list.params["_in_fit"] = False
        if return_dict:
            return logs
        values = [logs[name] for name in logs]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x`` as NumPy arrays, computed batch by batch."""
        verbose = 1 if verbose == "auto" else verbose
        batches = da.make_batches(x, None, None, batch_size, False, steps)
        callback_list = CallbackList(callbacks, add_progbar=verbose != 0, model=self,
                                     verbose=verbose, steps=batches.num_batches)
        callback_list.on_predict_begin()
        outputs = []
        predict_step = self._step_function("predict")
        for step, (bx, _, _) in enumerate(batches):
            callback_list.on_predict_batch_begin(step)
            out = predict_step((self._to_tensors(bx),))
            outputs.append(nest.map_structure(np.asarray, out))
            callback_list.on_predict_batch_end(step, {"outputs": out})
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("Expected input data to be non-empty.")
        return nest.map_structure(lambda *parts: np.concatenate(parts, axis=0), *outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One training step on one batch; returns the loss (and metrics)."""
        self._check_compiled()
        self.reset_metrics()
        if class_weight is not None:
            weights = da.class_weights_to_sample_weights(nest.flatten(y)[0], class_weight)
            sample_weight = weights if sample_weight is None else sample_weight * weights
        logs = self._python_logs(self.train_step(self._to_tensors(
            (da.to_arrays(x), da.to_arrays(y), da.to_arrays(sample_weight)))))
        return logs if return_dict else _single_or_list(logs)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) on one batch."""
        self._check_compiled()
        self.reset_metrics()
        logs = self._python_logs(self.test_step(self._to_tensors(
            (da.to_arrays(x), da.to_arrays(y), da.to_arrays(sample_weight)))))
        return logs if return_dict else _single_or_list(logs)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays."""
        out = self.predict_step((self._to_tensors(da.to_arrays(x)),))
        return nest.map_structure(np.asarray, out)


def _single_or_list(logs):
    values = list(logs.values())
    return values[0] if len(values) == 1 else values
