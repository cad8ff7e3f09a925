"""Categorical preprocessing layers: CategoryEncoding, Discretization and Hashing.

Their outputs are integer indices or encodings of them, so nothing here is differentiated; the
computations still use ndflow ops so the layers run inside models and traced functions.
Hashing uses TensorFlow's own string hashes (FarmHash64 / SipHash, in ``ndflow.strings``), so
the buckets are Keras' bit for bit.
"""
import itertools

import numpy as np

import ndflow as nd
from ndflow.framework import errors
from ndflow.keras.layers import quantile_summary
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin

__all__ = ["CategoryEncoding", "Discretization", "Hashing"]

_MODES = ("int", "one_hot", "multi_hot", "count")


def encode_categories(inputs, num_tokens, output_mode, dtype, count_weights=None,
                      sparse=False):
    """Integer ``inputs`` as one-hot rows, multi-hot rows or counts over ``num_tokens``
    (values outside [0, num_tokens) contribute nothing; negative ones are an error); with
    ``sparse`` a SparseTensor of the non-zero entries, as Keras returns with TensorFlow."""
    dense = _encode_dense(inputs, num_tokens, output_mode, dtype, count_weights)
    return nd.sparse.from_dense(dense) if sparse else dense


def _encode_dense(inputs, num_tokens, output_mode, dtype, count_weights):
    if nd.executing_eagerly() and inputs.dtype.is_integer and bool(
            np.any(inputs.numpy() < 0)):
        raise errors.InvalidArgumentError(None, None, "Input arr must be non-negative!")
    if not inputs.dtype.is_integer:
        inputs = nd.cast(inputs, nd.int64)
    rank = inputs.shape.rank
    if output_mode == "one_hot":
        if rank == 0:
            inputs = nd.reshape(inputs, [1])
        elif rank >= 2 and inputs.shape.as_list()[-1] == 1:
            inputs = nd.squeeze(inputs, -1)
        return nd.one_hot(inputs, num_tokens, dtype=dtype)
    if rank == 0:
        inputs = nd.reshape(inputs, [1])
    hot = nd.one_hot(inputs, num_tokens, dtype=dtype)
    # Keras sums over axis 1 of batched inputs (the only axis of a single sample), also for
    # inputs of rank 3 and more.
    axis = 1 if rank > 1 else 0
    if output_mode == "multi_hot":
        return nd.reduce_max(hot, axis=axis)
    if count_weights is not None:
        weights = nd.cast(nd.convert_to_tensor(count_weights), dtype)
        hot = hot * nd.expand_dims(nd.reshape(weights, nd.shape(inputs)), -1)
    return nd.reduce_sum(hot, axis=axis)


def encoded_shape(input_shape, num_tokens, output_mode):
    """The output shape of ``encode_categories`` for inputs of ``input_shape``."""
    input_shape = tuple(input_shape)
    if output_mode == "int":
        return input_shape
    if not input_shape:
        return (num_tokens,)
    if output_mode == "one_hot" and input_shape[-1] != 1:
        return input_shape + (num_tokens,)
    return input_shape[:-1] + (num_tokens,)


