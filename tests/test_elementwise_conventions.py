"""Elementwise functions where a spec row can't look: kinks, ties, zeros, infinities and
NaN (the conventions in fgrad/numpy/elementwise.py's docstring), i1's accuracy, complex
branches, the namespace, and error messages.
"""
import math
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import specs.elementwise
from fgrad.numpy import elementwise as ew
from fgrad.rules import RULES
from fgrad.testing import check_grads
from fgrad.tree import tree_leaves, tree_map
from test_namespace import _args


def both_modes(f, x, t=1.0):
    """(reverse-mode gradient, forward-mode tangent) of scalar ``f`` at ``x``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "does not depend": a zero gradient
        g = fgrad.grad(f)(x)
    return g, fgrad.jvp(f, (x,), (t,))[1]


def elementwise_both(f, x):
    """d f(x_i) / d x_i at each element, by reverse mode and by forward mode."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        g = fgrad.elementwise_grad(f)(x)
    return g, fgrad.jvp(f, (x,), (np.ones_like(x),))[1]


def assert_both(f, x, expected):
    for d in elementwise_both(f, x):
        np.testing.assert_array_equal(d, expected)


# -- the namespace -----------------------------------------------------------------------

FAMILY = """negative positive abs absolute fabs sign exp exp2 expm1 log log2 log10 log1p sqrt
cbrt square reciprocal sin cos tan arcsin arccos arctan sinh cosh tanh arcsinh arccosh arctanh
deg2rad rad2deg degrees radians sinc real imag conj conjugate angle clip nan_to_num logaddexp
logaddexp2 add subtract multiply divide true_divide floor_divide power float_power mod
remainder fmod maximum minimum fmax fmin arctan2 hypot copysign where heaviside i0 acos asin
atan atan2 acosh asinh atanh pow floor ceil round around rint trunc fix isnan isinf isfinite
signbit isclose iscomplex isreal equal not_equal less less_equal greater greater_equal
logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor invert
bitwise_not bitwise_invert left_shift right_shift bitwise_left_shift bitwise_right_shift
divmod frexp modf astype ldexp isneginf isposinf spacing nextafter""".split()

NO_DERIVATIVE = """floor ceil round around rint trunc fix sign floor_divide isnan isinf isfinite
signbit isclose iscomplex isreal equal not_equal less less_equal greater greater_equal
logical_and logical_or logical_xor logical_not bitwise_and bitwise_or bitwise_xor invert
left_shift right_shift isneginf isposinf spacing nextafter""".split()


def test_every_function_of_the_family_is_exported():
    missing = [n for n in FAMILY if n not in ew.__all__ or not hasattr(fnp, n)]
    assert missing == []
    assert [n for n in ew.__all__ if not hasattr(ew, n)] == []
    assert len(set(ew.__all__)) == len(ew.__all__)


@pytest.mark.parametrize("alias, name", [
    ("acos", "arccos"), ("asin", "arcsin"), ("atan", "arctan"), ("atan2", "arctan2"),
    ("acosh", "arccosh"), ("asinh", "arcsinh"), ("atanh", "arctanh"), ("pow", "power"),
    ("bitwise_invert", "invert"), ("bitwise_not", "invert"),
    ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift"),
    ("abs", "absolute"), ("conjugate", "conj"), ("mod", "remainder"),
    ("true_divide", "divide"),
])
def test_numpy2_names_are_aliases(alias, name):
    """NumPy 2's names exist on NumPy 1.26 too: they are the same functions here."""
    assert getattr(fnp, alias) is getattr(fnp, name)
    f = getattr(np, alias, getattr(np, name))  # NumPy 1.26 lacks some of the names
    x = np.array([1, 2]) if "shift" in name or name == "invert" else np.array([0.3, 1.6])
    args = (x,) * getattr(np, name).nin
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(getattr(fnp, alias)(*args), f(*args))


@pytest.mark.parametrize("name", NO_DERIVATIVE)
def test_functions_without_a_derivative_are_declared_so(name):
    rules = RULES[getattr(fnp, name).prim]
    assert rules.constant and rules.batch is not None


def test_rounding_has_a_zero_derivative_not_an_error():
    x = np.array([-1.7, -0.2, 0.4, 2.5])
    for f in (fnp.floor, fnp.ceil, fnp.rint, fnp.trunc, fnp.fix, fnp.sign, fnp.round,
              fnp.around, lambda v: fnp.round(v, 1)):
        assert_both(lambda v: f(v) * 1.0 + v, x, np.ones(4))


@pytest.mark.parametrize("f, np_f", [(fnp.round, np.round), (fnp.around, np.around)])
def test_round_takes_decimals(f, np_f):
    x = np.array([[1.2345, -2.5551], [0.5, 1.5]])
    for decimals in (0, 1, 2, -1):
        np.testing.assert_array_equal(f(x, decimals), np_f(x, decimals))
        np.testing.assert_array_equal(fgrad.vmap(lambda r: f(r, decimals=decimals))(x),
                                      np_f(x, decimals))
        _, t = fgrad.jvp(lambda v: f(v, decimals) + v, (x,), (np.ones_like(x),))
        np.testing.assert_array_equal(t, np.ones_like(x))


