"""fgrad.scipy.integrate.odeint: values, the adjoint (reverse), forward sensitivities, vmap.

The damped oscillator x'' = -k x - c x' has a closed form, so values and derivatives in
y0, every time point and (k, c) are checked against it and against finite differences.
"""

import numpy as np
import pytest

scipy = pytest.importorskip("scipy")

import scipy.integrate  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.jacobians import jacfwd, jacrev  # noqa: E402
from fgrad.scipy import integrate  # noqa: E402
from fgrad.scipy.integrate import odeint  # noqa: E402
from helpers import load_example  # noqa: E402

TOL = dict(rtol=1e-10, atol=1e-10)
Y0 = np.array([1.0, -0.5])
T = np.array([0.0, 0.4, 1.1, 2.0, 3.5])
K, C = 2.0, 0.3


def oscillator(y, t, k, c):
    return fnp.stack([y[1], -k * y[0] - c * y[1]])


def closed_form(y0, t, k, c):
    """x(t) and x'(t) of the underdamped oscillator (4k > c**2), started at t[0]."""
    w = fnp.sqrt(k - c ** 2 / 4)
    s = t - t[0]
    decay = fnp.exp(-c * s / 2)
    a, b = y0[0], (y0[1] + c * y0[0] / 2) / w
    x = decay * (a * fnp.cos(w * s) + b * fnp.sin(w * s))
    v = decay * ((b * w - c * a / 2) * fnp.cos(w * s) - (a * w + c * b / 2) * fnp.sin(w * s))
    return fnp.stack([x, v], axis=1)


def solve(y0, t, k, c):
    return odeint(oscillator, y0, t, (k, c), **TOL)


WEIGHTS = np.linspace(0.5, 2.0, T.size * 2).reshape(T.size, 2)


def loss(y0, t, k, c):
    return (fnp.sin(solve(y0, t, k, c)) * WEIGHTS).sum()


def loss_exact(y0, t, k, c):
    return (fnp.sin(closed_form(y0, t, k, c)) * WEIGHTS).sum()


def finite_difference(f, args, i, eps=1e-6):
    x = np.asarray(args[i], dtype=float)
    out = np.zeros(x.shape)
    for j in np.ndindex(x.shape):
        step = np.zeros(x.shape)
        step[j] = eps
        plus, minus = list(args), list(args)
        plus[i], minus[i] = x + step, x - step
        out[j] = (f(*plus) - f(*minus)) / (2 * eps)
    return out


def test_plain_values_are_scipys_bit_for_bit():
    expected = scipy.integrate.odeint(oscillator, Y0, T, (K, C), **TOL)
    assert np.array_equal(solve(Y0, T, K, C), expected)
    traced = fgrad.jvp(lambda k: solve(Y0, T, k, C), (K,), (1.0,))[0]
    assert np.array_equal(traced, expected)
    y, info = odeint(oscillator, Y0, T, (K, C), full_output=True)
    assert info["message"] == "Integration successful."


def test_values_match_the_closed_form():
    np.testing.assert_allclose(solve(Y0, T, K, C), closed_form(Y0, T, K, C), atol=1e-8)


def test_gradients_in_y0_every_time_point_and_the_parameters():
    args = (Y0, T, K, C)
    grads = fgrad.grad(loss, argnums=(0, 1, 2, 3))(*args)
    exact = fgrad.grad(loss_exact, argnums=(0, 1, 2, 3))(*args)
    for i, (g, e) in enumerate(zip(grads, exact)):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-7, err_msg=f"argument {i}")
        np.testing.assert_allclose(g, finite_difference(loss, args, i), rtol=1e-5, atol=1e-6)
    assert np.all(grads[1] != 0)  # t[0] and every later point


def test_decreasing_time_points():
    t = T[::-1] * 0.5
    g = fgrad.grad(loss, argnums=(0, 1, 2))(Y0, t, K, C)
    e = fgrad.grad(loss_exact, argnums=(0, 1, 2))(Y0, t, K, C)
    for a, b in zip(g, e):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_forward_mode_matches_reverse_mode():
    tangents = (np.array([0.3, -0.2]), np.linspace(0.1, 0.5, T.size), 0.7, -0.4)
    _, out_dot = fgrad.jvp(solve, (Y0, T, K, C), tangents)
    _, exact_dot = fgrad.jvp(closed_form, (Y0, T, K, C), tangents)
    np.testing.assert_allclose(out_dot, exact_dot, rtol=1e-6, atol=1e-8)
    forward = jacfwd(solve, (0, 1, 2))(Y0, T, K, C)
    reverse = jacrev(solve, (0, 1, 2))(Y0, T, K, C)
    for f, r in zip(forward, reverse):
        np.testing.assert_allclose(f, r, rtol=1e-6, atol=1e-8)


