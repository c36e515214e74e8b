"""custom_vjp and custom_jvp: functions whose derivatives are given by hand.

A decorated function called on plain values just runs. Called on boxes, its
differentiable arguments are flattened to leaves and bound to one of two
primitives shared by every custom function; the function object itself (with
its rules) and the structure of its arguments travel as static parameters. So
nothing is kept per call and nothing is added to the rule table per function.

Each primitive returns several outputs: first the tree structures (a plain
``_Trees``, never boxed), then the output leaves, and for ``custom_vjp`` the
residual leaves, which the backward pass keeps like any saved output:

    custom_vjp:  out, res = fwd(x)    VJP: bwd(res, g)      JVP: bwd transposed
    custom_jvp:  out = fun(x)         JVP: rule(x, t)[1]    VJP: rule transposed

The custom_vjp primitive is *traceable*: under nested transforms its
implementation runs ``fwd`` on the lower levels' boxes, so they differentiate
``fwd`` (and later ``bwd``) as ordinary code, as JAX does. From second order
on, ``fwd`` and ``bwd`` must therefore be written with fgrad.numpy; at first
order ``fwd`` may be any NumPy code. Each user rule runs once per pass.
"""
import functools

import numpy as np

from .batching import per_example, vmap_flat
from .extend import fit_to_value, transpose
from .rules import defrules
from .tracer import Box, Primitive, bind
from .tree import tree_flatten, tree_leaves, tree_map, tree_unflatten

__all__ = ["custom_jvp", "custom_vjp"]


class _Trees:
    """The structures of a custom call's outputs and residuals (res None: none kept)."""
    __slots__ = ("out", "res")

    def __init__(self, out, res):
        self.out, self.res = out, res


def _as_array(x):
    """An output leaf as an array: Python numbers become NumPy ones (with a dtype)."""
    return x if isinstance(x, Box) or hasattr(x, "dtype") else np.asarray(x)


def _zeros_like(x):
    return np.zeros(np.shape(x), x.dtype if hasattr(x, "dtype") else np.result_type(x))


class _Custom:
    """What both decorators share: checking a call and binding the primitive."""
    kind = definer = prim = None

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)

    def _merge(self, nondiff, diff):
        """All arguments in order, from the nondiff_argnums ones and the others."""
        n = len(nondiff) + len(diff)
        static = {i % n: a for i, a in zip(self.nondiff_argnums, nondiff)}
        rest = iter(diff)
        return [static[i] if i in static else next(rest) for i in range(n)]

    def __call__(self, *args):
        for i in self.nondiff_argnums:
            if not -len(args) <= i < len(args):
                raise ValueError(f"{self.kind}: nondiff_argnums holds {i}, but "
                                 f"{self.__name__} was called with {len(args)} argument(s)")
        nums = [i % len(args) for i in self.nondiff_argnums]
        for i in nums:
            if any(isinstance(x, Box) for x in tree_leaves(args[i])):
                raise TypeError(f"{self.kind}: argument {i} is in nondiff_argnums but is "
                                "being transformed; make it a differentiable argument")
        leaves, in_tree = tree_flatten(tuple(a for i, a in enumerate(args) if i not in nums))
        if not any(isinstance(x, Box) for x in leaves):
            return self.fun(*args)
        if not self._has_rules():
            raise TypeError(f"{self.kind} function {self.__name__} has no rule yet: "
                            f"give it one with .{self.definer}")
        call = _Call(self, in_tree, tuple((i, args[i]) for i in nums), len(args))
        results = bind(self.prim, leaves, {"call": call})
        trees = results[0]
        return tree_unflatten(trees.out, results[1:1 + trees.out.num_leaves])


