"""Spec rows for fgrad/numpy/order.py.

Derivatives are checked on ``distinct`` values (no ties: sort's permutation holds
under the finite-difference steps); nan* rows add NaNs that leave every slice a number.
Each axis of 1-d, 2-d and 3-d inputs (lengths 2, 3, 4: odd and even medians) is covered.
"""
import numpy as np

import fgrad
import fgrad.numpy as fnp
from domains import banded, distinct, real
from specs import Spec

ZERO, ONE, TWO, THREE = ((),), ((4,),), ((3, 4),), ((2, 3, 4),)
# axis -> the input shapes that have it
AXES = {None: (ZERO, ONE, TWO, THREE), 0: (ONE, TWO, THREE), 1: (TWO, THREE),
        -1: (ONE, TWO, THREE), -2: (TWO, THREE), (0, 2): (THREE,), (-1, 0): (TWO, THREE)}
SORT_AXES = {a: s for a, s in AXES.items() if not isinstance(a, tuple)}
SORT_AXES[None] = (ONE, TWO, THREE)
METHODS = ("linear", "lower", "higher", "nearest", "midpoint", "inverted_cdf",
           "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen",
           "weibull", "median_unbiased", "normal_unbiased")


def _name(axis):
    return "none" if axis is None else str(axis).replace(" ", "").replace("-", "m")


def with_nans(rng, shape):
    """``distinct`` with NaN where the coordinates sum to 1 (or 2) mod 3: two neighbours
    along an axis never both, so every slice of length 2 or more keeps a number. Vectors
    of 3 or fewer (0-d examples batched by 3) get none."""
    x = distinct(rng, shape)
    if np.ndim(x) == 1 and np.size(x) <= 3:
        return x
    coords = np.indices(np.shape(x)).sum(axis=0) if np.ndim(x) else np.zeros(())
    return np.where(coords % 3 == rng.integers(1, 3), np.nan, x)


def cplx_distinct(rng, shape):
    """Complex, real parts ``distinct``: the lexicographic order stays put under small steps."""
    return distinct(rng, shape) + 1j * rng.standard_normal(shape)


def sorted_distinct(rng, shape):
    return np.sort(distinct(rng, shape), axis=-1)


def ints(rng, shape):
    """Small whole numbers as floats: ties on purpose."""
    return rng.integers(-2, 3, shape).astype(float)


def sorted_ints(rng, shape):
    return np.sort(ints(rng, shape), axis=-1)


# q away from the kinks k / (n - 1) of a length-4 axis (n = 4, and n = 3 or 2 with NaNs)
q_apart = banded((0.05, 0.28), (0.36, 0.45), (0.55, 0.62), (0.72, 0.95))
p_apart = banded((5.0, 28.0), (36.0, 45.0), (55.0, 62.0), (72.0, 95.0))
Q = np.array([0.1, 0.5, 0.85])
IN_Q = (((4,), ()), ((3, 4), (2,)), ((2, 3, 4), (3,)))
PAIRS = (((4,), (4,)), ((3, 4), (3, 4)), ((2, 3, 4), (2, 3, 4)))


def _reductions():
    rows = []
    for axis, shapes in AXES.items():
        for keepdims in (False, True):
            tag = f"axis_{_name(axis)}" + ("_keepdims" if keepdims else "")
            kw = {"axis": axis, "keepdims": keepdims}
            rows += [
                Spec(f"median_{tag}", lambda x, kw=kw: fnp.median(x, **kw), (distinct,), shapes),
                Spec(f"nanmedian_{tag}", lambda x, kw=kw: fnp.nanmedian(x, **kw), (with_nans,),
                     shapes),
                Spec(f"quantile_{tag}", lambda x, kw=kw: fnp.quantile(x, 0.3, **kw),
                     (distinct,), shapes),
                Spec(f"nanquantile_{tag}", lambda x, kw=kw: fnp.nanquantile(x, Q, **kw),
                     (with_nans,), shapes),
            ]
        rows += [
            Spec(f"percentile_axis_{_name(axis)}", lambda x, a=axis: fnp.percentile(x, 70, a),
                 (distinct,), shapes),
            Spec(f"nanpercentile_axis_{_name(axis)}",
                 lambda x, a=axis: fnp.nanpercentile(x, [20.0, 65.0], a), (with_nans,), shapes),
        ]
    for method in METHODS:
        kw = {"axis": 1, "method": method}
        rows += [
            Spec(f"quantile_{method}", lambda x, kw=kw: fnp.quantile(x, Q, **kw), (distinct,),
                 (TWO, THREE)),
            Spec(f"nanquantile_{method}", lambda x, kw=kw: fnp.nanquantile(x, Q, **kw),
                 (with_nans,), (TWO, THREE)),
            Spec(f"percentile_{method}", lambda x, kw=kw: fnp.percentile(x, 42.0, **kw),
                 (distinct,), (TWO, THREE)),
        ]
    return rows


def _sorts():
    rows = []
    for axis, shapes in SORT_AXES.items():
        rows += [
            Spec(f"sort_axis_{_name(axis)}", lambda x, a=axis: fnp.sort(x, a), (distinct,), shapes),
            Spec(f"argsort_axis_{_name(axis)}", lambda x, a=axis: fnp.argsort(x, axis=a),
                 (distinct,), shapes, order=0),
        ]
    return rows


