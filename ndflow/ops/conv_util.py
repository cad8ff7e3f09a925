"""Shared pieces of the convolution and pooling ops: argument parsing (TensorFlow's rules for
strides, dilations and padding) and the NHWC window kernels (im2col views and their transpose)."""
from ndflow.framework import dtypes, errors
from ndflow.ops.registry import op_error

NO_PADDING = (0,) * 8
CONV_DTYPES = dtypes.FLOATING | frozenset((dtypes.int32,))  # Conv2D's list (no other ints)


def spatial_list(value, name, n=2):
    """An int or list of length 1, n or n+2 as the full NHWC tuple (TensorFlow's conv2d rule)."""
    if isinstance(value, (list, tuple)):
        value = [int(v) for v in value]
    elif hasattr(value, "__array__"):
        value = [int(v) for v in list(value.__array__().reshape(-1))]
    else:
        value = [int(value)]
    if len(value) == 1:
        return (1,) + tuple(value) * n + (1,)
    if len(value) == n:
        return (1,) + tuple(value) + (1,)
    if len(value) == n + 2:
        return tuple(value)
    raise ValueError(f"{name} should be of length 1, {n} or {n + 2}. Received: {name}={value} "
                     f"of length {len(value)}")


def parse_padding(padding, op_name, allow_explicit=True):
    """``padding`` as (padding string, explicit_paddings tuple of 8 ints) for NHWC."""
    if isinstance(padding, (list, tuple)):
        if not allow_explicit:
            raise TypeError(f"Expected string for argument 'padding' not {padding!r}.")
        pairs = [list(p) if isinstance(p, (list, tuple)) else None for p in padding]
        if len(pairs) != 4 or any(p is None or len(p) != 2 for p in pairs):
            raise ValueError(f"When padding is explicit, it must be a list of 4 [before, after] "
                             f"pairs (one per NHWC dimension). Received: padding={padding}")
        flat = tuple(int(v) for p in pairs for v in p)
        if any(flat[i] for i in (0, 1, 6, 7)):
            raise op_error(errors.InvalidArgumentError, op_name,
                           "Nonzero explicit padding in the batch or depth dimensions is not "
                           "supported")
        if any(v < 0 for v in flat):
            raise op_error(errors.InvalidArgumentError, op_name,
                           f"All elements of explicit_paddings must be nonnegative, got {flat}")
        return "EXPLICIT", flat
    if padding not in ("SAME", "VALID"):
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"Value for attr 'padding' of {padding!r} is not in the list of allowed "
                       f"values: \"SAME\", \"VALID\", \"EXPLICIT\"")
    return padding, NO_PADDING


def check_format(data_format, op_name):
    """Only NHWC runs (TensorFlow's CPU kernels have the same limit for convolutions)."""
    if data_format not in (None, "NHWC"):
        raise op_error(errors.UnimplementedError, op_name,
                       f"The {op_name} op currently only supports the NHWC tensor format on the "
                       f"CPU. The op was given the format: {data_format}")


def check_rank(t, op_name, what="input"):
    """Raises InvalidArgumentError unless ``t`` is 4-dimensional (when its rank is known)."""
    if t.shape.rank is not None and t.shape.rank != 4:
        raise op_error(errors.InvalidArgumentError, op_name,
                       f"{what} must be 4-dimensional: {t.shape.as_list()}")


def check_unit_outer(values, name, op_name):
    """Raises UnimplementedError unless strides/dilations are 1 on the batch and depth axes."""
    if values[0] != 1 or values[3] != 1:
        raise op_error(errors.UnimplementedError, op_name,
                       f"Current implementation does not yet support {name} in the batch and "
                       f"depth dimensions.")


# -- window geometry (used inside kernels: plain ints only) ------------------------------------

def output_geometry(op_name, in_hw, k_hw, strides, dilations, padding, explicit):
    """((out_h, out_w), (top, bottom, left, right)) of a window op over an NHWC input."""
    outs, pads = [], []
    for d in range(2):
        size, k, s, rate = in_hw[d], k_hw[d], strides[d + 1], dilations[d + 1]
        eff = (k - 1) * rate + 1
        if padding == "SAME":
            out = -(-size // s)
            total = max((out - 1) * s + eff - size, 0)
            before, after = total // 2, total - total // 2
        else:
            before, after = explicit[2 * d + 2], explicit[2 * d + 3]
            # TensorFlow divides with C++ truncation: a window just past the input gives an
            # empty output, not an error.
            room = size + before + after - eff + s
            out = room // s if room >= 0 else -(-room // s)
            if out < 0:
                raise op_error(errors.InvalidArgumentError, op_name,
                               f"Computed output size would be negative: {out} [input_size: "
                               f"{size}, effective_filter_size: {eff}, stride: {s}]")
        outs.append(out)
        pads += [before, after]
    return tuple(outs), tuple(pads)


def pad_input(xp, x, pads, value=0):
    """x with its H and W dimensions padded by pads = (top, bottom, left, right)."""
    if not any(pads):
        return x
    widths = ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0))
    return xp.pad(x, widths, constant_values=value)


def windows(xp, x, k_hw, strides, dilations, out_hw):
    """A strided view [N, out_h, out_w, C, KH, KW] of every window of a padded NHWC array."""
    if not all(out_hw):
        return xp.zeros((x.shape[0],) + tuple(out_hw) + (x.shape[3],) + tuple(k_hw), x.dtype)
    eff = [(k_hw[d] - 1) * dilations[d + 1] + 1 for d in range(2)]
    view = xp.lib.stride_tricks.sliding_window_view(x, eff, axis=(1, 2))
    return view[:, :out_hw[0] * strides[1]:strides[1], :out_hw[1] * strides[2]:strides[2], :,
                ::dilations[1], ::dilations[2]]


def tap(x, i, j, strides, dilations, out_hw):
    """The view [N, out_h, out_w, C] of padded ``x`` that filter tap (i, j) reads."""
    top, left = i * dilations[1], j * dilations[2]
    bottom = top + (out_hw[0] - 1) * strides[1] + 1 if out_hw[0] else top
    right = left + (out_hw[1] - 1) * strides[2] + 1 if out_hw[1] else left
    return x[:, top:bottom:strides[1], left:right:strides[2], :]


def scatter_windows(xp, cols, padded_hw, strides, dilations, pads):
    """The transpose of ``windows``: sums cols [N, out_h, out_w, KH, KW, C] into the padded
    input positions they were read from, then crops the padding. One strided add per tap."""
    n, out_h, out_w, kh, kw, c = cols.shape
    out = xp.zeros((n, padded_hw[0], padded_hw[1], c), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            tap(out, i, j, strides, dilations, (out_h, out_w))[...] += cols[:, :, :, i, j, :]
    return crop(out, pads)


def crop(x, pads):
    """Removes the (top, bottom, left, right) padding of an NHWC array."""
    return x[:, pads[0]:x.shape[1] - pads[1], pads[2]:x.shape[2] - pads[3], :]
