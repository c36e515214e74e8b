"""Every differentiable function of fgrad.numpy against finite differences.

A spec table in the style of JAX's ``GradTestSpec`` and autograd's
``combo_check``: one row per function, with an input domain that keeps away
from poles, branch cuts, ties and kinks. Rows are combined with shapes
(0-d, 1-d, broadcasting pairs), axes and ``keepdims``, and every combination is
checked by ``check_grads`` in forward and reverse mode to order 2, so the rules'
own rules are checked too.

After the table: float32 (gradients keep the primal's dtype), complex inputs,
and the conventions at ties, kinks and zeros.
"""
import itertools

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from domains import (APART, banded, clip_x, cplx, cplx_nonzero, cplx_right, distinct, grid, nonzero,
                     positive, real, rem_x, rem_y, rng_for, small)
from fgrad.testing import check_grads


def check(fun, args, **kwargs):
    check_grads(fun, args, order=2, modes=("fwd", "rev"), **kwargs)


def _sid(shape):
    return "x".join(map(str, shape)) if shape else "0d"


def make_args(key, domains, shapes):
    rng = rng_for(key)
    return tuple(d(rng, s) for d, s in zip(domains, shapes, strict=True))


# -- elementwise unary ---------------------------------------------------------

UNARY_SHAPES = [(), (3,), (2, 3), (2, 1, 3)]

UNARY = [
    # name           function                                  domain
    ("negative",     fnp.negative,                             real),
    ("exp",          fnp.exp,                                  real),
    ("log",          fnp.log,                                  positive),
    ("sin",          fnp.sin,                                  real),
    ("cos",          fnp.cos,                                  real),
    ("tan",          fnp.tan,                                  small),
    ("tanh",         fnp.tanh,                                 real),
    ("sqrt",         fnp.sqrt,                                 positive),
    ("square",       fnp.square,                               real),
    ("abs",          fnp.abs,                                  nonzero),
    ("absolute",     fnp.absolute,                             nonzero),
    ("reciprocal",   fnp.reciprocal,                           nonzero),
    ("real",         fnp.real,                                 real),
    ("imag+x",       lambda x: fnp.imag(x) + x,                real),
    ("conj",         fnp.conj,                                 real),
    ("clip",         lambda x: fnp.clip(x, -0.5, 0.5),         clip_x),
    ("clip_lo",      lambda x: fnp.clip(x, -0.5, None),        clip_x),
    ("clip_hi",      lambda x: fnp.clip(x, None, 0.5),         clip_x),
    ("astype_f64",   lambda x: fnp.astype(x, np.float64),      real),
    ("astype_c128",  lambda x: fnp.astype(x, np.complex128),   real),
    ("power_2.0",    lambda x: fnp.power(x, 2.0),              real),
    ("power_int3",   lambda x: fnp.power(x, 3),                real),
    ("power_0.5",    lambda x: fnp.power(x, 0.5),              positive),
    ("power_base",   lambda x: fnp.power(1.7, x),              real),
    # the ArrayBox operators
    ("op_neg",       lambda x: -x,                             real),
    ("op_abs",       lambda x: abs(x),                         nonzero),
    ("op_pos",       lambda x: +x * 1.5,                       real),
]

UNARY_CASES = [
    pytest.param(fun, make_args(f"{name}-{_sid(s)}", (dom,), (s,)), id=f"{name}-{_sid(s)}")
    for (name, fun, dom), s in itertools.product(UNARY, UNARY_SHAPES)
]


@pytest.mark.parametrize("fun, args", UNARY_CASES)
def test_unary(fun, args):
    check(fun, args)


# -- elementwise binary, with broadcasting -------------------------------------

BINARY_SHAPES = [
    ((), ()), ((3,), (3,)), ((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)),
    ((2, 1, 3), (4, 3)), ((4, 3), (2, 1, 3)), ((2, 1, 3), (2, 4, 1)), ((2, 1), (1, 3)),
    ((), (2, 3)), ((2, 3), ()),
]


def _checkerboard(shape):
    return np.arange(int(np.prod(shape))).reshape(shape) % 2 == 0


def _where(x, y):
    return fnp.where(_checkerboard(np.broadcast_shapes(np.shape(x), np.shape(y))), x, y)


