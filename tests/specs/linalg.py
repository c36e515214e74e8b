"""Spec rows for fgrad/numpy/linalg.py.

Domains keep matrices well conditioned, and away from the points where a derivative
does not exist: eigenvalues and singular values well apart (the decompositions'
derivatives divide by their gaps), positive definite matrices for cholesky. Functions
of eigen- and singular vectors are sign- and phase-invariant ones (|V|², u₁ v₁ᴴ,
projectors), since the vectors themselves are defined only up to sign or phase; the
Hermitian inputs of cholesky, eigh and hermitian=True pass through ``herm`` so that
every tangent is Hermitian (the derivatives assume the Hermitian part, as JAX's do).
"""
import math

import numpy as np

import fgrad
import fgrad.numpy as fnp
import fgrad.numpy.linalg as la
from domains import real
from specs import Spec

SQUARE = (((3, 3),), ((2, 3, 3),))
RECTANGULAR = (((4, 3),), ((3, 4),), ((2, 4, 3),), ((2, 3, 3),))


# -- domains: (rng, shape) -> array, matrices in the last two axes -------------------------

def _each(make):
    """A domain from ``make(rng, m, n)``, one matrix per index of the leading axes."""
    def draw(rng, shape):
        out = np.empty(shape, np.result_type(make(rng, *shape[-2:])))
        for index in np.ndindex(*shape[:-2]):
            out[index] = make(rng, *shape[-2:])
        return out
    return draw


def _orthogonal(rng, n, complex_=False):
    x = rng.standard_normal((n, n)) + (1j * rng.standard_normal((n, n)) if complex_ else 0)
    return np.linalg.qr(x)[0]


def _spread(rng, k):
    """k values well apart, in [1, 1 + 0.8 k): eigen/singular values with gaps >= 0.6."""
    return 1 + 0.8 * np.arange(k) + rng.uniform(0, 0.2, k)


def _shifted(complex_=False):
    """A random matrix plus n I: well conditioned (square), or plain (rectangular)."""
    def make(rng, m, n):
        x = rng.standard_normal((m, n)) + (1j * rng.standard_normal((m, n)) if complex_ else 0)
        return x + (n * np.eye(n) if m == n else 0)
    return make


def _hermitian(complex_=False):
    """Q diag(λ) Qᴴ with λ well apart and positive: for eigh and cholesky."""
    def make(rng, m, n):
        q = _orthogonal(rng, n, complex_)
        return (q * rng.permutation(_spread(rng, n))) @ q.conj().T
    return make


def _singular_values(complex_=False):
    """U diag(σ) Vᴴ with σ well apart: svd, pinv, lstsq, qr."""
    def make(rng, m, n):
        k = min(m, n)
        u, v = _orthogonal(rng, m, complex_)[:, :k], _orthogonal(rng, n, complex_)[:, :k]
        return (u * _spread(rng, k)[::-1]) @ v.conj().T
    return make


def _diagonalisable(complex_=False):
    """V diag(λ) V⁻¹, V near I. Real: one real eigenvalue and a complex pair (as a 2x2
    rotation block); complex: λ well apart in the plane."""
    def make(rng, m, n):
        v = np.eye(n) + 0.3 * rng.standard_normal((n, n))
        if complex_:
            v = v + 0.3j * rng.standard_normal((n, n))
            lam = _spread(rng, n) * np.exp(1j * rng.uniform(-0.5, 0.5, n))
            return (v * lam) @ np.linalg.inv(v)
        block = np.diag(_spread(rng, n))
        a, b = block[-1, -1], 1.0 + rng.uniform(0, 0.2)
        block[-2:, -2:] = [[a, b], [-b, a]]
        return v @ block @ np.linalg.inv(v)
    return make


shifted, shifted_c = _each(_shifted()), _each(_shifted(True))
hermitian, hermitian_c = _each(_hermitian()), _each(_hermitian(True))
svd_domain, svd_domain_c = _each(_singular_values()), _each(_singular_values(True))
diagonalisable, diagonalisable_c = _each(_diagonalisable()), _each(_diagonalisable(True))


def square_tensor(k):
    """A well-conditioned square matrix of size prod(last k axes), in the last k axes."""
    def draw(rng, shape):
        n = math.isqrt(int(np.prod(shape[-k:])))
        return shifted(rng, tuple(shape[:-k]) + (n, n)).reshape(shape)
    return draw


