"""Spec rows for fgrad/numpy/polynomial.py: coefficient arithmetic, fits and roots.

Leading coefficients are drawn ``nonzero`` where a row divides by them (polydiv, roots);
polyfit's abscissae are ``distinct`` (a well-conditioned Vandermonde matrix).
"""
import numpy as np

import fgrad.numpy as fnp
from domains import cplx, distinct, nonzero, positive, real
from specs import Spec

PAIRS = (((4,), (2,)), ((2,), (4,)), ((3,), (3,)), ((), (3,)))


SPECS = [
    Spec("polyval", fnp.polyval, (real, real),
         (((4,), ()), ((4,), (3,)), ((3,), (2, 3)), ((1,), (2,)), ((2, 3), (3,)))),
    Spec("polyval-complex", fnp.polyval, (cplx, real), (((3,), (2,)),)),
    Spec("polyadd", fnp.polyadd, (real, real), PAIRS),
    Spec("polysub", fnp.polysub, (real, real), PAIRS),
    Spec("polymul", fnp.polymul, (real, real), PAIRS),
    Spec("polymul-leading-zero", lambda a, b: fnp.polymul(fnp.concatenate([np.zeros(2), a]), b),
         (real, real), (((3,), (2,)),)),
    Spec("polymul-complex", fnp.polymul, (cplx, real), (((3,), (2,)),)),
    Spec("polyder", fnp.polyder, (real,), (((4,),), ((1,),))),
    Spec("polyder-2", lambda p: fnp.polyder(p, 2), (real,), (((5,),),)),
    Spec("polyint", fnp.polyint, (real,), (((3,),), ((1,),))),
    Spec("polyint-k", lambda p, k: fnp.polyint(p, 2, k), (real, real), (((3,), (2,)), ((3,), ()))),
    Spec("polydiv", fnp.polydiv, (real, nonzero),
         (((5,), (2,)), ((3,), (3,)), ((2,), (3,)), ((4,), ()))),
    Spec("polydiv-complex", fnp.polydiv, (cplx, nonzero), (((4,), (2,)),)),
    Spec("vander", fnp.vander, (real,), (((4,),), ((1,),))),
    Spec("vander-N", lambda x: fnp.vander(x, 3, increasing=True), (real,), (((4,),),)),
    Spec("vander-complex", lambda x: fnp.vander(x, 3), (cplx,), (((3,),),)),
    Spec("polyfit", lambda x, y: fnp.polyfit(x, y, 2), (distinct, real),
         (((6,), (6,)), ((5,), (5, 2)))),
    Spec("polyfit-w", lambda x, y, w: fnp.polyfit(x, y, 1, w=w), (distinct, real, positive),
         (((6,), (6,), (6,)),)),
    Spec("polyfit-cov", lambda x, y: fnp.polyfit(x, y, 2, cov=True), (distinct, real),
         (((6,), (6,)), ((6,), (6, 2)))),
    Spec("polyfit-cov-unscaled", lambda x, y, w: fnp.polyfit(x, y, 1, w=w, cov="unscaled"),
         (distinct, real, positive), (((5,), (5,), (5,)),)),
    Spec("polyfit-full", lambda x, y: fnp.polyfit(x, y, 2, full=True)[:4], (distinct, real),
         (((6,), (6,)),)),
    Spec("roots", fnp.roots, (nonzero,), (((4,),), ((2,),), ((3,),))),
    Spec("roots-zeros", lambda p: fnp.roots(fnp.concatenate([np.zeros(1), p, np.zeros(2)])),
         (nonzero,), (((3,),),)),
    Spec("roots-complex", fnp.roots, (cplx,), (((3,),),)),
    Spec("poly", fnp.poly, (real,), (((3,),), ((1,),))),
    Spec("poly-complex", fnp.poly, (cplx,), (((3,),),)),
    Spec("poly-matrix", fnp.poly, (real,), (((3, 3),), ((2, 2),))),
]
