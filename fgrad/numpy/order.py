"""Order statistics: sorting, and the values read off a sorted array.

sort and partition are primitives whose derivative is a permutation: the JVP gathers
the tangent by it and the VJP gathers the cotangent by its inverse, both with
``getitem``, so that their own derivatives and batching come for free. median,
percentile and quantile (and their nan* forms) are compositions: sorted values at
positions known from the axis length and q (for nan*, from each slice's count of
numbers, which is data), mixed with NumPy's interpolation weights, NumPy's arithmetic
step by step. argsort, argpartition, searchsorted, lexsort and unique have no derivative.

Where the derivative is undefined:
    sort, at ties:       the stable sort's permutation decides, as in JAX: of equal values
                         the first in position order goes first (median and quantile too)
    partition:           each output takes the derivative of the input it equals, equal
                         values paired in position order
    quantile in q:       that of the interpolation weight, from the right where (n - 1) q
                         is a whole number; none for the methods without interpolation
    nan*:                NaNs get no derivative; an all-NaN slice gives NaN, derivative 0
"""
import inspect

import numpy as np

from ..rules import defrules, nondifferentiable
from ..tracer import Box, composite, no_out, primitive, unbox
from . import batch
from .elementwise import astype, ceil, floor, isnan, logical_not, where
from .indexing import getitem, index_set
from .shape import concatenate

try:
    from numpy.lib.array_utils import normalize_axis_tuple
except ImportError:  # NumPy 1.26
    from numpy.core.numeric import normalize_axis_tuple

__all__ = ["argpartition", "argsort", "lexsort", "median", "nanmedian", "nanpercentile",
           "nanquantile", "partition", "percentile", "quantile", "searchsorted", "sort",
           "sort_complex", "unique"]


def _numpy_params(fn, **params):
    """``params`` less those the installed NumPy's ``fn`` does not take (stable=, sorted=)."""
    known = inspect.signature(fn).parameters
    return {k: v for k, v in params.items() if k in known}


_SORT = _numpy_params(np.sort, axis=-1, kind=None, order=None, stable=None)
_PARTITION = {"kth": None, "axis": -1, "kind": "introselect", "order": None}

sort = primitive(np.sort, data="a", params=_SORT)
argsort = primitive(np.argsort, data="a", params=_SORT)
partition = primitive(np.partition, data="a", params=_PARTITION)
argpartition = primitive(np.argpartition, data="a", params=_PARTITION)
_searchsorted = primitive(np.searchsorted, "searchsorted", data="a v", params={"side": "left"})
lexsort = primitive(np.lexsort, data="*keys", params={"axis": -1})
unique = primitive(np.unique, data="ar", params=_numpy_params(
    np.unique, return_index=False, return_inverse=False, return_counts=False, axis=None,
    equal_nan=True, sorted=True))


def _stable_argsort_impl(a, axis):
    """np.argsort(a, axis, kind="stable"), by NumPy's faster default sort when nothing ties
    (then the order is the same)."""
    perm = np.argsort(a, axis=axis)
    s = np.moveaxis(np.take_along_axis(a, perm, axis), axis, -1)
    if np.any(s[..., 1:] == s[..., :-1]) or (s.dtype.kind in "fc" and np.isnan(s).any()):
        return np.argsort(a, axis=axis, kind="stable")
    return perm


_stable_argsort = primitive(_stable_argsort_impl, "stable_argsort", data="a",
                            params={"axis": -1})


# -- sort and partition: d out = dx gathered by the permutation that made out ----------
def _along(idx, x, axis):
    """``np.take_along_axis(x, idx, axis)`` as a getitem: differentiable and batchable."""
    index = list(np.indices(idx.shape, sparse=True))
    index[axis] = idx
    return getitem(x, *index)


def _inverse(perm, axis):
    """The inverse permutation along ``axis``: each position written where perm took it from."""
    n = perm.shape[axis]
    positions = np.arange(n).reshape((n,) + (1,) * (len(perm.shape) - axis - 1))
    index = list(np.indices(perm.shape, sparse=True))
    index[axis] = perm
    return index_set(np.zeros(perm.shape, np.intp), np.broadcast_to(positions, perm.shape),
                     *index)


def _sort_perm(out, x, axis):
    return _stable_argsort(x, axis=axis)


def _partition_perm(out, x, axis):
    """out[j] = x[perm[j]]: the r-th of out in stable order is the r-th of x in stable order."""
    return _along(_inverse(_stable_argsort(out, axis=axis), axis),
                  _stable_argsort(x, axis=axis), axis)


