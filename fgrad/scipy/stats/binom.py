"""fgrad.scipy.stats.binom: the binomial distribution, as ``scipy.stats.binom``.

Compositions of fgrad.numpy and fgrad.scipy.special; on plain values each function is
SciPy's own. ``logpmf``/``pmf`` are differentiable in p (and in k and n through the
continuous extension of the binomial coefficient by gammaln, as poisson's k); ``cdf``,
``sf`` and their logs are betainc(n - floor(k), floor(k) + 1, 1 - p) and
betainc(floor(k) + 1, n - floor(k), p): differentiable in p, not in n (the incomplete
beta function has no derivative in its shape arguments: that raises, naming ``a`` or
``b``), derivative 0 in k and loc. Off the support (k - loc not a whole number in
[0, n]) the log-pmf is -inf, derivative 0; n not a whole number >= 0 or p outside [0, 1]
give NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import discrete, select, tail_functions

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "sf"]

_binom = scipy.stats.binom


def _shift(k, n, p, loc):
    """(k - loc, valid, n, p): ``discrete``'s, valid where n is a whole number >= 0 and
    0 <= p <= 1."""
    return discrete(k, loc, lambda n, p: (n >= 0) & (n == fnp.floor(n)) & (p >= 0) & (p <= 1),
                    n, p)


@composite(_binom.logpmf)
def logpmf(k, n, p, loc=0):
    """log P(K = k), K the number of successes in n trials of probability p:
    log C(n, k) + k log p + (n - k) log(1 - p); -inf off the whole numbers 0 <= k <= n.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda p: logpmf(3, 10, p))(0.5)), 6)   # k / p - (n - k) / (1 - p)
    -8.0
    """
    k, valid, n, p = _shift(k, n, p, loc)
    inside = (k >= 0) & (k <= n) & (k == fnp.floor(k))
    k = fnp.where(inside, k, 0.0)
    value = (special.gammaln(n + 1) - special.gammaln(k + 1) - special.gammaln(n - k + 1)
             + special.xlogy(k, p) + special.xlog1py(n - k, -p))
    return select(value, valid, inside, -np.inf)


@composite(_binom.pmf)
def pmf(k, n, p, loc=0):
    """P(K = k) of the binomial distribution, C(n, k) p^k (1 - p)^(n - k).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda p: pmf(1, 2, p))(0.25)), 6)   # 2 - 4p
    1.0
    """
    return fnp.exp(logpmf(k, n, p, loc))


def _tails(k, n, p, loc=0):
    """(P(K <= k), P(K > k), valid, inside, above): betainc(n - floor(k), floor(k) + 1,
    1 - p) and betainc(floor(k) + 1, n - floor(k), p) on 0 <= k < n."""
    k, valid, n, p = _shift(k, n, p, loc)
    inside, above = (k >= 0) & (k < n), k >= n
    k = fnp.floor(fnp.where(inside, k, 0.0))
    n = fnp.where(inside, n, 1.0)
    return (special.betainc(n - k, k + 1, 1 - p), special.betainc(k + 1, n - k, p), valid,
            inside, above)


cdf, logcdf, sf, logsf = tail_functions(
    _binom, _tails, "Differentiable in p, not in n (an error names it); derivative 0 in k.",
    "round(float(fgrad.grad(lambda p: {name}(3, 10, p))(0.5)), 6)",
    {"cdf": "-1.640625", "logcdf": "-9.545455", "sf": "1.640625", "logsf": "1.981132"})
