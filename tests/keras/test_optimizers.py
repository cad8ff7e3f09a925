"""ndflow.keras.optimizers: unit tests and conformance with real Keras 3 (100 random steps)."""
import warnings

import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import optimizers
from ndflow.keras.optimizers import schedules
from ndflow.keras.variables import KerasVariable

SHAPES = {"kernel": (3, 4), "bias": (4,), "conv": (2, 3, 5), "scale": ()}


def _initial_values(seed=0):
    rng = np.random.default_rng(seed)
    return {name: rng.normal(size=shape).astype(np.float32) for name, shape in SHAPES.items()}


def _gradient_stream(steps, seed=1, none_every=7):
    """Random gradients per step; 'bias' has no gradient every ``none_every`` steps."""
    rng = np.random.default_rng(seed)
    for step in range(steps):
        grads = {name: (rng.normal(size=shape) * rng.uniform(0.1, 3.0)).astype(np.float32)
                 for name, shape in SHAPES.items()}
        if none_every and step % none_every == 3:
            grads["bias"] = None
        yield grads


def _run(make_optimizer, variables, to_tensor, steps, before_build=None):
    optimizer = make_optimizer()
    if before_build is not None:
        before_build(optimizer, variables)
    names = list(SHAPES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for grads in _gradient_stream(steps):
            optimizer.apply_gradients(
                [(None if grads[n] is None else to_tensor(grads[n]), variables[n])
                 for n in names])
    return optimizer, {n: np.asarray(variables[n].numpy()) for n in names}


def _ours(make, steps=100, before_build=None):
    init = _initial_values()
    variables = {n: KerasVariable(v, name=n, path=n) for n, v in init.items()}
    return _run(lambda: make(optimizers, schedules), variables, nd.constant, steps,
                before_build)


def _theirs(real_tf, make, steps=100, before_build=None):
    keras = real_tf.keras
    init = _initial_values()
    variables = {n: keras.Variable(v, name=n) for n, v in init.items()}
    return _run(lambda: make(keras.optimizers, keras.optimizers.schedules), variables,
                real_tf.constant, steps, before_build)


CASES = {
    "sgd": lambda o, s: o.SGD(),
    "sgd_momentum": lambda o, s: o.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov_wd": lambda o, s: o.SGD(learning_rate=0.05, momentum=0.8, nesterov=True,
                                          weight_decay=0.05),
    "rmsprop": lambda o, s: o.RMSprop(),
    "rmsprop_centered_momentum": lambda o, s: o.RMSprop(learning_rate=0.01, momentum=0.5,
                                                        centered=True),
    "adam": lambda o, s: o.Adam(),
    "adam_amsgrad": lambda o, s: o.Adam(learning_rate=0.01, amsgrad=True),
    "adam_clipnorm": lambda o, s: o.Adam(learning_rate=0.01, clipnorm=0.5),
    "adam_clipvalue": lambda o, s: o.Adam(learning_rate=0.01, clipvalue=0.3),
    "adam_global_clipnorm": lambda o, s: o.Adam(learning_rate=0.01, global_clipnorm=1.0),
    "adam_weight_decay": lambda o, s: o.Adam(learning_rate=0.01, weight_decay=0.1),
    "adamw": lambda o, s: o.AdamW(learning_rate=0.01),
    "nadam": lambda o, s: o.Nadam(learning_rate=0.01),
    "adagrad": lambda o, s: o.Adagrad(learning_rate=0.05),
    "adadelta": lambda o, s: o.Adadelta(learning_rate=1.0),
    "adamax": lambda o, s: o.Adamax(learning_rate=0.01),
    "lion": lambda o, s: o.Lion(learning_rate=0.001),
    "ftrl": lambda o, s: o.Ftrl(learning_rate=0.05, l1_regularization_strength=0.01,
                                l2_regularization_strength=0.02,
                                l2_shrinkage_regularization_strength=0.01, beta=0.1),
    "adafactor": lambda o, s: o.Adafactor(learning_rate=0.01),
    "ema": lambda o, s: o.Adam(learning_rate=0.01, use_ema=True, ema_momentum=0.9,
                               ema_overwrite_frequency=10),
    "accumulation": lambda o, s: o.SGD(learning_rate=0.05, momentum=0.5,
                                       gradient_accumulation_steps=3),
    "accumulation_adam": lambda o, s: o.Adam(learning_rate=0.01, gradient_accumulation_steps=4),
    "loss_scale": lambda o, s: o.RMSprop(learning_rate=0.01, loss_scale_factor=128.0),
    "exponential_decay": lambda o, s: o.SGD(s.ExponentialDecay(0.1, 10, 0.8, staircase=True)),
    "cosine_warmup": lambda o, s: o.Adam(s.CosineDecay(0.0, 60, alpha=0.1, warmup_target=0.02,
                                                       warmup_steps=20)),
    "cosine": lambda o, s: o.Adam(s.CosineDecay(0.02, 70)),
    "cosine_restarts": lambda o, s: o.Adam(s.CosineDecayRestarts(0.02, 15, t_mul=2.0,
                                                                 m_mul=0.8, alpha=0.05)),
    "cosine_restarts_flat": lambda o, s: o.SGD(s.CosineDecayRestarts(0.05, 15, t_mul=1.0)),
    "piecewise": lambda o, s: o.RMSprop(s.PiecewiseConstantDecay([20, 50], [0.01, 0.005,
                                                                            0.001])),
    "polynomial_cycle": lambda o, s: o.SGD(s.PolynomialDecay(0.1, 30, power=2.0, cycle=True),
                                           momentum=0.9),
    "polynomial": lambda o, s: o.SGD(s.PolynomialDecay(0.1, 30, power=0.5)),
    "inverse_time": lambda o, s: o.Adam(s.InverseTimeDecay(0.02, 10, 0.5), weight_decay=0.05),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_steps_match_keras(real_tf, case):
    """Same initial weights and 100 random gradient steps give the same weights as Keras."""
    make = CASES[case]
    ours, got = _ours(make)
    theirs, want = _theirs(real_tf, make)
    for name in SHAPES:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=name)
    assert int(ours.iterations.numpy()) == int(theirs.iterations.numpy())
    assert len(ours.variables) == len(theirs.variables)
    for mine, real in zip(ours.variables, theirs.variables):
        assert tuple(mine.shape.as_list()) == tuple(real.shape)
        np.testing.assert_allclose(np.asarray(mine.numpy(), np.float64),
                                   np.asarray(real.numpy(), np.float64), rtol=1e-5, atol=1e-6)