def _permutation_rules(f, perm_of, save):
    """Rules of ``f``, which permutes its input along ``axis``: ``perm_of(out, x, axis)``."""
    def perm(out, x, axis):
        if axis is None:  # the flattened input
            return perm_of(out, x.reshape(-1), 0), 0
        axis = axis % x.ndim
        return perm_of(out, x, axis), axis

    def jvp(t, out, x, axis, **params):
        p, ax = perm(out, x, axis)
        return _along(p, t if axis is not None else t.reshape(-1), ax)

    def vjp(g, out, x, axis, **params):
        p, ax = perm(out, x, axis)
        return _along(_inverse(p, ax), g, ax).reshape(x.shape)

    defrules(f, vjp=(vjp,), jvp=(jvp,), save=save)


_permutation_rules(sort, _sort_perm, save="args")
_permutation_rules(partition, _partition_perm, save="all")
for _f in (argsort, _stable_argsort, argpartition, _searchsorted, lexsort, unique):
    nondifferentiable(_f)


# -- batching: one NumPy call on the whole batch -----------------------------------------
def _along_axis_batch(f):
    """Batching rule of ``f`` along ``axis`` (None: the flattened example)."""
    def rule(args, dims, size, axis, **params):
        x = batch.to_front(args[0], dims[0], size)
        if axis is None:
            return f(x.reshape(size, -1), axis=1, **params), 0
        return f(x, axis=normalize_axis_tuple(axis, x.ndim - 1)[0] + 1, **params), 0
    return rule


def _lexsort_batch(args, dims, size, axis):
    keys = [batch.to_front(k, d, size) for k, d in zip(args, dims)]
    return lexsort(keys, axis=normalize_axis_tuple(axis, keys[0].ndim - 1)[0] + 1), 0


def _searchsorted_batch(args, dims, size, side):
    """One sorted ``a`` for all: NumPy's own call. A sorted ``a`` per example: ranks in
    rows (``searchsorted_rows``)."""
    (a, v), (da, dv) = args, dims
    if da is None:
        return _searchsorted(a, v, side=side), dv
    v = batch.to_front(v, dv, size)
    found = searchsorted_rows(batch.to_front(a, da, size), v.reshape(size, -1), side)
    return found.reshape(v.shape), 0


def searchsorted_rows(a, v, side):
    """searchsorted of each row of ``v`` (rows, m) in the same row of ``a`` (rows, n), each
    sorted: the number of a's before where v would go, that is v's slot in a stable sort
    of [v, a] ([a, v] for side="right": a tie then puts v after a), less its rank among
    v's. (statistics, signal and sets batch their searches with it too.)"""
    if side not in ("left", "right"):
        raise ValueError(f"search side must be 'left' or 'right' (got {side!r})")
    m, n = v.shape[1], a.shape[1]
    right = side == "right"
    both = concatenate([a, v] if right else [v, a], axis=1)
    slots = argsort(argsort(both, axis=1, kind="stable"), axis=1)
    ranks = argsort(argsort(v, axis=1, kind="stable"), axis=1)
    return (slots[:, n:] if right else slots[:, :m]) - ranks


def _unique_batch(args, dims, size, **params):
    raise ValueError("vmap: fgrad.numpy.unique cannot be batched: its output's shape depends "
                     "on the values (how many are distinct), so examples do not stack. Call "
                     "it outside vmap, or use sort and compare neighbours (fixed shape)")


for _f in (sort, argsort, _stable_argsort, partition, argpartition):
    defrules(_f, batch=_along_axis_batch(_f))
defrules(_searchsorted, batch=_searchsorted_batch)
defrules(lexsort, batch=_lexsort_batch)
defrules(unique, batch=_unique_batch)


@composite(np.searchsorted)
def searchsorted(a, v, side="left", sorter=None):
    """Where ``v`` would go in sorted ``a`` (``a[sorter]`` if given): no derivative."""
    if sorter is not None:
        a = getitem(a if isinstance(a, Box) else np.asarray(a), sorter)
    return _searchsorted(a, v, side=side)


@composite(np.sort_complex)
def sort_complex(a):
    """``a`` sorted along its last axis (real part first, then imaginary), as complex:
    complex64 for small integers, clongdouble for longdouble, else complex128."""
    b = sort(a if isinstance(a, Box) else np.asarray(a))
    if b.dtype.kind == "c":
        return b
    return astype(b, "F" if b.dtype.char in "bhBH" else "G" if b.dtype.char == "g" else "D")


