"""Testing the tester: check_grads rejects wrong rules, at the order where they go wrong.

Each primitive here is a fresh ``primitive(np.sin)`` (or exp) with rules registered by
hand, so a deliberately wrong rule touches nothing else. ``x`` stays away from the
zeros of cos, where a wrong factor on cos(x) would hide.
"""
import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.rules import defrules
from fgrad.testing import check_grads, numerical_jacobian
from fgrad.tracer import primitive

X = np.array([0.3, -0.7, 1.1])
Z = np.array([0.3 + 0.5j, -0.7 + 0.2j, 1.1 - 0.4j])


def _sin_with(vjp=None, jvp=None):
    """A new sin primitive; rules default to the right ones."""
    f = primitive(np.sin, "sin_under_test")
    defrules(f, vjp=(vjp or (lambda g, out, x: g * fnp.cos(x)),),
             jvp=(jvp or (lambda t, out, x: t * fnp.cos(x)),))
    return f


# right at order 1, wrong from order 2 on: stop_gradient cuts the derivative of cos(x)
def _vjp_first_order_only(g, out, x):
    return g * fnp.cos(fgrad.stop_gradient(x))


def _jvp_first_order_only(t, out, x):
    return t * fnp.cos(fgrad.stop_gradient(x))


RIGHT = _sin_with()
WRONG_VJP = _sin_with(vjp=lambda g, out, x: g * fnp.cos(x) * 1.01)
WRONG_JVP = _sin_with(jvp=lambda t, out, x: t * fnp.cos(x) * 1.01)
WRONG_BOTH = _sin_with(vjp=lambda g, out, x: g * fnp.cos(x) * 1.01,
                       jvp=lambda t, out, x: t * fnp.cos(x) * 1.01)
SECOND_ORDER_WRONG_VJP = _sin_with(vjp=_vjp_first_order_only)
SECOND_ORDER_WRONG_JVP = _sin_with(jvp=_jvp_first_order_only)
SECOND_ORDER_WRONG_BOTH = _sin_with(vjp=_vjp_first_order_only, jvp=_jvp_first_order_only)

FWD, REV = ("fwd",), ("rev",)


@pytest.mark.parametrize("modes", [FWD, REV, ("fwd", "rev")], ids=["fwd", "rev", "both"])
def test_right_rules_pass_to_order_3(modes):
    """The control: the failures below come from the wrong rules, not the setup."""
    check_grads(RIGHT, (X,), order=3, modes=modes)
    check_grads(lambda x: RIGHT(x) * x, (X,), order=2, modes=modes)


@pytest.mark.parametrize("f, modes", [
    pytest.param(WRONG_BOTH, FWD, id="fwd"),
    pytest.param(WRONG_BOTH, REV, id="rev"),
    pytest.param(WRONG_JVP, FWD, id="fwd-only-jvp-wrong"),
    pytest.param(WRONG_VJP, REV, id="rev-only-vjp-wrong"),
])
def test_wrong_first_order_rule_fails_at_order_1(f, modes):
    with pytest.raises(AssertionError, match="largest discrepancy"):
        check_grads(f, (X,), order=1, modes=modes)


def test_each_mode_checks_its_own_rule():
    """A wrong VJP is invisible to forward mode and a wrong JVP to reverse mode
    at order 1, so failing in the matching mode above means that mode checked it."""
    check_grads(WRONG_VJP, (X,), order=1, modes=FWD)
    check_grads(WRONG_JVP, (X,), order=1, modes=REV)


def test_wrong_first_order_rule_fails_inside_a_composition():
    with pytest.raises(AssertionError):
        check_grads(lambda x: fnp.sum(WRONG_BOTH(x) ** 2), (X,), order=1, modes=FWD)
    with pytest.raises(AssertionError):
        check_grads(lambda x: fnp.sum(WRONG_BOTH(x) ** 2), (X,), order=1, modes=REV)


