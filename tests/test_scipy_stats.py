"""fgrad.scipy.stats against scipy.stats: values (in the tails and off the support too),
conventions off the support, refusals that name the argument, multivariate_normal's
covariance forms and derivatives, and the Student-t example."""
import inspect

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

scipy = pytest.importorskip("scipy")
import scipy.stats as ss  # noqa: E402

import fgrad  # noqa: E402
import fgrad.scipy.stats as fs  # noqa: E402
from fgrad.testing import check_grads  # noqa: E402
from helpers import load_example, traced  # noqa: E402

X = np.array([-40.0, -30.0, -5.0, -1.5, -0.3, 0.0, 0.2, 0.7, 1.0, 1.5, 3.0, 8.0, 40.0])
K = np.array([-1.0, 0.0, 1.0, 2.0, 2.5, 3.0, 10.0, 40.0])
Q = np.array([-1.0, 0.0, 1e-300, 0.01, 0.5, 0.99, 1.0, 2.0])
CASES = {  # distribution: (functions, parameter sets, points)
    "norm": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
             [(0.3, 1.7), (0.0, -1.0), (1.0, 0.0)], X),
    "t": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
          [(3.0,), (0.7, 0.1, 2.0), (np.inf,), (-1.0,), (25.0, -1.0, 0.5)], X),
    "gamma": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
              [(2.5,), (0.5, 0.1, 2.0), (1.0,), (-1.0,)], X),
    "chi2": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
             [(3.0,), (1.5, 0.0, 2.0), (2.0,), (0.0,)], X),
    "beta": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
             [(2.0, 3.0, -0.5, 2.0), (0.5, 0.7), (1.0, 1.0), (2.0, -1.0)],
             np.concatenate([X, [0.5, 0.95, 1.2]])),
    "poisson": (("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"),
                [(3.0,), (0.5, -1), (0.0,), (-1.0,)], K),
    "expon": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
              [(), (0.1, 2.0), (0.0, -1.0)], X),
    "laplace": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
                [(), (0.3, 1.7), (0.0, 0.0)], X),
    "logistic": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
                 [(), (0.3, 1.7), (0.0, -1.0)], X),
    "cauchy": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
               [(), (0.3, 1.7), (0.0, -1.0)], np.concatenate([X, [-1e10, 1e10]])),
    "uniform": (("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"),
                [(), (-0.5, 2.0), (0.0, -1.0)], np.concatenate([X, [0.5, 1.5]])),
    "nbinom": (("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"),
               [(3.0, 0.4), (0.5, 0.9, -1), (2.0, 1.0), (0.0, 0.5), (2.0, 0.0), (2.0, 1.5)], K),
    # invalid parameters of binom and bernoulli: test_invalid_discrete_parameters_give_nan
    "binom": (("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"),
              [(10, 0.3), (5, 0.0), (5, 1.0), (3, 0.5, 1), (0, 0.5)], K),
    "bernoulli": (("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"),
                  [(0.3,), (0.0,), (1.0,), (0.7, 1)], np.concatenate([K, [0.5]])),
}


def _compare(got, expected, rtol=1e-9, atol=1e-300):
    """SciPy's values where SciPy's are finite or NaN or infinite, to rtol; where SciPy
    underflows a log to -inf in a far tail we may be finite (and more accurate)."""
    got, expected = np.asarray(got), np.asarray(expected)
    assert got.shape == expected.shape and got.dtype == expected.dtype == np.float64
    same = np.isfinite(expected) | np.isnan(expected) | (expected == np.inf)
    np.testing.assert_allclose(got[same], expected[same], rtol=rtol, atol=atol)
    assert np.all((got[~same] == -np.inf) | (got[~same] < -700))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_are_scipys_under_a_transform(name):
    functions, parameter_sets, points = CASES[name]
    for fn in functions:
        for params in parameter_sets:
            expected = getattr(getattr(ss, name), fn)(points, *params)
            got = traced(lambda x: getattr(getattr(fs, name), fn)(x, *params), points)
            # near 0, SciPy's logcdf/logsf are log(cdf): ours use log1p and may differ
            tail = fn in ("logcdf", "logsf")
            _compare(got, expected, 1e-7 if tail else 1e-9, 1e-15 if tail else 1e-300)


