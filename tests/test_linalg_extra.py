"""fgrad.numpy.linalg beyond the spec rows: degenerate points, errors, named results,
and the work each rule and batching rule does (counted in LAPACK calls).

The spec rows (tests/specs/linalg.py) check every function in both modes to second
order, under vmap, in float32 and against NumPy's values, at well-conditioned points.
Here: det at singular matrices (the adjugate), slogdet where det overflows, eigh/svd at
repeated eigen/singular values, eig's complex output of real input, norms at zero,
cholesky's LinAlgError under every transform.
"""
import collections
import contextlib
import itertools
import warnings

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
import fgrad.numpy.linalg as la
from fgrad.testing import check_grads, numerical_jacobian

RNG = np.random.default_rng(0)


def _orthogonal(n, rng=RNG):
    return np.linalg.qr(rng.standard_normal((n, n)))[0]


def _cofactors(a):
    """The cofactor matrix by minors, the definition: C_ij = (-1)^(i+j) det(A without i, j)."""
    n = a.shape[-1]
    c = np.empty_like(a)
    for i, j in itertools.product(range(n), repeat=2):
        minor = np.delete(np.delete(a, i, 0), j, 1)
        c[i, j] = (-1) ** (i + j) * (np.linalg.det(minor) if n > 1 else 1)
    return c


# -- det at singular matrices: the adjugate, not NaN -----------------------------------------

SINGULAR = {
    "rank n-1, exactly singular (inv raises)": np.array([[1.0, 2.0], [2.0, 4.0]]),
    "rank n-1, 3x3": (_orthogonal(3) * [2.0, 1.0, 0.0]) @ _orthogonal(3),
    "rank n-2 (adjugate 0)": (_orthogonal(4) * [2.0, 1.0, 0.0, 0.0]) @ _orthogonal(4),
    "nearly singular": (_orthogonal(3) * [2.0, 1.0, 1e-13]) @ _orthogonal(3),
    "complex, rank n-1": np.outer([1, 2j, 3], [1j, 1, 2]) + np.outer([0, 1, 1j], [2, 0, 1]),
}


