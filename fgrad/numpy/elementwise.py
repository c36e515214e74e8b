"""Elementwise functions (NumPy ufuncs): each with its VJP and JVP side by side.

Most rules are a partial derivative d f / d arg_i written in terms of the output
and the arguments; ``defelementwise`` turns it into both rules:

    VJP_i = unbroadcast(g * df/dx_i, x_i)      JVP_i = broadcast(t * df/dx_i, out)

For holomorphic f that is exactly the transpose convention JAX and autograd use
for complex numbers (no conjugation); the non-holomorphic ones (abs, real, imag,
conj, angle) get their own rules. Kinks: abs'(0) = 0, sign' = 0, and maximum /
minimum split the derivative evenly at ties.
"""
import numpy as np

from ..rules import defmultilinear, defrules, nondifferentiable
from ..tracer import primitive
from . import batch, broadcast

__all__ = ["abs", "absolute", "add", "astype", "bitwise_and", "bitwise_or", "bitwise_xor",
           "ceil", "clip", "conj", "conjugate", "cos", "divide", "divmod", "equal", "exp",
           "floor", "floor_divide", "frexp", "greater", "greater_equal", "imag", "invert",
           "isfinite", "isnan", "less", "less_equal", "log", "logical_and", "logical_not",
           "logical_or", "logical_xor", "maximum", "minimum", "mod", "modf", "multiply",
           "negative", "not_equal", "power", "real", "reciprocal", "remainder", "sign", "sin",
           "sqrt", "square", "subtract", "tan", "tanh", "true_divide", "where"]

# -- primitives ---------------------------------------------------------------

def _elementwise(f, name=None, multiple_results=False):
    """``f`` as a primitive with the batching rule every elementwise function shares."""
    prim = primitive(f, name, multiple_results=multiple_results)
    defrules(prim, batch=batch.elementwise(prim))
    return prim


add, subtract, multiply, divide, power, negative = (_elementwise(f) for f in (
    np.add, np.subtract, np.multiply, np.divide, np.power, np.negative))
exp, log, sin, cos, tan, tanh, sqrt, square, reciprocal = (_elementwise(f) for f in (
    np.exp, np.log, np.sin, np.cos, np.tan, np.tanh, np.sqrt, np.square, np.reciprocal))
absolute, maximum, minimum, real, imag, conj, where = (_elementwise(f) for f in (
    np.absolute, np.maximum, np.minimum, np.real, np.imag, np.conj, np.where))
abs = absolute
true_divide = divide
conjugate = conj

# Comparisons and rounding: constant almost everywhere, so no derivative.
equal, not_equal, less, less_equal, greater, greater_equal, sign, floor, ceil = (
    _elementwise(f) for f in (np.equal, np.not_equal, np.less, np.less_equal, np.greater,
                              np.greater_equal, np.sign, np.floor, np.ceil))
floor_divide, remainder, logical_not, logical_and, logical_or, logical_xor, isfinite, isnan = (
    _elementwise(f) for f in (np.floor_divide, np.remainder, np.logical_not, np.logical_and,
                              np.logical_or, np.logical_xor, np.isfinite, np.isnan))
bitwise_and, bitwise_or, bitwise_xor, invert = (
    _elementwise(f) for f in (np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert))
mod = remainder
_CONSTANT = (equal, not_equal, less, less_equal, greater, greater_equal, sign, floor,
             ceil, floor_divide, logical_not, logical_and, logical_or, logical_xor, isfinite,
             isnan, bitwise_and, bitwise_or, bitwise_xor, invert)


def defelementwise(f, *partials, save="all"):
    """Rules of elementwise ``f`` from its partials ``p_i(out, *args) = df/dx_i``."""
    def vjp(i, p):
        return lambda g, out, *args: broadcast.unbroadcast(g * p(out, *args), args[i])

    def jvp(p):
        return lambda t, out, *args: broadcast.broadcast_like(t * p(out, *args), out)

    defrules(f, vjp=[None if p is None else vjp(i, p) for i, p in enumerate(partials)],
             jvp=[None if p is None else jvp(p) for p in partials], save=save)


def defunary(f, derivative, save):
    """Rules of a unary ``f`` whose derivative is ``derivative(out, x)``: the
    tangent and cotangent are multiplied by it, no broadcasting to undo.
    (Rules use operators where they can: on plain arrays those skip a wrapper.)"""
    defrules(f, vjp=(lambda g, out, x: g * derivative(out, x),),
             jvp=(lambda t, out, x: t * derivative(out, x),), save=save)


# -- unary: d f(x) = f'(x) dx --------------------------------------------------
defunary(exp,        lambda out, x: out,                       save="out")
defunary(log,        lambda out, x: reciprocal(x),             save="args")
defunary(sin,        lambda out, x: cos(x),                    save="args")
defunary(cos,        lambda out, x: -sin(x),                   save="args")
defunary(tan,        lambda out, x: 1 + out * out,             save="out")
defunary(tanh,       lambda out, x: 1 - out * out,             save="out")
defunary(sqrt,       lambda out, x: 0.5 / out,                 save="out")
defunary(square,     lambda out, x: 2 * x,                     save="args")
defunary(reciprocal, lambda out, x: -(out * out),              save="out")


