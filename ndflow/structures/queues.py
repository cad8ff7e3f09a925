"""``ndflow.queue``: thread-safe queues of tuples of tensors (TensorFlow's FIFOQueue family).

Python classes: one ``threading.Condition`` guards each queue. A dequeue on an empty open queue
waits, an enqueue on a full queue waits, and ``close`` wakes every waiter: dequeues that can no
longer be satisfied raise OutOfRangeError, new enqueues raise CancelledError (and pending ones
too with ``cancel_pending_enqueues=True``), with TensorFlow's messages. Inside a traced function
each queue operation is a stateful graph node (``QueueEnqueueV2``, ``QueueDequeueV2``...) that
acts on the queue every time the graph runs.
"""
import collections
import heapq
import itertools
import threading

import numpy as np

from ndflow.framework import dtypes as D
from ndflow.framework import errors
from ndflow.framework.tensor import convert_to_tensor, wrap_as
from ndflow.framework.static_value import get_static_value
from ndflow.framework.tensor_shape import TensorShape
from ndflow.graph.tensor_spec import TensorSpec
from ndflow.ops.random_ops import get_seed
from ndflow.structures.graph_fallback import host_function

__all__ = ["FIFOQueue", "PaddingFIFOQueue", "PriorityQueue", "QueueBase", "RandomShuffleQueue"]


def _dtype_list(dtypes):
    if isinstance(dtypes, (list, tuple)):
        return [D.as_dtype(d) for d in dtypes]
    return [D.as_dtype(dtypes)]


def _shape_list(shapes, count):
    if shapes is None:
        return [TensorShape(None)] * count
    # A flat list of dims (or an empty list) is one shape, as in TensorFlow.
    if not isinstance(shapes, (list, tuple)) or not shapes or all(
            s is None or isinstance(s, int) for s in shapes):
        shapes = [shapes]
    shapes = [TensorShape(s) for s in shapes]
    if len(shapes) != count:
        raise errors.InvalidArgumentError(
            None, None, f"Different number of component types.  Types: {count}, Shapes: "
                        f"{[s.as_list() if s.rank is not None else None for s in shapes]}")
    return shapes


def _name_list(names, count):
    if names is None:
        return None
    names = [names] if isinstance(names, str) else list(names)
    if len(names) != count:
        raise ValueError(f"List of names must have the same length as the list of dtypes, "
                         f"received len(names)={len(names)},len(dtypes)={count}")
    return names


def _zeros(shape, dtype):
    if dtype is D.string:
        return np.full(shape, b"", dtype=object)
    return np.zeros(shape, dtype.as_numpy_dtype)


def _no_result(*args, **kwargs):
    return None


def _static(n):
    """``n`` as an int when known while tracing, else None."""
    value = get_static_value(n)
    return None if value is None else int(value)


