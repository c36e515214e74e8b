"""Spec rows for fgrad/numpy/reductions.py.

Each reduction runs at 0-d (where NumPy allows) and 1-d with its defaults, and over a
2x3x4 input with axis None, 0, 1, -1 and (0, 2), keepdims both ways. max/min use inputs
without ties, prod/cumprod inputs without zeros (ties and zeros have their own tests in
test_reductions_extra.py), the nan* functions inputs with NaNs (never a whole slice).
"""
import numpy as np

import fgrad.numpy as fnp
from domains import cplx, distinct, nonzero, positive, real
from specs import Spec

AXES = (None, 0, 1, -1, (0, 2))
X0, X1, X234 = ((),), ((4,),), ((2, 3, 4),)


def with_nans(draw):
    """``draw`` with NaN at every 7th element (from the 4th): no slice of a 2x3x4 input,
    nor of a 1-d one of length 4, is all NaN."""
    def nans(rng, shape):
        x = np.array(draw(rng, shape), dtype=float)
        x.reshape(-1)[3::7] = np.nan
        return x
    return nans


def some_zeros(rng, shape):
    """Normal values with about half of them zeroed (for all, any, count_nonzero)."""
    return np.asarray(rng.standard_normal(shape) * (rng.random(shape) < 0.5))


def sorted_coordinates(rng, shape):
    """Increasing, unevenly spaced coordinates along the last axis (steps in [0.5, 1.5])."""
    return np.asarray(np.cumsum(rng.uniform(0.5, 1.5, shape), axis=-1))


def rows(name, f, domain, *, zero_d=True, keepdims=True, axes=AXES, **options):
    """``f`` with its defaults at 0-d and 1-d, and over 2x3x4 along each of ``axes``
    (keepdims both ways when ``f`` takes it)."""
    out = [Spec(name, f, (domain,), ((X0,) if zero_d else ()) + (X1,), **options)]
    for axis in axes:
        for kd in ((False, True) if keepdims else (None,)):
            kw = {"axis": axis} if kd is None else {"axis": axis, "keepdims": kd}
            label = f"{name}-axis={axis}" + ("" if kd is None else f"-keepdims={kd}")
            out.append(Spec(label, lambda x, kw=kw: f(x, **kw), (domain,), (X234,), **options))
    return out


