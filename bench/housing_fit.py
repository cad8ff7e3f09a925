"""Keras fit throughput: Sequential 8 -> Dense(30, relu, he_normal) -> Dense(1), Huber loss,
Nadam, metrics=["mae"], 11,610 x 8 float32 rows (synthetic, housing-shaped), batch 32.

Prints training steps per second for ndflow and TensorFlow (run_eagerly=True, and the default
graph mode where the framework has one), each measured in its own process. Run by hand:

    python bench/housing_fit.py [--epochs 3]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _runner import available, print_table, run_workload  # noqa: E402

WORKLOAD = """
import json, sys, time
import numpy as np
framework, epochs, eager = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
if framework == "tensorflow":
    import tensorflow as tf
else:
    import ndflow as tf
keras = tf.keras
rng = np.random.default_rng(0)
x = rng.normal(size=(11610, 8)).astype(np.float32)
y = (x @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(11610, 1))).astype(np.float32)
keras.utils.set_random_seed(42)
model = keras.Sequential([keras.Input((8,)),
                          keras.layers.Dense(30, activation="relu", kernel_initializer="he_normal"),
                          keras.layers.Dense(1)])
model.compile(loss=keras.losses.Huber(), optimizer="nadam", metrics=["mae"], run_eagerly=eager)
model.fit(x[:320], y[:320], epochs=1, batch_size=32, verbose=0)   # warm-up (and tracing)
steps = []
for _ in range(epochs):
    start = time.perf_counter()
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)
    steps.append(int(np.ceil(len(x) / 32)) / (time.perf_counter() - start))
print(json.dumps({"steps/s": float(np.median(steps))}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    results = {"ndflow": {}}
    frameworks = ["ndflow"] + (["tensorflow"] if available("tensorflow") else [])
    for framework in frameworks:
        results.setdefault(framework, {})
        for eager in (True, False):
            label = "fit steps/s, run_eagerly=True" if eager else "fit steps/s, default (graph)"
            results[framework][label] = run_workload(WORKLOAD, framework, args.epochs,
                                                     int(eager))["steps/s"]
    print_table(results)


if __name__ == "__main__":
    main()
