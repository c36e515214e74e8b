"""fgrad.scipy.stats.multivariate_normal: ``logpdf``, ``pdf`` and ``entropy`` as SciPy's.

``cov`` is a scalar (times the identity), a 1-d array (the diagonal) or a d x d matrix,
``mean`` a vector of length d (None: zeros), ``x`` of shape (..., d), and the result is
squeezed as SciPy squeezes it. Differentiable in x, mean and cov; the derivative in a
matrix cov is symmetric (SciPy, like Cholesky, reads only its lower triangle).

A d x d cov with allow_singular=False goes through a Cholesky factor (a cov it cannot
factor is refused, as SciPy refuses it); allow_singular=True, and entropy, through the
pseudo-inverse and the pseudo-determinant (the eigenvalues above SciPy's cutoff,
1e6 eps max|eigenvalue|), as SciPy's _PSD; their derivatives hold the rank fixed. A
point off the support of a singular distribution has log-density -inf, derivative 0.
A scalar or diagonal cov needs neither factorization.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite, unbox

__all__ = ["entropy", "logpdf", "pdf"]

_mvn = scipy.stats.multivariate_normal
_LOG_2PI = np.log(2 * np.pi)


def _cutoff_factor(dtype):
    return (1e3 if np.dtype(dtype) == np.float32 else 1e6) * np.finfo(dtype).eps


def _parameters(mean, cov):
    """(dim, mean as a (d,) vector, cov as a (d,) diagonal or a (d, d) matrix), with
    SciPy's inference of the dimension and its errors."""
    cov = fnp.asarray(cov, dtype=np.float64)
    if mean is not None:
        mean = fnp.asarray(mean, dtype=np.float64)
        dim = int(np.prod(mean.shape))
    else:
        dim = 1 if cov.ndim < 2 else cov.shape[0]
        mean = np.zeros(dim)
    if dim == 1:
        mean, cov = mean.reshape(1), cov.reshape(1)
    if mean.ndim != 1 or mean.shape[0] != dim:
        raise ValueError(f"Array 'mean' must be a vector of length {dim}.")
    if cov.ndim == 0:
        cov = cov * np.ones(dim)
    elif cov.ndim == 1 and cov.shape[0] != dim:
        raise ValueError(f"Array 'cov' of shape {cov.shape} does not give the diagonal of "
                         f"a covariance matrix in {dim} dimensions.")
    elif cov.ndim == 2 and cov.shape != (dim, dim):
        rows, cols = cov.shape
        if rows != cols:
            raise ValueError("Array 'cov' must be square if it is two dimensional, "
                             f"but cov.shape = {cov.shape}.")
        raise ValueError(f"Dimension mismatch: array 'cov' is of shape {cov.shape}, "
                         f"but 'mean' is a vector of length {dim}.")
    elif cov.ndim > 2:
        raise ValueError("Array 'cov' must be at most two-dimensional, "
                         f"but cov.ndim = {cov.ndim}")
    return dim, mean, cov


def _quantiles(x, dim):
    """x with the components on its last axis, as SciPy's _process_quantiles."""
    x = fnp.asarray(x, dtype=np.float64)
    if x.ndim == 0:
        return x.reshape(1)
    if x.ndim == 1:
        return x.reshape(-1, 1) if dim == 1 else x.reshape(1, -1)
    return x


def _spectrum(cov):
    """The eigenvalues of cov (a diagonal: itself), SciPy's cutoff eps, the mask of those
    above it and the log pseudo-determinant; a negative eigenvalue is refused."""
    s = cov if cov.ndim == 1 else fnp.linalg.eigvalsh(cov)
    eps = _cutoff_factor(np.float64) * fnp.max(fnp.abs(s))
    if np.any(unbox(fnp.min(s) < -eps)):
        raise ValueError("The input matrix must be symmetric positive semidefinite.")
    kept = s > eps
    log_pdet = fnp.sum(fnp.where(kept, fnp.log(fnp.where(kept, s, 1.0)), 0.0))
    return s, eps, kept, log_pdet


def _refuse_singular():
    raise np.linalg.LinAlgError("When `allow_singular is False`, the input matrix must be "
                                "symmetric positive definite (pass allow_singular=True for "
                                "a singular covariance).")


