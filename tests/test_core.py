"""The foundation's acceptance tests: transforms, nesting, pytrees, errors, scale, threads."""
import collections
import gc
import math
import sys
import threading
import weakref

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.reverse import Node


# -- the worked example and higher order ----------------------------------------------

def test_backprop_lecture_example():
    def L(a, b, c):
        return (a + 3 * b) * c ** 2
    value, grads = fgrad.value_and_grad(L, argnums=(0, 1, 2))(2.0, 3.0, 4.0)
    assert value == 176.0
    assert grads == (16.0, 48.0, 88.0)


@pytest.mark.parametrize("x", [-2.1, 0.0, 0.5, 1.3])
def test_sin_derivatives_to_sixth_order(x):
    closed_forms = [np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), np.sin]
    d = fnp.sin
    for n in range(1, 7):
        d = fgrad.grad(d)
        assert np.isclose(d(x), closed_forms[(n - 1) % 4](x), rtol=1e-12, atol=1e-12), n


def _hessian_fwd_over_rev(f, x):
    return np.stack([fgrad.jvp(fgrad.grad(f), (x,), (e,))[1] for e in np.eye(x.size)], 1)


def _hessian_rev_over_rev(f, x):
    return np.stack([fgrad.grad(lambda x: fgrad.grad(f)(x)[i])(x) for i in range(x.size)])


@pytest.mark.parametrize("hessian", [_hessian_fwd_over_rev, _hessian_rev_over_rev])
def test_hessian_of_quadratic_form(hessian):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    np.testing.assert_allclose(hessian(lambda x: x @ A @ x, x), A + A.T, rtol=1e-12)


def test_grad_of_python_control_flow():
    def f(x):
        total = 0.0
        for i in range(4):
            total = total + (fnp.sin(x) if i % 2 else x ** i)
        return total if x > 0 else -total
    x = 0.7
    expected = 2 * np.cos(x) + 0 + 2 * x
    assert np.isclose(fgrad.grad(f)(x), expected)


# -- no perturbation confusion ------------------------------------------------------

def test_perturbation_confusion_grad_in_grad():
    assert fgrad.grad(lambda x: x * fgrad.grad(lambda y: x + y)(1.0))(2.0) == 1.0


def test_perturbation_confusion_jvp_in_grad():
    inner = lambda x: fgrad.jvp(lambda y: x + y, (1.0,), (1.0,))[1]  # noqa: E731
    assert fgrad.grad(lambda x: x * inner(x))(2.0) == 1.0


def test_perturbation_confusion_grad_in_jvp():
    _, t = fgrad.jvp(lambda x: x * fgrad.grad(lambda y: x + y)(1.0), (2.0,), (1.0,))
    assert t == 1.0


def test_perturbation_confusion_jvp_in_jvp():
    f = lambda x: x * fgrad.jvp(lambda y: x * y, (1.0,), (1.0,))[1]  # noqa: E731  (x * x)
    assert fgrad.jvp(f, (3.0,), (1.0,))[1] == 6.0


def test_closure_over_outer_box_is_a_constant_inside():
    # d/dx [ d/dy (x * y**2) at y=x ] = d/dx [2 x y] at y=x, = 4x with the total derivative
    f = lambda x: fgrad.grad(lambda y: x * y ** 2)(x)  # noqa: E731
    assert fgrad.grad(f)(1.5) == 4 * 1.5


# -- pytrees -------------------------------------------------------------------------

def _mlp_loss(params, x):
    h = x
    for W, b in params:
        h = fnp.tanh(h @ W + b)
    return fnp.sum(h ** 2)


