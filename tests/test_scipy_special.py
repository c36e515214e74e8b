"""fgrad.scipy.special beyond the spec rows: refusals naming the argument, the conventions
at degenerate points (xlogy at x = 0, logsumexp with infinite entries and signed weights,
rgamma at its zeros, entropies at 0), stability at extreme inputs, and values against
SciPy's at those points."""
import math

import numpy as np
import pytest

scipy = pytest.importorskip("scipy")

import scipy.special as sc  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.scipy import census  # noqa: E402
from fgrad.scipy import special as sp  # noqa: E402

INF = np.inf


def grad_of(f, argnums=0):
    return fgrad.grad(lambda *xs: fnp.sum(f(*xs)), argnums=argnums)


# -- refusals name the argument --------------------------------------------------------
REFUSED = [  # (name, function of the refused argument, index, argument name)
    ("betainc", lambda a: sp.betainc(a, 1.5, 0.3), 0, "a"),
    ("betainc", lambda b: sp.betainc(2.0, b, 0.3), 1, "b"),
    ("gammainc", lambda a: sp.gammainc(a, 1.2), 0, "a"),
    ("gammaincc", lambda a: sp.gammaincc(a, 1.2), 0, "a"),
    ("iv", lambda v: sp.iv(v, 1.2), 0, "v"),
    ("ive", lambda v: sp.ive(v, 1.2), 0, "v"),
    ("jn", lambda n: sp.jn(n, 1.2), 0, "n"),
    ("yn", lambda n: sp.yn(n, 1.2), 0, "n"),
    ("polygamma", lambda n: sp.polygamma(n, 1.2), 0, "n"),
    ("zeta", lambda x: sp.zeta(x, 1.5), 0, "x"),
    ("zeta", lambda x: sp.zeta(x), 0, "x"),
]


@pytest.mark.parametrize("name, f, i, arg", REFUSED, ids=[f"{r[0]}-{r[3]}" for r in REFUSED])
def test_no_derivative_in_a_parameter_is_refused_naming_it(name, f, i, arg):
    message = f"primitive '{name}' is not differentiable in its argument {i} \\('{arg}'\\)"
    with pytest.raises(NotImplementedError, match="reverse mode: " + message):
        fgrad.grad(f)(2.0)
    with pytest.raises(NotImplementedError, match="forward mode: " + message):
        fgrad.jvp(f, (2.0,), (1.0,))


def test_the_coverage_page_lists_the_constant_arguments():
    rows = {r.name: r for r in census.coverage()}
    assert rows["special.betainc"].constant_in == ("a", "b")
    assert rows["special.iv"].constant_in == ("v",)
    assert rows["special.zeta"].constant_in == ("x",)
    assert rows["special.gammaln"].constant_in == ()
    assert rows["special.gammasgn"].status == "nondifferentiable"
    assert rows["special.logsumexp"].status == "composition"
    assert set(sp.__all__) == {n.split(".", 1)[1] for n in rows if n.startswith("special.")}


def test_the_plain_path_is_scipys_own():
    x = np.array([0.5, 1.5])
    assert sp.gammaln.__wrapped__ is sc.gammaln and sp.psi is sp.digamma
    assert type(sp.logsumexp(x)) is type(sc.logsumexp(x)) is np.float64
    assert sp.gammaln(np.float32(2.5)).dtype == np.float32


# -- xlogy, xlog1py, entropies -----------------------------------------------------------
def test_xlogy_at_x_zero_has_zero_derivative_in_y():
    for y in (0.0, 1.0, 2.5):
        assert grad_of(sp.xlogy, 1)(0.0, y) == 0.0
        assert fgrad.jvp(lambda y: sp.xlogy(0.0, y), (y,), (1.0,))[1] == 0.0
    assert grad_of(sp.xlogy, 0)(0.0, 2.5) == np.log(2.5)
    assert grad_of(sp.xlog1py, 1)(0.0, -1.0) == 0.0
    assert grad_of(sp.xlog1py, 0)(0.0, 1.5) == np.log1p(1.5)
    # second order at x = 0 stays finite: d2/dxdy xlogy = 1/y
    assert fgrad.grad(lambda x: grad_of(sp.xlogy, 1)(x, 2.0))(0.0) == 0.5