BINARY = [
    # name           function                          domains
    ("add",          fnp.add,                          (real, real)),
    ("subtract",     fnp.subtract,                     (real, real)),
    ("multiply",     fnp.multiply,                     (real, real)),
    ("divide",       fnp.divide,                       (real, nonzero)),
    ("true_divide",  fnp.true_divide,                  (real, nonzero)),
    ("power",        fnp.power,                        (positive, real)),
    ("maximum",      fnp.maximum,                      APART),
    ("minimum",      fnp.minimum,                      APART),
    ("where",        _where,                           (real, real)),
    ("remainder",    fnp.remainder,                    (rem_x, rem_y)),
    ("mod",          fnp.mod,                          (rem_x, rem_y)),
    ("clip_arrays",  lambda x, lo: fnp.clip(x, lo, 0.5),
                                                       (clip_x, banded((-0.55, -0.45)))),
    # the ArrayBox operators, both operands traced
    ("op_add",       lambda x, y: x + y,               (real, real)),
    ("op_sub",       lambda x, y: x - y,               (real, real)),
    ("op_mul",       lambda x, y: x * y,               (real, real)),
    ("op_truediv",   lambda x, y: x / y,               (real, nonzero)),
    ("op_floordiv",  lambda x, y: x // y,              (rem_x, rem_y)),
    ("op_mod",       lambda x, y: x % y,               (rem_x, rem_y)),
    ("op_pow",       lambda x, y: x ** y,              (positive, real)),
]

BINARY_CASES = [
    pytest.param(fun, make_args(f"{name}-{_sid(a)}-{_sid(b)}", doms, (a, b)),
                 id=f"{name}-{_sid(a)},{_sid(b)}")
    for (name, fun, doms), (a, b) in itertools.product(BINARY, BINARY_SHAPES)
]


@pytest.mark.parametrize("fun, args", BINARY_CASES)
def test_binary(fun, args):
    check(fun, args)


def test_where_with_a_condition_that_broadcasts():
    rng = rng_for("where-broadcast-condition")
    cond = np.array([True, False, True])
    check(lambda x, y: fnp.where(cond, x, y), (real(rng, (2, 3)), real(rng, ())))


# One operand a constant: a NumPy array, a NumPy scalar or a Python scalar on
# either side (the reflected operators, and NumPy deferring to the box).
C = rng_for("C").uniform(0.5, 2.0, (2, 3))
C_REM = rem_x(rng_for("C_REM"), (2, 3))

CONSTANT_OPERAND = [
    ("array+x",     lambda x: C + x,                   real),
    ("x+array",     lambda x: x + C,                   real),
    ("array-x",     lambda x: C - x,                   real),
    ("scalar-x",    lambda x: 2.5 - x,                 real),
    ("x-scalar",    lambda x: x - 2.5,                 real),
    ("array*x",     lambda x: C * x,                   real),
    ("npscalar*x",  lambda x: np.float64(2.5) * x,     real),
    ("array/x",     lambda x: C / x,                   nonzero),
    ("scalar/x",    lambda x: 2.5 / x,                 nonzero),
    ("x/array",     lambda x: x / C,                   real),
    ("array//x",    lambda x: C_REM // x,              rem_y),
    ("x//scalar",   lambda x: x // 2.1,                rem_x),
    ("array%x",     lambda x: C_REM % x,               rem_y),
    ("x%scalar",    lambda x: x % 2.1,                 rem_x),
    ("scalar%x",    lambda x: 4.7 % x,                 rem_y),
    ("array**x",    lambda x: C ** x,                  real),
    ("scalar**x",   lambda x: 1.5 ** x,                real),
    ("x**scalar",   lambda x: x ** 2.5,                positive),
    ("x**int",      lambda x: x ** 3,                  real),
    ("x**array",    lambda x: x ** C,                  positive),
]

CONSTANT_OPERAND_CASES = [
    pytest.param(fun, make_args(f"{name}-{_sid(s)}", (dom,), (s,)), id=f"{name}-{_sid(s)}")
    for (name, fun, dom), s in itertools.product(CONSTANT_OPERAND, [(3,), (2, 3)])
]


@pytest.mark.parametrize("fun, args", CONSTANT_OPERAND_CASES)
def test_operator_with_a_constant_operand(fun, args):
    check(fun, args)


# -- products -------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((4, 2, 3), (3,)), ((3,), (4, 3, 2)), ((4, 2, 3), (4, 3, 2)),
    ((2, 1, 2, 3), (5, 3, 4)), ((1, 2, 3), (3, 3, 2)),
]
DOT_SHAPES = [
    ((), (3,)), ((2, 3), ()), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
    ((2, 3), (3, 4)), ((2, 2, 3), (3, 4)), ((2, 3), (4, 3, 2)), ((2, 2, 3), (4, 3, 2)),
]
PRODUCTS = [
    ("matmul", fnp.matmul, MATMUL_SHAPES),
    ("op_matmul", lambda a, b: a @ b, MATMUL_SHAPES),
    ("dot", fnp.dot, DOT_SHAPES),
]
PRODUCT_CASES = [
    pytest.param(fun, make_args(f"{name}-{_sid(a)}-{_sid(b)}", (real, real), (a, b)),
                 id=f"{name}-{_sid(a)},{_sid(b)}")
    for name, fun, shapes in PRODUCTS for a, b in shapes
]
M = rng_for("M").standard_normal((2, 3))
PRODUCT_CASES += [
    pytest.param(lambda b: M @ b, (real(rng_for("rmatmul"), (3, 4)),), id="array@x"),
    pytest.param(lambda a: a @ M.T, (real(rng_for("matmul_const"), (4, 3)),), id="x@array"),
    pytest.param(lambda a: a.dot(M.T), (real(rng_for("method_dot"), (4, 3)),), id="method_dot"),
]


@pytest.mark.parametrize("fun, args", PRODUCT_CASES)
def test_products(fun, args):
    check(fun, args)


# -- reductions ----------------------------------------------------------------

AXES = [None, 0, 1, -1, (0, 2), (-1, -3), (2, 0, 1)]
REDUCTIONS = [
    ("sum",  fnp.sum,  real),
    ("mean", fnp.mean, real),
    ("prod", fnp.prod, nonzero),
    ("max",  fnp.max,  distinct),
    ("min",  fnp.min,  distinct),
    ("amax", fnp.amax, distinct),
    ("amin", fnp.amin, distinct),
]


def _reduce(f, axis, keepdims):
    return lambda x: f(x, axis=axis, keepdims=keepdims)


REDUCTION_CASES = [
    pytest.param(_reduce(f, axis, kd), make_args(f"{name}-{axis}-{kd}", (dom,), ((2, 3, 4),)),
                 id=f"{name}-2x3x4-axis={axis}-keepdims={kd}")
    for (name, f, dom), axis, kd in itertools.product(REDUCTIONS[:5], AXES, [False, True])
]
REDUCTION_CASES += [
    pytest.param(_reduce(f, axis, kd), make_args(f"{name}-{_sid(s)}-{axis}", (dom,), (s,)),
                 id=f"{name}-{_sid(s)}-axis={axis}-keepdims={kd}")
    for (name, f, dom) in REDUCTIONS
    for s, axis in [((), None), ((4,), None), ((4,), 0), ((4,), -1)]
    for kd in [False, True]
]
REDUCTION_CASES += [
    pytest.param(lambda x: x.sum(axis=1, keepdims=True), (real(rng_for("m1"), (2, 3)),),
                 id="method_sum"),
    pytest.param(lambda x: x.mean(axis=-1), (real(rng_for("m2"), (2, 3)),), id="method_mean"),
    pytest.param(lambda x: x.prod(axis=0), (nonzero(rng_for("m3"), (2, 3)),), id="method_prod"),
    pytest.param(lambda x: x.max(axis=(0, 1)), (distinct(rng_for("m4"), (2, 3)),), id="method_max"),
    pytest.param(lambda x: x.min(keepdims=True), (distinct(rng_for("m5"), (2, 3)),),
                 id="method_min"),
]


@pytest.mark.parametrize("fun, args", REDUCTION_CASES)
def test_reductions(fun, args):
    check(fun, args)


# -- shape functions -----------------------------------------------------------

def _x(shape, key="shape"):
    return real(rng_for(f"{key}-{_sid(shape)}"), shape)


X0, X3, X23, X234, X131 = _x(()), _x((3,)), _x((2, 3)), _x((2, 3, 4)), _x((1, 3, 1))
Y0, Y23 = _x((), "b"), _x((2, 3), "b")
SHAPE_CASES = [
    # id                      function                                        args
    ("reshape-to-4x-1",       lambda x: fnp.reshape(x, (4, -1)),              (X234,)),
    ("reshape-int",           lambda x: fnp.reshape(x, 6),                    (X23,)),
    ("reshape-0d-to-1x1",     lambda x: fnp.reshape(x, (1, 1)),               (X0,)),
    ("method_reshape",        lambda x: x.reshape(4, 6),                      (X234,)),
    ("transpose",             fnp.transpose,                                  (X234,)),
    ("transpose-axes",        lambda x: fnp.transpose(x, (1, 0, 2)),          (X234,)),
    ("transpose-neg-axes",    lambda x: fnp.transpose(x, (-1, 0, 1)),         (X234,)),
    ("method_T",              lambda x: x.T,                                  (X234,)),
    ("method_transpose",      lambda x: x.transpose(2, 0, 1),                 (X234,)),
    ("expand_dims-0",         lambda x: fnp.expand_dims(x, 0),                (X23,)),
    ("expand_dims--1",        lambda x: fnp.expand_dims(x, -1),               (X23,)),
    ("expand_dims-tuple",     lambda x: fnp.expand_dims(x, (0, 2)),           (X23,)),
    ("squeeze-all",           fnp.squeeze,                                    (X131,)),
    ("squeeze-0",             lambda x: fnp.squeeze(x, 0),                    (X131,)),
    ("squeeze-tuple",         lambda x: fnp.squeeze(x, (0, -1)),              (X131,)),
    ("method_squeeze",        lambda x: x.squeeze(),                          (X131,)),
    ("concatenate-axis0",     lambda a, b: fnp.concatenate([a, b]),           (X23, _x((4, 3)))),
    ("concatenate-axis-1",    lambda a, b: fnp.concatenate([a, b], axis=-1),  (X23, _x((2, 1)))),
    ("concatenate-axisNone",  lambda a, b: fnp.concatenate([a, b], axis=None), (X23, _x((4,)))),
    ("concatenate-repeated",  lambda a, b: fnp.concatenate([a, b, a], axis=1), (X23, _x((2, 2)))),
    ("concatenate-constant",  lambda a: fnp.concatenate([C, a]),              (_x((1, 3)),)),
    ("stack-axis0",           lambda a, b: fnp.stack([a, b]),                 (X23, Y23)),
    ("stack-axis1",           lambda a, b: fnp.stack([a, b], axis=1),         (X23, Y23)),
    ("stack-axis-1",          lambda a, b: fnp.stack([b, a, b], axis=-1),     (X23, Y23)),
    ("stack-0d",              lambda a, b: fnp.stack([a, b]),                 (X0, Y0)),
    ("broadcast_to-3",        lambda x: fnp.broadcast_to(x, (2, 3)),          (X3,)),
    ("broadcast_to-2x1",      lambda x: fnp.broadcast_to(x, (2, 3)),          (_x((2, 1)),)),
    ("broadcast_to-0d",       lambda x: fnp.broadcast_to(x, (2, 3)),          (X0,)),
    ("broadcast_to-1x3",      lambda x: fnp.broadcast_to(x, (4, 2, 3)),       (_x((1, 3)),)),
    ("moveaxis-0-to--1",      lambda x: fnp.moveaxis(x, 0, -1),               (X234,)),
    ("moveaxis-lists",        lambda x: fnp.moveaxis(x, [0, 1], [-1, 0]),     (X234,)),
    ("swapaxes-0-2",          lambda x: fnp.swapaxes(x, 0, 2),                (X234,)),
    ("swapaxes--1-0",         lambda x: fnp.swapaxes(x, -1, 0),               (X234,)),
    ("ravel",                 fnp.ravel,                                      (X234,)),
    ("ravel-0d",              fnp.ravel,                                      (X0,)),
    ("method_ravel",          lambda x: x.ravel(),                            (X23,)),
    ("method_flatten",        lambda x: x.flatten(),                          (X23,)),
]


@pytest.mark.parametrize("fun, args", [pytest.param(f, a, id=i) for i, f, a in SHAPE_CASES])
def test_shape_functions(fun, args):
    check(fun, args)


def test_shape_functions_match_numpy():
    """The rows above differentiate these compositions; check they compute NumPy's values."""
    x, eq = X234, np.testing.assert_array_equal
    eq(fnp.moveaxis(x, [0, 1], [-1, 0]), np.moveaxis(x, [0, 1], [-1, 0]))
    eq(fnp.swapaxes(x, -1, 0), np.swapaxes(x, -1, 0))
    eq(fnp.stack([x, x], axis=-1), np.stack([x, x], axis=-1))
    eq(fnp.expand_dims(x, (0, 2)), np.expand_dims(x, (0, 2)))
    eq(fnp.squeeze(X131, (0, -1)), np.squeeze(X131, (0, -1)))
    eq(fnp.concatenate([x, x], axis=None), np.concatenate([x, x], axis=None))
    eq(fnp.dot(x, x.transpose(1, 2, 0)), np.dot(x, x.transpose(1, 2, 0)))


# -- indexing and functional updates --------------------------------------------

MASK = np.array([[True, False, True, False],
                 [False, False, True, True],
                 [True, True, False, False]])
INDICES = [
    # id                       index
    ("int",                    1),
    ("negative_int",           -1),
    ("numpy_int",              np.int64(2)),
    ("int_pair",               (1, 2)),
    ("slice",                  slice(1, None)),
    ("negative_step",          slice(None, None, -1)),
    ("negative_step_2_and_int", (slice(None, None, -2), 1)),
    ("both_negative_steps",    (slice(None, None, -1), slice(3, 0, -2))),
    ("None",                   None),
    ("ellipsis_int",           (Ellipsis, 1)),
    ("None_ellipsis_negstep",  (None, Ellipsis, slice(None, None, -1))),
    ("int_array_repeats",      [0, 0, 2]),
    ("negative_int_array",     [-1, -1, 0]),
    ("int_array_2d",           np.array([[0, 1], [1, 1]])),
    ("int_arrays_pairwise",    ([0, 2, 2], [1, 1, 3])),
    ("slice_and_int_array",    (slice(None), [3, 3, 0])),
    ("bool_mask",              MASK),
    ("bool_rows",              np.array([True, False, True])),
    ("bool_columns",           (slice(None), np.array([False, True, True, False]))),
]


def _getter(index):
    return lambda x: x[index]


@pytest.mark.parametrize("index", [pytest.param(i, id=n) for n, i in INDICES])
def test_getitem(index):
    check(_getter(index), (_x((3, 4), "getitem"),))


@pytest.mark.parametrize("index", [pytest.param(i, id=n) for n, i in INDICES[:8]])
def test_getitem_of_3d(index):
    check(_getter(index), (_x((3, 4, 2), "getitem"),))


def _set(index):
    return lambda x, v: fnp.at(x)[index].set(v)


def _add(index):
    return lambda x, v: fnp.at(x)[index].add(v)


def _multiply(index):
    return lambda x, v: fnp.at(x)[index].multiply(v)


def _min(index):
    return lambda x, v: fnp.at(x)[index].min(v)


def _max(index):
    return lambda x, v: fnp.at(x)[index].max(v)


K = int(MASK.sum())
UPDATE_CASES = [
    # id                              function                     v shape   domains
    ("set-int",                       _set(1),                     (4,),     (real, real)),
    ("set-scalar-broadcast",          _set(1),                     (),       (real, real)),
    ("set-slices",                    _set((slice(None), slice(1, 3))), (3, 2), (real, real)),
    ("set-negative-step",             _set((slice(None, None, -1), 0)), (3,), (real, real)),
    ("set-int-array",                 _set([2, 0]),                (2, 4),   (real, real)),
    ("set-bool-mask",                 _set(MASK),                  (K,),     (real, real)),
    ("set-int-array-repeats",         _set([0, 0]),                (2, 4),   (real, real)),
    ("add-int",                       _add(1),                     (4,),     (real, real)),
    ("add-broadcast",                 _add((slice(None), 2)),      (),       (real, real)),
    ("add-int-array-repeats",         _add([0, 0, 2]),             (3, 4),   (real, real)),
    ("add-pairwise-repeats",          _add(([1, 1], [2, 2])),      (2,),     (real, real)),
    ("add-bool-mask",                 _add(MASK),                  (K,),     (real, real)),
    ("multiply-int",                  _multiply(1),                (4,),     (real, real)),
    ("multiply-slice",                _multiply(slice(None, None, -2)), (4,), (real, real)),
    ("multiply-int-array",            _multiply([2, 0]),           (2, 4),   (real, real)),
    ("multiply-int-array-repeats",    _multiply([0, 0]),           (2, 4),   (real, real)),
    ("min-int",                       _min(1),                     (4,),     APART),
    ("min-bool-mask",                 _min(MASK),                  (K,),     APART),
    ("max-slice",                     _max((slice(None), 0)),      (3,),     APART),
    ("max-int-array",                 _max([2, 0]),                (2, 4),   APART),
]


def _update_param(name, fun, v_shape, domains):
    return pytest.param(fun, make_args(name, domains, ((3, 4), v_shape)), id=name)


@pytest.mark.parametrize("fun, args", [_update_param(*c) for c in UPDATE_CASES])
def test_functional_updates(fun, args):
    check(fun, args)


X_CONST = rng_for("X_CONST").standard_normal((3, 4))
MORE_UPDATE_CASES = [
    ("get",                        lambda x: fnp.at(x)[1, ::-1].get(),         ((3, 4),)),
    ("set-into-numpy-array",       lambda v: fnp.at(X_CONST)[1].set(v),        ((4,),)),
    ("add-into-numpy-array",       lambda v: fnp.at(X_CONST)[[0, 0]].add(v),   ((2, 4),)),
    ("set-constant-into-x",        lambda x: fnp.at(x)[:, 1].set(3.0),         ((3, 4),)),
    ("update-uses-x-twice",        lambda x, v: fnp.at(x)[0].set(v * x[1]),    ((3, 4), (4,))),
    ("add-negative-step",          lambda x, v: fnp.at(x)[::-1].add(v),        ((3, 4), (4,))),
    ("multiply-by-own-row",        lambda x: fnp.at(x)[1:].multiply(x[0]),     ((3, 4),)),
]


@pytest.mark.parametrize("fun, shapes",
                         [pytest.param(f, s, id=i) for i, f, s in MORE_UPDATE_CASES])
def test_more_functional_updates(fun, shapes):
    rng = rng_for(str(shapes))
    check(fun, tuple(real(rng, s) for s in shapes))


@pytest.mark.parametrize("method, function", [
    pytest.param(lambda x: x.at[0].set(x[1] * x[2]), lambda x: fnp.at(x)[0].set(x[1] * x[2]),
                 id="set"),
    pytest.param(lambda x: x.at[[0, 0]].add(x[1]), lambda x: fnp.at(x)[[0, 0]].add(x[1]),
                 id="add"),
    pytest.param(lambda x: x.at[1:].multiply(x[0]), lambda x: fnp.at(x)[1:].multiply(x[0]),
                 id="multiply"),
    pytest.param(lambda x: x.at[0].min(x[1]), lambda x: fnp.at(x)[0].min(x[1]), id="min"),
    pytest.param(lambda x: x.at[0].max(x[1]), lambda x: fnp.at(x)[0].max(x[1]), id="max"),
    pytest.param(lambda x: x.at[2, ::-1].get(), lambda x: fnp.at(x)[2, ::-1].get(), id="get"),
])
def test_method_form_of_updates_on_traced_arrays(method, function):
    """``x.at`` exists only on traced values, so finite differences (which call the
    function on plain arrays) can't run it; it must agree with ``fnp.at``, checked above."""
    x = distinct(rng_for("method-at"), (3, 4))
    t = real(rng_for("method-at-t"), (3, 4))
    expected_grad = fgrad.grad(lambda x: fnp.sum(fnp.sin(function(x))))(x)
    actual_grad = fgrad.grad(lambda x: fnp.sum(fnp.sin(method(x))))(x)
    np.testing.assert_allclose(actual_grad, expected_grad)
    np.testing.assert_allclose(fgrad.jvp(method, (x,), (t,))[1], fgrad.jvp(function, (x,), (t,))[1])
    assert np.any(expected_grad != 0)


def test_functional_updates_compute_numpys_values():
    """The update rows above differentiate these values; check they are the right ones."""
    rng = rng_for("update-values")
    x, v = real(rng, (3, 4)), real(rng, (4,))
    x_before = x.copy()
    expected = x.copy()
    expected[1] = v
    np.testing.assert_array_equal(fnp.at(x)[1].set(v), expected)
    expected = x.copy()
    np.add.at(expected, [0, 0, 2], 1.0)
    np.testing.assert_array_equal(fnp.at(x)[[0, 0, 2]].add(1.0), expected)
    expected = x.copy()
    expected[1] *= v
    np.testing.assert_array_equal(fnp.at(x)[1].multiply(v), expected)
    expected = x.copy()
    expected[1] = np.minimum(x[1], v)
    np.testing.assert_array_equal(fnp.at(x)[1].min(v), expected)
    expected[1] = np.maximum(x[1], v)
    np.testing.assert_array_equal(fnp.at(x)[1].max(v), expected)
    np.testing.assert_array_equal(x, x_before)  # updates are functional


def test_duplicate_index_updates_combine_like_jax():
    """With repeated indices every update counts, as in JAX: x * v1 * v2, min(x, v1, v2)."""
    x, v = np.ones(3), np.array([2.0, 3.0])
    np.testing.assert_array_equal(fnp.at(x)[[0, 0]].add(v), [6.0, 1.0, 1.0])
    np.testing.assert_array_equal(fnp.at(x)[[0, 0]].multiply(v), [6.0, 1.0, 1.0])
    np.testing.assert_array_equal(fnp.at(x)[[0, 0]].min(np.array([0.5, 0.7])), [0.5, 1.0, 1.0])
    np.testing.assert_array_equal(fnp.at(x)[[0, 0]].max(v[::-1]), [3.0, 1.0, 1.0])


# -- astype between float32 and float64 -----------------------------------------
# A cast is linear, so a central difference with a large step is exact up to
# float32 rounding: eps=0.1 and a float32-sized tolerance.

@pytest.mark.parametrize("dtype_in, dtype_out", [
    pytest.param(np.float32, np.float64, id="float32->float64"),
    pytest.param(np.float64, np.float32, id="float64->float32"),
    pytest.param(np.float32, np.float32, id="float32->float32"),
])
def test_astype_between_float32_and_float64(dtype_in, dtype_out):
    x = real(rng_for("astype"), (2, 3)).astype(dtype_in)
    check(lambda a: fnp.astype(a, dtype_out), (x,), eps=0.1, rtol=1e-4, atol=1e-4)
    check(lambda a: a.astype(dtype_out) * 2.0, (x,), eps=0.1, rtol=1e-4, atol=1e-4)
    g = fgrad.grad(lambda a: fnp.sum(fnp.astype(a, dtype_out) * np.arange(6.0).reshape(2, 3)))(x)
    assert g.dtype == dtype_in
    np.testing.assert_allclose(g, np.arange(6.0).reshape(2, 3))
    _, t = fgrad.jvp(lambda a: fnp.astype(a, dtype_out), (x,), (np.ones_like(x),))
    assert t.dtype == dtype_out


def test_astype_round_trip_keeps_the_derivative():
    x = real(rng_for("roundtrip"), (3,))
    f = lambda a: fnp.astype(fnp.astype(a, np.float32), np.float64) * a  # noqa: E731
    np.testing.assert_allclose(fgrad.grad(lambda a: fnp.sum(f(a)))(x), 2 * x, rtol=1e-6)


# -- float32: gradients and tangents stay float32 and agree with float64 ------------

def _c(x, shape):
    """A constant of ``shape`` in x's dtype (so float32 stays float32)."""
    return np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape).astype(x.dtype)


FLOAT32 = [
    # name             function                                                      domain
    ("exp",            fnp.exp,                                                      real),
    ("log",            fnp.log,                                                      positive),
    ("sin",            fnp.sin,                                                      real),
    ("tan",            fnp.tan,                                                      small),
    ("tanh",           fnp.tanh,                                                     real),
    ("sqrt",           fnp.sqrt,                                                     positive),
    ("abs",            fnp.abs,                                                      nonzero),
    ("reciprocal",     fnp.reciprocal,                                               nonzero),
    ("square",         fnp.square,                                                   real),
    ("power_scalar",   lambda x: fnp.power(x, 2.5),                                  positive),
    ("power_base",     lambda x: fnp.power(1.5, x),                                  real),
    ("power_self",     lambda x: x ** x,                                             positive),
    ("divide",         lambda x: _c(x, (3,)) / x,                                    nonzero),
    ("multiply",       lambda x: x * _c(x, (3,)),                                    real),
    ("subtract",       lambda x: 1.0 - x,                                            real),
    ("maximum",        lambda x: fnp.maximum(x, 0.5),                                grid(0.25)),
    ("minimum",        lambda x: fnp.minimum(x, _c(x, (3,))),                        grid(0.25)),
    ("where",          lambda x: fnp.where(x > 0, x, 0.0),                           nonzero),
    ("clip",           lambda x: fnp.clip(x, -0.5, 0.5),                             clip_x),
    ("remainder",      lambda x: x % 2.1,                                            rem_x),
    ("sum",            lambda x: fnp.sum(x, axis=0),                                 real),
    ("mean",           lambda x: fnp.mean(x, axis=-1, keepdims=True),                real),
    ("prod",           lambda x: fnp.prod(x, axis=1),                                nonzero),
    ("max",            lambda x: fnp.max(x, axis=0),                                 distinct),
    ("min",            fnp.min,                                                      distinct),
    ("matmul",         lambda x: x @ _c(x, (3, 2)),                                  real),
    ("dot",            lambda x: fnp.dot(x, x.T),                                    real),
    ("getitem",        lambda x: x[[1, 1, 0], ::-1],                                 real),
    ("bool_mask",      lambda x: x[x > 0],                                           nonzero),
    ("at_set",         lambda x: fnp.at(x)[0].set(x[1] * 2.0),                       real),
    ("at_add",         lambda x: fnp.at(x)[[0, 0]].add(1.0),                         real),
    ("concatenate",    lambda x: fnp.concatenate([x, x * 2.0], axis=1),              real),
    ("stack",          lambda x: fnp.stack([x, x]),                                  real),
    ("transpose",      fnp.transpose,                                                real),
    ("broadcast_to",   lambda x: fnp.broadcast_to(x, (4, 2, 3)),                     real),
    ("reshape",        lambda x: fnp.reshape(x, (3, 2)),                             real),
]


@pytest.mark.parametrize("fun, domain", [pytest.param(f, d, id=n) for n, f, d in FLOAT32])
def test_float32_grad_and_jvp_match_float64(fun, domain):
    x32 = domain(rng_for("float32"), (2, 3)).astype(np.float32)
    x64 = x32.astype(np.float64)
    t32 = real(rng_for("float32-tangent"), (2, 3)).astype(np.float32)

    g32 = fgrad.grad(lambda x: fnp.sum(fun(x)))(x32)
    g64 = fgrad.grad(lambda x: fnp.sum(fun(x)))(x64)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-5)

    out32, tan32 = fgrad.jvp(fun, (x32,), (t32,))
    _, tan64 = fgrad.jvp(fun, (x64,), (t32.astype(np.float64),))
    assert np.asarray(out32).dtype == np.float32
    assert np.asarray(tan32).dtype == np.float32
    np.testing.assert_allclose(tan32, tan64, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("reduction", [fnp.sum, fnp.mean, fnp.prod], ids=["sum", "mean", "prod"])
@pytest.mark.parametrize("dtype_in, dtype_arg", [
    pytest.param(np.float64, np.float32, id="float64-primal-dtype=float32"),
    pytest.param(np.float32, np.float64, id="float32-primal-dtype=float64"),
])
def test_reduction_with_dtype_argument_keeps_the_primal_dtype(reduction, dtype_in, dtype_arg):
    x = np.array([1.0, 2.0, 3.0], dtype_in)
    g = fgrad.grad(lambda a: reduction(a, dtype=dtype_arg))(x)
    assert g.dtype == dtype_in


# -- complex inputs ------------------------------------------------------------------

def _complex_case(name, fun, domains, shapes):
    return pytest.param(fun, make_args(name, domains, shapes), id=name)


COMPLEX_CASES = [
    _complex_case(f"{name}-{_sid(s)}", f, (dom,), (s,))
    for name, f, dom in [
        ("exp", fnp.exp, cplx), ("log", fnp.log, cplx_right), ("sin", fnp.sin, cplx),
        ("cos", fnp.cos, cplx), ("tanh", fnp.tanh, cplx), ("sqrt", fnp.sqrt, cplx_right),
        ("square", fnp.square, cplx), ("reciprocal", fnp.reciprocal, cplx_nonzero),
        ("negative", fnp.negative, cplx),
        # not holomorphic; real-valued, or real-linear
        ("abs", fnp.abs, cplx_nonzero), ("abs_squared", lambda z: fnp.abs(z) ** 2, cplx),
        ("real", fnp.real, cplx), ("imag", fnp.imag, cplx), ("conj", fnp.conj, cplx),
        ("real*imag", lambda z: fnp.real(z) * fnp.imag(z), cplx),
        ("imag_squared", lambda z: fnp.imag(z) ** 2, cplx),
        ("re(conj(z)*z)", lambda z: fnp.real(fnp.conj(z) * z), cplx),
        ("method_conj", lambda z: (z.conj() * z).real, cplx),
        ("attribute_imag", lambda z: z.imag * z.real, cplx),
        ("sum_abs", lambda z: fnp.sum(fnp.abs(z)), cplx_nonzero),
    ]
    for s in [(), (2, 3)]
]
COMPLEX_CASES += [
    _complex_case(f"{name}-{_sid(a)},{_sid(b)}", f, doms, (a, b))
    for name, f, doms in [
        ("add", fnp.add, (cplx, cplx)), ("subtract", fnp.subtract, (cplx, cplx)),
        ("multiply", fnp.multiply, (cplx, cplx)), ("divide", fnp.divide, (cplx, cplx_nonzero)),
        ("op_mul", lambda z, w: z * w, (cplx, cplx)),
        ("op_truediv", lambda z, w: z / w, (cplx, cplx_nonzero)),
        ("complex*real", fnp.multiply, (cplx, real)),
        ("abs(complex*real)", lambda z, x: fnp.abs(z * x), (cplx_nonzero, nonzero)),
        ("re(conj(z)*w)", lambda z, w: fnp.real(fnp.conj(z) * w), (cplx, cplx)),
    ]
    for a, b in [((), ()), ((2, 3), (3,)), ((3,), (2, 1, 3))]
]
COMPLEX_CASES += [
    _complex_case(f"matmul-{_sid(a)},{_sid(b)}", fnp.matmul, (cplx, cplx), (a, b))
    for a, b in [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 2, 3), (3, 4))]
]
COMPLEX_CASES += [
    _complex_case(name, f, (cplx,), ((2, 3, 4),))
    for name, f in [
        ("sum-all", fnp.sum), ("sum-axis0", lambda z: fnp.sum(z, axis=0)),
        ("sum-axis-1-keepdims", lambda z: fnp.sum(z, axis=-1, keepdims=True)),
        ("sum-tuple", lambda z: fnp.sum(z, axis=(0, 2))),
        ("reshape", lambda z: fnp.reshape(z, (4, 6))), ("transpose", fnp.transpose),
        ("getitem-int", lambda z: z[1]), ("getitem-negative-step", lambda z: z[::-1, 1:]),
        ("getitem-None-ellipsis", lambda z: z[None, ..., 0]),
        ("getitem-repeats", lambda z: z[[0, 0, 1]]),
        ("getitem-mask", lambda z: z[np.arange(24).reshape(2, 3, 4) % 3 == 0]),
        ("at-set", lambda z: fnp.at(z)[0].set(z[1] * z[1])),
        ("at-add-repeats", lambda z: fnp.at(z)[[1, 1]].add(z[0])),
    ]
]


