"""Matrix products: ``matmul`` is the primitive; ``dot`` is built on it.

d (A B) = dA B + A dB, so the cotangents are  A: G Bᵀ  and  B: Aᵀ G  (no
conjugation: the transpose convention of JAX and autograd). 1-d operands are
promoted to matrices as matmul promotes them, and stacked (batch) axes that
broadcasting added are summed away.
"""
import numpy as np

from ..rules import defmultilinear
from ..tracer import composite, primitive
from . import batch, broadcast, shape as shape_ops
from .elementwise import multiply

__all__ = ["dot", "matmul"]

matmul = primitive(np.matmul, "matmul")


def _as_matrices(g, a, b):
    """The cotangent ``g`` with the axes matmul dropped for 1-d ``a`` or ``b`` put back."""
    if len(a.shape) == 1 and len(b.shape) == 1:
        return shape_ops.reshape(g, (1, 1))
    if len(a.shape) == 1:
        return shape_ops.expand_dims(g, -2)
    if len(b.shape) == 1:
        return shape_ops.expand_dims(g, -1)
    return g


def _matmul_vjp_a(g, out, a, b):
    na, nb = len(a.shape), len(b.shape)
    if na <= 2 and nb <= 2:  # the common cases, each one product (outer for vectors)
        if nb == 1:
            return g * b if na == 1 else g[:, None] * b
        return matmul(b, g) if na == 1 else matmul(g, b.T)
    g = _as_matrices(g, a, b)
    b2 = b if len(b.shape) > 1 else shape_ops.expand_dims(b, -1)
    ct = matmul(g, shape_ops.swapaxes(b2, -1, -2))
    if len(a.shape) == 1:
        ct = shape_ops.squeeze(ct, -2)
    return broadcast.unbroadcast(ct, a)


def _matmul_vjp_b(g, out, a, b):
    na, nb = len(a.shape), len(b.shape)
    if na <= 2 and nb <= 2:
        if na == 1:
            return g * a if nb == 1 else a[:, None] * g
        return matmul(g, a) if nb == 1 else matmul(a.T, g)
    g = _as_matrices(g, a, b)
    a2 = a if len(a.shape) > 1 else shape_ops.expand_dims(a, 0)
    ct = matmul(shape_ops.swapaxes(a2, -1, -2), g)
    if len(b.shape) == 1:
        ct = shape_ops.squeeze(ct, -1)
    return broadcast.unbroadcast(ct, b)




@composite(np.dot)
def dot(a, b):
    """NumPy's dot, differentiable: a product over the last axis of ``a`` and the
    second-to-last of ``b``."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return multiply(a, b)
    if np.ndim(b) <= 2:
        return matmul(a, b)
    b_shape = np.shape(b)
    rows = shape_ops.reshape(a, (-1, b_shape[-2]))
    cols = shape_ops.reshape(shape_ops.moveaxis(b, -2, 0), (b_shape[-2], -1))
    out = matmul(rows, cols)
    b_free = b_shape[:-2] + b_shape[-1:]
    return shape_ops.reshape(out, np.shape(a)[:-1] + b_free)


def _matmul_batch(args, dims, size):
    """Batch axes first; vectors become matrices (then dropped again) and batched
    operands get length-1 axes so that matmul's own broadcasting lines them up.
    A batch of vectors against one matrix is a single matrix product (one GEMM,
    where broadcasting would make one matrix-vector product per example)."""
    (a, b), (da, db) = args, dims
    a_vec, b_vec = batch.ndim_of_example(a, da) == 1, batch.ndim_of_example(b, db) == 1
    if a_vec and db is None and np.ndim(b) <= 2:  # rows a_i @ B
        return matmul(batch.to_front(a, da, size), b), 0
    if b_vec and da is None and np.ndim(a) <= 2:  # A @ b_i, as rows b_i @ A^T
        return matmul(batch.to_front(b, db, size), shape_ops.transpose(a)), 0
    a = a if da is None else batch.to_front(a, da, size)
    b = b if db is None else batch.to_front(b, db, size)
    if a_vec:
        a = shape_ops.expand_dims(a, -2)
    if b_vec:
        b = shape_ops.expand_dims(b, -1)
    rank = max(batch.ndim_of_example(a, da), batch.ndim_of_example(b, db))
    if da is not None:
        a = shape_ops.reshape(a, a.shape[:1] + (1,) * (rank + 1 - np.ndim(a)) + a.shape[1:])
    if db is not None:
        b = shape_ops.reshape(b, b.shape[:1] + (1,) * (rank + 1 - np.ndim(b)) + b.shape[1:])
    out = matmul(a, b)
    if b_vec:
        out = out[..., 0]
    if a_vec:
        out = out[..., 0] if b_vec else out[..., 0, :]
    return out, 0


defmultilinear(matmul, _matmul_vjp_a, _matmul_vjp_b, batch=_matmul_batch)
