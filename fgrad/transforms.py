"""The public transforms: a pytree and ``argnums`` shell around the flat cores.

``vjp_flat`` (reverse.py), ``jvp_flat`` (forward.py) and ``vmap_flat``
(batching.py) see only flat lists of arrays. ``flatten_fun`` turns a user's
function of pytrees into such a flat function; everything else here is checking
input and rebuilding structure.

A transformed function is a ``functools.partial`` of a module-level function, so
it pickles whenever the function it transforms does (``pickle.dumps(grad(f))``).
"""
import functools
import operator
import warnings

import numpy as np

from .batching import vmap_flat
from .forward import jvp_flat
from .reverse import vjp_flat
from .rules import defrules, nondifferentiable
from .tracer import Box, primitive, unbox
from .tree import tree_flatten, tree_map, tree_unflatten

_ARRAY_TYPES = (np.ndarray, np.generic, float, int, complex, bool)


class Transformed:
    """``impl(fun, *options, *args)``: a transformed function, picklable when ``fun`` is,
    and named like it. Keyword arguments go to ``fun`` undifferentiated (``maps_kwargs``:
    to ``impl``, which maps them, as vmap does)."""

    def __init__(self, impl, fun, options, maps_kwargs):
        self.impl, self.fun, self.options, self.maps_kwargs = impl, fun, options, maps_kwargs
        functools.update_wrapper(self, fun, updated=())

    def __call__(self, *args, **kwargs):
        if self.maps_kwargs:
            return self.impl(self.fun, *self.options, *args, **kwargs)
        fun = functools.partial(self.fun, **kwargs) if kwargs else self.fun
        return self.impl(fun, *self.options, *args)


def transformed(impl, fun, *options, maps_kwargs=False):
    """``impl(fun, *options, *args)`` as a picklable function of ``args`` (see Transformed)."""
    return Transformed(impl, fun, options, maps_kwargs)


def dtype_of(x):
    return x.dtype if hasattr(x, "dtype") else np.result_type(x)


def _as_primal(x, who):
    """Check that leaf ``x`` can be differentiated and give it as a NumPy value."""
    value = unbox(x)
    if not isinstance(value, _ARRAY_TYPES):
        raise TypeError(f"{who}: an argument leaf of type {type(value).__name__} is neither an "
                        "array nor a scalar; register its type with "
                        "fgrad.tree.register_pytree_node, or pass it as a non-differentiated "
                        "argument (outside argnums)")
    if dtype_of(value).kind not in "fc":
        raise TypeError(f"{who}: can't differentiate with respect to a value of dtype "
                        f"{dtype_of(value)}; only float and complex inputs have "
                        "derivatives. Cast it first, e.g. x.astype(float) or 2.0 instead of 2")
    if isinstance(x, Box):
        return x
    return np.asarray(x) if isinstance(x, (float, complex)) else x


def argnums_tuple(argnums, nargs, who):
    """``argnums`` (an int or a sequence of ints, NumPy integers too) as non-negative ints."""
    try:
        nums = (operator.index(argnums),) if not isinstance(argnums, (tuple, list)) \
            else tuple(map(operator.index, argnums))
    except TypeError:
        raise TypeError(f"{who}: argnums must be an int or a tuple of ints, not "
                        f"{argnums!r}") from None
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"{who}: argnums={argnums} but the function was called with "
                             f"{nargs} positional argument(s)")
    return tuple(i % nargs for i in nums)


def arranger(argnums, nums):
    """The results for the distinct positions of ``nums`` (in first-seen order), arranged
    as ``argnums`` asks: one result for an int, else a tuple, repeats included."""
    if not isinstance(argnums, (tuple, list)):
        return operator.itemgetter(0)
    distinct = list(dict.fromkeys(nums))
    return lambda results: tuple(results[distinct.index(i)] for i in nums)


