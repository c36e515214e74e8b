"""Order statistics beyond the spec rows: conventions at ties, NaNs, every quantile
method and q shape, q as a differentiated argument, batching corners, and the errors."""
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from domains import distinct, rng_for
from fgrad.testing import check_grads
from helpers import assert_same, traced

METHODS = ("linear", "lower", "higher", "nearest", "midpoint", "inverted_cdf",
           "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen",
           "weibull", "median_unbiased", "normal_unbiased")
QUANTILES = (np.quantile, np.percentile, np.nanquantile, np.nanpercentile)


# -- ties: the stable sort's permutation decides ----------------------------------------

def test_sort_at_ties_follows_the_stable_permutation():
    x = np.array([1.0, 1.0, 1.0, 0.0, 0.0])
    perm = np.argsort(x, kind="stable")  # [3, 4, 0, 1, 2]; NumPy's default gives [3, 4, 1, 0, 2]
    for kind in (None, "quicksort", "heapsort", "stable"):
        f = lambda x: fnp.sort(x, kind=kind)  # noqa: E731
        np.testing.assert_array_equal(fgrad.jacfwd(f)(x), np.eye(5)[perm])
        np.testing.assert_array_equal(fgrad.jacrev(f)(x), np.eye(5)[perm])


def test_median_and_quantile_at_ties_take_the_stable_ranks():
    x = np.array([2.0, 2.0, 2.0, 1.0, 1.0])  # stable order: 3, 4, 0, 1, 2
    np.testing.assert_array_equal(fgrad.grad(fnp.median)(x), [1.0, 0.0, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(fgrad.grad(fnp.median)(x[1:]), [0.5, 0.0, 0.0, 0.5])
    # linear at q = 0.9: ranks 3 and 4 (elements 1 and 2) with weights 0.4 and 0.6
    np.testing.assert_allclose(fgrad.grad(lambda x: fnp.quantile(x, 0.9))(x),
                               [0.0, 0.4, 0.6, 0.0, 0.0])
    np.testing.assert_array_equal(fgrad.grad(lambda x: fnp.quantile(x, 1.0, method="lower"))(x),
                                  [0.0, 0.0, 1.0, 0.0, 0.0])


def test_partition_pairs_equal_values_in_position_order():
    x = np.array([3.0, 1.0, 3.0, 1.0, 2.0])
    out = np.partition(x, 2)
    jac = fgrad.jacfwd(lambda x: fnp.partition(x, 2))(x)
    # each output is the input it equals, the k-th equal output the k-th equal input
    src = jac.argmax(axis=1)
    np.testing.assert_array_equal(x[src], out)
    for v in (1.0, 3.0):
        assert list(src[out == v]) == list(np.flatnonzero(x == v))
    np.testing.assert_array_equal(fgrad.jacrev(lambda x: fnp.partition(x, 2))(x), jac)


def test_partition_derivative_matches_numpys_arrangement_on_large_inputs():
    """NumPy's SIMD partition and argpartition may arrange the other elements
    differently; the derivative must follow partition's own output."""
    x = rng_for("big-partition").standard_normal(3000)
    kth = [5, 1500, 2990]
    out, t = fgrad.jvp(lambda x: fnp.partition(x, kth), (x,), (x * 3.0,))
    assert_same(out, np.partition(x, kth))
    np.testing.assert_array_equal(t, out * 3.0)
    g = fgrad.grad(lambda x: fnp.sum(fnp.partition(x, kth) * np.arange(3000.0)))(x)
    np.testing.assert_array_equal(g[np.argsort(x)], np.arange(3000.0)[np.argsort(out)])


def test_higher_orders_and_vmap_through_sort():
    x = distinct(rng_for("sort-hessian"), (6,))
    w = np.arange(6.0)
    f = lambda x: fnp.sum(fnp.sort(x) ** 3 * w)  # noqa: E731
    h = fgrad.hessian(f)(x)
    ranks = np.argsort(np.argsort(x))
    np.testing.assert_allclose(h, np.diag(6 * x * w[ranks]), rtol=1e-12)
    xs = distinct(rng_for("sort-vmap-grad"), (4, 2, 6))
    g = fgrad.vmap(fgrad.grad(lambda x: fnp.sum(fnp.sort(x, axis=0) ** 3 * w)))(xs)
    loop = [fgrad.grad(lambda x: fnp.sum(fnp.sort(x, axis=0) ** 3 * w))(x) for x in xs]
    np.testing.assert_allclose(g, np.stack(loop), rtol=1e-12)
    g = fgrad.grad(lambda xs: fnp.sum(fgrad.vmap(lambda x: fnp.median(x, axis=1))(xs) ** 2))(xs)
    loop = fgrad.grad(lambda xs: fnp.sum(fnp.median(xs, axis=2) ** 2))(xs)
    np.testing.assert_allclose(g, loop, rtol=1e-12)


def test_sort_params_under_a_transform():
    x = distinct(rng_for("sort-params"), (3, 4))
    for kw in ({"kind": "mergesort"}, {"stable": True}, {"axis": -2, "kind": "heapsort"}):
        assert_same(traced(lambda x: fnp.sort(x, **kw), x), np.sort(x, **kw))
        assert_same(traced(lambda x: fnp.argsort(x, **kw), x), np.argsort(x, **kw))


# -- NaNs ------------------------------------------------------------------------------

NAN_ROWS = np.array([[np.nan, 2.0, 1.0, 5.0], [3.0, np.nan, np.nan, 0.5],
                     [4.0, 1.0, 2.0, 3.0]])


def test_sort_puts_nans_last_and_moves_their_tangents_along():
    x = NAN_ROWS[0]
    out, t = fgrad.jvp(fnp.sort, (x,), (np.arange(4.0),))
    assert_same(out, np.sort(x))
    np.testing.assert_array_equal(t, [2.0, 1.0, 3.0, 0.0])


@pytest.mark.parametrize("method", METHODS)
def test_nan_quantiles_skip_nans_bit_for_bit(method):
    for axis in (1, None):
        for q in (0.4, [0.0, 0.35, 1.0]):
            f = lambda a: fnp.nanquantile(a, q, axis=axis, method=method)  # noqa: E731
            assert_same(traced(f, NAN_ROWS), np.nanquantile(NAN_ROWS, q, axis=axis,
                                                            method=method))
            g = fgrad.jacrev(f)(NAN_ROWS)
            assert np.all(g[..., np.isnan(NAN_ROWS)] == 0) and np.all(np.isfinite(g))


def test_quantiles_of_slices_with_nans_are_nan():
    for fn, q in ((fnp.median, ()), (fnp.quantile, (0.3,)), (fnp.percentile, ([10, 90],))):
        np_fn = getattr(np, fn.__name__)
        assert_same(traced(lambda a: fn(a, *q, axis=1), NAN_ROWS), np_fn(NAN_ROWS, *q, axis=1))
        batched = fgrad.vmap(lambda a: fn(a, *q))(NAN_ROWS)
        assert_same(batched, np.stack([np_fn(r, *q) for r in NAN_ROWS]))


def test_all_nan_slices_give_nan_and_zero_derivative():
    a = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for fn, q in ((fnp.nanmedian, ()), (fnp.nanquantile, (0.3,)),
                      (fnp.nanpercentile, ([0.0, 50.0],))):
            f = lambda a: fn(a, *q, axis=1)  # noqa: E731
            assert_same(traced(f, a), getattr(np, fn.__name__)(a, *q, axis=1))
            g = fgrad.jacrev(f)(a)
            assert np.all(g[..., 0, :] == 0) and np.all(np.isfinite(g))
            assert np.any(g[..., 1, :] != 0)


# -- every method, q shapes, dtypes -------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_every_method_bit_for_bit_and_differentiable(method):
    x = distinct(rng_for(f"method-{method}"), (5, 4))
    for np_fn in QUANTILES:
        top = 100.0 if "percentile" in np_fn.__name__ else 1.0
        fn = getattr(fnp, np_fn.__name__)
        for q in (0.5 * top, np.float32(0.25 * top), top * np.array([0.0, 0.3, 0.75, 1.0]),
                  top * np.array([[0.1, 0.2], [0.9, 0.95]])):
            for dtype in (np.float64, np.float32):
                f = lambda x: fn(x, q, axis=0, method=method)  # noqa: E731
                xd = x.astype(dtype)
                assert_same(traced(f, xd), np_fn(xd, q, axis=0, method=method))
        check_grads(lambda x: fn(x, top * np.array([0.1, 0.5, 0.85]), axis=1, method=method),
                    (x,))


def test_python_scalar_q_keeps_float32():
    x = distinct(rng_for("weak-q"), (4, 3)).astype(np.float32)
    for np_fn in QUANTILES:
        fn = getattr(fnp, np_fn.__name__)
        for q in (0.7, 1, 0):
            q = q * 100 if "percentile" in np_fn.__name__ else q
            out = traced(lambda x: fn(x, q, axis=0), x)
            assert out.dtype == np.float32
            assert_same(out, np_fn(x, q, axis=0))
        # a NumPy scalar or an array q is not weak: float64, as NumPy
        assert traced(lambda x: fn(x, np.float64(0.5), axis=0), x).dtype == np.float64


def test_array_q_with_keepdims_and_tuple_axes():
    x = distinct(rng_for("q-shapes"), (2, 3, 4))
    for q in (np.array([0.2, 0.8]), np.array([[0.1, 0.6, 0.9], [0.0, 0.5, 1.0]])):
        for axis in ((0, 2), (2, 0), (-1,), None):
            for kd in (False, True):
                f = lambda x: fnp.quantile(x, q, axis=axis, keepdims=kd)  # noqa: E731
                assert_same(traced(f, x), np.quantile(x, q, axis=axis, keepdims=kd))
                check_grads(f, (x,), order=1)


def test_quantile_derivative_in_q():
    x = np.array([0.0, 1.0, 4.0, 10.0])  # n - 1 = 3: slopes 3, 9, 18 on the three pieces
    for q, slope in ((0.2, 3.0), (0.5, 9.0), (0.9, 18.0)):
        np.testing.assert_allclose(fgrad.grad(lambda q: fnp.quantile(x, q), argnums=0)(q), slope)
        np.testing.assert_allclose(fgrad.grad(lambda p: fnp.percentile(x, p))(100 * q),
                                   slope / 100)
    # at a sample position, the piece to the right
    np.testing.assert_allclose(fgrad.grad(lambda q: fnp.quantile(x, q))(1 / 3), 9.0)
    for method in ("lower", "higher", "nearest", "midpoint", "inverted_cdf"):
        with pytest.warns(UserWarning, match="does not depend"):
            assert fgrad.grad(lambda q: fnp.quantile(x, q, method=method))(0.4) == 0.0
    # with a NaN, n counts the numbers only: [0, 1, 10], n - 1 = 2
    y = np.array([0.0, np.nan, 1.0, 10.0])
    np.testing.assert_allclose(fgrad.grad(lambda q: fnp.nanquantile(y, q))(0.75), 18.0)
    # q batched: positions that vary by example
    qs = np.array([0.2, 0.5, 0.9])
    assert_same(fgrad.vmap(lambda q: fnp.quantile(x, q))(qs), np.quantile(x, qs))
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(lambda q: fnp.quantile(x, q)))(qs),
                               [3.0, 9.0, 18.0])


