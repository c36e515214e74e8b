"""The examples in fgrad's docstrings run, and print what they say."""
import doctest
import importlib

import pytest

# every module with public functions of its own (fgrad.numpy's functions carry NumPy's
# docstrings; fgrad.scipy's are tested in tests/test_scipy_*.py)
MODULES = ["fgrad.transforms", "fgrad.jacobians", "fgrad.custom", "fgrad.checkpoint",
           "fgrad.extend", "fgrad.tree", "fgrad.testing", "fgrad.nn", "fgrad.optim"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no docstring examples"
    assert result.failed == 0


def test_every_public_function_has_an_example():
    import fgrad
    missing = [name for name in fgrad.__all__ if callable(getattr(fgrad, name))
               and ">>>" not in (getattr(fgrad, name).__doc__ or "")]
    assert missing == []
