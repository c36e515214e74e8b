"""fgrad.scipy.optimize: implicit differentiation of SciPy's root, root_scalar, minimize."""
import numpy as np
import pytest

scipy = pytest.importorskip("scipy")

import scipy.optimize  # noqa: E402

import fgrad  # noqa: E402
import fgrad.numpy as fnp  # noqa: E402
from fgrad.jacobians import jacfwd, jacrev  # noqa: E402
from fgrad.scipy.optimize import minimize, root, root_scalar  # noqa: E402

THETA = 0.7


def cubic(x, theta):
    """x**3 + theta x - 1 = 0: one real root, dx/dθ = -x / (3x² + θ)."""
    return x ** 3 + theta * x - 1


def cubic_root(theta):
    return root(cubic, np.array([1.0]), args=(theta,), tol=1e-14).x[0]


def exact_derivatives(theta):
    x = cubic_root(theta)
    d1 = -x / (3 * x ** 2 + theta)
    d2 = -(d1 * (3 * x ** 2 + theta) - x * (6 * x * d1 + 1)) / (3 * x ** 2 + theta) ** 2
    return x, d1, d2


def test_root_matches_the_closed_form_in_both_modes_and_to_second_order():
    x, d1, d2 = exact_derivatives(THETA)
    assert abs(cubic(x, THETA)) < 1e-13
    np.testing.assert_allclose(fgrad.grad(cubic_root)(THETA), d1, rtol=1e-12)
    np.testing.assert_allclose(fgrad.jvp(cubic_root, (THETA,), (1.0,))[1], d1, rtol=1e-12)
    np.testing.assert_allclose(fgrad.grad(fgrad.grad(cubic_root))(THETA), d2, rtol=1e-10)
    np.testing.assert_allclose(jacfwd(fgrad.grad(cubic_root))(THETA), d2, rtol=1e-10)
    eps = 1e-6
    fd = (cubic_root(THETA + eps) - cubic_root(THETA - eps)) / (2 * eps)
    np.testing.assert_allclose(fgrad.grad(cubic_root)(THETA), fd, rtol=1e-7)


def test_plain_and_traced_values_are_the_same_result():
    plain = root(cubic, np.array([1.0]), args=(THETA,))
    traced = fgrad.jvp(lambda t: root(cubic, np.array([1.0]), args=(t,)).x, (THETA,), (1.0,))
    assert isinstance(plain, scipy.optimize.OptimizeResult) and plain.success
    assert np.array_equal(plain.x, traced[0])
    # the exact Jacobian from fgrad: fewer evaluations than SciPy's finite differences
    numeric = root(cubic, np.array([1.0]), args=(THETA,), jac=False)
    assert plain.nfev < numeric.nfev and np.allclose(plain.x, numeric.x)


def linear(x, p):
    return p["A"] @ x - p["b"]


A = np.array([[3.0, 1.0, 0.5], [1.0, 2.0, -0.3], [0.2, 0.1, 4.0]])
B = np.array([1.0, -1.0, 0.5])


def linear_solution(p):
    return root(linear, np.ones(3), args=(p,)).x


def test_a_linear_system_with_pytree_parameters():
    p = {"A": A, "b": B}
    np.testing.assert_allclose(linear_solution(p), np.linalg.solve(A, B), atol=1e-12)
    rev, fwd = jacrev(linear_solution)(p), jacfwd(linear_solution)(p)
    inv = np.linalg.inv(A)
    np.testing.assert_allclose(rev["b"], inv, atol=1e-10)
    np.testing.assert_allclose(fwd["b"], inv, atol=1e-10)
    x = np.linalg.solve(A, B)
    np.testing.assert_allclose(rev["A"], -np.einsum("ij,k->ijk", inv, x), atol=1e-10)
    np.testing.assert_allclose(fwd["A"], rev["A"], atol=1e-10)


