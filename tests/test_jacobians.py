"""jacfwd, jacrev, jacobian, hessian, hvp, linearize, elementwise_grad.

Closed forms first (linear maps, sin, softmax, matrix shapes, pytrees nested as in
JAX), then random programs where forward and reverse mode must agree with each other
and with finite differences, the choice of mode by jacobian(mode="auto"), Hessians,
derivatives of tanh to sixth order, linearize, elementwise_grad, and pickling.
"""
import concurrent.futures
import pickle
import time
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from numpy.polynomial import Polynomial

import fgrad
import fgrad.numpy as fnp
from fgrad import rules
from fgrad.testing import numerical_jacobian
from fgrad.tracer import Box, primitive

JACOBIANS = [fgrad.jacfwd, fgrad.jacrev, fgrad.jacobian,
             lambda f, **k: fgrad.jacobian(f, mode="fwd", **k),
             lambda f, **k: fgrad.jacobian(f, mode="rev", **k)]
JAC_IDS = ["jacfwd", "jacrev", "jacobian-auto", "jacobian-fwd", "jacobian-rev"]
jacobians = pytest.mark.parametrize("jac", JACOBIANS, ids=JAC_IDS)


def _rng(key):
    return np.random.default_rng(zlib.crc32(key.encode()))


def close(actual, expected, rtol=1e-10, atol=1e-12):
    actual = np.asarray(actual)
    assert actual.shape == np.shape(expected), (actual.shape, np.shape(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


# -- closed forms ------------------------------------------------------------------

@jacobians
def test_linear_map(jac):
    rng = _rng("linear")
    A, x = rng.standard_normal((5, 3)), rng.standard_normal(3)
    close(jac(lambda x: A @ x)(x), A)
    close(jac(lambda x: A.T @ x)(rng.standard_normal(5)), A.T)


@jacobians
def test_elementwise_sin(jac):
    x = _rng("sin").standard_normal(4)
    close(jac(fnp.sin)(x), np.diag(np.cos(x)))


def softmax(x):
    e = fnp.exp(x - fnp.max(x))
    return e / fnp.sum(e)


@jacobians
def test_softmax(jac):
    x = _rng("softmax").standard_normal(5)
    s = np.exp(x - x.max()) / np.exp(x - x.max()).sum()
    close(jac(softmax)(x), np.diag(s) - np.outer(s, s))


@jacobians
def test_matrix_inputs_and_outputs(jac):
    rng = _rng("matrix")
    W, X = rng.standard_normal((3, 4)), rng.standard_normal((2, 3))
    J = jac(lambda X: X @ W)(X)  # out (2, 4), in (2, 3)
    close(J, np.einsum("ik,lj->ijkl", np.eye(2), W))
    close(jac(lambda X: X.T)(X), np.einsum("il,jk->ijkl", np.eye(3), np.eye(2)))
    # scalar output: in.shape; scalar input: out.shape
    close(jac(lambda X: fnp.sum(X ** 2))(X), 2 * X)
    close(jac(lambda t: t * W)(1.5), W)
    close(jac(lambda t: t ** 3)(2.0), 12.0)
    # a 3-d input to a 1-d output
    T = rng.standard_normal((2, 3, 2))
    close(jac(lambda T: fnp.sum(T, axis=(0, 2)))(T),
          np.broadcast_to(np.eye(3)[:, None, :, None], (3, 2, 3, 2)))


@pytest.mark.parametrize("jac", JACOBIANS[:2], ids=JAC_IDS[:2])
def test_pytree_inputs_and_outputs_nest_like_jax(jac):
    rng = _rng("pytree")
    params = {"w": rng.standard_normal((2, 3)), "b": rng.standard_normal(2)}
    x = rng.standard_normal(3)

    def f(p):
        y = p["w"] @ x + p["b"]
        return (fnp.sin(y), {"total": fnp.sum(y ** 2)})

    J = jac(f)(params)
    # the output's structure outside, the input's inside
    assert isinstance(J, tuple) and len(J) == 2
    assert set(J[0]) == {"w", "b"} and set(J[1]) == {"total"} and set(J[1]["total"]) == {"w", "b"}
    y = params["w"] @ x + params["b"]
    close(J[0]["b"], np.diag(np.cos(y)))
    close(J[0]["w"], np.cos(y)[:, None, None] * np.eye(2)[:, :, None] * x)
    close(J[1]["total"]["b"], 2 * y)
    close(J[1]["total"]["w"], 2 * np.outer(y, x))


@pytest.mark.parametrize("jac", JACOBIANS[:2], ids=JAC_IDS[:2])
def test_argnums_tuples_and_negative_argnums(jac):
    rng = _rng("argnums")
    x, y = rng.standard_normal(3), rng.standard_normal(2)

    def f(x, y, scale):
        return scale * fnp.concatenate([x * y[0], y ** 2])

    Jx, Jy = jac(f, argnums=(0, 1))(x, y, 2.0)
    assert Jx.shape == (5, 3) and Jy.shape == (5, 2)
    close(Jx, 2.0 * np.vstack([np.eye(3) * y[0], np.zeros((2, 3))]))
    close(Jy, 2.0 * np.vstack([np.outer(x, [1.0, 0.0]), np.diag(2 * y)]))
    (only_y,) = jac(f, argnums=(1,))(x, y, 2.0)
    close(only_y, Jy)
    close(jac(f, argnums=-2)(x, y, 2.0), Jy)
    # a dict output of a tuple of inputs: dict outside, tuple inside
    J = jac(lambda x, y: {"p": x * y[1], "q": fnp.sum(x)}, argnums=(0, 1))(x, y)
    assert isinstance(J["p"], tuple) and J["q"][1].shape == (2,)
    close(J["q"][0], np.ones(3))
    close(J["p"][1], np.outer(x, [0.0, 1.0]))


@pytest.mark.parametrize("jac", JACOBIANS[:2], ids=JAC_IDS[:2])
def test_has_aux(jac):
    x = _rng("aux").standard_normal(3)

    def f(x):
        return fnp.tanh(x), {"norm": fnp.sum(x ** 2), "tag": "text"}

    J, aux = jac(f, has_aux=True)(x)
    close(J, np.diag(1 - np.tanh(x) ** 2))
    assert aux["tag"] == "text"
    assert not isinstance(aux["norm"], Box)
    close(aux["norm"], np.sum(x ** 2))
    with pytest.raises(TypeError, match="pair"):
        jac(lambda x: x, has_aux=True)(x)


@pytest.mark.parametrize("jac", JACOBIANS[:2], ids=JAC_IDS[:2])
def test_outputs_independent_of_the_input_give_zero_blocks(jac):
    J = jac(lambda x, y: (y * 2.0, x[0] * 0.0 + 1.0))(np.ones(3), np.ones(2))
    close(J[0], np.zeros((2, 3)))
    close(J[1], np.zeros(3))


@pytest.mark.parametrize("jac", JACOBIANS[:2], ids=JAC_IDS[:2])
def test_float32_jacobians_stay_float32(jac):
    x = _rng("f32").standard_normal(3).astype(np.float32)
    J = jac(lambda x: fnp.sin(x) * fnp.sum(x))(x)
    assert J.dtype == np.float32
    expected = np.diag(np.cos(x) * x.sum()) + np.outer(np.sin(x), np.ones(3))
    np.testing.assert_allclose(J, expected, rtol=1e-5)


@pytest.mark.parametrize("jac", JACOBIANS[:2], ids=JAC_IDS[:2])
def test_empty_arrays(jac):
    close(jac(lambda x: fnp.sum(x) * np.ones(2))(np.ones(0)), np.zeros((2, 0)))
    close(jac(lambda x: x[:0])(np.ones(3)), np.zeros((0, 3)))


# -- random programs: forward = reverse = finite differences -----------------------

def _const(shape, key):
    """A constant array determined by its shape (the same on every call)."""
    return np.random.default_rng(zlib.crc32(f"{key}{shape}".encode())).uniform(0.5, 1.5, shape)


def _if_ranked(f):
    return lambda x: f(x) if np.ndim(x) else x * 1.5


OPS = {
    "sin": fnp.sin,
    "tanh": fnp.tanh,
    "square": lambda x: x * x,
    "exp": lambda x: fnp.exp(0.3 * x),
    "rational": lambda x: x / (1.0 + x * x),
    "scale": lambda x: x * _const(np.shape(x), "scale"),
    "matmul": _if_ranked(lambda x: x @ _const((np.shape(x)[-1], 2), "matmul")),
    "sum_keepdims": _if_ranked(lambda x: fnp.sum(x, axis=-1, keepdims=True) + x),
    "mean0": _if_ranked(lambda x: fnp.mean(x, axis=0)),
    "prod": _if_ranked(lambda x: fnp.prod(1.0 + 0.1 * x, axis=-1)),
    "flip": _if_ranked(lambda x: x[::-1]),
    "transpose": fnp.transpose,
    "ravel": fnp.ravel,
    "concat": lambda x: fnp.concatenate([fnp.ravel(x), fnp.ravel(fnp.sin(x))]),
    "times_first": _if_ranked(lambda x: x * x[0]),
    "gather": _if_ranked(lambda x: x[np.array([0, -1, 0])]),
    "update": _if_ranked(lambda x: fnp.at(x)[0].add(fnp.sin(x[-1]))),
    "logsumexp": _if_ranked(lambda x: fnp.log(fnp.sum(fnp.exp(x), axis=-1))),
    "broadcast": lambda x: fnp.broadcast_to(x, (2,) + np.shape(x)) * _const((2, 1), "bc")[
        (...,) + (None,) * (np.ndim(x) - 1)] if np.ndim(x) else x * _const((2,), "bc"),
}


def compose(names):
    def program(x):
        for name in names:
            x = OPS[name](x)
        return x
    return program


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.sampled_from(sorted(OPS)), min_size=2, max_size=4),
       st.lists(st.integers(1, 4), min_size=0, max_size=3), st.integers(0, 2 ** 32 - 1))
