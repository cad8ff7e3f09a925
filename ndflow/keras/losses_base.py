"""The ``Loss`` base class and the weighting/reduction shared by every loss.

A loss object turns ``(y_true, y_pred)`` into per-sample values with ``call`` and then, in
``__call__``, multiplies them by ``sample_weight`` and reduces them. The reduction helpers are
module-level so the trainer can apply them to the output of plain loss functions too.
"""

import numpy as np

import ndflow as nd
from ndflow.framework import dtypes
from ndflow.framework.tensor import EagerTensor, Tensor, wrap_as
from ndflow.keras import backend
from ndflow.keras.saving import object_registration, serialization_lib

_FLOATING_MASK = dtypes.mask(dtypes.FLOATING)
_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction):
    """Returns ``reduction`` unchanged, or raises ValueError when it is not a known reduction."""
    if reduction not in _REDUCTIONS:
        allowed = "{" + ", ".join(repr(r) for r in _REDUCTIONS) + "}"
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {allowed}. "
                         f"Received: reduction={reduction}")
    return reduction


def to_tensor(x, dtype=None):
    """``x`` as a tensor; cast (not rejected, as ``tf.convert_to_tensor`` would) when ``dtype``
    differs, because Keras converts losses' inputs that way."""
    if dtype is None:
        return x if type(x) is EagerTensor else nd.convert_to_tensor(x)
    dtype = nd.as_dtype(dtype)
    if type(x) is np.ndarray and x.dtype.kind in "biuf" and dtype._bit & _FLOATING_MASK:
        # NumPy data (targets, weights) cast by NumPy, to the values a Cast op would give;
        # astype's fresh copy becomes the tensor's value.
        return wrap_as(x.astype(dtype.as_numpy_dtype), dtype)
    t = x if type(x) is EagerTensor else nd.convert_to_tensor(x)
    return t if t.dtype is dtype else nd.cast(t, dtype)