def flatten_fun(fun, args, argnums, has_aux, who):
    """Flat primals and a flat function of them for ``fun(*args)`` w.r.t. ``argnums``.

    Returns ``(primals, flat_fun, in_tree, store, arrange)``. ``flat_fun`` returns
    the output leaves followed by the aux leaves (so the cores strip their boxes
    from aux too); ``store["tree"]`` and ``store["aux_tree"]`` then hold their
    structures. ``in_tree`` is the tuple of the distinct arguments differentiated,
    and ``arrange`` turns such a tuple of results into what ``argnums`` asks for.
    """
    all_nums = argnums_tuple(argnums, len(args), who)
    nums = tuple(dict.fromkeys(all_nums))
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

    return primals, flat_fun, in_tree, store, arranger(argnums, all_nums)


def split_aux(leaves, store):
    """The output pytree and the aux pytree from the flat function's leaves."""
    n = store["tree"].num_leaves
    return (tree_unflatten(store["tree"], leaves[:n]),
            tree_unflatten(store["aux_tree"], leaves[n:]))


def own(results, given):
    """``results`` made safe to hand to the user: each a writeable array of its own, not
    the same object as another result or as one of the arrays ``given`` by the user
    (``a + b`` has the same cotangent for a and b; ``grad(sum)`` a read-only view)."""
    seen = {id(g) for g in given}
    safe = []
    for r in results:
        if type(r) is np.ndarray and (id(r) in seen or not r.flags.writeable
                                      or id(r.base) in seen):
            r = r.copy()
        seen.add(id(r))
        safe.append(r)
    return safe


def zeros_like(x):
    """Plain zeros with the shape and dtype that the traced function sees for ``x``."""
    return np.zeros(np.shape(x), dtype_of(x))


def vjp(fun, *primals, has_aux=False):
    """``(out, vjp_fn)``: ``vjp_fn(ct)`` gives one cotangent per primal, ct^T d out / d primal.

    >>> import fgrad.numpy as fnp
    >>> out, vjp_fn = vjp(lambda x, y: x * fnp.sin(y), 2.0, 0.0)
    >>> [float(c) for c in vjp_fn(1.0)]
    [0.0, 2.0]
    """
    primal_leaves, flat_fun, in_tree, store, _ = flatten_fun(
        fun, primals, tuple(range(len(primals))), has_aux, "vjp")
    outs, vjp_flat_fn = vjp_flat(flat_fun, primal_leaves)
    out, aux = split_aux(outs, store)
    out_tree = store["tree"]
    outs = outs[:out_tree.num_leaves]

    def vjp_fn(cotangent):
        ct_leaves, ct_tree = tree_flatten(cotangent)
        if ct_tree != out_tree:
            raise ValueError(f"vjp_fn: the cotangent has structure {ct_tree}, "
                             f"but the output has structure {out_tree}")
        ct_leaves = [_fit_to(ct, o, "vjp_fn: a cotangent", "an output")
                     for ct, o in zip(ct_leaves, outs)]
        cts = vjp_flat_fn(ct_leaves + [None] * store["aux_tree"].num_leaves)
        cts = [zeros_like(p) if c is None else c for c, p in zip(cts, primal_leaves)]
        return tree_unflatten(in_tree, own(cts, ct_leaves))

    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def _scalar_seed(out, holomorphic, who):
    """The cotangent 1 for ``grad``'s output, after checking that it is a real scalar (or,
    as autograd and PyTorch accept, an array with exactly one element)."""
    if not isinstance(unbox(out), _ARRAY_TYPES):
        raise TypeError(f"{who}: the function must return a scalar, but it returned a "
                        f"{type(unbox(out)).__name__}")
    if np.size(out) != 1:
        raise TypeError(f"{who}: the function must return a scalar, but it returned "
                        f"shape {np.shape(out)}. For a non-scalar output use jacrev "
                        "(the full Jacobian), vjp (a vector-Jacobian product) or "
                        "elementwise_grad (the gradient of the sum of the outputs)")
    dtype = dtype_of(out)
    if dtype.kind == "c" and not holomorphic:
        raise TypeError(f"{who}: the function returned a complex value; pass "
                        "holomorphic=True for the derivative of a holomorphic function, or "
                        "return a real value (e.g. the real part or the squared magnitude)")
    if holomorphic and dtype.kind != "c":
        raise TypeError(f"{who}: holomorphic=True needs a complex output, got {dtype}")
    return np.ones(np.shape(out), dtype)


