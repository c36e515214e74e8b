"""fgrad.scipy.stats.norm: the normal distribution, as ``scipy.stats.norm``.

Compositions of fgrad.numpy and fgrad.scipy.special (ndtr, log_ndtr, ndtri); on plain
values each function is SciPy's own. Differentiable in x (q), loc and scale. As SciPy:
scale <= 0 gives NaN (with no NaN derivative leaking into valid points), and the
values are float64. ``logcdf`` and ``logsf`` go through log_ndtr, so they stay finite,
with the right derivative, far in the tails (logcdf(-30) = -454.3, derivative 30.03).
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import select, standardize

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]

_norm = scipy.stats.norm
_LOG_SQRT_2PI = np.log(np.sqrt(2 * np.pi))  # as SciPy's _norm_pdf_logC
_SQRT_2PI = np.sqrt(2 * np.pi)


@composite(_norm.logpdf)
def logpdf(x, loc=0, scale=1):
    """log of the normal density: -z²/2 - log(scale √(2π)), z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda mu: logpdf(1.0, loc=mu))(0.25)), 6)   # (x - loc) / scale²
    0.75
    """
    z, scale, valid = standardize(x, loc, scale)
    return select(-z ** 2 / 2.0 - _LOG_SQRT_2PI - fnp.log(scale), valid)


@composite(_norm.pdf)
def pdf(x, loc=0, scale=1):
    """The normal density exp(-z²/2) / (scale √(2π)), z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda s: pdf(0.0, scale=s))(1.0)), 6)   # -1 / (s² √(2π))
    -0.398942
    """
    z, scale, valid = standardize(x, loc, scale)
    return select(fnp.exp(-z ** 2 / 2.0) / _SQRT_2PI / scale, valid)


@composite(_norm.cdf)
def cdf(x, loc=0, scale=1):
    """P(X <= x) = ndtr(z), z = (x - loc) / scale: the normal distribution function.

    >>> import fgrad
    >>> round(float(fgrad.grad(cdf)(0.0)), 6)   # the density
    0.398942
    """
    z, _, valid = standardize(x, loc, scale)
    return select(special.ndtr(z), valid)


@composite(_norm.logcdf)
def logcdf(x, loc=0, scale=1):
    """log P(X <= x) = log_ndtr(z), z = (x - loc) / scale: finite far in the left tail.

    >>> import fgrad
    >>> round(float(fgrad.grad(logcdf)(-30.0)), 2)   # about -x there
    30.03
    """
    z, _, valid = standardize(x, loc, scale)
    return select(special.log_ndtr(z), valid)


@composite(_norm.sf)
def sf(x, loc=0, scale=1):
    """P(X > x) = ndtr(-z), z = (x - loc) / scale: the survival function, 1 - cdf.

    >>> import fgrad
    >>> round(float(fgrad.grad(sf)(0.0)), 6)   # minus the density
    -0.398942
    """
    z, _, valid = standardize(x, loc, scale)
    return select(special.ndtr(-z), valid)


@composite(_norm.logsf)
def logsf(x, loc=0, scale=1):
    """log P(X > x) = log_ndtr(-z), z = (x - loc) / scale: finite far in the right tail.

    >>> import fgrad
    >>> round(float(fgrad.grad(logsf)(30.0)), 2)
    -30.03
    """
    z, _, valid = standardize(x, loc, scale)
    return select(special.log_ndtr(-z), valid)


def _quantile(q, loc, scale, sign):
    """loc + sign * scale * ndtri(q); NaN outside [0, 1] (ndtri's own) and for scale <= 0.
    ndtri's argument is kept inside (0, 1) where the quantile is infinite or NaN, so its
    derivative there is 0, not inf * 0."""
    q, loc, scale = (fnp.asarray(a, dtype=np.float64) for a in (q, loc, scale))
    inside = (q > 0) & (q < 1) & (scale > 0)
    z = special.ndtri(fnp.where(inside, q, 0.5))
    edge = fnp.where(q == 0, -sign * np.inf, fnp.where(q == 1, sign * np.inf, np.nan))
    bad = fnp.where(scale > 0, edge, np.nan)
    return fnp.where(inside, loc + sign * fnp.where(inside, scale, 1.0) * z, bad)


@composite(_norm.ppf)
def ppf(q, loc=0, scale=1):
    """The quantile loc + scale ndtri(q), the inverse of cdf: -inf at q = 0, inf at 1, NaN
    outside [0, 1] (derivative 0 there).

    >>> import fgrad
    >>> round(float(fgrad.grad(ppf)(0.5)), 6)   # 1 / density(0) = √(2π)
    2.506628
    """
    return _quantile(q, loc, scale, 1.0)


@composite(_norm.isf)
def isf(q, loc=0, scale=1):
    """The inverse of sf, loc - scale ndtri(q) = ppf(1 - q): inf at q = 0, -inf at 1.

    >>> import fgrad
    >>> round(float(fgrad.grad(isf)(0.5)), 6)
    -2.506628
    """
    return _quantile(q, loc, scale, -1.0)
