"""Indexing, and the functional updates that replace ``x[i] = v``.

``getitem`` reads; ``index_add`` and ``index_set`` return an updated copy and are
each other's building blocks: reading is the transpose of adding into zeros.
``at(x)[i].set(v)`` (and ``x.at[i]`` on traced arrays) is the public form.
"""
import math

import numpy as np

from ..rules import defbatch, defjvp, defmultilinear, defvjp
from ..tracer import primitive
from . import batch, broadcast, shape as shape_ops
from .elementwise import maximum, minimum, where


def _is_basic(index):
    """True when ``index`` selects each element at most once (no integer arrays)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def _getitem(x, index):
    return x[index]


def _index_add(x, index, v):
    out = np.array(x, dtype=np.result_type(x, v), copy=True)
    if _is_basic(index):
        out[index] += v
    else:
        np.add.at(out, index, v)
    return out


def _index_set(x, index, v):
    out = np.array(x, dtype=np.result_type(x, v), copy=True)
    out[index] = v
    return out


getitem = primitive(_getitem, "getitem")
index_add = primitive(_index_add, "index_add")
index_set = primitive(_index_set, "index_set")


# d x[i] = dx[i];  its transpose adds the cotangent into zeros at i
defmultilinear(getitem, lambda g, out, x, index:
               index_add(np.zeros(x.shape, g.dtype), index, g), None, save="shapes")


# d add_at(x, i, v) = add_at(dx, i, dv)
def _index_add_jvp_v(t, out, x, index, v):
    return index_add(np.zeros(out.shape, t.dtype), index, t)


defvjp(index_add, lambda g, out, x, index, v: broadcast.unbroadcast(g, x), None,
                  lambda g, out, x, index, v: broadcast.unbroadcast(g[index], v), save="shapes")
defjvp(index_add, lambda t, out, x, index, v: broadcast.broadcast_like(t, out), None,
                  _index_add_jvp_v)


# d set_at(x, i, v) = set_at(dx, i, dv): x's derivative is cut where v overwrites it
def _index_set_jvp_v(t, out, x, index, v):
    return index_set(np.zeros(out.shape, t.dtype), index, t)


def _index_set_vjp_v(g, out, x, index, v):
    """Each element of v gets the cotangent of where it was written, unless a later
    duplicate index overwrote it (then it gets zero)."""
    picked = g[index]
    if not _is_basic(index):
        written = np.arange(math.prod(picked.shape)).reshape(picked.shape)
        stamps = np.full(x.shape, -1)
        stamps[index] = written
        picked = where(stamps[index] == written, picked, 0)
    return broadcast.unbroadcast(picked, v)


defvjp(index_set, lambda g, out, x, index, v: broadcast.unbroadcast(index_set(g, index, 0), x),
                  None, _index_set_vjp_v, save="shapes")
defjvp(index_set, lambda t, out, x, index, v: broadcast.broadcast_like(index_set(t, index, 0), out),
                  None, _index_set_jvp_v)


class _IndexUpdate:
    """``x.at[index]``: functional updates that return a new array."""
    __slots__ = ("x", "index")

    def __init__(self, x, index):
        self.x, self.index = x, index

    def get(self):
        return getitem(self.x, self.index)

    def set(self, v):
        return index_set(self.x, self.index, v)

    def add(self, v):
        return index_add(self.x, self.index, v)

    def multiply(self, v):
        return index_set(self.x, self.index, getitem(self.x, self.index) * v)

    def min(self, v):
        return index_set(self.x, self.index, minimum(getitem(self.x, self.index), v))

    def max(self, v):
        return index_set(self.x, self.index, maximum(getitem(self.x, self.index), v))


class at:
    """``at(x)[index].set(v)``: the functional update, for plain and traced arrays alike."""
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, index):
        return _IndexUpdate(self.x, index)


# Batching. With the batch axis last, an index meant for one example applies to the
# whole batch unchanged (advanced indexing never moves trailing axes), once any
# Ellipsis is spelled out so that it cannot reach the batch axis.
def _explicit(index, ndim):
    """``index`` as a tuple with its Ellipsis replaced by full slices over ``ndim`` axes."""
    parts = index if isinstance(index, tuple) else (index,)
    where = next((i for i, p in enumerate(parts) if p is Ellipsis), None)
    if where is None:
        return parts
    used = sum(np.ndim(p) if getattr(p, "dtype", None) == bool else 1
               for p in parts if p is not None and p is not Ellipsis)
    return parts[:where] + (slice(None),) * (ndim - used) + parts[where + 1:]


def _to_last(x, d, size):
    """``x`` with its batch axis last; an unbatched ``x`` is broadcast along a new one."""
    if d is None:
        return shape_ops.broadcast_to(shape_ops.expand_dims(x, -1), tuple(np.shape(x)) + (size,))
    return shape_ops.moveaxis(x, d, -1)


def _getitem_batch(args, dims):
    (x, index), (d, d_index) = args, dims
    if d_index is None:
        out = getitem(_to_last(x, d, None), _explicit(index, np.ndim(x) - 1))
        return out, np.ndim(out) - 1
    size = batch.batch_size(args, dims)
    x, index = batch.to_front(x, d, size), batch.to_front(index, d_index, size)
    rows = np.arange(size).reshape((size,) + (1,) * (np.ndim(index) - 1))
    return getitem(x, (rows, index)), 0


def _update_batch(update):
    def rule(args, dims):
        (x, index, v), (d, d_index, d_v) = args, dims
        if d_index is not None:
            raise NotImplementedError("vmap: functional updates at batched indices")
        size = batch.batch_size(args, dims)
        ndim = np.ndim(x) - (d is not None)
        v = shape_ops.expand_dims(v, -1) if d_v is None else shape_ops.moveaxis(v, d_v, -1)
        out = update(_to_last(x, d, size), _explicit(index, ndim), v)
        return out, ndim
    return rule


defbatch(getitem, _getitem_batch)
defbatch(index_add, _update_batch(index_add))
defbatch(index_set, _update_batch(index_set))
