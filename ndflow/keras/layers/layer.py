"""``Layer``: the base of every Keras layer and model.

A layer's life: ``__init__`` stores configuration, ``build(input_shape)`` creates weights on the
first call, ``call`` computes, ``get_config`` describes it. Sublayers and weights assigned as
attributes (also inside lists, tuples and dicts) are found by walking the attributes in the order
they were set, so there is no separate tracking structure to keep in sync.
"""
import inspect
import threading

import numpy as np

import ndflow as nd
from ndflow.framework import dtypes as _dtypes
from ndflow.framework.tensor import EagerTensor, Tensor
from ndflow.keras import backend
from ndflow.keras.variables import KerasVariable
from ndflow.util import nest
from ndflow.util.tracking import collect
from ndflow.keras.layers.dtype_policy import DTypePolicy, policy  # noqa: F401
from ndflow.keras.layers.input_spec import assert_input_compatibility
from ndflow.keras.layers.name_scope import _scope_stack, _scoped_build
from ndflow.keras.layers.tracking import _STRUCTURE, TrackedDict, TrackedList, structure_changed  # noqa: F401,E501


class _Context(threading.local):
    """Per-thread call state: the stack of layers being called and the inherited ``training``."""

    def __init__(self):
        self.stack = []
        self.training = None


_CONTEXT = _Context()
_SIMPLE_TYPES = (bool, int, float, str, type(None))


_FLOATING_MASK = _dtypes.mask(_dtypes.FLOATING)


