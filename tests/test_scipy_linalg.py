"""fgrad.scipy.linalg beyond the spec rows: conventions (read triangles), values of the
compositions against SciPy's, the Fréchet transpose for complex matrices, errors."""
import numpy as np
import pytest

scipy = pytest.importorskip("scipy")
import scipy.linalg  # noqa: E402

import fgrad  # noqa: E402
import fgrad.scipy.linalg as fl  # noqa: E402
from fgrad.testing import check_grads  # noqa: E402
from helpers import traced  # noqa: E402

rng = np.random.default_rng(0)
N = 3
A = rng.standard_normal((N, N)) + (N + 1) * np.eye(N)
SPD = A @ A.T


def test_cholesky_and_solve_triangular_read_one_triangle():
    for lower in (False, True):
        g = fgrad.grad(lambda a: (fl.cholesky(a, lower=lower) ** 2).sum())(SPD)
        other = np.triu(g, 1) if lower else np.tril(g, -1)
        assert np.all(other == 0) and np.any((np.tril(g, -1) if lower else np.triu(g, 1)) != 0)
        # the read triangle stands for the whole Hermitian matrix: a symmetric step moves it
        sym = fgrad.grad(lambda a: (fl.cholesky((a + a.T) / 2, lower=lower) ** 2).sum())(SPD)
        np.testing.assert_allclose(sym + sym.T, g + g.T, rtol=1e-10)
    b = rng.standard_normal(N)
    g = fgrad.grad(lambda a: fl.solve_triangular(a, b, lower=True, unit_diagonal=True).sum())(A)
    assert np.all(np.triu(g) == 0) and np.any(g != 0)


def test_cho_factor_keeps_the_other_triangle():
    c, lower = fl.cho_factor(SPD)
    assert lower is False
    g = fgrad.grad(lambda a: (fl.cho_factor(a)[0] * np.tril(np.ones((N, N)), -1)).sum())(SPD)
    np.testing.assert_array_equal(g, np.tril(np.ones((N, N)), -1))
    x = fgrad.grad(lambda a: fl.cho_solve(fl.cho_factor(a), np.ones(N)).sum())(SPD)
    expected = -np.outer(*[np.linalg.solve(SPD, np.ones(N))] * 2)  # = -A⁻¹ 1 1ᵀ A⁻¹
    np.testing.assert_allclose(np.triu(x), np.triu(expected + expected.T - np.diag(
        np.diag(expected))), rtol=1e-10)


def test_compositions_agree_with_scipy():
    b = rng.standard_normal((N, 2))
    for f, ref, args in ((fl.inv, scipy.linalg.inv, (A,)), (fl.det, scipy.linalg.det, (A,)),
                         (fl.solve, scipy.linalg.solve, (A, b)),
                         (lambda a, e: fl.expm_frechet(a, e)[0],
                          lambda a, e: scipy.linalg.expm_frechet(a, e)[0], (A / 4, b @ b.T))):
        traced = fgrad.jvp(f, args, args)[0]
        np.testing.assert_allclose(traced, ref(*args), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(fgrad.jvp(fl.block_diag, (A, b), (A, b))[0],
                                  scipy.linalg.block_diag(A, b))


def test_frechet_transpose_without_conjugation():
    """<G, L(A, E)> = <L(Aᵀ, G), E> with plain (bilinear) products, complex A included."""
    a = 0.4 * (rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N)))
    e, g = (rng.standard_normal((N, N)) + 1j * rng.standard_normal((N, N)) for _ in range(2))
    ct, = fgrad.vjp(fl.expm, a)[1](g)
    np.testing.assert_allclose(ct, scipy.linalg.expm_frechet(a.T, g, compute_expm=False))
    np.testing.assert_allclose(np.sum(g * fgrad.jvp(fl.expm, (a,), (e,))[1]), np.sum(ct * e))
    # logm by the block trick: against finite differences of SciPy's logm
    m = np.eye(N) + 0.2 * rng.standard_normal((N, N))
    t = fgrad.jvp(fl.logm, (m,), (e.real,))[1]
    h = 1e-6
    fd = (scipy.linalg.logm(m + h * e.real) - scipy.linalg.logm(m - h * e.real)) / (2 * h)
    np.testing.assert_allclose(t, fd, rtol=1e-6, atol=1e-8)


def test_sqrtm_of_a_real_matrix_with_a_complex_root():
    m = np.array([[-1.0, 0.3], [0.2, 2.0]])  # a negative eigenvalue: SciPy's root is complex
    assert np.iscomplexobj(scipy.linalg.sqrtm(m))
    g = fgrad.grad(lambda a: fl.sqrtm(a).real.sum())(m)
    assert g.dtype == np.float64
    check_grads(lambda a: fl.sqrtm(a), (m,), order=1, modes=("rev",))


def test_errors():
    with pytest.raises(np.linalg.LinAlgError):
        fgrad.grad(lambda a: fl.cholesky(a).sum())(-SPD)
    with pytest.raises(NotImplementedError, match="assume_a"):
        fgrad.grad(lambda a: fl.solve(a, np.ones(N), assume_a="banded").sum())(SPD)
    with pytest.raises(np.linalg.LinAlgError):
        fgrad.grad(lambda a: fl.solve(a, np.ones(N), assume_a="pos").sum())(-SPD)
    with pytest.raises(TypeError, match="unexpected"):
        fgrad.grad(lambda a: fl.expm(a, q=1).sum())(A)


def test_batching_is_one_scipy_call(monkeypatch):
    calls = []
    prim = fl.solve_triangular.prim
    impl = prim.impl
    monkeypatch.setattr(prim, "impl", lambda *a, **k: calls.append(1) or impl(*a, **k))
    a, b = np.tril(rng.standard_normal((32, N, N))) + 4 * np.eye(N), rng.standard_normal((32, N))
    out = fgrad.vmap(fgrad.grad(lambda x, y: (fl.solve_triangular(x, y, lower=True) ** 2).sum(),
                                argnums=(0, 1)))(a, b)
    assert len(calls) <= 4
    ref = fgrad.grad(lambda x, y: (fl.solve_triangular(x, y, lower=True) ** 2).sum(),
                     argnums=(0, 1))(a[3], b[3])
    np.testing.assert_allclose(out[0][3], ref[0], rtol=1e-10)


@pytest.mark.parametrize("assume_a", ["sym", "her", "pos", "upper triangular",
                                      "lower triangular", "diagonal"])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_with_structure_reads_what_scipy_reads(assume_a, lower):
    """Values equal SciPy's with junk in the entries SciPy does not read, and the
    derivative (zero in those entries) agrees with finite differences."""
    junk = rng.standard_normal((N, N))
    unread = {"upper triangular": np.tril(junk, -1), "lower triangular": np.triu(junk, 1),
              "diagonal": junk - np.diag(np.diag(junk))}.get(
        assume_a, np.triu(junk, 1) if lower else np.tril(junk, -1))
    a, b = SPD + unread, rng.standard_normal((N, 2))
    for transposed in (False, True):
        def f(a, b):
            return fl.solve(a, b, assume_a=assume_a, lower=lower, transposed=transposed)
        expected = scipy.linalg.solve(a, b, assume_a=assume_a, lower=lower,
                                      transposed=transposed)
        np.testing.assert_allclose(traced(f, a, b), expected, rtol=1e-10, atol=1e-12)
        check_grads(f, (a, b), order=1)
        g = fgrad.grad(lambda a: f(a, b).sum())(a)
        np.testing.assert_array_equal(g[unread != 0], 0.0)
