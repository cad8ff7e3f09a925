"""``ndflow.nn``: activations, losses on logits, convolutions, pooling and friends."""
from ndflow.ops.nn_ops import (batch_normalization, bias_add, elu,  # noqa: F401
                               embedding_lookup, gelu, leaky_relu, log_softmax, moments, relu,
                               relu6, selu, silu, softmax, swish, l2_loss)
from ndflow.ops.nn_loss_ops import (sigmoid_cross_entropy_with_logits,  # noqa: F401
                                    softmax_cross_entropy_with_logits,
                                    sparse_softmax_cross_entropy_with_logits)
from ndflow.ops.conv_ops import (conv1d, conv2d, conv2d_transpose,  # noqa: F401
                                 depthwise_conv2d, depthwise_conv2d_backprop_filter,
                                 depthwise_conv2d_backprop_input)
from ndflow.ops.nn_pool_ops import (avg_pool, avg_pool1d, avg_pool2d, max_pool,  # noqa: F401
                                    max_pool1d, max_pool2d)

# tf.nn names defined by other op families.
from ndflow.ops.unary_ops import log_sigmoid, sigmoid, softplus, tanh  # noqa: F401,E402
from ndflow.ops.reduce_ops import top_k  # noqa: F401,E402
from ndflow.ops.linalg_matrix_ops import l2_normalize  # noqa: F401,E402

# -- random ops (owned by the random family) ---------------------------------------------------
from ndflow.ops.random_ops import dropout  # noqa: F401,E402
