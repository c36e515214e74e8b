"""fgrad.numpy: NumPy's names, differentiable.

Every function here either has rules in the rule table (it is a primitive, or a
composition of primitives) or is declared to have no derivative. Each family
module lists what it exports in ``__all__``; this namespace is their union,
and nothing is copied from NumPy's namespace wholesale.
"""
from numpy import random  # noqa: F401  (NumPy's own; random numbers are data)
from numpy import (  # noqa: F401  constants and dtypes are plain data
    bool_, complex64, complex128, e, euler_gamma, float16, float32, float64, inf, int8,
    int16, int32, int64, nan, ndarray, newaxis, pi, uint8,
)

from . import array_box as _array_box  # noqa: F401  (registers the box type)
from . import (broadcast as _broadcast, creation as _creation, diagonals as _diagonals,
               elementwise as _elementwise, indexing as _indexing, order as _order,
               products as _products, reductions as _reductions, shape as _shape)
from .broadcast import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from .diagonals import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .order import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403

FAMILIES = (_broadcast, _elementwise, _shape, _indexing, _reductions, _order, _diagonals,
            _products, _creation)  # each may import those before it
