"""Data structures beyond dense tensors: sparse and ragged tensors, strings, TensorArray, sets,
queues."""
