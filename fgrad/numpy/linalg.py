"""fgrad.numpy.linalg: NumPy's linear algebra, each function with its VJP, JVP and batching.

The decompositions and solvers are primitives that call NumPy's own function, so
values are NumPy's to the bit; the rest (matrix_power, multi_dot, tensorsolve,
tensorinv, cond, trace, diagonal, outer, cross, vecdot, matmul, matrix_transpose,
tensordot) are compositions. Every primitive works on stacks ``(..., m, n)`` as NumPy
does, and its batching rule is one call of it on the whole stack (lstsq, which NumPy
runs on one matrix only, through one batched SVD). This module ranks above every family
but creation: it imports elementwise, shape, reductions, products and the helpers.
The source of each matrix-calculus result is cited above its rules.

Conventions. VJPs are plain transposes of the JVPs (no conjugation, as everywhere in
fgrad.numpy); the complex rules are derived in the Hermitian inner product, conjugated
once (``_plain``). At degenerate points:

- ``det``: the derivative is the adjugate (cofactor matrix), ``det(A) A⁻ᵀ`` where A is
  safely invertible and from the SVD otherwise: finite and right at singular matrices.
  ``slogdet`` is the stable route to log-determinants (no overflow, no underflow).
- ``cholesky``, ``eigh``, ``eigvalsh``, and ``svd``/``pinv`` with ``hermitian=True`` read
  one triangle; their derivatives assume the Hermitian part (dA + dAᴴ)/2 of the tangent,
  as JAX's do, and their cotangents are Hermitian.
- ``eigh``, ``eig``, ``svd``: the terms 1/(wⱼ - wᵢ) (1/(sⱼ² - sᵢ²)) of exactly tied
  eigenvalues (singular values) are masked to zero, and 1/sᵢ at sᵢ = 0 (JAX's formulas,
  the degenerate terms masked): functions of the eigenvalues alone (trace-like ones), and
  of eigenvectors of simple eigenvalues, keep finite, right derivatives there; within a
  degenerate eigenspace the vectors have no derivative.
- Eigen- and singular vectors are defined up to sign or phase: their derivatives take
  each vector's change orthogonal to it (eig: unit norm kept), so sign- and
  phase-invariant functions of them (|V|², u₁v₁ᴴ, projectors) are differentiable as such.
  ``svd(full_matrices=True)`` and ``qr(mode="complete")`` of rectangular matrices: the
  columns completing U (V, Q) move as little as possible (dU⊥ = -U dUᴴ U⊥).
- ``eig``/``eigvals`` of real input give complex output (real when every eigenvalue is,
  as NumPy's): the cotangent of the real input is the real part of the transpose.
- ``norm``, ``vector_norm``, ``matrix_norm``: subgradient 0 at zero (as abs'(0) = 0, and
  for a zero singular value); ties of the max/min norms (vector and matrix inf, -inf,
  matrix 1, -1) share the derivative evenly, as max and min do.
- ``pinv``, ``lstsq``: the rank is taken as constant near the point (Golub & Pereyra);
  lstsq's rank and matrix_rank are integers, with no derivative.
- ``cholesky`` of a matrix that is not positive definite raises NumPy's LinAlgError under
  every transform (the primitive itself raises; no rule runs), as ``inv`` and ``solve``
  of a singular one do.
- ``qr(mode="raw")`` (Householder reflectors) has no derivative rule: under a transform
  it raises NotImplementedError.
"""
import math
import operator

import numpy as np
from numpy.linalg import LinAlgError

from ..rules import defrules, nondifferentiable
from ..tracer import Box, composite, primitive, unbox
from .batch import ndim_of_example, to_front
from .broadcast import fit_dtype, unbroadcast
from .elementwise import conj, equal, imag, logical_or, real, sign, where
from .products import dot, matmul
from .reductions import max as _max, min as _min, prod as _prod, sum as _sum
from .shape import concatenate, expand_dims, moveaxis, ravel, reshape, swapaxes, transpose

__all__ = ["LinAlgError", "cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh",
           "eigvals", "eigvalsh", "inv", "lstsq", "matmul", "matrix_norm", "matrix_power",
           "matrix_rank", "matrix_transpose", "multi_dot", "norm", "outer", "pinv", "qr",
           "slogdet", "solve", "svd", "svdvals", "tensordot", "tensorinv", "tensorsolve",
           "trace", "vecdot", "vector_norm"]

_NUMPY2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


# -- helpers: matrices as stacks (..., m, n), written with fgrad operations --------------

def _mT(x):
    return swapaxes(x, -1, -2)


def _complex(x):
    return x.dtype.kind == "c"


def _conj(x):
    return conj(x) if _complex(x) else x


def _real(x):
    return real(x) if _complex(x) else x


def _H(x):
    """The conjugate transpose of each matrix."""
    return _conj(_mT(x))


def _sym(x):
    """The Hermitian part (x + xᴴ) / 2."""
    return (x + _H(x)) * 0.5


def _row(v):
    return expand_dims(v, -2)


def _col(v):
    return expand_dims(v, -1)


def _diag(x):
    """The diagonal of each square matrix (..., n, n) -> (..., n)."""
    return _sum(x * np.eye(x.shape[-1], dtype=x.dtype), axis=-1)


def _diagm(v, dtype):
    """Diagonal matrices of dtype with v (..., n) on the diagonal."""
    return _col(v) * np.eye(v.shape[-1], dtype=dtype)


def _mask(x, k, upper):
    """x with the entries on and above its k-th diagonal kept (upper), or on and below."""
    n, m = x.shape[-2:]
    tri = np.tri(n, m, k - 1 if upper else k, dtype=np.finfo(x.dtype).dtype)
    return x * (1 - tri if upper else tri)


def _safe_reciprocal(x):
    """1 / x, and 0 where x == 0 (the double-where trick keeps derivatives finite)."""
    zero = equal(x, 0)
    return where(zero, 0, 1 / where(zero, 1, x))


def _inverse_gaps(w):
    """F[..., i, j] = 1 / (w_j - w_i), 0 on the diagonal and at exact ties."""
    return _safe_reciprocal(_row(w) - _col(w))


def _plain(ct_h):
    """A cotangent in fgrad's plain-transpose convention from its Hermitian form."""
    return None if ct_h is None else _conj(ct_h)


def _add(x, y):
    return y if x is None else x if y is None else x + y


def _stacked(f):
    """Batching rule of a function of one stack of matrices: one call on the whole batch."""
    def rule(args, dims, size, **params):
        out = f(to_front(args[0], dims[0], size), **params)
        return out, ((0,) * len(out) if isinstance(out, tuple) else 0)
    return rule


