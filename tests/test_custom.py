"""custom_vjp and custom_jvp: hand-given rules, both modes, any order, pytrees, vmap."""
import pathlib
import runpy

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.batching import vmap_flat
from fgrad.custom import custom_jvp, custom_vjp
from fgrad.testing import check_grads, numerical_jvp

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def vmap(f):
    """vmap over the leading axis of one argument (the flat core, for these tests)."""
    return lambda x: vmap_flat(lambda a: [f(a)], [x], [0], lambda n: [0])[0]


def sigmoid(x):
    return 0.5 * (fnp.tanh(0.5 * x) + 1)  # no overflow for large |x|


def sigmoid_prime(x):
    s = 1 / (1 + np.exp(-x))
    return s * (1 - s)


# -- custom_vjp: a numerically stable log(1 + e^x) ------------------------------------

@custom_vjp
def log1pexp(x):
    return fnp.log(1 + fnp.exp(-fnp.abs(x))) + fnp.maximum(x, 0)


log1pexp.defvjp(lambda x: (log1pexp(x), x), lambda x, g: (g * sigmoid(x),))


def test_custom_vjp_gradient_is_right_where_the_naive_one_is_not():
    with np.errstate(over="ignore", invalid="ignore"):
        naive = fgrad.grad(lambda x: fnp.log(1 + fnp.exp(x)))(1000.0)
    assert naive != 1.0  # exp overflows: 1 / (1 + inf) is 0
    assert fgrad.grad(log1pexp)(1000.0) == 1.0
    assert log1pexp(1000.0) == 1000.0


@pytest.mark.parametrize("x", [-1.3, 0.4, 2.5])
def test_custom_vjp_second_derivative_and_check_grads(x):
    assert np.isclose(fgrad.grad(fgrad.grad(log1pexp))(x), sigmoid_prime(x), rtol=1e-12)
    assert np.isclose(fgrad.jvp(fgrad.grad(log1pexp), (x,), (1.0,))[1], sigmoid_prime(x))
    assert np.isclose(fgrad.grad(lambda x: fgrad.jvp(log1pexp, (x,), (1.0,))[1])(x),
                      sigmoid_prime(x))
    check_grads(log1pexp, (np.array([x, -0.7 * x]),), order=2, modes=("fwd", "rev"))


def test_custom_vjp_jvp_is_the_transposed_bwd():
    out, t_out = fgrad.jvp(log1pexp, (np.array([1000.0, 0.5]),), (np.array([2.0, 3.0]),))
    assert np.allclose(t_out, [2.0, 3.0 * sigmoid(0.5)])


def test_plain_calls_run_the_function_and_residuals_are_reused():
    calls = {"f": 0, "fwd": 0, "bwd": 0}

    @custom_vjp
    def f(x, y):
        calls["f"] += 1
        return x * y

    def f_fwd(x, y):
        calls["fwd"] += 1
        return x * y, (x, y)

    def f_bwd(res, g):
        calls["bwd"] += 1
        x, y = res
        return g * y, g * x

    f.defvjp(f_fwd, f_bwd)
    assert f(2.0, 3.0) == 6.0 and calls == {"f": 1, "fwd": 0, "bwd": 0}
    assert fgrad.grad(f, argnums=(0, 1))(2.0, 3.0) == (3.0, 2.0)
    assert calls == {"f": 1, "fwd": 1, "bwd": 1}  # one fwd, one bwd for both arguments


def test_fwd_may_be_opaque_numpy_at_first_order():
    @custom_vjp
    def cube(x):
        return x ** 3

    cube.defvjp(lambda x: (np.power(x, 3), np.square(x)),  # plain NumPy only
                lambda x2, g: (3 * g * x2,))
    assert fgrad.grad(cube)(2.0) == 12.0


# -- implicit differentiation of a fixed point ----------------------------------------

@custom_vjp
def fixed_point(theta):
    """x = 0.5 cos(x) + theta, elementwise, by plain NumPy iteration."""
    x = np.zeros_like(theta)
    for _ in range(200):
        x = 0.5 * np.cos(x) + theta
    return x


def fixed_point_bwd(x, g):
    """Implicit function theorem: dx/dtheta = (1 - df/dx)^-1 df/dtheta = 1 / (1 + 0.5 sin x)."""
    return (g / (1 + 0.5 * fnp.sin(x)),)


fixed_point.defvjp(lambda theta: (fixed_point(theta),) * 2, fixed_point_bwd)


