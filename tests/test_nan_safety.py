"""A zero (co)tangent stays zero through a rule whose local derivative is infinite or NaN.

``where(x > 0, sqrt(x), 0.)`` at a negative x has derivative 0: the branch where() throws
away is flat for the output, whatever sqrt' is there. Every anchor (autograd, JAX) gives
NaN; fgrad multiplies (co)tangents by local derivatives with ``strong_multiply``, where a
factor exactly 0 wins against inf and NaN, in both modes and at every order. A nonzero
(co)tangent still meets the infinity: genuine infinities and NaNs are kept.
"""
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.numpy.elementwise import strong_multiply


@pytest.fixture(autouse=True)
def _quiet():
    """The primal passes meet poles and overflows on purpose: NumPy warns, as it should."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.filterwarnings("ignore", "grad: the output does not depend")
        yield


def _second_orders(f, x):
    """f'' at x by reverse over reverse, forward over reverse, reverse over forward."""
    df = fgrad.grad(f)
    return (fgrad.grad(df)(x), fgrad.jvp(df, (x,), (1.0,))[1],
            fgrad.grad(lambda y: fgrad.jvp(f, (y,), (1.0,))[1])(x))


def _all_derivatives(f, x):
    """First derivative in both modes, and the three second derivatives, at x."""
    return (fgrad.grad(f)(x), fgrad.jvp(f, (x,), (1.0,))[1], *_second_orders(f, x))


# -- the examples -----------------------------------------------------------------

GUARDED = [
    ("sqrt at x < 0", lambda x: fnp.where(x > 0, fnp.sqrt(x), 0.), -1.0),
    ("sqrt at 0", lambda x: fnp.where(x > 0, fnp.sqrt(x), 0.), 0.0),
    ("1/x at 0", lambda x: fnp.where(x != 0, 1 / x, 0), 0.0),
    ("log at 0", lambda x: fnp.where(x > 0, fnp.log(x), 0), 0.0),
    ("x ** 0.5 at 0", lambda x: fnp.where(x > 0, x ** 0.5, 0), 0.0),
    ("x ** 0.5 at x < 0", lambda x: fnp.where(x > 0, x ** 0.5, 0), -1.0),
    # the masked value enters the function instead: the forward-mode tangent is zero
    ("sqrt of the masked value", lambda x: fnp.sqrt(fnp.where(x > 0, x, 0.)), -1.0),
    ("log of the masked value", lambda x: fnp.log(fnp.where(x > 0, x, 0.)), -1.0),
    ("1/x of the masked value", lambda x: 1 / fnp.where(x > 0, x, 0.), -1.0),
    ("exp past its overflow", lambda x: fnp.where(x < 700, fnp.exp(x), 0.), 1000.0),
]


@pytest.mark.parametrize("f, x", [c[1:] for c in GUARDED], ids=[c[0] for c in GUARDED])
def test_guarded_singularities_have_derivative_zero(f, x):
    assert [float(d) for d in _all_derivatives(f, x)] == [0.0] * 5


def test_elsewhere_the_derivatives_are_untouched():
    f = GUARDED[0][1]
    x = np.array([-1.0, 0.0, 0.25, 4.0])
    expected = np.where(x > 0, 0.5 / np.sqrt(np.maximum(x, 1e-300)), 0.0)
    np.testing.assert_allclose(fgrad.elementwise_grad(f)(x), expected)
    np.testing.assert_allclose(fgrad.jvp(f, (x,), (np.ones(4),))[1], expected)
    hessian_diagonal = np.diag(fgrad.hessian(lambda x: fnp.sum(f(x)))(x))
    np.testing.assert_allclose(hessian_diagonal,
                               np.where(x > 0, -0.25 * np.maximum(x, 1e-300) ** -1.5, 0.0))


def test_vmap_of_the_gradient():
    f = GUARDED[2][1]  # where(x != 0, 1 / x, 0)
    x = np.array([0.0, 2.0, -4.0])
    np.testing.assert_array_equal(fgrad.vmap(fgrad.grad(f))(x), [0.0, -0.25, -0.0625])


def test_missing_labels_as_nan_in_a_masked_loss():
    """NaN marks a missing label; the masked squared error's gradient is finite."""
    y = np.array([1.0, np.nan, 3.0])

    def loss(p):
        err = fnp.where(np.isnan(y), 0.0, (p - y) ** 2)
        return fnp.sum(err * fnp.tanh(p) / fnp.cosh(p))

    p = np.array([0.5, 0.5, 0.5])
    g = fgrad.grad(loss)(p)
    assert np.all(np.isfinite(g)) and g[1] == 0.0
    assert np.all(np.isfinite(fgrad.hessian(loss)(p)))


# -- every rule with a pole, a branch point or an overflow ---------------------------------

