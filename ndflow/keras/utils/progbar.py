"""``Progbar``: the Keras-style progress line printed by fit/evaluate/predict."""
import sys
import time


def _format_time(seconds):
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


def _format_per_step(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class Progbar:
    """Shows steps done, a bar, elapsed time or ETA, time per step and running values."""

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self._values = {}
        self._start = time.time()
        self._last_update = 0.0
        self._seen = 0
        self._dynamic = getattr(sys.stdout, "isatty", lambda: False)()

    def update(self, current, values=None, finalize=None):
        """Records ``values`` (name -> number) at step ``current`` and redraws when due."""
        self._seen = current
        for name, value in values or []:
            self._values[name] = value
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        now = time.time()
        if self.verbose == 0 or (not finalize and now - self._last_update < self.interval):
            return
        self._last_update = now
        elapsed = now - self._start
        per_step = elapsed / max(current, 1)
        metrics = "".join(f" - {name}: {_format_value(value)}"
                          for name, value in self._values.items())
        if self.verbose == 1:
            if not self._dynamic and not finalize:
                return
            if self.target is not None:
                filled = int(self.width * current / max(self.target, 1))
                bar = "━" * filled + "─" * (self.width - filled)
                head = f"{current}/{self.target} {bar}"
            else:
                head = f"{current}"
            timing = (_format_time(elapsed) if finalize
                      else f"{_format_time(per_step * (self.target - current))} ETA"
                      if self.target else _format_time(elapsed))
            line = f"{head} {timing} {_format_per_step(per_step)}{metrics}"
            end = "\n" if finalize else ""
            sys.stdout.write(("\r" if self._dynamic else "") + line + end)
            sys.stdout.flush()
        elif self.verbose == 2 and finalize:
            line = (f"{current}/{self.target} - {_format_time(elapsed)} - "
                    f"{_format_per_step(per_step)}{metrics}")
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def add(self, n, values=None):
        """Advances by ``n`` steps."""
        self.update(self._seen + n, values)


def _format_value(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"
