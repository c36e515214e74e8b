"""fgrad.scipy.stats.beta: the beta distribution, as ``scipy.stats.beta``.

Compositions of fgrad.numpy and fgrad.scipy.special; on plain values each function is
SciPy's own. ``logpdf``/``pdf`` are differentiable in x, a, b, loc and scale; ``cdf``,
``sf`` and their logs (betainc) in x, loc and scale but not in a or b (the incomplete
beta function has no derivative in its shape arguments: that raises, naming them).
Outside [0, 1] the log-density is -inf, the cdf 0 or 1, with derivative 0; a <= 0,
b <= 0 or scale <= 0 give NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import select, standardize, tail_functions

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_beta = scipy.stats.beta


def _standardize(x, a, b, loc, scale):
    """(z, a, b, scale, valid, inside, above): ``standardize``'s, with z = 1/2 off the
    support 0 <= z <= 1, its mask, and the mask of z > 1."""
    z, scale, valid, a, b = standardize(x, loc, scale, a, b)
    inside = (z >= 0) & (z <= 1)
    return fnp.where(inside, z, 0.5), a, b, scale, valid, inside, z > 1


@composite(_beta.logpdf)
def logpdf(x, a, b, loc=0, scale=1):
    """log of the beta density: (a - 1) log z + (b - 1) log(1 - z) - betaln(a, b) - log scale,
    z = (x - loc) / scale; -inf outside 0 <= z <= 1. Differentiable in a and b too.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda b: logpdf(0.5, 2.0, b))(2.0)), 6)
    0.140186
    """
    z, a, b, scale, valid, inside, _ = _standardize(x, a, b, loc, scale)
    value = (special.xlog1py(b - 1.0, -z) + special.xlogy(a - 1.0, z) - special.betaln(a, b)
             - fnp.log(scale))
    return select(value, valid, inside, -np.inf)


@composite(_beta.pdf)
def pdf(x, a, b, loc=0, scale=1):
    """The beta density, exp(logpdf(x, a, b, loc, scale)); 0 outside the support.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda x: pdf(x, 2.0, 2.0))(0.25)), 6)   # 6 (1 - 2x)
    3.0
    """
    return fnp.exp(logpdf(x, a, b, loc, scale))


def _tails(x, a, b, loc=0, scale=1):
    """(P(X <= x), P(X > x), valid, inside, above): betainc(a, b, z), betainc(b, a, 1 - z)."""
    z, a, b, _, valid, inside, above = _standardize(x, a, b, loc, scale)
    return special.betainc(a, b, z), special.betainc(b, a, 1 - z), valid, inside, above


cdf, logcdf, sf, logsf = tail_functions(
    _beta, _tails, "Differentiable in x, loc and scale, not in a or b (an error names them).",
    "round(float(fgrad.grad(lambda x: {name}(x, 2.0, 2.0))(0.25)), 6)",
    {"cdf": "1.125", "logcdf": "7.2", "sf": "-1.125", "logsf": "-1.333333"})