@pytest.mark.parametrize("fun, args", COMPLEX_CASES)
def test_complex(fun, args):
    check(fun, args)


def test_complex_grad_convention():
    """grad of a real function of z = x + iy is df/dx - i df/dy (API.md)."""
    z = cplx(rng_for("convention"), (3,))
    np.testing.assert_allclose(fgrad.grad(lambda z: fnp.sum(fnp.abs(z) ** 2))(z), 2 * np.conj(z))
    np.testing.assert_allclose(fgrad.grad(lambda z: fnp.sum(fnp.imag(z)))(z), -1j * np.ones(3))
    np.testing.assert_allclose(fgrad.grad(lambda z: fnp.sum(fnp.real(z)))(z), np.ones(3) + 0j)
    np.testing.assert_allclose(fgrad.grad(lambda z: fnp.sum(fnp.abs(z)))(z), np.conj(z) / np.abs(z))


# -- ties and kinks ------------------------------------------------------------

def test_max_splits_the_derivative_evenly_between_ties():
    x = np.array([1.0, 3.0, 3.0])
    np.testing.assert_array_equal(fgrad.grad(lambda x: fnp.max(x))(x), [0.0, 0.5, 0.5])
    np.testing.assert_array_equal(fgrad.grad(lambda x: fnp.min(x))(-x), [0.0, 0.5, 0.5])
    _, t = fgrad.jvp(fnp.max, (x,), (np.array([10.0, 1.0, 2.0]),))
    assert t == 1.5


