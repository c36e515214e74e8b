"""Elementwise functions (NumPy's ufuncs and their kin): each with its VJP and JVP side by side.

Most rules are a partial derivative d f / d arg_i written in terms of the output
and the arguments; ``defelementwise`` turns it into both rules:

    VJP_i = unbroadcast(g * df/dx_i, x_i)      JVP_i = broadcast(t * df/dx_i, out)

For holomorphic f that is exactly the transpose convention JAX and autograd use
for complex numbers (no conjugation); the non-holomorphic ones (abs, angle,
real, imag, conj) get their own rules.

Every rule multiplies a (co)tangent by a local derivative with ``strong_multiply``:
a (co)tangent exactly 0 gives 0 even where the derivative is infinite or NaN, so the
derivative of where(x > 0, sqrt(x), 0) at x <= 0 is 0, not NaN (JAX and autograd give
NaN), in both modes and at every order. The price: 0 * inf is 0 also where the 0 is an
underflow (the naive log(1 + exp(x)) at x = 1000, whose value is inf, gets derivative 0).
A ufunc called with dtype= is the ufunc of its inputs cast to that dtype (no derivative
for an integer dtype); where= is refused under a transform.

Conventions where the derivative is undefined:

    abs, fabs:          abs'(0) = 0 (complex too)
    sign, floor, ceil, round, rint, trunc, fix, floor_divide: derivative 0 everywhere
    maximum, minimum:   ties split the derivative evenly
    fmax, fmin:         likewise; against a NaN the number takes it all (both NaN: 1/2 each)
    clip:               d a = 1 on [a_min, a_max], both ends included; outside, the bound's
    remainder, fmod:    the derivative of the piece x - q y, q held (the jumps are ignored)
    power, float_power: d/dx x**0 = 0 even at x = 0; d/dy 0**y = 0
    copysign:           d x1 = sign(x1) (+-1 by x2's sign bit), 0 at x1 = 0; none in x2
    heaviside:          none in x1; d x2 = 1 where x1 == 0, else 0
    angle, arctan2, hypot: derivative 0 at the origin; angle of a real x: 0
    logaddexp(2):       at an infinite output, the infinite argument takes it all (1/2 at a tie)
    nan_to_num:         1 where x is finite, 0 where a value was replaced (per part if complex)
    sinc:               analytic at 0: sinc'(0) = 0, sinc''(0) = -pi**2 / 3
    sqrt, cbrt:         derivative inf at 0
    spacing, nextafter, isneginf, isposinf: no derivative; ldexp: none in the integer x2

NumPy 2's names (acos, asin, atan, atan2, acosh, asinh, atanh, pow, bitwise_invert,
bitwise_left_shift, bitwise_right_shift) are aliases here, so they exist on NumPy 1.26 too.
"""
import math

import numpy as np

from ..rules import as_primitive, defmultilinear, defrules, nondifferentiable, rules_of
from ..tracer import composite, primitive
from . import batch, broadcast

__all__ = [
    # differentiable, one argument
    "abs", "absolute", "acos", "acosh", "angle", "arccos", "arccosh", "arcsin", "arcsinh",
    "arctan", "arctanh", "asin", "asinh", "atan", "atanh", "cbrt", "clip", "conj", "conjugate",
    "cos", "cosh", "deg2rad", "degrees", "exp", "exp2", "expm1", "fabs", "i0", "imag", "log",
    "log10", "log1p", "log2", "nan_to_num", "negative", "positive", "rad2deg", "radians", "real",
    "reciprocal", "sin", "sinc", "sinh", "sqrt", "square", "tan", "tanh",
    # differentiable, two or three arguments
    "add", "arctan2", "atan2", "copysign", "divide", "float_power", "fmax", "fmin", "fmod",
    "heaviside", "hypot", "ldexp", "logaddexp", "logaddexp2", "maximum", "minimum", "mod",
    "multiply", "pow", "power", "remainder", "subtract", "true_divide", "where",
    # several outputs, and casts
    "astype", "divmod", "frexp", "modf",
    # no derivative: rounding, tests, comparisons, logic, bits
    "around", "ceil", "fix", "floor", "floor_divide", "rint", "round", "sign", "trunc",
    "iscomplex", "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal",
    "nextafter", "signbit", "spacing",
    "equal", "greater", "greater_equal", "less", "less_equal", "not_equal",
    "logical_and", "logical_not", "logical_or", "logical_xor",
    "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "invert", "left_shift", "right_shift",
]

LN2, LN10, PI = math.log(2.0), math.log(10.0), math.pi  # Python floats keep float32 float32

# -- primitives ---------------------------------------------------------------


_UFUNCS = []  # the primitives that are NumPy ufuncs: their rules take ufunc keywords