def cplx(rng, shape):
    return real(rng, shape) + 1j * real(rng, shape)


def herm(x):
    """The Hermitian part: the identity on the domain, a Hermitian tangent for the check."""
    return (x + fnp.conj(la.matrix_transpose(x))) * 0.5


def _sq(x):
    """|x|²: invariant to the sign and phase of eigen- and singular vectors."""
    return fnp.real(x * fnp.conj(x))


# -- functions of the decompositions ---------------------------------------------------------

def eigh_fun(UPLO="L"):
    return lambda a: (lambda w, v: (w, _sq(v)))(*la.eigh(herm(a), UPLO))


def eig_fun(a):
    w, v = la.eig(a)
    return w, _sq(v)


def svd_fun(full_matrices):
    """s, |U|², |Vh|², the top singular pair u₁ v₁ᴴ, and (full_matrices) the projectors
    onto the columns that complete U and V, which are defined up to a rotation."""
    def fun(a):
        u, s, vh = la.svd(a, full_matrices=full_matrices)
        k = s.shape[-1]
        top = u[..., :, :1] * vh[..., :1, :]
        u1, v1 = u[..., :k], vh[..., :k, :]
        return (s, _sq(u1), _sq(v1), top, _projector(u[..., k:]),
                _projector(_H(vh[..., k:, :])), (u1 * s[..., None, :]) @ v1)
    return fun


def svd_hermitian_fun(a):
    u, s, vh = la.svd(herm(a), hermitian=True)
    return s, _sq(u), u[..., :1] * vh[..., :1, :]


def _H(x):
    return fnp.conj(la.matrix_transpose(x))


def _projector(q):
    return q @ _H(q)


def qr_fun(mode):
    if mode != "complete":
        return lambda a: la.qr(a, mode)

    def complete(a):
        q, r = la.qr(a, mode)
        k = min(a.shape[-2:])
        return q[..., :k], r, _projector(q[..., k:])
    return complete


def lstsq_fun(a, b):
    x, resid, rank, s = la.lstsq(a, b)
    return x, resid, s


VECTOR_ORDS = (None, 2, 1, np.inf, -np.inf, 3, 0.5, -1, 0)
MATRIX_ORDS = (None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf)

