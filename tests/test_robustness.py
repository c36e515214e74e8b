"""Wrong inputs give clear errors and right inputs never a silently wrong derivative.

One test per defect of the robustness issue that lives in the core (transforms,
tracer, custom rules, checkpoint, testing helpers); each failed before its fix.
"""
import math
import pickle

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad import extend
from fgrad.testing import check_grads, numerical_jacobian
from fgrad.tracer import EscapedTracerError


def f_ab(a, b):
    return a * a * b


# -- 1. duplicate argnums: each position gets its gradient -------------------------------

def test_duplicate_argnums_give_each_position_its_gradient():
    assert fgrad.grad(f_ab, argnums=(0, 0))(3.0, 2.0) == (12.0, 12.0)
    assert fgrad.value_and_grad(f_ab, argnums=(1, 0, 1))(3.0, 2.0)[1] == (9.0, 12.0, 9.0)
    for jac in (fgrad.jacfwd, fgrad.jacrev):
        assert [float(j) for j in jac(f_ab, argnums=(0, 0))(3.0, 2.0)] == [12.0, 12.0]
    assert fgrad.elementwise_grad(f_ab, argnums=(0, 0))(3.0, 2.0) == (12.0, 12.0)
    h = fgrad.hessian(f_ab, argnums=(0, 0))(3.0, 2.0)
    assert [[float(v) for v in row] for row in h] == [[4.0, 4.0], [4.0, 4.0]]
    assert fgrad.grad(f_ab, argnums=np.int64(1))(3.0, 2.0) == 9.0


# -- 2. converting a traced value to a Python number ---------------------------------------

@pytest.mark.parametrize("convert", [float, np.float64, math.exp, complex],
                         ids=["float", "np.float64", "math.exp", "complex"])
def test_scalar_conversions_of_traced_values_raise(convert):
    with pytest.raises(TypeError, match="stop_gradient"):
        fgrad.grad(lambda x: x / convert(x))(2.0)


def test_bool_and_int_of_traced_values_stay_allowed():
    def f(x):
        y = x * 2.0 if x > 1.0 else x * 3.0
        return y * [10.0, 20.0, 30.0][int(x)]
    assert fgrad.grad(f)(2.0) == 60.0
    assert float(fgrad.stop_gradient(2.0)) == 2.0


# -- 3. user rules with a wrong shape or dtype -----------------------------------------------

def _custom_with_bwd(bwd):
    f = fgrad.custom_vjp(lambda x: x * 2.0)
    f.defvjp(lambda x: (x * 2.0, None), bwd)
    return f


@pytest.mark.parametrize("bwd, error", [
    (lambda res, g: (fnp.sum(g),), "shape \\(\\) for a value of shape \\(3,\\)"),
    (lambda res, g: (fnp.ones((4, 3)),), "shape \\(4, 3\\)"),
    (lambda res, g: (g * 1j,), "complex"),
])
def test_custom_vjp_results_are_checked(bwd, error):
    with pytest.raises((ValueError, TypeError), match=error):
        fgrad.grad(lambda x: fnp.sum(_custom_with_bwd(bwd)(x)))(np.ones(3))


def test_custom_jvp_and_extend_results_are_checked():
    f = fgrad.custom_jvp(lambda x: x * 2.0)
    f.defjvp(lambda p, t: (f(p[0]), fnp.sum(t[0])))
    with pytest.raises(ValueError, match="custom_jvp.*shape"):
        fgrad.jvp(f, (np.ones(3),), (np.ones(3),))
    scale = extend.primitive(lambda x: 2.0 * x)
    extend.defvjp(scale, lambda ans, x: lambda g: np.sum(g))
    with pytest.raises(ValueError, match="VJP rule of argument 0.*shape"):
        fgrad.grad(lambda x: fnp.sum(scale(x)))(np.ones(3))
    f32 = _custom_with_bwd(lambda res, g: (np.asarray(g, np.float64) * 2.0,))
    g = fgrad.grad(lambda x: fnp.sum(f32(x)))(np.ones(3, np.float32))
    assert g.dtype == np.float32  # another float precision is cast, not refused


# -- 4. the complex Jacobian convention --------------------------------------------------------

def test_jacobians_of_complex_functions_need_holomorphic():
    z = np.array([1.0 + 1.0j])
    for jac in (fgrad.jacfwd, fgrad.jacrev, fgrad.jacobian):
        with pytest.raises(TypeError, match="holomorphic=True"):
            jac(fnp.imag)(z)
        np.testing.assert_allclose(jac(lambda z: z * z, holomorphic=True)(z), [[2 + 2j]])
    with pytest.raises(TypeError, match="holomorphic"):
        fgrad.jacrev(lambda x: x * 1j)(np.ones(2))
    np.testing.assert_allclose(fgrad.jacfwd(lambda x: x * 1j)(np.ones(2)), 1j * np.eye(2))


# -- 5. traced values that escape their transform -----------------------------------------------

