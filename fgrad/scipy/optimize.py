"""fgrad.scipy.optimize: SciPy's solvers, differentiated by the implicit function theorem.

``root``, ``root_scalar`` and ``minimize`` run SciPy's solver on plain values and return
SciPy's result, whose solution (``.x``, ``.root``) is differentiable with respect to
``args`` (pytrees of float arrays). The solver's iterations are never traced: at a
solution x* of F(x, θ) = 0,

    dx*/dθ = -(∂F/∂x)⁻¹ ∂F/∂θ
    VJP: u = (∂F/∂x)⁻ᵀ g, θ̄ = -uᵀ ∂F/∂θ      JVP: ẋ = -(∂F/∂x)⁻¹ (∂F/∂θ θ̇)

one linear solve and one VJP (JVP) of F in θ. ``minimize`` uses F = ∇ₓf, so ∂F/∂x is
the Hessian. The rules are written with fgrad, so they differentiate again (second
order). x0 (and bracket, x1) carry no derivative. vmap solves the examples one by one
(each is its own problem, with its own convergence); the result's other fields then
describe the first example, ``per_example`` holds every example's result.

Derivatives need a converged solve (``success`` / ``converged``) and an invertible
∂F/∂x at x*; otherwise asking for one raises. Under a transform ``fun`` must be written
with fgrad.numpy and take traced values only through ``args``.

>>> import numpy as np, fgrad
>>> x_star = lambda a: root(lambda x, a: x ** 2 - a, np.ones(1), args=(a,)).x[0]
>>> round(float(fgrad.grad(x_star)(4.0)), 10)               # d sqrt(a) / da = 1/4
0.25
"""
import copy

import numpy as np
import scipy.optimize

from ..numpy import linalg, moveaxis, reshape, stack, zeros_like
from ..rules import defrules
from ..tracer import Box, bind, primitive, unbox
from ..transforms import grad, jvp, value_and_grad, vjp
from ..jacobians import jacfwd
from ..tree import tree_flatten, tree_unflatten

__all__ = ["minimize", "root", "root_scalar"]


def _exact_jacobian(residual):
    """∂F/∂x from fgrad, in SciPy's jac(x, *args) form."""
    return lambda x, *args: jacfwd(residual)(x, *args)


def root(fun, x0, args=(), method="hybr", jac=None, tol=None, callback=None, options=None):
    """SciPy's ``root``: x with fun(x, *args) = 0; ``.x`` is differentiable in ``args``
    (implicit function theorem). ``jac=None`` gives 'hybr' and 'lm' fgrad's exact Jacobian
    (``fun`` written with fgrad.numpy); ``jac=False``: SciPy's finite differences.

    >>> import numpy as np, fgrad
    >>> cube_root = lambda a: root(lambda x, a: x ** 3 - a, np.ones(1), args=(a,)).x[0]
    >>> round(float(fgrad.grad(cube_root)(8.0)), 6)            # 1 / (3 a^(2/3))
    0.083333
    """
    residual = (lambda x, *a: fun(x, *a)[0]) if jac is True else fun
    if jac is None and str(method).lower() in ("hybr", "lm"):
        jac = _exact_jacobian(fun)

    def solve(x0, args):
        return scipy.optimize.root(fun, x0, args=args, method=method, jac=jac, tol=tol,
                                   callback=callback, options=options)
    return _solve("root", residual, solve, x0, args, "x")


