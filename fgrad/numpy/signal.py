"""Signals: convolution and correlation, interpolation, phase unwrapping, windows.

convolve and correlate are NumPy's own calls (their values are NumPy's), bilinear in
their two arguments (correlate conjugates the second, as NumPy's does). Both are the
zero-padded cross-correlation ``_xcorr``, out[k] = sum_j a[k + j - lo] w[j], of one
argument with the other reversed (or conjugated); its transposes are cross-correlations
again, so ``_xcorr`` carries the VJPs and the batching rules, on stacks of signals. VJPs
are plain transposes (no conjugation), as everywhere in fgrad.

interp is NumPy's own call; its derivative is that of the line through the two knots
around x: d out = (1 - u) dfp[i] + u dfp[i+1] + s (dx - (1 - u) dxp[i] - u dxp[i+1]),
u = (x - xp[i]) / (xp[i+1] - xp[i]), s the slope. Where that is undefined, JAX's
convention: at a knot, the interval to its right (the last one at the last knot);
below xp[0] and above xp[-1] the derivative goes to ``left`` and ``right`` (fp[0] and
fp[-1] by default); an interval of width zero has its right value. unwrap is a
composition (the multiples of the period it adds are constant: derivative 1 in p), and
kaiser is differentiable in beta; the other windows take only a length.
"""
import numpy as np

from ..rules import defmultilinear, defrules
from ..tracer import Box, composite, primitive, unbox
from . import batch
from .broadcast import batch_first, fit_dtype, unbroadcast
from .elementwise import astype, conj, i0, maximum, minimum, remainder, where
from .indexing import getitem, index_add, take_along_axis
from .order import argsort, searchsorted, searchsorted_rows
from .reductions import cumsum, diff
from .shape import concatenate, flip, reshape, static_value

__all__ = ["bartlett", "blackman", "convolve", "correlate", "hamming", "hanning", "interp",
           "kaiser", "unwrap"]

bartlett, blackman, hamming, hanning = np.bartlett, np.blackman, np.hamming, np.hanning


def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _inexact(x):
    """Whether ``x`` (an argument of a rule) can carry a cotangent."""
    return isinstance(getattr(x, "dtype", None), np.dtype) and x.dtype.kind in "fc"


# -- the stacked cross-correlation -------------------------------------------------------

def _xcorr_impl(a, w, lo=0, hi=0):
    """out[..., k] = sum_j ap[..., k + j] w[..., j], ``ap`` being ``a`` with ``lo`` zeros
    before it and ``hi`` after (a negative count crops instead); leading axes broadcast."""
    n, m = a.shape[-1], w.shape[-1]
    core = a[..., max(-lo, 0):max(n - max(-hi, 0), 0)]
    dtype = np.result_type(a, w)
    ap = np.zeros(a.shape[:-1] + (core.shape[-1] + max(lo, 0) + max(hi, 0),), dtype)
    ap[..., max(lo, 0):max(lo, 0) + core.shape[-1]] = core
    length = max(ap.shape[-1] - m + 1, 0)
    out = np.zeros(np.broadcast_shapes(a.shape[:-1], w.shape[:-1]) + (length,), dtype)
    if m <= length:  # one pass per tap
        for j in range(m):
            out += ap[..., j:j + length] * w[..., j:j + 1]
    else:  # one pass per output
        for k in range(length):
            out[..., k] = (ap[..., k:k + m] * w).sum(axis=-1)
    return out


_xcorr = primitive(_xcorr_impl, "xcorr", data="a w", params={"lo": 0, "hi": 0})


def _xcorr_batch(args, dims, size, lo, hi):
    """Batch axes first, each example's leading axes padded to the same rank."""
    rank = max(batch.ndim_of_example(x, d) for x, d in zip(args, dims))
    moved = []
    for x, d in zip(args, dims):
        if d is not None:
            x = batch_first(x, d)
            x = reshape(x, (size,) + (1,) * (rank + 1 - x.ndim) + x.shape[1:])
        moved.append(x)
    return _xcorr(*moved, lo=lo, hi=hi), 0


# xcorr is bilinear; a's transpose correlates g with w reversed (the pads mirrored),
# w's correlates a with g
defmultilinear(_xcorr,
               lambda g, out, a, w, lo, hi: unbroadcast(
                   _xcorr(g, flip(w, -1), lo=w.shape[-1] - 1 - lo, hi=w.shape[-1] - 1 - hi), a),
               lambda g, out, a, w, lo, hi: unbroadcast(_xcorr(a, g, lo=lo, hi=hi), w),
               save="args", batch=_xcorr_batch)