def _is_simple(value):
    if isinstance(value, _SIMPLE_TYPES):
        return True
    if isinstance(value, (list, tuple)):
        return all(_is_simple(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_simple(v) for k, v in value.items())
    return False


class Layer:
    """Base class of layers: weights, sublayers, losses, building and calling."""

    _keras_module = "keras.layers"
    input_spec = None  # an InputSpec (or a list of them) that inputs are checked against

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_scoped", False):
            cls.build = _scoped_build(build)

    def __new__(cls, *args, **kwargs):
        layer = super().__new__(cls)
        # Remember the constructor arguments, so that a layer whose __init__ takes only simple
        # values gets a working get_config without writing one.
        try:
            bound = inspect.signature(cls.__init__).bind(None, *args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            arguments.pop(next(iter(arguments)))  # self
            extra = arguments.pop("kwargs", {}) if "kwargs" in arguments and isinstance(
                arguments.get("kwargs"), dict) else {}
            arguments.update(extra)
            arguments.pop("args", None)
        except TypeError:
            arguments = None
        object.__setattr__(layer, "_constructor_arguments", arguments)
        return layer

    def __init__(self, trainable=True, name=None, dtype=None, autocast=True,
                 input_dim=None, input_shape=None, batch_input_shape=None, batch_size=None,
                 **kwargs):
        unknown = set(kwargs) - {"dynamic", "activity_regularizer", "weights"}
        if unknown:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{kwargs}")
        self._trainable = bool(trainable)
        self.name = name or backend.unique_name(backend.to_snake_case(type(self).__name__))
        self._dtype_policy = policy(dtype)
        self.autocast = autocast
        self.built = False
        self._own_losses = []
        self._own_metrics = []
        self._weights_created = []
        self.supports_masking = False
        self.dynamic = kwargs.get("dynamic", False)
        self.activity_regularizer = kwargs.get("activity_regularizer")
        self._initial_weights = kwargs.get("weights")
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (batch_size,) + tuple(input_shape)
        else:
            self._batch_input_shape = None
        self._inbound_nodes = []
        self._build_shapes = None

    # -- dtypes ---------------------------------------------------------------------------------

    dtype_policy = property(lambda self: self._dtype_policy, doc="The layer's DTypePolicy.")
    dtype = property(lambda self: self._dtype_policy.variable_dtype,
                     doc="The dtype of the layer's weights.")
    compute_dtype = property(lambda self: self._dtype_policy.compute_dtype,
                             doc="The dtype the layer computes in (floating inputs are cast).")
    variable_dtype = property(lambda self: self._dtype_policy.variable_dtype,
                              doc="The dtype of the layer's weights.")

    # -- weights --------------------------------------------------------------------------------

    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True,
                   autocast=True, regularizer=None, constraint=None, aggregation="none",
                   overwrite_with_gradient=False, name=None):
        """Creates a weight variable of this layer and tracks it."""
        from ndflow.keras import constraints, initializers, regularizers
        dtype = nd.as_dtype(dtype or self.variable_dtype)
        shape = tuple(nd.TensorShape(shape or ()).as_list())
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        initializer = initializers.get(initializer)
        # The path joins the enclosing name scopes (models/layers being built), this layer's
        # name and the weight's, as Keras 3 does.
        scope = _scope_stack()
        names = [layer.name for layer in scope]
        if not scope or scope[-1] is not self:
            names.append(self.name)
        path = "/".join(names + [name or "variable"])
        variable = KerasVariable(lambda s, dtype: initializer(s, dtype=dtype), shape=shape,
                                 dtype=dtype, trainable=trainable, name=name or "variable",
                                 path=path,
                                 regularizer=regularizers.get(regularizer),
                                 constraint=constraints.get(constraint))
        self._weights_created.append(variable)
        return variable

    def __setattr__(self, name, value):
        if name not in _UNTRACKED:
            if type(value) is list:
                value = TrackedList(value)
            elif type(value) is dict:
                value = TrackedDict(value)
            structure_changed()
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        structure_changed()
        object.__delattr__(self, name)

    def _tracked_children(self):
        """Sublayers and variables in attribute order (lists, tuples and dicts included);
        cached until any layer structure changes."""
        cache = self.__dict__.get("_children_cache")
        if cache is not None and cache[0] == _STRUCTURE[0]:
            return cache[1]
        result = self._find_children()
        object.__setattr__(self, "_children_cache", (_STRUCTURE[0], result))
        return result

    def _find_children(self):
        values = [v for k, v in vars(self).items() if k not in _UNTRACKED]
        layers, variables = collect(values + list(self._weights_created), (Layer, nd.Variable))
        return layers, variables

    @property
    def _layers(self):
        return self._tracked_children()[0]

    def _collect_weights(self, out, seen, parent_trainable=True):
        """Appends (variable, is_trainable) pairs: own weights first, then sublayers'."""
        trainable = parent_trainable and self.trainable
        layers, variables = self._tracked_children()
        own = [v for v in variables if id(v) not in seen]
        for v in [v for v in own if v.trainable] + [v for v in own if not v.trainable]:
            seen.add(id(v))
            out.append((v, trainable and v.trainable))
        for layer in layers:
            layer._collect_weights(out, seen, trainable)
        return out

    def _all_weights(self, trainable_filter):
        cache = self.__dict__.get("_weights_cache")
        if cache is not None and cache[0] == _STRUCTURE[0]:
            pairs = cache[1]
        else:
            pairs = self._collect_weights([], set())
            object.__setattr__(self, "_weights_cache", (_STRUCTURE[0], pairs))
        return [v for v, t in pairs if trainable_filter is None or t == trainable_filter]

    @property
    def weights(self):
        """All weights, layer by layer (each layer's trainable ones first), as Keras orders
        them for get_weights/set_weights."""
        return self._all_weights(None)

    @property
    def trainable_weights(self):
        """The weights an optimizer updates."""
        return self._all_weights(True)

    @property
    def non_trainable_weights(self):
        """Weights that are not trained (e.g. batch-norm statistics, frozen layers)."""
        return self._all_weights(False)

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    @property
    def trainable(self):
        """Whether the layer's weights are trained; setting it applies to sublayers too."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._tracked_children()[0]:
            layer.trainable = value

    def get_weights(self):
        """The weights' values as a list of NumPy arrays."""
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        """Assigns NumPy arrays to the weights, in the order of ``weights``."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(f"You called `set_weights(weights)` on layer '{self.name}' with a "
                             f"weight list of length {len(weights)}, but the layer was expecting "
                             f"{len(params)} weights.")
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p.shape.as_list()) != w.shape:
                raise ValueError(f"Layer {self.name} weight shape {tuple(p.shape.as_list())} "
                                 f"is not compatible with provided weight shape {w.shape}.")
            p.assign(w.astype(p.dtype.as_numpy_dtype))

    def count_params(self):
        """Total number of scalars in the weights; the layer must be built."""
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but the "
                             "layer isn't built. You can build it manually via: "
                             f"`layer.build(input_shape)`.")
        return int(sum(np.prod(v.shape.as_list()) for v in self.weights))

    # -- losses and metrics ---------------------------------------------------------------------

    def add_loss(self, loss):
        """Adds a loss term (a scalar tensor) computed in ``call``."""
        self._own_losses.append(nd.convert_to_tensor(loss))

    @property
    def losses(self):
        """add_loss terms from the latest call plus the weights' regularisation terms."""
        out = list(self._own_losses)
        for v in self._tracked_children()[1]:
            if getattr(v, "regularizer", None) is not None:
                out.append(v.regularizer(v))
        for layer in self._tracked_children()[0]:
            out.extend(layer.losses)
        return out

    def _clear_losses(self):
        if self._own_losses:
            self._own_losses = []
        if self._own_metrics:
            self._own_metrics = []
        for layer in self._tracked_children()[0]:
            layer._clear_losses()

    def _added_metric_values(self):
        """(name, value) pairs recorded with add_metric in the latest call, sublayers too."""
        out = list(self._own_metrics)
        for layer in self._tracked_children()[0]:
            out.extend(layer._added_metric_values())
        return out

    def add_metric(self, value, name=None, aggregation=None):
        """Records a value to be reported as a metric (kept from Keras 2)."""
        self._own_metrics.append((name or f"{self.name}_metric", nd.convert_to_tensor(value)))

    @property
    def metrics(self):
        """Metric objects tracked by this layer."""
        from ndflow.keras.metrics.metric import Metric
        return [m for m in self._tracked_metric_objects() if isinstance(m, Metric)]

    def _tracked_metric_objects(self):
        from ndflow.keras.metrics.metric import Metric
        return [v for v in vars(self).values() if isinstance(v, Metric)]

    # -- building and calling -------------------------------------------------------------------

    def build(self, input_shape):
        """Creates the weights for inputs of ``input_shape``; the default creates none."""
        self.built = True

    def call(self, inputs, *args, **kwargs):
        """The layer's computation; subclasses override it."""
        raise NotImplementedError(f"Layer {type(self).__name__} does not have a `call()` "
                                  "method implemented.")

    def _maybe_build(self, inputs):
        if self.built:
            return
        shapes = nest.map_structure(_shape_of, inputs)
        self._build_shapes = shapes
        build_arg = shapes
        if _accepts_positional(self.build):
            self.build(build_arg)
        else:
            self.build()
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def __call__(self, *args, **kwargs):
        if not args:
            raise ValueError(f"Layer {self.name} was called without inputs.")
        first = args[0]
        plain = type(first) is EagerTensor or type(first) is np.ndarray  # the common cases
        inputs = (self._convert_input(first) if plain
                  else nest.map_structure(self._convert_input, first))
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)
        if not plain:
            from ndflow.keras.layers.functional_node import is_symbolic, symbolic_call
            if any(is_symbolic(x) for x in nest.flatten(inputs)):
                scope = _scope_stack()
                scope.append(self)  # sublayers built by this call nest under its name
                try:
                    return symbolic_call(self, (inputs,) + args[1:], kwargs)
                finally:
                    scope.pop()
        if inputs is not first:
            args = (inputs,) + args[1:]
        previous_mask = kwargs.get("mask")
        if previous_mask is None:
            previous_mask = _mask_of(inputs)
            if previous_mask is not None and _call_accepts(self, "mask"):
                kwargs["mask"] = previous_mask
        context = _CONTEXT
        stack = context.stack
        if not stack:
            self._clear_losses()
        inherited = context.training
        training = kwargs.get("training")
        if not takes_training(self):
            kwargs.pop("training", None)
        elif training is None and inherited is not None and _call_accepts(self, "training"):
            kwargs["training"] = inherited
        if training is not None:
            context.training = training  # inner layers called without `training` inherit it
        stack.append(self)
        # Weights are made on the first call (own build, and sublayers built inside call):
        # only then does the layer's name scope matter.
        first_call = not self.built
        if first_call:
            _scope_stack().append(self)
        try:
            if first_call:
                self._maybe_build(inputs)
            outputs = self.call(*args, **kwargs)
        finally:
            stack.pop()
            if first_call:
                _scope_stack().pop()
            context.training = inherited
        if previous_mask is not None or type(self).compute_mask is not Layer.compute_mask:
            _attach_mask(outputs, self.compute_mask(inputs, previous_mask))
        if self.activity_regularizer is not None:
            from ndflow.keras import regularizers
            reg = regularizers.get(self.activity_regularizer)
            for out in nest.flatten(outputs):
                self.add_loss(reg(out) / nd.cast(nd.shape(out)[0], out.dtype))
        return outputs

    def _convert_input(self, x):
        if isinstance(x, (np.ndarray, list, float, int)) and not isinstance(x, bool):
            x = nd.convert_to_tensor(np.asarray(x))
        if self.autocast and isinstance(x, Tensor):
            dtype = x.dtype
            if dtype._bit & _FLOATING_MASK and dtype.name != self._dtype_policy.name:
                x = nd.cast(x, self._dtype_policy.name)
        return x

    # -- configuration --------------------------------------------------------------------------

    def get_config(self):
        """The constructor arguments that recreate this layer (name, trainable, dtype...)."""
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": {"module": "keras", "class_name": "DTypePolicy",
                            "config": self._dtype_policy.get_config(), "registered_name": None}}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            from ndflow.keras import regularizers
            from ndflow.keras.saving.serialization_lib import serialize_keras_object
            config["activity_regularizer"] = serialize_keras_object(
                regularizers.get(self.activity_regularizer))
        if type(self).get_config is not Layer.get_config:
            return config
        arguments = self._constructor_arguments
        if type(self).__init__ is Layer.__init__ or arguments is None:
            return config
        if not _is_simple(arguments):
            raise NotImplementedError(
                f"Layer {type(self).__name__} was created by passing non-serializable argument "
                f"values in `__init__()`, and therefore the layer must override `get_config()` "
                f"in order to be serializable. Please implement `get_config()`.")
        merged = dict(arguments)
        merged.update(config)  # the base entries (name, trainable, dtype policy) win
        return merged

    @classmethod
    def from_config(cls, config):
        """Creates a layer from ``get_config()`` output."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = policy(config["dtype"]).name
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"

    # -- shapes of the latest symbolic call -----------------------------------------------------

    @property
    def input_shape(self):
        """The input shape of the layer's (single) inbound node."""
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no "
                                 "defined input.")
        return self._inbound_nodes[0].input_shapes

    @property
    def output_shape(self):
        """The output shape of the layer's (single) inbound node."""
        if not self._inbound_nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has no "
                                 "defined output shape.")
        return self._inbound_nodes[0].output_shapes

    @property
    def input(self):
        """The symbolic input of the layer's first inbound node."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no input to return.")
        return self._inbound_nodes[0].call_args[0]

    @property
    def output(self):
        """The symbolic output of the layer's first inbound node."""
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has no inbound nodes.")
        return self._inbound_nodes[0].outputs

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask when the layer supports masking."""
        return mask if self.supports_masking else None

    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape``, found by running the layer on zeros."""
        from ndflow.keras.layers.functional_node import output_shape_by_running
        return output_shape_by_running(self, input_shape)