SPECS = [
    *rows("sum", fnp.sum, real),
    *rows("mean", fnp.mean, real),
    *rows("prod", fnp.prod, nonzero),
    *rows("max", fnp.max, distinct),
    *rows("amax", fnp.amax, distinct, axes=(None, -1)),
    *rows("min", fnp.min, distinct),
    *rows("amin", fnp.amin, distinct, axes=(None, 1)),
    *rows("var", fnp.var, real),
    *rows("std", fnp.std, real),
    *rows("ptp", fnp.ptp, distinct),
    *rows("average", fnp.average, real),
    *rows("nansum", fnp.nansum, with_nans(real)),
    *rows("nanmean", fnp.nanmean, with_nans(real)),
    *rows("nanprod", fnp.nanprod, with_nans(nonzero)),
    *rows("nanmax", fnp.nanmax, with_nans(distinct)),
    *rows("nanmin", fnp.nanmin, with_nans(distinct)),
    *rows("nanvar", fnp.nanvar, with_nans(real)),
    *rows("nanstd", fnp.nanstd, with_nans(real)),
    *rows("cumsum", fnp.cumsum, real, keepdims=False, axes=(None, 0, 1, -1)),
    *rows("cumprod", fnp.cumprod, nonzero, keepdims=False, axes=(None, 0, 1, -1)),
    *rows("nancumsum", fnp.nancumsum, with_nans(real), keepdims=False, axes=(None, 0, -1)),
    *rows("nancumprod", fnp.nancumprod, with_nans(nonzero), keepdims=False,
          axes=(None, 0, -1)),
    *rows("diff", fnp.diff, real, zero_d=False, keepdims=False, axes=(0, 1, -1)),
    *rows("ediff1d", fnp.ediff1d, real, keepdims=False, axes=()),
    Spec("ediff1d-begin-end", lambda x, b, e: fnp.ediff1d(x, to_end=e, to_begin=b),
         (real, real, real), (((2, 3), (), (2,)), ((4,), (2, 2), ()))),
    Spec("ediff1d-begin-list", lambda x: fnp.ediff1d(x, to_begin=[1.0, 2.0]), (real,),
         (X1, X234)),
    *[Spec(f"{name}-include_initial={first}",
           lambda x, f=f, first=first: f(x, include_initial=first), (domain,), (X0, X1))
      for name, f, domain in (("cumulative_sum", fnp.cumulative_sum, real),
                              ("cumulative_prod", fnp.cumulative_prod, nonzero))
      for first in (False, True)],
    *[Spec(f"{name}-axis={axis}-include_initial={first}",
           lambda x, f=f, axis=axis, first=first: f(x, axis=axis, include_initial=first),
           (domain,), (X234,))
      for name, f, domain in (("cumulative_sum", fnp.cumulative_sum, real),
                              ("cumulative_prod", fnp.cumulative_prod, nonzero))
      for axis in (0, 1, -1) for first in (False, True)],
    *rows("trapezoid", fnp.trapezoid, real, zero_d=False, keepdims=False, axes=(0, 1, -1)),
    *rows("gradient", fnp.gradient, real, zero_d=False, keepdims=False, axes=(None, 0, -1)),

    # where=, initial=, ddof=, dtype= and the other parameters
    Spec("sum-where", lambda x: fnp.sum(x, axis=1, where=np.array([[True], [False], [True]])),
         (real,), (X234,)),
    Spec("sum-initial", lambda x: fnp.sum(x, axis=(0, 2), initial=1.5), (real,), (X234,)),
    Spec("sum-dtype", lambda x: fnp.sum(x, axis=0, dtype=np.float64), (real,), (X234,)),
    Spec("sum-complex", lambda z: fnp.sum(z, axis=-1), (cplx,), (X1, X234)),
    Spec("mean-where", lambda x: fnp.mean(x, axis=-1, where=np.arange(4) % 3 != 1),
         (real,), (X234,)),
    Spec("mean-complex", lambda z: fnp.mean(z, axis=(0, 2), keepdims=True), (cplx,), (X234,)),
    Spec("prod-where-initial", lambda x: fnp.prod(x, axis=-1, initial=2.0,
                                                  where=np.arange(4) != 2), (nonzero,), (X234,)),
    Spec("prod-complex", lambda z: fnp.prod(z, axis=1), (cplx,), (X234,)),
    Spec("max-where-initial", lambda x: fnp.max(x, axis=1, initial=-10.0,
                                                where=np.array([[True], [False], [True]])),
         (distinct,), (X234,)),
    Spec("min-initial", lambda x: fnp.min(x, axis=0, initial=10.0), (distinct,), (X234,)),
    Spec("var-ddof", lambda x: fnp.var(x, axis=1, ddof=1), (real,), (X234,)),
    Spec("var-where", lambda x: fnp.var(x, axis=-1, where=np.arange(4) != 0), (real,), (X234,)),
    Spec("var-mean", lambda x, m: fnp.var(x, axis=-1, mean=m, keepdims=True), (real, real),
         (((2, 3, 4), (2, 3, 1)),)),
    Spec("var-complex", lambda z: fnp.var(z, axis=(0, 2)), (cplx,), (X234,)),
    Spec("std-ddof", lambda x: fnp.std(x, axis=(0, 2), ddof=1, keepdims=True), (real,), (X234,)),
    Spec("std-correction", lambda x: fnp.std(x, axis=0, correction=1), (real,), (X234,)),
    Spec("std-complex", lambda z: fnp.std(z, axis=1), (cplx,), (X234,)),
    Spec("nanvar-ddof", lambda x: fnp.nanvar(x, axis=-1, ddof=1), (with_nans(real),), (X234,)),
    Spec("nanstd-where", lambda x: fnp.nanstd(x, axis=-1, where=np.arange(4) != 0),
         (with_nans(real),), (X234,)),
    Spec("nanmean-where", lambda x: fnp.nanmean(x, axis=1, where=np.array([[1], [1], [0]], bool)),
         (with_nans(real),), (X234,)),
    Spec("nansum-initial", lambda x: fnp.nansum(x, axis=0, initial=1.0), (with_nans(real),),
         (X234,)),
    Spec("average-weights", lambda a, w: fnp.average(a, axis=-1, weights=w),
         (real, positive), (((2, 3, 4), (2, 3, 4)), ((4,), (4,)))),
    Spec("average-weights-1d", lambda a, w: fnp.average(a, axis=-1, weights=w, keepdims=True),
         (real, positive), (((2, 3, 4), (4,)),)),
    Spec("average-weights-tuple", lambda a, w: fnp.average(a, axis=(0, 2), weights=w),
         (real, positive), (((2, 3, 4), (2, 4)),)),
    Spec("average-returned", lambda a, w: fnp.average(a, axis=0, weights=w, returned=True),
         (real, positive), (((2, 3, 4), (2, 3, 4)),)),
    Spec("average-returned-unweighted", lambda a: fnp.average(a, axis=2, returned=True),
         (real,), (X234,)),
    Spec("cumsum-dtype", lambda x: fnp.cumsum(x, axis=1, dtype=np.float64), (real,), (X234,)),
    Spec("cumsum-complex", lambda z: fnp.cumsum(z, axis=-1), (cplx,), (X234,)),
    Spec("cumprod-complex", lambda z: fnp.cumprod(z, axis=0), (cplx,), (X234,)),
    Spec("cumprod-long", lambda x: fnp.cumprod(x, axis=-1), (nonzero,), (((2, 11),),)),
    Spec("diff-n2", lambda x: fnp.diff(x, n=2, axis=1), (real,), (((2, 5, 3),),)),
    Spec("diff-prepend-append", lambda x, p, q: fnp.diff(x, axis=0, prepend=p, append=q),
         (real, real, real), (((2, 3), (1, 3), (2, 3)),)),
    Spec("diff-prepend-scalar", lambda x, p: fnp.diff(x, prepend=p), (real, real),
         (((4,), ()), ((2, 3), ()))),
    Spec("trapezoid-x", lambda y, x: fnp.trapezoid(y, x), (real, sorted_coordinates),
         (((5,), (5,)), ((2, 5), (5,)), ((2, 5), (2, 5)))),
    Spec("trapezoid-dx", lambda y, dx: fnp.trapezoid(y, dx=dx, axis=0), (real, positive),
         (((3, 2), ()),)),
    Spec("gradient-spacing", lambda f: fnp.gradient(f, 0.5, 2.0), (real,), (((3, 4),),)),
    Spec("gradient-edge2", lambda f: fnp.gradient(f, 0.5, axis=-1, edge_order=2), (real,),
         (((5,),), ((2, 3),))),
    Spec("gradient-traced-spacing", lambda f, h: fnp.gradient(f, h, edge_order=2),
         (real, positive), (((4,), ()),)),
    Spec("gradient-coordinates", lambda f, x: fnp.gradient(f, x, axis=1),
         (real, sorted_coordinates),
         (((2, 5), (5,)),)),
    Spec("gradient-coordinates-edge2", lambda f, x: fnp.gradient(f, x, edge_order=2),
         (real, sorted_coordinates), (((6,), (6,)),)),

    # no derivative
    *rows("argmax", fnp.argmax, distinct, axes=(None, 0, 1, -1), order=0),
    *rows("argmin", fnp.argmin, distinct, axes=(None, 0, 1, -1), order=0),
    *rows("nanargmax", fnp.nanargmax, with_nans(distinct), axes=(None, 0, 1, -1), order=0),
    *rows("nanargmin", fnp.nanargmin, with_nans(distinct), axes=(None, 0, -1), order=0),
    # an integer or boolean result has no derivative
    *[Spec(f"{name}-dtype=int64{'-axis' if axis is not None else ''}",
           lambda x, f=f, axis=axis: f(x * 3.0, axis=axis, dtype=np.int64), (real,),
           (X1, X234) if axis is None else (X234,), order=0)
      for name, f in (("sum", fnp.sum), ("prod", fnp.prod), ("mean", fnp.mean),
                      ("cumsum", fnp.cumsum), ("cumprod", fnp.cumprod),
                      ("nansum", fnp.nansum), ("cumulative_sum", fnp.cumulative_sum))
      for axis in ((None, 1) if not name.startswith("cumulative") else (0,))],
    Spec("sum-of-booleans", lambda x: fnp.sum(x > 0, axis=0), (real,), (X234,), order=0),
    *rows("all", fnp.all, some_zeros, order=0),
    *rows("all-positive", fnp.all, positive, axes=(None, 1), order=0),
    *rows("any", fnp.any, some_zeros, order=0),
    *rows("count_nonzero", fnp.count_nonzero, some_zeros, order=0),
    Spec("any-where", lambda x: fnp.any(x > 0, axis=0, where=np.array([True, False, True])),
         (real,), (((2, 3),),), order=0),
    Spec("allclose", lambda a, b: fnp.allclose(a, a + 1e-9 * b), (real, real),
         (((), ()), ((2, 3), (3,))), order=0),
    Spec("allclose-not", lambda a, b: fnp.allclose(a, b, rtol=0.1), (real, real),
         (((2, 3), (2, 3)),), order=0),
    Spec("array_equal", lambda a, b: fnp.array_equal(a, a + 0 * b), (real, real),
         (((2, 3), (2, 3)),), order=0),
    Spec("array_equal-not", lambda a, b: fnp.array_equal(a, b, equal_nan=True), (real, real),
         (((), ()), ((2, 3), (2, 3))), order=0),
    Spec("array_equiv", lambda a, b: fnp.array_equiv(a, b), (real, real),
         (((2, 3), (3,)),), order=0),
]
