"""fgrad.optim: each optimiser against a hand computation, over pytrees; minimize
reaching the Rosenbrock minimum with each kind of derivative."""
import pickle

import numpy as np
import pytest

import fgrad
from fgrad import optim


def test_sgd_with_a_schedule_on_a_pytree():
    opt = optim.sgd(lambda step: 0.1 / (step + 1))
    params = {"w": np.array([1.0, 2.0]), "b": (np.array(3.0),)}
    grads = {"w": np.array([1.0, -1.0]), "b": (np.array(2.0),)}
    state = opt.init(params)
    params, state = opt.update(grads, state, params)
    params, state = opt.update(grads, state, params)
    np.testing.assert_allclose(params["w"], [1 - 0.15, 2 + 0.15])
    np.testing.assert_allclose(params["b"][0], 3 - 0.3)
    assert state == 2


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_two_steps_by_hand(nesterov):
    opt, mu, eta = optim.momentum(0.1, mass=0.9, nesterov=nesterov), 0.9, 0.1
    p, g1, g2 = np.array([1.0, -1.0]), np.array([0.5, 2.0]), np.array([-1.0, 0.25])
    state = opt.init(p)
    p1, state = opt.update(g1, state, p)
    p2, state = opt.update(g2, state, p1)
    v1 = g1
    v2 = mu * v1 + g2
    d1, d2 = (g1 + mu * v1, g2 + mu * v2) if nesterov else (v1, v2)
    np.testing.assert_allclose(p2, p - eta * d1 - eta * d2, rtol=1e-15)


def test_adam_two_steps_by_hand():
    eta, b1, b2, eps = 0.01, 0.8, 0.95, 1e-3
    opt = optim.adam(eta, b1, b2, eps)
    p, gs = np.array([0.5, -2.0]), [np.array([0.3, -4.0]), np.array([-0.1, 1.0])]
    state = opt.init(p)
    expected, m, v = p.copy(), 0.0, 0.0
    for t, g in enumerate(gs, start=1):
        p, state = opt.update(g, state, p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        expected = expected - eta * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    np.testing.assert_allclose(p, expected, rtol=1e-14)
    assert pickle.loads(pickle.dumps(state))[0] == 2


def test_adam_trains_a_least_squares_fit():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.3

    def loss(p):
        return ((x @ p["w"] + p["b"] - y) ** 2).mean()

    opt = optim.adam(0.05)
    params = {"w": np.zeros(3), "b": np.array(0.0)}
    state = opt.init(params)
    for _ in range(1000):
        params, state = opt.update(fgrad.grad(loss)(params), state, params)
    np.testing.assert_allclose(params["w"], [1.0, -2.0, 0.5], atol=1e-4)
    assert loss(params) < 1e-8


def test_an_update_is_differentiable():
    """Meta-gradients: d(loss after one Adam step)/d(learning rate) by finite differences."""
    def after_one_step(eta):
        opt = optim.adam(eta)
        p, _ = opt.update(np.array([2.0]), opt.init(np.array([1.0])), np.array([1.0]))
        return (p ** 2).sum()
    fgrad.testing.check_grads(after_one_step, (0.3,), order=2)


def rosen(x):
    return ((1 - x[:-1]) ** 2 + 100 * (x[1:] - x[:-1] ** 2) ** 2).sum()


@pytest.mark.parametrize("method", ["BFGS", "L-BFGS-B", "Newton-CG", "trust-ncg",
                                    "trust-exact"])
def test_minimize_reaches_the_rosenbrock_minimum(method):
    pytest.importorskip("scipy")
    res = optim.minimize(rosen, np.array([-1.2, 1.0, -0.5]), method=method, tol=1e-10,
                         options={"maxiter": 2000})
    assert res.success, res.message
    np.testing.assert_allclose(res.x, np.ones(3), atol=1e-6)


def test_minimize_over_a_pytree_with_args():
    pytest.importorskip("scipy")

    def loss(p, target):
        return ((p["a"] - target) ** 2).sum() + (p["b"][0] + 1.0) ** 2

    res = optim.minimize(loss, {"a": np.zeros((2, 2)), "b": [np.array(3.0)]},
                         args=(np.eye(2),), method="L-BFGS-B")
    np.testing.assert_allclose(res.x["a"], np.eye(2), atol=1e-6)
    np.testing.assert_allclose(res.x["b"][0], -1.0, atol=1e-6)
    assert res.jac["a"].shape == (2, 2)