def _align(x, d, size, core, rank):
    """``x`` (batch axis d, ``core`` trailing matrix/vector axes) with its batch axis first
    and its stack padded with length-1 axes to ``rank`` stack axes, so that NumPy's
    broadcasting pairs examples; an unbatched x is left as it is (it broadcasts)."""
    if d is None:
        return x
    x = to_front(x, d, size)
    pad = rank + core + 1 - x.ndim
    return reshape(x, x.shape[:1] + (1,) * pad + x.shape[1:]) if pad else x


# -- inverse and determinants ------------------------------------------------------------
# Giles 2008, "An extended collection of matrix derivative results for forward and
# reverse mode algorithmic differentiation", sections 2.2.1-2.2.4.

inv = primitive(np.linalg.inv, data="a")
# d A⁻¹ = -A⁻¹ dA A⁻¹;  Ā = -A⁻ᵀ G A⁻ᵀ  (the forward inverse is reused)
defrules(inv, vjp=(lambda g, out, a: -(_mT(out) @ g @ _mT(out)),),
              jvp=(lambda t, out, a: -(out @ t @ out),), save="out", batch=_stacked(inv))

det = primitive(np.linalg.det, data="a")


def _norm1(x):
    return _max(_sum(abs(x), axis=-2), axis=-1)


def _well_conditioned(a, a_inv):
    """Whether det(A) A⁻¹ is an accurate adjugate: every κ₁(A) below 1/√eps."""
    with np.errstate(all="ignore"):
        kappa = unbox(_norm1(a) * _norm1(a_inv))
    return bool(np.all(kappa < 1 / np.sqrt(np.finfo(a.dtype).eps)))


def _cofactor(a, d):
    """cof(A) = adj(A)ᵀ, with d = det(A): d A⁻ᵀ where A is safely invertible (the inverse
    costs what one more LU does), else from the SVD, exact at singular matrices.
    NB: the route is chosen on the values (for the whole stack); both give the same
    function, so the choice does not change any derivative."""
    try:
        a_inv = inv(a)
    except LinAlgError:  # exactly singular
        return _cofactor_svd(a)
    if _well_conditioned(a, a_inv):
        return _col(_col(d)) * _mT(a_inv)
    return _cofactor_svd(a)


def _cofactor_svd(a):
    """A = U S Vh: adj(A) = adj(Vh) adj(S) adj(U) = det(U) det(Vh) Vhᴴ diag(Πⱼ≠ᵢ sⱼ) Uᴴ,
    with no division, so the cofactors of a singular matrix are exact."""
    u, s, vh = _svd(a, full_matrices=False, hermitian=False)
    others = _prod(where(np.eye(s.shape[-1], dtype=bool), 1, _row(s)), axis=-1)  # Πⱼ≠ᵢ sⱼ
    phase = det(u) * det(vh)
    return _col(_col(phase)) * ((_conj(u) * _row(others)) @ _conj(vh))


# d det A = tr(adj(A) dA) = Σ cof(A) ∘ dA;  Ā = g cof(A)
defrules(det, vjp=(lambda g, out, a: _col(_col(g)) * _cofactor(a, out),),
              jvp=(lambda t, out, a: _sum(_cofactor(a, out) * t, axis=(-2, -1)),),
         save="all", batch=_stacked(det))

slogdet = primitive(np.linalg.slogdet, data="a", multiple_results=True)


# τ = tr(A⁻¹ dA):  d log|det A| = Re τ,  d sign = i sign Im τ (complex; 0 for real A)
def _slogdet_jvp(t, out, a):
    tau = _sum(_mT(inv(a)) * t, axis=(-2, -1))
    if not _complex(tau):
        return None, tau
    return out[0] * (1j * imag(tau)), real(tau)


def _slogdet_vjp(g, out, a):
    g_sign, g_log = g
    scale = g_log
    if g_sign is not None and _complex(a):
        scale = _add(scale, 1j * imag(g_sign * out[0]))
    if scale is None:
        return None
    return _col(_col(scale)) * _mT(inv(a))


defrules(slogdet, vjp=(_slogdet_vjp,), jvp=(_slogdet_jvp,), save="all",
         batch=_stacked(slogdet))


# -- solve: x = A⁻¹ b ------------------------------------------------------------------

solve = primitive(np.linalg.solve, data="a b")


def _vector_rhs(a_ndim, b_ndim):
    """Whether solve reads b as one vector per matrix (NumPy 2: b is 1-d)."""
    return b_ndim == 1 if _NUMPY2 else b_ndim == a_ndim - 1


# d x = A⁻¹ (db - dA x): one solve;  b̄ = A⁻ᵀ G,  Ā = -b̄ xᵀ: one solve with Aᵀ serves both
def _solve_jvp(tangents, out, a, b):
    da, db = tangents
    vector = _vector_rhs(a.ndim, b.ndim)
    rhs = None if db is None else (_col(db) if vector else db)
    if da is not None:
        rhs = _add(rhs, -(da @ (_col(out) if vector else out)))
    dx = solve(a, rhs)
    return dx[..., 0] if vector else dx


def _solve_vjp(g, out, a, b):
    vector = _vector_rhs(a.ndim, b.ndim)
    ct_b = solve(_mT(a), _col(g) if vector else g)
    ct_a = -(ct_b @ _mT(_col(out) if vector else out))
    return unbroadcast(ct_a, a), unbroadcast(ct_b[..., 0] if vector else ct_b, b)


def _solve_batch(args, dims, size):
    (a, b), (da, db) = args, dims
    vector = _vector_rhs(ndim_of_example(a, da), ndim_of_example(b, db))
    if vector and db is None:  # one vector for every matrix of the batch
        return solve(to_front(a, da, size), b), 0
    b = _col(to_front(b, db, size)) if vector else b
    db = 0 if vector else db
    rank = max(ndim_of_example(a, da), ndim_of_example(b, db)) - 2
    x = solve(_align(a, da, size, 2, rank), _align(b, db, size, 2, rank))
    return (x[..., 0] if vector else x), 0


defrules(solve, vjp=_solve_vjp, jvp=_solve_jvp, save="all", batch=_solve_batch)


# -- cholesky: A = L Lᴴ ------------------------------------------------------------------
# Murray 2016, "Differentiation of the Cholesky decomposition", eqs. 9-10:
# dL = L Φ(L⁻¹ dA L⁻ᴴ),  Ā = L⁻ᴴ Φ(Lᴴ L̄) L⁻¹ (Hermitian part), Φ = lower triangle, half diagonal

cholesky = primitive(np.linalg.cholesky, data="a", params={"upper": False} if _NUMPY2 else {})


def _phi(x):
    """The lower triangle of x with half its diagonal."""
    return _mask(x, -1, upper=False) + _diagm(_diag(x) * 0.5, x.dtype)


def _cholesky_jvp(t, out, a, upper=False):
    low = _H(out) if upper else out
    low_inv = inv(low)
    dl = low @ _phi(low_inv @ _sym(t) @ _H(low_inv))
    return _H(dl) if upper else dl


