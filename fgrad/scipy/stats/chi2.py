"""fgrad.scipy.stats.chi2: the chi-squared distribution, as ``scipy.stats.chi2``.

chi2(df, loc, scale) is the gamma distribution with shape a = df / 2 and scale
2 scale: each function here is fgrad.scipy.stats.gamma's with those arguments, and on
plain values SciPy's own chi2 function. ``logpdf``/``pdf`` are differentiable in x, df,
loc and scale; ``cdf``, ``sf`` and their logs (gammainc, gammaincc) in x, loc and scale
but not in df (the incomplete gamma function has no derivative in its shape: that
raises, naming ``a``). Below the support the log-density is -inf, the cdf 0, the sf 1,
with derivative 0; df <= 0 or scale <= 0 give NaN, as SciPy.
"""
import numpy as np
import scipy.stats

from ... import numpy as fnp
from ...tracer import composite
from . import gamma
from ._common import example_docstring

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]

_chi2 = scipy.stats.chi2


# name: what it is, the example's result (its derivative in x at x = 1, df = 4)
_DOCS = {"logpdf": ("log of X's density at x", "0.5"),
         "pdf": ("X's density at x", "0.075816"),
         "cdf": ("P(X <= x)", "0.151633"),
         "logcdf": ("log P(X <= x)", "1.680997"),
         "sf": ("P(X > x) = 1 - cdf", "-0.151633"),
         "logsf": ("log P(X > x)", "-0.166667")}


def _from_gamma(name):
    """chi2's function ``name``: gamma's, with a = df / 2 and scale 2 scale."""
    gamma_function = getattr(gamma, name)

    def function(x, df, loc=0, scale=1):
        df, scale = (fnp.asarray(v, dtype=np.float64) for v in (df, scale))
        return gamma_function(x, df / 2, loc, 2 * scale)

    function.__name__ = function.__qualname__ = name
    what, result = _DOCS[name]
    differentiable = ("x, df, loc and scale" if name in ("logpdf", "pdf") else
                      "x, loc and scale, not in df (an error names gamma's a)")
    function.__doc__ = example_docstring(
        f"{name}(x, df, loc=0, scale=1) of SciPy's chi2 distribution X, df degrees of freedom:\n"
        f"{what}, as gamma.{name}(x, df / 2, loc, 2 scale).\nDifferentiable in {differentiable}.",
        f"round(float(fgrad.grad(lambda x: {name}(x, 4.0))(1.0)), 6)", result)
    return composite(getattr(_chi2, name))(function)


logpdf, pdf, cdf, logcdf, sf, logsf = map(
    _from_gamma, ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"))