def _elementwise(f, name=None, multiple_results=False, data=None, params=None):
    """``f`` as a primitive with the batching rule every elementwise function shares."""
    prim = primitive(f, name, multiple_results=multiple_results, data=data, params=params)
    defrules(prim, batch=batch.elementwise(prim))
    if isinstance(f, np.ufunc):
        _UFUNCS.append(prim)
    return prim


def _wrap_all(*fs):
    """Each of ``fs`` (ufuncs, and functions called like them) as an elementwise primitive."""
    return (_elementwise(f) for f in fs)


negative, positive, absolute, fabs, reciprocal, square, sqrt, cbrt = _wrap_all(
    np.negative, np.positive, np.absolute, np.fabs, np.reciprocal, np.square, np.sqrt, np.cbrt)
exp, exp2, expm1, log, log2, log10, log1p = _wrap_all(
    np.exp, np.exp2, np.expm1, np.log, np.log2, np.log10, np.log1p)
sin, cos, tan, arcsin, arccos, arctan = _wrap_all(
    np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan)
sinh, cosh, tanh, arcsinh, arccosh, arctanh = _wrap_all(
    np.sinh, np.cosh, np.tanh, np.arcsinh, np.arccosh, np.arctanh)
deg2rad, rad2deg, radians, degrees, sinc, i0 = _wrap_all(
    np.deg2rad, np.rad2deg, np.radians, np.degrees, np.sinc, np.i0)
real, imag, conj = _wrap_all(np.real, np.imag, np.conj)
angle = _elementwise(np.angle, data="z", params={"deg": False})
nan_to_num = _elementwise(np.nan_to_num, data="x",
                          params={"copy": True, "nan": 0.0, "posinf": None, "neginf": None})
add, subtract, multiply, divide, power, float_power, remainder, fmod = _wrap_all(
    np.add, np.subtract, np.multiply, np.divide, np.power, np.float_power, np.remainder, np.fmod)
maximum, minimum, fmax, fmin, logaddexp, logaddexp2 = _wrap_all(
    np.maximum, np.minimum, np.fmax, np.fmin, np.logaddexp, np.logaddexp2)
arctan2, hypot, copysign, heaviside, where = _wrap_all(
    np.arctan2, np.hypot, np.copysign, np.heaviside, np.where)

abs, conjugate, true_divide, mod, pow = absolute, conj, divide, remainder, power
asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh

# No derivative: constant almost everywhere, or not numbers at all.
floor, ceil, rint, trunc, fix, sign, floor_divide = _wrap_all(
    np.floor, np.ceil, np.rint, np.trunc, np.fix, np.sign, np.floor_divide)
round = _elementwise(np.round, "round", data="a", params={"decimals": 0, "out": None})
around = _elementwise(np.around, "around", data="a", params={"decimals": 0, "out": None})
isnan, isinf, isfinite, signbit, iscomplex, isreal = _wrap_all(
    np.isnan, np.isinf, np.isfinite, np.signbit, np.iscomplex, np.isreal)
isclose = _elementwise(np.isclose, data="a b",
                       params={"rtol": 1e-05, "atol": 1e-08, "equal_nan": False})
equal, not_equal, less, less_equal, greater, greater_equal = _wrap_all(
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal)
logical_not, logical_and, logical_or, logical_xor = _wrap_all(
    np.logical_not, np.logical_and, np.logical_or, np.logical_xor)
bitwise_and, bitwise_or, bitwise_xor, invert, left_shift, right_shift = _wrap_all(
    np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert, np.left_shift, np.right_shift)
bitwise_not = bitwise_invert = invert
bitwise_left_shift, bitwise_right_shift = left_shift, right_shift
_CONSTANT = [floor, ceil, rint, trunc, fix, sign, floor_divide, round, around, isnan, isinf,
             isfinite, signbit, iscomplex, isreal, isclose, equal, not_equal, less, less_equal,
             greater, greater_equal, logical_not, logical_and, logical_or, logical_xor,
             bitwise_and, bitwise_or, bitwise_xor, invert, left_shift, right_shift]
if hasattr(np, "bitwise_count"):  # NumPy 2
    bitwise_count = _elementwise(np.bitwise_count)
    _CONSTANT.append(bitwise_count)
    __all__.append("bitwise_count")


# -- the product of a (co)tangent and a local derivative -------------------------------
def _np_strong_multiply(a, b):
    """``a * b``, except that a factor exactly 0 makes the product 0, even against inf or
    NaN. Only a product that holds a NaN is looked at again, so the usual cost is one
    dot product (fast, and NaN exactly when the product has a NaN)."""
    r = a * b
    if type(r) is np.ndarray:
        s = np.vdot(r, r)
        if s == s:
            return r
    elif r == r:  # a scalar: NumPy's type, also for 1j * np.float64(2)
        return r if type(r) is not float and type(r) is not complex else np.multiply(a, b)
    zero = np.logical_or(np.equal(a, 0), np.equal(b, 0))
    fixed = np.where(zero & np.isnan(r), np.zeros((), np.result_type(r)), r)
    return fixed if type(r) is np.ndarray else fixed[()]