@pytest.mark.parametrize("name", sorted(SINGULAR))
def test_det_gradient_at_a_singular_matrix_is_the_adjugate(name):
    a = SINGULAR[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            grad = fgrad.vjp(la.det, a)[1](np.ones((), a.dtype))[0]
            _, tangent = fgrad.jvp(la.det, (a,), (np.ones_like(a),))
    cof = _cofactors(a)
    np.testing.assert_allclose(grad, cof, atol=1e-12)  # plain transpose: no conjugation
    np.testing.assert_allclose(tangent, cof.sum(), atol=1e-12)


def test_det_gradient_of_a_stack_with_a_singular_matrix():
    """One singular matrix sends the whole stack down the SVD route, under vmap too."""
    stack = np.stack([SINGULAR["rank n-1, 3x3"], 3 * np.eye(3) + RNG.standard_normal((3, 3))])
    expected = np.stack([_cofactors(a) for a in stack])
    np.testing.assert_allclose(fgrad.vmap(fgrad.grad(la.det))(stack), expected, atol=1e-12)
    np.testing.assert_allclose(fgrad.grad(lambda a: fnp.sum(la.det(a)))(stack), expected,
                               atol=1e-12)


def test_det_second_derivative_at_a_singular_matrix():
    """det is a polynomial: its Hessian exists everywhere, and the SVD route of the
    cofactors carries it (real, rank n-1, distinct singular values)."""
    a = SINGULAR["rank n-1, 3x3"]
    check_grads(la.det, (a,), order=2)
    hess = fgrad.hessian(la.det)(a)
    np.testing.assert_allclose(hess.reshape(9, 9), numerical_jacobian(
        lambda x: _cofactors(x), a).reshape(9, 9), atol=1e-6)


def test_slogdet_is_stable_where_det_overflows():
    a = 10 * np.eye(400) + RNG.standard_normal((400, 400))
    with np.errstate(over="ignore"):
        assert np.isinf(np.linalg.det(a))
    grad = fgrad.grad(lambda x: la.slogdet(x).logabsdet)(a)
    np.testing.assert_allclose(grad, np.linalg.inv(a).T, rtol=1e-10, atol=1e-14)


# -- repeated eigenvalues and singular values: finite, right derivatives ------------------

def _with_spectrum(values, rng=RNG):
    q = _orthogonal(len(values), rng)
    return (q * values) @ q.T


REPEATED = {"numerically repeated": _with_spectrum([1.0, 1.0, 3.0]),
            "exactly repeated": np.diag([1.0, 1.0, 3.0]),
            "identity": np.eye(3)}

# functions of the eigenvalues alone (trace-like) and their gradients at A = Q diag(w) Qᵀ
TRACE_LIKE = {"sum of eigenvalues": (lambda w: fnp.sum(w), lambda a: np.eye(len(a))),
              "sum of squares": (lambda w: fnp.sum(w ** 2), lambda a: 2 * a),
              "tr exp(A)": (lambda w: fnp.sum(fnp.exp(w)), lambda a: _expm_sym(a))}


def _expm_sym(a):
    w, v = np.linalg.eigh(a)
    return (v * np.exp(w)) @ v.T


@pytest.mark.parametrize("matrix", sorted(REPEATED))
@pytest.mark.parametrize("fun", sorted(TRACE_LIKE))
def test_trace_like_functions_at_repeated_eigenvalues(matrix, fun):
    a, (f, expected) = REPEATED[matrix], TRACE_LIKE[fun]
    via_eigh = fgrad.grad(lambda x: f(la.eigh(x).eigenvalues))(a)
    via_eigvalsh = fgrad.grad(lambda x: f(la.eigvalsh(x)))(a)
    for g in (via_eigh, via_eigvalsh):
        assert np.all(np.isfinite(g))
        np.testing.assert_allclose(g, expected(a), atol=1e-10)
    _, tangent = fgrad.jvp(lambda x: f(la.eigh(x)[0]), (a,), (np.ones_like(a),))
    np.testing.assert_allclose(tangent, np.sum(expected(a)), atol=1e-10)


@pytest.mark.parametrize("matrix", ["numerically repeated", "exactly repeated"])
def test_eigenvector_of_a_simple_eigenvalue_next_to_a_repeated_pair(matrix):
    """The projector onto the eigenvector of 3 is differentiable where 1 is repeated."""
    a = REPEATED[matrix]
    c = RNG.standard_normal((3, 3))

    def projected(x):
        v = la.eigh((x + x.T) / 2).eigenvectors[:, 2]
        return fnp.sum(c * (v[:, None] * v[None, :]))
    check_grads(projected, (a,), order=1)
    assert np.all(np.isfinite(fgrad.hessian(projected)(a)))


@pytest.mark.parametrize("matrix", sorted(REPEATED))
def test_eigh_tangents_are_finite_at_ties(matrix):
    a = REPEATED[matrix]
    with np.errstate(all="raise"):
        _, (dw, dv) = fgrad.jvp(la.eigh, (a,), (RNG.standard_normal((3, 3)),))
    assert np.all(np.isfinite(dw)) and np.all(np.isfinite(dv))


def test_svd_at_repeated_singular_values():
    """An orthogonal matrix: every singular value is 1."""
    q = _orthogonal(4)
    nuclear = fgrad.grad(lambda x: fnp.sum(la.svd(x).S))(q)
    np.testing.assert_allclose(nuclear, q, atol=1e-12)  # d Σs = U Vᵀ = Q
    frobenius = fgrad.grad(lambda x: fnp.sum(la.svdvals(x) ** 2))(q)
    np.testing.assert_allclose(frobenius, 2 * q, atol=1e-12)
    with np.errstate(all="raise"):
        _, (du, ds, dvh) = fgrad.jvp(la.svd, (q,), (RNG.standard_normal((4, 4)),))
    assert all(np.all(np.isfinite(t)) for t in (du, ds, dvh))


# -- eig: real input, complex output; the complex convention ----------------------------

def test_eig_of_real_input_is_complex_and_its_gradient_real():
    a = np.array([[1.0, -2.0, 0.3], [2.0, 1.0, 0.1], [0.0, 0.5, 3.0]])
    w = la.eigvals(a)
    assert w.dtype == np.complex128 and np.any(w.imag != 0)
    g = fgrad.grad(lambda x: fnp.real(fnp.sum(la.eigvals(x))))(a)  # the trace
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, np.eye(3), atol=1e-12)
    # the VJP of a complex cotangent c is Re(V⁻ᵀ diag(c) Vᵀ): a plain transpose
    c = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)
    w, v = np.linalg.eig(a)
    expected = np.real(np.linalg.solve(v.T, np.diag(c) @ v.T))
    np.testing.assert_allclose(fgrad.vjp(la.eigvals, a)[1](c)[0], expected, atol=1e-12)