def root_scalar(f, args=(), method=None, bracket=None, fprime=None, fprime2=None, x0=None,
                x1=None, xtol=None, rtol=None, maxiter=None, options=None):
    """SciPy's ``root_scalar``: a root of the scalar f(x, *args); ``.root`` is
    differentiable in ``args``. For method='newton' or 'halley' without fprime (fprime2),
    fgrad supplies the exact derivatives; otherwise SciPy chooses as it does.

    >>> import fgrad
    >>> r = lambda a: root_scalar(lambda x, a: x ** 2 - a, args=(a,), bracket=(0.0, 9.0)).root
    >>> round(float(fgrad.grad(r)(4.0)), 6)                    # 1 / (2 sqrt(a))
    0.25
    """
    residual = (lambda x, *a: f(x, *a)[0]) if fprime is True or fprime2 is True else f
    meth = None if method is None else method.lower()
    if meth in ("newton", "halley") and fprime is None:
        fprime = grad(f)
    if meth == "halley" and fprime2 is None:
        fprime2 = grad(grad(f))
    for name, value in (("bracket", bracket), ("x0", x0), ("x1", x1)):
        if any(isinstance(v, Box) for v in tree_flatten(value)[0]):
            raise TypeError(f"root_scalar: {name} carries no derivative; pass a plain value")

    def solve(_, args):
        return scipy.optimize.root_scalar(f, args=args, method=method, bracket=bracket,
                                          fprime=fprime, fprime2=fprime2, x0=x0, x1=x1,
                                          xtol=xtol, rtol=rtol, maxiter=maxiter,
                                          options=options)
    return _solve("root_scalar", residual, solve, None, args, "root")


_NEED_HESSIAN = ("trust-ncg", "trust-krylov", "trust-exact", "dogleg")


def minimize(fun, x0, args=(), method=None, jac=None, hess=None, hessp=None, bounds=None,
             constraints=(), tol=None, callback=None, options=None):
    """SciPy's ``minimize``: x minimising fun(x, *args); ``.x`` is differentiable in
    ``args`` through ∇ₓf(x*, θ) = 0 (one solve with the Hessian). ``jac=None`` gives SciPy
    fgrad's exact gradient (and Hessian, to the methods that need one; ``jac=False``:
    SciPy's finite differences). Unconstrained only when differentiated.

    >>> import numpy as np, fgrad
    >>> argmin = lambda c: minimize(lambda x, c: ((x - c) ** 2 + x ** 2).sum(), np.zeros(1),
    ...                             args=(c,)).x[0]                # c / 2
    >>> round(float(fgrad.grad(argmin)(1.0)), 6)
    0.5
    """
    value = (lambda x, *a: fun(x, *a)[0]) if jac is True else fun
    meth = None if method is None else method.lower()
    if jac is None:
        fun, jac = value_and_grad(value), True
    if meth in _NEED_HESSIAN and hess is None and hessp is None:
        hess = _exact_jacobian(grad(value))

    def solve(x0, args):
        return scipy.optimize.minimize(fun, x0, args=args, method=method, jac=jac, hess=hess,
                                       hessp=hessp, bounds=bounds, constraints=constraints,
                                       tol=tol, callback=callback, options=options)
    if bounds is not None or constraints:
        if _traced(x0, args):
            raise NotImplementedError("minimize: bounds and constraints are not supported "
                                      "when differentiating (the argmin's derivative would "
                                      "depend on the active set)")
    return _solve("minimize", grad(value), solve, x0, args, "x")


# -- the shared machinery -------------------------------------------------------------

def _traced(x0, args):
    return any(isinstance(x, Box) for x in tree_flatten((x0, args))[0])


def _is_float(x):
    return isinstance(x, Box) or (isinstance(x, (float, np.floating, np.ndarray))
                                  and np.result_type(x).kind == "f")


def _solve(who, residual, solve, x0, args, field):
    """SciPy's result of ``solve(x0, args)``; traced: with ``field`` differentiable."""
    if not isinstance(args, tuple):
        args = (args,)
    if not _traced(x0, args):
        return solve(x0, args)
    leaves, tree = tree_flatten(args)
    dynamic = [_is_float(x) for x in leaves]
    problem = _Problem(who, residual, solve, tree, tuple(None if d else x
                                                         for d, x in zip(dynamic, leaves)),
                       field)
    diff = [x if isinstance(x, Box) else np.asarray(x) for d, x in zip(dynamic, leaves) if d]
    info, x = _implicit_p(np.nan if x0 is None else x0, *diff, problem=problem)
    result = copy.copy(info.results[0])
    setattr(result, field, x)
    if len(info.results) > 1:
        result.per_example = info.results
        setattr(result, "converged" if field == "root" else "success", info.success)
    return result


