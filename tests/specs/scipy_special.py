"""Spec rows for fgrad/scipy/special.py: every function, on domains away from poles.

Row names start with ``special_`` (``-k special_`` runs them all).

Arguments a function has no derivative in (Bessel orders, the shape parameters of the
incomplete gamma and beta functions, polygamma's n, zeta's x) are bound as constants in
the differentiated rows; the ``*_params`` rows pass them as data through
fgrad.stop_gradient with ``order=0``, so that vmap batches them too. Conventions at
degenerate points are tested in tests/test_scipy_special.py.
"""
import numpy as np

import fgrad
from domains import banded, nonzero, positive, real
from fgrad.scipy import special as sp
from specs import BINARY, UNARY, Spec


def uniform(lo, hi):
    def draw(rng, shape):
        return np.asarray(rng.uniform(lo, hi, shape))
    return draw


def whole(lo, hi):
    """Whole numbers in [lo, hi) as floats (a jvp takes float inputs only): orders, n."""
    def draw(rng, shape):
        return np.asarray(rng.integers(lo, hi, shape).astype(float))
    return draw


# off the poles of gamma at 0, -1, -2, ...
off_poles = banded((-2.8, -2.2), (-1.8, -1.2), (-0.8, -0.2), (0.5, 3.0))
unit = uniform(0.1, 0.9)               # probabilities: betainc's x, logit, ndtri
shape_param = uniform(0.8, 3.0)        # betainc's a, b; gammainc's a
far_left = uniform(-30.0, -20.0)       # log_ndtr where ndtr underflows
negative_weights = uniform(-1.2, -0.5)  # logsumexp's b: the sum is negative, away from 0
REDUCE = (((),), ((3,),), ((2, 3),), ((2, 3, 4),))
REDUCE_AXIS = (((3,),), ((2, 3),), ((2, 3, 4),))
WEIGHTED = (((3,), (3,)), ((2, 3), (3,)), ((2, 3), (2, 3)), ((2, 1), (1, 3)))
THREE = (((3,), (3,), (3,)), ((), (), (2, 3)), ((3,), (1,), (2, 3)))


def _constant(f, n_constant):
    """``f`` with its first ``n_constant`` arguments passed through stop_gradient."""
    def run(*args):
        return f(*(fgrad.stop_gradient(a) for a in args[:n_constant]), *args[n_constant:])
    return run


def _row(name, f, domains, shapes, **options):
    return Spec("special_" + name, f, domains, shapes, **options)


def _unary(name, f, domain, **options):
    return _row(name, f, (domain,), UNARY, **options)


def _binary(name, f, domains, **options):
    return _row(name, f, domains, BINARY, **options)


ORDERS = np.array([0, 1, 3])  # polygamma's n, along the last axis