# The multiplication every rule here uses for (co)tangent times local derivative: a zero
# (co)tangent stays zero where the derivative is infinite or NaN (a masked pole, a branch
# that where() threw away, an overflow), in both modes and at every order.
strong_multiply = _elementwise(_np_strong_multiply, "strong_multiply")


# -- ufunc keywords under a transform ------------------------------------------------
# f(x, dtype=d) is f(x.astype(d)): the rules of a ufunc run at the inputs cast to d (none
# for an integer or boolean d); casting=, order= and subok= leave values alone; where=,
# signature= and axes= are refused. The rule makers below take the keywords inline (no
# extra call on the common path); accept_ufunc_options wraps every other ufunc rule.
_VALUE_OPTIONS = frozenset({"dtype", "casting", "order", "subok"})
_TAKES_OPTIONS = set()  # rules that handle ufunc keywords themselves


def _check_ufunc_options(options, name, several=False):
    """The dtype= of a ufunc call under a transform, after refusing what has no meaning."""
    unknown = sorted(set(options) - _VALUE_OPTIONS)
    dtype = options.get("dtype")
    if unknown or (several and dtype is not None):
        raise TypeError(f"fgrad.numpy.{name} takes no {(unknown or ['dtype'])[0]}= keyword "
                        "under a transform (dtype=, casting=, order= and subok= work on "
                        "functions of one output); write the computation out instead, "
                        "e.g. where(mask, f(x), y) for where=")
    return dtype


def _cast_inexact(args, dtype):
    """The inexact ``args`` in ``dtype``: the loop NumPy picks for dtype= (ldexp's integer
    exponent stays an integer)."""
    return [astype(a, dtype) if np.result_type(a).kind in "fc" else a for a in args]


def ufunc_inputs(args, options, name):
    """The arguments of ufunc ``name`` as its loop sees them under ufunc keywords."""
    dtype = _check_ufunc_options(options, name)
    return args if dtype is None else _cast_inexact(args, dtype)


def under_ufunc_options(f, rule, i, mode, v, out, args, options):
    """Argument i's ``mode`` rule of ufunc ``f`` (``rule(v, out, *args)``) at a call with
    ufunc keywords ``options``."""
    rules = rules_of(as_primitive(f))
    dtype = _check_ufunc_options(options, rules.name, as_primitive(f).multiple_results)
    if dtype is None:
        return rule(v, out, *args)
    if np.dtype(dtype).kind not in "fc":
        return None
    if mode == "jvp":
        cast = _cast_inexact(args, dtype)
        return broadcast.fit_dtype(rule(astype(v, dtype), out, *cast), out.dtype)
    # a rule that keeps only shapes reads nothing the cast changes but the dtype
    cast = _cast_inexact(args, dtype) if rules.keep_args else args
    ct = rule(v, out, *cast)
    return None if ct is None else broadcast.fit_dtype(ct, args[i].dtype)


def _options_taken(*rules):
    _TAKES_OPTIONS.update(rules)
    return rules


def _with_ufunc_options(f, rule, i, mode):
    def rule_with_options(v, out, *args, **options):
        if options:
            return under_ufunc_options(f, rule, i, mode, v, out, args, options)
        return rule(v, out, *args)
    return rule_with_options


def accept_ufunc_options(f):
    """Let the rules of ufunc primitive ``f`` take NumPy's ufunc keywords (see above)."""
    rules = rules_of(as_primitive(f))
    if rules.constant or rules.vjp_parts is None or rules.jvp_parts is None:
        return
    parts = {mode: tuple(r if r is None or r in _TAKES_OPTIONS
                         else _with_ufunc_options(f, r, i, mode)
                         for i, r in enumerate(getattr(rules, mode + "_parts")))
             for mode in ("vjp", "jvp")}
    defrules(f, vjp=parts["vjp"], jvp=parts["jvp"])


# -- rule makers ----------------------------------------------------------------

def _zero_vjp(i):
    """Cotangent of argument i when f does not depend on it: zeros (a constant)."""
    return lambda g, out, *args, **options: np.zeros(args[i].shape, args[i].dtype)


def _zero_jvp(t, out, *args, **options):
    return np.zeros(out.shape, out.dtype)


