"""fgrad.scipy.special: SciPy's special functions with their derivatives.

Each function is SciPy's own on plain arrays (same values, dtypes, signatures); under a
transform it is a primitive with VJP, JVP and batching rules written in fgrad operations
(so they differentiate again), or a composition of such primitives. Arguments with no
closed-form derivative are constants: the order of a Bessel function (``iv``'s v,
``jn``'s n...), the shape parameters of the incomplete gamma and beta functions
(``gammainc``'s a, ``betainc``'s a and b), ``polygamma``'s n and ``zeta``'s x; under a
transform an error names the argument.

Conventions where the derivative is degenerate:

    xlogy, xlog1py:     d/dy = 0 where x = 0 (even at y = 0 or -1); d/dx = log(y) (log1p(y))
    rgamma:             finite at the poles: rgamma'(-n) = (-1)^n n! (by the reflection formula)
    entr:               entr'(0) = +inf (the one-sided limit), 0 for x < 0 (the value is -inf)
    rel_entr, kl_div:   off x > 0, y > 0 the part x log(x/y) contributes 0 (JAX's), so
                        kl_div there has derivative (-1, 1) and rel_entr (0, 0)
    logsumexp:          at an infinite result the entries equal to it share the derivative
                        (b-weighted, like logaddexp); entries with b = 0 get 0 in a; the
                        sign output has no derivative; a negative sum is NaN without
                        return_sign, with derivative 0
    softmax, log_softmax: the usual rules; no shift term enters the derivative
    i1, i1e:            i1(x) / x = 1/2 at x = 0
    log_ndtr:           d = exp(-x^2/2 - log_ndtr(x)) / sqrt(2 pi): about -x far left, no overflow

>>> import fgrad
>>> float(fgrad.grad(gammaln)(3.0))          # digamma(3) = 1 - γ + 1/2
0.9227843350984671
"""
import math

import numpy as np
import scipy.special as sc

from .. import numpy as fnp
from ..numpy import batch, broadcast
from ..numpy.elementwise import strong_multiply
from ..numpy.reductions import reduced_axes
from ..rules import defrules, nondifferentiable
from ..tracer import composite, primitive, unbox

__all__ = [
    "gamma", "gammaln", "gammasgn", "digamma", "psi", "polygamma", "multigammaln", "rgamma",
    "beta", "betaln", "betainc", "gammainc", "gammaincc",
    "erf", "erfc", "erfinv", "erfcinv", "erfcx", "ndtr", "log_ndtr", "ndtri",
    "expit", "logit", "log_expit", "logsumexp", "softmax", "log_softmax",
    "xlogy", "xlog1py", "entr", "rel_entr", "kl_div", "zeta",
    "i0", "i1", "i0e", "i1e", "iv", "ive", "j0", "j1", "jn", "y0", "y1", "yn",
]

PI = math.pi  # Python floats keep float32 float32
TWO_OVER_SQRT_PI = 2 / math.sqrt(PI)
SQRT_PI_OVER_2 = math.sqrt(PI) / 2
SQRT_2PI = math.sqrt(2 * PI)
LOG_SQRT_2PI = math.log(SQRT_2PI)


# -- elementwise primitives and their rules ---------------------------------------------
def _ufunc(f, data, name=None):
    """SciPy's elementwise ``f`` as a primitive (data names as SciPy's docs give them)."""
    prim = primitive(f, name or f.__name__, data=data)
    defrules(prim, batch=batch.elementwise(prim))
    return prim


def _partials(f, *partials, save="args"):
    """Rules of elementwise ``f`` from its partials ``p_i(out, *args) = df/dx_i``; a None
    partial means no derivative in that argument: a transform of it is refused."""
    def vjp(i, p):
        return lambda g, out, *args: broadcast.unbroadcast(strong_multiply(g, p(out, *args)),
                                                           args[i])

    def jvp(p):
        return lambda t, out, *args: broadcast.broadcast_like(strong_multiply(t, p(out, *args)),
                                                              out)
    defrules(f, vjp=tuple(None if p is None else vjp(i, p) for i, p in enumerate(partials)),
             jvp=tuple(None if p is None else jvp(p) for p in partials), save=save)


def _guard(x, bad, safe=1.0):
    """``x`` with ``safe`` where ``bad``: a value thrown away there, kept finite (double where)."""
    return fnp.where(bad, safe, x)


