"""Fitting a Gaussian process's kernel hyperparameters by gradient-based maximum likelihood.

A Gaussian process with the squared-exponential kernel and Gaussian noise,

    k(x, x') = s² exp(-(x - x')² / (2 ℓ²)),      y = f(x) + noise,  noise ~ N(0, σ²),

has three hyperparameters: the length-scale ℓ, the signal variance s² and the noise
variance σ². On data (x, y) with K = k(x, x) + σ² I, the log marginal likelihood is

    log p(y | θ) = -½ yᵀK⁻¹y - ½ log|K| - (n/2) log 2π.

With the Cholesky factor K = L Lᵀ both terms are cheap and stable: z = L⁻¹y gives
yᵀK⁻¹y = zᵀz, and log|K| = 2 Σᵢ log Lᵢᵢ. Written with fgrad.numpy (cholesky, solve,
diagonal), ``fgrad.value_and_grad`` gives the exact gradient with respect to
θ = (log ℓ, log s², log σ²) (logs keep the three positive), and
``fgrad.optim.minimize`` hands both to SciPy's L-BFGS-B. The gradient is checked
against central finite differences once, before the fit.

Run:
    python examples/gaussian_process.py           # quick: 20 points
    python examples/gaussian_process.py --full    # 60 points, and the plot
    python examples/gaussian_process.py --plot gp.png   # the plot elsewhere

The full run draws docs/images/gaussian_process.png (this needs matplotlib:
pip install "fgrad[examples]"). The fit itself needs SciPy (also in that extra).
"""
import argparse
import math
import pathlib

import numpy as np

import fgrad
import fgrad.numpy as fnp
import plotting  # examples/plotting.py: matplotlib, if installed

HERE = pathlib.Path(__file__).resolve().parent
DEFAULT_PLOT = HERE.parent / "docs" / "images" / "gaussian_process.png"

NOISE_SD = 0.2                              # the true noise of the data
INITIAL = np.log([1.0, 1.0, 1.0])           # θ₀: ℓ = 1, s² = 1, σ² = 1


def true_function(x):
    return np.sin(2 * x) + 0.3 * x


