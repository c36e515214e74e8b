"""Spec rows for fgrad/numpy/creation.py."""
import numpy as np

import fgrad
import fgrad.numpy as fnp
from domains import cplx, cplx_right, positive, real, small
from specs import BINARY, Spec


def negative(rng, shape):
    return -positive(rng, shape)


SAME = (((), ()), ((3,), (3,)), ((2, 3), (2, 3)))
ENDS = (((), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), ()), ((), (2, 1)))
X23 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


def _ragged_depth(a, b):
    """Rows given three ways: a list of traced scalars and constants, a traced array,
    and a tuple of a Python float, a traced scalar and a NumPy scalar."""
    return fnp.array([[a[0], 1.0, b[1]], a * b, (2.0, b[0], np.float64(3.0))])


def _array_transpose(g):
    """The VJP of array: binds array's transpose (unpack) to every order."""
    return fgrad.vjp(lambda x, y: fnp.array([[x, X23[0]], [X23[1], y]]),
                     np.ones(3), np.full(3, 2.0))[1](g)


SPECS = [
    # array and kin: nested lists of traced values
    Spec("array-scalars", lambda a, b, c: fnp.array([a, b, c]), (real, real, real),
         (((), (), ()), ((3,), (3,), (3,)))),
    Spec("array-nested", lambda a, b: fnp.array([[a, np.full(np.shape(a), 0.5)], (b, a * b)]),
         (real, real), SAME),
    Spec("array-ragged-depth", _ragged_depth, (real, real), (((3,), (3,)),)),
    Spec("array-deep", lambda a: fnp.array([[[[a, 1.0], [2.0, a]]], [[[3.0, -a], [a, 4.0]]]]),
         (real,), (((),),)),
    Spec("array-dtype", lambda a, b: fnp.array([a, b, np.ones(np.shape(a))], dtype=float),
         (real, real), SAME),
    Spec("array-complex", lambda a, z: fnp.array([a, z, np.full(np.shape(a), 2.0)]),
         (real, cplx), SAME),
    Spec("array-ndmin", lambda a, b: fnp.array([a, b], ndmin=4), (real, real), SAME),
    Spec("array-traced-alone", lambda a: fnp.array(a, dtype=np.complex128, ndmin=2), (real,)),
    Spec("asarray", lambda a, b: fnp.asarray(([a, 1.0], (b, a)), dtype=np.complex128), (real, real),
         (((), ()),)),
    Spec("asanyarray", lambda a, b: fnp.asanyarray([a, b]), (real, real), SAME),
    Spec("ascontiguousarray", lambda a: fnp.ascontiguousarray(a), (real,)),
    Spec("array-transpose", _array_transpose, (real,), (((2, 2, 3),),)),
    Spec("array-int", lambda a, b: fnp.array([a, b], dtype=int), (real, real), SAME, order=0),

    # full and full_like: linear in the fill value
    Spec("full", lambda v: fnp.full((2, 3), v), (real,), (((),), ((3,),), ((2, 1),))),
    Spec("full-dtype", lambda v: fnp.full((2, 3), v, dtype=np.complex128), (real,),
         (((),), ((3,),))),
    Spec("full-complex", lambda v: fnp.full((4, 1, 3), v), (cplx,), (((),), ((1, 3),))),
    Spec("full_like", lambda a, v: fnp.full_like(a, v), (real, real), BINARY[:3] + (
        ((2, 3), ()), ((2, 3), (2, 1)))),
    Spec("full_like-shape", lambda a, v: fnp.full_like(a, v, shape=(4, 3)), (real, real),
         (((2,), (3,)), ((), ()))),

    # evenly spaced samples: differentiable in the end points
    Spec("linspace", lambda a, b: fnp.linspace(a, b, 5), (real, real), ENDS),
    Spec("linspace-axis", lambda a, b: fnp.linspace(a, b, 4, axis=1), (real, real),
         (((2, 3), (3,)), ((3,), (3,)))),
    Spec("linspace-axis-neg", lambda a, b: fnp.linspace(a, b, 4, axis=-1), (real, real),
         (((2, 3), (2, 3)), ((), ()))),
    Spec("linspace-open", lambda a, b: fnp.linspace(a, b, 4, endpoint=False, axis=-2),
         (real, real), (((2, 3), (3,)), ((3,), (3,)))),
    Spec("linspace-retstep", lambda a, b: fnp.linspace(a, b, 6, retstep=True), (real, real),
         ENDS[:3]),
    Spec("linspace-num1", lambda a, b: fnp.linspace(a, b, 1), (real, real), ENDS[:2]),
    Spec("linspace-dtype", lambda a, b: fnp.linspace(a, b, 5, dtype=np.complex128),
         (real, real), ENDS[:3]),
    Spec("linspace-complex", lambda a, b: fnp.linspace(a, b, 5), (cplx, real), ENDS[:3]),
    Spec("linspace-int", lambda a, b: fnp.linspace(3 * a, 3 * b, 5, dtype=int), (real, real),
         ENDS[:3], order=0),
    Spec("logspace", lambda a, b: fnp.logspace(a, b, 4), (small, small), ENDS),
    Spec("logspace-base", lambda a, b, c: fnp.logspace(a, b, 4, base=c, axis=-1),
         (small, small, positive), (((), (), ()), ((3,), (3,), (3,)), ((2, 3), (), (3,)))),
    Spec("logspace-scalar-base", lambda a, b, c: fnp.logspace(a, b, 4, endpoint=False, base=c),
         (small, small, positive), (((3,), (3,), ()),)),
    Spec("geomspace", lambda a, b: fnp.geomspace(a, b, 5), (positive, positive), ENDS),
    Spec("geomspace-negative", lambda a, b: fnp.geomspace(a, b, 4, endpoint=False, axis=-1),
         (negative, negative), (((), ()), ((2, 3), (3,)))),
    Spec("geomspace-complex", lambda a, b: fnp.geomspace(a, b, 4, axis=1),
         (cplx_right, cplx_right), (((2, 3), (3,)),)),
    Spec("geomspace-dtype", lambda a, b: fnp.geomspace(a, b, 3, dtype=np.complex128),
         (positive, positive), ENDS[:2]),

    # arrays like another: no derivative (empty_like's values are arbitrary: only its
    # shape and dtype are checked, through zeros_like)
    Spec("zeros_like", fnp.zeros_like, (real,), order=0),
    Spec("ones_like", lambda a: fnp.ones_like(a, dtype=np.float32), (real,), order=0),
    Spec("ones_like-shape", lambda a: fnp.ones_like(a, shape=(2, 2)), (real,), order=0),
    Spec("empty_like", lambda a: fnp.zeros_like(fnp.empty_like(a, dtype=np.complex64)),
         (real,), order=0),
    Spec("shape-ndim-size", lambda a: fnp.ones_like(a) * (fnp.size(a) + 2 * fnp.ndim(a))
         + sum(fnp.shape(a)), (real,), order=0),
    # more of asarray's kin
    Spec("asfortranarray", lambda a, b: fnp.asfortranarray([a, b]), (real, real), SAME),
    Spec("asfortranarray-traced", lambda a: fnp.asfortranarray(a, dtype=np.complex128), (real,)),
    Spec("asarray_chkfinite", lambda a, b: fnp.asarray_chkfinite((a, b)), (real, real), SAME),
    Spec("require", lambda a: fnp.require(a, np.float64, ["C", "A"]), (real,)),

    # what reads only dtypes (and, for a 0-d value, min_scalar_type's value): no derivative
    Spec("can_cast", lambda a: fnp.ones_like(a) * (fnp.can_cast(a, np.float32) + 2 * fnp.can_cast(
        a, np.complex128)), (real,), order=0),
    Spec("common_type", lambda a, z: fnp.zeros_like(a, dtype=fnp.common_type(a, z)),
         (real, cplx), SAME, order=0),
    Spec("min_scalar_type", lambda a: fnp.zeros_like(a, dtype=fnp.min_scalar_type(a)), (real,),
         order=0),
    Spec("real_if_close", lambda a: fnp.real_if_close(fnp.astype(a, np.complex128)), (real,)),
    Spec("real_if_close-complex", fnp.real_if_close, (cplx,)),
    Spec("real_if_close-real", lambda a: fnp.real_if_close(a, tol=1e-3), (real,)),
    Spec("result_type", lambda a, z: fnp.zeros_like(a, dtype=np.result_type(a, z, 1.0)),
         (real, cplx), SAME, order=0),
]
