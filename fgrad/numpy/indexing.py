"""Indexing, the functional updates that replace ``x[i] = v``, and the functions built on them.

``getitem`` reads. ``index_set``, ``index_add``, ``index_multiply``, ``index_min`` and
``index_max`` return an updated copy; ``at(x)[i].set(v)`` (and ``x.at[i]`` on traced
arrays) is their public form. Reading is the transpose of adding into zeros. take,
take_along_axis, compress and extract are compositions of ``getitem``; choose and select
of ``where``; nonzero, argwhere and flatnonzero have no derivative.

Conventions. Index arrays, masks and conditions are data: no derivative flows into them.
With repeated indices, add, multiply, min and max combine every update (np.add.at,
np.multiply.at, np.minimum.at, np.maximum.at, JAX); set keeps the last. Ties in min/max
share the derivative evenly between x and every tied update (as fgrad's maximum, and JAX).
An output whose shape depends on values (nonzero, argwhere, flatnonzero, compress, extract,
boolean masks) can't be batched by vmap where those values vary over the batch: an error.
"""
import math

import numpy as np

from ..rules import defmultilinear, defrules, nondifferentiable
from ..tracer import Box, composite, holds_box, no_out, primitive, unbox
from . import batch, broadcast, shape as shape_ops
from .elementwise import astype, clip, equal, maximum, remainder, where

__all__ = ["argwhere", "at", "choose", "compress", "copyto", "diag_indices",
           "diag_indices_from", "extract", "fill_diagonal", "flatnonzero", "indices", "ix_",
           "mask_indices", "nonzero", "place", "put", "put_along_axis", "putmask",
           "ravel_multi_index", "select", "take", "take_along_axis", "tril_indices",
           "tril_indices_from", "triu_indices", "triu_indices_from", "unravel_index"]


def parts(index):
    """An index as the tuple of its parts, so that traced parts reach dispatch."""
    return index if type(index) is tuple else (index,)


_BASIC = (int, slice, type(None), type(Ellipsis))


def _is_basic(index):
    """True for a basic index (no arrays, no booleans): it selects a view, each element once."""
    for p in index:
        if type(p) not in _BASIC and not isinstance(p, np.integer):
            return False
    return True


# -- primitives ---------------------------------------------------------------

def _getitem(x, *index):
    return x[index]


def _copy_for(x, v):
    """A fresh copy of ``x`` in the dtype of ``x`` and ``v`` combined."""
    dtype = x.dtype if getattr(v, "dtype", None) == x.dtype else np.result_type(x, v)
    return np.array(x, dtype=dtype, copy=True)


def _index_set(x, v, *index):
    out = _copy_for(x, v)
    out[index] = v
    return out


def _scatter(ufunc):
    """``x`` with ``ufunc`` applied at ``index`` by every update in ``v``, repeats included."""
    def update(x, v, *index):
        out = _copy_for(x, v)
        if _is_basic(index):  # each element is selected once: one vectorized update
            selected = out[index]
            if type(selected) is np.ndarray:
                ufunc(selected, v, out=selected)
            else:
                out[index] = ufunc(selected, v)
        else:
            ufunc.at(out, index, v)
        return out
    return update


getitem = primitive(_getitem, "getitem")
index_set = primitive(_index_set, "index_set")
index_add, index_multiply, index_min, index_max = (
    primitive(_scatter(u), name) for u, name in ((np.add, "index_add"),
                                                 (np.multiply, "index_multiply"),
                                                 (np.minimum, "index_min"),
                                                 (np.maximum, "index_max")))


def _sort_by_impl(a, key, inverse=False):
    """``a`` along its last axis in the order a stable sort puts ``key`` (inverse: put back)."""
    order = np.argsort(key, axis=-1, kind="stable")
    if inverse:
        order = np.argsort(order, axis=-1)
    return np.take_along_axis(a, order, axis=-1)


def _nonzero_impl(a, caller="nonzero"):
    return np.nonzero(a)


# the helpers of the rules of index_multiply, and of everything with a data-dependent shape
_sort_by = primitive(_sort_by_impl, "sort_by", data="a key", params={"inverse": False})
_nonzero = primitive(_nonzero_impl, "nonzero", data="a", params={"caller": "nonzero"},
                     multiple_results=True)