gamma, gammaln, gammasgn, digamma, rgamma = (
    _ufunc(sc.gamma, "z"), _ufunc(sc.gammaln, "x"), _ufunc(sc.gammasgn, "x"),
    _ufunc(sc.digamma, "z"), _ufunc(sc.rgamma, "z"))
psi = digamma  # SciPy's psi is digamma
polygamma = _ufunc(sc.polygamma, "n x")
beta, betaln, betainc = _ufunc(sc.beta, "a b"), _ufunc(sc.betaln, "a b"), _ufunc(sc.betainc,
                                                                                 "a b x")
gammainc, gammaincc = _ufunc(sc.gammainc, "a x"), _ufunc(sc.gammaincc, "a x")
erf, erfc, erfinv, erfcinv, erfcx = (_ufunc(sc.erf, "z"), _ufunc(sc.erfc, "x"),
                                     _ufunc(sc.erfinv, "y"), _ufunc(sc.erfcinv, "y"),
                                     _ufunc(sc.erfcx, "x"))
ndtr, log_ndtr, ndtri = _ufunc(sc.ndtr, "x"), _ufunc(sc.log_ndtr, "x"), _ufunc(sc.ndtri, "y")
expit, logit, log_expit = _ufunc(sc.expit, "x"), _ufunc(sc.logit, "x"), _ufunc(sc.log_expit,
                                                                              "x")
xlogy, xlog1py = _ufunc(sc.xlogy, "x y"), _ufunc(sc.xlog1py, "x y")
entr, rel_entr, kl_div = _ufunc(sc.entr, "x"), _ufunc(sc.rel_entr, "x y"), _ufunc(sc.kl_div,
                                                                                 "x y")
i0, i1, i0e, i1e = (_ufunc(sc.i0, "x"), _ufunc(sc.i1, "x"), _ufunc(sc.i0e, "x"),
                    _ufunc(sc.i1e, "x"))
iv, ive = _ufunc(sc.iv, "v z"), _ufunc(sc.ive, "v z")
j0, j1, jn = _ufunc(sc.j0, "x"), _ufunc(sc.j1, "x"), _ufunc(sc.jn, "n x", "jn")
y0, y1, yn = _ufunc(sc.y0, "x"), _ufunc(sc.y1, "x"), _ufunc(sc.yn, "n x")
_zeta = _ufunc(sc.zeta, "x q")
nondifferentiable(gammasgn)


# -- gamma and beta families ---------------------------------------------------------------
def _rgamma_slope(out, z):
    """(1/Gamma)'(z): -rgamma(z) psi(z) for z >= 1/2; below, the derivative of the reflection
    1/Gamma(z) = Gamma(1 - z) sin(pi z) / pi, which has no poles (finite at z = -n)."""
    left = fnp.less(z, 0.5)
    zl, zr = _guard(z, fnp.logical_not(left), 0.0), _guard(z, left)
    reflected = gamma(1 - zl) * (fnp.cos(PI * zl) - digamma(1 - zl) * fnp.sin(PI * zl) / PI)
    return fnp.where(left, reflected, -rgamma(zr) * digamma(zr))


def _beta_log_part(i):
    """d log B(a, b) / d (a, b)[i] = psi(a or b) - psi(a + b)."""
    return lambda out, a, b: digamma((a, b)[i]) - digamma(a + b)


def _betainc_density(out, a, b, x):
    """d I_x(a, b) / dx = x^(a-1) (1-x)^(b-1) / B(a, b), in log space."""
    return fnp.exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))


def _gammainc_density(out, a, x):
    """d P(a, x) / dx = x^(a-1) e^-x / Gamma(a), in log space."""
    return fnp.exp(xlogy(a - 1, x) - x - gammaln(a))


_partials(gamma,     lambda out, z: out * digamma(z),                      save="all")
_partials(gammaln,   lambda out, x: digamma(x))
_partials(digamma,   lambda out, z: polygamma(1, z))
_partials(polygamma, None, lambda out, n, x: polygamma(n + 1, x))
_partials(rgamma,    _rgamma_slope,                                        save="all")
_partials(betaln,    _beta_log_part(0), _beta_log_part(1))
_partials(beta,      lambda out, a, b: out * _beta_log_part(0)(out, a, b),
                     lambda out, a, b: out * _beta_log_part(1)(out, a, b), save="all")