def test_implicit_function_matches_finite_differences():
    theta = np.array([0.3, -0.8, 1.5])
    x = fixed_point(theta)
    assert np.allclose(x, 0.5 * np.cos(x) + theta, atol=1e-14)
    (g,) = fgrad.vjp(fixed_point, theta)[1](np.ones(3))
    assert np.allclose(g, numerical_jvp(fixed_point, (theta,), (np.ones(3),)), rtol=1e-7)
    check_grads(fixed_point, (theta,), order=2, modes=("fwd", "rev"))


def test_implicit_function_example_runs(capsys):
    runpy.run_path(str(EXAMPLES / "implicit_function.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    numbers = [float(line.split("=")[1]) for line in lines
               if "implicit" in line or "finite" in line]
    assert np.isclose(numbers[0], numbers[1], rtol=1e-8)  # first derivative vs FD
    assert np.isclose(numbers[2], numbers[3], rtol=1e-6)  # second derivative vs FD


# -- custom_jvp -------------------------------------------------------------------------

@custom_jvp
def softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)  # plain NumPy: never traced


@softplus.defjvp
def softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return softplus(x), sigmoid(x) * t


def test_custom_jvp_in_both_modes_and_second_order():
    assert softplus_jvp.__name__ == "softplus_jvp"  # defjvp returns the rule
    assert fgrad.grad(softplus)(1000.0) == 1.0
    assert fgrad.jvp(softplus, (1000.0,), (2.0,))[1] == 2.0
    for x in (-1.3, 0.4, 2.5):
        assert np.isclose(fgrad.grad(softplus)(x), sigmoid(x), rtol=1e-14)
        assert np.isclose(fgrad.grad(fgrad.grad(softplus))(x), sigmoid_prime(x), rtol=1e-12)
        assert np.isclose(fgrad.jvp(fgrad.grad(softplus), (x,), (1.0,))[1], sigmoid_prime(x))
    check_grads(softplus, (np.array([-1.3, 0.4, 2.5]),), order=2, modes=("fwd", "rev"))


def test_custom_jvp_rule_is_what_is_used():
    @custom_jvp
    def f(x):
        return fnp.sin(x)

    f.defjvp(lambda p, t: (f(p[0]), 2 * t[0]))  # deliberately not cos(x)
    assert fgrad.grad(f)(0.3) == 2.0
    assert fgrad.jvp(f, (0.3,), (1.5,))[1] == 3.0
    with pytest.raises(AssertionError):
        check_grads(f, (np.array([0.3]),), order=1, modes=("rev",))


# -- nondiff_argnums, pytrees, complex ----------------------------------------------------

def test_nondiff_argnums_are_passed_first_to_the_rules():
    def apply(fn, x):
        return fn(x)

    f = custom_vjp(apply, nondiff_argnums=(0,))
    def apply_bwd(fn, x, g):
        return (g * fgrad.jvp(fn, (x,), (fnp.ones_like(x),))[1],)  # fn acts elementwise

    f.defvjp(lambda fn, x: (fn(x), x), apply_bwd)
    assert np.isclose(fgrad.grad(f, argnums=1)(fnp.sin, 0.3), np.cos(0.3))
    check_grads(lambda x: f(fnp.tanh, x), (np.array([0.2, -0.4]),), order=2)

    h = custom_jvp(lambda x, n: x ** n, nondiff_argnums=(1,))
    h.defjvp(lambda n, p, t: (p[0] ** n, n * p[0] ** (n - 1) * t[0]))
    assert fgrad.grad(h)(2.0, 3) == 12.0
    assert fgrad.jvp(lambda x: h(x, 3), (2.0,), (1.0,))[1] == 12.0
    check_grads(lambda x: h(x, 3), (np.array([0.5, -1.5]),), order=2)


def test_pytree_inputs_and_outputs():
    @custom_vjp
    def f(params, x):
        return {"y": params["w"] * x + params["b"][0], "z": (fnp.sum(x * x),)}

    def f_fwd(params, x):
        return f(params, x), (params["w"], x)

    def f_bwd(res, g):
        w, x = res
        gy, (gz,) = g["y"], g["z"]
        params_ct = {"w": gy * x, "b": (fnp.sum(gy),)}
        return params_ct, gy * w + 2 * gz * x

    f.defvjp(f_fwd, f_bwd)
    params = {"w": np.array([1.5, -0.5]), "b": (np.array(0.3),)}
    x = np.array([0.7, 2.0])
    check_grads(f, (params, x), order=2, modes=("fwd", "rev"))

    g = custom_jvp(lambda p: {"s": p[0] * p[1], "d": p[0] - p[1]})
    g.defjvp(lambda p, t: (g(p[0]), {"s": t[0][0] * p[0][1] + p[0][0] * t[0][1],
                                     "d": t[0][0] - t[0][1]}))
    check_grads(g, ((np.array([1.0, 2.0]), np.array([-0.5, 0.3])),), order=2)


