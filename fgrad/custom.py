"""custom_vjp and custom_jvp: functions whose derivatives are given by hand.

A decorated function called on plain values just runs. Called on boxes, its
differentiable arguments are flattened to leaves and handed to one primitive
made for that function, once per output leaf (a primitive has one output; the
static parameter ``k`` picks the leaf). The primitive's rules call the user's:

    custom_vjp:  VJP = bwd(res, g)             JVP = the VJP transposed (jvp_from_vjp)
    custom_jvp:  JVP = jvp(primals, t)[1]      VJP = the JVP transposed (vjp_from_jvp)

Residuals. Each traced call gets a ``_Call`` record, passed to the primitive as
a static parameter, so it lives as long as that call's graph nodes and no
longer. The primitive's implementation runs ``fwd`` on plain values and keeps
the leaves, the outputs and the residuals there. A VJP rule given those very
leaves (compared with ``is``) reuses the residuals, so first-order reverse mode
runs ``fwd`` once, and ``fwd`` may use any NumPy code. A VJP rule given boxes of
outer transforms (inside ``grad(grad(f))``) runs ``fwd`` again on them, so that
the residuals carry those transforms' derivatives: residuals computed on plain
values would be constants to them. From second order on, ``fwd`` and ``bwd``
must therefore be written with fgrad.numpy. The record also keeps the last
cotangents ``bwd`` gave, keyed by the same identities, because the engine asks
for one argument's cotangent at a time.
"""
import functools

from .batching import per_example, vmap_flat
from .extend import jvp_from_vjp, vjp_from_jvp
from .rules import Variadic, defbatch, defjvp, defvjp
from .tracer import Box, primitive
from .transforms import zeros_like
from .tree import tree_flatten, tree_leaves, tree_unflatten

__all__ = ["custom_jvp", "custom_vjp"]


def _same(xs, ys):
    """Whether two sequences hold the very same objects (never a false match)."""
    return ys is not None and len(xs) == len(ys) and all(x is y for x, y in zip(xs, ys))


class _Call:
    """One traced call: its non-differentiated arguments, its structures, and
    the primal results for the plain leaves it last ran on."""
    __slots__ = ("nargs", "nondiff", "in_tree", "out_tree", "leaves", "outs", "res",
                 "ct_key", "cts")

    def __init__(self, nargs, nondiff, in_tree):
        self.nargs, self.nondiff, self.in_tree = nargs, nondiff, in_tree
        self.out_tree = self.leaves = self.outs = self.res = self.ct_key = self.cts = None

    def static(self):
        """The nondiff_argnums arguments, in nondiff_argnums order."""
        return [a for _, a in self.nondiff]

    def args(self, leaves):
        """All positional arguments, the differentiable ones rebuilt from ``leaves``."""
        diff = iter(tree_unflatten(self.in_tree, leaves))
        static = dict(self.nondiff)
        return [static[i] if i in static else next(diff) for i in range(self.nargs)]


class _Custom:
    """What both decorators share: the call, the primitive and its batching rule."""
    kind = definer = None

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.prim = primitive(self._impl, f"{self.kind}({getattr(fun, '__name__', 'f')})")
        defbatch(self.prim, self._batch)

    def __call__(self, *args):
        nums = [i % len(args) for i in self.nondiff_argnums]
        for i in nums:
            if any(isinstance(x, Box) for x in tree_leaves(args[i])):
                raise TypeError(f"{self.kind}: argument {i} is in nondiff_argnums but is "
                                "being transformed; make it a differentiable argument")
        diff = tuple(a for i, a in enumerate(args) if i not in nums)
        leaves, in_tree = tree_flatten(diff)
        if not any(isinstance(x, Box) for x in leaves):
            return self.fun(*args)
        if not self._has_rules():
            raise TypeError(f"{self.kind} function {self.__name__} has no rule yet: "
                            f"give it one with .{self.definer}")
        call = _Call(len(args), [(i, args[i]) for i in nums], in_tree)
        outs = [self.prim(*leaves, call=call, k=0)]
        outs += [self.prim(*leaves, call=call, k=k) for k in range(1, call.out_tree.num_leaves)]
        return tree_unflatten(call.out_tree, outs)

    def _impl(self, *leaves, call, k):
        """Output leaf ``k`` on plain values, computed once per set of leaves."""
        if not _same(leaves, call.leaves):
            outs, call.out_tree, res = self._primal(call.args(leaves))
            if any(isinstance(x, Box) for x in outs + tree_leaves(res)):
                raise TypeError(f"{self.kind} function {self.__name__} closes over a value "
                                "that a transform traces; pass it as an argument instead")
            call.leaves, call.outs, call.res = leaves, outs, res
        return call.outs[k]

    def _batch(self, values, dims, *, call, k):
        """vmap: the undecorated function under vmap; one example at a time (keeping
        the custom rule) when a transform beneath vmap differentiates this call."""
        if any(isinstance(v, Box) for v in values):
            return per_example(self.prim.prim, values, dims, {"call": call, "k": k})

        def example(*leaves):
            outs, call.out_tree = tree_flatten(self.fun(*call.args(leaves)))
            return [outs[k]]
        # NB: a function with n output leaves runs n times here, once per leaf.
        return vmap_flat(example, values, dims, lambda n: [0])[0], 0


