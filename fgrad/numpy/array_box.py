"""ArrayBox: a box that behaves like the NumPy array (or scalar) it holds.

Every operator and method maps to an ``fgrad.numpy`` function, so code written
for arrays runs unchanged on boxes. Boxes are immutable: item assignment is an
error that points to ``x.at[i].set(v)``.
"""
import math

import numpy as np

from ..tracer import Box, bind, register_box, unbox
from . import elementwise as ew, indexing, products, shape as sh
from .namespace import FOR_NUMPY, FUNCTIONS


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
        raise TypeError("a traced value cannot become a plain NumPy array (np.asarray, "
                        "np.float64, a method of a plain array such as a.dot(x)): that would "
                        "drop its derivative. Build arrays of traced values with fnp.array or "
                        "fnp.stack, write a @ x or np.dot(a, x), or use fgrad.stop_gradient(x) "
                        "where a constant is meant")

    def __bool__(self):
        """Control flow on a traced value is fine (it carries no derivative), except under
        vmap, where each example may go its own way."""
        if self._trace.shape_of(self) != self._value.shape:
            raise TypeError("vmap: the truth value of a batched value differs between "
                            "examples, so Python control flow (if, while, and, or) cannot "
                            "follow it; write fgrad.numpy.where(condition, x, y) instead")
        return bool(self._value)

    def __float__(self):
        raise TypeError("float() of a traced value would drop its derivative silently (so "
                        "would np.float64(x) and math functions): keep it an array, or write "
                        "float(fgrad.stop_gradient(x)) where a constant is meant")

    def __complex__(self):
        raise TypeError("complex() of a traced value would drop its derivative silently: "
                        "keep it an array, or write complex(fgrad.stop_gradient(x)) where a "
                        "constant is meant")

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

    def reshape(self, *shape, order="C"):
        return sh.reshape(self, shape[0] if len(shape) == 1 else shape, order)

    def transpose(self, *axes):
        return sh.transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def compress(self, condition, axis=None):
        return FUNCTIONS["compress"](condition, self, axis)

    __divmod__, __rdivmod__ = _binary(ew.divmod), _binary(ew.divmod, True)
    __round__ = lambda self, ndigits=None: FUNCTIONS["round"](self, ndigits or 0)  # noqa: E731

    def item(self, *args):
        """The element as a plain Python scalar: the derivative is dropped."""
        return unbox(self).item(*args)

    def tolist(self):
        """The elements as plain Python values: the derivative is dropped."""
        return unbox(self).tolist()

    def copy(self, order="C"):
        return self  # immutable under tracing: a copy is the value itself

    def flatten(self, order="C"):
        return sh.ravel(self, order)

    flat = property(lambda self: sh.ravel(self))
    mT = property(lambda self: sh.swapaxes(self, -1, -2))

    def sort(self, *args, **kwargs):
        raise TypeError("x.sort() sorts in place, and traced arrays are immutable: write "
                        "x = fgrad.numpy.sort(x) instead")

    def fill(self, value):
        raise TypeError("x.fill(v) writes in place, and traced arrays are immutable: write "
                        "x = fgrad.numpy.full_like(x, v) instead")

    # -- NumPy's dispatch protocols: numpy functions called on traced values ----------
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        prim = _UFUNC_PRIMITIVES.get(ufunc)
        if prim is not None and method == "__call__" and not kwargs:
            return bind(prim, inputs, _NO_PARAMS)  # NumPy's operators meeting a box land here
        return _ufunc_method(ufunc, method, inputs, kwargs)

    def __array_function__(self, func, types, args, kwargs):
        fn = FOR_NUMPY.get(func) or _METADATA.get(func)
        if fn is None:
            raise TypeError(f"fgrad has no derivative rule for numpy.{func.__name__}, and it "
                            "was called on a traced value. Wrap the argument in "
                            "fgrad.stop_gradient if no derivative should flow through it, or "
                            "give the function rules with fgrad.custom_vjp / "
                            "fgrad.custom_jvp or fgrad.extend")
        return fn(*args, **kwargs)


def _ufunc_method(ufunc, method, inputs, kwargs):
    """``ufunc.method(*inputs, **kwargs)`` with a traced input, as fgrad.numpy computes it."""
    if "out" in kwargs:
        raise TypeError(f"numpy.{ufunc.__name__} with out= on a traced value: arrays are "
                        "immutable under fgrad; use the returned value instead")
    if method == "__call__":
        fn = FUNCTIONS.get(ufunc.__name__)
    else:
        fn = _UFUNC_METHODS.get((ufunc.__name__, method))
        if fn is not None:
            kwargs.setdefault("axis", 0)  # ufunc.reduce's default, unlike np.sum's
    if fn is None:
        raise TypeError(f"fgrad has no rule for numpy.{ufunc.__name__}"
                        f"{'' if method == '__call__' else '.' + method} on traced values: "
                        "use fgrad.numpy's functions, or wrap the argument in "
                        "fgrad.stop_gradient where no derivative should flow")
    return fn(*inputs, **kwargs)


_NO_PARAMS = {}


def _dtype_of(x):
    return x.dtype if isinstance(x, Box) else x


_METADATA = {  # NumPy functions that only read a traced value's shape or dtype
    np.result_type: lambda *xs: np.result_type(*map(_dtype_of, xs)),
    np.iscomplexobj: lambda x: x.dtype.kind == "c",
    np.isrealobj: lambda x: x.dtype.kind != "c",
}
_UFUNC_PRIMITIVES = {np_fn: fn.prim for np_fn, fn in FOR_NUMPY.items()
                     if isinstance(np_fn, np.ufunc) and hasattr(fn, "prim")
                     and fn.__wrapped__ is np_fn}


def _method(name):
    """The method ``x.name(...)``: fgrad.numpy's ``name(x, ...)``."""
    def method(self, *args, **kwargs):
        return FUNCTIONS[name](self, *args, **kwargs)
    method.__name__ = name
    return method


# x.name(...) is fgrad.numpy.name(x, ...), with NumPy's signature
for _name in ("all", "any", "argmax", "argmin", "argpartition", "argsort", "astype", "choose",
              "clip", "conj", "conjugate", "cumprod", "cumsum", "diagonal", "dot",
              "max", "mean", "min", "nonzero", "prod", "ptp", "ravel", "repeat", "round",
              "searchsorted", "squeeze", "std", "sum", "swapaxes", "take", "trace", "var"):
    setattr(ArrayBox, _name, _method(_name))

_UFUNC_METHODS = {  # (ufunc, method) -> the fgrad.numpy function it amounts to
    ("add", "reduce"): "sum", ("multiply", "reduce"): "prod", ("maximum", "reduce"): "max",
    ("minimum", "reduce"): "min", ("logical_and", "reduce"): "all",
    ("logical_or", "reduce"): "any", ("add", "accumulate"): "cumsum",
    ("multiply", "accumulate"): "cumprod",
}
_UFUNC_METHODS = {key: _method(name) for key, name in _UFUNC_METHODS.items()}


for _t in (ArrayBox, np.ndarray, float, complex, np.float16, np.float32, np.float64, np.longdouble,
           np.complex64, np.complex128, np.clongdouble):
    register_box(_t, ArrayBox)
