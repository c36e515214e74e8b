"""Statistics over data: covariance, correlation, histograms, counts and bins.

cov and corrcoef are compositions that take NumPy's own steps (so their values are
NumPy's), differentiable in the data and in ``aweights``. A histogram counts the samples
in each bin: the counts have no derivative in the samples (they are piecewise constant),
but sums of ``weights`` are linear in the weights, and the bin edges (returned, and
``histogram_bin_edges``) are differentiable in the data through its minimum and maximum
(when no ``range`` is given), in ``range`` and in explicit edges; ``density`` divides by
the bin widths, so it has those derivatives too. Three primitives carry the rules:
``_bin_index`` (which bin each sample falls in: no derivative), ``_bin_count`` (no
derivative) and ``_bin_sum`` (linear in the weights: its transpose reads the cotangent
at each sample's bin). bincount is linear in ``weights``; digitize has no derivative.

Conventions: bins are NumPy's (each holds its left edge, the last its right edge too;
values outside the edges, and NaNs, count nowhere), and so is the range's widening by
1/2 each way when the data are all equal (the derivative of the edges then is that of
the data's one value). Under vmap, an automatic number of bins (bins="auto", ...) and
bincount's length must be the same for every example: else an error that says so.
"""
import builtins
import operator
import warnings

import numpy as np

from ..rules import defrules, nondifferentiable
from ..tracer import Box, composite, primitive, unbox
from . import batch
from .broadcast import fit_dtype
from .diagonals import diag
from .elementwise import astype, clip, sqrt, where
from .indexing import getitem, take_along_axis
from .order import searchsorted, searchsorted_rows
from .products import dot
from .reductions import average, cumsum, diff
from .shape import concatenate, linspace_steps, reshape, stack

__all__ = ["bincount", "corrcoef", "cov", "digitize", "histogram", "histogram2d",
           "histogram_bin_edges", "histogramdd"]


def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _traced(x):
    return isinstance(x, Box) or (isinstance(x, (list, tuple)) and any(map(_traced, x)))


def _as_array(x):
    """``x`` as an array: traced values as they are, sequences holding them stacked."""
    if isinstance(x, (list, tuple)) and _traced(x):
        return stack([_as_array(e) for e in x])
    return _array(x)


def _any(x):
    """Whether ``x`` holds True for some example (traced flags are read, not traced)."""
    return bool(np.any(unbox(x)))


# -- cov, corrcoef -------------------------------------------------------------------

def _matrix(x, dtype):
    """NumPy's ``array(x, ndmin=2, dtype=dtype)`` for a traced or plain ``x``."""
    if not isinstance(x, Box):
        return np.array(x, ndmin=2, dtype=dtype)
    if x.dtype != dtype:
        x = astype(x, dtype)
    return x if x.ndim >= 2 else reshape(x, (1,) * (2 - x.ndim) + x.shape)


def _sample_weights(w, n, name):
    """``fweights`` or ``aweights``, checked as NumPy checks them, as float64."""
    w = astype(w, np.float64) if isinstance(w, Box) else np.asarray(w, dtype=float)
    values = np.asarray(unbox(w))
    if name == "fweights" and not np.all(values == np.around(values)):
        raise TypeError("fweights must be integer")
    if w.ndim > 1:
        raise RuntimeError(f"cannot handle multidimensional {name}")
    if w.shape[0] != n:
        raise RuntimeError(f"incompatible numbers of samples and {name}")
    if np.any(values < 0):
        raise ValueError(f"{name} cannot be negative")
    return w


