"""A scalar loop inside a function: ``total = constant(0); for i in range(n): total += i`` with
``n = constant(10000)``, in ndflow.function and TensorFlow's tf.function.

The first call of a new function traces, compiles and runs it; later calls only run it. Each
framework runs in its own process; the script prints median milliseconds and TensorFlow /
ndflow ratios (above 1: ndflow is faster; the targets are >= 2x first, >= 5x later). Run by hand:

    python bench/seed_loop.py [--repeats 7]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _runner import available, print_table, run_workload  # noqa: E402

# AutoGraph reads the function's source, so it lives in a module file, not in ``python -c``.
LOOP_MODULE = """
def make(tf):
    @tf.function
    def seed_loop(n):
        total = tf.constant(0)
        for i in range(n):
            total += i
        return total
    return seed_loop
"""

WORKLOAD = """
import json, os, statistics, sys, tempfile, time
framework, repeats, module = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if framework == "tensorflow":
    import tensorflow as tf
else:
    import ndflow as tf
folder = tempfile.mkdtemp()
with open(os.path.join(folder, "seed_loop_fn.py"), "w") as f:
    f.write(module)
sys.path.insert(0, folder)
from seed_loop_fn import make

n = tf.constant(10000)
first, later = [], []
for _ in range(repeats):
    fn = make(tf)                # a new function: the call traces, compiles and runs
    start = time.perf_counter()
    result = fn(n)
    first.append(time.perf_counter() - start)
    assert int(result) == 49995000, result
    for _ in range(3):
        start = time.perf_counter()
        fn(n)
        later.append(time.perf_counter() - start)
print(json.dumps({"first call (ms)": statistics.median(first) * 1e3,
                  "later calls (ms)": statistics.median(later) * 1e3}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    frameworks = ["ndflow"] + [f for f in ("tensorflow",) if available(f)]
    results = {f: run_workload(WORKLOAD, f, args.repeats, LOOP_MODULE) for f in frameworks}
    print_table(results, higher_is_better=False)


if __name__ == "__main__":
    main()
