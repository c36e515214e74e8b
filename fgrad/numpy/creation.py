"""Creating arrays: from nested lists, filled, evenly spaced; and asking about shapes.

``array`` (``asarray``, ``asanyarray``, ``ascontiguousarray``) of a nested list that
holds traced values is one primitive, ``_pack``: its data are the traced values, and
its parameter a *layout*, the list with each of them replaced by a slot, so that
NumPy itself builds the array from the filled-in list (its dtypes, casts, ``ndmin``
and ragged-shape errors). The value in slot ``p`` (a path of indices) lands at
``out[p]``; ``_unpack`` reads those places back, and the two are each other's
transpose, so that every order of derivative costs O(size) however long the list.

``full`` and ``full_like`` are linear in the fill value, ``linspace`` in its end
points (y_k = (1 - w_k) start + w_k stop, w_k = k / div), ``geomspace``'s
y_k = start^(1 - w_k) stop^w_k has dy_k = y_k ((1 - w_k) dstart/start + w_k dstop/stop),
and ``logspace`` is ``base ** linspace``, as NumPy writes it. A cast to an integer
dtype has no derivative; neither has linspace's step where it has none (NaN, for
num < 2 with the end point), and geomspace's end points are never 0 (NumPy refuses).
zeros, ones, empty, eye, identity, arange and tri take no arrays and are NumPy's
own; the ``*_like`` functions have no derivative. On traced values asfortranarray and
require are asarray (memory layout and flags mean nothing for immutable traced values;
require checks the flags' names), and asarray_chkfinite reads the values it checks.

The functions that read only dtypes or shapes (result_type, can_cast, common_type,
min_scalar_type, mintypecode, iscomplexobj, isrealobj, isscalar, einsum_path, ...) answer
for traced values as for arrays of their dtype and shape: result_type, iscomplexobj and
isrealobj are NumPy's own (a traced value hands NumPy its dtype), and so are those that
take no arrays (promote_types, issubdtype, isdtype, typename). isscalar of a traced
value is False, as of any array. min_scalar_type of a traced 0-d value reads its value,
and real_if_close decides its dtype from the values (neither decision has a derivative;
under vmap the examples must agree on it).
"""
import math
import operator

import numpy as np

from ..rules import defmultilinear, defrules, nondifferentiable
from ..tracer import Box, composite, holds_box, primitive, unbox
from . import batch
from .broadcast import fit_dtype, unbroadcast
from .elementwise import absolute, astype, floor, power, real
from .shape import expand_dims, moveaxis, static_value

__all__ = ["arange", "array", "asanyarray", "asarray", "asarray_chkfinite",
           "ascontiguousarray", "asfortranarray", "can_cast", "common_type", "einsum_path",
           "empty", "empty_like", "eye", "full", "full_like", "geomspace", "identity",
           "iscomplexobj", "isdtype", "isrealobj", "isscalar", "issubdtype", "iterable",
           "linspace", "logspace", "min_scalar_type", "mintypecode", "ndim", "ones",
           "ones_like", "promote_types", "real_if_close", "require", "result_type", "shape",
           "size", "tri", "typename", "zeros", "zeros_like"]

zeros, ones, empty, eye, identity, arange, tri = (
    np.zeros, np.ones, np.empty, np.eye, np.identity, np.arange, np.tri)


def _inexact(dtype):
    return dtype.kind in "fc"


def _differentiable(x):
    """Whether ``x`` (an argument of a rule) can carry a cotangent."""
    return isinstance(getattr(x, "dtype", None), np.dtype) and _inexact(x.dtype)


# -- shape queries, and arrays like another: no derivative --------------------------

shape, ndim, size = (primitive(f) for f in (np.shape, np.ndim, np.size))
_LIKE = {"dtype": None, "order": "K", "subok": True, "shape": None}
zeros_like, ones_like, empty_like = (primitive(f, data="a", params=_LIKE)
                                     for f in (np.zeros_like, np.ones_like, np.empty_like))


def _example_shape(x, d):
    s = np.shape(x)
    return s[:d] + s[d + 1:]


