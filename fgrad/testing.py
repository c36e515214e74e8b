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


def numerical_jvp(fun, args, tangents, eps=None):
    """(fun(args + eps t) - fun(args - eps t)) / (2 eps), over pytrees; eps by default
    suits the lowest precision among the arguments (1e-6 in float64).

    >>> round(float(numerical_jvp(lambda x: x ** 2, (3.0,), (1.0,))), 6)
    6.0
    """
    eps = eps or _tolerances(args)[0]
    plus = fun(*_axpy(eps, tangents, args))
    minus = fun(*_axpy(-eps, tangents, args))
    return tree_map(lambda p, m: (np.asarray(p) - np.asarray(m)) / (2 * eps), plus, minus)


def numerical_jacobian(fun, x, eps=None):
    """The central-difference Jacobian of ``fun`` at array ``x``: shape out.shape + x.shape.

    Complex ``x`` is differenced along the real and the imaginary directions; the two
    agree (d/dy = i d/dx) exactly when ``fun`` is holomorphic, and the Jacobian is then
    f'(z). Otherwise there is no complex Jacobian, and this raises ValueError.

    >>> import numpy as np
    >>> numerical_jacobian(lambda x: x * x[0], np.array([2.0, 3.0])).round(6)
    array([[4., 0.],
           [3., 2.]])
    """
    x = np.asarray(x)
    x = x if x.dtype.kind in "fc" else x.astype(float)
    out_shape = np.shape(fun(x))

    def along(direction):
        columns = [np.asarray(numerical_jvp(fun, (x,), (direction * e.reshape(x.shape),), eps))
                   for e in np.eye(x.size, dtype=x.dtype)]
        return np.stack(columns, axis=-1).reshape(out_shape + x.shape) if columns \
            else np.zeros(out_shape + x.shape, x.dtype)
    jac = along(1)
    if x.dtype.kind == "c":
        rtol, atol = _tolerances((x,))[1:]
        if not np.allclose(along(1j), 1j * jac, rtol=rtol, atol=atol):
            raise ValueError("numerical_jacobian: the function is not holomorphic, so its "
                             "derivative is not a complex matrix; differentiate its real and "
                             "imaginary parts with respect to x.real and x.imag instead")
    return jac


def _assert_close(actual, expected, rtol, atol, what):
    actual_leaves = [np.asarray(a) for a in tree_flatten(actual)[0]]
    expected_leaves = [np.asarray(e) for e in tree_flatten(expected)[0]]
    for a, e in zip(actual_leaves, expected_leaves, strict=True):
        if not np.allclose(a, e, rtol=rtol, atol=atol):
            worst = np.max(np.abs(a - e))
            raise AssertionError(f"{what}: largest discrepancy {worst:.3g}\n"
                                 f"  derivative:         {a}\n  finite differences: {e}")


_PRECISION = {8: (1e-6, 1e-5, 1e-6), 4: (1e-3, 5e-3, 5e-4), 2: (3e-2, 1e-1, 1e-2)}


def _tolerances(args):
    """(eps, rtol, atol) for the lowest precision among the leaves of ``args``:
    float64 (and complex128) 1e-6, 1e-5, 1e-6; float32 1e-3, 5e-3, 5e-4; float16 coarser."""
    sizes = [np.asarray(x).dtype.itemsize // (2 if np.iscomplexobj(x) else 1)
             for x in tree_flatten(args)[0] if np.asarray(x).dtype.kind in "fc"]
    return _PRECISION[min([8] + [s for s in sizes if s in _PRECISION])]


def check_grads(fun, args, order=2, modes=("fwd", "rev"), eps=None, rtol=None, atol=None,
                seed=0):
    """Check ``fun``'s derivatives at ``args`` (a tuple) to ``order``; raise
    AssertionError with the largest discrepancy if one is off. ``eps``, ``rtol`` and
    ``atol`` default to the lowest precision among the arguments (1e-6, 1e-5, 1e-6 in
    float64).

    >>> import fgrad.numpy as fnp
    >>> check_grads(lambda x: fnp.sin(x) * x, (0.7,), order=2)  # silent when right
    """
    args = tuple(args)
    default = _tolerances(args)
    eps, rtol, atol = (d if v is None else v for v, d in zip((eps, rtol, atol), default))
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

