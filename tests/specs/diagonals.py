"""Spec rows for fgrad/numpy/diagonals.py."""
import fgrad.numpy as fnp
from domains import cplx, real
from specs import Spec

SQUARE, WIDE, TALL = ((3, 3),), ((2, 4),), ((4, 2),)
STACK = (((2, 3, 4),), ((4, 2, 3),))
SPECS = [
    Spec("diag_vector", fnp.diag, (real,), (((3,),),)),
    Spec("diag_vector_above", lambda v: fnp.diag(v, 1), (real,), (((3,),),)),
    Spec("diag_vector_below", lambda v: fnp.diag(v, k=-2), (real,), (((3,),),)),
    Spec("diag_matrix", fnp.diag, (real,), (SQUARE, WIDE, TALL)),
    Spec("diag_matrix_above", lambda m: fnp.diag(m, 1), (real,), (SQUARE, WIDE, TALL)),
    Spec("diag_matrix_below", lambda m: fnp.diag(m, -1), (real,), (SQUARE, WIDE, TALL)),
    Spec("diagonal", fnp.diagonal, (real,), (SQUARE, WIDE, TALL) + STACK),
    Spec("diagonal_above", lambda a: fnp.diagonal(a, 1), (real,), (SQUARE, WIDE) + STACK),
    Spec("diagonal_below", lambda a: fnp.diagonal(a, -1), (real,), (SQUARE, TALL) + STACK),
    Spec("diagonal_axes", lambda a: fnp.diagonal(a, 1, 2, 0), (real,), STACK),
    Spec("diagonal_negative_axes", lambda a: fnp.diagonal(a, -1, axis1=-1, axis2=-2),
         (real,), STACK + (((2, 3, 4, 3),),)),
    Spec("diagonal_complex", lambda a: fnp.diagonal(a, 1), (cplx,), (WIDE,)),
    Spec("diagflat", fnp.diagflat, (real,), (((3,),), ((2, 2),), ((),))),
    Spec("diagflat_above", lambda v: fnp.diagflat(v, 1), (real,), (((3,),), ((2, 2),))),
    Spec("diagflat_below", lambda v: fnp.diagflat(v, -1), (real,), (((3,),),)),
    Spec("trace", fnp.trace, (real,), (SQUARE, WIDE, TALL) + STACK),
    Spec("trace_above", lambda a: fnp.trace(a, 1), (real,), (SQUARE, WIDE) + STACK),
    Spec("trace_below", lambda a: fnp.trace(a, -1), (real,), (SQUARE, TALL)),
    Spec("trace_axes", lambda a: fnp.trace(a, -1, axis1=2, axis2=0), (real,), STACK),
    Spec("trace_negative_axes", lambda a: fnp.trace(a, 0, -1, -3), (real,), STACK),
    Spec("trace_dtype", lambda a: fnp.trace(a, dtype="float64"), (real,), (SQUARE,)),
    Spec("trace_complex", fnp.trace, (cplx,), (SQUARE,)),
    Spec("triu", fnp.triu, (real,), (SQUARE, WIDE, TALL, ((3,),)) + STACK),
    Spec("triu_above", lambda m: fnp.triu(m, 1), (real,), (SQUARE, WIDE) + STACK),
    Spec("triu_below", lambda m: fnp.triu(m, k=-1), (real,), (SQUARE, TALL)),
    Spec("tril", fnp.tril, (real,), (SQUARE, WIDE, TALL, ((3,),)) + STACK),
    Spec("tril_above", lambda m: fnp.tril(m, 1), (real,), (SQUARE, WIDE)),
    Spec("tril_below", lambda m: fnp.tril(m, k=-1), (real,), (SQUARE, TALL) + STACK),
    Spec("tril_complex", fnp.tril, (cplx,), (SQUARE,)),
]
