"""2-D convolutions in NHWC layout (conv2d, conv1d, depthwise, transpose) and their backprop ops.

The kernels read every window through a strided view of the padded input (im2col without a
Python loop over pixels) and contract it with the filter in one matmul; the backprop-to-input
kernels do the transpose: one matmul to columns, then one strided add per filter tap.
Grouped convolutions (input depth a multiple of the filter depth) run one such matmul per group;
depthwise convolutions (one input channel per group) instead run one vectorised multiply-add
per filter tap, which is far cheaper than a matmul with a single-channel contraction.
"""
import numpy as np

from ndflow.framework import dtypes as D, errors
from ndflow.ops import conv_util as U
from ndflow.ops.inputs import as_tensor
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = []


# -- kernels -----------------------------------------------------------------------------------

def _groups(name, c, w, depthwise=False):
    """The number of groups of a convolution with input depth ``c`` and filter ``w``."""
    if w.ndim != 4:
        raise op_error(errors.InvalidArgumentError, name,
                       f"filter must be 4-dimensional: {list(w.shape)}")
    if depthwise:
        if c != w.shape[2]:
            raise op_error(errors.InvalidArgumentError, name,
                           f"input and filter must have the same depth: {c} vs {w.shape[2]}")
        return c
    if w.shape[2] == 0 or c % w.shape[2]:
        raise op_error(errors.InvalidArgumentError, name,
                       f"input depth must be evenly divisible by filter depth: {c} vs "
                       f"{w.shape[2]}")
    groups = c // w.shape[2]
    if w.shape[3] % groups:
        raise op_error(errors.InvalidArgumentError, name,
                       f"output depth must be evenly divisible by number of groups: "
                       f"{w.shape[3]} vs {groups}")
    return groups


def _check_input(name, x):
    if x.ndim != 4:
        raise op_error(errors.InvalidArgumentError, name,
                       f"convolution input must be 4-dimensional: {list(x.shape)}")


def _geometry(name, in_shape, w_shape, a):
    return U.output_geometry(name, in_shape[1:3], w_shape[:2], a["strides"], a["dilations"],
                             a["padding"], a["explicit_paddings"])


