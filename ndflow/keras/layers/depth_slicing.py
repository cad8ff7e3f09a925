"""Depth-axis helpers for the 3-D layers, which run 2-D ops on depth slices.

Volumes are (batch, depth, height, width, channels). Every helper takes sizes that are Python
ints when the shape is static and scalar int32 tensors when it is not (a function traced with
unknown spatial sizes), so the same layer code serves both; with static sizes no extra ops are
emitted.
"""
import ndflow as nd


def dims(x):
    """The sizes of ``x``: ints where statically known, scalar tensors elsewhere."""
    static = x.shape.as_list()
    if None not in static:
        return static
    dynamic = nd.shape(x)
    return [dynamic[i] if d is None else d for i, d in enumerate(static)]


def is_static(*values):
    """Whether all ``values`` are Python ints (not tensors)."""
    return all(isinstance(v, int) for v in values)


def as_shape(sizes):
    """``sizes`` as a shape argument: the list itself when static, else an int32 tensor."""
    if is_static(*sizes):
        return list(sizes)
    return nd.stack([nd.cast(s, nd.int32) for s in sizes])


def clip_below(value, floor=0):
    """max(value, floor) for an int or a tensor."""
    return max(value, floor) if is_static(value) else nd.maximum(value, floor)


def smaller(a, b):
    """min(a, b) for ints or tensors."""
    return min(a, b) if is_static(a, b) else nd.minimum(a, b)


def depth_windows(depth, kernel, stride, dilation, padding):
    """(output depth, pad before, pad after) of a window sliding along the depth axis."""
    if padding == "same":
        out = -(-depth // stride)
        # TensorFlow's 'SAME' rule: the smaller half of the padding goes before.
        total = clip_below((out - 1) * stride + (kernel - 1) * dilation + 1 - depth)
        return out, total // 2, total - total // 2
    return (depth - dilation * (kernel - 1) - 1) // stride + 1, 0, 0


def fold_depth(x):
    """(N, D, H, W, C) -> (N * D, H, W, C): depth slices become batch entries."""
    return nd.reshape(x, as_shape([-1] + dims(x)[2:]))


def unfold_depth(x, depth):
    """The inverse of ``fold_depth``."""
    return nd.reshape(x, as_shape([-1, depth] + dims(x)[1:]))


def pad_depth(x, before, after, value=0):
    """``x`` with ``before`` and ``after`` slices of ``value`` added along the depth axis."""
    if is_static(before, after):
        if not (before or after):
            return x
        return nd.pad(x, [[0, 0], [before, after], [0, 0], [0, 0], [0, 0]],
                      constant_values=value)
    sizes = dims(x)

    def block(count):
        return nd.cast(nd.fill(as_shape([sizes[0], count] + sizes[2:]), value), x.dtype)
    return nd.concat([block(before), x, block(after)], axis=1)


def dilate_depth(x, stride):
    """(N, D, ...) -> (N, (D - 1) * stride + 1, ...) with stride - 1 zero slices between
    consecutive depth slices (where a strided transposed convolution puts its inputs)."""
    if stride == 1:
        return x
    sizes = dims(x)
    depth = sizes[1]
    spread = nd.stack([x] + [nd.zeros_like(x)] * (stride - 1), axis=2)   # (N, D, stride, ...)
    spread = nd.reshape(spread, as_shape([-1, depth * stride] + sizes[2:]))
    return spread[:, :(depth - 1) * stride + 1]
