"""Probabilistic and hinge metrics: the running means of the cross-entropies, KL divergence,
Poisson and hinge losses (the functions come from the losses module)."""
from ndflow.keras.metrics import metrics_utils as mu
from ndflow.keras.metrics.metric import register
from ndflow.keras.metrics.reduction_metrics import _FixedConfigWrapper, _mean, loss_function


@register
class KLDivergence(_FixedConfigWrapper):
    """The mean Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``."""

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(loss_function("kl_divergence"), name=name, dtype=dtype)


@register
class Poisson(_FixedConfigWrapper):
    """The mean Poisson loss ``y_pred - y_true * log(y_pred)``."""

    def __init__(self, name="poisson", dtype=None):
        super().__init__(loss_function("poisson"), name=name, dtype=dtype)


@register
class BinaryCrossentropy(_FixedConfigWrapper):
    """The mean binary cross-entropy between labels and predicted probabilities (or logits)."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    _config_keys = ("from_logits", "label_smoothing")

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0):
        super().__init__(loss_function("binary_crossentropy"), name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing


@register
class CategoricalCrossentropy(_FixedConfigWrapper):
    """The mean cross-entropy between one-hot labels and predicted distributions."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False,
                 label_smoothing=0, axis=-1):
        super().__init__(loss_function("categorical_crossentropy"), name=name, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


@register
class SparseCategoricalCrossentropy(_FixedConfigWrapper):
    """The mean cross-entropy between integer labels and predicted distributions.

    Entries labelled ``ignore_class`` are left out of the mean.
    """

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False,
                 ignore_class=None, axis=-1):
        super().__init__(loss_function("sparse_categorical_crossentropy"), name=name,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the batch's cross-entropies (ignored entries weigh 0)."""
        if self.ignore_class is None:
            return super().update_state(y_true, y_pred, sample_weight)
        # Keras attaches the valid-entry mask to the values; ndflow tensors carry no mask, so
        # the losses module returns it alongside and it is folded into the weights here.
        fn = loss_function("sparse_categorical_crossentropy_with_mask")
        values, valid = fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = mu.apply_mask(sample_weight, mu.mask_of(y_pred), self.dtype)
        values, sample_weight = mu.reduce_to_samplewise_values(
            values, sample_weight, _mean, self.dtype, mask=valid)
        return self._accumulate(values, sample_weight)


@register
class Hinge(_FixedConfigWrapper):
    """The mean hinge loss ``max(1 - y_true * y_pred, 0)`` (0/1 labels become -1/1)."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="hinge", dtype=None):
        super().__init__(loss_function("hinge"), name=name, dtype=dtype)


@register
class SquaredHinge(_FixedConfigWrapper):
    """The mean squared hinge loss ``max(1 - y_true * y_pred, 0) ** 2``."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(loss_function("squared_hinge"), name=name, dtype=dtype)


@register
class CategoricalHinge(_FixedConfigWrapper):
    """The mean categorical hinge loss ``max(neg - pos + 1, 0)``."""

    _direction = "down"  # for callbacks monitoring it in mode "auto"

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(loss_function("categorical_hinge"), name=name, dtype=dtype)
