"""Reductions and scans over axes: sums, products, extrema, moments, cumulative sums and
products, differences, and the boolean and index reductions that have no derivative.

``reduced_axes`` and ``expand`` are the one place that reads ``axis`` (None, int,
negative, tuple) and ``keepdims``: a reduction's cotangent is spread back over the
reduced axes by ``expand``. Primitives carry the rules (sum, mean, prod, max/min and
their nan forms, cumsum, cumprod); the rest are compositions of them, which call
NumPy's own function on plain arrays. ``where=`` masks are static parameters of the
primitives; a mask that is itself traced (vmap over masks) is folded into the data.

A result of an integer or boolean dtype (``sum(x, dtype=np.int64)``, the sum of a mask)
has no derivative under any transform, as in JAX: a twin primitive without rules stands in.
cumulative_sum and cumulative_prod (NumPy 2.1's names) exist on every NumPy.

Conventions where the derivative is undefined:
- max, min, amax, amin, nanmax, nanmin and ptp share the derivative evenly between ties
  (as JAX does); an ``initial`` equal to the result counts as one of the tied candidates.
  A max/min that is NaN (a NaN in the slice) has a NaN derivative.
- prod and cumprod have the exact derivative also where the input has zeros (no division).
- nanargmax, nanargmin, argmax, argmin: no derivative.
- nan* functions: derivative 0 at NaN positions; all-NaN slices keep NumPy's values
  (NaN for nanmean/nanvar/nanstd, 0 and 1 for nansum/nanprod) with derivative 0.
- std at zero spread (all elements equal) has derivative 0 (JAX gives NaN): std is a
  seminorm of x, convex, and 0 is in its subdifferential there, so 0 is a valid subgradient.
"""
import builtins
import operator

import numpy as np

from ..rules import defmultilinear, defrules, nondifferentiable
from ..tracer import Box, composite, no_out, primitive, unbox
from . import batch, broadcast, elementwise as ew, shape as shape_ops

__all__ = ["all", "allclose", "amax", "amin", "any", "argmax", "argmin", "array_equal",
           "array_equiv", "average", "count_nonzero", "cumprod", "cumsum", "cumulative_prod",
           "cumulative_sum", "diff", "ediff1d", "gradient", "max", "mean", "min", "nanargmax",
           "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmin", "nanprod",
           "nanstd", "nansum", "nanvar", "prod", "ptp", "std", "sum", "trapezoid", "var"]

_NoValue = np._NoValue
_times = ew.strong_multiply  # (co)tangent times local derivative: a zero stays zero


# -- axes ---------------------------------------------------------------------------

def _axis_tuple(axis, ndim):
    """``axis`` (int or tuple) as non-negative axes in the given order, checked as NumPy does.
    A 0-d array accepts axis 0 or -1 and reduces nothing."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    if ndim == 0:
        if builtins.all(operator.index(a) in (0, -1) for a in axes):
            return ()
    out = []
    for a in axes:
        a = operator.index(a)
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(a, ndim)
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError("duplicate value in 'axis'")
    return tuple(out)


def reduced_axes(axis, ndim):
    """``axis`` as a sorted tuple of non-negative axes (None means all)."""
    if axis is None:
        return tuple(range(ndim))
    return tuple(sorted(_axis_tuple(axis, ndim)))


def _keep(g, x, axis, keepdims):
    """``g``, the result of reducing ``x`` over ``axis``, with the reduced axes as length 1."""
    if keepdims:
        return g
    axes = reduced_axes(axis, len(x.shape))
    return shape_ops.reshape(g, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))


def expand(g, x, axis, keepdims):
    """Broadcast ``g``, the result of reducing ``x`` over ``axis``, back to ``x``'s shape."""
    return shape_ops.broadcast_to(_keep(g, x, axis, keepdims), x.shape)


def _count(x, axis):
    """How many elements of ``x`` each reduced output combines."""
    n = 1
    for a in reduced_axes(axis, len(x.shape)):
        n *= x.shape[a]
    return n


def _take(x, axis, start=None, stop=None, step=None):
    """``x[start:stop:step]`` along ``axis`` (non-negative)."""
    return x[(slice(None),) * axis + (slice(start, stop, step),)]


def _flip(x, axis):
    return _take(x, axis, step=-1)


def _array(x):
    return x if isinstance(x, Box) else np.asarray(x)


def _inexact(x):
    return x.dtype.kind in "fc"


# -- where= masks ---------------------------------------------------------------------

def _fill(a, mask, value):
    """``a`` with the elements outside a (traced) ``mask`` replaced by ``value``."""
    a = _array(a)
    return ew.where(mask, a, np.asarray(value, dtype=a.dtype))


def _masked(v, where):
    """``v`` times a constant ``where=`` mask (zero outside it)."""
    return v if where is True else v * np.asarray(where)


# -- results without a derivative -------------------------------------------------------
TWINS = {}  # primitive -> its twin with no derivative, for results of an integer dtype