defrules(shape, batch=lambda args, dims, size: (_example_shape(args[0], dims[0]), None))
defrules(ndim, batch=lambda args, dims, size: (np.ndim(args[0]) - 1, None))
defrules(size, batch=lambda args, dims, size: (math.prod(_example_shape(args[0], dims[0])), None))


def _like_batch(f):
    """Batched ``f(a)`` keeps a's batch axis, unless ``shape=`` leaves a's shape out."""
    def rule(args, dims, size, **params):
        return f(args[0], **params), dims[0] if params["shape"] is None else None
    return rule


for _f in (shape, ndim, size, zeros_like, ones_like, empty_like):
    nondifferentiable(_f)
for _f in (zeros_like, ones_like, empty_like):
    defrules(_f, batch=_like_batch(_f))


# -- dtypes: what NumPy reads of an array is its dtype (and shape) -----------------------
# (NumPy's own: a traced value hands them its dtype through NumPy's dispatch)
result_type, iscomplexobj, isrealobj, isscalar, iterable = (
    np.result_type, np.iscomplexobj, np.isrealobj, np.isscalar, np.iterable)
promote_types, issubdtype, typename = np.promote_types, np.issubdtype, np.typename
if hasattr(np, "isdtype"):  # NumPy 2
    isdtype = np.isdtype
else:
    __all__.remove("isdtype")

can_cast = primitive(np.can_cast, data="from_", params={"to": None, "casting": "safe"})
common_type = primitive(np.common_type)
min_scalar_type = primitive(np.min_scalar_type)


def _same_answer(f):
    """Batching rule of ``f``, which reads only dtypes: the batched arrays have them too."""
    return lambda args, dims, size, **params: (f(*args, **params), None)


def _min_scalar_type_batch(args, dims, size):
    """A 0-d example is read by value: every example must give the same type."""
    a, d = args[0], dims[0]
    if batch.ndim_of_example(a, d) > 0:  # an array: its dtype
        return min_scalar_type(a), None
    found = {np.min_scalar_type(v) for v in np.asarray(unbox(a)).ravel()}
    if len(found) != 1:
        raise ValueError("vmap: min_scalar_type of a 0-d value depends on the value, and the "
                         f"examples of the batch disagree ({sorted(map(str, found))})")
    return found.pop(), None


for _f in (can_cast, common_type, min_scalar_type):
    nondifferentiable(_f)
defrules(can_cast, batch=_same_answer(can_cast))
defrules(common_type, batch=_same_answer(common_type))
defrules(min_scalar_type, batch=_min_scalar_type_batch)


def _stand_in(x):
    """A plain array with ``x``'s shape and dtype (no memory): for functions that read only
    those."""
    return np.broadcast_to(np.zeros((), x.dtype), x.shape) if isinstance(x, Box) else x


def mintypecode(typechars, typeset="GDFgdf", default="d"):
    """NumPy's mintypecode; a traced value counts as its dtype."""
    return np.mintypecode([_stand_in(t) for t in typechars], typeset, default)


def einsum_path(*operands, optimize="greedy", einsum_call=False):
    """NumPy's einsum_path, which reads only the operands' shapes (traced ones too)."""
    return np.einsum_path(*map(_stand_in, operands), optimize=optimize, einsum_call=einsum_call)


# -- array: nested lists of traced values --------------------------------------------

_SLOT = object()  # where a traced value goes


class _Node(list):
    """A list of the layout that holds slots (a list without any is a constant)."""
    __slots__ = ()


class _Layout:
    """A nested list with slots for the traced values: ``tree``; the index path of each
    slot; ``ndim``, the rank of the array it makes (before ``ndmin``); ``tail``, axes
    that every slot's value and every constant gains at its end (batch axes, under
    vmap); ``zero``: constants read as zeros (the layout of the linear part)."""
    __slots__ = ("tree", "paths", "ndim", "tail", "zero")

    def __init__(self, tree, paths, ndim, tail=(), zero=False):
        self.tree, self.paths, self.ndim, self.tail, self.zero = tree, paths, ndim, tail, zero

    def fill(self, values):
        """The nested list with ``values`` in the slots, for np.array to read."""
        const = self._constant if self.zero or self.tail else None
        return _fill(self.tree, iter(values), const)

    def _constant(self, c):
        shape = np.shape(c)
        if self.zero:
            return np.broadcast_to(False, shape + self.tail)
        return np.broadcast_to(np.reshape(c, shape + (1,) * len(self.tail)), shape + self.tail)

    def index(self, ndmin):
        """Where each slot's value sits in the array (``ndmin`` pads at the front)."""
        pad = (0,) * max(0, ndmin - self.ndim)
        return [pad + p + (Ellipsis,) for p in self.paths]

    def zeroed(self):
        return _Layout(self.tree, self.paths, self.ndim, self.tail, True)

    def batched(self, size):
        return _Layout(self.tree, self.paths, self.ndim, self.tail + (size,), self.zero)


