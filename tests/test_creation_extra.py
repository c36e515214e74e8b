"""Array creation beyond the spec rows: dtype casts, ragged nesting, retstep, num=1,
endpoint=False, integer dtypes, long lists, nested transforms, and fgrad.numpy.random."""
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import fgrad.tracer
from fgrad.testing import check_grads


def _jvp(f, *args):
    return fgrad.jvp(f, args, tuple(np.ones_like(a) for a in args))


# -- array: the plain path is NumPy's, traced values anywhere ---------------------------

def test_plain_array_is_numpys_own():
    for obj, kwargs in [([1, 2], {}), ([[1.0], [2.0]], {"dtype": np.float32}),
                        (3.0, {"ndmin": 2}), ((1j, 2), {"order": "F"})]:
        out, expected = fnp.array(obj, **kwargs), np.array(obj, **kwargs)
        assert type(out) is type(expected) and out.dtype == expected.dtype
        np.testing.assert_array_equal(out, expected)
    x = np.arange(3.0)
    assert fnp.asarray(x) is x and fnp.array(x) is not x
    assert fnp.ascontiguousarray(2.0).shape == np.ascontiguousarray(2.0).shape == (1,)
    with pytest.raises(ValueError, match="inhomogeneous"):
        fnp.array([[1.0, 2.0], [3.0]])


def test_traced_value_alone_is_returned_or_cast():
    seen = {}

    def f(x):
        seen["same"] = fnp.array(x) is x and fnp.asarray(x, copy=True) is x
        y = fnp.array(x, dtype=np.float32, ndmin=3)
        seen["y"] = (y.dtype, y.shape)
        return fnp.sum(y * 2.0)

    g = fgrad.grad(f)(np.array([1.0, 2.0]))
    assert seen == {"same": True, "y": (np.dtype(np.float32), (1, 1, 2))}
    np.testing.assert_array_equal(g, [2.0, 2.0])
    assert g.dtype == np.float64


def test_nested_mixed_values_equal_numpys_and_differentiate_in_every_element():
    x, y = np.array([0.5, -1.5]), np.float32(2.0)

    def build(x, y):
        return fnp.array([[[x[0], 1], (y, x[1])], np.stack([[3.0, 4.0], [5.0, 6.0]]),
                          [x, (np.float64(7.0), y * y)]])

    expected = np.array([[[0.5, 1], (2.0, -1.5)], [[3.0, 4.0], [5.0, 6.0]],
                         [[0.5, -1.5], (7.0, 4.0)]])
    out, _ = _jvp(build, x, y)
    assert out.dtype == expected.dtype and out.shape == (3, 2, 2)
    np.testing.assert_array_equal(out, expected)
    w = np.arange(12.0).reshape(3, 2, 2)
    gx, gy = fgrad.grad(lambda x, y: fnp.sum(w * build(x, y)), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, [0.0 + 8.0, 3.0 + 9.0])
    assert gy.dtype == np.float32 and gy == 2.0 + 11.0 * 2 * 2.0
    check_grads(build, (x, np.float64(y)), order=2)


def test_dtype_casts():
    def to32(a, b):
        return fnp.array([a, b, 1.0], dtype=np.float32)

    out, t = _jvp(to32, 1.25, 3.0)
    assert out.dtype == t.dtype == np.float32
    np.testing.assert_array_equal(t, [1.0, 1.0, 0.0])
    grads = fgrad.grad(lambda a, b: fnp.sum(to32(a, b) * np.array([2, 3, 4])),
                       argnums=(0, 1))(1.25, 3.0)
    assert [g.dtype for g in grads] == [np.float64, np.float64] and grads == (2.0, 3.0)
    # a float32 value among Python floats makes float64, as in NumPy
    out, t = _jvp(lambda a: fnp.array([a, 1.0]), np.float32(2.0))
    assert out.dtype == t.dtype == np.float64
    # to complex: the real input's cotangent is the real part
    g = fgrad.grad(lambda a: fnp.real(fnp.sum(fnp.array([a, 2 * a], dtype=complex) * (1 + 2j))))
    assert g(1.0) == 3.0
    # to an integer dtype: values as NumPy's, and no derivative
    out, t = _jvp(lambda a: fnp.array([a, [2.7, a[1]]], dtype=int), np.array([1.9, -0.5]))
    np.testing.assert_array_equal(out, np.array([[1.9, -0.5], [2.7, -0.5]], dtype=int))
    assert out.dtype == np.dtype(int) and not np.any(t)