def test_max_ties_are_split_per_reduced_group():
    x = np.array([[2.0, 2.0, 2.0], [1.0, 5.0, 5.0]])
    g = fgrad.grad(lambda x: fnp.sum(fnp.max(x, axis=1)))(x)
    np.testing.assert_allclose(g, [[1 / 3, 1 / 3, 1 / 3], [0.0, 0.5, 0.5]])
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
    g = fgrad.grad(lambda x: fnp.sum(fnp.min(x, axis=0, keepdims=True)))(x)
    np.testing.assert_allclose(g, [[0.0, 0.5, 1.0], [1.0, 0.5, 0.0]])


def test_abs_at_zero_has_derivative_zero():
    assert fgrad.grad(fnp.abs)(0.0) == 0.0
    assert fgrad.grad(lambda x: abs(x))(0.0) == 0.0
    assert fgrad.jvp(fnp.abs, (0.0,), (1.0,))[1] == 0.0
    g = fgrad.grad(lambda z: fnp.abs(z))(np.complex128(0.0))
    assert g == 0 and not np.isnan(g)


def test_maximum_and_minimum_split_evenly_at_ties():
    assert fgrad.grad(lambda x: fnp.maximum(x, x))(1.0) == 1.0
    assert fgrad.grad(lambda x: fnp.minimum(x, x))(1.0) == 1.0
    assert fgrad.grad(lambda x: fnp.maximum(x, 1.0))(1.0) == 0.5
    assert fgrad.grad(lambda y: fnp.minimum(1.0, y))(1.0) == 0.5
    assert fgrad.jvp(lambda x: fnp.maximum(x, 1.0), (1.0,), (1.0,))[1] == 0.5