@composite(np.cov)
def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
        dtype=None):
    """NumPy's cov, differentiable in ``m``, ``y`` and ``aweights``."""
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = _as_array(m)
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    if y is not None:
        y = _as_array(y)
        if y.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    if dtype is None:
        dtype = np.result_type(m, np.float64) if y is None else np.result_type(m, y, np.float64)
    X = _matrix(m, np.dtype(dtype))
    if not rowvar and m.ndim != 1:
        X = X.T
    if X.shape[0] == 0:
        return np.array([]).reshape(0, 0)
    if y is not None:
        Y = _matrix(y, np.dtype(dtype))
        if not rowvar and Y.shape[0] != 1:
            Y = Y.T
        X = concatenate((X, Y), axis=0)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        w = fweights = _sample_weights(fweights, X.shape[1], "fweights")
    if aweights is not None:
        aweights = _sample_weights(aweights, X.shape[1], "aweights")
        w = aweights if w is None else w * aweights
    avg, w_sum = average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        fact = X.shape[1] - ddof
    elif ddof == 0:
        fact = w_sum
    elif aweights is None:
        fact = w_sum - ddof
    else:  # NumPy sums w * aweights with Python's sum: in order, as cumsum does
        fact = w_sum - ddof * cumsum(w * aweights)[-1] / w_sum
    if _any(fact <= 0):
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=2)
        fact = where(fact <= 0, 0.0, fact) if isinstance(fact, Box) else 0.0
    X = X - avg[:, None]
    X_T = X.T if w is None else (X * w).T
    c = dot(X, X_T.conj() if X_T.dtype.kind == "c" else X_T)
    return (c * np.true_divide(1, fact) if not isinstance(fact, Box) else c * (1 / fact)).squeeze()


@composite(np.corrcoef)
def corrcoef(x, y=None, rowvar=True, *, dtype=None):
    """NumPy's corrcoef, differentiable; values clipped to [-1, 1] (clip's derivative)."""
    c = cov(x, y, rowvar, dtype=dtype)
    if np.ndim(c) == 0:  # one variable: nan for a zero, nan or inf variance, else 1
        return c / c
    d = diag(c)
    stddev = sqrt(d.real)
    c = c / stddev[:, None]
    c = c / stddev[None, :]
    if c.dtype.kind != "c":
        return clip(c, -1, 1)
    return clip(c.real, -1, 1) + 1j * clip(c.imag, -1, 1)


# -- histograms: three primitives ----------------------------------------------------

_BLOCK = 65536  # np.histogram sums its weights in blocks of this many samples


def _search_right(edges, v):
    """``searchsorted(edges, v, side="right")`` along the last axis, row by row when the
    edges have leading (batch) axes."""
    if edges.ndim == 1:
        return np.searchsorted(edges, v, side="right")
    lead = np.broadcast_shapes(edges.shape[:-1], v.shape[:-1])
    rows = int(np.prod(lead))
    e = np.broadcast_to(edges, lead + edges.shape[-1:]).reshape(rows, -1)
    return searchsorted_rows(e, np.broadcast_to(v, lead + v.shape[-1:]).reshape(rows, -1),
                             "right").reshape(lead + v.shape[-1:])


def _bin_index_impl(sample, *edges):
    """The flat bin of each sample point (``sample``: (..., N, D)), or the number of bins
    for a point outside every bin; ``edges[i]``: (..., n_i + 1) along dimension i."""
    sizes = [e.shape[-1] - 1 for e in edges]
    flat = np.zeros(sample.shape[:-1], np.intp)
    outside = np.zeros(sample.shape[:-1], bool)
    for i, (e, n) in enumerate(zip(edges, sizes)):
        v = sample[..., i]
        k = _search_right(e, v) - 1
        k = np.where(v == e[..., -1:], n - 1, k)  # the last bin holds its right edge
        outside |= (k < 0) | (k >= n)
        flat = flat * n + k
    return np.where(outside, int(np.prod(sizes)), flat)


def _unbatched(w, sample, edges):
    return sample.ndim == 2 and all(e.ndim == 1 for e in edges) and (w is None or w.ndim == 1)


def _bin_sums_impl(w, sample, *edges, kind):
    """Per bin, the sum of the weights ``w`` (None: the count) of the points of ``sample``
    in it, shaped (..., n_1, ..., n_D), in the dtype NumPy gives: ``kind`` "dd" is
    histogramdd's (float64), "1d" np.histogram's with explicit edges, "1d-uniform" with
    evenly spaced ones (the weights' dtype, intp counts)."""
    if kind == "1d" and w is not None and _unbatched(w, sample, edges):
        return np.histogram(sample[:, 0], edges[0], weights=w)[0]  # NumPy's cumulative sums
    index = _bin_index_impl(sample, *edges)
    sizes = tuple(e.shape[-1] - 1 for e in edges)
    lead = np.broadcast_shapes(index.shape[:-1], () if w is None else w.shape[:-1])
    rows, n, bins = int(np.prod(lead)), index.shape[-1], int(np.prod(sizes))
    index = (np.broadcast_to(index, lead + (n,)).reshape(rows, n)
             + np.arange(rows)[:, None] * (bins + 1))
    if w is not None:
        w = np.broadcast_to(w, lead + (n,)).reshape(rows, n)

    step = _BLOCK if kind == "1d-uniform" else max(n, 1)

    def bincount(weights):
        total = 0
        for i in range(0, max(n, 1), step):
            part = None if weights is None else weights[:, i:i + step].ravel()
            found = np.bincount(index[:, i:i + step].ravel(), part,
                                minlength=rows * (bins + 1)).reshape(rows, bins + 1)[:, :bins]
            total = total + (found if kind == "dd" or weights is None
                             else found.astype(weights.dtype))
        return total

    if w is None:
        out = bincount(None)
        out = out.astype(float) if kind == "dd" else out
    elif w.dtype.kind == "c" and kind != "dd":  # real and imaginary parts apart, as NumPy
        out = np.zeros((rows, bins), w.dtype)
        out.real, out.imag = bincount(w.real), bincount(w.imag)
    else:
        out = bincount(w)
    return out.reshape(lead + sizes)