def test_traced_values_in_an_object_array_are_refused():
    with pytest.raises(TypeError, match="dtype object"):
        fgrad.grad(lambda a: fnp.array([a, 1.0], dtype=object)[0])(1.0)


@pytest.mark.parametrize("obj", [
    lambda x: [x, [1.0, 2.0]],            # a scalar beside a list
    lambda x: [[x, 1.0], [2.0]],          # rows of different lengths
    lambda x: [x, np.ones(2)],            # a scalar beside an array
    lambda x: [[x], [x, x]],
])
def test_ragged_nesting_raises_numpys_error(obj):
    with pytest.raises(ValueError) as plain:
        np.array(obj(1.0))
    for transform in (fgrad.grad, fgrad.vmap):
        with pytest.raises(ValueError) as traced:
            transform(lambda x: fnp.sum(fnp.array(obj(x))))(np.ones(3) if transform is
                                                             fgrad.vmap else 1.0)
        assert type(traced.value) is type(plain.value)
        if transform is fgrad.grad:
            assert str(traced.value) == str(plain.value)


def test_copy_false_raises_as_numpy_does():
    if int(np.__version__.split(".")[0]) < 2:
        pytest.skip("NumPy 1.x copies when it must")
    with pytest.raises(ValueError, match="avoid copy"):
        np.array([1.0], copy=False)
    with pytest.raises(ValueError, match="avoid copy"):
        fgrad.grad(lambda a: fnp.sum(fnp.array([a, a], copy=False)))(1.0)
    with pytest.raises(ValueError, match="avoid copy"):
        fgrad.grad(lambda a: fnp.sum(fnp.asarray(a, dtype=np.float32, copy=False)))(1.0)
    assert fgrad.grad(lambda a: fnp.sum(fnp.asarray(a, copy=False)))(1.0) == 1.0


def test_asarray_refuses_unknown_keywords_under_tracing():
    with pytest.raises(TypeError, match="bogus"):
        fgrad.grad(lambda a: fnp.sum(fnp.asarray([a], bogus=1)))(1.0)


def test_long_lists_cost_one_primitive_at_every_order(monkeypatch):
    """array of n traced values binds a fixed number of primitives, whatever n,
    in a Hessian-vector product (so no per-element slicing, no quadratic zeros)."""
    counts = {}
    bind = fgrad.tracer.bind

    def counting(prim, args, params):
        counts[prim.name] = counts.get(prim.name, 0) + 1
        return bind(prim, args, params)

    def binds(n):
        def f(*xs):
            return fnp.sum(fnp.array([[x, 1.0] for x in xs]) ** 3)
        xs = tuple(np.float64(i) for i in range(n))
        counts.clear()
        with monkeypatch.context() as patch:
            patch.setattr(fgrad.tracer, "bind", counting)
            h = fgrad.jvp(fgrad.grad(f, argnums=tuple(range(n))), xs, xs)[1]
        np.testing.assert_allclose(h, [6.0 * x * x for x in xs])
        return dict(counts)

    small, large = binds(5), binds(200)
    assert small == large
    assert small.get("array", 0) >= 2 and small.get("array_unpack", 0) >= 1


def test_nested_grad_and_vmap_through_array():
    # grad of grad: the outer x and the inner y in one list
    outer = fgrad.grad(lambda x: fgrad.grad(
        lambda y: fnp.sum(fnp.array([x * y, y, 1.0]) ** 2))(2.0))
    assert outer(3.0) == 24.0  # d/dx (4 x^2 + 4)

    def f(x, y):
        return fnp.array([[x, 1.0], [y * x, np.float64(2.0)]], ndmin=3)

    xs, ys = np.arange(6.0).reshape(2, 3), np.linspace(-1, 1, 3)
    nested = fgrad.vmap(fgrad.vmap(f, in_axes=(0, None)), in_axes=(1, 0))(xs, ys)
    loop = np.stack([np.stack([f(xs[i, j], ys[j]) for i in range(2)]) for j in range(3)])
    np.testing.assert_array_equal(nested, loop)
    # vmap of grad and grad of vmap, both through the batched transpose
    per_example = fgrad.vmap(fgrad.grad(lambda x: fnp.sum(f(x, 2.0) ** 2)))(ys)
    np.testing.assert_allclose(per_example, 2 * ys + 8 * ys)
    whole = fgrad.grad(lambda v: fnp.sum(fgrad.vmap(f, in_axes=(0, None))(v, 2.0) ** 2))(ys)
    np.testing.assert_allclose(whole, 10 * ys)
    hessian = fgrad.hessian(lambda v: fnp.sum(fnp.array([v[0] * v[1], v[1], 3.0]) ** 2))
    np.testing.assert_allclose(hessian(np.array([1.0, 2.0])), [[8.0, 8.0], [8.0, 4.0]])


