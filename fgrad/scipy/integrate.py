"""fgrad.scipy.integrate: ``odeint``, differentiable by the adjoint method.

On plain values ``odeint`` is SciPy's own. When ``y0``, ``t`` or ``args`` hold traced
values, three primitives share the work, each a call of SciPy's LSODA on plain values:

    odeint      y' = f(y, t, θ), y(t0) = y0           -> ys[i] = y(t_i)
    adjoint     [y, s, a_θ] backward from t[-1] to t[0], once          (VJP)
    tangent     [y, ẏ] forward, ẏ' = ∂f/∂y ẏ + ∂f/∂θ θ̇                 (JVP)

Reverse mode (Chen et al. 2018, "Neural ODEs", appendix B): a' = -(∂f/∂y)ᵀ a and
a_θ' = -(∂f/∂θ)ᵀ a backward in time; each output's cotangent g_i jumps a at t_i. The
jumps are folded into one continuous state s = a + Σ_{t_i < t} g_i, so the whole
backward pass is one solver call (``tcrit`` stops LSODA at each t_i, where s' changes).
Then ȳ0 = a(t0) + g_0, θ̄ = a_θ(t0), t̄_i = g_iᵀ f(y_i, t_i) and t̄_0 = -a(t0)ᵀ f(y0, t0).
The products with ∂f come from ``fgrad.vjp`` / ``fgrad.jvp`` of ``func`` on plain values.

vmap: one solve of the stacked system (func vmapped over the batch), except when ``t``
itself is batched, where examples are solved one by one. The stacked solve shares one
step-size control, so its values agree with per-example solves to the tolerances, not
bit for bit. Second derivatives (grad of grad, hessian) are not implemented.

Under a transform ``func`` must be written with fgrad.numpy and take traced values only
through ``args`` (pytrees of float arrays; other leaves pass through as constants), and
``Dfun`` and ``full_output`` are refused. The backward and tangent solves use the same
rtol/atol as the forward one (per-component atol: its smallest entry).

>>> import numpy as np, fgrad
>>> decay = lambda y, t, k: -k * y                          # y(t) = exp(-k t)
>>> dy_dk = fgrad.grad(lambda k: odeint(decay, np.ones(1), np.array([0.0, 2.0]), (k,))[-1, 0])
>>> round(float(dy_dk(0.5)), 5)                              # -t exp(-k t) at t = 2
-0.73576
"""
import warnings

import numpy as np
import scipy.integrate

from ..numpy import broadcast_to, concatenate, moveaxis, reshape, stack, zeros_like
from ..rules import defrules
from ..tracer import Box, bind, primitive
from ..transforms import jvp, vjp, vmap
from ..tree import tree_flatten, tree_leaves, tree_unflatten

__all__ = ["odeint"]

_scipy_odeint = scipy.integrate.odeint  # every solve goes through this name (tests count)
_AUGMENTED_OPTIONS = ("rtol", "atol", "hmax", "hmin", "mxstep", "mxordn", "mxords")


def odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, ml=None, mu=None,
           rtol=None, atol=None, tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, mxstep=0,
           mxhnil=0, mxordn=12, mxords=5, printmessg=0, tfirst=False):
    """SciPy's ``odeint``: y(t_i) for y' = func(y, t, *args), y(t[0]) = y0; differentiable
    in ``y0``, every point of ``t`` and ``args`` (pytrees of arrays) by the adjoint method.
    See the module docstring.

    >>> import numpy as np, fgrad
    >>> end = lambda t: odeint(lambda y, s: -y, np.ones(1), t)[-1, 0]   # exp(t0 - t1)
    >>> fgrad.grad(end)(np.array([0.0, 1.0])).round(5).tolist()
    [0.36788, -0.36788]
    """
    options = dict(col_deriv=col_deriv, ml=ml, mu=mu, rtol=rtol, atol=atol, tcrit=tcrit,
                   h0=h0, hmax=hmax, hmin=hmin, ixpr=ixpr, mxstep=mxstep, mxhnil=mxhnil,
                   mxordn=mxordn, mxords=mxords, printmessg=printmessg)
    if not isinstance(args, tuple):
        args = (args,)  # as SciPy does
    leaves, tree = tree_flatten(args)
    if not any(isinstance(x, Box) for x in [y0, t, *leaves]):
        try:
            return _scipy_odeint(func, y0, t, args, Dfun=Dfun, full_output=full_output,
                                 tfirst=tfirst, **options)
        except TypeError as error:  # fgrad's refusal to make a box a plain array
            if "traced value" in str(error):
                raise TypeError("odeint: func closes over a value that a transform traces; "
                                "pass it through args instead") from error
            raise
    if full_output:
        raise NotImplementedError("odeint: full_output=True is not supported when "
                                  "differentiating; call it on plain values for the "
                                  "solver's diagnostics")
    if Dfun is not None:
        raise NotImplementedError("odeint: Dfun is not supported when differentiating (fgrad "
                                  "differentiates func itself); leave it None")
    if tcrit is not None and any(isinstance(x, Box) for x in tree_leaves(tcrit)):
        raise TypeError("odeint: tcrit carries no derivative; pass a plain array")
    if np.ndim(y0) > 1 or np.ndim(t) != 1:
        raise ValueError("odeint: y0 must be one-dimensional and t a 1-d array of times")
    dynamic = [isinstance(x, Box) or (isinstance(x, (float, np.floating, np.ndarray))
                                      and np.result_type(x).kind == "f") for x in leaves]
    f = _Flat(func, tree, tuple(None if d else x for d, x in zip(dynamic, leaves)), tfirst)
    diff_leaves = [x if isinstance(x, Box) else np.asarray(x)
                   for d, x in zip(dynamic, leaves) if d]
    y0, t = (x if isinstance(x, Box) else np.asarray(x, dtype=float) for x in (y0, t))
    y0 = reshape(y0, (-1,)) if np.ndim(y0) == 0 else y0
    return _odeint_p(y0, t, *diff_leaves, f=f, options=options)


class _Flat:
    """``func`` as ``f(y, t, *leaves)`` of the float leaves of ``args`` (the other leaves
    kept here as constants)."""

    def __init__(self, func, tree, static, tfirst):
        self.func, self.tree, self.static, self.tfirst = func, tree, static, tfirst

    def __call__(self, y, t, *leaves):
        rest = iter(leaves)
        args = tree_unflatten(self.tree, [next(rest) if s is None else s for s in self.static])
        return self.func(t, y, *args) if self.tfirst else self.func(y, t, *args)


class _Stacked:
    """``f`` on a batch of states stacked into one vector (B*n,): one call of ``f``
    vmapped over the batch; ``dims`` are the leaves' batch axes (0 or None)."""

    def __init__(self, f, size, dims):
        self.f, self.size, self.dims = f, size, tuple(dims)

    def __call__(self, y, t, *leaves):
        per_example = vmap(lambda yy, *ll: self.f(yy, t, *ll), in_axes=(0, *self.dims))
        return reshape(per_example(reshape(y, (self.size, -1)), *leaves), (-1,))


def _solve(rhs, z0, times, options, what, **extra):
    """SciPy's odeint on an augmented system, raising if it did not succeed."""
    opts = {k: options[k] for k in _AUGMENTED_OPTIONS}
    for k in ("rtol", "atol"):
        if opts[k] is not None and np.ndim(opts[k]):
            opts[k] = float(np.min(opts[k]))
    with warnings.catch_warnings():  # a failure raises below, with its message
        warnings.simplefilter("ignore", scipy.integrate.ODEintWarning)
        z, info = _scipy_odeint(rhs, z0, times, full_output=True, **opts, **extra)
    if info["message"] != "Integration successful.":
        raise RuntimeError(f"odeint: the {what} solve failed ({info['message']}); loosen "
                           "rtol/atol or raise mxstep")
    return z


def _checked(out, who):
    if isinstance(out, Box):
        raise TypeError(f"odeint: func closes over a value that a transform traces ({who}); "
                        "pass it through args instead")
    return np.asarray(out, dtype=float)


# -- odeint: the forward solve --------------------------------------------------------

def _odeint_impl(y0, t, *leaves, f, options):
    _checked(f(y0, t[0], *leaves), "forward solve")
    return _scipy_odeint(lambda y, s: f(y, s, *leaves), y0, t, **options)


def _time_derivatives(f, ys, t, leaves):
    """f(y_i, t_i, θ) at every output, one vmapped call: shape (T, n)."""
    return vmap(f, in_axes=(0, 0) + (None,) * len(leaves))(ys, t, *leaves)


def _fit(ct, x):
    return ct if ct.dtype == np.result_type(x) else ct.astype(np.result_type(x))