def test_a_leaked_tracer_raises_when_used():
    kept = []

    def f(x):
        kept.append(x)
        return x * x
    fgrad.grad(f)(3.0)
    with pytest.raises(EscapedTracerError, match="after the transform"):
        kept[0] + 1.0
    fgrad.vmap(f)(np.ones(3))
    with pytest.raises(EscapedTracerError):
        fnp.sin(kept[1])


# -- 6. crashes in corners --------------------------------------------------------------------

def test_checkpoint_with_non_float_arguments_and_functional_updates():
    def f(x, n, how):
        y = x.at[0].set(x[1] * n)
        return fnp.sum(y ** 2) if how == "square" else fnp.sum(y)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(fgrad.grad(fgrad.checkpoint(f))(x, 3, "square"),
                                  fgrad.grad(f)(x, 3, "square"))
    assert pickle.loads(pickle.dumps(fgrad.checkpoint(np.sin)))(0.0) == 0.0


def test_custom_vjp_returning_a_python_float():
    f = fgrad.custom_vjp(lambda x: 2.0)
    f.defvjp(lambda x: (2.0, None), lambda res, g: (0.0 * g,))
    assert fgrad.grad(lambda x: f(x) * x)(3.0) == 2.0


def test_vmap_of_a_primitive_without_rule_over_no_examples():
    mysin = fgrad.tracer.primitive(np.sin, "sin_without_batching")
    with pytest.warns(UserWarning, match="batching rule"):
        assert fgrad.vmap(mysin)(np.zeros((0, 3))).shape == (0, 3)


# -- 7. gradients are the user's own arrays -----------------------------------------------------

def test_returned_arrays_are_own_and_writeable():
    ga, gb = fgrad.grad(lambda a, b: fnp.sum(a + b), argnums=(0, 1))(np.ones(3), np.ones(3))
    assert ga is not gb
    ga *= 2
    np.testing.assert_array_equal(gb, 1.0)
    g = fgrad.grad(fnp.sum)(np.ones(3))
    g *= 2  # was a read-only broadcast view
    ct = np.ones(3)
    (back,) = fgrad.vjp(lambda x: x, np.ones(3))[1](ct)
    assert back is not ct
    _, t_out = fgrad.jvp(lambda x: x, (np.ones(3),), (ct,))
    assert t_out is not ct


# -- 8. the testing helpers -------------------------------------------------------------------

def test_check_grads_suits_float32_and_numerical_jacobian_complex():
    check_grads(fnp.sin, (np.linspace(0, 1, 5).astype(np.float32),))
    np.testing.assert_allclose(numerical_jacobian(lambda z: z * z, [1 + 2j]), [[2 + 4j]])
    with pytest.raises(ValueError, match="not holomorphic"):
        numerical_jacobian(lambda z: fnp.conj(z) * z, np.array([1 + 2j]))


# -- 11. smaller ones ---------------------------------------------------------------------------

def test_smaller_ones():
    with pytest.raises(ValueError, match="nondiff_argnums holds 3"):
        fgrad.grad(fgrad.custom_vjp(lambda x, n: x * n, nondiff_argnums=(3,)))(1.0, 2)
    with pytest.raises(TypeError, match="returned a str"):
        fgrad.grad(lambda x: "x")(1.0)
    with pytest.raises(TypeError, match="vmap.*fgrad.numpy.where"):
        fgrad.vmap(lambda x: x if x > 0 else -x)(np.array([1.0, -1.0]))
    assert fgrad.vmap(lambda x: x * 2.0 if x.shape == () else x)(np.ones(2)).tolist() == [2, 2]


# -- expected by users --------------------------------------------------------------------------

def test_transforms_pass_keyword_arguments_through():
    def f(x, scale=1.0):
        return fnp.sum(x * scale)
    x = np.ones(2)
    np.testing.assert_array_equal(fgrad.grad(f)(x, scale=3.0), [3.0, 3.0])
    assert fgrad.value_and_grad(f)(x, scale=2.0)[0] == 4.0
    np.testing.assert_array_equal(fgrad.jacrev(f)(x, scale=5.0), [5.0, 5.0])
    np.testing.assert_array_equal(fgrad.hessian(f)(x, scale=5.0), np.zeros((2, 2)))
    # vmap maps keyword arguments over their axis 0, as JAX does
    np.testing.assert_array_equal(fgrad.vmap(lambda x, b: x + b)(x, b=np.array([1.0, 2.0])),
                                  [2.0, 3.0])


def test_grad_of_a_one_element_output():
    w = np.array([[1.0], [2.0]])
    g = fgrad.grad(lambda x: x @ w)(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(g, [1.0, 2.0])
    with pytest.raises(TypeError, match="shape \\(2,\\)"):
        fgrad.grad(lambda x: x * 2.0)(np.ones(2))


def test_custom_jvp_defjvps():
    f = fgrad.custom_jvp(lambda x, y: x * fnp.sin(y))
    f.defjvps(lambda t, out, x, y: t * fnp.sin(y), lambda t, out, x, y: t * x * fnp.cos(y))
    check_grads(f, (np.array([0.5, 2.0]), np.array([0.3, -1.0])), order=2)