# -- rules --------------------------------------------------------------------
# Indices never carry a derivative: each rule has None in their places.

def _zeros(x):
    return np.zeros(x.shape, x.dtype)


# d x[i] = dx[i];  its transpose adds the cotangent into zeros at i (repeats accumulate)
defmultilinear(getitem, lambda g, out, x, *index:
               index_add(np.zeros(x.shape, g.dtype), g, *index), None, save="shapes")

# d add_at(x, v, i) = add_at(dx, dv, i)
defrules(index_add,
         vjp=(lambda g, out, x, v, *index: broadcast.unbroadcast(g, x),
              lambda g, out, x, v, *index: broadcast.unbroadcast(getitem(g, *index), v), None),
         jvp=(lambda t, out, x, v, *index: broadcast.broadcast_like(t, out),
              lambda t, out, x, v, *index: index_add(_zeros(out), t, *index), None),
         save="shapes")


# d set_at(x, v, i) = set_at(dx, dv, i): x's derivative is cut where v overwrites it, and
# of repeated updates only the last one, which NumPy keeps, has a derivative.
def _last_writes(x, picked, index):
    """Where each element of the selection is the last write to its place (None: all are)."""
    if _is_basic(index):
        return None
    written = np.arange(math.prod(picked.shape)).reshape(picked.shape)
    kept = equal(getitem(index_set(np.full(x.shape, -1), written, *index), *index), written)
    return None if type(kept) is np.ndarray and kept.all() else kept


def _index_set_vjp_v(g, out, x, v, *index):
    picked = getitem(g, *index)
    kept = _last_writes(x, picked, index)
    return broadcast.unbroadcast(picked if kept is None else where(kept, picked, 0), v)


defrules(index_set,
         vjp=(lambda g, out, x, v, *index: broadcast.unbroadcast(index_set(g, 0, *index), x),
              _index_set_vjp_v, None),
         jvp=(lambda t, out, x, v, *index: broadcast.broadcast_like(index_set(t, 0, *index), out),
              lambda t, out, x, v, *index: index_set(_zeros(out), t, *index), None),
         save="shapes")


# multiply_at(x, v, i) = x * P, P the product of the updates at each place (1 elsewhere):
# d out = P dx + x * sum_k (product of the other updates at k's place) dv_k
def _updates_product(x, v, index):
    return index_multiply(np.ones(x.shape, x.dtype), v, *index)


def _others_product(x, v, index):
    """For each update (v broadcast to the selection), the product of the other updates
    that land on the same place; None when no place gets two. No division: zeros are fine."""
    if _is_basic(index):
        return None
    places = getitem(np.arange(math.prod(x.shape)).reshape(x.shape), *index)
    if type(places) is np.ndarray and np.unique(places).size == places.size:
        return None
    shape = places.shape
    places = shape_ops.reshape(places, (-1,))
    ordered = _sort_by(shape_ops.reshape(broadcast.broadcast_to(v, shape), (-1,)), places)
    groups = _sort_by(places, places)  # equal places are now neighbours
    before = _exclusive_group_product(ordered, groups)
    after = _exclusive_group_product(ordered[::-1], groups[::-1])[::-1]
    return shape_ops.reshape(_sort_by(before * after, places, inverse=True), shape)


def _exclusive_group_product(a, groups):
    """Along a 1-d ``a``, the product of the earlier elements of the same group (groups
    are runs of equal ``groups``): a segmented doubling scan, log2(n) steps."""
    n = a.shape[0]
    if n < 2:
        return np.ones(a.shape, a.dtype)
    scan, k = a, 1
    while k < n:  # scan[i]: product of a[i - 2k + 1 .. i] within i's group
        scan = shape_ops.concatenate(
            [scan[:k], scan[k:] * where(equal(groups[k:], groups[:-k]), scan[:-k], 1)])
        k *= 2
    return shape_ops.concatenate([np.ones(1, a.dtype),
                                  where(equal(groups[1:], groups[:-1]), scan[:-1], 1)])


