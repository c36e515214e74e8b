"""The public transforms: a pytree and ``argnums`` shell around the flat cores.

``vjp_flat`` (reverse.py) and ``jvp_flat`` (forward.py) see only flat lists of
arrays. ``_flatten_fun`` turns a user's function of pytrees into such a flat
function; everything else here is checking input and rebuilding structure.
"""
import numpy as np

from .forward import jvp_flat
from .reverse import vjp_flat
from .rules import nondifferentiable
from .tracer import Box, primitive, unbox
from .tree import tree_flatten, tree_map, tree_unflatten

_ARRAY_TYPES = (np.ndarray, np.generic, float, int, complex, bool)


def _as_primal(x, who):
    """Check that leaf ``x`` can be differentiated and give it as a NumPy value."""
    value = unbox(x)
    if not isinstance(value, _ARRAY_TYPES):
        raise TypeError(f"{who}: an argument leaf of type {type(value).__name__} is neither an "
                        "array nor a scalar; register its type with "
                        "fgrad.tree.register_pytree_node, or pass it as a non-differentiated "
                        "argument (outside argnums)")
    kind = np.result_type(value).kind
    if kind not in "fc":
        raise TypeError(f"{who}: can't differentiate with respect to a value of dtype "
                        f"{np.result_type(value)}; only float and complex inputs have "
                        "derivatives. Cast it first, e.g. x.astype(float) or 2.0 instead of 2")
    if isinstance(x, Box):
        return x
    return np.asarray(x) if isinstance(x, (float, complex)) else x


def _argnums_tuple(argnums, nargs, who):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"{who}: argnums={argnums} but the function was called with "
                             f"{nargs} positional argument(s)")
    return tuple(i % nargs for i in nums)


def _flatten_fun(fun, args, argnums, has_aux, who):
    """Flat primals and a flat function of them for ``fun(*args)`` w.r.t. ``argnums``.

    Returns ``(primals, flat_fun, in_tree, store, single)``. ``flat_fun`` returns
    the output leaves followed by the aux leaves (so the cores strip their boxes
    from aux too); ``store["tree"]`` and ``store["aux_tree"]`` then hold their
    structures. ``single`` says that ``argnums`` was one int.
    """
    nums = _argnums_tuple(argnums, len(args), who)
    leaves, in_tree = tree_flatten(tuple(args[i] for i in nums))
    primals = [_as_primal(x, who) for x in leaves]
    store = {}

    def flat_fun(*flat):
        call_args = list(args)
        for i, a in zip(nums, tree_unflatten(in_tree, flat), strict=True):
            call_args[i] = a
        out = fun(*call_args)
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise TypeError(f"{who}: with has_aux=True the function must return a pair "
                                "(output, aux)")
            out, aux = out
        else:
            aux = None
        out_leaves, store["tree"] = tree_flatten(out)
        aux_leaves, store["aux_tree"] = tree_flatten(aux)
        return out_leaves + aux_leaves

    return primals, flat_fun, in_tree, store, isinstance(argnums, int)


def _split(leaves, store):
    """The output pytree and the aux pytree from the flat function's leaves."""
    n = store["tree"].num_leaves
    return (tree_unflatten(store["tree"], leaves[:n]),
            tree_unflatten(store["aux_tree"], leaves[n:]))


def _zeros_like(x):
    value = unbox(x)
    return np.zeros(np.shape(value), np.result_type(value))


