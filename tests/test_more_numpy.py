"""The rest of NumPy's functions beyond the spec rows: statistics, signal, polynomial, sets,
and the additions to shape, order, indexing and creation. Conventions at knots and ties,
NumPy's errors and dtypes under transforms, what vmap refuses (data-dependent shapes),
the in-place functions' errors, and the functions that read only dtypes or shapes."""
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.testing import check_grads
from helpers import assert_same, traced

RNG = np.random.default_rng(0)


# -- histograms ------------------------------------------------------------------------

A = RNG.standard_normal(40)
W = RNG.uniform(0.5, 1.5, 40)


def test_histogram_counts_have_no_derivative_in_the_data():
    def counts(a):
        return fnp.histogram(a, 5, range=(-2, 2))[0] * 1.0
    np.testing.assert_array_equal(fgrad.jacfwd(counts)(A), np.zeros((5, 40)))
    np.testing.assert_array_equal(fgrad.jacrev(counts)(A), np.zeros((5, 40)))


def test_histogram_weights_cotangent_is_read_at_each_samples_bin():
    g = RNG.standard_normal(5)
    ct = fgrad.vjp(lambda w: fnp.histogram(A, 5, range=(-1, 1), weights=w)[0], W)[1](g)[0]
    k = np.searchsorted(np.linspace(-1, 1, 6), A, side="right") - 1
    k[A == 1] = 4
    expected = np.where((A >= -1) & (A <= 1), g[np.clip(k, 0, 4)], 0)
    np.testing.assert_array_equal(ct, expected)


def test_histogram_edges_move_with_the_extremes_only():
    jac = fgrad.jacrev(lambda a: fnp.histogram_bin_edges(a, 4))(A)
    lo, hi = np.argmin(A), np.argmax(A)
    w = np.linspace(0, 1, 5)
    expected = np.zeros((5, 40))
    expected[:, lo], expected[:, hi] = 1 - w, w
    np.testing.assert_allclose(jac, expected, atol=1e-15)


def test_histogram_of_equal_values_widens_the_range_as_numpy():
    a = np.full(4, 2.5)
    out, edges = traced(lambda a: fnp.histogram(a, 2), a)
    assert_same((out, edges), np.histogram(a, 2))
    assert fgrad.jacrev(lambda a: fnp.histogram_bin_edges(a, 2))(a).sum() == pytest.approx(3.0)


@pytest.mark.parametrize("bins", ["auto", "fd", "sturges", "rice", "sqrt", "doane", "scott",
                                  "stone"])
def test_histogram_automatic_bins_are_numpys(bins):
    assert_same(traced(lambda a: fnp.histogram(a, bins), A), np.histogram(A, bins))


def test_histogram_sums_many_weights_in_numpys_blocks():
    a, w = RNG.standard_normal(70000), RNG.standard_normal(70000).astype(np.float32)
    assert_same(traced(lambda w: fnp.histogram(a, 7, weights=w)[0], w),
                np.histogram(a, 7, weights=w)[0])
    assert_same(traced(lambda w: fnp.histogram(a, [-3, -1, 0, 0.5, 3], weights=w)[0], w),
                np.histogram(a, [-3, -1, 0, 0.5, 3], weights=w)[0])
    s = a.reshape(-1, 2)
    assert_same(traced(lambda w: fnp.histogramdd(s, 3, weights=w)[0], a[:35000]),
                np.histogramdd(s, 3, weights=a[:35000])[0])
    s = np.stack([a, a[::-1]], axis=1)
    assert_same(traced(lambda w: fnp.histogramdd(s, 2, weights=w)[0], a),
                np.histogramdd(s, 2, weights=a)[0])


def test_histogram_dtypes_are_numpys():
    a32 = A.astype(np.float32)
    for kwargs in ({}, {"range": (0, 1)}, {"density": True}):
        assert_same(traced(lambda a: fnp.histogram(a, 3, **kwargs), a32),
                    np.histogram(a32, 3, **kwargs))
    w32 = W.astype(np.float32)
    assert_same(traced(lambda w: fnp.histogram(A, 3, weights=w), w32),
                np.histogram(A, 3, weights=w32))
    assert_same(traced(lambda w: fnp.histogramdd(A.reshape(20, 2), 2, weights=w), w32[:20]),
                np.histogramdd(A.reshape(20, 2), 2, weights=w32[:20]))