def make_data(n, seed=0):
    """n noisy samples of true_function at random points of [-4, 4]."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-4, 4, n))
    return x, true_function(x) + NOISE_SD * rng.standard_normal(n)


# -- the model --------------------------------------------------------------------------

def kernel(xa, xb, log_length, log_signal):
    """The squared-exponential kernel matrix k(xa, xb), shape (len(xa), len(xb))."""
    sq_dist = (xa[:, None] - xb[None, :]) ** 2
    return fnp.exp(log_signal - 0.5 * sq_dist / fnp.exp(2 * log_length))


def log_marginal_likelihood(theta, x, y):
    """log p(y | θ) for θ = (log ℓ, log s², log σ²), through the Cholesky factor of K."""
    log_length, log_signal, log_noise = theta[0], theta[1], theta[2]
    n = len(x)
    K = kernel(x, x, log_length, log_signal) + fnp.exp(log_noise) * np.eye(n)
    L = fnp.linalg.cholesky(K)
    z = fnp.linalg.solve(L, y)                          # L z = y, so yᵀK⁻¹y = zᵀz
    log_det_K = 2 * fnp.sum(fnp.log(fnp.diagonal(L)))
    return -0.5 * z @ z - 0.5 * log_det_K - 0.5 * n * math.log(2 * math.pi)


def negative_lml(theta, x, y):
    """What the optimiser minimises."""
    return -log_marginal_likelihood(theta, x, y)


def posterior(theta, x, y, x_new):
    """The posterior mean and standard deviation of f at x_new (plain NumPy: no
    derivatives needed here)."""
    log_length, log_signal, log_noise = theta
    K = kernel(x, x, log_length, log_signal) + np.exp(log_noise) * np.eye(len(x))
    K_new = kernel(x_new, x, log_length, log_signal)    # (len(x_new), len(x))
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))  # K⁻¹ y
    V = np.linalg.solve(L, K_new.T)                      # L⁻¹ K_newᵀ
    mean = K_new @ alpha
    variance = np.exp(log_signal) - np.sum(V ** 2, axis=0)
    return mean, np.sqrt(np.maximum(variance, 0))


# -- fitting ----------------------------------------------------------------------------

def check_gradient(theta, x, y):
    """The largest relative difference between fgrad's gradient and central finite
    differences of the log marginal likelihood at θ."""
    value, exact = fgrad.value_and_grad(log_marginal_likelihood)(theta, x, y)
    numeric = fgrad.testing.numerical_jacobian(
        lambda t: log_marginal_likelihood(t, x, y), theta)
    return float(np.max(np.abs(exact - numeric) / (np.abs(numeric) + 1e-8)))


def fit(x, y, theta0):
    """Maximise the log marginal likelihood from θ₀ by L-BFGS-B, printing each step."""
    def report(theta):
        report.step += 1
        print(f"  step {report.step:2d}   log p(y|θ) = {log_marginal_likelihood(theta, x, y):9.4f}"
              f"   ℓ = {np.exp(theta[0]):.3f}  s = {np.exp(theta[1] / 2):.3f}"
              f"  σ = {np.exp(theta[2] / 2):.3f}", flush=True)
    report.step = 0
    return fgrad.optim.minimize(negative_lml, theta0, args=(x, y), method="L-BFGS-B",
                                callback=report)


def describe(theta):
    log_length, log_signal, log_noise = theta
    return (f"length-scale ℓ = {np.exp(log_length):.4f}, "
            f"signal sd s = {np.exp(log_signal / 2):.4f}, "
            f"noise sd σ = {np.exp(log_noise / 2):.4f}")


def plot(theta, x, y, lml, path):
    """The data, the true function, and the posterior mean with a ±2σ band."""
    plt = plotting.pyplot()
    if plt is None:
        return
    grid = np.linspace(-5, 5, 400)
    mean, sd = posterior(theta, x, y, grid)
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    ax.fill_between(grid, mean - 2 * sd, mean + 2 * sd, color="C0", alpha=0.2,
                    label="posterior mean ± 2 sd")
    ax.plot(grid, mean, "C0", lw=2, label="posterior mean")
    ax.plot(grid, true_function(grid), "k--", lw=1, label="true function")
    ax.plot(x, y, "o", color="C3", ms=4, label=f"data ({len(x)} points, noise sd {NOISE_SD})")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(f"GP fitted by maximum likelihood: ℓ = {np.exp(theta[0]):.2f}, "
                 f"s = {np.exp(theta[1] / 2):.2f}, σ = {np.exp(theta[2] / 2):.3f}, "
                 f"log p(y|θ) = {lml:.2f}")
    ax.legend(loc="upper left", fontsize=9)
    plotting.save(fig, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="60 data points instead of 20")
    parser.add_argument("--plot", metavar="PATH",
                        help=f"where to draw the plot (--full: {DEFAULT_PLOT})")
    args = parser.parse_args(argv)

    x, y = make_data(60 if args.full else 20)
    print(f"{len(x)} noisy samples of sin(2x) + 0.3x (noise sd {NOISE_SD})")
    initial_lml = float(log_marginal_likelihood(INITIAL, x, y))
    print(f"initial: {describe(INITIAL)}\n         log p(y|θ) = {initial_lml:.4f}")
    gradient_error = check_gradient(INITIAL, x, y)
    print(f"gradient vs central finite differences at θ₀: largest relative difference "
          f"{gradient_error:.1e}")

    result = fit(x, y, INITIAL)
    theta = result.x
    fitted_lml = float(log_marginal_likelihood(theta, x, y))
    print(f"L-BFGS-B: {result.message} ({result.nit} steps, {result.nfev} evaluations)")
    print(f"fitted:  {describe(theta)}\n         log p(y|θ) = {fitted_lml:.4f}"
          f"   (from {initial_lml:.4f})")

    plot_path = args.plot or (DEFAULT_PLOT if args.full else None)
    if plot_path:
        plot(theta, x, y, fitted_lml, plot_path)
    else:
        print("quick run: no plot (--full draws one, or --plot PATH)")
    return {"initial_lml": initial_lml, "fitted_lml": fitted_lml, "theta": theta,
            "length_scale": float(np.exp(theta[0])),
            "signal_sd": float(np.exp(theta[1] / 2)), "noise_sd": float(np.exp(theta[2] / 2)),
            "gradient_error": gradient_error, "success": bool(result.success)}


if __name__ == "__main__":
    main()
