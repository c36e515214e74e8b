"""Spec rows for fgrad/numpy/indexing.py.

Index arrays, masks and conditions are constants of each row (a spec's arguments are the
differentiated arrays); indices that vary over a vmap batch are in test_indexing_extra.py.
"""
import numpy as np

import fgrad
import fgrad.numpy as fnp
from domains import APART, cplx, real
from fgrad.numpy import indexing
from specs import Spec

M34 = np.array([[True, False, True, False],
                [False, False, True, True],
                [True, True, False, False]])
M342 = np.arange(24).reshape(3, 4, 2) % 3 == 0
K = int(M34.sum())


def with_zeros(rng, shape):
    """Reals with exact zeros among them: nonzero's input, and products with zero factors."""
    return np.asarray(rng.choice([0.0, 0.0, -1.5, 0.5, 2.0], shape) * rng.uniform(0.5, 1.5, shape))


def getter(index):
    return lambda x: x[index]


# (name, index, shapes of x): each index at every shape it fits
GETITEM = [
    ("int", 1, ((3,), (3, 4), (3, 4, 2))),
    ("negative_int", -1, ((3,), (3, 4))),
    ("numpy_int", np.int64(2), ((3, 4),)),
    ("int_pair", (1, -2), ((3, 4), (3, 4, 2))),
    ("empty_tuple", (), ((), (3,))),
    ("slice", slice(1, None), ((3,), (3, 4))),
    ("slice_step", slice(0, None, 2), ((5,), (5, 2))),
    ("negative_step", slice(None, None, -1), ((3,), (3, 4))),
    ("slice_negative_bounds", slice(-1, -4, -2), ((4,), (4, 2))),
    ("empty_slice", slice(2, 1), ((3,), (3, 4))),
    ("both_negative_steps", (slice(None, None, -1), slice(3, 0, -2)), ((3, 4), (3, 4, 2))),
    ("None", None, ((), (3,), (3, 4))),
    ("ellipsis", Ellipsis, ((), (3, 4))),
    ("ellipsis_int", (Ellipsis, -1), ((3,), (3, 4), (3, 4, 2))),
    ("int_ellipsis", (1, Ellipsis), ((3, 4), (3, 4, 2))),
    ("ellipsis_middle", (1, Ellipsis, slice(None, None, -1)), ((3, 4), (3, 4, 2))),
    ("None_ellipsis_None", (None, Ellipsis, None, slice(1, None)), ((3,), (3, 4))),
    ("middle_axis_3d", (slice(None), 2), ((3, 4, 2),)),
    ("last_axis_3d_negative", (Ellipsis, -2), ((3, 4, 2),)),
    ("int_array_repeats", [0, 0, 2], ((3,), (3, 4))),
    ("negative_int_array", [-1, -1, 0], ((3,), (3, 4))),
    ("int_array_2d", np.array([[0, 1], [1, 1]]), ((3,), (3, 4))),
    ("int_array_0d", np.array(1), ((3,), (3, 4))),
    ("int_arrays_pairwise", ([0, 2, 2], [1, 1, 3]), ((3, 4), (3, 4, 2))),
    ("int_arrays_broadcast", (np.array([[0], [2]]), np.array([1, 3, 3])), ((3, 4),)),
    ("slice_and_int_array", (slice(None), [3, 3, 0]), ((3, 4), (3, 4, 2))),
    ("ellipsis_int_array", (Ellipsis, [1, 0, 1]), ((3, 4), (3, 4, 2))),
    ("arrays_apart", ([0, 2], slice(None), [1, 1]), ((3, 4, 2),)),
    ("int_and_array_apart", (0, slice(None), [1, 0, 1]), ((3, 4, 2),)),
    ("int_and_array_together", (slice(None), 1, [1, 0, 1]), ((3, 4, 2),)),
    ("None_between_arrays", ([0, 2], None, [1, 1]), ((3, 4), (3, 4, 2))),
    ("bool_mask", M34, ((3, 4), (3, 4, 2))),
    ("bool_mask_3d", M342, ((3, 4, 2),)),
    ("bool_rows", np.array([True, False, True]), ((3,), (3, 4))),
    ("bool_columns", (slice(None), np.array([False, True, True, False])), ((3, 4), (3, 4, 2))),
    ("bool_and_int_array", (np.array([True, False, True]), [3, 0]), ((3, 4), (3, 4, 2))),
    ("bool_and_slice_apart", (np.array([True, False, True]), slice(None), [1, 0]),
     ((3, 4, 2),)),
    ("bool_0d_true", True, ((), (3,), (3, 4))),
    ("bool_0d_false", np.False_, ((), (3, 4))),
    ("bool_0d_with_array", (slice(None), True, [1, 0, 1]), ((3, 4),)),
    ("bool_0d_apart", (0, slice(None), np.True_), ((3, 4, 2),)),
    ("all_false_mask", np.zeros((3, 4), bool), ((3, 4),)),
]