def vjp(fun, *primals, has_aux=False):
    """``(out, vjp_fn)``: ``vjp_fn(ct)`` gives one cotangent per primal, ct^T d out / d primal."""
    primal_leaves, flat_fun, in_tree, store, _ = _flatten_fun(
        fun, primals, tuple(range(len(primals))), has_aux, "vjp")
    outs, vjp_flat_fn = vjp_flat(flat_fun, primal_leaves)
    out, aux = _split(outs, store)
    out_tree = store["tree"]
    outs = outs[:out_tree.num_leaves]

    def vjp_fn(cotangent):
        ct_leaves, ct_tree = tree_flatten(cotangent)
        if ct_tree != out_tree:
            raise ValueError(f"vjp_fn: the cotangent has structure {ct_tree}, "
                             f"but the output has structure {out_tree}")
        for ct, o in zip(ct_leaves, outs):
            if np.shape(unbox(ct)) != np.shape(unbox(o)):
                raise ValueError(f"vjp_fn: a cotangent of shape {np.shape(unbox(ct))} was "
                                 f"given for an output of shape {np.shape(unbox(o))}")
        cts = vjp_flat_fn(ct_leaves + [None] * store["aux_tree"].num_leaves)
        cts = [_zeros_like(p) if c is None else c for c, p in zip(cts, primal_leaves)]
        return tree_unflatten(in_tree, cts)

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def _scalar_seed(out, holomorphic, who):
    """The cotangent 1 for ``grad``'s output, after checking that it is a real scalar."""
    value = unbox(out)
    if not isinstance(value, _ARRAY_TYPES) or np.ndim(value) != 0:
        raise TypeError(f"{who}: the function must return a scalar, but it returned "
                        f"shape {np.shape(value)}. For a non-scalar output use jacrev "
                        "(the full Jacobian), vjp (a vector-Jacobian product) or "
                        "elementwise_grad (the gradient of the sum of the outputs)")
    dtype = np.result_type(value)
    if dtype.kind == "c" and not holomorphic:
        raise TypeError(f"{who}: the function returned a complex value; pass "
                        "holomorphic=True for the derivative of a holomorphic function, or "
                        "return a real value (e.g. the real part or the squared magnitude)")
    if holomorphic and dtype.kind != "c":
        raise TypeError(f"{who}: holomorphic=True needs a complex output, got {dtype}")
    return np.ones((), dtype)


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """A function giving ``(fun(*args), d fun / d args[argnums])``."""
    def value_and_grad_fun(*args):
        primals, flat_fun, in_tree, store, single = _flatten_fun(
            fun, args, argnums, has_aux, "grad")
        if holomorphic:
            for p in primals:
                if np.result_type(unbox(p)).kind != "c":
                    raise TypeError("grad: holomorphic=True needs complex inputs")
        outs, vjp_fn = vjp_flat(flat_fun, primals)
        value, aux = _split(outs, store)
        if store["tree"].num_leaves != 1 or store["tree"] != tree_flatten(0.0)[1]:
            raise TypeError(f"grad: the function must return a scalar, but it returned "
                            f"{store['tree']}. Use jacrev, vjp or elementwise_grad.")
        seed = _scalar_seed(value, holomorphic, "grad")
        cts = vjp_fn([seed] + [None] * store["aux_tree"].num_leaves, consume=True)
        cts = [_zeros_like(p) if c is None else c for c, p in zip(cts, primals)]
        grads = tree_unflatten(in_tree, cts)
        grads = grads[0] if single else grads
        return ((value, aux) if has_aux else value), grads
    return value_and_grad_fun


def grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """A function giving the gradient of scalar ``fun`` w.r.t. ``args[argnums]``."""
    vg = value_and_grad(fun, argnums, has_aux, holomorphic)

    def grad_fun(*args):
        (value, g) = vg(*args)
        return (g, value[1]) if has_aux else g
    return grad_fun


def jvp(fun, primals, tangents, has_aux=False):
    """``(fun(*primals), J tangents)``: forward mode, no graph kept."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples (one entry per argument)")
    primal_leaves, flat_fun, in_tree, store, _ = _flatten_fun(
        fun, tuple(primals), tuple(range(len(primals))), has_aux, "jvp")
    tangent_leaves, tangent_tree = tree_flatten(tuple(tangents))
    if tangent_tree != in_tree:
        raise ValueError(f"jvp: tangents have structure {tangent_tree}, primals {in_tree}")
    tangent_leaves = [_as_tangent(t, p) for t, p in zip(tangent_leaves, primal_leaves)]
    outs, out_tangents = jvp_flat(flat_fun, primal_leaves, tangent_leaves)
    out, aux = _split(outs, store)
    n = store["tree"].num_leaves
    out_tangents = [_zeros_like(o) if t is None else t for t, o in zip(out_tangents[:n], outs)]
    tangent_out = tree_unflatten(store["tree"], out_tangents)
    return (out, tangent_out, aux) if has_aux else (out, tangent_out)


def _as_tangent(t, primal):
    """Check a tangent against its primal: same shape, cast to its dtype."""
    p, v = unbox(primal), unbox(t)
    if np.shape(v) != np.shape(p):
        raise ValueError(f"jvp: a tangent of shape {np.shape(v)} was given for a primal of "
                         f"shape {np.shape(p)}; each tangent must have its primal's shape")
    if isinstance(t, Box):
        return t
    return np.asarray(t, dtype=np.result_type(p))


_stop = primitive(lambda x: x, "stop_gradient")
nondifferentiable(_stop)


def stop_gradient(x):
    """``x`` (any pytree), treated as a constant by every transform."""
    return tree_map(_stop, x)
