"""``custom_gradient``: functions whose gradient is given by the user."""
import functools
import inspect

from ndflow.framework.context import TAPES
from ndflow.framework.tensor import Tensor, wrap_as
from ndflow.ops.inputs import as_tensor
from ndflow.ops.registry import Op, record
from ndflow.util import nest


def custom_gradient(f=None):
    """Decorates ``f(*x) -> (y, grad_fn)`` so that gradients of ``y`` come from ``grad_fn``.

    ``grad_fn(*dy)`` returns one gradient per tensor input; when ``f`` reads variables,
    ``grad_fn`` takes ``variables=`` and returns ``(input_grads, variable_grads)``.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        return _call_with_custom_gradient(f, args, kwargs)
    return decorated


def _is_tensor_input(x):
    return isinstance(x, Tensor) or hasattr(x, "_as_tensor")


def _call_with_custom_gradient(f, args, kwargs):
    from ndflow.autodiff.tape import GradientTape
    inputs = tuple(a for a in nest.flatten(args) if _is_tensor_input(a))
    paused = [t for t in TAPES if t._recording]
    for tape in paused:
        tape._recording = False
    try:
        with GradientTape() as variable_watcher:  # only to learn which variables f reads
            result, grad_fn = f(*args, **kwargs)
    finally:
        for tape in paused:
            tape._recording = True
    if not TAPES:
        return result
    # Variables passed as arguments are inputs (read here, so outer tapes see the read); only
    # the ones f reads by itself are "variables" for grad_fn, as in TensorFlow.
    argument_ids = {id(a) for a in inputs}
    variables = tuple(v for v in variable_watcher.watched_variables() if id(v) not in argument_ids)
    inputs = tuple(as_tensor(a) for a in inputs)
    flat = [as_tensor(o) for o in nest.flatten(result)]
    outputs = [wrap_as(o._value, o._dtype) for o in flat]  # fresh identities for the tape
    takes_variables = "variables" in inspect.signature(grad_fn).parameters
    if variables and not takes_variables:
        raise TypeError("If using @custom_gradient with a function that uses variables, then "
                        "grad_fn must accept a keyword argument 'variables'.")
    op = Op("CustomGradient", None, num_outputs=len(outputs),
            grad=_gradient_function(grad_fn, len(inputs), variables, takes_variables))
    record(op, inputs + tuple(variables), outputs[0] if op.single else tuple(outputs), {})
    return nest.pack_sequence_as(result, outputs)


def _as_list(grads):
    return list(grads) if isinstance(grads, (list, tuple)) else [grads]


def _gradient_function(grad_fn, n_inputs, variables, takes_variables):
    def gradient(rec, *dys):
        if takes_variables:
            input_grads, variable_grads = grad_fn(*dys, variables=list(variables))
            grads = _as_list(input_grads) + _as_list(variable_grads)
        else:
            grads = _as_list(grad_fn(*dys))
        if len(grads) != n_inputs + len(variables):
            raise ValueError(f"custom_gradient function expected to return {n_inputs} "
                             f"gradients, but returned {len(grads) - len(variables)} instead.")
        return [None if g is None else as_tensor(g) for g in grads]
    return gradient
