"""Max and average pooling in NHWC layout, with their gradient ops (MaxPoolGrad, AvgPoolGrad,
MaxPoolGradGrad), all on strided window views of the padded input."""
import numpy as np

from ndflow.framework import dtypes as D, errors
from ndflow.ops import conv_util as U
from ndflow.ops.inputs import as_tensor
from ndflow.ops.registry import execute, op_error, register, register_gradient

__all__ = []

_UNIT = (1, 1, 1, 1)


def _pad(xp, name, x, ksize, strides, padding, explicit_paddings, pad_value=0):
    """(padded x, (out_h, out_w), pads) of a pooling op."""
    if x.ndim != 4:
        raise op_error(errors.InvalidArgumentError, name,
                       f"input must be 4-dimensional: {list(x.shape)}")
    out_hw, pads = U.output_geometry(name, x.shape[1:3], ksize[1:3], strides, _UNIT, padding,
                                     explicit_paddings)
    return U.pad_input(xp, x, pads, pad_value), out_hw, pads


def _pool_windows(xp, name, x, ksize, strides, padding, explicit_paddings, pad_value=0):
    padded, out_hw, _ = _pad(xp, name, x, ksize, strides, padding, explicit_paddings,
                             pad_value)
    return U.windows(xp, padded, ksize[1:3], strides, _UNIT, out_hw)


def _lowest(x):
    return -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min