# -- median and quantiles: sorted values at positions, with interpolation weights --------
def _slices(a, axis, keepdims):
    """``(x, shape)``: ``a``'s reduced axes merged into the last axis of ``x`` (in C order),
    the kept axes before it; ``shape``, the result's shape (before q's axes)."""
    a = a if isinstance(a, Box) else np.asarray(a)
    shape = a.shape
    axes = tuple(range(len(shape))) if axis is None else \
        tuple(sorted(normalize_axis_tuple(axis, len(shape))))
    kept = tuple(i for i in range(len(shape)) if i not in axes)
    if kept + axes != tuple(range(len(shape))):
        a = a.transpose(kept + axes)
    n = int(np.prod([shape[i] for i in axes]))
    x = a.reshape(tuple(shape[i] for i in kept) + (n,))
    if keepdims:
        return x, tuple(1 if i in axes else d for i, d in enumerate(shape))
    return x, tuple(shape[i] for i in kept)


def _kept(keepdims):
    return keepdims is not np._NoValue and bool(keepdims)


def _pick(s, idx):
    """``s[j, idx[..., j]]`` for each slice j of ``s`` (sorted along its last axis): the
    slices' axes last, q's (``idx``'s leading axes) first."""
    return getitem(s, *np.indices(s.shape[:-1], sparse=True), idx)


def _counts(x):
    """How many numbers (not NaN) each slice of ``x`` (along its last axis) holds."""
    return logical_not(isnan(x)).sum(axis=-1)