def _value_and_grad(fun, argnums, has_aux, holomorphic, *args):
    primals, flat_fun, in_tree, store, arrange = flatten_fun(fun, args, argnums, has_aux, "grad")
    if holomorphic and any(dtype_of(p).kind != "c" for p in primals):
        raise TypeError("grad: holomorphic=True needs complex inputs")
    outs, vjp_fn = vjp_flat(flat_fun, primals)
    value, aux = split_aux(outs, store)
    if store["tree"] != _SCALAR_TREE:
        raise TypeError(f"grad: the function must return a scalar, but it returned "
                        f"{store['tree']}. Use jacrev, vjp or elementwise_grad.")
    seed = _scalar_seed(value, holomorphic, "grad")
    cts = vjp_fn([seed] + [None] * store["aux_tree"].num_leaves, consume=True)
    if cts and all(c is None for c in cts):
        warnings.warn("grad: the output does not depend on the differentiated arguments, "
                      "so the gradient is zero", stacklevel=3)
    cts = [zeros_like(p) if c is None else c for c, p in zip(cts, primals)]
    grads = tree_unflatten(in_tree, own(cts, ()))
    grads = arrange(grads)
    return ((value, aux) if has_aux else value), grads


_SCALAR_TREE = tree_flatten(0.0)[1]


def _grad(fun, argnums, has_aux, holomorphic, *args):
    value, g = _value_and_grad(fun, argnums, has_aux, holomorphic, *args)
    return (g, value[1]) if has_aux else g


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """A function giving ``(fun(*args), d fun / d args[argnums])``.

    >>> value, g = value_and_grad(lambda x: x ** 3)(2.0)
    >>> float(value), float(g)
    (8.0, 12.0)
    """
    return transformed(_value_and_grad, fun, argnums, has_aux, holomorphic)


def grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """A function giving the gradient of scalar ``fun`` w.r.t. ``args[argnums]``.

    ``argnums`` may be a tuple (a tuple of gradients); ``has_aux``: ``fun`` returns
    ``(value, aux)`` and the function gives ``(grad, aux)``.

    >>> import numpy as np, fgrad.numpy as fnp
    >>> grad(lambda p: fnp.sum(p["a"] ** 2))({"a": np.array([1.0, 2.0])})
    {'a': array([2., 4.])}
    >>> bool(grad(grad(fnp.sin))(0.5) == -np.sin(0.5))
    True
    """
    return transformed(_grad, fun, argnums, has_aux, holomorphic)


