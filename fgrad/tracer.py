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
    """One transform invocation. Every mode shares ``process``: take this trace's
    boxes out, evaluate the primitive on the rest (modes with ``evaluates``), let
    the mode's ``transform`` make its record, and box the result."""
    __slots__ = ("level", "done")
    evaluates = True  # False: ``transform`` computes the result itself (vmap)

    def __init__(self):
        self.level = next(_levels)
        self.done = False  # set when the transform has returned: its boxes must not be used

    def process(self, prim, args, params):
        """Evaluate ``prim(*args, **params)`` where some args are this trace's boxes."""
        if self.done:
            raise EscapedTracerError(f"a traced value reached '{prim.name}' after the transform "
                                     "that traced it had returned: it was kept outside the "
                                     "function (a global, a closure, a list) and used later. "
                                     "Return it instead (has_aux=True returns extra values)")
        values = list(args)  # the arguments with this trace's boxes taken out
        argnums = []         # where those boxes were
        data = []            # their records
        lower = False        # whether boxes of lower levels remain
        for i, a in enumerate(args):
            if isinstance(a, Box):
                if a._trace is self:
                    values[i] = v = a._value
                    lower = lower or isinstance(v, Box)
                    argnums.append(i)
                    data.append(a._data)
                else:
                    lower = True
        out = None
        if self.evaluates:
            if lower or prim.traceable:
                out = evaluate(self, prim, values, params, lower)
            else:
                out = prim.impl(*values, **params) if params else prim.impl(*values)
        out, out_data = self.transform(prim, out, values, argnums, data, params)
        if out_data is None:
            return out
        if prim.multiple_results:
            return box_result(self, prim, out, out_data)
        return new_box(out, self, out_data)

    def transform(self, prim, out, values, argnums, data, params):
        """``(out, out_data)``: the result, and this trace's record for it (one per
        output of a multi-output primitive; None: leave it unboxed). ``values`` are
        the arguments with this trace's boxes taken out at positions ``argnums``,
        ``data`` those boxes' records, and ``out`` the result on ``values``."""
        raise NotImplementedError

    def shape_of(self, box):
        """The shape the traced function sees for ``box``."""
        return box._value.shape


class EvalTrace(Trace):
    """A trace that only evaluates: its boxes let code written for traced values
    (``x.at[i].set(v)``) run on plain ones, and record nothing."""
    __slots__ = ()

    def transform(self, prim, out, values, argnums, data, params):
        if prim.multiple_results:
            return out, [()] * len(out)
        return out, ()


class EscapedTracerError(Exception):
    """A traced value was used after its transform returned (JAX's UnexpectedTracerError)."""


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


def box_result(trace, prim, out, data):
    """Box a primitive's result for ``trace`` with record ``data`` (None: leave it plain).

    A multi-output primitive gets one record per output, and its tuple (or named
    tuple) comes back with each output boxed, except outputs whose record is None
    and those that are not arrays (tree structures, counts).
    """
    if not prim.multiple_results:
        return out if data is None else new_box(out, trace, data)
    boxed = [o if d is None or type(o) not in _box_types else new_box(o, trace, d)
             for o, d in zip(out, data, strict=True)]
    return getattr(type(out), "_make", tuple)(boxed)


def unbox(x):
    """The plain value inside ``x``, through every level of boxing."""
    while isinstance(x, Box):
        x = x._value
    return x


def evaluate(trace, prim, values, params, lower):
    """``prim`` on ``values`` once ``trace`` has taken its boxes out, where boxes of
    lower levels remain or the primitive is traceable: handed down to those levels.

    A *traceable* primitive's implementation is fgrad code (``custom_vjp``'s fwd):
    it runs as it is, and lower levels trace through it. It must not return a box
    of ``trace`` itself: that would mean it closed over a value ``trace`` traces.
    """
    if prim.traceable:
        out = prim.impl(*values, **params)
        for o in (out if prim.multiple_results else (out,)):
            if isinstance(o, Box) and o._trace is trace:
                raise TypeError(f"{prim.name} closes over a value that a transform traces; "
                                "pass it as an argument instead")
        return out
    return bind(prim, values, params)


def run_boxed(trace, fun, values, data):
    """Run ``fun`` on ``values``, each boxed for ``trace`` with its record in ``data``
    (None: passed plain). Returns the outputs with ``trace``'s boxes taken off, and
    their records (None for an output that is not ``trace``'s box). From then on the
    trace is done: a box of it that escaped ``fun`` can only raise."""
    try:
        outs = fun(*[v if d is None else new_box(v, trace, d)
                     for v, d in zip(values, data, strict=True)])
    finally:
        trace.done = True
    mine = [isinstance(o, Box) and o._trace is trace for o in outs]
    return ([o._value if m else o for o, m in zip(outs, mine)],
            [o._data if m else None for o, m in zip(outs, mine)])


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
    """An operation fgrad differentiates as a whole.

    ``impl(*data, **params)`` computes it on plain values. ``multiple_results``:
    it returns a tuple of arrays. ``traceable``: ``impl`` is written with fgrad
    operations, so lower levels trace through it (see ``evaluate``). ``arg_names``
    and ``defaults``: the data arguments' names and the parameters' defaults, for
    messages and listings (None: not known). Rule tables are keyed by Primitive; the user-facing function that
    ``primitive`` returns carries it as ``.prim``.
    """
    __slots__ = ("name", "impl", "multiple_results", "traceable", "arg_names", "defaults",
                 "__weakref__")

    def __init__(self, name, impl, multiple_results=False, traceable=False, arg_names=None,
                 defaults=None):
        self.name = name
        self.impl = impl
        self.multiple_results = multiple_results
        self.traceable = traceable
        self.arg_names = arg_names
        self.defaults = defaults

    def __repr__(self):
        return f"<primitive {self.name}>"


