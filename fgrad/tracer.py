"""Boxes, levels and primitive dispatch: the part of fgrad that knows no calculus.

A transform (``grad``, ``jvp``, ``vmap``) runs a function on *boxes*: objects that
carry a value and the trace of the transform invocation that made them. Every
wrapped NumPy function is a *primitive*. Called on plain values it is just the
NumPy call; called with boxes among its arguments it hands itself to the trace of
the highest level present, which unboxes its own boxes, calls the primitive again
on what is left, and boxes the answer.

Levels are what keep nested transforms apart. Take

    grad(lambda x: x * grad(lambda y: x + y)(1.0))(2.0)

The outer ``grad`` opens trace 1 and boxes x. The inner ``grad`` opens trace 2 and
boxes y. In ``x + y`` the highest level is 2: trace 2 unboxes y, leaves the box of
x alone (to trace 2 it is a constant) and calls ``add`` again, where trace 1 now
sees its own box x. Trace 2 thus records dy, trace 1 records dx, and the inner
derivative is 1, not 2. Each trace only ever unboxes its own boxes, so
perturbations of different levels never mix.

Levels come from one counter: an invocation that starts inside another gets a
higher number, which is all dispatch needs. No stack is kept, so threads that
differentiate at the same time need nothing shared but the counter.

This module imports no rule table and no NumPy.
"""
import itertools
import sys

_levels = itertools.count(1)


class Trace:
    """One transform invocation. Subclasses define ``process``."""
    __slots__ = ("level",)

    def __init__(self):
        self.level = next(_levels)

    def process(self, prim, args, params):
        """Evaluate ``prim(*args, **params)`` where some args are this trace's boxes."""
        raise NotImplementedError

    def shape_of(self, box):
        """The shape the traced function sees for ``box``."""
        return box._value.shape


class Box:
    """A value seen by a trace. ``_data`` is the trace's own record for it:
    the graph node in reverse mode, the tangent in forward mode, the batch
    axis under ``vmap``."""
    __slots__ = ("_value", "_trace", "_data", "__weakref__")
    __array_ufunc__ = None  # NumPy defers binary operators to boxes, and refuses ufuncs on them

    def __init__(self, value, trace, data):
        self._value = value
        self._trace = trace
        self._data = data


_box_types = {}  # value type -> Box subclass that behaves like that value


def register_box(value_type, box_type):
    """Box values of ``value_type`` with ``box_type`` (a ``Box`` subclass)."""
    _box_types[value_type] = box_type


def new_box(value, trace, data):
    """Box ``value`` for ``trace``; values no box type knows cannot be traced."""
    try:
        box_type = _box_types[type(value)]
    except KeyError:
        raise TypeError(f"fgrad can't trace a value of type {type(value).__name__}: "
                        "use NumPy arrays or Python/NumPy scalars") from None
    return box_type(value, trace, data)


def unbox(x):
    """The plain value inside ``x``, through every level of boxing."""
    while isinstance(x, Box):
        x = x._value
    return x


def unbox_own(trace, args):
    """Take ``trace``'s own boxes out of ``args``.

    Returns (values, argnums, data, lower): the arguments with those boxes
    replaced by their values, the positions of those boxes, their ``_data``,
    and whether boxes of lower levels remain among the values.
    """
    values = list(args)
    argnums = []
    data = []
    lower = False
    for i, a in enumerate(args):
        if isinstance(a, Box):
            if a._trace is trace:
                values[i] = v = a._value
                lower = lower or isinstance(v, Box)
                argnums.append(i)
                data.append(a._data)
            else:
                lower = True
    return values, argnums, data, lower


def bind(prim, args, params):
    """Call ``prim``: NumPy on plain values, else the trace of highest level."""
    top = None
    for a in args:
        if isinstance(a, Box) and (top is None or a._trace.level > top.level):
            top = a._trace
    if top is None:
        return prim.impl(*args, **params)
    return top.process(prim, args, params)


class Primitive:
    """An operation fgrad differentiates as a whole: a name and a NumPy function.

    Rule tables are keyed by Primitive; the user-facing function that
    ``primitive`` returns carries it as ``.prim``.
    """
    __slots__ = ("name", "impl", "__weakref__")

    def __init__(self, name, impl):
        self.name = name
        self.impl = impl

    def __repr__(self):
        return f"<primitive {self.name}>"


def primitive(impl, name=None):
    """Wrap ``impl`` as a primitive; the result calls ``impl`` on plain values
    and dispatches to the top trace when any positional argument is a box.

    Positional arguments are data, keyword arguments are static parameters.
    """
    prim = Primitive(name or impl.__name__, impl)

    def wrapped(*args, **params):
        if params and "out" in params:
            raise TypeError(f"fgrad.numpy.{prim.name} does not take out=: arrays are "
                            "immutable under fgrad; use the returned value instead")
        for a in args:
            if isinstance(a, Box):
                return bind(prim, args, params)
        return impl(*args, **params) if params else impl(*args)

    wrapped.prim = prim
    wrapped.__name__ = wrapped.__qualname__ = prim.name
    wrapped.__module__ = sys._getframe(1).f_globals.get("__name__")  # its home, for pickle
    wrapped.__doc__ = getattr(impl, "__doc__", None)
    wrapped.__wrapped__ = impl
    return wrapped
