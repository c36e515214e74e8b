"""fgrad.scipy.linalg: SciPy's triangular solves, Cholesky and matrix functions, with rules.

``solve_triangular``, ``cholesky``, ``cho_factor``/``cho_solve``, ``expm``,
``expm_frechet``, ``logm``, ``sqrtm`` and ``solve_sylvester`` are primitives whose plain
call is SciPy's own (values under a transform are SciPy's, bit for bit); ``solve``,
``inv``, ``det`` and ``block_diag`` are compositions over fgrad.numpy (values NumPy's
LAPACK calls give, equal to SciPy's to rounding). SciPy 1.17 takes stacks ``(..., n, n)``
(and broadcasts their leading axes): every batching rule is one SciPy call on the stack.
The source of each matrix-calculus result is cited above its rules.

Conventions. VJPs are plain transposes of the JVPs (no conjugation), as everywhere in
fgrad: for a primary matrix function f, the transpose of E -> L_f(A, E) is
G -> L_f(Aᵀ, G), complex A included.

- ``solve`` takes every ``assume_a`` SciPy has but 'banded' and 'tridiagonal': like
  SciPy it reads a symmetric, Hermitian or positive definite matrix from one triangle,
  a triangular one from its triangle, a diagonal one from its diagonal, and gives the
  entries it does not read a zero cotangent.
- ``cholesky``, ``cho_factor``, ``cho_solve`` and ``solve_triangular`` read one triangle
  of their matrix (the upper one by default, as SciPy's ``lower=False``), and are
  differentiated as the functions they are: the other triangle's cotangent is zero
  (``unit_diagonal=True``: the diagonal's too). A perturbation of the read triangle of a
  Cholesky input moves the Hermitian matrix it stands for, so off-diagonal cotangents
  count twice (NumPy's ``cholesky``, which fgrad.numpy differentiates by the Hermitian
  part instead, reads the lower triangle). ``cho_factor``'s ``c`` keeps the input's other
  triangle as SciPy's does: its derivative there is the identity.
- ``expm``: the derivative is the Fréchet derivative L(A, E), SciPy's ``expm_frechet``;
  its own derivative is that of the block matrix, L(A, E) being the top-right block of
  expm([[A, E], [0, A]]) (Higham 2008, "Functions of Matrices", theorem 3.6).
- ``logm``: the block-matrix Fréchet trick, logm([[A, E], [0, A]])'s top-right block,
  through SciPy's logm itself; stable for matrices with no eigenvalue on the closed
  negative real axis, and not near it (where logm is not differentiable, or is badly
  conditioned). ``sqrtm``: X dX + dX X = dA, one Sylvester solve (same caveat at
  eigenvalues near zero). Where SciPy's result of a real matrix is complex, the
  cotangent of the real input is the real part of the transpose.
- Matrices SciPy refuses (singular triangular, not positive definite) raise SciPy's
  LinAlgError under every transform (the primitive itself raises).

>>> import numpy as np, fgrad
>>> float(fgrad.grad(lambda t: expm(t * np.array([[0.0, 1.0], [-1.0, 0.0]]))[0, 1])(0.0))
1.0
"""
import numpy as np
import scipy.linalg as _linalg

from ..numpy.batch import ndim_of_example, to_front
from ..numpy.broadcast import broadcast_to, fit_dtype, unbroadcast
from ..numpy.diagonals import tril, triu
from ..numpy.elementwise import conj
from ..numpy.linalg import det as _det, inv as _inv, solve as _solve
from ..numpy.shape import concatenate, expand_dims, reshape, swapaxes
from ..rules import defrules
from ..tracer import Box, composite, primitive

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "det", "expm", "expm_frechet",
           "inv", "logm", "solve", "solve_sylvester", "solve_triangular", "sqrtm"]


# -- helpers: stacks of matrices, written with fgrad operations --------------------------

def _mT(x):
    return swapaxes(x, -1, -2)


def _conj(x):
    return conj(x) if x.dtype.kind == "c" else x


def _H(x):
    return _conj(_mT(x))


def _col(v):
    return expand_dims(v, -1)


def _inexact(x):
    return x.dtype.kind in "fc"


def _fit(ct, x):
    """``ct`` summed down to ``x``'s shape, in x's dtype; None for an integer x."""
    return unbroadcast(ct, x) if _inexact(x) else None