def _forward(xp, name, x, w, groups, a):
    """Correlates NHWC ``x`` with filter ``w`` [KH, KW, C/groups, O]."""
    out_hw, pads = _geometry(name, x.shape, w.shape, a)
    x = U.pad_input(xp, x, pads)
    if groups == 1:
        return _dense_forward(xp, x, w, out_hw, a)
    kh, kw, cg, o = w.shape
    if cg == 1:  # depthwise: one multiply-add per filter tap over a strided view
        w = w.reshape(kh, kw, groups, o // groups)
        out = xp.zeros((x.shape[0],) + out_hw + w.shape[2:], dtype=x.dtype)
        for i in range(kh):
            for j in range(kw):
                out += U.tap(x, i, j, a["strides"], a["dilations"], out_hw)[..., None] * w[i, j]
        return out.reshape(out.shape[:3] + (o,))
    og = o // groups
    return xp.concatenate([_dense_forward(xp, x[..., g * cg:(g + 1) * cg],
                                          w[..., g * og:(g + 1) * og], out_hw, a)
                           for g in range(groups)], axis=-1)


def _dense_forward(xp, x, w, out_hw, a):
    kh, kw, c, o = w.shape
    win = U.windows(xp, x, (kh, kw), a["strides"], a["dilations"], out_hw)
    rows = x.shape[0] * out_hw[0] * out_hw[1]
    # Columns ordered (kh, kw, c) match the filter's memory layout: no filter copy.
    cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(rows, kh * kw * c)
    return xp.matmul(cols, w.reshape(kh * kw * c, o)).reshape(x.shape[:1] + out_hw + (o,))


def _check_backprop(name, dy, expected):
    if dy.shape != expected:
        raise op_error(errors.InvalidArgumentError, name,
                       f"Size of out_backprop doesn't match computed: actual = {list(dy.shape)}, "
                       f"computed = {list(expected)}")


def _backprop_input(xp, name, in_shape, w, dy, groups, a):
    """The gradient of ``_forward`` with respect to its input (of shape ``in_shape``)."""
    n, h, wd, c = in_shape
    out_hw, pads = _geometry(name, in_shape, w.shape, a)
    kh, kw, cg, o = w.shape
    _check_backprop(name, dy, (n,) + out_hw + (o,))
    padded = (n, h + pads[0] + pads[1], wd + pads[2] + pads[3])
    if groups == 1:
        return U.crop(_dense_input(xp, padded, w, dy, a), pads)
    og = o // groups
    if cg == 1:
        w = w.reshape(kh, kw, groups, og)
        dy = dy.reshape(dy.shape[:3] + (groups, og))
        out = xp.zeros(padded + (groups,), dtype=dy.dtype)
        for i in range(kh):
            for j in range(kw):
                U.tap(out, i, j, a["strides"], a["dilations"], out_hw)[...] += (
                    (dy * w[i, j]).sum(axis=-1))
        return U.crop(out, pads)
    return U.crop(xp.concatenate([_dense_input(xp, padded, w[..., g * og:(g + 1) * og],
                                               dy[..., g * og:(g + 1) * og], a)
                                  for g in range(groups)], axis=-1), pads)


def _dense_input(xp, padded, w, dy, a):
    kh, kw, c, o = w.shape
    n, oh, ow = dy.shape[:3]
    cols = xp.matmul(dy.reshape(n * oh * ow, o), w.reshape(kh * kw * c, o).T)
    return U.scatter_windows(xp, cols.reshape(n, oh, ow, kh, kw, c), padded[1:],
                             a["strides"], a["dilations"], (0, 0, 0, 0))


def _backprop_filter(xp, name, x, w_shape, dy, groups, a):
    """The gradient of ``_forward`` with respect to its filter (of shape ``w_shape``)."""
    out_hw, pads = _geometry(name, x.shape, w_shape, a)
    kh, kw, cg, o = w_shape
    _check_backprop(name, dy, x.shape[:1] + out_hw + (o,))
    x = U.pad_input(xp, x, pads)
    if groups == 1:
        return _dense_filter(xp, x, w_shape, dy, out_hw, a)
    og = o // groups
    if cg == 1:
        dy = dy.reshape(dy.shape[:3] + (groups, og))
        out = xp.empty((kh, kw, groups, og), dtype=dy.dtype)
        for i in range(kh):
            for j in range(kw):
                out[i, j] = xp.einsum("nhwg,nhwgo->go",
                                      U.tap(x, i, j, a["strides"], a["dilations"], out_hw), dy)
        return out.reshape(w_shape)
    return xp.concatenate([_dense_filter(xp, x[..., g * cg:(g + 1) * cg], (kh, kw, cg, og),
                                         dy[..., g * og:(g + 1) * og], out_hw, a)
                           for g in range(groups)], axis=-1)


def _dense_filter(xp, x, w_shape, dy, out_hw, a):
    kh, kw, c, o = w_shape
    win = U.windows(xp, x, (kh, kw), a["strides"], a["dilations"], out_hw)
    rows = x.shape[0] * out_hw[0] * out_hw[1]
    cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(rows, kh * kw * c)
    return xp.matmul(cols.T, dy.reshape(rows, o)).reshape(kh, kw, c, o)


def _sizes(v):
    return tuple(int(s) for s in v.reshape(-1).tolist())


def _conv2d_kernel(xp, x, w, **a):
    _check_input("Conv2D", x)
    return _forward(xp, "Conv2D", x, w, _groups("Conv2D", x.shape[3], w), a)


def _conv2d_input_kernel(xp, input_sizes, w, dy, **a):
    name = "Conv2DBackpropInput"
    shape = _sizes(input_sizes)
    if len(shape) != 4:
        raise op_error(errors.InvalidArgumentError, name,
                       f"input_sizes must be 4-dimensional, got: {len(shape)}")
    return _backprop_input(xp, name, shape, w, dy, _groups(name, shape[3], w), a)


def _conv2d_filter_kernel(xp, x, filter_sizes, dy, **a):
    name = "Conv2DBackpropFilter"
    _check_input(name, x)
    shape = _sizes(filter_sizes)
    groups = _groups(name, x.shape[3], np.empty(shape, dtype=np.int8))
    return _backprop_filter(xp, name, x, shape, dy, groups, a)


def _depthwise_filter(w):
    """A depthwise filter [KH, KW, C, M] as the equivalent grouped filter [KH, KW, 1, C*M]."""
    kh, kw, c, m = w.shape
    return w.reshape(kh, kw, 1, c * m)


def _depthwise_kernel(xp, x, w, **a):
    name = "DepthwiseConv2dNative"
    _check_input(name, x)
    groups = _groups(name, x.shape[3], w, depthwise=True)
    return _forward(xp, name, x, _depthwise_filter(w), groups, a)


def _depthwise_input_kernel(xp, input_sizes, w, dy, **a):
    name = "DepthwiseConv2dNativeBackpropInput"
    shape = _sizes(input_sizes)
    groups = _groups(name, shape[3], w, depthwise=True)
    return _backprop_input(xp, name, shape, _depthwise_filter(w), dy, groups, a)


def _depthwise_filter_kernel(xp, x, filter_sizes, dy, **a):
    name = "DepthwiseConv2dNativeBackpropFilter"
    _check_input(name, x)
    kh, kw, c, m = shape = _sizes(filter_sizes)
    _groups(name, x.shape[3], np.empty(shape, dtype=np.int8), depthwise=True)
    return _backprop_filter(xp, name, x, (kh, kw, 1, c * m), dy, c, a).reshape(shape)


_FLOATS = D.FLOATING
CONV2D = register("Conv2D", _conv2d_kernel, same_dtype=(0, 1), allowed=U.CONV_DTYPES)
CONV2D_INPUT = register("Conv2DBackpropInput", _conv2d_input_kernel, same_dtype=(1, 2))
CONV2D_FILTER = register("Conv2DBackpropFilter", _conv2d_filter_kernel, same_dtype=(0, 2),
                         allowed=U.CONV_DTYPES)
DEPTHWISE = register("DepthwiseConv2dNative", _depthwise_kernel, same_dtype=(0, 1),
                     allowed=_FLOATS)
DEPTHWISE_INPUT = register("DepthwiseConv2dNativeBackpropInput", _depthwise_input_kernel,
                           same_dtype=(1, 2))
DEPTHWISE_FILTER = register("DepthwiseConv2dNativeBackpropFilter", _depthwise_filter_kernel,
                            same_dtype=(0, 2), allowed=_FLOATS)


# -- public functions --------------------------------------------------------------------------

def _attrs(name, strides, padding, dilations, data_format, allow_explicit=True):
    U.check_format(data_format, name)
    strides = U.spatial_list(strides, "strides")
    dilations = U.spatial_list(1 if dilations is None else dilations, "dilations")
    U.check_unit_outer(strides, "strides", name)
    U.check_unit_outer(dilations, "dilations", name)
    padding, explicit = U.parse_padding(padding, name, allow_explicit)
    return {"strides": strides, "padding": padding, "explicit_paddings": explicit,
            "data_format": "NHWC", "dilations": dilations}


def _shape_tensor(shape):
    return as_tensor(np.array(shape, dtype=np.int32))


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
           name=None):
    """2-D convolution (cross-correlation) of NHWC ``input`` with [KH, KW, C_in, C_out]
    ``filters``; extra leading dimensions of ``input`` are batch dimensions."""
    x, w = as_tensor(input), as_tensor(filters)
    attrs = _attrs("Conv2D", strides, padding, dilations, data_format)
    rank = x.shape.rank
    if rank is not None and rank > 4:
        from ndflow.ops.array_ops import reshape
        dims = x.shape.as_list()
        out = execute(CONV2D, (reshape(x, [-1] + dims[-3:]), w), attrs)
        return reshape(out, dims[:-3] + out.shape.as_list()[1:])
    return execute(CONV2D, (x, w), attrs)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """1-D convolution of NWC ``input`` with [K, C_in, C_out] ``filters`` (a conv2d over a
    height of 1)."""
    from ndflow.ops.array_ops import expand_dims, squeeze
    if data_format not in (None, "NWC"):
        U.check_format(data_format, "Conv2D")
    x, w = as_tensor(input), as_tensor(filters)
    stride = U.spatial_list(stride, "stride", n=1)
    dilations = U.spatial_list(1 if dilations is None else dilations, "dilations", n=1)
    # ExpandDims/Squeeze rather than reshapes, so unknown batch and width survive tracing.
    out = conv2d(expand_dims(x, -3), expand_dims(w, 0), [1, 1, stride[1], 1], padding,
                 dilations=[1, 1, dilations[1], 1])
    return squeeze(out, [-3])


