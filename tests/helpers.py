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
