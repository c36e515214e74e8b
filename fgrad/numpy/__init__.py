"""fgrad.numpy: NumPy's names, differentiable.

Every function here either has rules in the rule table (it is a primitive, or a
composition of primitives) or is declared to have no derivative; each family
module lists what it exports in ``__all__`` and ``namespace.FUNCTIONS`` is their
union. Every other public NumPy name is importable too: constants, dtypes and
classes as NumPy's own, and functions as NumPy's, refusing traced values with an
error that names them (``fgrad.numpy.coverage()`` tells which is which).
"""
import functools as _functools

import numpy as _np

from . import array_box as _array_box  # noqa: F401  (registers the box type)
from . import fft, linalg  # noqa: F401
from . import random  # noqa: F401  (NumPy's own; random numbers are data)
from .census import coverage  # noqa: F401
from .namespace import FUNCTIONS as _FUNCTIONS
from ..tracer import holds_box as _holds_box

globals().update(_FUNCTIONS)
__all__ = sorted(_FUNCTIONS) + ["coverage", "fft", "linalg", "random"]


def __getattr__(name):
    """NumPy's other public names: data as it is, functions guarded against traced values."""
    if name.startswith("_") or not hasattr(_np, name):
        raise AttributeError(f"module 'fgrad.numpy' has no attribute {name!r}")
    return _numpy_name(name)


@_functools.cache
def _numpy_name(name):
    obj = getattr(_np, name)
    if not callable(obj) or isinstance(obj, type):
        return obj

    @_functools.wraps(obj)
    def guarded(*args, **kwargs):
        if _holds_box(args) or _holds_box(tuple(kwargs.values())):
            raise TypeError(f"fgrad has no derivative rule for numpy.{name}, and it was called "
                            "on a traced value. Wrap the argument in fgrad.stop_gradient if no "
                            "derivative should flow through it, or give the function rules "
                            "with fgrad.custom_vjp / fgrad.custom_jvp or fgrad.extend")
        return obj(*args, **kwargs)
    return guarded