class _Preprocessing(Layer):
    """A weightless layer that never casts its inputs to floats."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.autocast = False
        self.built = True


@register_builtin("keras.layers")
class CategoryEncoding(_Preprocessing):
    """Encodes integer category ids in ``[0, num_tokens)``: ``"one_hot"`` (one row per id),
    ``"multi_hot"`` (1 for each id present along the last axis) or ``"count"`` (how often
    each id occurs, optionally weighted by ``count_weights``)."""

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":   # Keras 2's name for multi_hot
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode
        self.sparse = sparse

    def call(self, inputs, count_weights=None):
        inputs = nd.convert_to_tensor(inputs)
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not "
                             f"`'count'`. Received `count_weights={count_weights}`.")
        return encode_categories(inputs, self.num_tokens, self.output_mode,
                                 self.compute_dtype, count_weights, self.sparse)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.num_tokens, self.output_mode)

    def get_config(self):
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode})
        return config


@register_builtin("keras.layers")
class Discretization(_Preprocessing):
    """Buckets numbers by ``bin_boundaries``: bucket i holds boundaries[i-1] <= x <
    boundaries[i] (int32 ids), or their one-hot/multi-hot/count encoding.

    With ``num_bins``, ``adapt()`` learns the boundaries from data as Keras does (the same
    approximate quantile summary, see ``quantile_summary``).
    """

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, dtype=None, name=None):
        super().__init__(name=name, dtype=dtype)
        if output_mode not in _MODES:
            raise ValueError("Unknown value for `output_mode` argument of Discretization. "
                             f"Allowed values are: {_MODES}. Received: "
                             f"output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, "
                             f"`'multi_hot'`, or `'count'`. Received: sparse={sparse} and "
                             f"output_mode={output_mode}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError("Both `num_bins` and `bin_boundaries` should not be set. Received: "
                             f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else None
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = sparse

    def adapt(self, data, steps=None):
        """Learns ``num_bins - 1`` boundaries splitting ``data`` into equally populated bins
        (approximate quantiles, accurate to about ``epsilon``). ``data`` is an array or tensor
        taken as one batch, or an iterable of batches (a list, a generator, a dataset), of
        which ``steps`` at most; a new ``adapt`` replaces what an earlier one learned."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized "
                             "with `bin_boundaries`, use `num_bins` instead.")
        # Arrays and tensors (ndflow's or another library's, which expose __array__) are one
        # batch; any other iterable, lists included as in Keras, yields the batches.
        if isinstance(data, (np.ndarray, nd.Tensor, nd.Variable)) or \
                not hasattr(data, "__iter__") or hasattr(data, "__array__"):
            batches = [data]
        else:
            batches = data if steps is None else itertools.islice(data, steps)
        summary = quantile_summary.empty_summary()
        for batch in batches:
            values = np.array(batch).astype("float32")
            summary = quantile_summary.merge(quantile_summary.summarize(values, self.epsilon),
                                             summary, self.epsilon)
        self.bin_boundaries = quantile_summary.bin_boundaries(summary, self.num_bins).tolist()

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at "
                             "construction time or call `adapt(dataset)` before you can start "
                             "using the `Discretization` layer.")
        bounds = np.asarray(self.bin_boundaries, np.float64)
        if np.any(np.diff(bounds) < 0):
            raise errors.InvalidArgumentError(None, None, "Expected sorted boundaries")
        inputs = nd.convert_to_tensor(inputs)
        x = inputs if inputs.dtype.is_floating else nd.cast(inputs, nd.float64)
        edges = nd.constant(bounds.astype(x.dtype.as_numpy_dtype))
        # The bucket of x is the number of boundaries at or below it (int32 whatever the
        # layer's dtype, as in Keras).
        ids = nd.reduce_sum(nd.cast(nd.greater_equal(nd.expand_dims(x, -1), edges), nd.int32),
                            axis=-1)
        if self.output_mode == "int":
            return ids
        return encode_categories(ids, len(self.bin_boundaries) + 1, self.output_mode,
                                 self.compute_dtype, sparse=self.sparse)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None \
            else self.num_bins
        return encoded_shape(input_shape, depth, self.output_mode)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The layer of ``config``; an adapted layer's config holds both ``num_bins`` and the
        learned ``bin_boundaries``, which ``__init__`` refuses together, so the boundaries are
        set after construction."""
        config = dict(config)
        learned = None
        if config.get("num_bins") is not None:
            learned = config.pop("bin_boundaries", None)
        layer = cls(**config)
        if learned is not None:
            layer.bin_boundaries = list(learned)
        return layer

    def get_config(self):
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins,
                "epsilon": self.epsilon, "output_mode": self.output_mode,
                "sparse": self.sparse, "name": self.name,
                "dtype": self.dtype_policy.name}


@register_builtin("keras.layers")
class Hashing(_Preprocessing):
    """Hashes strings (integers are formatted as strings first, floats truncated) into ``num_bins`` buckets with
    TensorFlow's FarmHash64 fingerprint, or with keyed SipHash when ``salt`` is given. With
    ``mask_value``, that value goes to bucket 0 and the others to buckets 1..num_bins-1."""

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive "
                             f"values. Received: num_bins={num_bins}.")
        if output_mode not in _MODES:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of "
                             f"{_MODES}. Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `\"one_hot\"`, "
                             "`\"multi_hot\"`, or `\"count\"`. Received: sparse=True and "
                             f"output_mode={output_mode}")
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int) and not isinstance(salt, bool):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of "
                                 "size 2 integers, or a single integer. Received: "
                                 f"salt={salt}.")
        self.num_bins = num_bins
        self.mask_value = mask_value
        self.strong_hash = salt is not None
        self.salt = salt
        self.output_mode = output_mode
        self.sparse = sparse

    def _hash(self, strings, buckets):
        if self.strong_hash:
            return nd.strings.to_hash_bucket_strong(strings, buckets, self.salt)
        return nd.strings.to_hash_bucket_fast(strings, buckets)

    def call(self, inputs):
        inputs = nd.convert_to_tensor(inputs)
        if inputs.dtype.is_floating:
            inputs = nd.cast(inputs, nd.int64)   # Keras hashes floats by their integer part
        strings = inputs if inputs.dtype == nd.string else nd.strings.as_string(inputs)
        if self.mask_value is None:
            ids = self._hash(strings, self.num_bins)
        else:
            mask = nd.equal(inputs, nd.cast(self.mask_value, inputs.dtype)
                            if inputs.dtype != nd.string else self.mask_value)
            ids = self._hash(strings, self.num_bins - 1) + 1
            ids = nd.where(mask, nd.zeros_like(ids), ids)
        if self.output_mode == "int":
            return ids
        return encode_categories(ids, self.num_bins, self.output_mode, self.compute_dtype,
                                 sparse=self.sparse)

    def compute_output_shape(self, input_shape):
        return encoded_shape(input_shape, self.num_bins, self.output_mode)

    def get_config(self):
        config = super().get_config()
        config.update({"num_bins": self.num_bins, "salt": self.salt,
                       "mask_value": self.mask_value, "output_mode": self.output_mode,
                       "sparse": self.sparse})
        return config
