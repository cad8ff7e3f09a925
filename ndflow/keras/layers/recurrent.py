"""Recurrent layers: SimpleRNN, LSTM, GRU (and cells), RNN, Bidirectional, TimeDistributed.

The code lives in ``recurrent_cells`` (one-step cells), ``recurrent_layers`` (the time loop) and
``recurrent_wrappers`` (Bidirectional, TimeDistributed); this module re-exports them.
"""
from ndflow.keras.layers.recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell,
                                                 StackedRNNCells)
from ndflow.keras.layers.recurrent_layers import GRU, LSTM, RNN, SimpleRNN
from ndflow.keras.layers.recurrent_wrappers import Bidirectional, TimeDistributed

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells", "RNN", "SimpleRNN",
           "LSTM", "GRU", "Bidirectional", "TimeDistributed"]