SPECS = [
    # -- gamma and beta families ----------------------------------------------------------
    _unary("gamma",                sp.gamma,                                  off_poles),
    _unary("gammaln",              sp.gammaln,                                off_poles),
    _unary("gammasgn",             sp.gammasgn, off_poles, order=0),
    _unary("digamma",              sp.digamma,                                off_poles),
    _unary("psi",                  sp.psi,                                    positive),
    _unary("rgamma",               sp.rgamma,                                 off_poles),
    _unary("polygamma",            lambda x: sp.polygamma(2, x),              off_poles),
    _row("polygamma_orders",       lambda x: sp.polygamma(ORDERS, x),         (positive,),
         (((3,),), ((2, 3),))),
    _binary("polygamma_params",    _constant(sp.polygamma, 1), (whole(0, 3), positive), order=0),
    _unary("multigammaln",         lambda a: sp.multigammaln(a, 3), uniform(1.5, 4.0)),
    _binary("beta",                sp.beta, (shape_param, shape_param)),
    _binary("betaln",              sp.betaln, (shape_param, shape_param)),
    _unary("betainc",              lambda x: sp.betainc(2.5, 1.5, x),         unit),
    _unary("betainc_a_below_1",    lambda x: sp.betainc(0.7, 0.9, x),         unit),
    _row("betainc_params",         _constant(sp.betainc, 2),
         (shape_param, shape_param, unit), THREE, order=0),
    _unary("gammainc",             lambda x: sp.gammainc(2.5, x),             positive),
    _unary("gammaincc",            lambda x: sp.gammaincc(2.5, x),            positive),
    _binary("gammainc_params",     _constant(sp.gammainc, 1),     (shape_param, positive),
            order=0),
    _binary("gammaincc_params",    _constant(sp.gammaincc, 1),    (shape_param, positive),
            order=0),
    # -- error functions and the normal distribution ------------------------------------
    _unary("erf",                  sp.erf,                                    real),
    _unary("erfc",                 sp.erfc,                                   real),
    _unary("erfinv",               sp.erfinv, uniform(-0.8, 0.8)),
    _unary("erfcinv",              sp.erfcinv, uniform(0.2, 1.8)),
    _unary("erfcx",                sp.erfcx,                                  real),
    _unary("ndtr",                 sp.ndtr,                                   real),
    _unary("log_ndtr",             sp.log_ndtr,                               real),
    _unary("log_ndtr_far_left",    sp.log_ndtr,                               far_left),
    _unary("ndtri",                sp.ndtri,                                  unit),
    # -- logistic functions, logsumexp and softmax ----------------------------------------
    _unary("expit",                sp.expit,                                  real),
    _unary("logit",                sp.logit,                                  unit),
    _unary("log_expit",            sp.log_expit,                              real),
    _row("logsumexp",              sp.logsumexp, (real,), REDUCE),
    _row("logsumexp_axis0",        lambda a: sp.logsumexp(a, axis=0), (real,), REDUCE_AXIS),
    _row("logsumexp_axis_neg1_keepdims", lambda a: sp.logsumexp(a, -1, keepdims=True), (real,),
         REDUCE_AXIS),
    _row("logsumexp_axes",         lambda a: sp.logsumexp(a, axis=(0, -1)),   (real,),
         (((2, 3),), ((2, 3, 4),))),
    _row("logsumexp_b",            lambda a, b: sp.logsumexp(a, b=b, axis=-1), (real, positive),
         WEIGHTED),
    _row("logsumexp_b_sign",       lambda a, b: sp.logsumexp(a, 0, b, keepdims=True,
                                                             return_sign=True),
         (real, negative_weights), WEIGHTED),
    _row("softmax",                sp.softmax, (real,), REDUCE),
    _row("softmax_axis",           lambda x: sp.softmax(x, axis=-1), (real,), REDUCE_AXIS),
    _row("softmax_axes",           lambda x: sp.softmax(x, axis=(0, 2)),      (real,),
         (((2, 3, 4),),)),
    _row("log_softmax",            sp.log_softmax, (real,), REDUCE),
    _row("log_softmax_axis",       lambda x: sp.log_softmax(x, 0), (real,), REDUCE_AXIS),
    # -- x log y and information measures ---------------------------------------------------
    _binary("xlogy",               sp.xlogy,                       (real, positive)),
    _binary("xlog1py",             sp.xlog1py, (real, uniform(-0.5, 2.0))),
    _unary("entr",                 sp.entr,                                   positive),
    _binary("rel_entr",            sp.rel_entr,                    (positive, positive)),
    _binary("kl_div",              sp.kl_div,                      (positive, positive)),
    _unary("zeta",                 lambda q: sp.zeta(2.5, q),                 positive),
    _row("zeta_orders",            lambda q: sp.zeta(np.array([2.0, 3.5, 5.0]), q), (positive,),
         (((3,),), ((2, 3),))),
    _binary("zeta_params",         _constant(sp.zeta, 1), (uniform(1.5, 4.0), positive),
            order=0),
    _unary("zeta_riemann",         lambda x: sp.zeta(fgrad.stop_gradient(x)), uniform(1.5, 4.0),
           order=0),
    # -- Bessel functions ----------------------------------------------------------------
    _unary("i0",                   sp.i0,                                     real),
    _unary("i1",                   sp.i1,                                     real),
    _unary("i0e",                  sp.i0e,                                    nonzero),
    _unary("i1e",                  sp.i1e,                                    nonzero),
    _unary("iv",                   lambda z: sp.iv(1.5, z),                   positive),
    _unary("iv_integer_order",     lambda z: sp.iv(2, z),                     nonzero),
    _unary("ive",                  lambda z: sp.ive(1.5, z),                  positive),
    _unary("ive_integer_order",    lambda z: sp.ive(1, z),                    nonzero),
    _binary("iv_params",           _constant(sp.iv, 1),            (shape_param, positive),
            order=0),
    _binary("ive_params",          _constant(sp.ive, 1),           (shape_param, positive),
            order=0),
    _unary("j0",                   sp.j0,                                     real),
    _unary("j1",                   sp.j1,                                     real),
    _unary("jn",                   lambda x: sp.jn(3, x),                     real),
    _binary("jn_params",           _constant(sp.jn, 1), (whole(0, 4), real), order=0),
    _unary("y0",                   sp.y0,                                     positive),
    _unary("y1",                   sp.y1,                                     positive),
    _unary("yn",                   lambda x: sp.yn(2, x),                     positive),
    _binary("yn_params",           _constant(sp.yn, 1),            (whole(0, 4), positive),
            order=0),
]