class _Problem:
    """A solve, its residual F(x, *args) and where the float leaves of args go."""

    def __init__(self, who, residual, solve, tree, static, field):
        self.who, self.residual, self._solve = who, residual, solve
        self.tree, self.static, self.field = tree, static, field

    def args(self, leaves):
        rest = iter(leaves)
        return tree_unflatten(self.tree, [next(rest) if s is None else s for s in self.static])

    def F(self, x, *leaves):
        return self.residual(x, *self.args(leaves))

    def solve(self, x0, leaves):
        result = self._solve(x0, self.args(leaves))
        x = getattr(result, self.field)
        if isinstance(x, Box):
            raise TypeError(f"{self.who}: fun closes over a value that a transform traces; "
                            "pass it through args instead")
        return _Info([result], self.who), np.asarray(x, dtype=float)


class _Info:
    """The SciPy results behind a solution (one per example under vmap): never traced."""

    def __init__(self, results, who):
        self.results, self.who = results, who
        ok = [getattr(r, "converged", None) if hasattr(r, "converged") else r.success
              for r in results]
        self.success = all(bool(s) for s in ok)
        self.message = next((getattr(r, "message", getattr(r, "flag", "")) for r, s
                             in zip(results, ok) if not s), "")

    def check(self):
        if not self.success:
            raise RuntimeError(f"{self.who}: the solver did not converge ({self.message}), "
                               "so the solution has no derivative; check the result's "
                               "success before differentiating, or change x0/tol/method")


def _implicit_impl(x0, *leaves, problem):
    return problem.solve(x0, leaves)


def _linearised(out, leaves, problem):
    """(x*, ∂F/∂x at x* as a square matrix, or a number for a scalar equation)."""
    info, x = out
    info.check()
    J = jacfwd(lambda x: problem.F(x, *leaves))(x)
    scalar = np.ndim(x) == 0
    if not scalar:
        J = reshape(J, (np.size(x), np.size(x)))
    plain = np.asarray(unbox(J), dtype=float)  # under vmap: every example's
    if not np.all(np.isfinite(plain)) or np.any(
            plain == 0 if scalar else np.linalg.cond(plain) > 1 / np.finfo(float).eps):
        raise np.linalg.LinAlgError(f"{problem.who}: ∂F/∂x is singular at the solution, so "
                                    "the solution is not a differentiable function of args "
                                    "there")
    return x, J


def _solve_linear(J, b, transpose):
    """J⁻¹ b (J⁻ᵀ b), b reshaped to a vector; scalar J divides."""
    if np.ndim(J) == 0:
        return b / J
    return linalg.solve(J.T if transpose else J, reshape(b, (-1,)))


def implicit_vjp(g, out, x0, *leaves, problem):
    """θ̄ = -uᵀ ∂F/∂θ with (∂F/∂x)ᵀ u = g."""
    x, J = _linearised(out, leaves, problem)
    F, F_vjp = vjp(lambda *ll: problem.F(x, *ll), *leaves)
    u = _solve_linear(J, g[1], transpose=True)
    return (None, *F_vjp(-reshape(u, np.shape(F))))


def implicit_jvp(tangents, out, x0, *leaves, problem):
    """ẋ = -(∂F/∂x)⁻¹ (∂F/∂θ θ̇)."""
    if all(t is None for t in tangents[1:]):
        return (None, None)
    x, J = _linearised(out, leaves, problem)
    dots = tuple(zeros_like(x) if t is None else t for t, x in zip(tangents[1:], leaves))
    _, F_dot = jvp(lambda *ll: problem.F(x, *ll), leaves, dots)
    return (None, reshape(-_solve_linear(J, F_dot, transpose=False), np.shape(x)))


def implicit_batch(args, dims, size, problem):
    """One solve per example: each is its own problem, with its own convergence."""
    outs = [bind(_implicit_p.prim, [a if d is None else moveaxis(a, d, 0)[i]
                                    for a, d in zip(args, dims)], dict(problem=problem))
            for i in range(size)]
    info = _Info([r for o in outs for r in o[0].results], problem.who)
    return (info, stack([o[1] for o in outs])), (None, 0)



_implicit_p = primitive(_implicit_impl, "implicit_solution", multiple_results=True)
defrules(_implicit_p.prim, vjp=implicit_vjp, jvp=implicit_jvp, batch=implicit_batch,
         save="all")