def _index_multiply_vjp_v(g, out, x, v, *index):
    ct = getitem(g * x, *index)
    others = _others_product(x, v, index)
    return broadcast.unbroadcast(ct if others is None else ct * others, v)


def _index_multiply_jvp_v(t, out, x, v, *index):
    others = _others_product(x, v, index)
    return x * index_add(_zeros(out), t if others is None else t * others, *index)


defrules(index_multiply,
         vjp=(lambda g, out, x, v, *index: broadcast.unbroadcast(
                  g * _updates_product(x, v, index), x),
              _index_multiply_vjp_v, None),
         jvp=(lambda t, out, x, v, *index: broadcast.broadcast_like(
                  t * _updates_product(x, v, index), out),
              _index_multiply_jvp_v, None),
         save="args")


# min_at / max_at: d out = (dx [x = out] + sum_k dv_k [v_k = out]) / (how many tie there)
def _extremum_shares(out, x, v, index):
    """The share of the derivative of x (out's shape) and of each update (the selection's)."""
    hit_x = equal(x, out)
    hit_v = equal(v, getitem(out, *index))
    ties = index_add(astype(hit_x, out.dtype), hit_v, *index)
    ties = maximum(ties, 1)  # only a NaN in out has no hit
    return hit_x / ties, hit_v / getitem(ties, *index)


def _extremum_vjp(g, out, x, v, *index):
    share_x, share_v = _extremum_shares(out, x, v, index)
    return (broadcast.unbroadcast(g * share_x, x),
            broadcast.unbroadcast(getitem(g, *index) * share_v, v)) + (None,) * len(index)


def _extremum_jvp(tangents, out, x, v, *index):
    share_x, share_v = _extremum_shares(out, x, v, index)
    t_x, t_v = tangents[:2]
    t_out = None if t_x is None else broadcast.broadcast_like(t_x * share_x, out)
    if t_v is not None:
        t_v = index_add(_zeros(out), t_v * share_v, *index)
        t_out = t_v if t_out is None else t_out + t_v
    return t_out


for _f in (index_min, index_max):
    defrules(_f, vjp=_extremum_vjp, jvp=_extremum_jvp, save="all")

# a permutation is linear; its transpose is the inverse permutation
defmultilinear(_sort_by, lambda g, out, a, key, inverse: _sort_by(g, key, inverse=not inverse),
               None, save="shapes")
nondifferentiable(_nonzero)


# -- x.at[i] ------------------------------------------------------------------

class _IndexUpdate:
    """``x.at[index]``: functional updates that return a new array."""
    __slots__ = ("x", "index")

    def __init__(self, x, index):
        self.x, self.index = x, index

    def get(self):
        """``x[index]``."""
        return getitem(self.x, *self.index)

    def set(self, v):
        """``x`` with ``x[index] = v``; of repeated indices, the last update wins."""
        return index_set(self.x, v, *self.index)

    def add(self, v):
        """``x`` with ``v`` added at ``index``, every repeat included (np.add.at)."""
        return index_add(self.x, v, *self.index)

    def multiply(self, v):
        """``x`` multiplied by ``v`` at ``index``, every repeat included (np.multiply.at)."""
        return index_multiply(self.x, v, *self.index)

    def min(self, v):
        """``x`` with ``minimum(x[index], v)``, every repeat included (np.minimum.at)."""
        return index_min(self.x, v, *self.index)

    def max(self, v):
        """``x`` with ``maximum(x[index], v)``, every repeat included (np.maximum.at)."""
        return index_max(self.x, v, *self.index)


class at:
    """``at(x)[index].set(v)``: the functional update, for plain and traced arrays alike."""
    __slots__ = ("x",)

    def __init__(self, x):
        self.x = x

    def __getitem__(self, index):
        return _IndexUpdate(self.x, parts(index))


# -- functions built on indexing ----------------------------------------------

def _axis(axis, ndim):
    if not -ndim <= axis < ndim:
        raise np.exceptions.AxisError(axis, ndim)
    return axis % ndim


def _integer_indices(indices, name):
    """``indices`` as integers (booleans count 0 and 1, as NumPy casts them)."""
    if not isinstance(indices, Box):
        indices = np.asarray(indices)
    kind = indices.dtype.kind
    if kind == "b":
        return astype(indices, np.intp)
    if kind not in "iu":
        raise TypeError(f"{name}: indices must be integers, not {indices.dtype}")
    return indices