SINGULAR = [
    ("sqrt", fnp.sqrt, [0.0, -1.0]), ("cbrt", fnp.cbrt, [0.0]),
    ("log", fnp.log, [0.0]), ("log2", fnp.log2, [0.0]), ("log10", fnp.log10, [0.0]),
    ("log1p", fnp.log1p, [-1.0]),
    ("reciprocal", fnp.reciprocal, [0.0]), ("arcsin", fnp.arcsin, [1.0, 2.0]),
    ("arccos", fnp.arccos, [-1.0, 2.0]), ("arctanh", fnp.arctanh, [1.0]),
    ("arccosh", fnp.arccosh, [1.0, 0.5]), ("exp", fnp.exp, [1000.0]),
    ("exp2", fnp.exp2, [2000.0]), ("expm1", fnp.expm1, [1000.0]),
    ("sinh", fnp.sinh, [1000.0]), ("cosh", fnp.cosh, [1000.0]), ("i0", fnp.i0, [1000.0]),
    ("sin at NaN", fnp.sin, [np.nan]), ("tanh at NaN", fnp.tanh, [np.nan]),
    ("power 0.5", lambda x: x ** 0.5, [0.0, -1.0]), ("power -1", lambda x: x ** -1.0, [0.0]),
    ("power of 0", lambda y: fnp.power(0.0, y), [-1.0]),
    ("float_power", lambda x: fnp.float_power(x, 0.5), [0.0]),
    ("divide by", lambda x: 1.0 / x, [0.0]), ("divide", lambda x: x / 0.0, [1.0]),
    ("multiply by inf", lambda x: x * np.inf, [1.0]),
    ("remainder by", lambda y: fnp.remainder(1.0, y), [0.0]),
    ("fmod by", lambda y: fnp.fmod(1.0, y), [0.0]),
    ("divmod by", lambda y: fnp.divmod(1.0, y)[1], [0.0]),
    ("arctan2 at NaN", lambda x: fnp.arctan2(x, 1.0), [np.nan]),
    ("abs at NaN", fnp.abs, [np.nan]), ("hypot at NaN", lambda x: fnp.hypot(x, 1.0), [np.nan]),
    ("prod with inf", lambda x: fnp.prod(fnp.stack([x, np.inf])), [1.0]),
    ("max at NaN", lambda x: fnp.max(fnp.stack([x, 1.0])), [np.nan]),
    ("cumprod with inf", lambda x: fnp.cumprod(fnp.stack([np.inf, x]))[1], [1.0]),
]
CASES = [pytest.param(f, x, id=f"{name}({x})") for name, f, xs in SINGULAR for x in xs]


@pytest.mark.parametrize("f, x", CASES)
def test_a_masked_singular_branch_has_derivative_zero(f, x):
    masked = lambda x: fnp.where(np.array(False), f(x), 0.0)  # noqa: E731
    assert [float(d) for d in _all_derivatives(masked, x)] == [0.0] * 5


@pytest.mark.parametrize("f, x", CASES)
def test_a_singular_point_reached_with_a_zero_tangent(f, x):
    """f at a point that does not move with x (a where() that picked a constant)."""
    pinned = lambda y: f(fnp.where(np.array(True), x, y))  # noqa: E731
    assert [float(d) for d in _all_derivatives(pinned, 0.5)] == [0.0] * 5


@pytest.mark.parametrize("f, x", [(fnp.sqrt, 0.0), (fnp.sqrt, -1.0), (fnp.log, 0.0),
                                  (lambda x: 1 / x, 0.0), (fnp.exp, 1000.0),
                                  (fnp.arcsin, 2.0), (lambda x: x ** 0.5, 0.0)])
def test_unmasked_the_singularity_shows(f, x):
    """A nonzero (co)tangent meets the infinity or NaN: no derivative is invented."""
    assert not np.isfinite(fgrad.grad(f)(x))
    assert not np.isfinite(fgrad.jvp(f, (x,), (1.0,))[1])


def test_complex_pole():
    f = lambda z: fnp.where(z != 0, 1 / z, 0)  # noqa: E731
    assert fgrad.grad(f, holomorphic=True)(0j) == 0
    assert fgrad.jvp(f, (0j,), (1 + 0j,))[1] == 0


# -- strong_multiply itself -----------------------------------------------------------------

def test_strong_multiply_values():
    a = np.array([0.0, 0.0, -0.0, 2.0, np.nan, np.inf, 3.0, 0.0])
    b = np.array([np.inf, np.nan, -np.inf, np.inf, 2.0, 0.0, 4.0, 5.0])
    np.testing.assert_array_equal(strong_multiply(a, b),
                                  [0.0, 0.0, 0.0, np.inf, np.nan, 0.0, 12.0, 0.0])
    assert strong_multiply(0.0, np.inf) == 0 and np.isnan(strong_multiply(1.0, np.nan))
    assert strong_multiply(np.float32(0), np.float32(np.inf)).dtype == np.float32
    assert strong_multiply(np.zeros((2, 1), np.float32), np.full(3, np.inf, np.float32)) \
        .tolist() == [[0.0] * 3] * 2
    z = strong_multiply(np.array([0j, 1j]), np.array([complex(np.inf, 1), 2.0]))
    np.testing.assert_array_equal(z, [0j, 2j])
    assert type(strong_multiply(1j, np.float64(2.0))) is np.complex128


def test_a_zero_cotangent_from_underflow_is_still_zero():
    """The price of the rule: 0 * inf is 0 also where the zero is an underflow. The
    naive softplus at 1000 has an infinite value, and its derivative comes out 0."""
    naive = lambda x: fnp.log(1 + fnp.exp(x))  # noqa: E731
    assert naive(1000.0) == np.inf and fgrad.grad(naive)(1000.0) == 0.0
    # a saturating output keeps the right derivative (here about -e^-1000, i.e. -0)
    assert fgrad.grad(lambda x: 1 / (1 + fnp.exp(x)))(1000.0) == 0.0