@composite(np.median)
def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """NumPy's median, differentiable: the mean of the middle one or two sorted values."""
    no_out(out, "median")
    x, shape = _slices(a, axis, _kept(keepdims))
    s = sort(x)
    n = x.shape[-1]
    m = s[..., n // 2 - 1:n // 2 + 1] if n % 2 == 0 else s[..., n // 2:n // 2 + 1]
    m = m.mean(axis=-1)
    if s.dtype.kind in "fc":  # a NaN sorts last and makes the median NaN
        m = where(isnan(s[..., -1]), s[..., -1], m)
    return m.reshape(shape)


@composite(np.nanmedian)
def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=np._NoValue):
    """NumPy's nanmedian, differentiable: the median of each slice's numbers."""
    no_out(out, "nanmedian")
    x, shape = _slices(a, axis, _kept(keepdims))
    s = sort(x)  # NaNs last
    n = _counts(x)
    m = (_pick(s, (n - 1) // 2) + _pick(s, n // 2)) / 2
    return where(n == 0, np.nan, m).reshape(shape)


def _round_half_even(v):
    """np.around(v), written with floor (which takes traced values)."""
    r = floor(v)
    d = v - r
    return where((d > 0.5) | ((d == 0.5) & (r % 2 == 1)), r + 1, r)


def _hyndman_fan(alpha, beta):
    """The continuous methods' virtual index n q + (alpha + q (1 - alpha - beta)) - 1."""
    return lambda n, q: n * q + (alpha + q * (1 - alpha - beta)) - 1


def _to_boundary(index, on_lower):
    """A discrete method's rank next to ``index(n, q)``: the one below where
    ``on_lower(fraction, index)``, else the one above; never below 0."""
    def rank(n, q):
        v = index(n, q)
        below = floor(v)
        r = where(on_lower(v - below, v), below, below + 1).astype(np.intp)
        return where(r < 0, 0, r)
    return rank


def _fraction(gamma, v):
    return gamma


# method -> (virtual index from the count n and q, the interpolation weight from the
# fraction and the index; None where the index is a whole rank), as NumPy computes them
_METHODS = {
    "inverted_cdf": (_to_boundary(lambda n, q: n * q - 1, lambda g, v: g == 0), None),
    "averaged_inverted_cdf": (lambda n, q: n * q - 1,
                              lambda g, v: where(g == 0, 0.5, 1.0)),
    "closest_observation": (_to_boundary(lambda n, q: n * q - 1 - 0.5,
                                         lambda g, v: (g == 0) & (floor(v) % 2 == 1)), None),
    "interpolated_inverted_cdf": (_hyndman_fan(0, 1), _fraction),
    "hazen": (_hyndman_fan(0.5, 0.5), _fraction),
    "weibull": (_hyndman_fan(0, 0), _fraction),
    "linear": (lambda n, q: (n - 1) * q, _fraction),
    "median_unbiased": (_hyndman_fan(1 / 3.0, 1 / 3.0), _fraction),
    "normal_unbiased": (_hyndman_fan(3 / 8.0, 3 / 8.0), _fraction),
    "lower": (lambda n, q: floor((n - 1) * q).astype(np.intp), None),
    "higher": (lambda n, q: ceil((n - 1) * q).astype(np.intp), None),
    "midpoint": (lambda n, q: 0.5 * (floor((n - 1) * q) + ceil((n - 1) * q)),
                 lambda g, v: where(v % 1 == 0, 0.0, 0.5)),
    "nearest": (lambda n, q: _round_half_even((n - 1) * q).astype(np.intp), None),
}


def _check_q(q, top, name):
    values = np.asarray(unbox(q))
    if values.ndim > 2:
        raise ValueError("q must be a scalar or 1d")
    if not np.all((values >= 0) & (values <= 1)):
        raise ValueError(f"{name} must be in the range [0, {top}]")


def _quantile(a, q, axis, method, keepdims, skip_nan, weights, weak_q):
    """The q-quantiles (q in [0, 1]) of ``a``: q's axes first, then the reduced shape."""
    if weights is not None:
        raise NotImplementedError("fgrad.numpy: quantiles with weights= are not "
                                  "differentiable yet; call NumPy's on plain arrays")
    if a.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    try:
        index_of, weight_of = _METHODS[method]
    except KeyError:
        raise ValueError(f"{method!r} is not a valid method. Use one of: "
                         f"{_METHODS.keys()}") from None
    x, shape = _slices(a, axis, _kept(keepdims))
    s = sort(x)  # NaNs last
    q_shape = q.shape
    q = q.reshape(q_shape + (1,) * (x.ndim - 1))  # q's axes, then the slices'
    if skip_nan:  # n as NumPy's Python int would promote with q
        count = _counts(x)
        n = count.astype(q.dtype)
    else:
        n = x.shape[-1]
    v = index_of(n, q)
    if v.dtype.kind in "iu":  # whole ranks: no interpolation
        out = _pick(s, v)
    else:
        above, below = v >= n - 1, v < 0  # both ends: the end value, as NumPy
        lower = floor(v)
        prev = where(below, 0, where(above, -1, lower)).astype(np.intp)
        succ = where(below, 0, where(above, -1, lower + 1)).astype(np.intp)
        t = weight_of(v - prev, v).astype(v.dtype)
        if skip_nan:  # -1 is the last number, before the NaNs
            prev, succ = where(prev < 0, prev + count, prev), where(succ < 0, succ + count, succ)
        out = _lerp(_pick(s, prev), _pick(s, succ), t, weak_q)
    if skip_nan:
        out = where(count == 0, np.nan, out)
    elif s.dtype.kind == "f":  # a NaN sorts last and makes the quantile NaN
        out = where(isnan(s[..., -1]), s[..., -1], out)
    return out.reshape(q_shape + shape)


def _lerp(a, b, t, weak):
    """NumPy's lerp: a + (b - a) t below t = 1/2, b - (b - a) (1 - t) from there on. A weak
    (Python float) t enters the products in a's precision, as NumPy promotes it."""
    upper, u = t >= 0.5, 1 - t
    if weak:
        dtype = np.result_type(a.dtype, 0.0)
        t, u = t.astype(dtype), u.astype(dtype)
    diff = b - a
    return where(upper, b - diff * u, a + diff * t)


def _quantile_family(np_fn, top, skip_nan):
    """NumPy's ``np_fn`` (percentile for top = 100, quantile for 1), on traced values."""
    name = np_fn.__name__
    what = "Percentiles" if top == 100 else "Quantiles"

    def f(a, q, axis=None, out=None, overwrite_input=False, method="linear",
          keepdims=np._NoValue if skip_nan else False, *, weights=None):
        no_out(out, name)
        weak_q = type(q) in (int, float)
        a = a if isinstance(a, Box) else np.asarray(a)
        q = q if isinstance(q, Box) else np.asanyarray(q)
        if top != 1:
            q = q / top if isinstance(q, Box) else np.true_divide(q, top)
        _check_q(q, top, what)
        return _quantile(a, q, axis, method, keepdims, skip_nan, weights, weak_q)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"NumPy's {name}, differentiable in a and in q.")
    return composite(np_fn)(f)


quantile = _quantile_family(np.quantile, 1, skip_nan=False)
percentile = _quantile_family(np.percentile, 100, skip_nan=False)
nanquantile = _quantile_family(np.nanquantile, 1, skip_nan=True)
nanpercentile = _quantile_family(np.nanpercentile, 100, skip_nan=True)