# -- batching corners ------------------------------------------------------------------

def test_searchsorted_batched_either_way():
    rng = rng_for("searchsorted")
    a = np.sort(rng.integers(-3, 4, (4, 7)).astype(float), axis=1)
    a[1, -2:] = np.nan  # NaNs sort last, and searchsorted knows it
    v = rng.integers(-4, 5, (4, 2, 3)).astype(float)
    v[0, 0, 0] = np.nan
    for side in ("left", "right"):
        both = fgrad.vmap(lambda a, v: fnp.searchsorted(a, v, side))(a, v)
        assert_same(both, np.stack([np.searchsorted(a[i], v[i], side) for i in range(4)]))
        only_v = fgrad.vmap(lambda v: fnp.searchsorted(a[2], v, side=side), in_axes=2)(v)
        assert_same(only_v, np.stack([np.searchsorted(a[2], v[:, :, i], side)
                                      for i in range(3)]))
        only_a = fgrad.vmap(lambda a: fnp.searchsorted(a, v[1], side))(a)
        assert_same(only_a, np.stack([np.searchsorted(r, v[1], side) for r in a]))
    with pytest.raises(ValueError, match="left' or 'right"):
        fgrad.vmap(lambda a: fnp.searchsorted(a, v[1], "middle"))(a)