def test_exclude_from_weight_decay_matches_keras(real_tf):
    def exclude(optimizer, variables):
        optimizer.exclude_from_weight_decay(var_list=[variables["scale"]], var_names=["bias"])
    make = CASES["adamw"]
    _, got = _ours(make, before_build=exclude)
    _, want = _theirs(real_tf, make, before_build=exclude)
    for name in SHAPES:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=name)


# -- configuration --------------------------------------------------------------------------------

CONFIG_CASES = dict(CASES, defaults_sgd=lambda o, s: o.SGD(), defaults_adamw=lambda o, s: o.AdamW(),
                    defaults_ftrl=lambda o, s: o.Ftrl(), defaults_adafactor=lambda o, s: o.Adafactor(),
                    defaults_lion=lambda o, s: o.Lion(), defaults_nadam=lambda o, s: o.Nadam())


def _without_name(config):
    config = dict(config)
    config.pop("name")
    return config


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_get_config_matches_keras(real_tf, case):
    make = CONFIG_CASES[case]
    ours = make(optimizers, schedules)
    theirs = make(real_tf.keras.optimizers, real_tf.keras.optimizers.schedules)
    assert _without_name(ours.get_config()) == _without_name(theirs.get_config())
    mine = optimizers.serialize(ours)
    real = real_tf.keras.optimizers.serialize(theirs)
    mine["config"].pop("name"), real["config"].pop("name")
    assert mine == real
    rebuilt = optimizers.deserialize(optimizers.serialize(ours))
    assert type(rebuilt) is type(ours)
    assert rebuilt.get_config() == ours.get_config()


