"""Broadcasting and its transpose: the one place that knows how they fit together.

Broadcasting copies an array along new or length-1 axes; its transpose sums over
them. ``broadcast_to`` is the primitive; every rule that meets broadcasting calls
``unbroadcast`` or ``broadcast_like``. This module sits below the families: it
uses array methods (``sum``, ``reshape``, ``astype``, ``real``), which plain arrays
and traced values both have, and imports none of them.
"""
import numpy as np

from ..rules import defmultilinear
from ..tracer import primitive

__all__ = ["broadcast_to"]

broadcast_to = primitive(np.broadcast_to, data="array", params={"shape": None, "subok": False})


def unbroadcast(ct, x):
    """Sum ``ct`` down to ``x``'s shape and cast it to ``x``'s dtype (real part for real x)."""
    x_shape = x.shape
    if ct.shape != x_shape:
        lead = ct.ndim - len(x_shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(x_shape)
                                          if d == 1 and ct.shape[lead + i] != 1)
        ct = ct.sum(axis=axes).reshape(x_shape)
    return fit_dtype(ct, x.dtype)


def broadcast_like(t, out):
    """Broadcast a tangent ``t`` to ``out``'s shape and dtype."""
    if t.shape != out.shape:
        t = broadcast_to(t, out.shape)
    return fit_dtype(t, out.dtype)


def fit_dtype(x, dtype):
    """``x`` in ``dtype``: the real part when ``dtype`` is real and ``x`` complex."""
    if x.dtype == dtype:
        return x
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = x.real
    return x.astype(dtype)


def batch_first(x, d):
    """``x`` (batched along axis ``d``) with its batch axis first."""
    return x if d == 0 else x.transpose((d,) + tuple(i for i in range(x.ndim) if i != d))


def _broadcast_to_batch(args, dims, size, shape, subok):
    x = batch_first(args[0], dims[0])
    shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
    padded = x.shape[:1] + (1,) * (len(shape) - x.ndim + 1) + x.shape[1:]
    return broadcast_to(x.reshape(padded), x.shape[:1] + shape), 0


# broadcasting copies; its transpose sums the copies
defmultilinear(broadcast_to, lambda g, out, x, shape, subok: unbroadcast(g, x), save="shapes",
               batch=_broadcast_to_batch)