def _bin_count_impl(sample, *edges, kind):
    return _bin_sums_impl(None, sample, *edges, kind=kind)


_bin_index = primitive(_bin_index_impl, "bin_index")
_bin_count = primitive(_bin_count_impl, "bin_count")
_bin_sum = primitive(_bin_sums_impl, "bin_sum")


# d bin_sum(w) = bin_sum(dw);  its transpose reads the cotangent at each sample's bin
def _bin_sum_vjp(g, out, w, sample, *edges, kind):
    d = len(edges)
    flat = reshape(g, g.shape[:g.ndim - d] + (-1,))
    flat = concatenate([flat, np.zeros(flat.shape[:-1] + (1,), g.dtype)], axis=-1)
    index = _bin_index(sample, *edges)
    ct = getitem(flat, index) if flat.ndim == 1 else take_along_axis(flat, index, axis=-1)
    return [fit_dtype(ct.reshape(w.shape) if ct.shape != w.shape else ct, w.dtype)] + \
        [None] * (1 + d)


def _bin_sum_jvp(tangents, out, w, sample, *edges, kind):
    if tangents[0] is None:  # the samples and edges move no count
        return np.zeros(out.shape, out.dtype)
    return fit_dtype(_bin_sum(tangents[0], sample, *edges, kind=kind), out.dtype)


def _points_batch(f, first_points):
    """Batching rule of a primitive of (weights,) sample, *edges: samples (and weights)
    with the batch axis first; edges too where they are batched (else shared)."""
    def rule(args, dims, size, **params):
        moved = [batch.to_front(x, d, size) if i < first_points or d is not None else x
                 for i, (x, d) in enumerate(zip(args, dims))]
        return f(*moved, **params), 0
    return rule


defrules(_bin_sum, vjp=_bin_sum_vjp, jvp=_bin_sum_jvp, save="args",
         batch=_points_batch(_bin_sum, 2))
for _f in (_bin_index, _bin_count):
    nondifferentiable(_f)
defrules(_bin_index, batch=_points_batch(_bin_index, 1))
defrules(_bin_count, batch=_points_batch(_bin_count, 1))


# -- bin edges ------------------------------------------------------------------------

def _outer_edges(a, range):
    """The first and last edge, from ``range`` or from the data (NumPy's rules)."""
    if range is not None:
        first, last = range
        if _any(first > last):
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.all(np.isfinite(unbox(first))) and np.all(np.isfinite(unbox(last)))):
            raise ValueError(f"supplied range of [{first}, {last}] is not finite")
    elif a.size == 0:
        first, last = 0, 1
    else:
        first, last = a.min(), a.max()
        if not (np.all(np.isfinite(unbox(first))) and np.all(np.isfinite(unbox(last)))):
            raise ValueError(f"autodetected range of [{unbox(first)}, {unbox(last)}] is "
                             "not finite")
    if not _traced((first, last)):
        if first == last:
            first, last = first - 0.5, last + 0.5
        return first, last
    same = first == last  # widened where equal: example by example under vmap
    return where(same, first - 0.5, first), where(same, last + 0.5, last)


def _monotonic_edges(edges, message):
    edges = _array(edges)
    if edges.shape[0] > 1 and _any(edges[:-1] > edges[1:]):
        raise ValueError(message)
    return edges