def _cholesky_vjp(g, out, a, upper=False):
    low = _H(out) if upper else out
    g_low = _mT(g) if upper else _conj(g)  # Hermitian form of L's cotangent
    low_inv = inv(low)
    return _plain(_sym(_H(low_inv) @ _phi(_H(low) @ g_low) @ low_inv))


defrules(cholesky, vjp=(_cholesky_vjp,), jvp=(_cholesky_jvp,), save="out",
         batch=_stacked(cholesky))


# -- eigh and eigvalsh: A = V diag(w) Vᴴ, A Hermitian -------------------------------------
# Giles 2008, section 3.1:  P = Vᴴ dA V,  dw = Re diag(P),  dV = V (F ∘ P),
# Ā = V (diag(w̄) + F ∘ (Vᴴ V̄)) Vᴴ (Hermitian part),  F_ij = 1/(w_j - w_i), 0 at ties

eigh = primitive(np.linalg.eigh, data="a", params={"UPLO": "L"}, multiple_results=True)
eigvalsh = primitive(np.linalg.eigvalsh, data="a", params={"UPLO": "L"})


def _eigh_jvp(t, out, a, UPLO):
    w, v = out
    p = _H(v) @ _sym(t) @ v
    return _real(_diag(p)), v @ (_inverse_gaps(w) * p)


def _eigh_vjp(g, out, a, UPLO):
    (w, v), (g_w, g_v) = out, g
    inner = None if g_w is None else _diagm(g_w, v.dtype)
    if g_v is not None:
        inner = _add(inner, _inverse_gaps(w) * (_mT(v) @ g_v))
    return _sym(_conj(v) @ inner @ _mT(v))


def _eigvalsh_jvp(t, out, a, UPLO):
    v = eigh(a, UPLO=UPLO)[1]  # the eigenvectors, which eigvalsh does not return
    return _real(_sum(_conj(v) * (_sym(t) @ v), axis=-2))


def _eigvalsh_vjp(g, out, a, UPLO):
    v = eigh(a, UPLO=UPLO)[1]
    return _sym((_conj(v) * _row(g)) @ _mT(v))


defrules(eigh, vjp=(_eigh_vjp,), jvp=(_eigh_jvp,), save="out", batch=_stacked(eigh))
defrules(eigvalsh, vjp=(_eigvalsh_vjp,), jvp=(_eigvalsh_jvp,), save="args",
         batch=_stacked(eigvalsh))


# -- eig and eigvals: A V = V diag(w), each column of V of unit norm -----------------------
# Giles 2008, section 3.1 (with the normalisation of Boeddeker et al. 2017):
# P = V⁻¹ dA V,  dw = diag(P),  dV = V (F ∘ P) - V Re diag(Vᴴ V (F ∘ P)),
# Ā = V⁻ᵀ (diag(w̄) + F ∘ (Vᵀ V̄₀)) Vᵀ,  V̄₀ = V̄ - V̄* Re diag(Vᵀ V̄)   (plain transpose)

eig = primitive(np.linalg.eig, data="a", multiple_results=True)
eigvals = primitive(np.linalg.eigvals, data="a")


def _eig_vectors(a, w):
    """Eigenvectors of ``a`` ordered as the eigenvalues ``w`` (eigvals' own order)."""
    w_eig, v = eig(a)
    if np.array_equal(unbox(w), unbox(w_eig)):  # the same LAPACK routine: the usual case
        return v
    gaps = abs(_col(w) - _row(w_eig))
    nearest = equal(gaps, _min(gaps, axis=-1, keepdims=True))  # [i, j]: w_eig[j] is w[i]
    one, zero = np.ones((), v.dtype), np.zeros((), v.dtype)
    return v @ _mT(where(nearest, one, zero))  # a permutation matrix: exact


def _eig_tangents(t, w, v):
    p = solve(v, t @ v)
    dv = v @ (_inverse_gaps(w) * p)
    dv = dv - v * _row(_real(_sum(_conj(v) * dv, axis=-2)))  # keep each column's norm
    return fit_dtype(_diag(p), w.dtype), fit_dtype(dv, v.dtype)


def _eig_cotangent(a, w, v, g_w, g_v):
    inner = None if g_w is None else _diagm(g_w, v.dtype)
    if g_v is not None:
        g_v = g_v - _conj(v) * _row(_real(_sum(v * g_v, axis=-2)))
        inner = _add(inner, _inverse_gaps(w) * (_mT(v) @ g_v))
    return fit_dtype(solve(_mT(v), inner @ _mT(v)), a.dtype)


defrules(eig, vjp=(lambda g, out, a: _eig_cotangent(a, out[0], out[1], g[0], g[1]),),
              jvp=(lambda t, out, a: _eig_tangents(t, out[0], out[1]),),
         save="all", batch=_stacked(eig))
defrules(eigvals, vjp=(lambda g, out, a: _eig_cotangent(a, out, _eig_vectors(a, out), g, None),),
                  jvp=(lambda t, out, a: _eig_tangents(t, out, _eig_vectors(a, out))[0],),
         save="all", batch=_stacked(eigvals))


# -- svd: A = U diag(s) Vh ---------------------------------------------------------------
# Townsend 2016, "Differentiating the singular value decomposition" (complex: the phase
# term of the diagonal, as in JAX). With the thin factors, P = Uᴴ dA V, F_ij = 1/(s_j² - s_i²):
#   ds = Re diag(P),  dU = U (F ∘ (P S + S Pᴴ) + i Im diag(P) / S) + (I - U Uᴴ) dA V S⁻¹,
#   dV = V (F ∘ (S P + Pᴴ S)) + (I - V Vᴴ) dAᴴ U S⁻¹,
# and the VJP is its transpose (written out in _svd_vjp).

def _np_svd(a, full_matrices=True, hermitian=False):
    return np.linalg.svd(a, full_matrices, True, hermitian)


def _np_svdvals(a, hermitian=False):
    return np.linalg.svd(a, False, False, hermitian)


_svd = primitive(_np_svd, "svd", data="a", params={"full_matrices": True, "hermitian": False},
                 multiple_results=True)
_svdvals = primitive(_np_svdvals, "svdvals", data="a", params={"hermitian": False})


def _thin(u, vh, k):
    """The thin factors U (m, k) and V (n, k), and the completing columns (or None)."""
    m, n = u.shape[-2], vh.shape[-1]
    u1 = u if u.shape[-1] == k else u[..., :k]
    v = _H(vh)
    v1 = v if v.shape[-1] == k else v[..., :k]
    u_rest = u[..., k:] if u.shape[-1] > k else None
    v_rest = v[..., k:] if v.shape[-1] > k else None
    return u1, v1, u_rest, v_rest, m > k, n > k


def _svd_gaps(s):
    """F_ij = 1/(s_j² - s_i²), 0 on the diagonal and at exact ties."""
    return _safe_reciprocal((_row(s) + _col(s)) * (_row(s) - _col(s)))