def _argmax(xp, x, y, ksize, strides, padding, explicit_paddings):
    """The row-major tap index of the first element of each window equal to its maximum ``y``
    (TensorFlow's tie rule), with the output size and the padding."""
    padded, out_hw, pads = _pad(xp, "MaxPoolGrad", x, ksize, strides, padding,
                                explicit_paddings, _lowest(x))
    taps = ksize[1] * ksize[2]
    index = xp.full(y.shape, taps - 1, dtype=xp.int32)
    for t in range(taps - 2, -1, -1):  # backwards, so the first maximum is written last
        value = U.tap(padded, t // ksize[2], t % ksize[2], strides, _UNIT, out_hw)
        xp.copyto(index, t, where=value == y)
    return index, out_hw, pads


def _max_pool_kernel(xp, x, ksize, strides, padding, explicit_paddings, data_format):
    win = _pool_windows(xp, "MaxPool", x, ksize, strides, padding, explicit_paddings,
                        _lowest(x))
    return win.max(axis=(4, 5))


def _max_pool_grad_kernel(xp, x, y, dy, ksize, strides, padding, explicit_paddings,
                          data_format):
    index, out_hw, pads = _argmax(xp, x, y, ksize, strides, padding, explicit_paddings)
    n, h, w, c = x.shape
    out = xp.zeros((n, h + pads[0] + pads[1], w + pads[2] + pads[3], c), dtype=dy.dtype)
    zero = xp.zeros((), dtype=dy.dtype)
    for t in range(ksize[1] * ksize[2]):
        U.tap(out, t // ksize[2], t % ksize[2], strides, _UNIT, out_hw)[...] += (
            xp.where(index == t, dy, zero))
    return U.crop(out, pads)


def _max_pool_grad_grad_kernel(xp, x, y, ddx, ksize, strides, padding, explicit_paddings,
                               data_format):
    index, out_hw, pads = _argmax(xp, x, y, ksize, strides, padding, explicit_paddings)
    padded = U.pad_input(xp, ddx, pads)
    out = xp.zeros(index.shape, dtype=ddx.dtype)
    for t in range(ksize[1] * ksize[2]):
        xp.copyto(out, U.tap(padded, t // ksize[2], t % ksize[2], strides, _UNIT, out_hw),
                  where=index == t)
    return out


def _window_counts(xp, in_hw, ksize, strides, padding, dtype):
    """How many real (unpadded) input elements each SAME/VALID window covers."""
    ones = xp.ones((1,) + tuple(in_hw) + (1,), dtype)
    win = _pool_windows(xp, "AvgPool", ones, ksize, strides, padding, U.NO_PADDING)
    return win.sum(axis=(4, 5))


def _avg_pool_kernel(xp, x, ksize, strides, padding, data_format):
    win = _pool_windows(xp, "AvgPool", x, ksize, strides, padding, U.NO_PADDING)
    return win.sum(axis=(4, 5)) / _window_counts(xp, x.shape[1:3], ksize, strides, padding,
                                                 x.dtype)


def _avg_pool_grad_kernel(xp, orig_input_shape, dy, ksize, strides, padding, data_format):
    shape = tuple(int(s) for s in orig_input_shape.tolist())
    out_hw, pads = U.output_geometry("AvgPoolGrad", shape[1:3], ksize[1:3], strides, _UNIT,
                                     padding, U.NO_PADDING)
    g = dy / _window_counts(xp, shape[1:3], ksize, strides, padding, dy.dtype)
    n, oh, ow, c = g.shape
    cols = xp.broadcast_to(g[:, :, :, None, None, :], (n, oh, ow) + tuple(ksize[1:3]) + (c,))
    padded = (shape[1] + pads[0] + pads[1], shape[2] + pads[2] + pads[3])
    return U.scatter_windows(xp, cols, padded, strides, _UNIT, pads)


MAX_POOL = register("MaxPool", _max_pool_kernel, allowed=D.REAL)
MAX_POOL_GRAD = register("MaxPoolGrad", _max_pool_grad_kernel, same_dtype=(0, 1, 2),
                         allowed=D.REAL)
MAX_POOL_GRAD_GRAD = register("MaxPoolGradGrad", _max_pool_grad_grad_kernel,
                              same_dtype=(0, 1, 2), allowed=D.REAL)
AVG_POOL = register("AvgPool", _avg_pool_kernel, allowed=D.FLOATING)
AVG_POOL_GRAD = register("AvgPoolGrad", _avg_pool_grad_kernel)


# -- public functions --------------------------------------------------------------------------

def _attrs(name, ksize, strides, padding, data_format, allow_explicit):
    U.check_format(data_format, name)
    ksize = U.spatial_list(ksize, "ksize")
    strides = U.spatial_list(strides, "strides")
    if ksize[0] != 1 or strides[0] != 1:
        raise op_error(errors.UnimplementedError, name,
                       "Pooling is not yet supported on the batch dimension.")
    if ksize[3] != 1 or strides[3] != 1:
        raise op_error(errors.UnimplementedError, name,
                       "Pooling over the depth dimension is not supported.")
    padding, explicit = U.parse_padding(padding, name, allow_explicit)
    attrs = {"ksize": ksize, "strides": strides, "padding": padding, "data_format": "NHWC"}
    if allow_explicit:
        attrs["explicit_paddings"] = explicit
    return attrs


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The maximum of each ksize window of NHWC ``input``, moved by ``strides``."""
    attrs = _attrs("MaxPool", ksize, strides, padding, data_format, True)
    return execute(MAX_POOL, (as_tensor(input),), attrs)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """The mean of each ksize window of NHWC ``input`` (padding is not counted)."""
    attrs = _attrs("AvgPool", ksize, strides, padding, data_format, False)
    return execute(AVG_POOL, (as_tensor(input),), attrs)


def _pool1d(pool2d, input, ksize, strides, padding, data_format):  # noqa: A002
    from ndflow.ops.array_ops import reshape
    if data_format not in (None, "NWC"):
        U.check_format(data_format, "MaxPool")
    x = as_tensor(input)
    dims = x.shape.as_list()
    ksize = U.spatial_list(ksize, "ksize", n=1)
    strides = U.spatial_list(strides, "strides", n=1)
    if isinstance(padding, (list, tuple)):
        padding = [[0, 0], [0, 0]] + [list(p) for p in padding[1:]]
    out = pool2d(reshape(x, dims[:1] + [1] + dims[1:]), [1, 1, ksize[1], 1],
                 [1, 1, strides[1], 1], padding)
    odims = out.shape.as_list()
    return reshape(out, odims[:1] + odims[2:])


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """The maximum of each window of NWC ``input``."""
    return _pool1d(max_pool2d, input, ksize, strides, padding, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """The mean of each window of NWC ``input``."""
    return _pool1d(avg_pool2d, input, ksize, strides, padding, data_format)


def _pool_nd(pool1d, pool2d, input, ksize, strides, padding, data_format):  # noqa: A002
    x = as_tensor(input)
    rank = x.shape.rank
    if rank == 3:
        return pool1d(x, ksize, strides, padding, "NWC" if data_format is None else data_format)
    if rank == 4:
        return pool2d(x, ksize, strides, padding, "NHWC" if data_format is None else data_format)
    raise ValueError(f"`input` must have rank 3 or 4 (3-D pooling is not supported). "
                     f"Received: input.shape={x.shape}")


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Max pooling over the spatial dimensions of a rank-3 (NWC) or rank-4 (NHWC) input."""
    return _pool_nd(max_pool1d, max_pool2d, input, ksize, strides, padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Average pooling over the spatial dimensions of a rank-3 (NWC) or rank-4 (NHWC) input."""
    return _pool_nd(avg_pool1d, avg_pool2d, input, ksize, strides, padding, data_format)


# -- gradients ---------------------------------------------------------------------------------

def _zeros(x):
    from ndflow.ops.array_ops import zeros_like
    return zeros_like(x)


@register_gradient("MaxPool")
def _max_pool_grad(op, dy):
    x = op.inputs[0]
    return (execute(MAX_POOL_GRAD, (x, op.outputs, dy), op.attrs),)


@register_gradient("MaxPoolGrad")
def _max_pool_grad_grad(op, ddx):
    x, y, _ = op.inputs
    return _zeros(x), _zeros(y), execute(MAX_POOL_GRAD_GRAD, (x, y, ddx), op.attrs)


@register_gradient("MaxPoolGradGrad")
def _max_pool_grad_grad_grad(op, g):
    x, y, _ = op.inputs
    return _zeros(x), _zeros(y), execute(MAX_POOL_GRAD, (x, y, g), op.attrs)


@register_gradient("AvgPool")
def _avg_pool_grad(op, dy):
    x = op.inputs[0]
    shape = as_tensor(np.array(x.shape.as_list(), dtype=np.int32))
    return (execute(AVG_POOL_GRAD, (shape, dy), op.attrs),)


@register_gradient("AvgPoolGrad")
def _avg_pool_grad_grad(op, ddx):
    return None, execute(AVG_POOL, (ddx,), op.attrs)
