"""What fgrad.scipy.stats's distributions share: the loc-scale standardisation, the
choice of a value by the validity of the parameters and the support, and the four tail
functions (cdf, logcdf, sf, logsf) made from one function giving both tails.

Each distribution module keeps what is its own: its support, its log-density, its
tails. Invalid parameters get placeholders (1) so that the NaN they give carries no
warning and no NaN derivative into the valid points.
"""
import inspect

import numpy as np

from ... import numpy as fnp
from ...tracer import composite


def standardize(x, loc, scale, *shapes):
    """(z, scale, valid, *shapes): z = (x - loc) / scale and the shape parameters in
    float64, with placeholders (1) where the parameters are invalid, the scale used, and
    the mask of valid parameters (scale > 0 and every shape > 0)."""
    x, loc, scale, *shapes = (fnp.asarray(v, dtype=np.float64) for v in (x, loc, scale) + shapes)
    valid = scale > 0
    for shape in shapes:
        valid = valid & (shape > 0)
    scale = fnp.where(valid, scale, 1.0)
    return ((x - loc) / scale, scale, valid) + tuple(fnp.where(valid, s, 1.0) for s in shapes)


def select(value, valid, inside=None, outside=None):
    """value on the support (``inside``; everywhere if None), ``outside`` off it, and NaN
    where the parameters are invalid, as SciPy."""
    if inside is not None:
        value = fnp.where(inside, value, outside)
    return fnp.where(valid, value, np.nan)


def _log(p, q):
    """log p where q = 1 - p, by log1p(-q) where p is near 1."""
    small = p < 0.5
    return fnp.where(small, fnp.log(fnp.where(small, p, 1.0)), fnp.log1p(-fnp.where(small, 0.0, q)))


def example_docstring(summary, example, result):
    """A function's docstring: ``summary`` (its lines), then the doctest ``example`` (one
    line, run after ``import fgrad``) printing ``result``."""
    return f"{summary}\n\n>>> import fgrad\n>>> {example}\n{result}\n"


# name, which tail (True: the lower one, P(X <= x)), log or not, what it is
_TAILS = (("cdf", True, False, "P(X <= {x})"),
          ("logcdf", True, True, "log P(X <= {x}), as log1p(-sf) where the cdf is near 1"),
          ("sf", False, False, "P(X > {x}) = 1 - cdf"),
          ("logsf", False, True, "log P(X > {x}), as log1p(-cdf) where the sf is near 1"))


def tail_functions(distribution, tails, note, example, results, log_tails=None):
    """(cdf, logcdf, sf, logsf) of a ``scipy.stats`` distribution from
    ``tails(x, <SciPy's parameters>) -> (P(X <= x), P(X > x), valid, inside, above)``,
    ``above`` the mask of the points above the support (None: it has no upper end).
    Each has ``tails``'s signature, and on plain values it is SciPy's own function. Off
    the support the cdf is 0 below it and 1 above it, the sf the reverse (logs: -inf, 0).

    ``log_tails`` (same signature): (log P(X <= x), log P(X > x)) in closed form, for
    the logs far out, where the tails themselves underflow (default: their logs).

    Docstrings: ``note`` (what they are differentiable in), then ``example`` (a doctest
    line with ``{name}`` for the function's name) printing ``results[name]``."""
    signature = inspect.signature(tails)
    x = next(iter(signature.parameters))
    functions = []
    for name, lower, log, what in _TAILS:
        summary = (f"{name}{signature} of SciPy's {distribution.name} distribution X:\n"
                   f"{what.format(x=x)}.\n{note}")
        functions.append(_tail_function(getattr(distribution, name), tails, lower, log,
                                        example_docstring(summary, example.format(name=name),
                                                          results[name]), log_tails))
    return tuple(functions)


def _tail_function(scipy_function, tails, lower, log, doc, log_tails):
    none, whole = (-np.inf, 0.0) if log else (0.0, 1.0)

    def tail(*args, **kwargs):
        p, q, valid, inside, above = tails(*args, **kwargs)
        if not lower:
            p, q = q, p
        if not log:
            value = p
        elif log_tails is None:
            value = _log(p, q)
        else:
            value = log_tails(*args, **kwargs)[0 if lower else 1]
        # off the support the lower tail holds all the mass above it, the upper one below
        if above is None:
            outside = none if lower else whole
        else:
            outside = fnp.where(above == lower, whole, none)
        return select(value, valid, inside, outside)

    tail.__name__ = tail.__qualname__ = scipy_function.__name__
    tail.__module__ = tails.__module__
    tail.__signature__ = inspect.signature(tails)
    tail.__doc__ = doc
    return composite(scipy_function)(tail)


def discrete(k, loc, check, *parameters):
    """(k - loc, valid, *parameters) of a discrete distribution: float64, ``valid`` the
    mask ``check(*parameters)``, and placeholders (1/2) for the parameters where it is
    False (NaN there, with no warning and no NaN derivative)."""
    k, loc, *parameters = (fnp.asarray(v, dtype=np.float64) for v in (k, loc) + parameters)
    valid = check(*parameters)
    return (k - loc, valid) + tuple(fnp.where(valid, v, 0.5) for v in parameters)
