"""Switches of graph execution: ``ndflow.config.run_functions_eagerly`` and the optimizer's
experimental options."""

RUN_EAGERLY = [False]
OPTIMIZER_OPTIONS = {"constant_folding": True, "dependency_optimization": True,
                     "arithmetic_optimization": True, "remapping": True,
                     "common_subexpression_elimination": True}


def run_functions_eagerly(run_eagerly):
    """Makes every ndflow.function run its Python function eagerly (for debugging)."""
    RUN_EAGERLY[0] = bool(run_eagerly)


def functions_run_eagerly():
    """True when ndflow.function runs Python functions eagerly."""
    return RUN_EAGERLY[0]


class optimizer:  # noqa: N801 - TensorFlow's namespace name
    """``ndflow.config.optimizer``: graph optimisation switches."""

    @staticmethod
    def set_experimental_options(options):
        """Turns graph rewrite passes on or off, e.g. {"constant_folding": False}."""
        for name, value in options.items():
            OPTIMIZER_OPTIONS[name] = bool(value)

    @staticmethod
    def get_experimental_options():
        """The current graph rewrite switches."""
        return dict(OPTIMIZER_OPTIONS)