def test_default_names_follow_keras():
    names = [optimizers.RMSprop().name, optimizers.AdamW().name, optimizers.SGD().name]
    assert names[0].startswith("rm_sprop") and names[1].startswith("adam_w")
    assert names[2].startswith("sgd")


@pytest.mark.parametrize("identifier,cls", [
    ("adam", "Adam"), ("Adam", "Adam"), ("sgd", "SGD"), ("SGD", "SGD"), ("rmsprop", "RMSprop"),
    ("RMSprop", "RMSprop"), ("nadam", "Nadam"), ("adamw", "AdamW"), ("adagrad", "Adagrad"),
    ("adadelta", "Adadelta"), ("adamax", "Adamax"), ("lion", "Lion"), ("ftrl", "Ftrl"),
    ("adafactor", "Adafactor")])
def test_get_strings(identifier, cls):
    optimizer = optimizers.get(identifier)
    assert type(optimizer).__name__ == cls


def test_get_other_identifiers():
    assert optimizers.get(None) is None
    adam = optimizers.Adam()
    assert optimizers.get(adam) is adam
    assert isinstance(optimizers.get(optimizers.SGD), optimizers.SGD)
    config = {"class_name": "Adam", "config": {"learning_rate": 0.5}}
    assert float(optimizers.get(config).learning_rate.numpy()) == 0.5
    assert isinstance(optimizers.get({"class_name": "rmsprop", "config": {}}), optimizers.RMSprop)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)


def test_schedule_serialization_round_trip():
    optimizer = optimizers.SGD(schedules.ExponentialDecay(0.1, 10, 0.9))
    config = optimizers.serialize(optimizer)
    assert config["config"]["learning_rate"]["module"] == "keras.optimizers.schedules"
    rebuilt = optimizers.deserialize(config)
    assert isinstance(rebuilt._learning_rate, schedules.ExponentialDecay)
    assert rebuilt._learning_rate.get_config() == optimizer._learning_rate.get_config()


# -- errors ---------------------------------------------------------------------------------------

def _error(fn):
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the class and text are compared
        return type(exc).__name__, str(exc)
    return None


@pytest.mark.parametrize("make", [
    lambda o: o.Adam(learning_rate=1),
    lambda o: o.Adam(clipnorm=1.0, clipvalue=1.0),
    lambda o: o.Adam(foo=1),
    lambda o: o.SGD(momentum=1),
    lambda o: o.AdamW(weight_decay=None),
    lambda o: o.Lion(beta_1=0.0),
    lambda o: o.Ftrl(learning_rate_power=0.5),
    lambda o: o.Ftrl(l1_regularization_strength=-1.0),
    lambda o: o.Adam(gradient_accumulation_steps=1),
    lambda o: o.Adam(use_ema=True, ema_momentum=2.0),
])
def test_constructor_errors_match_keras(real_tf, make):
    assert _error(lambda: make(optimizers)) == _error(lambda: make(real_tf.keras.optimizers))


def test_apply_errors_match_keras(real_tf):
    def no_grads(o, variable_cls):
        o.SGD().apply_gradients([(None, variable_cls(1.0))])

    def unknown(o, variable_cls):
        opt = o.SGD()
        opt.build([variable_cls(1.0)])
        opt.apply_gradients([(1.0, variable_cls(2.0))])
    for fn in (no_grads, unknown):
        mine = _error(lambda: fn(optimizers, nd.Variable))
        real = _error(lambda: fn(real_tf.keras.optimizers, real_tf.Variable))
        assert mine[0] == real[0] == "ValueError"
        assert mine[1].split(":")[0] == real[1].split(":")[0]


def test_schedule_learning_rate_is_not_settable():
    optimizer = optimizers.Adam(schedules.ExponentialDecay(0.1, 10, 0.9))
    with pytest.raises(TypeError, match="not settable"):
        optimizer.learning_rate = 0.1


# -- behaviour ------------------------------------------------------------------------------------

