"""IndexedSlices as sparse gradients: gather/embedding_lookup gradients, accumulation,
densification, Variable.scatter_* and sparse optimizer updates, against TensorFlow and Keras 3."""
import warnings

import numpy as np
import pytest

import ndflow as nd

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

PARAMS = np.arange(20, dtype=np.float32).reshape(5, 4) / 7


def _grad(lib, fn, params=PARAMS, variable=True):
    """Gradient of sum(fn(lib, p) * weights) with respect to ``p`` (a variable or watched tensor)."""
    p = lib.Variable(params) if variable else lib.constant(params)
    with lib.GradientTape() as tape:
        if not variable:
            tape.watch(p)
        y = fn(lib, p)
        weights = np.linspace(0.5, 2.0, int(np.prod(y.shape))).reshape(y.shape.as_list())
        loss = lib.reduce_sum(y * weights.astype(np.float32))
    return tape.gradient(loss, p)


def _same_slices(ours, theirs, ordered=True):
    assert type(ours).__name__ == type(theirs).__name__ == "IndexedSlices"
    assert ours.values.shape.as_list() == theirs.values.shape.as_list()
    assert ours.values.dtype.name == theirs.values.dtype.name
    assert ours.indices.dtype.name == theirs.indices.dtype.name
    assert ours.dense_shape.dtype.name == theirs.dense_shape.dtype.name
    np.testing.assert_array_equal(ours.dense_shape.numpy(), theirs.dense_shape.numpy())
    if ordered:
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())
        np.testing.assert_allclose(ours.values.numpy(), theirs.values.numpy(), rtol=1e-6)
    else:   # accumulated slices: TensorFlow's concatenation order depends on its add tree
        np.testing.assert_array_equal(np.sort(ours.indices.numpy()),
                                      np.sort(theirs.indices.numpy()))
        np.testing.assert_allclose(nd.convert_to_tensor(ours).numpy(),
                                   tf.convert_to_tensor(theirs).numpy(), rtol=1e-6)


SPARSE_CASES = {
    "gather_vector": lambda lib, p: lib.gather(p, [3, 1, 3]),
    "gather_matrix_ids": lambda lib, p: lib.gather(p, [[1, 2], [0, 1]]),
    "gather_scalar_id": lambda lib, p: lib.gather(p, 2),
    "gather_int64": lambda lib, p: lib.gather(p, lib.constant([4, 0], lib.int64)),
    "embedding_lookup": lambda lib, p: lib.nn.embedding_lookup(p, [[0, 4, 4]]),
    "two_gathers": lambda lib, p: lib.gather(p, [1, 2]) + lib.gather(p, [3, 0]),
    "three_gathers": lambda lib, p: (lib.gather(p, [1]) + lib.gather(p, [2])
                                     + lib.gather(p, [4])),
    "mixed_index_dtypes": lambda lib, p: (lib.gather(p, [1, 2])
                                          + lib.gather(p, lib.constant([3, 0], lib.int64))),
}


@pytest.mark.parametrize("variable", [True, False])
@pytest.mark.parametrize("case", sorted(SPARSE_CASES))
def test_gather_gradient_is_indexed_slices(case, variable):
    fn = SPARSE_CASES[case]
    _same_slices(_grad(nd, fn, variable=variable), _grad(tf, fn, variable=variable),
                 ordered=case != "three_gathers")


DENSE_CASES = {
    "axis_1": lambda lib, p: lib.gather(p, [1, 3], axis=1),
    "batch_dims": lambda lib, p: lib.gather(p, [[0, 1]] * 5, axis=1, batch_dims=1),
    "gather_plus_dense_use": lambda lib, p: lib.gather(p, [1, 1]) + p[:2],
    "computed_params": lambda lib, p: lib.gather(p * p, [4, 1, 4]),
    "embedding_max_norm": lambda lib, p: lib.nn.embedding_lookup(p, [0, 3], max_norm=1.0),
}