class _Call:
    """A custom call's static parameter: the function, and where its leaves go.
    Immutable once made: the same call may be replayed any number of times."""
    __slots__ = ("f", "in_tree", "static", "nargs")

    def __init__(self, f, in_tree, static, nargs):
        self.f, self.in_tree, self.static, self.nargs = f, in_tree, static, nargs

    def nondiff(self):
        """The nondiff_argnums arguments, in nondiff_argnums order."""
        return [a for _, a in self.static]

    def args(self, leaves):
        """All positional arguments, the differentiable ones rebuilt from ``leaves``."""
        diff = iter(tree_unflatten(self.in_tree, leaves))
        static = dict(self.static)
        return [static[i] if i in static else next(diff) for i in range(self.nargs)]

    def flat_cotangents(self, cts, leaves, who):
        """Check ``bwd``'s per-argument cotangents against the arguments (structure,
        shapes, dtypes); one per leaf."""
        arg_trees = self.in_tree.children
        if not (isinstance(cts, (tuple, list)) and len(cts) == len(arg_trees)):
            raise TypeError(f"custom_vjp: bwd of {who} must return a tuple of "
                            f"{len(arg_trees)} cotangent(s), one per differentiable argument")
        flat = []
        for n, (ct, tree) in enumerate(zip(cts, arg_trees)):
            if ct is None:
                flat += [None] * tree.num_leaves
                continue
            ct_leaves, ct_tree = tree_flatten(ct)
            if ct_tree != tree:
                raise TypeError(f"custom_vjp: bwd of {who} gave a cotangent of structure "
                                f"{ct_tree} for argument {n} of structure {tree}")
            flat += ct_leaves
        return [fit_to_value(ct, x, f"custom_vjp: bwd of {who}, for a leaf of argument {n}")
                for ct, x, n in zip(flat, leaves, self._argument_of_leaf())]

    def _argument_of_leaf(self):
        return [n for n, tree in enumerate(self.in_tree.children) for _ in range(tree.num_leaves)]


def _batch(prim):
    """vmap of a custom call: one example at a time (keeping the custom rule) when a
    transform beneath vmap differentiates it, else the undecorated function batched."""
    def rule(values, dims, size, call):
        if any(isinstance(v, Box) for v in values):
            return per_example(prim, values, dims, size, {"call": call})
        trees = _Trees(None, None)

        def example(*leaves):
            outs, trees.out = tree_flatten(call.f.fun(*call.args(leaves)))
            return outs
        outs = vmap_flat(example, values, dims, lambda n: [0] * n)
        return (trees, *outs), (None,) + (0,) * len(outs)
    return rule


# -- custom_vjp --------------------------------------------------------------------

def _vjp_call_impl(*leaves, call):
    """(trees, *outputs, *residuals) of ``fwd``."""
    f = call.f
    pair = f.fwd(*call.args(leaves))
    if not (isinstance(pair, tuple) and len(pair) == 2):
        raise TypeError(f"custom_vjp: fwd of {f.__name__} must return a pair (output, residuals)")
    outs, out_tree = tree_flatten(pair[0])
    res, res_tree = tree_flatten(pair[1])
    return (_Trees(out_tree, res_tree), *map(_as_array, outs), *res)


def _vjp_call_vjp(g, out, *leaves, call):
    """bwd(res, g), with zeros for outputs that received no cotangent."""
    trees = out[0]
    n = trees.out.num_leaves
    g_out = [_zeros_like(o) if c is None else c for c, o in zip(g[1:1 + n], out[1:1 + n])]
    cts = call.f.bwd(*call.nondiff(), tree_unflatten(trees.res, out[1 + n:]),
                     tree_unflatten(trees.out, g_out))
    return call.flat_cotangents(cts, leaves, call.f.__name__)


def _vjp_call_jvp(tangents, out, *leaves, call):
    """J t = d/dg <t, bwd(res, g)>: bwd transposed, applied to the tangents."""
    n = out[0].out.num_leaves
    n_res = len(out) - 1 - n
    t_in = [_zeros_like(x) if t is None else t for t, x in zip(tangents, leaves)]
    t_out = transpose(lambda g: _vjp_call_vjp((None, *g) + (None,) * n_res, out, *leaves,
                                              call=call),
                      tuple(out[1:1 + n]), t_in)
    return (None, *t_out) + (None,) * n_res


_vjp_call = Primitive("custom_vjp_call", _vjp_call_impl, multiple_results=True, traceable=True)
defrules(_vjp_call, vjp=_vjp_call_vjp, jvp=_vjp_call_jvp, save="out", batch=_batch(_vjp_call))