def test_none_gradient_warning_names_the_variables():
    kernel = KerasVariable(np.ones((2, 2), np.float32), name="kernel", path="dense/kernel")
    plain = nd.Variable(np.ones(2, np.float32), name="bias")
    optimizer = optimizers.SGD()
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['bias:0'\]"):
        optimizer.apply_gradients([(nd.ones((2, 2)), kernel), (None, plain)])
    with pytest.warns(UserWarning, match=r"\['dense/kernel'\]"):
        optimizer.apply_gradients([(None, kernel), (nd.ones(2), plain)])
    np.testing.assert_allclose(kernel.numpy(), 0.99)
    np.testing.assert_allclose(plain.numpy(), 0.99)


def test_learning_rate_property_and_setter():
    optimizer = optimizers.Adam(learning_rate=0.01)
    assert isinstance(optimizer.learning_rate, nd.Variable)
    np.testing.assert_allclose(float(optimizer.learning_rate), 0.01)
    optimizer.learning_rate = 0.5
    assert float(optimizer.learning_rate.numpy()) == 0.5
    assert optimizer.get_config()["learning_rate"] == 0.5
    scheduled = optimizers.SGD(schedules.PiecewiseConstantDecay([2], [1.0, 0.5]))
    variable = nd.Variable(0.0)
    rates = []
    for _ in range(4):
        rates.append(float(scheduled.learning_rate))
        scheduled.apply_gradients([(nd.constant(1.0), variable)])
    assert rates == [1.0, 1.0, 1.0, 0.5]
    np.testing.assert_allclose(variable.numpy(), -3.5)
    assert [v.name for v in scheduled.variables] == ["iteration"]


def test_iterations_is_int64_variable():
    optimizer = optimizers.SGD()
    assert optimizer.iterations.dtype == nd.int64
    variable = nd.Variable(1.0)
    assert optimizer.apply_gradients([(nd.constant(1.0), variable)]) is optimizer.iterations
    assert int(optimizer.iterations.numpy()) == 1


def test_custom_optimizer_subclass():
    class MomentumSGD(optimizers.Optimizer):
        def __init__(self, learning_rate=0.1, momentum=0.5, **kwargs):
            super().__init__(learning_rate=learning_rate, **kwargs)
            self.momentum = momentum

        def build(self, variables):
            super().build(variables)
            self.velocities = [self.add_variable_from_reference(v, "velocity")
                               for v in variables]

        def update_step(self, gradient, variable, learning_rate):
            velocity = self.velocities[self._get_variable_index(variable)]
            lr = nd.cast(learning_rate, variable.dtype)
            self.assign(velocity, velocity * self.momentum - gradient * lr)
            self.assign_add(variable, velocity)

        def get_config(self):
            return dict(super().get_config(), momentum=self.momentum)

    optimizer = MomentumSGD()
    variable = nd.Variable([1.0, 2.0])
    for _ in range(2):
        optimizer.apply_gradients([(nd.constant([1.0, 1.0]), variable)])
    # v1 = -0.1, w = w0 - 0.1; v2 = -0.05 - 0.1 = -0.15, w = w0 - 0.25
    np.testing.assert_allclose(variable.numpy(), [0.75, 1.75], rtol=1e-6)
    assert [v.name for v in optimizer.variables] == ["iteration", "learning_rate",
                                                     "Variable_0_velocity"]
    assert MomentumSGD.from_config(optimizer.get_config()).momentum == 0.5


def test_subclass_must_call_super_init():
    class Broken(optimizers.Optimizer):
        def __init__(self):
            self.momentum = 0.1
            super().__init__(learning_rate=0.1)

    with pytest.raises(RuntimeError, match="forgot to call `super\\(\\).__init__\\(\\)`"):
        Broken()


def test_minimize_with_callable_loss():
    variable = nd.Variable(3.0)
    optimizer = optimizers.SGD(learning_rate=0.1)
    for _ in range(3):
        optimizer.minimize(lambda: variable * variable, [variable])
    np.testing.assert_allclose(variable.numpy(), 3.0 * 0.8 ** 3, rtol=1e-6)