def _fill(node, values, const):
    return [_fill(c, values, const) if type(c) is _Node else next(values) if c is _SLOT
            else c if const is None else const(c) for c in node]


def _layout_of(obj):
    """(layout, traced values in slot order) of a list or tuple that holds traced values."""
    leaves, paths = [], []

    def walk(node, path):
        if isinstance(node, Box):
            leaves.append(node)
            paths.append(path)
            return _SLOT
        if isinstance(node, (list, tuple)):
            kids = [walk(c, path + (i,)) for i, c in enumerate(node)]
            if any(k is _SLOT or type(k) is _Node for k in kids):
                return _Node(kids)
        return node

    tree = walk(obj, ())
    return _Layout(tree, paths, len(paths[0]) + leaves[0].ndim), leaves


def _pack_impl(*values, layout, dtype, order, ndmin):
    return np.array(layout.fill(values), dtype=dtype, order=order,
                    ndmin=ndmin + len(layout.tail))


def _unpack_impl(x, layout, ndmin):
    return tuple(x[i] for i in layout.index(ndmin))


_pack = primitive(_pack_impl, "array")
_pack_constant = primitive(_pack_impl, "array_constant")  # to an integer (or bool) dtype
_unpack = primitive(_unpack_impl, "array_unpack", multiple_results=True)


# d array([.., x, ..]) = array([.., dx, ..]) with the constants zeroed;
# its transpose reads each slot's place of the cotangent.
def _pack_vjp(g, out, *values, layout, dtype, order, ndmin):
    parts = _unpack(g, layout=layout, ndmin=ndmin)
    return [fit_dtype(p, x.dtype) if _differentiable(x) else None
            for p, x in zip(parts, values)]


def _pack_jvp(tangents, out, *values, layout, dtype, order, ndmin):
    zero = np.zeros((), out.dtype)
    tangents = [np.broadcast_to(zero, np.shape(x)) if t is None else t
                for t, x in zip(tangents, values)]
    return _pack(*tangents, layout=layout.zeroed(), dtype=out.dtype, order=order, ndmin=ndmin)


def _pack_batch(f):
    """Each value with its batch axis last, and so the array's (constants broadcast)."""
    def rule(args, dims, size, *, layout, **params):
        out = f(*[batch.to_last(x, d, size) for x, d in zip(args, dims)],
                layout=layout.batched(size), **params)
        return out, np.ndim(out) - 1
    return rule


# unpack is linear: its transpose packs the cotangents into the zeroed layout
def _unpack_vjp(g, out, x, *, layout, ndmin):
    zero = np.zeros((), x.dtype)
    cts = [np.broadcast_to(zero, x.shape[len(i) - 1:]) if c is None else c
           for c, i in zip(g, layout.index(ndmin))]
    return _pack(*cts, layout=layout.zeroed(), dtype=x.dtype, order="K", ndmin=ndmin)


def _unpack_batch(args, dims, size, *, layout, ndmin):
    parts = _unpack(batch.to_last(args[0], dims[0], size), layout=layout.batched(size),
                    ndmin=ndmin)
    return parts, [np.ndim(p) - 1 for p in parts]


defrules(_pack, vjp=_pack_vjp, jvp=_pack_jvp, save="shapes", batch=_pack_batch(_pack))
nondifferentiable(_pack_constant)
defrules(_pack_constant, batch=_pack_batch(_pack_constant))
defmultilinear(_unpack, _unpack_vjp, save="shapes", batch=_unpack_batch)

