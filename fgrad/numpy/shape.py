"""Shape functions: linear maps that move elements around.

Four primitives carry the rules (reshape, transpose, broadcast_to, concatenate);
expand_dims, squeeze, ravel, stack, swapaxes and moveaxis are compositions of
them and so need no rules of their own.
"""
import numpy as np

from ..rules import Variadic, defbatch, defjvp, defmultilinear, defvjp
from ..tracer import Box, primitive
from . import batch, broadcast

_reshape = primitive(lambda a, shape: np.reshape(a, shape), "reshape")
_transpose = primitive(np.transpose, "transpose")
_broadcast_to = primitive(np.broadcast_to, "broadcast_to")
_concatenate = primitive(lambda *arrays, axis: np.concatenate(arrays, axis=axis), "concatenate")


def numpy_on_plain(np_fn):
    """Run NumPy's own ``np_fn`` when the first argument is not traced: the
    function below it then only ever sees boxes."""
    def decorate(f):
        def function(a, *args, **kwargs):
            if isinstance(a, Box):
                return f(a, *args, **kwargs)
            return np_fn(a, *args, **kwargs)
        function.__name__ = function.__qualname__ = f.__name__
        function.__doc__ = f.__doc__
        return function
    return decorate


def _np_reshape(a, shape=None, order="C", *, newshape=None):
    """np.reshape with NumPy 2's keywords, on NumPy 1.26 too."""
    return np.reshape(a, newshape if shape is None else shape, order)


@numpy_on_plain(_np_reshape)
def reshape(a, shape=None, order="C", *, newshape=None):
    """NumPy's reshape (C order only), differentiable."""
    if order != "C":
        raise NotImplementedError("fgrad.numpy.reshape supports order='C' only")
    shape = newshape if shape is None else shape
    return _reshape(a, shape=tuple(shape) if isinstance(shape, (list, tuple)) else (shape,))


@numpy_on_plain(np.transpose)
def transpose(a, axes=None):
    """NumPy's transpose, differentiable."""
    if axes is not None:
        ndim = np.ndim(a)
        axes = tuple(int(ax) % ndim for ax in axes)
    return _transpose(a, axes=axes)


@numpy_on_plain(np.broadcast_to)
def broadcast_to(array, shape):
    """NumPy's broadcast_to, differentiable (returns a copy-free view)."""
    shape = tuple(shape) if isinstance(shape, (list, tuple)) else (shape,)
    return _broadcast_to(array, shape=shape)


def concatenate(arrays, axis=0):
    """NumPy's concatenate, differentiable in every array."""
    if axis is None:
        return _concatenate(*[ravel(a) for a in arrays], axis=0)
    return _concatenate(*arrays, axis=axis)


reshape.prim, transpose.prim, broadcast_to.prim, concatenate.prim = (
    _reshape.prim, _transpose.prim, _broadcast_to.prim, _concatenate.prim)


@numpy_on_plain(np.expand_dims)
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


@numpy_on_plain(np.squeeze)
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


@numpy_on_plain(np.ravel)
def ravel(a, order="C"):
    """The elements of ``a`` as a 1-d array."""
    return reshape(a, (-1,), order)


def stack(arrays, axis=0):
    """Join arrays along a new axis."""
    return concatenate([expand_dims(a, axis) for a in arrays], axis=axis)


@numpy_on_plain(np.moveaxis)
def moveaxis(a, source, destination):
    """Move axes of ``a`` to new positions."""
    ndim = np.ndim(a)
    src = [s % ndim for s in np.atleast_1d(source)]
    dst = [d % ndim for d in np.atleast_1d(destination)]
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(a, order)


@numpy_on_plain(np.swapaxes)
def swapaxes(a, axis1, axis2):
    """Interchange two axes of ``a``."""
    order = list(range(np.ndim(a)))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return transpose(a, order)


# d reshape(x) = reshape(dx);  its transpose reshapes back
defmultilinear(reshape, lambda g, out, x, shape: reshape(g, x.shape), save="shapes")
# d transpose(x) = transpose(dx);  its transpose applies the inverse permutation
defmultilinear(transpose, lambda g, out, x, axes: transpose(
    g, None if axes is None else np.argsort(axes)), save="shapes")
# broadcasting copies; its transpose sums the copies
defmultilinear(broadcast_to, lambda g, out, x, shape: broadcast.unbroadcast(g, x), save="shapes")


# d concatenate(xs) = concatenate(dxs): each argument's part is its slice of the output
def _concatenate_vjp(i, g, out, *arrays, axis):
    start = sum(a.shape[axis] for a in arrays[:i])
    index = (slice(None),) * (axis % g.ndim) + (slice(start, start + arrays[i].shape[axis]),)
    return g[index]


def _concatenate_jvp(i, t, out, *arrays, axis):
    zeros = [np.zeros(a.shape, t.dtype) for a in arrays]
    return concatenate(zeros[:i] + [t] + zeros[i + 1:], axis=axis)


defvjp(concatenate, Variadic(_concatenate_vjp), save="shapes")
defjvp(concatenate, Variadic(_concatenate_jvp))


# Batching: the batch axis goes first, and the parameters shift past it.
def _reshape_batch(args, dims, shape):
    x = batch.to_front(args[0], dims[0], None)
    return reshape(x, x.shape[:1] + shape), 0


def _transpose_batch(args, dims, axes):
    x = batch.to_front(args[0], dims[0], None)
    n = np.ndim(x) - 1
    axes = reversed(range(n)) if axes is None else axes
    return transpose(x, (0,) + tuple(a + 1 for a in axes)), 0


def _broadcast_to_batch(args, dims, shape):
    x = batch.to_front(args[0], dims[0], None)
    padded = x.shape[:1] + (1,) * (len(shape) - np.ndim(x) + 1) + x.shape[1:]
    return broadcast_to(reshape(x, padded), x.shape[:1] + shape), 0


def _concatenate_batch(args, dims, axis):
    size = batch.batch_size(args, dims)
    arrays = [batch.to_front(a, d, size) for a, d in zip(args, dims)]
    return concatenate(arrays, axis=axis % (np.ndim(arrays[0]) - 1) + 1), 0


defbatch(reshape, _reshape_batch)
defbatch(transpose, _transpose_batch)
defbatch(broadcast_to, _broadcast_to_batch)
defbatch(concatenate, _concatenate_batch)
