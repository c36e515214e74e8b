"""Indexing, and the functional updates that replace ``x[i] = v``.

``getitem`` reads; ``index_add`` and ``index_set`` return an updated copy and are
each other's building blocks: reading is the transpose of adding into zeros.
``at(x)[i].set(v)`` (and ``x.at[i]`` on traced arrays) is the public form.
"""
import math

import numpy as np

from ..rules import defmultilinear, defrules
from ..tracer import primitive
from . import batch, broadcast, shape as shape_ops
from .elementwise import maximum, minimum, where

__all__ = ["at"]


def parts(index):
    """An index as the tuple of its parts, so that traced parts reach dispatch."""
    return index if isinstance(index, tuple) else (index,)


def _is_basic(index):
    """True when the index parts select each element at most once (no integer arrays)."""
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in index)


def _getitem(x, *index):
    return x[index]


def _index_add(x, v, *index):
    out = np.array(x, dtype=np.result_type(x, v), copy=True)
    if _is_basic(index):
        out[index] += v
    else:
        np.add.at(out, index, v)
    return out


def _index_set(x, v, *index):
    out = np.array(x, dtype=np.result_type(x, v), copy=True)
    out[index] = v
    return out


getitem = primitive(_getitem, "getitem")
index_add = primitive(_index_add, "index_add")
index_set = primitive(_index_set, "index_set")


# d x[i] = dx[i];  its transpose adds the cotangent into zeros at i
defmultilinear(getitem, lambda g, out, x, *index:
               index_add(np.zeros(x.shape, g.dtype), g, *index), save="shapes")


# d add_at(x, v, i) = add_at(dx, dv, i)
def _index_add_jvp_v(t, out, x, v, *index):
    return index_add(np.zeros(out.shape, t.dtype), t, *index)


defrules(index_add,
         vjp=(lambda g, out, x, v, *index: broadcast.unbroadcast(g, x),
              lambda g, out, x, v, *index: broadcast.unbroadcast(getitem(g, *index), v)),
         jvp=(lambda t, out, x, v, *index: broadcast.broadcast_like(t, out), _index_add_jvp_v),
         save="shapes")


# d set_at(x, v, i) = set_at(dx, dv, i): x's derivative is cut where v overwrites it
def _index_set_jvp_v(t, out, x, v, *index):
    return index_set(np.zeros(out.shape, t.dtype), t, *index)


def _index_set_vjp_v(g, out, x, v, *index):
    """Each element of v gets the cotangent of where it was written, unless a later
    duplicate index overwrote it (then it gets zero)."""
    picked = getitem(g, *index)
    if not _is_basic(index):
        written = np.arange(math.prod(picked.shape)).reshape(picked.shape)
        stamps = np.full(x.shape, -1)
        stamps[index] = written
        picked = where(stamps[index] == written, picked, 0)
    return broadcast.unbroadcast(picked, v)


defrules(index_set,
         vjp=(lambda g, out, x, v, *index: broadcast.unbroadcast(index_set(g, 0, *index), x),
              _index_set_vjp_v),
         jvp=(lambda t, out, x, v, *index: broadcast.broadcast_like(index_set(t, 0, *index), out),
              _index_set_jvp_v),
         save="shapes")


class _IndexUpdate:
    """``x.at[index]``: functional updates that return a new array."""
    __slots__ = ("x", "index")

    def __init__(self, x, index):
        self.x, self.index = x, index

    def get(self):
        return getitem(self.x, *self.index)

    def set(self, v):
        return index_set(self.x, v, *self.index)

    def add(self, v):
        return index_add(self.x, v, *self.index)

    def multiply(self, v):
        return index_set(self.x, getitem(self.x, *self.index) * v, *self.index)

    def min(self, v):
        return index_set(self.x, minimum(getitem(self.x, *self.index), v), *self.index)

    def max(self, v):
        return index_set(self.x, maximum(getitem(self.x, *self.index), v), *self.index)


class at:
    """``at(x)[index].set(v)``: the functional update, for plain and traced arrays alike."""
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, index):
        return _IndexUpdate(self.x, parts(index))