def test_entropies_at_zero_and_outside_the_domain():
    assert grad_of(sp.entr)(np.array([0.0, -1.0, 1.0])).tolist() == [INF, 0.0, -1.0]
    gx, gy = grad_of(sp.rel_entr, (0, 1))(np.array([0.0, -1.0, 1.0]), np.array([2.0, 1.0, 2.0]))
    np.testing.assert_allclose(gx, [0.0, 0.0, np.log(0.5) + 1])
    np.testing.assert_allclose(gy, [0.0, 0.0, -0.5])
    gx, gy = grad_of(sp.kl_div, (0, 1))(np.array([0.0, 1.0]), np.array([2.0, 2.0]))
    np.testing.assert_allclose(gx, [-1.0, np.log(0.5)])
    np.testing.assert_allclose(gy, [1.0, 0.5])


# -- logsumexp: infinities, weights, signs -----------------------------------------------
def _traced_value(f, *args):
    return fgrad.jvp(f, args, tuple(np.ones_like(a) for a in args))[0]


LSE_EDGES = [  # a, b
    (np.array([-INF, 0.0, 1.0]), None),
    (np.array([-INF, -INF, -INF]), None),
    (np.array([INF, 0.0, 1.0]), None),
    (np.array([INF, INF, 1.0]), None),
    (np.array([INF, 0.0, 1.0]), np.array([0.0, 1.0, 2.0])),
    (np.array([0.5, 0.0, 1.0]), np.array([0.0, -1.0, 2.0])),
    (np.array([0.5, 0.0, 1.0]), np.array([1.0, -1.0, -2.0])),
    (np.array([0.5, 0.0, 1.0]), np.array([0.0, 0.0, 0.0])),
]


@pytest.mark.parametrize("a, b", LSE_EDGES)
def test_logsumexp_values_at_the_edges_are_scipys(a, b):
    for sign in (False, True):
        expected = sc.logsumexp(a, b=b, return_sign=sign)
        if b is None:
            actual = _traced_value(lambda a: sp.logsumexp(a, return_sign=sign), a)
        else:
            actual = _traced_value(lambda a, b: sp.logsumexp(a, b=b, return_sign=sign), a, b)
        np.testing.assert_array_equal(actual, expected)


def test_logsumexp_gradients_at_infinite_entries():
    g = grad_of(sp.logsumexp)
    np.testing.assert_allclose(g(np.array([-INF, 0.0, 1.0])), sc.softmax([-INF, 0.0, 1.0]))
    assert g(np.array([-INF, -INF, -INF])).tolist() == [1 / 3] * 3  # shared, like logaddexp
    assert g(np.array([INF, 0.0, 1.0])).tolist() == [1.0, 0.0, 0.0]
    assert g(np.array([INF, INF, 1.0])).tolist() == [0.5, 0.5, 0.0]
    assert fgrad.jvp(sp.logsumexp, (np.array([INF, 0.0]),), (np.array([1.0, 1.0]),))[1] == 1.0


def test_logsumexp_with_zero_and_negative_weights():
    a, b = np.array([INF, 0.0, 1.0]), np.array([0.0, 1.0, 2.0])  # b = 0 drops the inf entry
    ga, gb = grad_of(lambda a, b: sp.logsumexp(a, b=b), (0, 1))(a, b)
    total = 1 + 2 * math.e
    np.testing.assert_allclose(ga, [0.0, 1 / total, 2 * math.e / total])
    np.testing.assert_allclose(gb[1:], [1 / total, math.e / total])
    # a negative sum: value and sign, with the derivative of log|sum| in both arguments
    a, b = np.array([0.5, 0.0, 1.0]), np.array([1.0, -1.0, -2.0])

    def log_abs(a, b):
        return sp.logsumexp(a, b=b, return_sign=True)[0]
    ga, gb = grad_of(log_abs, (0, 1))(a, b)
    s = np.sum(b * np.exp(a))
    np.testing.assert_allclose(ga, b * np.exp(a) / s)
    np.testing.assert_allclose(gb, np.exp(a) / s)
    # without return_sign the value is NaN there, and its derivative 0 (no NaN)
    ga = grad_of(lambda a: sp.logsumexp(a, b=b))(a)
    assert np.isnan(sp.logsumexp(a, b=b)) and ga.tolist() == [0.0, 0.0, 0.0]
    # every weight 0: log 0 = -inf; a has no derivative, b an infinite one
    ga, gb = grad_of(lambda a, b: sp.logsumexp(a, b=b), (0, 1))(a, np.zeros(3))
    assert ga.tolist() == [0.0] * 3 and gb.tolist() == [INF] * 3