def _svd_jvp(t, out, a, full_matrices, hermitian):
    u, s, vh = out
    k = s.shape[-1]
    u1, v1, u_rest, v_rest, tall, wide = _thin(u, vh, k)
    t = _sym(t) if hermitian else t
    p = _H(u1) @ t @ v1
    ds = _real(_diag(p))
    f, s_inv = _svd_gaps(s), _safe_reciprocal(s)
    ps = p * _row(s)
    sp = _col(s) * p
    du = u1 @ (f * (ps + _H(ps)))
    dv = v1 @ (f * (sp + _H(sp)))
    if _complex(p):
        du = du + u1 * _row(1j * imag(_diag(p)) * s_inv)
    if tall:
        tv = t @ v1
        du = du + (tv - u1 @ (_H(u1) @ tv)) * _row(s_inv)
    if wide:
        tu = _H(t) @ u1
        dv = dv + (tu - v1 @ (_H(v1) @ tu)) * _row(s_inv)
    if u_rest is not None:  # full_matrices: dU⊥ = -U dUᴴ U⊥
        du = concatenate([du, -(u1 @ (_H(du) @ u_rest))], axis=-1)
    if v_rest is not None:
        dv = concatenate([dv, -(v1 @ (_H(dv) @ v_rest))], axis=-1)
    return du, ds, _H(dv)


def _svd_vjp(g, out, a, full_matrices, hermitian):
    (u, s, vh), (g_u, g_s, g_vh) = out, g
    k = s.shape[-1]
    u1, v1, u_rest, v_rest, tall, wide = _thin(u, vh, k)
    # Hermitian forms of the cotangents of U and of V = Vhᴴ, the completing columns'
    # share moved onto the thin ones (the transpose of dU⊥ = -U dUᴴ U⊥)
    gu = None if g_u is None else _conj(g_u)
    gv = None if g_vh is None else _mT(g_vh)
    if gu is not None and u_rest is not None:
        gu = gu[..., :k] - u_rest @ (_H(gu[..., k:]) @ u1)
    if gv is not None and v_rest is not None:
        gv = gv[..., :k] - v_rest @ (_H(gv[..., k:]) @ v1)
    f, s_inv = _svd_gaps(s), _safe_reciprocal(s)
    inner = None if g_s is None else _diagm(g_s, u.dtype)
    if gu is not None:
        ug = _H(u1) @ gu
        inner = _add(inner, (f * (ug - _H(ug))) * _row(s))
        if _complex(ug):
            inner = inner + _diagm(1j * imag(_diag(ug)) * s_inv, ug.dtype)
    if gv is not None:
        vg = _H(v1) @ gv
        inner = _add(inner, _col(s) * (f * (vg - _H(vg))))
    ct = u1 @ inner @ _H(v1)
    if gu is not None and tall:
        ct = ct + ((gu - u1 @ (_H(u1) @ gu)) * _row(s_inv)) @ _H(v1)
    if gv is not None and wide:
        gvh = _H(gv)
        ct = ct + (u1 * _row(s_inv)) @ (gvh - (gvh @ v1) @ _H(v1))
    return _plain(_sym(ct) if hermitian else ct)


# ds = Re diag(Uᴴ dA V);  Ā = U diag(s̄) Vᴴ  (the factors recomputed: svdvals has none)
def _svdvals_jvp(t, out, a, hermitian):
    u, _, vh = _svd(a, full_matrices=False, hermitian=hermitian)
    t = _sym(t) if hermitian else t
    return _real(_sum(_conj(u) * (t @ _H(vh)), axis=-2))


def _svdvals_vjp(g, out, a, hermitian):
    u, _, vh = _svd(a, full_matrices=False, hermitian=hermitian)
    ct = (u * _row(g)) @ vh
    return _plain(_sym(ct) if hermitian else ct)


defrules(_svd, vjp=(_svd_vjp,), jvp=(_svd_jvp,), save="out", batch=_stacked(_svd))
defrules(_svdvals, vjp=(_svdvals_vjp,), jvp=(_svdvals_jvp,), save="args",
         batch=_stacked(_svdvals))


@composite(np.linalg.svd)
def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """NumPy's svd, differentiable: U, S, Vh (an SVDResult), or S alone."""
    if not compute_uv:
        return _svdvals(a, hermitian=hermitian)
    return _svd(a, full_matrices=full_matrices, hermitian=hermitian)


def _svdvals_fallback(x):
    return np.linalg.svd(x, compute_uv=False)


@composite(getattr(np.linalg, "svdvals", _svdvals_fallback))
def svdvals(x, /):
    """The singular values of each matrix, largest first."""
    return _svdvals(x)


# -- qr: A = Q R, R upper triangular with a real diagonal ---------------------------------
# Walter & Lehmann 2018, "Algorithmic differentiation of linear algebra functions with
# application in optimum experimental design"; complex and wide cases as in JAX.
# m >= n:  C = Qᴴ dA R⁻¹,  Ω = tril(C, -1) - tril(C, -1)ᴴ + i Im diag(C) (anti-Hermitian),
#          dQ = dA R⁻¹ - Q C + Q Ω,  dR = (C - Ω) R;
#          Ā = (Q̄ + Q copyltu(R̄ Rᴴ - Qᴴ Q̄)) R⁻ᴴ  (Hermitian form)
# m < n:   A = [X | Y], X = Q R₁ as above, R₂ = Qᴴ Y:  dR₂ = dQᴴ Y + Qᴴ dY

_qr = primitive(np.linalg.qr, "qr", data="a", params={"mode": "reduced"},
                multiple_results=True)
def _np_qr_r(a):
    return np.linalg.qr(a, mode="r")


_qr_r = primitive(_np_qr_r, "qr_r", data="a")


def _right_solve(x, r):
    """x R⁻¹ = (R⁻ᴴ xᴴ)ᴴ."""
    return _H(solve(_H(r), _H(x)))


def _qr_square_jvp(q, r, da):
    d = _right_solve(da, r)
    c = _H(q) @ d
    low = _mask(c, -1, upper=False)
    omega = low - _H(low)
    if _complex(c):
        omega = omega + _diagm(1j * imag(_diag(c)), c.dtype)
    return d - q @ c + q @ omega, (c - omega) @ r


def _qr_square_vjp(q, r, gq, gr):
    """Hermitian-form cotangent of A (m >= n) from those of Q and R (either may be None)."""
    x = None if gr is None else gr @ _H(r)
    if gq is not None:
        x = _add(x, -(_H(q) @ gq))
    up = _mask(x, 1, upper=True)
    z = up + _H(up) + _diagm(_real(_diag(x)), x.dtype)
    return _H(solve(r, _H(_add(gq, q @ z))))  # (Q̄ + Q Z) R⁻ᴴ