def _full_rank(dev, cov):
    """(Mahalanobis distances, log det cov) through the Cholesky factor L: z = L^-1 dev."""
    try:
        low = fnp.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        _refuse_singular()
    flat = dev.reshape(-1, dev.shape[-1])
    z = fnp.linalg.solve(low, flat.T)  # one solve for all the points
    maha = fnp.sum(z ** 2, axis=0).reshape(dev.shape[:-1])
    return maha, 2.0 * fnp.sum(fnp.log(fnp.linalg.diagonal(low)))


def _maha_and_log_pdet(dev, cov, allow_singular):
    """(Mahalanobis distances, log pseudo-determinant, rank, mask of points off the
    support) of dev = x - mean, shape (..., d)."""
    if cov.ndim == 2 and not allow_singular:
        maha, log_det = _full_rank(dev, cov)
        return maha, log_det, cov.shape[0], None
    s, eps, kept, log_pdet = _spectrum(cov)
    if not allow_singular and not np.all(unbox(kept)):
        _refuse_singular()
    rank = fnp.sum(kept)
    if cov.ndim == 1:
        inverse = fnp.where(kept, 1.0 / fnp.where(kept, s, 1.0), 0.0)
        maha = fnp.sum(dev ** 2 * inverse, axis=-1)
        residual = fnp.sum(fnp.where(kept, 0.0, dev) ** 2, axis=-1)
    else:
        pinv = fnp.linalg.pinv(cov, rcond=_cutoff_factor(np.float64), hermitian=True)
        maha = fnp.sum((dev @ pinv) * dev, axis=-1)
        off = dev - dev @ (pinv @ cov)  # the part of dev in cov's null space
        residual = fnp.sum(off ** 2, axis=-1)
    return maha, log_pdet, rank, residual >= (1e3 * eps) ** 2


@composite(_mvn.logpdf)
def logpdf(x, mean=None, cov=1, allow_singular=False):
    """log of the density of N(mean, cov) at x (its last axis the components):
    -(d log 2π + log det cov + (x - mean)ᵀ cov⁻¹ (x - mean)) / 2, d the rank of cov.

    >>> import numpy as np, fgrad
    >>> dm = fgrad.grad(lambda m: logpdf(np.array([1.0, 2.0]), m, np.diag([1.0, 4.0])))
    >>> dm(np.zeros(2)).round(6).tolist()         # cov⁻¹ (x - mean)
    [1.0, 0.5]
    """
    dim, mean, cov = _parameters(mean, cov)
    dev = _quantiles(x, dim) - mean
    maha, log_pdet, rank, outside = _maha_and_log_pdet(dev, cov, allow_singular)
    out = -0.5 * (rank * _LOG_2PI + log_pdet + maha)
    if outside is not None:
        out = fnp.where(outside, -np.inf, out)
    return fnp.squeeze(out)


@composite(_mvn.pdf)
def pdf(x, mean=None, cov=1, allow_singular=False):
    """The density of N(mean, cov) at x, exp(logpdf(x, mean, cov, allow_singular)).

    >>> import numpy as np, fgrad
    >>> ds = fgrad.grad(lambda s: pdf(np.zeros(2), np.zeros(2), s))   # cov = s I
    >>> round(float(ds(1.0)), 6)                                     # -1 / (2π s²)
    -0.159155
    """
    return fnp.exp(logpdf(x, mean, cov, allow_singular))


@composite(_mvn.entropy)
def entropy(mean=None, cov=1):
    """The differential entropy of N(mean, cov): (rank (log 2π + 1) + log pdet cov) / 2,
    pdet SciPy's pseudo-determinant; differentiable in cov (mean does not enter).

    >>> import numpy as np, fgrad
    >>> dc = fgrad.grad(lambda c: entropy(np.zeros(2), c))   # c: the diagonal of cov
    >>> dc(np.array([1.0, 4.0])).round(6).tolist()          # 1 / (2 c)
    [0.5, 0.125]
    """
    _, _, cov = _parameters(mean, cov)
    _, _, kept, log_pdet = _spectrum(cov)
    return 0.5 * (fnp.sum(kept) * (_LOG_2PI + 1) + log_pdet)