def _differentiable(impl, name, **spec):
    """``impl`` as a primitive (``spec``: its data and params), and its twin with no
    derivative, which stands in when the result has an integer or boolean dtype
    (``dtype=np.int64``): such a result carries no derivative under any transform (as in JAX)."""
    prim = primitive(impl, name, **spec)
    TWINS[prim] = twin = primitive(impl, name, **spec)
    nondifferentiable(twin)
    return prim, twin


def _inexact_result(a, dtype):
    """Whether a sum, product or scan of ``a`` in ``dtype`` (None: a's own) is inexact."""
    return (a.dtype if dtype is None else np.dtype(dtype)).kind in "fc"


def _summing(ufunc, name, fill, doc):
    """``ufunc``'s reduce as NumPy's ``name`` (sum, prod): the public function and its
    primitive. The public function calls the reduce directly on plain values."""
    reduce = ufunc.reduce

    def impl(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
        return reduce(a, axis, dtype, out, keepdims, initial, where)

    prim, twin = _differentiable(impl, name, data="a",
                                 params={"axis": None, "dtype": None, "out": None,
                                         "keepdims": False, "initial": _NoValue, "where": True})

    def reduction(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue,
                  where=True):
        if out is not None:
            no_out(out, name)
        if isinstance(where, Box):
            a, where = _fill(a, where, fill), True
        elif not isinstance(a, Box):
            return reduce(a, axis, dtype, out, keepdims, initial, where)
        f = prim if _inexact_result(a, dtype) else twin
        return f(a, axis, dtype, None, keepdims, initial, where)
    return _public(reduction, prim, name, doc), prim


def _extremum(plain, name, doc):
    """NumPy's ``name`` (max, min, nanmax, nanmin) computed by ``plain``: the public
    function and its primitive."""
    prim = primitive(plain, name, data="a", params={"axis": None, "out": None, "keepdims": False,
                                                    "initial": _NoValue, "where": True})

    def reduction(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
        if out is not None:
            no_out(out, name)
        if isinstance(where, Box):
            if initial is _NoValue:
                raise ValueError(f"reduction operation '{name}' does not have an identity, so "
                                 "to use a where mask one has to specify 'initial'")
            a, where = _fill(a, where, initial), True
        elif not isinstance(a, Box):
            return plain(a, axis, out, keepdims, initial, where)
        return prim(a, axis, out, keepdims, initial, where)
    return _public(reduction, prim, name, doc), prim


def _logical(plain, name, fill, doc):
    """NumPy's ``name`` (all, any): the public function and its primitive."""
    prim = primitive(plain, name, data="a",
                     params={"axis": None, "out": None, "keepdims": False, "where": True})

    def reduction(a, axis=None, out=None, keepdims=False, *, where=True):
        if out is not None:
            no_out(out, name)
        if isinstance(where, Box):
            a, where = _fill(a, where, fill), True
        elif not isinstance(a, Box):
            return plain(a, axis, out, keepdims, where=where)
        return prim(a, axis, out, keepdims, where=where)
    return _public(reduction, prim, name, doc), prim


def _public(function, prim, name, doc):
    """``function`` as the user-facing face of ``prim`` (found through ``.prim``)."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.prim = prim.prim
    return function


def _np_max(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return np.maximum.reduce(a, axis, None, out, keepdims, initial, where)


def _np_min(a, axis=None, out=None, keepdims=False, initial=_NoValue, where=True):
    return np.minimum.reduce(a, axis, None, out, keepdims, initial, where)


sum, _sum = _summing(np.add, "sum", 0, "NumPy's sum, differentiable.")
prod, _prod = _summing(np.multiply, "prod", 1,
                       "NumPy's prod, differentiable, also where the input has zeros.")
max, _max = _extremum(_np_max, "max", "NumPy's max, differentiable; ties share the derivative.")
min, _min = _extremum(_np_min, "min", "NumPy's min, differentiable; ties share the derivative.")
nanmax, _nanmax = _extremum(np.nanmax, "nanmax",
                            "NumPy's nanmax, differentiable; NaNs get derivative 0.")
nanmin, _nanmin = _extremum(np.nanmin, "nanmin",
                            "NumPy's nanmin, differentiable; NaNs get derivative 0.")
amax, amin = max, min
all, _all = _logical(np.all, "all", True, "NumPy's all (no derivative).")
any, _any = _logical(np.any, "any", False, "NumPy's any (no derivative).")

_mean, _mean_twin = _differentiable(np.mean, "mean", data="a",
                                    params={"axis": None, "dtype": None, "out": None,
                                            "keepdims": False, "where": True})


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """NumPy's mean, differentiable (not with an integer ``dtype``)."""
    if out is not None:
        no_out(out, "mean")
    if isinstance(where, Box):
        return _traced_mask_mean(a, axis, dtype, keepdims, where)
    if isinstance(a, Box):
        f = _mean if dtype is None or np.dtype(dtype).kind in "fc" else _mean_twin
        return f(a, axis, dtype, out, keepdims, where=where)
    return np.mean(a, axis, dtype, out, keepdims, where=where)


mean.prim = _mean.prim


def _mean_dtype(a, dtype):
    """The dtype NumPy's mean accumulates in."""
    if dtype is None and a.dtype.kind in "biu":
        return np.dtype(np.float64)
    if dtype is None and a.dtype == np.float16:
        return np.dtype(np.float32)
    return dtype


def _traced_mask_mean(a, axis, dtype, keepdims, where):
    """mean(a, where=mask) for a traced mask: masked sum over count (NB: the sum adds
    zeros in place of the masked elements, so the last bit may differ from NumPy's)."""
    a = _array(a)
    total = sum(_fill(a, where, 0), axis, _mean_dtype(a, dtype), keepdims=keepdims)
    count = sum(shape_ops.broadcast_to(where, a.shape), axis, np.intp, keepdims=keepdims)
    avg = _divide_by_count(total, count)
    return avg if dtype is not None or a.dtype != np.float16 else avg.astype(a.dtype)


def _divide_by_count(total, count):
    """``total / count`` as NumPy's reductions divide: in the dtype promoted with the
    count's (float32 / intp in float64), cast back to ``total``'s dtype."""
    wide = np.result_type(total.dtype, np.asarray(count).dtype if not isinstance(count, Box)
                          else count.dtype)
    if wide == total.dtype:
        return total / count
    return (total.astype(wide) / count).astype(total.dtype)


# -- sum, mean: linear ------------------------------------------------------------------
# d sum(x) = sum(dx) over the mask (initial is a constant);  d mean(x) = mean(dx)
def _sum_vjp(g, out, x, axis, dtype, keepdims, initial, where):
    return broadcast.fit_dtype(_masked(expand(g, x, axis, keepdims), where), x.dtype)


defrules(_sum, vjp=(_sum_vjp,),
         jvp=(lambda t, out, x, axis, dtype, keepdims, initial, where:
              _sum(t, axis=axis, dtype=dtype, keepdims=keepdims, where=where),),
         save="shapes")


def _mean_weights(x, axis, where, dtype):
    """Each element's weight in its masked mean: mask / count (0 in an empty slice)."""
    mask = np.broadcast_to(where, x.shape)
    count = np.maximum(mask.sum(axis=reduced_axes(axis, len(x.shape)), keepdims=True), 1)
    return (mask / count).astype(np.finfo(dtype).dtype)


def _mean_vjp(g, out, x, axis, dtype, keepdims, where):
    if where is True:
        ct = expand(g, x, axis, keepdims) / _count(x, axis)
    else:
        ct = _keep(g, x, axis, keepdims) * _mean_weights(x, axis, where, g.dtype)
    return broadcast.fit_dtype(ct, x.dtype)


def _mean_jvp(t, out, x, axis, dtype, keepdims, where):
    if where is True:
        return _mean(t, axis=axis, dtype=dtype, keepdims=keepdims)
    return _sum(t * _mean_weights(x, axis, where, out.dtype), axis=axis, dtype=out.dtype,
                keepdims=keepdims)


defrules(_mean, vjp=(_mean_vjp,), jvp=(_mean_jvp,), save="shapes")


# -- prod -------------------------------------------------------------------------------
# d prod(x) = sum(dx * prod of the other elements); no division, so zeros are fine.
def _prod_of_others(x, axis):
    """Elementwise, the product of the other elements in each reduced group."""
    axes = reduced_axes(axis, len(x.shape))
    kept = tuple(i for i in range(len(x.shape)) if i not in axes)
    moved = shape_ops.transpose(x, kept + axes)
    flat = shape_ops.reshape(moved, moved.shape[:len(kept)] + (_count(x, axis),))
    others = _exclusive_cumprod(flat) * _exclusive_cumprod(flat[..., ::-1])[..., ::-1]
    others = shape_ops.reshape(others, moved.shape)
    return shape_ops.transpose(others, tuple(np.argsort(kept + axes)))


def _exclusive_cumprod(a):
    """Products of the elements before each one along the last axis (a doubling scan)."""
    n = a.shape[-1]
    if n == 0:
        return a
    ones = np.ones(a.shape[:-1] + (1,), dtype=a.dtype)
    scan = shape_ops.concatenate([ones, a[..., :-1]], axis=-1)
    k = 1
    while k < n:
        scan = shape_ops.concatenate([scan[..., :k], scan[..., k:] * scan[..., :-k]],
                                     axis=-1)
        k *= 2
    return scan


def _prod_partials(x, axis, initial, where):
    """d prod / dx: the product of the other unmasked elements, times ``initial``."""
    if where is not True:
        x = ew.where(where, x, np.ones((), x.dtype))
    others = _prod_of_others(x, axis)
    return others if initial is _NoValue else others * initial


def _prod_vjp(g, out, x, axis, dtype, keepdims, initial, where):
    ct = _times(_keep(g, x, axis, keepdims), _prod_partials(x, axis, initial, where))
    return broadcast.fit_dtype(_masked(ct, where), x.dtype)


def _prod_jvp(t, out, x, axis, dtype, keepdims, initial, where):
    return _sum(_times(t, _prod_partials(x, axis, initial, where)), axis=axis, dtype=dtype,
                keepdims=keepdims, where=where)


defrules(_prod, vjp=(_prod_vjp,), jvp=(_prod_jvp,), save="args")


# -- max, min, nanmax, nanmin -------------------------------------------------------------
# d max(x) = sum(dx * share), share = [x == max] / (number of ties)
def _extremum_share(out, x, axis, keepdims, initial, where, empty):
    """Each element's share of d out. A slice with no element equal to out (its max is
    NaN, or all-NaN for nanmax) gets ``empty``."""
    at = _keep(out, x, axis, keepdims)
    hits = ew.equal(x, at)
    if where is not True:
        hits = ew.logical_and(hits, where)
    count = _sum(hits, axis=axis, keepdims=True)
    if initial is not _NoValue:
        count = count + ew.equal(at, initial)
    if isinstance(count, Box) or not np.all(count):
        none = ew.equal(count, 0)
        share = ew.where(none, empty, hits / ew.where(none, 1, count))
    else:
        share = hits / count
    return share.astype(x.dtype)


def _extremum_rules(empty):
    """(VJP, JVP) of an extremum whose slices with no element equal to it get ``empty``."""
    def vjp(g, out, x, axis, keepdims, initial, where):
        share = _extremum_share(out, x, axis, keepdims, initial, where, empty)
        return _times(_keep(g, x, axis, keepdims), share)

    def jvp(t, out, x, axis, keepdims, initial, where):
        share = _extremum_share(out, x, axis, keepdims, initial, where, empty)
        return _sum(_times(t, share), axis=axis, keepdims=keepdims)
    return (vjp,), (jvp,)


for _f, _empty in ((_max, np.nan), (_min, np.nan), (_nanmax, 0), (_nanmin, 0)):
    _vjp, _jvp = _extremum_rules(_empty)
    defrules(_f, vjp=_vjp, jvp=_jvp, save="all")


# -- cumsum, cumprod ------------------------------------------------------------------
def _scan(np_fn, name, doc):
    """NumPy's ``name`` (cumsum, cumprod): the public function and its primitive."""
    prim, twin = _differentiable(np_fn, name, data="a",
                                 params={"axis": None, "dtype": None, "out": None})

    def scan(a, axis=None, dtype=None, out=None):
        if out is not None:
            no_out(out, name)
        if isinstance(a, Box):
            return (prim if _inexact_result(a, dtype) else twin)(a, axis, dtype)
        return np_fn(a, axis, dtype)
    return _public(scan, prim, name, doc), prim


cumsum, _cumsum = _scan(np.cumsum, "cumsum", "NumPy's cumsum, differentiable.")
cumprod, _cumprod = _scan(np.cumprod, "cumprod",
                          "NumPy's cumprod, differentiable, also where the input has zeros.")


def _scan_axis(x, axis):
    """(x as the scan sees it, the scan's axis): flattened for axis None (or a 0-d x)."""
    if axis is None or len(x.shape) == 0:
        return shape_ops.reshape(x, (-1,)), 0
    return x, _axis_tuple(axis, len(x.shape))[0]


# d cumsum(x) = cumsum(dx); its transpose sums from the end: a reversed cumsum
def _cumsum_vjp(g, out, x, axis, dtype):
    k = 0 if axis is None or len(x.shape) == 0 else _axis_tuple(axis, len(x.shape))[0]
    ct = _flip(cumsum(_flip(g, k), axis=k), k)
    return broadcast.fit_dtype(shape_ops.reshape(ct, x.shape), x.dtype)


defmultilinear(_cumsum, _cumsum_vjp, save="shapes")


def _linear_scan(a, b, axis):
    """h[i] = a[i] h[i-1] + b[i] along ``axis`` with h[-1] = 0, by recursive doubling:
    after the step of offset k, (a[i], b[i]) maps h[i - 2k] to h[i]."""
    n = b.shape[axis]
    k = 1
    while k < n:
        b = shape_ops.concatenate([_take(b, axis, None, k), _take(b, axis, k)
                                   + _take(a, axis, k) * _take(b, axis, None, -k)], axis=axis)
        if 2 * k < n:
            a = shape_ops.concatenate([_take(a, axis, None, k),
                                       _take(a, axis, k) * _take(a, axis, None, -k)], axis=axis)
        k *= 2
    return b


def _ones_slice(x, axis, dtype):
    return np.ones(x.shape[:axis] + (1,) + x.shape[axis + 1:], dtype)


def _exclusive(out, axis):
    """Products of the elements before each one: cumprod shifted by one, 1 first."""
    return shape_ops.concatenate([_ones_slice(out, axis, out.dtype),
                                  _take(out, axis, None, -1)], axis=axis)


# out[k] = prod(x[:k+1]):  d out[k] = x[k] d out[k-1] + out[k-1] dx[k], a linear recurrence
def _cumprod_jvp(t, out, x, axis, dtype):
    x, k = _scan_axis(x, axis)
    t, _ = _scan_axis(t, axis)
    return _linear_scan(x, _times(t, _exclusive(out, k)), k).astype(out.dtype)


# its transpose: ct[i] = out[i-1] s[i], with s[i] = g[i] + x[i+1] s[i+1] (from the end)
def _cumprod_vjp(g, out, x, axis, dtype):
    xs, k = _scan_axis(x, axis)
    next_x = shape_ops.concatenate([_take(xs, k, 1), _ones_slice(xs, k, xs.dtype)], axis=k)
    s = _flip(_linear_scan(_flip(next_x, k), _flip(g, k), k), k)
    return broadcast.fit_dtype(shape_ops.reshape(_times(s, _exclusive(out, k)), x.shape),
                               x.dtype)


defrules(_cumprod, vjp=(_cumprod_vjp,), jvp=(_cumprod_jvp,), save="all")


# -- no derivative: indices, booleans, counts -------------------------------------------
argmax = primitive(np.argmax, data="a", params={"axis": None, "out": None, "keepdims": False})
argmin = primitive(np.argmin, data="a", params={"axis": None, "out": None, "keepdims": False})
count_nonzero = primitive(np.count_nonzero, data="a", params={"axis": None, "keepdims": False})
nanargmax = primitive(np.nanargmax, data="a", params={"axis": None, "out": None,
                                                      "keepdims": False})
nanargmin = primitive(np.nanargmin, data="a", params={"axis": None, "out": None,
                                                      "keepdims": False})
for _f in (argmax, argmin, nanargmax, nanargmin, count_nonzero, _all, _any):
    nondifferentiable(_f)


# -- batching: the batch axis first, each example's axes shifted past it ---------------------
def _batch_reduction(f):
    def rule(args, dims, size, axis, **params):
        x = batch.to_front(args[0], dims[0], size)
        axes = tuple(a + 1 for a in reduced_axes(axis, np.ndim(x) - 1))
        return f(x, axis=axes, **params), 0
    return rule


def _batch_along_one_axis(f, keeps_shape):
    """Batching rule of a function of one axis (scans, argmax): axis None (or a 0-d
    example) flattens each example first; ``keeps_shape``: keepdims restores its rank."""
    def rule(args, dims, size, axis, **params):
        x = batch.to_front(args[0], dims[0], size)
        n = np.ndim(x) - 1
        if axis is not None and n > 0:
            return f(x, axis=_axis_tuple(axis, n)[0] + 1, **params), 0
        out = f(shape_ops.reshape(x, (size, -1)), axis=1, **params)
        if keeps_shape and params.get("keepdims"):
            out = shape_ops.reshape(out, (size,) + (1,) * n)
        return out, 0
    return rule


for _f in (_sum, _mean, _prod, _max, _min, _nanmax, _nanmin, _all, _any,
           TWINS[_sum], TWINS[_mean], TWINS[_prod]):
    defrules(_f, batch=_batch_reduction(_f))
for _f in (_cumsum, _cumprod, TWINS[_cumsum], TWINS[_cumprod]):
    defrules(_f, batch=_batch_along_one_axis(_f, False))
for _f in (argmax, argmin, nanargmax, nanargmin):
    defrules(_f, batch=_batch_along_one_axis(_f, True))
defrules(count_nonzero, batch=_batch_reduction(count_nonzero))


# -- compositions -------------------------------------------------------------------------
def _bool(v):
    """A Python bool, as NumPy's comparisons of whole arrays return, unless traced."""
    return v if isinstance(v, Box) else builtins.bool(v)


@composite(np.allclose)
def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """NumPy's allclose (no derivative)."""
    return _bool(all(ew.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


@composite(np.array_equal)
def array_equal(a1, a2, equal_nan=False):
    """NumPy's array_equal (no derivative)."""
    a1, a2 = _array(a1), _array(a2)
    if a1.shape != a2.shape:
        return False
    same = ew.equal(a1, a2)
    if equal_nan and _inexact(a1) and _inexact(a2):
        same = ew.logical_or(same, ew.logical_and(ew.isnan(a1), ew.isnan(a2)))
    return _bool(all(same))


@composite(np.array_equiv)
def array_equiv(a1, a2):
    """NumPy's array_equiv (no derivative)."""
    try:
        np.broadcast_shapes(np.shape(a1), np.shape(a2))
    except ValueError:
        return False
    return _bool(all(ew.equal(a1, a2)))


@composite(np.ptp)
def ptp(a, axis=None, out=None, keepdims=False):
    """NumPy's ptp: max - min, each sharing its derivative between ties."""
    no_out(out, "ptp")
    return ew.subtract(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def _sqrt_flat_at_zero(v):
    """sqrt(v) with derivative 0 where v == 0 (std's convention) or NaN."""
    positive = ew.greater(v, 0)
    return ew.where(positive, ew.sqrt(ew.where(positive, v, 1)), v * 0)


def _items(a, axis, keepdims, where):
    """How many elements each output of a reduction of ``a`` combines (NumPy's rcount)."""
    if where is True:
        return np.intp(_count(a, axis))
    mask = shape_ops.broadcast_to(where, a.shape)
    return sum(mask, axis, np.intp, keepdims=keepdims)


def _ddof(ddof, correction):
    if correction is _NoValue:
        return ddof
    if ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def _sum_of_squares(x):
    """|x|^2 elementwise, as NumPy's var squares: re^2 + im^2 for complex x."""
    if x.dtype.kind == "c":
        return ew.add(ew.square(x.real), ew.square(x.imag))
    return ew.square(x)


@composite(np.var)
def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=_NoValue, correction=_NoValue):
    """NumPy's var, differentiable (NumPy's own steps, so the same values)."""
    no_out(out, "var")
    ddof = _ddof(ddof, correction)
    a = _array(a)
    if dtype is None and a.dtype.kind in "biu":
        dtype = np.dtype(np.float64)
    if mean is not _NoValue and mean is not None:
        centre = mean
    else:
        centre = _divide_by_count(sum(a, axis, dtype, keepdims=True, where=where),
                                  _items(a, axis, True, where))
    total = sum(_sum_of_squares(ew.subtract(a, centre)), axis, dtype, keepdims=keepdims,
                where=where)
    return _divide_by_count(total, ew.maximum(_items(a, axis, keepdims, where) - ddof, 0))


@composite(np.std)
def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
        mean=_NoValue, correction=_NoValue):
    """NumPy's std, differentiable; derivative 0 where all elements are equal."""
    return _sqrt_flat_at_zero(var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                                  correction=correction))


@composite(np.average)
def average(a, axis=None, weights=None, returned=False, *, keepdims=_NoValue):
    """NumPy's average, differentiable in ``a`` and ``weights``."""
    a = _array(a)
    if axis is not None:
        axis = _axis_tuple(axis, a.ndim)
    keep = {} if keepdims is _NoValue else {"keepdims": keepdims}
    if weights is None:
        avg = mean(a, axis, **keep)
        scale = avg.dtype.type(a.size / avg.size)
    else:
        w = _array(weights)
        kinds = (a.dtype, w.dtype) + ((np.float64,) if a.dtype.kind in "biu" else ())
        result_dtype = np.result_type(*kinds)
        if a.shape != w.shape:
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            if w.shape != tuple(a.shape[ax] for ax in axis):
                raise ValueError("Shape of weights must be consistent with shape of a along "
                                 "specified axis.")
            w = shape_ops.transpose(w, tuple(np.argsort(axis)))
            w = shape_ops.reshape(w, tuple(s if ax in axis else 1
                                           for ax, s in enumerate(a.shape)))
        scale = sum(w, axis, result_dtype, **keep)
        if np.any(unbox(scale) == 0.0):
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        product = ew.multiply(a if a.dtype == result_dtype else a.astype(result_dtype),
                              w if w.dtype == result_dtype else w.astype(result_dtype))
        avg = sum(product, axis, **keep) / scale
    if not returned:
        return avg
    if np.shape(scale) != np.shape(avg):
        scale = shape_ops.broadcast_to(scale, np.shape(avg))
        scale = scale if isinstance(scale, Box) else scale.copy()
    return avg, scale


# -- the nan* functions: NaN replaced by the identity, so it gets derivative 0 -------------
def _nan_to(a, value):
    return ew.where(ew.isnan(a), np.asarray(value, a.dtype), a)


@composite(np.nansum)
def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    """NumPy's nansum, differentiable; NaNs count as 0."""
    a = _array(a)
    return sum(_nan_to(a, 0) if _inexact(a) else a, axis, dtype, out, keepdims, initial, where)


@composite(np.nanprod)
def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=_NoValue, where=True):
    """NumPy's nanprod, differentiable; NaNs count as 1."""
    a = _array(a)
    return prod(_nan_to(a, 1) if _inexact(a) else a, axis, dtype, out, keepdims, initial, where)


@composite(np.nancumsum)
def nancumsum(a, axis=None, dtype=None, out=None):
    """NumPy's nancumsum, differentiable; NaNs count as 0."""
    a = _array(a)
    return cumsum(_nan_to(a, 0) if _inexact(a) else a, axis, dtype, out)


@composite(np.nancumprod)
def nancumprod(a, axis=None, dtype=None, out=None):
    """NumPy's nancumprod, differentiable; NaNs count as 1."""
    a = _array(a)
    return cumprod(_nan_to(a, 1) if _inexact(a) else a, axis, dtype, out)


def _cumulative(scan, identity, name):
    """NumPy 2.1's cumulative_sum / cumulative_prod: ``scan`` along one axis (required
    beyond 1-d), with the identity first when ``include_initial``."""
    def cumulative(x, /, *, axis=None, dtype=None, out=None, include_initial=False):
        no_out(out, name)
        x = _array(x)
        if x.ndim == 0:
            x = shape_ops.reshape(x, (1,))
        if axis is None:
            if x.ndim > 1:
                raise ValueError("For arrays which have more than one dimension ``axis`` "
                                 "argument is required.")
            axis = 0
        axis = _axis_tuple(axis, x.ndim)[0]
        res = scan(x, axis, dtype)
        if include_initial:
            first = np.full(x.shape[:axis] + (1,) + x.shape[axis + 1:], identity, res.dtype)
            res = shape_ops.concatenate([first, res], axis=axis)
        return res
    cumulative.__name__ = cumulative.__qualname__ = name
    cumulative.__doc__ = (f"NumPy's {name} (NumPy 2.1; here on every NumPy), differentiable: "
                          f"{scan.__name__} with the identity first when include_initial.")
    np_fn = getattr(np, name, None)
    return cumulative if np_fn is None else composite(np_fn)(cumulative)


cumulative_sum = _cumulative(cumsum, 0, "cumulative_sum")
cumulative_prod = _cumulative(cumprod, 1, "cumulative_prod")


@composite(np.ediff1d)
def ediff1d(ary, to_end=None, to_begin=None):
    """NumPy's ediff1d: differences of the flattened ``ary``, with ``to_begin`` and
    ``to_end`` (cast to ary's dtype) around them; differentiable in all three."""
    ary = shape_ops.ravel(_array(ary))
    pieces = [ary[1:] - ary[:-1]]
    for extra, where, at in ((to_begin, "to_begin", 0), (to_end, "to_end", 1)):
        if extra is None:
            continue
        extra = extra if isinstance(extra, Box) else np.asanyarray(extra)
        if not np.can_cast(extra.dtype, ary.dtype, casting="same_kind"):
            raise TypeError(f"dtype of `{where}` must be compatible with input `ary` under "
                            "the `same_kind` rule.")
        extra = shape_ops.ravel(extra)
        extra = extra if extra.dtype == ary.dtype else ew.astype(extra, ary.dtype)
        pieces.insert(at * len(pieces), extra)
    return pieces[0] if len(pieces) == 1 else shape_ops.concatenate(pieces)


def _check_inexact_dtype(dtype):
    if dtype is not None and np.dtype(dtype).kind not in "fc":
        raise TypeError("If a is inexact, then dtype must be inexact")


def _divide_or_nan(total, count, bad):
    """total / count, NaN where ``bad``: no division by zero, so derivative 0 there."""
    if not isinstance(bad, Box) and not np.any(bad):
        return _divide_by_count(total, count)
    return ew.where(bad, np.asarray(np.nan, total.dtype),
                    _divide_by_count(total, ew.where(bad, 1, count)))


@composite(np.nanmean)
def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=True):
    """NumPy's nanmean, differentiable; NaNs are left out, all-NaN slices give NaN."""
    no_out(out, "nanmean")
    a = _array(a)
    if not _inexact(a):
        return mean(a, axis, dtype, keepdims=keepdims, where=where)
    _check_inexact_dtype(dtype)
    nan = ew.isnan(a)
    count = sum(ew.logical_not(nan), axis, np.intp, keepdims=keepdims, where=where)
    total = sum(_nan_to(a, 0), axis, dtype, keepdims=keepdims, where=where)
    return _divide_or_nan(total, count, ew.equal(count, 0))


