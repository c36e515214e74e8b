"""Spec rows for fgrad/numpy/statistics.py: covariance, correlation, histograms, counts.

Histogram rows differentiate the weights and, through the bin edges (the data's extremes,
``range``, explicit edges), the data: ``real`` data has no ties, and no sample lies
within a finite-difference step of an inner edge. Counts and indices are ``order=0``.
"""
import numpy as np

import fgrad
import fgrad.numpy as fnp
from domains import cplx, positive, real
from specs import Spec

X = np.array([0, 2, 2, 1, 4, 0])  # bincount's values: data, never differentiated
FW = np.array([1, 3, 2, 1, 2])    # frequency weights


def small_ints(rng, shape):
    """Whole numbers 0..4 as floats (cast to integers in the row)."""
    return rng.integers(0, 5, shape).astype(float)


def halves(rng, shape):
    """Whole numbers 0..4 plus 1/2 (cast to integers in the row: steps never cross one)."""
    return small_ints(rng, shape) + 0.5


def rising(rng, shape):
    """Bin edges: increasing, at least 0.4 apart, from about -2 to 1.5."""
    return np.linspace(-2, 1.5, shape[-1]) + rng.uniform(-0.2, 0.2, shape)


def _histogram_transposed(a, w, g):
    """The VJP of a weighted histogram, itself checked: binds the bin index."""
    return fgrad.vjp(lambda w: fnp.histogram(a, 3, weights=w)[0], w)[1](g)[0]


def _bincount_transposed(w, g):
    return fgrad.vjp(lambda w: fnp.bincount(X, w, minlength=6), w)[1](g)[0]


N6, N23 = ((6,),), ((2, 3),)
PAIRS = (((6,), (6,)), ((2, 3), (2, 3)))
MATRICES = (((3, 5),), ((2, 4),))

SPECS = [
    # cov and corrcoef
    Spec("cov", fnp.cov, (real,), MATRICES + (((5,),),)),
    Spec("cov-rowvar", lambda m: fnp.cov(m, rowvar=False), (real,), (((5, 3),), ((4,),))),
    Spec("cov-bias", lambda m: fnp.cov(m, bias=True), (real,), MATRICES),
    Spec("cov-ddof", lambda m: fnp.cov(m, ddof=2), (real,), MATRICES),
    Spec("cov-y", lambda m, y: fnp.cov(m, y), (real, real), (((2, 5), (5,)), ((5,), (2, 5)))),
    Spec("cov-y-rowvar", lambda m, y: fnp.cov(m, y, rowvar=False), (real, real),
         (((5, 2), (5, 3)),)),
    Spec("cov-aweights", lambda m, w: fnp.cov(m, aweights=w), (real, positive),
         (((3, 5), (5,)),)),
    Spec("cov-weights-ddof", lambda m, w: fnp.cov(m, fweights=FW, aweights=w, ddof=1),
         (real, positive), (((3, 5), (5,)),)),
    Spec("cov-weights-ddof0", lambda m, w: fnp.cov(m, fweights=FW, aweights=w, ddof=0),
         (real, positive), (((3, 5), (5,)),)),
    Spec("cov-fweights", lambda m: fnp.cov(m, fweights=FW), (real,), (((3, 5),),)),
    Spec("cov-complex", fnp.cov, (cplx,), MATRICES),
    Spec("corrcoef", fnp.corrcoef, (real,), MATRICES + (((5,),),)),
    Spec("corrcoef-y", lambda x, y: fnp.corrcoef(x, y, rowvar=False), (real, real),
         (((5, 2), (5,)),)),
    Spec("corrcoef-complex", fnp.corrcoef, (cplx,), MATRICES),

    # histograms: edges from the data's extremes, a range, or given
    Spec("histogram", lambda a: fnp.histogram(a, 4), (real,), (N6, N23)),
    Spec("histogram-0d", lambda a: fnp.histogram(a, 3), (real,), (((),),)),  # the middle bin
    Spec("histogram-default-bins", fnp.histogram, (real,), (N6,)),
    Spec("histogram-density", lambda a: fnp.histogram(a, 3, density=True), (real,), (N6, N23)),
    Spec("histogram-weights", lambda a, w: fnp.histogram(a, 4, weights=w), (real, real), PAIRS),
    Spec("histogram-weights-density", lambda a, w: fnp.histogram(a, 3, weights=w, density=True),
         (real, positive), PAIRS),
    Spec("histogram-range", lambda a, w: fnp.histogram(a, 5, range=(-1.5, 1), weights=w),
         (real, real), PAIRS),
    Spec("histogram-edges", lambda a, e: fnp.histogram(a, e, density=True), (real, rising),
         (((6,), (4,)), ((2, 3), (5,)))),
    Spec("histogram-edges-weights", lambda a, e, w: fnp.histogram(a, e, weights=w),
         (real, rising, real), (((6,), (4,), (6,)),)),
    Spec("histogram-complex-weights", lambda a, w: fnp.histogram(a, 3, weights=w),
         (real, cplx), PAIRS),
    Spec("histogram-ints", lambda a: fnp.histogram(a.astype(int), 3), (small_ints,), (N6,),
         order=0),
    Spec("histogram-auto", lambda a: fnp.histogram(a, "auto"), (real,), (((12,),),),
         vmap=False),
    Spec("histogram-transposed", _histogram_transposed, (real, real, real),
         (((6,), (6,), (3,)),)),
    Spec("histogram_bin_edges", lambda a: fnp.histogram_bin_edges(a, 5), (real,), (N6, N23)),
    Spec("histogram_bin_edges-range", lambda a, lo: fnp.histogram_bin_edges(
        a, 3, range=(lo, lo + 4.0)), (real, real), (((6,), ()),)),
    Spec("histogramdd", lambda s: fnp.histogramdd(s, 3), (real,), (((6, 2),), ((5, 3),))),
    Spec("histogramdd-weights", lambda s, w: fnp.histogramdd(s, (2, 3), weights=w,
                                                             density=True),
         (real, positive), (((6, 2), (6,)),)),
    Spec("histogramdd-edges", lambda s, e: fnp.histogramdd(s, [e, 2], density=True),
         (real, rising), (((6, 2), (4,)),)),
    Spec("histogram2d", lambda x, y, w: fnp.histogram2d(x, y, (2, 3), weights=w,
                                                        density=True),
         (real, real, positive), (((6,), (6,), (6,)),)),
    Spec("histogram2d-range", lambda x, y: fnp.histogram2d(x, y, 3, range=[[-2, 2], [-1, 1]]),
         (real, real), (((6,), (6,)),)),

    # counts and bins
    Spec("bincount-weights", lambda w: fnp.bincount(X, w, minlength=6), (real,), (N6,)),
    Spec("bincount-transposed", _bincount_transposed, (real, real), (((6,), (6,)),)),
    Spec("bincount", lambda x: fnp.bincount(x.astype(int), minlength=5), (small_ints,),
         (N6,), order=0),
    Spec("bincount-traced-x", lambda x, w: fnp.bincount(x.astype(int), w, minlength=5),
         (halves, real), (((6,), (6,)),)),
    Spec("digitize", fnp.digitize, (real, rising), (((), (4,)), ((5,), (4,)), ((2, 3), (3,))),
         order=0),
    Spec("digitize-right", lambda x, b: fnp.digitize(x, b, right=True), (real, rising),
         (((5,), (4,)),), order=0),
    Spec("digitize-falling", lambda x, b: fnp.digitize(x, b[::-1]), (real, rising),
         (((5,), (4,)),), order=0),
]
