"""fgrad.scipy.stats.laplace: the Laplace distribution, as ``scipy.stats.laplace``.

Compositions of fgrad.numpy; on plain values each function is SciPy's own.
Differentiable in x, loc and scale. At x = loc the log-density has a kink: its derivative
there is 0 (abs's, as JAX); the tails are smooth there. scale <= 0 gives NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from ._common import select, standardize, tail_functions

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_laplace = scipy.stats.laplace
_LOG_2 = np.log(2.0)


@composite(_laplace.logpdf)
def logpdf(x, loc=0, scale=1):
    """log of the Laplace density: -|z| - log(2 scale), z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda mu: logpdf(1.0, loc=mu))(0.25)), 6)   # sign(x - loc) / scale
    1.0
    """
    z, scale, valid = standardize(x, loc, scale)
    return select(-fnp.abs(z) - _LOG_2 - fnp.log(scale), valid)


@composite(_laplace.pdf)
def pdf(x, loc=0, scale=1):
    """The Laplace density exp(-|z|) / (2 scale), z = (x - loc) / scale.

    >>> import fgrad
    >>> round(float(fgrad.grad(pdf)(1.0)), 6)   # -exp(-x) / 2
    -0.18394
    """
    return fnp.exp(logpdf(x, loc, scale))


def _tails(x, loc=0, scale=1):
    """(P(X <= x), P(X > x), valid, inside, above): exp(z) / 2 for z <= 0, 1 - exp(-z) / 2
    above, and the reverse; each exponential sees only its own side (no overflow)."""
    z, _, valid = standardize(x, loc, scale)
    right = z > 0
    near = 0.5 * fnp.exp(-fnp.where(right, z, -z))  # the tail away from the center
    return (fnp.where(right, 1 - near, near), fnp.where(right, near, 1 - near), valid, None,
            None)


def _log_tails(x, loc=0, scale=1):
    """(log P(X <= x), log P(X > x)): the far tail as -|z| - log 2, the near one as
    log1p(-exp(-|z|) / 2): no underflow far out."""
    z, _, _ = standardize(x, loc, scale)
    right = z > 0
    far = -fnp.abs(z) - _LOG_2
    near = fnp.log1p(-0.5 * fnp.exp(-fnp.abs(z)))
    return fnp.where(right, near, far), fnp.where(right, far, near)


cdf, logcdf, sf, logsf = tail_functions(
    _laplace, _tails, "Differentiable in x, loc and scale.",
    "round(float(fgrad.grad({name})(1.0)), 6)",
    {"cdf": "0.18394", "logcdf": "0.2254", "sf": "-0.18394", "logsf": "-1.0"},
    log_tails=_log_tails)
