"""Shape functions: linear maps that move elements around.

Four primitives carry the rules (reshape, transpose, broadcast_to, concatenate);
expand_dims, squeeze, ravel, stack, swapaxes and moveaxis are compositions of
them and so need no rules of their own.
"""
import numpy as np

from ..rules import defmultilinear, defrules
from ..tracer import composite, primitive
from . import batch
from .broadcast import broadcast_to

__all__ = ["concatenate", "expand_dims", "moveaxis", "ravel", "reshape", "squeeze", "stack",
           "swapaxes", "transpose"]


def _np_reshape(a, shape=None, order="C", *, newshape=None):
    """np.reshape with NumPy 2's keywords, on NumPy 1.26 too."""
    return np.reshape(a, newshape if shape is None else shape, order)


def _shape_tuple(shape):
    return tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)


reshape = primitive(_np_reshape, "reshape", data="a", params={"shape": None, "order": "C"})
transpose = primitive(np.transpose, data="a", params={"axes": None})
concatenate = primitive(np.concatenate, data="*arrays", params={"axis": 0, "out": None})


@composite(np.expand_dims)
def expand_dims(a, axis):
    """Insert length-1 axes at ``axis`` (int or tuple)."""
    axes = axis if isinstance(axis, tuple) else (axis,)
    ndim = np.ndim(a) + len(axes)
    if not all(-ndim <= ax < ndim for ax in axes):
        raise np.exceptions.AxisError(f"axis {axis} is out of bounds for the result of "
                                      f"dimension {ndim}")
    axes = {ax % ndim for ax in axes}
    it = iter(np.shape(a))
    return reshape(a, tuple(1 if i in axes else next(it) for i in range(ndim)))


@composite(np.squeeze)
def squeeze(a, axis=None):
    """Remove length-1 axes (all of them, or those in ``axis``)."""
    shape = np.shape(a)
    if axis is None:
        axes = {i for i, d in enumerate(shape) if d == 1}
    else:
        axes = {ax % len(shape) for ax in (axis if isinstance(axis, tuple) else (axis,))}
        if any(shape[ax] != 1 for ax in axes):
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    return reshape(a, tuple(d for i, d in enumerate(shape) if i not in axes))


@composite(np.ravel)
def ravel(a, order="C"):
    """The elements of ``a`` as a 1-d array."""
    return reshape(a, (-1,), order)


@composite(np.stack)
def stack(arrays, axis=0):
    """Join arrays along a new axis."""
    return concatenate([expand_dims(a, axis) for a in arrays], axis=axis)


@composite(np.moveaxis)
def moveaxis(a, source, destination):
    """Move axes of ``a`` to new positions."""
    ndim = np.ndim(a)
    src = [s % ndim for s in np.atleast_1d(source)]
    dst = [d % ndim for d in np.atleast_1d(destination)]
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


@composite(np.swapaxes)
def swapaxes(a, axis1, axis2):
    """Interchange two axes of ``a``."""
    order = list(range(np.ndim(a)))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(a, order)


# d reshape(x) = reshape(dx);  its transpose reshapes back
def _reshape_batch(args, dims, size, shape, order):
    """C order keeps examples apart with the batch axis first, F order with it last."""
    if order == "F":
        return reshape(batch.to_last(args[0], dims[0], size), _shape_tuple(shape) + (size,),
                       order="F"), len(_shape_tuple(shape))
    x = batch.to_front(args[0], dims[0], size)
    return reshape(x, x.shape[:1] + _shape_tuple(shape)), 0


defmultilinear(reshape, lambda g, out, x, shape, order: reshape(g, x.shape, order=order),
               save="shapes", batch=_reshape_batch)


# d transpose(x) = transpose(dx);  its transpose applies the inverse permutation
def _axes(axes, ndim):
    return tuple(reversed(range(ndim))) if axes is None else tuple(int(a) % ndim for a in axes)


def _transpose_batch(args, dims, size, axes):
    x = batch.to_front(args[0], dims[0], size)
    return transpose(x, (0,) + tuple(a + 1 for a in _axes(axes, np.ndim(x) - 1))), 0


defmultilinear(transpose, lambda g, out, x, axes:
               transpose(g, np.argsort(_axes(axes, len(x.shape)))), save="shapes",
               batch=_transpose_batch)


# d concatenate(xs) = concatenate(dxs): each argument's cotangent is its slice of g,
# and the tangent is one concatenation, zeros standing in for zero tangents.
def _concatenate_vjp(g, out, *arrays, axis):
    if axis is None:  # the arrays were raveled first
        ends = np.cumsum([a.size for a in arrays])
        return [g[end - a.size:end].reshape(a.shape) for a, end in zip(arrays, ends)]
    axis = axis % g.ndim
    ends = np.cumsum([a.shape[axis] for a in arrays])
    return [g[(slice(None),) * axis + (slice(end - a.shape[axis], end),)]
            for a, end in zip(arrays, ends)]


def _concatenate_jvp(tangents, out, *arrays, axis):
    return concatenate([np.zeros(a.shape, out.dtype) if t is None else t
                        for t, a in zip(tangents, arrays)], axis=axis)


def _concatenate_batch(args, dims, size, axis):
    arrays = [batch.to_front(a, d, size) for a, d in zip(args, dims)]
    if axis is None:
        return concatenate([reshape(a, (size, -1)) for a in arrays], axis=1), 0
    return concatenate(arrays, axis=axis % (np.ndim(arrays[0]) - 1) + 1), 0


defrules(concatenate, vjp=_concatenate_vjp, jvp=_concatenate_jvp, save="shapes",
         batch=_concatenate_batch)