@composite(np.nanvar)
def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=_NoValue, correction=_NoValue):
    """NumPy's nanvar, differentiable; NaNs are left out, slices with no degrees of
    freedom give NaN."""
    no_out(out, "nanvar")
    a = _array(a)
    if not _inexact(a):
        return var(a, axis, dtype, ddof=ddof, keepdims=keepdims, where=where, mean=mean,
                   correction=correction)
    _check_inexact_dtype(dtype)
    ddof = _ddof(ddof, correction)
    nan = ew.isnan(a)
    count = sum(ew.logical_not(nan), axis, np.intp, keepdims=True, where=where)
    if mean is not _NoValue:
        centre = mean
    else:
        centre = _divide_or_nan(sum(_nan_to(a, 0), axis, dtype, keepdims=True, where=where),
                                count, ew.equal(count, 0))
    deviation = ew.where(nan, np.zeros((), a.dtype), ew.subtract(a, centre))
    if deviation.dtype.kind == "c":
        squares = ew.multiply(deviation, ew.conj(deviation)).real
    else:
        squares = ew.multiply(deviation, deviation)
    total = sum(squares, axis, dtype, keepdims=keepdims, where=where)
    dof = shape_ops.reshape(count, np.shape(total)) - ddof
    return _divide_or_nan(total, dof, ew.less_equal(dof, 0))