def test_histogram_errors_are_numpys():
    cases = [(ValueError, lambda a: fnp.histogram(a, -1)),
             (ValueError, lambda a: fnp.histogram(a, [1, 0, 2])),
             (ValueError, lambda a: fnp.histogram(a, 3, range=(1, 0))),
             (ValueError, lambda a: fnp.histogram(a, 3, weights=np.ones(3))),
             (TypeError, lambda a: fnp.histogram(a, "auto", weights=np.ones(40))),
             (ValueError, lambda a: fnp.histogram(a * np.inf, 3)),
             (ValueError, lambda a: fnp.histogramdd(a.reshape(20, 2), [2, 3, 4]))]
    with np.errstate(invalid="ignore"):
        for error, f in cases:
            with pytest.raises(error):
                f(A)
            with pytest.raises(error):
                traced(f, A)


def test_histogram_under_vmap():
    a = A.reshape(4, 10)
    hist, edges = fgrad.vmap(lambda a: fnp.histogram(a, 3))(a)
    for h, e, row in zip(hist, edges, a):
        assert_same((h, e), np.histogram(row, 3))
    with pytest.raises(ValueError, match="bins='auto'"):
        fgrad.vmap(lambda a: fnp.histogram(a, "auto"))(a)


def test_np_histogram_on_traced_values_is_fgrads():
    g = fgrad.grad(lambda w: np.histogram(A, 3, weights=w, density=True)[0].sum())(W)
    assert g.shape == W.shape and np.all(np.isfinite(g))


# -- bincount, digitize, cov, corrcoef ----------------------------------------------

def test_bincount_vjp_reads_the_cotangent_at_each_value():
    x, g = np.array([3, 0, 3, 1]), RNG.standard_normal(5)
    ct = fgrad.vjp(lambda w: fnp.bincount(x, w, minlength=5), W[:4].astype(np.float32))[1](g)[0]
    assert ct.dtype == np.float32
    np.testing.assert_allclose(ct, g[x], rtol=1e-6)


def test_bincount_under_vmap_needs_one_length():
    x = np.array([[0, 1, 4], [2, 2, 0]])
    np.testing.assert_array_equal(fgrad.vmap(lambda x: fnp.bincount(x, minlength=5))(x),
                                  [np.bincount(r, minlength=5) for r in x])
    with pytest.raises(ValueError, match="minlength"):
        fgrad.vmap(fnp.bincount)(x)
    with pytest.raises(ValueError, match="negative"):
        fgrad.vmap(lambda x: fnp.bincount(x, minlength=5))(-x)


def test_digitize_directions():
    x = RNG.standard_normal(7)
    bins = np.array([-1.0, 0.0, 1.0])
    for b in (bins, bins[::-1], np.ones(3)):
        for right in (False, True):
            assert_same(traced(lambda x: fnp.digitize(x, b, right), x), np.digitize(x, b, right))
    both = fgrad.vmap(lambda b: fnp.digitize(x, b))(np.stack([bins, bins[::-1]]))
    np.testing.assert_array_equal(both, [np.digitize(x, bins), np.digitize(x, bins[::-1])])
    with pytest.raises(ValueError, match="monotonically"):
        traced(lambda b: fnp.digitize(x, b), np.array([0.0, 1.0, 0.5]))


