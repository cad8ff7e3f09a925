"""``model.summary()``: the Keras 3 table of layers, output shapes and parameter counts."""
import numpy as np

_WIDTHS = (33, 24, 15)


def _size_text(count, itemsize=4):
    size = float(count * itemsize)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def _shape_text(layer):
    try:
        shape = layer.output_shape
    except (AttributeError, ValueError):
        return "?"
    if isinstance(shape, list):
        return ", ".join(str(tuple(s)) for s in shape)
    return str(tuple(shape))


def _row(cells, left="│", mid="│", right="│"):
    parts = []
    for i, (text, width) in enumerate(zip(cells, _WIDTHS)):
        text = str(text)
        parts.append(f" {text:>{width - 2}} " if i == 2 else f" {text:<{width - 2}} ")
    return left + mid.join(parts) + right


def _rule(left, mid, right, fill):
    return left + mid.join(fill * w for w in _WIDTHS) + right


def _count(weights):
    return int(sum(np.prod(w.shape.as_list()) for w in weights))


def print_summary(model, line_length=None, print_fn=None, show_trainable=False):
    """Prints (or hands to ``print_fn``) the summary table of ``model``."""
    emit = print_fn or print
    lines = [f'Model: "{model.name}"',
             _rule("┏", "┳", "┓", "━"),
             _row(("Layer (type)", "Output Shape", "Param #"), "┃", "┃", "┃"),
             _rule("┡", "╇", "┩", "━")]
    layers = model.layers
    for i, layer in enumerate(layers):
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        lines.append(_row((f"{layer.name} ({type(layer).__name__})", _shape_text(layer), params)))
        if i < len(layers) - 1:
            lines.append(_rule("├", "┼", "┤", "─"))
    lines.append(_rule("└", "┴", "┘", "─"))
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    total = trainable + non_trainable
    lines.append(f" Total params: {total:,} ({_size_text(total)})")
    lines.append(f" Trainable params: {trainable:,} ({_size_text(trainable)})")
    lines.append(f" Non-trainable params: {non_trainable:,} ({_size_text(non_trainable)})")
    for line in lines:
        emit(line)
