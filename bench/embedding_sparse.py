"""Training an Embedding(100_000, 64) model with sparse (IndexedSlices) gradients against the same
model with its embedding gradient densified: the sparse step costs time proportional to the batch
(32 x 10 tokens), the dense one to the vocabulary.

Run: python bench/embedding_sparse.py [--steps N] [--vocab V]
"""
import argparse
import time

import numpy as np

import ndflow as nd
from ndflow import keras


def build(vocab, dim, seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((10,), dtype="int32"),
                              keras.layers.Embedding(vocab, dim),
                              keras.layers.GlobalAveragePooling1D(),
                              keras.layers.Dense(1)])
    return model


def train(model, batches, densify):
    """Average seconds per training step (the first step, which builds the optimizer, excluded)."""
    optimizer = keras.optimizers.SGD(0.1)
    variables = model.trainable_variables

    def step(ids, targets):
        with nd.GradientTape() as tape:
            loss = nd.reduce_mean(nd.square(model(ids) - targets))
        grads = tape.gradient(loss, variables)
        if densify:
            grads = [nd.convert_to_tensor(g) for g in grads]
        optimizer.apply_gradients(zip(grads, variables))

    step(*batches[0])
    start = time.perf_counter()
    for ids, targets in batches[1:]:
        step(ids, targets)
    return (time.perf_counter() - start) / (len(batches) - 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--vocab", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=64)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    batches = [(nd.constant(rng.integers(0, args.vocab, (32, 10)).astype(np.int32)),
                nd.constant(rng.normal(size=(32, 1)).astype(np.float32)))
               for _ in range(args.steps + 1)]
    sparse = train(build(args.vocab, args.dim), batches, densify=False)
    dense = train(build(args.vocab, args.dim), batches, densify=True)
    small = train(build(args.vocab // 100, args.dim), batches_mod(batches, args.vocab // 100),
                  densify=False)
    print(f"Embedding({args.vocab}, {args.dim}) -> GlobalAveragePooling1D -> Dense(1), "
          f"SGD, batch 32 x 10 tokens, {args.steps} steps")
    print(f"sparse gradients (IndexedSlices): {sparse * 1e3:8.3f} ms/step")
    print(f"dense gradients (densified):      {dense * 1e3:8.3f} ms/step")
    print(f"dense / sparse ratio:             {dense / sparse:8.1f}x")
    print(f"sparse, vocabulary {args.vocab // 100}:        {small * 1e3:8.3f} ms/step "
          f"(vocabulary 100x larger costs {sparse / small:.2f}x)")


def batches_mod(batches, vocab):
    """The same batches with token ids folded into a smaller vocabulary."""
    return [(nd.constant(ids.numpy() % vocab), targets) for ids, targets in batches]


if __name__ == "__main__":
    main()
