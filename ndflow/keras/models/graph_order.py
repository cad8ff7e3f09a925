"""The order Keras 3 gives a functional model's layers: layers by decreasing depth (the longest
path to an output), ties in the order a depth-first walk from the outputs meets them. Keras lists
``model.layers``, weights, configs and the summary in this order."""


def functional_graph(model):
    """(layers in Keras order, {depth: [nodes]}) for a functional model.

    Keras walks from the outputs depth first, numbering layers as it meets them; each node's
    depth is the longest path to an output; layers are listed by decreasing depth, ties in
    that numbering.
    """
    input_ids = {id(t) for t in model.inputs}
    layer_index, finished, post_order = {}, set(), []

    def visit(tensor):
        node = tensor._node
        if node is None or id(node) in finished:
            return
        layer_index.setdefault(id(node.layer), len(layer_index))
        if id(tensor) not in input_ids:
            for parent in node.input_tensors:
                visit(parent)
        finished.add(id(node))
        post_order.append(node)

    for tensor in model.outputs:
        visit(tensor)
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(post_order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        layers[id(node.layer)] = node.layer
        for parent in node.input_tensors:
            if parent._node is not None:
                key = id(parent._node)
                node_depth[key] = max(depth + 1, node_depth.get(key, 0))
    for tensor in model.inputs:  # unused inputs still appear, at depth 0
        layer = tensor._node.layer
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], layer_index[id(layer)] = 0, -1
            node_depth[id(tensor._node)] = 0
            layers[id(layer)] = layer
            post_order.append(tensor._node)
    ordered = sorted(layers.values(),
                     key=lambda layer: (-layer_depth[id(layer)], layer_index[id(layer)]))
    nodes_by_depth = {}
    for node in post_order:
        nodes_by_depth.setdefault(node_depth[id(node)], []).append(node)
    return ordered, nodes_by_depth