def test_grad_over_dict_params():
    rng = np.random.default_rng(1)
    params = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    x = rng.standard_normal((5, 3))
    g = fgrad.grad(lambda p: _mlp_loss([(p["W"], p["b"])], x))(params)
    assert set(g) == {"W", "b"} and g["W"].shape == (3, 2) and g["b"].shape == (2,)
    eps = 1e-6
    Wp = params["W"].copy()
    Wp[1, 0] += eps
    Wm = params["W"].copy()
    Wm[1, 0] -= eps
    fd = (_mlp_loss([(Wp, params["b"])], x) - _mlp_loss([(Wm, params["b"])], x)) / (2 * eps)
    assert np.isclose(g["W"][1, 0], fd, rtol=1e-6)


def test_grad_over_list_of_tuples_keeps_structure():
    rng = np.random.default_rng(2)
    params = [(rng.standard_normal((3, 4)), rng.standard_normal(4)),
              (rng.standard_normal((4, 1)), rng.standard_normal(1))]
    g = fgrad.grad(_mlp_loss)(params, rng.standard_normal((2, 3)))
    assert isinstance(g, list) and all(isinstance(layer, tuple) for layer in g)
    assert [tuple(a.shape for a in layer) for layer in g] == [((3, 4), (4,)), ((4, 1), (1,))]


def test_namedtuple_and_none_leaves_survive():
    Params = collections.namedtuple("Params", "w unused scale")
    p = Params(w=np.array([1.0, 2.0]), unused=None, scale=3.0)
    g = fgrad.grad(lambda p: p.scale * fnp.sum(p.w ** 2))(p)
    assert isinstance(g, Params) and g.unused is None
    np.testing.assert_allclose(g.w, [6.0, 12.0])
    assert g.scale == 5.0


def test_has_aux_and_argnums_tuple():
    def f(x, y):
        return x * y, {"x": x}
    (value, aux), (gx, gy) = fgrad.value_and_grad(f, argnums=(0, 1), has_aux=True)(2.0, 5.0)
    assert value == 10.0 and aux["x"] == 2.0 and not isinstance(aux["x"], fgrad.tracer.Box)
    assert (gx, gy) == (5.0, 2.0)
    g, aux = fgrad.grad(f, has_aux=True)(2.0, 5.0)
    assert g == 5.0


def test_vjp_many_cotangents_and_jvp_pytrees():
    f = lambda d: {"out": d["a"] * d["b"]}  # noqa: E731
    primals = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    out, vjp_fn = fgrad.vjp(f, primals)
    for ct in ([1.0, 0.0], [0.0, 1.0]):
        (g,) = vjp_fn({"out": np.array(ct)})
        np.testing.assert_allclose(g["a"], primals["b"] * ct)
    _, t = fgrad.jvp(f, (primals,), ({"a": np.ones(2), "b": np.zeros(2)},))
    np.testing.assert_allclose(t["out"], primals["b"])


def test_output_independent_of_input_gives_zeros_and_a_warning():
    with pytest.warns(UserWarning, match="does not depend"):
        g = fgrad.grad(lambda x, y: fnp.sum(y ** 2))(np.ones(3), 2.0)
    np.testing.assert_array_equal(g, np.zeros(3))
    _, t = fgrad.jvp(lambda x: 3.0, (1.0,), (1.0,))
    assert t == 0.0


def test_dtype_of_gradient_is_dtype_of_primal():
    x = np.linspace(0.1, 1, 5, dtype=np.float32)
    g = fgrad.grad(lambda x: fnp.sum(fnp.sin(x) * x + 2.0))(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, np.cos(x) * x + np.sin(x), rtol=1e-6)


def test_stop_gradient():
    assert fgrad.grad(lambda x: x * fgrad.stop_gradient(x))(3.0) == 3.0
    _, t = fgrad.jvp(lambda x: x * fgrad.stop_gradient(x), (3.0,), (1.0,))
    assert t == 3.0


