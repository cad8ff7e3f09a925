"""Array backends. NumPy is the default (and for now the only) backend.

A backend is an array module (``xp``) plus a device name. Kernels receive ``xp`` as their first
argument and call only ``xp.*``, so a CuPy backend can later serve the same kernels.
"""
import warnings

import numpy

xp = numpy
# TensorFlow computes inf/nan silently; NumPy warns. Silence the warnings that ndflow's kernels
# trigger (and only those) instead of paying for np.errstate around every kernel call.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"ndflow\.")
DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"

from ndflow.backend.allocator import keep_freed_memory  # noqa: E402

keep_freed_memory()