KEYWORDS = {  # distribution: its parameters by SciPy's names, in SciPy's order
    "norm": {"loc": 0.3, "scale": 1.7},
    "t": {"df": 3.0, "loc": 0.3, "scale": 1.7},
    "gamma": {"a": 2.5, "loc": -0.1, "scale": 2.0},
    "chi2": {"df": 3.0, "loc": -0.1, "scale": 2.0},
    "beta": {"a": 2.0, "b": 3.0, "loc": -0.5, "scale": 2.0},
    "poisson": {"mu": 3.0, "loc": 1},
    "expon": {"loc": -0.1, "scale": 2.0},
    "laplace": {"loc": 0.3, "scale": 1.7},
    "logistic": {"loc": 0.3, "scale": 1.7},
    "cauchy": {"loc": 0.3, "scale": 1.7},
    "uniform": {"loc": -0.5, "scale": 2.0},
    "nbinom": {"n": 2.5, "p": 0.4, "loc": 1},
    "binom": {"n": 10, "p": 0.3, "loc": 1},
    "bernoulli": {"p": 0.3, "loc": 1},
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(KEYWORDS))
def test_signatures_and_keyword_calls_are_scipys(name):
    functions, _, points = CASES[name]
    keywords = KEYWORDS[name]
    for fn in functions:
        f = getattr(getattr(fs, name), fn)
        first, *rest = inspect.signature(f).parameters
        assert (f.__name__, rest) == (fn, list(keywords))
        expected = getattr(getattr(ss, name), fn)(**{first: points}, **keywords)
        got = traced(lambda x: f(**{first: x}, **keywords), points)
        _compare(got, expected, 1e-7, 1e-15)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_norm_quantiles_and_plain_calls_are_scipys():
    for fn in ("ppf", "isf"):
        for loc, scale in ((0.0, 1.0), (0.5, 2.0), (0.0, -1.0)):
            expected = getattr(ss.norm, fn)(Q, loc, scale)
            _compare(traced(lambda q: getattr(fs.norm, fn)(q, loc, scale), Q), expected)
    # on plain values each function is SciPy's own: same bits, same types
    for name, (functions, parameter_sets, points) in CASES.items():
        for fn in functions:
            plain = getattr(getattr(fs, name), fn)(points[3], *parameter_sets[0])
            assert plain == getattr(getattr(ss, name), fn)(points[3], *parameter_sets[0])
            assert type(plain) is np.float64


def test_float32_in_float64_out_as_scipy():
    x = np.array([0.5, 1.5], np.float32)
    assert traced(lambda x: fs.t.logpdf(x, 3.0), x).dtype == np.float64
    assert fgrad.grad(lambda x: fs.t.logpdf(x, 3.0).sum())(x).dtype == np.float32


def test_norm_logcdf_far_in_the_tail():
    value, slope = fgrad.value_and_grad(fs.norm.logcdf)(-30.0)
    assert np.isclose(value, ss.norm.logcdf(-30.0), rtol=1e-12)
    # d log Phi(x) = phi(x) / Phi(x), about -x - 1/x: 30.0333 at x = -30
    assert np.isclose(slope, 30.03325966743577, rtol=1e-10)
    assert np.isclose(fgrad.grad(fs.norm.logsf)(30.0), -30.03325966743577, rtol=1e-10)
    check_grads(fs.norm.logcdf, (np.array([-30.0, -8.0, 5.0]),), order=2)