def _depthwise_lists(strides, dilations):
    if not isinstance(strides, (list, tuple)):
        raise TypeError(f"Expected list for 'strides' argument to 'depthwise_conv2d_native' Op, "
                        f"not {strides!r}.")
    if len(strides) != 4:
        raise ValueError(f"strides must be a list of 4 ints, got {strides}")
    rate = (1, 1) if dilations is None else dilations
    rate = U.spatial_list(rate, "dilations")
    return list(strides), rate


def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """Depthwise 2-D convolution: each input channel is convolved with its own
    [KH, KW, 1, multiplier] slice of ``filter``; outputs C_in * multiplier channels."""
    strides, rate = _depthwise_lists(strides, dilations)
    attrs = _attrs("DepthwiseConv2dNative", strides, padding, rate, data_format)
    return execute(DEPTHWISE, (as_tensor(input), as_tensor(filter)), attrs)


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                    padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                                    name=None):
    """The gradient of depthwise_conv2d with respect to its input."""
    attrs = _attrs("DepthwiseConv2dNativeBackpropInput", strides, padding, dilations,
                   data_format)
    return execute(DEPTHWISE_INPUT, (as_tensor(input_sizes, D.int32), as_tensor(filter),
                                     as_tensor(out_backprop)), attrs)


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                     padding, data_format="NHWC", dilations=(1, 1, 1, 1),
                                     name=None):
    """The gradient of depthwise_conv2d with respect to its filter."""
    attrs = _attrs("DepthwiseConv2dNativeBackpropFilter", strides, padding, dilations,
                   data_format)
    return execute(DEPTHWISE_FILTER, (as_tensor(input), as_tensor(filter_sizes, D.int32),
                                      as_tensor(out_backprop)), attrs)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """The transpose (gradient) of conv2d: maps [N, H, W, C_out] ``input`` to ``output_shape``
    through [KH, KW, C_in, C_out] ``filters``."""
    attrs = _attrs("Conv2DBackpropInput", strides, padding, dilations, data_format)
    sizes = as_tensor(output_shape, D.int32)
    return execute(CONV2D_INPUT, (sizes, as_tensor(filters), as_tensor(input)), attrs)