_UNTRACKED = {"_constructor_arguments", "_inbound_nodes", "_own_losses", "_own_metrics",
              "_children_cache", "_weights_cache", "_added_metrics", "_build_shapes",
              "_initial_weights", "_dtype_policy", "activity_regularizer"}


def _mask_of(inputs):
    """The Keras mask carried by ``inputs`` (a list of masks for a list), or None."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return None if all(m is None for m in masks) else masks
    return getattr(inputs, "_keras_mask", None)


def _attach_mask(outputs, mask):
    """Lets ``mask`` travel with ``outputs`` to the next layer."""
    if mask is None:
        return
    if isinstance(outputs, (list, tuple)):
        masks = mask if isinstance(mask, (list, tuple)) else [mask] * len(outputs)
        for out, m in zip(outputs, masks):
            _attach_mask(out, m)
        return
    try:
        outputs._keras_mask = mask
    except AttributeError:
        pass  # outputs that cannot carry a mask (plain Python values)


def _shape_of(x):
    shape = getattr(x, "shape", None)
    if shape is None:
        return None
    return tuple(shape.as_list()) if hasattr(shape, "as_list") else tuple(shape)


def _accepts_positional(fn):
    params = [p for p in inspect.signature(fn).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    return bool(params)


def _call_accepts(layer, name):
    """Whether the layer's ``call`` takes a parameter ``name`` ("kwargs": a ``**`` parameter);
    the parameter names are cached on the class."""
    cache = type(layer).__dict__.get("_call_params_cache")
    if cache is None:
        params = inspect.signature(layer.call).parameters
        cache = {p.name for p in params.values() if p.kind != p.VAR_KEYWORD}
        if any(p.kind == p.VAR_KEYWORD for p in params.values()):
            cache.add("kwargs")
        type.__setattr__(type(layer), "_call_params_cache", cache)
        type.__setattr__(type(layer), "_call_takes_training",
                         "training" in cache or "kwargs" in cache)
    return name in cache


def takes_training(layer):
    """Whether ``training`` can be passed to the layer's ``call`` (by name or through
    ``**kwargs``)."""
    found = type(layer).__dict__.get("_call_takes_training")
    if found is None:
        _call_accepts(layer, "training")
        found = type(layer).__dict__["_call_takes_training"]
    return found
