"""``ndflow.errors``: TensorFlow's exception classes and error codes."""
from ndflow.framework.errors import *  # noqa: F401,F403
from ndflow.framework.errors import OpError  # noqa: F401
