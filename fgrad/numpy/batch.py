"""Helpers for batching rules: moving batch axes, and the rule of elementwise functions.

A batching rule gets each argument with its batch axis (None when the argument is
the same for every example) and the batch size, and returns the batched result
and its batch axis.
"""
import numpy as np

from ..tracer import Box
from .broadcast import batch_first, broadcast_to


def ndim_of_example(x, d):
    """Rank of one example of ``x`` (batch axis ``d``, or None for unbatched)."""
    return np.ndim(x) - (d is not None)


def to_front(x, d, size):
    """``x`` with its batch axis first; an unbatched ``x`` is broadcast along a new one."""
    if d is None:
        return broadcast_to(x, (size,) + tuple(np.shape(x)))
    return batch_first(x, d)


def to_last(x, d, size):
    """``x`` with its batch axis last; an unbatched ``x`` is broadcast along a new one."""
    if d is None:
        shape = tuple(np.shape(x))
        x = x if isinstance(x, Box) else np.asarray(x)
        return broadcast_to(x.reshape(shape + (1,)), shape + (size,))
    n = np.ndim(x)
    return x if d == n - 1 else x.transpose(tuple(i for i in range(n) if i != d) + (d,))


def elementwise(f):
    """Batching rule of a broadcasting elementwise ``f``: align batch axes in front.

    When every batched argument has its batch axis at the same place and the
    unbatched ones only meet the axes after it, ``f`` applies as it is.
    """
    def rule(args, dims, size, **params):
        ranks = [ndim_of_example(a, d) for a, d in zip(args, dims)]
        rank = max(ranks)
        batched = {(d, r) for d, r in zip(dims, ranks) if d is not None}
        if len(batched) == 1:
            (d, r), = batched
            if r == rank and all(r_u <= rank - d for r_u, d_u in zip(ranks, dims) if d_u is None):
                return _with_axis(f(*args, **params), d)
        moved = []
        for a, d, r in zip(args, dims, ranks):
            if d is not None:
                a = batch_first(a, d)
                a = a.reshape(a.shape[:1] + (1,) * (rank - r) + a.shape[1:])
            moved.append(a)
        return _with_axis(f(*moved, **params), 0)
    return rule


def _with_axis(out, d):
    """``(out, d)``, or one axis per output when ``out`` is a tuple of several."""
    return out, ((d,) * len(out) if isinstance(out, tuple) else d)