# -- linear -------------------------------------------------------------------
def defsum(f, sign):
    """Rules of ``f(x, y) = x + sign * y``: (co)tangents pass through, y's times sign."""
    def scaled(v):
        return v if sign == 1 else -v
    defrules(f, vjp=(lambda g, out, x, y: broadcast.unbroadcast(g, x),
                     lambda g, out, x, y: broadcast.unbroadcast(scaled(g), y)),
                jvp=(lambda t, out, x, y: broadcast.broadcast_like(t, out),
                     lambda t, out, x, y: broadcast.broadcast_like(scaled(t), out)),
             save="shapes")


# d (x + y) = dx + dy;  d (x - y) = dx - dy;  d (-x) = -dx
defsum(add, 1)
defsum(subtract, -1)
defmultilinear(negative, lambda g, out, x: -g, save="shapes")
# real and imag are real-linear; their transposes embed a real cotangent in C.
defmultilinear(real, lambda g, out, x: broadcast.fit_dtype(g, x.dtype), save="shapes")
defmultilinear(imag, lambda g, out, x: broadcast.fit_dtype(g * -1j, x.dtype), save="shapes")
defmultilinear(conj, lambda g, out, x: conj(g), save="shapes")

# -- binary -------------------------------------------------------------------
# d (x y) = y dx + x dy
defmultilinear(multiply, lambda g, out, x, y: broadcast.unbroadcast(g * y, x),
                         lambda g, out, x, y: broadcast.unbroadcast(g * x, y))
# d (x / y) = dx / y - (out / y) dy
defelementwise(divide, lambda out, x, y: 1.0 / y,
                       lambda out, x, y: -out / y)


def _power_dx(out, x, y):
    """d x**y / dx = y x**(y-1), written so that y = 0 gives 0 even at x = 0."""
    return y * power(x, where(equal(y, 0), 1, y - 1))


def _power_dy(out, x, y):
    """d x**y / dy = x**y log x, taken as 0 at x = 0 (the limit for y > 0)."""
    return out * log(where(equal(x, 0), 1, x))


defelementwise(power, _power_dx, _power_dy)


def _pick(a, b):
    """Share of the derivative going to ``a`` in max(a, b): 1, 1/2 at a tie, or 0."""
    return where(greater(a, b), 1.0, where(equal(a, b), 0.5, 0.0))


defelementwise(maximum, lambda out, x, y: _pick(x, y), lambda out, x, y: _pick(y, x),
               save="args")
defelementwise(minimum, lambda out, x, y: _pick(y, x), lambda out, x, y: _pick(x, y),
               save="args")


# d |x| = sign(x) dx;  d |z| = Re(conj(z) dz) / |z|;  abs'(0) = 0
def _abs_direction(out, x):
    if x.dtype.kind != "c":
        return sign(x)
    return where(equal(out, 0), 0, conj(x) / where(equal(out, 0), 1, out))


defrules(absolute, vjp=(lambda g, out, x: g * _abs_direction(out, x),),
                  jvp=(lambda t, out, x: real(t * _abs_direction(out, x)),), save="all")


# -- where(c, x, y): the condition is data without a derivative ---------------
def _where_vjp(branch):
    def vjp(g, out, c, x, y):
        arg = (x, y)[branch]
        return broadcast.unbroadcast(where(c, g, 0) if branch == 0 else where(c, 0, g), arg)
    return vjp


def _where_jvp(branch):
    def jvp(t, out, c, x, y):
        return broadcast.broadcast_like(where(c, t, 0) if branch == 0 else where(c, 0, t), out)
    return jvp


defrules(where, vjp=(None, _where_vjp(0), _where_vjp(1)),
               jvp=(None, _where_jvp(0), _where_jvp(1)), save="args")

# d (x mod y) = dx - floor(x / y) dy
defelementwise(remainder, lambda out, x, y: 1.0, lambda out, x, y: -floor_divide(x, y),
               save="args")

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
        return broadcast.unbroadcast(g[1] if i == 0 else -g[1] * out[0], (x, y)[i])
    return vjp


defrules(divmod, vjp=(_divmod_vjp(0), _divmod_vjp(1)),
                 jvp=(lambda t, out, x, y: (None, broadcast.broadcast_like(t, out[1])),
                      lambda t, out, x, y: (None, broadcast.broadcast_like(-t * out[0], out[1]))),
         save="all")


def clip(a, a_min=None, a_max=None):
    """NumPy's clip, differentiable: the derivative is 1 inside [a_min, a_max], ends included."""
    if a_min is not None:
        a = where(less(a, a_min), a_min, a)
    if a_max is not None:
        a = where(greater(a, a_max), a_max, a)
    return a


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