def test_forward_and_reverse_agree_on_random_programs(names, shape, seed):
    f = compose(names)
    x = np.random.default_rng(seed).uniform(-1.5, 1.5, shape)
    forward, reverse = fgrad.jacfwd(f)(x), fgrad.jacrev(f)(x)
    out_shape = np.shape(f(x))
    assert forward.shape == reverse.shape == out_shape + tuple(shape)
    np.testing.assert_allclose(forward, reverse, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(forward, numerical_jacobian(f, x), rtol=1e-5, atol=1e-6)


def test_random_programs_can_fail():
    """The property above is not vacuous: a wrong Jacobian is caught by finite differences."""
    f = compose(["sin", "matmul"])
    x = _rng("vacuous").standard_normal((2, 3))
    assert not np.allclose(fgrad.jacfwd(f)(x) * 1.01, numerical_jacobian(f, x), rtol=1e-5)


# -- jacobian(mode="auto") -----------------------------------------------------------

def _recording(f):
    seen = []

    def g(x):
        seen.append(x)
        return f(x)
    return g, seen


def _chain(x):
    """Trace class names from the argument down through the tangents / values it holds."""
    names = []
    while isinstance(x, Box):
        names.append(type(x._trace).__name__)
        x = x._data if isinstance(x._data, Box) else x._value
    return names


def test_jacobian_auto_uses_forward_mode_for_fewer_inputs_than_outputs():
    g, seen = _recording(lambda x: fnp.concatenate([fnp.sin(x), x ** 2, x]))
    J = fgrad.jacobian(g)(np.array([0.3, -0.2]))  # 2 in, 6 out
    assert J.shape == (6, 2)
    # the traced call sees a forward-mode box whose tangent is batched over the basis
    assert _chain(seen[-1])[:2] == ["ForwardTrace", "BatchTrace"], _chain(seen[-1])
    # the explicit modes record the same as auto for comparison
    fwd_f, seen_fwd = _recording(lambda x: fnp.concatenate([fnp.sin(x), x ** 2, x]))
    fgrad.jacfwd(fwd_f)(np.array([0.3, -0.2]))
    assert _chain(seen_fwd[-1]) == _chain(seen[-1])


@pytest.mark.parametrize("n_in, n_out", [(6, 2), (3, 3), (4, 1)])
def test_jacobian_auto_uses_reverse_mode_otherwise(n_in, n_out):
    A = _const((n_out, n_in), "auto")
    g, seen = _recording(lambda x: fnp.tanh(A @ x))
    J = fgrad.jacobian(g)(np.linspace(-1, 1, n_in))
    assert J.shape == (n_out, n_in)
    assert _chain(seen[-1]) == ["ReverseTrace"], _chain(seen[-1])


def test_jacobian_mode_seen_through_a_primitive_with_one_rule():
    """A primitive with only a JVP rule works in forward mode and fails in reverse mode
    (and one with only a VJP rule the other way round), so the mode auto picks shows."""
    fwd_only = primitive(np.sin, "sin_with_jvp_only")
    rules.defrules(fwd_only, jvp=(lambda t, out, x: t * fnp.cos(x),))
    rev_only = primitive(np.sin, "sin_with_vjp_only")
    rules.defrules(rev_only, vjp=(lambda g, out, x: g * fnp.cos(x),))
    small, large = np.array([0.1, 0.2]), np.linspace(0, 1, 5)

    def widen(p):
        return lambda x: fnp.concatenate([p(x), p(x) * 2.0, x])  # n out = 3 n in

    def narrow(p):
        return lambda x: fnp.sum(p(x))  # 1 out

    expected = np.vstack([np.diag(np.cos(small)), 2 * np.diag(np.cos(small)), np.eye(2)])
    close(fgrad.jacobian(widen(fwd_only))(small), expected)  # auto -> forward
    with pytest.raises(NotImplementedError, match="sin_with_vjp_only"):
        fgrad.jacobian(widen(rev_only))(small)
    close(fgrad.jacobian(narrow(rev_only))(large), np.cos(large))  # auto -> reverse
    with pytest.raises(NotImplementedError, match="sin_with_jvp_only"):
        fgrad.jacobian(narrow(fwd_only))(large)
    # and the explicit modes obey
    with pytest.raises(NotImplementedError):
        fgrad.jacobian(widen(fwd_only), mode="rev")(small)
    close(fgrad.jacobian(narrow(fwd_only), mode="fwd")(large), np.cos(large))


def test_jacobian_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="mode"):
        fgrad.jacobian(fnp.sin, mode="sideways")(np.ones(2))