def _rank(x):
    return x._value.ndim if type(x) is EagerTensor else x.shape.rank


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks that differ by exactly one agree by dropping (or, for a rank-1 partner,
    adding) a trailing axis of size 1, as Keras does before comparing targets and predictions."""
    r1, r2 = _rank(x1), _rank(x2)
    if r1 is None or r2 is None or r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = nd.expand_dims(x2, -1)
        else:
            x1 = nd.squeeze(x1, axis=[-1])
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = nd.expand_dims(x1, -1)
        else:
            x2 = nd.squeeze(x2, axis=[-1])
    return x1, x2


def _element_count(values):
    """The number of elements of ``values``: a Python float when the shape is known, else a
    tensor of the values' dtype."""
    count = values.shape.num_elements()
    if count is not None:
        return float(count)
    return nd.cast(nd.size(values), values.dtype)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Sums ``values`` ("sum") or averages them over all elements ("sum_over_batch_size",
    "mean") or over the total weight ("mean_with_sample_weight"); "none"/None, a scalar or an
    empty vector come back unchanged."""
    dims = values.shape.dims
    if reduction is None or reduction == "none" or dims == [] or dims == [0]:
        return values
    loss = nd.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = nd.cast(nd.reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = _element_count(values)
        # A zero divisor (no elements, or all weights zero) gives 0 rather than NaN.
        loss = nd.divide_no_nan(loss, divisor)
    return loss


def apply_mask(sample_weight, mask, dtype, reduction):
    """Folds a boolean ``mask`` of valid entries into ``sample_weight``.

    For the averaging reductions the valid entries get weight total/valid, so that dividing by
    the number of elements afterwards averages over the valid entries only."""
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = _element_count(nd.cast(mask, dtype))
        valid = nd.reduce_sum(nd.cast(mask, dtype))
        scale = nd.divide_no_nan(total, valid)
        float_mask = nd.cast(mask, dtype) * scale
    else:
        float_mask = nd.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = nd.cast(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, reduction="sum_over_batch_size",
                           mask=None, dtype=None):
    """Weights per-sample loss ``values`` by ``sample_weight`` and reduces them.

    The weight is cast to the values' dtype; when ranks differ by one, a trailing axis of size 1
    is squeezed (or added to a rank-1 weight), then ordinary broadcasting applies: a scalar
    weights everything, a ``(batch,)`` weight weights each sample, a ``(batch, time)`` weight
    each timestep. ``reduction`` is one of "sum_over_batch_size" (weighted sum / number of
    elements), "sum", "mean", "mean_with_sample_weight" (weighted sum / sum of weights),
    "none" or None (no reduction). ``mask`` (optional, boolean) marks the valid entries.
    """
    reduction = standardize_reduction(reduction)
    values = to_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype or values.dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _policy_dtype(dtype):
    """The compute dtype name of ``dtype`` (a name, a DType, a DTypePolicy or its config)."""
    if dtype is None:
        return backend.floatx()
    if hasattr(dtype, "compute_dtype"):
        return dtype.compute_dtype
    if isinstance(dtype, dict):
        return _policy_dtype(dtype.get("config", {}).get("name"))
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return dtype.split("_", 1)[1]
    return nd.as_dtype(dtype).name


def _map_inputs(fn, x):
    # Dicts (one entry per model output) are structures; lists and arrays are data.
    if isinstance(x, dict):
        return {k: _map_inputs(fn, v) for k, v in x.items()}
    return fn(x)


class Loss:
    """Base class of losses.

    Subclasses implement ``call(y_true, y_pred)`` returning one loss value per sample (or per
    timestep); calling the object converts both inputs to ``dtype``, applies ``sample_weight``
    and reduces with ``reduction`` ("sum_over_batch_size" by default, "sum", "mean",
    "mean_with_sample_weight", "none" or None).

    Args:
        name: the loss name (default: the snake-cased class name, made unique).
        reduction: how the weighted values are combined.
        dtype: the dtype of the computation (default ``keras.backend.floatx()``).
    """

    _keras_module = "keras.losses"

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        self._dtype_policy = dtype
        self._dtype = _policy_dtype(dtype)

    @property
    def dtype(self):
        """The dtype name inputs are converted to before ``call``."""
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        convert = lambda x: to_tensor(x, self._dtype)  # noqa: E731
        y_pred = _map_inputs(convert, y_pred)
        y_true = _map_inputs(convert, y_true)
        values, mask = self._call_with_mask(y_true, y_pred)
        return reduce_weighted_values(values, sample_weight, self.reduction, mask=mask,
                                      dtype=self._dtype)

    def _call_with_mask(self, y_true, y_pred):
        # Losses that ignore some entries (SparseCategoricalCrossentropy(ignore_class=...))
        # override this to also return the mask of valid entries.
        return self.call(y_true, y_pred), None

    def call(self, y_true, y_pred):
        """The unreduced loss values; subclasses implement it."""
        raise NotImplementedError

    def get_config(self):
        """{'name', 'reduction'}: what ``__init__`` needs to rebuild the loss."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """The loss described by ``config``."""
        return cls(**config)


def serialize_function(fn):
    """A loss function as Keras 3 writes it: built-in functions as
    ``{'module': 'builtins', 'class_name': 'function', 'config': name, 'registered_name':
    'function'}``, user functions through the registry."""
    if getattr(fn, "_keras_module", None) == "keras.losses" and getattr(
            fn, "__module__", "").startswith("ndflow."):
        return {"module": "builtins", "class_name": "function", "config": fn.__name__,
                "registered_name": "function"}
    return serialization_lib.serialize_keras_object(fn)


class LossFunctionWrapper(Loss):
    """A ``Loss`` computing ``fn(y_true, y_pred, **kwargs)``.

    Ranks of targets and predictions that differ by one (a trailing axis of size 1) are made
    to agree before ``fn`` is called.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        """``fn`` applied to the rank-matched targets and predictions."""
        y_true, y_pred = self._match_ranks(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    @staticmethod
    def _match_ranks(y_true, y_pred):
        if isinstance(y_true, Tensor) and isinstance(y_pred, Tensor):
            return squeeze_or_expand_to_same_rank(y_true, y_pred)
        return y_true, y_pred

    def get_config(self):
        """The base config plus ``fn`` (serialized) and its keyword arguments."""
        config = super().get_config()
        config["fn"] = serialize_function(self.fn)
        config.update(serialization_lib.serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config):
        """Rebuilds the wrapper, resolving the serialized ``fn``."""
        config = dict(config)
        if "fn" in config:
            from ndflow.keras.losses import deserialize
            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class Reduction:
    """The reduction names of the legacy ``tf.keras.losses.Reduction`` enumeration."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        """The four legacy reduction names."""
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        """Raises ValueError unless ``key`` is one of ``all()``."""
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


for _cls in (Loss, LossFunctionWrapper):
    object_registration.register_builtin("keras.losses", _cls)
