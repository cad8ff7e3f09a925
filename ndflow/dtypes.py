"""``ndflow.dtypes``: the DType objects and ``as_dtype``."""
from ndflow.framework.dtypes import (DType, as_dtype, bool, complex64, complex128,  # noqa: F401,A004
                                     double, float16, float32, float64, half, int8, int16, int32,
                                     int64, string, uint8, uint16, uint32, uint64)
