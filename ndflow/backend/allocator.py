"""Keeps freed NumPy buffers in the process heap for reuse (glibc only).

Eager execution allocates a fresh array for every op result. glibc serves blocks above its
mmap threshold (128 KiB at first) with fresh mappings whose pages fault in on first touch, and
returns heap tops to the system eagerly; for a training loop that allocates the same sizes every
step this costs about a quarter of the backward pass. Raising both thresholds makes freed
blocks reusable, as TensorFlow's and PyTorch's own allocators do.
"""
import ctypes
import ctypes.util

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_threshold=64 << 20, trim_threshold=256 << 20, top_pad=64 << 20):
    """Tunes glibc's malloc for repeated large allocations; a no-op on other C libraries."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return all(mallopt(option, value) == 1 for option, value in (
        (_M_MMAP_THRESHOLD, mmap_threshold), (_M_TRIM_THRESHOLD, trim_threshold),
        (_M_TOP_PAD, top_pad)))