_NUMPY2 = int(np.__version__.split(".")[0]) >= 2
_NO_COPY = "Unable to avoid copy while creating an array as requested."



def _traced_array(obj, dtype, copy, order, ndmin):
    """np.array(obj, ...) for ``obj`` a traced value, or a nested list that holds some."""
    dtype = None if dtype is None else np.dtype(dtype)
    if dtype is not None and dtype.kind not in "biufc":
        raise TypeError(f"fgrad.numpy cannot make an array of dtype {dtype} from traced values")
    if isinstance(obj, Box):  # immutable: a copy would be the same value
        if dtype is not None and dtype != obj.dtype:
            if copy is False and _NUMPY2:
                raise ValueError(_NO_COPY)
            obj = astype(obj, dtype)
        n = len(obj.shape)
        return obj if n >= ndmin else obj.reshape((1,) * (ndmin - n) + obj.shape)
    if copy is False and _NUMPY2:
        raise ValueError(_NO_COPY)
    layout, leaves = _layout_of(obj)
    inexact = (_inexact(dtype) if dtype is not None
               else any(_inexact(x.dtype) for x in leaves))
    return (_pack if inexact else _pack_constant)(*leaves, layout=layout, dtype=dtype,
                                                  order=order, ndmin=ndmin)


def _array_params(dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None):
    return dtype, copy, order, ndmin


def _asarray_params(dtype=None, order=None, *, device=None, copy=None, like=None):
    return dtype, copy, order or "K", 0


def _ascontiguousarray_params(dtype=None, *, like=None):
    return dtype, None, "C", 1


def _creator(np_fn, first, params):
    """NumPy's ``np_fn`` (array, asarray, ...), called as it was called, unless its
    first argument (named ``first``) holds traced values: then ``_traced_array``."""
    def function(*args, **kwargs):
        a = args[0] if args else kwargs.get(first)
        if not isinstance(a, Box):
            try:
                return np_fn(*args, **kwargs)
            except (TypeError, ValueError):  # a traced value refused to become an array
                if not holds_box(a):
                    raise
        if not args:
            args = (kwargs.pop(first),)
        return _traced_array(a, *params(*args[1:], **kwargs))
    function.__name__ = function.__qualname__ = np_fn.__name__
    function.__doc__ = (f"NumPy's {np_fn.__name__}, with NumPy's parameters; traced values "
                        "anywhere in a nested list stay differentiable.")
    return function


def _asfortranarray_params(dtype=None, *, like=None):
    return dtype, None, "F", 1


array = _creator(np.array, "object", _array_params)
asarray = _creator(np.asarray, "a", _asarray_params)
asanyarray = _creator(np.asanyarray, "a", _asarray_params)
ascontiguousarray = _creator(np.ascontiguousarray, "a", _ascontiguousarray_params)
asfortranarray = _creator(np.asfortranarray, "a", _asfortranarray_params)


@composite(np.asarray_chkfinite)
def asarray_chkfinite(a, dtype=None, order=None):
    """asarray, raising ValueError where ``a`` holds an inf or a NaN."""
    x = asarray(a, dtype, order)
    if x.dtype.kind in "fc" and not np.isfinite(unbox(x)).all():
        raise ValueError("array must not contain infs or NaNs")
    return x


@composite(np.real_if_close)
def real_if_close(a, tol=100):
    """``a``, or its real part when every imaginary part is below ``tol`` (in machine
    epsilons when above 1): a decision on values, so under vmap the examples must agree."""
    a = asanyarray(a)
    if a.dtype.kind != "c":
        return a
    if tol > 1:
        tol = np.finfo(a.dtype).eps * tol
    if static_value((absolute(a.imag) < tol).all(), "real_if_close's dtype"):
        a = real(a)
    return a


@composite(np.require)
def require(a, dtype=None, requirements=None, *, like=None):
    """asarray in ``dtype``: the memory requirements (layout, alignment, ownership) have
    no meaning for traced values, which are immutable, so they are only checked."""
    if requirements:
        np.require(np.zeros(0), None, requirements)  # NumPy's check of the flags named
    return asarray(a, dtype)