def _fit_mode(indices, n, mode):
    """Indices into an axis of length ``n`` by NumPy's ``mode``: 'raise' leaves
    out-of-range ones to getitem's IndexError, 'wrap' and 'clip' bring them in."""
    if mode == "raise":
        return indices
    if mode == "wrap":
        return remainder(indices, n)
    if mode == "clip":
        return clip(indices, 0, n - 1)
    raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")


def _np_take(a, indices, axis=None, out=None, mode="raise"):
    no_out(out, "take")
    return np.take(a, indices, axis, mode=mode)


@composite(_np_take)
def take(a, indices, axis=None, out=None, mode="raise"):
    """NumPy's take: elements of ``a`` at ``indices`` along ``axis`` (None: of ravel(a))."""
    no_out(out, "take")
    a = a if isinstance(a, Box) else np.asarray(a)
    if axis is None:
        a, axis = shape_ops.ravel(a), 0
    axis = _axis(axis, a.ndim)
    indices = _fit_mode(_integer_indices(indices, "take"), a.shape[axis], mode)
    return getitem(a, *(slice(None),) * axis, indices)


@composite(np.take_along_axis)
def take_along_axis(arr, indices, axis=-1):
    """NumPy's take_along_axis: ``arr`` read at ``indices`` along each 1-d slice on ``axis``."""
    arr = arr if isinstance(arr, Box) else np.asarray(arr)
    if axis is None:
        if np.ndim(indices) != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        arr, axis = shape_ops.ravel(arr), 0
    axis = _axis(axis, arr.ndim)
    if np.ndim(indices) != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    if np.asarray(unbox(indices)).dtype.kind not in "iu":
        raise IndexError("`indices` must be an integer array")
    ones = (1,) * arr.ndim
    index = [indices if i == axis else np.arange(n).reshape(ones[:i] + (n,) + ones[i + 1:])
             for i, n in enumerate(arr.shape)]
    return getitem(arr, *index)


def _weak_dtype(x):
    """What NumPy's result_type sees of ``x``: Python scalars stay weak (NEP 50)."""
    if type(x) in (int, float, complex):
        return x
    return x.dtype if hasattr(x, "dtype") else np.asarray(x).dtype


def _np_choose(a, choices, out=None, mode="raise"):
    no_out(out, "choose")
    return np.choose(a, choices, mode=mode)


@composite(_np_choose)
def choose(a, choices, out=None, mode="raise"):
    """NumPy's choose: ``choices[a[i]][i]`` at each (broadcast) position i."""
    no_out(out, "choose")
    if not isinstance(choices, (list, tuple)):  # an array: its first axis holds the choices
        choices = [getitem(choices, k) for k in range(len(choices))]
    n = len(choices)
    dtype = np.result_type(*map(_weak_dtype, choices))
    k = _integer_indices(a, "choose")
    if mode == "raise":
        values = unbox(k)  # the index is data: its values may be read
        if np.any((values < 0) | (values >= n)):
            raise ValueError("invalid entry in choice array")
    else:
        k = _fit_mode(k, n, mode)
    shape = np.broadcast_shapes(np.shape(k), *map(np.shape, choices))
    out = broadcast.broadcast_to(astype(choices[0], dtype), shape)
    for i in range(1, n):
        out = where(equal(k, i), choices[i], out)
    return out


@composite(np.select)
def select(condlist, choicelist, default=0):
    """NumPy's select: at each position, the choice of the first true condition, else default."""
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    dtype = np.result_type(*map(_weak_dtype, list(choicelist) + [default]))
    for i, c in enumerate(condlist):
        if type(c) is not bool and _weak_dtype(c) != np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    shape = np.broadcast_shapes(*map(np.shape, list(condlist) + list(choicelist) + [default]))
    out = broadcast.broadcast_to(astype(default, dtype), shape)
    for cond, choice in zip(condlist[::-1], choicelist[::-1]):
        out = where(cond, choice, out)
    return out


def _np_compress(condition, a, axis=None, out=None):
    no_out(out, "compress")
    return np.compress(condition, a, axis)


