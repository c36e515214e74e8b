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
    z, scale, valid = standardize(x, loc, scale)
    return select(-z ** 2 / 2.0 - _LOG_SQRT_2PI - fnp.log(scale), valid)


@composite(_norm.pdf)
def pdf(x, loc=0, scale=1):
    z, scale, valid = standardize(x, loc, scale)
    return select(fnp.exp(-z ** 2 / 2.0) / _SQRT_2PI / scale, valid)


@composite(_norm.cdf)
def cdf(x, loc=0, scale=1):
    z, _, valid = standardize(x, loc, scale)
    return select(special.ndtr(z), valid)


@composite(_norm.logcdf)
def logcdf(x, loc=0, scale=1):
    z, _, valid = standardize(x, loc, scale)
    return select(special.log_ndtr(z), valid)


@composite(_norm.sf)
def sf(x, loc=0, scale=1):
    z, _, valid = standardize(x, loc, scale)
    return select(special.ndtr(-z), valid)


@composite(_norm.logsf)
def logsf(x, loc=0, scale=1):
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
    return _quantile(q, loc, scale, 1.0)


@composite(_norm.isf)
def isf(q, loc=0, scale=1):
    return _quantile(q, loc, scale, -1.0)
