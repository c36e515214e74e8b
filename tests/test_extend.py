"""fgrad.extend: new primitives with autograd-style rules, and the derived rules."""
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import extend, rules
from fgrad.batching import vmap_flat
from fgrad.testing import check_grads

# -- an opaque NumPy function: x = A^-1 b, with its VJP only ----------------------------

solve = extend.primitive(np.linalg.solve)


def solve_vjp_A(x, A, b):
    """d x = -A^-1 dA x, so A's cotangent is -(A^-T g) x^T."""
    return lambda g: -fnp.expand_dims(solve(fnp.transpose(A), g), 1) * fnp.expand_dims(x, 0)


def solve_vjp_b(x, A, b):
    """d x = A^-1 db, so b's cotangent is A^-T g."""
    return lambda g: solve(fnp.transpose(A), g)


extend.defvjp(solve, solve_vjp_A, solve_vjp_b)

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 3)) + 3 * np.eye(3)
b = rng.standard_normal(3)


def test_opaque_numpy_primitive_in_reverse_mode():
    check_grads(solve, (A, b), order=1, modes=("rev",))
    check_grads(lambda A, b: fnp.sum(solve(A, b) ** 2), (A, b), order=1, modes=("rev",))


def test_forward_mode_from_the_derived_jvp():
    assert rules.RULES[solve.prim].derived == {"jvp"}  # derived, not written
    check_grads(solve, (A, b), order=1, modes=("fwd",))
    _, t = fgrad.jvp(lambda b: solve(A, b), (b,), (np.ones(3),))
    assert np.allclose(t, np.linalg.solve(A, np.ones(3)))


def test_derived_rules_to_second_order():
    check_grads(solve, (A, b), order=2, modes=("fwd", "rev"))


# -- complex: the derived JVP is exactly the JVP, with no conjugate ---------------------

c = 0.7 - 0.4j
z = np.array([0.3 + 1.1j, -0.5 + 0.2j])
t = np.array([1.0 - 0.5j, 0.3 + 0.2j])


def test_derived_jvp_of_a_holomorphic_primitive():
    scaled_square = extend.primitive(lambda z: c * z ** 2)
    extend.defvjp(scaled_square, lambda ans, z: lambda g: g * 2 * c * z)  # transpose: no conj
    assert np.allclose(fgrad.jvp(scaled_square, (z,), (t,))[1], 2 * c * z * t)
    check_grads(scaled_square, (z,), order=2)


def test_derived_jvp_of_a_real_valued_function_of_complex_input():
    abs2 = extend.primitive(lambda z: np.real(z * np.conj(z)))
    extend.defvjp(abs2, lambda ans, z: lambda g: 2 * g * fnp.conj(z))
    _, tangent = fgrad.jvp(abs2, (z,), (t,))
    assert tangent.dtype == np.float64
    assert np.allclose(tangent, 2 * np.real(np.conj(z) * t))
    check_grads(abs2, (z,), order=2)


# -- which rule wins --------------------------------------------------------------------

def test_a_written_rule_replaces_a_derived_one_in_either_order():
    def jvp_times(k):
        return lambda g, ans, x: k * 3 * x ** 2 * g

    cube = extend.primitive(lambda x: x ** 3)
    extend.defvjp(cube, lambda ans, x: lambda g: 3 * x ** 2 * g)
    assert fgrad.jvp(cube, (2.0,), (1.0,))[1] == 12.0  # derived
    extend.defjvp(cube, jvp_times(10))
    assert fgrad.jvp(cube, (2.0,), (1.0,))[1] == 120.0  # written replaces derived
    assert fgrad.grad(cube)(2.0) == 12.0  # the VJP stays
    extend.defvjp(cube, lambda ans, x: lambda g: 2 * 3 * x ** 2 * g)
    assert fgrad.jvp(cube, (2.0,), (1.0,))[1] == 120.0  # a new VJP keeps the written JVP
    assert fgrad.grad(cube)(2.0) == 24.0


def test_reverse_mode_from_a_jvp_only():
    cube = extend.primitive(lambda x: x ** 3)
    extend.defjvp(cube, lambda g, ans, x: 3 * x ** 2 * g)
    assert fgrad.grad(cube)(2.0) == 12.0
    assert fgrad.grad(fgrad.grad(cube))(2.0) == 12.0
    check_grads(cube, (np.array([0.5, -1.0]),), order=2)


def test_a_wrong_rule_is_caught_in_both_modes():
    cube = extend.primitive(lambda x: x ** 3)
    extend.defvjp(cube, lambda ans, x: lambda g: 2 * x ** 2 * g)  # should be 3 x^2
    for mode in ("fwd", "rev"):
        with pytest.raises(AssertionError):
            check_grads(cube, (np.array([0.5, -1.0]),), order=1, modes=(mode,))


# -- arguments: None, keyword parameters ------------------------------------------------

def test_none_marks_an_argument_not_differentiable():
    scale = extend.primitive(lambda x, k: x * k)
    extend.defvjp(scale, lambda ans, x, k: lambda g: g * k, None)
    assert fgrad.grad(scale)(2.0, 3.0) == 3.0
    assert fgrad.jvp(lambda x: scale(x, 3.0), (2.0,), (1.0,))[1] == 3.0
    for transform in (fgrad.grad(scale, argnums=1),
                      lambda x, k: fgrad.jvp(lambda k: scale(x, k), (k,), (1.0,))):
        with pytest.raises(NotImplementedError, match="argument 1"):
            transform(2.0, 3.0)


def test_the_refusal_names_the_argument_when_the_primitive_names_its_data():
    from fgrad.rules import defrules
    from fgrad.tracer import primitive
    scale = primitive(lambda x, order: x * order, "scale", data="x order")
    defrules(scale, vjp=(lambda g, out, x, order: g * order, None),
             jvp=(lambda t, out, x, order: t * order, None))
    assert fgrad.grad(scale)(2.0, 3.0) == 3.0
    for transform in (fgrad.grad(scale, argnums=1),
                      lambda x, k: fgrad.jvp(lambda k: scale(x, k), (k,), (1.0,))):
        with pytest.raises(NotImplementedError, match=r"argument 1 \('order'\): pass"):
            transform(2.0, 3.0)


def test_keyword_arguments_are_static_parameters():
    def partial_sum(x, axis=0):
        return np.sum(x, axis=axis)

    psum = extend.primitive(partial_sum)
    extend.defvjp(psum, lambda ans, x, axis=0: lambda g: fnp.broadcast_to(
        fnp.expand_dims(g, axis), x.shape))
    x = rng.standard_normal((2, 3))
    for axis in (0, 1):
        check_grads(lambda x: psum(x, axis=axis), (x,), order=2)


def test_batching_rule():
    square = extend.primitive(np.square)
    extend.defvjp(square, lambda ans, x: lambda g: 2 * x * g)
    extend.defbatch(square, lambda args, dims, size: (square(args[0]), dims[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a primitive without a rule would warn
        (out,) = vmap_flat(lambda x: [square(x)], [np.arange(3.0)], [0], lambda n: [0])
    assert np.array_equal(out, [0.0, 1.0, 4.0])


def test_rules_need_a_primitive():
    with pytest.raises(TypeError, match="fgrad.extend.primitive"):
        extend.defvjp(np.sin, lambda ans, x: lambda g: g)
    with pytest.raises(TypeError, match="fgrad.extend.primitive"):
        extend.defjvp(lambda x: x, lambda g, ans, x: g)