def test_eig_is_holomorphic_in_complex_input():
    """tr(A²) = Σ w²: its derivative is 2Aᵀ, with no conjugation."""
    a = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    g = fgrad.grad(lambda x: fnp.sum(la.eig(x).eigenvalues ** 2), holomorphic=True)(a)
    np.testing.assert_allclose(g, 2 * a.T, atol=1e-10)
    g = fgrad.grad(lambda x: la.det(x), holomorphic=True)(a)
    np.testing.assert_allclose(g, np.linalg.det(a) * np.linalg.inv(a).T, atol=1e-10)


def test_eigh_uses_the_hermitian_part_of_the_tangent():
    a = _with_spectrum([1.0, 2.0, 4.0])
    t = RNG.standard_normal((3, 3))
    (_, (dw, dv)), (_, (dw_s, dv_s)) = (fgrad.jvp(la.eigh, (a,), (x,)) for x in (t, (t + t.T) / 2))
    np.testing.assert_allclose(dw, dw_s, atol=1e-14)
    np.testing.assert_allclose(dv, dv_s, atol=1e-14)
    g = fgrad.grad(lambda x: fnp.sum(la.eigh(x)[1][:, 0] ** 2 * np.arange(3.0)))(a)
    np.testing.assert_allclose(g, g.T, atol=1e-14)


# -- norms at zero: subgradient 0 -------------------------------------------------------

@pytest.mark.parametrize("ord_", [None, 2, 1, np.inf, -np.inf, 3, 0.5])
def test_vector_norm_at_zero_has_subgradient_zero(ord_):
    with np.errstate(all="raise"):
        g = fgrad.grad(lambda x: la.norm(x, ord_))(np.zeros(4))
        _, t = fgrad.jvp(lambda x: la.norm(x, ord_), (np.zeros(4),), (np.ones(4),))
        gv = fgrad.grad(lambda x: la.vector_norm(x, ord=2 if ord_ is None else ord_))(
            np.zeros(4))
    np.testing.assert_array_equal(g, 0)
    np.testing.assert_array_equal(gv, 0)
    assert t == 0


@pytest.mark.parametrize("ord_", [None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf])
def test_matrix_norm_at_zero_has_subgradient_zero(ord_):
    zero = np.zeros((3, 2))
    with np.errstate(all="raise"):
        g = fgrad.grad(lambda x: la.norm(x, ord_))(zero)
    np.testing.assert_array_equal(g, 0)


def test_norm_of_complex_zero_and_2_norm_hessian_finite():
    z = np.zeros(3, complex)
    np.testing.assert_array_equal(fgrad.grad(la.norm)(z), 0)
    x = RNG.standard_normal(3)
    np.testing.assert_allclose(fgrad.hessian(la.norm)(x),
                               (np.eye(3) - np.outer(x, x) / (x @ x)) / np.linalg.norm(x))


def test_norm_ties_share_the_derivative():
    g = fgrad.grad(lambda x: la.norm(x, np.inf))(np.array([1.0, -3.0, 3.0]))
    np.testing.assert_allclose(g, [0.0, -0.5, 0.5])
    m = np.array([[1.0, -2.0], [-2.0, 1.0]])  # both columns sum to 3
    np.testing.assert_allclose(fgrad.grad(lambda x: la.norm(x, 1))(m),
                               [[0.5, -0.5], [-0.5, 0.5]])


# -- cholesky of a matrix that is not positive definite raises, under every transform -------

NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])
TRANSFORMS = {
    "plain": lambda f, a: f(a),
    "grad": lambda f, a: fgrad.grad(lambda x: fnp.sum(f(x)))(a),
    "jvp": lambda f, a: fgrad.jvp(f, (a,), (a,)),
    "vjp": lambda f, a: fgrad.vjp(f, a),
    "vmap": lambda f, a: fgrad.vmap(f)(np.stack([np.eye(2), a])),
    "jacfwd": lambda f, a: fgrad.jacfwd(f)(a),
    "jacrev": lambda f, a: fgrad.jacrev(f)(a),
    "hessian": lambda f, a: fgrad.hessian(lambda x: fnp.sum(f(x)))(a),
    "vmap(grad)": lambda f, a: fgrad.vmap(fgrad.grad(lambda x: fnp.sum(f(x))))(a[None]),
    "grad(vmap)": lambda f, a: fgrad.grad(lambda x: fnp.sum(fgrad.vmap(f)(x)))(a[None]),
}


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_cholesky_of_a_non_positive_definite_matrix_raises(transform):
    with pytest.raises(np.linalg.LinAlgError):
        TRANSFORMS[transform](la.cholesky, NOT_PD)


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
def test_inv_and_solve_of_a_singular_matrix_raise(transform):
    singular = np.ones((2, 2))
    with pytest.raises(np.linalg.LinAlgError):
        TRANSFORMS[transform](la.inv, singular)
    with pytest.raises(np.linalg.LinAlgError):
        TRANSFORMS[transform](lambda a: la.solve(a, np.ones(2)), singular)


