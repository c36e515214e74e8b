"""fgrad.scipy.stats.uniform: the uniform distribution on [loc, loc + scale], as
``scipy.stats.uniform``.

Compositions of fgrad.numpy; on plain values each function is SciPy's own.
Differentiable in x, loc and scale (the density in loc and scale only: -1 / scale in
scale). Outside [loc, loc + scale] the log-density is -inf, the cdf 0 or 1, derivative 0;
scale <= 0 gives NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from ._common import select, standardize, tail_functions

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_uniform = scipy.stats.uniform


def _standardize(x, loc, scale):
    """(z, scale, valid, inside, above): ``standardize``'s, with z = 1/2 off the support
    0 <= z <= 1, its mask, and the mask of z > 1."""
    z, scale, valid = standardize(x, loc, scale)
    inside = (z >= 0) & (z <= 1)
    return fnp.where(inside, z, 0.5), scale, valid, inside, z > 1


@composite(_uniform.logpdf)
def logpdf(x, loc=0, scale=1):
    """log of the uniform density: -log scale on loc <= x <= loc + scale, -inf elsewhere.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda s: logpdf(0.5, scale=s))(2.0)), 6)   # -1 / scale
    -0.5
    """
    _, scale, valid, inside, _ = _standardize(x, loc, scale)
    return select(-fnp.log(scale), valid, inside, -np.inf)


@composite(_uniform.pdf)
def pdf(x, loc=0, scale=1):
    """The uniform density 1 / scale on loc <= x <= loc + scale, 0 elsewhere.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda s: pdf(0.5, scale=s))(2.0)), 6)   # -1 / scale²
    -0.25
    """
    return fnp.exp(logpdf(x, loc, scale))


def _tails(x, loc=0, scale=1):
    """(P(X <= x), P(X > x), valid, inside, above): z and 1 - z."""
    z, _, valid, inside, above = _standardize(x, loc, scale)
    return z, 1 - z, valid, inside, above


cdf, logcdf, sf, logsf = tail_functions(
    _uniform, _tails, "Differentiable in x, loc and scale.",
    "round(float(fgrad.grad(lambda s: {name}(0.5, scale=s))(2.0)), 6)",
    {"cdf": "-0.125", "logcdf": "-0.5", "sf": "0.125", "logsf": "0.166667"})