def test_vmap_is_one_stacked_solve(monkeypatch):
    starts = np.array([[1.0, 0.0], [0.3, -0.5], [0.0, 1.0]])
    ks = np.array([1.0, 2.0, 3.0])
    calls = _count(monkeypatch)
    batched = fgrad.vmap(solve, in_axes=(0, None, 0, None))(starts, T, ks, C)
    assert len(calls) == 1
    looped = np.stack([solve(y, T, k, C) for y, k in zip(starts, ks)])
    np.testing.assert_allclose(batched, looped, atol=1e-8)
    # batched time points: one solve per example
    times = np.stack([T, 1.1 * T, 0.9 * T])
    batched = fgrad.vmap(solve, in_axes=(None, 0, None, None))(Y0, times, K, C)
    np.testing.assert_array_equal(batched, np.stack([solve(Y0, t, K, C) for t in times]))


def test_per_example_gradients_and_gradient_of_a_batch():
    starts = np.array([[1.0, 0.0], [0.3, -0.5], [0.0, 1.0]])
    per_example = fgrad.vmap(fgrad.grad(loss, argnums=(0, 1, 2)), (0, None, None, None))
    g = per_example(starts, T, K, C)
    looped = [fgrad.grad(loss, argnums=(0, 1, 2))(y, T, K, C) for y in starts]
    for i in range(3):
        np.testing.assert_allclose(g[i], np.stack([l[i] for l in looped]), rtol=1e-6,
                                   atol=1e-8)
    total = fgrad.grad(lambda k: fgrad.vmap(loss, (0, None, None, None))(starts, T, k, C).sum())
    np.testing.assert_allclose(total(K), sum(l[2] for l in looped), rtol=1e-6)


def _count(monkeypatch):
    calls = []
    solver = integrate._scipy_odeint

    def counting(func, *args, **kwargs):
        calls.append(func)
        return solver(func, *args, **kwargs)
    monkeypatch.setattr(integrate, "_scipy_odeint", counting)
    return calls


def test_the_backward_pass_is_one_solve_not_one_per_step(monkeypatch):
    calls = _count(monkeypatch)
    t = np.linspace(0.0, 8.0, 40)
    evaluations = []

    def counted(y, s, k, c):
        evaluations.append(s)
        return oscillator(y, s, k, c)
    fgrad.grad(lambda k: (odeint(counted, Y0, t, (k, C), **TOL) ** 2).sum())(K)
    assert len(calls) == 2  # the forward solve and the backward solve
    assert len(evaluations) > 10 * len(t)  # many solver steps, still one backward solve


def mlp(y, t, params):
    return params["W2"] @ fnp.tanh(params["W1"] @ y + params["b1"]) + params["b2"]


def test_neural_ode_with_pytree_parameters_against_finite_differences():
    rng = np.random.default_rng(0)
    params = {"W1": rng.normal(size=(5, 2)), "b1": rng.normal(size=5),
              "W2": rng.normal(size=(2, 5)) / 3, "b2": rng.normal(size=2) / 3}
    t = np.linspace(0.0, 1.5, 4)

    def f(params):
        return (odeint(mlp, Y0, t, (params,), **TOL) ** 2).sum()
    g = fgrad.grad(f)(params)
    for name, value in params.items():
        def of_leaf(x, name=name):
            return f({**params, name: x})
        np.testing.assert_allclose(g[name], finite_difference(of_leaf, [value], 0),
                                   rtol=1e-5, atol=1e-6)


def test_non_float_args_pass_through_and_tfirst():
    def rhs(t, y, k, label):
        assert label == "spring"
        return fnp.stack([y[1], -k * y[0]])
    g = fgrad.grad(lambda k: odeint(rhs, Y0, T, (k, "spring"), tfirst=True, **TOL)[-1, 0])(K)
    exact = fgrad.grad(lambda k: closed_form(Y0, T, k, 0.0)[-1, 0])(K)
    np.testing.assert_allclose(g, exact, rtol=1e-6)


def test_unsupported_uses_are_refused_early():
    with pytest.raises(NotImplementedError, match="full_output"):
        fgrad.grad(lambda k: odeint(oscillator, Y0, T, (k, C), full_output=True)[0].sum())(K)
    with pytest.raises(NotImplementedError, match="Dfun"):
        fgrad.grad(lambda k: odeint(oscillator, Y0, T, (k, C), Dfun=lambda *a: 0).sum())(K)
    with pytest.raises(TypeError, match="pass it through args"):
        fgrad.grad(lambda k: odeint(lambda y, t: oscillator(y, t, k, C), Y0, T).sum())(K)
    with pytest.raises(NotImplementedError, match="second derivatives"):
        fgrad.grad(fgrad.grad(lambda k: solve(Y0, T, k, C)[-1, 0]))(K)


@pytest.mark.filterwarnings("ignore::scipy.integrate.ODEintWarning")  # the forward solve's
def test_a_failed_backward_solve_raises():
    with pytest.raises(RuntimeError, match="backward"):
        fgrad.grad(lambda k: odeint(oscillator, Y0, np.linspace(0, 50, 3), (k, C),
                                    mxstep=5, rtol=1e-12, atol=1e-12).sum())(K)


def test_the_neural_ode_example_loss_falls():
    losses = load_example("neural_ode").main([])
    assert losses[-1] < 0.3 * losses[0]
