"""``ndflow.random``: seeded random tensors and stateful generators."""
from ndflow.ops.random_ops import (categorical, normal, set_seed, shuffle,  # noqa: F401
                                   truncated_normal, uniform)
from ndflow.ops.random_generator import (Algorithm, Generator, create_rng_state,  # noqa: F401
                                         get_global_generator, set_global_generator,
                                         stateless_normal, stateless_truncated_normal,
                                         stateless_uniform)
