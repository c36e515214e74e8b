"""fgrad.scipy.stats.t: Student's t distribution, as ``scipy.stats.t``.

Compositions of fgrad.numpy and fgrad.scipy.special; on plain values each function is
SciPy's own. ``logpdf``/``pdf`` are differentiable in x, df, loc and scale (df = inf is
the normal distribution, as in SciPy). ``cdf``, ``sf`` and their logs go through
betainc(df/2, 1/2, df / (df + z**2)): differentiable in x, loc and scale, but not in df
(betainc has no derivative in its shape arguments: that raises, naming betainc's ``a``). At
z = 0, where betainc's argument has a zero derivative and betainc an infinite one, the
derivative is the density, taken directly. df <= 0 or scale <= 0 give NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from .. import special
from ._common import select, standardize

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_t = scipy.stats.t
_LOG_SQRT_2PI = np.log(np.sqrt(2 * np.pi))


def _log_density(z, df):
    """The standard density's log; the normal one where df = inf."""
    finite = df < np.inf
    r = fnp.where(finite, df, 1.0)
    log_t = (special.gammaln((r + 1) / 2) - special.gammaln(r / 2)
             - 0.5 * (fnp.log(r) + np.log(np.pi)) - (r + 1) / 2 * fnp.log1p(z * z / r))
    return fnp.where(finite, log_t, -z ** 2 / 2.0 - _LOG_SQRT_2PI)


def _cdf(z, df, log):
    """P(T <= z) (its log) from h = P(T < -|z|): by betainc(df/2, 1/2, df / (df + z^2)) in the
    tails and 1/2 - betainc(1/2, df/2, z^2 / (df + z^2)) / 2 for z^2 < df (where the first
    form's argument rounds to 1 and its derivative is lost); at z = 0 as 1/2 + density(0) z.
    For df = inf, ndtr (log_ndtr)."""
    finite, at_zero = df < np.inf, z == 0
    r, z_apart = fnp.where(finite, df, 1.0), fnp.where(at_zero, 1.0, z)
    central = z_apart * z_apart < r
    z_tail, z_center = fnp.where(central, r + 1, z_apart), fnp.where(central, z_apart, 0.5)
    y_tail, y_center = r / (r + z_tail * z_tail), z_center ** 2 / (r + z_center ** 2)
    tail = 0.5 * special.betainc(r / 2, 0.5, y_tail)  # first: a traced df is refused as 'a'
    h = fnp.where(central, 0.5 - 0.5 * special.betainc(0.5, r / 2, y_center), tail)
    near = 0.5 + fnp.exp(_log_density(0.0, r)) * fnp.where(at_zero, z, 0.0)
    if log:
        tails = fnp.where(z > 0, fnp.log1p(-h), fnp.log(h))
        return fnp.where(finite, fnp.where(at_zero, fnp.log(near), tails), special.log_ndtr(z))
    return fnp.where(finite, fnp.where(at_zero, near, fnp.where(z > 0, 1 - h, h)),
                     special.ndtr(z))


@composite(_t.logpdf)
def logpdf(x, df, loc=0, scale=1):
    """log of Student's t density with df degrees of freedom at z = (x - loc) / scale,
    minus log scale (the normal's for df = inf). Differentiable in df too.

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda df: logpdf(1.0, df))(3.0)), 6)
    0.049306
    """
    z, scale, valid, df = standardize(x, loc, scale, df)
    return select(_log_density(z, df) - fnp.log(scale), valid)


@composite(_t.pdf)
def pdf(x, df, loc=0, scale=1):
    """Student's t density with df degrees of freedom, exp(logpdf(x, df, loc, scale)).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda x: pdf(x, 1.0))(1.0)), 6)   # Cauchy: -2x / (π (1 + x²)²)
    -0.159155
    """
    z, scale, valid, df = standardize(x, loc, scale, df)
    return select(fnp.exp(_log_density(z, df)) / scale, valid)


@composite(_t.cdf)
def cdf(x, df, loc=0, scale=1):
    """P(X <= x), X Student's t with df degrees of freedom (through betainc).
    Differentiable in x, loc and scale, not in df (an error names betainc's a).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda x: cdf(x, 1.0))(1.0)), 6)   # the density
    0.159155
    """
    z, _, valid, df = standardize(x, loc, scale, df)
    return select(_cdf(z, df, log=False), valid)


@composite(_t.logcdf)
def logcdf(x, df, loc=0, scale=1):
    """log P(X <= x), X Student's t with df degrees of freedom.
    Differentiable in x, loc and scale, not in df (an error names betainc's a).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda x: logcdf(x, 1.0))(1.0)), 6)   # density / cdf
    0.212207
    """
    z, _, valid, df = standardize(x, loc, scale, df)
    return select(_cdf(z, df, log=True), valid)


@composite(_t.sf)
def sf(x, df, loc=0, scale=1):
    """P(X > x) = 1 - cdf, X Student's t with df degrees of freedom.
    Differentiable in x, loc and scale, not in df (an error names betainc's a).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda x: sf(x, 1.0))(1.0)), 6)
    -0.159155
    """
    z, _, valid, df = standardize(x, loc, scale, df)
    return select(_cdf(-z, df, log=False), valid)


@composite(_t.logsf)
def logsf(x, df, loc=0, scale=1):
    """log P(X > x), X Student's t with df degrees of freedom.
    Differentiable in x, loc and scale, not in df (an error names betainc's a).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda x: logsf(x, 1.0))(1.0)), 6)   # -density / sf
    -0.63662
    """
    z, _, valid, df = standardize(x, loc, scale, df)
    return select(_cdf(-z, df, log=True), valid)
