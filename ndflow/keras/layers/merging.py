"""Merge layers (Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum, Dot) and their
functional forms (``concatenate``, ``add``, ...), which build the layer and call it on a list.

As in Keras 3, the element-wise layers broadcast their inputs (after prepending size-1 axes
behind the batch axis to inputs of lower rank) and reject incompatible shapes with ValueError
when they are built, so functional models fail where the bad layer is added.
"""
import ndflow as nd
from ndflow.keras import backend
from ndflow.keras.layers.layer import Layer
from ndflow.keras.saving.object_registration import register_builtin

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]


def _is_shape(value):
    return isinstance(value, (tuple, list))


class Merge(Layer):
    """Base of the element-wise merge layers: checks shapes, aligns ranks, then merges."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _merge_function(self, inputs):
        raise NotImplementedError

    @staticmethod
    def _elementwise_shape(shape1, shape2):
        """The broadcast of two shapes without batch axes (trailing axes aligned)."""
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            shape1, shape2 = shape2, shape1
        if not shape2:
            return tuple(shape1)
        out = list(shape1[:-len(shape2)])
        for i, j in zip(shape1[-len(shape2):], shape2):
            if i is None or j is None:
                out.append(None)
            elif i == 1:
                out.append(j)
            elif j == 1 or i == j:
                out.append(i)
            else:
                raise ValueError(f"Inputs have incompatible shapes. Received shapes "
                                 f"{tuple(shape1)} and {tuple(shape2)}")
        return tuple(out)

    def build(self, input_shape):
        if not input_shape or not _is_shape(input_shape[0]):
            raise ValueError(
                "A merge layer should be called on a list of inputs. Received: "
                f"input_shape={input_shape} (not a list of shapes)")
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received tensors "
                             f"with shapes {list(input_shape)}")
        out = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = self._elementwise_shape(out, None if shape is None else tuple(shape[1:]))
        self._reshape_required = len({len(s) for s in input_shape}) != 1
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(  # noqa: TRY004 - Keras raises ValueError here
                "A merge layer should be called on a list of inputs. Received: "
                f"inputs={inputs} (not a list of tensors)")
        if self._reshape_required:
            # Lower-rank inputs get size-1 axes right after the batch axis, then broadcast.
            top = max(x.shape.rank for x in inputs)
            aligned = []
            for x in inputs:
                for _ in range(top - x.shape.rank):
                    x = nd.expand_dims(x, 1)
                aligned.append(x)
            inputs = aligned
        return self._merge_function(inputs)

    def compute_output_shape(self, input_shape):
        out = None if input_shape[0] is None else tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = self._elementwise_shape(out, None if shape is None else tuple(shape[1:]))
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch,) + tuple(out)

    def compute_mask(self, inputs, mask=None):
        """The logical OR of the input masks (None unless every input has one)."""
        if mask is None:
            return None
        if any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = nd.logical_or(out, m)
        return out

    def get_config(self):
        # Overridden so the base reports the standard dict (its automatic config would echo a
        # raw ``dtype`` argument instead of the DTypePolicy config).
        return super().get_config()


def _fold(fn, inputs):
    out = inputs[0]
    for x in inputs[1:]:
        out = fn(out, x)
    return out


@register_builtin("keras.layers")
class Add(Merge):
    """Sums a list of inputs element-wise."""

    def _merge_function(self, inputs):
        return _fold(nd.add, inputs)


@register_builtin("keras.layers")
class Subtract(Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={list(input_shape)}")

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        return nd.subtract(inputs[0], inputs[1])


@register_builtin("keras.layers")
class Multiply(Merge):
    """Multiplies a list of inputs element-wise."""

    def _merge_function(self, inputs):
        return _fold(nd.multiply, inputs)


@register_builtin("keras.layers")
class Average(Merge):
    """The element-wise mean of a list of inputs."""

    def _merge_function(self, inputs):
        return _fold(nd.add, inputs) / len(inputs)


@register_builtin("keras.layers")
class Maximum(Merge):
    """The element-wise maximum of a list of inputs."""

    def _merge_function(self, inputs):
        return _fold(nd.maximum, inputs)


@register_builtin("keras.layers")
class Minimum(Merge):
    """The element-wise minimum of a list of inputs."""

    def _merge_function(self, inputs):
        return _fold(nd.minimum, inputs)


@register_builtin("keras.layers")
class Concatenate(Merge):
    """Concatenates a list of inputs along ``axis``; the other axes must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        if len(input_shape) < 1 or not _is_shape(input_shape[0]):
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={input_shape}")
        self.built = True
        if all(shape is None for shape in input_shape):
            return
        # Every axis but the concatenation one must agree (unknown sizes agree with anything).
        reduced = []
        for shape in input_shape:
            shape = list(shape)
            if len(shape) > self.axis:
                del shape[self.axis]
            reduced.append(tuple(shape))
        if len(set(reduced)) == 1:
            return
        message = ("A `Concatenate` layer requires inputs with matching shapes except for the "
                   f"concatenation axis. Received: input_shape={list(input_shape)}")
        if len({len(s) for s in reduced}) != 1:
            raise ValueError(message)
        for dims in zip(*reduced):
            if len({d for d in dims if d is not None}) > 1:
                raise ValueError(message)

    def _merge_function(self, inputs):
        return nd.concat(list(inputs), axis=self.axis)

    def compute_output_shape(self, input_shape):
        if not _is_shape(input_shape) or not _is_shape(input_shape[0]):
            raise ValueError("A `Concatenate` layer should be called on a list of inputs. "
                             f"Received: input_shape={input_shape}")
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            if out[self.axis] is None or shape[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] += shape[self.axis]
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        """The concatenated masks, reduced with any() over the last axis."""
        if mask is None or all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(nd.ones_like(x, dtype=nd.bool))
            elif m.shape.rank < x.shape.rank:
                masks.append(nd.logical_or(nd.expand_dims(m, -1),
                                           nd.zeros_like(x, dtype=nd.bool)))
            else:
                masks.append(m)
        return nd.reduce_any(nd.concat(masks, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


def _l2_normalize(x, axis):
    # Keras: x * min(rsqrt(sum(x^2)), 1/epsilon), so zero vectors stay zero.
    inv = nd.rsqrt(nd.reduce_sum(nd.square(x), axis=axis, keepdims=True))
    return x * nd.minimum(inv, nd.constant(1.0 / backend.epsilon(), x.dtype))


def batch_dot(x, y, axes):
    """Per-sample dot product of ``x`` and ``y`` contracting ``x``'s axis ``axes[0]`` with
    ``y``'s axis ``axes[1]`` (both positive, not the batch axis). The result has x's remaining
    axes, then y's; a result without non-batch axes gets one of size 1."""
    x_shape, y_shape = x.shape.as_list(), y.shape.as_list()
    if len(x_shape) < 2 or len(y_shape) < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {tuple(x_shape)} and {tuple(y_shape)}.")
    if x_shape[0] is not None and y_shape[0] is not None and x_shape[0] != y_shape[0]:
        raise ValueError("Cannot do batch_dot on inputs with different batch sizes. Received "
                         f"inputs with shapes {tuple(x_shape)} and {tuple(y_shape)}.")
    a0, a1 = axes
    if 0 in (a0, a1):
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, "
                         "add a dummy batch dimension to your inputs using "
                         "keras.ops.expand_dims(x, 0)")
    if x_shape[a0] is not None and y_shape[a1] is not None and x_shape[a0] != y_shape[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {tuple(x_shape)} and "
                         f"{tuple(y_shape)} with axes={list(axes)}. x.shape[{a0}] != "
                         f"y.shape[{a1}] ({x_shape[a0]} != {y_shape[a1]}).")
    # x -> (batch, *x_rest, k); y -> (batch, k, *y_rest); one batched matmul of the flattened
    # middles, then the kept axes are restored.
    x_perm = [i for i in range(len(x_shape)) if i != a0] + [a0]
    y_perm = [0, a1] + [i for i in range(1, len(y_shape)) if i != a1]
    if x_perm != list(range(len(x_shape))):
        x = nd.transpose(x, x_perm)
    if y_perm != list(range(len(y_shape))):
        y = nd.transpose(y, y_perm)
    x_rest = [x_shape[i] for i in x_perm[1:-1]]
    y_rest = [y_shape[i] for i in y_perm[2:]]
    k = x_shape[a0] if x_shape[a0] is not None else y_shape[a1]
    x3 = nd.reshape(x, [-1, _prod(x_rest), k])
    y3 = nd.reshape(y, [-1, k, _prod(y_rest)])
    out = nd.matmul(x3, y3)
    final = x_rest + y_rest
    return nd.reshape(out, [-1] + (final if final else [1]))


def _prod(dims):
    out = 1
    for d in dims:
        out *= d
    return out


@register_builtin("keras.layers")
class Dot(Merge):
    """Dot product of two inputs along ``axes`` (an int, or one axis per input), optionally of
    their L2-normalized forms (``normalize=True``: the cosine similarity)."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an "
                                f"int. Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(  # noqa: TRY004 - Keras raises ValueError here
                    "Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize

    def _axes_for(self, rank1, rank2):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % rank1, self.axes % rank2]
            return [self.axes, self.axes]
        return [a % r if a < 0 else a for a, r in zip(self.axes, (rank1, rank2))]

    def build(self, input_shape):
        if not _is_shape(input_shape[0]) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={list(input_shape)}")
        self.built = True
        shape1, shape2 = input_shape
        if shape1 is None or shape2 is None:
            return
        axes = self._axes_for(len(shape1), len(shape2))
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(f"Incompatible input shapes: axis values {shape1[axes[0]]} (at axis "
                             f"{axes[0]}) != {shape2[axes[1]]} (at axis {axes[1]}). Full input "
                             f"shapes: {tuple(shape1)}, {tuple(shape2)}")

    def call(self, inputs):
        return self._merge_function(inputs)

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on exactly 2 inputs. Received: "
                             f"inputs={inputs}")
        x1, x2 = inputs
        axes = self._axes_for(x1.shape.rank, x2.shape.rank)
        if self.normalize:
            x1 = _l2_normalize(x1, axes[0])
            x2 = _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        if not _is_shape(input_shape) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._axes_for(len(shape1), len(shape2))
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        out = shape1 + shape2
        if len(out) == 1:
            out.append(1)
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        """Dot outputs carry no mask."""

    def get_config(self):
        config = super().get_config()
        config.update({"axes": self.axes, "normalize": self.normalize})
        return config


# -- functional forms -----------------------------------------------------------------------------

def concatenate(inputs, axis=-1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs, **kwargs):
    """``Add(**kwargs)(inputs)``: the element-wise sum."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """``Subtract(**kwargs)(inputs)``: ``inputs[0] - inputs[1]``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """``Multiply(**kwargs)(inputs)``: the element-wise product."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """``Average(**kwargs)(inputs)``: the element-wise mean."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """``Maximum(**kwargs)(inputs)``: the element-wise maximum."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """``Minimum(**kwargs)(inputs)``: the element-wise minimum."""
    return Minimum(**kwargs)(inputs)


def dot(inputs, axes=-1, **kwargs):
    """``Dot(axes=axes, **kwargs)(inputs)``: the per-sample dot product."""
    return Dot(axes=axes, **kwargs)(inputs)
