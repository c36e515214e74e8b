"""Spec rows for fgrad/numpy/sets.py: no derivative (``order=0``); values and vmap only.

Inputs are small whole numbers (as floats), so that sets meet and repeat. Results whose
length depends on the values are not batched (``vmap=False``): vmap refuses them, which
test_more_numpy.py checks.
"""
import numpy as np

import fgrad.numpy as fnp
from specs import Spec


def ints(rng, shape):
    return rng.integers(-2, 3, shape).astype(float)


PAIRS = (((5,), (3,)), ((2, 3), (4,)), ((), (3,)), ((4,), (2, 2)))
NAMES = [n for n in ("unique_values", "unique_counts", "unique_inverse", "unique_all")
         if hasattr(np, n)]

SPECS = [
    Spec("isin", fnp.isin, (ints, ints), PAIRS, order=0),
    Spec("isin-invert", lambda a, b: fnp.isin(a, b, invert=True), (ints, ints), PAIRS[:2],
         order=0),
    Spec("isin-table", lambda a, b: fnp.isin(a.astype(int), b.astype(int), kind="table"),
         (ints, ints), PAIRS[:2], order=0),
    Spec("intersect1d", fnp.intersect1d, (ints, ints), PAIRS, order=0, vmap=False),
    Spec("intersect1d-indices", lambda a, b: fnp.intersect1d(a, b, return_indices=True),
         (ints, ints), PAIRS[:2], order=0, vmap=False),
    Spec("union1d", fnp.union1d, (ints, ints), PAIRS, order=0, vmap=False),
    Spec("setdiff1d", fnp.setdiff1d, (ints, ints), PAIRS, order=0, vmap=False),
    Spec("setxor1d", fnp.setxor1d, (ints, ints), PAIRS, order=0, vmap=False),
    *[Spec(name, getattr(fnp, name), (ints,), (((6,),), ((2, 3),)), order=0, vmap=False)
      for name in NAMES],
]