# -- Hessians ------------------------------------------------------------------------

def test_hessian_of_quadratic_form():
    rng = _rng("quadratic")
    A, x = rng.standard_normal((4, 4)), rng.standard_normal(4)
    H = fgrad.hessian(lambda x: x @ A @ x)(x)
    close(H, A + A.T)
    close(fgrad.hessian(lambda x: x @ A @ x)(rng.standard_normal(4)), A + A.T)


def rosenbrock(x):
    return fnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    n = len(x)
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H[i + 1, i + 1] += 200
        H[i, i + 1] = H[i + 1, i] = -400 * x[i]
    return H


@pytest.mark.parametrize("n", [2, 3, 5])
def test_hessian_of_rosenbrock(n):
    x = _rng(f"rosen{n}").uniform(-1.5, 1.5, n)
    close(fgrad.hessian(rosenbrock)(x), rosenbrock_hessian(x), rtol=1e-10, atol=1e-9)
    close(fgrad.jacrev(fgrad.jacrev(rosenbrock))(x), rosenbrock_hessian(x), rtol=1e-10, atol=1e-9)
    close(fgrad.hessian(rosenbrock)(np.ones(n)), rosenbrock_hessian(np.ones(n)), atol=1e-9)


def test_hessian_vector_products():
    rng = _rng("hvp")
    x = rng.uniform(-1.5, 1.5, 4)
    H = fgrad.hessian(rosenbrock)(x)
    for _ in range(3):
        v = rng.standard_normal(4)
        g, Hv = fgrad.hvp(rosenbrock, (x,), (v,))
        close(g, fgrad.grad(rosenbrock)(x))
        close(Hv, H @ v, rtol=1e-10, atol=1e-9)
        close(Hv, rosenbrock_hessian(x) @ v, rtol=1e-10, atol=1e-9)