@pytest.mark.parametrize("f, argument, name", [
    (lambda df: fs.t.cdf(0.5, df), 0, "a"),
    (lambda df: fs.t.logsf(-9.5, df, 0.1, 2.0), 0, "a"),
    (lambda a: fs.gamma.cdf(1.5, a), 0, "a"),
    (lambda a: fs.gamma.logsf(1.5, a), 0, "a"),
    (lambda df: fs.chi2.sf(1.5, df), 0, "a"),
    (lambda a: fs.beta.cdf(0.3, a, 2.0), 0, "a"),
    (lambda b: fs.beta.logsf(0.3, 2.0, b), 1, "b"),
    (lambda n: fs.nbinom.cdf(3, n, 0.4), 0, "a"),
    (lambda n: fs.nbinom.logsf(3, n, 0.4), 0, "a"),
    (lambda n: fs.binom.sf(3, n, 0.4), 0, "a"),
    (lambda n: fs.binom.logcdf(3, n, 0.4), 0, "a"),
])
def test_shape_parameters_of_the_cdfs_are_refused_by_name(f, argument, name):
    for transform in (fgrad.grad, lambda f: lambda x: fgrad.jvp(f, (x,), (1.0,))):
        with pytest.raises(NotImplementedError) as error:
            transform(f)(2.5)
        message = str(error.value)
        assert f"argument {argument} ('{name}')" in message
        assert "pass that argument as a constant" in message
    # the other arguments still differentiate
    assert np.isclose(fgrad.grad(lambda x: fs.gamma.cdf(x, 2.5))(1.5), ss.gamma.pdf(1.5, 2.5))


def test_off_the_support_derivatives_are_zero_not_nan():
    x = np.array([-1.0, -0.1, 0.5, 2.0])
    for f in (lambda x: fs.gamma.logpdf(x, 2.5), lambda x: fs.gamma.cdf(x, 2.5),
              lambda x: fs.chi2.logsf(x, 3.0), lambda x: fs.beta.logpdf(x, 2.0, 3.0),
              lambda x: fs.beta.cdf(x, 2.0, 3.0), lambda x: fs.beta.logsf(x, 2.0, 3.0)):
        g = fgrad.grad(lambda x: f(x).sum())(x)
        outside = (x < 0) | (x > 1 if "beta" in f.__code__.co_names else False)
        assert np.all(np.isfinite(g)) and np.all(g[x < 0] == 0), g
        assert np.all(g[~outside] != 0)
    # poisson off the whole numbers: -inf, derivative 0 in k and mu
    k, mu = np.array([-1.0, 1.5, 2.0]), np.array([2.0, 2.0, 2.0])
    value = traced(fs.poisson.logpmf, k, mu)
    assert np.all(value[:2] == -np.inf) and np.isfinite(value[2])
    gk, gmu = fgrad.grad(lambda k, mu: fs.poisson.logpmf(k, mu).sum(), (0, 1))(k, mu)
    assert np.all(gk[:2] == 0) and np.all(gmu[:2] == 0)
    assert np.isclose(gmu[2], 2.0 / 2.0 - 1) and np.isclose(gk[2], np.log(2) - 1.5 + np.euler_gamma)


@pytest.mark.filterwarnings("error")
def test_invalid_parameters_give_nan_without_touching_the_valid_ones():
    scale = np.array([2.0, 0.0, -1.0])
    for f in (fs.norm.logpdf, fs.norm.cdf, lambda x, loc, s: fs.t.logpdf(x, 3.0, loc, s),
              lambda x, loc, s: fs.gamma.logcdf(x, 2.0, loc, s)):
        values = traced(lambda s: f(1.0, 0.1, s), scale)
        assert np.isfinite(values[0]) and np.all(np.isnan(values[1:]))
        g = fgrad.grad(lambda s: f(1.0, 0.1, s)[0])(scale)
        assert np.isfinite(g[0]) and np.all(g[1:] == 0)


