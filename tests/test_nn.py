"""fgrad.nn: values against direct formulas, derivatives against finite differences and
closed forms, vmap against a loop, and finite values and gradients at ±1e3."""
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import nn
from fgrad.testing import check_grads

X = np.array([[-2.5, -0.3, 0.0, 0.4, 1.7], [3.0, -1.2, 0.8, -0.1, 2.2]])
EXTREME = np.array([-1e3, -30.0, 0.0, 30.0, 1e3])

ELEMENTWISE = {  # name: (function, direct formula for moderate x)
    "relu": (nn.relu, lambda x: np.maximum(x, 0)),
    "sigmoid": (nn.sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    "softplus": (nn.softplus, lambda x: np.log1p(np.exp(x))),
    "silu": (nn.silu, lambda x: x / (1 + np.exp(-x))),
    "gelu": (nn.gelu, lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi)
                                                       * (x + 0.044715 * x ** 3)))),
}
REDUCING = {  # name: (function of (x, axis), direct formula)
    "logsumexp": (nn.logsumexp, lambda x, axis: np.log(np.sum(np.exp(x), axis=axis))),
    "softmax": (nn.softmax, lambda x, axis: np.exp(x) / np.sum(np.exp(x), axis, keepdims=True)),
    "log_softmax": (nn.log_softmax,
                    lambda x, axis: x - np.log(np.sum(np.exp(x), axis, keepdims=True))),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_values_and_derivatives(name):
    f, direct = ELEMENTWISE[name]
    np.testing.assert_allclose(f(X), direct(X), rtol=1e-13, atol=1e-15)
    x = X + 0.05  # away from relu's kink
    check_grads(lambda x: f(x), (x,), order=2)
    np.testing.assert_allclose(fgrad.vmap(f)(x), np.stack([f(r) for r in x]))


@pytest.mark.parametrize("name", REDUCING)
@pytest.mark.parametrize("axis", [0, -1])
def test_reductions_values_and_derivatives(name, axis):
    f, direct = REDUCING[name]
    np.testing.assert_allclose(f(X, axis=axis), direct(X, axis), rtol=1e-13, atol=1e-15)
    check_grads(lambda x: f(x, axis=axis), (X,), order=2)
    stack = X[None] + X[:, None]  # a batch of two (2, 5) inputs
    np.testing.assert_allclose(fgrad.vmap(lambda x: f(x, axis=axis))(stack),
                               np.stack([f(x, axis=axis) for x in stack]), rtol=1e-14)


def test_derivatives_have_their_closed_forms():
    s = 1 / (1 + np.exp(-X))
    np.testing.assert_allclose(fgrad.elementwise_grad(nn.sigmoid)(X), s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(fgrad.elementwise_grad(nn.softplus)(X), s, rtol=1e-12)
    np.testing.assert_allclose(fgrad.grad(lambda x: nn.logsumexp(x))(X[0]),
                               nn.softmax(X[0]), rtol=1e-12)
    assert fgrad.grad(nn.relu)(0.0) == 0.0 and fgrad.grad(nn.relu)(1e-300) == 1.0


@pytest.mark.parametrize("name", [*ELEMENTWISE, *REDUCING])
def test_stable_at_extreme_inputs(name):
    f = (ELEMENTWISE.get(name) or REDUCING.get(name))[0]
    value = f(EXTREME)
    g = fgrad.grad(lambda x: fnp.sum(f(x) * np.linspace(0.5, 1.5, x.size)))(EXTREME)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(g)), (value, g)


def test_extreme_values_are_right():
    np.testing.assert_array_equal(nn.sigmoid(EXTREME)[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert nn.softplus(1e3) == 1e3 and nn.softplus(-1e3) == 0.0
    assert nn.logsumexp(np.array([1e3, 1e3])) == pytest.approx(1e3 + np.log(2), rel=1e-15)
    np.testing.assert_array_equal(nn.softmax(np.array([1e3, -1e3])), [1.0, 0.0])
    np.testing.assert_allclose(fgrad.grad(lambda x: nn.logsumexp(x))(np.array([1e3, 1e3])),
                               [0.5, 0.5])
    np.testing.assert_allclose(fgrad.elementwise_grad(nn.silu)(np.array([-1e3, 1e3])), [0, 1])


def test_logsumexp_of_minus_infinity_rows():
    x = np.array([[-np.inf, -np.inf], [0.0, -np.inf]])
    np.testing.assert_array_equal(nn.logsumexp(x, axis=1), [-np.inf, 0.0])
    g = fgrad.grad(lambda x: nn.logsumexp(x, axis=1)[1])(x)
    np.testing.assert_array_equal(g, [[0, 0], [1, 0]])
    assert nn.logsumexp(x, axis=1, keepdims=True).shape == (2, 1)


def test_one_hot():
    np.testing.assert_array_equal(nn.one_hot(np.array([[2], [0]]), 3),
                                  [[[0, 0, 1]], [[1, 0, 0]]])
    assert nn.one_hot(np.array([5, -1]), 3).sum() == 0
    assert nn.one_hot(np.array([1]), 2, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(fgrad.vmap(lambda k: nn.one_hot(k, 2))(np.array([1, 0])),
                                  [[0, 1], [1, 0]])


def test_exact_gelu():
    scipy = pytest.importorskip("scipy")
    x = X.ravel()
    np.testing.assert_allclose(nn.gelu(x, approximate=False),
                               x * scipy.stats.norm.cdf(x), rtol=1e-13, atol=1e-15)
    assert np.max(np.abs(nn.gelu(x) - nn.gelu(x, approximate=False))) < 1e-3
