"""``ndflow.queue``: TensorFlow's queues (FIFOQueue, PaddingFIFOQueue, PriorityQueue,
RandomShuffleQueue), eager and thread-safe."""
from ndflow.structures.queues import FIFOQueue, PaddingFIFOQueue, PriorityQueue, QueueBase, RandomShuffleQueue

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"]
