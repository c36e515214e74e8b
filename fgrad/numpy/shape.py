"""Shape functions: linear maps that move elements around, and their compositions.

A handful of primitives carry the rules, each with an exact transpose: reshape,
transpose, flip, concatenate and its transpose ``_split`` (a partition along one
axis, one output per piece), and ``_gather`` along one axis by static indices with
its transpose ``_scatter_add``; ``broadcast_to`` (broadcast.py) is the last one.
Everything else (stack, tile, repeat, roll, rot90, pad, split, block, meshgrid, append,
insert, delete, resize, trim_zeros, ...) is a composition of them, so its derivative is
the rearrangement and its transpose, and on plain arrays it is NumPy's own call.

Conventions: pad's "maximum" and "minimum" modes share the derivative evenly between
ties (as max and min do); its "median" mode gives it to the middle element(s) of a
stable sort, half each for an even count (JAX's median is sort-based too). Under a
transform, pad(mode="empty") fills with zeros (NumPy leaves the values undefined),
ravel's order "A" and "K" read the traced value's memory layout, and reshape refuses
order "A" (its meaning depends on a layout that tangents need not share). A callable
pad mode writes in place, so it is not traced. insert's and delete's positions are data
(read, never differentiated); trim_zeros reads which values are exactly zero, so its
output shape depends on values: under vmap every example must trim alike (else an error).
"""
import itertools
import math

import numpy as np

from ..rules import defmultilinear, defrules, nondifferentiable
from ..tracer import Box, composite, holds_box, no_out, primitive, unbox
from . import batch
from .broadcast import broadcast_to, fit_dtype
from .elementwise import floor, remainder, where

try:  # NumPy 2
    from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple
except ImportError:  # NumPy 1.26
    from numpy.core.multiarray import normalize_axis_index
    from numpy.core.numeric import normalize_axis_tuple

__all__ = ["append", "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "block",
           "broadcast_arrays", "broadcast_shapes", "column_stack", "concatenate", "copy", "delete",
           "dsplit", "dstack", "expand_dims", "flip", "fliplr", "flipud", "hsplit", "hstack",
           "insert", "meshgrid", "moveaxis", "pad", "permute_dims", "ravel", "repeat", "reshape",
           "resize", "roll", "rollaxis", "rot90", "split", "squeeze", "stack", "swapaxes", "tile",
           "transpose", "trim_zeros", "unstack", "vsplit", "vstack"]


# -- helpers -------------------------------------------------------------------


def _as_array(x):
    """``x`` as an array: traced values as they are, sequences holding them stacked."""
    if isinstance(x, Box):
        return x
    if isinstance(x, (list, tuple)) and holds_box(x):
        return stack([_as_array(e) for e in x])
    return np.asanyarray(x)


def _shape_tuple(shape):
    if isinstance(shape, (list, tuple, np.ndarray)):
        return tuple(int(s) for s in np.ravel(shape))
    return (shape,)


def _with(shape, axis, n):
    """``shape`` with ``n`` along ``axis``."""
    return shape[:axis] + (n,) + shape[axis + 1:]


def _bounds(sizes):
    """The inner boundaries of consecutive pieces of these sizes."""
    return tuple(itertools.accumulate(sizes))[:-1]


def static_value(x, what):
    """``x``, a traced value that carries no derivative (a count, a flag, a bound) and that
    fixes a shape or a dtype, as a plain value. Under vmap every example must agree on it
    (``x`` then has to be 0-d): else a ValueError that names ``what``."""
    if not isinstance(x, Box):
        return x
    value = np.asarray(unbox(x))
    if value.shape == tuple(x.shape):
        return value[()] if value.ndim == 0 else value
    if len(x.shape) == 0 and value.size and np.all(value == value.flat[0]):
        return value.flat[0]
    raise ValueError(f"vmap: {what} depends on values that differ between the examples of the "
                     "batch, and it fixes a shape (or a dtype), so the examples cannot be "
                     "stacked: call it outside vmap, or loop")


# -- primitives ----------------------------------------------------------------

def _np_reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """np.reshape with NumPy 2's keywords, on NumPy 1.26 too."""
    shape = newshape if shape is None else shape
    return np.reshape(a, shape, order) if copy is None else np.reshape(a, shape, order, copy=copy)


def _split_impl(x, bounds, axis):
    """The pieces of ``x`` between consecutive ``bounds`` (nondecreasing) along ``axis``."""
    lead = (slice(None),) * axis
    edges = (0,) + bounds + (x.shape[axis],)
    return tuple(x[lead + (slice(a, b),)] for a, b in zip(edges[:-1], edges[1:]))


def _scatter_add_impl(g, indices, axis, length):
    """Zeros of ``length`` along ``axis``, with ``g`` added at ``indices`` (repeats add up)."""
    out = np.zeros(_with(g.shape, axis, length), g.dtype)
    np.add.at(out, (slice(None),) * axis + (indices,), g)
    return out


def _median_weights_impl(a, axis):
    """Weights on ``a`` that pick its median along ``axis``: 1 on the middle element of a
    stable sort, or 1/2 on each of the two middle ones; 1 on a NaN where a lane has one."""
    n = a.shape[axis]
    real = a.real.dtype if a.dtype.kind in "fc" else np.dtype(np.float64)
    w = np.zeros(a.shape, real)
    order = np.argsort(a, axis=axis, kind="stable")
    lo, hi = (n - 1) // 2, n // 2
    np.put_along_axis(w, np.take(order, [lo, hi], axis=axis), 1.0 if lo == hi else 0.5, axis)
    last = np.take(order, [n - 1], axis=axis)
    nan = np.isnan(np.take_along_axis(a, last, axis))
    if nan.any():  # NumPy's median is NaN wherever the lane holds one; argsort puts it last
        w = np.where(nan, 0, w)
        np.put_along_axis(w, last, np.where(nan, 1, np.take_along_axis(w, last, axis)), axis)
    return w


