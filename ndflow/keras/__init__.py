"""``ndflow.keras``: Keras 3's API (layers, models, losses, metrics, optimizers, ...)."""
from ndflow.keras import backend, layers, models, saving, utils, callbacks
from ndflow.keras.layers import Input, Layer
from ndflow.keras.models import Model, Sequential
from ndflow.keras.variables import KerasVariable as Variable