def test_t_cdf_at_its_center_has_the_density_as_derivative():
    for df in (0.7, 3.0, 30.0):
        for f, sign in ((fs.t.cdf, 1), (fs.t.sf, -1)):
            assert np.isclose(fgrad.grad(lambda x: f(x, df))(0.0), sign * ss.t.pdf(0.0, df))
            assert abs(fgrad.grad(fgrad.grad(lambda x: f(x, df)))(0.0)) < 1e-12
        d1, d2 = fgrad.grad(lambda x: fs.t.logcdf(x, df))(0.0), fgrad.grad(
            fgrad.grad(lambda x: fs.t.logcdf(x, df)))(0.0)
        assert np.isclose(d1, 2 * ss.t.pdf(0.0, df)) and np.isclose(d2, -d1 ** 2)
    check_grads(lambda x: fs.t.cdf(x, 3.0), (np.array([-0.8, 0.5, 2.0]),), order=2)
    assert np.isclose(fgrad.grad(lambda x: fs.t.cdf(x, 3.0))(1e-9), ss.t.pdf(0.0, 3.0))


def test_loc_scale_parameters_against_finite_differences():
    x = np.array([-1.5, 0.3, 2.0])
    check_grads(lambda x, df, loc, s: fs.t.logpdf(x, df, loc, s),
                (x, np.array(2.5), np.array(0.2), np.array(1.3)), order=2)
    check_grads(lambda x, loc, s: fs.t.logsf(x, 4.0, loc, s),
                (x, np.array(0.2), np.array(1.3)), order=2)
    check_grads(lambda x, a, loc, s: fs.gamma.logpdf(x, a, loc, s),
                (x + 2, np.array(1.5), np.array(-0.2), np.array(0.8)), order=2)


@pytest.mark.filterwarnings("error")
def test_invalid_discrete_parameters_give_nan():
    """NaN as SciPy's, derivative 0; SciPy's logcdf is 0 (not NaN) above the support of
    binom and bernoulli even for invalid parameters, where its cdf is NaN: ours is NaN."""
    for name, parameter_sets in (("binom", [(2.5, 0.5), (-1, 0.5), (4, 1.2)]),
                                 ("bernoulli", [(1.5,), (-0.1,)])):
        for fn in CASES[name][0]:
            reference = "cdf" if fn == "logcdf" else fn
            for params in parameter_sets:
                with np.errstate(invalid="ignore"):
                    expected = getattr(getattr(ss, name), reference)(K, *params)
                f = getattr(getattr(fs, name), fn)
                assert np.all(np.isnan(expected))
                assert np.all(np.isnan(traced(lambda k: f(k, *params), K)))
                g = fgrad.grad(lambda p: f(K, *params[:-1], p).sum())(params[-1])
                assert g == 0


def _points_and_parameters():
    """(function, points, parameters): points and parameters over and off the supports,
    valid parameters and invalid ones (the last of each)."""
    x, k = np.array([-1.0, -0.1, 0.3, 0.5, 1.0, 2.0]), np.array([-1.0, 0.0, 1.0, 1.5, 3.0, 9.0])
    for name in ("expon", "laplace", "logistic", "cauchy", "uniform"):
        for fn in CASES[name][0]:
            yield getattr(getattr(fs, name), fn), x, (np.array([0.0, 0.2]), np.array([1.5, -1.0]))
    for name, parameters in (("nbinom", (np.array([2.5, 0.0]), np.array([0.4, 0.4]))),
                             ("binom", (np.array([5.0, 5.0]), np.array([0.4, 1.5]))),
                             ("bernoulli", (np.array([0.4, -0.5]),))):
        for fn in CASES[name][0]:
            yield getattr(getattr(fs, name), fn), k, parameters


