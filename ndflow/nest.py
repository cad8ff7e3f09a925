"""``ndflow.nest``: nested structures of lists, tuples and dicts."""
from ndflow.util.nest import (assert_same_structure, flatten, is_nested,  # noqa: F401
                              map_structure, pack_sequence_as)