@composite(np.nanstd)
def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=True,
           mean=_NoValue, correction=_NoValue):
    """NumPy's nanstd, differentiable; derivative 0 where all elements are equal."""
    return _sqrt_flat_at_zero(nanvar(a, axis, dtype, out, ddof, keepdims, where=where,
                                     mean=mean, correction=correction))


# -- differences and integrals ---------------------------------------------------------
@composite(np.diff)
def diff(a, n=1, axis=-1, prepend=_NoValue, append=_NoValue):
    """NumPy's diff, differentiable in ``a``, ``prepend`` and ``append``."""
    if n == 0:
        return a
    if n < 0:
        raise ValueError("order must be non-negative but got " + repr(n))
    a = _array(a)
    if a.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    axis = _axis_tuple(axis, a.ndim)[0]
    pieces = []
    for extra in (prepend, a, append):
        if extra is a:
            pieces.append(a)
        elif extra is not _NoValue:
            extra = _array(extra)
            if extra.ndim == 0:
                extra = shape_ops.broadcast_to(extra, a.shape[:axis] + (1,) + a.shape[axis + 1:])
            pieces.append(extra)
    if len(pieces) > 1:
        a = shape_ops.concatenate(pieces, axis)
    op = ew.not_equal if a.dtype == np.bool_ else ew.subtract
    for _ in range(n):
        a = op(_take(a, axis, 1), _take(a, axis, None, -1))
    return a


