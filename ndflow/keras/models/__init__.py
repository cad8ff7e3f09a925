"""Models: ``Model`` (subclassed and functional) and ``Sequential``."""
from ndflow.keras.models.model import Model
from ndflow.keras.models.sequential import Sequential
from ndflow.keras.models.functional import Functional
from ndflow.keras.models.cloning import clone_model
from ndflow.keras.models import model_io as _model_io
from ndflow.keras.models.model_io import model_from_json
from ndflow.keras.saving.saving_api import load_model, save_model

_model_io.install(Model)  # save, save_weights, load_weights, to_json, build/compile configs