def _qr_tangents(t, q, r, complete):
    m, n = t.shape[-2:]
    if m < n:  # wide: the square part, then R₂ = Qᴴ Y
        dq, dr1 = _qr_square_jvp(q, r[..., :m], t[..., :m])
        dr2 = _H(dq) @ (q @ r[..., m:]) + _H(q) @ t[..., m:]
        return dq, concatenate([dr1, dr2], axis=-1)
    if complete and m > n:  # Q completed to a square: dQ⊥ = -Q₁ dQ₁ᴴ Q⊥
        q1, q_rest = q[..., :n], q[..., n:]
        dq, dr = _qr_square_jvp(q1, r[..., :n, :], t)
        dq = concatenate([dq, -(q1 @ (_H(dq) @ q_rest))], axis=-1)
        return dq, concatenate([dr, np.zeros(dr.shape[:-2] + (m - n, n), dr.dtype)], axis=-2)
    return _qr_square_jvp(q, r, t)


def _qr_cotangent(a, q, r, g_q, g_r, complete):
    m, n = a.shape[-2:]
    gq = None if g_q is None else _conj(g_q)
    gr = None if g_r is None else _conj(g_r)
    if m < n:
        r1, r2 = r[..., :m], r[..., m:]
        gr1, gr2 = (None, None) if gr is None else (gr[..., :m], gr[..., m:])
        if gr2 is not None:
            gq = _add(gq, (q @ r2) @ _H(gr2))  # dR₂ = dQᴴ Y + ...: Ȳ carries Q̄ += Y R̄₂ᴴ
        ct = _qr_square_vjp(q, r1, gq, gr1)
        ct_y = q @ gr2 if gr2 is not None else np.zeros(r2.shape, ct.dtype)
        return fit_dtype(_plain(concatenate([ct, ct_y], axis=-1)), a.dtype)
    if complete and m > n:
        q1, q_rest = q[..., :n], q[..., n:]
        if gq is not None:
            gq = gq[..., :n] - q_rest @ (_H(gq[..., n:]) @ q1)
        gr = None if gr is None else gr[..., :n, :]
        q, r = q1, r[..., :n, :]
    return fit_dtype(_plain(_qr_square_vjp(q, r, gq, gr)), a.dtype)


defrules(_qr, vjp=(lambda g, out, a, mode:
                   _qr_cotangent(a, out[0], out[1], g[0], g[1], mode == "complete"),),
              jvp=(lambda t, out, a, mode: _qr_tangents(t, out[0], out[1], mode == "complete"),),
         save="all", batch=_stacked(_qr))
defrules(_qr_r, vjp=(lambda g, out, a: _qr_cotangent(a, _qr(a)[0], out, None, g, False),),
                jvp=(lambda t, out, a: _qr_tangents(t, _qr(a)[0], out, False)[1],),
         save="all", batch=_stacked(_qr_r))


@composite(np.linalg.qr)
def qr(a, mode="reduced"):
    """NumPy's qr, differentiable for modes "reduced", "complete" and "r"."""
    if mode == "r":
        return _qr_r(a)
    if mode == "raw":
        raise NotImplementedError("fgrad: qr(mode='raw') returns Householder reflectors, which "
                                  "have no derivative rule; use mode='reduced' or 'complete'")
    if mode in ("reduced", "complete"):
        return _qr(a, mode=mode)
    np.linalg.qr(np.eye(1), mode)  # NumPy's error for a mode it does not know
    raise NotImplementedError(f"fgrad: qr(mode={mode!r}) is deprecated by NumPy and has no "
                              "derivative rule; use mode='reduced'")


# -- pinv: the Moore-Penrose pseudo-inverse ----------------------------------------------
# Golub & Pereyra 1973, "The differentiation of pseudo-inverses and nonlinear least
# squares problems", Thm 4.3 (constant rank):
#   dP = -P dA P + P Pᴴ dAᴴ (I - A P) + (I - P A) dAᴴ Pᴴ P,
#   Ā = -Pᴴ P̄ Pᴴ + (I - A P) P̄ᴴ P Pᴴ + Pᴴ P P̄ᴴ (I - P A)   (Hermitian form)

_PINV_PARAMS = {"rcond": None, "hermitian": False}
if _NUMPY2:
    _PINV_PARAMS["rtol"] = np._NoValue
pinv = primitive(np.linalg.pinv, data="a", params=_PINV_PARAMS)


def _pinv_tangent(p, a, t):
    th = _H(t)
    return (-(p @ t @ p) + (p @ _H(p)) @ (th - (th @ a) @ p)
            + (th - p @ (a @ th)) @ (_H(p) @ p))


def _pinv_cotangent(p, a, gh):
    ph, gt = _H(p), _H(gh)
    return (-(ph @ gh @ ph) + (gt - a @ (p @ gt)) @ (p @ ph)
            + (ph @ p) @ (gt - (gt @ p) @ a))


def _pinv_jvp(t, out, a, hermitian, **tolerances):
    return _pinv_tangent(out, a, _sym(t) if hermitian else t)


def _pinv_vjp(g, out, a, hermitian, **tolerances):
    ct = _pinv_cotangent(out, a, _conj(g))
    return _plain(_sym(ct) if hermitian else ct)


defrules(pinv, vjp=(_pinv_vjp,), jvp=(_pinv_jvp,), save="all", batch=_stacked(pinv))


# -- lstsq: x = A⁺ b, with the residuals and singular values of A -------------------------
# dx = dA⁺ b + A⁺ db = -P dA x + P Pᴴ dAᴴ r + (I - P A) dAᴴ Pᴴ x + P db  (r = b - A x),
# d resid = 2 Re Σᵢ conj(r) (db - dA x)  (Aᴴ r = 0 at full column rank), ds as svdvals.

def _lstsq_stacked(a, b, rcond=None):
    """lstsq of stacks (..., m, n) and (..., m, k) (equal stacks) through one batched SVD:
    vmap's route, as NumPy's lstsq takes one matrix. Residuals as NumPy gives them when
    every matrix has full column rank and m > n; else an empty last axis."""
    m, n = a.shape[-2:]
    result = np.result_type(a, b)
    result = result if result.kind in "fc" else np.dtype(np.float64)
    work = np.result_type(result, np.float64)  # NumPy's lstsq works in double precision
    real_type = np.finfo(result).dtype
    a, b = a.astype(work), b.astype(work)
    rcond = np.finfo(work).eps * max(m, n) if rcond is None else rcond
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    keep = s > rcond * s[..., :1]
    s_inv = np.where(keep, 1 / np.where(keep, s, 1), 0)
    x = np.conj(np.swapaxes(vh, -1, -2)) @ (s_inv[..., None] * (np.conj(np.swapaxes(u, -1, -2))
                                                                 @ b))
    rank = keep.sum(axis=-1).astype(np.intc)
    if m > n and np.all(rank == n):
        resid = (np.abs(b - a @ x) ** 2).sum(axis=-2)
    else:
        resid = np.zeros(b.shape[:-2] + (0,))
    return x.astype(result), resid.astype(real_type), rank, s.astype(real_type)


