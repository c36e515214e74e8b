"""Spec rows for fgrad/scipy/linalg.py.

Matrices are well conditioned: triangular solves get a dominant diagonal (both
triangles random: the one not read must not matter), Cholesky inputs are positive
definite, logm's and sqrtm's have eigenvalues near 1 (away from the negative axis),
solve_sylvester's A and -B have disjoint spectra. Stacks (2, n, n) check SciPy's own
batching; vmap adds a batch axis on top.
"""
import numpy as np
import scipy.linalg

import fgrad.scipy.linalg as fl
from domains import cplx, real
from specs import Spec

SQUARE = (((3, 3),), ((2, 3, 3),))


def _each(make):
    """A domain from ``make(rng, n)``, one n x n matrix per index of the leading axes."""
    def draw(rng, shape):
        out = np.empty(shape, np.result_type(make(rng, shape[-1])))
        for index in np.ndindex(*shape[:-2]):
            out[index] = make(rng, shape[-1])
        return out
    return draw


def _noise(rng, n, complex_):
    x = rng.standard_normal((n, n))
    return x + 1j * rng.standard_normal((n, n)) if complex_ else x


def dominant(complex_=False):
    """Random with n + 1 added on the diagonal: any triangle well conditioned."""
    return _each(lambda rng, n: _noise(rng, n, complex_) + (n + 1) * np.eye(n))


def near_identity(complex_=False):
    """I + 0.3 noise: logm and sqrtm well away from their branch cut."""
    return _each(lambda rng, n: np.eye(n) + 0.3 * _noise(rng, n, complex_) / np.sqrt(n))


def positive_definite(complex_=False):
    def make(rng, n):
        x = _noise(rng, n, complex_)
        return x @ x.conj().T / n + np.eye(n)
    return _each(make)


def factor(lower, complex_=False):
    """cho_factor's c of a positive definite matrix (its other triangle the input's)."""
    spd = positive_definite(complex_)
    return lambda rng, shape: scipy.linalg.cho_factor(spd(rng, shape), lower=lower)[0]


def scaled(s):
    return lambda rng, shape: s * real(rng, shape)


TRIANGULAR = [(trans, lower, unit) for trans in (0, 1, 2) for lower in (False, True)
              for unit in (False, True)]
RHS = (((3, 3), (3, 2)), ((3, 3), (3,)), ((2, 3, 3), (3, 2)), ((3, 3), (2, 3, 1)))

SPECS = [
    *[Spec(f"scipy.linalg.solve_triangular-{t}{'L' if lo else 'U'}{'1' if u else ''}",
           lambda a, b, t=t, lo=lo, u=u: fl.solve_triangular(a, b, trans=t, lower=lo,
                                                             unit_diagonal=u),
           (dominant(), real), RHS if k == 0 else (RHS[k % 2],))
      for k, (t, lo, u) in enumerate(TRIANGULAR)],
    *[Spec(f"scipy.linalg.solve_triangular-complex-{t}", lambda a, b, t=t:
           fl.solve_triangular(a, b, trans=t, lower=True), (dominant(True), cplx), RHS[:2])
      for t in ("N", "T", "C")],
    *[Spec(f"scipy.linalg.cholesky-{'L' if lo else 'U'}", lambda a, lo=lo: fl.cholesky(a, lo),
           (positive_definite(),), SQUARE) for lo in (False, True)],
    Spec("scipy.linalg.cholesky-complex", fl.cholesky, (positive_definite(True),), SQUARE[:1]),
    *[Spec(f"scipy.linalg.cho_factor-{'L' if lo else 'U'}",
           lambda a, lo=lo: fl.cho_factor(a, lower=lo)[0], (positive_definite(),), SQUARE)
      for lo in (False, True)],
    Spec("scipy.linalg.cho_factor-complex", lambda a: fl.cho_factor(a)[0],
         (positive_definite(True),), SQUARE[:1]),
    *[Spec(f"scipy.linalg.cho_solve-{'L' if lo else 'U'}",
           lambda c, b, lo=lo: fl.cho_solve((c, lo), b), (factor(lo), real), RHS)
      for lo in (False, True)],
    Spec("scipy.linalg.cho_solve-complex", lambda c, b: fl.cho_solve((c, True), b),
         (factor(True, True), cplx), RHS[:2]),
    Spec("scipy.linalg.expm", fl.expm, (scaled(0.5),), (((3, 3),), ((2, 2, 2),))),
    Spec("scipy.linalg.expm-complex", fl.expm, (lambda rng, s: 0.5 * cplx(rng, s),),
         SQUARE[:1]),
    Spec("scipy.linalg.expm_frechet-L", lambda a, e: fl.expm_frechet(a, e, compute_expm=False),
         (scaled(0.5), real), (((2, 3, 3), (3, 3)),)),
    Spec("scipy.linalg.expm_frechet-complex",
         lambda a, e: fl.expm_frechet(a, e, compute_expm=False),
         (lambda rng, s: 0.5 * cplx(rng, s), cplx), (((3, 3), (3, 3)),)),
    Spec("scipy.linalg.expm_frechet", fl.expm_frechet, (scaled(0.5), real),
         (((2, 2), (2, 2)),), exact=False),
    Spec("scipy.linalg.logm", fl.logm, (near_identity(),), (((3, 3),),), rtol=1e-4, atol=1e-5),
    Spec("scipy.linalg.logm-complex", fl.logm, (near_identity(True),), (((2, 2),),), rtol=1e-4,
         atol=1e-5),
    Spec("scipy.linalg.sqrtm", fl.sqrtm, (near_identity(),), SQUARE),
    Spec("scipy.linalg.sqrtm-complex", fl.sqrtm, (near_identity(True),), SQUARE[:1]),
    Spec("scipy.linalg.solve_sylvester", fl.solve_sylvester, (dominant(), dominant(), real),
         (((3, 3), (2, 2), (3, 2)), ((2, 3, 3), (2, 2), (3, 2)))),
    Spec("scipy.linalg.solve_sylvester-complex", fl.solve_sylvester,
         (dominant(True), dominant(True), cplx), (((3, 3), (2, 2), (3, 2)),)),
    Spec("scipy.linalg.inv", fl.inv, (dominant(),), SQUARE, exact=False),
    Spec("scipy.linalg.det", fl.det, (dominant(),), SQUARE, exact=False),
    Spec("scipy.linalg.solve", fl.solve, (dominant(), real), RHS[:3], exact=False),
    Spec("scipy.linalg.solve-transposed", lambda a, b: fl.solve(a, b, transposed=True),
         (dominant(), real), RHS[:1], exact=False),
    Spec("scipy.linalg.block_diag", lambda a, b, c: fl.block_diag(a, b, c), (real, real, cplx),
         (((2, 2), (3,), ()), ((1, 3), (2, 1), (2, 2)))),
]