def test_logsumexp_under_vmap_with_only_b_batched_and_broadcasting():
    a = np.array([[0.1, 0.2, 0.3], [1.0, -1.0, 0.5]])
    bs = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, 0.0]])
    out = fgrad.vmap(lambda b: sp.logsumexp(a, axis=1, b=b), in_axes=0)(bs)
    np.testing.assert_allclose(out, [sc.logsumexp(a, axis=1, b=b) for b in bs], rtol=1e-14)
    out = fgrad.vmap(lambda a: sp.logsumexp(a, axis=0, b=bs[0], keepdims=True))(
        np.stack([a, 2 * a]))
    np.testing.assert_allclose(out, [sc.logsumexp(x, 0, bs[0], True) for x in (a, 2 * a)])


def test_softmax_with_minus_inf_entries_has_finite_derivatives():
    x = np.array([-INF, 0.0, 1.0])
    jac = fgrad.jacobian(sp.softmax)(x)
    assert np.all(np.isfinite(jac)) and np.all(jac[:, 0] == 0)
    jac = fgrad.jacobian(sp.log_softmax)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(jac, np.eye(2) - sc.softmax([1.0, 2.0]))


# -- rgamma at its zeros, stability at extreme inputs --------------------------------------
def test_rgamma_is_differentiable_at_its_zeros():
    poles = np.array([0.0, -1.0, -2.0, -3.0])
    n = -poles
    slope = (-1) ** n * sc.factorial(n)
    np.testing.assert_allclose(grad_of(sp.rgamma)(poles), slope, rtol=1e-12)
    # 1/Gamma(-n + e) = (-1)^n n! (e - psi(n + 1) e^2 + ...): second derivative -2 psi(n+1) slope
    second = fgrad.grad(lambda x: fgrad.grad(sp.rgamma)(x))
    for x, s, k in zip(poles, slope, n):
        np.testing.assert_allclose(second(x), -2 * s * sc.digamma(k + 1), rtol=1e-10, atol=1e-12)


def test_log_ndtr_far_left_has_the_asymptotic_derivative():
    for x in (-40.0, -1e3, -1e5):
        g = grad_of(sp.log_ndtr)(x)
        assert np.isfinite(g)
        np.testing.assert_allclose(g, -x * (1 + 1 / x**2), rtol=1e-6)
    assert grad_of(sp.log_ndtr)(40.0) == 0.0
    g32 = grad_of(sp.log_ndtr)(np.float32(-40.0))
    assert g32.dtype == np.float32 and abs(g32 - 40.025) < 0.01


def test_logistic_functions_at_extreme_inputs():
    x = np.array([-800.0, -40.0, 40.0, 800.0])
    g = grad_of(sp.expit)(x)
    np.testing.assert_allclose(g, np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))) ** 2)
    np.testing.assert_allclose(grad_of(sp.log_expit)(x), sc.expit(-x))
    np.testing.assert_allclose(grad_of(sp.erfinv)(np.array([0.0])), [math.sqrt(math.pi) / 2])
    np.testing.assert_allclose(grad_of(sp.ndtri)(np.array([0.5])), [math.sqrt(2 * math.pi)])


def test_bessel_and_incomplete_functions_at_zero():
    x = np.zeros(1)
    assert grad_of(sp.i1)(x).tolist() == [0.5] and grad_of(sp.i1e)(x).tolist() == [0.5]
    np.testing.assert_allclose(grad_of(lambda x: sp.betainc(1.0, 3.0, x))(x), [3.0])
    np.testing.assert_allclose(grad_of(lambda x: sp.gammainc(1.0, x))(x), [1.0])
    np.testing.assert_allclose(grad_of(lambda x: sp.gammaincc(1.0, x))(x), [-1.0])


def test_derivatives_in_the_parameters_that_have_one():
    a, b = 2.5, 1.5
    ga, gb = fgrad.grad(sp.betaln, (0, 1))(a, b)
    np.testing.assert_allclose([ga, gb], [sc.digamma(a) - sc.digamma(a + b),
                                          sc.digamma(b) - sc.digamma(a + b)])
    np.testing.assert_allclose(fgrad.grad(lambda q: sp.zeta(3.0, q))(1.5),
                               -3 * sc.zeta(4.0, 1.5))
    np.testing.assert_allclose(fgrad.grad(lambda x: sp.multigammaln(x, 3))(2.5),
                               sum(sc.digamma(2.5 - j / 2) for j in range(3)))


def test_multigammaln_refuses_what_scipy_refuses():
    with pytest.raises(ValueError, match="condition a"):
        fgrad.grad(lambda a: sp.multigammaln(a, 4))(1.0)
    with pytest.raises(ValueError, match="d should be a positive integer"):
        fgrad.grad(lambda a: sp.multigammaln(a, 2.5))(3.0)
