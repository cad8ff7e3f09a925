"""The top-level ops route RaggedTensor arguments to their ragged versions, as TensorFlow's
dispatch does; the results are compared with real TensorFlow."""
import pytest

import ndflow

CASES = {
    "concat_rows": lambda tf, r: tf.concat([r, r], axis=0),
    "concat_columns": lambda tf, r: tf.concat([r, r * 2], axis=1),
    "stack": lambda tf, r: tf.stack([r, r]),
    "reduce_sum_rows": lambda tf, r: tf.reduce_sum(r, axis=1),
    "reduce_sum_columns": lambda tf, r: tf.reduce_sum(r, axis=0),
    "reduce_mean": lambda tf, r: tf.math.reduce_mean(tf.cast(r, tf.float32), axis=1),
    "reduce_max": lambda tf, r: tf.reduce_max(r, axis=1),
    "reduce_min": lambda tf, r: tf.reduce_min(r, axis=0),
    "reduce_all_axes": lambda tf, r: tf.reduce_sum(r),
    "boolean_mask_ragged": lambda tf, r: tf.ragged.boolean_mask(
        r, tf.ragged.constant([[True, False, True], [False], [True, True]])),
    "boolean_mask_rows": lambda tf, r: tf.ragged.boolean_mask(r, [True, False, True]),
}


def _plain(value):
    return value.to_list() if hasattr(value, "to_list") else value.numpy().tolist()


@pytest.mark.parametrize("name", sorted(CASES))
def test_ragged_routing_matches_tensorflow(name, real_tf):
    fn = CASES[name]
    ours = fn(ndflow, ndflow.ragged.constant([[1, 2, 3], [4], [5, 6]]))
    theirs = fn(real_tf, real_tf.ragged.constant([[1, 2, 3], [4], [5, 6]]))
    assert type(ours).__name__ == type(theirs).__name__
    assert _plain(ours) == _plain(theirs)
    assert ours.dtype.name == theirs.dtype.name


def test_dense_calls_are_unchanged_and_errors_still_raise():
    assert ndflow.concat([[1], [2]], axis=0).numpy().tolist() == [1, 2]
    with pytest.raises(ndflow.errors.InvalidArgumentError):
        ndflow.concat([[1], [[2]]], axis=0)
