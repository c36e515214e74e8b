"""Diagonals and triangles of matrices: diag, diagonal, diagflat, trace, triu, tril.

Two linear primitives carry the rules: ``diagonal`` reads a diagonal, and
``_diagonal_embed`` writes values onto that diagonal of zeros; each is the
other's transpose. diag, diagflat and trace are compositions of them (and sum);
triu and tril are ``where`` with a constant mask, as NumPy writes them.
"""
import numpy as np

from ..rules import defmultilinear
from ..tracer import composite, no_out, primitive
from . import batch, shape as shape_ops
from .elementwise import where
from .reductions import sum as _sum

__all__ = ["diag", "diagflat", "diagonal", "trace", "tril", "triu"]

diagonal = primitive(np.diagonal, data="a", params={"offset": 0, "axis1": 0, "axis2": 1})


def _embed(v, shape, offset=0, axis1=0, axis2=1):
    """Zeros of ``shape`` with ``v`` (last axis) on the diagonal that
    ``np.diagonal(., offset, axis1, axis2)`` reads, v's other axes on the others."""
    ndim = len(shape)
    axis1, axis2 = axis1 % ndim, axis2 % ndim
    rows, cols = shape[axis1], shape[axis2]
    rest = tuple(n for k, n in enumerate(shape) if k not in (axis1, axis2))
    out = np.zeros(rest + (rows * cols,), v.dtype)
    start = offset if offset >= 0 else -offset * cols
    out[..., start:start + v.shape[-1] * (cols + 1):cols + 1] = v
    return np.moveaxis(out.reshape(rest + (rows, cols)), (-2, -1), (axis1, axis2))


_diagonal_embed = primitive(_embed, "diagonal_embed", data="v",
                            params={"shape": None, "offset": 0, "axis1": 0, "axis2": 1})


# d diagonal(x) = diagonal(dx); its transpose writes the cotangent on that diagonal of zeros
def _diagonal_batch(args, dims, size, offset, axis1, axis2):
    x = batch.to_front(args[0], dims[0], size)
    ndim = np.ndim(x) - 1
    return diagonal(x, offset, axis1 % ndim + 1, axis2 % ndim + 1), 0


def _embed_batch(args, dims, size, shape, offset, axis1, axis2):
    v = batch.to_front(args[0], dims[0], size)
    return _diagonal_embed(v, shape=(size,) + tuple(shape), offset=offset,
                           axis1=axis1 % len(shape) + 1, axis2=axis2 % len(shape) + 1), 0


defmultilinear(diagonal, lambda g, out, x, offset, axis1, axis2:
               _diagonal_embed(g, shape=x.shape, offset=offset, axis1=axis1, axis2=axis2),
               save="shapes", batch=_diagonal_batch)
defmultilinear(_diagonal_embed, lambda g, out, v, shape, offset, axis1, axis2:
               diagonal(g, offset, axis1, axis2), save="shapes", batch=_embed_batch)


@composite(np.diag)
def diag(v, k=0):
    """The k-th diagonal of a 2-d ``v``, or a square matrix with 1-d ``v`` on it."""
    shape = np.shape(v)
    if len(shape) == 1:
        n = shape[0] + abs(k)
        return _diagonal_embed(v, shape=(n, n), offset=k)
    if len(shape) == 2:
        return diagonal(v, k)
    raise ValueError("Input must be 1- or 2-d.")


@composite(np.diagflat)
def diagflat(v, k=0):
    """A square matrix with the flattened ``v`` on its k-th diagonal."""
    return diag(shape_ops.ravel(v), k)


@composite(np.trace)
def trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    """The sum along a diagonal (over axis1 and axis2), as NumPy sums it."""
    no_out(out, "trace")
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


@composite(np.tril)
def tril(m, k=0):
    """``m`` with the elements above the k-th diagonal zeroed (over the last two axes)."""
    mask = np.tri(*np.shape(m)[-2:], k=k, dtype=bool)
    return where(mask, m, np.zeros(1, m.dtype))


@composite(np.triu)
def triu(m, k=0):
    """``m`` with the elements below the k-th diagonal zeroed (over the last two axes)."""
    mask = np.tri(*np.shape(m)[-2:], k=k - 1, dtype=bool)
    return where(mask, np.zeros(1, m.dtype), m)
