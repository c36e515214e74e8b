"""Reductions and scans beyond the spec rows: the conventions at ties, zeros, NaNs and
zero spread; ddof, weights and where= semantics (traced masks included); errors."""
import importlib
import pickle
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import specs.reductions
from domains import rng_for
from fgrad.testing import check_grads, numerical_jacobian
from test_elementwise_conventions import input_kinds_agree, rows_of


def grad(f, x):
    return fgrad.grad(f)(np.asarray(x, dtype=float))


def jvp(f, x, t):
    return fgrad.jvp(f, (np.asarray(x, dtype=float),), (np.asarray(t, dtype=float),))[1]


def assert_no_nan(*arrays):
    for a in arrays:
        assert not np.isnan(a).any(), a


# -- ties ----------------------------------------------------------------------------

@pytest.mark.parametrize("f", [fnp.max, fnp.amax, fnp.nanmax])
def test_max_ties_share_the_derivative_evenly(f):
    x = [1.0, 3.0, 3.0, 2.0]
    np.testing.assert_array_equal(grad(f, x), [0, 0.5, 0.5, 0])
    assert jvp(f, x, [1.0, 2.0, 4.0, 8.0]) == 3.0


@pytest.mark.parametrize("f", [fnp.min, fnp.amin, fnp.nanmin])
def test_min_ties_share_the_derivative_evenly_along_an_axis(f):
    x = np.array([[1.0, 1.0, 1.0], [2.0, 0.0, 0.0]])
    g = fgrad.grad(lambda x: fnp.sum(f(x, axis=1) * np.array([1.0, 10.0])))(x)
    np.testing.assert_allclose(g, [[1 / 3, 1 / 3, 1 / 3], [0, 5, 5]])


def test_ptp_shares_between_ties_at_both_ends():
    np.testing.assert_allclose(grad(fnp.ptp, [2.0, 0.0, 2.0, 0.0, 1.0]),
                               [0.5, -0.5, 0.5, -0.5, 0])


def test_an_initial_equal_to_the_result_is_one_of_the_ties():
    np.testing.assert_allclose(grad(lambda x: fnp.max(x, initial=2.0), [1.0, 2.0]), [0, 0.5])
    np.testing.assert_allclose(grad(lambda x: fnp.max(x, initial=5.0), [1.0, 2.0]), [0, 0])
    np.testing.assert_allclose(grad(lambda x: fnp.max(x, initial=0.0), [1.0, 2.0]), [0, 1])


def test_max_of_a_slice_with_a_nan_has_a_nan_derivative_and_no_warning():
    x = np.array([[1.0, np.nan], [1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = fgrad.grad(lambda x: fnp.sum(fnp.max(x, axis=1)))(x)
    assert np.isnan(g[0]).all()
    np.testing.assert_array_equal(g[1], [0, 1])


# -- zeros in prod and cumprod ----------------------------------------------------------

@pytest.mark.parametrize("x", [[0.0, 2.0, 3.0], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0]])
def test_prod_gradient_is_exact_with_zeros(x):
    expected = [np.prod(np.delete(x, i)) for i in range(len(x))]
    np.testing.assert_array_equal(grad(fnp.prod, x), expected)


def test_prod_hessian_is_exact_with_zeros():
    x = np.array([0.0, 0.0, 2.0, 3.0])
    h = fgrad.hessian(fnp.prod)(x)
    expected = np.array([[0 if i == j else np.prod(np.delete(x, [i, j])) for j in range(4)]
                         for i in range(4)])
    np.testing.assert_array_equal(h, expected)


def test_prod_with_zeros_where_and_initial():
    x = np.array([[0.0, 2.0, 5.0], [3.0, 0.0, 0.0]])
    mask = np.array([True, True, False])
    g = fgrad.grad(lambda x: fnp.sum(fnp.prod(x, axis=1, where=mask, initial=2.0)))(x)
    np.testing.assert_array_equal(g, [[4.0, 0.0, 0.0], [0.0, 6.0, 0.0]])


def _cumprod_jacobian(x):
    """d out[k] / d x[i] = prod of x[:k+1] without x[i], for i <= k."""
    n = len(x)
    return np.array([[np.prod(np.delete(x[:k + 1], i)) if i <= k else 0.0 for i in range(n)]
                     for k in range(n)])


@pytest.mark.parametrize("x", [[1.5, 0.0, 2.0, -3.0, 0.5], [0.0, 0.0, 2.0, 1.0, 3.0, 2.0, 0.5],
                               [2.0, 3.0, 0.0], [0.0]])
def test_cumprod_jacobian_is_exact_with_zeros(x):
    x = np.array(x)
    np.testing.assert_allclose(fgrad.jacrev(fnp.cumprod)(x), _cumprod_jacobian(x), rtol=1e-15)
    np.testing.assert_allclose(fgrad.jacfwd(fnp.cumprod)(x), _cumprod_jacobian(x), rtol=1e-15)


def test_cumprod_second_order_with_zeros():
    x = np.array([[1.5, 0.0, 2.0, -3.0], [0.0, 0.0, 1.2, 0.7]])
    check_grads(lambda x: fnp.cumprod(x, axis=1), (x,), order=2)
    check_grads(lambda x: fnp.cumprod(x), (x,), order=2)


def test_cumprod_with_dtype_keeps_float32_cotangents():
    x = np.array([1.0, 0.0, 2.0], np.float32)
    out, vjp_fn = fgrad.vjp(lambda x: fnp.cumprod(x, dtype=np.float64), x)
    assert out.dtype == np.float64
    (ct,) = vjp_fn(np.ones(3))
    assert ct.dtype == np.float32
    np.testing.assert_array_equal(ct, [1.0, 3.0, 0.0])


# -- the nan* functions -------------------------------------------------------------------

X_NAN = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, np.nan], [2.0, -1.0, np.nan]])
NAN_REDUCTIONS = [fnp.nansum, fnp.nanprod, fnp.nanmean, fnp.nanmax, fnp.nanmin, fnp.nanvar,
                  fnp.nanstd, lambda x, axis: fnp.nanvar(x, axis=axis, ddof=1)]


