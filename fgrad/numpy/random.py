"""fgrad.numpy.random: NumPy's random module, re-exported as it is.

Random numbers are data, with no derivative: every name here is NumPy's own object
(``default_rng``, ``Generator``, the legacy ``seed``/``rand``/``normal`` sharing NumPy's
global state), so code written against ``numpy.random`` runs unchanged.
"""
import numpy.random as _np_random
from numpy.random import *  # noqa: F401,F403

__all__ = list(_np_random.__all__)
