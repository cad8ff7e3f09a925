"""``TypeSpec`` and ``CompositeTensor``: values made of several component tensors.

A composite tensor (a ``SparseTensor``, a ``RaggedTensor``) is passed through ``ndflow.function``
as its component tensors: the trace cache keys it by its type spec (the value type, dtype and
static shape), the traced graph gets one placeholder per component, and the spec rebuilds the
value from the components on either side (symbolic ones while tracing, eager ones from the
compiled graph's results).
"""


class TypeSpec:
    """Describes the values of one type: what a function argument or result must be."""

    __slots__ = ()

    # Composite specs implement these; TensorSpec (a TypeSpec too) has one component: itself.
    value_type = None

    @property
    def _component_specs(self):
        """The TensorSpecs of the components, in ``_to_components`` order."""
        raise NotImplementedError

    def _to_components(self, value):
        """The component tensors of ``value``."""
        raise NotImplementedError

    def _from_components(self, components):
        """The value rebuilt from its component tensors (eager or symbolic)."""
        raise NotImplementedError

    def _key(self):
        """A hashable summary: equal keys describe the same values."""
        raise NotImplementedError

    def _with_shape(self, shape):
        """The same spec with another static shape."""
        raise NotImplementedError

    def _example(self):
        """A small eager value of this spec (for probing functions while tracing)."""
        raise NotImplementedError

    def is_compatible_with(self, spec_or_value):
        """True when ``spec_or_value`` (a value or a spec) fits this spec."""
        other = spec_or_value if isinstance(spec_or_value, TypeSpec) else \
            type_spec_from_value(spec_or_value)
        return type(other) is type(self) and self._compatible(other)

    def _compatible(self, other):
        return self._key() == other._key()

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())


class CompositeTensor:
    """A value made of component tensors, described by its ``_type_spec``."""

    __slots__ = ()

    @property
    def _type_spec(self):
        raise NotImplementedError


def type_spec_from_value(value):
    """The TypeSpec of a tensor, variable, array or composite tensor."""
    if isinstance(value, CompositeTensor):
        return value._type_spec
    from ndflow.graph.concrete import spec_of
    try:
        return spec_of(value)
    except (TypeError, AttributeError, KeyError):
        raise TypeError(f"Could not build a TypeSpec for {value!r} with type "
                        f"{type(value).__name__}") from None