def test_new_distributions_have_no_nan_derivatives():
    for f, points, parameters in _points_and_parameters():
        differentiable = tuple(range(len(parameters) + 1))
        if f.__module__.endswith(("binom", "bernoulli")):  # n is a whole number; cdf not in n
            differentiable = (0, len(parameters))
        for j in (0, 1):  # the valid parameters, the invalid ones
            values = [p[j] for p in parameters]
            grads = fgrad.grad(lambda *a: f(*a[:1], *a[1:]).sum(), differentiable)(
                points, *values)
            assert all(np.all(np.isfinite(g)) for g in grads), (f, j, grads)
            if j == 1:
                assert all(np.all(g == 0) for g in grads[1:]), (f, grads)


def test_nbinom_logpmf_in_n_and_the_kink_and_tails():
    k, n, p = np.array([0.0, 2.0, 7.0]), 2.5, 0.4
    g = fgrad.grad(lambda n: fs.nbinom.logpmf(k, n, p).sum())(n)
    sp = scipy.special
    assert np.isclose(g, np.sum(sp.digamma(n + k) - sp.digamma(n) + np.log(p)), rtol=1e-12)
    check_grads(lambda n, p: fs.nbinom.logpmf(k, n, p), (np.array(n), np.array(p)), order=2)
    # the tails' derivative in p: the pmf of the last success, summed
    assert np.isclose(fgrad.grad(lambda p: fs.nbinom.cdf(3, 2.0, p))(0.5), 1.25)
    # laplace: at the center the log-density's derivative is 0 (abs's), the cdf's the density
    assert fgrad.grad(fs.laplace.logpdf)(0.0) == 0
    for f, sign in ((fs.laplace.cdf, 1), (fs.laplace.sf, -1)):
        assert np.isclose(fgrad.grad(f)(0.0), sign * 0.5)
        check_grads(f, (np.array([-2.0, -0.5, 0.5, 2.0]),), order=2)
    # cauchy far out: arctan2 keeps the small tail's digits and its derivative
    assert np.isclose(traced(fs.cauchy.sf, np.array(1e10)), ss.cauchy.sf(1e10), rtol=1e-12)
    assert np.isclose(fgrad.grad(fs.cauchy.logcdf)(-1e10), 1e-10, rtol=1e-9)


# -- multivariate_normal -------------------------------------------------------------------

RNG = np.random.default_rng(12)
A = RNG.standard_normal((3, 3))
COV, MEAN = A @ A.T + np.eye(3), RNG.standard_normal(3)
POINTS = RNG.standard_normal((5, 3))


@pytest.mark.parametrize("x, mean, cov", [
    (POINTS, MEAN, COV), (POINTS, MEAN, np.array([1.0, 2.0, 0.5])), (POINTS, MEAN, 2.0),
    (POINTS[0], MEAN, COV), (POINTS[:1], MEAN, COV), (POINTS.reshape(5, 1, 3), MEAN, COV),
    (np.array([0.3, -0.2]), None, 2.0), (0.4, 1.0, 3.0), (np.array([0.4]), None, [[3.0]]),
    (POINTS, None, COV),
])
def test_multivariate_normal_is_scipys(x, mean, cov):
    for fn in ("logpdf", "pdf"):
        expected = getattr(ss.multivariate_normal, fn)(x, mean, cov)
        got = traced(lambda x: getattr(fs.multivariate_normal, fn)(x, mean, cov), np.asarray(x))
        assert np.shape(got) == np.shape(expected)
        np.testing.assert_allclose(got, expected, rtol=1e-10)
    if np.ndim(x) == 2:
        np.testing.assert_allclose(traced(lambda c: fs.multivariate_normal.entropy(mean, c),
                                          np.asarray(cov, float)),
                                   ss.multivariate_normal.entropy(mean, cov), rtol=1e-12)


