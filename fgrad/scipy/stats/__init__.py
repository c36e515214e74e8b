"""fgrad.scipy.stats: SciPy's distributions with derivatives, one submodule each.

Each submodule (``norm``, ``t``, ``multivariate_normal``...) has SciPy's functions
with SciPy's signatures (``logpdf(x, df, loc=0, scale=1)``), written as compositions
of fgrad.numpy and fgrad.scipy.special: on plain values each is SciPy's own. They are
differentiable in the data and in the parameters, except in a shape parameter that
reaches an incomplete gamma or beta function's shape argument (the cdf of t, gamma,
beta and chi2 in df, a, b, of binom and nbinom in n), which has no closed form: that
raises, naming it.
Outside the support the values are SciPy's (log-density -inf, density 0, cdf 0 or 1)
with derivative 0; invalid parameters (scale <= 0, df <= 0) give NaN, as in SciPy.

>>> import fgrad
>>> float(fgrad.grad(lambda mu: norm.logpdf(1.0, loc=mu))(0.25))   # (x - μ) / σ²
0.75
"""
from . import beta, bernoulli, binom, cauchy, chi2, dirichlet, expon, gamma, laplace, logistic, \
    multivariate_normal, nbinom, norm, poisson, t, uniform

__all__ = ["bernoulli", "beta", "binom", "cauchy", "chi2", "dirichlet", "expon", "gamma", "laplace",
           "logistic", "multivariate_normal", "nbinom", "norm", "poisson", "t", "uniform"]