# -- full and full_like -------------------------------------------------------------

def test_full_is_linear_in_the_fill_value():
    g = fgrad.grad(lambda v: fnp.sum(fnp.full((4, 3), v) * np.arange(3.0)))(np.ones(3))
    np.testing.assert_array_equal(g, [0.0, 4.0, 8.0])
    out, t = _jvp(lambda v: fnp.full((2,), v, dtype=np.float32), 1.5)
    assert out.dtype == t.dtype == np.float32 and out.flags.writeable
    # leading length-1 axes of the fill value are dropped, as NumPy drops them
    g = fgrad.grad(lambda v: fnp.sum(fnp.full((3,), v) * np.arange(3.0)))(np.ones((1, 1, 3)))
    np.testing.assert_array_equal(g, [[[0.0, 1.0, 2.0]]])
    # a list holding a traced value fills too
    np.testing.assert_array_equal(_jvp(lambda v: fnp.full((2, 2), [v, 1.0]), 3.0)[1],
                                  [[1.0, 0.0], [1.0, 0.0]])


def test_full_like_takes_a_dtype_and_shape():
    a = np.arange(6).reshape(2, 3)  # integers: the fill is cast, no derivative
    out, t = _jvp(lambda v: fnp.full_like(a, v), 2.7)
    np.testing.assert_array_equal(out, np.full_like(a, 2.7))
    assert out.dtype == a.dtype and not np.any(t)
    out, t = _jvp(lambda v: fnp.full_like(a, v, dtype=float, shape=(4,)), 2.5)
    np.testing.assert_array_equal(t, np.ones(4))
    # traced ``a`` alone: the result is a constant, under vmap too
    out = fgrad.vmap(lambda x: fnp.full_like(x, 2.0) + fnp.zeros_like(x, np.float32))(a * 1.0)
    np.testing.assert_array_equal(out, np.full((2, 3), 2.0))


def test_like_functions_under_vmap():
    x = np.ones((3, 2))
    out = fgrad.vmap(lambda r: fnp.ones_like(r, shape=(4,)) + fnp.zeros_like(r)[0])(x)
    assert out.shape == (3, 4)
    out = fgrad.vmap(lambda r: fnp.empty_like(r, dtype=np.float32), in_axes=1)(x)
    assert out.shape == (2, 3) and out.dtype == np.float32


# -- linspace, logspace, geomspace ---------------------------------------------------

@pytest.mark.parametrize("num, endpoint", [(5, True), (5, False), (1, True), (1, False),
                                            (0, True), (2, True)])
def test_linspace_weights(num, endpoint):
    """y_k = (1 - w_k) start + w_k stop, w_k = k / div (0 when div = 0)."""
    div = num - 1 if endpoint else num
    w = np.arange(num) / div if div > 0 else np.zeros(num)
    start, stop = np.array([1.0, -2.0]), np.array([3.0, 0.5])
    f = lambda a, b: fnp.linspace(a, b, num, endpoint=endpoint, axis=-1)  # noqa: E731
    out, t = fgrad.jvp(f, (start, stop), (np.ones(2), np.zeros(2)))
    np.testing.assert_array_equal(out, np.linspace(start, stop, num, endpoint, axis=-1))
    np.testing.assert_allclose(t, np.tile(1 - w, (2, 1)), atol=1e-15)
    g = np.arange(2 * num, dtype=float).reshape(2, num)
    ga, gb = fgrad.vjp(f, start, stop)[1](g)
    np.testing.assert_allclose(ga, g @ (1 - w))
    np.testing.assert_allclose(gb, g @ w)


def test_linspace_retstep():
    def f(a, b, endpoint=True, num=5):
        return fnp.linspace(a, b, num, endpoint=endpoint, retstep=True)

    (y, step), (ty, tstep) = fgrad.jvp(f, (1.0, 3.0), (0.0, 1.0))
    assert step == np.linspace(1.0, 3.0, 5, retstep=True)[1] == 0.5 and tstep == 0.25
    assert fgrad.grad(lambda b: f(1.0, b, False)[1])(3.0) == 0.2
    (y, step), (ty, tstep) = fgrad.jvp(lambda a: f(a, 3.0, num=1), (1.0,), (1.0,))
    assert np.isnan(step) and tstep == 0.0 and y == 1.0 and ty == 1.0
    # float32 end points: the step is float32, as NumPy's
    (y, step), _ = fgrad.jvp(f, (np.float32(1), np.float32(2)), (np.float32(1),) * 2)
    assert y.dtype == np.asarray(step).dtype == np.float32