def test_searchsorted_batched_inside_grad_sees_traced_rows():
    """The batching rule meets values of an outer transform: it must use fgrad operations."""
    a = np.sort(distinct(rng_for("inside-grad"), (3, 5)), axis=1)

    def loss(a):
        found = fgrad.vmap(lambda r: fnp.searchsorted(r, r[2] + 0.1))(a)  # 3 in every row
        return fnp.sum(a[:, 0] * found)

    np.testing.assert_array_equal(fgrad.grad(loss)(a), np.eye(5)[[0, 0, 0]] * 3.0)


def test_searchsorted_with_a_batched_sorter():
    rng = rng_for("sorter")
    a, v = rng.standard_normal((3, 6)), rng.standard_normal((3, 4))
    got = fgrad.vmap(lambda a, v: fnp.searchsorted(a, v, sorter=fnp.argsort(a)))(a, v)
    assert_same(got, np.stack([np.searchsorted(r, w, sorter=np.argsort(r))
                               for r, w in zip(a, v)]))


def test_nested_vmap_of_the_integer_functions():
    x = distinct(rng_for("nested"), (2, 3, 5))
    for f in (lambda x: fnp.argsort(x), lambda x: fnp.argpartition(x, 3),
              lambda x: fnp.lexsort((x, -x)), lambda x: fnp.searchsorted(np.sort(x), x + 0.1)):
        got = fgrad.vmap(fgrad.vmap(f), in_axes=1)(x)
        assert_same(got, np.stack([np.stack([f(x[i, j]) for i in range(2)])
                                   for j in range(3)]))


