"""Spec rows for fgrad/numpy/signal.py: convolution, correlation, interp, unwrap, kaiser.

interp's knots are ``knots`` (increasing, at least 0.4 apart) and its points are drawn
away from them, on both sides of the ends too, so that finite differences stay on one
piece of the line.
"""
import numpy as np

import fgrad
import fgrad.numpy as fnp
from domains import banded, cplx, positive, real
from specs import Spec

MODES = ("full", "same", "valid")
# (a, v): a longer, v longer (NumPy swaps them), scalars, equal lengths
LENGTHS = (((5,), (3,)), ((3,), (5,)), ((2,), (2,)), ((4,), (6,)), ((1,), (3,)), ((), (4,)),
           ((4,), ()))
ONE_D = LENGTHS[:5]  # correlate refuses 0-d arguments


def knots(rng, shape):
    """Increasing knots 0.4 or more apart, from about -2 to 2."""
    return np.linspace(-2, 2, shape[-1]) + rng.uniform(-0.15, 0.15, shape)


def phases(rng, shape):
    """Angles that jump by a few periods (and by less than half of one) along the last axis."""
    return np.cumsum(rng.choice([-1, 1], shape) * rng.uniform(0.3, 9.0, shape), axis=-1)


# points at least 0.05 from the knots of ``knots`` with 5 knots (-2, -1, 0, 1, 2, +-0.15)
points = banded((-2.9, -2.2), (-1.8, -1.2), (-0.8, -0.2), (0.2, 0.8), (1.2, 1.8), (2.2, 2.9))


def _xcorr_transposed(a, v, g):
    """convolve's and correlate's VJPs, themselves checked: they bind the cross-correlation."""
    return (fgrad.vjp(lambda a, v: fnp.convolve(a, v, "same"), a, v)[1](g[:5]),
            fgrad.vjp(lambda a, v: fnp.correlate(a, v, "full"), a, v)[1](g))


SPECS = [
    *[Spec(f"convolve-{mode}", lambda a, v, m=mode: fnp.convolve(a, v, m), (real, real), LENGTHS)
      for mode in MODES],
    *[Spec(f"correlate-{mode}", lambda a, v, m=mode: fnp.correlate(a, v, m), (real, real),
           ONE_D) for mode in MODES],
    Spec("convolve-default", fnp.convolve, (real, real), LENGTHS[:2]),
    Spec("correlate-default", fnp.correlate, (real, real), LENGTHS[:2]),
    Spec("convolve-complex", lambda a, v: fnp.convolve(a, v, "same"), (cplx, cplx),
         LENGTHS[:2] + LENGTHS[-2:]),
    Spec("convolve-mixed", lambda a, v: fnp.convolve(a, v, "full"), (real, cplx), LENGTHS[:2]),
    *[Spec(f"correlate-complex-{mode}", lambda a, v, m=mode: fnp.correlate(a, v, m),
           (cplx, cplx), ONE_D[:3]) for mode in MODES],
    Spec("correlate-mixed", lambda a, v: fnp.correlate(a, v, "same"), (cplx, real),
         LENGTHS[:2]),
    Spec("convolve-transposed", _xcorr_transposed, (real, real, real),
         (((5,), (3,), (7,)),)),

    # interp: in x, xp and fp; the ends; a period
    Spec("interp", fnp.interp, (points, knots, real),
         (((), (5,), (5,)), ((4,), (5,), (5,)), ((2, 3), (5,), (5,)))),
    Spec("interp-ends", lambda x, xp, fp, lo, hi: fnp.interp(x, xp, fp, lo, hi),
         (points, knots, real, real, real), (((6,), (5,), (5,), (), ()),)),
    Spec("interp-left", lambda x, xp, fp: fnp.interp(x, xp, fp, left=-3.0), (points, knots, real),
         (((6,), (5,), (5,)),)),
    Spec("interp-complex", fnp.interp, (points, knots, cplx), (((4,), (5,), (5,)),)),
    Spec("interp-period", lambda x, xp, fp: fnp.interp(x, xp, fp, period=5.0),
         (points, knots, real), (((6,), (5,), (5,)),)),
    Spec("interp-period-traced", lambda x, p: fnp.interp(x, np.array([-2., -1, 0, 1, 2]),
                                                         np.array([1., -1, 2, 0.5, 3]), period=p),
         (points, banded((4.6, 4.9))), (((6,), ()),)),

    # unwrap: in p, and in the period
    Spec("unwrap", fnp.unwrap, (phases,), (((5,),), ((2, 5),))),
    Spec("unwrap-axis", lambda p: fnp.unwrap(p, axis=0), (phases,), (((5, 2),),)),
    Spec("unwrap-discont", lambda p: fnp.unwrap(p, discont=4.0), (phases,), (((6,),),)),
    Spec("unwrap-period", lambda p, per: fnp.unwrap(p, period=per), (phases, banded((6.0, 6.5))),
         (((6,), ()),)),

    Spec("kaiser", lambda beta: fnp.kaiser(6, beta), (positive,), (((),),)),
    Spec("kaiser-1", lambda beta: fnp.kaiser(1, beta), (positive,), (((),),)),
]