def defelementwise(f, *partials, save="all"):
    """Rules of elementwise ``f`` from its partials ``p_i(out, *args) = df/dx_i``
    (None: f is flat in argument i, whose derivative is zero)."""
    def vjp(i, p):
        def rule(g, out, *args, **options):
            if options:
                return under_ufunc_options(f, rule, i, "vjp", g, out, args, options)
            return broadcast.unbroadcast(strong_multiply(g, p(out, *args)), args[i])
        return rule

    def jvp(i, p):
        def rule(t, out, *args, **options):
            if options:
                return under_ufunc_options(f, rule, i, "jvp", t, out, args, options)
            return broadcast.broadcast_like(strong_multiply(t, p(out, *args)), out)
        return rule

    defrules(f, vjp=_options_taken(*[_zero_vjp(i) if p is None else vjp(i, p)
                                     for i, p in enumerate(partials)]),
             jvp=_options_taken(*[_zero_jvp if p is None else jvp(i, p)
                                  for i, p in enumerate(partials)]), save=save)


def defunary(f, derivative, save, plain=None):
    """Rules of a unary ``f`` whose derivative is ``derivative(out, x)``: the
    tangent and cotangent are multiplied by it, no broadcasting to undo.
    ``plain(v, out, x)``: the same product on plain arrays in fewer NumPy calls, or None
    where it is not sure (a NaN in it), for the general path to decide. The VJP and the
    JVP are the same product (a 1x1 Jacobian is its own transpose)."""
    def product(mode):
        def rule(v, out, x, **options):
            if options:
                return under_ufunc_options(f, rule, 0, mode, v, out, (x,), options)
            if plain is not None and type(v) is np.ndarray and type(x) is np.ndarray:
                result = plain(v, out, x)
                if result is not None:
                    return result
            return strong_multiply(v, derivative(out, x))
        return rule

    vjp, jvp = product("vjp"), product("jvp")
    defrules(f, vjp=_options_taken(vjp), jvp=_options_taken(jvp), save=save)


def _guarded(x, zero):
    """``x`` with 1 where ``zero``: a divisor whose quotient is thrown away there, kept
    finite so that no NaN leaks into derivatives (the double-``where`` trick)."""
    return where(zero, 1, x)


# -- unary, holomorphic: d f(z) = f'(z) dz --------------------------------------------
# Forms that keep full precision where the obvious one cancels or overflows: e^x for expm1'
# (out + 1 is 0 below -37), sech^2 for tanh' (1 - out^2 is 0 past |x| = 19), 1 / hypot(x, 1)
# for arcsinh' (x^2 + 1 overflows past 1e154). No rule divides Python scalars (they raise).
def _sech2(out, x):
    """tanh'(x) = sech(x)^2, from x: full precision in the tails, 0 where cosh overflows."""
    if x.dtype.kind == "c":  # complex cosh overflows to inf + inf j, whose reciprocal is NaN
        t = tanh(x)
        return 1 - t * t
    s = reciprocal(cosh(x))
    return s * s


def _tanh_plain(v, out, x):
    """v sech(x)^2 = v / cosh(x) / cosh(x) for plain real x, in three NumPy calls (as many
    as v (1 - out^2) takes); None if a NaN shows."""
    if x.dtype.kind != "f" or not x.ndim:
        return None
    c = np.cosh(x)
    r = np.divide(v, c)
    np.divide(r, c, out=r)
    s = np.vdot(r, r)
    return r if s == s else None


def _arcsinh_derivative(out, x):
    return reciprocal(sqrt(x * x + 1) if x.dtype.kind == "c" else hypot(x, 1))


defunary(exp,        lambda out, x: out,                                   save="out")
defunary(exp2,       lambda out, x: out * LN2,                             save="out")
defunary(expm1,      lambda out, x: exp(x),                                save="args")
defunary(log,        lambda out, x: reciprocal(x),                         save="args")
defunary(log2,       lambda out, x: reciprocal(x * LN2),                   save="args")
defunary(log10,      lambda out, x: reciprocal(x * LN10),                  save="args")
defunary(log1p,      lambda out, x: reciprocal(1 + x),                     save="args")
defunary(sqrt,       lambda out, x: 0.5 / out,                             save="out")
defunary(cbrt,       lambda out, x: 1 / (3 * out * out),                   save="out")
defunary(square,     lambda out, x: 2 * x,                                 save="args")
defunary(reciprocal, lambda out, x: -(out * out),                          save="out")
defunary(sin,        lambda out, x: cos(x),                                save="args")
defunary(cos,        lambda out, x: -sin(x),                               save="args")
defunary(tan,        lambda out, x: 1 + out * out,                         save="out")
defunary(arcsin,     lambda out, x: 1 / sqrt((1 - x) * (1 + x)),           save="args")
defunary(arccos,     lambda out, x: -1 / sqrt((1 - x) * (1 + x)),          save="args")
defunary(arctan,     lambda out, x: reciprocal(1 + x * x),                 save="args")
defunary(sinh,       lambda out, x: cosh(x),                               save="args")
defunary(cosh,       lambda out, x: sinh(x),                               save="args")
defunary(tanh,       _sech2,                                   save="args", plain=_tanh_plain)
defunary(arcsinh,    _arcsinh_derivative,                                  save="args")
# arccosh' = 1 / sqrt(x^2 - 1) on the reals; this form keeps NumPy's branch in C as well
defunary(arccosh,    lambda out, x: 1 / (sqrt(x - 1) * sqrt(x + 1)),       save="args")
defunary(arctanh,    lambda out, x: reciprocal((1 - x) * (1 + x)),         save="args")


