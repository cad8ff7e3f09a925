"""Fits a small neural network to the diabetes data set with ndflow tensors, variables, a
GradientTape and a hand-written training loop (mini-batch gradient descent with momentum).

Run: python examples/fit_diabetes.py
"""
import os

import numpy as np

import ndflow as tf

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "diabetes.csv")


def load_data(seed=0):
    """Standardised features and targets, split 80/20 into training and test sets."""
    table = np.loadtxt(DATA, delimiter=",", skiprows=1)
    x, y = table[:, :-1], table[:, -1:]
    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    split = int(0.8 * len(x))
    mean, std = x[:split].mean(0), x[:split].std(0)
    y_mean, y_std = y[:split].mean(), y[:split].std()
    x = ((x - mean) / std).astype(np.float32)
    y = ((y - y_mean) / y_std).astype(np.float32)
    return (x[:split], y[:split]), (x[split:], y[split:]), y_std


def main(epochs=60, batch_size=32, learning_rate=0.005, momentum=0.9, hidden=16):
    tf.random.set_seed(42)
    (x_train, y_train), (x_test, y_test), y_std = load_data()
    w1 = tf.Variable(tf.random.normal([x_train.shape[1], hidden], stddev=0.3), name="w1")
    b1 = tf.Variable(tf.zeros([hidden]), name="b1")
    w2 = tf.Variable(tf.random.normal([hidden, 1], stddev=0.3), name="w2")
    b2 = tf.Variable(tf.zeros([1]), name="b2")
    params = [w1, b1, w2, b2]
    velocity = [tf.zeros_like(p) for p in params]

    def predict(x):
        return tf.tanh(x @ w1 + b1) @ w2 + b2

    def mse(x, y):
        return tf.reduce_mean(tf.square(predict(x) - y))

    rng = np.random.default_rng(1)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            with tf.GradientTape() as tape:
                loss = mse(tf.constant(x_train[batch]), tf.constant(y_train[batch]))
            grads = tape.gradient(loss, params)
            for i, (p, g) in enumerate(zip(params, grads)):
                velocity[i] = momentum * velocity[i] - learning_rate * g
                p.assign_add(velocity[i])
        if epoch == 1 or epoch % 10 == 0:
            train_loss = float(mse(x_train, y_train))
            test_loss = float(mse(x_test, y_test))
            print(f"epoch {epoch:3d}  train mse {train_loss:.3f}  test mse {test_loss:.3f}  "
                  f"(test RMSE {np.sqrt(test_loss) * y_std:.1f} progression units)")
    return float(mse(x_test, y_test))


if __name__ == "__main__":
    main()
