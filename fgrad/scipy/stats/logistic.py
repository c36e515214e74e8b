"""fgrad.scipy.stats.logistic: the logistic distribution, as ``scipy.stats.logistic``.

Compositions of fgrad.numpy and fgrad.scipy.special (expit, log_expit); on plain values
each function is SciPy's own. Differentiable in x, loc and scale; scale <= 0 gives NaN,
as SciPy.
"""
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import select, standardize, tail_functions

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_logistic = scipy.stats.logistic


@composite(_logistic.logpdf)
def logpdf(x, loc=0, scale=1):
    """log of the logistic density: log expit(z) + log expit(-z) - log scale,
    z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(logpdf)(1.0)), 6)   # -tanh(x / 2)
    -0.462117
    """
    z, scale, valid = standardize(x, loc, scale)
    return select(special.log_expit(z) + special.log_expit(-z) - fnp.log(scale), valid)


@composite(_logistic.pdf)
def pdf(x, loc=0, scale=1):
    """The logistic density expit(z) expit(-z) / scale, z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(pdf)(0.0)), 6)   # the mode
    0.0
    """
    return fnp.exp(logpdf(x, loc, scale))


def _tails(x, loc=0, scale=1):
    """(P(X <= x), P(X > x), valid, inside, above): expit(z) and expit(-z)."""
    z, _, valid = standardize(x, loc, scale)
    return special.expit(z), special.expit(-z), valid, None, None


def _log_tails(x, loc=0, scale=1):
    """(log P(X <= x), log P(X > x)) = (-log(1 + e^-z), -log(1 + e^z)): no underflow."""
    z, _, _ = standardize(x, loc, scale)
    return -fnp.logaddexp(0.0, -z), -fnp.logaddexp(0.0, z)


cdf, logcdf, sf, logsf = tail_functions(
    _logistic, _tails, "Differentiable in x, loc and scale.",
    "round(float(fgrad.grad({name})(1.0)), 6)",
    {"cdf": "0.196612", "logcdf": "0.268941", "sf": "-0.196612", "logsf": "-0.731059"},
    log_tails=_log_tails)