def no_out(out, name):
    """Refuse an ``out=`` argument other than None, naming the function."""
    if out is not None:
        _refuse_out(name)


def _refuse_out(name):
    raise TypeError(f"fgrad.numpy.{name} does not take out=: arrays are immutable under "
                    "fgrad; use the returned value instead")


def primitive(impl, name=None, *, data=None, params=None, multiple_results=False):
    """Wrap ``impl`` (a NumPy function) as a primitive, keeping NumPy's signature.

    On plain values the wrapper is ``impl`` itself, called as it was called.
    When a data argument is a box, the call is split into data (positional, what
    derivatives flow through) and static parameters (keywords) and dispatched.

    ``data``: the names of the data parameters, in order, as one string; a
    leading ``*`` marks one parameter that is a sequence of arrays
    (``"*arrays"`` for ``concatenate``). Without it, every positional argument
    is data and every keyword a parameter (a ufunc, or ``fgrad.extend``).
    ``params``: NumPy's other parameters, in positional order, with their
    defaults (a dict); the rules then receive all of them. ``out`` is refused
    (name it in ``params`` where NumPy takes it positionally, to keep the order).
    """
    name = name or impl.__name__
    if data is None:
        prim = Primitive(name, impl, multiple_results)
        wrapped = _positional_wrapper(prim, impl)
    else:
        names = data.split()
        sequence = names[0].startswith("*")
        if sequence and len(names) > 1:
            raise ValueError("a sequence of arrays must be the only data parameter")
        flat_impl = (lambda *xs, **p: impl(xs, **p)) if sequence else impl
        prim = Primitive(name, flat_impl, multiple_results,
                         arg_names=None if sequence else tuple(names), defaults=params)
        wrapped = _signature_wrapper(prim, impl, [n.lstrip("*") for n in names], sequence,
                                     dict(params or {}))
    wrapped.prim = prim
    wrapped.__name__ = wrapped.__qualname__ = name
    wrapped.__module__ = sys._getframe(1).f_globals.get("__name__")  # its home, for pickle
    wrapped.__doc__ = getattr(impl, "__doc__", None)
    wrapped.__wrapped__ = impl
    return wrapped


def composite(np_fn):
    """Decorate an fgrad function built from primitives: on plain values the call goes
    to NumPy's own ``np_fn`` instead (same signature), so it costs what NumPy costs.
    ``out=`` is refused either way, as by every primitive."""
    def decorate(f):
        def function(*args, **kwargs):
            if kwargs and kwargs.get("out") is not None:
                _refuse_out(f.__name__)
            for a in args:
                if isinstance(a, Box) or (type(a) in _SEQUENCES and holds_box(a)):
                    return f(*args, **kwargs)
            if kwargs and any(map(holds_box, kwargs.values())):
                return f(*args, **kwargs)
            return np_fn(*args, **kwargs)
        function.__name__ = function.__qualname__ = f.__name__
        function.__module__ = f.__module__
        function.__doc__ = f.__doc__
        function.__wrapped__ = f
        return function
    return decorate


def _positional_wrapper(prim, impl):
    def wrapped(*args, **params):
        if params and "out" in params:
            if params.pop("out") is not None:
                _refuse_out(prim.name)
        for a in args:
            if isinstance(a, Box):
                return bind(prim, args, params)
        return impl(*args, **params) if params else impl(*args)
    return wrapped


_SEQUENCES = (list, tuple)


def holds_box(x):
    """Whether ``x`` is a box, or a list or tuple holding one at any depth."""
    return isinstance(x, Box) or (isinstance(x, _SEQUENCES) and any(map(holds_box, x)))


def _signature_wrapper(prim, impl, names, sequence, defaults):
    """A wrapper for ``impl(<names>, <defaults>)``; see ``primitive``."""
    n_data = len(names)
    order = tuple(defaults)

    def split(args, kwargs):
        """(data, params) of a call, or raise NumPy's kind of TypeError."""
        if len(args) > n_data + len(order):
            raise TypeError(f"{prim.name}() takes at most {n_data + len(order)} positional "
                            f"arguments ({len(args)} given)")
        data = list(args[:n_data])
        params = dict(defaults)
        params.update(zip(order, args[n_data:]))
        for key, value in kwargs.items():
            if key in names and names.index(key) == len(data):
                data.append(value)
            elif key in defaults:
                params[key] = value
            elif key == "out" and value is None:
                continue
            else:
                raise TypeError(f"fgrad.numpy.{prim.name} got an unexpected (or misplaced) "
                                f"keyword argument {key!r}")
        if params.pop("out", None) is not None:
            _refuse_out(prim.name)
        if len(data) != n_data:
            raise TypeError(f"{prim.name}() missing required argument "
                            f"{names[len(data)]!r}")
        return (tuple(data[0]) if sequence else data), params

    def wrapped(*args, **kwargs):
        if kwargs and kwargs.get("out") is not None:
            _refuse_out(prim.name)
        data = args[0] if sequence and args else args[:n_data]
        for a in data:
            if isinstance(a, Box):
                return bind(prim, *split(args, kwargs))
        if kwargs:
            for n in names:
                if n in kwargs and holds_box(kwargs[n]):
                    return bind(prim, *split(args, kwargs))
        return impl(*args, **kwargs)
    return wrapped