def _bin_edges(a, bins, range, weights):
    """(edges, uniform) of np.histogram for the raveled ``a``."""
    if isinstance(bins, str):
        if isinstance(a, Box) and np.shape(unbox(a)) != a.shape:
            raise ValueError(f"vmap: bins={bins!r} picks a number of bins from the values "
                             "of each example, so the histograms of a batch need not "
                             "stack: give the number of bins")
        n = len(np.histogram_bin_edges(unbox(a), bins, unbox(range),
                                       None if weights is None else unbox(weights))) - 1
    elif np.ndim(bins) == 0:
        try:
            n = operator.index(bins)
        except TypeError as e:
            raise TypeError("`bins` must be an integer, a string, or an array") from e
        if n < 1:
            raise ValueError("`bins` must be positive, when an integer")
    elif np.ndim(bins) == 1:
        return _monotonic_edges(_as_array(bins), "`bins` must increase monotonically, "
                                                 "when an array"), False
    else:
        raise ValueError("`bins` must be 1d, when an array")
    first, last = _outer_edges(a, range)
    bin_type = np.result_type(first, last, a)
    if np.issubdtype(bin_type, np.integer):
        bin_type = np.result_type(bin_type, float)
    edges = _linspace(first, last, n + 1, bin_type)
    if _any(edges[:-1] >= edges[1:]):
        raise ValueError(f"Too many bins for data range. Cannot create {n} finite-sized bins.")
    return edges, True


def _linspace(first, last, num, dtype=None):
    """np.linspace(first, last, num, dtype=dtype): NumPy's own for plain end points, else
    its steps with traced ones (creation's linspace ranks above this family)."""
    if not _traced((first, last)):
        return np.linspace(first, last, num, dtype=dtype)
    stand_in = np.zeros((), first.dtype)[()] if isinstance(first, Box) else first
    return linspace_steps(first, stand_in, last if isinstance(last, Box) else np.asarray(last),
                          num, 0, dtype, endpoint=True)


def _ravel_checked(a, weights):
    a = _array(a)
    if a.dtype == np.bool_:
        warnings.warn(f"Converting input from {a.dtype} to {np.uint8} for compatibility.",
                      RuntimeWarning, stacklevel=3)
        a = astype(a, np.uint8)
    if weights is not None:
        weights = _array(weights)
        if weights.shape != a.shape:
            raise ValueError("weights should have the same shape as a.")
        weights = reshape(weights, (-1,))
    return reshape(a, (-1,)), weights


def _counts(sample, edges, weights, kind):
    return (_bin_count(sample, *edges, kind=kind) if weights is None
            else _bin_sum(weights, sample, *edges, kind=kind))


@composite(np.histogram_bin_edges)
def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """NumPy's histogram_bin_edges, differentiable in the data's extremes (when no range is
    given), in ``range`` and in explicit edges."""
    a, weights = _ravel_checked(a, weights)
    return _bin_edges(a, bins, range, weights)[0]


@composite(np.histogram)
def histogram(a, bins=10, range=None, density=None, weights=None):
    """NumPy's histogram: counts (or sums of ``weights``, linear in them) and the edges."""
    a, weights = _ravel_checked(a, weights)
    edges, uniform = _bin_edges(a, bins, range, weights)
    n = _counts(reshape(a, (-1, 1)), (edges,), weights, "1d-uniform" if uniform else "1d")
    if density:
        db = astype(diff(edges), np.float64)
        return n / db / n.sum(), edges
    return n, edges


def _histdd_edges(column, bins, range, i):
    if np.ndim(bins) == 0:
        if bins < 1:
            raise ValueError(f"`bins[{i}]` must be positive, when an integer")
        first, last = _outer_edges(column, range)
        try:
            n = operator.index(bins)
        except TypeError as e:
            raise TypeError(f"`bins[{i}]` must be an integer, when a scalar") from e
        return _linspace(first, last, n + 1)
    if np.ndim(bins) == 1:
        return _monotonic_edges(_as_array(bins), f"`bins[{i}]` must be monotonically "
                                                 "increasing, when an array")
    raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")