# -- linear maps: the transpose of a scaling is the same scaling ----------------------
def defsum(f, sign):
    """Rules of ``f(x, y) = x + sign * y``: (co)tangents pass through, y's times sign."""
    def vjp(i):
        def rule(g, out, x, y, **options):
            if options:
                return under_ufunc_options(f, rule, i, "vjp", g, out, (x, y), options)
            return broadcast.unbroadcast(g if i == 0 or sign == 1 else -g, (x, y)[i])
        return rule

    def jvp(i):
        def rule(t, out, x, y, **options):
            if options:
                return under_ufunc_options(f, rule, i, "jvp", t, out, (x, y), options)
            return broadcast.broadcast_like(t if i == 0 or sign == 1 else -t, out)
        return rule

    defrules(f, vjp=_options_taken(vjp(0), vjp(1)), jvp=_options_taken(jvp(0), jvp(1)),
             save="shapes")


# d (x + y) = dx + dy;  d (x - y) = dx - dy;  d (-x) = -dx;  d (+x) = dx
defsum(add, 1)
defsum(subtract, -1)
defmultilinear(negative, lambda g, out, x: -g,          save="shapes")
defmultilinear(positive, lambda g, out, x: g,           save="shapes")
# d deg2rad(x) = deg2rad(dx), and so on: each is a multiplication by a constant
defmultilinear(deg2rad,  lambda g, out, x: deg2rad(g),  save="shapes")
defmultilinear(radians,  lambda g, out, x: radians(g),  save="shapes")
defmultilinear(rad2deg,  lambda g, out, x: rad2deg(g),  save="shapes")
defmultilinear(degrees,  lambda g, out, x: degrees(g),  save="shapes")
# real and imag are real-linear; their transposes embed a real cotangent in C.
defmultilinear(real, lambda g, out, x: broadcast.fit_dtype(g, x.dtype), save="shapes")
defmultilinear(imag, lambda g, out, x: broadcast.fit_dtype(g * -1j, x.dtype), save="shapes")
defmultilinear(conj, lambda g, out, x: conj(g), save="shapes")


# -- real-valued functions of complex z: d f = Re(dz * direction) -----------------
# d |x| = sign(x) dx;  d |z| = Re(conj(z) dz) / |z|;  abs'(0) = 0
def _abs_direction(out, x):
    if x.dtype.kind != "c":
        return sign(x)
    zero = equal(out, 0)
    return where(zero, 0, conj(x) / _guarded(out, zero))


defrules(absolute, vjp=(lambda g, out, x: strong_multiply(g, _abs_direction(out, x)),),
                  jvp=(lambda t, out, x: real(strong_multiply(t, _abs_direction(out, x))),),
         save="all")
defunary(fabs, lambda out, x: sign(x), save="args")


# d angle(z) = Im(dz / z) = Re(dz * -i / z), 0 at z = 0;  angle(x) of a real x is flat
def _angle_direction(z, deg):
    zero = equal(z, 0)
    direction = where(zero, 0, -1j / _guarded(z, zero))
    return direction * (180 / PI) if deg else direction


def _angle_vjp(g, out, z, deg):
    return strong_multiply(g, _angle_direction(z, deg)) if z.dtype.kind == "c" else None


def _angle_jvp(t, out, z, deg):
    return real(strong_multiply(t, _angle_direction(z, deg))) if z.dtype.kind == "c" else None


defrules(angle, vjp=(_angle_vjp,), jvp=(_angle_jvp,), save="args")


# -- sinc(x) = sin(pi x) / (pi x): sinc' = (cos(pi x) - sinc(x)) / x, by its series near 0 ---
# sinc'(x) = sum_k c_k x^(2k-1), c_k = (-1)^k 2k pi^2k / (2k+1)!; 8 terms reach 1e-17 at |x| 1/4
_SINC_SERIES = [(-1) ** k * 2 * k * PI ** (2 * k) / math.factorial(2 * k + 1) for k in range(1, 9)]


def _sinc_derivative(out, x):
    near = less(absolute(x), 0.25)
    x_near, x_far = where(near, x, 0), _guarded(x, near)  # each branch finite everywhere
    x2 = x_near * x_near
    series = _SINC_SERIES[-1]
    for c in reversed(_SINC_SERIES[:-1]):
        series = series * x2 + c
    return where(near, series * x_near, (cos(PI * x_far) - out) / x_far)


