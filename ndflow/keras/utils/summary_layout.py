"""Layout pieces of ``model.summary()``: the order Keras 3 lists a functional model's layers in
(deepest first, ties in discovery order), and a plain-text table drawn the way Rich draws
Keras' summary (heavy header box, a rule between rows, word-wrapped cells)."""
import re

from ndflow.keras.models.graph_order import functional_graph

_WORD = re.compile(r"\s*\S+\s*")


# -- layer order ------------------------------------------------------------------------------

def ordered_layers(model):
    """(layers to list, the model's nodes) -- nodes is None when the table needs no
    "Connected to" column (Sequential, subclassed and chain-like functional models)."""
    from ndflow.keras.models.functional import Functional
    from ndflow.keras.models.sequential import Sequential
    if isinstance(model, Sequential) or not isinstance(model, Functional):
        return list(model.layers), None
    layers, nodes_by_depth = functional_graph(model)
    nodes = [n for depth_nodes in nodes_by_depth.values() for n in depth_nodes]
    chain_like = all(len(v) == 1 and len(v[0].input_tensors) <= 1
                     for v in nodes_by_depth.values())
    if chain_like:
        node_ids = {id(n) for n in nodes}
        chain_like = all(sum(id(n) in node_ids for n in layer._inbound_nodes) <= 1
                         for layer in layers)
    return layers, None if chain_like else nodes


# -- table ------------------------------------------------------------------------------------

def _ratio_reduce(total, widths):
    """Takes ``total`` cells away from ``widths``, evenly, left to right (Rich's rule)."""
    remaining_ratio, remaining, out = len(widths), total, []
    for width in widths:
        taken = min(width, round(remaining / remaining_ratio))
        out.append(width - taken)
        remaining -= taken
        remaining_ratio -= 1
    return out


def wrap(text, width):
    """``text`` split into lines of at most ``width`` cells at spaces; a word longer than a
    line gets a line of its own, cut with an ellipsis (Rich's default overflow)."""
    breaks, offset = [], 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width or offset:
            if start:
                breaks.append(start)
            offset = len(word)
    bounds = [0] + breaks + [len(text)]
    lines = [text[a:b].rstrip() for a, b in zip(bounds, bounds[1:])] or [""]
    return [line if len(line) <= width else line[:max(width - 1, 0)] + "…" for line in lines]


def _justify(text, width, how):
    if how == "right":
        return text.rjust(width)
    if how == "center":
        left = (width - len(text)) // 2
        return " " * left + text + " " * (width - len(text) - left)
    return text.ljust(width)


def _row_lines(cells, widths, justify, edge):
    wrapped = [wrap(str(cell), w) for cell, w in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for i in range(height):
        parts = [" " + _justify(lines[i] if i < len(lines) else "", w, how) + " "
                 for lines, w, how in zip(wrapped, widths, justify)]
        out.append(edge + edge.join(parts) + edge)
    return out


def render_table(header, justify, widths, rows, line_length):
    """The table's lines: columns ``widths`` wide (plus one space of padding each side),
    shrunk evenly when the line (borders included) would exceed ``line_length``."""
    cells = [w + 2 for w in widths]
    available = line_length - (len(cells) + 1)
    if sum(cells) > available:
        cells = _ratio_reduce(sum(cells) - available, cells)
    inner = [max(c - 2, 0) for c in cells]

    def rule(left, mid, right, fill):
        return left + mid.join(fill * c for c in cells) + right
    lines = [rule("┏", "┳", "┓", "━")]
    lines += _row_lines(header, inner, justify, "┃")
    lines.append(rule("┡", "╇", "┩", "━"))
    for i, row in enumerate(rows):
        if i:
            lines.append(rule("├", "┼", "┤", "─"))
        lines += _row_lines(row, inner, justify, "│")
    lines.append(rule("└", "┴", "┘", "─"))
    return lines