@composite(_np_compress)
def compress(condition, a, axis=None, out=None):
    """NumPy's compress: the slices of ``a`` along ``axis`` where ``condition`` holds."""
    no_out(out, "compress")
    if np.ndim(condition) != 1:
        raise ValueError("condition must be a 1-d array")
    return take(a, _nonzero(condition, caller="compress")[0], axis=axis)


@composite(np.extract)
def extract(condition, arr):
    """NumPy's extract: the elements of ravel(arr) where ravel(condition) holds."""
    kept = _nonzero(shape_ops.ravel(condition), caller="extract")[0]
    return take(shape_ops.ravel(arr), kept)


@composite(np.nonzero)
def nonzero(a):
    """NumPy's nonzero: the indices of the nonzero elements, one array per axis."""
    return _nonzero(a, caller="nonzero")


@composite(np.flatnonzero)
def flatnonzero(a):
    """NumPy's flatnonzero: the indices of the nonzero elements of ravel(a)."""
    return _nonzero(shape_ops.ravel(a), caller="flatnonzero")[0]


@composite(np.argwhere)
def argwhere(a):
    """NumPy's argwhere: the indices of the nonzero elements, one row per element."""
    if np.ndim(a) == 0:
        return np.transpose(_nonzero(shape_ops.reshape(a, (1,)), caller="argwhere"))[:, :0]
    return np.transpose(_nonzero(a, caller="argwhere"))


# -- batching -----------------------------------------------------------------
# An index the examples share applies to the whole batch at once: after a leading full
# slice for the batch axis where that keeps it in front (a basic index, or advanced parts
# side by side), else with the batch axis last, where advanced indexing never moves it.
# An index that varies over the batch carries the batch in its arrays: with x shared, the
# batch then sits where one example's advanced block does; with x batched too, a leading
# index ``rows`` (0..B-1) pairs each example with its own index, NumPy puts the block
# first, and where one example's block would sit further in, it is moved there.

def _shape_error(what):
    return ValueError(f"vmap: {what} has an output shape that depends on values which vary "
                      "over the batch, and vmap cannot batch a data-dependent shape. Keep the "
                      "shape fixed (e.g. fnp.where(mask, x, 0) instead of x[mask]), or loop.")


def _nonzero_batch(args, dims, size, caller):
    raise _shape_error(f"fgrad.numpy.{caller}")


def _is_bool(p):
    return type(p) is bool or getattr(p, "dtype", None) == np.bool_


def _consumes(p):
    """How many axes of one example of x index part ``p`` indexes."""
    if p is None:
        return 0
    if _is_bool(p):
        return np.ndim(p)
    return 1


def _advanced(p):
    return not (p is None or p is Ellipsis or type(p) is slice)


def _pairs(args, dims, ndim, what):
    """(index part, batch axis) pairs with lists as arrays and any Ellipsis spelled out."""
    pairs = []
    for p, d in zip(args, dims):
        if isinstance(p, (list, tuple)):
            p = np.asarray(p)
        if d is not None and _is_bool(p):
            raise _shape_error(what)
        pairs.append((p, d))
    where_ = next((i for i, (p, _) in enumerate(pairs) if p is Ellipsis), None)
    if where_ is not None:
        used = sum(_consumes(p) for p, _ in pairs if p is not Ellipsis)
        pairs[where_:where_ + 1] = [(slice(None), None)] * (ndim - used)
    return pairs


def _coordinates(pairs, what):
    """Boolean masks of rank >= 1 replaced by their integer coordinates (one part per axis)."""
    out = []
    for p, d in pairs:
        if _is_bool(p) and np.ndim(p) > 0:
            out.extend((c, None) for c in _nonzero(p, caller=what))
        else:
            out.append((p, d))
    return out


def _layout(pairs):
    """(rank of one example's advanced block, where that block sits in its result)."""
    adv = [i for i, (p, _) in enumerate(pairs) if _advanced(p)]
    block_ndim = max((1 if _is_bool(p) else np.ndim(p) - (d is not None))
                     for p, d in pairs if _advanced(p))
    together = adv == list(range(adv[0], adv[0] + len(adv)))
    place = sum(1 for p, _ in pairs[:adv[0]] if not _advanced(p)) if together else 0
    return block_ndim, place