class custom_vjp(_Custom):
    """``fun`` with a reverse-mode rule given by hand: ``f.defvjp(fwd, bwd)``, where
    ``fwd(*args) -> (out, res)`` and ``bwd(*nondiff_args, res, g)`` gives one
    cotangent per differentiable argument (None for zero). Forward mode uses the
    transpose of ``bwd``: J t = d/dg <t, bwd(res, g)>."""
    kind, definer = "custom_vjp", "defvjp(fwd, bwd)"

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.fwd = self.bwd = None
        defvjp(self.prim, Variadic(self._vjp), save="args")
        defjvp(self.prim, Variadic(self._jvp))

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def _has_rules(self):
        return self.bwd is not None

    def _primal(self, args):
        pair = self.fwd(*args)
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"custom_vjp: fwd of {self.__name__} must return a pair "
                            "(output, residuals)")
        outs, out_tree = tree_flatten(pair[0])
        return outs, out_tree, pair[1]

    def _vjp(self, i, g, out, *leaves, call, k):
        """d out_k / d leaf_i transposed: bwd with cotangent g on output leaf k."""
        key = (k, g) + leaves
        if not _same(key, call.ct_key):
            call.ct_key, call.cts = key, self._cotangents(g, leaves, call, k)
        return call.cts[i]

    def _jvp(self, i, t, out, *leaves, call, k):
        return jvp_from_vjp(functools.partial(self._vjp, i), i)(t, out, *leaves, call=call, k=k)

    def _cotangents(self, g, leaves, call, k):
        """The leaves' cotangents from ``bwd``, reusing the residuals when ``leaves``
        are the ones ``fwd`` ran on (see the module docstring)."""
        if _same(leaves, call.leaves):
            outs, res = call.outs, call.res
        else:
            outs, _, res = self._primal(call.args(leaves))
        g_out = [g if j == k else zeros_like(o) for j, o in enumerate(outs)]
        cts = self.bwd(*call.static(), res, tree_unflatten(call.out_tree, g_out))
        arg_trees = call.in_tree.children
        if not (isinstance(cts, (tuple, list)) and len(cts) == len(arg_trees)):
            raise TypeError(f"custom_vjp: bwd of {self.__name__} must return a tuple of "
                            f"{len(arg_trees)} cotangent(s), one per differentiable argument")
        flat = []
        for n, (ct, tree) in enumerate(zip(cts, arg_trees)):
            if ct is None:
                flat += [None] * tree.num_leaves
                continue
            ct_leaves, ct_tree = tree_flatten(ct)
            if ct_tree != tree:
                raise TypeError(f"custom_vjp: bwd of {self.__name__} gave a cotangent of "
                                f"structure {ct_tree} for argument {n} of structure {tree}")
            flat += ct_leaves
        return flat


class custom_jvp(_Custom):
    """``fun`` with a forward-mode rule given by hand: ``f.defjvp(rule)``, where
    ``rule(*nondiff_args, primals, tangents) -> (out, out_tangent)``, linear in the
    tangents. Reverse mode uses its transpose: J^T g = d/dt <g, rule(primals, t)[1]>."""
    kind, definer = "custom_jvp", "defjvp(rule)"

    def __init__(self, fun, nondiff_argnums=()):
        super().__init__(fun, nondiff_argnums)
        self.jvp = None
        defjvp(self.prim, Variadic(self._jvp))
        defvjp(self.prim, Variadic(self._vjp), save="args")

    def defjvp(self, jvp):
        """Set the JVP rule; returns it, so this works as a decorator."""
        self.jvp = jvp
        return jvp

    def _has_rules(self):
        return self.jvp is not None

    def _primal(self, args):
        outs, out_tree = tree_flatten(self.fun(*args))
        return outs, out_tree, None

    def _jvp(self, i, t, out, *leaves, call, k):
        """Output leaf k's tangent when leaf i has tangent t and the others zero."""
        tangents = [t if j == i else zeros_like(x) for j, x in enumerate(leaves)]
        diff = tree_unflatten(call.in_tree, leaves)
        _, t_out = self.jvp(*call.static(), diff, tree_unflatten(call.in_tree, tangents))
        return tree_leaves(t_out)[k]

    def _vjp(self, i, g, out, *leaves, call, k):
        return vjp_from_jvp(functools.partial(self._jvp, i), i)(g, out, *leaves, call=call, k=k)
