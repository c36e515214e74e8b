"""Checking derivatives against central finite differences.

``check_grads`` compares forward mode (a JVP along a random direction) and
reverse mode (the identity <u, J v> = <J^T u, v>) with a central difference
along the same direction, then does the same for the derivative functions
themselves, up to ``order``. The pairing is <a, b> = sum(Re(a * b)), under
which fgrad's VJP is the transpose of its JVP for real and complex values.
"""
import numpy as np

from .transforms import jvp, vjp
from .tree import tree_flatten, tree_map


def _inner(xs, ys):
    return sum(float(np.sum(np.real(np.asarray(x) * np.asarray(y))))
               for x, y in zip(tree_flatten(xs)[0], tree_flatten(ys)[0], strict=True))


def _random_like(tree, rng):
    def draw(x):
        x = np.asarray(x)
        v = rng.standard_normal(x.shape)
        if np.iscomplexobj(x):
            v = v + 1j * rng.standard_normal(x.shape)
        return v.astype(x.dtype)
    return tree_map(draw, tree)


def _axpy(a, xs, ys):
    return tree_map(lambda x, y: np.asarray(y) + a * np.asarray(x), xs, ys)


def numerical_jvp(fun, args, tangents, eps=1e-6):
    """(fun(args + eps t) - fun(args - eps t)) / (2 eps), over pytrees."""
    plus = fun(*_axpy(eps, tangents, args))
    minus = fun(*_axpy(-eps, tangents, args))
    return tree_map(lambda p, m: (np.asarray(p) - np.asarray(m)) / (2 * eps), plus, minus)


def numerical_jacobian(fun, x, eps=1e-6):
    """The central-difference Jacobian of ``fun`` at array ``x``: shape out.shape + x.shape."""
    x = np.asarray(x, dtype=float)
    out_shape = np.shape(fun(x))
    columns = [np.asarray(numerical_jvp(fun, (x,), (e.reshape(x.shape),), eps))
               for e in np.eye(x.size)]
    return np.stack(columns, axis=-1).reshape(out_shape + x.shape) if columns \
        else np.zeros(out_shape + x.shape)


def _assert_close(actual, expected, rtol, atol, what):
    actual_leaves = [np.asarray(a) for a in tree_flatten(actual)[0]]
    expected_leaves = [np.asarray(e) for e in tree_flatten(expected)[0]]
    for a, e in zip(actual_leaves, expected_leaves, strict=True):
        if not np.allclose(a, e, rtol=rtol, atol=atol):
            worst = np.max(np.abs(a - e))
            raise AssertionError(f"{what}: largest discrepancy {worst:.3g}\n"
                                 f"  derivative:         {a}\n  finite differences: {e}")


def check_grads(fun, args, order=2, modes=("fwd", "rev"), eps=1e-6, rtol=1e-5, atol=1e-6,
                seed=0):
    """Check ``fun``'s derivatives at ``args`` (a tuple) to ``order``; raise
    AssertionError with the largest discrepancy if one is off."""
    args = tuple(args)
    rng = np.random.default_rng(seed)
    tangents = _random_like(args, rng)
    expected = numerical_jvp(fun, args, tangents, eps)
    if "fwd" in modes:
        _, actual = jvp(fun, args, tangents)
        _assert_close(actual, expected, rtol, atol, f"forward mode, order {order}")
    if "rev" in modes:
        out, vjp_fn = vjp(fun, *args)
        cotangent = _random_like(out, rng)
        lhs = _inner(vjp_fn(cotangent), tangents)
        rhs = _inner(cotangent, expected)
        _assert_close(lhs, rhs, rtol, atol, f"reverse mode, order {order}")
    if order > 1:
        if "fwd" in modes:
            check_grads(lambda *a: jvp(fun, a, tangents)[1], args, order - 1, modes,
                        eps, rtol, atol, seed + 1)
        if "rev" in modes:
            cotangent = _random_like(fun(*args), rng)
            check_grads(lambda *a: vjp(fun, *a)[1](cotangent), args, order - 1, modes,
                        eps, rtol, atol, seed + 2)

