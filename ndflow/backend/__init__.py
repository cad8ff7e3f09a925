"""Array backends. NumPy is the default (and for now the only) backend.

A backend is an array module (``xp``) plus a device name. Kernels receive ``xp`` as their first
argument and call only ``xp.*``, so a CuPy backend can later serve the same kernels.
"""
import numpy

xp = numpy
DEVICE = "/job:localhost/replica:0/task:0/device:CPU:0"