# -- convolve, correlate ----------------------------------------------------------------

def _mode(mode):
    """NumPy's reading of ``mode``: 'valid', 'same' or 'full' (by first letter) or 0, 1, 2."""
    if isinstance(mode, str):
        mode = {"v": 0, "s": 1, "f": 2}[mode.lower()[0]]
    return ("valid", "same", "full")[mode]


def _pads(n, m, mode):
    """(lo, hi) of np.correlate(a, v) = xcorr(a, conj(v), lo, hi), len(a) = n, len(v) = m."""
    mode = _mode(mode)
    if mode == "full":
        return m - 1, m - 1
    if mode == "valid":
        return (0, 0) if n >= m else (m - n, m - n)
    return (m // 2, m - 1 - m // 2) if n >= m else (m - 1 - n // 2, m - n + n // 2)


def _convolve_plan(n, m, mode):
    """(swap, lo, hi): np.convolve(a, v) = xcorr(s, r reversed, lo, hi), where (s, r) is
    (a, v), or (v, a) when ``swap`` (v is the longer)."""
    k = min(n, m)
    lo, hi = _pads(max(n, m), k, mode)
    return m > n, lo, hi


def _flat(x):
    return reshape(x, (-1,)) if x.ndim != 1 else x


def _convolve_vjp(i):
    """The cotangent of argument i of convolve: the signal's, or the reversed kernel's."""
    def rule(g, out, a, v, mode):
        x = (a, v)[i]
        if not _inexact(x):
            return None
        a1, v1 = _flat(a), _flat(v)
        swap, lo, hi = _convolve_plan(a1.shape[0], v1.shape[0], mode)
        signal, kernel = (v1, a1) if swap else (a1, v1)
        k = kernel.shape[0]
        if (i == 1) == swap:  # x is the signal
            ct = _xcorr(g, kernel, lo=k - 1 - lo, hi=k - 1 - hi)
        else:
            ct = flip(_xcorr(signal, g, lo=lo, hi=hi), 0)
        return fit_dtype(reshape(ct, x.shape), x.dtype)
    return rule


def _correlate_vjp_a(g, out, a, v, mode):
    if not _inexact(a):
        return None
    v1 = _flat(v)
    m = v1.shape[0]
    lo, hi = _pads(_flat(a).shape[0], m, mode)
    return fit_dtype(reshape(_xcorr(g, flip(_conj(v1), 0), lo=m - 1 - lo, hi=m - 1 - hi),
                             a.shape), a.dtype)


def _correlate_vjp_v(g, out, a, v, mode):
    if not _inexact(v):
        return None
    a1 = _flat(a)
    lo, hi = _pads(a1.shape[0], _flat(v).shape[0], mode)
    return fit_dtype(reshape(_conj(_xcorr(a1, g, lo=lo, hi=hi)), v.shape), v.dtype)


def _conj(x):
    return conj(x) if x.dtype.kind == "c" else x


def _rows(x, d, size):
    """A signal as rows: (size, n) when batched, (n,) when shared."""
    if d is None:
        return _flat(x)
    x = batch_first(x, d)
    return reshape(x, (size, -1))


def _check_lengths(n, m):
    if n == 0:
        raise ValueError("a cannot be empty")
    if m == 0:
        raise ValueError("v cannot be empty")


def _convolve_batch(args, dims, size, mode):
    _check_depth(args, dims, 0)
    a, v = (_rows(x, d, size) for x, d in zip(args, dims))
    n, m = a.shape[-1], v.shape[-1]
    _check_lengths(n, m)
    swap, lo, hi = _convolve_plan(n, m, mode)
    signal, kernel = (v, a) if swap else (a, v)
    return _xcorr(signal, flip(kernel, -1), lo=lo, hi=hi), 0


def _check_depth(args, dims, least):
    """NumPy's errors for arguments that are not 1-d (convolve reads 0-d ones as 1-d)."""
    for x, d in zip(args, dims):
        ndim = batch.ndim_of_example(x, d)
        if ndim > 1:
            raise ValueError("object too deep for desired array")
        if ndim < least:
            raise ValueError("object of too small depth for desired array")


def _correlate_batch(args, dims, size, mode):
    _check_depth(args, dims, 1)
    a, v = (_rows(x, d, size) for x, d in zip(args, dims))
    _check_lengths(a.shape[-1], v.shape[-1])
    lo, hi = _pads(a.shape[-1], v.shape[-1], mode)
    return _xcorr(a, _conj(v), lo=lo, hi=hi), 0


convolve = primitive(np.convolve, data="a v", params={"mode": "full"})
correlate = primitive(np.correlate, data="a v", params={"mode": "valid"})
defmultilinear(convolve, _convolve_vjp(0), _convolve_vjp(1), save="args",
               batch=_convolve_batch)
defmultilinear(correlate, _correlate_vjp_a, _correlate_vjp_v, save="args",
               batch=_correlate_batch)


# -- interp ---------------------------------------------------------------------------

def _np_interp(x, xp, fp, left, right):
    """np.interp, with ends that are arrays (traced values) passed as Python scalars, as
    NumPy takes complex ones."""
    left, right = (v.item() if isinstance(v, (np.ndarray, np.generic)) else v
                   for v in (left, right))
    return np.interp(x, xp, fp, left, right)


_interp = primitive(_np_interp, "interp", data="x xp fp left right")


def _search(xp, x):
    """searchsorted(xp, x, "right"): one sorted xp, or one per row of a (rows, n) xp."""
    if xp.ndim == 1:
        return searchsorted(xp, x, side="right")
    return searchsorted_rows(xp, x, "right")


def _at(v, i):
    return getitem(v, i) if v.ndim == 1 else take_along_axis(v, i, axis=-1)


def _ends(xp):
    if xp.ndim == 1:
        return xp[0], xp[-1]
    return xp[:, :1], xp[:, -1:]


def _knots(x, xp, fp):
    """Where x falls among the knots xp (the rules' view): the knots (i, j) of its interval,
    u = (x - xp[i]) / (xp[j] - xp[i]) (1 in an interval of width 0), the slope s, and
    whether x is below xp[0] or above xp[-1]. ``xp``, ``fp``: (n,), or (rows, n) with x
    (rows, N)."""
    n = xp.shape[-1]
    i = maximum(minimum(_search(xp, x), n - 1) - 1, 0)
    j = minimum(i + 1, n - 1)
    a, b = _at(xp, i), _at(xp, j)
    h = b - a
    flat = h == 0
    width = where(flat, 1, h)
    u = where(flat, 1, (x - a) / width)
    s = where(flat, 0, (_at(fp, j) - _at(fp, i)) / width)
    first, last = _ends(xp)
    return i, j, u, s, x < first, x > last


def _interp_jvp(tangents, out, x, xp, fp, left, right):
    t_x, t_xp, t_fp, t_left, t_right = tangents
    i, j, u, s, below, above = _knots(x, xp, fp)
    inside = None
    if t_fp is not None:
        inside = (1 - u) * getitem(t_fp, i) + u * getitem(t_fp, j)
    if t_xp is not None:
        moved = -s * ((1 - u) * getitem(t_xp, i) + u * getitem(t_xp, j))
        inside = moved if inside is None else inside + moved
    if t_x is not None:
        inside = s * t_x if inside is None else inside + s * t_x
    t = np.zeros(out.shape, out.dtype)
    if inside is not None:
        t = where(below | above, t, inside)
    for end, t_end, mask, k in ((left, t_left, below, 0), (right, t_right, above, -1)):
        if end is None and t_fp is not None:  # the end is fp's
            t_end = t_fp[k]
        if t_end is not None:
            t = t + where(mask, t_end, 0)
    return fit_dtype(t, out.dtype)


def _interp_vjp(g, out, x, xp, fp, left, right):
    i, j, u, s, below, above = _knots(x, xp, fp)
    g_in = where(below | above, 0, g)
    n = xp.shape[0]

    def spread(c_i, c_j, like):  # sum the cotangents into the two knots of each x
        return fit_dtype(index_add(index_add(np.zeros(n, g.dtype), c_i, i), c_j, j), like.dtype)

    def end(mask, like):
        return None if not _inexact(like) else fit_dtype(
            where(mask, g, 0).sum().reshape(like.shape), like.dtype)

    ct_fp = None
    if _inexact(fp):
        ct_fp = spread((1 - u) * g_in, u * g_in, fp)
        for value, mask, k in ((left, below, 0), (right, above, n - 1)):
            if value is None:  # the end is fp's
                ct_fp = index_add(ct_fp, fit_dtype(where(mask, g, 0).sum(), fp.dtype), k)
    return (fit_dtype(g_in * s, x.dtype) if _inexact(x) else None,
            spread(-s * (1 - u) * g_in, -s * u * g_in, xp) if _inexact(xp) else None,
            ct_fp, end(below, left), end(above, right))


def _interp_batch(args, dims, size):
    """One NumPy call when the knots are shared; else the line through the knots, row by
    row (the values then agree with NumPy's to rounding)."""
    x, xp, fp, left, right = args
    if all(d is None for d in dims[1:]):
        return _interp(x, xp, fp, left, right), dims[0]
    x = batch.to_front(x, dims[0], size)
    shape = x.shape
    x = reshape(x, (size, -1))
    xp, fp = (batch.to_front(v, d, size) for v, d in zip((xp, fp), dims[1:3]))
    left, right = (default[:, None] if v is None else
                   v if d is None else batch.to_front(v, d, size)[:, None]
                   for v, d, default in ((left, dims[3], fp[:, 0]), (right, dims[4], fp[:, -1])))
    i, j, u, s, below, above = _knots(x, xp, fp)
    fa, fb, a = _at(fp, i), _at(fp, j), _at(xp, i)
    inside = where((u == 1) & (x == _at(xp, j)), fb, s * (x - a) + fa)
    out = where(below, left, where(above, right, inside))
    return astype(reshape(out, shape), np.result_type(fp.dtype, np.float64)), 0


defrules(_interp, vjp=_interp_vjp, jvp=_interp_jvp, save="args", batch=_interp_batch)


@composite(np.interp)
def interp(x, xp, fp, left=None, right=None, period=None):
    """NumPy's interp, differentiable in x, xp, fp, left, right and period."""
    x, xp, fp = _array(x), _array(xp), _array(fp)
    if period is not None:
        if np.any(unbox(period) == 0):
            raise ValueError("period must be a non-zero value")
        period = abs(period)
        left = right = None
        kind = np.complex128 if fp.dtype.kind == "c" else np.float64
        x, xp, fp = astype(x, np.float64), astype(xp, np.float64), astype(fp, kind)
        if xp.ndim != 1 or fp.ndim != 1:
            raise ValueError("Data points must be 1-D sequences")
        if xp.shape[0] != fp.shape[0]:
            raise ValueError("fp and xp are not of the same length")
        x, xp = remainder(x, period), remainder(xp, period)
        order = argsort(xp)
        xp, fp = getitem(xp, order), getitem(fp, order)
        xp = concatenate((xp[-1:] - period, xp, xp[0:1] + period))
        fp = concatenate((fp[-1:], fp, fp[0:1]))
    return _interp(x, xp, fp, left, right)


# -- unwrap, windows ----------------------------------------------------------------------

@composite(np.unwrap)
def unwrap(p, discont=None, axis=-1, *, period=2 * np.pi):
    """NumPy's unwrap: p plus the multiples of ``period`` that undo its jumps (derivative 1
    in p; the jumps' multiples are constants, so d period counts them)."""
    p = _array(p)
    dd = diff(p, axis=axis)
    if discont is None:
        discont = period / 2
    dtype = np.result_type(dd, period)
    if np.issubdtype(dtype, np.integer):
        interval_high, rem = divmod(period, 2)
        boundary_ambiguous = static_value(rem == 0, "unwrap's period")
    else:
        interval_high, boundary_ambiguous = period / 2, True
    interval_low = -interval_high
    ddmod = remainder(dd - interval_low, period) + interval_low
    if boundary_ambiguous:  # a jump of exactly half the period keeps its sign
        ddmod = where((ddmod == interval_low) & (dd > 0), interval_high, ddmod)
    ph_correct = where(abs(dd) < discont, 0, ddmod - dd)
    ax = axis % p.ndim
    first = getitem(p, *(slice(None),) * ax, slice(None, 1))
    rest = getitem(p, *(slice(None),) * ax, slice(1, None)) + cumsum(ph_correct, axis=ax)
    return concatenate((astype(first, dtype), astype(rest, dtype)), axis=ax)


@composite(np.kaiser)
def kaiser(M, beta):
    """NumPy's Kaiser window of length M, differentiable in ``beta``."""
    M = float(static_value(M, "kaiser's length"))
    beta = _array(beta)
    beta = astype(beta, np.result_type(beta, np.float64))
    if M == 1:
        return np.ones(1, beta.dtype)
    n = np.arange(0, M)
    alpha = (M - 1) / 2.0
    return i0(beta * np.sqrt(1 - ((n - alpha) / alpha) ** 2.0)) / i0(beta)
