"""What ``compile`` turns its loss and metrics arguments into.

``CompileLoss`` maps losses (one, a list or a dict matching the model outputs) onto the outputs
and sums them with ``loss_weights``. ``CompileMetrics`` does the same for metrics, resolving
"accuracy"/"acc" (and "crossentropy") from the loss and the output shape as Keras does.
"""
from ndflow.util import nest


def per_output(spec, names, what):
    """``spec`` (one item for every output, a list, or a dict keyed by output name) as a list
    with one entry per output."""
    if isinstance(spec, dict):
        unknown = set(spec) - set(names)
        if unknown:
            raise ValueError(f"In the dict argument `{what}`, key(s) {sorted(unknown)} do not "
                             f"correspond to any model output. Received: {what}={spec}; "
                             f"output names: {names}")
        return [spec.get(name) for name in names]
    if isinstance(spec, (list, tuple)) and len(names) > 1:
        if len(spec) != len(names):
            raise ValueError(f"`{what}` should have the same length as the model outputs "
                             f"({len(names)}); received {len(spec)} entries.")
        return list(spec)
    return [spec] * len(names)


class CompileLoss:
    """The compiled loss: the weighted sum of one loss per model output."""

    def __init__(self, loss, loss_weights=None, output_names=None):
        self.loss = loss
        self.loss_weights = loss_weights
        self.output_names = output_names
        self._losses = None

    def _build(self, y_pred):
        outputs = nest.flatten(y_pred)
        names = self.output_names or [f"output_{i}" for i in range(len(outputs))]
        self._losses = [None if fn is None else _as_loss(fn)
                        for fn in per_output(self.loss, names, "loss")]
        weights = per_output(self.loss_weights, names, "loss_weights")
        self._weights = [1.0 if w is None else float(w) for w in weights]

    def __call__(self, y_true, y_pred, sample_weight=None):
        if self._losses is None:
            self._build(y_pred)
        preds = nest.flatten(y_pred)
        trues = _match_targets(y_true, y_pred, self.output_names)
        weights = (nest.flatten(sample_weight) if isinstance(sample_weight, (list, tuple, dict))
                   else [sample_weight] * len(preds))
        total = None
        for fn, w, yt, yp, sw in zip(self._losses, self._weights, trues, preds, weights):
            if fn is None or yt is None:
                continue
            value = _call_loss(fn, yt, yp, sw)
            value = value * w if w != 1.0 else value
            total = value if total is None else total + value
        return total


def _as_loss(identifier):
    """A Loss object: plain functions are wrapped, named after the string or the function."""
    from ndflow.keras import losses
    fn = losses.get(identifier)
    if isinstance(fn, losses.Loss):
        return fn
    name = identifier if isinstance(identifier, str) else getattr(fn, "__name__", None)
    return losses.LossFunctionWrapper(fn, name=name)


def _call_loss(fn, y_true, y_pred, sample_weight):
    return fn(y_true, y_pred, sample_weight=sample_weight)


def _match_targets(y_true, y_pred, output_names):
    preds = nest.flatten(y_pred)
    if isinstance(y_true, dict) and output_names:
        return [y_true.get(name) for name in output_names]
    if isinstance(y_true, (list, tuple)) and len(preds) > 1:
        return list(y_true)
    return [y_true]


class CompileMetrics:
    """The compiled metrics: metric objects per output, updated after every step."""

    def __init__(self, metrics=None, weighted_metrics=None, output_names=None, loss=None):
        self.metrics_arg = metrics
        self.weighted_metrics_arg = weighted_metrics
        self.output_names = output_names
        self.loss = loss
        self._per_output = None

    @property
    def built(self):
        """True once the metric objects exist (after the first update)."""
        return self._per_output is not None

    def build(self, y_true, y_pred):
        """Creates the metric objects for the given targets and predictions."""
        preds = nest.flatten(y_pred)
        trues = _match_targets(y_true, y_pred, self.output_names)
        names = self.output_names or [None] * len(preds)
        self._per_output = []
        for i, (yt, yp) in enumerate(zip(trues, preds)):
            plain = self._for_output(self.metrics_arg, i, names, yt, yp)
            weighted = self._for_output(self.weighted_metrics_arg, i, names, yt, yp)
            prefix = f"{names[i]}_" if len(preds) > 1 and names[i] else ""
            for m in plain + weighted:
                if prefix and not m.name.startswith(prefix):
                    m.name = prefix + m.name
            self._per_output.append((plain, weighted))

    def _for_output(self, spec, index, names, y_true, y_pred):
        from ndflow.keras.metrics import resolve_metric
        if spec is None:
            return []
        if isinstance(spec, dict):
            spec = spec.get(names[index], [])
        elif isinstance(spec, (list, tuple)) and spec and isinstance(spec[0], (list, tuple)):
            spec = spec[index]
        spec = spec if isinstance(spec, (list, tuple)) else [spec]
        return [resolve_metric(m, y_true, y_pred, self._loss_for(index)) for m in spec]

    def _loss_for(self, index):
        if isinstance(self.loss, (list, tuple)):
            return self.loss[index] if index < len(self.loss) else None
        if isinstance(self.loss, dict) and self.output_names:
            return self.loss.get(self.output_names[index])
        return self.loss

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Updates every metric with one batch."""
        if not self.built:
            self.build(y_true, y_pred)
        preds = nest.flatten(y_pred)
        trues = _match_targets(y_true, y_pred, self.output_names)
        for (plain, weighted), yt, yp in zip(self._per_output, trues, preds):
            if yt is None:
                continue
            for m in plain:
                m.update_state(yt, yp)
            for m in weighted:
                m.update_state(yt, yp, sample_weight=sample_weight)

    @property
    def metrics(self):
        """The metric objects, in order."""
        if not self.built:
            return []
        return [m for plain, weighted in self._per_output for m in plain + weighted]

    def reset_state(self):
        """Resets every metric."""
        for m in self.metrics:
            m.reset_state()

