"""fgrad.scipy.signal beyond the spec rows: batched values against SciPy's, integer
results under vmap, the VJP under vmap in one call, conventions and errors."""
import numpy as np
import pytest

scipy = pytest.importorskip("scipy")
import scipy.signal  # noqa: E402

import fgrad  # noqa: E402
import fgrad.scipy.signal as fs  # noqa: E402
from fgrad.testing import check_grads  # noqa: E402

rng = np.random.default_rng(0)


def test_batched_values_are_scipys_to_rounding():
    a, b = rng.standard_normal((4, 6, 5)), rng.standard_normal((4, 3, 2))
    for f, ref in ((fs.convolve, scipy.signal.convolve),
                   (fs.correlate2d, scipy.signal.correlate2d)):
        for mode in ("full", "same", "valid"):
            out = fgrad.vmap(lambda x, y, f=f, m=mode: f(x, y, m))(a, b)
            np.testing.assert_allclose(out, np.stack([ref(x, y, mode) for x, y in zip(a, b)]),
                                       rtol=1e-12, atol=1e-12)


def test_integers_under_vmap_are_scipys_exact_results():
    """Large integers: a float FFT would round them; the batched rule is exact."""
    a = rng.integers(-10**8, 10**8, (3, 7))
    b = rng.integers(-10**8, 10**8, (3, 4))
    for mode in ("full", "same", "valid"):
        out = fgrad.vmap(lambda x, y, m=mode: fs.convolve(x, y, m))(a, b)
        expected = np.stack([scipy.signal.convolve(x, y, mode) for x, y in zip(a, b)])
        assert out.dtype == expected.dtype and np.array_equal(out, expected)


def test_the_vjp_under_vmap_is_one_call_per_primitive(monkeypatch):
    """A batch of 64 examples: a fixed number of SciPy calls, no loop over examples."""
    prim = fs._conv.prim
    calls = []
    impl = prim.impl
    monkeypatch.setattr(prim, "impl", lambda *a, **k: calls.append(1) or impl(*a, **k))
    a, b = rng.standard_normal((64, 9)), rng.standard_normal((64, 4))
    grads = fgrad.vmap(fgrad.grad(lambda x, y: fs.convolve(x, y, "same").sum() ** 2,
                                  argnums=(0, 1)))(a, b)
    assert len(calls) <= 4
    for k in (0, 5):  # and the result is each example's gradient
        ga, gb = fgrad.grad(lambda x, y: fs.convolve(x, y, "same").sum() ** 2,
                            argnums=(0, 1))(a[k], b[k])
        np.testing.assert_allclose(grads[0][k], ga, rtol=1e-10)
        np.testing.assert_allclose(grads[1][k], gb, rtol=1e-10)


def test_vjp_is_the_plain_transpose_for_complex_inputs():
    """Re <v, J u> = Re <J^T v, u> without conjugation (correlate conjugates in2: it is
    real-linear there, not complex-linear, so only the real parts agree)."""
    a, b = rng.standard_normal(5) + 1j * rng.standard_normal(5), rng.standard_normal(3) + 0j
    u1, u2, v = (rng.standard_normal(n) + 1j * rng.standard_normal(n) for n in (5, 3, 7))
    f = fs.correlate
    _, ju = fgrad.jvp(f, (a, b), (u1, u2))
    c1, c2 = fgrad.vjp(f, a, b)[1](v)
    np.testing.assert_allclose(np.sum(v * ju).real, (np.sum(c1 * u1) + np.sum(c2 * u2)).real)
    np.testing.assert_allclose(np.sum(v * fgrad.jvp(f, (a, b), (u1, 0 * u2))[1]),
                               np.sum(c1 * u1))  # complex-linear in in1


def test_correlate2d_keeps_scipys_conjugated_swapped_valid_mode():
    a, b = (rng.standard_normal(s) + 1j * rng.standard_normal(s) for s in ((2, 3), (3, 4)))
    expected = scipy.signal.correlate2d(a, b, "valid")
    assert not np.allclose(expected, scipy.signal.correlate(a, b, "valid"))
    traced = fgrad.jvp(lambda x: fs.correlate2d(x, b, "valid"), (a,), (a,))[0]
    np.testing.assert_array_equal(traced, expected)
    check_grads(lambda x, y: fs.correlate2d(x, y, "valid"), (a, b), order=1)


def test_errors():
    a, b = rng.standard_normal((3, 5)), rng.standard_normal((4, 2))
    grad = fgrad.grad(lambda x: fs.convolve(x, b, "valid").sum())
    with pytest.raises(ValueError, match="at least as large"):
        grad(a)
    with pytest.raises(ValueError, match="same dimensionality"):
        fgrad.grad(lambda x: fs.convolve(x, b[0]).sum())(a)
    with pytest.raises(ValueError, match="mode"):
        fgrad.grad(lambda x: fs.convolve(x, b, "middle").sum())(a)
    with pytest.raises(ValueError, match="method"):
        fgrad.grad(lambda x: fs.convolve(x, b, method="slow").sum())(a)
    with pytest.raises(NotImplementedError, match="boundary='fill'"):
        fgrad.grad(lambda x: fs.convolve2d(x, b, boundary="wrap").sum())(a)
    with pytest.raises(NotImplementedError, match="fillvalue=0"):
        fgrad.grad(lambda x: fs.convolve2d(x, b, fillvalue=1.0).sum())(a)
    # plain calls are SciPy's, every boundary included
    assert np.array_equal(fs.convolve2d(a, b, boundary="wrap"),
                          scipy.signal.convolve2d(a, b, boundary="wrap"))


def test_fftconvolve_axes_broadcast_and_batch():
    a, b = rng.standard_normal((3, 8)), rng.standard_normal((1, 3))
    f = lambda x, y: fs.fftconvolve(x, y, "same", axes=1)  # noqa: E731
    np.testing.assert_array_equal(fgrad.jvp(f, (a, b), (a, b))[0],
                                  scipy.signal.fftconvolve(a, b, "same", axes=1))
    check_grads(f, (a, b), order=2)
    with pytest.raises(ValueError, match="cannot be empty"):
        fgrad.grad(lambda x: fs.fftconvolve(x, b, axes=[]).sum())(a)