def odeint_vjp(g, ys, y0, t, *leaves, f, options):
    """ȳ0 = a(t0) + g_0, θ̄ = a_θ(t0) from one backward solve; t̄_i = g_iᵀ f(y_i, t_i),
    t̄_0 = -a(t0)ᵀ f(y0, t0)."""
    a0, *leaf_cts = _adjoint_p(g, ys, t, *leaves, f=f, options=options)
    fs = _time_derivatives(f, ys, t, leaves)
    t_ct = concatenate([reshape(-(a0 * fs[0]).sum(), (1,)), (g[1:] * fs[1:]).sum(axis=1)])
    return (_fit(a0 + g[0], y0), _fit(t_ct, t), *map(_fit, leaf_cts, leaves))


def odeint_jvp(tangents, ys, y0, t, *leaves, f, options):
    """ẏ(t) from one forward solve of [y, ẏ] with ẏ(t0) = ẏ0 - f(y0, t0) ṫ0, then
    out_i = ẏ(t_i) + f(y_i, t_i) ṫ_i."""
    y0_dot, t_dot, *leaf_dots = [zeros_like(x) if d is None else d
                                 for d, x in zip(tangents, (y0, t, *leaves))]
    s0 = y0_dot
    if tangents[1] is not None:
        s0 = s0 - f(y0, t[0], *leaves) * t_dot[0]
    out_dot = _tangent_p(y0, t, *leaves, s0, *leaf_dots, f=f, options=options)
    if tangents[1] is not None:
        out_dot = out_dot + _time_derivatives(f, ys, t, leaves) * t_dot[:, None]
    return out_dot


def _stack(x, d, size):
    """State-like ``x`` (..., n) with batch axis ``d`` (None: shared) as (..., B*n)."""
    x = moveaxis(x, d, -2) if d is not None else \
        broadcast_to(reshape(x, x.shape[:-1] + (1, x.shape[-1])),
                     x.shape[:-1] + (size, x.shape[-1]))
    return reshape(x, x.shape[:-2] + (-1,))


def _leaf_front(x, d, size):
    """A leaf with its batch axis first (broadcast when it has none)."""
    return moveaxis(x, d, 0) if d is not None else broadcast_to(x, (size,) + x.shape)


def _one_by_one(prim, args, dims, size, params):
    """The examples solved one at a time (when the time points are batched)."""
    outs = [bind(prim, [a if d is None else moveaxis(a, d, 0)[i] for a, d in zip(args, dims)],
                 params) for i in range(size)]
    if prim.multiple_results:
        return [stack(o) for o in zip(*outs)], [0] * len(outs[0])
    return stack(outs), 0


def odeint_batch(args, dims, size, f, options):
    """One solve of the stacked states: func vmapped over the batch."""
    if dims[1] is not None:
        return _one_by_one(_odeint_p.prim, args, dims, size, dict(f=f, options=options))
    y0, t, *leaves = args
    leaves = [x if d is None else moveaxis(x, d, 0) for x, d in zip(leaves, dims[2:])]
    stacked = _Stacked(f, size, [None if d is None else 0 for d in dims[2:]])
    ys = _odeint_p(_stack(y0, dims[0], size), t, *leaves, f=stacked, options=options)
    return reshape(ys, (ys.shape[0], size, -1)), 1


# -- adjoint: the backward solve (reverse mode) ---------------------------------------

