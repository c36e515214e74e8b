"""fgrad.scipy.stats.expon: the exponential distribution, as ``scipy.stats.expon``.

Compositions of fgrad.numpy; on plain values each function is SciPy's own.
Differentiable in x, loc and scale. Below the support (x < loc) the log-density is -inf,
the cdf 0, the sf 1, each with derivative 0; scale <= 0 gives NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from ._common import select, standardize, tail_functions

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_expon = scipy.stats.expon


def _standardize(x, loc, scale):
    """(z, scale, valid, inside): ``standardize``'s, with z = 1 off the support z >= 0."""
    z, scale, valid = standardize(x, loc, scale)
    inside = z >= 0
    return fnp.where(inside, z, 1.0), scale, valid, inside


@composite(_expon.logpdf)
def logpdf(x, loc=0, scale=1):
    """log of the exponential density: -z - log scale, z = (x - loc) / scale; -inf below loc.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda s: logpdf(2.0, scale=s))(2.0)), 6)   # (z - 1) / scale
    0.0
    """
    z, scale, valid, inside = _standardize(x, loc, scale)
    return select(-z - fnp.log(scale), valid, inside, -np.inf)


@composite(_expon.pdf)
def pdf(x, loc=0, scale=1):
    """The exponential density exp(-z) / scale, z = (x - loc) / scale; 0 below loc.

    >>> import fgrad
    >>> round(float(fgrad.grad(pdf)(1.0)), 6)   # -exp(-x)
    -0.367879
    """
    return fnp.exp(logpdf(x, loc, scale))


def _tails(x, loc=0, scale=1):
    """(P(X <= x), P(X > x), valid, inside, above): -expm1(-z) and exp(-z)."""
    z, _, valid, inside = _standardize(x, loc, scale)
    return -fnp.expm1(-z), fnp.exp(-z), valid, inside, None


def _log_tails(x, loc=0, scale=1):
    """(log P(X <= x), log P(X > x)) = (log(1 - e^-z), -z): the first as log(-expm1(-z))
    near 0 and log1p(-exp(-z)) beyond log 2 (accurate on both sides), the second exact."""
    z, _, _, _ = _standardize(x, loc, scale)
    near = z < np.log(2.0)
    lower = fnp.where(near, fnp.log(-fnp.expm1(-fnp.where(near, z, 1.0))),
                      fnp.log1p(-fnp.exp(-fnp.where(near, 1.0, z))))
    return lower, -z


cdf, logcdf, sf, logsf = tail_functions(
    _expon, _tails, "Differentiable in x, loc and scale.",
    "round(float(fgrad.grad({name})(1.0)), 6)",
    {"cdf": "0.367879", "logcdf": "0.581977", "sf": "-0.367879", "logsf": "-1.0"},
    log_tails=_log_tails)
