"""vmap: batched results equal the loop over examples, for every fgrad.numpy function.

The reference of every check is the definition of vmap itself:

    vmap(f, in_axes, out_axes)(*xs) == stack([f(*slices of xs at b) for b in range(B)], out_axes)

with the slices taken along each argument's batch axis (an argument with axis None is
passed whole). A spec table gives one row per function and input domain; each row runs
under several batch-axis layouts (0, 1, -1, None mixed in, out_axes 0 and 1). Hypothesis
draws shapes and axes for broadcasting binary functions and reductions. After the table:
every primitive has a batching rule, the looping fallback, nesting, pytrees of axes,
errors, composition with the derivative transforms, and per-example gradients.
"""
import collections
import json
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import fgrad
import fgrad.numpy as fnp
from domains import cplx, nonzero, positive, real, rng_for
from fgrad.rules import RULES, defrules
from fgrad.tracer import primitive

B = 3  # the batch size of the table's cases


# -- the reference: a Python loop over the batch ---------------------------------

def _slice(a, axis, b):
    return a if axis is None else np.take(np.asarray(a), b, axis=axis)


def looped(f, args, in_axes, out_axes=0):
    """What vmap means: f on each example, stacked along out_axes (array outputs)."""
    sizes = {np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None}
    (size,) = sizes
    outs = [np.asarray(f(*[_slice(a, ax, b) for a, ax in zip(args, in_axes)]))
            for b in range(size)]
    return np.stack(outs, axis=out_axes)


def assert_same(actual, expected, rtol=1e-10, atol=1e-12):
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (actual.dtype, expected.dtype)
    if expected.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected)
    else:
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def check_vmap(f, args, in_axes, out_axes=0):
    """vmap(f) against the loop; the loop fallback (a missing rule) is an error here."""
    expected = looped(f, args, in_axes, out_axes)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="vmap:")
        actual = fgrad.vmap(f, in_axes=in_axes, out_axes=out_axes)(*args)
    assert_same(actual, expected)
    return actual


# -- input domains: (rng, shape) -> array -----------------------------------------

def smallint(rng, shape):
    """Small floats that are whole numbers: comparisons and floor_divide see ties."""
    return np.asarray(rng.integers(-2, 3, shape).astype(float))


def boolean(rng, shape):
    return np.asarray(rng.random(shape) < 0.5)


def indices(n):
    """Integer indices into an axis of length n, negative ones included."""
    def draw(rng, shape):
        return np.asarray(rng.integers(-n, n, shape))
    return draw


# -- the spec table: (id, function, example shapes, domains) -----------------------

UNARY_FUNCTIONS = [
    ("negative", fnp.negative, real), ("exp", fnp.exp, real), ("log", fnp.log, positive),
    ("sin", fnp.sin, real), ("cos", fnp.cos, real), ("tan", fnp.tan, real),
    ("tanh", fnp.tanh, real), ("sqrt", fnp.sqrt, positive), ("square", fnp.square, real),
    ("reciprocal", fnp.reciprocal, nonzero), ("abs", fnp.abs, real),
    ("absolute_complex", fnp.absolute, cplx), ("real", fnp.real, cplx),
    ("imag", fnp.imag, cplx), ("conj", fnp.conj, cplx), ("conjugate", fnp.conjugate, cplx),
    ("sign", fnp.sign, smallint), ("floor", fnp.floor, real), ("ceil", fnp.ceil, real),
    ("isfinite", fnp.isfinite, real), ("isnan", fnp.isnan, real),
    ("logical_not", fnp.logical_not, boolean), ("invert", fnp.invert, boolean),
    ("clip", lambda x: fnp.clip(x, -0.5, 0.5), real),
    ("clip_lo", lambda x: fnp.clip(x, -0.5, None), real),
    ("astype_float32", lambda x: fnp.astype(x, np.float32), real),
    ("astype_int", lambda x: fnp.astype(x, np.int64), real),
    ("astype_complex", lambda x: fnp.astype(x, np.complex128), real),
    ("method_astype", lambda x: x.astype(np.float32), real),
    ("power_scalar", lambda x: fnp.power(x, 3), real),
    ("power_base", lambda x: fnp.power(1.5, x), real),
    ("op_neg_abs", lambda x: -abs(x) + 1.0, real),
    ("op_scalar_arith", lambda x: (2.0 - x) * 3.0 / (x * x + 1.0) ** 2, real),
    ("zeros_like", fnp.zeros_like, real), ("ones_like", fnp.ones_like, real),
    ("full_like", lambda x: fnp.full_like(x, 2.5), real),
    ("empty_like", lambda x: fnp.where(True, x, fnp.empty_like(x)), real),
    ("shape", lambda x: x * (fnp.shape(x) + (1,))[0], real),
    ("ndim_size", lambda x: x * fnp.ndim(x) + fnp.size(x), real),
    ("method_shape", lambda x: fnp.ones_like(x) * float(sum(x.shape) + x.ndim + x.size), real),
    ("frexp", lambda x: fnp.frexp(x)[0] * fnp.frexp(x)[1], real),
    ("modf", lambda x: fnp.modf(x)[0] + 2.0 * fnp.modf(x)[1], real),
]
UNARY_SHAPES = [(), (4,), (2, 4)]