class QueueBase:
    """The shared queue machinery; subclasses choose which stored elements a dequeue takes."""

    _kind = "Queue"

    def __init__(self, capacity, dtypes, shapes, names, name):
        self._capacity = int(capacity)
        self._dtypes = _dtype_list(dtypes)
        self._shapes = _shape_list(shapes, len(self._dtypes))
        self._names = _name_list(names, len(self._dtypes))
        self._name = name
        self._cond = threading.Condition()
        self._closed = False
        self._cancelled = False

    # -- properties --------------------------------------------------------------------------
    @property
    def name(self):
        """The queue's name."""
        return self._name

    @property
    def dtypes(self):
        """The dtypes of the components."""
        return list(self._dtypes)

    @property
    def shapes(self):
        """The (possibly partial) shapes of the components."""
        return list(self._shapes)

    @property
    def names(self):
        """The component names (None for positional components)."""
        return None if self._names is None else list(self._names)

    # -- storage (under the lock; overridden by the subclasses) ------------------------------
    def _count(self):
        return len(self._items)

    def _put(self, element):
        self._items.append(element)

    def _take(self):
        return self._items.popleft()

    def _ready(self, n):
        """Whether ``n`` elements can be taken now from an open queue."""
        return self._count() >= n

    # -- conversion --------------------------------------------------------------------------
    def _components(self, vals):
        if isinstance(vals, dict):
            if self._names is None:
                raise ValueError("Queue must have names to enqueue a dictionary")
            if sorted(self._names) != sorted(vals):
                raise ValueError(f"Keys in dictionary to enqueue do not match names of Queue.  "
                                 f"Dictionary: {sorted(vals)},Queue: {sorted(self._names)}")
            vals = [vals[k] for k in self._names]
        else:
            if self._names is not None:
                raise ValueError("You must enqueue a dictionary in a Queue with names")
            if not isinstance(vals, (list, tuple)):
                vals = [vals]
        if len(vals) < len(self._dtypes):
            raise errors.InvalidArgumentError(
                None, None, f"Signature mismatch, have: {len(vals)} components, expected: "
                            f"{[d.name for d in self._dtypes]}")
        out = []
        for i, (val, dtype) in enumerate(zip(vals, self._dtypes)):  # extra values are ignored
            try:
                out.append(convert_to_tensor(val, dtype))
            except ValueError as exc:
                raise ValueError(f"component_{i}: {exc}") from None
        return out

    def _check_shape(self, shape, i):
        if not self._shapes[i].is_compatible_with(shape):
            raise ValueError(f"Shapes {_text(shape)} and {_text(self._shapes[i])} are "
                             f"incompatible")

    def _spec(self, batch):
        """The spec of a dequeued element (``batch``: leading dims of a batched one)."""
        specs = [TensorSpec(list(batch) + (s.as_list() if s.rank is not None else []), d)
                 if s.rank is not None else TensorSpec(None, d)
                 for s, d in zip(self._shapes, self._dtypes)]
        if self._names is not None:
            return dict(zip(self._names, specs))
        return specs[0] if len(specs) == 1 else specs

    def _result(self, arrays):
        tensors = [wrap_as(a, d) for a, d in zip(arrays, self._dtypes)]
        if self._names is not None:
            return dict(zip(self._names, tensors))
        return tensors[0] if len(tensors) == 1 else tensors

    # -- operations --------------------------------------------------------------------------
    @host_function(_no_result, stateful=True, type_name="QueueEnqueueV2")
    def enqueue(self, vals, name=None):
        """Adds one element (a tuple, list, dict by names, or a single tensor); waits while full."""
        tensors = self._components(vals)
        for i, t in enumerate(tensors):
            self._check_shape(t.shape, i)
        self._put_all([tuple(np.asarray(t) for t in tensors)])

    @host_function(_no_result, stateful=True, type_name="QueueEnqueueManyV2")
    def enqueue_many(self, vals, name=None):
        """Adds the rows of each component as separate elements; waits while full."""
        tensors = self._components(vals)
        batch = None
        for i, t in enumerate(tensors):
            if t.shape.rank == 0:
                raise ValueError("Shape () must have rank at least 1")
            self._check_shape(t.shape[1:], i)
            if batch is not None and t.shape[0] != batch:
                raise ValueError(f"Dimensions {batch} and {t.shape[0]} are not compatible")
            batch = t.shape[0]
        arrays = [np.asarray(t) for t in tensors]
        self._put_all([tuple(a[k, ...] for a in arrays) for k in range(batch)])

    def _put_all(self, elements):
        with self._cond:
            if self._closed:
                raise errors.CancelledError(None, None, f"{self._kind} '{self._name}' is closed.")
            for element in elements:
                while self._count() >= self._capacity and not self._cancelled:
                    self._cond.wait()
                if self._cancelled:
                    raise errors.CancelledError(None, None, "Enqueue operation was cancelled")
                self._put(element)
                self._cond.notify_all()

    @host_function(lambda self, name=None: self._spec(()), stateful=True,
                   type_name="QueueDequeueV2")
    def dequeue(self, name=None):
        """Removes and returns one element; waits while the queue is empty and open."""
        element, = self._take_many(1, up_to=False)
        return self._result(element)

    @host_function(lambda self, n, name=None: self._spec((_static(n),)), stateful=True,
                   type_name="QueueDequeueManyV2")
    def dequeue_many(self, n, name=None):
        """Removes ``n`` elements and returns them batched; waits until there are ``n``."""
        return self._batched(n, up_to=False)

    @host_function(lambda self, n, name=None: self._spec((None,)), stateful=True,
                   type_name="QueueDequeueUpToV2")
    def dequeue_up_to(self, n, name=None):
        """Like dequeue_many, but a closed queue returns the (1 to n) elements it has left."""
        return self._batched(n, up_to=True)

    def _batched(self, n, up_to):
        n = int(n)
        op = "DequeueUpTo" if up_to else "DequeueMany"
        self._check_batchable()
        if n < 0:
            raise errors.InvalidArgumentError(
                None, None, f"{op}Op requested {n} < 0 elements")
        elements = self._take_many(n, up_to)
        return self._result([self._stack([e[i] for e in elements], i)
                             for i in range(len(self._dtypes))])

    def _check_batchable(self):
        if not all(s.is_fully_defined() for s in self._shapes):
            raise errors.InvalidArgumentError(
                None, None, f"{self._kind}'s DequeueMany and DequeueUpTo require the "
                            f"components to have specified shapes.")

    def _stack(self, rows, i):
        if not rows:
            return _zeros([0] + self._shapes[i].as_list(), self._dtypes[i])
        return np.stack(rows)

    def _take_many(self, n, up_to):
        with self._cond:
            while not self._closed and not self._ready(n):
                self._cond.wait()
            count = self._count()
            if count < n and (not up_to or count == 0):
                raise errors.OutOfRangeError(
                    None, None, f"{self._kind} '{self._name}' is closed and has insufficient "
                                f"elements (requested {n}, current size {count})")
            taken = [self._take() for _ in range(min(n, count))]
            self._cond.notify_all()
            return taken

    @host_function(lambda self, name=None: TensorSpec([], D.int32), stateful=True,
                   type_name="QueueSizeV2")
    def size(self, name=None):
        """The number of stored elements (an int32 scalar)."""
        with self._cond:
            return wrap_as(np.int32(self._count()), D.int32)

    @host_function(_no_result, stateful=True, type_name="QueueCloseV2")
    def close(self, cancel_pending_enqueues=False, name=None):
        """Closes the queue: no new enqueues; waiting dequeues that cannot be met fail."""
        with self._cond:
            self._closed = True
            if cancel_pending_enqueues:
                self._cancelled = True
            self._cond.notify_all()

    @host_function(lambda self, name=None: TensorSpec([], D.bool), stateful=True,
                   type_name="QueueIsClosedV2")
    def is_closed(self, name=None):
        """Whether the queue is closed (a bool scalar)."""
        return wrap_as(np.bool_(self._closed), D.bool)