SET = ("set", lambda x, v, i: fnp.at(x)[i].set(v))
ADD = ("add", lambda x, v, i: fnp.at(x)[i].add(v))
MUL = ("multiply", lambda x, v, i: fnp.at(x)[i].multiply(v))
MIN = ("min", lambda x, v, i: fnp.at(x)[i].min(v))
MAX = ("max", lambda x, v, i: fnp.at(x)[i].max(v))


def updater(update, index):
    return lambda x, v: update[1](x, v, index)


# (name, update, index, shapes of (x, v))
UPDATES = [
    ("int", 1, (((3,), ()), ((3, 4), (4,)), ((3, 4), ()))),
    ("slices", (slice(None), slice(1, 3)), (((3, 4), (3, 2)), ((3, 4), (2,)))),
    ("negative_step", (slice(None, None, -2), 0), (((3, 4), (2,)),)),
    ("ellipsis", (Ellipsis, 2), (((3, 4), (3,)), ((3, 4, 3), (3, 4)))),
    ("None", (None, 1), (((3, 4), (1, 4)),)),
    ("int_array", [2, 0], (((3, 4), (2, 4)), ((3,), (2,)))),
    ("repeats", [0, 2, 0, 0], (((3,), (4,)), ((3, 4), (4, 4)), ((3, 4), (4, 1)), ((3, 4), ()))),
    ("pairwise_repeats", ([1, 1, 0], [2, 2, 2]), (((3, 4), (3,)), ((3, 4), ()))),
    ("2d_index_repeats", np.array([[0, 1], [1, 1]]), (((3,), (2, 2)), ((3, 4), (2, 1, 4)))),
    ("slice_and_repeats", (slice(None), [3, 3, 0]), (((3, 4), (3, 3)), ((3, 4), (3,)))),
    ("arrays_apart_repeats", ([0, 0], slice(None), [1, 1]), (((3, 4, 2), (2, 4)),)),
    ("bool_mask", M34, (((3, 4), (K,)), ((3, 4), ()))),
    ("bool_and_int_array", (np.array([True, False, True]), [1, 1]), (((3, 4), (2,)),)),
    ("bool_0d", True, (((3,), (1, 3)),)),
]
DOMAINS = {"set": (real, real), "add": (real, real), "multiply": (real, real),
           "min": APART, "max": APART}

SPECS = [Spec(f"getitem-{name}", getter(index), (real,), tuple((s,) for s in shapes))
         for name, index, shapes in GETITEM]
SPECS += [Spec(f"at-{kind}-{name}", updater((kind, f), index), DOMAINS[kind], shapes)
          for kind, f in (SET, ADD, MUL, MIN, MAX) for name, index, shapes in UPDATES]