@pytest.mark.parametrize("f", NAN_REDUCTIONS)
def test_nan_functions_have_derivative_zero_at_nans_and_no_nan_elsewhere(f):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's own "All-NaN slice"
        expected = f(X_NAN, axis=1)
        out, vjp_fn = fgrad.vjp(lambda x: f(x, axis=1), X_NAN)
        _, tangent = fgrad.jvp(lambda x: f(x, axis=1), (X_NAN,), (np.ones_like(X_NAN),))
    np.testing.assert_array_equal(out, expected)          # all-NaN slices: NumPy's values
    (g,) = vjp_fn(np.ones(3))
    assert_no_nan(g, tangent)
    np.testing.assert_array_equal(g[np.isnan(X_NAN)], 0)
    assert tangent[1] == 0                                   # the all-NaN row


def test_nan_scans_have_derivative_zero_at_nans():
    x = np.array([2.0, np.nan, 3.0, np.nan])
    np.testing.assert_array_equal(fgrad.jacrev(fnp.nancumsum)(x),
                                  [[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]])
    np.testing.assert_array_equal(fgrad.jacfwd(fnp.nancumprod)(x),
                                  [[1, 0, 0, 0], [1, 0, 0, 0], [3, 0, 2, 0], [3, 0, 2, 0]])


def test_nanmean_gradient_is_one_over_the_count_of_numbers():
    g = fgrad.grad(lambda x: fnp.sum(fnp.nanmean(x, axis=1)))(X_NAN)
    np.testing.assert_array_equal(g, [[0.5, 0, 0.5], [0, 0, 0], [0.5, 0.5, 0]])


def test_nan_functions_on_integers_are_the_plain_ones():
    x = np.arange(12).reshape(2, 2, 3)
    for f, plain in [(fnp.nanmean, np.mean), (fnp.nanvar, np.var), (fnp.nansum, np.sum),
                     (fnp.nanmax, np.max), (fnp.nancumprod, np.cumprod)]:
        out = fgrad.vmap(lambda x: f(x, axis=0))(x)
        np.testing.assert_array_equal(out, [plain(e, axis=0) for e in x])
        assert out.dtype == plain(x[0], axis=0).dtype


# -- var and std ------------------------------------------------------------------------------

@pytest.mark.parametrize("f", [fnp.std, fnp.nanstd, lambda x: fnp.std(x, ddof=1)])
def test_std_at_zero_spread_has_derivative_zero(f):
    x = np.full(4, 1.5)
    np.testing.assert_array_equal(grad(f, x), 0)
    assert jvp(f, x, [1.0, -2.0, 0.5, 3.0]) == 0
    np.testing.assert_array_equal(fgrad.hessian(f)(x), 0)
    # 0 is a subgradient: std(x + d) >= std(x) + <0, d> for every direction d
    rng = rng_for("std-subgradient")
    assert all(np.std(x + d) >= np.std(x) for d in rng.standard_normal((20, 4)))


def test_std_of_one_constant_slice_among_others():
    x = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    g = fgrad.grad(lambda x: fnp.sum(fnp.std(x, axis=1)))(x)
    np.testing.assert_array_equal(g[0], 0)
    np.testing.assert_allclose(g[1], (x[1] - x[1].mean()) / (3 * np.std(x[1])))


