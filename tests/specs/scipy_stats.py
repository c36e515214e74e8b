"""Spec rows for fgrad/scipy/stats: every function of every distribution.

Shape parameters that reach an incomplete gamma or beta function's shape argument (the
cdf of t, gamma, beta, chi2 in df, a, b) are held constant here (their refusal is tested
in tests/test_scipy_stats.py), and so are the counts k of the discrete distributions,
binom's n (a whole number), and dirichlet's simplex. Rows are
exact=False where the composition differs from SciPy's own code: their values are
compared with SciPy's, with a tolerance, in tests/test_scipy_stats.py.
"""
import numpy as np

from domains import positive, real
from fgrad.scipy.stats import bernoulli, beta, binom, cauchy, chi2, dirichlet, expon, gamma, \
    laplace, logistic, multivariate_normal as mvn, nbinom, norm, poisson, t, \
    uniform as uniform_distribution
from specs import Spec

# x, loc, scale: every argument broadcast against the others
LOC_SCALE = (((), (), ()), ((2, 3), (3,), ()), ((3,), (), (2, 1)))
ONE_SHAPE = (((), (), (), ()), ((2, 3), (3,), (), ()), ((3,), (), (2, 1), ()))
TWO_SHAPES = (((), (), (), (), ()), ((2, 3), (3,), (), (), ()))


def uniform(lo, hi):
    def draw(rng, shape):
        return np.asarray(rng.uniform(lo, hi, shape))
    return draw


def _rows(module, names, fun_of, domains, shapes, **options):
    return [Spec(f"stats.{module.__name__.rsplit('.', 1)[1]}.{name}",
                 fun_of(getattr(module, name)), domains, shapes, **options) for name in names]


def _same(f):
    return f


def _cov(a):
    """A well-conditioned covariance from an unconstrained square a."""
    return a @ a.T + np.eye(a.shape[-1])


inside = uniform(0.15, 0.85)      # beta's support, quantiles
whole = uniform(0.6, 2.5)         # gamma, chi2 shapes; x of gamma and chi2 is positive+shift
dfs = uniform(1.5, 6.0)
shift = uniform(-0.1, 0.1)        # loc of the distributions with support [loc, ...)
probability = uniform(0.2, 0.8)
COUNTS = np.array([0.0, 1.0, 3.0])
TAILS = ("cdf", "logcdf", "sf", "logsf")
PARAMETER = (((),), ((3,),))      # one parameter, broadcast against COUNTS

