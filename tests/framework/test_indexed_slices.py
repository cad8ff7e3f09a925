"""IndexedSlices: properties and dense conversion, against TensorFlow."""
import pytest

from conformance import assert_same

CASES = {
    "to_dense_with_duplicates": lambda t: t.convert_to_tensor(t.IndexedSlices(
        t.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), t.constant([0, 2, 0]),
        t.constant([3, 2]))),
    "properties": lambda t: [t.IndexedSlices(t.constant([[1.0]]), t.constant([1]),
                                             t.constant([2, 1])).shape.as_list(),
                             t.IndexedSlices(t.constant([[1.0]]), t.constant([1]),
                                             t.constant([2, 1])).dtype.name],
    "add_to_tensor": lambda t: t.constant([[1.0], [1.0]]) + t.convert_to_tensor(
        t.IndexedSlices(t.constant([[2.0]]), t.constant([1]), t.constant([2, 1]))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_indexed_slices_match_tensorflow(name, real_tf):
    assert_same(CASES[name], real_tf)