SPECS = [
    # inverse, determinants, solve
    Spec("linalg.inv", la.inv, (shifted,), SQUARE),
    Spec("linalg.inv complex", la.inv, (shifted_c,), SQUARE),
    Spec("linalg.det", la.det, (shifted,), SQUARE),
    Spec("linalg.det complex", la.det, (shifted_c,), SQUARE),
    Spec("linalg.slogdet", la.slogdet, (shifted,), SQUARE),
    Spec("linalg.slogdet complex", la.slogdet, (shifted_c,), SQUARE),
    Spec("linalg.solve", la.solve, (shifted, real),
         (((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3, 2)),
          ((3, 3), (2, 3, 4)), ((2, 3, 3), (1, 3, 2)))),
    Spec("linalg.solve complex", la.solve, (shifted_c, cplx),
         (((3, 3), (3,)), ((2, 3, 3), (3, 2)))),
    Spec("linalg.solve complex a", la.solve, (shifted_c, real), (((2, 3, 3), (2, 3, 2)),)),
    # cholesky and the Hermitian eigendecomposition
    Spec("linalg.cholesky", lambda a: la.cholesky(herm(a)), (hermitian,), SQUARE),
    Spec("linalg.cholesky upper", lambda a: la.cholesky(herm(a), upper=True), (hermitian,),
         SQUARE),
    Spec("linalg.cholesky complex", lambda a: la.cholesky(herm(a)), (hermitian_c,), SQUARE),
    Spec("linalg.eigh", eigh_fun(), (hermitian,), SQUARE),
    Spec("linalg.eigh UPLO=U", eigh_fun("U"), (hermitian,), SQUARE),
    Spec("linalg.eigh complex", eigh_fun(), (hermitian_c,), SQUARE),
    Spec("linalg.eigvalsh", lambda a: la.eigvalsh(herm(a)), (hermitian,), SQUARE),
    Spec("linalg.eigvalsh complex", lambda a: la.eigvalsh(herm(a), "U"), (hermitian_c,),
         SQUARE),
    # the general eigendecomposition: real input, complex output
    Spec("linalg.eig", eig_fun, (diagonalisable,), SQUARE),
    Spec("linalg.eig complex", eig_fun, (diagonalisable_c,), SQUARE),
    Spec("linalg.eigvals", la.eigvals, (diagonalisable,), SQUARE),
    Spec("linalg.eigvals complex", la.eigvals, (diagonalisable_c,), SQUARE),
    # svd
    Spec("linalg.svd", svd_fun(True), (svd_domain,), RECTANGULAR),
    Spec("linalg.svd thin", svd_fun(False), (svd_domain,), RECTANGULAR),
    Spec("linalg.svd complex", svd_fun(True), (svd_domain_c,), RECTANGULAR),
    Spec("linalg.svd thin complex", svd_fun(False), (svd_domain_c,), RECTANGULAR),
    Spec("linalg.svd hermitian", svd_hermitian_fun, (hermitian,), SQUARE),
    Spec("linalg.svd compute_uv=False", lambda a: la.svd(a, compute_uv=False),
         (svd_domain,), RECTANGULAR),
    Spec("linalg.svd compute_uv=False hermitian",
         lambda a: la.svd(herm(a), compute_uv=False, hermitian=True), (hermitian_c,), SQUARE),
    Spec("linalg.svdvals", la.svdvals, (svd_domain_c,), RECTANGULAR),
    # qr
    Spec("linalg.qr", qr_fun("reduced"), (svd_domain,), RECTANGULAR),
    Spec("linalg.qr complete", qr_fun("complete"), (svd_domain,), RECTANGULAR),
    Spec("linalg.qr r", qr_fun("r"), (svd_domain,), RECTANGULAR),
    Spec("linalg.qr complex", qr_fun("reduced"), (svd_domain_c,), RECTANGULAR),
    Spec("linalg.qr complete complex", qr_fun("complete"), (svd_domain_c,), (((4, 3),),)),
    # pseudo-inverse and least squares
    Spec("linalg.pinv", la.pinv, (svd_domain,), RECTANGULAR),
    Spec("linalg.pinv complex", la.pinv, (svd_domain_c,), RECTANGULAR),
    Spec("linalg.pinv hermitian", lambda a: la.pinv(herm(a), hermitian=True), (hermitian,),
         SQUARE),
    Spec("linalg.lstsq", lstsq_fun, (svd_domain, real),
         (((5, 3), (5,)), ((5, 3), (5, 2)), ((3, 3), (3,)), ((3, 5), (3,)), ((3, 5), (3, 2)))),
    Spec("linalg.lstsq complex", lstsq_fun, (svd_domain_c, cplx),
         (((5, 3), (5, 2)), ((3, 5), (3,)))),
    Spec("linalg.lstsq stacked (vmap)",
         lambda a, b: (lambda x, resid, rank, s: (x, resid, s))(*fgrad.vmap(la.lstsq)(a, b)),
         (svd_domain, real), (((2, 5, 3), (2, 5)), ((2, 5, 3), (2, 5, 2)),
                              ((2, 3, 5), (2, 3)))),
    # norms
    *[Spec(f"linalg.norm vector ord={o}", lambda x, o=o: la.norm(x, o, axis=-1),
           (real,), (((4,),), ((2, 4),))) for o in VECTOR_ORDS],
    *[Spec(f"linalg.norm matrix ord={o}", lambda x, o=o: la.norm(x, o, axis=(2, 0)),
           (real,), (((3, 2, 4),),)) for o in MATRIX_ORDS],
    *[Spec(f"linalg.norm complex ord={o}", lambda x, o=o: la.norm(x, o, (-2, -1), True),
           (cplx,), (((3, 4),), ((2, 3, 3),))) for o in MATRIX_ORDS],
    Spec("linalg.norm", la.norm, (real,), (((),), ((4,),), ((2, 3, 4),))),
    Spec("linalg.norm keepdims", lambda x: la.norm(x, keepdims=True), (cplx,),
         (((4,),), ((2, 3, 4),))),
    Spec("linalg.norm axis=None ord", lambda x: la.norm(x, 1), (real,), (((4,),), ((3, 4),))),
    Spec("linalg.norm vector complex", lambda x: la.norm(x, 3, 0, True), (cplx,),
         (((4,),), ((4, 2),))),
    Spec("linalg.vector_norm", lambda x: la.vector_norm(x, axis=(0, -1), ord=3), (real,),
         (((2, 3, 4),),)),
    Spec("linalg.vector_norm keepdims", lambda x: la.vector_norm(x, keepdims=True, ord=np.inf),
         (cplx,), (((4,),), ((2, 3),))),
    Spec("linalg.vector_norm default", la.vector_norm, (real,), (((),), ((2, 3),))),
    Spec("linalg.matrix_norm", lambda x: la.matrix_norm(x, ord="nuc", keepdims=True),
         (svd_domain,), RECTANGULAR),
    Spec("linalg.matrix_norm default", la.matrix_norm, (cplx,), (((3, 4),), ((2, 3, 3),))),
    # compositions
    *[Spec(f"linalg.matrix_power n={n}", lambda a, n=n: la.matrix_power(a / 3, n),
           (shifted,), SQUARE) for n in (0, 1, 2, 3, 5, -1, -3)],
    Spec("linalg.matrix_power complex", lambda a: la.matrix_power(a / 3, 6), (shifted_c,),
         SQUARE),
    Spec("linalg.multi_dot", lambda a, b: la.multi_dot([a, b]), (real, real),
         (((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)))),
    Spec("linalg.multi_dot three", lambda a, b, c: la.multi_dot([a, b, c]), (real,) * 3,
         (((3,), (3, 4), (4, 2)), ((5, 3), (3, 4), (4,)), ((2, 3), (3, 4), (4, 5)))),
    Spec("linalg.multi_dot four", lambda a, b, c, d: la.multi_dot([a, b, c, d]), (real,) * 4,
         (((3,), (3, 4), (4, 2), (2,)), ((5, 3), (3, 4), (4, 2), (2, 6)))),
    Spec("linalg.tensorsolve", la.tensorsolve, (square_tensor(3), real), (((2, 3, 6), (2, 3)),)),
    Spec("linalg.tensorsolve axes", lambda a, b: la.tensorsolve(a, b, axes=(0,)),
         (square_tensor(3), real), (((6, 2, 3), (2, 3)),), vmap=False),
    Spec("linalg.tensorinv", lambda a: la.tensorinv(a, 1), (square_tensor(3),), (((6, 2, 3),),)),
    Spec("linalg.tensorinv ind=2", la.tensorinv, (square_tensor(3),), (((2, 3, 6),),)),
    *[Spec(f"linalg.cond p={p}", lambda a, p=p: la.cond(a, p), (svd_domain,), SQUARE)
      for p in (None, -2, 1, np.inf, "fro")],
    Spec("linalg.trace", la.trace, (real,), (((3, 3),), ((2, 3, 4),))),
    Spec("linalg.trace offset", lambda x: la.trace(x, offset=-1), (cplx,), (((2, 3, 4),),)),
    Spec("linalg.diagonal", lambda x: la.diagonal(x, offset=1), (real,), (((3, 4),), ((2, 3, 3),))),
    Spec("linalg.outer", la.outer, (real, cplx), (((3,), (2,)),)),
    Spec("linalg.cross", la.cross, (real, real), (((3,), (3,)), ((2, 3), (3,)), ((2, 3), (2, 3)))),
    Spec("linalg.cross axis", lambda x, y: la.cross(x, y, axis=0), (real, cplx),
         (((3, 2), (3, 2)),)),
    Spec("linalg.vecdot", la.vecdot, (cplx, cplx),
         (((3,), (3,)), ((2, 3), (3,)), ((4, 1, 3), (2, 3)))),
    Spec("linalg.vecdot axis", lambda x, y: la.vecdot(x, y, axis=0), (real, real),
         (((3, 2), (3, 2)),)),
    Spec("linalg.matmul", la.matmul, (real, real), (((2, 3, 4), (4, 2)), ((3,), (3, 2)))),
    Spec("linalg.matrix_transpose", la.matrix_transpose, (real,), (((3, 4),), ((2, 3, 4),))),
    Spec("linalg.tensordot", lambda x, y: la.tensordot(x, y, axes=([1, 0], [0, 2])),
         (real, real), (((2, 3, 4), (3, 5, 2)),)),
    Spec("linalg.tensordot int", la.tensordot, (real, real), (((2, 3, 4), (3, 4)),)),
    # no derivative
    Spec("linalg.matrix_rank", la.matrix_rank, (real,), (((3,),), ((3, 4),), ((2, 3, 3),)),
         order=0),
]
