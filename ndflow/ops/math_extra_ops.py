"""Math beyond single elementwise functions: atan2, add_n, clipping, cumulative sums and products, polyval, divide_no_nan."""

__all__ = []
