"""Spec rows for fgrad/numpy/products.py."""
import warnings

import numpy as np

import fgrad.numpy as fnp
from domains import cplx, real
from specs import Spec

RR, CC = (real, real), (cplx, cplx)

MATMUL = (((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((4, 2, 3), (3,)),
          ((3,), (4, 3, 2)), ((4, 2, 3), (4, 3, 2)), ((2, 1, 2, 3), (5, 3, 4)),
          ((1, 2, 3), (3, 3, 2)), ((4, 2, 3), (3, 2)), ((2, 3), (4, 3, 2)))
DOT = (((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
       ((2, 2, 3), (3, 4)), ((2, 2, 3), (3,)))
# b with more than two axes: one matrix product, where NumPy loops over dot products
DOT_ND = (((2, 3), (4, 3, 2)), ((2, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)))


def einsum(subscripts, **options):
    """A row's function: einsum with these subscripts (and options) bound."""
    return lambda *xs: fnp.einsum(subscripts, *xs, **options)


def tensordot(axes):
    return lambda a, b: fnp.tensordot(a, b, axes)


def cross(**axes):
    def fun(a, b):
        with warnings.catch_warnings():  # NumPy 2 deprecates 2-vectors; they still work
            warnings.simplefilter("ignore", DeprecationWarning)
            return fnp.cross(a, b, **axes)
    return fun


# (name, subscripts, shapes of each case, options)
EINSUM = [
    ("matrix_product", "ij,jk->ik", (((2, 3), (3, 4)),)),
    ("implicit", "ij,jk", (((2, 3), (3, 4)), ((1, 3), (3, 4)))),
    ("matrix_vector", "ij,j->i", (((2, 3), (3,)),)),
    ("batch_matmul", "bij,bjk->bik", (((2, 3, 4), (2, 4, 2)), ((1, 3, 4), (2, 4, 2)))),
    ("outer", "i,j->ij", (((3,), (4,)),)),
    ("inner", "i,i", (((3,), (3,)),)),
    ("trace", "ii", (((3, 3),),)),
    ("diagonal", "ii->i", (((3, 3),),)),
    ("diagonal_3d", "iji->ji", (((3, 2, 3),),)),
    ("transpose", "ij->ji", (((2, 3),),)),
    ("transpose_3d", "ijk->kij", (((2, 3, 4),),)),
    ("sum", "ij->", (((2, 3),),)),
    ("sum_one_axis", "ij->j", (((2, 3),),)),
    ("elementwise", "ij,ij->ij", (((2, 3), (2, 3)), ((1, 3), (2, 1)))),
    ("scalar", ",ij->ij", (((), (2, 3)),)),
    ("ellipsis", "...ij,...jk", (((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((5, 2, 3), (1, 3, 4)))),
    ("ellipsis_out", "...ij,...jk->...ik", (((2, 2, 3), (2, 3, 4)),)),
    ("ellipsis_sum", "i...->...", (((2, 3, 4),),)),
    ("chain3", "ij,jk,kl->il", (((2, 3), (3, 4), (4, 2)),)),
    ("chain3_optimized", "ij,jk,kl->il", (((2, 3), (3, 4), (4, 2)),), {"optimize": True}),
    ("chain4", "ij,jk,kl,lm->im", (((2, 3), (3, 4), (4, 2), (2, 3)),)),
    ("shared_index", "ij,jk,jl->ikl", (((2, 3), (3, 4), (3, 2)),)),
    ("repeated_in_three", "i,i,i->", (((3,), (3,), (3,)),)),
    ("repeated_in_three_kept", "ij,ij,ij->ij", (((2, 3), (2, 3), (2, 3)),)),
    ("bilinear", "i,ij,j->", (((2,), (2, 3), (3,)),)),
    ("diagonal_times", "ii,i->i", (((3, 3), (3,)),)),
    ("dtype", "ij,jk->ik", (((2, 3), (3, 4)),), {"dtype": "float64"}),
]
# contracting three operands pairwise (NumPy's optimize=False does not) rounds differently
PAIRWISE = {"chain3", "chain4"}

SPECS = [
    Spec("matmul", fnp.matmul, RR, MATMUL),
    Spec("matmul_complex", fnp.matmul, CC, (((2, 3), (3, 4)), ((4, 2, 3), (3,)))),
    Spec("operator_matmul", lambda a, b: a @ b, RR, (((2, 3), (3, 4)), ((3,), (3, 2)))),
    Spec("dot", fnp.dot, RR, DOT),
    Spec("dot_nd", fnp.dot, RR, DOT_ND, exact=False),
    Spec("dot_complex", fnp.dot, CC, (((2, 3), (3,)), ((2, 3), (4, 3, 2)))),
    Spec("vdot", fnp.vdot, RR, (((), ()), ((3,), (3,)), ((2, 3), (3, 2)), ((2, 3), (6,)))),
    Spec("vdot_complex", fnp.vdot, CC, (((3,), (3,)), ((2, 3), (6,)))),
    Spec("inner", fnp.inner, RR, (((), (3,)), ((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)),
                                  ((2, 2, 3), (4, 3)))),
    Spec("inner_nd", fnp.inner, RR, (((3,), (2, 4, 3)), ((2, 3), (2, 4, 3))), exact=False),
    Spec("outer", fnp.outer, RR, (((3,), (4,)), ((2, 3), (2,)), ((), (3,)))),
    Spec("tensordot", fnp.tensordot, RR, (((2, 3, 4), (3, 4, 2)),)),
    Spec("tensordot_0", tensordot(0), RR, (((2,), (3,)), ((2, 3), (2,)))),
    Spec("tensordot_1", tensordot(1), RR, (((2, 3), (3, 4)), ((2, 3, 4), (4,)))),
    Spec("tensordot_pair_of_lists", tensordot(([0, 2], [2, 0])), RR, (((2, 3, 4), (4, 5, 2)),)),
    Spec("tensordot_pair_of_ints", tensordot((1, 0)), RR, (((2, 3), (3, 4)),)),
    Spec("tensordot_negative", tensordot(([-1], [-2])), RR, (((2, 3), (4, 3, 2)),)),
    Spec("tensordot_empty", tensordot(([], [])), RR, (((2,), (3,)),)),
    Spec("kron", fnp.kron, RR, (((2,), (3,)), ((2, 2), (3, 2)), ((2,), (2, 3)), ((2, 3), (2,)),
                                ((), (2, 3)), ((2, 3), ()), ((2, 1, 2), (2, 3)))),
    Spec("cross", cross(), RR, (((3,), (3,)), ((4, 3), (3,)), ((2, 1, 3), (4, 3)))),
    Spec("cross_2_vectors", cross(), RR, (((2,), (2,)), ((4, 2), (2,)), ((2,), (3,)),
                                          ((4, 3), (2,)))),
    Spec("cross_axes", cross(axisa=0, axisb=-2, axisc=0), RR, (((3, 4), (3, 4)),
                                                               ((2, 4), (3, 1)))),
    Spec("cross_axis", cross(axis=1), RR, (((4, 3, 2), (1, 3, 2)),)),
    Spec("cross_complex", cross(), CC, (((3,), (3,)),)),
    Spec("vecdot", fnp.vecdot, RR, (((3,), (3,)), ((2, 3), (3,)), ((2, 1, 3), (4, 3)))),
    Spec("vecdot_axis", lambda a, b: fnp.vecdot(a, b, axis=0), RR, (((3, 2), (3, 1)),)),
    Spec("vecdot_complex", fnp.vecdot, CC, (((2, 3), (3,)),)),
    Spec("matvec", fnp.matvec, RR, (((2, 3), (3,)), ((4, 2, 3), (3,)), ((2, 3), (4, 3)))),
    Spec("matvec_complex", fnp.matvec, CC, (((4, 2, 3), (3,)),)),
    Spec("vecmat", fnp.vecmat, RR, (((3,), (3, 2)), ((4, 3), (3, 2)), ((3,), (4, 3, 2)))),
    Spec("vecmat_complex", fnp.vecmat, CC, (((4, 3), (3, 2)),), exact=False),
    Spec("matrix_transpose", fnp.matrix_transpose, (real,), (((2, 3),), ((4, 2, 3),))),
    Spec("matmul_dtype", lambda a, b: fnp.matmul(a, b, dtype=np.float64), RR,
         (((2, 3), (3, 4)), ((3,), (3,)))),
    Spec("einsum_dtype_int", einsum("ij,jk->ik", dtype=np.int64, casting="unsafe"), RR,
         (((2, 3), (3, 4)),), order=0),
    Spec("einsum_complex", einsum("ij,jk,kl->il"), (cplx,) * 3, (((2, 3), (3, 4), (4, 2)),),
         exact=False),
    Spec("einsum_sublists", lambda a, b: fnp.einsum(a, [0, 1], b, [1, 2], [2, 0]), RR,
         (((2, 3), (3, 4)),)),
] + [Spec(f"einsum_{name}", einsum(subscripts, **(options[0] if options else {})),
          (real,) * len(shapes[0]), shapes, exact=name not in PAIRWISE)
     for name, subscripts, shapes, *options in EINSUM]