@pytest.mark.parametrize("variable", [True, False])
@pytest.mark.parametrize("case", sorted(DENSE_CASES))
def test_dense_gradients(case, variable):
    fn = DENSE_CASES[case]
    ours, theirs = _grad(nd, fn, variable=variable), _grad(tf, fn, variable=variable)
    assert type(theirs).__name__ in ("EagerTensor", "IndexedSlices")
    # TF keeps max_norm lookups sparse; compare the dense values everywhere.
    if type(theirs).__name__ == "IndexedSlices":
        assert type(ours).__name__ == "IndexedSlices"
    np.testing.assert_allclose(nd.convert_to_tensor(ours).numpy(),
                               tf.convert_to_tensor(theirs).numpy(), rtol=1e-6)


def test_attributes_str_and_negation():
    g = _grad(nd, SPARSE_CASES["gather_vector"])
    t = _grad(tf, SPARSE_CASES["gather_vector"])
    assert g.shape.as_list() == t.shape.as_list() == [5, 4]
    assert g.dtype == nd.float32
    assert str(g) == str(t)
    assert str(-g) == str(-t)
    no_shape = nd.IndexedSlices(nd.constant([[1.0]]), nd.constant([0]))
    assert str(no_shape) == str(tf.IndexedSlices(tf.constant([[1.0]]), tf.constant([0])))
    assert no_shape.shape.rank is None


def test_densifying_consumers():
    g, t = _grad(nd, SPARSE_CASES["two_gathers"]), _grad(tf, SPARSE_CASES["two_gathers"])
    other = PARAMS + 1
    checks = [
        (nd.add(g, other), tf.add(t, other)),
        (nd.convert_to_tensor(g), tf.convert_to_tensor(t)),
        (nd.clip_by_global_norm([g], 1.0)[1], tf.clip_by_global_norm([t], 1.0)[1]),
        (nd.convert_to_tensor(nd.clip_by_norm(g, 1.0)), tf.convert_to_tensor(
            tf.clip_by_norm(t, 1.0))),
        (nd.convert_to_tensor(nd.clip_by_global_norm([g], 1.0)[0][0]),
         tf.convert_to_tensor(tf.clip_by_global_norm([t], 1.0)[0][0])),
    ]
    for ours, theirs in checks:
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    with pytest.raises(ValueError):
        nd.convert_to_tensor(g, dtype=nd.float64)


def test_higher_order_through_gather():
    def second(lib):
        x = lib.constant(PARAMS)
        with lib.GradientTape() as outer:
            outer.watch(x)
            with lib.GradientTape() as inner:
                inner.watch(x)
                loss = lib.reduce_sum(lib.gather(x, [1, 3, 1]) ** 3)
            g = inner.gradient(loss, x)
            total = lib.reduce_sum(lib.convert_to_tensor(g) * PARAMS)
        return outer.gradient(total, x)
    np.testing.assert_allclose(nd.convert_to_tensor(second(nd)).numpy(),
                               tf.convert_to_tensor(second(tf)).numpy(), rtol=1e-5)


def test_jacobian_through_gather():
    def jac(lib):
        v = lib.Variable(PARAMS)
        with lib.GradientTape() as tape:
            y = lib.gather(v, [2, 0])[:, 1]
        return tape.jacobian(y, v)
    np.testing.assert_allclose(jac(nd).numpy(), jac(tf).numpy())


@pytest.mark.parametrize("method", ["scatter_add", "scatter_sub", "scatter_update"])
def test_variable_scatter_accepts_slices(method):
    ours, theirs = nd.Variable(PARAMS), tf.Variable(PARAMS)
    g, t = _grad(nd, SPARSE_CASES["gather_vector"]), _grad(tf, SPARSE_CASES["gather_vector"])
    if method == "scatter_update":   # duplicated rows: TF keeps an unspecified one; avoid them
        g = nd.IndexedSlices(g.values[1:], g.indices[1:], g.dense_shape)
        t = tf.IndexedSlices(t.values[1:], t.indices[1:], t.dense_shape)
    getattr(ours, method)(g)
    getattr(theirs, method)(t)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