@composite(np.histogramdd)
def histogramdd(sample, bins=10, range=None, density=None, weights=None):
    """NumPy's histogramdd: counts (or sums of ``weights``, linear in them) and the edges."""
    if isinstance(sample, (list, tuple)) or np.ndim(sample) != 2:
        sample = _as_array(sample)
        sample = reshape(sample, (1, -1)) if sample.ndim < 2 else sample
        sample = sample.T
    sample = _array(sample)
    n, d = sample.shape
    if weights is not None:
        weights = _array(weights)
    try:
        if len(bins) != d:
            raise ValueError("The dimension of bins must be equal to the dimension of the "
                             "sample x.")
    except TypeError:
        bins = d * [bins]
    if range is None:
        range = (None,) * d
    elif len(range) != d:
        raise ValueError("range argument must have one entry per dimension")
    edges = [_histdd_edges(sample[:, i], bins[i], range[i], i) for i in builtins.range(d)]
    hist = _counts(sample, edges, weights, "dd")
    if density:
        s = hist.sum()
        for i, e in enumerate(edges):
            shape = [1] * d
            shape[i] = e.shape[0] - 1
            hist = hist / reshape(diff(e), tuple(shape))
        hist = hist / s
    return hist, edges



@composite(np.histogram2d)
def histogram2d(x, y, bins=10, range=None, density=None, weights=None):
    """NumPy's histogram2d: histogramdd of the points (x, y)."""
    try:
        count = len(bins)
    except TypeError:
        count = 1
    if count != 1 and count != 2:
        bins = [bins, bins]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


# -- bincount, digitize ---------------------------------------------------------------

_bincount = primitive(np.bincount, "bincount", data="x weights", params={"minlength": 0})


def bincount(x, /, weights=None, minlength=0):
    """NumPy's bincount, differentiable in ``weights`` (the counts of x have no derivative)."""
    if isinstance(x, Box) or isinstance(weights, Box):
        return _bincount(x, weights, minlength)
    return np.bincount(x, weights, minlength)


bincount.prim = _bincount.prim


# d bincount(x, w) = bincount(x, dw);  its transpose reads the cotangent at each x
def _bincount_vjp(g, out, x, weights, minlength):
    if weights is None or weights.dtype.kind not in "fc":
        return None, None
    return None, fit_dtype(getitem(g, x), weights.dtype)


def _bincount_jvp(tangents, out, x, weights, minlength):
    if tangents[1] is None:
        return np.zeros(out.shape, out.dtype)
    return _bincount(x, tangents[1], minlength=out.shape[0])


def _bincount_batch(args, dims, size, minlength):
    """Each example's counts in its own stretch of one bincount: the examples must need the
    same length (minlength at least every example's largest value + 1 makes sure)."""
    (x, w), (dx, dw) = args, dims
    x = np.asarray(unbox(batch.to_front(x, dx, size)))
    if x.ndim != 2:
        raise ValueError("object too deep for desired array" if x.ndim > 2 else
                         "object of too small depth for desired array")
    if x.size and x.min() < 0:
        raise ValueError("'list' argument must have no negative elements")
    lengths = {max(minlength, int(row.max()) + 1 if row.size else 0) for row in x}
    if len(lengths) > 1:
        raise ValueError("vmap: bincount's length (the largest value + 1) differs between the "
                         "examples of the batch: pass minlength at least that large")
    length = lengths.pop() if lengths else minlength
    flat = (x + np.arange(size)[:, None] * length).ravel()
    if w is not None:
        w = reshape(batch.to_front(w, dw, size), (-1,))
    return reshape(_bincount(flat, w, minlength=size * length), (size, length)), 0


defrules(_bincount, vjp=_bincount_vjp, jvp=_bincount_jvp, batch=_bincount_batch, save="args")


@composite(np.digitize)
def digitize(x, bins, right=False):
    """NumPy's digitize (no derivative): the index of the bin of each x."""
    x, bins = _array(x), _array(bins)
    if x.dtype.kind == "c":
        raise TypeError("x may not be complex")
    if bins.ndim != 1:
        raise ValueError("object too deep for desired array" if bins.ndim > 1 else
                         "object of too small depth for desired array")
    rising, falling = (bins[1:] >= bins[:-1]).all(), (bins[1:] <= bins[:-1]).all()
    if not np.all(unbox(rising) | unbox(falling)):
        raise ValueError("bins must be monotonically increasing or decreasing")
    side = "left" if right else "right"
    up = np.all(unbox(rising))
    if up or not np.any(unbox(rising)):  # one direction (for every example)
        return searchsorted(bins, x, side=side) if up else \
            bins.shape[0] - searchsorted(bins[::-1], x, side=side)
    return where(rising, searchsorted(bins, x, side=side),
                 bins.shape[0] - searchsorted(bins[::-1], x, side=side))