def test_linalgerror_is_numpys():
    assert la.LinAlgError is np.linalg.LinAlgError
    assert "LinAlgError" in la.__all__


# -- named results under every transform ---------------------------------------------------

SPD = _with_spectrum([1.0, 2.0, 4.0])
NAMED = {  # function of A using attribute access, the NumPy type of its result
    "eigh": (lambda a: la.eigh(a).eigenvalues.sum() + (la.eigh(a).eigenvectors ** 2)[0, 0],
             lambda a: la.eigh(a)),
    "slogdet": (lambda a: la.slogdet(a).logabsdet * la.slogdet(a).sign, la.slogdet),
    "svd": (lambda a: la.svd(a).S[0] + (la.svd(a).U[:, 0] * la.svd(a).Vh[0]).sum(),
            lambda a: la.svd(a)),
    "qr": (lambda a: fnp.sum(la.qr(a).Q * la.qr(a).R.T), lambda a: la.qr(a)),
    "eig": (lambda a: fnp.real(fnp.sum(la.eig(a).eigenvalues)
                               + fnp.sum(fnp.abs(la.eig(a).eigenvectors) ** 2)),
            lambda a: la.eig(a)),
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_results_under_every_transform(name):
    f, result = NAMED[name]
    a = SPD
    kind = type(result(a))
    assert kind.__name__.endswith("Result")
    value = f(a)
    assert fgrad.grad(f)(a).shape == a.shape
    assert np.allclose(fgrad.jvp(f, (a,), (a,))[0], value)
    np.testing.assert_allclose(fgrad.vmap(f)(np.stack([a, a])), [value, value], rtol=1e-12)
    assert fgrad.hessian(f)(a).shape == a.shape * 2
    # the result itself keeps its type, and unpacks, under each transform
    out, tangent = fgrad.jvp(result, (a,), (a,))
    assert type(out) is kind
    assert type(fgrad.vjp(result, a)[0]) is kind
    assert type(fgrad.vmap(result)(np.stack([a, a]))) is kind
    first, *rest = fgrad.vmap(result)(np.stack([a, a]))
    assert len(rest) == len(kind._fields) - 1


def test_named_result_fields_inside_a_traced_function():
    def f(a):
        res = la.eigh(a)
        assert type(res).__name__ == "EighResult"
        w, v = res
        assert w is res.eigenvalues and v is res.eigenvectors
        return fnp.sum(w * v[0] ** 2)
    for transform in (fgrad.grad, fgrad.jacfwd, fgrad.hessian):
        assert transform(f)(SPD).shape[:2] == SPD.shape
    assert fgrad.vmap(fgrad.grad(f))(np.stack([SPD, SPD])).shape == (2, 3, 3)


# -- work: each rule reuses what it can; each batching rule is one LAPACK call ----------

_GUFUNCS = [n for n in dir(np.linalg._umath_linalg) if not n.startswith("_")]


@contextlib.contextmanager
def lapack_calls():
    """Count the calls of NumPy's LAPACK gufuncs (numpy.linalg._umath_linalg), by name."""
    module = np.linalg._umath_linalg
    counts = collections.Counter()
    saved = {n: getattr(module, n) for n in _GUFUNCS}

    def counting(name, fn):
        def call(*args, **kwargs):
            counts[name] += 1
            return fn(*args, **kwargs)
        return call
    try:
        for n, fn in saved.items():
            setattr(module, n, counting(n, fn))
        yield counts
    finally:
        for n, fn in saved.items():
            setattr(module, n, fn)


def test_the_counter_counts():
    with lapack_calls() as calls:
        np.linalg.inv(np.eye(2))
        la.solve(np.eye(2), np.ones(2))
    assert calls == {"inv": 1, "solve1": 1}


A = 4 * np.eye(4) + RNG.standard_normal((4, 4))
B = RNG.standard_normal((4, 2))


def _backward_calls(f, *args):
    """LAPACK calls of the backward pass alone."""
    out, vjp_fn = fgrad.vjp(f, *args)
    cotangent = fgrad.tree.tree_map(lambda o: np.ones(np.shape(o), np.asarray(o).dtype), out)
    with lapack_calls() as calls:
        vjp_fn(cotangent)
    return dict(calls)


def test_solve_shares_one_solve_between_both_cotangents():
    assert _backward_calls(la.solve, A, B) == {"solve": 1}
    assert _backward_calls(la.solve, A, B[:, 0]) == {"solve": 1}  # a vector b, as a matrix
    with lapack_calls() as calls:
        fgrad.jvp(la.solve, (A, B), (A, B))
    assert calls == {"solve": 2}  # the primal and one for both tangents


def test_inverse_and_determinants_reuse_what_they_can():
    assert _backward_calls(la.inv, A) == {}  # -A⁻ᵀ G A⁻ᵀ from the forward inverse
    assert _backward_calls(lambda a: la.slogdet(a)[1], A) == {"inv": 1}
    assert _backward_calls(la.det, A) == {"inv": 1}  # det(A) A⁻ᵀ, det from the forward pass
    # singular: the inverse fails, the SVD and the determinants of its factors instead
    assert _backward_calls(la.det, SINGULAR["rank n-1, 3x3"]) == {"inv": 1, "svd_s": 1,
                                                                   "det": 2}
    assert _backward_calls(lambda a: la.eigh(a), SPD) == {}
    assert _backward_calls(lambda a: la.svd(a, full_matrices=False), A) == {}
    assert _backward_calls(lambda a: la.qr(a), A) == {"solve": 1}
    assert _backward_calls(la.cholesky, SPD) == {"inv": 1}


STACK = np.stack([A + k for k in range(5)])
STACK_SPD = np.stack([SPD + k * np.eye(3) for k in range(5)])
ONE_CALL = {  # a function of one example, the input stack, the LAPACK routines it calls
    "inv": (la.inv, STACK, {"inv"}),
    "det": (la.det, STACK, {"det"}),
    "slogdet": (la.slogdet, STACK, {"slogdet"}),
    "solve": (lambda a: la.solve(a, np.ones(4)), STACK, {"solve1"}),
    "solve matrix": (lambda a: la.solve(a, B), STACK, {"solve"}),
    "cholesky": (la.cholesky, STACK_SPD, {"cholesky_lo"}),
    "eigh": (la.eigh, STACK_SPD, {"eigh_lo"}),
    "eigvalsh": (la.eigvalsh, STACK_SPD, {"eigvalsh_lo"}),
    "eig": (la.eig, STACK, {"eig"}),
    "eigvals": (la.eigvals, STACK, {"eigvals"}),
    "svd": (la.svd, STACK, {"svd_f"}),
    "svdvals": (la.svdvals, STACK, {"svd"}),
    "qr": (la.qr, STACK, {"qr_r_raw", "qr_reduced"}),
    "qr r": (lambda a: la.qr(a, "r"), STACK, {"qr_r_raw"}),
    "pinv": (la.pinv, STACK, {"svd_s"}),
    "lstsq": (lambda a: la.lstsq(a, np.ones(4)), STACK, {"svd_s"}),
    "norm nuc": (lambda a: la.norm(a, "nuc"), STACK, {"svd"}),
    "matrix_norm 2": (lambda a: la.matrix_norm(a, ord=2), STACK, {"svd"}),
    "matrix_rank": (la.matrix_rank, STACK, {"svd"}),
}


@pytest.mark.parametrize("name", sorted(ONE_CALL))
def test_vmap_is_one_lapack_call_per_primitive(name):
    f, stack, routines = ONE_CALL[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no primitive falls back to a loop
        with lapack_calls() as calls:
            batched = fgrad.vmap(f)(stack)
    assert dict(calls) == {r: 1 for r in routines}
    for k in range(len(stack)):
        for got, want in zip(fgrad.tree.tree_leaves(batched), fgrad.tree.tree_leaves(f(stack[k]))):
            np.testing.assert_allclose(np.asarray(got)[k], want, rtol=1e-10, atol=1e-12)


def test_vmap_of_grad_is_batched_through_the_backward_pass():
    def loss(a):
        return la.slogdet(a)[1] + fnp.sum(la.solve(a, np.ones(4)))
    with lapack_calls() as calls:
        grads = fgrad.vmap(fgrad.grad(loss))(STACK)
    assert dict(calls) == {"slogdet": 1, "solve1": 1, "inv": 1, "solve": 1}
    for k in range(len(STACK)):
        np.testing.assert_allclose(grads[k], fgrad.grad(loss)(STACK[k]), rtol=1e-12)


# -- errors, parameters, plain paths -------------------------------------------------------

def test_qr_raw_has_no_derivative():
    h, tau = la.qr(A, "raw")  # NumPy's own on plain arrays
    np.testing.assert_array_equal(h, np.linalg.qr(A, "raw")[0])
    with pytest.raises(NotImplementedError, match="raw"):
        fgrad.grad(lambda a: fnp.sum(la.qr(a, "raw")[0]))(A)
    with pytest.raises(ValueError, match="Unrecognized mode"):
        fgrad.grad(lambda a: fnp.sum(la.qr(a, "bogus")[0]))(A)


def test_matrix_power_errors_are_numpys():
    with pytest.raises(TypeError, match="exponent must be an integer"):
        fgrad.grad(lambda a: fnp.sum(la.matrix_power(a, 1.5)))(A)
    with pytest.raises(np.linalg.LinAlgError):
        fgrad.grad(lambda a: fnp.sum(la.matrix_power(a, 2)))(np.ones((2, 3)))
    with pytest.raises(TypeError):
        la.matrix_power(A, 1.5)


def test_out_is_refused_under_a_transform():
    with pytest.raises(TypeError, match="out="):
        fgrad.grad(lambda a: fnp.sum(la.multi_dot([a, a, a], out=np.empty((4, 4)))))(A)


def test_plain_calls_are_numpys_own():
    for f, g in ((la.inv, np.linalg.inv), (la.det, np.linalg.det), (la.eigh, np.linalg.eigh),
                 (la.norm, np.linalg.norm), (la.pinv, np.linalg.pinv)):
        assert f.__wrapped__ is g
    assert type(la.svd(A)) is type(np.linalg.svd(A))
    np.testing.assert_array_equal(la.matrix_power(A, 7), np.linalg.matrix_power(A, 7))
    np.testing.assert_array_equal(la.multi_dot([A, B, B.T, A]),
                                  np.linalg.multi_dot([A, B, B.T, A]))


def test_lstsq_rank_and_rank_deficiency():
    a = np.column_stack([np.ones(5), np.arange(5.0), np.arange(5.0)])  # rank 2 of 3
    b = RNG.standard_normal(5)
    x, resid, rank, s = la.lstsq(a, b)
    assert rank == 2 and resid.shape == (0,)
    out, (dx, dresid, drank, ds) = fgrad.jvp(la.lstsq, (a, b), (np.zeros_like(a), b))
    assert drank is None or np.all(np.asarray(drank) == 0)
    np.testing.assert_allclose(dx, np.linalg.pinv(a) @ b, atol=1e-12)  # dx = A⁺ db
    assert out[2] == 2


def test_eigvals_rules_pair_eigenvectors_with_eigvals_own_order():
    """eigvals' rules take eigenvectors from eig; were LAPACK's two orders to differ, the
    columns are permuted to eigvals' order (exactly), also under vmap."""
    stack = np.stack([A + k * np.eye(4) for k in range(3)])
    w, v = np.linalg.eig(stack)
    order = [2, 0, 3, 1]
    for a, w_k, v_k in zip(stack, w, v):
        np.testing.assert_array_equal(la._eig_vectors(a, w_k[order]), v_k[:, order])
    batched = fgrad.vmap(la._eig_vectors)(stack, w[:, order])
    np.testing.assert_array_equal(batched, v[:, :, order])


@pytest.mark.parametrize("name", ["cond", "cross", "diagonal", "matrix_power", "matrix_transpose",
                                  "multi_dot", "outer", "qr", "svd", "svdvals", "tensordot",
                                  "tensorinv", "tensorsolve", "trace", "vecdot"])
def test_compositions_have_numpys_signatures(name):
    import inspect
    if not hasattr(np.linalg, name):
        pytest.skip(f"numpy.linalg.{name} is new in NumPy 2")
    assert inspect.signature(getattr(la, name).__wrapped__) == \
        inspect.signature(getattr(np.linalg, name))


def test_every_public_name_of_numpy_linalg_is_exported():
    assert sorted(set(np.linalg.__all__) - set(la.__all__)) == []
    for name in la.__all__:
        assert getattr(la, name) is not None