def _lead(pairs, size, block_ndim):
    """The parts with each batched one's batch axis first, padded to the block's rank."""
    index = []
    for p, d in pairs:
        if d is not None:
            p = batch.to_front(p, d, size)
            p = shape_ops.reshape(p, (size,) + (1,) * (block_ndim + 1 - p.ndim) + p.shape[1:])
        index.append(p)
    return index


def _rows(size, block_ndim):
    return np.arange(size).reshape((size,) + (1,) * block_ndim)


def _block_moves(block_ndim, place):
    """Axes (after the batch axis) of the advanced block: batched position, one example's."""
    return list(range(1, 1 + block_ndim)), list(range(1 + place, 1 + place + block_ndim))


def _getitem_batch(args, dims, size):
    x, d = args[0], dims[0]
    ndim = np.ndim(x) - (d is not None)
    pairs = _pairs(args[1:], dims[1:], ndim, "boolean mask indexing x[mask]")
    index = [p for p, _ in pairs]
    if all(pd is None for _, pd in pairs):
        adv = [i for i, p in enumerate(index) if _advanced(p)]
        if d < ndim and (not adv or adv == list(range(adv[0], adv[0] + len(adv)))):
            return getitem(batch.to_front(x, d, size), slice(None), *index), 0
        out = getitem(batch.to_last(x, d, size), *index)
        return out, np.ndim(out) - 1
    pairs = _coordinates(pairs, "boolean mask indexing x[mask]")
    block_ndim, place = _layout(pairs)
    if d is None:  # x is shared: the batch rides on the index arrays, in the block
        return getitem(x, *_lead(pairs, size, block_ndim)), place
    index = [_rows(size, block_ndim)] + _lead(pairs, size, block_ndim)
    out = getitem(batch.to_front(x, d, size), *index)
    if place:
        out = shape_ops.moveaxis(out, *_block_moves(block_ndim, place))
    return out, 0


def _update_batch(update):
    def rule(args, dims, size):
        (x, v), (d, dv) = args[:2], dims[:2]
        ndim = np.ndim(x) - (d is not None)
        pairs = _pairs(args[2:], dims[2:], ndim, "x.at[mask] with a boolean mask")
        if all(pd is None for _, pd in pairs):
            v = shape_ops.expand_dims(v, -1) if dv is None else shape_ops.moveaxis(v, dv, -1)
            return update(batch.to_last(x, d, size), v, *[p for p, _ in pairs]), ndim
        pairs = _coordinates(pairs, "x.at[mask] with a boolean mask")
        block_ndim, place = _layout(pairs)
        # one example's selection: the block, the sliced or new axes, the axes not indexed
        selection_ndim = (block_ndim + sum(1 for p, _ in pairs if not _advanced(p))
                          + ndim - sum(_consumes(p) for p, _ in pairs))
        v = shape_ops.expand_dims(v, 0) if dv is None else batch.to_front(v, dv, size)
        v = shape_ops.reshape(v, v.shape[:1] + (1,) * (selection_ndim + 1 - np.ndim(v))
                              + v.shape[1:])
        if place:
            v = shape_ops.moveaxis(v, *reversed(_block_moves(block_ndim, place)))
        index = [_rows(size, block_ndim)] + _lead(pairs, size, block_ndim)
        return update(batch.to_front(x, d, size), v, *index), 0
    return rule


def _sort_by_batch(args, dims, size, inverse):
    a, key = (batch.to_front(p, pd, size) for p, pd in zip(args, dims))
    return _sort_by(a, key, inverse=inverse), 0


defrules(getitem, batch=_getitem_batch)
for _f in (index_set, index_add, index_multiply, index_min, index_max):
    defrules(_f, batch=_update_batch(_f))
defrules(_sort_by, batch=_sort_by_batch)
defrules(_nonzero, batch=_nonzero_batch)


# -- index arrays from shapes: no derivative ---------------------------------------
indices, diag_indices, tril_indices, triu_indices, mask_indices = (
    np.indices, np.diag_indices, np.tril_indices, np.triu_indices, np.mask_indices)


