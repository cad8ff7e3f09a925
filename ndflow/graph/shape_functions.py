"""Static shape functions for ops whose output shape depends on values, used while tracing.

``Graph`` infers most shapes by running the op's kernel on example inputs (see graph.py). That
cannot work for ops whose output shape depends on input values (``Unique``, one-argument
``Where``), nor for inputs of unknown rank (there are no examples), nor where the examples give
the wrong answer (a ``-1`` in a reshape of an input with unknown dimensions). For those ops this
table gives TensorFlow's static shape from the inputs' static shapes, the values known while
tracing (``GraphTensor._const``) and the attributes.

Each function takes ``(inputs, attrs)`` and returns one ``TensorShape`` per output, or None to
leave the example-based result as it is.

Shape-valued inputs: ops such as ``Reshape``, ``Fill``, ``Tile`` and ``BroadcastTo`` take their
shape as an attribute when it is known while tracing; a wrapper may instead pass a symbolic
shape tensor as an extra input (the kernels accept it positionally), and the shape functions
then read what is known of it with ``constant_value_as_shape``, as TensorFlow does.
"""
from ndflow.framework.tensor_shape import TensorShape

SHAPE_FUNCTIONS = {}

_UNKNOWN = TensorShape(None)


def _shape_function(*names):
    def decorate(fn):
        for name in names:
            SHAPE_FUNCTIONS[name] = fn
        return fn
    return decorate


def infer_shapes(op_name, inputs, attrs):
    """TensorFlow's static output shapes of ``op_name`` on these inputs, or None when the table
    has no better answer than running examples."""
    fn = SHAPE_FUNCTIONS.get(op_name)
    return None if fn is None else fn(inputs, attrs)


def constant_value_as_shape(tensor):
    """What is known while tracing of the shape held in the 1-D int tensor ``tensor``:
    constants, ``Shape`` of a partly known tensor, and ``Pack``/``ConcatV2`` of such parts
    (a ``-1`` or a value computed at run time is an unknown dimension)."""
    const = getattr(tensor, "_const", None)
    if const is not None:
        if const.ndim == 0:
            return TensorShape(None if int(const) == -1 else [None] * int(const))
        return TensorShape([None if int(d) < 0 else int(d) for d in const.reshape(-1)])
    op = getattr(tensor, "op", None)
    kind = getattr(op, "type", None)
    if kind == "Shape":
        return op.inputs[0].shape
    if kind == "Pack" and op.attrs.get("axis", 0) == 0:
        return TensorShape([_scalar_dim(t) for t in op.inputs])
    if kind == "ConcatV2":
        parts = [constant_value_as_shape(t) for t in op.inputs]
        if any(p.rank is None for p in parts):
            return _UNKNOWN
        return TensorShape([d for p in parts for d in p.dims])
    shape = tensor.shape
    if shape.rank == 1 and shape[0] is not None:
        return TensorShape([None] * shape[0])
    return _UNKNOWN


def _scalar_dim(tensor):
    const = getattr(tensor, "_const", None)
    if const is not None and const.size == 1 and int(const) >= 0:
        return int(const)
    return None


def _shape_argument(inputs, attrs, name, index):
    """The shape argument ``name``: the attribute, else the input at ``index`` (partly
    known), else unknown."""
    if name in attrs:
        return TensorShape([None if d is None or d < 0 else int(d) for d in attrs[name]])
    if len(inputs) > index:
        return constant_value_as_shape(inputs[index])
    return _UNKNOWN


# -- shape-valued arguments -------------------------------------------------------------------

@_shape_function("Reshape")
def _reshape(inputs, attrs):
    target = _shape_argument(inputs, attrs, "shape", 1)
    if target.rank is None:
        return [_UNKNOWN]
    wanted = attrs.get("shape")
    minus_one = [i for i, d in enumerate(wanted or ()) if d == -1]
    dims = list(target.dims)
    source = inputs[0].shape
    if len(minus_one) == 1 and source.is_fully_defined():
        # The one inferred dimension: what is left of the element count.
        known = 1
        for d in dims:
            known *= 1 if d is None else d
        total = source.num_elements()
        if known and total % known == 0 and sum(d is None for d in dims) == 1:
            dims[minus_one[0]] = total // known
    return [TensorShape(dims)]


@_shape_function("Fill", "BroadcastTo")
def _fill(inputs, attrs):
    return [_shape_argument(inputs, attrs, "shape", 1)]