def test_none_cotangent_means_zero():
    @custom_vjp
    def f(x, y):
        return x * fnp.sum(y)

    f.defvjp(lambda x, y: (f(x, y), y), lambda y, g: (g * fnp.sum(y), None))
    gx, gy = fgrad.grad(f, argnums=(0, 1))(2.0, np.array([1.0, 2.0]))
    assert gx == 3.0 and np.array_equal(gy, [0.0, 0.0])


def test_complex_inputs_in_both_modes():
    @custom_vjp
    def abs2(z):
        return fnp.real(z * fnp.conj(z))  # not holomorphic

    abs2.defvjp(lambda z: (abs2(z), z), lambda z, g: (2 * g * fnp.conj(z),))

    @custom_vjp
    def cube(z):
        return z ** 3

    cube.defvjp(lambda z: (cube(z), z), lambda z, g: (3 * g * z ** 2,))  # transpose: no conj
    z = np.array([0.3 + 1.1j, -0.5 + 0.2j])
    t = np.array([1.0 - 0.5j, 0.3 + 0.2j])
    assert np.allclose(fgrad.jvp(abs2, (z,), (t,))[1], 2 * np.real(np.conj(z) * t))
    assert np.allclose(fgrad.jvp(cube, (z,), (t,))[1], 3 * z ** 2 * t)
    for f in (abs2, cube):
        check_grads(f, (z,), order=2, modes=("fwd", "rev"))


# -- vmap -------------------------------------------------------------------------------

@custom_jvp
def traceable_softplus(x):
    return fnp.log(1 + fnp.exp(-fnp.abs(x))) + fnp.maximum(x, 0)  # vmap runs it on boxes


traceable_softplus.defjvp(lambda p, t: (traceable_softplus(p[0]), sigmoid(p[0]) * t[0]))


@pytest.mark.filterwarnings("error")
def test_vmap_of_custom_functions():
    xs = np.array([1000.0, 0.3, -2.0])
    for f in (log1pexp, traceable_softplus):
        assert np.allclose(vmap(f)(xs), np.logaddexp(0, xs))
        assert np.allclose(vmap(fgrad.grad(f))(xs), sigmoid(xs))
        # vmap beneath grad keeps the custom rule: finite at 1000
        assert np.allclose(fgrad.grad(lambda x: fnp.sum(vmap(f)(x)))(xs), sigmoid(xs))
        assert np.allclose(fgrad.jvp(vmap(f), (xs,), (np.ones(3),))[1], sigmoid(xs))


@pytest.mark.filterwarnings("error")
def test_vmap_keeps_the_custom_rule_under_every_transform():
    @custom_vjp
    def f(x):
        return fnp.sin(x)

    f.defvjp(lambda x: (f(x), None), lambda res, g: (2 * g,))  # deliberately not cos(x)
    xs = np.array([0.1, 0.2, 0.3])
    assert np.allclose(vmap(f)(xs), np.sin(xs))
    assert np.allclose(fgrad.grad(lambda x: fnp.sum(vmap(f)(x)))(xs), 2.0)
    assert np.allclose(fgrad.jvp(vmap(f), (xs,), (np.ones(3),))[1], 2.0)
    assert np.allclose(vmap(fgrad.grad(f))(xs), 2.0)


# -- errors -----------------------------------------------------------------------------

def test_errors_are_loud():
    @custom_vjp
    def no_rule(x):
        return x

    with pytest.raises(TypeError, match="defvjp"):
        fgrad.grad(no_rule)(1.0)
    assert no_rule(1.0) == 1.0

    @custom_vjp
    def bad(x, y):
        return x * y

    bad.defvjp(lambda x, y: (x * y, (x, y)), lambda res, g: g * res[1])
    with pytest.raises(TypeError, match="tuple of 2"):
        fgrad.grad(bad)(1.0, 2.0)

    f = custom_vjp(lambda n, x: n * x, nondiff_argnums=(0,))
    f.defvjp(lambda n, x: (n * x, None), lambda n, res, g: (n * g,))
    with pytest.raises(TypeError, match="nondiff_argnums"):
        fgrad.grad(f)(2.0, 1.0)

    def outer(a):
        @custom_vjp
        def closes(x):
            return a * x

        closes.defvjp(lambda x: (a * x, None), lambda res, g: (a * g,))
        return closes(2 * a)

    with pytest.raises(TypeError, match="closes over"):
        fgrad.grad(outer)(2.0)