# take(a, indices, axis, mode)
I_REP = np.array([3, 0, 3, -1])
I_OUT = np.array([[5, -7], [2, 0]])  # outside [0, 4) for mode="wrap" and "clip"
SPECS += [
    Spec("getitem-complex", getter((slice(None), [2, 0, 2])), (cplx,), (((3, 4),),)),
    Spec("at-set-complex", updater(SET, [0, 0, 2]), (cplx, cplx), (((3, 4), (3, 4)),)),
    Spec("at-add-complex", updater(ADD, [0, 0, 2]), (cplx, cplx), (((3, 4), (3, 1)),)),
    Spec("at-multiply-complex", updater(MUL, [0, 0, 2]), (cplx, cplx), (((3, 4), (3, 4)),)),
    Spec("at-multiply-zeros", updater(MUL, [1, 1, 1, 0, 1]), (real, with_zeros),
         (((3,), (5,)), ((2, 4), (5, 4)))),
    Spec("at-get", lambda x: fnp.at(x)[[1, 1], ::-1].get(), (real,), (((3, 4),),)),
    Spec("at-multiply-complex-into-real", updater(MUL, [1, 1]), (real, cplx),
         (((3,), (2,)),)),
    Spec("take", lambda a: fnp.take(a, I_REP), (real,), (((4,),), ((2, 2),), ((2, 3),))),
    Spec("take-scalar-index", lambda a: fnp.take(a, -2), (real,), (((4,),), ((2, 3),))),
    Spec("take-axis0", lambda a: fnp.take(a, I_REP, axis=0), (real,), (((4,),), ((4, 2),))),
    Spec("take-axis1", lambda a: fnp.take(a, I_REP, axis=1), (real,), (((2, 4),), ((2, 4, 3),))),
    Spec("take-axis-negative", lambda a: fnp.take(a, [[1, 1], [0, 2]], axis=-2), (real,),
         (((3, 4),), ((2, 3, 4),))),
    Spec("take-wrap", lambda a: fnp.take(a, I_OUT, axis=-1, mode="wrap"), (real,),
         (((4,),), ((3, 4),))),
    Spec("take-clip", lambda a: fnp.take(a, I_OUT, mode="clip"), (real,), (((4,),), ((2, 2),))),
    Spec("take-complex", lambda a: fnp.take(a, I_REP, axis=0), (cplx,), (((4, 2),),)),
    Spec("take_along_axis", lambda a: fnp.take_along_axis(a, np.array([[0, 2, 2], [1, 1, 0]]),
                                                          axis=1), (real,), (((2, 3),),)),
    Spec("take_along_axis-default", lambda a: fnp.take_along_axis(a, np.array([[2, 0], [1, 1]])),
         (real,), (((2, 3),),)),
    Spec("take_along_axis-axis0", lambda a: fnp.take_along_axis(a, np.array([[0], [2], [2]]),
                                                                axis=0), (real,), (((3, 4),),)),
    Spec("take_along_axis-broadcast",
         lambda a: fnp.take_along_axis(a, np.array([[[1], [0]]]), axis=-1), (real,),
         (((3, 2, 4),),)),
    Spec("take_along_axis-none", lambda a: fnp.take_along_axis(a, I_REP, axis=None), (real,),
         (((4,),), ((2, 3),))),
    Spec("choose", lambda a, b, c: fnp.choose(np.array([[0, 2, 1], [2, 2, 0]]), [a, b, c]),
         (real, real, real), (((2, 3), (3,), ()), ((1, 3), (2, 1), (2, 3)))),
    Spec("choose-array", lambda c: fnp.choose(np.array([1, 0, 1]), c), (real,),
         (((2, 3),), ((2, 2, 3),))),
    Spec("choose-wrap", lambda a, b: fnp.choose(np.array([-1, 2, 3]), [a, b], mode="wrap"),
         (real, real), (((3,), (3,)), ((), (2, 3)))),
    Spec("choose-clip", lambda a, b: fnp.choose(np.array([-1, 2, 0]), (a, b), mode="clip"),
         (real, real), (((3,), ()),)),
    Spec("choose-complex", lambda a, b: fnp.choose(np.array([1, 0, 1]), [a, b]), (cplx, real),
         (((3,), (3,)),)),
    Spec("select", lambda a, b, d: fnp.select([M34[0], M34[1]], [a, b], d), (real, real, real),
         (((4,), (4,), (4,)), ((3, 4), (4,), ()), ((), (2, 4), (1,)))),
    Spec("select-default-constant", lambda a, b: fnp.select(
         [M34, ~M34[0], np.True_], [a, b, 2.0 * a], default=1.5), (real, real),
         (((3, 4), (3, 4)), ((4,), (3, 1)))),
    Spec("select-complex", lambda a: fnp.select([M34], [a]), (cplx,), (((3, 4),),)),
    Spec("compress", lambda a: fnp.compress([True, False, True], a), (real,),
         (((3,),), ((2, 3),))),
    Spec("compress-axis0", lambda a: fnp.compress([False, True, True], a, axis=0), (real,),
         (((3,),), ((3, 2),))),
    Spec("compress-axis-negative", lambda a: fnp.compress([1, 0, 1, 1], a, axis=-1), (real,),
         (((3, 4),), ((2, 3, 4),))),
    Spec("compress-short-condition", lambda a: fnp.compress(np.array([True, True]), a, axis=1),
         (real,), (((2, 3),),)),
    Spec("extract", lambda a: fnp.extract(M34, a), (real,), (((3, 4),), ((12,),))),
    Spec("extract-numbers", lambda a: fnp.extract([[0.5, 0], [0, 2]], a), (real,),
         (((2, 2),), ((5,),))),
    Spec("nonzero", fnp.nonzero, (with_zeros,), (((5,),), ((3, 4),), ((2, 3, 2),)), order=0,
         vmap=False),
    Spec("flatnonzero", fnp.flatnonzero, (with_zeros,), (((),), ((5,),), ((3, 4),)), order=0,
         vmap=False),
    Spec("argwhere", fnp.argwhere, (with_zeros,), (((),), ((5,),), ((3, 4),)), order=0,
         vmap=False),
    Spec("compress-traced-condition", lambda c, a: fnp.compress(c, a), (with_zeros, real),
         (((4,), (4,)), ((4,), (2, 3))), order=0, vmap=False),
    Spec("extract-traced-condition", fnp.extract, (with_zeros, real),
         (((3, 4), (3, 4)), ((4,), (2, 3))), order=0, vmap=False),
]

