"""``tf.config``: execution switches (graph functions, optimizer options) and devices."""
from ndflow.graph.config import functions_run_eagerly, optimizer, run_functions_eagerly

__all__ = ["functions_run_eagerly", "optimizer", "run_functions_eagerly"]