def test_hvp_with_several_primals():
    rng = _rng("hvp2")
    x, y, vx, vy = (rng.standard_normal(3) for _ in range(4))

    def f(x, y):
        return fnp.sum(x ** 2 * y) + fnp.sum(fnp.sin(y))

    (gx, gy), (hx, hy) = fgrad.hvp(f, (x, y), (vx, vy))
    close(gx, 2 * x * y)
    close(gy, x ** 2 + np.cos(y))
    close(hx, 2 * y * vx + 2 * x * vy)
    close(hy, 2 * x * vx - np.sin(y) * vy)


def test_hessian_of_pytree_and_argnums_tuple():
    rng = _rng("pytree-hessian")
    params = {"w": rng.standard_normal((2, 3)), "b": rng.standard_normal(3)}

    def f(p):
        return fnp.sum(fnp.tanh(p["w"] * p["b"]))

    H = fgrad.hessian(f)(params)
    assert set(H) == {"w", "b"} and all(set(row) == {"w", "b"} for row in H.values())
    assert H["w"]["w"].shape == (2, 3, 2, 3)
    assert H["w"]["b"].shape == (2, 3, 3)
    assert H["b"]["w"].shape == (3, 2, 3)
    assert H["b"]["b"].shape == (3, 3)

    # against the Hessian of the same function of one flat vector
    def flat_f(v):
        return f({"w": fnp.reshape(v[:6], (2, 3)), "b": v[6:]})

    flat = fgrad.hessian(flat_f)(np.concatenate([params["w"].ravel(), params["b"]]))
    close(H["w"]["w"].reshape(6, 6), flat[:6, :6])
    close(H["w"]["b"].reshape(6, 3), flat[:6, 6:])
    close(H["b"]["w"].reshape(3, 6), flat[6:, :6])
    close(H["b"]["b"], flat[6:, 6:])

    x, y = rng.standard_normal(2), rng.standard_normal(2)
    (Hxx, Hxy), (Hyx, Hyy) = fgrad.hessian(lambda x, y: fnp.sum(x ** 3 * y), argnums=(0, 1))(x, y)
    close(Hxx, np.diag(6 * x * y))
    close(Hxy, np.diag(3 * x ** 2))
    close(Hyx, np.diag(3 * x ** 2))
    close(Hyy, np.zeros((2, 2)))