def test_other_methods_and_finite_differences_of_the_solver():
    def system(x, a, b):
        return fnp.stack([x[0] ** 2 + a * x[1] - 2, fnp.sin(x[0]) + b * x[1] ** 3 - 1])

    for method in ("hybr", "lm", "krylov"):
        def solution(a, b):
            return root(system, np.array([1.0, 1.0]), args=(a, b), method=method,
                        tol=1e-13).x
        jac = jacrev(solution, (0, 1))(0.8, 1.5)
        eps = 1e-6
        for i, j in enumerate(jac):
            plus, minus = [0.8, 1.5], [0.8, 1.5]
            plus[i] += eps
            minus[i] -= eps
            fd = (solution(*plus) - solution(*minus)) / (2 * eps)
            np.testing.assert_allclose(j, fd, rtol=1e-5, atol=1e-7, err_msg=method)


def test_root_scalar():
    x, d1, d2 = exact_derivatives(THETA)
    for kwargs in (dict(bracket=(0, 2), xtol=1e-15), dict(method="newton", x0=1.0),
                   dict(x0=1.0, x1=0.5), dict(method="halley", x0=1.0)):
        def solution(theta):
            return root_scalar(cubic, args=(theta,), **kwargs).root
        np.testing.assert_allclose(solution(THETA), x, rtol=1e-12)
        np.testing.assert_allclose(fgrad.grad(solution)(THETA), d1, rtol=1e-10)
        np.testing.assert_allclose(fgrad.jvp(solution, (THETA,), (1.0,))[1], d1, rtol=1e-10)
    np.testing.assert_allclose(fgrad.grad(fgrad.grad(solution))(THETA), d2, rtol=1e-9)


def test_vmap_solves_each_example():
    thetas = np.array([0.5, 0.7, 1.2])
    expected = [cubic_root(t) for t in thetas]
    np.testing.assert_array_equal(fgrad.vmap(cubic_root)(thetas), expected)
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(cubic_root))(thetas),
                               [exact_derivatives(t)[1] for t in thetas], rtol=1e-10)
    result = fgrad.vmap(lambda t: root(cubic, np.array([1.0]), args=(t,)).x)(thetas)
    assert result.shape == (3, 1)


def objective(x, c):
    return fnp.sum((x - c) ** 4) + fnp.sum((x - c) ** 2) + x[0] * x[1]


def argmin(c, method="BFGS"):
    return minimize(objective, np.zeros(2), args=(c,), method=method,
                    options=dict(gtol=1e-12) if method == "BFGS" else None).x


def test_minimize_through_the_hessian():
    c = np.array([0.3, -0.5])
    x = argmin(c)
    g = fgrad.grad(objective)(x, c)
    assert np.abs(g).max() < 1e-9
    # dx/dc = -H_xx^-1 H_xc
    H = fgrad.hessian(lambda z: objective(z[:2], z[2:]))(np.concatenate([x, c]))
    exact = -np.linalg.solve(H[:2, :2], H[:2, 2:])
    np.testing.assert_allclose(jacrev(argmin)(c), exact, rtol=1e-7)
    np.testing.assert_allclose(jacfwd(argmin)(c), exact, rtol=1e-7)
    np.testing.assert_allclose(jacrev(lambda c: argmin(c, "trust-exact"))(c), exact, rtol=1e-6)


def test_errors_when_not_converged_or_singular():
    def no_root(x, theta):
        return x ** 2 + theta

    result = root(no_root, np.array([1.0]), args=(1.0,))
    assert not result.success  # the value is still returned
    with pytest.raises(RuntimeError, match="did not converge"):
        fgrad.grad(lambda t: root(no_root, np.array([1.0]), args=(t,)).x[0])(1.0)

    def one_equation_twice(x, theta):  # a line of roots: ∂F/∂x singular
        return fnp.stack([x[0] + x[1] - theta, 2 * (x[0] + x[1] - theta)])

    assert root(one_equation_twice, np.zeros(2), args=(1.0,), method="lm").success
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        fgrad.grad(lambda t: root(one_equation_twice, np.zeros(2), args=(t,),
                                  method="lm").x[0])(1.0)
    with pytest.raises(TypeError, match="x0 carries no derivative"):
        fgrad.grad(lambda t: root_scalar(cubic, args=(0.7,), x0=t, x1=0.5).root)(1.0)
    with pytest.raises(NotImplementedError, match="bounds"):
        fgrad.grad(lambda c: minimize(objective, np.zeros(2), args=(c,),
                                      bounds=[(0, 1)] * 2).x.sum())(np.zeros(2))
