"""``model.summary()``: the Keras 3 table of layers, output shapes, parameter counts and (for
branching functional models) connections, laid out character for character as Keras 3 prints
it through Rich: column widths from ``line_length`` and ``positions``, words wrapped inside
cells, lines cropped at the terminal width, and the whole text handed to ``print_fn`` at once.
"""
import math
import re
import shutil

from ndflow.keras.utils.summary_layout import ordered_layers, render_table

_DTYPE_BITS = {"bool": 8, "string": 8}


def _bits(dtype):
    name = getattr(dtype, "name", str(dtype))
    if name in _DTYPE_BITS:
        return _DTYPE_BITS[name]
    digits = re.findall(r"\d+", name)
    return int(digits[-1]) if digits else 32


def count_params(weights):
    """The number of scalars in ``weights``."""
    return int(sum(math.prod(v.shape.as_list()) for v in weights))


def weight_memory_size(weights):
    """Bytes taken by ``weights`` (each counted once), from their dtypes."""
    unique = {id(w): w for w in weights}.values()
    return sum(math.prod(w.shape.as_list()) * _bits(w.dtype) for w in unique) / 8


def readable_memory_size(size):
    """'52.00 B', '1.50 KB', ... (powers of 1024)."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _format_shape(shape):
    # Keras joins the dimensions, so a rank-1 shape prints as "(None)" without a comma.
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _format_layer_shape(layer):
    nodes = layer._inbound_nodes
    if not nodes and not layer._build_shapes:
        return "?"
    from ndflow.util import nest
    if nodes:
        outputs = nodes[-1].outputs  # Keras keeps the shapes of the last call
        shapes = nest.map_structure(lambda t: _format_shape(t.shape), outputs)
    else:
        try:
            shape = layer.compute_output_shape(layer._build_shapes)
        except Exception:  # the shape is only informative here: unknown prints as "?"
            return "?"
        shapes = _format_shape(shape) if _is_shape(shape) else nest.map_structure(
            _format_shape, shape)
    flat = nest.flatten(shapes)
    if len(flat) == 1:
        return flat[0]
    return str(shapes).replace("'", "")


def _is_shape(value):
    return isinstance(value, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in value)


def _connections(layer, relevant_nodes):
    parts = []
    for node in layer._inbound_nodes:
        if relevant_nodes and all(node is not n for n in relevant_nodes):
            continue  # a call made outside this model
        for tensor in node.input_tensors:
            producer = tensor._node.layer
            node_index = next(i for i, n in enumerate(producer._inbound_nodes)
                              if n is tensor._node)
            parts.append(f"{producer.name}[{node_index}][{tensor._index}]")
    return ", ".join(parts) or "-"


def _layer_fields(layer, prefix, connected_nodes, show_trainable):
    name = f"{prefix}{layer.name} ({type(layer).__name__})"
    if not layer.built:
        params = "0 (unbuilt)"
    else:
        params = f"{layer.count_params():,}"
    fields = [name, _format_layer_shape(layer), params]
    if connected_nodes is not None:
        fields.append(_connections(layer, connected_nodes))
    if show_trainable:
        fields.append(("Y" if layer.trainable else "N") if layer.weights else "-")
    return fields


def _rows(layer, level, connected_nodes, show_trainable, expand_nested):
    prefix = "   " * level + "└ " if level else ""
    rows = [_layer_fields(layer, prefix, connected_nodes, show_trainable)]
    if expand_nested and getattr(layer, "layers", None):
        for inner in layer.layers:
            rows.extend(_rows(inner, level + 1, connected_nodes, show_trainable,
                              expand_nested))
    return rows


def _layer_range_bounds(layers, layer_range):
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    starts = [i for i, layer in enumerate(layers) if re.match(layer_range[0], layer.name)]
    ends = [i for i, layer in enumerate(layers) if re.match(layer_range[1], layer.name)]
    if not starts or not ends:
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if starts[0] > ends[-1] + 1:
        raise ValueError("layer_range[1] must come after layer_range[0] in the model. "
                         f"Received: {layer_range}")
    return starts[0], ends[-1] + 1


def summary_text(model, line_length=None, positions=None, expand_nested=False,
                 show_trainable=False, layer_range=None):
    """The summary of ``model`` as Keras 3 prints it (one string, lines ending in '\\n')."""
    layers, connected_nodes = ordered_layers(model)
    if connected_nodes is None:
        default_length, positions = 88, positions or [0.45, 0.80, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length, positions = 108, positions or [0.3, 0.56, 0.74, 1.0]
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    terminal = shutil.get_terminal_size().columns
    line_length = line_length or min(default_length, terminal - 4)
    widths, current = [], 0
    for position in positions:
        width = int(position * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        widths.append(width)
        current += width
    start, stop = _layer_range_bounds(layers, layer_range)
    rows = []
    for layer in layers[start:stop]:
        rows.extend(_rows(layer, 0, connected_nodes, show_trainable, expand_nested))
    lines = [f'Model: "{model.name}"']
    lines += render_table(header, justify, widths, rows, line_length)
    trainable = list(model.trainable_weights)
    non_trainable = list(model.non_trainable_weights)
    optimizer = getattr(model, "optimizer", None)
    optimizer_built = bool(getattr(model, "compiled", False) and optimizer is not None and
                           getattr(optimizer, "built", False))
    optimizer_vars = list(optimizer.variables) if optimizer_built else []
    counts = [count_params(trainable), count_params(non_trainable), count_params(optimizer_vars)]
    sizes = [weight_memory_size(trainable), weight_memory_size(non_trainable),
             weight_memory_size(optimizer_vars)]
    lines.append(f" Total params: {sum(counts):,} ({readable_memory_size(sum(sizes))})")
    lines.append(f" Trainable params: {counts[0]:,} ({readable_memory_size(sizes[0])})")
    lines.append(f" Non-trainable params: {counts[1]:,} ({readable_memory_size(sizes[1])})")
    if optimizer_built:
        lines.append(f" Optimizer params: {counts[2]:,} ({readable_memory_size(sizes[2])})")
    # The console crops every line at the terminal width, as Rich does for Keras.
    return "".join(line[:terminal] + "\n" for line in lines)


def print_summary(model, line_length=None, positions=None, print_fn=None, expand_nested=False,
                  show_trainable=False, layer_range=None):
    """Prints the summary of ``model``, or hands the whole text to ``print_fn`` in one call."""
    text = summary_text(model, line_length=line_length, positions=positions,
                        expand_nested=expand_nested, show_trainable=show_trainable,
                        layer_range=layer_range)
    if print_fn is None:
        print(text, end="")
    else:
        print_fn(text)
