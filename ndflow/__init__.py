"""ndflow: the TensorFlow 2 programming model on NumPy. ``import ndflow as tf``.

This module is the public namespace only: it re-exports names defined elsewhere.
"""
from ndflow import errors
from ndflow.framework.dtypes import (DType, as_dtype, bool, complex64, complex128, double,  # noqa: A004
                                     float16, float32, float64, half, int8, int16, int32, int64,
                                     string, uint8, uint16, uint32, uint64)
from ndflow.framework.indexed_slices import IndexedSlices, IndexedSlicesSpec
from ndflow.framework.tensor import (Tensor, constant, convert_to_tensor, is_tensor,
                                     register_tensor_conversion_function)
from ndflow.framework.tensor_shape import TensorShape
from ndflow.framework.context import executing_eagerly
from ndflow.ops import operators as _operators  # noqa: F401 - installs the Python operators
from ndflow.ops.variables import Variable, VariableAggregation, VariableSynchronization
from ndflow.ops.math_ops import *  # noqa: F401,F403
from ndflow.ops.unary_ops import *  # noqa: F401,F403
from ndflow.ops.reduce_ops import *  # noqa: F401,F403
from ndflow.ops.array_ops import *  # noqa: F401,F403
from ndflow.ops.math_extra_ops import *  # noqa: F401,F403
from ndflow.ops.complex_ops import complex  # noqa: F401,A004
from ndflow.ops.gather_ops import *  # noqa: F401,F403
from ndflow.ops.sort_ops import *  # noqa: F401,F403
from ndflow.ops import indexed_slices_ops as _indexed_slices_ops  # noqa: F401 - conversion
from ndflow.ops.linalg_ops import *  # noqa: F401,F403 - only the top-level subset is in __all__
from ndflow.ops.debugging_ops import *  # noqa: F401,F403 - assert_equal etc. are top-level too
from ndflow.autodiff.tape import GradientTape, UnconnectedGradients
from ndflow.autodiff.custom_gradient import custom_gradient
from ndflow.ops.identity_ops import identity, stop_gradient
from ndflow import math, nn, linalg, random, debugging, dtypes, nest  # noqa: E402
from ndflow.structures.ragged_tensor import RaggedTensor  # noqa: E402
from ndflow.structures.ragged_spec import RaggedTensorSpec  # noqa: E402
from ndflow import ragged  # noqa: E402
from ndflow.structures.ragged_dispatch import *  # noqa: E402,F401,F403 - ragged-aware
from ndflow import sets, sparse, strings  # noqa: E402
from ndflow.structures.sparse_tensor import SparseTensor, SparseTensorSpec  # noqa: E402
from ndflow.structures.tensor_array import TensorArray  # noqa: E402
from ndflow import queue  # noqa: E402
from ndflow.framework.context import init_scope  # noqa: E402
from ndflow.graph.function import function  # noqa: E402
from ndflow.ops.print_ops import print_v2 as print  # noqa: E402,A004
from ndflow.graph.tensor_spec import TensorSpec  # noqa: E402
from ndflow.framework.type_spec import TypeSpec, type_spec_from_value  # noqa: E402
from ndflow.framework.static_value import get_static_value  # noqa: E402
from ndflow import config  # noqa: E402
from ndflow import autograph  # noqa: E402
from ndflow.ops.control_flow_ops import case, cond, switch_case, while_loop  # noqa: E402
from ndflow.util import nest as _nest  # noqa: F401

newaxis = None
__version__ = "0.1.0"


def __getattr__(name):
    # ndflow.keras is imported on first use, keeping `import ndflow` fast.
    if name == "keras":
        import importlib
        module = importlib.import_module("ndflow.keras")
        globals()["keras"] = module
        return module
    raise AttributeError(f"module 'ndflow' has no attribute {name!r}")
