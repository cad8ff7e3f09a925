"""ndflow.keras.backend's legacy tensor functions against tf.keras.backend (TF 2.21): values,
dtypes and shapes, plus gradients through the composed ops."""
import numpy as np
import pytest

import ndflow as nd
from ndflow.keras import backend as K

X = np.array([[1.0, -2.0], [3.0, 4.0]], "float32")
P = np.array([[0.2, 0.8], [0.6, 0.4]], "float32")
B = np.array([[True, False], [True, True]])


@pytest.fixture(scope="module")
def tf(real_tf):
    return real_tf


@pytest.fixture(scope="module")
def kb(real_tf):
    return real_tf.keras.backend


def _check(ours, theirs):
    ours_value = ours.numpy() if hasattr(ours, "numpy") else np.asarray(ours)
    theirs_value = theirs.numpy() if hasattr(theirs, "numpy") else np.asarray(theirs)
    assert ours_value.shape == theirs_value.shape
    assert ours_value.dtype == theirs_value.dtype
    np.testing.assert_allclose(ours_value, theirs_value, rtol=1e-5, atol=1e-6)


# (name, args, kwargs): array arguments are given to both libraries as tensors.
CASES = [
    ("abs", (X,), {}), ("exp", (X,), {}), ("log", (P,), {}), ("sqrt", (X,), {}),
    ("sign", (X,), {}), ("sigmoid", (X,), {}), ("tanh", (X,), {}), ("softplus", (X,), {}),
    ("softmax", (X,), {}), ("softmax", (X,), {"axis": 0}), ("round", (X * 0.5,), {}),
    ("square", (X,), {}), ("pow", (X, 2), {}), ("pow", (X, 3.0), {}),
    ("relu", (X,), {}), ("relu", (X,), {"alpha": 0.1}), ("relu", (X,), {"max_value": 2.0}),
    ("relu", (X,), {"alpha": 0.1, "max_value": 3.0, "threshold": 0.5}),
    ("clip", (X, 0.0, 2.0), {}), ("clip", (X, 2.0, 0.0), {}), ("clip", (X, -1.0, None), {}),
    ("l2_normalize", (X,), {"axis": 1}), ("l2_normalize", (X,), {}),
    ("equal", (X, X * 0 + 1), {}), ("not_equal", (X, X * 0 + 1), {}),
    ("greater", (X, X * 0 + 1), {}), ("greater_equal", (X, X * 0 + 1), {}),
    ("less", (X, X * 0 + 1), {}), ("less_equal", (X, X * 0 + 1), {}),
    ("maximum", (X, X * 0), {}), ("minimum", (X, X * 0 + 1), {}),
    ("sum", (X,), {}), ("sum", (X,), {"axis": 0, "keepdims": True}),
    ("prod", (X,), {"axis": 1}), ("max", (X,), {}), ("min", (X,), {"axis": 1}),
    ("mean", (X,), {"axis": 1, "keepdims": True}), ("mean", (B,), {}),
    ("var", (X,), {}), ("std", (X,), {"axis": 0}), ("all", (B,), {}),
    ("any", (B,), {"axis": 1}), ("all", (X,), {"axis": 0}),
    ("argmax", (X,), {}), ("argmin", (X,), {"axis": 0}),
    ("cumsum", (X,), {}), ("cumprod", (X,), {"axis": 1}),
    ("reshape", (X, (4,)), {}), ("flatten", (X,), {}),
    ("batch_flatten", (np.ones((2, 3, 4), "float32"),), {}),
    ("expand_dims", (X,), {}), ("expand_dims", (X, 0), {}),
    ("squeeze", (np.ones((2, 1), "float32"), 1), {}),
    ("permute_dimensions", (np.ones((2, 3, 4), "float32"), (2, 0, 1)), {}),
    ("tile", (X, (1, 2)), {}), ("tile", (X[0], 3), {}),
    ("repeat_elements", (X, 2, 0), {}), ("repeat_elements", (X, 3, 1), {}),
    ("gather", (X, [1, 0, 1]), {}), ("one_hot", (np.array([0, 2]), 3), {}),
    ("bias_add", (X, np.array([1.0, 2.0], "float32")), {}),
    ("bias_add", (np.ones((2, 3, 4), "float32"), np.arange(3, dtype="float32")),
     {"data_format": "channels_first"}),
    ("zeros_like", (X,), {}), ("ones_like", (X,), {"dtype": "int32"}),
    ("stop_gradient", (X,), {}), ("transpose", (X,), {}),
    ("binary_crossentropy", (np.array([[1.0, 0.0]], "float32"),
                             np.array([[0.8, 0.3]], "float32")), {}),
    ("binary_crossentropy", (np.array([[1.0, 0.0]], "float32"),
                             np.array([[0.8, -0.3]], "float32")), {"from_logits": True}),
    ("categorical_crossentropy", (np.array([[0.0, 1.0], [1.0, 0.0]], "float32"), P * 3), {}),
    ("categorical_crossentropy", (np.array([[0.0, 1.0], [1.0, 0.0]], "float32"), X),
     {"from_logits": True}),
    ("sparse_categorical_crossentropy", (np.array([1, 0]), P), {}),
    ("sparse_categorical_crossentropy", (np.array([[1], [0]]), X), {"from_logits": True}),
    ("sparse_categorical_crossentropy", (np.array([1, 0]), X),
     {"from_logits": True, "ignore_class": 0}),
    ("sparse_categorical_crossentropy", (np.array([[1, 0]]), P.T[None]), {"axis": 1}),
]


def _arg(lib, value):
    if isinstance(value, np.ndarray):
        return lib.constant(value)
    return value


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[c[0] for c in CASES])
def test_function_matches_tf_keras_backend(tf, kb, name, args, kwargs):
    ours = getattr(K, name)(*[_arg(nd, a) for a in args], **kwargs)
    theirs = getattr(kb, name)(*[_arg(tf, a) for a in args], **kwargs)
    _check(ours, theirs)


