"""fgrad.scipy.stats.nbinom: the negative binomial distribution, as ``scipy.stats.nbinom``.

Compositions of fgrad.numpy and fgrad.scipy.special; on plain values each function is
SciPy's own. ``logpmf``/``pmf`` are differentiable in n and p (and in k through the
continuous extension gammaln(n + k) - gammaln(k + 1) - gammaln(n) + n log p +
k log(1 - p), as poisson's); ``cdf``, ``sf`` and their logs are betainc(n, floor(k) + 1, p)
and betainc(floor(k) + 1, n, 1 - p): differentiable in p, not in n (the incomplete beta
function has no derivative in its shape arguments: that raises, naming ``a`` or ``b``),
derivative 0 in k and loc. Off the support (k - loc negative or not a whole number) the
log-pmf is -inf, derivative 0; n <= 0 or p outside (0, 1] give NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import discrete, select, tail_functions

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "sf"]

_nbinom = scipy.stats.nbinom


def _shift(k, n, p, loc):
    """(k - loc, valid, n, p): ``discrete``'s, valid where n > 0 and 0 < p <= 1."""
    return discrete(k, loc, lambda n, p: (n > 0) & (p > 0) & (p <= 1), n, p)


@composite(_nbinom.logpmf)
def logpmf(k, n, p, loc=0):
    """log P(K = k), K the number of failures before the n-th success of probability p:
    gammaln(n + k) - gammaln(k + 1) - gammaln(n) + n log p + k log(1 - p); -inf off the
    whole numbers k >= 0. Differentiable in n and p.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda p: logpmf(3, 2.0, p))(0.5)), 6)   # n / p - k / (1 - p)
    -2.0
    """
    k, valid, n, p = _shift(k, n, p, loc)
    inside = (k >= 0) & (k == fnp.floor(k))
    k = fnp.where(inside, k, 0.0)
    value = (special.gammaln(n + k) - special.gammaln(k + 1) - special.gammaln(n)
             + special.xlogy(n, p) + special.xlog1py(k, -p))
    return select(value, valid, inside, -np.inf)


@composite(_nbinom.pmf)
def pmf(k, n, p, loc=0):
    """P(K = k) of the negative binomial distribution, exp(logpmf(k, n, p, loc)).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda n: pmf(3, n, 0.5))(2.0)), 6)   # pmf d logpmf / dn
    0.048773
    """
    return fnp.exp(logpmf(k, n, p, loc))


def _tails(k, n, p, loc=0):
    """(P(K <= k), P(K > k), valid, inside, above): betainc(n, floor(k) + 1, p) and
    betainc(floor(k) + 1, n, 1 - p)."""
    k, valid, n, p = _shift(k, n, p, loc)
    inside = k >= 0
    k = fnp.floor(fnp.where(inside, k, 0.0)) + 1
    return special.betainc(n, k, p), special.betainc(k, n, 1 - p), valid, inside, None


cdf, logcdf, sf, logsf = tail_functions(
    _nbinom, _tails, "Differentiable in p, not in n (an error names it); derivative 0 in k.",
    "round(float(fgrad.grad(lambda p: {name}(3, 2.0, p))(0.5)), 6)",
    {"cdf": "1.25", "logcdf": "1.538462", "sf": "-1.25", "logsf": "-6.666667"})
