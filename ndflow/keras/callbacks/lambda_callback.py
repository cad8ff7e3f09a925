"""``LambdaCallback``: a callback built from plain functions."""
from ndflow.keras.callbacks.callback import Callback


class LambdaCallback(Callback):
    """Runs the given functions at the matching hooks.

    ``on_epoch_begin``/``on_epoch_end`` take ``(epoch, logs)``, ``on_train_begin``/
    ``on_train_end`` take ``(logs)``, ``on_train_batch_begin``/``on_train_batch_end`` take
    ``(batch, logs)``. Other hooks can be given as keyword arguments with their own names
    (e.g. ``on_test_batch_end=fn``); any other keyword becomes an attribute.
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 **kwargs):
        super().__init__()
        # Extra hooks arrive through kwargs and become instance attributes, which shadow
        # the do-nothing methods of Callback.
        self.__dict__.update(kwargs)
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)
