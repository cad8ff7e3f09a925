"""Per-axis resampling weights reproducing ``tf.image.resize`` (TensorFlow's kernels).

Every method except 'nearest' is linear and separable, so resizing one axis is a [out, in]
matrix product; this module computes those matrices with NumPy (they are constants, the images
stay ndflow tensors, so resizing is differentiable). Positions are computed in float32 as
TensorFlow's kernels do, so sample positions, window ends and table lookups agree with it.

- 'bilinear' (ResizeBilinear, half-pixel centres): two neighbours, indices clamped.
- 'nearest' (ResizeNearestNeighbor, half-pixel centres): an index per output position.
- 'bicubic' (ResizeBicubic, half-pixel centres): Keys' cubic (a = -0.5) read from a 1024-step
  table; taps outside the image get weight 0 and the rest are renormalised.
- 'area' (ResizeArea): each output averages the input cells its footprint covers, weighted by
  the covered fraction.
- 'lanczos3', 'lanczos5' and every method with ``antialias=True`` (ScaleAndTranslate): a kernel
  centred on each sample position, normalised to sum 1; with antialiasing the kernel is widened
  by the downscaling factor.
"""
import numpy as np

_F = np.float32
_KEYS_A = _F(-0.5)
_TABLE_STEPS = 1024


def _keys_cubic(x):
    """Keys' cubic convolution kernel (a = -0.5) at distances ``x`` >= 0 (float32)."""
    a = _KEYS_A
    near = ((a + _F(2)) * x - (a + _F(3))) * x * x + _F(1)
    far = ((a * x - _F(5) * a) * x + _F(8) * a) * x - _F(4) * a
    return np.where(x < 1, near, np.where(x < 2, far, _F(0))).astype(_F)


def _triangle(x):
    return np.maximum(_F(1) - x, _F(0)).astype(_F)


def _lanczos(radius):
    def kernel(x):
        radius_f = _F(radius)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = (radius_f * np.sin(_F(np.pi) * x) * np.sin(_F(np.pi) * x / radius_f)
                     / (_F(np.pi) * _F(np.pi) * x * x)).astype(_F)
        # TensorFlow treats distances within 1e-3 of zero as zero (weight 1).
        return np.where(x > radius_f, _F(0), np.where(x <= _F(1e-3), _F(1), value)).astype(_F)
    return kernel


# method -> (kernel, radius) for ScaleAndTranslate.
_KERNELS = {"bilinear": (_triangle, 1), "bicubic": (_keys_cubic, 2),
            "lanczos3": (_lanczos(3), 3), "lanczos5": (_lanczos(5), 5)}


def nearest_indices(size, out):
    """Source index of each output position for the half-pixel nearest resize."""
    scale = _F(size) / _F(out)
    index = np.floor((np.arange(out, dtype=_F) + _F(0.5)) * scale)
    return np.clip(index.astype(np.int64), 0, size - 1)


def _bilinear(size, out):
    scale = _F(size) / _F(out)
    centers = (np.arange(out, dtype=_F) + _F(0.5)) * scale - _F(0.5)
    floor = np.floor(centers)
    lerp = (centers - floor).astype(np.float64)
    lower = np.clip(floor.astype(np.int64), 0, size - 1)
    upper = np.clip(np.ceil(centers).astype(np.int64), 0, size - 1)
    matrix = np.zeros((out, size))
    np.add.at(matrix, (np.arange(out), lower), 1.0 - lerp)
    np.add.at(matrix, (np.arange(out), upper), lerp)
    return matrix


def _bicubic(size, out):
    scale = _F(size) / _F(out)
    centers = (np.arange(out, dtype=_F) + _F(0.5)) * scale - _F(0.5)
    base = np.floor(centers)
    # The fractional offset is rounded to the 1024-step table TensorFlow reads it from.
    step = np.rint((centers - base) * _F(_TABLE_STEPS)).astype(_F) / _F(_TABLE_STEPS)
    distances = np.stack([step + 1, step, 1 - step, 2 - step], axis=1).astype(_F)
    taps = base.astype(np.int64)[:, None] + np.arange(-1, 3)
    weights = np.where((taps >= 0) & (taps < size), _keys_cubic(distances), _F(0))
    total = weights.sum(axis=1, dtype=_F, keepdims=True)
    weights = np.where(np.abs(total) >= 1000 * np.finfo(_F).tiny, weights / total, weights)
    matrix = np.zeros((out, size))
    np.add.at(matrix, (np.repeat(np.arange(out), 4), np.clip(taps, 0, size - 1).ravel()),
              weights.ravel())
    return matrix


def _area(size, out):
    scale = _F(size) / _F(out)
    matrix = np.zeros((out, size))
    for o in range(out):
        start, stop = _F(o) * scale, _F(o + 1) * scale
        for i in range(int(np.floor(start)), int(np.ceil(stop))):
            covered = min(_F(i + 1), stop) - max(_F(i), start)
            matrix[o, min(i, size - 1)] += covered / scale
    return matrix


def _scale_and_translate(size, out, method, antialias):
    kernel, radius = _KERNELS[method]
    inv_scale = _F(1) / (_F(out) / _F(size))
    kernel_scale = max(inv_scale, _F(1)) if antialias else _F(1)
    reach = _F(radius) * kernel_scale
    matrix = np.zeros((out, size))
    for o in range(out):
        sample = (_F(o) + _F(0.5)) * inv_scale
        if sample < 0 or sample > size:
            continue
        first = min(max(int(np.ceil(sample - reach - _F(0.5))), 0), size - 1)
        last = min(max(int(np.floor(sample + reach - _F(0.5))), 0), size - 1)
        sources = np.arange(first, last + 1)
        weights = kernel(np.abs((sources.astype(_F) + _F(0.5) - sample) / kernel_scale))
        total = weights.sum(dtype=_F)
        if abs(total) >= 1000 * np.finfo(_F).eps:
            weights = weights / total
        matrix[o, sources] = weights
    return matrix


def resize_matrix(size, out, method, antialias=False):
    """The [out, size] matrix resizing one axis from ``size`` to ``out`` samples with
    ``method`` ('bilinear', 'bicubic', 'area', 'lanczos3' or 'lanczos5'), as tf.image.resize
    does; ``antialias`` widens the kernel when downscaling (no effect on 'area')."""
    if method == "area":
        return _area(size, out)
    if antialias or method.startswith("lanczos"):
        return _scale_and_translate(size, out, method, antialias)
    if method == "bicubic":
        return _bicubic(size, out)
    return _bilinear(size, out)