_partials(betainc,   None, None, _betainc_density)
_partials(gammainc,  None, _gammainc_density)
_partials(gammaincc, None, lambda out, a, x: -_gammainc_density(out, a, x))


@composite(sc.multigammaln)
def multigammaln(a, d):
    """log of the multivariate gamma function of dimension d: d(d-1)/4 log(pi) +
    sum_{j=1..d} gammaln(a - (j - 1)/2); differentiable in a (d is an integer).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda a: multigammaln(a, 2))(3.0)), 6)   # ψ(3) + ψ(5/2)
    1.625941
    """
    d = np.asarray(d)[()]
    if not np.isscalar(d) or np.floor(d) != d:
        raise ValueError("d should be a positive integer (dimension)")
    value = np.asarray(unbox(a))
    if np.any(value <= 0.5 * (d - 1)):
        raise ValueError(f"condition a ({value}) > 0.5 * (d-1) ({0.5 * (d - 1)}) not met")
    terms = fnp.stack([gammaln(a - (j - 1.0) / 2) for j in range(1, int(d) + 1)])
    return (d * (d - 1) * 0.25) * np.log(np.pi) + fnp.sum(terms, axis=0)


# -- error functions and the normal distribution -------------------------------------------
def _normal_density(x):
    return fnp.exp(-(x * x) / 2) / SQRT_2PI


_partials(erf,       lambda out, z: TWO_OVER_SQRT_PI * fnp.exp(-(z * z)))
_partials(erfc,      lambda out, x: -TWO_OVER_SQRT_PI * fnp.exp(-(x * x)))
_partials(erfinv,    lambda out, y: SQRT_PI_OVER_2 * fnp.exp(out * out),      save="out")
_partials(erfcinv,   lambda out, y: -SQRT_PI_OVER_2 * fnp.exp(out * out),     save="out")
_partials(erfcx,     lambda out, x: 2 * x * out - TWO_OVER_SQRT_PI,           save="all")
_partials(ndtr,      lambda out, x: _normal_density(x))
_partials(log_ndtr,  lambda out, x: fnp.exp(-(x * x) / 2 - out - LOG_SQRT_2PI), save="all")
_partials(ndtri,     lambda out, y: SQRT_2PI * fnp.exp(out * out / 2),        save="out")


# -- logistic functions and information measures ---------------------------------------
def _x_over(x, y):
    """x / y, and 0 where x = 0 whatever y is (its derivative in x stays 1 / y)."""
    return x / _guard(y, fnp.logical_and(fnp.equal(x, 0), fnp.equal(y, 0)))


def _open_quadrant(x, y):
    """(x > 0 and y > 0, its negation)."""
    inside = fnp.logical_and(fnp.greater(x, 0), fnp.greater(y, 0))
    return inside, fnp.logical_not(inside)


def _rel_entr_x(out, x, y):
    """log(x / y) + 1 on x, y > 0; 0 elsewhere."""
    inside, outside = _open_quadrant(x, y)
    return fnp.where(inside, fnp.log(_guard(x, outside) / _guard(y, outside)) + 1, 0.0)


def _rel_entr_y(out, x, y):
    """-x / y on x, y > 0; 0 elsewhere."""
    inside, outside = _open_quadrant(x, y)
    return fnp.where(inside, -_guard(x, outside) / _guard(y, outside), 0.0)


def _entr_slope(out, x):
    """-(log x + 1) for x >= 0 (+inf at 0), 0 for x < 0."""
    negative = fnp.less(x, 0)
    with np.errstate(divide="ignore"):  # log 0 = -inf: the slope at 0 is +inf
        return fnp.where(negative, 0.0, -(fnp.log(_guard(x, negative)) + 1))


_partials(expit,     lambda out, x: out * expit(-x),                       save="all")
_partials(logit,     lambda out, x: fnp.reciprocal(x * (1 - x)))
_partials(log_expit, lambda out, x: expit(-x))
_partials(xlogy,     lambda out, x, y: fnp.log(y),
                     lambda out, x, y: _x_over(x, y))
_partials(xlog1py,   lambda out, x, y: fnp.log1p(y),
                     lambda out, x, y: _x_over(x, 1 + y))