def _trapezoid(y, x=None, dx=1.0, axis=-1):
    """NumPy's trapezoid, differentiable in ``y``, ``x`` and ``dx``."""
    y = _array(y)
    axis = _axis_tuple(axis, y.ndim)[0]
    if x is None:
        d = dx
    else:
        x = _array(x)
        if x.ndim == 1:
            d = diff(x)
            d = shape_ops.reshape(d, tuple(d.shape[0] if i == axis else 1
                                           for i in range(y.ndim)))
        else:
            d = diff(x, axis=axis)
    return (d * (_take(y, axis, 1) + _take(y, axis, None, -1)) / 2.0).sum(axis)


trapezoid = composite(getattr(np, "trapezoid", None) or np.trapz)(_trapezoid)
trapezoid.__name__ = trapezoid.__qualname__ = "trapezoid"
if hasattr(np, "trapz"):
    trapz = composite(np.trapz)(_trapezoid)
    trapz.__name__ = trapz.__qualname__ = "trapz"
    __all__.append("trapz")


@composite(np.gradient)
def gradient(f, *varargs, axis=None, edge_order=1):
    """NumPy's gradient, differentiable in ``f`` and in the spacings. Coordinates that
    are traced always take the non-uniform formula (NumPy switches to the uniform one
    when the coordinates are evenly spaced, which would cut their derivative)."""
    f = _array(f)
    axes = tuple(range(f.ndim)) if axis is None else _axis_tuple(axis, f.ndim)
    if not varargs:
        spacings = [1.0] * len(axes)
    elif len(varargs) == 1 and np.ndim(varargs[0]) == 0:
        spacings = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacings = [_spacing(d, f.shape[ax]) for d, ax in zip(varargs, axes)]
    else:
        raise TypeError("invalid number of arguments")
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    otype = f.dtype
    if not _inexact(f):
        if f.dtype.kind in "iu":
            f = f.astype(np.float64)
        otype = np.dtype(np.float64)
    outs = []
    for ax, h in zip(axes, spacings):
        if f.shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")
        outs.append(_gradient_along(f, ax, h, edge_order, otype))
    return outs[0] if len(axes) == 1 else tuple(outs)