def _triangle(x, lower, k=0):
    """The lower (upper) triangle of each matrix, from the k-th diagonal off the main one."""
    return tril(x, -k) if lower else triu(x, k)


def _align(x, d, size, core, rank):
    """``x`` with its batch axis first and its stack padded with length-1 axes to ``rank``
    stack axes (``core`` matrix/vector axes after them); unbatched: left to broadcast."""
    if d is None:
        return x
    x = to_front(x, d, size)
    pad = rank + core + 1 - x.ndim
    return reshape(x, x.shape[:1] + (1,) * pad + x.shape[1:]) if pad else x


def _stacked(f, cores):
    """Batching rule of ``f`` on stacks whose leading axes broadcast (``cores``: the number
    of matrix axes of each argument): one call on the batch."""
    def rule(args, dims, size, **params):
        rank = max(ndim_of_example(x, d) - c for x, d, c in zip(args, dims, cores))
        return f(*(_align(x, d, size, c, rank) for x, d, c in zip(args, dims, cores)),
                 **params), 0
    return rule


def _block(a, e):
    """[[a, e], [0, a]] for each matrix of the (broadcast) stacks a and e."""
    shape = np.broadcast_shapes(a.shape, e.shape)
    dtype = np.result_type(a.dtype, e.dtype)
    a, e = broadcast_to(a, shape).astype(dtype), broadcast_to(e, shape).astype(dtype)
    return concatenate([concatenate([a, e], axis=-1),
                        concatenate([np.zeros(shape, dtype), a], axis=-1)], axis=-2)


def _top_right(x, n):
    return x[..., :n, n:]


# -- solve_triangular: op(A) X = B, A triangular ---------------------------------------
# Giles 2008, "An extended collection of matrix derivative results", section 2.3.1:
# dX = op(A)⁻¹ (dB - op(dA) X);  B̄ = op(A)⁻ᵀ G,  op(A)'s cotangent -B̄ Xᵀ, on A's triangle

solve_triangular = primitive(_linalg.solve_triangular, data="a b", params={
    "trans": 0, "lower": False, "unit_diagonal": False, "overwrite_b": False,
    "check_finite": True})

_TRANS = {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}


def _op(x, trans):
    return x if trans == 0 else _mT(x) if trans == 1 else _H(x)


def _read(x, lower, unit_diagonal):
    """The part of ``x`` a triangular solve reads."""
    return _triangle(x, lower, 1 if unit_diagonal else 0)