def test_var_ddof_and_correction():
    x = rng_for("ddof").standard_normal((3, 5))
    np.testing.assert_allclose(grad(lambda x: fnp.var(x, ddof=1), x),
                               2 * (x - x.mean()) / (x.size - 1))
    out, _ = fgrad.jvp(lambda x: fnp.var(x, axis=0, correction=1), (x,), (x,))
    np.testing.assert_array_equal(out, np.var(x, axis=0, ddof=1))
    with pytest.raises(ValueError, match="ddof and correction"):
        fgrad.grad(lambda x: fnp.var(x, ddof=1, correction=1))(x)


def test_var_with_no_degrees_of_freedom_follows_numpy():
    x = np.array([[1.0, 2.0], [3.0, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out, _ = fgrad.jvp(lambda x: fnp.var(x, axis=1, ddof=2), (x,), (x,))
        np.testing.assert_array_equal(out, np.var(x, axis=1, ddof=2))
        out, _ = fgrad.jvp(lambda x: fnp.nanvar(x, axis=1, ddof=2), (x,), (x,))
        np.testing.assert_array_equal(out, np.nanvar(x, axis=1, ddof=2))


def test_var_values_are_numpys_for_float32_and_complex64():
    rng = rng_for("var-bits")
    re, im = rng.standard_normal((2, 7, 33))
    for x in (re.astype(np.float32), (re + 1j * im).astype(np.complex64)):
        for f in (fnp.var, fnp.std, fnp.nanvar, fnp.nanmean):
            out, _ = fgrad.jvp(lambda x: f(x, axis=1), (x,), (x,))
            expected = getattr(np, f.__name__)(x, axis=1)
            assert out.dtype == expected.dtype
            np.testing.assert_array_equal(out, expected)


# -- where= ------------------------------------------------------------------------------

MASK = np.array([[True, False, True], [False, False, False]])


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value")
def test_where_masks_the_derivative():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    g = fgrad.grad(lambda x: fnp.sum(fnp.sum(x, axis=1, where=MASK)))(x)
    np.testing.assert_array_equal(g, MASK)
    g = fgrad.grad(lambda x: fnp.sum(fnp.mean(x, axis=1, where=MASK)))(x)
    np.testing.assert_array_equal(g, [[0.5, 0, 0.5], [0, 0, 0]])   # empty slice: 0, not NaN
    g = fgrad.grad(lambda x: fnp.sum(fnp.max(x, axis=1, where=MASK, initial=0.0)))(x)
    np.testing.assert_array_equal(g, [[0, 0, 1], [0, 0, 0]])


def test_masked_mean_of_an_empty_slice_has_derivative_zero_in_both_modes():
    x = np.arange(1.0, 7.0).reshape(2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy: "Mean of empty slice"
        out, t = fgrad.jvp(lambda x: fnp.mean(x, axis=1, where=MASK), (x,), (np.ones_like(x),))
    assert np.isnan(out[1])
    np.testing.assert_array_equal(t, [1.0, 0.0])


REDUCTIONS_WITH_WHERE = [
    ("sum", lambda x, m: fnp.sum(x, axis=1, where=m)),
    ("prod", lambda x, m: fnp.prod(x, axis=1, where=m, initial=2.0)),
    ("mean", lambda x, m: fnp.mean(x, axis=1, where=m)),
    ("max", lambda x, m: fnp.max(x, axis=1, where=m, initial=-5.0)),
    ("nanmin", lambda x, m: fnp.nanmin(x, axis=1, where=m, initial=5.0)),
    ("var", lambda x, m: fnp.var(x, axis=1, where=m)),
    ("nansum", lambda x, m: fnp.nansum(x, axis=1, where=m)),
    ("nanstd", lambda x, m: fnp.nanstd(x, axis=1, where=m)),
    ("all", lambda x, m: fnp.all(x > 0, axis=1, where=m)),
    ("any", lambda x, m: fnp.any(x > 0, axis=1, where=m)),
]


@pytest.mark.parametrize("name, f", REDUCTIONS_WITH_WHERE,
                         ids=[n for n, _ in REDUCTIONS_WITH_WHERE])
def test_vmap_over_masks(name, f):
    """A traced where= mask (one per example) is folded into the data."""
    rng = rng_for(f"masks-{name}")
    x = rng.standard_normal((4, 2, 5))
    masks = rng.random((4, 2, 5)) < 0.6
    masks[..., :2] = True                       # every slice keeps two elements
    looped = np.stack([f(x[b], masks[b]) for b in range(4)])
    np.testing.assert_allclose(fgrad.vmap(f)(x, masks), looped, rtol=1e-13)
    np.testing.assert_allclose(fgrad.vmap(f, in_axes=(None, 0))(x[0], masks),
                               np.stack([f(x[0], m) for m in masks]), rtol=1e-13)
    if name not in ("all", "any"):
        per_example = fgrad.vmap(fgrad.grad(lambda x, m: fnp.sum(f(x, m))))(x, masks)
        looped = np.stack([fgrad.grad(lambda x: fnp.sum(f(x, masks[b])))(x[b])
                           for b in range(4)])
        np.testing.assert_allclose(per_example, looped, rtol=1e-12, atol=1e-15)


def test_a_where_mask_needs_initial_for_max_also_when_traced():
    with pytest.raises(ValueError, match="initial"):
        fnp.max(np.ones(3), where=np.array([True, False, True]))
    with pytest.raises(ValueError, match="initial"):
        fgrad.vmap(lambda m: fnp.max(np.ones(3), where=m))(np.ones((2, 3), bool))


# -- average: weights ----------------------------------------------------------------------

def test_average_is_differentiable_in_the_weights():
    rng = rng_for("average")
    a, w = rng.standard_normal((3, 4)), rng.uniform(0.5, 2.0, (3, 4))
    ga, gw = fgrad.grad(lambda a, w: fnp.average(a, weights=w), argnums=(0, 1))(a, w)
    avg = np.average(a, weights=w)
    np.testing.assert_allclose(ga, w / w.sum())
    np.testing.assert_allclose(gw, (a - avg) / w.sum())
    check_grads(lambda a, w: fnp.average(a, axis=0, weights=w, returned=True),
                (a, w[:, 0]), order=2)


def test_average_errors_under_tracing():
    a = np.ones((2, 3))
    with pytest.raises(ZeroDivisionError):
        fgrad.grad(lambda w: fnp.average(a, axis=1, weights=w)[0])(np.array([1.0, -1.0, 0.0]))
    with pytest.raises(TypeError, match="Axis must be specified"):
        fgrad.grad(lambda w: fnp.average(a, weights=w))(np.ones(3))
    with pytest.raises(ValueError, match="Shape of weights"):
        fgrad.grad(lambda w: fnp.average(a, axis=0, weights=w))(np.ones(3))


# -- diff, gradient, trapezoid ----------------------------------------------------------------

def test_diff_prepend_and_append_get_their_cotangents():
    x = np.array([1.0, 4.0, 9.0])
    gx, gp, ga = fgrad.grad(lambda x, p, a: fnp.sum(fnp.diff(x, prepend=p, append=a) ** 2),
                            argnums=(0, 1, 2))(x, 0.5, 10.0)
    d = np.diff(np.concatenate([[0.5], x, [10.0]]))
    assert gp == -2 * d[0] and ga == 2 * d[-1]
    np.testing.assert_allclose(gx, 2 * (d[:-1] - d[1:]))


def test_diff_n0_and_bool():
    x = np.array([1.0, 2.0])
    out, t = fgrad.jvp(lambda x: fnp.diff(x, n=0), (x,), (x,))
    np.testing.assert_array_equal(t, x)
    out = fgrad.vmap(lambda x: fnp.diff(x > 1.5))(np.array([[1.0, 2.0, 1.0], [2.0, 2.0, 2.0]]))
    np.testing.assert_array_equal(out, [[True, True], [False, False]])


def test_gradient_coordinates_are_differentiable_even_when_evenly_spaced():
    f = np.array([1.0, 4.0, 2.0, 5.0, 3.0])
    for edge_order in (1, 2):
        check_grads(lambda x: fnp.gradient(f, x, edge_order=edge_order), (np.arange(5.0),),
                    order=1)
        check_grads(lambda x: fnp.gradient(f, x, edge_order=edge_order),
                    (np.array([0.0, 0.5, 2.0, 2.5, 4.0]),), order=2)


def test_gradient_of_several_axes_is_a_tuple():
    f = rng_for("gradient-tuple").standard_normal((3, 4))
    out, tangents = fgrad.jvp(lambda f: fnp.gradient(f, 2.0, axis=(1, 0)), (f,), (f,))
    assert isinstance(out, tuple) and len(out) == 2
    for o, t, e in zip(out, tangents, np.gradient(f, 2.0, axis=(1, 0)), strict=True):
        np.testing.assert_array_equal(o, e)
        np.testing.assert_allclose(t, e)           # linear in f


def test_gradient_of_integers_is_float():
    x = np.array([1, 4, 9, 16])
    out = fgrad.vmap(lambda s: fnp.gradient(x, s))(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(out, [np.gradient(x, 1.0), np.gradient(x, 2.0)])


def test_trapezoid_names():
    assert fnp.trapezoid(np.arange(3.0)) == 2.0
    assert hasattr(fnp, "trapz") == hasattr(np, "trapz")
    assert ("trapz" in importlib.import_module("fgrad.numpy.reductions").__all__) \
        == hasattr(np, "trapz")


# -- no derivative ------------------------------------------------------------------------

def test_argmax_keepdims_under_vmap():
    x = rng_for("argmax").standard_normal((3, 2, 4))
    for axis in (None, 0, -1):
        out = fgrad.vmap(lambda x: fnp.argmax(x, axis=axis, keepdims=True))(x)
        np.testing.assert_array_equal(out, [np.argmax(e, axis=axis, keepdims=True) for e in x])
    out = fgrad.vmap(lambda x: fnp.argmin(x, axis=0))(np.array([3.0, 1.0, 2.0]))
    np.testing.assert_array_equal(out, [0, 0, 0])       # 0-d examples


def test_comparisons_of_whole_arrays_are_python_bools_under_grad():
    seen = []

    def f(x):
        seen.append((fnp.allclose(x, x), fnp.array_equal(x, x + 1), fnp.array_equiv(x, x[:1]),
                     fnp.array_equal(x, x[:1])))
        return fnp.sum(x)

    fgrad.grad(f)(np.array([1.0, 1.0]))
    assert seen == [(True, False, True, False)]
    assert all(type(v) is bool for v in seen[0])


def test_array_equal_equal_nan_under_vmap():
    x = np.array([[1.0, np.nan], [np.nan, 2.0]])
    y = np.array([[1.0, np.nan], [2.0, np.nan]])
    out = fgrad.vmap(lambda a, b: fnp.array_equal(a, b, equal_nan=True))(x, y)
    np.testing.assert_array_equal(out, [True, False])


def test_boolean_and_index_reductions_have_no_derivative():
    x = np.array([1.0, 0.0, 3.0])
    for f in (fnp.argmax, fnp.argmin, fnp.count_nonzero, fnp.all, fnp.any):
        out, t = fgrad.jvp(lambda x: f(x) * 1.0 + fnp.sum(x), (x,), (np.ones(3),))
        assert t == 3.0 and out == f(x) + 4.0


# -- errors and the plain path ------------------------------------------------------------

@pytest.mark.parametrize("f", [fnp.sum, fnp.max, fnp.mean, fnp.var, fnp.std, fnp.nanmean,
                               fnp.nansum, fnp.ptp, fnp.cumsum, fnp.nancumprod, fnp.all])
def test_out_is_refused_also_on_plain_arrays(f):
    with pytest.raises(TypeError, match="out="):
        fgrad.grad(lambda x: f(x, None, out=np.empty(())) * 1.0)(np.ones(3))
    with pytest.raises(TypeError, match="out="):
        f(np.ones(3), None, out=np.empty(()))


@pytest.mark.parametrize("axis", [3, -4, (0, 3)])
def test_an_axis_out_of_range_is_an_error_also_under_vmap(axis):
    x = np.ones((2, 3, 4))
    with pytest.raises(np.exceptions.AxisError):
        fnp.sum(x, axis=axis)
    with pytest.raises(np.exceptions.AxisError):
        fgrad.vmap(lambda x: fnp.sum(x, axis=axis))(np.ones((5, 2, 3, 4)))


def test_duplicate_axes_are_an_error_also_under_vmap():
    with pytest.raises(ValueError, match="duplicate"):
        fgrad.vmap(lambda x: fnp.mean(x, axis=(0, -2)))(np.ones((5, 2, 3)))


def test_zero_d_inputs_accept_axis_zero():
    x = np.array(2.0)
    for f in (fnp.sum, fnp.prod, fnp.max, fnp.cumsum, fnp.cumprod):  # not mean: NumPy refuses
        out, t = fgrad.jvp(lambda x: f(x, axis=0), (x,), (np.array(1.0),))
        np.testing.assert_array_equal(out, f(x, axis=0))
        assert np.shape(t) == np.shape(out) and np.all(t == 1.0)
        batched = fgrad.vmap(lambda x: f(x, axis=0))(np.array([1.0, 2.0]))
        np.testing.assert_array_equal(batched, [f(np.array(1.0), axis=0),
                                                f(np.array(2.0), axis=0)])


@pytest.mark.parametrize("call, error, match", [
    (lambda x: fnp.diff(fnp.sum(x)), ValueError, "at least one dimensional"),
    (lambda x: fnp.diff(x, n=-1), ValueError, "non-negative"),
    (lambda x: fnp.gradient(x, edge_order=3), ValueError, "edge_order"),
    (lambda x: fnp.gradient(x, 1.0, 2.0), TypeError, "invalid number"),
    (lambda x: fnp.gradient(x, np.arange(3.0)), ValueError, "match the length"),
    (lambda x: fnp.gradient(x[:2], edge_order=2), ValueError, "too small"),
    (lambda x: fnp.nanmean(x, dtype=int), TypeError, "inexact"),
])
def test_errors_under_tracing_are_numpys(call, error, match):
    x = np.arange(4.0)
    with pytest.raises(error, match=match):
        call(x)
    with pytest.raises(error, match=match):
        fgrad.grad(lambda x: fnp.sum(call(x)))(x)


def test_the_public_reductions_are_primitives_that_pickle():
    for f in (fnp.sum, fnp.prod, fnp.max, fnp.amin, fnp.mean, fnp.nanmax, fnp.all, fnp.any,
              fnp.cumsum, fnp.argmax):
        assert f.prim is not None
        assert pickle.loads(pickle.dumps(f)) is f
    for f in (fnp.var, fnp.trapezoid, fnp.gradient):
        assert pickle.loads(pickle.dumps(f)) is f


def test_the_plain_path_is_numpys():
    x = rng_for("plain").standard_normal((3, 4)).astype(np.float32)
    for f, g in [(fnp.sum, np.sum), (fnp.max, np.max), (fnp.mean, np.mean), (fnp.all, np.all),
                 (fnp.nanmax, np.nanmax), (fnp.prod, np.prod)]:
        for kw in ({}, {"axis": 1}, {"axis": (0, 1), "keepdims": True}):
            out, expected = f(x, **kw), g(x, **kw)
            assert type(out) is type(expected) and out.dtype == expected.dtype
            np.testing.assert_array_equal(out, expected)
    assert fnp.sum([1, 2, 3]) == 6 and fnp.max([1.0, 3.0], initial=5.0) == 5.0


def test_float32_stays_float32_through_masks_and_initial():
    x = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)
    for f in (lambda x: fnp.sum(x, axis=1, where=MASK, initial=1.0),
              lambda x: fnp.prod(x, axis=1, where=MASK),
              lambda x: fnp.max(x, axis=0, initial=np.float32(0)),
              lambda x: fnp.std(x, axis=1, ddof=1),
              lambda x: fnp.average(x, axis=1, weights=np.ones(3, np.float32))):
        out, vjp_fn = fgrad.vjp(f, x)
        assert out.dtype == np.float32
        assert vjp_fn(np.ones_like(out))[0].dtype == np.float32


def test_jacobian_of_cumsum_is_triangular():
    x = rng_for("cumsum").standard_normal(5)
    np.testing.assert_array_equal(fgrad.jacrev(fnp.cumsum)(x), np.tril(np.ones((5, 5))))
    np.testing.assert_allclose(numerical_jacobian(fnp.cumsum, x), np.tril(np.ones((5, 5))),
                               atol=1e-8)


# -- integer results: no derivative under any transform ---------------------------------------

INTEGER_RESULTS = [
    ("sum", lambda x, **k: fnp.sum(x, dtype=np.int64, **k)),
    ("prod", lambda x, **k: fnp.prod(x, dtype=np.int64, **k)),
    ("mean", lambda x, **k: fnp.mean(x, dtype=np.int64, **k)),
    ("nansum", lambda x, **k: fnp.nansum(x, dtype=np.int64, **k)),
    ("sum of booleans", lambda x, **k: fnp.sum(x > 1, **k)),
    ("cumsum", lambda x, **k: fnp.cumsum(x, dtype=np.int64, **k)),
    ("cumprod", lambda x, **k: fnp.cumprod(x, dtype=np.int64, **k)),
    ("cumulative_sum", lambda x, **k: fnp.cumulative_sum(x, dtype=np.int64, axis=0)),
    ("cumulative_prod", lambda x, **k: fnp.cumulative_prod(x, dtype=bool, axis=0)),
]


@pytest.mark.parametrize("f", [f for _, f in INTEGER_RESULTS], ids=[n for n, _ in INTEGER_RESULTS])
@pytest.mark.parametrize("axis", [None, 0])
def test_an_integer_result_has_no_derivative(f, axis):
    """As in JAX: grad gives zeros and jvp 0, with or without an axis (the truncating cast
    used to pass a derivative through, or fail to box an integer scalar)."""
    x = np.array([[1.5, 2.5, 0.5], [3.5, 1.25, 2.0]])
    kw = {} if axis is None else {"axis": axis}
    loss = lambda v: fnp.sum(f(v, **kw)) * 1.0 + 0.0 * fnp.sum(v)  # noqa: E731
    np.testing.assert_array_equal(fgrad.grad(loss)(x), np.zeros_like(x))
    out, t = fgrad.jvp(lambda v: f(v, **kw), (x,), (np.ones_like(x),))
    np.testing.assert_array_equal(out, f(x, **kw))
    assert np.all(np.asarray(t) == 0)
    np.testing.assert_array_equal(fgrad.hessian(loss)(x), np.zeros(x.shape * 2))
    np.testing.assert_array_equal(fgrad.vmap(lambda v: f(v, **kw))(x[None]), f(x, **kw)[None])


def test_integer_reductions_of_traced_integers_under_vmap():
    x = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(fgrad.vmap(fnp.sum)(x), x.sum(1))
    np.testing.assert_array_equal(fgrad.vmap(lambda v: fnp.cumprod(v))(x), np.cumprod(x, 1))


# -- empty inputs --------------------------------------------------------------------------------

def test_prod_of_nothing():
    np.testing.assert_array_equal(fgrad.grad(fnp.prod)(np.ones(0)), np.ones(0))
    assert fgrad.grad(fnp.prod)(np.ones(0)).shape == (0,)
    assert fgrad.jvp(fnp.prod, (np.ones(0),), (np.ones(0),)) == (1.0, 0.0)
    g = fgrad.grad(lambda x: fnp.sum(fnp.prod(x, axis=0)))(np.ones((0, 3)))
    assert g.shape == (0, 3)
    g = fgrad.grad(lambda x: fnp.sum(fnp.prod(x, axis=1) ** 2))(np.full((2, 0), 2.0))
    assert g.shape == (2, 0)
    check_grads(lambda x: fnp.prod(x, axis=1), (np.ones((3, 0)),), order=2)


@pytest.mark.parametrize("f", [
    fnp.sum, fnp.prod, lambda x: fnp.max(x, initial=0.5), lambda x: fnp.min(x, initial=0.5),
    lambda x: fnp.cumsum(x, axis=0), lambda x: fnp.cumprod(x, axis=-1),
    lambda x: fnp.sum(x, axis=0), lambda x: fnp.mean(x, axis=1), lambda x: fnp.nansum(x),
    lambda x: fnp.prod(x, axis=0), lambda x: fnp.prod(x, axis=1, keepdims=True),
    lambda x: fnp.cumulative_sum(x, axis=0, include_initial=True),
    lambda x: fnp.cumulative_prod(x, axis=1), lambda x: fnp.diff(x, axis=0),
    lambda x: fnp.ediff1d(x, to_begin=1.0)])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)])
def test_empty_inputs(f, shape):
    x = np.ones(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of nothing
        _check_empty(f, x, shape)


def _check_empty(f, x, shape):
    try:
        expected = f(x)
    except (ValueError, np.exceptions.AxisError):
        return  # NumPy refuses this shape (diff of nothing)
    loss = lambda v: fnp.sum(f(v) * 2.0)  # noqa: E731
    g = fgrad.grad(loss)(x)
    assert g.shape == shape and g.dtype == np.float64
    out, t = fgrad.jvp(f, (x,), (np.ones(shape),))
    np.testing.assert_array_equal(out, expected)
    assert np.shape(t) == np.shape(expected)
    np.testing.assert_array_equal(fgrad.vmap(f)(x[None]), np.asarray(expected)[None])


# -- inputs of every kind: read-only, strided, NumPy scalars, Python floats, float16 ------------

@pytest.mark.parametrize("spec, shapes", rows_of(specs.reductions))
def test_inputs_of_every_kind(spec, shapes):
    input_kinds_agree(spec, shapes)


# -- cumulative_sum, cumulative_prod (NumPy 2.1's names, here on every NumPy) ---------------------

def test_cumulative_sum_and_prod_are_numpys():
    x = np.array([[1.5, -2.0, 3.0], [0.5, 2.0, -1.0]])
    for name, scan in (("cumulative_sum", np.cumsum), ("cumulative_prod", np.cumprod)):
        f = getattr(fnp, name)
        plain = f.__wrapped__  # the composition: NumPy's own where NumPy lacks the name
        for kw in ({"axis": 0}, {"axis": -1, "include_initial": True},
                   {"axis": 1, "dtype": np.float32}):
            expected = getattr(np, name)(x, **kw) if hasattr(np, name) else None
            for fn in (f, plain):
                got = fn(x, **kw)
                if expected is not None:
                    np.testing.assert_array_equal(got, expected)
                    assert got.dtype == expected.dtype
            traced = fgrad.jvp(lambda v: f(v, **kw), (x,), (x,))[0]
            np.testing.assert_array_equal(traced, plain(x, **kw))
        np.testing.assert_array_equal(plain(x[0]), scan(x[0]))
        np.testing.assert_array_equal(plain(np.float64(2.0), include_initial=True),
                                      [1.0 - (name == "cumulative_sum"), 2.0])
        for fn in (f, plain):
            with pytest.raises(ValueError, match="axis"):
                fn(x)
            with pytest.raises(ValueError, match="axis"):
                fgrad.grad(lambda v: fnp.sum(fn(v)))(x)


def test_include_initial_is_a_constant():
    x = np.array([2.0, 3.0, 4.0])
    np.testing.assert_array_equal(
        fgrad.jacrev(lambda v: fnp.cumulative_prod(v, include_initial=True))(x),
        [[0, 0, 0], [1, 0, 0], [3, 2, 0], [12, 8, 6]])
    np.testing.assert_array_equal(
        fgrad.jacfwd(lambda v: fnp.cumulative_sum(v, include_initial=True))(x),
        [[0, 0, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]])


# -- nanargmax, nanargmin ------------------------------------------------------------------------

def test_nanargmax_and_nanargmin_are_numpys_and_constant():
    x = np.array([[np.nan, 2.0, 5.0], [4.0, np.nan, -1.0]])
    for f, np_f in ((fnp.nanargmax, np.nanargmax), (fnp.nanargmin, np.nanargmin)):
        for kw in ({}, {"axis": 0}, {"axis": -1, "keepdims": True}, {"axis": None,
                                                                      "keepdims": True}):
            np.testing.assert_array_equal(f(x, **kw), np_f(x, **kw))
            np.testing.assert_array_equal(fgrad.jvp(lambda v: f(v, **kw), (x,), (x,))[0],
                                          np_f(x, **kw))
            np.testing.assert_array_equal(fgrad.vmap(lambda v: f(v, **kw))(np.stack([x, -x])),
                                          np.stack([np_f(x, **kw), np_f(-x, **kw)]))
        np.testing.assert_array_equal(
            fgrad.grad(lambda v: fnp.sum(v[f(v)] * 1.0))(np.array([1.0, np.nan, 3.0])),
            [0.0, 0.0, 1.0] if f is fnp.nanargmax else [1.0, 0.0, 0.0])
        with pytest.raises(ValueError, match="All-NaN slice"):
            fgrad.grad(lambda v: fnp.sum(v) + f(v, axis=1)[0])(x * np.array([[1], [np.nan]]))


# -- ediff1d --------------------------------------------------------------------------------------

def test_ediff1d_is_numpys():
    x = np.array([[1.0, 2.5], [4.0, 8.0]])
    for kw in ({}, {"to_begin": -1.0}, {"to_end": [1.0, 2.0]},
               {"to_begin": np.array([[1.0]]), "to_end": 3}):
        np.testing.assert_array_equal(fgrad.jvp(lambda v: fnp.ediff1d(v, **kw), (x,), (x,))[0],
                                      np.ediff1d(x, **kw))
    x32 = x.astype(np.float32)
    traced = fgrad.jvp(lambda v: fnp.ediff1d(v, to_begin=np.array([0.1])), (x32,), (x32,))[0]
    assert traced.dtype == np.float32
    np.testing.assert_array_equal(traced, np.ediff1d(x32, to_begin=np.array([0.1])))
    with pytest.raises(TypeError, match="same_kind"):  # complex into a real result
        fgrad.grad(lambda v: fnp.sum(fnp.ediff1d(v, to_begin=np.array([1j]))))(x)
    with pytest.raises(TypeError, match="same_kind"):  # a traced float into an integer result
        fgrad.grad(lambda e: fnp.sum(fnp.ediff1d(np.arange(3), to_end=e)))(np.ones(2))
    with pytest.raises(TypeError, match="same_kind"):
        fnp.ediff1d(np.arange(3), to_end=np.ones(2))


def test_ediff1d_derivatives_reach_its_ends():
    x, b, e = np.array([1.0, 4.0, 9.0]), np.array([2.0]), np.array(3.0)
    def f(x, b, e):
        return fnp.sum(fnp.ediff1d(x, to_end=e, to_begin=b) * [1.0, 2.0, 3.0, 4.0])

    g = fgrad.grad(f, argnums=(0, 1, 2))(x, b, e)
    np.testing.assert_array_equal(g[0], [-2.0, -1.0, 3.0])
    assert g[1].tolist() == [1.0] and g[2] == 4.0