@_shape_function("Tile")
def _tile(inputs, attrs):
    source = inputs[0].shape
    if "multiples" in attrs:
        multiples = [int(m) for m in attrs["multiples"]]
    elif len(inputs) > 1:
        multiples = constant_value_as_shape(inputs[1])
        if multiples.rank is None:
            return [TensorShape(None if source.rank is None else [None] * source.rank)]
        multiples = multiples.dims
    else:
        return None
    if source.rank is None:
        return [TensorShape([None] * len(multiples))]
    return [TensorShape([None if d is None or m is None else d * m
                         for d, m in zip(source.dims, multiples)])]


# -- value-dependent output sizes ---------------------------------------------------------------

@_shape_function("Unique")
def _unique(inputs, attrs):
    return [TensorShape([None]), inputs[0].shape]


@_shape_function("UniqueWithCounts")
def _unique_with_counts(inputs, attrs):
    return [TensorShape([None]), inputs[0].shape, TensorShape([None])]


@_shape_function("Where")
def _where(inputs, attrs):
    if len(inputs) != 1:
        return None
    return [TensorShape([None, inputs[0].shape.rank])]


@_shape_function("Range")
def _range(inputs, attrs):
    if all(getattr(t, "_const", None) is not None for t in inputs):
        return None          # computed from the values
    return [TensorShape([None])]


# -- unknown dimensions and ranks -----------------------------------------------------------------

@_shape_function("ConcatV2")
def _concat(inputs, attrs):
    shapes = [t.shape for t in inputs]
    ranked = [s for s in shapes if s.rank is not None]
    if not ranked or "axis" not in attrs:
        return [_UNKNOWN]
    rank = ranked[0].rank
    axis = attrs["axis"] % rank
    dims = []
    for d in range(rank):
        column = [s.dims[d] for s in ranked]
        if d == axis:
            dims.append(None if len(ranked) < len(shapes) or None in column else sum(column))
        else:
            known = [c for c in column if c is not None]
            dims.append(known[0] if known else None)
    return [TensorShape(dims)]


@_shape_function("Pack")
def _pack(inputs, attrs):
    # The most specific shape all inputs agree on ([None] and [3] pack to [n, 3]); the examples
    # cannot show it when they differ between inputs.
    merged = TensorShape(None)
    for t in inputs:
        merged = merged.merge_with(t.shape)
    if merged.rank is None:
        return [_UNKNOWN]
    dims = list(merged.dims)
    axis = attrs.get("axis", 0)
    dims.insert(axis % (len(dims) + 1), len(inputs))
    return [TensorShape(dims)]


@_shape_function("GatherV2")
def _gather(inputs, attrs):
    params, indices = inputs[0].shape, inputs[1].shape
    if params.rank is None or indices.rank is None:
        return [_UNKNOWN]
    axis = attrs.get("axis", 0) % max(params.rank, 1)
    batch = attrs.get("batch_dims", 0) or 0
    batch = batch + indices.rank if batch < 0 else batch
    return [TensorShape(params.dims[:axis] + indices.dims[batch:] + params.dims[axis + 1:])]


@_shape_function("Shape")
def _shape(inputs, attrs):
    return [TensorShape([inputs[0].shape.rank])]


@_shape_function("Size", "Rank")
def _scalar(inputs, attrs):
    return [TensorShape([])]


@_shape_function("Sum", "Mean", "Max", "Min", "Prod", "Any", "All", "EuclideanNorm")
def _reduction(inputs, attrs):
    source = inputs[0].shape
    axis, keepdims = attrs.get("axis"), attrs.get("keepdims", False)
    if source.rank is not None:
        return None          # the examples give it
    if axis is None and not keepdims:
        return [TensorShape([])]
    return [_UNKNOWN]

# -- unknown ranks and run-time shape arguments (issue 4) ------------------------------------

@_shape_function("Transpose", "ConjugateTranspose")
def _transpose(inputs, attrs):
    perm = attrs.get("perm")
    if inputs[0].shape.rank is not None or perm is None:
        return None
    return [TensorShape([None] * len(perm))]


@_shape_function("Squeeze")
def _squeeze(inputs, attrs):
    # Squeezing every 1 of a partly known shape: an unknown dimension may be 1 at run time.
    if attrs.get("squeeze_dims", ()) is None:
        return [_UNKNOWN]
    return None


