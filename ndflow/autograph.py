"""``ndflow.autograph``: converting Python control flow on tensors into graph control flow."""
from ndflow.graph.autograph import experimental  # noqa: F401
from ndflow.graph.autograph.api import (do_not_convert, set_verbosity, to_code,  # noqa: F401
                                        to_graph, trace)