def test_lexsort_takes_a_2d_array_of_keys_and_batches_it():
    keys = rng_for("lexsort").integers(0, 3, (4, 2, 6)).astype(float)  # batch, key, element
    assert_same(traced(lambda k: fnp.lexsort(k), keys[0]), np.lexsort(keys[0]))
    assert_same(fgrad.vmap(fnp.lexsort)(keys), np.stack([np.lexsort(k) for k in keys]))


def test_unique_with_its_flags_under_transforms():
    x = np.array([3.0, 1.0, 3.0, 2.0, 1.0])
    for kw in ({}, {"return_index": True}, {"return_inverse": True, "return_counts": True}):
        got, want = traced(lambda x: fnp.unique(x, **kw), x), np.unique(x, **kw)
        for g, w in zip(got if kw else [got], want if kw else [want], strict=True):
            assert_same(g, w)


def test_unique_under_vmap_is_an_error_naming_it():
    with pytest.raises(ValueError, match="unique.*data-dependent|unique.*depends"):
        fgrad.vmap(fnp.unique)(np.ones((2, 3)))
    with pytest.raises(ValueError, match="unique"):
        fgrad.vmap(lambda x: fnp.unique(x, return_counts=True)[1])(np.ones((2, 3)))
    # an unbatched argument inside vmap is fine: unique runs once
    out = fgrad.vmap(lambda x: x + fnp.unique(np.array([2.0, 1.0, 2.0]))[0])(np.ones(3))
    assert_same(out, np.full(3, 2.0))


# -- errors ----------------------------------------------------------------------------

def test_errors_match_numpy():
    a = distinct(rng_for("errors"), (3, 4))
    cases = [
        (ValueError, "Quantiles must be in the range", lambda m, a: m.quantile(a, 1.5)),
        (ValueError, "Quantiles must be in the range", lambda m, a: m.nanquantile(a, [-0.1])),
        (ValueError, "Percentiles must be in the range", lambda m, a: m.percentile(a, 101)),
        (ValueError, "not a valid method", lambda m, a: m.quantile(a, 0.5, method="mean")),
        (TypeError, "real numbers", lambda m, a: m.quantile(a * 1j, 0.5)),
        (ValueError, "q must be a scalar or 1d",
         lambda m, a: m.quantile(a, np.full((2, 2, 2), 0.5))),
        (np.exceptions.AxisError, "axis", lambda m, a: m.median(a, axis=2)),
        (ValueError, "repeated axis", lambda m, a: m.quantile(a, 0.5, axis=(0, -2))),
    ]
    for exc, match, call in cases:
        with pytest.raises(exc, match=match):
            call(np, a)
        with pytest.raises(exc, match=match):
            traced(lambda a: call(fnp, a), a)


def test_out_and_weights_are_refused():
    a = distinct(rng_for("refuse"), (5,))
    for f in (lambda a: fnp.median(a, out=np.empty(())),
              lambda a: fnp.nanpercentile(a, 50, out=np.empty(()))):
        with pytest.raises(TypeError, match="out="):
            f(a)  # on plain arrays too, as every fgrad.numpy function
    with pytest.raises(TypeError, match="out="):
        traced(lambda a: fnp.median(a, out=np.empty(())), a)
    with pytest.raises(TypeError, match="out="):
        traced(lambda a: fnp.sort(a, out=np.empty(5)), a)
    with pytest.raises(NotImplementedError, match="weights"):
        traced(lambda a: fnp.quantile(a, 0.5, method="inverted_cdf", weights=np.ones(5)), a)