def test_multivariate_normal_derivatives():
    f = fs.multivariate_normal.logpdf
    g_cov = fgrad.grad(lambda c: f(POINTS, MEAN, c).sum())(COV)
    np.testing.assert_allclose(g_cov, g_cov.T, rtol=1e-12)  # a symmetric cotangent
    inverse = np.linalg.inv(COV)
    dev = POINTS - MEAN
    expected = 0.5 * sum(inverse @ np.outer(d, d) @ inverse - inverse for d in dev)
    np.testing.assert_allclose(g_cov, expected, rtol=1e-10)
    # against finite differences along a symmetric direction, and in x and mean
    direction = RNG.standard_normal((3, 3))
    direction = direction + direction.T
    eps = 1e-6
    fd = (f(POINTS, MEAN, COV + eps * direction)
          - f(POINTS, MEAN, COV - eps * direction)) / (2 * eps)
    np.testing.assert_allclose(fgrad.jvp(lambda c: f(POINTS, MEAN, c), (COV,), (direction,))[1],
                               fd, rtol=1e-6)
    check_grads(lambda x, m: f(x, m, COV), (POINTS, MEAN), order=2)
    check_grads(lambda v: fs.multivariate_normal.entropy(MEAN, v), (np.array([1.0, 2.0, 3.0]),),
                order=2)
    # vmap over the covariance
    covs = np.stack([COV, 2 * COV])
    np.testing.assert_allclose(fgrad.vmap(lambda c: f(POINTS, MEAN, c))(covs),
                               [ss.multivariate_normal.logpdf(POINTS, MEAN, c) for c in covs])


def test_multivariate_normal_singular_covariance():
    a = RNG.standard_normal((3, 2))
    cov = a @ a.T  # rank 2
    on = MEAN + RNG.standard_normal((4, 2)) @ a.T
    x = np.concatenate([on, MEAN[None] + np.cross(a[:, 0], a[:, 1])[None]])  # last: off it
    expected = ss.multivariate_normal.logpdf(x, MEAN, cov, allow_singular=True)
    got = traced(lambda x: fs.multivariate_normal.logpdf(x, MEAN, cov, allow_singular=True), x)
    np.testing.assert_allclose(got, expected, rtol=1e-8)
    assert got[-1] == -np.inf
    g = fgrad.grad(lambda x: fs.multivariate_normal.logpdf(x, MEAN, cov, True)[-1])(x)
    assert np.all(g == 0)
    np.testing.assert_allclose(traced(lambda c: fs.multivariate_normal.entropy(MEAN, c), cov),
                               ss.multivariate_normal.entropy(MEAN, cov), rtol=1e-10)
    # without allow_singular: refused, as SciPy refuses it
    for c in (cov, np.array([1.0, 0.0, 2.0])):
        with pytest.raises(np.linalg.LinAlgError, match="allow_singular"):
            fgrad.grad(lambda c: fs.multivariate_normal.logpdf(x, MEAN, c).sum())(c)
        with pytest.raises(np.linalg.LinAlgError):
            ss.multivariate_normal.logpdf(x, MEAN, c)
    with pytest.raises(ValueError, match="positive semidefinite"):
        fgrad.grad(lambda c: fs.multivariate_normal.logpdf(x, MEAN, c, True).sum())(-cov)


def test_multivariate_normal_refuses_what_scipy_refuses():
    for mean, cov in ((np.zeros(2), COV), (MEAN, np.ones((3, 2))), (MEAN, np.ones(2))):
        with pytest.raises(ValueError):
            ss.multivariate_normal.logpdf(POINTS, mean, cov)
        with pytest.raises(ValueError):
            traced(lambda m: fs.multivariate_normal.logpdf(POINTS, m, cov), mean)


# -- dirichlet -----------------------------------------------------------------------------

