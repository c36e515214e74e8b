"""Spec rows for fgrad/numpy/elementwise.py: every function of the family.

Real rows keep away from poles, kinks and branch cuts; complex rows (``*_complex``)
use domains off each function's cuts; rows with ``order=0`` are the functions with
no derivative, checked for values and vmap only. The conventions at kinks, ties,
zeros and infinities are tested in tests/test_elementwise_conventions.py.
"""
import numpy as np

import fgrad
import fgrad.numpy as fnp
from domains import (APART, banded, clip_x, cplx, cplx_nonzero, cplx_right, nonzero, positive,
                     real, rem_x, rem_y, small)
from fgrad.numpy import elementwise as ew
from specs import BINARY, UNARY, Spec


# -- domains of this family ---------------------------------------------------------------
def uniform(lo, hi):
    def draw(rng, shape):
        return np.asarray(rng.uniform(lo, hi, shape))
    return draw


inside = uniform(-0.8, 0.8)           # arcsin, arccos, arctanh: away from +-1
above_one = uniform(1.2, 3.0)         # arccosh
near_zero = uniform(-0.4, 0.4)        # sinc: its series near 0 and its formula beyond 1/4
large = banded((-30.0, -21.0), (21.0, 30.0))  # i0, i1: the asymptotic expansion
lower, upper = banded((-0.55, -0.45)), banded((0.45, 0.55))  # clip's bounds as arrays


def whole(rng, shape):
    """Small whole numbers as floats: comparisons see ties."""
    return np.asarray(rng.integers(-2, 3, shape).astype(float))


def specials(rng, shape):
    """NaN, infinities, signed zeros and ordinary numbers."""
    return np.asarray(rng.choice([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.5], shape))


def cplx_small(rng, shape):
    """|Re|, |Im| < 1: tan and tanh away from their poles."""
    return np.asarray(rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape))


def cplx_upper(rng, shape):
    """Im in [0.5, 1.5]: off the cuts of arcsin, arccos, arccosh, arctanh on the real axis."""
    return np.asarray(rng.uniform(-1.5, 1.5, shape) + 1j * rng.uniform(0.5, 1.5, shape))


def _imag_part(real_domain):
    def draw(rng, shape):
        return np.asarray(real_domain(rng, shape) + 1j * rng.standard_normal(shape))
    return draw


CPLX_APART = tuple(_imag_part(d) for d in APART)  # real parts never tie: max/min of complex


# -- helpers ------------------------------------------------------------------------------
def _on_ints(f):
    """``f`` on small integers made from float inputs. Only vmap traces integers, so ``f``
    runs under a vmap of one example: that binds it, and checks its batching rule."""
    def run(*xs):
        ints = [fnp.astype(fnp.floor(x * 3.0), np.int64)[None] for x in xs]
        return fgrad.vmap(f)(*ints)[0]
    return run


X1_AT_ZERO = np.array([0.0, 1.5, -1.5])  # heaviside's x1 with a zero: x2 matters there


def _unary(name, f, domain, **options):
    return Spec(name, f, (domain,), UNARY, **options)


def _binary(name, f, domains, **options):
    return Spec(name, f, domains, BINARY, **options)


def _cplx(name, f, *domains, **options):
    return Spec(f"{name}_complex", f, domains, UNARY if len(domains) == 1 else BINARY, **options)


