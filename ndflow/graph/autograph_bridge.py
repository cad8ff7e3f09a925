"""The one place ``ndflow.function`` asks AutoGraph to convert a Python function."""


def convert(python_function, options=None):
    """The AutoGraph-converted function (or the function itself when AutoGraph declines);
    ``options`` are ``ndflow.function``'s ``experimental_autograph_options``."""
    try:
        from ndflow.graph.autograph import api
    except ImportError:
        return python_function
    return api.convert_for_function(python_function, options)
