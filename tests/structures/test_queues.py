"""ndflow.queue against TensorFlow 2.21 (values, dtypes, shapes, errors), blocking behaviour and
thread safety. Every wait is bounded (join with a timeout) so a bug cannot hang the run."""
import threading
import time

import numpy as np
import pytest

import ndflow as nf
from ndflow import queue as nqueue

tf = pytest.importorskip("tensorflow")

TIMEOUT = 10.0


class Both:
    def __init__(self, mod):
        self.mod = mod
        self.queue = nqueue if mod is nf else tf.queue

    def __getattr__(self, name):
        return getattr(self.mod, name)


ND, TF = Both(nf), Both(tf)


def _flat(out):
    if isinstance(out, dict):
        return [out[k] for k in sorted(out)]
    if isinstance(out, (list, tuple)):
        return [x for item in out for x in _flat(item)]
    return [out]


def _fifo_two(m):
    q = m.queue.FIFOQueue(5, [m.int32, m.float32], shapes=[[], [2]])
    q.enqueue((1, [1., 2.]))
    q.enqueue_many(([2, 3], [[3., 4.], [5., 6.]]))
    return [q.dequeue(), q.dequeue_many(2), q.size()]


def _named(m):
    q = m.queue.FIFOQueue(5, [m.int32, m.float32], shapes=[[], [2]], names=["a", "b"])
    q.enqueue({"a": 1, "b": [1., 2.]})
    q.enqueue_many({"a": [5, 6], "b": [[1., 2.], [3., 4.]]})
    return [q.dequeue(), q.dequeue_many(2)]


def _up_to_closed(m):
    q = m.queue.FIFOQueue(5, m.float32, shapes=[])
    q.enqueue_many([np.array([1., 2.], np.float32)])
    q.close()
    return [q.dequeue_up_to(5), q.is_closed(), q.size()]


def _closed_keeps_elements(m):
    q = m.queue.FIFOQueue(5, m.float32)
    q.enqueue(1.)
    q.enqueue(2.)
    q.close(cancel_pending_enqueues=True)
    return [q.dequeue(), q.dequeue()]


def _single_list_component(m):
    q = m.queue.FIFOQueue(5, [m.int32], shapes=[[]])
    q.enqueue([7])
    return q.dequeue()


def _extra_components_ignored(m):
    q = m.queue.FIFOQueue(5, m.float32)
    q.enqueue([1., 2.])  # a list is the list of components: the extra one is dropped
    return q.dequeue()


def _padding(m):
    q = m.queue.PaddingFIFOQueue(5, [m.float32, m.string], shapes=[[None], [None]])
    q.enqueue(([1.], ["a"]))
    q.enqueue(([1., 2., 3.], ["b", "c"]))
    q.enqueue(([4.], ["d"]))
    return [q.dequeue_many(2), q.dequeue()]


def _padding_up_to(m):
    q = m.queue.PaddingFIFOQueue(5, m.int32, shapes=[[None, 2]])
    q.enqueue(np.array([[1, 2]], np.int32))
    q.enqueue((np.array([[1, 2], [3, 4], [5, 6]], np.int32),))
    q.close()
    return q.dequeue_up_to(4)


def _priority(m):
    q = m.queue.PriorityQueue(5, [m.string], shapes=[[]])
    q.enqueue((m.constant(3, m.int64), "c"))
    q.enqueue((1, "a"))
    q.enqueue_many(([2, 0], ["b", "z"]))
    return [q.dequeue(), q.dequeue_many(3)]


def _random_shuffle_all(m):
    q = m.queue.RandomShuffleQueue(10, 2, m.int32, shapes=[[]], seed=3)
    q.enqueue_many([np.arange(5, dtype=np.int32)])
    q.close()
    return m.sort(q.dequeue_many(5))


def _empty_batch(m):
    q = m.queue.FIFOQueue(5, m.float32, shapes=[2])
    return q.dequeue_many(0)


def _string_queue(m):
    q = m.queue.FIFOQueue(3, m.string, shapes=[])
    q.enqueue("héllo")
    q.enqueue(b"x")
    return q.dequeue_many(2)


