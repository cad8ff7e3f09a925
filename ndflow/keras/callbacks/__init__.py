"""``ndflow.keras.callbacks``: hooks into fit/evaluate/predict."""
from ndflow.keras.callbacks.callback import Callback, CallbackList
from ndflow.keras.callbacks.history import History
from ndflow.keras.callbacks.progbar_logger import ProgbarLogger
