"""Second-order optimisation: Newton's method with fgrad.hessian, Newton–CG with fgrad.hvp.

The Rosenbrock function in n dimensions,

    f(x) = Σᵢ 100 (xᵢ₊₁ - xᵢ²)² + (1 - xᵢ)²,      minimum x* = (1, ..., 1),

has a long curved valley that first-order methods crawl along. Three methods, each
with a backtracking (Armijo) line search, run until ‖x - x*‖ < 1e-10:

    (a) Newton:      solve H p = -g with H = fgrad.hessian(f)(x), an n × n matrix
                     (built by n JVPs of the gradient); where H is not positive
                     definite, add λI (damping) until it is. Quadratic convergence.
    (b) Newton–CG:   solve H p = -g approximately by conjugate gradients, which only
                     needs products H v = fgrad.hvp(f, (x,), (v,))[1], each costing a
                     small constant times one gradient: H is never formed, so memory
                     is O(n), not O(n²).
    (c) Gradient descent: p = -g. Linear convergence, at a rate set by the
                     conditioning of H: it may stop at its iteration cap, and says so.

A Hessian costs about n H v products (fgrad builds it as n JVPs of the gradient), so
Newton's iterations get dearer as n grows while Newton–CG's stay cheap.

Run:
    python examples/newton.py           # quick: Rosenbrock in 2-d and 10-d
    python examples/newton.py --full    # 2-d and 100-d, and a longer gradient descent
"""
import argparse
import time

import numpy as np

import fgrad
import fgrad.numpy as fnp

TOLERANCE = 1e-10           # stop when ‖x - x*‖ is below this


def rosenbrock(x):
    """The n-dimensional Rosenbrock function; its minimum is 0 at x = (1, ..., 1)."""
    return fnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


value_and_grad = fgrad.value_and_grad(rosenbrock)
hessian = fgrad.hessian(rosenbrock)


def hessian_vector_product(x, v):
    """H(x) v, forward over reverse, without forming H."""
    return fgrad.hvp(rosenbrock, (x,), (v,))[1]


# -- the pieces the methods share --------------------------------------------------------

def backtracking(x, value, gradient, direction, shrink=0.5, c=1e-4):
    """The largest step t in 1, 1/2, 1/4, ... with sufficient decrease (Armijo):
    f(x + t p) <= f(x) + c t gᵀp. Returns the new point."""
    slope = gradient @ direction
    t = 1.0
    for _ in range(60):
        candidate = x + t * direction
        if rosenbrock(candidate) <= value + c * t * slope:
            return candidate
        t *= shrink
    return x + t * direction


def damped_newton_direction(H, g):
    """p solving (H + λI) p = -g with the smallest λ in 0, 1e-3, 1e-2, ... that makes
    H + λI positive definite (so that p is a descent direction)."""
    damping = 0.0
    while True:
        try:
            L = np.linalg.cholesky(H + damping * np.eye(len(g)))
            break
        except np.linalg.LinAlgError:
            damping = max(1e-3, 10 * damping)
    z = np.linalg.solve(L, -g)          # two triangular solves: L Lᵀ p = -g
    return np.linalg.solve(L.T, z)


def conjugate_gradient(hvp_at_x, g, tolerance, max_steps):
    """An approximate solution of H p = -g by conjugate gradients, using only
    products H v. Stops when the residual is below ``tolerance``, or at negative
    curvature (then the step so far, or -g if there is none yet, is still a
    descent direction). Returns (p, number of H v products)."""
    p = np.zeros_like(g)
    r = -g                               # the residual -g - H p, at p = 0
    d = r.copy()
    for step in range(max_steps):
        Hd = hvp_at_x(d)
        curvature = d @ Hd
        if curvature <= 0:
            return (p if step > 0 else -g), step + 1
        alpha = (r @ r) / curvature
        p = p + alpha * d
        r_new = r - alpha * Hd
        if np.linalg.norm(r_new) < tolerance:
            return p, step + 1
        d = r_new + (r_new @ r_new) / (r @ r) * d
        r = r_new
    return p, max_steps


# -- the three methods --------------------------------------------------------------------
# Each takes x0, x* and an iteration cap, and returns (x, iterations, work) where work
# counts the expensive derivative objects: Hessians, H v products, or gradients.

