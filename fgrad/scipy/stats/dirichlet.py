"""fgrad.scipy.stats.dirichlet: ``logpdf`` and ``pdf`` as ``scipy.stats.dirichlet``'s.

As SciPy, the components of x are on its first axis (K of them, or K - 1 with the last
completed to 1 - sum), alpha is a vector of length K, the result is squeezed, and x
off the simplex or alpha <= 0 is refused with SciPy's errors (checked on the values,
under a transform too). Differentiable in x and alpha (through gammaln and xlogy);
with x given by K - 1 components, the last one's dependence on them is included.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite, unbox
from .. import special

__all__ = ["logpdf", "pdf"]

_dirichlet = scipy.stats.dirichlet


def _check(condition, message):
    if np.any(unbox(condition)):
        raise ValueError(message)


def _inputs(x, alpha):
    """(x with all K components on axis 0, alpha), checked as SciPy checks them."""
    alpha = fnp.asarray(alpha, dtype=np.float64)
    _check(fnp.min(alpha) <= 0, "All parameters must be greater than 0")
    if alpha.ndim != 1:
        raise ValueError("Parameter vector 'a' must be one dimensional, "
                         f"but a.shape = {alpha.shape}.")
    x = fnp.asarray(x, dtype=np.float64)
    k = alpha.shape[0]
    if x.ndim == 0 or x.shape[0] not in (k, k - 1):
        raise ValueError("Vector 'x' must have either the same number of entries as, or "
                         f"one entry fewer than, parameter vector 'a', but alpha.shape = "
                         f"{alpha.shape} and x.shape = {x.shape}.")
    if x.shape[0] != k:
        if x.ndim > 2:
            raise ValueError("The input must be one dimensional or a two dimensional "
                             "matrix containing the entries.")
        x = fnp.concatenate([x, 1 - fnp.sum(x, 0, keepdims=True)])
    _check(fnp.min(x) < 0, "Each entry in 'x' must be greater than or equal to zero.")
    _check(fnp.max(x) > 1, "Each entry in 'x' must be smaller or equal one.")
    below_one = (alpha < 1).reshape((k,) + (1,) * (x.ndim - 1))
    _check((x == 0) & below_one,
           "Each entry in 'x' must be greater than zero if its alpha is less than one.")
    _check(fnp.abs(fnp.sum(x, 0) - 1.0) > 10e-10,
           "The input vector 'x' must lie within the normal simplex.")
    return x, alpha


def _logpdf(x, alpha):
    log_b = fnp.sum(special.gammaln(alpha)) - special.gammaln(fnp.sum(alpha))
    return fnp.squeeze(fnp.sum(special.xlogy(alpha - 1, x.T).T, 0) - log_b)


@composite(_dirichlet.logpdf)
def logpdf(x, alpha):
    """log of the Dirichlet density: sum_i (alpha_i - 1) log x_i - log B(alpha), the K
    components of x (or the first K - 1) on its first axis. Differentiable in x and alpha.

    >>> import numpy as np, fgrad
    >>> da = fgrad.grad(lambda a: logpdf(np.array([0.25, 0.75]), a))(np.ones(2))
    >>> da.round(6).tolist()                      # log x_i - digamma(a_i) + digamma(sum a)
    [-0.386294, 0.712318]
    """
    return _logpdf(*_inputs(x, alpha))


@composite(_dirichlet.pdf)
def pdf(x, alpha):
    """The Dirichlet density, exp(logpdf(x, alpha)).

    >>> import numpy as np, fgrad
    >>> dx = fgrad.grad(lambda x: pdf(x, np.array([2.0, 1.0, 2.0])))(np.array([0.5, 0.25]))
    >>> dx.round(6).tolist()                      # of 24 x_0 x_2, x_2 = 1 - x_0 - x_1
    [-6.0, -12.0]
    """
    return fnp.exp(_logpdf(*_inputs(x, alpha)))