SPECS = (
    _rows(norm, ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"), _same,
          (real, real, positive), LOC_SCALE)
    + _rows(norm, ("ppf", "isf"), _same, (inside, real, positive), LOC_SCALE)
    + _rows(t, ("logpdf", "pdf"), _same, (real, dfs, real, positive), ONE_SHAPE, exact=False)
    + _rows(t, ("cdf", "logcdf", "sf", "logsf"),
            lambda f: lambda x, loc, scale: f(x, 3.5, loc, scale),
            (real, real, positive), LOC_SCALE, exact=False)
    + _rows(gamma, ("logpdf", "pdf"), _same, (positive, whole, shift, positive), ONE_SHAPE,
            exact=False)
    + _rows(gamma, ("cdf", "logcdf", "sf", "logsf"),
            lambda f: lambda x, loc, scale: f(x, 1.7, loc, scale),
            (positive, shift, positive), LOC_SCALE, exact=False)
    + _rows(chi2, ("logpdf", "pdf"), _same, (positive, whole, shift, positive), ONE_SHAPE,
            exact=False)
    + _rows(chi2, ("cdf", "logcdf", "sf", "logsf"),
            lambda f: lambda x, loc, scale: f(x, 2.5, loc, scale),
            (positive, shift, positive), LOC_SCALE, exact=False)
    + _rows(beta, ("logpdf", "pdf"), _same, (inside, whole, whole, shift, uniform(1.3, 1.6)),
            TWO_SHAPES, exact=False)
    + _rows(beta, ("cdf", "logcdf", "sf", "logsf"),
            lambda f: lambda x, loc, scale: f(x, 1.5, 2.5, loc, scale),
            (inside, shift, uniform(1.3, 1.6)), LOC_SCALE, exact=False)
    + _rows(poisson, ("logpmf", "pmf", "cdf", "logcdf", "sf", "logsf"),
            lambda f: lambda mu: f(np.array([0.0, 1.0, 3.0]), mu),
            (positive,), (((),), ((3,),)), exact=False)
    + _rows(expon, ("logpdf", "pdf") + TAILS, _same, (positive, shift, positive), LOC_SCALE,
            exact=False)
    + _rows(laplace, ("logpdf", "pdf") + TAILS, _same, (real, real, positive), LOC_SCALE,
            exact=False)
    + _rows(logistic, ("logpdf", "pdf") + TAILS, _same, (real, real, positive), LOC_SCALE,
            exact=False)
    + _rows(cauchy, ("logpdf", "pdf") + TAILS, _same, (real, real, positive), LOC_SCALE,
            exact=False)
    + _rows(uniform_distribution, ("logpdf", "pdf") + TAILS, _same,
            (inside, shift, uniform(1.3, 1.6)), LOC_SCALE, exact=False)
    + _rows(nbinom, ("logpmf", "pmf"), lambda f: lambda n, p: f(COUNTS, n, p),
            (whole, probability), (((), ()), ((3,), ()), ((), (3,))), exact=False)
    + _rows(nbinom, TAILS, lambda f: lambda p: f(COUNTS, 2.5, p), (probability,), PARAMETER,
            exact=False)
    + _rows(binom, ("logpmf", "pmf") + TAILS, lambda f: lambda p: f(COUNTS, 5, p),
            (probability,), PARAMETER, exact=False)
    + _rows(bernoulli, ("logpmf", "pmf"), lambda f: lambda p: f(COUNTS[:2], p),
            (probability,), (((),), ((2,),)), exact=False)
    + _rows(bernoulli, TAILS, lambda f: lambda p: f(0.0, p), (probability,), PARAMETER,
            exact=False)  # from k = 1 on the cdf is 1, its log 0, the logsf -inf
    + [
        # k - 1 of k components: the last is 1 - their sum, so x stays on the simplex
        Spec("stats.dirichlet.logpdf", dirichlet.logpdf, (uniform(0.1, 0.3), whole),
             (((3,), (4,)), ((3, 2), (4,))), exact=False),
        Spec("stats.dirichlet.pdf", dirichlet.pdf, (uniform(0.1, 0.3), whole),
             (((3,), (4,)),), exact=False),
        Spec("stats.multivariate_normal.logpdf",
             lambda x, mean, a: mvn.logpdf(x, mean, _cov(a)), (real, real, real),
             (((4, 3), (3,), (3, 3)), ((3,), (3,), (3, 3)), ((2, 2, 3), (3,), (3, 3))),
             exact=False),
        Spec("stats.multivariate_normal.logpdf_diagonal", mvn.logpdf, (real, real, positive),
             (((4, 3), (3,), (3,)), ((4, 3), (3,), ())), exact=False),
        Spec("stats.multivariate_normal.pdf",
             lambda x, mean, a: mvn.pdf(x, mean, _cov(a)), (real, real, real),
             (((4, 2), (2,), (2, 2)),), exact=False),
        # a rank-2 covariance a a^T in 3 dimensions, x = mean + a w on its support
        Spec("stats.multivariate_normal.logpdf_singular",
             lambda w, mean, a: mvn.logpdf(mean + w @ a.T, mean, a @ a.T, allow_singular=True),
             (real, real, real), (((4, 2), (3,), (3, 2)),), exact=False,
             float32=False),  # a float32 a a^T has a negative eigenvalue: refused, as SciPy
        Spec("stats.multivariate_normal.entropy", lambda a: mvn.entropy(None, _cov(a)), (real,),
             (((3, 3),),), exact=False),
        Spec("stats.multivariate_normal.entropy_diagonal", lambda v: mvn.entropy(np.zeros(3), v),
             (positive,), (((3,),),), exact=False),
    ]
)
