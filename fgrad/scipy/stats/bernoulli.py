"""fgrad.scipy.stats.bernoulli: the Bernoulli distribution, as ``scipy.stats.bernoulli``.

Compositions of fgrad.numpy and fgrad.scipy.special; on plain values each function is
SciPy's own. Differentiable in p (derivative 0 in k and loc). Off the support (k - loc
not 0 or 1) the log-pmf is -inf, the cdf 0 below 0 and 1 from 1 on, derivative 0;
p outside [0, 1] gives NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import discrete, select, tail_functions

__all__ = ["cdf", "logcdf", "logpmf", "logsf", "pmf", "sf"]

_bernoulli = scipy.stats.bernoulli


def _shift(k, p, loc):
    """(k - loc, valid, p): ``discrete``'s, valid where 0 <= p <= 1."""
    return discrete(k, loc, lambda p: (p >= 0) & (p <= 1), p)


@composite(_bernoulli.logpmf)
def logpmf(k, p, loc=0):
    """log P(K = k) = k log p + (1 - k) log(1 - p) for k in {0, 1}; -inf elsewhere.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda p: logpmf(0, p))(0.75)), 6)   # -1 / (1 - p)
    -4.0
    """
    k, valid, p = _shift(k, p, loc)
    inside = (k == 0) | (k == 1)
    k = fnp.where(inside, k, 0.0)
    return select(special.xlogy(k, p) + special.xlog1py(1 - k, -p), valid, inside, -np.inf)


@composite(_bernoulli.pmf)
def pmf(k, p, loc=0):
    """P(K = k): p for k = 1, 1 - p for k = 0, 0 elsewhere.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda p: pmf(1, p))(0.75)), 6)
    1.0
    """
    return fnp.exp(logpmf(k, p, loc))


def _tails(k, p, loc=0):
    """(P(K <= k), P(K > k), valid, inside, above): 1 - p and p on 0 <= k < 1."""
    k, valid, p = _shift(k, p, loc)
    return 1 - p, p, valid, (k >= 0) & (k < 1), k >= 1


cdf, logcdf, sf, logsf = tail_functions(
    _bernoulli, _tails, "Differentiable in p (derivative 0 in k).",
    "round(float(fgrad.grad(lambda p: {name}(0, p))(0.75)), 6)",
    {"cdf": "-1.0", "logcdf": "-4.0", "sf": "1.0", "logsf": "1.333333"})
