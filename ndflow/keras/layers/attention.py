"""Attention layers: ``MultiHeadAttention``, ``Attention`` (Luong) and ``AdditiveAttention``
(Bahdanau).

``MultiHeadAttention`` keeps Keras 3's weight layout: four EinsumDense-style projections named
query, key, value and attention_output (kernels (dim, heads, key_dim) ... (heads, value_dim,
out)), so weights copy over with ``set_weights``. Masks are booleans: True attends.
"""
import math
import string

import numpy as np

import ndflow as nd
from ndflow.keras import constraints, initializers, regularizers
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin
from ndflow.keras.saving.serialization_lib import serialize_keras_object

__all__ = ["MultiHeadAttention", "Attention", "AdditiveAttention"]

_LETTERS = string.ascii_lowercase


def _dropout_mask(rng, shape, rate, dtype):
    """A constant keep-mask scaled by 1 / (1 - rate) (no gradient flows into it)."""
    keep = rng.uniform(size=shape) >= rate
    return nd.constant(keep.astype(dtype.as_numpy_dtype) / (1.0 - rate))


def _tensor(x):
    return None if x is None else nd.convert_to_tensor(x)


class _Projection(Layer):
    """An EinsumDense-style projection: ``einsum(equation, x, kernel) + bias`` (optional
    activation), with Keras' weight names so MultiHeadAttention's weights copy 1:1."""

    def __init__(self, equation, kernel_shape, bias_shape, kernel_initializer, bias_initializer,
                 kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint,
                 activation=None, **kwargs):
        super().__init__(**kwargs)
        self.equation = equation
        self.kernel = self.add_weight(name="kernel", shape=kernel_shape,
                                      initializer=kernel_initializer,
                                      regularizer=kernel_regularizer,
                                      constraint=kernel_constraint)
        self.bias = None
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=bias_shape,
                                        initializer=bias_initializer,
                                        regularizer=bias_regularizer,
                                        constraint=bias_constraint)
        self.activation = activation
        self.built = True

    def call(self, inputs):
        x = nd.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x) if self.activation is not None else x