def test_linspace_dtypes():
    a, b = np.array([0.3, -2.2]), np.array([4.9, 2.6])
    out, t = _jvp(lambda a, b: fnp.linspace(a, b, 7, dtype=int), a, b)
    np.testing.assert_array_equal(out, np.linspace(a, b, 7, dtype=int))  # floored
    assert out.dtype == np.dtype(int) and not np.any(t)
    out, t = _jvp(lambda a, b: fnp.linspace(a, b, 7, dtype=np.float32), a, b)
    np.testing.assert_array_equal(out, np.linspace(a, b, 7, dtype=np.float32))
    assert t.dtype == np.float32
    np.testing.assert_allclose(t, np.ones((7, 2)), rtol=1e-6)
    out, t = _jvp(lambda a: fnp.linspace(a, 2, 3), np.float32(1.0))  # 2 is weak, as in NumPy
    assert out.dtype == t.dtype == np.float32


def test_linspace_bad_arguments_raise_as_numpy_does():
    with pytest.raises(ValueError, match="must be non-negative"):
        fgrad.grad(lambda a: fnp.sum(fnp.linspace(a, 1.0, -1)))(0.0)
    with pytest.raises(np.exceptions.AxisError):
        fgrad.grad(lambda a: fnp.sum(fnp.linspace(a, 1.0, 3, axis=2)))(np.zeros(2))
    with pytest.raises(np.exceptions.AxisError):
        fgrad.vmap(lambda a: fnp.linspace(a, 1.0, 3, axis=2))(np.zeros((4, 2)))


def test_logspace_base_and_dtype():
    f = lambda a, b, base: fnp.logspace(a, b, 4, base=base)  # noqa: E731
    start, stop, base = 0.5, 1.5, np.array([2.0, 3.0])
    out = f(start, stop, base)
    np.testing.assert_array_equal(_jvp(f, start, stop, base)[0], out)
    y = np.linspace(start, stop, 4)[:, None]
    g = fgrad.grad(lambda c: fnp.sum(f(start, stop, c)))(base)
    np.testing.assert_allclose(g, np.sum(y * base ** (y - 1), axis=0))
    out, t = _jvp(lambda a: fnp.logspace(a, 2.0, 3, dtype=int), 0.0)
    np.testing.assert_array_equal(out, np.logspace(0.0, 2.0, 3, dtype=int))
    assert out.dtype == np.dtype(int) and not np.any(t)


def test_geomspace_endpoints_and_errors():
    f = lambda a, b: fnp.geomspace(a, b, 4)  # noqa: E731
    out, t = fgrad.jvp(f, (2.0, 16.0), (1.0, 0.0))
    np.testing.assert_array_equal(out, np.geomspace(2.0, 16.0, 4))
    np.testing.assert_allclose(t, [1.0, 4.0 * 2 / 3 / 2, 8.0 / 3 / 2, 0.0], atol=1e-15)
    with pytest.raises(ValueError, match="cannot include zero"):
        fgrad.grad(lambda a: fnp.sum(f(a, 1.0)))(0.0)
    out, t = _jvp(lambda a, b: fnp.geomspace(a, b, 5, dtype=np.int8), 1.0, 300.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_array_equal(out, np.geomspace(1.0, 300.0, 5, dtype=np.int8))
    assert out.dtype == np.int8 and not np.any(t)
    # float32 end points compute in float64, unless dtype asks for float32
    for dtype, expected in ((None, np.float64), (np.float32, np.float32)):
        out, t = _jvp(lambda a: fnp.geomspace(a, np.float32(9), 3, dtype=dtype),
                      np.float32(1))
        assert out.dtype == t.dtype == expected


# -- fgrad.numpy.random -----------------------------------------------------------

def test_random_is_numpys():
    import fgrad.numpy.random as fr
    from fgrad.numpy.random import default_rng
    assert default_rng is np.random.default_rng and fr.Generator is np.random.Generator
    np.testing.assert_array_equal(fr.default_rng(0).standard_normal(3),
                                  np.random.default_rng(0).standard_normal(3))
    assert set(fr.__all__) == set(np.random.__all__)
    assert all(getattr(fr, name) is getattr(np.random, name) for name in fr.__all__)
    fr.seed(3)
    first = fr.rand(2)
    np.random.seed(3)
    np.testing.assert_array_equal(first, np.random.rand(2))  # one global state