defunary(sinc, _sinc_derivative, save="all")


# -- i0' = i1, which NumPy lacks: I1 below, with its own rules -------------------------
def _np_i1(x):
    """The modified Bessel function I1 of the first kind (what np.i0 is to I0): its power
    series below 20 and its asymptotic expansion above, to about 2e-15 relative."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        raise TypeError("i1 not supported for complex values")
    a = np.abs(x.astype(np.float64))
    out = np.empty_like(a)
    small = a < 20.0
    half = a[small] / 2  # I1(a) = sum_k (a/2)^(2k+1) / (k! (k+1)!), all terms positive
    term, total, h2 = half.copy(), half.copy(), half * half
    for k in range(1, 60):
        term *= h2 / (k * (k + 1))
        total += term
        if not np.any(term > 1e-17 * total):
            break
    out[small] = total
    b = a[~small]  # I1(b) ~ e^b / sqrt(2 pi b) sum_k prod_{j<=k} ((2j-1)^2 - 4) / (8 j b)
    term, total = np.ones_like(b), np.ones_like(b)
    for k in range(1, 25):
        term *= ((2 * k - 1) ** 2 - 4) / (8.0 * k * b)
        total += term
    with np.errstate(over="ignore", invalid="ignore"):  # past 713.9 I1 overflows, as i0 does
        e = np.exp(b / 2)
        out[~small] = e * (e / np.sqrt(2 * PI * b)) * total
    out[np.isinf(a)] = np.inf
    return np.copysign(out, x).astype(x.dtype if x.dtype.kind == "f" else np.float64)


_i1 = _elementwise(_np_i1, "i1")


# d i0(x) = i1(x) dx;  d i1(x) = (i0(x) - i1(x) / x) dx, with i1(x) / x = 1/2 at 0
def _i1_over_x(out, x):
    zero = equal(x, 0)
    return where(zero, 0.5, out / _guarded(x, zero))


defunary(i0,         lambda out, x: _i1(x),                                save="args")
defunary(_i1,        lambda out, x: i0(x) - _i1_over_x(out, x),            save="all")


# -- binary -------------------------------------------------------------------------
# d (x y) = y dx + x dy, with a zero (co)tangent staying zero against an infinite factor;
# strong_multiply is bilinear the same way, and is its own derivative
def _product_rules(f):
    def vjp(i):
        def rule(g, out, x, y, **options):
            if options:
                return under_ufunc_options(f, rule, i, "vjp", g, out, (x, y), options)
            return broadcast.unbroadcast(strong_multiply(g, y if i == 0 else x), (x, y)[i])
        return rule

    def jvp(i):
        def rule(t, out, x, y, **options):
            if options:
                return under_ufunc_options(f, rule, i, "jvp", t, out, (x, y), options)
            return broadcast.broadcast_like(strong_multiply(t, y if i == 0 else x), out)
        return rule

    defrules(f, vjp=_options_taken(vjp(0), vjp(1)), jvp=_options_taken(jvp(0), jvp(1)),
             save="args")


_product_rules(multiply)
_product_rules(strong_multiply)
# d (x / y) = dx / y - (out / y) dy
defelementwise(divide, lambda out, x, y: divide(1.0, y),
                       lambda out, x, y: -out / y)


def _power_partials(pow_fn):
    """d x**y = y x**(y-1) dx + x**y log(x) dy, with y = 0 giving 0 in x even at x = 0,
    and the y-part 0 at x = 0 (its limit for y > 0)."""
    return (lambda out, x, y: y * pow_fn(x, where(equal(y, 0), 1, y - 1)),
            lambda out, x, y: out * log(_guarded(x, equal(x, 0))))


defelementwise(power, *_power_partials(power))
defelementwise(float_power, *_power_partials(float_power))  # float64 out, cotangents cast back


def _pick(a, b):
    """Share of the derivative going to ``a`` in max(a, b): 1, 1/2 at a tie, or 0."""
    return where(greater(a, b), 1.0, where(equal(a, b), 0.5, 0.0))


def _nan_loses(a, b, share):
    """``share`` of a when neither is NaN; else all of it to the number (1/2 each if both NaN)."""
    return where(isnan(b), where(isnan(a), 0.5, 1.0), where(isnan(a), 0.0, share))


def _logaddexp_share(exp_fn, out, a, b):
    """Share of ``a`` in logaddexp(a, b): exp(a - out); at an infinite out, 1 for the
    argument equal to it, 1/2 each when both are."""
    infinite = isinf(out)
    tie = where(equal(a, out), where(equal(b, out), 0.5, 1.0), 0.0)
    return where(infinite, tie, exp_fn(where(infinite, 0.0, a) - where(infinite, 0.0, out)))


def _over_r2(v, y, x):
    """v / (x^2 + y^2), 0 at the origin, without overflow or underflow of the square."""
    r = hypot(x, y)
    r = _guarded(r, equal(r, 0))
    return v / r / r


# d max(x, y) = [x wins] dx + [y wins] dy, shared at ties; fmax, fmin: a NaN never wins
defelementwise(maximum,    lambda out, x, y: _pick(x, y),
                           lambda out, x, y: _pick(y, x),                          save="args")
defelementwise(minimum,    lambda out, x, y: _pick(y, x),
                           lambda out, x, y: _pick(x, y),                          save="args")
defelementwise(fmax,       lambda out, x, y: _nan_loses(x, y, _pick(x, y)),
                           lambda out, x, y: _nan_loses(y, x, _pick(y, x)),        save="args")
defelementwise(fmin,       lambda out, x, y: _nan_loses(x, y, _pick(y, x)),
                           lambda out, x, y: _nan_loses(y, x, _pick(x, y)),        save="args")
# d (x mod y) = dx - floor(x / y) dy;  d fmod(x, y) = dx - trunc(x / y) dy (q exact from out)
defelementwise(remainder,  lambda out, x, y: 1.0,
                           lambda out, x, y: -floor_divide(x, y),                  save="args")
defelementwise(fmod,       lambda out, x, y: 1.0,
                           lambda out, x, y: -rint((x - out) / y),                 save="all")
# d logaddexp(x, y) = e^(x - out) dx + e^(y - out) dy;  logaddexp2 with 2^
defelementwise(logaddexp,  lambda out, x, y: _logaddexp_share(exp, out, x, y),
                           lambda out, x, y: _logaddexp_share(exp, out, y, x))
defelementwise(logaddexp2, lambda out, x, y: _logaddexp_share(exp2, out, x, y),
                           lambda out, x, y: _logaddexp_share(exp2, out, y, x))
# d arctan2(y, x) = (x dy - y dx) / r^2;  d hypot(x, y) = (x dx + y dy) / r;  0 at r = 0
defelementwise(arctan2,    lambda out, y, x: _over_r2(x, y, x),
                           lambda out, y, x: _over_r2(-y, y, x),                   save="args")
defelementwise(hypot,      lambda out, x, y: x / _guarded(out, equal(out, 0)),
                           lambda out, x, y: y / _guarded(out, equal(out, 0)))
# copysign(x1, x2) = |x1| (+-1 by x2's sign bit): d = sign(x1) copysign(1, x2) dx1
defelementwise(copysign,   lambda out, x1, x2: sign(x1) * copysign(1.0, x2), None, save="args")
# heaviside(x1, x2) = 0, x2, 1 for x1 <, ==, > 0: d = [x1 == 0] dx2
defelementwise(heaviside,  None, lambda out, x1, x2: equal(x1, 0),                 save="args")


# -- where(c, x, y): the condition is data without a derivative, whatever its dtype ----
def _where_vjp(branch):
    def vjp(g, out, c, x, y):
        arg = (x, y)[branch]
        return broadcast.unbroadcast(where(c, g, 0) if branch == 0 else where(c, 0, g), arg)
    return vjp


def _where_jvp(branch):
    def jvp(t, out, c, x, y):
        return broadcast.broadcast_like(where(c, t, 0) if branch == 0 else where(c, 0, t), out)
    return jvp


defrules(where, vjp=(_zero_vjp(0), _where_vjp(0), _where_vjp(1)),
               jvp=(_zero_jvp, _where_jvp(0), _where_jvp(1)), save="args")


# -- nan_to_num: d = dx where x is finite (each part of a complex x), 0 where replaced ---
def _keep_finite(v, x):
    """``v`` masked where ``x`` is not finite: its own transpose."""
    if x.dtype.kind != "c":
        return where(isfinite(x), v, 0)
    return where(isfinite(real(x)), real(v), 0) + 1j * where(isfinite(imag(x)), imag(v), 0)


defrules(nan_to_num, vjp=(lambda g, out, x, **params: _keep_finite(g, x),),
                     jvp=(lambda t, out, x, **params: _keep_finite(t, x),), save="args")


# -- clip: a composition of where ------------------------------------------------
_UNSET = object()  # clip's bounds not passed at all (None means no bound)


def _clip_bounds(a_min, a_max, min, max):
    """(lower, upper) from either spelling of clip's bounds, with NumPy 2.1's errors."""
    if a_min is _UNSET and a_max is _UNSET:
        return (None if min is _UNSET else min), (None if max is _UNSET else max)
    if a_min is _UNSET or a_max is _UNSET:
        missing = "a_min" if a_min is _UNSET else "a_max"
        raise TypeError(f"clip() missing 1 required positional argument: '{missing}'")
    if min is not _UNSET or max is not _UNSET:
        raise ValueError("Passing `min` or `max` keyword argument when `a_min` and `a_max` "
                         "are provided is forbidden.")
    return a_min, a_max


def _np_clip(a, a_min=_UNSET, a_max=_UNSET, out=None, *, min=_UNSET, max=_UNSET, **kwargs):
    """np.clip with NumPy 2.1's signature (``min=``, ``max=``, no bounds) on older NumPy."""
    lo, hi = _clip_bounds(a_min, a_max, min, max)
    if lo is None and hi is None:
        return np.array(a, copy=True, subok=True) if out is None else np.copyto(out, a) or out
    return np.clip(a, lo, hi, out=out, **kwargs)


