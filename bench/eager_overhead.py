"""Eager per-op overhead of ndflow, side by side with TensorFlow and PyTorch when installed.

Each framework runs in its own subprocess (so imports do not interfere); the script prints the
median time per op of each workload and the ratio to ndflow. Run by hand:

    python bench/eager_overhead.py [--repeats 7]
"""
import argparse
import json
import statistics
import subprocess
import sys
import time

WORKLOADS = """
import json, statistics, sys, time
import numpy as np

FRAMEWORK, REPEATS = sys.argv[1], int(sys.argv[2])
if FRAMEWORK == "torch":
    import torch
    torch.set_num_threads(1)
    const = lambda a: torch.tensor(a)
    def tape_chain(a, b, n):
        a = a.clone().requires_grad_(True)
        y = a
        for _ in range(n):
            y = y + b
        y.sum().backward()
        return a.grad
    def int_loop(n):
        total = torch.tensor(0, dtype=torch.int32)
        for i in range(n):
            total += i
        return total
else:
    if FRAMEWORK == "tensorflow":
        import os
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import tensorflow as tf
    else:
        import ndflow as tf
    const = tf.constant
    def tape_chain(a, b, n):
        with tf.GradientTape() as tape:
            tape.watch(a)
            y = a
            for _ in range(n):
                y = y + b
        return tape.gradient(y, a)
    def int_loop(n):
        total = tf.constant(0, tf.int32)
        for i in range(n):
            total += i
        return total

rng = np.random.default_rng(0)
a = const(rng.random((8, 8), dtype=np.float32))
b = const(rng.random((8, 8), dtype=np.float32))

def per_call(fn, number, per=1):
    fn()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number / per)
    return statistics.median(times)

results = {
    "add 8x8 float32 (us/op)": per_call(lambda: a + b, 20000) * 1e6,
    "matmul 8x8 float32 (us/op)": per_call(lambda: a @ b, 20000) * 1e6,
    "add on a tape + backward (us/op)": per_call(lambda: tape_chain(a, b, 100), 50, 100) * 1e6,
    "total += i, 10,000 times (s)": per_call(lambda: int_loop(10000), 1),
}
print(json.dumps(results))
"""

FRAMEWORKS = {"ndflow": "ndflow", "tensorflow": "tensorflow", "torch": "torch"}


def available(module):
    """True when ``module`` can be imported by this interpreter."""
    probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return probe.returncode == 0


def import_time(module, repeats):
    """Median wall time of ``python -c 'import module'`` in a fresh interpreter."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True,
                       capture_output=True, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(framework, repeats):
    """The workload results of one framework, measured in a subprocess."""
    out = subprocess.run([sys.executable, "-c", WORKLOADS, framework, str(repeats)],
                         check=True, capture_output=True, text=True)
    results = json.loads(out.stdout.strip().splitlines()[-1])
    results["import (s)"] = import_time(FRAMEWORKS[framework], repeats)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    names = [name for name in FRAMEWORKS if name == "ndflow" or available(FRAMEWORKS[name])]
    table = {name: run(name, args.repeats) for name in names}
    rows = list(table["ndflow"])
    header = f"{'workload':36s}" + "".join(f"{n:>13s}" for n in names)
    header += "".join(f"{n + '/ndflow':>20s}" for n in names[1:])
    print(header)
    for row in rows:
        line = f"{row:36s}" + "".join(f"{table[n][row]:13.3f}" for n in names)
        line += "".join(f"{table[n][row] / table['ndflow'][row]:19.1f}x" for n in names[1:])
        print(line)


if __name__ == "__main__":
    main()