class custom_vjp(_Custom):
    """``fun`` with a reverse-mode rule given by hand: ``f.defvjp(fwd, bwd)``, where
    ``fwd(*args) -> (out, res)`` and ``bwd(*nondiff_args, res, g)`` gives one
    cotangent per differentiable argument (None for zero). Forward mode uses the
    transpose of ``bwd``: J t = d/dg <t, bwd(res, g)>.

    >>> import fgrad, fgrad.numpy as fnp
    >>> clip = custom_vjp(lambda x: x)
    >>> clip.defvjp(lambda x: (x, None), lambda res, g: (fnp.clip(g, -1.0, 1.0),))
    >>> float(fgrad.grad(lambda x: 5.0 * clip(x))(2.0))
    1.0
    """
    kind, definer, prim = "custom_vjp", "defvjp(fwd, bwd)", _vjp_call
    fwd = bwd = None  # set by defvjp (or defined by a subclass, as checkpoint does)

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def _has_rules(self):
        return self.bwd is not None


# -- custom_jvp --------------------------------------------------------------------

def _jvp_call_impl(*leaves, call):
    """(trees, *outputs) of the undecorated function, on plain values."""
    outs, out_tree = tree_flatten(call.f.fun(*call.args(leaves)))
    outs = list(map(_as_array, outs))
    if any(isinstance(o, Box) for o in outs):
        raise TypeError(f"custom_jvp function {call.f.__name__} closes over a value that a "
                        "transform traces; pass it as an argument instead")
    return (_Trees(out_tree, None), *outs)


def _jvp_call_jvp(tangents, out, *leaves, call):
    """The user's rule, once, with zeros for the tangents that are zero."""
    t_in = [_zeros_like(x) if t is None else t for t, x in zip(tangents, leaves)]
    _, t_out = call.f.jvp(*call.nondiff(), tree_unflatten(call.in_tree, leaves),
                          tree_unflatten(call.in_tree, t_in))
    t_leaves, t_tree = tree_flatten(t_out)
    if t_tree != out[0].out:
        raise TypeError(f"custom_jvp: the rule of {call.f.__name__} gave a tangent of "
                        f"structure {t_tree} for an output of structure {out[0].out}")
    return (None, *(fit_to_value(t, o, f"custom_jvp: the rule of {call.f.__name__}")
                    for t, o in zip(t_leaves, out[1:])))


def _jvp_call_vjp(g, out, *leaves, call):
    """J^T g = d/dt <g, rule(x, t)>: the rule transposed, applied to the cotangents."""
    return transpose(lambda t: _jvp_call_jvp(t, out, *leaves, call=call)[1:], tuple(leaves),
                     list(g[1:]))


_jvp_call = Primitive("custom_jvp_call", _jvp_call_impl, multiple_results=True)
defrules(_jvp_call, vjp=_jvp_call_vjp, jvp=_jvp_call_jvp, save="args", batch=_batch(_jvp_call))


class custom_jvp(_Custom):
    """``fun`` with a forward-mode rule given by hand: ``f.defjvp(rule)``, where
    ``rule(*nondiff_args, primals, tangents) -> (out, out_tangent)``, linear in the
    tangents. Reverse mode uses its transpose: J^T g = d/dt <g, rule(primals, t)[1]>.

    >>> import fgrad, fgrad.numpy as fnp
    >>> log1pexp = custom_jvp(lambda x: fnp.logaddexp(0.0, x))
    >>> @log1pexp.defjvp
    ... def _(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return log1pexp(x), t * (0.5 * fnp.tanh(0.5 * x) + 0.5)
    >>> float(fgrad.grad(log1pexp)(1000.0))
    1.0
    """
    kind, definer, prim = "custom_jvp", "defjvp(rule)", _jvp_call

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.jvp = None

    def defjvp(self, jvp):
        """Set the JVP rule; returns it, so this works as a decorator."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *per_argument):
        """JAX's per-argument form: one rule per differentiable argument (None: zero),
        ``rule(t, out, *args) -> that argument's part of the output tangent``."""
        def jvp(*nondiff_and_pairs):
            primals, tangents = nondiff_and_pairs[-2:]
            out = self.fun(*self._merge(nondiff_and_pairs[:-2], primals))
            t_out = None
            for rule, t, in zip(per_argument, tangents, strict=True):
                if rule is not None:
                    part = rule(t, out, *primals)
                    t_out = part if t_out is None else tree_map(lambda a, b: a + b, t_out, part)
            return out, tree_map(_zeros_like, out) if t_out is None else t_out
        self.jvp = jvp

    def _has_rules(self):
        return self.jvp is not None
