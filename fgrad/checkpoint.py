"""checkpoint: trade compute for memory in reverse mode.

``checkpoint(fun)`` runs ``fun`` in the forward pass without recording its
intermediates, keeping only its inputs; the backward pass runs ``fun`` again
under ``vjp`` and pulls the cotangent through that fresh graph. A network split
into k checkpointed segments keeps about 1/k of the activations alive at once,
for one more forward pass of compute.

The forward pass runs ``fun`` on boxes of an evaluating trace (``run_boxed`` with
``EvalTrace``), so code written for traced values (``x.at[i].set(v)``) works in it
too; arguments that are not float or complex (ints, strings) pass through.
"""
from .custom import custom_vjp
from .tracer import EvalTrace, run_boxed
from .transforms import vjp
from .tree import tree_flatten, tree_unflatten


def _differentiable(x):
    return x.dtype.kind in "fc" if hasattr(x, "dtype") else isinstance(x, (float, complex))


class Checkpointed(custom_vjp):
    """``fun`` whose intermediates are recomputed in the backward pass (see ``checkpoint``)."""

    def fwd(self, *args):
        leaves, tree = tree_flatten(args)
        store = {}

        def flat(*xs):
            outs, store["tree"] = tree_flatten(self.fun(*tree_unflatten(tree, list(xs))))
            return outs
        outs, _ = run_boxed(EvalTrace(), flat, leaves, [() if _differentiable(x) else None
                                                        for x in leaves])
        return tree_unflatten(store["tree"], outs), args

    def bwd(self, args, g):
        leaves, tree = tree_flatten(args)
        diff = [i for i, x in enumerate(leaves) if _differentiable(x)]

        def of_differentiable(*xs):
            full = list(leaves)
            for i, x in zip(diff, xs):
                full[i] = x
            return self.fun(*tree_unflatten(tree, full))
        cts = vjp(of_differentiable, *[leaves[i] for i in diff])[1](g)
        full = list(leaves)  # the other leaves stand in for their (ignored) cotangents
        for i, c in zip(diff, cts):
            full[i] = c
        return tuple(tree_unflatten(tree, full))


def checkpoint(fun):
    """``fun``, whose intermediates are recomputed in the backward pass instead of
    stored. Use it as a function or as a decorator.

    >>> import fgrad, fgrad.numpy as fnp
    >>> block = checkpoint(lambda x: fnp.sin(fnp.sin(x)))
    >>> bool(fgrad.grad(block)(0.3) == fgrad.grad(lambda x: fnp.sin(fnp.sin(x)))(0.3))
    True
    """
    return Checkpointed(fun)
