"""``ndflow.autograph.experimental``."""
from ndflow.graph.autograph.api import Feature, do_not_convert, set_loop_options  # noqa: F401
