"""Spec rows for fgrad/scipy/signal.py: n-d convolutions and correlations.

Sizes odd and even, in1 the larger and in2 the larger ('valid' swaps them), 0-d, 1-d,
2-d and 3-d, real, complex and mixed; integer rows (no derivative) check SciPy's exact
integer values under vmap.
"""
import numpy as np

import fgrad.scipy.signal as fs
from domains import cplx, real
from specs import Spec

MODES = ("full", "same", "valid")
# (in1, in2): in1 larger, in2 larger, equal, odd and even, 1- to 3-d
SIZES = (((5,), (3,)), ((3,), (6,)), ((4,), (4,)), ((4, 5), (2, 3)), ((2, 3), (3, 4)),
         ((3, 2, 4), (2, 2, 3)))
SMALL = SIZES[:2] + SIZES[3:4]
PLANES = (((4, 5), (2, 3)), ((3, 4), (4, 5)), ((3, 3), (3, 3)))


def integers(rng, shape):
    """Whole numbers as floats (the meta-test traces every row): the rows cast them."""
    return rng.integers(-9, 10, shape).astype(float)


def _ints(f):
    return lambda a, b: f(a.astype(np.int64), b.astype(np.int64))


SPECS = [
    *[Spec(f"scipy.signal.convolve-{m}", lambda a, b, m=m: fs.convolve(a, b, m), (real, real),
           SIZES + ((((), ()),) if m == "full" else ())) for m in MODES],
    *[Spec(f"scipy.signal.correlate-{m}", lambda a, b, m=m: fs.correlate(a, b, m),
           (real, real), SIZES if m == "same" else SMALL) for m in MODES],
    *[Spec(f"scipy.signal.convolve-complex-{m}", lambda a, b, m=m: fs.convolve(a, b, m),
           (cplx, cplx), SMALL[1:]) for m in MODES],
    *[Spec(f"scipy.signal.correlate-complex-{m}", lambda a, b, m=m: fs.correlate(a, b, m),
           (cplx, cplx), SMALL[:2] + (((), ()),)) for m in MODES],
    Spec("scipy.signal.convolve-mixed", lambda a, b: fs.convolve(a, b, "same"), (real, cplx),
         SMALL),
    Spec("scipy.signal.correlate-mixed", lambda a, b: fs.correlate(a, b, "valid"),
         (cplx, real), SMALL),
    *[Spec(f"scipy.signal.convolve-{method}", lambda a, b, k=method: fs.convolve(a, b, "same", k),
           (real, real), SMALL) for method in ("direct", "fft")],
    Spec("scipy.signal.correlate-direct", lambda a, b: fs.correlate(a, b, "valid", "direct"),
         (cplx, cplx), SMALL),
    *[Spec(f"scipy.signal.{f.__name__}-int-{m}", _ints(lambda a, b, f=f, m=m: f(a, b, m)),
           (integers, integers), SMALL, order=0) for f in (fs.convolve, fs.correlate)
      for m in MODES],
    *[Spec(f"scipy.signal.fftconvolve-{m}", lambda a, b, m=m: fs.fftconvolve(a, b, m),
           (real, real), SMALL) for m in MODES],
    Spec("scipy.signal.fftconvolve-complex", lambda a, b: fs.fftconvolve(a, b, "same"),
         (cplx, cplx), SMALL),
    Spec("scipy.signal.fftconvolve-axes", lambda a, b: fs.fftconvolve(a, b, "valid", axes=-1),
         (real, real), (((3, 5), (1, 3)), ((2, 4), (2, 6)))),
    Spec("scipy.signal.fftconvolve-int", _ints(lambda a, b: fs.fftconvolve(a, b, "same")),
         (integers, integers), SMALL, order=0),
    *[Spec(f"scipy.signal.{f.__name__}-{m}", lambda a, b, f=f, m=m: f(a, b, m), (real, real),
           PLANES if m == "same" else PLANES[:2]) for f in (fs.convolve2d, fs.correlate2d)
      for m in MODES],
    *[Spec(f"scipy.signal.{f.__name__}-complex-{m}", lambda a, b, f=f, m=m: f(a, b, m),
           (cplx, cplx), PLANES[1:2]) for f in (fs.convolve2d, fs.correlate2d) for m in MODES],
    Spec("scipy.signal.convolve2d-int", _ints(lambda a, b: fs.convolve2d(a, b, "same")),
         (integers, integers), PLANES[:2], order=0),
]