# -- kinks and zeros ---------------------------------------------------------------------

@pytest.mark.parametrize("f", [fnp.abs, fnp.fabs, lambda x: abs(x)], ids=["abs", "fabs", "op"])
def test_abs_and_fabs_have_derivative_zero_at_zero(f):
    assert_both(f, np.array([-2.0, -0.0, 0.0, 3.0]), [-1.0, 0.0, 0.0, 1.0])


def test_copysign_follows_abs_in_x1_and_is_flat_in_x2():
    x1 = np.array([2.0, 2.0, -2.0, 0.0, 2.0])
    x2 = np.array([1.0, -1.0, -3.0, -1.0, -0.0])
    g1, g2 = fgrad.grad(lambda a, b: fnp.sum(fnp.copysign(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_array_equal(g1, [1.0, -1.0, 1.0, 0.0, -1.0])
    np.testing.assert_array_equal(g2, np.zeros(5))
    _, t = fgrad.jvp(fnp.copysign, (x1, x2), (np.ones(5), np.ones(5)))
    np.testing.assert_array_equal(t, [1.0, -1.0, 1.0, 0.0, -1.0])
    assert_both(lambda b: fnp.copysign(2.0, b), x2, np.zeros(5))  # x2 alone: zero, no error


def test_heaviside_derivative_is_in_x2_where_x1_is_zero():
    x1 = np.array([-1.0, 0.0, -0.0, 2.0])
    x2 = np.array([0.3, 0.3, 0.7, 0.7])
    g1, g2 = fgrad.grad(lambda a, b: fnp.sum(fnp.heaviside(a, b)), argnums=(0, 1))(x1, x2)
    np.testing.assert_array_equal(g1, np.zeros(4))
    np.testing.assert_array_equal(g2, [0.0, 1.0, 1.0, 0.0])
    _, t = fgrad.jvp(fnp.heaviside, (x1, x2), (np.ones(4), np.ones(4)))
    np.testing.assert_array_equal(t, [0.0, 1.0, 1.0, 0.0])
    assert_both(lambda a: fnp.heaviside(a, 0.5), x1, np.zeros(4))  # x1 alone: zero, no error


def test_power_and_float_power_at_zero_give_no_nan():
    for f in (fnp.power, fnp.float_power):
        dx, dy = fgrad.grad(f, argnums=(0, 1))(0.0, 2.0)
        assert dx == 0.0 and dy == 0.0
        assert fgrad.grad(lambda x: f(x, 0.0))(0.0) == 0.0
        assert fgrad.grad(fgrad.grad(lambda x: f(x, 2.0)))(0.0) == 2.0


@pytest.mark.parametrize("f", [fnp.arctan2, fnp.hypot])
def test_arctan2_and_hypot_are_flat_at_the_origin(f):
    g = fgrad.grad(f, argnums=(0, 1))(0.0, 0.0)
    assert g == (0.0, 0.0)
    h = fgrad.hessian(lambda v: f(v[0], v[1]))(np.zeros(2))
    assert np.all(np.isfinite(h))


def test_arctan2_and_hypot_derivatives_do_not_overflow_or_underflow():
    for scale in (1e-200, 1e200):
        y, x = 3.0 * scale, 4.0 * scale
        dy, dx = fgrad.grad(fnp.arctan2, argnums=(0, 1))(y, x)
        np.testing.assert_allclose([dy, dx], np.array([4.0, -3.0]) / (25.0 * scale), rtol=1e-14)
        np.testing.assert_allclose(fgrad.grad(fnp.hypot, argnums=(0, 1))(y, x), [0.6, 0.8])


def test_angle_of_zero_and_of_reals_is_flat():
    assert both_modes(fnp.angle, np.complex128(0.0)) == (0.0, 0.0)
    assert both_modes(lambda z: fnp.angle(z, deg=True), np.complex128(0.0)) == (0.0, 0.0)
    x = np.array([-2.0, -0.0, 0.0, 3.0])
    assert_both(lambda v: fnp.angle(v) + 0.0 * v, x, np.zeros(4))


def test_angle_derivative_is_im_dz_over_z():
    z = np.array([1.0 + 2.0j, -3.0 + 0.5j, -1.0 - 1.0j])
    t = np.array([0.5 - 1.0j, 2.0 + 0.0j, 0.0 + 1.0j])
    _, jvp = fgrad.jvp(fnp.angle, (z,), (t,))
    np.testing.assert_allclose(jvp, np.imag(t / z), rtol=1e-14)
    _, jvp = fgrad.jvp(lambda w: fnp.angle(w, deg=True), (z,), (t,))
    np.testing.assert_allclose(jvp, np.imag(t / z) * 180 / np.pi, rtol=1e-14)
    # grad of a real function of z is df/dx - i df/dy
    np.testing.assert_allclose(fgrad.grad(lambda w: fnp.sum(fnp.angle(w)))(z),
                               -1j / z, rtol=1e-14)  # angle_x = -y / r^2, angle_y = x / r^2


def test_nan_to_num_passes_derivatives_only_where_x_is_finite():
    x = np.array([np.nan, np.inf, -np.inf, 2.0, -0.0])
    with np.errstate(invalid="ignore"):
        assert_both(fnp.nan_to_num, x, [0.0, 0.0, 0.0, 1.0, 1.0])
        assert_both(lambda v: fnp.nan_to_num(v, nan=1.0, posinf=5.0, neginf=-5.0), x,
                    [0.0, 0.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(
        fgrad.jvp(lambda v: fnp.nan_to_num(v, nan=1.0, posinf=5.0), (x,), (np.zeros_like(x),))[0],
        np.nan_to_num(x, nan=1.0, posinf=5.0))


def test_nan_to_num_of_complex_masks_each_part():
    z = np.array([complex(np.nan, 1.0), complex(2.0, np.inf), complex(1.0, 2.0)])
    t = np.array([1.0 + 1.0j, 1.0 + 1.0j, 3.0 - 2.0j])
    _, jvp = fgrad.jvp(fnp.nan_to_num, (z,), (t,))
    np.testing.assert_array_equal(jvp, [1.0j, 1.0, 3.0 - 2.0j])
    g = fgrad.vjp(fnp.nan_to_num, z)[1](t)[0]
    np.testing.assert_array_equal(g, [1.0j, 1.0, 3.0 - 2.0j])


def test_sinc_is_analytic_at_zero():
    """sinc(x) = 1 - (pi x)^2 / 6 + (pi x)^4 / 120 - ..., so its derivatives at 0 are
    0, -pi^2 / 3, 0, pi^4 / 5: no NaN, in either mode, at any order."""
    d1 = fgrad.grad(fnp.sinc)
    d2 = fgrad.grad(d1)
    d3 = fgrad.grad(d2)
    d4 = fgrad.grad(d3)
    assert d1(0.0) == 0.0
    np.testing.assert_allclose(d2(0.0), -np.pi ** 2 / 3, rtol=1e-15)
    assert d3(0.0) == 0.0
    np.testing.assert_allclose(d4(0.0), np.pi ** 4 / 5, rtol=1e-14)
    fwd2 = fgrad.jvp(lambda x: fgrad.jvp(fnp.sinc, (x,), (1.0,))[1], (0.0,), (1.0,))[1]
    np.testing.assert_allclose(fwd2, -np.pi ** 2 / 3, rtol=1e-15)
    for z in (np.float32(0.0), np.complex128(0.0), np.complex64(0.0)):
        g = fgrad.grad(fgrad.grad(fnp.sinc, holomorphic=True), holomorphic=True)(z) \
            if np.iscomplexobj(z) else d2(z)
        assert g.dtype == z.dtype and np.isclose(g, -np.pi ** 2 / 3, rtol=1e-6)


def test_sinc_derivative_is_continuous_where_its_series_ends():
    """Near 0 the derivative comes from a series, beyond |x| = 1/4 from the closed form."""
    x = np.array([0.25 - 1e-12, 0.25, 0.25 + 1e-12, -0.25 - 1e-12, -0.25 + 1e-12])
    exact = (np.cos(np.pi * x) - np.sinc(x)) / x
    for d in elementwise_both(fnp.sinc, x):
        np.testing.assert_allclose(d, exact, rtol=1e-14)
    d2 = fgrad.elementwise_grad(fgrad.elementwise_grad(fnp.sinc))(x)
    exact2 = -np.pi ** 2 * np.sinc(x) - 2 * exact / x
    np.testing.assert_allclose(d2, exact2, rtol=1e-12)


# -- ties and NaN --------------------------------------------------------------------------

@pytest.mark.parametrize("f", [fnp.maximum, fnp.minimum, fnp.fmax, fnp.fmin])
def test_ties_split_evenly(f):
    x = np.array([1.0, 2.0, -0.0])
    y = np.array([1.0, 3.0, 0.0])
    gx, gy = fgrad.grad(lambda a, b: fnp.sum(f(a, b)), argnums=(0, 1))(x, y)
    wins = 0.0 if f in (fnp.maximum, fnp.fmax) else 1.0
    np.testing.assert_array_equal(gx, [0.5, wins, 0.5])
    np.testing.assert_array_equal(gy, [0.5, 1.0 - wins, 0.5])
    assert fgrad.jvp(f, (1.0, 1.0), (2.0, 4.0))[1] == 3.0


@pytest.mark.parametrize("f", [fnp.fmax, fnp.fmin])
def test_fmax_and_fmin_give_the_derivative_to_the_number_not_the_nan(f):
    x = np.array([np.nan, 2.0, np.nan])
    y = np.array([1.0, np.nan, np.nan])
    gx, gy = fgrad.grad(lambda a, b: fnp.sum(f(a, b)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [0.0, 1.0, 0.5])
    np.testing.assert_array_equal(gy, [1.0, 0.0, 0.5])
    _, t = fgrad.jvp(f, (x, y), (np.full(3, 2.0), np.full(3, 4.0)))
    np.testing.assert_array_equal(t, [4.0, 2.0, 3.0])


def test_maximum_propagates_nan_and_fmax_does_not():
    x, y = np.array([np.nan, 1.0]), np.array([2.0, 3.0])
    gm = fgrad.grad(lambda a: fnp.sum(fnp.maximum(a, y)))(x)
    gf = fgrad.grad(lambda a: fnp.sum(fnp.fmax(a, y)))(x)
    np.testing.assert_array_equal(gm, [0.0, 0.0])
    np.testing.assert_array_equal(gf, [0.0, 0.0])
    np.testing.assert_array_equal(fnp.fmax(x, y), [2.0, 3.0])


@pytest.mark.parametrize("f, base", [(fnp.logaddexp, math.e), (fnp.logaddexp2, 2.0)])
def test_logaddexp_at_infinities(f, base):
    inf = np.inf
    x = np.array([inf, -inf, inf, -inf, 1.0, inf])
    y = np.array([1.0, 2.0, inf, -inf, 1.0, -inf])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value" from inf - inf
        gx, gy = fgrad.vjp(f, x, y)[1](np.ones(6))
        _, t = fgrad.jvp(f, (x, y), (np.ones(6), 2 * np.ones(6)))
    np.testing.assert_array_equal(gx[[0, 1, 2, 3, 5]], [1.0, 0.0, 0.5, 0.5, 1.0])
    np.testing.assert_array_equal(gy[[0, 1, 2, 3, 5]], [0.0, 1.0, 0.5, 0.5, 0.0])
    np.testing.assert_allclose([gx[4], gy[4]], [0.5, 0.5], rtol=1e-15)  # a finite tie
    np.testing.assert_array_equal(t, gx + 2 * gy)
    # at a finite tie, the second derivative is there: d^2/da^2 = ln(base) / 4
    h = fgrad.hessian(lambda v: f(v[0], v[1]))(np.array([0.3, 0.3]))
    np.testing.assert_allclose(h, np.log(base) / 4 * np.array([[1, -1], [-1, 1]]), rtol=1e-12)


def test_remainder_and_fmod_differ_in_the_quotient_they_hold():
    x, y = np.array([-5.5, 5.5, -5.5]), np.array([2.0, -2.0, -2.0])
    _, dy = fgrad.grad(lambda a, b: fnp.sum(fnp.remainder(a, b)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(dy, -np.floor(x / y))
    dx, dy = fgrad.grad(lambda a, b: fnp.sum(fnp.fmod(a, b)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(dx, np.ones(3))
    np.testing.assert_array_equal(dy, -np.trunc(x / y))


# -- clip --------------------------------------------------------------------------------

def test_clip_derivative_is_one_on_the_closed_interval():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    assert_both(lambda v: fnp.clip(v, -1.0, 1.0), x, [0.0, 1.0, 1.0, 1.0, 0.0])
    assert_both(lambda v: fnp.clip(v, min=-1.0), x, [0.0, 1.0, 1.0, 1.0, 1.0])
    assert_both(lambda v: fnp.clip(v, None, 1.0), x, [1.0, 1.0, 1.0, 1.0, 0.0])
    assert_both(lambda v: v.clip(-1.0, 1.0), x, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_bounds_take_the_derivative_outside():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    lo, hi = np.full(5, -1.0), np.full(5, 1.0)
    g = fgrad.grad(lambda a, b, c: fnp.sum(fnp.clip(a, b, c)), argnums=(0, 1, 2))(x, lo, hi)
    np.testing.assert_array_equal(g[0], [0.0, 1.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(g[1], [1.0, 0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(g[2], [0.0, 0.0, 0.0, 0.0, 1.0])
    g = fgrad.grad(lambda b: fnp.sum(fnp.clip(x, min=b, max=1.0)))(lo)
    np.testing.assert_array_equal(g, [1.0, 0.0, 0.0, 0.0, 0.0])


@pytest.mark.parametrize("args, kwargs", [
    ((-1.0, 1.0), {}), ((None, 0.5), {}), ((-0.5, None), {}), ((None, None), {}),
    ((), {"min": -0.5}), ((), {"max": 0.5}), ((), {"min": -0.5, "max": 0.5}), ((), {}),
    ((1.0, -1.0), {}), ((np.array([0.0, 1.0, -1.0, 0.0, 0.0, 0.0]), 0.5), {}),
], ids=["both", "hi", "lo", "none", "min", "max", "min_max", "no_bounds", "crossed", "array"])
def test_clip_values_and_dtypes_are_numpys(args, kwargs):
    for x in (np.array([-2.0, -1.0, np.nan, 0.25, 1.0, 3.0]),
              np.array([-2.0, -1.0, np.nan, 0.25, 1.0, 3.0], np.float32)):
        expected = np.clip(x, *args, **kwargs)
        traced = fgrad.jvp(lambda v: fnp.clip(v, *args, **kwargs), (x,), (np.ones_like(x),))[0]
        assert traced.dtype == expected.dtype
        np.testing.assert_array_equal(traced, expected)
        np.testing.assert_array_equal(fnp.clip(x, *args, **kwargs), expected)


def test_clip_errors_are_numpys():
    x = np.arange(3.0)
    for call in (lambda v: fnp.clip(v, 0.5), lambda v: fnp.clip(v, a_max=1.0)):
        with pytest.raises(TypeError, match="missing 1 required positional argument"):
            call(x)
        with pytest.raises(TypeError, match="missing 1 required positional argument"):
            fgrad.grad(lambda v: fnp.sum(call(v)))(x)
    with pytest.raises(ValueError, match="forbidden"):
        fgrad.grad(lambda v: fnp.sum(fnp.clip(v, 0.0, 1.0, max=2.0)))(x)
    with pytest.raises(TypeError, match="out="):
        fgrad.grad(lambda v: fnp.sum(fnp.clip(v, 0.0, 1.0, out=np.empty(3))))(x)


# -- i0 and i1 ----------------------------------------------------------------------------

def _i1_by_quadrature(x):
    """I1(x) = (1/pi) int_0^pi e^(x cos t) cos t dt: the trapezoidal rule on a periodic
    analytic integrand converges geometrically (scaled by e^-x against overflow)."""
    t = 2 * np.pi * np.arange(4096) / 4096
    x = np.asarray(x, dtype=float)[..., None]
    return np.exp(x[..., 0]) * np.mean(np.exp(x * (np.cos(t) - 1)) * np.cos(t), axis=-1)


def test_i1_is_accurate():
    x = np.concatenate([np.linspace(0.05, 40, 800), np.linspace(40, 700, 200)])
    expected = _i1_by_quadrature(x)
    np.testing.assert_allclose(ew._i1(x), expected, rtol=1e-13, atol=0)
    np.testing.assert_allclose(ew._i1(-x), -expected, rtol=1e-13, atol=0)
    small = np.geomspace(1e-300, 0.05, 50)  # the series: x/2 + x^3/16 + x^5/384 + ...
    np.testing.assert_allclose(ew._i1(small), small / 2 * (1 + small ** 2 / 8 + small ** 4 / 192
                                                           + small ** 6 / 9216), rtol=1e-15)


def test_i1_against_mpmath():
    mpmath = pytest.importorskip("mpmath")
    x = np.concatenate([np.geomspace(1e-8, 1, 20), np.linspace(1, 713, 300)])
    expected = np.array([float(mpmath.besseli(1, v)) for v in x])
    np.testing.assert_allclose(ew._i1(x), expected, rtol=1e-13, atol=0)


def test_i1_special_values_and_dtypes():
    with np.errstate(over="ignore"):
        out = ew._i1(np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 800.0, -800.0]))
    np.testing.assert_array_equal(out, [0.0, -0.0, np.inf, -np.inf, np.nan, np.inf, -np.inf])
    assert np.signbit(out[1])
    assert ew._i1(np.array([1.0, 2.0], np.float32)).dtype == np.float32
    assert ew._i1(np.array([1, 2])).dtype == np.float64
    x32 = np.array([1.0], np.float32)
    assert ew._i1(x32).dtype == np.i0(x32).dtype  # i0 and its derivative agree
    with pytest.raises(TypeError, match="complex"):
        ew._i1(np.array([1j]))


def test_i0_derivatives_are_i1_and_its_derivative():
    x = np.array([-3.0, -0.5, 0.0, 0.5, 3.0, 25.0])
    for d in elementwise_both(fnp.i0, x):
        np.testing.assert_allclose(d, _i1_by_quadrature(x), rtol=1e-13, atol=1e-15)
    d2 = fgrad.elementwise_grad(fgrad.elementwise_grad(fnp.i0))(x)
    ratio = np.divide(_i1_by_quadrature(x), x, out=np.full(6, 0.5), where=x != 0)
    np.testing.assert_allclose(d2, np.i0(x) - ratio, rtol=1e-13)
    assert d2[2] == 0.5
    check_grads(fnp.i0, (x,), order=3)


def test_i0_of_complex_is_numpys_error_under_tracing_too():
    with pytest.raises(TypeError, match="i0 not supported for complex"):
        fgrad.grad(lambda z: fnp.real(fnp.i0(z)))(np.complex128(1.0))


# -- complex branches ------------------------------------------------------------------------

HOLOMORPHIC = [fnp.exp, fnp.exp2, fnp.expm1, fnp.log, fnp.log2, fnp.log10, fnp.log1p, fnp.sqrt,
               fnp.square, fnp.reciprocal, fnp.sin, fnp.cos, fnp.tan, fnp.arcsin, fnp.arccos,
               fnp.arctan, fnp.sinh, fnp.cosh, fnp.tanh, fnp.arcsinh, fnp.arccosh, fnp.arctanh,
               fnp.sinc, fnp.negative, fnp.positive]
# every quadrant, off each function's cuts; -2 + 0.5j is where arccosh' is not 1/sqrt(z^2 - 1)
POINTS = np.array([0.3 + 0.4j, -2.0 + 0.5j, -0.7 - 1.6j, 1.5 - 0.2j, 0.1 - 0.001j])


@pytest.mark.parametrize("f", HOLOMORPHIC, ids=lambda f: f.__name__)
def test_holomorphic_derivatives_match_the_complex_difference_quotient(f):
    h = 1e-6
    for z in POINTS:
        expected = (f(z + h) - f(z - h)) / (2 * h)
        np.testing.assert_allclose((f(z + 1j * h) - f(z - 1j * h)) / (2j * h), expected,
                                   rtol=1e-6)  # the point is off a cut: f is holomorphic there
        got = fgrad.grad(f, holomorphic=True)(z)
        np.testing.assert_allclose(got, expected, rtol=1e-7)
        np.testing.assert_allclose(fgrad.jvp(f, (z,), (1.0 + 0j,))[1], got, rtol=1e-14)


def test_complex64_stays_complex64():
    z = np.array([0.3 + 0.4j, -2.0 + 0.5j], np.complex64)
    for f in HOLOMORPHIC + [fnp.abs, fnp.angle, fnp.nan_to_num]:
        g = fgrad.vjp(f, z)[1](np.ones(2, f(z).dtype))[0]
        assert g.dtype == np.complex64, f.__name__


def test_float_power_computes_in_float64_and_returns_the_input_dtype():
    x = np.array([1.5, 2.0], np.float32)
    out, t = fgrad.jvp(lambda v: fnp.float_power(v, 3), (x,), (np.ones(2, np.float32),))
    assert out.dtype == np.float64 and t.dtype == np.float64
    np.testing.assert_allclose(t, 3 * x.astype(np.float64) ** 2, rtol=1e-7)
    g = fgrad.grad(lambda v: fnp.sum(fnp.float_power(v, 3)))(x)
    assert g.dtype == np.float32
    z = np.array([1.0 + 1.0j], np.complex64)
    assert fgrad.vjp(lambda v: fnp.float_power(v, 2.0), z)[1](np.ones(1, complex))[0].dtype \
        == np.complex64


# -- errors ------------------------------------------------------------------------------------

def test_out_is_refused():
    x = np.ones(3)
    for f in (lambda v: fnp.exp2(v, out=np.empty(3)), lambda v: fnp.hypot(v, v, out=np.empty(3)),
              lambda v: fnp.round(v, 1, out=np.empty(3)), lambda v: fnp.fix(v, out=np.empty(3)),
              lambda v: fnp.sinc(v, out=np.empty(3))):
        with pytest.raises(TypeError, match="does not take out="):
            f(x)
        with pytest.raises(TypeError, match="does not take out="):
            fgrad.grad(lambda v: fnp.sum(f(v)))(x)
    with pytest.raises(TypeError, match="does not take out="):  # positional, under tracing
        fgrad.grad(lambda v: fnp.sum(fnp.around(v, 1, np.empty(3))))(x)


def test_functions_numpy_refuses_complex_for_are_refused_under_tracing_too():
    z = np.array([1.0 + 1.0j])
    for f in (fnp.fabs, fnp.cbrt, fnp.deg2rad, fnp.floor):
        with pytest.raises(TypeError, match="not supported for the input types"):
            fgrad.jvp(f, (z,), (z,))
    with pytest.raises(TypeError, match="not supported for the input types"):
        fgrad.jvp(lambda v: fnp.arctan2(v, v), (z,), (z,))


def test_unknown_keywords_are_refused_by_name():
    with pytest.raises(TypeError, match="decimal"):
        fgrad.grad(lambda v: fnp.sum(fnp.round(v, decimal=2)))(np.ones(2))
    with pytest.raises(TypeError, match="radians"):
        fgrad.grad(lambda v: fnp.sum(fnp.angle(v, radians=True)))(np.ones(2) + 0j)


# -- accuracy in the tails ---------------------------------------------------------------------

def test_tanh_derivative_keeps_its_tails():
    """tanh' = sech^2 from x: 1 - tanh^2 was exactly 0 past |x| = 19 (float32: past 9)."""
    x = np.array([-30.0, -19.5, 0.5, 10.0, 20.0, 400.0, 800.0])
    with np.errstate(over="ignore"):
        expected = 1 / np.cosh(x) ** 2  # 0 past 355, where it underflows
        for d in elementwise_both(fnp.tanh, x):
            np.testing.assert_allclose(d, expected, rtol=1e-14, atol=0)
    assert 0 < fgrad.grad(fnp.tanh)(20.0) < 2e-17
    x32 = np.array([10.0, -12.0], np.float32)
    g32 = fgrad.elementwise_grad(fnp.tanh)(x32)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, 1 / np.cosh(x32.astype(float)) ** 2, rtol=1e-5)
    # second derivative -2 tanh sech^2, also in the tails
    np.testing.assert_allclose(fgrad.grad(fgrad.grad(fnp.tanh))(20.0),
                               -2 * np.tanh(20.0) / np.cosh(20.0) ** 2, rtol=1e-13)


def test_expm1_and_arcsinh_derivatives_keep_their_tails():
    assert fgrad.grad(fnp.expm1)(-40.0) == np.exp(-40.0)
    assert both_modes(fnp.expm1, -800.0) == (0.0, 0.0)
    np.testing.assert_allclose(both_modes(fnp.arcsinh, 1e200), 1e-200, rtol=1e-15)
    np.testing.assert_allclose(both_modes(fnp.arcsinh, -3e-200), 1.0, rtol=1e-15)


# -- IEEE arithmetic in rules ------------------------------------------------------------------

def test_division_by_a_python_zero_gives_ieee_infinities():
    with np.errstate(divide="ignore"):
        assert fgrad.grad(lambda x: x / 0.0)(1.0) == np.inf
        assert fgrad.grad(lambda x: x / 0)(1.0) == np.inf
        assert fgrad.jvp(lambda x: x / 0.0, (1.0,), (1.0,))[1] == np.inf
        assert fgrad.grad(lambda y: 1.0 / y)(0.0) == -np.inf
        assert fgrad.grad(lambda x: fnp.log2(x) + fnp.log10(x))(0.0) == np.inf
        assert fgrad.grad(fnp.arctanh)(1.0) == np.inf
        assert fgrad.grad(fnp.log1p)(-1.0) == np.inf


# -- where: the condition is data --------------------------------------------------------------

def test_where_with_a_traced_float_condition():
    """The condition takes no derivative, whatever its dtype (it is tested against 0)."""
    x = np.array([0.0, 2.0, -1.5])
    f = lambda v: fnp.where(v, v, 3.0 * v)  # noqa: E731
    assert_both(f, x, [3.0, 1.0, 1.0])
    np.testing.assert_array_equal(fgrad.jacfwd(f)(x), np.diag([3.0, 1.0, 1.0]))
    np.testing.assert_array_equal(fgrad.jacrev(f)(x), np.diag([3.0, 1.0, 1.0]))
    np.testing.assert_array_equal(fgrad.hessian(lambda v: fnp.sum(f(v) ** 2))(x),
                                  np.diag([18.0, 2.0, 2.0]))
    np.testing.assert_array_equal(fgrad.vmap(f)(x), np.where(x, x, 3.0 * x))
    g = fgrad.grad(lambda c, v: fnp.sum(fnp.where(c, v, 0.0)), argnums=(0, 1))(x, x + 1)
    np.testing.assert_array_equal(g[0], np.zeros(3))
    np.testing.assert_array_equal(g[1], [0.0, 1.0, 1.0])


# -- ufunc keywords under a transform -------------------------------------------------------

def test_ufunc_dtype_is_a_cast_of_the_inputs():
    x = np.array([0.5, 1.5])
    g, t = elementwise_both(lambda v: fnp.sin(v, dtype=np.float32), x)
    assert g.dtype == np.float64 and t.dtype == np.float32
    np.testing.assert_allclose(g, np.cos(x.astype(np.float32)), rtol=1e-7)
    g = fgrad.grad(lambda a, b: fnp.sum(fnp.multiply(a, b, dtype=np.complex128).imag),
                   argnums=(0, 1))(x, x)
    np.testing.assert_array_equal(g, np.zeros((2, 2)))
    assert fgrad.hessian(lambda v: fnp.sum(fnp.square(v, dtype=np.float32)))(x).dtype \
        == np.float64


def test_ufunc_dtype_to_integers_has_no_derivative():
    x = np.array([0.5, 1.5, 2.7])
    f = lambda v: fnp.add(v, v, dtype=np.int64, casting="unsafe") * 1.0 + v  # noqa: E731
    assert_both(f, x, np.ones(3))
    np.testing.assert_array_equal(f(x), np.add(x, x, dtype=np.int64, casting="unsafe") + x)


@pytest.mark.filterwarnings("ignore:'where' used without 'out'")
def test_ufunc_keywords_without_meaning_under_a_transform_are_refused():
    x = np.array([0.5, 1.5])
    for f, word in [(lambda v: fnp.sin(v, where=v > 1), "where="),
                    (lambda v: fnp.add(v, v, signature="dd->d"), "signature="),
                    (lambda v: fnp.modf(v, dtype=np.float32)[0], "dtype=")]:
        with pytest.raises(TypeError, match=f"takes no {word} keyword under a transform"):
            fgrad.jvp(f, (x,), (x,))
        with pytest.raises(TypeError, match=f"takes no {word} keyword under a transform"):
            fgrad.grad(lambda v: fnp.sum(f(v)))(x)
    np.testing.assert_array_equal(fnp.sin(x, casting="same_kind", order="C"), np.sin(x))
    assert_both(lambda v: fnp.sin(v, casting="same_kind", order="C", subok=True), x, np.cos(x))


# -- ldexp, and the functions of the float spacing ---------------------------------------------

def test_ldexp_scales_the_derivative_exactly():
    x1 = np.array([[0.5, -1.5, 3.0]])
    x2 = np.array([[-3], [0], [5]])
    g = fgrad.grad(lambda v: fnp.sum(fnp.ldexp(v, x2)))(x1)
    np.testing.assert_array_equal(g, [[2.0 ** -3 + 1 + 2.0 ** 5] * 3])
    _, t = fgrad.jvp(lambda v: fnp.ldexp(v, x2), (x1,), (np.ones((1, 3)),))
    np.testing.assert_array_equal(t, np.broadcast_to(2.0 ** x2, (3, 3)))
    x32 = np.float32(1.5)
    assert fgrad.grad(lambda v: fnp.ldexp(v, 3))(x32) == 8 and \
        fgrad.grad(lambda v: fnp.ldexp(v, 3))(x32).dtype == np.float32
    with np.errstate(over="ignore", invalid="ignore"):  # 2^2000 * 0.0 in the primal
        assert fgrad.grad(lambda v: fnp.ldexp(v, 2000) * 0.0)(1.0) == 0.0


def test_spacing_nextafter_isneginf_isposinf_have_no_derivative():
    x = np.array([-np.inf, -1.0, 0.0, 2.0, np.inf])
    for f in (fnp.spacing, lambda v: fnp.nextafter(v, 0.0), fnp.isneginf, fnp.isposinf):
        assert_both(lambda v: f(v) * 1.0 + v, x[1:-1], np.ones(3))
    np.testing.assert_array_equal(fnp.isneginf(x), np.isneginf(x))
    np.testing.assert_array_equal(fgrad.vmap(fnp.isposinf)(x), np.isposinf(x))


# -- dtypes: every cotangent has its primal's dtype ---------------------------------------------

BINARY = [fnp.add, fnp.subtract, fnp.multiply, fnp.divide, fnp.power, fnp.float_power,
          fnp.maximum, fnp.minimum, fnp.fmax, fnp.fmin, fnp.logaddexp, fnp.arctan2, fnp.hypot,
          fnp.remainder, fnp.fmod, fnp.copysign, ew.strong_multiply,
          lambda a, b: fnp.where(a > 1, a, b)]
PAIRS = [(np.float32, np.float64), (np.float64, np.float32), (np.float16, np.float32),
         (np.float64, np.complex128), (np.complex64, np.float64), (np.float32, np.complex64)]


@pytest.mark.parametrize("f", BINARY)
@pytest.mark.parametrize("dtypes", PAIRS, ids=lambda d: f"{np.dtype(d[0])}-{np.dtype(d[1])}")
def test_mixed_dtypes_give_each_argument_its_own_dtype(f, dtypes):
    a = np.array([1.5, 2.5, 0.7]).astype(dtypes[0])
    b = np.array([0.5, 1.2, 3.0]).astype(dtypes[1])
    try:
        out = f(a, b)
    except TypeError:  # NumPy has no such loop (real-only functions of complex)
        return
    with np.errstate(all="ignore"):
        ga, gb = fgrad.vjp(f, a, b)[1](np.ones(out.shape, out.dtype))
        # the VJP of a JVP along complex tangents of (possibly) real primals
        t, vjp_fn = fgrad.vjp(lambda x, y: fgrad.jvp(f, (x, y), (x * 1j, y * 1j))[1], a, b)
        ta, tb = vjp_fn(np.ones(t.shape, t.dtype))
    assert (ga.dtype, gb.dtype, ta.dtype, tb.dtype) == (a.dtype, b.dtype) * 2


# -- inputs of every kind -------------------------------------------------------------------------

def _pull(fun, xs):
    out, vjp_fn = fgrad.vjp(fun, *xs)
    return out, vjp_fn(tree_map(lambda o: np.ones(np.shape(o), np.asarray(o).dtype), out))


def _strided(a):
    """``a`` as a non-contiguous view (every other element of a larger array)."""
    big = np.zeros(a.shape + (2,), a.dtype)
    big[..., 0] = a
    return big[..., 0]


def _read_only(a):
    a = a.copy()
    a.flags.writeable = False
    return a


def input_kinds_agree(spec, shapes):
    """A spec row's VJP on read-only and non-contiguous arrays, NumPy scalars and Python
    floats equals its VJP on fresh arrays; on float16 it is float16, and close."""
    args = _args(spec, shapes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, expected = _pull(spec.fun, args)
        kinds = {"read-only": [_read_only(a) for a in args], "strided": map(_strided, args)}
        if all(a.ndim == 0 for a in args):
            kinds["NumPy scalars"] = [a[()] for a in args]
            if all(a.dtype == np.float64 for a in args):
                kinds["Python floats"] = [float(a) for a in args]
        for kind, xs in kinds.items():
            xs = list(xs)
            for ct, x, e in zip(_pull(spec.fun, xs)[1], xs, expected, strict=True):
                assert np.asarray(ct).dtype == np.asarray(x).dtype, kind
                np.testing.assert_allclose(ct, e, rtol=1e-12, atol=1e-14, err_msg=kind)
        if spec.float32 and all(a.dtype == np.float64 for a in args):
            xs = [a.astype(np.float16) for a in args]
            out, cts = _pull(spec.fun, xs)
            if all(np.all(np.isfinite(np.asarray(o, float))) for o in tree_leaves(out)):
                for ct, e in zip(cts, expected, strict=True):
                    assert ct.dtype == np.float16
                    np.testing.assert_allclose(ct.astype(float), e, rtol=3e-2,
                                               atol=3e-2 * (1 + np.max(np.abs(e), initial=0)))


def rows_of(module):
    return [pytest.param(spec, shapes, id=f"{spec.name}-{shapes}")
            for spec in module.SPECS if spec.order > 0 for shapes in spec.shapes]


@pytest.mark.parametrize("spec, shapes", rows_of(specs.elementwise))
def test_inputs_of_every_kind(spec, shapes):
    input_kinds_agree(spec, shapes)


@pytest.mark.parametrize("f", [fnp.sin, fnp.sqrt, fnp.tanh, fnp.abs, fnp.exp, fnp.sinc, fnp.i0,
                               lambda x: x * x, lambda x: fnp.maximum(x, 0.5),
                               lambda x: fnp.where(x > 1, x, 0.0), lambda x: x ** 2.5])
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
def test_empty_arrays(f, shape):
    x = np.ones(shape)
    g, t = elementwise_both(f, x)
    assert g.shape == t.shape == shape and g.dtype == t.dtype == np.float64
    assert fgrad.vmap(f)(x).shape == shape