lstsq = primitive(np.linalg.lstsq, data="a b", params={"rcond": None},
                  multiple_results=True)
_lstsq = primitive(_lstsq_stacked, "lstsq_stacked", data="a b", params={"rcond": None},
                   multiple_results=True)


def _lstsq_factors(a, rcond):
    """(U, s, Vh) of A and A⁺ with lstsq's cut-off for small singular values."""
    u, s, vh = _svd(a, full_matrices=False, hermitian=False)
    m, n = a.shape[-2:]
    rcond = np.finfo(np.float64).eps * max(m, n) if rcond is None else rcond
    s_inv = where(s > rcond * s[..., :1], _safe_reciprocal(s), 0)
    return u, vh, _H(vh) @ (_col(s_inv) * _H(u))


def _lstsq_setup(out, a, b):
    x, resid = out[0], out[1]
    vector = b.ndim == 1  # only the public lstsq (a single matrix) takes a vector b
    xm, bm = (_col(x), _col(b)) if vector else (x, b)
    return vector, xm, bm, bm - a @ xm, resid.shape[-1] > 0


def _lstsq_jvp(tangents, out, a, b, rcond):
    (da, db), s = tangents, out[3]
    vector, xm, bm, r, has_resid = _lstsq_setup(out, a, b)
    u, vh, p = _lstsq_factors(a, rcond)
    dx = d_resid = ds = None
    if da is not None:
        dah = _H(da)
        dah_x = dah @ (_H(p) @ xm)
        dx = -(p @ (da @ xm)) + p @ (_H(p) @ (dah @ r)) + dah_x - p @ (a @ dah_x)
        ds = fit_dtype(_real(_sum(_conj(u) * (da @ _H(vh)), axis=-2)), s.dtype)
    if db is not None:
        dx = _add(dx, p @ (_col(db) if vector else db))
    if has_resid:
        dr = _add(None if db is None else (_col(db) if vector else db),
                  None if da is None else -(da @ xm))
        d_resid = fit_dtype(2 * _real(_sum(_conj(r) * dr, axis=-2)), out[1].dtype)
    return (dx[..., 0] if vector else dx), d_resid, None, ds


def _lstsq_vjp(g, out, a, b, rcond):
    g_x, g_resid, _, g_s = g
    vector, xm, bm, r, has_resid = _lstsq_setup(out, a, b)
    u, vh, p = _lstsq_factors(a, rcond)
    ct_a = ct_b = None
    if g_x is not None:
        gx = _conj(_col(g_x) if vector else g_x)  # Hermitian form
        gxh = _H(gx)
        ct_a = (-(_H(p) @ gx @ _H(xm)) + (r @ (gxh @ p)) @ _H(p)
                + (_H(p) @ xm) @ (gxh - (gxh @ p) @ a))
        ct_b = _H(p) @ gx
    if g_resid is not None and has_resid:
        weighted = 2 * r * _row(g_resid)
        ct_a = _add(ct_a, -(weighted @ _H(xm)))
        ct_b = _add(ct_b, weighted)
    if g_s is not None:
        ct_a = _add(ct_a, (u * _row(g_s)) @ vh)
    ct_a = None if ct_a is None else fit_dtype(_plain(ct_a), a.dtype)
    if ct_b is not None:
        ct_b = fit_dtype(_plain(ct_b[..., 0] if vector else ct_b), b.dtype)
    return ct_a, ct_b


def _lstsq_batch(args, dims, size, rcond):
    """One stacked call, b as matrices (the stacked primitive reads no vectors)."""
    (a, b), (da, db) = args, dims
    vector = ndim_of_example(b, db) == 1
    a, b = to_front(a, da, size), to_front(b, db, size)
    x, resid, rank, s = _lstsq(a, _col(b) if vector else b, rcond=rcond)
    return (x[..., 0] if vector else x, resid, rank, s), (0, 0, 0, 0)


for _f in (lstsq, _lstsq):
    defrules(_f, vjp=_lstsq_vjp, jvp=_lstsq_jvp, save="all", batch=_lstsq_batch)


# -- norms ---------------------------------------------------------------------------------
# Each norm's derivative is d‖x‖ = Re Σ D ∘ dx over the reduced axes, for a direction D
# with x's shape: the VJP is g D, the JVP Re Σ t D. D is conj(x)/‖x‖ for 2-norms (0 at the
# zero vector), sign(x) (|x|/‖x‖)^(p-1) for p-norms, the even share of the maximum (minimum)
# times sign(x) for the max/min norms, and conj(U diag(c) Vh) for the singular-value norms
# (c = 1 for "nuc", the first or last unit vector for 2 and -2; 0 where s = 0).

norm = primitive(np.linalg.norm, data="x", params={"ord": None, "axis": None, "keepdims": False})