def test_concatenate_stack_and_products(tf, kb):
    ours, theirs = [nd.constant(X)] * 2, [tf.constant(X)] * 2
    _check(K.concatenate(ours), kb.concatenate(theirs))
    _check(K.concatenate(ours, axis=0), kb.concatenate(theirs, axis=0))
    _check(K.stack(ours, 1), kb.stack(theirs, 1))
    rng = np.random.default_rng(0)
    for x_shape, y_shape in [((2, 3), (3, 4)), ((2, 3, 4), (4, 5)), ((5, 2, 3), (4, 3, 6))]:
        x, y = rng.normal(size=x_shape).astype("float32"), rng.normal(size=y_shape).astype(
            "float32")
        _check(K.dot(nd.constant(x), nd.constant(y)), kb.dot(tf.constant(x), tf.constant(y)))
    for x_shape, y_shape, axes in [((2, 3, 4), (2, 4, 5), None), ((2, 3), (2, 3), 1),
                                   ((2, 3), (2, 3), None), ((2, 3, 4), (2, 3, 5), [1, 1]),
                                   ((2, 3, 4), (2, 4), (2, 1)), ((2, 4), (2, 4, 3), None),
                                   ((2, 3, 4, 5), (2, 5, 2), (-1, 1))]:
        x, y = rng.normal(size=x_shape).astype("float32"), rng.normal(size=y_shape).astype(
            "float32")
        _check(K.batch_dot(nd.constant(x), nd.constant(y), axes=axes),
               kb.batch_dot(tf.constant(x), tf.constant(y), axes=axes))


def test_batch_dot_errors(kb, tf):
    for lib, backend in ((tf, kb), (nd, K)):
        with pytest.raises(ValueError, match="axis 0"):
            backend.batch_dot(lib.ones((2, 3)), lib.ones((2, 3)), axes=0)


def test_switch_matches(tf, kb):
    ours_x, theirs_x = nd.constant(X), tf.constant(X)
    for cond in (np.array([True, False]), B, np.array(True), np.array(0.0, "float32")):
        _check(K.switch(nd.constant(cond), ours_x, -ours_x),
               kb.switch(tf.constant(cond), theirs_x, -theirs_x))
    assert K.switch(nd.constant(True), lambda: ours_x, lambda: 1 / 0) is ours_x
    with pytest.raises(ValueError, match="Rank of `condition`"):
        K.switch(nd.constant(B), nd.constant([1.0, 2.0]), nd.constant([3.0, 4.0]))


def test_creation_functions(tf, kb):
    for name, args, kwargs in [("zeros", ((2, 3),), {}), ("ones", ((2,),), {"dtype": "int32"}),
                               ("eye", (3,), {})]:
        ours, theirs = getattr(K, name)(*args, **kwargs), getattr(kb, name)(*args, **kwargs)
        assert isinstance(ours, nd.Variable) and isinstance(theirs, tf.Variable)
        _check(ours, theirs)
    for args, kwargs in [((3,), {}), ((1, 5, 2), {"dtype": "float32"}), ((5, 1, -1), {}),
                         ((-2,), {})]:
        _check(K.arange(*args, **kwargs), kb.arange(*args, **kwargs))
    ours, theirs = K.cast_to_floatx([1, 2]), kb.cast_to_floatx([1, 2])
    assert isinstance(ours, np.ndarray) and ours.dtype == theirs.dtype
    v_ours, v_theirs = K.variable(X, name="v"), kb.variable(X, name="v")
    assert v_ours.name == v_theirs.name and v_ours.dtype.name == v_theirs.dtype.name
    assert K.variable([1, 2]).dtype == nd.float32
    assert K.count_params(v_ours) == kb.count_params(v_theirs) == 4
    assert K.dtype(v_ours) == kb.dtype(v_theirs) == "float32"
    assert K.dtype(nd.constant([1, 2])) == kb.dtype(tf.constant([1, 2])) == "int32"
    assert K.ndim(v_ours) == kb.ndim(v_theirs) == 2
    assert K.constant([1, 2]).dtype == nd.float32


def test_get_uid_and_clear_session():
    K.clear_session()
    assert [K.get_uid("x"), K.get_uid("x"), K.get_uid("y"), K.get_uid()] == [1, 2, 1, 1]
    K.clear_session()
    assert K.get_uid("x") == 1


def test_is_keras_tensor_and_stop_gradient_list():
    assert K.is_keras_tensor(nd.keras.Input((2,)))
    assert not K.is_keras_tensor(nd.constant(1.0))
    x = nd.constant(X)
    assert len(K.stop_gradient([x, x])) == 2


def test_gradients_flow_through_custom_loss():
    """A Keras-2 style custom loss written with K functions trains under GradientTape."""
    y_true = nd.constant([[0.0, 1.0], [1.0, 0.0]])
    w = nd.Variable(X)

    def loss_fn(y_true, y_pred):
        probs = K.softmax(y_pred)
        return K.mean(K.categorical_crossentropy(y_true, probs)) + \
            0.1 * K.sum(K.square(K.relu(y_pred, max_value=3.0)))

    with nd.GradientTape() as tape:
        loss = loss_fn(y_true, K.dot(w, K.ones((2, 2))) + w)
    grad = tape.gradient(loss, w)
    assert grad is not None and np.all(np.isfinite(grad.numpy()))
    with nd.GradientTape() as tape:
        value = K.sum(K.batch_dot(w, w, axes=1) + K.std(w) + K.sqrt(K.abs(w)))
    assert tape.gradient(value, w) is not None
