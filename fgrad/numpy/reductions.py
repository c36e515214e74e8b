"""Reductions over axes: sum, mean, prod, max, min, with their VJPs and JVPs.

A reduction's cotangent is spread back over the reduced axes by ``expand``,
the one helper that handles ``axis`` (int, tuple, negative, None) and ``keepdims``.
Ties in max / min share the derivative evenly (as JAX does).
"""
import numpy as np

from ..rules import defmultilinear, defrules
from ..tracer import primitive
from . import batch, broadcast, elementwise, shape as shape_ops

__all__ = ["amax", "amin", "max", "mean", "min", "prod", "sum"]


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


def _ufunc_reduction(ufunc, name, doc):
    """NumPy's ``name`` (a ufunc's reduce, minus np.sum's Python layer), as a primitive."""
    def reduce(a, axis=None, dtype=None, out=None, keepdims=False):
        return ufunc.reduce(a, axis, dtype, out, keepdims)
    reduce.__doc__ = doc
    return primitive(reduce, name, data="a",
                     params={"axis": None, "dtype": None, "out": None, "keepdims": False})


def _extremum(ufunc, name, doc):
    def reduce(a, axis=None, out=None, keepdims=False):
        return ufunc.reduce(a, axis, None, out, keepdims)
    reduce.__doc__ = doc
    return primitive(reduce, name, data="a", params={"axis": None, "out": None, "keepdims": False})


sum = _ufunc_reduction(np.add, "sum", "NumPy's sum, differentiable.")
prod = _ufunc_reduction(np.multiply, "prod", "NumPy's prod, differentiable, also where x has zeros.")
mean = primitive(np.mean, data="a",
                 params={"axis": None, "dtype": None, "out": None, "keepdims": False})
max = _extremum(np.maximum, "max", "NumPy's max, differentiable; ties share the derivative evenly.")
min = _extremum(np.minimum, "min", "NumPy's min, differentiable; ties share the derivative evenly.")
amax, amin = max, min


# d sum(x) = sum(dx);  d mean(x) = mean(dx)  (cast back from any dtype= of the output)
defmultilinear(sum, lambda g, out, x, axis, dtype, keepdims:
               broadcast.fit_dtype(expand(g, x, axis, keepdims), x.dtype), save="shapes")
defmultilinear(mean, lambda g, out, x, axis, dtype, keepdims:
               broadcast.fit_dtype(expand(g, x, axis, keepdims) / _count(x, axis), x.dtype),
               save="shapes")


# d max(x) = sum(dx * share), share = [x == max] / (number of ties)
def _extremum_share(out, x, axis, keepdims):
    hits = elementwise.equal(x, expand(out, x, axis, keepdims))
    return (hits / sum(hits, axis=axis, keepdims=True)).astype(x.dtype)


for _f in (max, min):
    defrules(_f, vjp=(lambda g, out, x, axis, keepdims:
                      expand(g, x, axis, keepdims) * _extremum_share(out, x, axis, keepdims),),
                 jvp=(lambda t, out, x, axis, keepdims:
                      sum(t * _extremum_share(out, x, axis, keepdims), axis=axis,
                          keepdims=keepdims),))


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


defrules(prod, vjp=(lambda g, out, x, axis, dtype, keepdims: broadcast.fit_dtype(
                        expand(g, x, axis, keepdims) * _prod_of_others(x, axis), x.dtype),),
               jvp=(lambda t, out, x, axis, dtype, keepdims:
                    sum(t * _prod_of_others(x, axis), axis=axis, keepdims=keepdims),),
         save="args")


def _batch_reduction(f):
    """Reduce each example: batch axis first, per-example axes shifted past it."""
    def rule(args, dims, size, axis, **params):
        x = batch.to_front(args[0], dims[0], size)
        axes = tuple(a + 1 for a in reduced_axes(axis, np.ndim(x) - 1))
        return f(x, axis=axes, **params), 0
    return rule


for _f in (sum, mean, prod, max, min):
    defrules(_f, batch=_batch_reduction(_f))