def _np_vector_norm(x, axis=None, keepdims=False, ord=2):
    """np.linalg.vector_norm, for NumPy 1.26."""
    x = np.asarray(x)
    axes = tuple(range(x.ndim)) if axis is None else tuple(
        a % x.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    rest = tuple(i for i in range(x.ndim) if i not in axes)
    y = np.transpose(x, axes + rest).reshape((-1,) + tuple(x.shape[i] for i in rest))
    out = np.linalg.norm(y, ord, 0)
    return out.reshape(tuple(1 if i in axes else d for i, d in enumerate(x.shape))) \
        if keepdims else out


def _np_matrix_norm(x, keepdims=False, ord="fro"):
    """np.linalg.matrix_norm, for NumPy 1.26."""
    return np.linalg.norm(x, ord, (-2, -1), keepdims)


vector_norm = primitive(getattr(np.linalg, "vector_norm", _np_vector_norm), "vector_norm",
                        data="x", params={"axis": None, "keepdims": False, "ord": 2})
matrix_norm = primitive(getattr(np.linalg, "matrix_norm", _np_matrix_norm), "matrix_norm",
                        data="x", params={"keepdims": False, "ord": "fro"})


def _norm_plan(ndim, ord, axis):
    """("vector" or "matrix", ord, axes) of np.linalg.norm(x, ord, axis)."""
    if axis is None:
        if ord is None:
            return "vector", 2, tuple(range(ndim))
        axes = tuple(range(ndim))
    else:
        axes = tuple(a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    if len(axes) == 1:
        return "vector", 2 if ord is None else ord, axes
    return "matrix", "fro" if ord is None else ord, axes


def _vector_plan(ndim, axis, ord):
    axes = tuple(range(ndim)) if axis is None else tuple(
        a % ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    return "vector", 2 if ord is None else ord, axes


def _kept(y, shape, axes):
    """``y``, reduced over ``axes`` of ``shape`` without keepdims, with them as length 1."""
    return reshape(y, tuple(1 if i in axes else d for i, d in enumerate(shape)))


def _unit(x):
    """x / |x| conjugated (sign(x) for real x), 0 at 0."""
    if not _complex(x):
        return sign(x)
    ax = abs(x)
    zero = equal(ax, 0)
    return where(zero, 0, conj(x) / where(zero, 1, ax))


def _share(hits, axes):
    """Each hit's even share of the derivative of a max or min over ``axes``."""
    hits = hits * 1.0
    return hits / _sum(hits, axis=axes, keepdims=True)


def _norm_direction(x, out, kind, p, axes):
    """D with d‖x‖ = Re Σ D ∘ dx (``out`` with the reduced axes kept as length 1)."""
    real_type = np.finfo(x.dtype).dtype
    if (kind == "vector" and p == 2) or (kind == "matrix" and p in ("fro", "f")):
        zero = equal(out, 0)
        return where(zero, 0, _conj(x) / where(zero, 1, out))
    if kind == "matrix" and p in ("nuc", 2, -2):
        u, s, vh = _svd(moveaxis(x, axes, (-2, -1)), full_matrices=False, hermitian=False)
        c = np.zeros(s.shape[-1], real_type)
        c[{"nuc": slice(None), 2: 0, -2: -1}[p]] = 1
        c = where(equal(s, 0), 0, c)  # a zero singular value: subgradient 0, as abs'(0)
        return moveaxis(_conj((u * _row(c)) @ vh), (-2, -1), axes)
    ax = abs(x)
    if kind == "vector":
        if p == 0:
            return np.zeros(x.shape, real_type)
        if p == 1:
            return _unit(x)
        if p in (np.inf, -np.inf):
            return _share(equal(ax, out), axes) * _unit(x)
        bad = logical_or(equal(ax, 0), equal(out, 0))
        ratio = where(bad, 1, ax) / where(bad, 1, out)
        return where(bad, 0, ratio ** (p - 1)) * _unit(x)
    row, col = axes  # matrix 1, -1 (column sums) and inf, -inf (row sums)
    summed, across = (row, col) if p in (1, -1) else (col, row)
    return _share(equal(_sum(ax, axis=summed, keepdims=True), out), (across,)) * _unit(x)


def _norm_rules(plan):
    """VJP and JVP of a norm whose ``plan(ndim, **params)`` gives (kind, ord, axes)."""
    def direction(out, x, params):
        kind, p, axes = plan(x.ndim, **params)
        kept = out if params["keepdims"] else _kept(out, x.shape, axes)
        return _norm_direction(x, kept, kind, p, axes), axes

    def vjp(g, out, x, keepdims, **params):
        d, axes = direction(out, x, dict(params, keepdims=keepdims))
        return fit_dtype((g if keepdims else _kept(g, x.shape, axes)) * d, x.dtype)

    def jvp(t, out, x, keepdims, **params):
        d, axes = direction(out, x, dict(params, keepdims=keepdims))
        return fit_dtype(_real(_sum(t * d, axis=axes, keepdims=keepdims)), out.dtype)
    return vjp, jvp


def _norm_batch(args, dims, size, ord, axis, keepdims):
    x = to_front(args[0], dims[0], size)
    ndim = x.ndim - 1
    if axis is None and ord is None:  # the 2-norm of each example's elements
        out = norm(reshape(x, (size, -1)), axis=1)
        return (reshape(out, (size,) + (1,) * ndim) if keepdims else out), 0
    _, _, axes = _norm_plan(ndim, ord, axis)
    shifted = tuple(a + 1 for a in axes)
    return norm(x, ord, shifted if len(shifted) > 1 else shifted[0], keepdims), 0


def _vector_norm_batch(args, dims, size, axis, keepdims, ord):
    x = to_front(args[0], dims[0], size)
    axes = _vector_plan(x.ndim - 1, axis, ord)[2]
    return vector_norm(x, axis=tuple(a + 1 for a in axes), keepdims=keepdims, ord=ord), 0


_vjp, _jvp = _norm_rules(lambda ndim, ord, axis, keepdims: _norm_plan(ndim, ord, axis))
defrules(norm, vjp=(_vjp,), jvp=(_jvp,), save="all", batch=_norm_batch)
_vjp, _jvp = _norm_rules(lambda ndim, axis, ord, keepdims: _vector_plan(ndim, axis, ord))
defrules(vector_norm, vjp=(_vjp,), jvp=(_jvp,), save="all", batch=_vector_norm_batch)
_vjp, _jvp = _norm_rules(lambda ndim, ord, keepdims:
                         ("matrix", ord, (ndim - 2, ndim - 1)))
defrules(matrix_norm, vjp=(_vjp,), jvp=(_jvp,), save="all", batch=_stacked(matrix_norm))


# -- matrix_rank: an integer, no derivative -------------------------------------------------

_RANK_PARAMS = {"tol": None, "hermitian": False}
if _NUMPY2:
    _RANK_PARAMS["rtol"] = None
matrix_rank = primitive(np.linalg.matrix_rank, data="A", params=_RANK_PARAMS)
nondifferentiable(matrix_rank)


def _matrix_rank_batch(args, dims, size, **params):
    x = to_front(args[0], dims[0], size)
    if x.ndim < 3:  # vectors: 1 unless all zero
        return (_sum(x != 0, axis=-1) > 0).astype(int), 0
    return matrix_rank(x, **params), 0


defrules(matrix_rank, batch=_matrix_rank_batch)


# -- compositions ----------------------------------------------------------------------------

def _shape(x):
    return x.shape if hasattr(x, "shape") else np.shape(x)


def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _numpy_or(name):
    """composite(np.linalg.<name>), or no plain-path shortcut on a NumPy without it."""
    np_fn = getattr(np.linalg, name, None)
    return composite(np_fn) if np_fn is not None else (lambda f: f)


def _square(shape):
    if len(shape) < 2:
        raise LinAlgError(f"{len(shape)}-dimensional array given. Array must be at least "
                          "two-dimensional")
    if shape[-1] != shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")


@composite(np.linalg.matrix_power)
def matrix_power(a, n):
    """a @ a @ ... (n factors; A⁻¹ for negative n), by NumPy's binary decomposition."""
    try:
        n = operator.index(n)
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    shape = _shape(a)
    _square(shape)
    if n == 0:  # the identity: a constant
        return np.broadcast_to(np.eye(shape[-1], dtype=a.dtype), shape).copy()
    if n < 0:
        a, n = inv(a), -n
    if n <= 3:
        return a if n == 1 else a @ a if n == 2 else (a @ a) @ a
    z = result = None
    while n > 0:
        z = a if z is None else z @ z
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else result @ z
    return result


def _chain_order(dims):
    """NumPy's optimal parenthesisation of a matrix chain with sizes ``dims``."""
    n = len(dims) - 1
    cost = [[0.0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if q < cost[i][j]:
                    cost[i][j], split[i][j] = q, k
    return split


def _chain(arrays, split, i, j):
    if i == j:
        return arrays[i]
    k = split[i][j]
    return matmul(_chain(arrays, split, i, k), _chain(arrays, split, k + 1, j))


@composite(np.linalg.multi_dot)
def multi_dot(arrays, *, out=None):
    """A chain of matrix products in the cheapest order (NumPy's choice)."""
    if out is not None:
        raise TypeError("fgrad.numpy.linalg.multi_dot does not take out=: arrays are "
                        "immutable under fgrad; use the returned value instead")
    arrays = [_array(a) for a in arrays]
    n = len(arrays)
    if n < 2:
        raise ValueError("Expecting at least two arrays.")
    if n == 2:
        return dot(arrays[0], arrays[1])
    first, last = arrays[0].ndim, arrays[-1].ndim
    if first == 1:
        arrays[0] = reshape(arrays[0], (1, -1))
    if last == 1:
        arrays[-1] = reshape(arrays[-1], (-1, 1))
    for a in arrays:
        if a.ndim != 2:
            raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be "
                              "two-dimensional")
    if n == 3:
        (a0, a1), c1 = arrays[0].shape, arrays[2].shape[1]
        b1 = arrays[1].shape[1]
        if a0 * b1 * (a1 + c1) < a1 * c1 * (a0 + b1):
            result = (arrays[0] @ arrays[1]) @ arrays[2]
        else:
            result = arrays[0] @ (arrays[1] @ arrays[2])
    else:
        dims = [a.shape[0] for a in arrays] + [arrays[-1].shape[1]]
        result = _chain(arrays, _chain_order(dims), 0, n - 1)
    if first == 1 and last == 1:
        return result[0, 0]
    return ravel(result) if first == 1 or last == 1 else result


@composite(np.linalg.tensorsolve)
def tensorsolve(a, b, axes=None):
    """The x with tensordot(a, x, x.ndim) = b, as one solve."""
    a, b = _array(a), _array(b)
    an = a.ndim
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        a = transpose(a, order)
    old_shape = a.shape[-(an - b.ndim):]
    size = math.prod(old_shape)
    if a.size != size ** 2:
        raise LinAlgError("Input arrays must satisfy the requirement "
                          "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return reshape(solve(reshape(a, (size, size)), ravel(b)), old_shape)


@composite(np.linalg.tensorinv)
def tensorinv(a, ind=2):
    """The inverse of ``a`` seen as a matrix of its first ``ind`` axes by the rest."""
    shape = _shape(a)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    inv_shape = shape[ind:] + shape[:ind]
    return reshape(inv(reshape(a, (math.prod(shape[ind:]), -1))), inv_shape)


@composite(np.linalg.cond)
def cond(x, p=None):
    """The condition number: s_max / s_min (p None, 2, -2: the inverse), else
    norm(x, p) norm(inv(x), p)."""
    if p is None or p in (2, -2):
        s = _svdvals(x)
        return s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    _square(_shape(x))
    return norm(x, p, (-2, -1)) * norm(inv(x), p, (-2, -1))


def _diagonal_index(shape, offset):
    rows, cols = shape[-2:]
    start_r, start_c = max(0, -offset), max(0, offset)
    k = max(0, min(rows - start_r, cols - start_c))
    return np.arange(start_r, start_r + k), np.arange(start_c, start_c + k)


@_numpy_or("diagonal")
def diagonal(x, /, *, offset=0):
    """The diagonal of each matrix (the last two axes), ``offset`` above the main one."""
    x = _array(x)
    if x.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    return x[(Ellipsis,) + _diagonal_index(x.shape, offset)]


@_numpy_or("trace")
def trace(x, /, *, offset=0, dtype=None):
    """The sum of each matrix's diagonal (the last two axes)."""
    return _sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


@_numpy_or("outer")
def outer(x1, x2, /):
    """The outer product of two vectors."""
    x1, x2 = _array(x1), _array(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError("Input arrays must be one-dimensional, but they are "
                         f"x1.ndim={x1.ndim} and x2.ndim={x2.ndim}.")
    return reshape(x1, (-1, 1)) * reshape(x2, (1, -1))


@_numpy_or("cross")
def cross(x1, x2, /, *, axis=-1):
    """The cross product of (stacks of) 3-vectors along ``axis``."""
    x1, x2 = _array(x1), _array(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors, but "
                         f"they are {x1.shape[axis]} and {x2.shape[axis]} dimensional "
                         "instead.")
    a, b = moveaxis(x1, axis, -1), moveaxis(x2, axis, -1)
    a0, a1, a2, b0, b1, b2 = a[..., 0], a[..., 1], a[..., 2], b[..., 0], b[..., 1], b[..., 2]
    cp = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    return moveaxis(concatenate([expand_dims(c, -1) for c in cp], axis=-1), -1, axis)


@_numpy_or("vecdot")
def vecdot(x1, x2, /, *, axis=-1):
    """Σ conj(x1) x2 along ``axis`` (NumPy's vecdot conjugates its first argument)."""
    x1, x2 = moveaxis(_array(x1), axis, -1), moveaxis(_array(x2), axis, -1)
    return matmul(_row(_conj(x1)), _col(x2))[..., 0, 0]


@_numpy_or("matrix_transpose")
def matrix_transpose(x, /):
    """Each matrix transposed (the last two axes swapped)."""
    if len(_shape(x)) < 2:
        raise ValueError(f"Input array must be at least 2-dimensional, but it is "
                         f"{len(_shape(x))}")
    return _mT(x)


@_numpy_or("tensordot")
def tensordot(x1, x2, /, *, axes=2):
    """Sums of products over ``axes``, as one matrix product (NumPy's tensordot)."""
    a, b = _array(x1), _array(x2)
    try:
        iter(axes)
    except TypeError:
        axes_a, axes_b = list(range(-axes, 0)), list(range(0, axes))
    else:
        axes_a, axes_b = axes
    axes_a = list(axes_a) if isinstance(axes_a, (list, tuple)) else [axes_a]
    axes_b = list(axes_b) if isinstance(axes_b, (list, tuple)) else [axes_b]
    sa, sb, nda, ndb = a.shape, b.shape, a.ndim, b.ndim
    if len(axes_a) != len(axes_b) or any(sa[i] != sb[j] for i, j in zip(axes_a, axes_b)):
        raise ValueError("shape-mismatch for sum")
    axes_a = [i % nda for i in axes_a]
    axes_b = [j % ndb for j in axes_b]
    free_a = [k for k in range(nda) if k not in axes_a]
    free_b = [k for k in range(ndb) if k not in axes_b]
    inner = math.prod(sa[i] for i in axes_a)
    at = reshape(transpose(a, free_a + axes_a), (math.prod(sa[i] for i in free_a), inner))
    bt = reshape(transpose(b, axes_b + free_b), (inner, math.prod(sb[i] for i in free_b)))
    return reshape(matmul(at, bt), [sa[i] for i in free_a] + [sb[i] for i in free_b])
