"""``ndflow.math``: elementwise math, comparisons, reductions and segment ops."""
from ndflow.ops.math_ops import *  # noqa: F401,F403
from ndflow.ops.unary_ops import *  # noqa: F401,F403
from ndflow.ops.reduce_ops import *  # noqa: F401,F403
from ndflow.ops.math_extra_ops import *  # noqa: F401,F403