def test_minimize_with_tensor_loss_and_tape():
    variable = nd.Variable([1.0, -2.0])
    optimizer = optimizers.SGD(learning_rate=0.5)
    with nd.GradientTape() as tape:
        loss = nd.reduce_sum(variable * variable)
    optimizer.minimize(loss, [variable], tape=tape)
    np.testing.assert_allclose(variable.numpy(), [0.0, 0.0])
    with pytest.raises(ValueError, match="`tape` is required"):
        optimizer.minimize(loss, [variable])


def test_constraint_applied_after_update():
    variable = KerasVariable(np.array([0.5, -0.5], np.float32), name="w",
                             constraint=lambda w: nd.clip_by_value(w, 0.0, 1.0))
    optimizer = optimizers.SGD(learning_rate=1.0)
    optimizer.apply_gradients([(nd.constant([-2.0, 0.2]), variable)])
    np.testing.assert_allclose(variable.numpy(), [1.0, 0.0])


def test_updates_are_not_recorded_on_tapes():
    variable = nd.Variable([1.0, 2.0])
    optimizer = optimizers.Adam(learning_rate=0.1)
    with nd.GradientTape() as tape:
        loss = nd.reduce_sum(variable * 2.0)
        optimizer.apply_gradients([(nd.constant([1.0, 1.0]), variable)])
    np.testing.assert_allclose(tape.gradient(loss, variable).numpy(), [2.0, 2.0])


def test_indexed_slices_gradient_is_densified():
    variable = nd.Variable(np.ones((4, 2), np.float32))
    with nd.GradientTape() as tape:
        loss = nd.reduce_sum(nd.gather(variable, [1, 1, 3]))
    grad = tape.gradient(loss, variable)
    optimizer = optimizers.SGD(learning_rate=0.5)
    optimizer.apply_gradients([(grad, variable)])
    sliced = nd.IndexedSlices(nd.constant([[1.0, 1.0], [1.0, 1.0]]), nd.constant([0, 0]),
                              nd.constant([4, 2]))
    optimizer.apply_gradients([(sliced, variable)])
    np.testing.assert_allclose(variable.numpy(), [[0.0, 0.0], [0.0, 0.0], [1.0, 1.0],
                                                  [0.5, 0.5]])


def test_two_optimizers_train_different_variables():
    a, b = nd.Variable(1.0), nd.Variable(1.0)
    first, second = optimizers.SGD(learning_rate=0.1), optimizers.Adam(learning_rate=0.1)
    for _ in range(3):
        first.apply_gradients([(nd.constant(1.0), a)])
        second.apply_gradients([(nd.constant(1.0), b)])
    np.testing.assert_allclose(a.numpy(), 0.7, rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), 0.7, rtol=1e-5)
    assert int(first.iterations.numpy()) == int(second.iterations.numpy()) == 3
    assert all(v is not w for v in first.variables for w in second.variables)


def test_apply_with_built_variables_and_empty_gradients():
    variable = nd.Variable([1.0])
    optimizer = optimizers.SGD(learning_rate=1.0)
    with pytest.raises(ValueError, match="must already be built"):
        optimizer.apply([nd.constant([1.0])])
    optimizer.build([variable])
    optimizer.apply([nd.constant([1.0])])
    optimizer.apply([])
    np.testing.assert_allclose(variable.numpy(), [0.0])
    assert int(optimizer.iterations.numpy()) == 1


def test_save_and_load_own_variables():
    variable = nd.Variable([1.0, 2.0])
    optimizer = optimizers.Adam()
    optimizer.apply_gradients([(nd.constant([1.0, 1.0]), variable)])
    store = {}
    optimizer.save_own_variables(store)
    other = optimizers.Adam()
    other.build([nd.Variable([0.0, 0.0])])
    other.load_own_variables(store)
    for mine, theirs in zip(other.variables, optimizer.variables):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_fit_uses_optimizer_from_string():
    from ndflow import keras
    model = keras.Sequential([keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)
    history = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert isinstance(model.optimizer, optimizers.SGD)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert int(model.optimizer.iterations.numpy()) == 12