def test_dirichlet_is_scipys():
    alpha = np.array([0.7, 2.0, 3.5])
    x = np.array([[0.2, 0.5], [0.3, 0.1], [0.5, 0.4]])  # components on the first axis
    for fn in ("logpdf", "pdf"):
        for points in (x, x[:, 0], x[:2], x[:2, 0]):
            expected = getattr(ss.dirichlet, fn)(points, alpha)
            got = traced(lambda p, a: getattr(fs.dirichlet, fn)(p, a), points, alpha)
            np.testing.assert_allclose(got, expected, rtol=1e-12)
    # d/d alpha_i = log x_i - digamma(alpha_i) + digamma(sum alpha)
    g = fgrad.grad(lambda a: fs.dirichlet.logpdf(x[:, 0], a))(alpha)
    np.testing.assert_allclose(g, np.log(x[:, 0]) - scipy.special.digamma(alpha)
                               + scipy.special.digamma(alpha.sum()), rtol=1e-10)
    for bad, message in ((x[:, 0] * 2, "simplex|smaller or equal one"),
                         (np.array([0.0, 0.5, 0.5]), "greater than zero if its alpha")):
        with pytest.raises(ValueError, match=message):
            ss.dirichlet.logpdf(bad, alpha)
        with pytest.raises(ValueError, match=message):
            traced(lambda a: fs.dirichlet.logpdf(bad, a), alpha)


# -- properties over a large input space ---------------------------------------------------

finite = st.floats(-50, 50)
positive_floats = st.floats(0.05, 20)


@settings(max_examples=60, deadline=None)
@given(finite, finite, positive_floats, st.floats(0.3, 200))
def test_t_and_norm_agree_with_scipy_anywhere(x, loc, scale, df):
    got = traced(lambda x: fs.t.logpdf(x, df, loc, scale), np.array(x))
    assert np.isclose(got, ss.t.logpdf(x, df, loc, scale), rtol=1e-9, atol=1e-9)
    got = traced(lambda x: fs.norm.logcdf(x, loc, scale), np.array(x))
    assert np.isclose(got, ss.norm.logcdf(x, loc, scale), rtol=1e-9, atol=1e-12)
    cdf = traced(lambda x: fs.t.cdf(x, df, loc, scale), np.array(x))
    assert np.isclose(cdf, ss.t.cdf(x, df, loc, scale), rtol=1e-8, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.01, 60), st.floats(0.1, 30))
def test_gamma_cdf_derivative_is_the_density(x, a):
    assert np.isclose(fgrad.grad(lambda x: fs.gamma.cdf(x, a))(x), ss.gamma.pdf(x, a),
                      rtol=1e-8, atol=1e-300)
    assert np.isclose(fgrad.grad(lambda x: fs.gamma.sf(x, a))(x), -ss.gamma.pdf(x, a),
                      rtol=1e-8, atol=1e-300)


# -- the example ---------------------------------------------------------------------------

def test_student_t_example_agrees_with_scipy_fit():
    module = load_example("student_t_fit")
    result = module.main([])
    np.testing.assert_allclose(result["fgrad"], result["scipy"], rtol=2e-3)
    assert result["grad_norm"] < 1e-4


@pytest.mark.parametrize("name, fn, x, expected, slope", [
    ("expon", "logsf", 1000.0, -1000.0, -1.0),
    ("expon", "logcdf", 40.0, np.log1p(-np.exp(-40.0)), np.exp(-40.0)),
    ("logistic", "logcdf", -1000.0, -1000.0, 1.0),
    ("logistic", "logsf", 1000.0, -1000.0, -1.0),
    ("laplace", "logcdf", -1000.0, -1000.0 - np.log(2.0), 1.0),
    ("laplace", "logsf", 1000.0, -1000.0 - np.log(2.0), -1.0),
])
def test_log_tails_stay_finite_far_out(name, fn, x, expected, slope):
    """Where the tail itself underflows, its log comes from a closed form (SciPy's own
    laplace gives -inf there), and so does its derivative."""
    f = getattr(getattr(fs, name), fn)
    assert np.isclose(traced(f, np.array(x)), expected, rtol=1e-12, atol=0)
    assert np.isclose(fgrad.grad(f)(x), slope, rtol=1e-9, atol=0)