def _np_ravel_multi_index(multi_index, shape, mode="raise", order="C"):
    return np.ravel_multi_index(multi_index, shape, mode, order)


_ravel_multi_index = primitive(_np_ravel_multi_index, "ravel_multi_index", data="*multi_index",
                               params={"shape": None, "mode": "raise", "order": "C"})
unravel_index = primitive(np.unravel_index, data="indices", params={"shape": None, "order": "C"},
                          multiple_results=True)
for _f in (_ravel_multi_index, unravel_index):
    nondifferentiable(_f)
defrules(_ravel_multi_index, batch=batch.elementwise(lambda *index, **params:
                                                     _ravel_multi_index(index, **params)))
defrules(unravel_index, batch=batch.elementwise(unravel_index))


@composite(np.ravel_multi_index)
def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Flat indices into an array of shape ``dims`` from one index array per axis."""
    return _ravel_multi_index(multi_index, dims, mode, order)


@composite(np.diag_indices_from)
def diag_indices_from(arr):
    """The indices of the main diagonal of ``arr`` (its shape is all that is read)."""
    shape = np.shape(arr)
    if len(shape) < 2:
        raise ValueError("input array must be at least 2-d")
    if any(n != shape[0] for n in shape):
        raise ValueError("All dimensions of input must be of equal length")
    return np.diag_indices(shape[0], len(shape))


@composite(np.tril_indices_from)
def tril_indices_from(arr, k=0):
    """The indices of the lower triangle of the 2-d ``arr`` (its shape is all that is read)."""
    if np.ndim(arr) != 2:
        raise ValueError("input array must be 2-d")
    return np.tril_indices(np.shape(arr)[-2], k=k, m=np.shape(arr)[-1])


@composite(np.triu_indices_from)
def triu_indices_from(arr, k=0):
    """The indices of the upper triangle of the 2-d ``arr`` (its shape is all that is read)."""
    if np.ndim(arr) != 2:
        raise ValueError("input array must be 2-d")
    return np.triu_indices(np.shape(arr)[-2], k=k, m=np.shape(arr)[-1])


@composite(np.ix_)
def ix_(*args):
    """Open meshes from 1-d sequences: the k-th along axis k (booleans as their indices)."""
    out = []
    for k, new in enumerate(args):
        if not isinstance(new, Box):
            new = np.asarray(new)
            if new.size == 0:
                new = new.astype(np.intp)
        if np.ndim(new) != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if new.dtype == np.bool_:
            new = _nonzero(new, caller="ix_")[0]
        out.append(shape_ops.reshape(new, (1,) * k + (-1,) + (1,) * (len(args) - k - 1)))
    return tuple(out)


# -- in place in NumPy: refused on traced values -------------------------------------

def _in_place(np_fn, instead):
    """NumPy's ``np_fn``, which writes into an array, refusing traced values with an error
    that shows the functional form ``instead``."""
    name = np_fn.__name__

    def function(*args, **kwargs):
        if holds_box(args) or holds_box(tuple(kwargs.values())):
            raise TypeError(f"numpy.{name} writes into an array in place, and traced arrays "
                            f"are immutable: write {instead} instead (x.at[index] returns an "
                            "updated copy: .set, .add, .multiply, .min, .max)")
        return np_fn(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"NumPy's {name} on plain arrays; on traced ones, an error that shows "
                        f"{instead}.")
    function.in_place = True  # for fgrad.numpy.coverage()
    return function


put = _in_place(np.put, "a = a.ravel().at[ind].set(v).reshape(a.shape)")
putmask = _in_place(np.putmask, "a = a.at[mask].set(values), or fnp.where(mask, values, a)")
place = _in_place(np.place, "arr = arr.at[mask].set(vals)")
put_along_axis = _in_place(np.put_along_axis, "arr = arr.at[i, indices].set(values), i "
                           "the arange index of the other axes (fnp.ix_ or np.indices "
                           "with sparse=True)")
fill_diagonal = _in_place(np.fill_diagonal, "a = a.at[fnp.diag_indices_from(a)].set(val)")
copyto = _in_place(np.copyto, "dst = dst.at[...].set(src), or fnp.where(where, src, dst)")