def test_hessian_of_matrix_input():
    X = _rng("hess-matrix").standard_normal((2, 3))
    H = fgrad.hessian(lambda X: fnp.sum(X ** 3))(X)
    assert H.shape == (2, 3, 2, 3)
    close(H.reshape(6, 6), np.diag(6 * X.ravel()))


# -- higher order: tanh to the sixth derivative ------------------------------------------

def tanh_derivative_polynomials(n):
    """P_k with d^k/dx^k tanh(x) = P_k(tanh x): P_0 = t, P_{k+1} = P_k' (1 - t^2)."""
    one_minus_t2 = Polynomial([1.0, 0.0, -1.0])
    polys = [Polynomial([0.0, 1.0])]
    for _ in range(n):
        polys.append(polys[-1].deriv() * one_minus_t2)
    return polys


def test_tanh_polynomials_match_the_known_low_orders():
    t = np.linspace(-1, 1, 7)
    P = tanh_derivative_polynomials(3)
    close(P[1](t), 1 - t ** 2)
    close(P[2](t), -2 * t * (1 - t ** 2))
    close(P[3](t), (1 - t ** 2) * (6 * t ** 2 - 2))


XS = [-1.3, -0.4, 0.0, 0.25, 0.9, 2.1]


@pytest.mark.parametrize("nest", ["grad", "jacfwd", "jacrev", "elementwise_grad"])
def test_tanh_derivatives_to_sixth_order(nest):
    transform = getattr(fgrad, nest)
    P = tanh_derivative_polynomials(6)
    d = fnp.tanh
    for n in range(1, 7):
        d = transform(d)
        for x in XS:
            expected = P[n](np.tanh(x))
            assert np.isclose(d(x), expected, rtol=1e-10, atol=1e-10), (nest, n, x, d(x), expected)
    # elementwise over an array too
    x = np.array(XS)
    np.testing.assert_allclose(fgrad.elementwise_grad(fgrad.elementwise_grad(fnp.tanh))(x),
                               P[2](np.tanh(x)), rtol=1e-12, atol=1e-14)


