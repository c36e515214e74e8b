"""Helpers for batching rules: moving batch axes, and the rule of elementwise functions.

A batching rule gets each argument with its batch axis (None when the argument is
the same for every example) and returns the batched result and its batch axis.
"""
import numpy as np

from . import shape as shape_ops


def ndim_of_example(x, d):
    """Rank of one example of ``x`` (batch axis ``d``, or None for unbatched)."""
    return np.ndim(x) - (d is not None)


def to_front(x, d, size):
    """``x`` with its batch axis first; an unbatched ``x`` is broadcast along a new one."""
    if d is None:
        return shape_ops.broadcast_to(x, (size,) + tuple(x.shape))
    return x if d == 0 else shape_ops.moveaxis(x, d, 0)


def to_last(x, d, size):
    """``x`` with its batch axis last; an unbatched ``x`` is broadcast along a new one."""
    if d is None:
        return shape_ops.broadcast_to(shape_ops.expand_dims(x, -1), tuple(np.shape(x)) + (size,))
    return shape_ops.moveaxis(x, d, -1)


def batch_size(args, dims):
    return next(a.shape[d] for a, d in zip(args, dims) if d is not None)


def elementwise(f):
    """Batching rule of a broadcasting elementwise ``f``: align batch axes in front.

    When every batched argument has its batch axis at the same place and the
    unbatched ones only meet the axes after it, ``f`` applies as it is.
    """
    def rule(args, dims, **params):
        ranks = [ndim_of_example(a, d) for a, d in zip(args, dims)]
        rank = max(ranks)
        batched = {(d, r) for d, r in zip(dims, ranks) if d is not None}
        if len(batched) == 1:
            (d, r), = batched
            if r == rank and all(r_u <= rank - d for r_u, d_u in zip(ranks, dims) if d_u is None):
                return f(*args, **params), d
        moved = []
        for a, d, r in zip(args, dims, ranks):
            if d is not None:
                a = to_front(a, d, None)  # batched: never broadcast, so no size needed
                a = shape_ops.reshape(a, a.shape[:1] + (1,) * (rank - r) + a.shape[1:])
            moved.append(a)
        return f(*moved, **params), 0
    return rule
