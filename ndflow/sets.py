"""``tf.sets``: set operations on the last dimension of tensors."""
from ndflow.structures.sets_ops import (set_difference as difference,
                                        set_intersection as intersection, set_size as size,
                                        set_union as union)

__all__ = ["difference", "intersection", "size", "union"]
