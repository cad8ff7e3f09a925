"""Where Keras's messages go: stdout while interactive logging is on (the default), the
'ndflow.keras' Python logger (level INFO) once it is turned off."""
import logging
import sys
import threading

_STATE = threading.local()


def is_interactive_logging_enabled():
    """Whether progress bars and messages are written to stdout (else to the logger)."""
    return getattr(_STATE, "interactive", True)


def enable_interactive_logging():
    """Sends progress bars and messages to stdout."""
    _STATE.interactive = True


def disable_interactive_logging():
    """Sends progress bars and messages to the 'ndflow.keras' logger instead of stdout."""
    _STATE.interactive = False


def print_msg(message, line_break=True):
    """Writes ``message`` to stdout (with a newline when ``line_break``), or logs it."""
    if is_interactive_logging_enabled():
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        logging.getLogger("ndflow.keras").info(message)