reshape = primitive(_np_reshape, "reshape", data="a",
                    params={"shape": None, "order": "C", "newshape": None, "copy": None})
transpose = primitive(np.transpose, data="a", params={"axes": None})
flip = primitive(np.flip, data="m", params={"axis": None})
concatenate = primitive(np.concatenate, data="*arrays",
                        params={"axis": 0, "out": None, "dtype": None, "casting": "same_kind"})
_split = primitive(_split_impl, "split_at", data="x", params={"bounds": (), "axis": 0},
                   multiple_results=True)
_gather = primitive(np.take, "gather", data="a", params={"indices": None, "axis": 0})
_scatter_add = primitive(_scatter_add_impl, "scatter_add", data="g",
                         params={"indices": None, "axis": 0, "length": 0})
_median_weights = primitive(_median_weights_impl, "median_weights", data="a",
                            params={"axis": 0})


def _shifted(axis, d):
    """Where an example's (non-negative) ``axis`` sits once batch axis ``d`` is in place."""
    return axis + (axis >= d)


# d reshape(x) = reshape(dx);  its transpose reshapes back
def _traced_order(order):
    order = order.upper() if isinstance(order, str) else order
    if order not in ("C", "F"):
        raise NotImplementedError(f"fgrad.numpy.reshape: order={order!r} depends on memory "
                                  "layout, which transforms do not track; pass 'C' or 'F'")
    return order


def _reshape_batch(args, dims, size, shape, order, newshape, copy):
    """C order keeps examples apart with the batch axis first, F order with it last."""
    shape = _shape_tuple(newshape if shape is None else shape)
    if _traced_order(order) == "F":
        return reshape(batch.to_last(args[0], dims[0], size), shape + (size,), order="F"), \
            len(shape)
    x = batch.to_front(args[0], dims[0], size)
    return reshape(x, x.shape[:1] + shape), 0


defrules(reshape,
         vjp=(lambda g, out, a, shape, order, newshape, copy:
              reshape(g, a.shape, order=_traced_order(order)),),
         jvp=(lambda t, out, a, shape, order, newshape, copy:
              reshape(t, newshape if shape is None else shape, order=_traced_order(order)),),
         batch=_reshape_batch, save="shapes")


# d transpose(x) = transpose(dx);  its transpose applies the inverse permutation
def _axes(axes, ndim):
    return tuple(reversed(range(ndim))) if axes is None else normalize_axis_tuple(axes, ndim)


def _transpose_batch(args, dims, size, axes):
    x, d = args[0], dims[0]
    perm = _axes(axes, np.ndim(x) - 1)
    return transpose(x, (d,) + tuple(_shifted(a, d) for a in perm)), 0


defmultilinear(transpose, lambda g, out, a, axes:
               transpose(g, np.argsort(_axes(axes, len(a.shape)))), save="shapes",
               batch=_transpose_batch)


# d flip(x) = flip(dx);  flipping is its own transpose
def _flip_batch(args, dims, size, axis):
    x, d = args[0], dims[0]
    ndim = np.ndim(x) - 1
    axes = range(ndim) if axis is None else normalize_axis_tuple(axis, ndim)
    return flip(x, tuple(_shifted(a, d) for a in axes)), d


defmultilinear(flip, lambda g, out, m, axis: flip(g, axis), save="shapes", batch=_flip_batch)


# d concatenate(xs) = concatenate(dxs): each argument's cotangent is its piece of g
# (one _split), and the tangent one concatenation, zeros standing in for zero tangents.
def _shape_of(a):
    """``a.shape``, also for a constant given as a list (np.concatenate takes any
    array_like; a list has no cotangent)."""
    return a.shape if hasattr(a, "shape") else np.shape(a)


def _concatenate_vjp(g, out, *arrays, axis, dtype, casting):
    if axis is None:  # the arrays were raveled first
        pieces = _split(g, _bounds(math.prod(_shape_of(a)) for a in arrays), 0)
        pieces = [reshape(p, _shape_of(a)) for p, a in zip(pieces, arrays)]
    elif len(arrays) == 1:
        pieces = [g]
    else:
        axis = normalize_axis_index(axis, g.ndim)
        pieces = _split(g, _bounds(_shape_of(a)[axis] for a in arrays), axis)
    return [fit_dtype(p, a.dtype) if hasattr(a, "dtype") else None
            for p, a in zip(pieces, arrays)]


def _concatenate_jvp(tangents, out, *arrays, axis, dtype, casting):
    return fit_dtype(concatenate([np.zeros(_shape_of(a), out.dtype) if t is None else t
                                  for t, a in zip(tangents, arrays)], axis=axis), out.dtype)


def _concatenate_batch(args, dims, size, axis, dtype, casting):
    arrays = [batch.to_front(a, d, size) for a, d in zip(args, dims)]
    if axis is None:
        arrays, axis = [reshape(a, (size, -1)) for a in arrays], 0
    elif np.ndim(arrays[0]) == 1:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    else:
        axis = normalize_axis_index(axis, np.ndim(arrays[0]) - 1)
    return concatenate(arrays, axis=axis + 1, dtype=dtype, casting=casting), 0


defrules(concatenate, vjp=_concatenate_vjp, jvp=_concatenate_jvp, save="shapes",
         batch=_concatenate_batch)


# d split(x) = split(dx);  its transpose concatenates the pieces' cotangents
def _split_vjp(g, out, x, bounds, axis):
    edges = (0,) + bounds + (x.shape[axis],)
    parts = [np.zeros(_with(x.shape, axis, b - a), x.dtype) if ct is None else ct
             for ct, a, b in zip(g, edges[:-1], edges[1:])]
    return (fit_dtype(concatenate(parts, axis=axis), x.dtype),)


