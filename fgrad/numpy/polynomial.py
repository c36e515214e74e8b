"""Polynomials as coefficient arrays (highest power first): NumPy's poly* functions.

All are compositions that take NumPy's own steps, so their values are NumPy's and their
derivatives come from the primitives they use: polymul and poly multiply by
convolution (fgrad.numpy.convolve), polyfit solves its least-squares problem with
fgrad.numpy.linalg.lstsq (differentiable in x, y and w; the rank is taken as constant
near the point), and roots are the eigenvalues of the companion matrix
(fgrad.numpy.linalg.eigvals: finite derivatives at simple roots).

Where values decide a shape, NumPy's rules are followed and the decision carries no
derivative: polymul drops leading coefficients that are exactly zero (as np.poly1d
does), polydiv drops leading remainder coefficients that are nearly zero, roots drops
leading and trailing zero coefficients, and poly of roots that come in conjugate pairs
is real. Under vmap the examples must agree on each such decision (else an error).
"""
import warnings

import numpy as np

from ..tracer import Box, composite, unbox
from .elementwise import astype, isclose, sqrt
from .linalg import eigvals, inv, lstsq
from .order import sort
from .products import dot, outer
from .reductions import cumprod
from .shape import (atleast_1d, concatenate, flip, reshape, static_value, trim_zeros)
from .signal import convolve

__all__ = ["poly", "polyadd", "polyder", "polydiv", "polyfit", "polyint", "polymul",
           "polysub", "polyval", "roots", "vander"]


def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _zeros_before(a, count):
    """``a`` with ``count`` zeros (of its dtype) in front."""
    return concatenate((np.zeros(count, a.dtype), a)) if count else a


@composite(np.polyval)
def polyval(p, x):
    """The polynomial ``p`` at ``x`` (Horner's scheme, as NumPy)."""
    p, x = _array(p), _array(x)
    y = np.zeros(np.shape(x), x.dtype)
    for pv in p:
        y = y * x + pv
    return y


def _poly_sum(a1, a2, subtract):
    a1, a2 = atleast_1d(a1), atleast_1d(a2)
    gap = a2.shape[0] - a1.shape[0]
    if gap > 0:
        a1 = _zeros_before(a1, gap)
    elif gap < 0:
        a2 = _zeros_before(a2, -gap)
    return a1 - a2 if subtract else a1 + a2


@composite(np.polyadd)
def polyadd(a1, a2):
    """The sum of two polynomials (the shorter padded with leading zeros)."""
    return _poly_sum(a1, a2, subtract=False)


@composite(np.polysub)
def polysub(a1, a2):
    """The difference of two polynomials (the shorter padded with leading zeros)."""
    return _poly_sum(a1, a2, subtract=True)


def _coefficients(c):
    """np.poly1d(c).coeffs: at least 1-d, 1-d only, leading exact zeros dropped."""
    c = atleast_1d(c)
    if c.ndim > 1:
        raise ValueError("Polynomial must be 1d only.")
    c = trim_zeros(c, trim="f")
    return c if c.shape[0] else np.zeros(1, c.dtype)


@composite(np.polymul)
def polymul(a1, a2):
    """The product of two polynomials: the convolution of their coefficients."""
    return convolve(_coefficients(a1), _coefficients(a2))


