"""Every function of fgrad.scipy that is fgrad's own code has a docstring with an
example, and the example runs and prints what it says. Primitives wrapping SciPy's
functions (the special ufuncs, expm...) keep SciPy's docstring and are not checked."""
import doctest
import inspect
import types

import pytest

pytest.importorskip("scipy")

from fgrad import scipy as fsp  # noqa: E402  (after the skip)
from fgrad.tracer import Primitive  # noqa: E402

MODULES = ("special", "stats", "signal", "linalg", "integrate", "optimize")


def _functions(module, prefix):
    """(name, function) for each public function of ``module``, stats' distributions
    walked into (as fgrad.scipy.census walks them)."""
    for name in module.__all__:
        obj = getattr(module, name)
        if isinstance(obj, types.ModuleType):
            yield from _functions(obj, f"{prefix}{name}.")
        elif callable(obj):
            yield prefix + name, obj


def _own(fn):
    """Whether ``fn``'s docstring is fgrad's: not a primitive, or a composition over one
    (zeta), as opposed to a primitive wrapping SciPy's function with SciPy's docstring."""
    if not isinstance(getattr(fn, "prim", None), Primitive):
        return True
    return (getattr(fn.__wrapped__, "__module__", None) or "").startswith("fgrad.")


OWN = [(name, fn) for key in MODULES
       for name, fn in _functions(getattr(fsp, key), key + ".") if _own(fn)]


def _problems(name, fn):
    """What is wrong with ``fn``'s docstring: no example, or examples that fail (run
    with the globals of the module that defines ``fn``)."""
    doc = fn.__doc__ or ""
    if ">>>" not in doc:
        return [f"{name}: no example in its docstring"]
    module = inspect.getmodule(fn)
    tests = doctest.DocTestFinder(recurse=False).find(fn, name, module=module,
                                                     globs=dict(vars(module)))
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    failures = []
    for test in tests:
        runner.run(test, out=failures.append)
    result = runner.summarize(verbose=False)
    if result.attempted == 0:
        return [f"{name}: no example ran"]
    return [f"{name}: {result.failed} example(s) failed\n" + "".join(failures)] \
        if result.failed else []


def test_the_walk_finds_the_compositions_and_skips_scipy_primitives():
    names = {name for name, _ in OWN}
    assert len(OWN) >= 55
    assert {"stats.norm.logpdf", "stats.gamma.cdf", "stats.chi2.logsf",
            "stats.multivariate_normal.entropy", "special.logsumexp", "special.zeta",
            "signal.correlate2d", "linalg.solve", "integrate.odeint",
            "optimize.minimize"} <= names
    assert not {"special.gammaln", "special.softmax", "linalg.expm"} & names


@pytest.mark.parametrize("name, fn", OWN, ids=[name for name, _ in OWN])
def test_docstring_has_a_running_example(name, fn):
    problems = _problems(name, fn)
    assert not problems, "\n".join(problems)


def test_the_check_fails_without_an_example_or_with_a_wrong_one():
    def bare(x):
        """No example here."""
        return x

    def wrong(x):
        """An example printing the wrong value.

        >>> bare(1)
        2
        """
        return x
    assert _problems("bare", bare) == ["bare: no example in its docstring"]
    assert _problems("undocumented", lambda x: x) == ["undocumented: no example in its docstring"]
    assert "1 example(s) failed" in _problems("wrong", wrong)[0]
