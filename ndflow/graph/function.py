"""``ndflow.function``: traces a Python function into graphs, one per input signature, and runs
the compiled graph on later calls.

A call's signature key is built from its arguments: tensors and NumPy arrays by dtype and shape,
variables by dtype and shape (they are passed by reference), Python values by value, containers
by structure. The key picks a ``ConcreteFunction`` (traced on the first call with that key).
"""
import functools
import inspect
import warnings
import weakref


from ndflow.framework.context import GRAPHS
from ndflow.framework.tensor import Tensor
from ndflow.graph import config as _config
from ndflow.graph.concrete import (ConcreteFunction, components, map_leaves, signature_key,
                                   spec_of, trace)
from ndflow.graph.tensor_spec import TensorSpec
from ndflow.ops.variables import Variable
from ndflow.util import nest

_RETRACE_WARNING_AFTER = 5



class Function:
    """A Python function run as traced graphs (``ndflow.function``'s result)."""

    def __init__(self, python_function, input_signature=None, autograph=True, jit_compile=None,
                 reduce_retracing=False, name=None, autograph_options=None):
        self._python_function = python_function
        self._input_signature = (None if input_signature is None
                                 else tuple(input_signature))
        self._autograph = autograph
        self._autograph_options = autograph_options
        self._jit_compile = jit_compile
        self._reduce_retracing = reduce_retracing
        self._name = name or getattr(python_function, "__name__", "function")
        self._cache = {}
        self._concrete = []
        self._converted = None
        self._signature = _safe_signature(python_function)
        self._plain_names = _plain_parameter_names(self._signature)
        self._variables_created = False
        self._trace_count = 0
        self._instances = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function, updated=())

    python_function = property(lambda self: self._python_function,
                               doc="The original Python function.")
    input_signature = property(lambda self: self._input_signature,
                               doc="The fixed input signature, or None.")

    def experimental_get_tracing_count(self):
        """How many times the function has been traced."""
        return self._trace_count

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        try:
            bound = self._instances.get(instance)
        except TypeError:                 # an unhashable or non-weakrefable instance
            bound = None
        if bound is None:
            bound = Function(self._python_function.__get__(instance, owner),
                             self._input_signature, self._autograph, self._jit_compile,
                             self._reduce_retracing, self._name, self._autograph_options)
            try:
                self._instances[instance] = bound
            except TypeError:
                pass
        return bound

    # -- calling ------------------------------------------------------------------------------

    def __call__(self, *args, **kwargs):
        if _config.RUN_EAGERLY[0]:
            return self._python_function(*args, **kwargs)
        if GRAPHS:   # called while tracing another function: trace the body inline
            return self._traceable()(*args, **kwargs)
        concrete, flat = self._lookup(args, kwargs)
        return concrete._call_flat(flat)

    def _bind(self, args, kwargs):
        """The arguments as one tuple in parameter order (defaults filled in)."""
        names = self._plain_names
        if names is not None and not kwargs and len(args) == len(names):
            return args, names      # every parameter given by position: nothing to bind
        sig = self._signature
        if sig is None:
            return args + tuple(kwargs.values()), None
        try:
            bound = sig.bind(*args, **kwargs)
        except TypeError as exc:
            raise TypeError(f"{self._name}() {exc}") from None
        bound.apply_defaults()
        return tuple(bound.arguments.values()), tuple(bound.arguments)

    def _lookup(self, args, kwargs):
        values, names = self._bind(args, kwargs)
        if self._input_signature is not None:
            return self._signature_call(values, names)
        flat = []
        key = tuple(signature_key(v, flat) for v in values)
        concrete = self._cache.get(key)
        if concrete is None:
            concrete = self._compatible(values, flat) or self._new_trace(values, names, flat)
            self._cache[key] = concrete
        return concrete, flat

    def _compatible(self, values, flat):
        """An existing concrete function whose (relaxed) specs accept these arguments."""
        for concrete in self._concrete:
            if concrete._accepts(values, flat):
                return concrete
        return None

    def _new_trace(self, values, names, flat, specs=None):
        if specs is None and self._reduce_retracing and self._concrete:
            specs = self._relaxed_specs(values, flat)
        return self._trace(values, names, specs)

    def _relaxed_specs(self, values, flat):
        """Specs where the dimensions that differ from an earlier trace are None (composite
        arguments are not relaxed: they trace with their own specs)."""
        if len(flat) != sum(len(_leaves(v)) for v in values):
            return None
        mine = [spec_of(v) for v in flat]
        for concrete in reversed(self._concrete):
            theirs = concrete._flat_specs
            if len(theirs) != len(mine) or not concrete._same_structure(values):
                continue
            merged = [a.most_specific_common_supertype([b]) for a, b in zip(mine, theirs)]
            if all(m is not None for m in merged):
                return merged
        return None

    def _signature_call(self, values, names):
        signature = self._input_signature
        if len(values) < len(signature):
            raise TypeError(f"{self._name}() missing required arguments for the input signature "
                            f"{signature}")
        flat = []
        for i, (value, spec) in enumerate(zip(values, signature)):
            leaves = nest.flatten(value)
            specs = nest.flatten(spec)
            arg = names[i] if names else f"arg {i}"
            if len(leaves) != len(specs):
                raise TypeError(f"Binding inputs to tf.function failed: argument `{arg}` has "
                                f"structure {value!r}, expected one matching {spec!r}.")
            for leaf, leaf_spec in zip(leaves, specs):
                if not isinstance(leaf_spec, TensorSpec):      # a composite's spec
                    if not leaf_spec.is_compatible_with(leaf):
                        raise TypeError(
                            f"Binding inputs to tf.function failed: argument `{arg}` = "
                            f"{leaf!r} does not match {leaf_spec!r}.")
                    flat.extend(components(leaf))
                    continue
                tensor = leaf
                if not isinstance(leaf, (Tensor, Variable)):
                    from ndflow.framework.tensor import convert_to_tensor
                    try:
                        tensor = convert_to_tensor(leaf, dtype=leaf_spec.dtype)
                    except (TypeError, ValueError):
                        tensor = convert_to_tensor(leaf)
                if not leaf_spec.is_compatible_with(tensor):
                    raise TypeError(
                        f"Binding inputs to tf.function failed due to `Can not cast "
                        f"{TensorSpec(tensor.shape, tensor.dtype)!r} to {leaf_spec!r}`. Received "
                        f"argument `{arg}` = {TensorSpec(tensor.shape, tensor.dtype)!r}; the "
                        f"input signature expects {leaf_spec!r}.")
                flat.append(tensor)
        if not self._concrete:
            self._trace(values[:len(signature)], names, [s for sig in signature
                                                          for s in nest.flatten(sig)],
                        structure=signature)
        return self._concrete[0], flat

    # -- tracing ------------------------------------------------------------------------------

    def _traceable(self):
        if self._converted is None:
            fn = self._python_function
            if self._autograph:
                from ndflow.graph.autograph_bridge import convert
                fn = convert(fn, self._autograph_options)
            self._converted = fn
        return self._converted

    def _trace(self, values, names, specs=None, structure=None):
        from ndflow.graph.variable_ops import VariableCreationTracker
        created_before = VariableCreationTracker.created
        concrete = trace(self._name, self._traceable(), values, names, specs, structure,
                         self._signature)
        created = VariableCreationTracker.created != created_before
        if created and self._variables_created:
            raise ValueError(
                f"tf.function only supports singleton tf.Variables created on the first call. "
                f"Make sure the tf.Variable is only created once or created outside tf.function "
                f"({self._name} created variables on a later trace).")
        self._variables_created |= created or not self._concrete
        self._concrete.append(concrete)
        self._trace_count += 1
        self._warn_retracing(concrete)
        return concrete

    def _warn_retracing(self, concrete):
        if self._trace_count < _RETRACE_WARNING_AFTER or self._input_signature is not None:
            return
        previous = self._concrete[-2]
        change = concrete._difference(previous)
        warnings.warn(
            f"{self._trace_count} calls to {self._name} triggered tf.function retracing; the "
            f"latest because {change}. Tracing is expensive: pass tensors rather than Python "
            f"values, use input_signature, or reduce_retracing=True.", stacklevel=4)

    def get_concrete_function(self, *args, **kwargs):
        """The concrete function for these arguments (tensors or TensorSpecs), traced if new."""
        if self._input_signature is not None and not args and not kwargs:
            if not self._concrete:
                self._trace(self._input_signature, None,
                            [s for sig in self._input_signature for s in nest.flatten(sig)],
                            structure=self._input_signature)
            return self._concrete[0]
        if self._input_signature is not None:
            values, names = self._bind(args, kwargs)
            return self._signature_call(values, names)[0]
        return self._lookup(args, kwargs)[0]

    def __repr__(self):
        return f"<ndflow.function {self._name}>"


def _safe_signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


def function(func=None, input_signature=None, autograph=True, jit_compile=None,
             reduce_retracing=False, experimental_implements=None,
             experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None,
             experimental_follow_type_hints=None):
    """Compiles ``func`` into graphs traced per input signature; usable as a decorator."""
    relax = reduce_retracing or bool(experimental_relax_shapes)

    def decorate(fn):
        return Function(fn, input_signature, autograph, jit_compile, relax,
                        autograph_options=experimental_autograph_options)

    return decorate if func is None else decorate(func)


__all__ = ["function", "Function", "ConcreteFunction", "TensorSpec"]


def _plain_parameter_names(signature):
    """The parameter names when every parameter may be passed by position (no ``*args``,
    ``**kwargs`` or keyword-only ones), else None."""
    if signature is None:
        return None
    params = signature.parameters.values()
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
        return None
    return tuple(signature.parameters)


def _leaves(value):
    """The tensor-like leaves of one argument (a composite tensor counts as one)."""
    found = []
    map_leaves(value, found.append)
    return found