_partials(entr,      _entr_slope)
_partials(rel_entr,  _rel_entr_x, _rel_entr_y)
_partials(kl_div,    lambda out, x, y: _rel_entr_x(out, x, y) - 1,
                     lambda out, x, y: _rel_entr_y(out, x, y) + 1)


# -- zeta: the Hurwitz zeta function is differentiable in q ------------------------------
_partials(_zeta, None, lambda out, x, q: -x * _zeta(x + 1, q))


@composite(sc.zeta)
def zeta(x, q=None, out=None):
    """Hurwitz zeta(x, q) = sum_k (k + q)^-x (Riemann's for q None): d/dq = -x zeta(x + 1, q);
    constant in x (an error names it).

    >>> import fgrad
    >>> round(float(fgrad.grad(lambda q: zeta(2.0, q))(1.0)), 6)   # -2 zeta(3)
    -2.404114
    """
    if out is not None:
        raise TypeError("fgrad.scipy.special.zeta does not take out=: use the returned value")
    return _zeta(x, q)


zeta.prim = _zeta.prim  # for the coverage page: a primitive, constant in x


# -- Bessel functions: constant in the order ------------------------------------------
def _i1_over_x(out, x):
    """i1(x) / x (or i1e's), 1/2 at 0."""
    zero = fnp.equal(x, 0)
    return fnp.where(zero, 0.5, out / _guard(x, zero))


_partials(i0,  lambda out, x: i1(x))
_partials(i1,  lambda out, x: i0(x) - _i1_over_x(out, x),                      save="all")
_partials(i0e, lambda out, x: i1e(x) - fnp.sign(x) * out,                      save="all")
_partials(i1e, lambda out, x: i0e(x) - fnp.sign(x) * out - _i1_over_x(out, x), save="all")
_partials(iv,  None, lambda out, v, z: (iv(v - 1, z) + iv(v + 1, z)) / 2)
_partials(ive, None, lambda out, v, z: (ive(v - 1, z) + ive(v + 1, z)) / 2 - fnp.sign(z) * out,
          save="all")
_partials(j0,  lambda out, x: -j1(x))
_partials(j1,  lambda out, x: (j0(x) - jn(2, x)) / 2)
_partials(jn,  None, lambda out, n, x: (jn(n - 1, x) - jn(n + 1, x)) / 2)
_partials(y0,  lambda out, x: -y1(x))
_partials(y1,  lambda out, x: (y0(x) - yn(2, x)) / 2)
_partials(yn,  None, lambda out, n, x: (yn(n - 1, x) - yn(n + 1, x)) / 2)