SPECS = [
    # -- unary, real ---------------------------------------------------------------------
    _unary("negative",        fnp.negative,                              real),
    _unary("positive",        fnp.positive,                              real),
    _unary("abs",             fnp.abs,                                   nonzero),
    _unary("absolute",        fnp.absolute,                              nonzero),
    _unary("fabs",            fnp.fabs,                                  nonzero),
    _unary("exp",             fnp.exp,                                   real),
    _unary("exp2",            fnp.exp2,                                  real),
    _unary("expm1",           fnp.expm1,                                 real),
    _unary("log",             fnp.log,                                   positive),
    _unary("log2",            fnp.log2,                                  positive),
    _unary("log10",           fnp.log10,                                 positive),
    _unary("log1p",           fnp.log1p,                                 positive),
    _unary("sqrt",            fnp.sqrt,                                  positive),
    _unary("cbrt",            fnp.cbrt,                                  nonzero),
    _unary("square",          fnp.square,                                real),
    _unary("reciprocal",      fnp.reciprocal,                            nonzero),
    _unary("sin",             fnp.sin,                                   real),
    _unary("cos",             fnp.cos,                                   real),
    _unary("tan",             fnp.tan,                                   small),
    _unary("arcsin",          fnp.arcsin,                                inside),
    _unary("arccos",          fnp.arccos,                                inside),
    _unary("arctan",          fnp.arctan,                                real),
    _unary("sinh",            fnp.sinh,                                  real),
    _unary("cosh",            fnp.cosh,                                  real),
    _unary("tanh",            fnp.tanh,                                  real),
    _unary("arcsinh",         fnp.arcsinh,                               real),
    _unary("arccosh",         fnp.arccosh,                               above_one),
    _unary("arctanh",         fnp.arctanh,                               inside),
    _unary("deg2rad",         fnp.deg2rad,                               real),
    _unary("rad2deg",         fnp.rad2deg,                               real),
    _unary("degrees",         fnp.degrees,                               real),
    _unary("radians",         fnp.radians,                               real),
    _unary("sinc",            fnp.sinc,                                  real),
    _unary("sinc_near_zero",  fnp.sinc,                                  near_zero),
    _unary("i0",              fnp.i0,                                    real),
    _unary("i0_large",        fnp.i0,                                    large),
    _unary("i1",              ew._i1,                                    real),
    _unary("i1_large",        ew._i1,                                    large),
    _unary("real",            fnp.real,                                  real),
    _unary("imag_plus_x",     lambda x: fnp.imag(x) + x,                 real),
    _unary("conj",            fnp.conj,                                  real),
    _unary("conjugate",       fnp.conjugate,                             real),
    _unary("angle_real",      fnp.angle,                                 nonzero),
    _unary("nan_to_num",      fnp.nan_to_num,                            real),
    _unary("nan_to_num_kw",   lambda x: fnp.nan_to_num(x, nan=1.0, posinf=2.0), real),
    _unary("clip",            lambda x: fnp.clip(x, -0.5, 0.5),          clip_x),
    _unary("clip_lo",         lambda x: fnp.clip(x, -0.5, None),         clip_x),
    _unary("clip_hi",         lambda x: fnp.clip(x, None, 0.5),          clip_x),
    _unary("clip_min_max",    lambda x: fnp.clip(x, min=-0.5, max=0.5),  clip_x),
    _unary("clip_max",        lambda x: fnp.clip(x, max=0.5),            clip_x),
    _unary("method_clip",     lambda x: x.clip(-0.5, 0.5) * 1.0,         clip_x),
    _unary("power_int3",      lambda x: fnp.power(x, 3),                 real),
    _unary("power_base",      lambda x: fnp.power(1.7, x),               real),
    _unary("pow_2_5",         lambda x: fnp.pow(x, 2.5),                 positive),
    _unary("float_power_2",   lambda x: fnp.float_power(x, 2),           real),
    _unary("heaviside_at_0",  lambda x2: fnp.heaviside(X1_AT_ZERO, x2),  real),

    # -- binary, real, with broadcasting ---------------------------------------------------
    _binary("add",            fnp.add,                                   (real, real)),
    _binary("subtract",       fnp.subtract,                              (real, real)),
    _binary("multiply",       fnp.multiply,                              (real, real)),
    _binary("divide",         fnp.divide,                                (real, nonzero)),
    _binary("true_divide",    fnp.true_divide,                           (real, nonzero)),
    _binary("power",          fnp.power,                                 (positive, real)),
    _binary("float_power",    fnp.float_power,                           (positive, real)),
    _binary("mod",            fnp.mod,                                   (rem_x, rem_y)),
    _binary("remainder",      fnp.remainder,                             (rem_x, rem_y)),
    _binary("fmod",           fnp.fmod,                                  (rem_x, rem_y)),
    _binary("maximum",        fnp.maximum,                               APART),
    _binary("minimum",        fnp.minimum,                               APART),
    _binary("fmax",           fnp.fmax,                                  APART),
    _binary("fmin",           fnp.fmin,                                  APART),
    _binary("arctan2",        fnp.arctan2,                               (nonzero, nonzero)),
    _binary("hypot",          fnp.hypot,                                 (nonzero, nonzero)),
    _binary("copysign",       fnp.copysign,                              (nonzero, nonzero)),
    _binary("heaviside",      fnp.heaviside,                             (nonzero, real)),
    _binary("logaddexp",      fnp.logaddexp,                             (real, real)),
    _binary("logaddexp2",     fnp.logaddexp2,                            (real, real)),
    _binary("where",          lambda x, y: fnp.where(x > 0, x, y),       (nonzero, real)),
    _binary("where_float_condition", lambda c, x: fnp.where(c, x, 2.0 * x), (nonzero, real)),
    _binary("strong_multiply", ew.strong_multiply,                       (real, real)),
    _unary("ldexp",           lambda x: fnp.ldexp(x, np.array([-1, 0, 3])), real),
    _unary("ldexp_scalar",    lambda x: fnp.ldexp(x, 2),                 real),
    _binary("clip_lo_array",  lambda x, lo: fnp.clip(x, lo, 0.5),        (clip_x, lower)),
    _binary("clip_hi_array",  lambda x, hi: fnp.clip(x, -0.5, hi),       (clip_x, upper)),

    # -- complex: holomorphic, then the rest -------------------------------------------------
    _cplx("negative",         fnp.negative,                              cplx),
    _cplx("positive",         fnp.positive,                              cplx),
    _cplx("exp",              fnp.exp,                                   cplx),
    _cplx("exp2",             fnp.exp2,                                  cplx),
    _cplx("expm1",            fnp.expm1,                                 cplx),
    _cplx("log",              fnp.log,                                   cplx_right),
    _cplx("log2",             fnp.log2,                                  cplx_right),
    _cplx("log10",            fnp.log10,                                 cplx_right),
    _cplx("log1p",            fnp.log1p,                                 cplx_right),
    _cplx("sqrt",             fnp.sqrt,                                  cplx_right),
    _cplx("square",           fnp.square,                                cplx),
    _cplx("reciprocal",       fnp.reciprocal,                            cplx_nonzero),
    _cplx("sin",              fnp.sin,                                   cplx),
    _cplx("cos",              fnp.cos,                                   cplx),
    _cplx("tan",              fnp.tan,                                   cplx_small),
    _cplx("arcsin",           fnp.arcsin,                                cplx_upper),
    _cplx("arccos",           fnp.arccos,                                cplx_upper),
    _cplx("arctan",           fnp.arctan,                                cplx_right),
    _cplx("sinh",             fnp.sinh,                                  cplx),
    _cplx("cosh",             fnp.cosh,                                  cplx),
    _cplx("tanh",             fnp.tanh,                                  cplx_small),
    _cplx("arcsinh",          fnp.arcsinh,                               cplx_right),
    _cplx("arccosh",          fnp.arccosh,                               cplx_upper),
    _cplx("arctanh",          fnp.arctanh,                               cplx_upper),
    _cplx("sinc",             fnp.sinc,                                  cplx),
    _cplx("abs",              fnp.abs,                                   cplx_nonzero),
    _cplx("angle",            fnp.angle,                                 cplx_nonzero),
    _cplx("angle_deg",        lambda z: fnp.angle(z, deg=True),          cplx_nonzero),
    _cplx("real",             fnp.real,                                  cplx),
    _cplx("imag",             fnp.imag,                                  cplx),
    _cplx("conj",             fnp.conj,                                  cplx),
    _cplx("conjugate",        fnp.conjugate,                             cplx),
    _cplx("nan_to_num",       fnp.nan_to_num,                            cplx),
    _cplx("add",              fnp.add,                                   cplx, cplx),
    _cplx("subtract",         fnp.subtract,                              cplx, cplx),
    _cplx("multiply",         fnp.multiply,                              cplx, cplx),
    _cplx("divide",           fnp.divide,                                cplx, cplx_nonzero),
    _cplx("power",            fnp.power,                                 cplx_right, cplx),
    _cplx("float_power",      fnp.float_power,                           cplx_right, cplx),
    _cplx("maximum",          fnp.maximum,                               *CPLX_APART),
    _cplx("minimum",          fnp.minimum,                               *CPLX_APART),
    _cplx("fmax",             fnp.fmax,                                  *CPLX_APART),
    _cplx("fmin",             fnp.fmin,                                  *CPLX_APART),
    _cplx("where",            lambda z, w: fnp.where(z.real > 0, z, w),  cplx_nonzero, cplx),
    _cplx("strong_multiply",  ew.strong_multiply,                        cplx, cplx),

    # -- several outputs, and casts -------------------------------------------------------
    _unary("frexp",           lambda x: fnp.frexp(x)[0] * fnp.frexp(x)[1], nonzero),
    _unary("modf",            fnp.modf,                                  real),
    _binary("divmod",         fnp.divmod,                                (rem_x, rem_y)),
    _unary("astype_float64",  lambda x: fnp.astype(x, np.float64),       real),
    _unary("astype_complex",  lambda x: fnp.astype(x, np.complex128),    real),
    _unary("method_astype",   lambda x: x.astype(np.float64) * 2.0,      real),
    _unary("astype_float32",  lambda x: fnp.astype(x, np.float32),       real,     order=0),
    _unary("sin_dtype",       lambda x: fnp.sin(x, dtype=np.float64),    real),
    _binary("multiply_dtype", lambda x, y: fnp.multiply(x, y, dtype=np.complex128),
                                                                         (real, real)),
    _unary("astype_int",      lambda x: fnp.astype(x * 3.0, np.int64),   real,     order=0),

    # -- no derivative ---------------------------------------------------------------------
    _unary("floor",           fnp.floor,                                 real,     order=0),
    _unary("ceil",            fnp.ceil,                                  real,     order=0),
    _unary("rint",            fnp.rint,                                  real,     order=0),
    _unary("trunc",           fnp.trunc,                                 real,     order=0),
    _unary("fix",             fnp.fix,                                   real,     order=0),
    _unary("round",           fnp.round,                                 real,     order=0),
    _unary("round_decimals",  lambda x: fnp.round(x, 2),                 real,     order=0),
    _unary("around",          lambda x: fnp.around(x, decimals=1),       real,     order=0),
    _unary("sign",            fnp.sign,                                  whole,    order=0),
    _unary("isnan",           fnp.isnan,                                 specials, order=0),
    _unary("isinf",           fnp.isinf,                                 specials, order=0),
    _unary("isfinite",        fnp.isfinite,                              specials, order=0),
    _unary("isneginf",        fnp.isneginf,                              specials, order=0),
    _unary("isposinf",        fnp.isposinf,                              specials, order=0),
    _unary("spacing",         fnp.spacing,                               real,     order=0),
    _binary("nextafter",      fnp.nextafter,                             (real, real), order=0),
    _unary("add_dtype_int",   lambda x: fnp.add(x, x, dtype=np.int64, casting="unsafe"),
                                                                         real,     order=0),
    _unary("signbit",         fnp.signbit,                               specials, order=0),
    _unary("iscomplex",       fnp.iscomplex,                             real,     order=0),
    _unary("isreal",          fnp.isreal,                                real,     order=0),
    _unary("nan_to_num_specials", fnp.nan_to_num,                        specials, order=0),
    _unary("logical_not",     fnp.logical_not,                           whole,    order=0),
    _cplx("sign",             fnp.sign,                                  cplx,     order=0),
    _cplx("rint",             fnp.rint,                                  cplx,     order=0),
    _cplx("round",            lambda z: fnp.round(z, 1),                 cplx,     order=0),
    _cplx("iscomplex",        fnp.iscomplex,                             cplx,     order=0),
    _cplx("isreal",           fnp.isreal,                                cplx,     order=0),
    _cplx("isfinite",         fnp.isfinite,                              cplx,     order=0),
    _binary("floor_divide",   fnp.floor_divide,                          (rem_x, rem_y), order=0),
    _binary("isclose",        fnp.isclose,                               (whole, whole), order=0),
    _binary("isclose_tol",    lambda a, b: fnp.isclose(a, b, rtol=0.1, atol=0.6, equal_nan=True),
                                                                         (whole, whole), order=0),
    _binary("fmax_specials",  fnp.fmax,                                  (specials,) * 2, order=0),
    _binary("fmin_specials",  fnp.fmin,                                  (specials,) * 2, order=0),
    _binary("equal",          fnp.equal,                                 (whole, whole), order=0),
    _binary("not_equal",      fnp.not_equal,                             (whole, whole), order=0),
    _binary("less",           fnp.less,                                  (whole, whole), order=0),
    _binary("less_equal",     fnp.less_equal,                            (whole, whole), order=0),
    _binary("greater",        fnp.greater,                               (whole, whole), order=0),
    _binary("greater_equal",  fnp.greater_equal,                         (whole, whole), order=0),
    _binary("logical_and",    fnp.logical_and,                           (whole, whole), order=0),
    _binary("logical_or",     fnp.logical_or,                            (whole, whole), order=0),
    _binary("logical_xor",    fnp.logical_xor,                           (whole, whole), order=0),
    _binary("bitwise_and",    _on_ints(fnp.bitwise_and),                 (real, real), order=0),
    _binary("bitwise_or",     _on_ints(fnp.bitwise_or),                  (real, real), order=0),
    _binary("bitwise_xor",    _on_ints(fnp.bitwise_xor),                 (real, real), order=0),
    _binary("left_shift",     _on_ints(fnp.left_shift),                  (real, positive), order=0),
    _binary("right_shift",    _on_ints(fnp.right_shift),                 (real, positive), order=0),
    _unary("invert",          _on_ints(fnp.invert),                      real,     order=0),
    _unary("bitwise_not",     _on_ints(fnp.bitwise_not),                 real,     order=0),
]
if hasattr(fnp, "bitwise_count"):  # NumPy 2
    SPECS.append(_unary("bitwise_count", _on_ints(fnp.bitwise_count), real, order=0))
