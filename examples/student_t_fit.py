"""Maximum-likelihood fit of a Student-t model to data with outliers.

The negative log-likelihood of (loc, log scale, log df) is written with
fgrad.scipy.stats.t.logpdf; fgrad.value_and_grad gives its value and exact gradient,
which scipy.optimize.minimize (L-BFGS-B, jac=True) uses. The fitted parameters are
printed next to scipy.stats.t.fit's (a derivative-free fit of the same likelihood),
with the gradient norm at the optimum.

    python examples/student_t_fit.py          # 500 points, a fraction of a second
    python examples/student_t_fit.py --full   # 20,000 points
"""
import argparse

import numpy as np
import scipy.optimize
import scipy.stats

import fgrad
import fgrad.numpy as fnp
from fgrad.scipy.stats import t


def data(n, seed=0):
    """Normal(2, 0.5) draws with 10% gross outliers (Normal(2, 8))."""
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 0.5, n)
    outliers = rng.random(n) < 0.1
    x[outliers] = rng.normal(2.0, 8.0, outliers.sum())
    return x


def negative_log_likelihood(theta, x):
    loc, log_scale, log_df = theta[0], theta[1], theta[2]
    return -fnp.sum(t.logpdf(x, fnp.exp(log_df), loc, fnp.exp(log_scale))) / x.size


def fit(x):
    """(df, loc, scale) maximizing the likelihood, and the gradient norm at the optimum."""
    objective = fgrad.value_and_grad(negative_log_likelihood)
    start = np.array([np.median(x), np.log(np.std(x)), np.log(5.0)])
    result = scipy.optimize.minimize(objective, start, args=(x,), jac=True, method="L-BFGS-B",
                                     options={"ftol": 1e-15, "gtol": 1e-10})
    loc, log_scale, log_df = result.x
    gradient = objective(result.x, x)[1]
    return np.array([np.exp(log_df), loc, np.exp(log_scale)]), np.linalg.norm(gradient)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="20,000 points, not 500")
    n = 20_000 if parser.parse_args(argv).full else 500
    x = data(n)
    ours, grad_norm = fit(x)
    theirs = np.array(scipy.stats.t.fit(x))  # (df, loc, scale)
    print(f"Student-t fit to {n} points (10% outliers)")
    print(f"{'':18}{'df':>10}{'loc':>10}{'scale':>10}")
    print(f"{'fgrad + L-BFGS-B':18}" + "".join(f"{v:10.4f}" for v in ours))
    print(f"{'scipy.stats.t.fit':18}" + "".join(f"{v:10.4f}" for v in theirs))
    print(f"gradient norm at the optimum: {grad_norm:.1e}")
    return {"fgrad": ours, "scipy": theirs, "grad_norm": grad_norm}


if __name__ == "__main__":
    main()