class FIFOQueue(QueueBase):
    """Elements come out in the order they went in."""

    _kind = "FIFOQueue"

    def __init__(self, capacity, dtypes, shapes=None, names=None, shared_name=None,
                 name="fifo_queue"):
        super().__init__(capacity, dtypes, shapes, names, name)
        self._items = collections.deque()


class PaddingFIFOQueue(FIFOQueue):
    """A FIFOQueue whose shapes may have unknown dimensions; batches are zero-padded."""

    _kind = "PaddingFIFOQueue"

    def __init__(self, capacity, dtypes, shapes, names=None, shared_name=None,
                 name="padding_fifo_queue"):
        super().__init__(capacity, dtypes, shapes, names, shared_name, name)
        if any(s.rank is None for s in self._shapes):
            raise ValueError(f"All shapes must have a defined rank; got {self._shapes}")

    def _check_batchable(self):
        pass

    def _stack(self, rows, i):
        dims = [max([r.shape[k] for r in rows], default=0) if d is None else d
                for k, d in enumerate(self._shapes[i].as_list())]
        out = _zeros([len(rows)] + dims, self._dtypes[i])
        for j, r in enumerate(rows):
            out[(j,) + tuple(slice(0, s) for s in r.shape)] = r
        return out


class RandomShuffleQueue(QueueBase):
    """Elements come out in random order; an open queue keeps ``min_after_dequeue`` of them."""

    _kind = "RandomShuffleQueue"

    def __init__(self, capacity, min_after_dequeue, dtypes, shapes=None, names=None, seed=None,
                 shared_name=None, name="random_shuffle_queue"):
        super().__init__(capacity, dtypes, shapes, names, name)
        self._min_after_dequeue = int(min_after_dequeue)
        seed, seed2 = get_seed(seed)
        self._rng = np.random.default_rng(None if seed is None else [seed, seed2])
        self._items = []

    def _ready(self, n):
        return len(self._items) - n >= self._min_after_dequeue

    def _take(self):
        # Swap a random element to the end so removal is O(1).
        i = int(self._rng.integers(len(self._items)))
        items = self._items
        items[i], items[-1] = items[-1], items[i]
        return items.pop()


class PriorityQueue(QueueBase):
    """Elements come out lowest priority first; the first component is the int64 priority."""

    _kind = "PriorityQueue"

    def __init__(self, capacity, types, shapes=None, names=None, shared_name=None,
                 name="priority_queue"):
        types = [D.int64] + _dtype_list(types)
        if shapes is not None:
            shapes = [()] + _shape_list(shapes, len(types) - 1)
        if names is not None:
            names = [names] if isinstance(names, str) else list(names)
            if len(names) != len(types):
                raise ValueError(f"Queue names must have the same length as dtypes,received "
                                 f"len(names)={len(names)},len {len(types)}")
        super().__init__(capacity, types, shapes, names, name)
        if shapes is None:
            self._shapes[0] = TensorShape([])
        self._items = []
        self._order = itertools.count()  # FIFO among equal priorities

    def _put(self, element):
        heapq.heappush(self._items, (int(element[0]), next(self._order), element))

    def _take(self):
        return heapq.heappop(self._items)[2]


def _text(shape):
    shape = TensorShape(shape)
    return "<unknown>" if shape.rank is None else str(tuple(shape.as_list()))