@_shape_function("Pad", "PadV2", "MirrorPad")
def _pad(inputs, attrs):
    paddings = attrs.get("paddings")
    if paddings is not None:
        if inputs[0].shape.rank is not None:
            return None          # the examples give it
        return [TensorShape([None] * len(paddings))]
    rows = inputs[-1].shape
    source = inputs[0].shape
    rank = rows[0] if rows.rank == 2 else source.rank
    if rank is None:
        return [_UNKNOWN]
    added = _padding_rows(inputs[-1], rank)
    dims = []
    for i in range(rank):
        d = None if source.rank is None else source.dims[i]
        dims.append(None if d is None or added[i] is None else d + added[i])
    return [TensorShape(dims)]


def _padding_rows(paddings, rank):
    """Per row of a paddings tensor, before + after when known while tracing (a constant, or
    a row of a ``[[0, n], [1, 1]]`` list packed from symbolic and constant parts)."""
    const = getattr(paddings, "_const", None)
    if const is not None:
        return [int(row.sum()) for row in const]
    op = getattr(paddings, "op", None)
    if getattr(op, "type", None) != "Pack" or op.attrs.get("axis", 0) != 0:
        return [None] * rank
    rows = []
    for row in op.inputs:
        pair = constant_value_as_shape(row)
        rows.append(None if pair.rank != 2 or None in pair.dims else sum(pair.dims))
    return rows


@_shape_function("Split")
def _split(inputs, attrs):
    n, source = attrs["num_split"], inputs[0].shape
    if source.rank is None:
        return [_UNKNOWN] * n
    dims = list(source.dims)
    axis = attrs["axis"] % source.rank
    dims[axis] = None if dims[axis] is None else dims[axis] // n
    return [TensorShape(dims)] * n


@_shape_function("SplitV")
def _split_v(inputs, attrs):
    if len(inputs) == 1:
        return None              # static sizes: the examples give it
    n, source = attrs["num_split"], inputs[0].shape
    if source.rank is None:
        return [_UNKNOWN] * n
    sizes = constant_value_as_shape(inputs[1])
    axis = attrs["axis"] % source.rank
    shapes = []
    for i in range(n):
        dims = list(source.dims)
        dims[axis] = sizes.dims[i] if sizes.rank == n else None
        shapes.append(TensorShape(dims))
    return shapes


@_shape_function("RandomStandardNormal", "RandomUniform", "TruncatedNormal", "RandomUniformInt",
                 "StatelessRandomNormal", "StatelessRandomUniform", "StatelessTruncatedNormal",
                 "StatelessRandomUniformInt", "StatelessRandomUniformFullInt")
def _random(inputs, attrs):
    # The shape is the last input when it was only known at run time.
    return None if "shape" in attrs else [constant_value_as_shape(inputs[-1])]


@_shape_function("LinSpace")
def _linspace(inputs, attrs):
    if len(inputs) == 2:
        return None              # static count: the examples give it
    start, stop = inputs[0].shape, inputs[1].shape
    if start.rank is None or stop.rank is None:
        return [_UNKNOWN]
    dims = list(start.dims if start.rank >= stop.rank else stop.dims)
    if start.dims != stop.dims:
        dims = [None] * len(dims)
    dims.insert(attrs["axis"], _scalar_dim(inputs[2]))
    return [TensorShape(dims)]


@_shape_function("HistogramFixedWidth")
def _histogram(inputs, attrs):
    return [TensorShape([_scalar_dim(inputs[2])])]


@_shape_function("UnravelIndex")
def _unravel_index(inputs, attrs):
    indices, dims = inputs[0].shape, inputs[1].shape
    count = dims[0] if dims.rank == 1 else None
    if indices.rank is None:
        return [_UNKNOWN]
    return [TensorShape([count] + indices.dims)]


@_shape_function("Slice")
def _slice(inputs, attrs):
    source, begin, size = inputs[0].shape, inputs[1], inputs[2]
    sizes = getattr(size, "_const", None)
    begins = getattr(begin, "_const", None)
    if sizes is None:
        # A -1 in a partly known size vector is unknown anyway.
        return [constant_value_as_shape(size)]
    dims = []
    for i, s in enumerate(sizes.tolist()):
        if s != -1:
            dims.append(s)
        elif source.rank is None or source.dims[i] is None or begins is None:
            dims.append(None)
        else:
            dims.append(source.dims[i] - int(begins[i]))
    return [TensorShape(dims)]


# Entries for strings, sparse tensors, sets and tensor lists live in their own module.
from ndflow.graph import value_shapes  # noqa: E402,F401  (registers its entries)