def test_box_behaves_like_array():
    seen = {}

    def f(x):
        seen.update(shape=x.shape, ndim=x.ndim, size=x.size, dtype=x.dtype, len=len(x),
                    T=x.T.shape, rows=[r.shape for r in x])
        y = (x + 1) - 2 * x / 3 + x // 2 + x % 2 + x ** 2 @ np.ones(3) [:, None] * 1
        y = -abs(y) + 2 ** x[:, :1] + (1 - x) * (x > 0) + (x.sum() + x.mean(axis=0)).max()
        z = x.reshape(3, 2).transpose().dot(np.ones((3,))).ravel().squeeze()
        return (y.prod(axis=1).min() + z.sum() + x.astype(np.complex128).conj().real.sum()
                + x.clip(0.1, 0.5).sum() + x.imag.sum())
    x = np.array([[0.3, 0.4, 0.2], [0.6, -0.2, 0.45]])
    g = fgrad.grad(f)(x)
    assert seen == dict(shape=(2, 3), ndim=2, size=6, dtype=np.float64, len=2, T=(3, 2),
                        rows=[(3,), (3,)])
    fgrad.testing.check_grads(f, (x,), order=1)
    assert g.shape == x.shape


# -- errors that say what to do ------------------------------------------------------

def test_grad_of_nonscalar_output_names_alternatives():
    with pytest.raises(TypeError, match="jacrev.*vjp.*elementwise_grad"):
        fgrad.grad(fnp.sin)(np.ones(3))


def test_grad_wrt_integer_suggests_float():
    with pytest.raises(TypeError, match="float"):
        fgrad.grad(lambda x: x * 2.0)(3)
    with pytest.raises(TypeError, match="float"):
        fgrad.grad(lambda x: fnp.sum(x * 2.0))(np.arange(3))


def test_integer_data_flowing_through_is_fine():
    mask = np.array([True, False, True])
    idx = np.array([2, 0])
    g = fgrad.grad(lambda x, m, i: fnp.sum(x * m) + fnp.sum(x[i]))(np.ones(3), mask, idx)
    np.testing.assert_array_equal(g, [2.0, 0.0, 2.0])


def test_item_assignment_points_to_at():
    def f(x):
        x[0] = 1.0
        return fnp.sum(x)
    with pytest.raises(TypeError, match=r"\.at\[i\]\.set"):
        fgrad.grad(f)(np.ones(3))


def test_functional_update_works_on_plain_and_traced_arrays():
    f = lambda x: fnp.sum(fnp.at(x)[1].set(5.0) * x)  # noqa: E731
    assert f(np.ones(3)) == 7.0
    np.testing.assert_array_equal(fgrad.grad(f)(np.ones(3)), [2.0, 5.0, 2.0])  # x0² + 5 x1 + x2²


def test_out_argument_refused():
    with pytest.raises(TypeError, match="out="):
        fgrad.grad(lambda x: fnp.sum(fnp.sin(x, out=np.empty(3))))(np.ones(3))
    with pytest.raises(TypeError, match="out="):
        fnp.sum(np.ones(3), out=np.empty(()))


def test_argnums_out_of_range():
    with pytest.raises(ValueError, match="argnums"):
        fgrad.grad(lambda x: x, argnums=1)(1.0)


def test_mismatched_tangent_shape():
    with pytest.raises(ValueError, match="shape"):
        fgrad.jvp(fnp.sin, (np.ones(3),), (np.ones(2),))


def test_unknown_leaf_type():
    with pytest.raises(TypeError, match="register_pytree_node"):
        fgrad.grad(lambda x: 1.0)(object())


def test_complex_output_needs_holomorphic():
    with pytest.raises(TypeError, match="holomorphic"):
        fgrad.grad(lambda z: z ** 2)(1.0 + 1j)
    assert fgrad.grad(lambda z: z ** 2, holomorphic=True)(1.0 + 2j) == 2.0 + 4j


def test_complex_input_real_output_convention():
    # grad = df/dx - i df/dy for f = |z|^2 = x^2 + y^2
    assert np.isclose(fgrad.grad(lambda z: fnp.abs(z) ** 2)(3.0 + 4j), 6.0 - 8.0j, rtol=1e-15)