def _prod_of_others(x):
    return np.array([np.prod(np.delete(x, i)) for i in range(x.size)])


@pytest.mark.parametrize("x", [
    pytest.param([2.0, 0.0, 3.0, 0.5], id="one_zero"),
    pytest.param([2.0, 0.0, 3.0, 0.0], id="two_zeros"),
    pytest.param([0.0, 0.0, 0.0, 0.0], id="all_zeros"),
    pytest.param([0.0], id="single_zero"),
])
def test_prod_gradient_with_zeros_is_the_product_of_the_others(x):
    x = np.array(x)
    g = fgrad.grad(fnp.prod)(x)
    assert not np.any(np.isnan(g))
    np.testing.assert_array_equal(g, _prod_of_others(x))
    _, t = fgrad.jvp(fnp.prod, (x,), (np.ones_like(x),))
    assert t == np.sum(_prod_of_others(x))


def test_prod_gradient_with_zeros_along_an_axis():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 4.0, 0.0], [1.0, 2.0, 3.0]])
    g = fgrad.grad(lambda x: fnp.sum(fnp.prod(x, axis=1)))(x)
    assert not np.any(np.isnan(g))
    np.testing.assert_array_equal(g, np.stack([_prod_of_others(row) for row in x]))


def test_prod_second_order_at_a_zero():
    check(fnp.prod, (np.array([2.0, 0.0, 3.0, 0.5]),))
    check(lambda x: fnp.prod(x, axis=0), (np.array([[2.0, 0.0], [0.0, 1.5], [-1.0, 2.0]]),))
    h = fgrad.grad(lambda x: fgrad.grad(fnp.prod)(x)[0])(np.array([2.0, 0.0, 3.0]))
    np.testing.assert_array_equal(h, [0.0, 3.0, 0.0])