BINARY_FUNCTIONS = [
    ("add", fnp.add, (real, real)), ("subtract", fnp.subtract, (real, real)),
    ("multiply", fnp.multiply, (real, real)), ("divide", fnp.divide, (real, nonzero)),
    ("true_divide", fnp.true_divide, (real, nonzero)), ("power", fnp.power, (positive, real)),
    ("maximum", fnp.maximum, (smallint, smallint)), ("minimum", fnp.minimum, (real, real)),
    ("remainder", fnp.remainder, (real, nonzero)), ("mod", fnp.mod, (real, nonzero)),
    ("floor_divide", fnp.floor_divide, (real, nonzero)),
    ("divmod", lambda x, y: 3.0 * fnp.divmod(x, y)[0] + fnp.divmod(x, y)[1], (real, nonzero)),
    ("equal", fnp.equal, (smallint, smallint)), ("not_equal", fnp.not_equal, (smallint, smallint)),
    ("less", fnp.less, (smallint, smallint)), ("less_equal", fnp.less_equal, (smallint, smallint)),
    ("greater", fnp.greater, (smallint, smallint)),
    ("greater_equal", fnp.greater_equal, (smallint, smallint)),
    ("logical_and", fnp.logical_and, (boolean, boolean)),
    ("logical_or", fnp.logical_or, (boolean, boolean)),
    ("logical_xor", fnp.logical_xor, (boolean, boolean)),
    ("bitwise_and", fnp.bitwise_and, (boolean, boolean)),
    ("bitwise_or", fnp.bitwise_or, (boolean, boolean)),
    ("bitwise_xor", fnp.bitwise_xor, (boolean, boolean)),
    ("clip_array_bound", lambda x, lo: fnp.clip(x, lo, 1.0), (real, real)),
    ("op_arith", lambda x, y: (x + y) * x - y / (1.0 + y * y) + x ** 2 // 1.0, (real, real)),
    ("op_compare", lambda x, y: fnp.logical_and(x < y, x >= -1.0), (smallint, smallint)),
]
BINARY_SHAPES = [((), ()), ((4,), (4,)), ((2, 4), (4,)), ((4,), (2, 4)), ((2, 1), (1, 4)),
                 ((), (2, 4))]

REDUCTIONS = [("sum", fnp.sum), ("mean", fnp.mean), ("prod", fnp.prod), ("max", fnp.max),
              ("min", fnp.min), ("amax", fnp.amax), ("amin", fnp.amin)]
REDUCTION_AXES = [None, 0, -1, 1, (0, 2), (-1, 0), (2, 0, 1)]


def _reduce(f, axis, keepdims):
    return lambda x: f(x, axis=axis, keepdims=keepdims)


X234 = ((2, 3, 4),)

CASES = []
for _name, _f, _dom in UNARY_FUNCTIONS:
    for _s in UNARY_SHAPES:
        CASES.append((f"{_name}-{_s}", _f, (_s,), (_dom,)))
for _name, _f, _doms in BINARY_FUNCTIONS:
    for _a, _b in BINARY_SHAPES:
        CASES.append((f"{_name}-{_a}-{_b}", _f, (_a, _b), _doms))
for _s in [(4,), (2, 4)]:
    CASES.append((f"where-{_s}", fnp.where, ((4,), _s, (2, 1)), (boolean, real, real)))
    CASES.append((f"where-scalar-{_s}", lambda c, x: fnp.where(c, x, 0.0), (_s, _s),
                  (boolean, real)))

for _name, _f in REDUCTIONS:
    for _axis in REDUCTION_AXES:
        for _kd in (False, True):
            CASES.append((f"{_name}-axis={_axis}-keepdims={_kd}", _reduce(_f, _axis, _kd), X234,
                          (real,)))
    CASES.append((f"{_name}-0d", _f, ((),), (real,)))
CASES += [
    ("sum-dtype", lambda x: fnp.sum(x, axis=1, dtype=np.float32), X234, (real,)),
    ("mean-1d", lambda x: fnp.mean(x, axis=0), ((5,),), (real,)),
    ("method_sum", lambda x: x.sum(axis=-1, keepdims=True), X234, (real,)),
    ("method_mean", lambda x: x.mean(axis=(0, 1)), X234, (real,)),
    ("method_prod", lambda x: x.prod(), X234, (real,)),
    ("method_max", lambda x: x.max(axis=0), X234, (real,)),
    ("method_min", lambda x: x.min(axis=-2, keepdims=True), X234, (real,)),
]

CASES += [
    ("reshape", lambda x: fnp.reshape(x, (4, -1)), X234, (real,)),
    ("reshape-int", lambda x: fnp.reshape(x, 24), X234, (real,)),
    ("reshape-0d", lambda x: fnp.reshape(x, (1, 1)), ((),), (real,)),
    ("method_reshape", lambda x: x.reshape(6, 4), X234, (real,)),
    ("transpose", fnp.transpose, X234, (real,)),
    ("transpose-axes", lambda x: fnp.transpose(x, (1, 0, 2)), X234, (real,)),
    ("transpose-neg-axes", lambda x: fnp.transpose(x, (-1, 0, 1)), X234, (real,)),
    ("method_T", lambda x: x.T, X234, (real,)),
    ("method_transpose", lambda x: x.transpose(2, 0, 1), X234, (real,)),
    ("broadcast_to", lambda x: fnp.broadcast_to(x, (2, 3, 4)), ((3, 1),), (real,)),
    ("broadcast_to-0d", lambda x: fnp.broadcast_to(x, (2, 3)), ((),), (real,)),
    ("concatenate", lambda a, b: fnp.concatenate([a, b]), ((2, 3), (4, 3)), (real, real)),
    ("concatenate-axis-1", lambda a, b: fnp.concatenate([a, b, a], axis=-1),
     ((2, 3), (2, 1)), (real, real)),
    ("concatenate-axisNone", lambda a, b: fnp.concatenate([a, b], axis=None),
     ((2, 3), (4,)), (real, real)),
    ("concatenate-constant", lambda a: fnp.concatenate([np.ones((1, 3)), a]), ((2, 3),), (real,)),
    ("stack", lambda a, b: fnp.stack([a, b]), ((2, 3), (2, 3)), (real, real)),
    ("stack-axis1", lambda a, b: fnp.stack([a, b, a], axis=1), ((2, 3), (2, 3)), (real, real)),
    ("stack-axis-1", lambda a, b: fnp.stack([a, b], axis=-1), ((2, 3), (2, 3)), (real, real)),
    ("stack-0d", lambda a, b: fnp.stack([a, b]), ((), ()), (real, real)),
    ("expand_dims-0", lambda x: fnp.expand_dims(x, 0), ((2, 3),), (real,)),
    ("expand_dims--1", lambda x: fnp.expand_dims(x, -1), ((2, 3),), (real,)),
    ("expand_dims-tuple", lambda x: fnp.expand_dims(x, (0, 2)), ((2, 3),), (real,)),
    ("squeeze", fnp.squeeze, ((1, 3, 1),), (real,)),
    ("squeeze-axis", lambda x: fnp.squeeze(x, -1), ((1, 3, 1),), (real,)),
    ("method_squeeze", lambda x: x.squeeze(0), ((1, 3, 1),), (real,)),
    ("moveaxis", lambda x: fnp.moveaxis(x, 0, -1), X234, (real,)),
    ("moveaxis-lists", lambda x: fnp.moveaxis(x, [0, 1], [-1, 0]), X234, (real,)),
    ("swapaxes", lambda x: fnp.swapaxes(x, 0, 2), X234, (real,)),
    ("swapaxes-neg", lambda x: fnp.swapaxes(x, -1, 0), X234, (real,)),
    ("ravel", fnp.ravel, X234, (real,)),
    ("ravel-0d", fnp.ravel, ((),), (real,)),
    ("method_flatten", lambda x: x.flatten(), ((2, 3),), (real,)),
    ("array-of-traced", lambda x, y: fnp.array([x, y, x * y]), ((2,), (2,)), (real, real)),
    ("iterate", lambda x: fnp.stack([row * i for i, row in enumerate(x)]), ((3, 2),), (real,)),
]

# matmul in every rank combination of 1-d, 2-d and 3-d operands, and dot
MATMUL_A = {1: (3,), 2: (2, 3), 3: (4, 2, 3)}
MATMUL_B = {1: (3,), 2: (3, 5), 3: (4, 3, 5)}
for _ra in (1, 2, 3):
    for _rb in (1, 2, 3):
        CASES.append((f"matmul-{_ra}d@{_rb}d", fnp.matmul, (MATMUL_A[_ra], MATMUL_B[_rb]),
                      (real, real)))
CASES += [
    ("matmul-stack-broadcast", fnp.matmul, ((1, 2, 3), (4, 3, 5)), (real, real)),
    ("op_matmul", lambda a, b: a @ b, ((2, 3), (3, 5)), (real, real)),
    ("op_rmatmul-constant", lambda b: np.ones((2, 3)) @ b, ((3, 5),), (real,)),
]
DOT_SHAPES = [((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
              ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((2, 3), (4, 3, 2)), ((2, 2, 3), (4, 3, 2))]
for _a, _b in DOT_SHAPES:
    CASES.append((f"dot-{_a}-{_b}", fnp.dot, (_a, _b), (real, real)))
CASES.append(("method_dot", lambda a, b: a.dot(b), ((2, 3), (3, 4)), (real, real)))

# Rows whose first argument must be traced: a method of a plain NumPy array (a.dot(b))
# or indexing a plain NumPy array by a traced index (x[i]) is NumPy's business, not ours.
FIRST_TRACED = {"method_dot", "index-by-array", "index-by-scalar", "index-by-2d-array"}

# getitem: static indices (closures), basic and advanced, with Ellipsis
MASK = np.array([[True, False, True, False],
                 [False, False, True, True],
                 [True, True, False, False]])
STATIC_INDICES = [
    ("int", 1), ("negative_int", -1), ("numpy_int", np.int64(2)), ("int_pair", (1, 2)),
    ("slice", slice(1, None)), ("negative_step", slice(None, None, -1)),
    ("slices_and_int", (slice(None, None, -2), 1)), ("None", None),
    ("None_ellipsis", (None, Ellipsis, slice(None, None, -1))),
    ("ellipsis_int", (Ellipsis, 1)), ("int_ellipsis", (0, Ellipsis)),
    ("int_array_repeats", [0, 0, 2]), ("negative_int_array", [-1, -1, 0]),
    ("int_array_2d", np.array([[0, 1], [1, 1]])), ("int_arrays_pairwise", ([0, 2, 2], [1, 1, 3])),
    ("slice_and_int_array", (slice(None), [3, 3, 0])), ("ellipsis_int_array", (Ellipsis, [3, 0])),
    ("int_array_ellipsis", ([2, 1], Ellipsis)),
    ("arrays_apart", ([0, 2], slice(None), [1, 1])),
    ("bool_mask", MASK), ("bool_rows", np.array([True, False, True])),
    ("bool_columns", (slice(None), np.array([False, True, True, False]))),
]
for _name, _index in STATIC_INDICES:
    _shape = (3, 4, 2) if _name == "arrays_apart" else (3, 4)
    CASES.append((f"getitem-{_name}", (lambda index: lambda x: x[index])(_index), (_shape,),
                  (real,)))
CASES += [
    ("getitem-3d-ellipsis-middle", lambda x: x[1, ..., ::-1], ((3, 4, 2),), (real,)),
    ("getitem-3d-ellipsis-only", lambda x: x[...], ((3, 4, 2),), (real,)),
    ("at-get", lambda x: fnp.at(x)[1, ::-1].get(), ((3, 4),), (real,)),
    # batched integer index arrays: the index is data, batched or not
    ("index-by-array", lambda x, i: x[i], ((5, 2), (3,)), (real, indices(5))),
    ("index-by-scalar", lambda x, i: x[i], ((5, 2), ()), (real, indices(5))),
    ("index-by-2d-array", lambda x, i: x[i], ((5,), (2, 3)), (real, indices(5))),
    ("index-by-array-at-get", lambda x, i: fnp.at(x)[i].get(), ((5, 2), (3,)),
     (real, indices(5))),
]

# functional updates, x and v each batched or not
UPDATES = [
    ("set-int", lambda x, v: fnp.at(x)[1].set(v), (4,)),
    ("set-scalar", lambda x, v: fnp.at(x)[1].set(v), ()),
    ("set-slices", lambda x, v: fnp.at(x)[:, 1:3].set(v), (3, 2)),
    ("set-negative-step", lambda x, v: fnp.at(x)[::-1, 0].set(v), (3,)),
    ("set-int-array", lambda x, v: fnp.at(x)[[2, 0]].set(v), (2, 4)),
    ("set-ellipsis", lambda x, v: fnp.at(x)[..., 2].set(v), (3,)),
    ("set-bool-mask", lambda x, v: fnp.at(x)[MASK].set(v), (int(MASK.sum()),)),
    ("add-int", lambda x, v: fnp.at(x)[1].add(v), (4,)),
    ("add-broadcast", lambda x, v: fnp.at(x)[:, 2].add(v), ()),
    ("add-int-array-repeats", lambda x, v: fnp.at(x)[[0, 0, 2]].add(v), (3, 4)),
    ("add-pairwise-repeats", lambda x, v: fnp.at(x)[[1, 1], [2, 2]].add(v), (2,)),
    ("add-ellipsis-array", lambda x, v: fnp.at(x)[..., [0, 0]].add(v), (3, 2)),
    ("multiply-slice", lambda x, v: fnp.at(x)[::-2].multiply(v), (4,)),
    ("min-int", lambda x, v: fnp.at(x)[1].min(v), (4,)),
    ("max-int-array", lambda x, v: fnp.at(x)[[2, 0]].max(v), (2, 4)),
]
for _name, _f, _v in UPDATES:
    CASES.append((f"update-{_name}", _f, ((3, 4), _v), (real, real)))


def _layouts(ranks, out_rank):
    """(label, in_axes, out_axes) layouts for arguments of example ranks ``ranks``."""
    n = len(ranks)

    def ax(a, r):  # axis 1 is axis 0 for a 0-d example (its batched form is 1-d)
        return a if a is None or a <= r else r

    out1 = min(1, out_rank)
    layouts = [("all0", (0,) * n, 0),
               ("all-1-out1", (-1,) * n, out1),
               ("1-None", (ax(1, ranks[0]),) + (None,) * (n - 1), 0)]
    if n >= 2:
        layouts += [("None-0-out1", (None,) + (0,) * (n - 1), out1),
                    ("1-0-out-1", (ax(1, ranks[0]),) + (0,) * (n - 1), -1),
                    ("0-None-1", (0,) + tuple(ax(1, r) if i % 2 else None
                                              for i, r in enumerate(ranks[1:])), out1)]
    return layouts


def _batched_shape(shape, axis, size=B):
    if axis is None:
        return shape
    shape = list(shape)
    shape.insert(axis % (len(shape) + 1), size)
    return tuple(shape)


def _table_params():
    params = []
    for name, f, shapes, domains in CASES:
        rng = rng_for(name)
        examples = [d(rng, s) for d, s in zip(domains, shapes, strict=True)]
        out_rank = np.ndim(f(*examples))
        for label, in_axes, out_axes in _layouts([len(s) for s in shapes], out_rank):
            if name in FIRST_TRACED and in_axes[0] is None:
                continue
            args = tuple(d(rng, _batched_shape(s, a))
                         for d, s, a in zip(domains, shapes, in_axes))
            params.append(pytest.param(f, args, in_axes, out_axes, id=f"{name}-{label}"))
    return params


TABLE = _table_params()


@pytest.mark.parametrize("f, args, in_axes, out_axes", TABLE)
def test_vmap_equals_loop(f, args, in_axes, out_axes):
    check_vmap(f, args, in_axes, out_axes)


def test_batch_size_one_and_out_axes_negative():
    x = rng_for("bs1").standard_normal((1, 2, 3))
    check_vmap(lambda x: fnp.sum(fnp.sin(x), axis=0), (x,), (0,), -1)
    check_vmap(lambda x: x @ x.T, (x,), (1,), 2)


def test_in_axes_as_int_and_list_and_unbatched_output():
    rng = rng_for("int-list")
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((3, 4))
    assert_same(fgrad.vmap(fnp.multiply, in_axes=1)(y, y), looped(fnp.multiply, (y, y), (1, 1)))
    assert_same(fgrad.vmap(fnp.add, in_axes=[0, 1])(x, y), looped(fnp.add, (x, y), (0, 1)))
    # an output that does not depend on the batched argument is broadcast along the batch
    out = fgrad.vmap(lambda a, b: b * 2.0, in_axes=(0, None), out_axes=1)(x, np.arange(2.0))
    assert_same(out, np.repeat((np.arange(2.0) * 2.0)[:, None], 4, axis=1))
    # ... and left alone with out_axes=None
    out = fgrad.vmap(lambda a, b: (a, b * 2.0), in_axes=(0, None), out_axes=(0, None))(x, 1.5)
    assert_same(out[0], x)
    assert float(out[1]) == 3.0


# -- hypothesis: broadcasting binary functions and reductions --------------------

@st.composite
def broadcast_case(draw):
    out_shape = draw(st.lists(st.integers(1, 4), min_size=0, max_size=3))
    shapes = []
    for _ in range(2):
        rank = draw(st.integers(0, len(out_shape)))
        tail = out_shape[len(out_shape) - rank:]
        shapes.append(tuple(d if draw(st.booleans()) else 1 for d in tail))
    size = draw(st.integers(1, 4))
    axes = [draw(st.one_of(st.none(), st.integers(-len(s) - 1, len(s)))) for s in shapes]
    if axes[0] is None and axes[1] is None:
        axes[draw(st.integers(0, 1))] = 0
    out_rank = len(np.broadcast_shapes(*shapes))
    out_axis = draw(st.integers(-out_rank - 1, out_rank))
    return shapes, size, tuple(axes), out_axis


BROADCASTING = [
    (fnp.add, real, real), (fnp.subtract, real, real), (fnp.multiply, real, real),
    (fnp.divide, real, nonzero), (fnp.power, positive, real), (fnp.maximum, real, real),
    (fnp.minimum, real, real), (fnp.less, smallint, smallint), (fnp.equal, smallint, smallint),
    (lambda x, y: fnp.where(x > 0, x, y), real, real), (lambda x, y: x * y - x / (1 + y * y),
                                                         real, real),
]


@settings(max_examples=150, deadline=None, database=None)
@given(broadcast_case(), st.sampled_from(BROADCASTING), st.integers(0, 2 ** 32 - 1))
def test_broadcasting_binary_functions(case, op, seed):
    (sx, sy), size, in_axes, out_axis = case
    f, dx, dy = op
    rng = np.random.default_rng(seed)
    x = dx(rng, _batched_shape(sx, in_axes[0], size))
    y = dy(rng, _batched_shape(sy, in_axes[1], size))
    check_vmap(f, (x, y), in_axes, out_axis)


@st.composite
def reduction_case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
    r = len(shape)
    kind = draw(st.sampled_from(["none", "int", "tuple"] if r else ["none"]))
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(-r, r - 1))
    else:
        chosen = draw(st.lists(st.integers(0, r - 1), min_size=1, max_size=r, unique=True))
        axis = tuple(a - r if draw(st.booleans()) else a for a in chosen)
    keepdims = draw(st.booleans())
    size = draw(st.integers(1, 4))
    in_axis = draw(st.integers(-r - 1, r))
    out_rank = r if keepdims else (0 if axis is None else r - len(np.atleast_1d(axis)))
    out_axis = draw(st.integers(-out_rank - 1, out_rank))
    return shape, axis, keepdims, size, in_axis, out_axis


@settings(max_examples=150, deadline=None, database=None)
@given(reduction_case(), st.sampled_from(REDUCTIONS), st.integers(0, 2 ** 32 - 1))
def test_reductions_drawn(case, reduction, seed):
    shape, axis, keepdims, size, in_axis, out_axis = case
    _, f = reduction
    shape = list(shape)
    shape.insert(in_axis % (len(shape) + 1), size)
    x = np.random.default_rng(seed).standard_normal(shape)
    check_vmap(_reduce(f, axis, keepdims), (x,), (in_axis,), out_axis)


# -- every primitive has a batching rule -----------------------------------------
# Run in a fresh interpreter, so that primitives made by other tests (user-defined,
# deliberately without rules) do not count.

_COVERAGE_SCRIPT = textwrap.dedent("""
    import importlib, json, pkgutil
    import fgrad, fgrad.numpy
    from fgrad.rules import RULES
    from fgrad.tracer import Primitive

    found = {}
    for info in pkgutil.walk_packages(fgrad.__path__, "fgrad.", onerror=lambda name: None):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            if not info.name.startswith(("fgrad.scipy", "fgrad.distributed")):
                raise
            continue
        for name, obj in vars(module).items():
            prim = obj if isinstance(obj, Primitive) else getattr(obj, "prim", None)
            if isinstance(prim, Primitive):
                found.setdefault(prim, f"{info.name}.{name} ({prim.name})")
    for prim in RULES:
        found.setdefault(prim, f"rule table ({prim.name})")
    public = sorted(n for n in dir(fgrad.numpy)
                    if isinstance(getattr(getattr(fgrad.numpy, n), "prim", None), Primitive))
    print(json.dumps({"all": sorted(found.values()), "public": public,
                      "missing": sorted(n for p, n in found.items() if RULES[p].batch is None)}))
""")


@pytest.fixture(scope="module")
def primitive_census():
    done = subprocess.run([sys.executable, "-c", _COVERAGE_SCRIPT], capture_output=True,
                          text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_the_census_finds_the_primitives(primitive_census):
    """Guards the walk: an empty walk would let the next test pass vacuously."""
    names = " ".join(primitive_census["all"])
    assert len(primitive_census["all"]) >= 60
    for name in ("sin", "sum", "matmul", "reshape", "concatenate", "getitem", "index_add",
                 "index_set", "astype", "astype_constant", "max", "min", "stop_gradient",
                 "shape", "zeros_like"):
        assert f"({name})" in names, name
    assert {"sin", "where", "matmul", "amax", "reshape"} <= set(primitive_census["public"])


def test_every_primitive_has_a_batching_rule(primitive_census):
    assert primitive_census["missing"] == []


def test_a_primitive_without_a_rule_is_detected_as_missing():
    """The check above can fail: a fresh primitive has no batching rule."""
    assert primitive(np.sin, "fresh_sin").prim not in RULES


# -- a primitive without a batching rule: the loop, with one warning ---------------

def test_primitive_without_batching_rule_loops_with_one_warning():
    my_sin = primitive(np.sin, "my_unbatched_sin")
    defrules(my_sin, vjp=(lambda g, out, x: g * fnp.cos(x),),
             jvp=(lambda t, out, x: t * fnp.cos(x),))
    assert RULES[my_sin.prim].batch is None
    x = rng_for("loop").standard_normal((3, 4))
    with pytest.warns(UserWarning) as record:
        first = fgrad.vmap(my_sin)(x)
        second = fgrad.vmap(lambda x: my_sin(x) * 2.0, in_axes=1, out_axes=1)(x)
    mine = [w for w in record if "my_unbatched_sin" in str(w.message)]
    assert len(mine) == 1, [str(w.message) for w in record]
    assert "batching rule" in str(mine[0].message)
    assert_same(first, np.sin(x))
    assert_same(second, 2.0 * np.sin(x))
    # it still differentiates, under and over vmap
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = fgrad.vmap(fgrad.grad(lambda x: fnp.sum(my_sin(x) ** 2)))(x)
        h = fgrad.grad(lambda x: fnp.sum(fgrad.vmap(my_sin, in_axes=1)(x)))(x)
    np.testing.assert_allclose(g, 2 * np.sin(x) * np.cos(x), rtol=1e-12)
    np.testing.assert_allclose(h, np.cos(x), rtol=1e-12)


# -- nesting, pytrees, errors ------------------------------------------------------

def test_nested_vmap_with_different_in_axes():
    rng = rng_for("nested")
    x, y = rng.standard_normal((4, 3)), rng.standard_normal((3, 5))

    def f(a, b):
        return fnp.sum(fnp.sin(a) * b)  # two 0-d examples (via 1-d rows)

    # outer over rows of x, inner over columns of y: an all-pairs table
    table = fgrad.vmap(fgrad.vmap(f, in_axes=(None, 1)), in_axes=(0, None))(x, y)
    expected = np.array([[np.sum(np.sin(x[i]) * y[:, j]) for j in range(5)] for i in range(4)])
    assert_same(table, expected)
    # inner out_axes moves the inner batch axis; outer over axis 1 of x
    out = fgrad.vmap(fgrad.vmap(lambda a, b: a * b, in_axes=(0, None), out_axes=1),
                     in_axes=(1, 0))(x, y)
    expected = np.stack([np.stack([x[i, j] * y[j] for i in range(4)], axis=1) for j in range(3)])
    assert_same(out, expected)
    # three levels
    z = rng.standard_normal((2, 3, 4))
    out = fgrad.vmap(fgrad.vmap(fgrad.vmap(fnp.tanh)))(z)
    assert_same(out, np.tanh(z))
    out = fgrad.vmap(fgrad.vmap(lambda r: fnp.sum(r) * r, in_axes=1), in_axes=2)(z)
    assert_same(out, np.stack([np.stack([z[:, j, k].sum() * z[:, j, k] for j in range(3)])
                               for k in range(4)]))


Pair = collections.namedtuple("Pair", "a b")


def test_pytrees_in_in_axes_and_out_axes():
    rng = rng_for("pytrees")
    params = {"w": rng.standard_normal((3, 4)), "b": rng.standard_normal(3)}
    xs = (rng.standard_normal((4, 5)), rng.standard_normal((5, 2)))

    def f(p, x):
        u, v = x
        h = p["w"] @ u + p["b"]
        return {"h": h, "s": fnp.sum(v) * fnp.ones(2)}

    # in_axes are prefixes: the dict is shared, the tuple's leaves are batched on 1 and 0
    out = fgrad.vmap(f, in_axes=(None, (1, 0)), out_axes={"h": 1, "s": 0})(params, xs)
    assert set(out) == {"h", "s"}
    assert_same(out["h"], np.stack([params["w"] @ xs[0][:, b] + params["b"] for b in range(5)], 1))
    assert_same(out["s"], np.stack([np.sum(xs[1][b]) * np.ones(2) for b in range(5)]))
    # a dict of axes, written in a different key order than the argument
    out = fgrad.vmap(lambda p: p["w"] * p["b"], in_axes=({"b": None, "w": 1},))(
        {"w": rng.standard_normal((2, 6)), "b": np.array([1.0, -2.0])})
    assert out.shape == (6, 2)
    # lists and namedtuples of arguments
    pair = Pair(rng.standard_normal((3, 2)), rng.standard_normal(2))
    out = fgrad.vmap(lambda t: t.a + t.b, in_axes=(Pair(0, None),))(pair)
    assert_same(out, pair.a + pair.b)
    out = fgrad.vmap(lambda ts: [ts[0] * 2, ts[1]], in_axes=([1, None],), out_axes=[0, None])(
        [rng.standard_normal((2, 3)), 7.0])
    assert out[0].shape == (3, 2) and out[1] == 7.0


def test_in_axes_none_for_pytree_argument_and_none_leaves():
    rng = rng_for("none-args")
    params = [(rng.standard_normal((2, 3)), rng.standard_normal(2)), None]
    xs = rng.standard_normal((4, 3))
    out = fgrad.vmap(lambda p, x: p[0][0] @ x + p[0][1], in_axes=(None, 0))(params, xs)
    assert_same(out, xs @ params[0][0].T + params[0][1])


def test_mismatched_batch_sizes_are_a_value_error():
    with pytest.raises(ValueError, match="batch size"):
        fgrad.vmap(fnp.add)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="batch size"):
        fgrad.vmap(fnp.add, in_axes=(0, 1))(np.ones((3, 2)), np.ones((3, 2)))


def test_all_in_axes_none_is_a_value_error():
    with pytest.raises(ValueError, match="None"):
        fgrad.vmap(fnp.add, in_axes=None)(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="None"):
        fgrad.vmap(fnp.add, in_axes=(None, None))(np.ones(3), np.ones(3))


def test_in_axes_of_the_wrong_length_is_a_value_error():
    with pytest.raises(ValueError, match="in_axes"):
        fgrad.vmap(fnp.add, in_axes=(0,))(np.ones(3), np.ones(3))


def test_out_axes_none_for_a_batched_output_is_a_value_error():
    with pytest.raises(ValueError, match="out_axes"):
        fgrad.vmap(fnp.sin, out_axes=None)(np.ones(3))


def test_batch_axis_out_of_range_is_a_value_error():
    with pytest.raises(ValueError):
        fgrad.vmap(fnp.sin)(np.float64(1.0))


# -- indexing with batched indices inside tuples and batched updates ---------------------

@pytest.mark.parametrize("index", [lambda i: (i, 0), lambda i: (slice(None), i)],
                         ids=["i,0", ":,i"])
def test_batched_index_inside_a_tuple(index):
    rng = rng_for("tuple-index")
    x, i = rng.standard_normal((3, 4, 4)), np.array([0, 3, 1])
    check_vmap(lambda x, i: x[index(i)], (x, i), (0, 0))


def test_nested_vmap_with_the_index_batched_by_the_outer_vmap():
    xs, idx = rng_for("outer-index").standard_normal((4, 5)), np.array([0, 2, -1])
    out = fgrad.vmap(lambda i: fgrad.vmap(lambda x: x[i])(xs))(idx)
    assert_same(out, np.stack([xs[:, i] for i in idx]))


@pytest.mark.parametrize("jac", [fgrad.jacfwd, fgrad.jacrev], ids=["jacfwd", "jacrev"])
def test_vmap_of_jacobian_of_indexing_by_a_batched_integer(jac):
    x, idx = rng_for("jac-index").standard_normal(5), np.array([0, 2, -1])
    J = fgrad.vmap(jac(lambda x, i: fnp.sin(x)[i]), in_axes=(None, 0))(x, idx)
    assert_same(J, np.stack([np.eye(5)[i] * np.cos(x[i]) for i in idx]))


def test_nested_vmap_with_the_index_batched_by_the_inner_vmap():
    xs, idx = rng_for("inner-index").standard_normal((4, 5)), np.array([0, 2, -1])
    out = fgrad.vmap(lambda x: fgrad.vmap(lambda i: x[i])(idx))(xs)
    assert_same(out, xs[:, idx])


def test_update_at_batched_index():
    rng = rng_for("update-batched-index")
    x, i, v = rng.standard_normal((3, 5)), np.array([0, 4, 4]), rng.standard_normal(3)
    check_vmap(lambda x, i, v: fnp.at(x)[i].add(v), (x, i, v), (0, 0, 0))
    rows = np.array([0, 2, 2])  # x is shared: one example indexes its rows
    check_vmap(lambda x, i, v: fnp.at(x)[i].set(v), (x, rows, v), (None, 0, 0))
    check_vmap(lambda x, i, v: fnp.at(x)[:, i].add(v), (x, rows, v), (None, 0, 0))


# -- composition with the derivative transforms, in every order --------------------

def f_scalar(x):
    return fnp.sum(fnp.sin(x) * x ** 2) + fnp.prod(fnp.tanh(x))


def f_vector(x):
    return fnp.concatenate([fnp.sin(x) * x[0], fnp.exp(x[::-1])])


def test_vmap_of_grad():
    xs = rng_for("vmap-grad").standard_normal((5, 3))
    g = fgrad.vmap(fgrad.grad(f_scalar))(xs)
    assert_same(g, np.stack([fgrad.grad(f_scalar)(x) for x in xs]))
    t = np.tanh(xs)
    closed = (np.cos(xs) * xs ** 2 + 2 * xs * np.sin(xs)
              + np.prod(t, axis=1, keepdims=True) / t * (1 - t ** 2))
    np.testing.assert_allclose(g, closed, rtol=1e-10)
    # batch axis 1 and out_axes 1
    g1 = fgrad.vmap(fgrad.grad(f_scalar), in_axes=1, out_axes=1)(xs.T)
    assert_same(g1, g.T)


def test_grad_of_vmap():
    rng = rng_for("grad-vmap")
    p, xs = rng.standard_normal(3), rng.standard_normal((6, 3))

    def f(p, x):
        return fnp.tanh(fnp.dot(p, x)) ** 2

    g = fgrad.grad(lambda p: fgrad.vmap(f, (None, 0))(p, xs).sum())(p)
    expected = sum(fgrad.grad(f)(p, x) for x in xs)
    np.testing.assert_allclose(g, expected, rtol=1e-10)
    t = np.tanh(xs @ p)
    np.testing.assert_allclose(g, (2 * t * (1 - t ** 2)) @ xs, rtol=1e-10)
    # the gradient with respect to the batched argument
    gx = fgrad.grad(lambda xs: fnp.sum(fgrad.vmap(f, (None, 1))(p, xs)))(xs.T)
    np.testing.assert_allclose(gx, np.outer(p, 2 * t * (1 - t ** 2)), rtol=1e-10)


def test_jacfwd_and_jacrev_of_vmap():
    xs = rng_for("jac-vmap").standard_normal((4, 3))
    for jac in (fgrad.jacfwd, fgrad.jacrev):
        J = jac(fgrad.vmap(f_vector))(xs)
        assert J.shape == (4, 6, 4, 3)
        for b in range(4):
            for c in range(4):
                expected = fgrad.jacfwd(f_vector)(xs[b]) if b == c else np.zeros((6, 3))
                np.testing.assert_allclose(J[b, :, c], expected, rtol=1e-10, atol=1e-14)


def test_vmap_of_jacobians():
    xs = rng_for("vmap-jac").standard_normal((4, 3))
    for jac in (fgrad.jacfwd, fgrad.jacrev):
        J = fgrad.vmap(jac(f_vector))(xs)
        np.testing.assert_allclose(J, np.stack([fgrad.jacfwd(f_vector)(x) for x in xs]),
                                   rtol=1e-10)
        np.testing.assert_allclose(J[:, 3:, :], np.stack([np.diag(np.exp(x[::-1]))[:, ::-1]
                                                          for x in xs]), rtol=1e-12)


def test_vmap_of_jvp_and_jvp_of_vmap():
    rng = rng_for("jvp")
    xs, ts = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    expected = np.stack([fgrad.jvp(f_vector, (x,), (t,))[1] for x, t in zip(xs, ts)])
    closed = np.stack([fgrad.jacfwd(f_vector)(x) @ t for x, t in zip(xs, ts)])
    np.testing.assert_allclose(expected, closed, rtol=1e-10)
    out, tan = fgrad.vmap(lambda x, t: fgrad.jvp(f_vector, (x,), (t,)))(xs, ts)
    assert_same(out, np.stack([f_vector(x) for x in xs]))
    np.testing.assert_allclose(tan, expected, rtol=1e-12)
    # one primal, a batch of tangents: a Jacobian-matrix product
    tan = fgrad.vmap(lambda t: fgrad.jvp(f_vector, (xs[0],), (t,))[1])(ts)
    np.testing.assert_allclose(tan, ts @ fgrad.jacfwd(f_vector)(xs[0]).T, rtol=1e-10)
    out, tan = fgrad.jvp(fgrad.vmap(f_vector), (xs,), (ts,))
    assert_same(out, np.stack([f_vector(x) for x in xs]))
    np.testing.assert_allclose(tan, expected, rtol=1e-12)
    out, tan = fgrad.jvp(fgrad.vmap(f_vector, in_axes=1, out_axes=1), (xs.T,), (ts.T,))
    np.testing.assert_allclose(tan, expected.T, rtol=1e-12)


def test_vmap_of_vjp_fn():
    x = rng_for("vjp").standard_normal(3)
    cts = rng_for("vjp-ct").standard_normal((4, 6))
    _, vjp_fn = fgrad.vjp(f_vector, x)
    (batched,) = fgrad.vmap(vjp_fn)(cts)
    expected = np.stack([vjp_fn(ct)[0] for ct in cts])
    np.testing.assert_allclose(batched, expected, rtol=1e-12)
    np.testing.assert_allclose(batched, cts @ fgrad.jacfwd(f_vector)(x), rtol=1e-10)
    # vjp inside vmap: a different primal per example
    xs = rng_for("vjp-xs").standard_normal((4, 3))
    (batched,) = fgrad.vmap(lambda x, ct: fgrad.vjp(f_vector, x)[1](ct))(xs, cts)
    np.testing.assert_allclose(batched, np.stack([fgrad.vjp(f_vector, x)[1](ct)[0]
                                                  for x, ct in zip(xs, cts)]), rtol=1e-12)


def test_vmap_of_hessian():
    rng = rng_for("hess")
    A = rng.standard_normal((3, 3))
    xs = rng.standard_normal((4, 3))

    def quad(x):
        return x @ A @ x + fnp.sum(fnp.sin(x))

    H = fgrad.vmap(fgrad.hessian(quad))(xs)
    expected = np.stack([A + A.T - np.diag(np.sin(x)) for x in xs])
    np.testing.assert_allclose(H, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(H, np.stack([fgrad.hessian(quad)(x) for x in xs]), rtol=1e-12)


def test_vmap_of_hvp_and_of_value_and_grad():
    rng = rng_for("hvp")
    xs, vs = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    g, hv = fgrad.vmap(lambda x, v: fgrad.hvp(f_scalar, (x,), (v,)))(xs, vs)
    for b in range(4):
        np.testing.assert_allclose(g[b], fgrad.grad(f_scalar)(xs[b]), rtol=1e-12)
        np.testing.assert_allclose(hv[b], fgrad.hessian(f_scalar)(xs[b]) @ vs[b], rtol=1e-10)
    value, g = fgrad.vmap(fgrad.value_and_grad(f_scalar))(xs)
    assert_same(value, np.array([f_scalar(x) for x in xs]))


# -- per-example gradients of a small MLP ---------------------------------------------

def _mlp_params(rng, sizes=(4, 8, 5, 3)):
    return [(rng.standard_normal((m, n)) / np.sqrt(n), rng.standard_normal(m) * 0.1)
            for n, m in zip(sizes[:-1], sizes[1:])]


def _log_softmax(logits):
    shift = logits - fnp.max(logits, axis=-1, keepdims=True)
    return shift - fnp.log(fnp.sum(fnp.exp(shift), axis=-1, keepdims=True))


def _logits(params, x):
    h = x
    for W, b in params[:-1]:
        h = fnp.tanh(W @ h + b)
    W, b = params[-1]
    return W @ h + b


def loss_by_label_index(params, x, y):
    return -_log_softmax(_logits(params, x))[y]


def loss_by_one_hot(params, x, y):
    return -fnp.sum(_log_softmax(_logits(params, x)) * (fnp.arange(3) == y))


def _closed_form_mlp_grads(params, x, y):
    """Backpropagation written out with NumPy, for one example."""
    hs, h = [x], x
    for W, b in params[:-1]:
        h = np.tanh(W @ h + b)
        hs.append(h)
    W, b = params[-1]
    z = W @ h + b
    p = np.exp(z - z.max())
    p /= p.sum()
    delta = p - np.eye(len(z))[y]
    grads = []
    for k in range(len(params) - 1, -1, -1):
        W, _ = params[k]
        grads.append((np.outer(delta, hs[k]), delta))
        if k:
            delta = (W.T @ delta) * (1 - hs[k] ** 2)
    return grads[::-1]


def _check_per_example(loss, in_axes=(None, 0, 0)):
    rng = rng_for("mlp")
    params = _mlp_params(rng)
    xs, ys = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    batched = fgrad.vmap(fgrad.grad(loss), in_axes=in_axes)(params, xs, ys)
    assert isinstance(batched, list) and all(isinstance(layer, tuple) for layer in batched)
    for b in range(6):
        single = fgrad.grad(loss)(params, xs[b], ys[b])
        closed = _closed_form_mlp_grads(params, xs[b], ys[b])
        for (gW, gb), (sW, sb), (cW, cb) in zip(batched, single, closed, strict=True):
            np.testing.assert_allclose(gW[b], sW, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(gb[b], sb, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(gW[b], cW, rtol=1e-8, atol=1e-12)
            np.testing.assert_allclose(gb[b], cb, rtol=1e-8, atol=1e-12)
    # per-example losses by vmap, too
    losses = fgrad.vmap(loss, in_axes=in_axes)(params, xs, ys)
    assert_same(losses, np.array([loss(params, x, y) for x, y in zip(xs, ys)]))


def test_per_example_gradients_of_mlp_with_one_hot_labels():
    _check_per_example(loss_by_one_hot)


def test_per_example_gradients_of_mlp_with_label_indexing():
    _check_per_example(loss_by_label_index)


def test_vmap_of_grad_of_indexing_by_a_batched_integer():
    x = rng_for("gather").standard_normal(5)
    i = np.array([0, 3, 3, -1])
    g = fgrad.vmap(fgrad.grad(lambda x, i: x[i] ** 2), in_axes=(None, 0))(x, i)
    assert_same(g, np.stack([np.eye(5)[k] * 2 * x[k] for k in i]))


def test_boolean_operators_on_traced_values():
    x = rng_for("bool-ops").standard_normal((3, 4))
    check_vmap(lambda x: (x > 0) & (x < 1) | ~(x > -0.5), (x,), (0,))