def test_mixed_nesting_matches_finite_differences_of_the_lower_order():
    rng = _rng("mixed")
    A = rng.standard_normal((2, 3))

    def f(x):
        return fnp.tanh(A @ fnp.sin(x)) * fnp.sum(x ** 2)

    x = rng.standard_normal(3)
    second = fgrad.jacrev(fgrad.jacfwd(f))
    third = fgrad.jacfwd(fgrad.jacrev(fgrad.jacfwd(f)))(x)
    assert third.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(third, numerical_jacobian(second, x), rtol=1e-5, atol=1e-6)
    # and the other orders of the same three transforms agree with it
    for outer, middle, inner in [(fgrad.jacrev, fgrad.jacfwd, fgrad.jacrev),
                                 (fgrad.jacfwd, fgrad.jacfwd, fgrad.jacfwd),
                                 (fgrad.jacrev, fgrad.jacrev, fgrad.jacrev)]:
        np.testing.assert_allclose(outer(middle(inner(f)))(x), third, rtol=1e-9, atol=1e-11)
    # the second order itself against finite differences of the first
    np.testing.assert_allclose(second(x), numerical_jacobian(fgrad.jacfwd(f), x),
                               rtol=1e-5, atol=1e-6)
    # symmetric in the input axes, as a third derivative must be
    np.testing.assert_allclose(third, np.swapaxes(third, 1, 3), rtol=1e-9, atol=1e-11)


# -- linearize ---------------------------------------------------------------------

def test_linearize_gives_jvp_without_calling_f_again():
    rng = _rng("linearize")
    A = rng.standard_normal((3, 4))
    calls = []

    def f(x):
        calls.append(1)
        return fnp.tanh(A @ fnp.sin(x)) * x[0]

    x = rng.standard_normal(4)
    out, jvp_fn = fgrad.linearize(f, x)
    close(out, np.tanh(A @ np.sin(x)) * x[0])
    ts = rng.standard_normal((4, 4))
    results = [jvp_fn(t) for t in ts]
    close(jvp_fn(np.ones(4)) * 2, jvp_fn(2 * np.ones(4)))  # linear
    assert len(calls) == 1  # f ran once, in linearize itself
    for t, r in zip(ts, results):
        close(r, fgrad.jvp(f, (x,), (t,))[1])
    assert len(calls) == 1 + len(ts)  # (the counter counts: each jvp ran f)


def test_linearize_with_several_primals_and_pytree_output():
    rng = _rng("linearize2")
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    calls = []

    def f(x, y):
        calls.append(1)
        return {"p": fnp.sin(x) * y, "s": fnp.sum(x * y ** 2)}

    out, jvp_fn = fgrad.linearize(f, x, y)
    close(out["s"], np.sum(x * y ** 2))
    for _ in range(3):
        tx, ty = rng.standard_normal(3), rng.standard_normal(3)
        t = jvp_fn(tx, ty)
        assert len(calls) == 1
        expected = fgrad.jvp(f, (x, y), (tx, ty))[1]
        assert set(t) == {"p", "s"}
        close(t["p"], expected["p"])
        close(t["s"], expected["s"])
        calls.pop()


def test_linearize_and_vjp_accept_python_scalar_tangents():
    _, jvp_fn = fgrad.linearize(lambda x: x * x, 3.0)
    assert jvp_fn(1.0) == 6.0
    assert fgrad.vjp(lambda x: x + x, 3.0)[1](1.0) == (2.0,)


# -- elementwise_grad ----------------------------------------------------------------

@pytest.mark.parametrize("f, derivative", [
    (fnp.tanh, lambda x: 1 - np.tanh(x) ** 2),
    (lambda x: fnp.sin(x) * x, lambda x: np.cos(x) * x + np.sin(x)),
    (lambda x: x ** 3 - 2.0 * x, lambda x: 3 * x ** 2 - 2.0),
    (lambda x: x / (1.0 + x * x), lambda x: (1 - x ** 2) / (1 + x ** 2) ** 2),
    (lambda x: fnp.exp(-x * x), lambda x: -2 * x * np.exp(-x * x)),
    (lambda x: fnp.where(x > 0, x * x, fnp.sin(x)), lambda x: np.where(x > 0, 2 * x, np.cos(x))),
], ids=["tanh", "x_sin", "cubic", "rational", "gaussian", "where"])
@pytest.mark.parametrize("shape", [(), (5,), (2, 3)], ids=["0d", "1d", "2d"])
def test_elementwise_grad_is_the_pointwise_derivative(f, derivative, shape):
    x = _rng(f"egrad{shape}").standard_normal(shape)
    g = fgrad.elementwise_grad(f)(x)
    assert np.shape(g) == shape
    close(g, derivative(x))