SCENARIOS = {f.__name__.strip("_"): f for f in [
    _fifo_two, _named, _up_to_closed, _closed_keeps_elements, _single_list_component,
    _extra_components_ignored, _padding, _padding_up_to, _priority, _random_shuffle_all,
    _empty_batch, _string_queue]}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_values_match_tensorflow(name):
    ours, theirs = _flat(SCENARIOS[name](ND)), _flat(SCENARIOS[name](TF))
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert o.dtype.name == t.dtype.name and o.shape.as_list() == t.shape.as_list()
        np.testing.assert_array_equal(np.asarray(o), t.numpy())


def test_result_structure_matches_tensorflow():
    for m in (ND, TF):
        assert isinstance(_named(m)[0], dict)
        assert isinstance(_fifo_two(m)[0], list)
        assert isinstance(_single_list_component(m), m.Tensor)


def test_properties_match_tensorflow():
    for m in (ND, TF):
        q = m.queue.FIFOQueue(5, [m.int32, m.float32], shapes=[[], [2]], names=["a", "b"])
        assert q.dtypes == [m.int32, m.float32] and q.names == ["a", "b"]
        assert [s.as_list() for s in q.shapes] == [[], [2]]
        assert m.queue.FIFOQueue(2, m.float32).shapes[0].rank is None
        p = m.queue.PriorityQueue(5, m.string, shapes=[])
        assert p.dtypes == [m.int64, m.string] and [s.as_list() for s in p.shapes] == [[], []]
        assert m.queue.FIFOQueue(5, m.int32, names="x").names == ["x"]
        assert bool(q.is_closed()) is False and int(q.size()) == 0


def _closed_empty(m):
    q = m.queue.FIFOQueue(2, m.float32)
    q.close()
    q.dequeue()


def _closed_enqueue(m):
    q = m.queue.FIFOQueue(2, m.float32)
    q.close()
    q.enqueue(1.)


def _closed_up_to_empty(m):
    q = m.queue.FIFOQueue(2, m.float32, shapes=[])
    q.close()
    q.dequeue_up_to(3)


def _closed_many_insufficient(m):
    q = m.queue.FIFOQueue(3, m.float32, shapes=[])
    q.enqueue(1.)
    q.close()
    q.dequeue_many(2)


