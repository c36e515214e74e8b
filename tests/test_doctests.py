"""The examples in fgrad's docstrings run, and print what they say."""
import doctest
import importlib

import pytest

# every module with public functions of its own (fgrad.numpy's and fgrad.scipy's functions
# carry NumPy's and SciPy's docstrings: fgrad.scipy's modules have an example each)
MODULES = ["fgrad.transforms", "fgrad.jacobians", "fgrad.custom", "fgrad.checkpoint",
           "fgrad.extend", "fgrad.tree", "fgrad.testing", "fgrad.nn", "fgrad.optim",
           "fgrad.graph"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    if name == "fgrad.optim":  # its minimize example runs SciPy
        pytest.importorskip("scipy")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0


def test_every_public_function_has_an_example():
    import fgrad
    missing = [name for name in fgrad.__all__ if callable(getattr(fgrad, name))
               and ">>>" not in (getattr(fgrad, name).__doc__ or "")]
    assert missing == []


@pytest.mark.parametrize("name", ["special", "stats", "signal", "linalg", "integrate",
                                  "optimize"])
def test_each_scipy_module_has_a_running_example(name):
    pytest.importorskip("scipy")
    module = importlib.import_module(f"fgrad.scipy.{name}")
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder(recurse=False).find(module):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.attempted > 0 and result.failed == 0