def jvp(fun, primals, tangents, has_aux=False):
    """``(fun(*primals), J tangents)``: forward mode, no graph kept.

    >>> import fgrad.numpy as fnp
    >>> out, tangent = jvp(fnp.exp, (0.0,), (3.0,))
    >>> float(out), float(tangent)
    (1.0, 3.0)
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("jvp: primals and tangents must be tuples (one entry per argument)")
    primal_leaves, flat_fun, in_tree, store, _ = flatten_fun(
        fun, tuple(primals), tuple(range(len(primals))), has_aux, "jvp")
    tangent_leaves, tangent_tree = tree_flatten(tuple(tangents))
    if tangent_tree != in_tree:
        raise ValueError(f"jvp: tangents have structure {tangent_tree}, primals {in_tree}")
    tangent_leaves = [_fit_to(t, p, "jvp: a tangent", "a primal")
                      for t, p in zip(tangent_leaves, primal_leaves)]
    outs, out_tangents = jvp_flat(flat_fun, primal_leaves, tangent_leaves)
    out, aux = split_aux(outs, store)
    n = store["tree"].num_leaves
    out_tangents = [zeros_like(o) if t is None else t for t, o in zip(out_tangents[:n], outs)]
    tangent_out = tree_unflatten(store["tree"], own(out_tangents, tangent_leaves))
    return (out, tangent_out, aux) if has_aux else (out, tangent_out)


def _fit_to(t, like, what, whose):
    """Check a (co)tangent against its value: same shape; plain ones get its dtype."""
    if np.shape(t) != np.shape(like):
        raise ValueError(f"{what} of shape {np.shape(t)} was given for {whose} of shape "
                         f"{np.shape(like)}; the shapes must match")
    if isinstance(t, Box):
        return t
    return np.asarray(t, dtype=dtype_of(like))


_stop = primitive(lambda x: x, "stop_gradient")
nondifferentiable(_stop)
defrules(_stop, batch=lambda args, dims, size: (args[0], dims[0]))


def stop_gradient(x):
    """``x`` (any pytree), treated as a constant by every transform.

    >>> float(grad(lambda x: x * stop_gradient(x))(3.0))
    3.0
    """
    return tree_map(_stop, x)


def _axes_per_leaf(axes, tree, who):
    """Expand ``axes`` (an int, None, or a pytree prefix of ``tree``) to one per leaf."""
    if axes is None or isinstance(axes, int):
        return [axes] * len(tree_flatten(tree)[0])
    if isinstance(axes, dict) and isinstance(tree, dict) and axes.keys() == tree.keys():
        return [a for k in sorted(tree) for a in _axes_per_leaf(axes[k], tree[k], who)]
    if isinstance(axes, (list, tuple)) and isinstance(tree, (list, tuple)) \
            and len(axes) == len(tree):
        return [a for ax, t in zip(axes, tree) for a in _axes_per_leaf(ax, t, who)]
    raise ValueError(f"vmap: {who} {axes!r} does not match the structure {tree_flatten(tree)[1]}")


def _vmap(fun, in_axes, out_axes, *args, **kwargs):
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if isinstance(in_axes, tuple) and len(in_axes) != len(args):
        raise ValueError(f"vmap: in_axes has {len(in_axes)} entries but the function got "
                         f"{len(args)} positional arguments")
    if kwargs:  # as in JAX, keyword arguments are mapped over their axis 0
        in_axes = (in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)) + (0,)
        args, fun = args + (kwargs,), _keywords_last(fun)
    leaves, in_tree = tree_flatten(args)
    in_dims = _axes_per_leaf(in_axes, args, "in_axes")
    leaves = [x if d is None or isinstance(x, Box) else np.asarray(x)
              for x, d in zip(leaves, in_dims)]
    store = {}

    def flat_fun(*flat):
        out_leaves, store["tree"] = tree_flatten(fun(*tree_unflatten(in_tree, flat)))
        return out_leaves

    def out_dims_of(n):
        return _axes_per_leaf(out_axes, tree_unflatten(store["tree"], [0] * n), "out_axes")

    outs = vmap_flat(flat_fun, leaves, in_dims, out_dims_of)
    return tree_unflatten(store["tree"], outs)


def _keywords_last(fun):
    return lambda *args: fun(*args[:-1], **args[-1])


def vmap(fun, in_axes=0, out_axes=0):
    """``fun`` mapped over an axis of its arguments, run once on whole batches.

    ``in_axes``: the batch axis of every argument (an int, or None for an argument
    shared by all examples), or a tuple with one entry (a pytree prefix) per
    argument; ``out_axes`` likewise for the outputs. Keyword arguments are mapped
    over their axis 0, as in JAX.

    >>> import numpy as np
    >>> vmap(lambda x, y: x @ y, in_axes=(0, None))(np.eye(2), np.array([3.0, 4.0]))
    array([3., 4.])
    """
    return transformed(_vmap, fun, in_axes, out_axes, maps_kwargs=True)
