"""Reductions over axes: sum, mean, prod, max, min, with their VJPs and JVPs.

A reduction's cotangent is spread back over the reduced axes by ``expand``,
the one helper that handles ``axis`` (int, tuple, negative, None) and ``keepdims``.
Ties in max / min share the derivative evenly (as JAX does).
"""
import numpy as np

from ..rules import defbatch, defjvp, defmultilinear, defvjp
from ..tracer import Box, bind, primitive
from . import batch, broadcast, elementwise, shape as shape_ops


def reduced_axes(axis, ndim):
    """``axis`` as a sorted tuple of non-negative axes (None means all)."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim if ndim else a for a in axes))


def expand(g, x, axis, keepdims):
    """Broadcast ``g``, the result of reducing ``x`` over ``axis``, back to ``x``'s shape."""
    if not keepdims:
        axes = reduced_axes(axis, len(x.shape))
        g = shape_ops.reshape(g, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return shape_ops.broadcast_to(g, x.shape)


def _count(x, axis):
    """How many elements of ``x`` each reduced output combines."""
    n = 1
    for a in reduced_axes(axis, len(x.shape)):
        n *= x.shape[a]
    return n


def _reduction(np_fn, name, doc):
    """The public reduction: NumPy's signature, and NumPy itself on plain arrays."""
    prim = primitive(np_fn, name)

    def reduce(a, axis=None, dtype=None, out=None, keepdims=False):
        if out is not None:
            raise TypeError(f"fgrad.numpy.{name} does not take out=: use the returned value")
        params = {"axis": axis, "keepdims": keepdims}
        if dtype is not None:
            params["dtype"] = dtype
        if isinstance(a, Box):
            return bind(prim.prim, (a,), params)
        return np_fn(a, **params)

    reduce.__name__ = reduce.__qualname__ = name
    reduce.prim = prim.prim
    reduce.__doc__ = doc
    return reduce


# NB: ufunc reductions are what np.sum & co. call for arrays, minus a Python layer.
sum = _reduction(np.add.reduce, "sum", "NumPy's sum, differentiable.")
mean = _reduction(np.mean, "mean", "NumPy's mean, differentiable.")
prod = _reduction(np.multiply.reduce, "prod",
                  "NumPy's prod, differentiable, also where x has zeros.")
_max = _reduction(np.maximum.reduce, "max", "")
_min = _reduction(np.minimum.reduce, "min", "")


def max(a, axis=None, out=None, keepdims=False):
    """NumPy's max, differentiable; ties share the derivative evenly."""
    return _max(a, axis, None, out, keepdims)


def min(a, axis=None, out=None, keepdims=False):
    """NumPy's min, differentiable; ties share the derivative evenly."""
    return _min(a, axis, None, out, keepdims)


max.prim, min.prim = _max.prim, _min.prim
amax, amin = max, min


# d sum(x) = sum(dx);  d mean(x) = mean(dx)  (cast back from any dtype= of the output)
defmultilinear(sum, lambda g, out, x, axis=None, keepdims=False, dtype=None:
               broadcast.fit_dtype(expand(g, x, axis, keepdims), x.dtype), save="shapes")
defmultilinear(mean, lambda g, out, x, axis=None, keepdims=False, dtype=None:
               broadcast.fit_dtype(expand(g, x, axis, keepdims) / _count(x, axis), x.dtype),
               save="shapes")


# d max(x) = sum(dx * share), share = [x == max] / (number of ties)
def _extremum_share(out, x, axis, keepdims):
    hits = elementwise.equal(x, expand(out, x, axis, keepdims))
    return (hits / sum(hits, axis=axis, keepdims=True)).astype(x.dtype)


for _extremum in (max, min):
    defvjp(_extremum, lambda g, out, x, axis=None, keepdims=False, dtype=None:
           expand(g, x, axis, keepdims) * _extremum_share(out, x, axis, keepdims))
    defjvp(_extremum, lambda t, out, x, axis=None, keepdims=False, dtype=None:
           sum(t * _extremum_share(out, x, axis, keepdims), axis=axis, keepdims=keepdims))


# d prod(x) = sum(dx * prod of the other elements); no division, so zeros are fine.
def _prod_of_others(x, axis):
    """Elementwise, the product of the other elements in each reduced group."""
    axes = reduced_axes(axis, len(x.shape))
    kept = tuple(i for i in range(len(x.shape)) if i not in axes)
    moved = shape_ops.transpose(x, kept + axes)
    flat = shape_ops.reshape(moved, moved.shape[:len(kept)] + (-1,))
    others = _exclusive_cumprod(flat) * _exclusive_cumprod(flat[..., ::-1])[..., ::-1]
    others = shape_ops.reshape(others, moved.shape)
    return shape_ops.transpose(others, tuple(np.argsort(kept + axes)))


def _exclusive_cumprod(a):
    """Products of the elements before each one along the last axis (a doubling scan)."""
    n = a.shape[-1]
    ones = np.ones(a.shape[:-1] + (1,), dtype=a.dtype)
    scan = shape_ops.concatenate([ones, a[..., :-1]], axis=-1)
    k = 1
    while k < n:
        scan = shape_ops.concatenate([scan[..., :k], scan[..., k:] * scan[..., :-k]],
                                     axis=-1)
        k *= 2
    return scan


defvjp(prod, lambda g, out, x, axis=None, keepdims=False, dtype=None:
       broadcast.fit_dtype(expand(g, x, axis, keepdims) * _prod_of_others(x, axis), x.dtype),
       save="args")
defjvp(prod, lambda t, out, x, axis=None, keepdims=False, dtype=None:
       sum(t * _prod_of_others(x, axis), axis=axis, keepdims=keepdims))


def _batch_reduction(f):
    """Reduce each example: batch axis first, per-example axes shifted past it."""
    def rule(args, dims, axis=None, keepdims=False, **params):
        x = batch.to_front(args[0], dims[0], None)
        axes = tuple(a + 1 for a in reduced_axes(axis, np.ndim(x) - 1))
        return f(x, axis=axes, keepdims=keepdims, **params), 0
    return rule


for _f in (sum, mean, prod, max, min):
    defbatch(_f, _batch_reduction(_f))