@composite(np.polyder)
def polyder(p, m=1):
    """The ``m``-th derivative of the polynomial ``p``."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = _array(p)
    for _ in range(m):
        n = p.shape[0] - 1
        p = p[:-1] * np.arange(n, 0, -1)
    return p


@composite(np.polyint)
def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative of ``p``, with integration constants ``k``."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    k = np.zeros(m, float) if k is None else atleast_1d(k)
    if k.shape[0] == 1 and m > 1:
        k = k[0] * np.ones(m, float)
    if k.shape[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = _array(p)
    for i in range(m):
        p = concatenate((p / np.arange(p.shape[0], 0, -1), reshape(k[i], (1,))))
    return p


@composite(np.polydiv)
def polydiv(u, v):
    """Quotient and remainder of the division of ``u`` by ``v`` (NumPy's long division)."""
    u = atleast_1d(u) + 0.0
    v = atleast_1d(v) + 0.0
    w = u[0] + v[0]
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = 1. / v[0]
    q = []
    r = astype(u, w.dtype)
    for k in range(m - n + 1):
        d = scale * r[k]
        q.append(reshape(d, (1,)))
        r = concatenate((r[:k], r[k:k + n + 1] - d * v, r[k + n + 1:]))
    q = concatenate(q) if q else np.zeros(1, w.dtype)
    while r.shape[-1] > 1 and static_value(isclose(r[0], 0, rtol=1e-14).all(),
                                           "polydiv's remainder length"):
        r = r[1:]
    return q, r


@composite(np.vander)
def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of ``x``: its powers 0 .. N-1 (highest first by default)."""
    x = _array(x)
    if x.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = x.shape[0]
    N = n if N is None else N
    dtype = np.promote_types(x.dtype, int)
    columns = [np.ones((n, 1), dtype)] if N > 0 else []
    if N > 1:
        powers = np.ones((1, N - 1), dtype) * reshape(astype(x, dtype), (n, 1))
        columns.append(cumprod(powers, axis=1))
    v = concatenate(columns, axis=1) if columns else np.empty((n, 0), dtype)
    return v if increasing else flip(v, 1)


@composite(np.polyfit)
def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """The least-squares polynomial fit of degree ``deg``, differentiable in x, y and w."""
    order = int(deg) + 1
    x = _array(x) + 0.0
    y = _array(y) + 0.0
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if x.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if x.size == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is None:
        rcond = x.shape[0] * np.finfo(x.dtype).eps
    lhs = vander(x, order)
    rhs = y
    if w is not None:
        w = _array(w) + 0.0
        if w.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if w.shape[0] != y.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w[:, None]
        rhs = rhs * (w[:, None] if rhs.ndim == 2 else w)
    scale = sqrt((lhs * lhs).sum(axis=0))
    lhs = lhs / scale
    c, resids, rank, s = lstsq(lhs, rhs, rcond)
    c = (c.T / scale).T
    if np.any(unbox(rank) != order) and not full:
        warnings.warn("Polyfit may be poorly conditioned", np.exceptions.RankWarning,
                      stacklevel=2)
    if full:
        return c, resids, rank, s, rcond
    if not cov:
        return c
    base = inv(dot(lhs.T, lhs)) / outer(scale, scale)
    if cov == "unscaled":
        fac = 1
    else:
        if x.shape[0] <= order:
            raise ValueError("the number of data points must exceed order to scale the "
                             "covariance matrix")
        fac = resids / (x.shape[0] - order)
    return c, (base * fac if y.ndim == 1 else base[:, :, None] * fac)


def _nonzero_span(p):
    """(first, stop) of the nonzero coefficients of ``p`` (stop = 0: none)."""
    nonzero = p != 0
    if not static_value(nonzero.any(), "roots' number of roots"):
        return 0, 0
    first = static_value(nonzero.argmax(), "roots' number of roots")
    last = p.shape[0] - 1 - static_value(flip(nonzero, 0).argmax(), "roots' number of roots")
    return int(first), int(last) + 1


@composite(np.roots)
def roots(p):
    """The roots of ``p``: the eigenvalues of its companion matrix."""
    p = atleast_1d(p)
    if p.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    first, stop = _nonzero_span(p)
    if stop == 0:
        return np.array([])
    trailing = p.shape[0] - stop
    p = p[first:stop]
    if p.dtype.kind not in "fc":
        p = astype(p, float)
    n = p.shape[0]
    if n > 1:
        companion = concatenate((reshape(-p[1:] / p[0], (1, n - 1)),
                                 np.eye(n - 2, n - 1, dtype=p.dtype)))
        found = eigvals(companion)
    else:
        found = np.array([])
    return concatenate((found, np.zeros(trailing, found.dtype))) if trailing else found


@composite(np.poly)
def poly(seq_of_zeros):
    """The coefficients of the monic polynomial with the given roots (or of the
    characteristic polynomial of a square matrix)."""
    zeros = atleast_1d(seq_of_zeros)
    shape = zeros.shape
    if len(shape) == 2 and shape[0] == shape[1] and shape[0] != 0:
        zeros = eigvals(zeros)
    elif len(shape) == 1:
        dt = zeros.dtype
        if dt != object:
            zeros = astype(zeros, np.mintypecode(dt.char))
    else:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if zeros.shape[0] == 0:
        return 1.0
    dt = zeros.dtype
    a = np.ones((1,), dtype=dt)
    for z in zeros:
        a = convolve(a, concatenate((np.ones(1, dt), reshape(-z, (1,)))), mode="full")
    if a.dtype.kind == "c":  # roots in conjugate pairs make a real polynomial
        r = astype(zeros, complex)
        if static_value((sort(r) == sort(r.conj())).all(), "poly's dtype (real or complex)"):
            a = a.real
    return a
