"""Helpers shared by the family test files."""
import numpy as np

import fgrad


def traced(f, *args):
    """``f(*args)`` computed under a transform (forward mode), as a plain value."""
    return fgrad.jvp(f, args, tuple(np.ones_like(a) for a in args))[0]


def assert_same(actual, expected):
    """The same values, bit for bit, with the same dtypes and container types."""
    assert type(actual) is type(expected) or not isinstance(expected, (list, tuple))
    if isinstance(expected, (list, tuple)):
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
        return
    assert np.asarray(actual).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(actual, expected)


EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "examples"


def load_example(name):
    """The module examples/<name>.py, imported under a name of its own (its __main__
    block not run); examples/ goes on sys.path, as when the example runs as a script."""
    import importlib.util
    import sys
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(f"fgrad_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
