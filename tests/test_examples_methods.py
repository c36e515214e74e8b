"""The method examples run in quick mode and get their numbers right: forward_vs_reverse,
newton, gaussian_process and custom_rules (each through its main(argv)). They pass with
or without matplotlib; the Gaussian process needs SciPy, as fgrad.optim.minimize does."""
import importlib.util
import math
import sys

import numpy as np
import pytest

import fgrad
from helpers import load_example


def has_matplotlib():
    return importlib.util.find_spec("matplotlib") is not None


# -- forward_vs_reverse ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def forward_vs_reverse(tmp_path_factory):
    module = load_example("forward_vs_reverse")
    plot_path = tmp_path_factory.mktemp("plots") / "forward_vs_reverse.png"
    return module, module.main(["--repeats", "1", "--plot", str(plot_path)]), plot_path


def test_jacfwd_and_jacrev_agree_over_the_grid(forward_vs_reverse):
    _, result, _ = forward_vs_reverse
    assert result["sizes"] == [1, 16, 256]
    assert result["max_abs_diff"] < 1e-12
    for table in (result["fwd_seconds"], result["rev_seconds"]):
        assert table.shape == (3, 3) and np.all(table > 0)
    wins, total = result["predicted_wins"]
    assert total == 6 and 0 <= wins <= total     # timings are the machine's: not asserted


def test_the_network_jacobian_is_right():
    module = load_example("forward_vs_reverse")
    f = module.make_network(3, 5, np.random.default_rng(0))
    x = np.linspace(-1, 1, 3)
    np.testing.assert_allclose(fgrad.jacrev(f)(x), fgrad.testing.numerical_jacobian(f, x),
                               rtol=1e-6, atol=1e-8)


def test_the_crossover_plot_is_written_when_matplotlib_is_there(forward_vs_reverse):
    _, _, plot_path = forward_vs_reverse
    assert plot_path.exists() == has_matplotlib()


def test_without_matplotlib_the_plot_is_skipped_with_a_note(monkeypatch, capsys, tmp_path):
    module = load_example("forward_vs_reverse")
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import matplotlib fails
    times = np.ones((2, 2))
    module.plot([1, 2], times, times, tmp_path / "never.png")
    out = capsys.readouterr().out
    assert "plot skipped" in out and 'pip install "fgrad[examples]"' in out
    assert not (tmp_path / "never.png").exists()


# -- newton ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def newton_rows():
    rows = load_example("newton").main([])
    return {(r["n"], r["method"]): r for r in rows}


@pytest.mark.parametrize("n", [2, 10])
def test_newton_reaches_the_minimum_in_few_iterations(newton_rows, n):
    newton, newton_cg = newton_rows[n, "Newton (hessian)"], newton_rows[n, "Newton-CG (hvp)"]
    assert newton["converged"] and newton["error"] < 1e-10 and newton["iterations"] <= 40
    assert newton_cg["converged"] and newton_cg["error"] < 1e-10 and newton_cg["iterations"] <= 100


@pytest.mark.parametrize("n", [2, 10])
def test_gradient_descent_reports_its_cap_honestly(newton_rows, n):
    descent = newton_rows[n, "gradient descent"]
    assert descent["iterations"] == 500 and not descent["converged"]
    assert descent["error"] > 1e-10


def test_the_conjugate_gradient_solve_is_right():
    module = load_example("newton")
    rng = np.random.default_rng(0)
    M = rng.standard_normal((6, 6))
    H, g = M @ M.T + np.eye(6), rng.standard_normal(6)
    p, products = module.conjugate_gradient(lambda v: H @ v, g, tolerance=1e-12, max_steps=12)
    np.testing.assert_allclose(H @ p, -g, atol=1e-10)
    assert products <= 12


# -- gaussian_process -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def gaussian_process():
    pytest.importorskip("scipy")
    module = load_example("gaussian_process")
    return module, module.main([])


def test_the_gp_fit_improves_the_likelihood(gaussian_process):
    _, result = gaussian_process
    assert result["success"]
    assert result["fitted_lml"] > result["initial_lml"] + 10
    assert 0.05 < result["noise_sd"] < 0.4 and 0.3 < result["length_scale"] < 3


def test_the_gp_gradient_matches_finite_differences(gaussian_process):
    module, result = gaussian_process
    assert result["gradient_error"] < 1e-6
    x, y = module.make_data(20)
    theta = np.array([0.3, -0.2, -2.0])
    np.testing.assert_allclose(
        fgrad.grad(module.log_marginal_likelihood)(theta, x, y),
        fgrad.testing.numerical_jacobian(lambda t: module.log_marginal_likelihood(t, x, y), theta),
        rtol=1e-6, atol=1e-8)


def test_the_fitted_hyperparameters_are_a_stationary_point(gaussian_process):
    module, result = gaussian_process
    x, y = module.make_data(20)
    gradient = fgrad.grad(module.log_marginal_likelihood)(result["theta"], x, y)
    assert np.max(np.abs(gradient)) < 1e-3


# -- custom_rules ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def custom_rules():
    return load_example("custom_rules").main([])


def test_the_stable_log1pexp_has_the_right_derivatives(custom_rules):
    rows = {r["x"]: r for r in custom_rules["stable"]}
    big = rows[1000.0]
    assert math.isinf(big["naive_value"]) and math.isnan(big["naive_formula"])
    assert big["naive_grad"] != 1.0                  # the naive derivative is wrong there
    assert big["value"] == 1000.0 and big["grad"] == 1.0 and big["second"] == 0.0
    def sigmoid(x):
        return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))

    for x, r in rows.items():       # d/dx log(1 + eˣ) = σ(x), d²/dx² = σ(x) σ(-x)
        assert math.isfinite(r["grad"]) and math.isfinite(r["second"])
        assert r["grad"] == pytest.approx(sigmoid(x), rel=1e-12, abs=1e-300)
        assert r["second"] == pytest.approx(sigmoid(x) * sigmoid(-x), rel=1e-6, abs=1e-300)


def test_gradient_clipping_keeps_the_direction_and_bounds_the_norm(custom_rules):
    clipping = custom_rules["clipping"]
    assert clipping["grad_norm"] > 100
    assert clipping["clipped_norm"] == pytest.approx(1.0)
    assert clipping["cosine"] == pytest.approx(1.0)
    assert not clipping["plain_losses"][-1] < 1e10           # diverged (or overflowed)
    assert clipping["clipped_losses"][-1] < 1e-2


def test_the_implicit_derivative_matches_unrolling_and_finite_differences(custom_rules):
    implicit = custom_rules["implicit"]
    assert implicit["jacobian"].shape == (5, 5)
    assert implicit["vs_unrolled"] < 1e-10
    assert implicit["vs_numeric"] < 1e-6
