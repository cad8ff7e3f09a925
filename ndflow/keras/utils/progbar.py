"""``Progbar``: the Keras-style progress line printed by fit/evaluate/predict."""
import sys
import time

from ndflow.keras.utils.io_utils import is_interactive_logging_enabled, print_msg


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
                 stateless_metrics=None, unit_name="step"):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Pass at most one of `stateful_metrics` (shown as given; the others "
                             "are averaged) and `stateless_metrics` (averaged; the others are "
                             "shown as given).")
        # Exactly one of the two sets is kept: it names the exceptions to the default.
        if stateless_metrics is not None:
            self.stateful_metrics, self.stateless_metrics = None, set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics or ())
            self.stateless_metrics = None
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self._values = {}
        self._start = time.time()
        self._last_update = 0.0
        self._seen = 0
        # Redrawn in place only on a terminal, and only while messages go to stdout.
        self._dynamic = (is_interactive_logging_enabled()
                         and getattr(sys.stdout, "isatty", lambda: False)())

    def update(self, current, values=None, finalize=None):
        """Records ``values`` (name -> number) at step ``current`` and redraws when due."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            if self.stateful_metrics is not None:
                averaged = name not in self.stateful_metrics
            else:
                averaged = name in self.stateless_metrics
            if averaged and not finalize:
                # A per-step value: the display is its mean over the steps seen, each
                # weighted by the steps it stands for.
                steps = max(current - self._seen, 1)
                total, count = self._values.get(name, (0.0, 0))
                self._values[name] = (total + float(value) * steps, count + steps)
            else:
                self._values[name] = (value, 1)
        self._seen = current
        now = time.time()
        if self.verbose == 0 or (not finalize and now - self._last_update < self.interval):
            return
        self._last_update = now
        elapsed = now - self._start
        per_step = elapsed / max(current, 1)
        metrics = "".join(f" - {name}: {_format_value(_mean(total, count))}"
                          for name, (total, count) in self._values.items())
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
            print_msg(("\r" if self._dynamic else "") + line + end, line_break=False)
        elif self.verbose == 2 and finalize:
            line = (f"{current}/{self.target} - {_format_time(elapsed)} - "
                    f"{_format_per_step(per_step)}{metrics}")
            print_msg(line)

    def add(self, n, values=None):
        """Advances by ``n`` steps."""
        self.update(self._seen + n, values)


def _mean(total, count):
    return total if count == 1 else total / count


def _format_value(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if abs(value) >= 1e-3 or value == 0 else f"{value:.4e}"
