"""``ndflow.math``: elementwise math, comparisons, reductions and segment ops."""
from ndflow.ops.math_ops import *  # noqa: F401,F403
from ndflow.ops.unary_ops import *  # noqa: F401,F403
from ndflow.ops.reduce_ops import *  # noqa: F401,F403
from ndflow.ops.math_extra_ops import *  # noqa: F401,F403
from ndflow.ops.linalg_matrix_ops import l2_normalize  # noqa: F401
from ndflow.ops.complex_ops import conj, imag, real  # noqa: F401
from ndflow.ops.reduce_ops import count_nonzero, reduce_std, reduce_variance, top_k  # noqa: F401
from ndflow.ops.segment_ops import *  # noqa: F401,F403
from ndflow.ops.unary_ops import log_sigmoid  # noqa: F401
from ndflow.ops.sort_ops import invert_permutation  # noqa: F401
from ndflow.ops.nn_ops import log_softmax, softmax  # noqa: F401
from ndflow.structures.ragged_dispatch import (reduce_max, reduce_mean, reduce_min,  # noqa: F401,E402
                                               reduce_sum)
