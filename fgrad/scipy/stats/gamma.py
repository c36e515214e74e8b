"""fgrad.scipy.stats.gamma: the gamma distribution, as ``scipy.stats.gamma``.

Compositions of fgrad.numpy and fgrad.scipy.special; on plain values each function is
SciPy's own. ``logpdf``/``pdf`` are differentiable in x, a, loc and scale; ``cdf``,
``sf`` and their logs (gammainc, gammaincc) in x, loc and scale but not in a (the
incomplete gamma function has no derivative in its shape: that raises, naming ``a``).
Below the support (x < loc) the log-density is -inf, the cdf 0, the sf 1, each with
derivative 0; a <= 0 or scale <= 0 give NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import select, standardize, tail_functions

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_gamma = scipy.stats.gamma


def _standardize(x, a, loc, scale):
    """(z, a, scale, valid, inside): ``standardize``'s, with z = 1 off the support z >= 0."""
    z, scale, valid, a = standardize(x, loc, scale, a)
    inside = z >= 0
    return fnp.where(inside, z, 1.0), a, scale, valid, inside


@composite(_gamma.logpdf)
def logpdf(x, a, loc=0, scale=1):
    """log of the gamma density with shape a: (a - 1) log z - z - gammaln(a) - log scale,
    z = (x - loc) / scale; -inf below loc. Differentiable in a too.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda a: logpdf(2.0, a))(3.0)), 6)   # log 2 - digamma(3)
    -0.229637
    """
    z, a, scale, valid, inside = _standardize(x, a, loc, scale)
    value = special.xlogy(a - 1.0, z) - z - special.gammaln(a) - fnp.log(scale)
    return select(value, valid, inside, -np.inf)


@composite(_gamma.pdf)
def pdf(x, a, loc=0, scale=1):
    """The gamma density with shape a, exp(logpdf(x, a, loc, scale)); 0 below loc.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda x: pdf(x, 2.0))(2.0)), 6)   # (1 - x) exp(-x)
    -0.135335
    """
    return fnp.exp(logpdf(x, a, loc, scale))


def _tails(x, a, loc=0, scale=1):
    """(P(X <= x), P(X > x), valid, inside, above): gammainc(a, z) and gammaincc(a, z)."""
    z, a, _, valid, inside = _standardize(x, a, loc, scale)
    return special.gammainc(a, z), special.gammaincc(a, z), valid, inside, None


cdf, logcdf, sf, logsf = tail_functions(
    _gamma, _tails, "Differentiable in x, loc and scale, not in a (an error names it).",
    "round(float(fgrad.grad(lambda x: {name}(x, 2.0))(1.0)), 6)",
    {"cdf": "0.367879", "logcdf": "1.392211", "sf": "-0.367879", "logsf": "-0.5"})