# -- scale, memory, threads ----------------------------------------------------------

def test_million_node_chain_needs_no_recursion():
    def chain(x):
        for _ in range(500_000):
            x = x * 1.0000001
            x = x + 1e-9
        return x
    limit = sys.getrecursionlimit()
    g = fgrad.grad(chain)(1.0)
    assert math.isclose(g, 1.0000001 ** 500_000, rel_tol=1e-9)
    assert sys.getrecursionlimit() == limit


def test_graph_is_freed_after_grad():
    nodes = []
    original_init = Node.__init__

    def spy(self, *args):
        original_init(self, *args)
        nodes.append(weakref.ref(self))

    Node.__init__ = spy
    try:
        fgrad.grad(lambda x: fnp.sum(fnp.tanh(x @ np.ones((3, 3))) ** 2))(np.ones(3))
    finally:
        Node.__init__ = original_init
    gc.collect()
    assert nodes and all(ref() is None for ref in nodes)


def test_two_threads_differentiate_at_once():
    results, errors = {}, []
    barrier = threading.Barrier(2)

    def work(name, f, x, expected):
        try:
            barrier.wait()
            for _ in range(200):
                g = fgrad.grad(lambda x: f(x) * fgrad.grad(f)(x))(x)
                assert np.isclose(g, expected(x)), (name, g)
            results[name] = True
        except Exception as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    # d/dx [sin x cos x] = cos 2x;  d/dx [x^3 * 3x^2] = 15 x^4
    threads = [threading.Thread(target=work, args=("sin", fnp.sin, 0.3, lambda x: np.cos(2 * x))),
               threading.Thread(target=work, args=("cube", lambda x: x ** 3, 1.1,
                                                   lambda x: 15 * x ** 4))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == {"sin": True, "cube": True}


def test_stop_gradient_under_every_transform():
    def f(x):
        return fnp.sum(x ** 2 * fgrad.stop_gradient(x))  # d/dx = 2 x * x, the x^2 term only
    x = np.array([0.5, -1.5, 2.0])
    np.testing.assert_allclose(fgrad.grad(f)(x), 2 * x * x)
    np.testing.assert_allclose(fgrad.jvp(f, (x,), (np.ones(3),))[1], np.sum(2 * x * x))
    np.testing.assert_allclose(fgrad.jacfwd(f)(x), 2 * x * x)
    np.testing.assert_allclose(fgrad.jacrev(f)(x), 2 * x * x)
    np.testing.assert_allclose(fgrad.hessian(f)(x), np.diag(2 * x))
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(f))(np.stack([x, 2 * x])),
                               [2 * x * x, 8 * x * x])
    tree = fgrad.stop_gradient({"a": x, "b": [x]})
    assert isinstance(tree, dict) and isinstance(tree["b"], list)


def test_cotangents_accumulated_in_place_stay_correct():
    def f(x):
        a = x + x  # one cotangent object flows to both arguments
        b = a + x
        c = b * 2.0 + a + x * a
        return c * x + a
    x = np.array([0.3, -1.2, 2.0])
    fgrad.testing.check_grads(lambda x: fnp.sum(f(x)), (x,), order=2)
    ct = np.array([1.0, 2.0, 3.0])
    before = ct.copy()
    (g,) = fgrad.vjp(f, x)[1](ct)
    np.testing.assert_array_equal(ct, before)  # the caller's cotangent is never written to
    np.testing.assert_allclose(g, fgrad.testing.numerical_jacobian(f, x).T @ ct, rtol=1e-7)


def test_plain_numpy_array_of_traced_values_is_refused():
    with pytest.raises(TypeError, match="fnp.array"):
        fgrad.grad(lambda x: fnp.sum(np.array([x, x])))(1.0)
    assert fgrad.grad(lambda x: fnp.sum(fnp.array([x, 2 * x])))(1.0) == 3.0
