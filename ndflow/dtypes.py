"""``ndflow.dtypes``: the DType objects and ``as_dtype``."""
from ndflow.framework.dtypes import *  # noqa: F401,F403
from ndflow.framework.dtypes import DType, as_dtype  # noqa: F401