SPECS = _sorts() + _reductions() + [
    Spec("sort_default", fnp.sort, (distinct,), (ONE, TWO, THREE)),
    Spec("sort_stable_kind", lambda x: fnp.sort(x, kind="stable"), (distinct,), (TWO,)),
    Spec("sort_stable_flag", lambda x: fnp.sort(x, 0, stable=True), (distinct,), (TWO,)),
    Spec("sort_complex", lambda z: fnp.sort(z, axis=0), (cplx_distinct,), (ONE, TWO)),
    Spec("argsort_ties_stable", lambda x: fnp.argsort(x, kind="stable"), (ints,), (ONE, TWO),
         order=0),
    Spec("partition", lambda x: fnp.partition(x, 1), (distinct,), (ONE, TWO, THREE)),
    Spec("partition_kth_sequence", lambda x: fnp.partition(x, (0, 2), axis=1), (distinct,),
         (TWO, THREE)),
    Spec("partition_axis_0", lambda x: fnp.partition(x, -1, axis=0), (distinct,),
         (ONE, TWO, THREE)),
    Spec("partition_axis_none", lambda x: fnp.partition(x, [1, 3], axis=None), (distinct,),
         (ONE, TWO, THREE)),
    Spec("partition_complex", lambda z: fnp.partition(z, 2), (cplx_distinct,), (ONE, TWO)),
    Spec("argpartition", lambda x: fnp.argpartition(x, 2), (distinct,), (ONE, TWO, THREE),
         order=0),
    Spec("argpartition_axis_none", lambda x: fnp.argpartition(x, [0, 2], axis=None),
         (distinct,), (ONE, TWO), order=0),
    Spec("argpartition_axis_0", lambda x: fnp.argpartition(x, 1, axis=0), (distinct,),
         (TWO, THREE), order=0),
    Spec("median_complex", lambda z: fnp.median(z, axis=-1), (cplx_distinct,), (ONE, TWO)),
    Spec("median_odd", fnp.median, (distinct,), (((5,),), ((3, 3),))),
    # q differentiated too
    Spec("quantile_in_q", lambda x, q: fnp.quantile(x, q, axis=-1), (distinct, q_apart), IN_Q),
    Spec("percentile_in_q", lambda x, q: fnp.percentile(x, q, -1, keepdims=True),
         (distinct, p_apart), IN_Q),
    Spec("nanquantile_in_q", lambda x, q: fnp.nanquantile(x, q, axis=-1), (with_nans, q_apart),
         IN_Q),
    Spec("quantile_in_q_hazen", lambda x, q: fnp.quantile(x, q, axis=-1, method="hazen"),
         (distinct, banded((0.2, 0.3), (0.45, 0.55), (0.7, 0.8))), IN_Q),
    # the rules under other transforms: their own derivatives and batching
    Spec("sort_vjp", lambda x, g: fgrad.vjp(lambda x: fnp.sort(x), x)[1](g)[0],
         (distinct, real), PAIRS),
    Spec("sort_jvp_axis_none", lambda x, t: fgrad.jvp(lambda x: fnp.sort(x, axis=None),
                                                      (x,), (t,))[1], (distinct, real), PAIRS),
    Spec("partition_vjp", lambda x, g: fgrad.vjp(lambda x: fnp.partition(x, 1, 0), x)[1](g)[0],
         (distinct, real), PAIRS),
    Spec("partition_jvp", lambda x, t: fgrad.jvp(lambda x: fnp.partition(x, [0, 2]), (x,),
                                                 (t,))[1], (distinct, real), PAIRS),
    Spec("median_grad", lambda x: fgrad.grad(lambda x: fnp.sum(fnp.median(x, -1) ** 2))(x),
         (distinct,), (ONE, TWO, THREE)),
    Spec("nanquantile_grad", lambda x: fgrad.grad(
        lambda x: fnp.sum(fnp.nanquantile(x, Q, axis=0) ** 2))(x), (with_nans,), (ONE, TWO)),
    # no derivative
    Spec("searchsorted", fnp.searchsorted, (sorted_distinct, distinct),
         (((5,), ()), ((5,), (3,)), ((4,), (2, 3))), order=0),
    Spec("searchsorted_ties_left", fnp.searchsorted, (sorted_ints, ints),
         (((6,), (4,)), ((6,), (2, 3))), order=0),
    Spec("searchsorted_ties_right", lambda a, v: fnp.searchsorted(a, v, "right"),
         (sorted_ints, ints), (((6,), (4,)), ((6,), (2, 3))), order=0),
    Spec("searchsorted_sorter", lambda a, v: fnp.searchsorted(a, v, sorter=fnp.argsort(a)),
         (distinct, distinct), (((5,), (3,)), ((4,), (2, 2))), order=0),
    Spec("lexsort", lambda a, b: fnp.lexsort((a, b)), (ints, ints),
         (((6,), (6,)), ((2, 6), (2, 6)), ((2, 3, 4), (2, 3, 4))), order=0),
    Spec("lexsort_axis_0", lambda a, b, c: fnp.lexsort([a, b, c], axis=0), (ints, ints, ints),
         (((5, 2), (5, 2), (5, 2)),), order=0),
    Spec("unique", fnp.unique, (ints,), (ONE, TWO), order=0, vmap=False),
    Spec("unique_flags", lambda x: fnp.unique(x, return_index=True, return_inverse=True,
                                              return_counts=True), (ints,), (ONE, TWO),
         order=0, vmap=False),
    Spec("unique_axis", lambda x: fnp.unique(x, axis=0), (ints,), (((4, 2),),), order=0,
         vmap=False),
    # sort_complex: sorted along the last axis, as complex
    Spec("sort_complex-of-reals", fnp.sort_complex, (distinct,), (ONE, TWO, THREE)),
    Spec("sort_complex-of-complex", fnp.sort_complex, (cplx_distinct,), (ONE, TWO)),
    Spec("sort_complex-ints", lambda x: fnp.sort_complex(x.astype(np.int16)), (ints,),
         (ONE, TWO), order=0),
]