# -- reductions along axes: batching moves the batch axis first -----------------------------
def _shifted_axes(axis, ndim):
    """``axis`` of one example (rank ``ndim``) as axes of the batch (batch axis first)."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim)
    return tuple(a % ndim + 1 for a in axes)


def _batch_along_axis(f):
    """Batching rule of ``f(x, axis=...)`` (softmax, log_softmax): one call on the batch."""
    def rule(args, dims, size, axis=None):
        x = batch.to_front(args[0], dims[0], size)
        return f(x, axis=_shifted_axes(axis, x.ndim - 1)), 0
    return rule


softmax = primitive(sc.softmax, data="x", params={"axis": None})
log_softmax = primitive(sc.log_softmax, data="x", params={"axis": None})


def _kept(v, axis):
    return fnp.sum(v, axis=axis, keepdims=True)


# s = softmax(x): d s = s (dx - sum(s dx));  l = log_softmax(x): d l = dx - sum(e^l dx)
defrules(softmax, vjp=(lambda g, out, x, axis: out * (g - _kept(g * out, axis)),),
                  jvp=(lambda t, out, x, axis: out * (t - _kept(t * out, axis)),),
         save="out", batch=_batch_along_axis(softmax))
defrules(log_softmax, vjp=(lambda g, out, x, axis: g - fnp.exp(out) * _kept(g, axis),),
                      jvp=(lambda t, out, x, axis: t - _kept(t * fnp.exp(out), axis),),
         save="out", batch=_batch_along_axis(log_softmax))


# -- logsumexp: one primitive with two outputs (value, sign), SciPy's signature around it ----
def _np_logsumexp(a, b=None, axis=None, keepdims=False):
    return sc.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)


_logsumexp = primitive(_np_logsumexp, "logsumexp", data="a b",
                       params={"axis": None, "keepdims": False}, multiple_results=True)


def _lse_shares(out, sign, a, b, axis, keepdims):
    """(d out/da, d out/db, reduced axes) at the common shape of a and b (at least 1-d, as
    SciPy's): with s e^out = sum b e^a, d/da = s b e^(a - out), d/db = s e^(a - out); at an
    infinite out the entries equal to it share, weighted by b (no NaN)."""
    if not a.shape:
        a = a.reshape((1,))
    shape = a.shape if b is None else np.broadcast_shapes(a.shape, b.shape)
    axes = reduced_axes(axis, len(shape))
    kept = tuple(1 if i in axes else n for i, n in enumerate(shape))
    out, sign = out.reshape(kept), sign.reshape(kept)
    tie = fnp.logical_and(fnp.isinf(out), fnp.equal(a, out))
    if b is not None:
        tie = fnp.logical_and(tie, fnp.not_equal(b, 0))
    weight = fnp.sum(fnp.where(tie, 1.0 if b is None else b, 0.0), axis=axes, keepdims=True)
    tie_share = fnp.where(tie, 1 / _guard(weight, fnp.equal(weight, 0)), 0.0)
    s = _guard(sign, fnp.equal(sign, 0))
    finite = s * fnp.exp(fnp.where(tie, 0.0, a) - fnp.where(tie, 0.0, out))
    per_b = fnp.where(tie, tie_share, finite)
    if b is None:
        return per_b, per_b, axes
    unweighted = fnp.equal(b, 0)
    per_a = fnp.where(unweighted, 0.0, b * _guard(per_b, unweighted, 0.0))
    return per_a, per_b, axes


def _lse_vjp(g, out, a, b, axis, keepdims):
    if g[0] is None:
        return None, None
    per_a, per_b, axes = _lse_shares(*out, a, b, axis, keepdims)
    shape = tuple(1 if i in axes else n for i, n in enumerate(per_a.shape))
    g = g[0].reshape(shape)
    return (broadcast.unbroadcast(strong_multiply(g, per_a), a),
            None if b is None or b.dtype.kind not in "fc"
            else broadcast.unbroadcast(strong_multiply(g, per_b), b))


def _lse_jvp(tangents, out, a, b, axis, keepdims):
    per_a, per_b, axes = _lse_shares(*out, a, b, axis, keepdims)
    ta, tb = tangents
    total = 0.0
    if ta is not None:
        total = strong_multiply(ta.reshape(ta.shape or (1,)), per_a)
    if tb is not None:
        total = total + strong_multiply(tb.reshape(tb.shape or (1,)), per_b)
    total = fnp.sum(broadcast.broadcast_to(total, per_a.shape), axis=axes, keepdims=keepdims)
    return broadcast.broadcast_like(total, out[0]), None


def _lse_batch(args, dims, size, axis=None, keepdims=False):
    a, b = args
    rank = max(batch.ndim_of_example(x, d) for x, d in zip(args, dims) if x is not None)
    pad = rank == 0  # SciPy treats a 0-d example as 1-d

    def lay(x, d):
        if x is None:
            return None
        x = batch.to_front(x, d, size) if d is not None else x
        r = batch.ndim_of_example(x, d) if d is not None else np.ndim(x)
        lead = (x.shape[:1] if d is not None else (1,)) + (1,) * (rank - r + pad)
        return x.reshape(lead + tuple(x.shape[1:] if d is not None else np.shape(x)))
    a, b = lay(a, dims[0]), lay(b, dims[1])
    axes = _shifted_axes(0 if pad and axis is None else axis, rank + pad)
    return _logsumexp(a, b, axis=axes, keepdims=keepdims), (0, 0)


defrules(_logsumexp, vjp=_lse_vjp, jvp=_lse_jvp, save="all", batch=_lse_batch)


@composite(sc.logsumexp)
def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) along ``axis`` without overflow; with return_sign, (log|sum|,
    sign of the sum). Differentiable in a and b; its derivative in a is softmax(a).

    >>> import numpy as np, fgrad
    >>> fgrad.grad(logsumexp)(np.log(np.array([1.0, 3.0]))).round(6).tolist()
    [0.25, 0.75]
    """
    out, sign = _logsumexp(a, b, axis=axis, keepdims=keepdims)
    if return_sign:
        return out, sign
    return fnp.where(fnp.less(sign, 0), np.nan, out)