defrules(_split, vjp=_split_vjp,
         jvp=lambda tangents, out, x, bounds, axis: _split(tangents[0], bounds, axis),
         batch=lambda args, dims, size, bounds, axis:
             (_split(args[0], bounds, _shifted(axis, dims[0])), (dims[0],) * (len(bounds) + 1)),
         save="shapes")


# d gather(x) = gather(dx);  its transpose adds each cotangent back where it was read
defmultilinear(_gather, lambda g, out, a, indices, axis:
               _scatter_add(g, indices, axis, a.shape[axis]), save="shapes",
               batch=lambda args, dims, size, indices, axis:
                   (_gather(args[0], indices, _shifted(axis, dims[0])), dims[0]))
defmultilinear(_scatter_add, lambda g, out, ct, indices, axis, length:
               _gather(g, indices, axis), save="shapes",
               batch=lambda args, dims, size, indices, axis, length:
                   (_scatter_add(args[0], indices, _shifted(axis, dims[0]), length), dims[0]))

nondifferentiable(_median_weights)
defrules(_median_weights, batch=lambda args, dims, size, axis:
         (_median_weights(args[0], _shifted(axis, dims[0])), dims[0]))


def _part(x, start, stop, axis):
    """``x[start:stop]`` along ``axis`` (0 <= start <= stop <= length)."""
    return _split(x, (start, stop), axis)[1]


# -- axes ----------------------------------------------------------------------

@composite(getattr(np, "permute_dims", np.transpose))
def permute_dims(a, axes=None):
    """Permute the axes of ``a`` (NumPy 2's name for transpose)."""
    a = _as_array(a)
    return transpose(a, axes)


@composite(np.swapaxes)
def swapaxes(a, axis1, axis2):
    """Interchange two axes of ``a``."""
    a = _as_array(a)
    ndim = np.ndim(a)
    axis1, axis2 = normalize_axis_index(axis1, ndim, "axis1"), normalize_axis_index(axis2, ndim,
                                                                                       "axis2")
    order = list(range(ndim))
    order[axis1], order[axis2] = axis2, axis1
    return transpose(a, order)


@composite(np.moveaxis)
def moveaxis(a, source, destination):
    """Move axes of ``a`` to new positions."""
    a = _as_array(a)
    ndim = np.ndim(a)
    source = normalize_axis_tuple(source, ndim, "source")
    destination = normalize_axis_tuple(destination, ndim, "destination")
    if len(source) != len(destination):
        raise ValueError("`source` and `destination` arguments must have the same number of "
                         "elements")
    order = [n for n in range(ndim) if n not in source]
    for dst, src in sorted(zip(destination, source)):
        order.insert(dst, src)
    return transpose(a, order)


@composite(np.rollaxis)
def rollaxis(a, axis, start=0):
    """Roll ``axis`` backwards until it lies before position ``start``."""
    a = _as_array(a)
    n = np.ndim(a)
    axis = normalize_axis_index(axis, n)
    start = start + n if start < 0 else start
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but "
                                      f"{start} was passed in")
    start -= axis < start
    if axis == start:
        return a
    order = [i for i in range(n) if i != axis]
    order.insert(start, axis)
    return transpose(a, order)


@composite(np.expand_dims)
def expand_dims(a, axis):
    """Insert length-1 axes at ``axis`` (int or tuple)."""
    a = _as_array(a)
    axes = axis if type(axis) in (tuple, list) else (axis,)
    ndim = np.ndim(a) + len(axes)
    axes = normalize_axis_tuple(axes, ndim)
    it = iter(np.shape(a))
    return reshape(a, tuple(1 if i in axes else next(it) for i in range(ndim)))


@composite(np.squeeze)
def squeeze(a, axis=None):
    """Remove length-1 axes (all of them, or those in ``axis``)."""
    a = _as_array(a)
    shape = np.shape(a)
    if axis is None:
        return reshape(a, tuple(d for d in shape if d != 1))
    if not shape and type(axis) not in (tuple, list) and axis in (0, -1):
        return a  # NumPy lets a 0-d array squeeze its "axis 0"
    axes = normalize_axis_tuple(axis, len(shape))
    if any(shape[ax] != 1 for ax in axes):
        raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    return reshape(a, tuple(d for i, d in enumerate(shape) if i not in axes))


@composite(np.ravel)
def ravel(a, order="C"):
    """The elements of ``a`` as a 1-d array."""
    a = _as_array(a)
    order = order.upper() if isinstance(order, str) else order
    if order in ("A", "K"):
        value = unbox(a)
        order = "F" if value.ndim > 1 and value.flags.f_contiguous \
            and not value.flags.c_contiguous else "C"
    return reshape(a, (-1,), order=order)


def _atleast(arys, promote, many=type(np.atleast_1d(0, 0))):
    out = []
    for a in arys:
        a = _as_array(a)
        shape = np.shape(a)
        wanted = promote(shape)
        out.append(a if wanted == shape else reshape(a, wanted))
    return out[0] if len(out) == 1 else many(out)


@composite(np.atleast_1d)
def atleast_1d(*arys):
    """Each input with at least one axis."""
    return _atleast(arys, lambda s: s or (1,))


@composite(np.atleast_2d)
def atleast_2d(*arys):
    """Each input with at least two axes: (n,) becomes (1, n)."""
    return _atleast(arys, lambda s: s if len(s) >= 2 else (1,) * (2 - len(s)) + s)


@composite(np.atleast_3d)
def atleast_3d(*arys):
    """Each input with at least three axes: (n,) becomes (1, n, 1), (m, n) becomes (m, n, 1)."""
    return _atleast(arys, lambda s: s if len(s) >= 3 else
                    {0: (1, 1, 1), 1: (1,) + s + (1,), 2: s + (1,)}[len(s)])


