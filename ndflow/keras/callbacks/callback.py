"""``Callback`` (every hook, doing nothing) and ``CallbackList`` (calls them all in order)."""


class Callback:
    """Base class of callbacks: override the hooks you need."""

    def __init__(self):
        self.params = {}
        self._model = None

    def set_params(self, params):
        """Receives the loop's parameters (epochs, steps, verbose)."""
        self.params = params

    def set_model(self, model):
        """Receives the model being trained."""
        self._model = model

    @property
    def model(self):
        """The model being trained."""
        return self._model

    def on_batch_begin(self, batch, logs=None):
        """Legacy alias of on_train_batch_begin."""

    def on_batch_end(self, batch, logs=None):
        """Legacy alias of on_train_batch_end."""

    def on_epoch_begin(self, epoch, logs=None):
        """Called at the start of an epoch."""

    def on_epoch_end(self, epoch, logs=None):
        """Called at the end of an epoch with the epoch's logs (validation included)."""

    def on_train_batch_begin(self, batch, logs=None):
        """Called before a training batch."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        """Called after a training batch with the running logs."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """Called before an evaluation batch."""

    def on_test_batch_end(self, batch, logs=None):
        """Called after an evaluation batch."""

    def on_predict_batch_begin(self, batch, logs=None):
        """Called before a prediction batch."""

    def on_predict_batch_end(self, batch, logs=None):
        """Called after a prediction batch."""

    def on_train_begin(self, logs=None):
        """Called when fit starts."""

    def on_train_end(self, logs=None):
        """Called when fit ends."""

    def on_test_begin(self, logs=None):
        """Called when evaluate starts."""

    def on_test_end(self, logs=None):
        """Called when evaluate ends."""

    def on_predict_begin(self, logs=None):
        """Called when predict starts."""

    def on_predict_end(self, logs=None):
        """Called when predict ends."""


_HOOKS = [name for name in vars(Callback) if name.startswith("on_")]


class CallbackList(Callback):
    """A list of callbacks that forwards every hook to each of them."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        super().__init__()
        from ndflow.keras.callbacks.history import History
        from ndflow.keras.callbacks.progbar_logger import ProgbarLogger
        self.callbacks = list(callbacks or [])
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.append(ProgbarLogger())
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        """Adds a callback."""
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for c in self.callbacks:
            c.set_params(params)

    def set_model(self, model):
        self._model = model
        for c in self.callbacks:
            c.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)


def _forward(name):
    arity = 2 if ("batch" in name or "epoch" in name) else 1

    def hook(self, *args, **kwargs):
        if len(args) < arity and "logs" not in kwargs:
            args = args + ({},)  # Keras always hands callbacks a logs dict
        for callback in self.callbacks:
            getattr(callback, name)(*args, **kwargs)
    hook.__name__ = name
    hook.__doc__ = f"Calls {name} on every callback."
    return hook


for _name in _HOOKS:
    setattr(CallbackList, _name, _forward(_name))
