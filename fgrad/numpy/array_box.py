"""ArrayBox: a box that behaves like the NumPy array (or scalar) it holds.

Every operator and method maps to an ``fgrad.numpy`` function, so code written
for arrays runs unchanged on boxes. Boxes are immutable: item assignment is an
error that points to ``x.at[i].set(v)``.
"""
import math

import numpy as np

from ..tracer import Box, register_box
from . import elementwise as ew, indexing, products, reductions as red, shape as sh


def _binary(f, reflected=False):
    if reflected:
        return lambda self, other: f(other, self)
    return lambda self, other: f(self, other)


class ArrayBox(Box):
    __slots__ = ()

    shape = property(lambda self: self._trace.shape_of(self))
    ndim = property(lambda self: len(self._trace.shape_of(self)))
    size = property(lambda self: math.prod(self._trace.shape_of(self)))
    dtype = property(lambda self: self._value.dtype)
    nbytes = property(lambda self: self._value.nbytes)
    T = property(lambda self: sh.transpose(self))
    real = property(lambda self: ew.real(self))
    imag = property(lambda self: ew.imag(self))
    at = property(lambda self: indexing.at(self))

    def __repr__(self):
        return f"ArrayBox(level={self._trace.level}, value={self._value!r})"

    def __len__(self):
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d array")
        return shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __getitem__(self, index):
        return indexing.getitem(self, *indexing.parts(index))

    def __setitem__(self, index, value):
        raise TypeError("fgrad arrays are immutable while traced: instead of x[i] = v, write "
                        "x = x.at[i].set(v) (or .add / .multiply / .min / .max), "
                        "or fgrad.numpy.at(x)[i].set(v) to serve plain arrays too")

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a traced value cannot become a plain NumPy array: build arrays of "
                        "traced values with fgrad.numpy (fnp.array, fnp.stack), and call "
                        "fgrad.numpy functions on them rather than numpy ones")

    def __bool__(self):
        return bool(self._value)

    def __float__(self):
        return float(self._value)

    def __int__(self):
        return int(self._value)

    def __index__(self):
        return self._value.__index__()

    __hash__ = None

    __add__, __radd__ = _binary(ew.add), _binary(ew.add, True)
    __sub__, __rsub__ = _binary(ew.subtract), _binary(ew.subtract, True)
    __mul__, __rmul__ = _binary(ew.multiply), _binary(ew.multiply, True)
    __truediv__, __rtruediv__ = _binary(ew.divide), _binary(ew.divide, True)
    __floordiv__, __rfloordiv__ = _binary(ew.floor_divide), _binary(ew.floor_divide, True)
    __mod__, __rmod__ = _binary(ew.remainder), _binary(ew.remainder, True)
    __pow__, __rpow__ = _binary(ew.power), _binary(ew.power, True)
    __matmul__, __rmatmul__ = _binary(products.matmul), _binary(products.matmul, True)
    __eq__, __ne__ = _binary(ew.equal), _binary(ew.not_equal)
    __lt__, __le__ = _binary(ew.less), _binary(ew.less_equal)
    __gt__, __ge__ = _binary(ew.greater), _binary(ew.greater_equal)
    __and__, __rand__ = _binary(ew.bitwise_and), _binary(ew.bitwise_and, True)
    __or__, __ror__ = _binary(ew.bitwise_or), _binary(ew.bitwise_or, True)
    __xor__, __rxor__ = _binary(ew.bitwise_xor), _binary(ew.bitwise_xor, True)
    __invert__ = lambda self: ew.invert(self)  # noqa: E731
    __neg__ = lambda self: ew.negative(self)  # noqa: E731
    __pos__ = lambda self: self  # noqa: E731
    __abs__ = lambda self: ew.absolute(self)  # noqa: E731

    def sum(self, axis=None, dtype=None, keepdims=False):
        return red.sum(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def mean(self, axis=None, dtype=None, keepdims=False):
        return red.mean(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def prod(self, axis=None, dtype=None, keepdims=False):
        return red.prod(self, axis=axis, dtype=dtype, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return red.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return red.min(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape, order="C"):
        return sh.reshape(self, shape[0] if len(shape) == 1 else shape, order)

    def transpose(self, *axes):
        return sh.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def ravel(self, order="C"):
        return sh.ravel(self, order)

    def squeeze(self, axis=None):
        return sh.squeeze(self, axis)

    def dot(self, other):
        return products.dot(self, other)

    def conj(self):
        return ew.conj(self)

    conjugate = conj

    def clip(self, min=None, max=None):
        return ew.clip(self, min, max)

    def astype(self, dtype):
        return ew.astype(self, dtype)

    def flatten(self):
        return sh.ravel(self)


for _t in (ArrayBox, np.ndarray, float, complex, np.float16, np.float32, np.float64, np.longdouble,
           np.complex64, np.complex128, np.clongdouble):
    register_box(_t, ArrayBox)
