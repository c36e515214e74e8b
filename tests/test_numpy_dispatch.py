"""Code written against ``import numpy as np`` differentiates as it is.

Traced values implement NumPy's dispatch protocols (``__array_ufunc__`` and
``__array_function__``), so NumPy's own functions called on them run fgrad's
rules. The models below import nothing from fgrad.
"""
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.testing import check_grads

RNG = np.random.default_rng(0)


# -- two small models, plain NumPy ------------------------------------------------------

def mlp_loss(params, x, y):
    """A tanh MLP with a softmax cross-entropy, in NumPy only. (NB: ``x.dot(w)`` with x
    plain and w traced cannot dispatch: ndarray's own method converts w without asking.)"""
    h = x
    for w, b in params[:-1]:
        h = np.tanh(np.dot(h, w) + b)
    w, b = params[-1]
    logits = h @ w + b
    top = np.max(logits, axis=-1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(logits - top), axis=-1, keepdims=True)) + top
    return -np.mean(np.sum(y * (logits - log_norm), axis=-1))


def logistic_loss(w, x, y):
    """Logistic regression with an L2 penalty, in NumPy only."""
    z = x @ w
    return np.mean(np.logaddexp(0.0, -y * z)) + 0.01 * np.sum(w ** 2)


SIZES = [(5, 8), (8, 8), (8, 3)]
PARAMS = [(RNG.standard_normal(s) / np.sqrt(s[0]), 0.1 * RNG.standard_normal(s[1]))
          for s in SIZES]
X = RNG.standard_normal((6, 5))
Y = np.eye(3)[RNG.integers(0, 3, 6)]
W = RNG.standard_normal(5)
LABELS = RNG.choice([-1.0, 1.0], 6)


def _with_np(loss, namespace, *args):
    saved = loss.__globals__["np"]
    loss.__globals__["np"] = namespace
    try:
        return loss(*args)
    finally:
        loss.__globals__["np"] = saved


def test_grad_of_plain_numpy_models():
    g = fgrad.grad(mlp_loss)(PARAMS, X, Y)
    reference = fgrad.grad(lambda p: _with_np(mlp_loss, fnp, p, X, Y))(PARAMS)
    for a, b in zip(fgrad.tree.tree_leaves(g), fgrad.tree.tree_leaves(reference)):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    check_grads(lambda w: logistic_loss(w, X, LABELS), (W,), order=2)


def test_jvp_vmap_and_hessian_of_plain_numpy_models():
    v = RNG.standard_normal(5)
    _, t = fgrad.jvp(lambda w: logistic_loss(w, X, LABELS), (W,), (v,))
    assert np.isclose(t, fgrad.grad(logistic_loss)(W, X, LABELS) @ v)
    per_example = fgrad.vmap(fgrad.grad(logistic_loss), in_axes=(None, 0, 0))(
        W, X[:, None, :], LABELS[:, None])
    looped = [fgrad.grad(logistic_loss)(W, X[i:i + 1], LABELS[i:i + 1]) for i in range(6)]
    np.testing.assert_allclose(per_example, looped, rtol=1e-12)
    H = fgrad.hessian(logistic_loss)(W, X, LABELS)
    np.testing.assert_allclose(H, H.T, atol=1e-14)
    assert np.all(np.linalg.eigvalsh(H) > 0)  # convex: positive definite with the L2 term
    check_grads(lambda w: mlp_loss([(w, PARAMS[0][1])] + PARAMS[1:], X, Y), (PARAMS[0][0],),
                order=2)


def test_numpy_functions_and_methods_dispatch():
    def f(x):
        return (np.sum(np.sin(x) * np.cos(x)) + np.mean(x.dot(x)) + np.prod(np.abs(x) + 1)
                + np.add.reduce(x) + np.multiply.reduce(x + 2) + np.max(np.add.accumulate(x))
                + np.linalg.norm(x) + np.sqrt(np.square(x)).sum())
    x = np.array([0.3, -1.2, 0.7])
    check_grads(f, (x,), order=2)


def test_numpy_functions_without_rules_say_so():
    with pytest.raises(TypeError, match=r"numpy\.piecewise.*stop_gradient"):
        fgrad.grad(lambda x: np.piecewise(x, [x > 0], [1.0]).sum() * x.sum())(np.ones(3))
    with pytest.raises(TypeError, match=r"numpy\.gcd"):
        fgrad.grad(lambda x: np.gcd(x, x).sum())(np.ones(3))
    with pytest.raises(TypeError, match="out="):
        fgrad.grad(lambda x: np.sin(x, out=np.empty(3)).sum())(np.ones(3))


def test_every_other_numpy_name_is_importable():
    from fgrad.numpy import e, finfo, histogram, iinfo, newaxis, pi  # noqa: F401
    assert fnp.pi is np.pi and fnp.float32 is np.float32 and fnp.ndarray is np.ndarray
    np.testing.assert_array_equal(fnp.histogram(np.arange(4.0), bins=2)[0], [2, 2])
    with pytest.raises(AttributeError):
        fnp.no_such_function
    import fgrad.numpy.random as random
    assert random.default_rng(0).standard_normal(2).shape == (2,)


def test_traced_values_have_ndarray_methods():
    x = np.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]])

    def f(x):
        parts = [x.var(), x.std(axis=0).sum(), x.cumsum(axis=1).sum(), x.cumprod().sum(),
                 x.round(1).sum() * 0, x.trace(), x.diagonal().sum(), x.repeat(2, axis=0).sum(),
                 x.take([0, 2], axis=1).sum(), x.flatten().sum(), x.flat[2], x.mT.sum(),
                 x.swapaxes(0, 1)[0, 1], x.clip(-1.0, 1.0).sum(), x.ptp() if hasattr(
                     np.ndarray, "ptp") else fnp.ptp(x), x.astype(np.complex128).real.sum(),
                 x.compress([True, False, True], axis=1).sum(), x.copy().sum()]
        assert x.argmax() == 3 and x.argmin() == 1 and x.any() and not x.all() is None
        assert x.nonzero()[0].tolist() == [0, 0, 0, 1, 1, 1]
        assert x.argsort(axis=1).tolist() == [[1, 0, 2], [2, 1, 0]]
        assert isinstance(x.item(0), float) and isinstance(x.tolist()[1][0], float)  # plain
        return sum(parts[1:], parts[0])
    check_grads(f, (x,), order=2)
    with pytest.raises(TypeError, match="fgrad.numpy.sort"):
        fgrad.grad(lambda x: x.sort())(np.ones(2))
