"""Custom training loop throughput: Flatten(28x28) -> Dense(100, relu) -> Dense(10, softmax),
SparseCategoricalCrossentropy, Nadam(0.01), a GradientTape step per batch of 32, eager; with
--graph the step runs in ndflow.function / tf.function (PyTorch stays eager).

Prints steps per second for ndflow, TensorFlow and PyTorch (the same model and optimizer),
each in its own process. Run by hand:

    python bench/custom_loop.py [--steps 300] [--graph] [--rounds 5] [--skip tensorflow]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _runner import available, print_table, run_rounds  # noqa: E402

WORKLOAD = """
import json, sys, time
import numpy as np
framework, steps, graph = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
rng = np.random.default_rng(0)
x = rng.random((steps * 32, 28, 28), dtype=np.float32)
y = rng.integers(0, 10, size=steps * 32).astype(np.int64)

if framework == "torch":
    import torch
    torch.set_num_threads(2)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 100), torch.nn.ReLU(),
                                torch.nn.Linear(100, 10))
    optimizer = torch.optim.NAdam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs, ys = torch.from_numpy(x), torch.from_numpy(y)
    def step(i):
        optimizer.zero_grad()
        loss = loss_fn(model(xs[i * 32:(i + 1) * 32]), ys[i * 32:(i + 1) * 32])
        loss.backward()
        optimizer.step()
else:
    if framework == "tensorflow":
        import tensorflow as tf
    else:
        import ndflow as tf
    keras = tf.keras
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(100, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    optimizer = keras.optimizers.Nadam(learning_rate=0.01)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    if graph:
        train_step = tf.function(train_step)
        x, y = tf.constant(x), tf.constant(y)
    def step(i):
        train_step(x[i * 32:(i + 1) * 32], y[i * 32:(i + 1) * 32])

for i in range(10):
    step(i)
rates = []
for _ in range(3):
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    rates.append(steps / (time.perf_counter() - start))
label = "step in a function (torch: eager)" if graph else "eager custom loop"
print(json.dumps({f"{label} steps/s": float(np.median(rates))}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--graph", action="store_true", help="run the step as a graph function")
    parser.add_argument("--rounds", type=int, default=1,
                        help="run each framework this many times, interleaved; report medians")
    parser.add_argument("--skip", nargs="*", default=[], help="frameworks to leave out")
    args = parser.parse_args()
    frameworks = ["ndflow"] + [f for f in ("tensorflow", "torch") if available(f)]
    frameworks = [f for f in frameworks if f not in args.skip]
    results = run_rounds(WORKLOAD, frameworks, args.rounds, args.steps, int(args.graph))
    print_table(results)


if __name__ == "__main__":
    main()
