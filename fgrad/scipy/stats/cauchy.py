"""fgrad.scipy.stats.cauchy: the Cauchy distribution, as ``scipy.stats.cauchy``.

Compositions of fgrad.numpy; on plain values each function is SciPy's own.
Differentiable in x, loc and scale. The tails are arctan2(1, -z) / pi and
arctan2(1, z) / pi, accurate far out on either side; scale <= 0 gives NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from ._common import select, standardize, tail_functions

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_cauchy = scipy.stats.cauchy
_LOG_PI = np.log(np.pi)


@composite(_cauchy.logpdf)
def logpdf(x, loc=0, scale=1):
    """log of the Cauchy density: -log(pi scale) - log1p(z²), z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(logpdf)(1.0)), 6)   # -2x / (1 + x²)
    -1.0
    """
    z, scale, valid = standardize(x, loc, scale)
    return select(-_LOG_PI - fnp.log(scale) - fnp.log1p(z ** 2), valid)


@composite(_cauchy.pdf)
def pdf(x, loc=0, scale=1):
    """The Cauchy density 1 / (pi scale (1 + z²)), z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(pdf)(1.0)), 6)   # -2x / (pi (1 + x²)²)
    -0.159155
    """
    return fnp.exp(logpdf(x, loc, scale))


def _tails(x, loc=0, scale=1):
    """(P(X <= x), P(X > x), valid, inside, above): arctan2(1, -z) / pi, arctan2(1, z) / pi."""
    z, _, valid = standardize(x, loc, scale)
    return fnp.arctan2(1.0, -z) / np.pi, fnp.arctan2(1.0, z) / np.pi, valid, None, None


cdf, logcdf, sf, logsf = tail_functions(
    _cauchy, _tails, "Differentiable in x, loc and scale.",
    "round(float(fgrad.grad({name})(1.0)), 6)",
    {"cdf": "0.159155", "logcdf": "0.212207", "sf": "-0.159155", "logsf": "-0.63662"})