def _spacing(d, n):
    """A spacing argument of gradient: a scalar, or the steps between coordinates ``d``."""
    if np.ndim(d) == 0:
        return d
    if np.ndim(d) != 1:
        raise ValueError("distances must be either scalars or 1d")
    if len(d) != n:
        raise ValueError("when 1d, distances must match the length of the corresponding "
                         "dimension")
    d = _array(d)
    if d.dtype.kind in "iu":
        d = d.astype(np.float64)
    steps = diff(d)
    if not isinstance(steps, Box) and (steps == steps[0]).all():
        return steps[0]
    return steps


def _gradient_along(f, axis, h, edge_order, otype):
    """One axis of gradient: central differences inside, one-sided at the two edges,
    written with NumPy's own formulas and operation order."""
    def s(start, stop):
        return _take(f, axis, start, stop)

    uniform = np.ndim(h) == 0
    if uniform:
        inside = (s(2, None) - s(None, -2)) / (2. * h)
    else:
        dx1, dx2 = h[0:-1], h[1:]
        shape = tuple(-1 if i == axis else 1 for i in range(f.ndim))
        a = shape_ops.reshape(-(dx2) / (dx1 * (dx1 + dx2)), shape)
        b = shape_ops.reshape((dx2 - dx1) / (dx1 * dx2), shape)
        c = shape_ops.reshape(dx1 / (dx2 * (dx1 + dx2)), shape)
        inside = a * s(None, -2) + b * s(1, -1) + c * s(2, None)
    if edge_order == 1:
        first = (s(1, 2) - s(0, 1)) / (h if uniform else h[0])
        last = (s(-1, None) - s(-2, -1)) / (h if uniform else h[-1])
    else:
        if uniform:
            a, b, c = -1.5 / h, 2. / h, -0.5 / h
        else:
            dx1, dx2 = h[0], h[1]
            a = -(2. * dx1 + dx2) / (dx1 * (dx1 + dx2))
            b = (dx1 + dx2) / (dx1 * dx2)
            c = - dx1 / (dx2 * (dx1 + dx2))
        first = a * s(0, 1) + b * s(1, 2) + c * s(2, 3)
        if uniform:
            a, b, c = 0.5 / h, -2. / h, 1.5 / h
        else:
            dx1, dx2 = h[-2], h[-1]
            a = (dx2) / (dx1 * (dx1 + dx2))
            b = - (dx2 + dx1) / (dx1 * dx2)
            c = (2. * dx2 + dx1) / (dx2 * (dx1 + dx2))
        last = a * s(-3, -2) + b * s(-2, -1) + c * s(-1, None)
    pieces = [p if p.dtype == otype else p.astype(otype) for p in (first, inside, last)]
    return shape_ops.concatenate(pieces, axis=axis)
