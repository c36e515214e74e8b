"""fgrad.numpy: NumPy's names, differentiable.

Every function here either has rules in the tables (it is a primitive, or a
composition of primitives) or is declared to have no derivative. The names
are listed explicitly; nothing is copied from NumPy's namespace wholesale.
"""
import numpy as _np
from numpy import random  # noqa: F401  (NumPy's own; random numbers are data)
from numpy import (  # noqa: F401  constants and dtypes are plain data
    bool_, complex64, complex128, e, euler_gamma, float16, float32, float64, inf, int8,
    int16, int32, int64, nan, ndarray, newaxis, pi, uint8,
)

from . import array_box as _array_box  # noqa: F401  (registers the box type)
from .creation import (  # noqa: F401
    arange, array, asarray, empty, empty_like, eye, full, full_like, identity, linspace,
    ndim, ones, ones_like, shape, size, zeros, zeros_like,
)
from .elementwise import (  # noqa: F401
    abs, absolute, add, astype, bitwise_and, bitwise_or, bitwise_xor, ceil, clip, conj, cos,
    divide, divmod, equal, exp, floor, floor_divide, frexp, greater, greater_equal, imag, invert, isfinite,
    isnan, less, less_equal, log, logical_and, logical_not, logical_or, logical_xor, maximum,
    minimum, mod, modf, multiply, negative,
    not_equal, power, real, reciprocal, remainder, sign, sin, sqrt, square, subtract, tan,
    tanh, true_divide, where,
)
from .indexing import at  # noqa: F401
from .products import dot, matmul  # noqa: F401
from .reductions import amax, amin, max, mean, min, prod, sum  # noqa: F401
from .broadcast import broadcast_to  # noqa: F401
from .shape import (  # noqa: F401
    concatenate, expand_dims, moveaxis, ravel, reshape, squeeze, stack,
    swapaxes, transpose,
)

conjugate = conj
del _np