@pytest.mark.parametrize("f, modes", [
    pytest.param(SECOND_ORDER_WRONG_BOTH, FWD, id="fwd"),
    pytest.param(SECOND_ORDER_WRONG_BOTH, REV, id="rev"),
    pytest.param(SECOND_ORDER_WRONG_JVP, FWD, id="fwd-only-jvp-wrong"),
    pytest.param(SECOND_ORDER_WRONG_VJP, REV, id="rev-only-vjp-wrong"),
])
def test_rule_wrong_at_second_order_passes_order_1_and_fails_order_2(f, modes):
    check_grads(f, (X,), order=1, modes=modes)
    with pytest.raises(AssertionError, match="largest discrepancy"):
        check_grads(f, (X,), order=2, modes=modes)


def test_wrong_rule_message_names_the_mode():
    with pytest.raises(AssertionError, match="forward mode"):
        check_grads(WRONG_BOTH, (X,), order=1, modes=FWD)
    with pytest.raises(AssertionError, match="reverse mode"):
        check_grads(WRONG_BOTH, (X,), order=1, modes=REV)


def test_small_relative_error_is_caught_at_the_default_tolerance():
    f = _sin_with(vjp=lambda g, out, x: g * fnp.cos(x) * (1 + 1e-3),
                  jvp=lambda t, out, x: t * fnp.cos(x) * (1 + 1e-3))
    for modes in (FWD, REV):
        with pytest.raises(AssertionError):
            check_grads(f, (X,), order=1, modes=modes)


def test_wrong_argument_of_a_binary_rule_is_caught():
    """The derivative in the second argument alone is wrong (a swapped partial)."""
    f = primitive(np.multiply, "multiply_under_test")
    defrules(f, vjp=(lambda g, out, x, y: g * y, lambda g, out, x, y: g * y),
             jvp=(lambda t, out, x, y: t * y, lambda t, out, x, y: t * y))
    y = np.array([2.0, -1.5, 0.5])
    check_grads(lambda a: f(a, y), (X,), order=2)  # first argument: right
    for modes in (FWD, REV):
        with pytest.raises(AssertionError):
            check_grads(lambda b: f(X, b), (y,), order=1, modes=modes)
        with pytest.raises(AssertionError):
            check_grads(f, (X, y), order=1, modes=modes)


def test_complex_vjp_with_a_wrong_conjugation_is_caught():
    """For holomorphic exp the VJP is g * exp(z), not g * conj(exp(z)); the two
    agree on real inputs, so only a complex check can tell them apart."""
    f = primitive(np.exp, "exp_under_test")
    defrules(f, vjp=(lambda g, out, x: g * fnp.conj(out),), jvp=(lambda t, out, x: t * out,))
    check_grads(f, (X,), order=1, modes=REV)
    check_grads(f, (Z,), order=1, modes=FWD)
    with pytest.raises(AssertionError):
        check_grads(f, (Z,), order=1, modes=REV)


def test_numerical_jacobian_of_a_linear_map_is_its_matrix():
    a = np.arange(12.0).reshape(3, 4) / 7 - 0.5
    x = np.array([0.2, -1.0, 3.0, 0.5])
    np.testing.assert_allclose(numerical_jacobian(lambda v: a @ v, x), a, rtol=1e-8, atol=1e-8)


def test_numerical_jacobian_shape_is_out_shape_plus_in_shape():
    a = np.arange(6.0).reshape(3, 2) - 2.0
    x = np.arange(8.0).reshape(2, 4)
    jac = numerical_jacobian(lambda m: a @ m, x)
    assert jac.shape == (3, 4, 2, 4)
    np.testing.assert_allclose(jac, np.einsum("ij,kl->ikjl", a, np.eye(4)), atol=1e-8)


def test_numerical_jacobian_of_a_nonlinear_map():
    x = np.array([0.3, -0.7, 1.1])
    np.testing.assert_allclose(numerical_jacobian(np.sin, x), np.diag(np.cos(x)), atol=1e-8)
    np.testing.assert_allclose(numerical_jacobian(np.sum, x), np.ones(3), atol=1e-8)