# The rules' own helper: a stable sort of one array by another's values, and back.
KEY = np.array([2, 0, 2, 1, 0, 2])
SPECS += [
    Spec("sort_by", lambda a: indexing._sort_by(a, KEY), (real,), (((6,),),)),
    Spec("sort_by-inverse", lambda a: indexing._sort_by(a, KEY, inverse=True), (real,),
         (((6,),),)),
    # the VJP of multiply with repeats, so the helper binds under a transform to every order
    Spec("at-multiply-vjp", lambda x, v, g: fgrad.vjp(updater(MUL, [0, 2, 0]), x, v)[1](g),
         (real, real, real), (((3,), (3,), (3,)),)),
]

# index arrays from shapes and from index arrays: no derivative, but batched. Index values
# come in as floats (a spec's arguments are differentiable) and are cast in the row.


def small_ints(rng, shape):
    return rng.integers(0, 4, shape) + 0.5  # whole numbers 0..3 once cast


def _on_ints(f):
    """``f`` on the inputs cast to integers, under a vmap of one example: only vmap traces
    integers, so that binds ``f`` and checks its batching rule (as elementwise's rows do)."""
    def run(*xs):
        return fgrad.vmap(f)(*[x.astype(int)[None] for x in xs])
    return run


SPECS += [
    Spec("ravel_multi_index", lambda i, j: fnp.ravel_multi_index((i.astype(int), j.astype(int)),
                                                                 (4, 5)),
         (small_ints, small_ints), (((), ()), ((3,), (3,)), ((2, 3), (3,))), order=0),
    Spec("ravel_multi_index-modes", lambda i, j: fnp.ravel_multi_index(
        (i.astype(int) - 2, j.astype(int) + 3), (4, 5), mode=("wrap", "clip"), order="F"),
         (small_ints, small_ints), (((3,), (3,)),), order=0),
    Spec("unravel_index", lambda i: fnp.unravel_index(i.astype(int), (2, 3)), (small_ints,),
         (((),), ((4,),), ((2, 3),)), order=0),
    Spec("ravel_multi_index-traced", _on_ints(lambda i, j: fnp.ravel_multi_index((i, j), (4, 5))),
         (small_ints, small_ints), (((3,), (3,)),), order=0),
    Spec("unravel_index-traced", _on_ints(lambda i: fnp.unravel_index(i, (2, 3))), (small_ints,),
         (((4,),),), order=0),
    Spec("unravel_index-F", lambda i: fnp.unravel_index(i.astype(int) * 3, (3, 4), order="F"),
         (small_ints,), (((4,),),), order=0),
    Spec("diag_indices_from", lambda x: x[fnp.diag_indices_from(x)], (real,),
         (((3, 3),), ((2, 2, 2),))),
    Spec("tril_indices_from", lambda x: x[fnp.tril_indices_from(x, -1)], (real,), (((3, 4),),)),
    Spec("triu_indices_from", lambda x: x[fnp.triu_indices_from(x, 1)], (real,), (((4, 3),),)),
    Spec("ix_", lambda x, y: fnp.ix_(x, y, [True, False]), (real, real), (((3,), (2,)),)),
    Spec("ix_-index", lambda x: x[fnp.ix_([2, 0], [1, 1, 3])], (real,), (((3, 4),),)),
]
