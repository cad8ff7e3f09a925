"""``tf.ragged``: ragged tensor construction and operations."""
from ndflow.structures.ragged_convert import (row_splits_to_segment_ids, segment_ids_to_row_splits,
                                              stack_dynamic_partitions)
from ndflow.structures.ragged_factory import constant, range
from ndflow.structures.ragged_ops import boolean_mask, map_flat_values, stack

__all__ = ["boolean_mask", "constant", "map_flat_values", "range", "row_splits_to_segment_ids",
           "segment_ids_to_row_splits", "stack", "stack_dynamic_partitions"]