OPTIMIZERS = {
    "sgd": lambda m: m.SGD(0.1),
    "sgd_momentum": lambda m: m.SGD(0.1, momentum=0.9),
    "sgd_nesterov": lambda m: m.SGD(0.1, momentum=0.9, nesterov=True),
    "adam": lambda m: m.Adam(0.1),
    "adam_amsgrad": lambda m: m.Adam(0.1, amsgrad=True),
    "adamw": lambda m: m.AdamW(0.1, weight_decay=0.01),
    "nadam": lambda m: m.Nadam(0.1),
    "rmsprop": lambda m: m.RMSprop(0.1),
    "rmsprop_centered_momentum": lambda m: m.RMSprop(0.1, momentum=0.5, centered=True),
    "adagrad": lambda m: m.Adagrad(0.1),
    "sgd_clipnorm": lambda m: m.SGD(0.1, clipnorm=0.5),
}


def _train(lib, module, variable_cls, make, sparse_slices, steps=4):
    w = variable_cls(PARAMS.copy())
    optimizer = make(module)
    rng = np.random.default_rng(3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps):
            values = rng.normal(size=(6, 4)).astype(np.float32)
            indices = rng.integers(0, 4, size=6).astype(np.int32)   # row 4 never touched
            g = lib.IndexedSlices(lib.constant(values), lib.constant(indices),
                                  lib.constant([5, 4]))
            optimizer.apply_gradients([(g if sparse_slices else lib.convert_to_tensor(g), w)])
    return np.asarray(w.numpy())


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizers_match_keras_on_sparse_gradients(name):
    from ndflow.keras import optimizers
    from ndflow.keras.variables import KerasVariable
    make = OPTIMIZERS[name]
    ours = _train(nd, optimizers, KerasVariable, make, True)
    theirs = _train(tf, keras.optimizers, keras.Variable, make, True)
    np.testing.assert_allclose(ours, theirs, rtol=2e-6, atol=1e-7)
    if name in ("sgd", "adagrad", "rmsprop"):   # truly sparse: untouched rows keep their values
        np.testing.assert_array_equal(ours[4], PARAMS[4])


def test_sparse_path_is_exact_and_skips_dense_gradient(monkeypatch):
    """The built-in sparse rules reproduce Keras bit for bit (float32, repeated rows)."""
    from ndflow.keras import optimizers
    from ndflow.keras.variables import KerasVariable
    for name in ("sgd", "sgd_momentum", "adam", "nadam", "rmsprop", "adagrad"):
        ours = _train(nd, optimizers, KerasVariable, OPTIMIZERS[name], True)
        theirs = _train(tf, keras.optimizers, keras.Variable, OPTIMIZERS[name], True)
        np.testing.assert_array_equal(ours, theirs, err_msg=name)
    from ndflow.ops import segment_ops
    monkeypatch.setattr(segment_ops, "unsorted_segment_sum", None)  # densifying would fail
    _train(nd, optimizers, KerasVariable, OPTIMIZERS["sgd"], True)


def test_embedding_layer_training_uses_sparse_gradients():
    from ndflow import keras as nk
    layer = nk.layers.Embedding(50, 3)
    layer.build((None, 2))
    with nd.GradientTape() as tape:
        loss = nd.reduce_sum(layer(nd.constant([[1, 7], [7, 2]])))
    (g,) = tape.gradient(loss, layer.trainable_variables)
    assert isinstance(g, nd.IndexedSlices)
    before = layer.embeddings.numpy().copy()
    nk.optimizers.SGD(0.5).apply_gradients([(g, layer.embeddings)])
    after = layer.embeddings.numpy()
    changed = np.flatnonzero((after != before).any(axis=1))
    np.testing.assert_array_equal(changed, [1, 2, 7])
    np.testing.assert_allclose(after[7], before[7] - 1.0, rtol=1e-6)