def newton(x0, x_star, max_iter):
    x = x0.copy()
    for k in range(max_iter):
        if np.linalg.norm(x - x_star) < TOLERANCE:
            return x, k, k
        value, g = value_and_grad(x)
        p = damped_newton_direction(hessian(x), g)
        x = backtracking(x, value, g, p)
    return x, max_iter, max_iter


def newton_cg(x0, x_star, max_iter):
    x, products = x0.copy(), 0
    for k in range(max_iter):
        if np.linalg.norm(x - x_star) < TOLERANCE:
            return x, k, products
        value, g = value_and_grad(x)
        # a looser solve far away, a tighter one close by: superlinear convergence
        tolerance = min(0.5, np.sqrt(np.linalg.norm(g))) * np.linalg.norm(g)
        p, used = conjugate_gradient(lambda v: hessian_vector_product(x, v), g,
                                     tolerance, max_steps=2 * len(x))
        products += used
        x = backtracking(x, value, g, p)
    return x, max_iter, products


def gradient_descent(x0, x_star, max_iter):
    x = x0.copy()
    for k in range(max_iter):
        if np.linalg.norm(x - x_star) < TOLERANCE:
            return x, k, k
        value, g = value_and_grad(x)
        x = backtracking(x, value, g, -g)
    return x, max_iter, max_iter


METHODS = {"Newton (hessian)": (newton, "Hessians"),
           "Newton-CG (hvp)": (newton_cg, "H v products"),
           "gradient descent": (gradient_descent, "gradients")}


def starting_point(n):
    """The classic start (-1.2, 1) in 2-d, and (-1.2, ..., -1.2) in n-d.

    NB: not (-1.2, 1, -1.2, 1, ...): from there Newton's method is drawn into the
    local minimum near (-1, 1, ..., 1) that the n-d function has (for n >= 4)."""
    return np.array([-1.2, 1.0]) if n == 2 else np.full(n, -1.2)


def run(n, max_iter, gd_max_iter):
    """Every method on the n-dimensional Rosenbrock function; one result row each."""
    x0, x_star = starting_point(n), np.ones(n)
    rows = []
    for name, (method, work_unit) in METHODS.items():
        cap = gd_max_iter if method is gradient_descent else max_iter
        start = time.perf_counter()
        x, iterations, work = method(x0, x_star, cap)
        seconds = time.perf_counter() - start
        error = float(np.linalg.norm(x - x_star))
        rows.append({"n": n, "method": name, "iterations": iterations, "work": work,
                     "work_unit": work_unit, "seconds": seconds, "error": error,
                     "converged": error < TOLERANCE})
        print(f"  n = {n:3d}  {name:17s} done in {seconds:.2f} s", flush=True)
    return rows


def print_table(rows):
    print(f"\n{'n':>4s}  {'method':17s} {'iterations':>10s}  {'derivative work':>22s}"
          f"  {'time':>7s}  {'‖x - x*‖':>9s}  reached 1e-10?")
    for r in rows:
        reached = "yes" if r["converged"] else f"no: stopped at the cap of {r['iterations']}"
        print(f"{r['n']:4d}  {r['method']:17s} {r['iterations']:10d}  "
              f"{r['work']:>7d} {r['work_unit']:14s}  {r['seconds']:6.2f}s  {r['error']:9.1e}  "
              f"{reached}")
    for n in sorted({r["n"] for r in rows}):
        work = {r["method"]: r["work"] for r in rows if r["n"] == n}
        print(f"n = {n}: Newton's {work['Newton (hessian)']} Hessians are worth about "
              f"{n * work['Newton (hessian)']:,} H v products; Newton-CG used "
              f"{work['Newton-CG (hvp)']:,}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true",
                        help="100-d instead of 10-d, and 20,000 gradient steps instead of 500")
    args = parser.parse_args(argv)

    dimensions = [2, 100] if args.full else [2, 10]
    gd_cap = 20_000 if args.full else 500
    print(f"Rosenbrock in {dimensions} dimensions, from (-1.2, 1) and (-1.2, ..., -1.2), "
          f"to ‖x - x*‖ < {TOLERANCE:g}")
    rows = []
    for n in dimensions:
        rows += run(n, max_iter=500, gd_max_iter=gd_cap)
    print_table(rows)
    return rows


if __name__ == "__main__":
    main()
