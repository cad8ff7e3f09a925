"""Cases for ndflow/ops/random_ops.py and random_generator.py: random tensors and dropout.

Values are random (and differ from TensorFlow's generator), so most cases compare only shapes
and dtypes (values=False); stateless ops with a fixed seed also check gradients with respect to
mean/stddev/bounds, which flow through the arithmetic around the random op.
"""
import numpy as np

from opcases import ErrorCase, OpCase, positive, rand

F32, I32 = np.float32, np.int32


def _random(name, fn, ops, args=(), **kwargs):
    return OpCase(name, fn, list(args), ops, values=False, **kwargs)


CASES = [
    _random("random_normal", lambda tf: tf.random.normal([2, 3]), ["RandomStandardNormal"]),
    _random("random_normal_f64_mean_std", lambda tf: tf.random.normal(
        [4], mean=2.0, stddev=3.0, dtype=tf.float64, seed=1), ["RandomStandardNormal", "Mul",
                                                              "AddV2"]),
    _random("random_normal_f16_tensor_shape", lambda tf, s: tf.random.normal(s, dtype=tf.float16),
            ["RandomStandardNormal"], [np.array([3, 2], np.int32)]),
    _random("random_normal_scalar", lambda tf: tf.random.normal([]), ["RandomStandardNormal"]),
    _random("random_normal_tensor_mean", lambda tf, m: tf.random.normal([2, 3], mean=m),
            ["RandomStandardNormal", "AddV2"], [rand(3, dtype=F32)]),
    _random("random_uniform", lambda tf: tf.random.uniform([5]), ["RandomUniform"]),
    _random("random_uniform_range_f64", lambda tf: tf.random.uniform(
        [2, 2], -1.0, 4.0, dtype=tf.float64), ["RandomUniform", "Mul", "AddV2", "Sub"]),
    _random("random_uniform_f16", lambda tf: tf.random.uniform([7], dtype=tf.float16),
            ["RandomUniform"]),
    _random("random_uniform_int32", lambda tf: tf.random.uniform([3, 4], 0, 10, dtype=tf.int32),
            ["RandomUniformInt"]),
    _random("random_uniform_int64", lambda tf: tf.random.uniform(
        [6], minval=-5, maxval=5, dtype=tf.int64, seed=3), ["RandomUniformInt"]),
    _random("truncated_normal", lambda tf: tf.random.truncated_normal([4, 2]),
            ["TruncatedNormal"]),
    _random("truncated_normal_f64", lambda tf: tf.random.truncated_normal(
        [3], mean=1.0, stddev=0.5, dtype=tf.float64, seed=7), ["TruncatedNormal"]),
    _random("categorical", lambda tf, x: tf.random.categorical(x, 5), ["Multinomial"],
            [rand(3, 4, dtype=F32)]),
    _random("categorical_int32_f64", lambda tf, x: tf.random.categorical(
        x, 3, dtype=tf.int32, seed=2), ["Multinomial"], [rand(2, 3)]),
    _random("categorical_no_samples", lambda tf, x: tf.random.categorical(x, 0),
            ["Multinomial"], [rand(2, 3, dtype=F32)]),
    _random("shuffle", lambda tf, x: tf.random.shuffle(x), ["RandomShuffle"],
            [rand(5, 2, dtype=I32, low=0, high=9)]),
    _random("shuffle_scalar", lambda tf, x: tf.random.shuffle(x, seed=4), ["RandomShuffle"],
            [np.array(3.0, F32)]),
    _random("stateless_normal", lambda tf: tf.random.stateless_normal([2, 3], seed=[1, 2]),
            ["StatelessRandomNormal"]),
    _random("stateless_uniform", lambda tf: tf.random.stateless_uniform(
        [4], seed=[3, 4], dtype=tf.float64), ["StatelessRandomUniform"]),
    _random("stateless_uniform_int", lambda tf: tf.random.stateless_uniform(
        [4], seed=[3, 4], minval=2, maxval=9, dtype=tf.int64), ["StatelessRandomUniformInt"]),
    _random("stateless_uniform_full_int", lambda tf: tf.random.stateless_uniform(
        [4], seed=[3, 4], minval=None, maxval=None, dtype=tf.uint32),
        ["StatelessRandomUniformFullInt"]),
    _random("stateless_truncated_normal", lambda tf: tf.random.stateless_truncated_normal(
        [5], seed=[5, 6], dtype=tf.float16), ["StatelessTruncatedNormal"]),
    # fixed seeds make these deterministic, so finite differences check the gradients
    _random("stateless_normal_grad", lambda tf, m, s: tf.random.stateless_normal(
        [2, 3], seed=[1, 2], mean=m, stddev=s, dtype=tf.float64),
        ["StatelessRandomNormal", "Mul", "AddV2"], [rand(3), positive(2, 3)], grad=True),
    _random("stateless_uniform_grad", lambda tf, lo, hi: tf.random.stateless_uniform(
        [3], seed=[1, 2], minval=lo, maxval=hi, dtype=tf.float64),
        ["StatelessRandomUniform", "Sub", "Mul", "AddV2"], [rand(3), positive(3) + 2], grad=True),
    _random("generator_draws", lambda tf: [
        tf.random.Generator.from_seed(1).normal([2]),
        tf.random.Generator.from_seed(2).uniform([3], 0, 7, dtype=tf.int32),
        tf.random.Generator.from_seed(3).truncated_normal([2, 2], dtype=tf.float64),
        tf.random.Generator.from_seed(4).uniform_full_int([3], dtype=tf.int64),
        tf.random.Generator.from_seed(5).make_seeds(4)],
        ["StatelessRandomNormal", "StatelessRandomUniformInt", "StatelessTruncatedNormal",
         "StatelessRandomUniformFullInt"]),
    _random("dropout", lambda tf, x: tf.nn.dropout(x, 0.3), ["RandomUniform", "GreaterEqual",
                                                            "SelectV2", "Mul"],
            [rand(4, 5, dtype=F32)]),
    _random("dropout_noise_shape_f64", lambda tf, x: tf.nn.dropout(
        x, 0.5, noise_shape=[None, 1], seed=3), ["RandomUniform", "SelectV2"], [rand(4, 5)]),
    _random("dropout_tensor_rate", lambda tf, x, r: tf.nn.dropout(x, r), ["RandomUniform",
                                                                        "RealDiv"],
            [rand(6, dtype=F32), np.array(0.25, F32)]),
    OpCase("dropout_rate_zero", lambda tf, x: tf.nn.dropout(x, 0.0), [rand(3, dtype=F32)], [],
           lambda x: x),

    ErrorCase("random_normal_int_dtype", lambda tf: tf.random.normal([2], dtype=tf.int32), [],
              "TypeError"),
    ErrorCase("random_normal_complex_dtype", lambda tf: tf.random.normal(
        [2], dtype=tf.complex64), [], "InvalidArgumentError"),
    ErrorCase("random_normal_scalar_shape", lambda tf: tf.random.normal(2), [],
              "InvalidArgumentError"),
    ErrorCase("random_normal_negative_dim", lambda tf: tf.random.normal([2, -1]), [],
              "InvalidArgumentError"),
    ErrorCase("random_normal_float_shape", lambda tf: tf.random.normal([2.0]), [],
              "InvalidArgumentError"),
    ErrorCase("random_normal_mean_dtype", lambda tf, m: tf.random.normal([2], mean=m),
              [rand(2)], "ValueError"),
    ErrorCase("random_uniform_int_needs_maxval", lambda tf: tf.random.uniform(
        [2], dtype=tf.int32), [], "ValueError"),
    ErrorCase("random_uniform_int8", lambda tf: tf.random.uniform([2], 0, 3, dtype=tf.int8), [],
              "ValueError"),
    ErrorCase("random_uniform_int_empty_range", lambda tf: tf.random.uniform(
        [2], 3, 3, dtype=tf.int64), [], "InvalidArgumentError"),
    ErrorCase("random_uniform_int_vector_min", lambda tf: tf.random.uniform(
        [2], [1, 2], 5, dtype=tf.int32), [], "InvalidArgumentError"),
    ErrorCase("random_uniform_int_float_bound", lambda tf: tf.random.uniform(
        [2], 0, 5.5, dtype=tf.int32), [], "TypeError"),
    ErrorCase("categorical_vector_logits", lambda tf, x: tf.random.categorical(x, 2),
              [rand(3, dtype=F32)], "InvalidArgumentError"),
    ErrorCase("categorical_no_classes", lambda tf, x: tf.random.categorical(x, 2),
              [np.zeros((2, 0), F32)], "InvalidArgumentError"),
    ErrorCase("categorical_negative_samples", lambda tf, x: tf.random.categorical(x, -1),
              [rand(2, 3, dtype=F32)], "InvalidArgumentError"),
    ErrorCase("categorical_int_logits", lambda tf, x: tf.random.categorical(x, 2),
              [np.ones((2, 3), I32)], "NotFoundError"),
    ErrorCase("categorical_int16_output", lambda tf, x: tf.random.categorical(
        x, 2, dtype=tf.int16), [rand(2, 3, dtype=F32)], "ValueError"),
    ErrorCase("stateless_seed_shape", lambda tf: tf.random.stateless_normal([2], seed=[1, 2, 3]),
              [], "InvalidArgumentError"),
    ErrorCase("stateless_seed_float", lambda tf, s: tf.random.stateless_normal([2], seed=s),
              [np.array([1.0, 2.0], F32)], "InvalidArgumentError"),
    ErrorCase("stateless_uniform_int_one_bound", lambda tf: tf.random.stateless_uniform(
        [2], seed=[1, 2], dtype=tf.int32), [], "ValueError"),
    ErrorCase("stateless_uniform_int8", lambda tf: tf.random.stateless_uniform(
        [2], seed=[1, 2], minval=0, maxval=3, dtype=tf.int8), [], "ValueError"),
    ErrorCase("stateless_uniform_int_empty_range", lambda tf: tf.random.stateless_uniform(
        [2], seed=[1, 2], minval=3, maxval=3, dtype=tf.int32), [], "InvalidArgumentError"),
    ErrorCase("generator_uniform_int_one_bound", lambda tf: tf.random.Generator.from_seed(
        1).uniform([2], dtype=tf.int32), [], "ValueError"),
    ErrorCase("generator_bad_state_size", lambda tf: tf.random.Generator.from_state(
        [1, 2], "philox"), [], "ValueError"),
    ErrorCase("dropout_rate_one", lambda tf, x: tf.nn.dropout(x, 1.0), [rand(3, dtype=F32)],
              "ValueError"),
    ErrorCase("dropout_negative_rate", lambda tf, x: tf.nn.dropout(x, -0.1),
              [rand(3, dtype=F32)], "ValueError"),
    ErrorCase("dropout_bool_rate", lambda tf, x: tf.nn.dropout(x, True), [rand(3, dtype=F32)],
              "ValueError"),
    ErrorCase("dropout_list_rate", lambda tf, x: tf.nn.dropout(x, [0.5]), [rand(3, dtype=F32)],
              "ValueError"),
    ErrorCase("dropout_int_input", lambda tf, x: tf.nn.dropout(x, 0.5),
              [np.ones(3, I32)], "ValueError"),
    ErrorCase("dropout_rate_dtype", lambda tf, x, r: tf.nn.dropout(x, r),
              [rand(3, dtype=F32), np.array(0.5)], "ValueError"),
    ErrorCase("dropout_bad_noise_shape", lambda tf, x: tf.nn.dropout(x, 0.5, noise_shape=[2, 1]),
              [rand(3, 4, dtype=F32)], "InvalidArgumentError"),
]
