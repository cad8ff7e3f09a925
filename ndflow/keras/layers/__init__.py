"""``ndflow.keras.layers``: the layer classes."""
from ndflow.keras.layers.layer import Layer
from ndflow.keras.layers.input_layer import Input, InputLayer
from ndflow.keras.layers.dense import Dense
from ndflow.keras.layers.core_layers import *  # noqa: F401,F403
from ndflow.keras.layers.merging import *  # noqa: F401,F403
from ndflow.keras.layers.normalization import *  # noqa: F401,F403
from ndflow.keras.layers.convolutional import *  # noqa: F401,F403
from ndflow.keras.layers.pooling import *  # noqa: F401,F403
from ndflow.keras.layers.recurrent import *  # noqa: F401,F403
from ndflow.keras.layers.attention import *  # noqa: F401,F403
from ndflow.keras.layers.regularization import *  # noqa: F401,F403
from ndflow.keras.layers.activation_layers import *  # noqa: F401,F403
from ndflow.keras.layers.masking import *  # noqa: F401,F403
from ndflow.keras.layers.reshaping_more import *  # noqa: F401,F403
from ndflow.keras.layers.convolutional_more import *  # noqa: F401,F403
from ndflow.keras.layers.normalization_more import *  # noqa: F401,F403
from ndflow.keras.layers.einsum_dense import *  # noqa: F401,F403
from ndflow.keras.layers.preprocessing_more import *  # noqa: F401,F403
from ndflow.keras.layers.image_preprocessing import *  # noqa: F401,F403
from ndflow.keras.layers.input_spec import InputSpec  # noqa: F401
from ndflow.keras.layers.wrapper import Wrapper, deserialize, serialize  # noqa: F401