_SEQUENCE_OF_ARRAYS = type(np.broadcast_arrays(np.zeros(1), np.zeros(1)))  # list on NumPy 1


@composite(np.broadcast_arrays)
def broadcast_arrays(*args, subok=False):
    """The arguments broadcast against each other."""
    args = [_as_array(a) for a in args]
    shape = np.broadcast_shapes(*(np.shape(a) for a in args))
    return _SEQUENCE_OF_ARRAYS(a if np.shape(a) == shape else broadcast_to(a, shape)
                               for a in args)


@composite(np.copy)
def copy(a, order="K", subok=False):
    """``a`` itself: traced arrays are immutable, so a copy is the same value."""
    return _as_array(a)


# -- joining -------------------------------------------------------------------

@composite(np.stack)
def stack(arrays, axis=0, out=None, *, dtype=None, casting="same_kind"):
    """Join arrays along a new axis."""
    no_out(out, "stack")
    arrays = [_as_array(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to stack")
    shapes = {np.shape(a) for a in arrays}
    if len(shapes) != 1:
        raise ValueError("all input arrays must have the same shape")
    shape = shapes.pop()
    axis = normalize_axis_index(axis, len(shape) + 1)
    new = shape[:axis] + (1,) + shape[axis:]
    return concatenate([reshape(a, new) for a in arrays], axis=axis, dtype=dtype,
                       casting=casting)


@composite(np.vstack)
def vstack(tup, *, dtype=None, casting="same_kind"):
    """Join arrays along the first axis, 1-d ones as rows."""
    arrays = atleast_2d(*tup)
    arrays = arrays if isinstance(arrays, (list, tuple)) else [arrays]
    return concatenate(arrays, axis=0, dtype=dtype, casting=casting)


@composite(np.hstack)
def hstack(tup, *, dtype=None, casting="same_kind"):
    """Join arrays along the second axis (the first for 1-d arrays)."""
    arrays = atleast_1d(*tup)
    arrays = arrays if isinstance(arrays, (list, tuple)) else [arrays]
    axis = 0 if arrays and np.ndim(arrays[0]) == 1 else 1
    return concatenate(arrays, axis=axis, dtype=dtype, casting=casting)


@composite(np.dstack)
def dstack(tup):
    """Join arrays along the third axis."""
    arrays = atleast_3d(*tup)
    return concatenate(arrays if isinstance(arrays, (list, tuple)) else [arrays], axis=2)


@composite(np.column_stack)
def column_stack(tup):
    """Join 1-d arrays as columns (and 2-d arrays as they are) along the second axis."""
    arrays = []
    for a in tup:
        a = _as_array(a)
        if np.ndim(a) < 2:
            a = reshape(a, (-1, 1))
        arrays.append(a)
    return concatenate(arrays, axis=1)


def _block_index(index):
    return "arrays" + "".join(f"[{i}]" for i in index if i is not None)


def _block_depth(arrays, index):
    """(index of a bottom element, largest array ndim), checking that depths match."""
    if isinstance(arrays, tuple):
        raise TypeError(f"{_block_index(index)} is a tuple. Only lists can be used to arrange "
                        "blocks, and np.block does not allow implicit conversion from tuple to "
                        "ndarray.")
    if not isinstance(arrays, list):
        return index, np.ndim(arrays)
    if not arrays:
        return index + [None], 0
    found = (_block_depth(a, index + [i]) for i, a in enumerate(arrays))
    first, ndim = next(found)
    for where_, n in found:
        ndim = max(ndim, n)
        if len(where_) != len(first):
            raise ValueError(f"List depths are mismatched. First element was at depth "
                             f"{len(first)}, but there is an element at depth {len(where_)} "
                             f"({_block_index(where_)})")
        if where_[-1] is None:
            first = where_
    return first, ndim


def _block(arrays, depth, ndim):
    if depth:
        return concatenate([_block(a, depth - 1, ndim) for a in arrays], axis=-depth)
    a = _as_array(arrays)
    shape = np.shape(a)
    return a if len(shape) >= ndim else reshape(a, (1,) * (ndim - len(shape)) + shape)


@composite(np.block)
def block(arrays):
    """Assemble an array from nested lists of blocks: innermost lists join along the last axis."""
    bottom, ndim = _block_depth(arrays, [])
    if bottom and bottom[-1] is None:
        raise ValueError(f"List at {_block_index(bottom)} cannot be empty")
    return _block(arrays, len(bottom), max(ndim, len(bottom)))


# -- splitting -----------------------------------------------------------------

def _pieces(x, points, axis):
    """``[x[a:b] for a, b in pairs of points]`` along ``axis``, with Python's slice rules."""
    n = np.shape(x)[axis]
    spans = []
    for a, b in zip(points[:-1], points[1:]):
        start, stop, _ = slice(a, b).indices(n)
        spans.append((start, max(start, stop)))
    if all(s[1] == t[0] for s, t in zip(spans, spans[1:])) and spans[0][0] == 0 \
            and spans[-1][1] == n:
        return list(_split(x, tuple(s[1] for s in spans[:-1]), axis))  # a partition
    return [_part(x, a, b, axis) for a, b in spans]


@composite(np.array_split)
def array_split(ary, indices_or_sections, axis=0):
    """Split into sections (near-equal when given their number) along ``axis``."""
    ary = _as_array(ary)
    total = np.shape(ary)[axis]
    try:
        points = [0] + list(indices_or_sections) + [total]
    except TypeError:
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.") from None
        each, extras = divmod(total, sections)
        sizes = extras * [each + 1] + (sections - extras) * [each]
        points = [0] + list(itertools.accumulate(sizes))
    return _pieces(ary, points, normalize_axis_index(axis, np.ndim(ary)))


@composite(np.split)
def split(ary, indices_or_sections, axis=0):
    """Split into equal sections, or at the given indices, along ``axis``."""
    ary = _as_array(ary)
    try:
        len(indices_or_sections)
    except TypeError:
        if np.shape(ary)[axis] % indices_or_sections:
            raise ValueError("array split does not result in an equal division") from None
    return array_split(ary, indices_or_sections, axis)


@composite(np.hsplit)
def hsplit(ary, indices_or_sections):
    """Split along the second axis (the first for 1-d arrays)."""
    ary = _as_array(ary)
    if np.ndim(ary) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, 1 if np.ndim(ary) > 1 else 0)


@composite(np.vsplit)
def vsplit(ary, indices_or_sections):
    """Split along the first axis."""
    ary = _as_array(ary)
    if np.ndim(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, 0)


@composite(np.dsplit)
def dsplit(ary, indices_or_sections):
    """Split along the third axis."""
    ary = _as_array(ary)
    if np.ndim(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, 2)


def _np_unstack(x, /, *, axis=0):
    """np.unstack for NumPy before 2.1."""
    x = np.asanyarray(x)
    if x.ndim == 0:
        raise ValueError("Input array must be at least 1-d.")
    return tuple(np.moveaxis(x, axis, 0))


@composite(getattr(np, "unstack", _np_unstack))
def unstack(x, /, *, axis=0):
    """The slices of ``x`` along ``axis``, as a tuple."""
    x = _as_array(x)
    shape = np.shape(x)
    if not shape:
        raise ValueError("Input array must be at least 1-d.")
    axis = normalize_axis_index(axis, len(shape))
    rest = shape[:axis] + shape[axis + 1:]
    n = shape[axis]
    return tuple(reshape(p, rest) for p in _split(x, tuple(range(1, n)), axis)) if n else ()


# -- inserting, deleting, resizing, trimming ------------------------------------

broadcast_shapes = np.broadcast_shapes  # shapes in, a shape out: NumPy's own
if hasattr(np, "concat"):  # NumPy 2's name for concatenate
    concat = concatenate
    __all__.append("concat")
if hasattr(np, "row_stack"):  # deprecated in NumPy 2, still there
    @composite(np.row_stack)
    def row_stack(tup, *, dtype=None, casting="same_kind"):
        """vstack, under its deprecated name (NumPy's warning included)."""
        import warnings
        warnings.warn("`row_stack` alias is deprecated. Use `np.vstack` directly.",
                      DeprecationWarning, stacklevel=2)
        return vstack(tup, dtype=dtype, casting=casting)
    __all__.append("row_stack")


@composite(np.append)
def append(arr, values, axis=None):
    """``values`` joined after ``arr`` along ``axis`` (both flattened when it is None)."""
    arr = _as_array(arr)
    if axis is None:
        if np.ndim(arr) != 1:
            arr = ravel(arr)
        values, axis = ravel(values), 0
    return concatenate((arr, values), axis=axis)


def _positions(obj, what):
    """insert's and delete's ``obj``: a slice, or positions read as data (never traced)."""
    if isinstance(obj, slice):
        return obj
    if holds_box(obj):
        obj = static_value(_as_array(obj), f"{what}'s positions")
    return obj


def _along(x, axis):
    """``x`` (raveled when ``axis`` is None) and its axis, as insert and delete read them."""
    x = _as_array(x)
    if axis is None:
        return (x if np.ndim(x) == 1 else ravel(x)), 0
    return x, normalize_axis_index(axis, np.ndim(x))


def _index_probe(n, axis):
    """0..n-1 along ``axis`` of an array with every other axis of length 1: NumPy's insert
    and delete applied to it give the layout (and the errors) of their result."""
    return np.arange(n).reshape((1,) * axis + (n,))


@composite(np.insert)
def insert(arr, obj, values, axis=None):
    """``values`` inserted before the positions ``obj`` along ``axis``."""
    x, axis = _along(arr, axis)
    ndim, n = np.ndim(x), np.shape(x)[axis]
    obj = _positions(obj, "insert")
    if isinstance(obj, slice):
        indices = np.arange(*obj.indices(n))
    else:
        indices = np.asarray(obj)
        if indices.dtype == bool:
            indices = np.flatnonzero(indices)
    v = _as_array(values) if holds_box(values) else np.array(values, dtype=x.dtype)
    if v.dtype != x.dtype:
        v = v.astype(x.dtype)
    if indices.size == 1:  # one block at one place: values read as NumPy reads them there
        v_shape = (1,) * (ndim - np.ndim(v)) + np.shape(v)
        v = reshape(v, v_shape)
        scalar = indices.ndim == 0 and not isinstance(obj, slice)
        if scalar:
            v = moveaxis(v, 0, axis)
        count = v_shape[0] if scalar else v_shape[axis]
    else:
        scalar, count = False, len(indices)
    block = _with(np.shape(x), axis, count)
    v = v if np.shape(v) == block else broadcast_to(v, block)
    new = n + np.arange(count)
    new = new.reshape((count,) + (1,) * axis) if scalar else new.reshape((1,) * axis + (count,))
    order = np.insert(_index_probe(n, axis), obj, new, axis=axis).ravel()
    return _gather(concatenate((x, v), axis=axis), order, axis)


@composite(np.delete)
def delete(arr, obj, axis=None):
    """``arr`` without the positions ``obj`` along ``axis``."""
    x, axis = _along(arr, axis)
    kept = np.delete(_index_probe(np.shape(x)[axis], axis), _positions(obj, "delete"), axis)
    return _gather(x, kept.ravel(), axis)


@composite(np.resize)
def resize(a, new_shape):
    """``a`` raveled, repeated and cut to ``new_shape`` (zeros when ``a`` is empty)."""
    if isinstance(new_shape, (int, np.integer)):
        new_shape = (new_shape,)
    a = ravel(_as_array(a))
    new_size = 1
    for length in new_shape:
        new_size *= length
        if length < 0:
            raise ValueError("all elements of `new_shape` must be non-negative")
    size = np.shape(a)[0]
    if size == 0 or new_size == 0:
        return np.zeros(new_shape, a.dtype)
    repeats = -(-new_size // size)
    a = concatenate((a,) * repeats) if repeats > 1 else a
    return reshape(_part(a, 0, new_size, 0), new_shape)


@composite(np.trim_zeros)
def trim_zeros(filt, trim="fb", axis=None):
    """``filt`` without its leading ('f') and trailing ('b') zeros along ``axis`` (None: the
    smallest box that holds every nonzero value)."""
    x = _as_array(filt)
    trim = trim.lower()
    if trim not in {"fb", "bf", "f", "b"}:
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    ndim = np.ndim(x)
    axes = tuple(range(ndim)) if axis is None else normalize_axis_tuple(axis, ndim, "axis")
    if not axes:
        return x
    nonzero = x != 0
    empty = not static_value(nonzero.any(), "trim_zeros")
    for ax in axes:
        n = np.shape(x)[ax]
        if empty:
            start = stop = 0
        else:
            lane = nonzero.any(axis=tuple(i for i in range(ndim) if i != ax))
            start = static_value(lane.argmax(), "trim_zeros") if "f" in trim else 0
            stop = n - static_value(flip(lane, 0).argmax(), "trim_zeros") if "b" in trim else n
        x = _part(x, int(start), int(stop), ax)
    return x


# -- repeating and reordering --------------------------------------------------

@composite(np.tile)
def tile(A, reps):
    """``A`` repeated ``reps`` times along each axis."""
    try:
        reps = tuple(reps)
    except TypeError:
        reps = (reps,)
    a = _as_array(A)
    shape = (1,) * (len(reps) - np.ndim(a)) + np.shape(a)
    reps = (1,) * (len(shape) - len(reps)) + reps
    if all(r == 1 for r in reps):
        return a if shape == np.shape(a) else reshape(a, shape)
    # copies along a new axis before each axis, merged with it: (r0, s0, r1, s1, ...)
    spread = broadcast_to(reshape(a, tuple(itertools.chain(*((1, s) for s in shape)))),
                          tuple(itertools.chain(*zip(reps, shape))))
    return reshape(spread, tuple(s * r for s, r in zip(shape, reps)))


_ONE = np.zeros(1, np.int8)


@composite(np.repeat)
def repeat(a, repeats, axis=None):
    """Each element of ``a`` repeated ``repeats`` times (an int, or one count per element)."""
    a = _as_array(a)
    if axis is None:
        a, axis = ravel(a), 0
    else:
        a = a if np.ndim(a) else reshape(a, (1,))
        axis = normalize_axis_index(axis, np.ndim(a))
    shape = np.shape(a)
    n = shape[axis]
    counts = np.asarray(repeats)
    if counts.ndim <= 1 and counts.size == 1:  # one count: copies along a new axis, merged
        k = np.repeat(_ONE, repeats).size  # NumPy's checks of the count
        copies = broadcast_to(reshape(a, shape[:axis + 1] + (1,) + shape[axis + 1:]),
                              shape[:axis + 1] + (k,) + shape[axis + 1:])
        return reshape(copies, _with(shape, axis, n * k))
    return _gather(a, np.repeat(np.arange(n), repeats), axis)


@composite(np.fliplr)
def fliplr(m):
    """Reverse the order of the columns (axis 1)."""
    m = _as_array(m)
    if np.ndim(m) < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(m, 1)


@composite(np.flipud)
def flipud(m):
    """Reverse the order of the rows (axis 0)."""
    m = _as_array(m)
    if np.ndim(m) < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(m, 0)


@composite(np.rot90)
def rot90(m, k=1, axes=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``, from the first toward the
    second."""
    m = _as_array(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError("len(axes) must be 2.")
    ndim = np.ndim(m)
    if axes[0] == axes[1] or abs(axes[0] - axes[1]) == ndim:
        raise ValueError("Axes must be different.")
    if not (-ndim <= axes[0] < ndim and -ndim <= axes[1] < ndim):
        raise ValueError(f"Axes={axes} out of range for array of ndim={ndim}.")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, axes)
    order = list(range(ndim))
    order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
    return transpose(flip(m, axes[1]), order) if k == 1 else flip(transpose(m, order), axes[1])


@composite(np.roll)
def roll(a, shift, axis=None):
    """Shift elements cyclically along ``axis`` (of the flattened array when None)."""
    a = _as_array(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), np.shape(a))
    shape = np.shape(a)
    pairs = np.broadcast(shift, normalize_axis_tuple(axis, len(shape), allow_duplicate=True))
    if pairs.ndim > 1:
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences")
    shifts = dict.fromkeys(range(len(shape)), 0)
    for s, ax in pairs:
        shifts[ax] += int(s)
    for ax, s in shifts.items():
        s %= shape[ax] or 1
        if s:
            head, tail = _split(a, (shape[ax] - s,), ax)
            a = concatenate([tail, head], axis=ax)
    return a


# -- pad -----------------------------------------------------------------------

def _pad_takes_dict():
    try:
        np.pad(np.zeros(1), {0: 1})
        return True
    except Exception:  # noqa: BLE001  NumPy before 2.3 takes no dict
        return False


_PAD_DICT = _pad_takes_dict()
_PAD_KEYWORDS = {"empty": (), "edge": (), "wrap": (), "constant": ("constant_values",),
                 "linear_ramp": ("end_values",), "maximum": ("stat_length",),
                 "mean": ("stat_length",), "median": ("stat_length",),
                 "minimum": ("stat_length",), "reflect": ("reflect_type",),
                 "symmetric": ("reflect_type",)}


def _as_pairs(x, ndim, as_index=False):
    """NumPy's reading of pad_width, stat_length, constant_values and end_values: one
    (before, after) pair per axis, with the scalar types NumPy hands on."""
    if x is None:
        return ((None, None),) * ndim
    x = np.array(x)
    if as_index:
        x = np.round(x).astype(np.intp, copy=False)
    if as_index and x.size and x.min() < 0:
        raise ValueError("index can't contain negative values")
    if x.ndim < 3 and x.size == 1:
        x = x.ravel()
        return ((x[0], x[0]),) * ndim
    if x.ndim < 3 and x.size == 2 and x.shape != (2, 1):
        x = x.ravel()
        return ((x[0], x[1]),) * ndim
    return np.broadcast_to(x, (ndim, 2)).tolist()


def _pad_widths(pad_width, ndim):
    if isinstance(pad_width, dict) and _PAD_DICT:
        widths = [(0, 0)] * ndim
        for axis, width in pad_width.items():
            if isinstance(width, int):
                widths[axis] = (width, width)
            elif isinstance(width, tuple) and len(width) == 2 \
                    and all(isinstance(w, int) for w in width):
                widths[axis] = width
            else:
                raise AssertionError(f"Expected code to be unreachable, but got: {width}")
        pad_width = widths
    pad_width = np.asarray(pad_width)
    if pad_width.dtype.kind != "i":
        raise TypeError("`pad_width` must be of integral type.")
    return [(int(a), int(b)) for a, b in _as_pairs(pad_width, ndim, as_index=True)]


def _value_pairs(values, ndim):
    """(pairs, stand-ins): ``values`` read as NumPy reads them, traced entries staying
    traced; the stand-ins are zeros of the types NumPy would see in their place."""
    if not holds_box(values):
        pairs = _as_pairs(values, ndim)
        return pairs, pairs
    v = _as_array(values)
    shape = np.shape(v)
    stand_ins = _as_pairs(np.zeros(shape, v.dtype), ndim)
    size = math.prod(shape)
    items = [reshape(p, ()) for p in _split(reshape(v, (-1,)), tuple(range(1, size)), 0)]
    index = np.arange(size).reshape(shape)
    if len(shape) < 3 and size == 1:
        index = np.zeros((ndim, 2), int)
    elif len(shape) < 3 and size == 2 and shape != (2, 1):
        index = np.broadcast_to(index.ravel(), (ndim, 2))
    return [(items[i], items[j]) for i, j in np.broadcast_to(index, (ndim, 2))], stand_ins


def _join(x, axis, before, after):
    pieces = [p for p in (before, x, after) if p is not None]
    return x if len(pieces) == 1 else concatenate(pieces, axis=axis)


def _fill(value, shape, dtype):
    """``value`` (traced or not) cast to ``dtype`` and spread over ``shape``."""
    if isinstance(value, Box):
        return broadcast_to(value if value.dtype == dtype else value.astype(dtype), shape)
    return np.full(shape, value, dtype)


def _pad_constant(x, axis, widths, values, dtype):
    shape = np.shape(x)
    before, after = (_fill(v, _with(shape, axis, w), dtype) if w else None
                     for v, w in zip(values, widths))
    return _join(x, axis, before, after)


def _edges(x, axis):
    n = np.shape(x)[axis]
    return _part(x, 0, 1, axis), _part(x, n - 1, n, axis)


def _pad_edge(x, axis, widths):
    shape = np.shape(x)
    before, after = (broadcast_to(e, _with(shape, axis, w)) if w else None
                     for e, w in zip(_edges(x, axis), widths))
    return _join(x, axis, before, after)


def linspace_steps(start, start_stand_in, stop, num, axis, dtype, endpoint=False):
    """np.linspace(start, stop, num, endpoint, dtype=dtype, axis=axis), step for step, for
    a traced ``start`` (NumPy's type of it: ``start_stand_in``) or ``stop`` (an array);
    num >= 2 with the end point. dtype None: the type NumPy computes in."""
    dt = np.linspace(start_stand_in, np.empty(np.shape(stop), stop.dtype), 0,
                     endpoint=False).dtype
    start = start.astype(dt) if isinstance(start, Box) else np.asarray(start).astype(dt)
    delta = stop.astype(dt) - start
    y = np.arange(0, num, dtype=dt).reshape((-1,) + (1,) * np.ndim(delta))
    div = num - 1 if endpoint else num
    step = delta / div
    y = (y / div) * delta if np.any(unbox(step) == 0) else y * step  # NumPy's subnormal guard
    y = y + start
    if endpoint:  # the end point is stop itself
        y = concatenate([_part(y, 0, num - 1, 0), reshape(stop.astype(dt), (1,) + y.shape[1:])])
    y = moveaxis(y, 0, axis)
    if dtype is None:
        return y
    if np.issubdtype(dtype, np.integer):
        y = floor(y)
    return y.astype(dtype)


def _pad_ramp(x, axis, widths, ends, stand_ins, dtype):
    shape = np.shape(x)
    rest = shape[:axis] + shape[axis + 1:]
    ramps = [None if w == 0 else linspace_steps(end, stand_in, reshape(edge, rest), w, axis,
                                                 dtype)
             for edge, w, end, stand_in in zip(_edges(x, axis), widths, ends, stand_ins)]
    return _join(x, axis, ramps[0], None if ramps[1] is None else flip(ramps[1], axis))


def _round_half_even(s):
    r = floor(s + 0.5)
    return where((r - s == 0.5) & (remainder(r, 2) == 1), r - 1, r)


def _statistic(chunk, axis, mode, dtype):
    if mode == "maximum":
        s = chunk.max(axis=axis, keepdims=True)
    elif mode == "minimum":
        s = chunk.min(axis=axis, keepdims=True)
    elif mode == "mean" or np.shape(chunk)[axis] == 0:  # the median of nothing is NaN too
        s = chunk.mean(axis=axis, keepdims=True)
    else:  # median: the middle element(s), found where NumPy's sort would put them
        w = _median_weights(chunk, axis)
        s = (where(w == 0, 0, chunk) * w).sum(axis=axis, keepdims=True)
    if np.issubdtype(dtype, np.integer):
        s = _round_half_even(s)
    return s if s.dtype == dtype else s.astype(dtype)


def _pad_stat(x, axis, widths, lengths, mode, dtype):
    shape = np.shape(x)
    n = shape[axis]
    left, right = (n if length is None or n < length else int(length) for length in lengths)
    if (left == 0 or right == 0) and mode in ("maximum", "minimum"):
        raise ValueError("stat_length of 0 yields no value for padding")
    stats = [None, None]
    if widths[0]:
        stats[0] = _statistic(_part(x, 0, left, axis), axis, mode, dtype)
    if widths[1]:
        stats[1] = stats[0] if left == right == n and widths[0] else \
            _statistic(_part(x, n - right, n, axis), axis, mode, dtype)
    before, after = (None if s is None else broadcast_to(s, _with(shape, axis, w))
                     for s, w in zip(stats, widths))
    return _join(x, axis, before, after)


def _pad_reflect(x, axis, widths, odd, include_edge):
    """NumPy's reflection, chunk by chunk: a pad wider than the array reflects the
    padded values again (and, with reflect_type="odd", about the new edge)."""
    n = np.shape(x)[axis]
    if n == 1:
        return _pad_edge(x, axis, widths)
    before, after = widths
    e = int(include_edge)
    while before > 0 or after > 0:
        length = np.shape(x)[axis]
        period = length // n * n if include_edge else (length - 1) // (n - 1) * (n - 1)
        left = right = None
        if before > 0:
            k = min(period, before)
            left = flip(_part(x, 1 - e, k + 1 - e, axis), axis)
            if odd:
                left = 2 * _part(x, 0, 1, axis) - left
            before -= k
        if after > 0:
            k = min(period, after)
            right = flip(_part(x, length - k - 1 + e, length - 1 + e, axis), axis)
            if odd:
                right = 2 * _part(x, length - 1, length, axis) - right
            after -= k
        x = _join(x, axis, left, right)
    return x


def _pad_wrap(x, axis, widths):
    n = np.shape(x)[axis]
    before, after = widths
    while before > 0 or after > 0:
        length = np.shape(x)[axis]
        period = length // n * n
        left = right = None
        if before > 0:
            left = _part(x, period - min(period, before), period, axis)
            before = max(before - period, 0)
        if after > 0:
            right = _part(x, length - period, length - period + min(period, after), axis)
            after = max(after - period, 0)
        x = _join(x, axis, left, right)
    return x


@composite(np.pad)
def pad(array, pad_width, mode="constant", **kwargs):
    """Pad an array, in every mode NumPy has; traced constant_values and end_values are
    differentiable too."""
    x = _as_array(array)
    ndim, dtype = np.ndim(x), x.dtype
    widths = _pad_widths(pad_width, ndim)
    if callable(mode):
        raise NotImplementedError("fgrad.numpy.pad: a callable mode writes in place, which "
                                  "traced arrays do not allow")
    try:
        unsupported = set(kwargs) - set(_PAD_KEYWORDS[mode])
    except KeyError:
        raise ValueError(f"mode '{mode}' is not supported") from None
    if unsupported:
        raise ValueError(f"unsupported keyword arguments for mode '{mode}': {unsupported}")
    if mode in ("constant", "empty") or math.prod(np.shape(x)) == 0:
        if mode not in ("constant", "empty"):
            for axis, w in enumerate(widths):
                if np.shape(x)[axis] == 0 and any(w):
                    raise ValueError(f"can't extend empty axis {axis} using modes other than "
                                     "'constant' or 'empty'")
        values = _value_pairs(kwargs.get("constant_values", 0), ndim)[0] \
            if mode == "constant" else ((0, 0),) * ndim
        for axis in range(ndim):
            x = _pad_constant(x, axis, widths[axis], values[axis], dtype)
        return x
    if mode == "linear_ramp":
        ends, stand_ins = _value_pairs(kwargs.get("end_values", 0), ndim)
    elif mode in ("maximum", "minimum", "mean", "median"):
        lengths = _as_pairs(kwargs.get("stat_length"), ndim, as_index=True)
    for axis in range(ndim):
        if mode == "edge":
            x = _pad_edge(x, axis, widths[axis])
        elif mode == "linear_ramp":
            x = _pad_ramp(x, axis, widths[axis], ends[axis], stand_ins[axis], dtype)
        elif mode in ("reflect", "symmetric"):
            x = _pad_reflect(x, axis, widths[axis], kwargs.get("reflect_type") == "odd",
                             mode == "symmetric")
        elif mode == "wrap":
            x = _pad_wrap(x, axis, widths[axis])
        else:
            x = _pad_stat(x, axis, widths[axis], lengths[axis], mode, dtype)
    return x


@composite(np.meshgrid)
def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays from coordinate vectors ('xy': Cartesian, 'ij': matrix indexing)."""
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    ndim = len(xi)
    where_ = list(range(ndim))
    if indexing == "xy" and ndim > 1:
        where_[0], where_[1] = 1, 0
    output = [reshape(_as_array(x), _with((1,) * ndim, w, -1)) for x, w in zip(xi, where_)]
    if not sparse:
        output = broadcast_arrays(*output)
    return list(output) if sparse and not copy else _SEQUENCE_OF_ARRAYS(output)
