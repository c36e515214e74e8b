"""Creating arrays, and asking about their shape: constants, no derivative.

``array`` and ``asarray`` are the exception: given a (nested) list holding
traced values they stack them, so ``fnp.array([x, y])`` stays differentiable.
"""
import math

import numpy as np

from ..rules import defrules, nondifferentiable
from ..tracer import Box, primitive
from . import batch
from .shape import stack

__all__ = ["arange", "array", "asarray", "empty", "empty_like", "eye", "full", "full_like",
           "identity", "linspace", "ndim", "ones", "ones_like", "shape", "size", "zeros",
           "zeros_like"]

zeros, ones, empty, full, eye, identity, arange, linspace = (
    np.zeros, np.ones, np.empty, np.full, np.eye, np.identity, np.arange, np.linspace)

zeros_like, ones_like, empty_like, full_like, shape, ndim, size = (
    primitive(f) for f in (np.zeros_like, np.ones_like, np.empty_like, np.full_like,
                           np.shape, np.ndim, np.size))
for _f in (zeros_like, ones_like, empty_like, full_like, shape, ndim, size):
    nondifferentiable(_f)
for _f in (zeros_like, ones_like, empty_like, full_like):
    defrules(_f, batch=batch.elementwise(_f))


def _example_shape(x, d):
    s = np.shape(x)
    return s[:d] + s[d + 1:]


defrules(shape, batch=lambda args, dims, size: (_example_shape(args[0], dims[0]), None))
defrules(ndim, batch=lambda args, dims, size: (np.ndim(args[0]) - 1, None))
defrules(size, batch=lambda args, dims, size: (math.prod(_example_shape(args[0], dims[0])), None))


def _holds_box(obj):
    if isinstance(obj, Box):
        return True
    return isinstance(obj, (list, tuple)) and any(_holds_box(o) for o in obj)


def array(obj, dtype=None, copy=True):
    """NumPy's array; a list or tuple of traced values is stacked, differentiably."""
    if isinstance(obj, Box):
        return obj if dtype is None else obj.astype(dtype)
    if isinstance(obj, (list, tuple)) and _holds_box(obj):
        out = stack([array(o) for o in obj])
        return out if dtype is None else out.astype(dtype)
    return np.array(obj, dtype=dtype, copy=copy)


def asarray(obj, dtype=None):
    """NumPy's asarray; traced values pass through (see ``array``)."""
    if isinstance(obj, Box) or (isinstance(obj, (list, tuple)) and _holds_box(obj)):
        return array(obj, dtype)
    return np.asarray(obj, dtype=dtype)
