"""Fitting derivatives to shapes: the one place that knows how broadcasting transposes.

Broadcasting copies an array along new or length-1 axes; its transpose sums
over them. Every rule that meets broadcasting calls these two helpers.
"""
from . import elementwise, reductions, shape as shape_ops


def unbroadcast(ct, x):
    """Sum ``ct`` down to ``x``'s shape and cast it to ``x``'s dtype (real part for real x)."""
    x_shape = x.shape
    if ct.shape != x_shape:
        lead = ct.ndim - len(x_shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, d in enumerate(x_shape)
                                          if d == 1 and ct.shape[lead + i] != 1)
        ct = reductions.sum(ct, axis=axes).reshape(x_shape)
    return fit_dtype(ct, x.dtype)


def broadcast_like(t, out):
    """Broadcast a tangent ``t`` to ``out``'s shape and dtype."""
    if t.shape != out.shape:
        t = shape_ops.broadcast_to(t, out.shape)
    return fit_dtype(t, out.dtype)


def fit_dtype(x, dtype):
    """``x`` in ``dtype``: the real part when ``dtype`` is real and ``x`` complex."""
    if x.dtype == dtype:
        return x
    if x.dtype.kind == "c" and dtype.kind != "c":
        x = elementwise.real(x)
    return x.astype(dtype)
