"""fgrad.scipy.stats.poisson: the Poisson distribution, as ``scipy.stats.poisson``.

Compositions of fgrad.numpy and fgrad.scipy.special; on plain values each function is
SciPy's own. ``logpmf``/``pmf`` are differentiable in mu (and in k through the
continuous extension k log mu - gammaln(k + 1) - mu, as JAX); ``cdf``, ``sf`` and their
logs are gammaincc(floor(k) + 1, mu) and gammainc(floor(k) + 1, mu): differentiable in
mu, derivative 0 in k and loc. Off the support (k - loc negative or not a whole number)
the log-pmf is -inf, derivative 0; mu < 0 gives NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import select, tail_functions

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "sf"]

_poisson = scipy.stats.poisson


def _shift(k, mu, loc):
    """(k - loc, mu, valid): float64, with mu = 1 where mu < 0 (NaN there, no warning)."""
    k, mu, loc = (fnp.asarray(v, dtype=np.float64) for v in (k, mu, loc))
    valid = mu >= 0
    return k - loc, fnp.where(valid, mu, 1.0), valid


@composite(_poisson.logpmf)
def logpmf(k, mu, loc=0):
    """log P(K = k) of the Poisson distribution with mean mu: k log mu - gammaln(k + 1) - mu
    (k shifted by loc); -inf off the whole numbers k >= 0.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda mu: logpmf(3, mu))(2.0)), 6)   # k / mu - 1
    0.5
    """
    k, mu, valid = _shift(k, mu, loc)
    inside = (k >= 0) & (k == fnp.floor(k))
    k = fnp.where(inside, k, 0.0)
    return select(special.xlogy(k, mu) - special.gammaln(k + 1) - mu, valid, inside, -np.inf)


@composite(_poisson.pmf)
def pmf(k, mu, loc=0):
    """P(K = k) of the Poisson distribution with mean mu: mu^k exp(-mu) / k!.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda mu: pmf(3, mu))(2.0)), 6)   # pmf (k / mu - 1)
    0.090224
    """
    return fnp.exp(logpmf(k, mu, loc))


def _tails(k, mu, loc=0):
    """(P(K <= k), P(K > k), valid, inside, above): gammaincc(floor(k) + 1, mu) and
    gammainc(floor(k) + 1, mu)."""
    k, mu, valid = _shift(k, mu, loc)
    inside = k >= 0
    a = fnp.floor(fnp.where(inside, k, 0.0)) + 1
    return special.gammaincc(a, mu), special.gammainc(a, mu), valid, inside, None


cdf, logcdf, sf, logsf = tail_functions(
    _poisson, _tails, "Differentiable in mu (derivative 0 in k and loc).",
    "round(float(fgrad.grad(lambda mu: {name}(3, mu))(2.0)), 6)",
    {"cdf": "-0.180447", "logcdf": "-0.210526", "sf": "0.180447", "logsf": "1.262958"})