def test_cov_with_no_degrees_of_freedom_warns_as_numpy():
    m = RNG.standard_normal((2, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
            expected = np.cov(m)
        with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
            assert_same(traced(fnp.cov, m), expected)


def test_cov_errors_are_numpys():
    m = RNG.standard_normal((2, 4))
    for error, kwargs in ((TypeError, {"fweights": [1, 2.5, 1, 1]}),
                          (RuntimeError, {"aweights": np.ones(3)}),
                          (ValueError, {"aweights": -np.ones(4)}),
                          (ValueError, {"ddof": 1.5})):
        with pytest.raises(error):
            traced(lambda m: fnp.cov(m, **kwargs), m)


def test_corrcoef_of_one_variable_is_one():
    x = RNG.standard_normal(5)
    assert_same(traced(fnp.corrcoef, x), np.corrcoef(x))
    assert fgrad.grad(lambda x: fnp.corrcoef(x))(x) == pytest.approx(np.zeros(5))


# -- signal -------------------------------------------------------------------------

XP = np.array([-1.0, 0.0, 0.5, 2.0])
FP = np.array([1.0, 3.0, 2.0, 0.0])
SLOPES = np.diff(FP) / np.diff(XP)


def test_interp_at_a_knot_takes_the_interval_to_its_right():
    d = fgrad.elementwise_grad(lambda x: fnp.interp(x, XP, FP))(XP)
    np.testing.assert_allclose(d, [SLOPES[0], SLOPES[1], SLOPES[2], SLOPES[2]])


def test_interp_beyond_the_ends_goes_to_left_and_right():
    x = np.array([-3.0, 5.0])
    assert fgrad.grad(lambda x: fnp.sum(fnp.interp(x, XP, FP)))(x) == pytest.approx([0, 0])
    g_fp = fgrad.grad(lambda fp: fnp.sum(fnp.interp(x, XP, fp)))(FP)
    np.testing.assert_array_equal(g_fp, [1, 0, 0, 1])  # the defaults are fp[0] and fp[-1]
    g = fgrad.grad(lambda fp, lo, hi: fnp.sum(fnp.interp(x, XP, fp, lo, hi)), argnums=(0, 1, 2))(
        FP, np.array(7.0), np.array(8.0))
    np.testing.assert_array_equal(g[0], np.zeros(4))
    assert (g[1], g[2]) == (1.0, 1.0)


def test_interp_in_an_interval_of_zero_width_has_its_right_value():
    xp, fp = np.array([0.0, 1.0, 1.0, 2.0]), np.array([0.0, 1.0, 5.0, 6.0])
    assert traced(lambda x: fnp.interp(x, xp, fp), np.array(1.0)) == np.interp(1.0, xp, fp)
    g = fgrad.grad(lambda x, fp: fnp.interp(x, xp, fp), argnums=(0, 1))(np.array(1.0), fp)
    assert np.all(np.isfinite(g[0])) and np.all(np.isfinite(g[1]))


def test_interp_complex_ends_are_python_scalars_to_numpy():
    fp = FP + 1j * FP[::-1]
    x = np.array([-2.0, 0.25, 3.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_same(traced(lambda x: fnp.interp(x, XP, fp), x), np.interp(x, XP, fp))
        out = traced(lambda lo: fnp.interp(x, XP, fp, left=lo), np.array(2 + 1j))
    assert out[0] == 2 + 1j


def test_interp_single_knot():
    x = np.array([-1.0, 0.0, 1.0])
    assert_same(traced(lambda x: fnp.interp(x, [0.0], [2.0]), x), np.interp(x, [0.0], [2.0]))
    check_grads(lambda fp: fnp.interp(x, np.zeros(1), fp, -1.0, 3.0), (np.array([2.0]),))


def test_convolve_keeps_integers_and_errors():
    a, v = np.array([1, 2, 3]), np.array([0, 1])
    assert_same(fgrad.vmap(lambda a: fnp.convolve(a, v))(np.stack([a, a])),
                np.stack([np.convolve(a, v)] * 2))
    for f in (fnp.convolve, fnp.correlate):
        with pytest.raises(ValueError):
            traced(lambda a: f(a, np.zeros(0)), np.ones(3))
        with pytest.raises(ValueError):
            fgrad.vmap(lambda a: f(a, np.zeros(0)))(np.ones((2, 3)))


def test_correlate_conjugates_its_second_argument():
    a, v = RNG.standard_normal(4) + 1j, RNG.standard_normal(2) + 2j
    out, t = fgrad.jvp(lambda v: fnp.correlate(a, v), (v,), (np.ones(2) * 1j,))
    np.testing.assert_allclose(t, np.correlate(a, np.ones(2) * 1j))


def test_unwrap_has_derivative_one_in_p():
    p = np.cumsum(RNG.uniform(-4, 4, 8))
    np.testing.assert_allclose(fgrad.jacrev(fnp.unwrap)(p), np.eye(8), atol=1e-15)


def test_windows_take_lengths():
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        assert getattr(fnp, name) is getattr(np, name)
    assert_same(fnp.kaiser(5, 2.0), np.kaiser(5, 2.0))


# -- polynomial ---------------------------------------------------------------------

def test_roots_derivative_is_the_implicit_functions():
    p = np.array([1.0, -6.0, 11.0, -6.0])  # roots 3, 2, 1
    jac = fgrad.jacfwd(lambda p: fnp.roots(p).real)(p)
    r = np.roots(p).real
    expected = -np.vander(r, 4) / np.polyval(np.polyder(p), r)[:, None]  # dr = -dp(r) / p'(r)
    np.testing.assert_allclose(jac, expected, rtol=1e-8, atol=1e-10)


def test_leading_zeros_decided_by_values_carry_no_derivative():
    a = np.array([0.0, 2.0, 1.0])
    g = fgrad.grad(lambda a: fnp.sum(fnp.polymul(a, np.array([1.0, 1.0]))))(a)
    assert g[0] == 0.0
    assert_same(traced(fnp.roots, np.array([0.0, 0.0, 1.0, -2.0, 0.0])),
                np.roots([0.0, 0.0, 1.0, -2.0, 0.0]))
    assert_same(traced(fnp.roots, np.zeros(3)), np.roots(np.zeros(3)))


def test_polydiv_drops_a_vanishing_remainder_as_numpy():
    u, v = np.polymul([1.0, 2.0, 3.0], [1.0, -1.0]), np.array([1.0, -1.0])
    assert_same(traced(fnp.polydiv, u, v), np.polydiv(u, v))


def test_poly_of_conjugate_pairs_is_real():
    z = np.array([1 + 2j, 1 - 2j, 3.0])
    out = traced(fnp.poly, z)
    assert_same(out, np.poly(z))
    assert out.dtype == np.float64
    with pytest.raises(ValueError, match="poly's dtype"):
        fgrad.vmap(fnp.poly)(np.stack([z, z + 1j]))


def test_polyfit_rank_warning_and_errors():
    x = np.array([1.0, 1.0, 1.0])
    with pytest.warns(np.exceptions.RankWarning):
        traced(lambda y: fnp.polyfit(x, y, 2), np.ones(3))
    with pytest.raises(TypeError):
        traced(lambda y: fnp.polyfit(np.ones((2, 2)), y, 1), np.ones(2))


def test_polynomial_decisions_under_vmap():
    rows = np.array([[1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
    with pytest.raises(ValueError, match="vmap"):
        fgrad.vmap(fnp.roots)(rows)
    np.testing.assert_allclose(fgrad.vmap(fnp.roots)(rows[[0, 0]]),
                               np.stack([np.roots(rows[0])] * 2))


# -- sets -------------------------------------------------------------------------------

SETS = ["intersect1d", "union1d", "setdiff1d", "setxor1d"] + \
    [n for n in ("unique_values", "unique_counts", "unique_inverse", "unique_all")
     if hasattr(np, n)]


@pytest.mark.parametrize("name", SETS)
def test_set_functions_refuse_vmap(name):
    a = np.array([[1.0, 2.0, 2.0], [3.0, 3.0, 3.0]])
    f = getattr(fnp, name)
    with pytest.raises(ValueError, match=f"fgrad.numpy.{name} cannot be batched"):
        fgrad.vmap(f if name.startswith("unique") else lambda x: f(x, x))(a)


def test_set_functions_have_no_derivative():
    a = np.array([1.0, 2.0, 2.0, 5.0])
    g = fgrad.grad(lambda a: fnp.sum(a * fnp.isin(a, [2.0, 5.0])))(a)
    np.testing.assert_array_equal(g, [0, 1, 1, 1])
    assert_same(traced(lambda a: fnp.union1d(a, a[:2]), a), np.union1d(a, a[:2]))


# -- shape, order, indexing -----------------------------------------------------------------

def test_insert_and_delete_errors_name_numpys_axis():
    x = np.ones((2, 3))
    with pytest.raises(IndexError, match="axis 1 with size 3"):
        traced(lambda x: fnp.delete(x, 5, axis=1), x)
    with pytest.raises(IndexError, match="axis 1 with size 3"):
        traced(lambda x: fnp.insert(x, 5, 0.0, axis=1), x)
    with pytest.raises(ValueError, match="vmap"):
        fgrad.vmap(lambda i, x: fnp.delete(x, i.astype(int)), in_axes=(0, None))(
            np.array([0.0, 1.0]), np.ones(3))


def test_insert_casts_values_to_the_arrays_dtype():
    x = np.arange(4.0).astype(np.float32)
    out = traced(lambda v: fnp.insert(x, 1, v), np.array(2.5))
    assert_same(out, np.insert(x, 1, 2.5))
    assert fgrad.grad(lambda v: fnp.sum(fnp.insert(x, [0, 2], v)))(np.array(1.5)) == 2.0


def test_resize_and_trim_zeros_edge_cases():
    assert_same(traced(lambda x: fnp.resize(x, (2, 2)), np.zeros(0)),
                np.resize(np.zeros(0), (2, 2)))
    z = np.zeros((2, 3))
    assert_same(traced(fnp.trim_zeros, z), np.trim_zeros(z))
    assert_same(traced(lambda z: fnp.trim_zeros(z, axis=()), z), z)
    with pytest.raises(ValueError, match="unexpected character"):
        traced(lambda z: fnp.trim_zeros(z, "x"), z)
    with pytest.raises(ValueError, match="trim_zeros"):
        fgrad.vmap(fnp.trim_zeros)(np.array([[0.0, 1.0], [1.0, 0.0]]))


def test_row_stack_warns_as_numpy():
    if not hasattr(np, "row_stack"):
        pytest.skip("NumPy without row_stack")
    with pytest.warns(DeprecationWarning, match="row_stack"):
        traced(lambda x: fnp.row_stack([x, x]), np.ones(2))


def test_sort_complex_dtypes_are_numpys():
    for dtype in (np.int8, np.int32, np.float32, np.float64, np.complex64):
        x = np.array([3, 1, 2]).astype(dtype)
        assert_same(fgrad.vmap(fnp.sort_complex)(np.stack([x, x])),
                    np.stack([np.sort_complex(x)] * 2))


@pytest.mark.parametrize("call, hint", [
    (lambda x: fnp.put(x, [0], 5.0), "x.at"),
    (lambda x: np.put(x, [0], 5.0), "a.ravel().at[ind].set(v)"),
    (lambda x: fnp.putmask(x, x > 0, 0.0), "a.at[mask].set(values)"),
    (lambda x: fnp.place(x, x > 0, [0.0]), "arr.at[mask].set(vals)"),
    (lambda x: np.fill_diagonal(x, 0.0), "diag_indices_from"),
    (lambda x: fnp.copyto(x, 5.0), "dst.at[...].set(src)"),
    (lambda x: np.put_along_axis(x, np.zeros((2, 1), int), 5.0, 1), "x.at"),
])
def test_in_place_functions_point_to_at(call, hint):
    x = np.ones((2, 2))
    with pytest.raises(TypeError, match="in place") as error:
        fgrad.grad(lambda x: (call(x), fnp.sum(x))[1])(x)
    assert hint in str(error.value)
    y = x.copy()
    call(y)  # on plain arrays: NumPy's own, in place
    assert not np.array_equal(y, x)


def test_index_makers_read_shapes_of_traced_values():
    x = RNG.standard_normal((3, 3))
    for f in (fnp.diag_indices_from, fnp.tril_indices_from, fnp.triu_indices_from):
        assert_same(traced(f, x), getattr(np, f.__name__)(x))
        assert_same(fgrad.vmap(f)(np.stack([x, x])),
                    tuple(np.stack([i, i]) for i in getattr(np, f.__name__)(x)))
    with pytest.raises(ValueError, match="2-d"):
        traced(fnp.tril_indices_from, np.ones(3))
    assert_same(traced(lambda x: np.ix_(x[0], [True, False, True]), x),
                np.ix_(x[0], [True, False, True]))
    i = np.array([[0, 5], [7, 11]])
    assert_same(fgrad.vmap(lambda i: fnp.unravel_index(i, (3, 4)))(i), np.unravel_index(i, (3, 4)))
    assert_same(fgrad.vmap(lambda i: np.ravel_multi_index((i, 2), (4, 3)))(i % 4),
                np.ravel_multi_index((i % 4, 2), (4, 3)))


# -- what reads only dtypes or shapes -----------------------------------------------------

def test_dtype_readers_answer_for_traced_values():
    x32, z = np.ones(3, np.float32), np.ones(2, np.complex64)

    def check(x, z):
        assert fnp.result_type(x, 1.0) == np.result_type(x32, 1.0) == np.result_type(x, 1.0)
        assert fnp.can_cast(x, np.float16) is np.can_cast(x32, np.float16) is False
        assert np.can_cast(z, np.complex128) and fnp.can_cast(np.float32, np.float64)
        assert fnp.common_type(x, z) is np.common_type(x, z) is np.complex64
        assert fnp.iscomplexobj(z) and np.isrealobj(x) and not fnp.isscalar(x)
        assert fnp.mintypecode([x, z]) == np.mintypecode([x32, np.ones(2, np.complex64)])
        assert fnp.min_scalar_type(x) == np.float32
        assert fnp.einsum_path("i,i->", x, x)[0] == np.einsum_path("i,i->", x32, x32)[0]
        return fnp.sum(x) + fnp.sum(z.real)
    fgrad.grad(check)(x32, z)
    fgrad.vmap(check)(np.ones((2, 3), np.float32), np.ones((2, 2), np.complex64))


def test_min_scalar_type_of_a_traced_0d_value_reads_it():
    assert fgrad.vmap(lambda s: fnp.zeros(1, fnp.min_scalar_type(s)))(
        np.array([3.0, 4.0])).dtype == np.float16
    with pytest.raises(ValueError, match="min_scalar_type"):
        fgrad.vmap(lambda s: fnp.zeros(1, fnp.min_scalar_type(s)))(np.array([3.0, 1e300]))


def test_asarray_chkfinite_and_require():
    with pytest.raises(ValueError, match="infs or NaNs"):
        traced(fnp.asarray_chkfinite, np.array([1.0, np.inf]))
    with pytest.raises(KeyError):
        traced(lambda x: fnp.require(x, requirements="Q"), np.ones(2))
    assert traced(lambda x: fnp.require(x, np.complex64, "F"), np.ones(2)).dtype == np.complex64


def test_real_if_close_decides_on_values():
    z = np.array([1.0 + 1e-20j, 2.0])
    assert_same(traced(fnp.real_if_close, z), np.real_if_close(z))
    assert_same(traced(lambda z: fnp.real_if_close(z, tol=1e-30), z), z)
    with pytest.raises(ValueError, match="real_if_close"):
        fgrad.vmap(fnp.real_if_close)(np.array([[1.0 + 0j], [1.0 + 1j]]))


def test_convolve_and_correlate_take_vectors_under_vmap_too():
    for f, depth in ((fnp.convolve, 2), (fnp.correlate, 2), (fnp.correlate, 0)):
        x = np.ones((2,) + (3,) * depth)
        with pytest.raises(ValueError, match="object") as error:
            f(x[0], np.ones(3))
        with pytest.raises(ValueError, match=str(error.value)):
            fgrad.vmap(lambda x: f(x, np.ones(3)))(x)