def _projection_equation(free_dims, bound_dims, output_dims):
    """'abc,cde->abde'-style equation: ``free`` axes kept, ``bound`` contracted, ``output``
    created; returns (equation, output letters)."""
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims:free_dims + bound_dims]
    out = _LETTERS[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{out}->{free}{out}", out


def _attention_equations(rank, attn_axes):
    """Einsum equations for scores = key . query and output = scores . value.

    ``rank`` is the rank of the projected tensors (batch, ..., heads, depth). Axes outside
    ``attn_axes`` (heads included) act as batch axes; the scores are laid out as
    (batch axes..., query attention axes..., key attention axes...), Keras' layout.
    """
    target = _LETTERS[:rank]
    batch_axes = [i for i in range(rank) if i not in attn_axes and i != rank - 1]
    source = list(target)
    extra = iter(_LETTERS[rank:])
    for i in attn_axes:
        source[i] = next(extra)
    source = "".join(source)
    scores = ("".join(target[i] for i in batch_axes) + "".join(target[i] for i in attn_axes) +
              "".join(source[i] for i in attn_axes))
    return f"{source},{target}->{scores}", f"{scores},{source}->{target}", len(scores)


@register_builtin("keras.layers")
class MultiHeadAttention(Layer):
    """Multi-head attention (Vaswani et al., 2017) with Keras 3's arguments and weights.

    ``call(query, value, key=None, ...)``: query (B, T, dim), value/key (B, S, dim); returns
    (B, T, output_shape or dim) and, with ``return_attention_scores``, the attention
    probabilities (B, heads, T, S).
    """

    _keras_module = "keras.layers"

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 use_gate=False, seed=None, **kwargs):
        for arg, value in (("num_heads", num_heads), ("key_dim", key_dim)):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Received an invalid value for argument `{arg}`, expected a "
                                 f"positive integer. Received: {arg}={value}")
        if value_dim is not None and (not isinstance(value_dim, int) or value_dim <= 0):
            raise ValueError("Received an invalid value for argument `value_dim`, expected a "
                             f"positive integer or `None`. Received: value_dim={value_dim}")
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer), **kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            output_shape = (output_shape,) if isinstance(output_shape, int) else output_shape
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(f"Invalid `output_shape`: {output_shape}. When specified, the "
                                 "`output_shape` should be of type tuple, list, or int.")
        self._output_shape = output_shape or None
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError("`attention_axes` must be an int, list, or tuple."
                             f"Received: attention_axes={attention_axes}")
        self._attention_axes = attention_axes
        if sliding_window is not None and (not isinstance(sliding_window, int) or
                                           sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self._sliding_window = sliding_window
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self._projections_built = False

    num_heads = property(lambda self: self._num_heads, doc="Number of attention heads.")
    key_dim = property(lambda self: self._key_dim, doc="Size of each query/key head.")
    value_dim = property(lambda self: self._value_dim, doc="Size of each value head.")
    dropout = property(lambda self: self._dropout, doc="Dropout rate on the probabilities.")
    use_bias = property(lambda self: self._use_bias, doc="Whether projections have biases.")
    attention_axes = property(lambda self: self._attention_axes,
                              doc="Axes attention runs over (None: all but batch and last).")
    query_dense = property(lambda self: self._query_dense, doc="The query projection.")
    key_dense = property(lambda self: self._key_dense, doc="The key projection.")
    value_dense = property(lambda self: self._value_dense, doc="The value projection.")
    output_dense = property(lambda self: self._output_dense, doc="The output projection.")

    def _projection(self, name, free_dims, bound, out_dims, activation=None):
        equation, _ = _projection_equation(free_dims, len(bound), len(out_dims))
        return _Projection(equation, tuple(bound) + tuple(out_dims),
                           tuple(out_dims) if self._use_bias else None,
                           self._kernel_initializer, self._bias_initializer,
                           self._kernel_regularizer, self._bias_regularizer,
                           self._kernel_constraint, self._bias_constraint,
                           activation=activation, name=name, dtype=self.dtype_policy)

    def build(self, query_shape, value_shape=None, key_shape=None):
        # The base class builds from the first argument only; the projections need the value
        # shape too, so without it they are created on the first call.
        if value_shape is not None:
            self._build_projections(query_shape, value_shape, key_shape)
        self.built = True

    def _build_projections(self, query_shape, value_shape, key_shape=None):
        query_shape, value_shape = tuple(query_shape), tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        heads = self._num_heads
        q_rank, k_rank, v_rank = len(query_shape), len(key_shape), len(value_shape)
        # Attribute order fixes the weight order: query, key, (gate), value, attention_output.
        self._query_dense = self._projection("query", q_rank - 1, query_shape[-1:],
                                             (heads, self._key_dim))
        self._key_dense = self._projection("key", k_rank - 1, key_shape[-1:],
                                           (heads, self._key_dim))
        if self._use_gate:
            self._gate_dense = self._projection("gate", q_rank - 1, query_shape[-1:],
                                                (heads, self._value_dim), activation=nd.sigmoid)
        self._value_dense = self._projection("value", v_rank - 1, value_shape[-1:],
                                             (heads, self._value_dim))
        rank = q_rank + 1
        axes = self._attention_axes
        axes = tuple(range(1, rank - 2)) if axes is None else tuple(
            a % (rank - 1) for a in axes)
        self._attention_axes = axes
        self._dot_product_equation, self._combine_equation, _ = _attention_equations(rank, axes)
        self._norm_axes = list(range(-len(axes), 0))
        out = self._output_shape if self._output_shape else query_shape[-1:]
        self._output_dense = self._projection("attention_output", q_rank - 1,
                                              (heads, self._value_dim), tuple(out))
        self._projections_built = True

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        if self._output_shape:
            return query_shape[:-1] + tuple(self._output_shape)
        return query_shape

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        """The boolean (B, T, S) mask combining every mask source (None when there is none)."""
        masks = []
        if query_mask is not None:
            masks.append(nd.expand_dims(nd.cast(query_mask, "bool"), -1))
        if value_mask is not None:
            masks.append(nd.expand_dims(nd.cast(value_mask, "bool"), -2))
        if key_mask is not None:
            masks.append(nd.expand_dims(nd.cast(key_mask, "bool"), -2))
        if use_causal_mask or self._sliding_window is not None:
            rows = np.arange(query.shape[1])[:, None]
            cols = np.arange(value.shape[1])[None, :]
            band = np.ones((rows.shape[0], cols.shape[1]), dtype=bool)
            if use_causal_mask:
                band &= rows >= cols
            if self._sliding_window is not None:
                band &= np.abs(rows - cols) < self._sliding_window
            masks.append(nd.constant(band[None]))
        if attention_mask is not None:
            masks.insert(0, nd.cast(attention_mask, "bool"))
        if not masks:
            return None
        mask = masks[0]
        for m in masks[1:]:
            mask = nd.logical_and(mask, m)
        return mask

    def _masked_softmax(self, scores, mask):
        if mask is not None:
            # Insert the heads (and other batch-like) axes before the attention axes.
            axis = -len(self._attention_axes) * 2 - 1
            for _ in range(scores.shape.rank - mask.shape.rank):
                mask = nd.expand_dims(mask, axis)
            mask = nd.broadcast_to(mask, nd.shape(scores))
            scores = nd.where(mask, scores, nd.constant(-1e9, dtype=scores.dtype))
        if len(self._norm_axes) == 1:
            probs = nd.nn.softmax(scores, axis=-1)
        else:
            probs = nd.exp(scores - nd.reduce_logsumexp(scores, axis=self._norm_axes,
                                                        keepdims=True))
        if mask is not None:
            # A fully masked row would otherwise be uniform; Keras zeroes it.
            probs = nd.where(mask, probs, nd.zeros_like(probs))
        return probs

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        value = _tensor(value)
        key = value if key is None else _tensor(key)
        if not self._projections_built:
            self._build_projections(query.shape.as_list(), value.shape.as_list(),
                                    key.shape.as_list())
        mask = self._attention_mask(query, value, _tensor(query_mask), _tensor(value_mask),
                                    _tensor(key_mask), _tensor(attention_mask), use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        q = self._query_dense(query) * nd.constant(self._inverse_sqrt_key_dim, query.dtype)
        k = self._key_dense(key)
        v = self._value_dense(value)
        scores = self._masked_softmax(nd.einsum(self._dot_product_equation, k, q), mask)
        probs = scores
        if training and self._dropout > 0.0:
            probs = scores * _dropout_mask(self._rng, scores.shape.as_list(), self._dropout,
                                           scores.dtype)
        output = nd.einsum(self._combine_equation, probs, v)
        if gate is not None:
            output = output * gate
        output = self._output_dense(output)
        if return_attention_scores:
            return output, scores
        return output

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "kernel_initializer": serialize_keras_object(self._kernel_initializer),
            "bias_initializer": serialize_keras_object(self._bias_initializer),
            "kernel_regularizer": serialize_keras_object(self._kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self._bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "kernel_constraint": serialize_keras_object(self._kernel_constraint),
            "bias_constraint": serialize_keras_object(self._bias_constraint),
            "use_gate": self._use_gate,
            "sliding_window": self._sliding_window,
            "seed": self.seed,
        })
        return config


class _BaseDenseAttention(Layer):
    """Shared part of Attention and AdditiveAttention: input checks, masks, softmax, dropout."""

    def __init__(self, use_scale, dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale = use_scale
        self.dropout = dropout
        self.seed = seed
        self._rng = np.random.default_rng(seed)
        self.supports_masking = True

    def _validate_inputs(self, inputs, mask=None):
        name = type(self).__name__
        if not isinstance(inputs, list):
            raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, "
                             f"value] or [query, value, key]. Received: inputs={inputs}.")
        if len(inputs) < 2 or len(inputs) > 3:
            raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely "
                             f"[query, value] or [query, value, key]. Received length: "
                             f"{len(inputs)}.")
        if mask is not None:
            if not isinstance(mask, list):
                raise ValueError(f"{name} layer mask must be a list, namely [query_mask, "
                                 f"value_mask]. Received: mask={mask}.")
            if len(mask) < 2 or len(mask) > 3:
                raise ValueError(f"{name} layer accepts mask list of length 2 or 3. "
                                 f"Received: inputs={inputs}, mask={mask}.")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate_inputs(inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        q_mask = _tensor(mask[0]) if mask else None
        v_mask = _tensor(mask[1]) if mask else None
        scores = self._calculate_scores(query, key)
        keep = None
        if v_mask is not None:
            keep = nd.expand_dims(nd.cast(v_mask, "bool"), -2)
        if use_causal_mask:
            tq, tv = scores.shape.as_list()[-2:]
            causal = nd.constant(np.tril(np.ones((tq, tv), dtype=bool))[None])
            keep = causal if keep is None else nd.logical_and(keep, causal)
        if keep is not None:
            keep = nd.broadcast_to(keep, nd.shape(scores))
            scores = nd.where(keep, scores, scores - nd.constant(1e9, scores.dtype))
        weights = nd.nn.softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = weights * _dropout_mask(self._rng, weights.shape.as_list(), self.dropout,
                                              weights.dtype)
        output = nd.matmul(weights, value)
        if q_mask is not None:
            q_keep = nd.broadcast_to(nd.expand_dims(nd.cast(q_mask, "bool"), -1),
                                     nd.shape(output))
            output = nd.where(q_keep, output, nd.zeros_like(output))
        if return_attention_scores:
            return output, weights
        return output


@register_builtin("keras.layers")
class Attention(_BaseDenseAttention):
    """Dot-product (Luong-style) attention over ``[query, value]`` or ``[query, value, key]``.

    ``score_mode='dot'``: scores = query . key (times a learned scalar ``scale`` if
    ``use_scale``); ``'concat'``: scores = concat_score_weight * sum(tanh(scale * (q + k))).
    """

    _keras_module = "keras.layers"

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(use_scale, dropout=dropout, seed=seed, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', "
                             f"'concat'}}. Received: score_mode={score_mode}")
        self.score_mode = score_mode

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(),
                                                       initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = nd.matmul(query, key, transpose_b=True)
            return scores * self.scale if self.scale is not None else scores
        total = nd.expand_dims(query, -2) + nd.expand_dims(key, -3)
        if self.scale is not None:
            total = self.scale * total
        return self.concat_score_weight * nd.reduce_sum(nd.tanh(total), axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode,
                       "dropout": self.dropout, "seed": self.seed})
        return config


@register_builtin("keras.layers")
class AdditiveAttention(_BaseDenseAttention):
    """Additive (Bahdanau-style) attention: scores = sum(scale * tanh(query + key))."""

    _keras_module = "keras.layers"

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        seed = kwargs.pop("seed", None)
        super().__init__(use_scale, dropout=dropout, seed=seed, **kwargs)

    def build(self, input_shape):
        self._validate_inputs(input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(input_shape[0][-1],),
                                         initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        terms = nd.tanh(nd.expand_dims(query, -2) + nd.expand_dims(key, -3))
        if self.scale is not None:
            terms = self.scale * terms
        return nd.reduce_sum(terms, axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "dropout": self.dropout, "seed": self.seed})
        return config