# Batching. An index that is the same for every example applies to the whole batch
# once the batch axis is last (advanced indexing never moves trailing axes) and any
# Ellipsis is spelled out, so that it cannot reach the batch axis. An index that
# varies over the batch gets a leading index ``rows`` (0..B-1) that pairs each
# example with its own index; NumPy then puts the advanced-index block first, and
# where one example's block would sit further in, it is moved there.
def _explicit(pairs, ndim):
    """(index part, batch axis) pairs with any Ellipsis replaced by full slices."""
    where = next((i for i, (p, _) in enumerate(pairs) if p is Ellipsis), None)
    if where is None:
        return pairs
    used = sum(np.ndim(p) if getattr(p, "dtype", None) is np.dtype(bool) else 1
               for p, _ in pairs if p is not None and p is not Ellipsis)
    return pairs[:where] + [(slice(None), None)] * (ndim - used) + pairs[where + 1:]


def _advanced(p):
    return not (p is None or p is Ellipsis or isinstance(p, slice))


def _batched_index(pairs, size):
    """Index parts for batch-first arrays when some part varies over the batch.

    Returns (index, block_ndim, place): ``place`` is where one example's
    advanced-index block sits in its result, or 0 when NumPy puts it first.
    """
    adv = [i for i, (p, _) in enumerate(pairs) if _advanced(p)]
    block_ndim = max(np.ndim(p) - (d is not None) for p, d in pairs if _advanced(p))
    index = []
    for p, d in pairs:
        if d is not None:
            p = batch.to_front(p, d, size)
            p = shape_ops.reshape(p, (size,) + (1,) * (block_ndim + 1 - np.ndim(p)) + p.shape[1:])
        index.append(p)
    rows = np.arange(size).reshape((size,) + (1,) * block_ndim)
    together = adv == list(range(adv[0], adv[0] + len(adv)))
    place = sum(1 for p, _ in pairs[:adv[0]] if not _advanced(p)) if together else 0
    return [rows] + index, block_ndim, place


def _block_moves(block_ndim, place):
    """Axes (after the batch axis) of the advanced block: batched position, one example's."""
    return list(range(1, 1 + block_ndim)), list(range(1 + place, 1 + place + block_ndim))


def _getitem_batch(args, dims, size):
    x, d = args[0], dims[0]
    pairs = _explicit(list(zip(args[1:], dims[1:])), np.ndim(x) - (d is not None))
    if all(pd is None for _, pd in pairs):
        out = getitem(batch.to_last(x, d, size), *[p for p, _ in pairs])
        return out, np.ndim(out) - 1
    index, block_ndim, place = _batched_index(pairs, size)
    out = getitem(batch.to_front(x, d, size), *index)
    if place:
        out = shape_ops.moveaxis(out, *_block_moves(block_ndim, place))
    return out, 0


def _update_batch(update):
    def rule(args, dims, size):
        (x, v), (d, dv) = args[:2], dims[:2]
        ndim = np.ndim(x) - (d is not None)
        pairs = _explicit(list(zip(args[2:], dims[2:])), ndim)
        if all(pd is None for _, pd in pairs):
            v = shape_ops.expand_dims(v, -1) if dv is None else shape_ops.moveaxis(v, dv, -1)
            return update(batch.to_last(x, d, size), v, *[p for p, _ in pairs]), ndim
        index, block_ndim, place = _batched_index(pairs, size)
        # one example's selection: the block, the sliced or new axes, the axes not indexed
        consumed = sum(1 for p, _ in pairs if p is not None)
        selection_ndim = block_ndim + sum(1 for p, _ in pairs if not _advanced(p)) \
            + ndim - consumed
        v = shape_ops.expand_dims(v, 0) if dv is None else batch.to_front(v, dv, size)
        v = shape_ops.reshape(v, v.shape[:1] + (1,) * (selection_ndim + 1 - np.ndim(v))
                              + v.shape[1:])
        if place:
            v = shape_ops.moveaxis(v, *reversed(_block_moves(block_ndim, place)))
        return update(batch.to_front(x, d, size), v, *index), 0
    return rule


defrules(getitem, batch=_getitem_batch)
defrules(index_add, batch=_update_batch(index_add))
defrules(index_set, batch=_update_batch(index_set))