# -- full: linear in the fill value --------------------------------------------------

def _np_full(fill_value, shape, order="C"):
    return np.full(shape, fill_value, order=order)


_full = primitive(_np_full, "full", data="fill_value", params={"shape": None, "order": "C"})


def _shape_tuple(shape):
    return tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)


def _full_batch(args, dims, size, shape, order):
    shape = _shape_tuple(shape)
    fill = batch.to_front(args[0], dims[0], size)
    fill = fill.reshape(fill.shape[:1] + (1,) * (len(shape) + 1 - fill.ndim) + fill.shape[1:])
    return _full(fill, shape=(size,) + shape, order=order), 0


# d full(v) = full(dv);  its transpose sums the copies
defmultilinear(_full, lambda g, out, v, shape, order: unbroadcast(g, v), save="shapes",
               batch=_full_batch)


@composite(np.full)
def full(shape, fill_value, dtype=None, order="C", *, device=None, like=None):
    """An array of ``shape`` filled with ``fill_value`` (broadcast), differentiable in it."""
    fill = asarray(fill_value)
    if dtype is not None and np.dtype(dtype) != fill.dtype:
        fill = astype(fill, dtype)
    extra = len(fill.shape) - len(_shape_tuple(shape))
    if extra > 0 and all(d == 1 for d in fill.shape[:extra]):  # NumPy drops these axes
        fill = fill.reshape(fill.shape[extra:])
    return _full(fill, shape=shape, order=order)


@composite(np.full_like)
def full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """An array like ``a`` filled with ``fill_value``, differentiable in the fill value."""
    a = asarray(a)
    return full(a.shape if shape is None else shape, fill_value,
                a.dtype if dtype is None else dtype, "F" if order == "F" else "C")


# -- evenly spaced: linspace, geomspace, logspace --------------------------------------

def _np_linspace(start, stop, num=50, endpoint=True, axis=0):
    return np.linspace(start, stop, num, endpoint, axis=axis)


def _np_geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return np.geomspace(start, stop, num, endpoint, dtype, axis)


_linspace = primitive(_np_linspace, "linspace", data="start stop",
                      params={"num": 50, "endpoint": True, "axis": 0})
_geomspace = primitive(_np_geomspace, "geomspace", data="start stop",
                       params={"num": 50, "endpoint": True, "dtype": None, "axis": 0})


def _weights(num, endpoint, dtype):
    """Rows 1 - w and w, w_k = k / div (0 when div is 0), in ``dtype``'s real precision."""
    div = num - 1 if endpoint else num
    w = np.arange(num) / div if div > 0 else np.zeros(num)
    return np.stack([1 - w, w]).astype(np.finfo(dtype).dtype)


def _contract(g, weights, axis):
    """Both rows of ``weights`` summed against g along its sample axis: one product."""
    ax = axis % len(g.shape)
    rest = g.shape[:ax] + g.shape[ax + 1:]
    both = weights @ moveaxis(g, ax, 0).reshape((g.shape[ax], math.prod(rest)))
    return both[0].reshape(rest), both[1].reshape(rest)


def _spread(v, ax, rank):
    """Start- or stop-shaped ``v`` with the output's sample axis inserted at ``ax``."""
    vshape = (1,) * (rank - len(v.shape)) + tuple(v.shape)
    return v.reshape(vshape[:ax] + (1,) + vshape[ax:])


def _row(w, ax, rank):
    """A row of weights along sample axis ``ax`` of a (rank + 1)-d output."""
    return w.reshape((1,) * ax + (len(w),) + (1,) * (rank - ax))


def _missing(t, x, dtype):
    return np.zeros(np.shape(x), dtype) if t is None else t


def _cts(a, b, start, stop):
    return [unbroadcast(c, x) if _differentiable(x) else None
            for c, x in ((a, start), (b, stop))]


# y_k = (1 - w_k) start + w_k stop: linear, so its JVP is linspace of the tangents
def _linspace_jvp(tangents, out, start, stop, *, num, endpoint, axis):
    t0, t1 = (_missing(t, x, out.dtype) for t, x in zip(tangents, (start, stop)))
    return fit_dtype(_linspace(t0, t1, num=num, endpoint=endpoint, axis=axis), out.dtype)


