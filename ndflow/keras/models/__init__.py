"""Models: ``Model`` (subclassed and functional) and ``Sequential``."""
from ndflow.keras.models.model import Model
from ndflow.keras.models.sequential import Sequential
from ndflow.keras.models.functional import Functional