_HAS_NUMPY_21_CLIP = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


@composite(np.clip if _HAS_NUMPY_21_CLIP else _np_clip)
def clip(a, a_min=_UNSET, a_max=_UNSET, out=None, *, min=_UNSET, max=_UNSET):
    """NumPy's clip, differentiable: the derivative is 1 inside [a_min, a_max], ends included,
    and goes to the bound outside."""
    if out is not None:
        raise TypeError("fgrad.numpy.clip does not take out=: arrays are immutable under "
                        "fgrad; use the returned value instead")
    lo, hi = _clip_bounds(a_min, a_max, min, max)
    if lo is not None:
        a = where(less(a, lo), lo, a)
    if hi is not None:
        a = where(greater(a, hi), hi, a)
    return a


for _f in _CONSTANT:
    nondifferentiable(_f)


# -- several outputs: only one of them has a derivative ----------------------
frexp, modf, divmod = (_elementwise(f, multiple_results=True)
                       for f in (np.frexp, np.modf, np.divmod))


def _scaled(g, scale):
    """``g * scale``, or None (zero) when ``g`` is None."""
    return None if g is None else g * scale


# x = m 2^e:  d m = 2^-e dx;  the integer exponent e has no derivative
def _frexp_scale(out):
    """2^-e in the mantissa's dtype."""
    return power(2.0, -out[1]).astype(out[0].dtype)