# -- each user rule runs once per pass; vjp_fn is pure; nothing leaks -------------------

def test_custom_jvp_rule_runs_once_per_jvp_and_per_backward_pass():
    calls = []

    @custom_jvp
    def f(x, y, z):
        return x * y, fnp.sin(z) + y

    @f.defjvp
    def f_jvp(primals, tangents):
        calls.append(1)
        (x, y, z), (tx, ty, tz) = primals, tangents
        return f(x, y, z), (tx * y + x * ty, fnp.cos(z) * tz + ty)

    args = tuple(np.array([0.5, -1.2]) * k for k in (1, 2, 3))
    fgrad.jvp(f, args, tuple(np.ones(2) for _ in args))
    assert len(calls) == 1  # three inputs, two outputs: one call (JAX: one)
    calls.clear()
    fgrad.grad(lambda *a: fnp.sum(f(*a)[0] * f(*a)[1]), argnums=(0, 1, 2))(*args)
    assert len(calls) == 2  # two calls of f, each transposed once
    check_grads(lambda x, y, z: f(x, y, z)[0] + f(x, y, z)[1], args, order=2)


def test_custom_vjp_bwd_runs_once_per_backward_pass_also_under_jvp():
    calls = []

    @custom_vjp
    def f(x, y, z):
        return x * y * z

    def f_bwd(res, g):
        calls.append(1)
        x, y, z = res
        return g * y * z, g * x * z, g * x * y

    f.defvjp(lambda x, y, z: (f(x, y, z), (x, y, z)), f_bwd)
    args = (np.array([0.5, 2.0]), np.array([-1.5, 0.25]), np.array([3.0, 0.5]))
    fgrad.grad(lambda *a: fnp.sum(f(*a)), argnums=(0, 1, 2))(*args)
    assert len(calls) == 1
    calls.clear()
    fgrad.jvp(f, args, tuple(np.ones(2) for _ in args))
    assert len(calls) == 1  # transposed once, not once per input


def _refilled_buffer_answers(f):
    ct = np.ones(3)
    _, vjp_fn = fgrad.vjp(f, np.array([1.0, 2.0, 3.0]))
    first = vjp_fn(ct)[0]
    ct[:] = [10.0, 20.0, 30.0]
    return first, vjp_fn(ct)[0]


@pytest.mark.parametrize("wrap", ["custom_vjp", "checkpoint"])
def test_vjp_fn_is_pure(wrap):
    def square(x):
        return x * x

    if wrap == "custom_vjp":
        f = custom_vjp(square)
        f.defvjp(lambda x: (x * x, x), lambda x, g: (2 * g * x,))
    else:
        f = fgrad.checkpoint(square)
    first, second = _refilled_buffer_answers(f)
    np.testing.assert_array_equal(first, [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(second, [20.0, 80.0, 180.0])

    _, vjp_fn = fgrad.vjp(f, np.array([1.0, 2.0, 3.0]))
    wrong = []

    def worker(seed):
        rng = np.random.default_rng(seed)
        for _ in range(200):
            ct = rng.standard_normal(3)
            if not np.array_equal(vjp_fn(ct)[0], 2 * ct * [1.0, 2.0, 3.0]):
                wrong.append(seed)

    import threading
    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_custom_functions_made_inside_a_loss_leak_nothing():
    import gc
    import tracemalloc

    from fgrad.rules import RULES

    def loss(w):
        @custom_vjp
        def scale(x):
            return 2.0 * x

        scale.defvjp(lambda x: (2.0 * x, None), lambda res, g: (2.0 * g,))
        h = fgrad.checkpoint(lambda y, v: fnp.tanh(y) * v)(w, w)
        return fnp.sum(scale(h) ** 2)

    w = np.linspace(-1, 1, 64)
    step = fgrad.grad(loss)
    for _ in range(20):
        step(w)
    gc.collect()
    tables = len(RULES)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(2000):
        w = w - 1e-3 * step(w)
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(RULES) == tables
    assert grown < 2 * 2**20, grown