def test_sqrt_at_zero_is_infinite():
    with np.errstate(divide="ignore"):
        assert np.isposinf(fgrad.grad(fnp.sqrt)(0.0))


def test_power_at_zero_gives_no_nan():
    assert fgrad.grad(lambda x: x ** 2.0)(0.0) == 0.0
    assert fgrad.grad(lambda x: fnp.power(x, 0.0))(0.0) == 0.0
    assert fgrad.grad(lambda x: fnp.power(x, 0.0))(2.0) == 0.0
    assert fgrad.grad(fgrad.grad(lambda x: x ** 2.0))(0.0) == 2.0
    assert fgrad.grad(lambda x: fnp.power(x, 3))(0.0) == 0.0
    assert fgrad.jvp(lambda x: x ** 2.0, (0.0,), (1.0,))[1] == 0.0
    assert fgrad.jvp(lambda x: fnp.power(x, 0.0), (0.0,), (1.0,))[1] == 0.0
    g = fgrad.grad(lambda x: fnp.sum(x ** 2.0))(np.zeros(3))
    np.testing.assert_array_equal(g, np.zeros(3))
    # the exponent's derivative x**y log x at x = 0 is its limit, 0 (y > 0)
    assert fgrad.grad(lambda y: fnp.power(0.0, y), argnums=0)(2.0) == 0.0
    dx, dy = fgrad.grad(lambda x, y: x ** y, argnums=(0, 1))(0.0, 2.0)
    assert dx == 0.0 and dy == 0.0