defrules(frexp, vjp=(lambda g, out, x: _scaled(g[0], _frexp_scale(out)),),
                jvp=(lambda t, out, x: (t * _frexp_scale(out), None),), save="out")
# x = frac + whole:  d frac = dx;  d whole = 0
defrules(modf, vjp=(lambda g, out, x: g[0],), jvp=(lambda t, out, x: (t, None),),
         save="shapes")


# divmod(x, y) = (q, r), r = x - q y:  d q = 0;  d r = dx - q dy
def _divmod_vjp(i):
    def vjp(g, out, x, y):
        if g[1] is None:
            return None
        return broadcast.unbroadcast(g[1] if i == 0 else strong_multiply(-g[1], out[0]),
                                     (x, y)[i])
    return vjp


defrules(divmod, vjp=(_divmod_vjp(0), _divmod_vjp(1)),
                 jvp=(lambda t, out, x, y: (None, broadcast.broadcast_like(t, out[1])),
                      lambda t, out, x, y: (None, broadcast.broadcast_like(
                          strong_multiply(-t, out[0]), out[1]))),
         save="all")


# -- casts ------------------------------------------------------------------------
def _astype(x, dtype):
    return np.asarray(x).astype(dtype)


_cast = _elementwise(_astype, "astype")
_cast_to_constant = _elementwise(_astype, "astype_constant")


def astype(x, dtype):
    """``x`` converted to ``dtype``; a cast to an integer or boolean type has no derivative."""
    if np.dtype(dtype).kind in "fc":
        return _cast(x, dtype=dtype)
    return _cast_to_constant(x, dtype=dtype)


# d cast(x) = cast(dx); the transpose casts back
defmultilinear(_cast, lambda g, out, x, dtype: broadcast.fit_dtype(g, x.dtype), save="shapes")
nondifferentiable(_cast_to_constant)


# -- NumPy 2's names, and functions of the exponent and of the spacing of floats --------
ldexp, spacing, nextafter = _wrap_all(np.ldexp, np.spacing, np.nextafter)
isneginf, isposinf = _wrap_all(np.isneginf, np.isposinf)
# d ldexp(x1, x2) = ldexp(dx1, x2): exact scaling by 2^x2; the integer x2 has no derivative
defmultilinear(ldexp, lambda g, out, x1, x2: broadcast.unbroadcast(ldexp(g, x2), x1), None)
# spacing(x) and nextafter(x1, x2) are constant between neighbouring floats: no derivative
for _f in (spacing, nextafter, isneginf, isposinf):
    nondifferentiable(_f)


for _f in _UFUNCS:
    accept_ufunc_options(_f)
