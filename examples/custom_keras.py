"""Custom Keras components on the diabetes data set: a custom layer, loss and metric inside a
subclassed model, trained with fit() and with a hand-written GradientTape loop, then saved to a
.keras file and loaded back.

Run: python examples/custom_keras.py
"""
import os
import tempfile

import numpy as np

import ndflow as tf
from fit_diabetes import load_data

keras = tf.keras


@keras.utils.register_keras_serializable(package="examples")
class ResidualDense(keras.layers.Layer):
    """units -> relu(x @ W + b) + x: a dense layer with a skip connection."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], self.units),
                                      initializer="he_normal")
        self.bias = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        return tf.nn.relu(inputs @ self.kernel + self.bias) + inputs

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.utils.register_keras_serializable(package="examples")
class HuberLoss(keras.losses.Loss):
    """Quadratic below ``threshold``, linear above it."""

    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        small = tf.abs(error) < self.threshold
        return tf.where(small, tf.square(error) / 2,
                        self.threshold * tf.abs(error) - self.threshold ** 2 / 2)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


@keras.utils.register_keras_serializable(package="examples")
class WithinTolerance(keras.metrics.Metric):
    """The fraction of predictions within ``tolerance`` of the target."""

    def __init__(self, tolerance=0.5, name="within_tolerance", **kwargs):
        super().__init__(name=name, **kwargs)
        self.tolerance = tolerance
        self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")
        self.count = self.add_variable(shape=(), initializer="zeros", name="count")

    def update_state(self, y_true, y_pred, sample_weight=None):
        hits = tf.cast(tf.abs(y_true - y_pred) < self.tolerance, "float32")
        self.hits.assign_add(tf.reduce_sum(hits))
        self.count.assign_add(tf.cast(tf.size(hits), "float32"))

    def result(self):
        return self.hits / tf.maximum(self.count, 1.0)

    def get_config(self):
        return {**super().get_config(), "tolerance": self.tolerance}


@keras.utils.register_keras_serializable(package="examples")
class Regressor(keras.Model):
    """Dense -> ResidualDense -> Dense(1)."""

    def __init__(self, hidden=16, **kwargs):
        super().__init__(**kwargs)
        self.hidden = hidden
        self.embed = keras.layers.Dense(hidden, activation="relu")
        self.residual = ResidualDense(hidden)
        self.head = keras.layers.Dense(1)

    def call(self, inputs, training=None):
        return self.head(self.residual(self.embed(inputs)))

    def get_config(self):
        return {**super().get_config(), "hidden": self.hidden}


def custom_loop(model, x, y, epochs, batch_size=32):
    """Trains with a GradientTape loop, as fit() does, reporting loss and the custom metric."""
    optimizer, loss_fn, metric = keras.optimizers.Adam(0.003), HuberLoss(), WithinTolerance()
    rng = np.random.default_rng(2)
    for epoch in range(epochs):
        metric.reset_state()
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            batch = order[start:start + batch_size]
            with tf.GradientTape() as tape:
                pred = model(x[batch], training=True)
                loss = loss_fn(y[batch], pred) + tf.add_n(model.losses or [0.0])
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            metric.update_state(y[batch], pred)
        print(f"custom loop epoch {epoch + 1}: loss {float(loss):.3f}, "
              f"within tolerance {float(metric.result()):.2f}")


def main(epochs=20, verbose=2):
    keras.utils.set_random_seed(7)
    (x_train, y_train), (x_test, y_test), _ = load_data()
    model = Regressor()
    model.compile(optimizer=keras.optimizers.Adam(0.003), loss=HuberLoss(0.5),
                  metrics=[WithinTolerance(), "mae"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, validation_split=0.1,
              verbose=verbose)
    custom_loop(model, x_train, y_train, epochs=2)
    results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)
    print("test:", {k: round(v, 3) for k, v in results.items()})
    path = os.path.join(tempfile.mkdtemp(), "regressor.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    same = np.allclose(restored.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    print(f"saved to {path} and reloaded: identical predictions = {same}")
    return results, same


if __name__ == "__main__":
    main()
