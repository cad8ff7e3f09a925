"""Runs a large element-wise update on two CPU cores.

NumPy releases the GIL inside its element-wise loops but never splits one across threads, so an
optimizer update of a big kernel keeps one core busy while the other idles. ``elementwise``
cuts same-shaped arrays in two halves and updates one half on a background thread while the
caller updates the other. Every element goes through exactly the same operations, so the result
is bit for bit the one a single call gives.
"""
import os
import threading

_MIN_SIZE = 1 << 15  # elements: below this the thread handoff costs more than it saves
_TWO_CORES = (os.cpu_count() or 1) >= 2


class _Worker:
    """One daemon thread that runs the jobs handed to it, one at a time."""

    def __init__(self):
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._job = None
        self._error = None
        threading.Thread(target=self._serve, name="ndflow-elementwise", daemon=True).start()

    def _serve(self):
        while True:
            self._go.acquire()
            kernel, arrays, params = self._job
            try:
                kernel(*arrays, *params)
            except BaseException as exc:  # handed to the caller by wait()
                self._error = exc
            self._done.release()

    def start(self, kernel, arrays, params):
        self._job = (kernel, arrays, params)
        self._go.release()

    def wait(self):
        self._done.acquire()
        error, self._error, self._job = self._error, None, None
        if error is not None:
            raise error


_WORKER = None
_BUSY = threading.Lock()  # one split update at a time (others run on their own thread)


def _reset_after_fork():
    global _WORKER, _BUSY
    _WORKER, _BUSY = None, threading.Lock()  # the child process has no worker thread


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def elementwise(kernel, arrays, params=()):
    """Calls ``kernel(*arrays, *params)``, where ``kernel`` treats the same-shaped ``arrays``
    element by element (writing into some of them), split over two threads when they are large
    and the machine has a second core."""
    global _WORKER
    if (arrays[0].size < _MIN_SIZE or not _TWO_CORES
            or not all(a.flags.c_contiguous for a in arrays)
            or not _BUSY.acquire(blocking=False)):
        kernel(*arrays, *params)
        return
    try:
        if _WORKER is None:
            _WORKER = _Worker()
        flat = [a.reshape(-1) for a in arrays]
        half = flat[0].size // 2
        _WORKER.start(kernel, [a[half:] for a in flat], params)
        try:
            kernel(*[a[:half] for a in flat], *params)
        finally:
            _WORKER.wait()
    finally:
        _BUSY.release()