# -- gradients ---------------------------------------------------------------------------------

def _register_conv_gradients(forward, backprop_input, backprop_filter):
    @register_gradient(forward.name)
    def _forward_grad(op, dy):
        x, w = op.inputs
        skip = op.skip_input_indices  # e.g. no input gradient for a model's first layer
        return (None if 0 in skip else
                execute(backprop_input, (_shape_tensor(x.shape.as_list()), w, dy), op.attrs),
                None if 1 in skip else
                execute(backprop_filter, (x, _shape_tensor(w.shape.as_list()), dy), op.attrs))

    @register_gradient(backprop_input.name)
    def _input_grad(op, ddx):
        _, w, dy = op.inputs
        return (None,
                execute(backprop_filter, (ddx, _shape_tensor(w.shape.as_list()), dy), op.attrs),
                execute(forward, (ddx, w), op.attrs))

    @register_gradient(backprop_filter.name)
    def _filter_grad(op, ddw):
        x, _, dy = op.inputs
        return (execute(backprop_input, (_shape_tensor(x.shape.as_list()), ddw, dy), op.attrs),
                None,
                execute(forward, (x, ddw), op.attrs))


_register_conv_gradients(CONV2D, CONV2D_INPUT, CONV2D_FILTER)
_register_conv_gradients(DEPTHWISE, DEPTHWISE_INPUT, DEPTHWISE_FILTER)
