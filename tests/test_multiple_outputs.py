"""Primitives with several outputs, whole-call rules, and what ``save`` keeps.

divmod, frexp and modf are real multi-output primitives; ``sincos`` below is a
test-only one with whole-call rules, to see exactly what its rules receive.
"""
import collections

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.rules import defrules
from fgrad.testing import check_grads
from fgrad.tracer import primitive

RNG = np.random.default_rng(0)
X = RNG.uniform(0.5, 3.0, 4) * RNG.choice([-1, 1], 4)
Y = RNG.uniform(0.5, 2.0, 4)

# one output used, both used, and each of the three with integer/float outputs mixed
PROGRAMS = {
    "divmod_remainder_only": lambda x, y: fnp.divmod(x, y)[1],
    "divmod_both": lambda x, y: fnp.divmod(x, y)[0] * fnp.divmod(x, y)[1] + x,
    "frexp_mantissa": lambda x, y: fnp.frexp(x * y)[0],
    "frexp_both": lambda x, y: fnp.frexp(x)[0] ** 2 * fnp.frexp(y)[1] + y,
    "modf_fraction": lambda x, y: fnp.modf(x / y)[0],
    "modf_both": lambda x, y: fnp.modf(x)[0] * fnp.modf(y)[1] + fnp.sin(y),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_both_modes_to_second_order(name):
    check_grads(PROGRAMS[name], (X, Y), order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_vmap_equals_a_loop(name):
    f = PROGRAMS[name]
    xs, ys = RNG.uniform(0.5, 3.0, (5, 4)), RNG.uniform(0.5, 2.0, (5, 4))
    looped = np.stack([f(x, y) for x, y in zip(xs, ys)])
    np.testing.assert_array_equal(fgrad.vmap(f)(xs, ys), looped)
    np.testing.assert_array_equal(fgrad.vmap(f, in_axes=(1, None), out_axes=1)(xs.T, ys[0]),
                                  np.stack([f(x, ys[0]) for x in xs], axis=1))
    per_example = fgrad.vmap(fgrad.grad(lambda x, y: fnp.sum(f(x, y))))(xs, ys)
    looped = np.stack([fgrad.grad(lambda x, y: fnp.sum(f(x, y)))(x, y) for x, y in zip(xs, ys)])
    np.testing.assert_allclose(per_example, looped, rtol=1e-14)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_nested_jvp_of_grad_is_the_hessian(name):
    def loss(x):
        return fnp.sum(PROGRAMS[name](x, Y) ** 2)
    v = RNG.standard_normal(4)
    _, hv = fgrad.jvp(fgrad.grad(loss), (X,), (v,))
    np.testing.assert_allclose(hv, fgrad.hessian(loss)(X) @ v, rtol=1e-10, atol=1e-12)
    eps = 1e-6
    fd = (fgrad.grad(loss)(X + eps * v) - fgrad.grad(loss)(X - eps * v)) / (2 * eps)
    np.testing.assert_allclose(hv, fd, rtol=1e-5, atol=1e-7)


def test_values_and_types_are_numpys():
    for f in (np.divmod, np.frexp, np.modf):
        args = (X, Y) if f is np.divmod else (X,)
        out = fgrad.jvp(lambda *a: getattr(fnp, f.__name__)(*a), args, args)[0]
        for ours, theirs in zip(out, f(*args)):
            np.testing.assert_array_equal(ours, theirs)
            assert ours.dtype == theirs.dtype
    exponent = fgrad.grad(lambda x: fnp.sum(fnp.frexp(x)[1] * x))(X)  # integer output: data
    np.testing.assert_array_equal(exponent, np.frexp(X)[1])


# -- a test-only primitive with whole-call rules ---------------------------------------

SinCos = collections.namedtuple("SinCos", "sin cos")
seen = []  # what the VJP rule received as cotangents


def _sincos(x):
    return SinCos(np.sin(x), np.cos(x))


sincos = primitive(_sincos, "sincos", multiple_results=True)


def _sincos_vjp(g, out, x):
    """d (sin, cos) = (cos dx, -sin dx): each output's cotangent, if any, pulled back."""
    seen.append(tuple(c is None for c in g))
    g_sin, g_cos = g
    ct = 0
    if g_sin is not None:
        ct = ct + g_sin * out.cos
    if g_cos is not None:
        ct = ct - g_cos * out.sin
    return (ct,)


def _sincos_jvp(tangents, out, x):
    (t,) = tangents
    return t * out.cos, -t * out.sin


defrules(sincos, vjp=_sincos_vjp, jvp=_sincos_jvp, save="out",
         batch=lambda args, dims, size: (sincos(args[0]), (dims[0], dims[0])))


def test_whole_call_rules_with_several_outputs():
    check_grads(lambda x: sincos(x).sin * sincos(x).cos, (X,), order=2)
    check_grads(lambda x: sincos(x)[1], (X,), order=2)
    out = fgrad.vmap(lambda x: sincos(x))(X)
    assert isinstance(out, SinCos)  # a named tuple comes back as its own type
    np.testing.assert_array_equal(out.cos, np.cos(X))


def test_an_unused_output_gets_no_cotangent():
    seen.clear()
    fgrad.grad(lambda x: fnp.sum(sincos(x).cos))(X)
    assert seen == [(True, False)]  # None for sin, no zero array made for it
    seen.clear()
    fgrad.grad(lambda x: fnp.sum(sincos(x).cos + sincos(x).sin))(X)
    assert sorted(seen) == [(False, True), (True, False)]


# -- save: what the backward pass keeps --------------------------------------------------

def _square_pair(save, rule):
    f = primitive(lambda x: (x * x, 2 * x), f"pair_saving_{save}", multiple_results=True)
    defrules(f, vjp=(rule,), save=save)
    return f


def test_save_can_keep_one_output():
    f = _square_pair((1,), lambda g, out, x: g[0] * out[1])  # d x² = 2x dx, 2x kept
    np.testing.assert_allclose(fgrad.grad(lambda x: fnp.sum(f(x)[0]))(X), 2 * X)
    reads_dropped = _square_pair((1,), lambda g, out, x: g[0] * 2 * x)
    with pytest.raises(TypeError, match=r"pair_saving_\(1,\).*argument 0"):
        fgrad.grad(lambda x: fnp.sum(reads_dropped(x)[0]))(X)
    reads_output = _square_pair(("args",), lambda g, out, x: g[0] * out[1])
    with pytest.raises(TypeError, match="read the value of its output 1"):
        fgrad.grad(lambda x: fnp.sum(reads_output(x)[0]))(X)


def test_a_rule_reading_what_save_dropped_names_the_primitive():
    cube = primitive(np.power, "cube_saving_shapes")
    defrules(cube, vjp=(lambda g, out, x, k: g * k * x ** (k - 1), None), save="shapes")
    with pytest.raises(TypeError, match="'cube_saving_shapes' read the value of its argument 0"):
        fgrad.grad(lambda x: fnp.sum(cube(x, 3)))(X)
    with pytest.raises(ValueError, match="save must be one of"):
        defrules(cube, save="everything")
    with pytest.raises(ValueError, match="nondifferentiable"):
        defrules(cube, vjp=(None, None))