def _adjoint_impl(g, ys, t, *leaves, f, options):
    """(a(t0), *a_θ(t0)): the backward solve, once, of [y, s, a_θ] with
    s = a + Σ_{i>=1, t_i < t} g_i (continuous), a' = -(∂f/∂y)ᵀ a, a_θ' = -(∂f/∂θ)ᵀ a."""
    t = np.asarray(t, dtype=float)
    n, sizes = ys.shape[1], [np.size(x) for x in leaves]
    if len(t) < 2:
        return (np.zeros(n), *(np.zeros(np.shape(x)) for x in leaves))
    d = 1.0 if t[-1] >= t[0] else -1.0          # the direction of the forward solve
    jumps = d * t[1:-1]                         # where g_1..g_{N-1} enter, increasing
    g_sums = np.concatenate([np.zeros((1, n)), np.cumsum(g[1:], axis=0)])
    lowest = [np.inf]                           # how far back the solver has gone
    close = 64 * np.finfo(float).eps * np.max(np.abs(t))  # LSODA stops within roundoff

    def rhs(z, sigma):                          # sigma = -d tau runs forward
        tau = -d * sigma
        lowest[0] = min(lowest[0], d * tau)
        # s - a: the g_i with t_i before tau; at a jump point itself, the value of the
        # side the solver works on (before it has stepped past it: the later side)
        k = int(np.searchsorted(jumps, d * tau - close, side="left"))
        if k < len(jumps) and jumps[k] <= d * tau + close and lowest[0] >= jumps[k] - close:
            k += 1
        out, back = vjp(lambda y, *ll: f(y, tau, *ll), z[:n], *leaves)
        cts = back(z[n:2 * n] - g_sums[k])
        return -d * np.concatenate([_checked(out, "backward solve")]
                                   + [-np.ravel(c) for c in cts])

    times = -d * t[::-1]
    z0 = np.concatenate([ys[-1], g_sums[-1], np.zeros(sum(sizes))])
    z = _solve(rhs, z0, times, options, "backward (adjoint)", tcrit=times)[-1]
    leaf_cts, start = [], 2 * n
    for x, size in zip(leaves, sizes):
        leaf_cts.append(z[start:start + size].reshape(np.shape(x)))
        start += size
    return (z[n:2 * n], *leaf_cts)


def _adjoint_batch(args, dims, size, f, options):
    """One backward solve of the stacked system; every leaf gets per-example copies so
    that each example keeps its own θ̄."""
    params = dict(f=f, options=options)
    if dims[2] is not None:
        return _one_by_one(_adjoint_p.prim, args, dims, size, params)
    g, ys, t, *leaves = args
    leaves = [_leaf_front(x, d, size) for x, d in zip(leaves, dims[3:])]
    a0, *leaf_cts = _adjoint_p(_stack(g, dims[0], size), _stack(ys, dims[1], size), t, *leaves,
                               f=_Stacked(f, size, [0] * len(leaves)), options=options)
    return (reshape(a0, (size, -1)), *leaf_cts), [0] * (1 + len(leaves))


# -- tangent: the forward sensitivities (forward mode) --------------------------------

def _tangent_impl(y0, t, *rest, f, options):
    """ẏ at every t_i: [y, ẏ] solved forward, ẏ' = ∂f/∂y ẏ + ∂f/∂θ θ̇."""
    k = (len(rest) - 1) // 2
    leaves, s0, leaf_dots = rest[:k], rest[k], rest[k + 1:]
    n = np.size(y0)

    def rhs(z, tau):
        out, out_dot = jvp(lambda y, *ll: f(y, tau, *ll), (z[:n], *leaves),
                           (z[n:], *leaf_dots))
        return np.concatenate([_checked(out, "tangent solve"), out_dot])

    z0 = np.concatenate([np.asarray(y0, dtype=float), np.asarray(s0, dtype=float)])
    return _solve(rhs, z0, np.asarray(t, dtype=float), options, "tangent")[:, n:]


def _tangent_batch(args, dims, size, f, options):
    if dims[1] is not None:
        return _one_by_one(_tangent_p.prim, args, dims, size, dict(f=f, options=options))
    y0, t, *rest = args
    k = (len(rest) - 1) // 2
    leaves = [_leaf_front(x, d, size) for x, d in zip(rest[:k] + rest[k + 1:],
                                                     dims[2:2 + k] + dims[3 + k:])]
    out = _tangent_p(_stack(y0, dims[0], size), t, *leaves[:k],
                     _stack(rest[k], dims[2 + k], size), *leaves[k:],
                     f=_Stacked(f, size, [0] * k), options=options)
    return reshape(out, (out.shape[0], size, -1)), 1


def _no_second_order(*_, **__):
    raise NotImplementedError("odeint: second derivatives (a derivative of odeint's own "
                              "adjoint or tangent solve) are not implemented")



_odeint_p = primitive(_odeint_impl, "odeint")
_adjoint_p = primitive(_adjoint_impl, "odeint_adjoint", multiple_results=True)
_tangent_p = primitive(_tangent_impl, "odeint_tangent")
defrules(_odeint_p.prim, vjp=odeint_vjp, jvp=odeint_jvp, batch=odeint_batch, save="all")
defrules(_adjoint_p.prim, vjp=_no_second_order, jvp=_no_second_order,
         batch=_adjoint_batch)
defrules(_tangent_p.prim, vjp=_no_second_order, jvp=_no_second_order,
         batch=_tangent_batch)