def test_elementwise_grad_argnums():
    x, y = np.linspace(-1, 1, 4), np.linspace(0.5, 2, 4)
    f = lambda x, y: x * fnp.log(y)  # noqa: E731
    close(fgrad.elementwise_grad(f, argnums=1)(x, y), x / y)
    gx, gy = fgrad.elementwise_grad(f, argnums=(0, 1))(x, y)
    close(gx, np.log(y))
    close(gy, x / y)


# -- pickling, and running in worker processes -------------------------------------------

def scalar_fn(x):
    return fnp.sum(fnp.sin(x) * x ** 2)


def vector_fn(x):
    return fnp.tanh(x) * fnp.sum(x)


def _transforms():
    return {
        "grad": fgrad.grad(scalar_fn),
        "grad_grad": fgrad.grad(fgrad.grad(scalar_of_scalar)),
        "value_and_grad": fgrad.value_and_grad(scalar_fn),
        "jacfwd": fgrad.jacfwd(vector_fn),
        "jacrev": fgrad.jacrev(vector_fn),
        "jacobian": fgrad.jacobian(vector_fn),
        "hessian": fgrad.hessian(scalar_fn),
        "vmap": fgrad.vmap(vector_fn, in_axes=1),
        "vmap_grad": fgrad.vmap(fgrad.grad(scalar_fn)),
        "elementwise_grad": fgrad.elementwise_grad(tanh_fn),
        "jacfwd_jacrev": fgrad.jacfwd(fgrad.jacrev(vector_fn)),
    }


def tanh_fn(x):
    return fnp.tanh(x)


def scalar_of_scalar(x):
    return fnp.sin(x) * x ** 3


PICKLE_X = np.array([[0.3, -1.1, 0.7], [1.4, 0.2, -0.5]])


def _argument(name):
    if name == "grad_grad":
        return 0.8
    if name in ("vmap", "vmap_grad"):
        return PICKLE_X
    return PICKLE_X[0]


def _same(a, b):
    la, ta = fgrad.tree.tree_flatten(a)
    lb, tb = fgrad.tree.tree_flatten(b)
    assert ta == tb
    for x, y in zip(la, lb):
        np.testing.assert_allclose(x, y, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", sorted(_transforms()))
def test_transformed_functions_pickle(name):
    transformed = _transforms()[name]
    restored = pickle.loads(pickle.dumps(transformed))
    x = _argument(name)
    _same(restored(x), transformed(x))
    assert restored.__name__ == transformed.__name__


def test_nested_grad_pickles_and_is_right():
    g1 = pickle.loads(pickle.dumps(fgrad.grad(scalar_of_scalar)))
    g2 = pickle.loads(pickle.dumps(fgrad.grad(fgrad.grad(scalar_of_scalar))))
    x = 0.8
    # f = x^3 sin x:  f' = x^3 cos x + 3 x^2 sin x;  f'' = -x^3 sin x + 6 x^2 cos x + 6 x sin x
    assert np.isclose(g1(x), x ** 3 * np.cos(x) + 3 * x ** 2 * np.sin(x), rtol=1e-12)
    assert np.isclose(g2(x), -x ** 3 * np.sin(x) + 6 * x ** 2 * np.cos(x) + 6 * x * np.sin(x),
                      rtol=1e-12)


@pytest.mark.parametrize("fun", [fnp.tanh, fnp.sin, fnp.matmul], ids=["tanh", "sin", "matmul"])
def test_fgrad_numpy_primitives_and_their_transforms_pickle(fun):
    assert pickle.loads(pickle.dumps(fun)) is fun
    egrad = pickle.loads(pickle.dumps(fgrad.elementwise_grad(fun)))
    args = (PICKLE_X[0],) * (2 if fun is fnp.matmul else 1)
    _same(egrad(*args), fgrad.elementwise_grad(fun)(*args))


def _call(transformed, x):
    return transformed(x)


def test_transformed_functions_run_in_worker_processes():
    start = time.monotonic()
    transforms = _transforms()
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(_call, t, _argument(name)) for name, t in transforms.items()}
        results = {name: f.result(timeout=30) for name, f in futures.items()}
    for name, t in transforms.items():
        _same(results[name], t(_argument(name)))
    assert time.monotonic() - start < 10
