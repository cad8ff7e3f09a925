"""``ndflow.keras``: Keras 3's API (layers, models, losses, metrics, optimizers, ...)."""
from ndflow.keras import (activations, backend, callbacks, config, constraints, initializers,
                          layers, losses, metrics, models, optimizers, random, regularizers,
                          saving, utils)
from ndflow.keras.layers import InputSpec
from ndflow.keras.layers.dtype_policy import DTypePolicy
from ndflow.keras.layers.functional_node import KerasTensor
from ndflow.keras.initializers import Initializer
from ndflow.keras.layers import Input, Layer
from ndflow.keras.losses import Loss
from ndflow.keras.metrics import Metric
from ndflow.keras.models import Model, Sequential
from ndflow.keras.optimizers import Optimizer
from ndflow.keras.regularizers import Regularizer
from ndflow.keras.variables import KerasVariable as Variable