ERRORS = {
    "closed_empty": (_closed_empty,
                     "is closed and has insufficient elements (requested 1, current size 0)"),
    "closed_enqueue": (_closed_enqueue, "is closed."),
    "closed_up_to_empty": (_closed_up_to_empty, "(requested 3, current size 0)"),
    "closed_many_insufficient": (_closed_many_insufficient, "(requested 2, current size 1)"),
    "many_needs_shapes": (lambda m: m.queue.FIFOQueue(2, m.float32).dequeue_many(0),
                          "require the components to have specified shapes."),
    "negative_many": (lambda m: m.queue.FIFOQueue(5, m.int32, shapes=[[]]).dequeue_many(-1),
                      "requested -1 < 0 elements"),
    "tuple_for_names": (lambda m: m.queue.FIFOQueue(2, [m.int32], names=["a"]).enqueue((1,)),
                        "You must enqueue a dictionary in a Queue with names"),
    "dict_keys": (lambda m: m.queue.FIFOQueue(2, [m.int32, m.int32], names=["a", "b"])
                  .enqueue({"a": 1}), "Keys in dictionary to enqueue do not match names"),
    "shape": (lambda m: m.queue.FIFOQueue(2, m.float32, shapes=[2]).enqueue(1.),
              "Shapes () and (2,) are incompatible"),
    "row_shape": (lambda m: m.queue.FIFOQueue(2, m.float32, shapes=[2]).enqueue_many([[1.]]),
                  "Shapes () and (2,) are incompatible"),
    "many_scalar": (lambda m: m.queue.FIFOQueue(2, m.float32).enqueue_many(1.),
                    "Shape () must have rank at least 1"),
    "many_batch_mismatch": (lambda m: m.queue.FIFOQueue(5, [m.int32, m.int32])
                            .enqueue_many(([1, 2, 3], [1, 2])),
                            "Dimensions 3 and 2 are not compatible"),
    "dtype_literal": (lambda m: m.queue.FIFOQueue(5, [m.int32, m.float32]).enqueue((1.5, 2.)),
                      "Cannot convert 1.5 to EagerTensor of dtype int32"),
    "dtype_tensor": (lambda m: m.queue.PriorityQueue(5, [m.string], shapes=[[]])
                     .enqueue((m.constant(3), "c")),
                     "component_0: Tensor conversion requested dtype int64"),
    "too_few_components": (lambda m: m.queue.FIFOQueue(5, [m.int32, m.float32]).enqueue(1),
                           None),
    "names_length": (lambda m: m.queue.FIFOQueue(2, [m.float32], names=["a", "b"]),
                     "List of names must have the same length as the list of dtypes"),
    "priority_names_length": (lambda m: m.queue.PriorityQueue(5, [m.string], shapes=[[]],
                                                              names=["s"]),
                              "Queue names must have the same length as dtypes"),
    "shapes_length": (lambda m: m.queue.FIFOQueue(2, [m.float32], shapes=[[1], [2]]),
                      "Different number of component types."),
    "padding_needs_shapes": (lambda m: m.queue.PaddingFIFOQueue(5, m.float32), None),
    "padding_rank": (lambda m: m.queue.PaddingFIFOQueue(5, m.float32, shapes=[[None]])
                     .enqueue([[[1.]]]), "Shapes (1, 1) and (None,) are incompatible"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_tensorflow(name):
    fn, text = ERRORS[name]
    with pytest.raises(Exception) as theirs:
        fn(TF)
    with pytest.raises(Exception) as ours:
        fn(ND)
    assert type(ours.value).__name__ == type(theirs.value).__name__, (ours.value, theirs.value)
    if text is not None:
        assert text in str(ours.value) and text in str(theirs.value)


# ---------------------------------------------------------------------------------------------
# Blocking behaviour (both libraries, bounded by join timeouts)

def _run_in_thread(fn):
    box = {}

    def target():
        try:
            box["value"] = fn()
        except Exception as exc:  # noqa: BLE001 - handed to the test thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


@pytest.mark.parametrize("m", [ND, TF], ids=["ndflow", "tf"])
def test_dequeue_waits_for_enqueue(m):
    q = m.queue.FIFOQueue(2, m.float32, shapes=[])
    thread, box = _run_in_thread(q.dequeue)
    time.sleep(0.2)
    assert thread.is_alive()
    q.enqueue(5.)
    thread.join(TIMEOUT)
    assert not thread.is_alive() and float(box["value"]) == 5.


@pytest.mark.parametrize("m", [ND, TF], ids=["ndflow", "tf"])
def test_close_wakes_waiting_dequeue(m):
    q = m.queue.FIFOQueue(2, m.float32, shapes=[])
    thread, box = _run_in_thread(lambda: q.dequeue_many(2))
    q.enqueue(1.)
    time.sleep(0.2)
    assert thread.is_alive()
    q.close()
    thread.join(TIMEOUT)
    assert not thread.is_alive()
    assert type(box["error"]).__name__ == "OutOfRangeError"


@pytest.mark.parametrize("m", [ND, TF], ids=["ndflow", "tf"])
def test_enqueue_waits_while_full_and_cancel(m):
    q = m.queue.FIFOQueue(1, m.int32, shapes=[])
    q.enqueue(1)
    thread, box = _run_in_thread(lambda: q.enqueue(2))
    time.sleep(0.2)
    assert thread.is_alive()
    assert int(q.dequeue()) == 1
    thread.join(TIMEOUT)
    assert not thread.is_alive() and "error" not in box
    blocked, box = _run_in_thread(lambda: q.enqueue(3))
    time.sleep(0.2)
    assert blocked.is_alive()
    q.close(cancel_pending_enqueues=True)
    blocked.join(TIMEOUT)
    assert not blocked.is_alive()
    assert type(box["error"]).__name__ == "CancelledError"
    assert "Enqueue operation was cancelled" in str(box["error"])
    assert int(q.dequeue()) == 2


def test_pending_enqueue_completes_after_plain_close():
    q = nqueue.FIFOQueue(1, nf.int32, shapes=[])
    q.enqueue(1)
    thread, box = _run_in_thread(lambda: q.enqueue(2))
    time.sleep(0.1)
    q.close()
    assert int(q.dequeue()) == 1
    thread.join(TIMEOUT)
    assert not thread.is_alive() and "error" not in box
    assert int(q.dequeue()) == 2


def test_enqueue_many_beyond_capacity_streams():
    q = nqueue.FIFOQueue(2, nf.int32, shapes=[])
    thread, _ = _run_in_thread(lambda: q.enqueue_many([np.arange(5, dtype=np.int32)]))
    got = [int(q.dequeue()) for _ in range(5)]
    thread.join(TIMEOUT)
    assert not thread.is_alive() and got == [0, 1, 2, 3, 4]


def test_random_shuffle_keeps_min_after_dequeue():
    q = nqueue.RandomShuffleQueue(10, 3, nf.int32, shapes=[], seed=1)
    q.enqueue_many([np.arange(4, dtype=np.int32)])
    first = int(q.dequeue())
    thread, box = _run_in_thread(q.dequeue)
    time.sleep(0.2)
    assert thread.is_alive()  # 3 left: a dequeue would go below min_after_dequeue
    q.close()
    thread.join(TIMEOUT)
    rest = [int(box["value"])] + [int(x) for x in q.dequeue_up_to(5)]
    assert sorted([first] + rest) == [0, 1, 2, 3]


def test_random_shuffle_is_seeded():
    def order(seed):
        nf.random.set_seed(None)
        q = nqueue.RandomShuffleQueue(50, 0, nf.int32, shapes=[], seed=seed)
        q.enqueue_many([np.arange(20, dtype=np.int32)])
        return np.asarray(q.dequeue_many(20)).tolist()
    assert order(7) == order(7)
    assert sorted(order(7)) == list(range(20)) and order(7) != list(range(20))


@pytest.mark.parametrize("kind", ["fifo", "shuffle", "priority"])
def test_many_producers_and_consumers(kind):
    if kind == "fifo":
        q = nqueue.FIFOQueue(8, [nf.int32, nf.float32], shapes=[[], []])
    elif kind == "shuffle":
        q = nqueue.RandomShuffleQueue(8, 2, [nf.int32, nf.float32], shapes=[[], []], seed=5)
    else:
        q = nqueue.PriorityQueue(8, [nf.int32, nf.float32], shapes=[[], []])
    producers, per_producer = 4, 200
    results, lock = [], threading.Lock()

    def produce(p):
        for i in range(per_producer):
            v = p * per_producer + i
            if kind == "priority":
                q.enqueue((v % 7, v, float(v)))
            elif i % 2:
                q.enqueue((v, float(v)))
            else:
                q.enqueue_many(([v], [float(v)]))

    def consume():
        while True:
            try:
                out = q.dequeue_up_to(3)
            except nf.errors.OutOfRangeError:
                return
            ids, vals = out[-2:]
            assert np.array_equal(np.asarray(ids).astype(np.float32), np.asarray(vals))
            with lock:
                results.extend(np.asarray(ids).tolist())

    threads = [threading.Thread(target=produce, args=(p,), daemon=True)
               for p in range(producers)]
    consumers = [threading.Thread(target=consume, daemon=True) for _ in range(3)]
    for t in threads + consumers:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a producer is stuck"
    q.close()
    for t in consumers:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a consumer is stuck"
    assert sorted(results) == list(range(producers * per_producer))


def test_fifo_order_per_producer():
    q = nqueue.FIFOQueue(4, nf.int32, shapes=[])
    seen = []

    def consume():
        while True:
            try:
                seen.append(int(q.dequeue()))
            except nf.errors.OutOfRangeError:
                return

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    for i in range(100):
        q.enqueue(i)
    q.close()
    consumer.join(TIMEOUT)
    assert not consumer.is_alive() and seen == list(range(100))
