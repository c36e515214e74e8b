"""fgrad.optim: first-order optimisers over pytrees, and a bridge to SciPy's minimize.

Each optimiser is a pure pair, ``init(params) -> state`` and
``update(grads, state, params) -> (params, state)``: the state is a pytree, nothing
is kept elsewhere, so a training loop can be stopped, pickled and resumed. The
learning rate is a number or a schedule ``step -> rate`` (step counts from 0).
Updates use array arithmetic only, so they are differentiable themselves.

>>> import fgrad, numpy as np
>>> opt = adam(0.1)
>>> params = {"w": np.array([1.0, -2.0])}
>>> state = opt.init(params)
>>> for _ in range(200):
...     grads = fgrad.grad(lambda p: (p["w"] ** 2).sum())(params)
...     params, state = opt.update(grads, state, params)
>>> bool(np.abs(params["w"]).max() < 1e-2)
True
"""
import collections

import numpy as np

from . import numpy as fnp
from .jacobians import hessian, hvp
from .transforms import value_and_grad
from .tree import tree_flatten, tree_map, tree_unflatten

__all__ = ["Optimizer", "adam", "minimize", "momentum", "sgd"]

Optimizer = collections.namedtuple("Optimizer", "init update")


def _schedule(learning_rate):
    return learning_rate if callable(learning_rate) else (lambda step: learning_rate)


def sgd(learning_rate):
    """Gradient descent: p ← p - η g.

    >>> opt = sgd(0.5)
    >>> opt.update(np.array(2.0), opt.init(np.array(1.0)), np.array(1.0))[0]
    np.float64(0.0)
    """
    rate = _schedule(learning_rate)

    def update(grads, step, params):
        eta = rate(step)
        return tree_map(lambda p, g: p - eta * g, params, grads), step + 1

    return Optimizer(lambda params: 0, update)


def momentum(learning_rate, mass=0.9, nesterov=False):
    """Heavy-ball momentum: v ← μ v + g, p ← p - η v (Nesterov: p ← p - η (g + μ v)).

    >>> opt = momentum(0.1, mass=0.5)
    >>> p, s = opt.update(np.array(1.0), opt.init(np.array(0.0)), np.array(0.0))
    >>> float(p), float(s[1])
    (-0.1, 1.0)
    """
    rate = _schedule(learning_rate)

    def init(params):
        return 0, tree_map(np.zeros_like, params)

    def update(grads, state, params):
        step, velocity = state
        eta = rate(step)
        velocity = tree_map(lambda v, g: mass * v + g, velocity, grads)
        direction = (tree_map(lambda g, v: g + mass * v, grads, velocity) if nesterov
                     else velocity)
        return tree_map(lambda p, d: p - eta * d, params, direction), (step + 1, velocity)

    return Optimizer(init, update)


def adam(learning_rate=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    """Adam (Kingma & Ba 2015): m ← b₁m + (1-b₁)g, v ← b₂v + (1-b₂)g²,
    p ← p - η m̂ / (√v̂ + ε) with m̂ = m / (1 - b₁ᵗ), v̂ = v / (1 - b₂ᵗ), t = step + 1.

    >>> opt = adam(0.1)
    >>> float(opt.update(np.array(3.0), opt.init(np.array(0.0)), np.array(0.0))[0])
    -0.09999999966666666
    """
    rate = _schedule(learning_rate)

    def init(params):
        return 0, tree_map(np.zeros_like, params), tree_map(np.zeros_like, params)

    def update(grads, state, params):
        step, m, v = state
        t = step + 1
        m = tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, grads)
        v = tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, grads)
        eta = rate(step) * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        # the bias corrections folded into η; ε scaled to match p - η m̂ / (√v̂ + ε)
        scaled_eps = eps * np.sqrt(1 - b2 ** t)
        params = tree_map(lambda p, m, v: p - eta * m / (fnp.sqrt(v) + scaled_eps),
                          params, m, v)
        return params, (t, m, v)

    return Optimizer(init, update)


# -- minimize: scipy.optimize.minimize with exact derivatives ------------------------

_HESSP = {"newton-cg", "trust-ncg", "trust-krylov", "trust-constr"}
_HESS = {"dogleg", "trust-exact"}


def _ravel(tree):
    """(the leaves of ``tree`` as one float64 vector, the function that rebuilds it)."""
    leaves, treedef = tree_flatten(tree)
    leaves = [np.asarray(x) for x in leaves]
    ends = np.cumsum([x.size for x in leaves]).tolist()

    def unravel(flat):  # slices and reshapes: flat may be traced
        return tree_unflatten(treedef, [flat[end - x.size:end].reshape(x.shape)
                                        for x, end in zip(leaves, ends)])

    return np.concatenate([x.ravel() for x in leaves]).astype(np.float64), unravel


def minimize(fun, x0, args=(), method="BFGS", **kwargs):
    """``scipy.optimize.minimize`` with ``jac`` from ``value_and_grad`` (one pass gives
    both), and ``hessp`` from ``hvp`` (or ``hess`` from ``hessian``) for the methods
    that use them. ``x0`` may be any pytree of float arrays; the result's ``x`` and
    ``jac`` have its structure. Other keywords go to SciPy as they are.

    >>> rosen = lambda x: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    >>> res = minimize(rosen, np.array([-1.2, 1.0]), method="trust-ncg")
    >>> bool(res.success), np.round(res.x, 4).tolist()
    (True, [1.0, 1.0])
    """
    from scipy import optimize

    flat0, unravel = _ravel(x0)

    def flat_fun(x, *args):
        return fun(unravel(x), *args)

    def value_and_jac(x, *args):
        value, g = value_and_grad(flat_fun)(x, *args)
        return float(value), np.asarray(g, dtype=np.float64)

    kind = method.lower() if isinstance(method, str) else ""
    if kind in _HESSP:
        kwargs.setdefault("hessp", lambda x, p, *args: hvp(lambda x: flat_fun(x, *args),
                                                           (x,), (p,))[1])
    elif kind in _HESS:
        kwargs.setdefault("hess", lambda x, *args: hessian(flat_fun)(x, *args))
    result = optimize.minimize(value_and_jac, flat0, args=args, method=method, jac=True,
                               **kwargs)
    result.x = unravel(result.x)
    if "jac" in result:
        result.jac = unravel(result.jac)
    return result