def _linspace_vjp(g, out, start, stop, *, num, endpoint, axis):
    return _cts(*_contract(g, _weights(num, endpoint, g.dtype), axis), start, stop)


# y_k = start^(1 - w_k) stop^w_k:  dy_k = y_k ((1 - w_k) dstart / start + w_k dstop / stop)
def _geomspace_jvp(tangents, out, start, stop, *, num, endpoint, dtype, axis):
    weights = _weights(num, endpoint, out.dtype)
    rank = len(out.shape) - 1
    ax = axis % (rank + 1)
    rel = sum(_row(w, ax, rank) * _spread(t / x, ax, rank)
              for w, t, x in zip(weights, tangents, (start, stop)) if t is not None)
    return fit_dtype(out * rel, out.dtype)


def _geomspace_vjp(g, out, start, stop, *, num, endpoint, dtype, axis):
    a, b = _contract(g * out, _weights(num, endpoint, g.dtype), axis)
    return _cts(a / start, b / stop, start, stop)


def _spacing_batch(f):
    """Batch axes first, the sample axis one further: start and stop broadcast as before."""
    def rule(args, dims, size, *, axis, **params):
        rank = max(batch.ndim_of_example(x, d) for x, d in zip(args, dims))
        if not -rank - 1 <= axis <= rank:
            raise np.exceptions.AxisError(f"axis {axis} is out of bounds for array of "
                                          f"dimension {rank + 1}")
        moved = []
        for x, d in zip(args, dims):
            if d is not None:
                x = batch.to_front(x, d, size)
                x = x.reshape(x.shape[:1] + (1,) * (rank + 1 - len(x.shape)) + x.shape[1:])
            moved.append(x)
        return f(*moved, axis=axis % (rank + 1) + 1, **params), 0
    return rule


defrules(_linspace, vjp=_linspace_vjp, jvp=_linspace_jvp, save="shapes",
         batch=_spacing_batch(_linspace))
defrules(_geomspace, vjp=_geomspace_vjp, jvp=_geomspace_jvp, save="all",
         batch=_spacing_batch(_geomspace))


def _as_data(x):
    """A list or tuple as an array (NumPy reads it so); scalars stay as they are."""
    return asarray(x) if isinstance(x, (list, tuple)) else x


@composite(np.linspace)
def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """``num`` evenly spaced samples from start to stop, differentiable in both."""
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"Number of samples, {num}, must be non-negative.")
    start, stop = _as_data(start), _as_data(stop)
    y = _linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    dt = y.dtype
    if dtype is not None and np.dtype(dtype) != dt:  # NumPy computes in dt, then casts
        y = astype(floor(y) if np.issubdtype(dtype, np.integer) else y, dtype)
    if not retstep:
        return y
    div = num - 1 if endpoint else num
    return y, (astype(stop, dt) - astype(start, dt)) / div if div > 0 else np.nan


@composite(np.logspace)
def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base ** linspace(start, stop)``, differentiable in start, stop and base."""
    start, stop, base = _as_data(start), _as_data(stop), _as_data(base)
    if not isinstance(base, (float, int)) and np.ndim(base):  # broadcast with the others
        ndmax = len(np.broadcast_shapes(np.shape(start), np.shape(stop), np.shape(base)))
        start, stop, base = (array(x, ndmin=ndmax) for x in (start, stop, base))
        base = expand_dims(base, axis)
    y = power(base, linspace(start, stop, num=num, endpoint=endpoint, axis=axis))
    return y if dtype is None else astype(y, dtype)


@composite(np.geomspace)
def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """``num`` samples spaced evenly on a log scale, differentiable in start and stop."""
    start, stop = asanyarray(start), asanyarray(stop)
    if dtype is None or _inexact(np.dtype(dtype)):
        return _geomspace(start, stop, num=num, endpoint=endpoint, dtype=dtype, axis=axis)
    dt = np.result_type(start.dtype, stop.dtype, float(num), np.zeros((), dtype))
    return astype(_geomspace(start, stop, num=num, endpoint=endpoint, dtype=dt, axis=axis),
                  dtype)