def _solve_triangular_jvp(tangents, out, a, b, trans, lower, unit_diagonal, **params):
    ta, tb = tangents
    trans = _TRANS[trans]
    vector = b.ndim == 1
    rhs = None if tb is None else (_col(tb) if vector else tb)
    if ta is not None:
        dx = -(_op(_read(ta, lower, unit_diagonal), trans) @ (_col(out) if vector else out))
        rhs = dx if rhs is None else rhs + dx
    dx = solve_triangular(a, rhs, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    return dx[..., 0] if vector else dx


def _solve_triangular_vjp(g, out, a, b, trans, lower, unit_diagonal, **params):
    trans = _TRANS[trans]
    vector = b.ndim == 1
    g = _col(g) if vector else g
    solve = dict(lower=lower, unit_diagonal=unit_diagonal)
    if trans == 2:  # (Aᴴ)⁻ᵀ = conj(A)⁻¹
        ct_b = _conj(solve_triangular(a, _conj(g), trans=0, **solve))
    else:
        ct_b = solve_triangular(a, g, trans=1 - trans, **solve)
    ct_op = -(ct_b @ _mT(_col(out) if vector else out))  # the cotangent of op(A)
    ct_a = ct_op if trans == 0 else _mT(ct_op) if trans == 1 else _conj(_mT(ct_op))
    return (_fit(_read(ct_a, lower, unit_diagonal), a),
            _fit(ct_b[..., 0] if vector else ct_b, b))


def _rhs_batch(f, vector_of):
    """Batching rule of a solve f(a, b) whose b is a vector when ``vector_of(b_ndim)``:
    b as one-column matrices, then one call on the whole stack."""
    def rule(args, dims, size, **params):
        (a, b), (da, db) = args, dims
        vector = vector_of(ndim_of_example(b, db))
        if vector and db is None:  # one vector for every matrix of the batch
            return f(to_front(a, da, size), b, **params), 0
        if vector:
            b, db = _col(to_front(b, db, size)), 0
        rank = max(ndim_of_example(a, da), ndim_of_example(b, db)) - 2
        x = f(_align(a, da, size, 2, rank), _align(b, db, size, 2, rank), **params)
        return (x[..., 0] if vector else x), 0
    return rule


defrules(solve_triangular, vjp=_solve_triangular_vjp, jvp=_solve_triangular_jvp, save="all",
         batch=_rhs_batch(solve_triangular, lambda ndim: ndim == 1))


# -- cholesky: A = Uᴴ U (lower=False) or L Lᴴ, from one triangle of A ------------------------
# Murray 2016, "Differentiation of the Cholesky decomposition", eqs. 9-10:
# dL = L Φ(L⁻¹ dA L⁻ᴴ),  Ā = L⁻ᴴ Φ(Lᴴ L̄) L⁻¹ (Hermitian part), Φ = lower triangle, half
# diagonal; dA is the Hermitian matrix the read triangle of the tangent stands for.

cholesky = primitive(_linalg.cholesky, data="a",
                     params={"lower": False, "overwrite_a": False, "check_finite": True})


def _phi(x):
    return tril(x, -1) + tril(triu(x)) * 0.5


def _hermitian_from(t, lower):
    """The Hermitian matrix whose ``lower`` (upper) triangle is t's (LAPACK reads the real
    part of the diagonal only)."""
    strict, diagonal = _triangle(t, lower, 1), tril(triu(t))
    return strict + _H(strict) + (diagonal + _conj(diagonal)) * 0.5


def _cholesky_tangent(t, factor, lower):
    low = factor if lower else _H(factor)
    low_inv = _inv(low)
    dl = low @ _phi(low_inv @ _hermitian_from(t, lower) @ _H(low_inv))
    return dl if lower else _H(dl)


def _cholesky_cotangent(g, factor, lower):
    """The read triangle of Ā (off-diagonal entries twice: each stands for two of A's)."""
    low = factor if lower else _H(factor)
    g_low = _conj(g) if lower else _mT(g)  # the Hermitian form of L's cotangent
    low_inv = _inv(low)
    s = _H(low_inv) @ _phi(_H(low) @ g_low) @ low_inv
    s = _conj((s + _H(s)) * 0.5)
    return _triangle(s, lower) + _triangle(s, lower, 1)


defrules(cholesky, vjp=(lambda g, out, a, lower, **p: _cholesky_cotangent(g, out, lower),),
         jvp=(lambda t, out, a, lower, **p: _cholesky_tangent(t, out, lower),),
         save="out", batch=_stacked(cholesky, (2,)))


# cho_factor's c: the factor in the read triangle, the input's other triangle kept as is
def _cho_factor_c(a, lower=False, overwrite_a=False, check_finite=True):
    return _linalg.cho_factor(a, lower, overwrite_a, check_finite)[0]


_cho_factor = primitive(_cho_factor_c, "cho_factor", data="a",
                        params={"lower": False, "overwrite_a": False, "check_finite": True})


def _cho_factor_jvp(t, out, a, lower, **params):
    factor = _triangle(out, lower)
    return _cholesky_tangent(t, factor, lower) + _triangle(t, not lower, 1)


def _cho_factor_vjp(g, out, a, lower, **params):
    factor = _triangle(out, lower)
    return _cholesky_cotangent(_triangle(g, lower), factor, lower) + _triangle(g, not lower, 1)


defrules(_cho_factor, vjp=(_cho_factor_vjp,), jvp=(_cho_factor_jvp,), save="out",
         batch=_stacked(_cho_factor, (2,)))


@composite(_linalg.cho_factor)
def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """SciPy's cho_factor: (c, lower), c holding the Cholesky factor of a in its lower
    (upper) triangle and a's own entries in the other; c is differentiable in a.

    >>> import numpy as np, fgrad
    >>> round(float(fgrad.grad(lambda s: cho_factor(s * np.eye(1))[0][0, 0])(4.0)), 6)
    0.25
    """
    return _cho_factor(a, lower=lower, check_finite=check_finite), lower


# -- cho_solve: A x = b, A = L Lᴴ (U ᴴ U) from c's triangle --------------------------------
# dx = A⁻¹ (db - dA x), dA = dL Lᴴ + L dLᴴ;  b̄ = A⁻ᵀ g = conj(A⁻¹ conj(g)),
# with W = -b̄ xᵀ (A's cotangent): L̄ = tril(W conj(L) + conj(Wᵀ L)), Ū = triu(conj(U) W +
# conj(U Wᵀ))  (the product rule, transposed)

def _cho_solve_impl(c, b, lower=False, overwrite_b=False, check_finite=True):
    return _linalg.cho_solve((c, lower), b, overwrite_b, check_finite)


_cho_solve = primitive(_cho_solve_impl, "cho_solve", data="c b",
                       params={"lower": False, "overwrite_b": False, "check_finite": True})


def _cho_solve_jvp(tangents, out, c, b, lower, **params):
    tc, tb = tangents
    vector = b.ndim == 1
    rhs = None if tb is None else (_col(tb) if vector else tb)
    if tc is not None:
        f, df = _triangle(c, lower), _triangle(tc, lower)
        da = df @ _H(f) + f @ _H(df) if lower else _H(df) @ f + _H(f) @ df
        dx = -(da @ (_col(out) if vector else out))
        rhs = dx if rhs is None else rhs + dx
    dx = _cho_solve(c, rhs, lower=lower)
    return dx[..., 0] if vector else dx


def _cho_solve_vjp(g, out, c, b, lower, **params):
    vector = b.ndim == 1
    g = _col(g) if vector else g
    ct_b = _conj(_cho_solve(c, _conj(g), lower=lower))
    w = -(ct_b @ _mT(_col(out) if vector else out))
    f = _triangle(c, lower)
    ct_f = w @ _conj(f) + _conj(_mT(w) @ f) if lower else _conj(f) @ w + _conj(f @ _mT(w))
    return _fit(_triangle(ct_f, lower), c), _fit(ct_b[..., 0] if vector else ct_b, b)


defrules(_cho_solve, vjp=_cho_solve_vjp, jvp=_cho_solve_jvp, save="all",
         batch=_rhs_batch(_cho_solve, lambda ndim: ndim == 1))


@composite(_linalg.cho_solve)
def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """SciPy's cho_solve: x with A x = b, A given by cho_factor's (c, lower);
    differentiable in c (its factor's triangle) and b.

    >>> import numpy as np, fgrad
    >>> f = lambda b: cho_solve(cho_factor(np.diag([2.0, 4.0])), b).sum()
    >>> fgrad.grad(f)(np.ones(2)).round(6).tolist()   # A⁻ᵀ 1
    [0.5, 0.25]
    """
    c, lower = c_and_lower
    return _cho_solve(c, b, lower=bool(lower), check_finite=check_finite)


# -- expm and its Fréchet derivative -------------------------------------------------------
# Higham 2008, "Functions of Matrices", theorem 3.6 and (3.16): L(A, E) is the top-right
# block of expm([[A, E], [0, A]]); and tr(Gᵀ L(A, E)) = tr(L(Aᵀ, G)ᵀ E), so Ā = L(Aᵀ, G).

expm = primitive(_linalg.expm, data="A")


def _frechet_impl(A, E, method=None):
    return _linalg.expm_frechet(A, E, method, compute_expm=False)


_frechet = primitive(_frechet_impl, "expm_frechet", data="A E", params={"method": None})

defrules(expm, vjp=(lambda g, out, a: fit_dtype(_frechet(_mT(a), g), a.dtype),),
         jvp=(lambda t, out, a: _frechet(a, t),), save="args", batch=_stacked(expm, (2,)))


# L(A, E) is linear in E; in A it is the block's: dL = L(M, dM)₁₂, M = [[A, E], [0, A]],
# and M̄ = L(Mᵀ, [[0, G], [0, 0]]) gives Ā = M̄₁₁ + M̄₂₂, Ē = M̄₁₂
def _frechet_jvp(tangents, out, a, e, method):
    ta, te = tangents
    n = a.shape[-1]
    if ta is None:
        return _frechet(a, te, method=method)
    te = np.zeros(e.shape, ta.dtype) if te is None else te
    return _top_right(_frechet(_block(a, e), _block(ta, te), method=method), n)


def _frechet_vjp(g, out, a, e, method):
    n = a.shape[-1]
    if not _inexact(a):
        return None, _fit(_frechet(_mT(a), g, method=method), e)
    zero = np.zeros(g.shape, g.dtype)
    g_block = concatenate([concatenate([zero, g], axis=-1),
                           concatenate([zero, zero], axis=-1)], axis=-2)
    ct = _frechet(_mT(_block(a, e)), g_block, method=method)
    return _fit(ct[..., :n, :n] + ct[..., n:, n:], a), _fit(_top_right(ct, n), e)


defrules(_frechet, vjp=_frechet_vjp, jvp=_frechet_jvp, save="args",
         batch=_stacked(_frechet, (2, 2)))


@composite(_linalg.expm_frechet)
def expm_frechet(A, E, method=None, compute_expm=True, check_finite=True):
    """SciPy's expm_frechet: (expm(A), L(A, E)), or L(A, E) = d/dt expm(A + t E) at t = 0;
    differentiable in A and E. With compute_expm, the first value under a transform is
    expm's (equal to expm_frechet's to rounding).

    >>> import numpy as np, fgrad
    >>> f = lambda a: expm_frechet(a * np.eye(1), np.eye(1), compute_expm=False)[0, 0]
    >>> round(float(fgrad.grad(f)(1.0)), 6)           # d/da exp(a)
    2.718282
    """
    frechet = _frechet(A, E, method=method)
    return (expm(A), frechet) if compute_expm else frechet


# -- logm: the block-matrix Fréchet trick --------------------------------------------------
# Higham 2008, theorem 3.6 (any primary matrix function): L_log(A, E) = logm([[A, E], [0,
# A]])₁₂, and Ā = L_log(Aᵀ, G). NB: SciPy's logm of a real float32 matrix is float64.

logm = primitive(_linalg.logm, data="A")


def _logm_frechet(a, e):
    return _top_right(logm(_block(a, e)), a.shape[-1])


defrules(logm, vjp=(lambda g, out, a: fit_dtype(_logm_frechet(_mT(a), g), a.dtype),),
         jvp=(lambda t, out, a: fit_dtype(_logm_frechet(a, t), out.dtype),),
         save="args", batch=_stacked(logm, (2,)))


# -- solve_sylvester: A X + X B = Q ----------------------------------------------------------
# The product rule: A dX + dX B = dQ - dA X - X dB;  the transposed equation
# Aᵀ Y + Y Bᵀ = G gives Q̄ = Y, Ā = -Y Xᵀ, B̄ = -Xᵀ Y

solve_sylvester = primitive(_linalg.solve_sylvester, data="a b q")


def _solve_sylvester_jvp(tangents, out, a, b, q):
    ta, tb, tq = tangents
    rhs = tq
    for term in (None if ta is None else -(ta @ out), None if tb is None else -(out @ tb)):
        if term is not None:
            rhs = term if rhs is None else rhs + term
    return solve_sylvester(a, b, rhs)


def _solve_sylvester_vjp(g, out, a, b, q):
    y = solve_sylvester(_mT(a), _mT(b), g)
    return _fit(-(y @ _mT(out)), a), _fit(-(_mT(out) @ y), b), _fit(y, q)


defrules(solve_sylvester, vjp=_solve_sylvester_vjp, jvp=_solve_sylvester_jvp, save="all",
         batch=_stacked(solve_sylvester, (2, 2, 2)))


# -- sqrtm: X² = A ---------------------------------------------------------------------------
# The product rule: X dX + dX X = dA, a Sylvester equation; its transpose Xᵀ Y + Y Xᵀ = G
# gives Ā = Y (Higham 2008, section 6.1)

sqrtm = primitive(_linalg.sqrtm, data="A")

defrules(sqrtm, vjp=(lambda g, out, a: fit_dtype(solve_sylvester(_mT(out), _mT(out), g),
                                                 a.dtype),),
         jvp=(lambda t, out, a: fit_dtype(solve_sylvester(out, out, t), out.dtype),),
         save="out", batch=_stacked(sqrtm, (2,)))


# -- compositions over fgrad.numpy.linalg -----------------------------------------------------

def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _float(x):
    """``x`` as SciPy's LAPACK wrappers see it: integers and booleans as float64."""
    return x if _inexact(x) else x.astype(np.float64)


@composite(_linalg.inv)
def inv(a, overwrite_a=False, check_finite=True, *, assume_a=None, lower=False):
    """SciPy's inv, a⁻¹ (a general matrix: assume_a None or 'general'), through NumPy's.

    >>> import numpy as np, fgrad
    >>> round(float(fgrad.grad(lambda s: inv(s * np.eye(2))[0, 0])(2.0)), 6)   # -1 / s²
    -0.25
    """
    if assume_a not in (None, "gen", "general"):
        raise NotImplementedError("fgrad.scipy.linalg.inv differentiates assume_a=None or "
                                  "'general' only")
    return _inv(_float(_array(a)))


@composite(_linalg.det)
def det(a, overwrite_a=False, check_finite=True):
    """SciPy's det, through NumPy's (differentiable at singular matrices too).

    >>> import numpy as np, fgrad
    >>> fgrad.grad(det)(np.array([[1.0, 2.0], [3.0, 4.0]])).round(6).tolist()   # cofactors
    [[4.0, -3.0], [-2.0, 1.0]]
    """
    return _det(_float(_array(a)))


@composite(_linalg.solve)
def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """SciPy's solve: x with A x = b (Aᵀ x = b with ``transposed``), b (n,) or (..., n, k).
    As SciPy, a symmetric, Hermitian, positive definite ('pos': by Cholesky) or triangular
    ``assume_a`` reads A from one triangle; the other entries get a zero cotangent.

    >>> import numpy as np, fgrad
    >>> f = lambda b: solve(np.diag([2.0, 4.0]), b).sum()
    >>> fgrad.grad(f)(np.ones(2)).round(6).tolist()   # A⁻ᵀ 1
    [0.5, 0.25]
    """
    a, b = _float(_array(a)), _float(_array(b))
    kind = _ASSUME.get(assume_a)
    if kind is None:
        raise NotImplementedError(f"fgrad.scipy.linalg.solve: assume_a={assume_a!r} is not "
                                  f"differentiated; use one of {sorted(map(str, _ASSUME))}")
    if transposed and (_complex(a) or _complex(b)):
        raise NotImplementedError("scipy.linalg.solve can not solve a^T x = b for complex "
                                  "matrices (SciPy's own refusal)")
    if kind == "triangular":
        low = assume_a.startswith("lower")
        return solve_triangular(a, b, trans=1 if transposed else 0, lower=low)
    if kind == "diagonal":
        return _solve(tril(triu(a)), b)
    if kind != "general":  # A from the triangle read, mirrored (conjugated: Hermitian)
        strict = tril(a, -1) if lower else triu(a, 1)
        mirror = _mT(conj(strict) if kind in ("hermitian", "pos") else strict)
        a = (tril(a) if lower else triu(a)) + mirror
        if kind == "pos":
            return cho_solve((cholesky(a, lower=lower), lower), b)
    return _solve(_mT(a) if transposed else a, b)


def _complex(x):
    return np.dtype(x.dtype).kind == "c"


_ASSUME = {None: "general", "gen": "general", "general": "general",
           "sym": "symmetric", "symmetric": "symmetric", "her": "hermitian",
           "hermitian": "hermitian", "pos": "pos", "positive definite": "pos",
           "upper triangular": "triangular", "lower triangular": "triangular",
           "diagonal": "diagonal"}


@composite(_linalg.block_diag)
def block_diag(*arrs):
    """SciPy's block_diag: the blocks on the diagonal of a 2-d array, zeros elsewhere
    (0-d and 1-d arrays as one row); differentiable in every block.

    >>> import numpy as np, fgrad
    >>> f = lambda s: (block_diag(s * np.eye(2), np.ones((1, 1))) ** 2).sum()   # 2 s² + 1
    >>> round(float(fgrad.grad(f)(3.0)), 6)
    12.0
    """
    if not arrs:
        return np.empty((1, 0))
    blocks = [_array(a) for a in arrs]
    blocks = [reshape(a, (1, -1)) if a.ndim < 2 else a for a in blocks]
    if any(a.ndim > 2 for a in blocks):
        raise ValueError("block_diag: arrays must be at most 2-d")
    dtype = np.result_type(*[a.dtype for a in blocks])
    widths = [a.shape[1] for a in blocks]
    rows, before = [], 0
    for a, w in zip(blocks, widths):
        after = sum(widths) - before - w
        rows.append(concatenate([np.zeros((a.shape[0], before), dtype), a.astype(dtype),
                                 np.zeros((a.shape[0], after), dtype)], axis=1))
        before += w
    return concatenate(rows, axis=0)
