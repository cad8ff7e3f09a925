"""``InputSpec``: what a layer accepts (dtype, rank bounds, shape, fixed axis sizes)."""


class InputSpec:
    """Describes the inputs a layer accepts; ``assert_input_compatibility`` checks them.

    ``shape`` (with None for free dimensions) fixes the rank too; ``axes`` maps an axis
    (negative counts from the end) to its required size.
    """

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None, allow_last_axis_squeeze=False, name=None, optional=False):
        self.dtype = None if dtype is None else _dtype_name(dtype)
        if shape is not None:
            self.ndim = len(shape)
            self.shape = tuple(shape)
        else:
            self.ndim = ndim
            self.shape = None
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.name = name
        self.optional = optional
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        axes = axes or {}
        if not all(isinstance(k, int) for k in axes):
            raise TypeError("Argument `axes` must be a dict with integer keys. "
                            f"Received: axes={axes}")
        self.axes = dict(axes)
        if self.axes and (self.ndim is not None or self.max_ndim is not None):
            # The largest axis a rank (or rank bound) allows, checked up front as Keras does.
            max_dim = (self.ndim if self.ndim is not None else self.max_ndim) - 1
            if max(self.axes) > max_dim:
                raise ValueError(f"Axis {max(self.axes)} is greater than the maximum allowed "
                                 f"value: {max_dim}")

    def __repr__(self):
        parts = [f"dtype={self.dtype}" if self.dtype else "",
                 f"shape={self.shape}" if self.shape else "",
                 f"ndim={self.ndim}" if self.ndim is not None else "",
                 f"max_ndim={self.max_ndim}" if self.max_ndim is not None else "",
                 f"min_ndim={self.min_ndim}" if self.min_ndim is not None else "",
                 f"axes={self.axes}" if self.axes else ""]
        return f"InputSpec({', '.join(p for p in parts if p)})"

    def get_config(self):
        """The constructor arguments as a dict (Keras 3 keys)."""
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
                "optional": self.optional}

    @classmethod
    def from_config(cls, config):
        """Rebuilds an InputSpec from ``get_config``'s dict."""
        return cls(**config)


def _dtype_name(dtype):
    return getattr(dtype, "name", None) or str(dtype)


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises ValueError naming the layer when ``inputs`` do not meet ``input_spec``.

    ``input_spec`` is an InputSpec, a list of them (one per input) or None.
    """
    if not input_spec:
        return
    specs = list(input_spec) if isinstance(input_spec, (list, tuple)) else [input_spec]
    flat = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    if len(flat) != len(specs):
        raise ValueError(f"Layer '{layer_name}' expects {len(specs)} input(s), but it received "
                         f"{len(flat)} input tensors. Inputs received: {inputs}")
    for index, (x, spec) in enumerate(zip(flat, specs)):
        if spec is None or (x is None and spec.optional):
            continue
        shape = tuple(x.shape.as_list()) if hasattr(x.shape, "as_list") else tuple(x.shape)
        where = f"Input {index} of layer '{layer_name}' is incompatible with the layer"
        rank = len(shape)
        if spec.ndim is not None and not spec.allow_last_axis_squeeze and rank != spec.ndim:
            raise ValueError(f"{where}: expected ndim={spec.ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(f"{where}: expected max_ndim={spec.max_ndim}, found ndim={rank}")
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(f"{where}: expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                             f"Full shape received: {shape}")
        if spec.dtype is not None and _dtype_name(x.dtype) != spec.dtype:
            raise ValueError(f"{where}: expected dtype={spec.dtype}, found "
                             f"dtype={_dtype_name(x.dtype)}")
        for axis, size in spec.axes.items():
            actual = shape[axis] if -rank <= axis < rank else None
            if size is not None and actual not in (size, None):
                raise ValueError(f"{where}: expected axis {axis} of input shape to have value "
                                 f"{size}, but received input with shape {shape}")
        if spec.shape is not None and not spec.allow_last_axis_squeeze:
            for want, got in zip(spec.shape, shape):
                if want is not None and got is not None and want != got:
                    raise ValueError(f"{where}: expected shape={spec.shape}, found "
                                     f"shape={shape}")
