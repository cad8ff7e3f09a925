"""bench/custom_loop.py's model and loop with the training step in a function: ndflow.function
and tf.function (graph mode) versus PyTorch eager. Flatten(28x28) -> Dense(100, relu) ->
Dense(10, softmax), SparseCategoricalCrossentropy, Nadam(0.01), batches of 32.

Prints steps per second, each framework in its own process. Run by hand:

    python bench/graph_step.py [--steps 300]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _runner import available, print_table, run_workload  # noqa: E402

WORKLOAD = """
import json, sys, time
import numpy as np
framework, steps = sys.argv[1], int(sys.argv[2])
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
    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss
    xs, ys = tf.constant(x), tf.constant(y)
    def step(i):
        train_step(xs[i * 32:(i + 1) * 32], ys[i * 32:(i + 1) * 32])

for i in range(10):
    step(i)
rates = []
for _ in range(3):
    start = time.perf_counter()
    for i in range(steps):
        step(i)
    rates.append(steps / (time.perf_counter() - start))
print(json.dumps({"step in a function (torch: eager) steps/s": float(np.median(rates))}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    frameworks = ["ndflow"] + [f for f in ("tensorflow", "torch") if available(f)]
    results = {f: run_workload(WORKLOAD, f, args.steps) for f in frameworks}
    print_table(results)


if __name__ == "__main__":
    main()
