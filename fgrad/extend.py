"""Extending fgrad: new primitives and their rules, with autograd's signatures.

``primitive`` is the core's own wrapper (``fgrad.tracer.primitive``), and
``defvjp``, ``defjvp`` and ``defbatch`` fill the same rule records as the built-in
primitives (``fgrad.rules.defrules``). A primitive given only one of its two
derivative rules gets the other by transposition, since both are linear maps:

    J t   = VJP of (g -> J^T g), taken at any g, applied to the cotangent t
    J^T g = VJP of (t -> J t),   taken at any t, applied to the cotangent g

No conjugation appears: fgrad's VJP is the plain transpose of its JVP under the
pairing <a, b> = sum Re(a b), for real and complex values alike, so transposing
twice gives back the map itself. A rule written by hand always replaces a
derived one, in either order.

This module sits above the core: it imports the tracer, the rules and the
reverse-mode core, and nothing in the core imports it.
"""
import numpy as np

from .reverse import vjp_flat
from .rules import RULES, as_primitive, defrules
from .tracer import primitive as _primitive

__all__ = ["defbatch", "defjvp", "defvjp", "primitive", "transpose"]


def primitive(fn, name=None, **signature):
    """``fn`` (a function on arrays) as a primitive: fgrad differentiates it only
    through the rules given to ``defvjp`` / ``defjvp``, never through its body.
    ``signature`` (``data``, ``params``, ``multiple_results``) as for the core's
    ``fgrad.tracer.primitive``; without it, positional arguments are data.

    >>> import numpy as np, fgrad
    >>> cube = primitive(lambda x: x ** 3, "cube")
    >>> defvjp(cube, lambda ans, x: lambda g: 3 * x ** 2 * g)
    >>> float(fgrad.grad(cube)(2.0)), float(fgrad.jvp(cube, (2.0,), (1.0,))[1])
    (12.0, 12.0)
    """
    prim = _primitive(fn, name, **signature)
    prim.__module__ = getattr(fn, "__module__", prim.__module__)  # pickles as fn's name
    return prim


def defvjp(prim, *vjp_makers):
    """One VJP maker per positional argument (None: not differentiable), called as
    ``maker(ans, *args, **kwargs)`` and returning ``g -> cotangent of that argument``.

    Without a hand-written JVP, ``prim`` also gets one derived from these.

    >>> import numpy as np, fgrad
    >>> logsum = primitive(lambda x, y: np.log(x) + y, "logsum")
    >>> defvjp(logsum, lambda ans, x, y: lambda g: g / x, lambda ans, x, y: lambda g: g)
    >>> [float(d) for d in fgrad.grad(logsum, argnums=(0, 1))(4.0, 1.0)]
    [0.25, 1.0]
    """
    vjps = tuple(None if m is None else _from_maker(m, i) for i, m in enumerate(vjp_makers))
    if _written(prim, "jvp"):
        defrules(prim, vjp=vjps, save="all")
    else:
        defrules(prim, vjp=vjps, save="all", derived=("jvp",),
                 jvp=tuple(None if v is None else _jvp_from_vjp(v) for v in vjps))


def defjvp(prim, *jvp_rules):
    """One JVP rule per positional argument (None: not differentiable), called as
    ``rule(g, ans, *args, **kwargs)`` with ``g`` that argument's tangent, returning
    its contribution to the output's tangent (fgrad's own JVP signature).

    Without a hand-written VJP, ``prim`` also gets one derived from these.

    >>> import numpy as np, fgrad
    >>> square = primitive(lambda x: x * x, "square")
    >>> defjvp(square, lambda g, ans, x: 2 * x * g)
    >>> float(fgrad.grad(square)(3.0))
    6.0
    """
    jvp_rules = tuple(None if j is None else _checked_jvp(j, i) for i, j in enumerate(jvp_rules))
    if _written(prim, "vjp"):
        defrules(prim, jvp=jvp_rules)
    else:
        defrules(prim, jvp=jvp_rules, save="all", derived=("vjp",),
                 vjp=tuple(None if j is None else _vjp_from_jvp(j, i)
                           for i, j in enumerate(jvp_rules)))


def defbatch(prim, rule):
    """Give ``prim`` its batching rule for ``vmap``:
    ``rule(args, dims, size, **kwargs) -> (out, out_dim)``.

    >>> import numpy as np, fgrad
    >>> double = primitive(lambda x: 2 * x, "double")
    >>> defbatch(double, lambda args, dims, size: (double(args[0]), dims[0]))
    >>> fgrad.vmap(double)(np.arange(3.0))
    array([0., 2., 4.])
    """
    defrules(prim, batch=rule)


def _from_maker(maker, i):
    """autograd's VJP maker as fgrad's rule: (g, out, *args) -> maker(out, *args)(g)."""
    def vjp(g, out, *args, **params):
        return fit_to_value(maker(out, *args, **params)(g), args[i],
                            f"the VJP rule of argument {i}")
    return vjp


def _checked_jvp(rule, i):
    def jvp(t, out, *args, **params):
        return fit_to_value(rule(t, out, *args, **params), out, f"the JVP rule of argument {i}")
    return jvp


def fit_to_value(d, value, who):
    """A user rule's (co)tangent ``d`` checked against ``value``: the same shape, and a
    real value gets no complex derivative; a float of another precision is cast to
    ``value``'s. Raises an error naming ``who`` and both shapes or dtypes."""
    if d is None or not (hasattr(value, "dtype") or isinstance(value, (int, float, complex))):
        return d  # zero, several outputs (checked one by one), or not a number
    shape, dtype = _shape(value), _dtype(value)
    if _shape(d) != shape:
        raise ValueError(f"{who} returned shape {_shape(d)} for a value of shape {shape}")
    d_dtype = _dtype(d)
    if d_dtype.kind == "c" and dtype.kind != "c":
        raise TypeError(f"{who} returned a complex {d_dtype} derivative for a real value of "
                        f"dtype {dtype}")
    return d if d_dtype == dtype else d.astype(dtype) if hasattr(d, "astype") \
        else np.asarray(d, dtype)


def _written(f, mode):
    """Whether ``f`` has a ``mode`` rule that was written, not derived."""
    rules = RULES.get(as_primitive(f))
    return rules is not None and rules.has(mode) and mode not in rules.derived


def _dtype(x):
    return x.dtype if hasattr(x, "dtype") else np.result_type(x)


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _jvp_from_vjp(vjp_rule):
    """J_i t = d/dg <t, vjp_rule(g)>: the transpose of g -> J_i^T g, applied to t."""
    def jvp(t, out, *args, **params):
        return transpose(lambda g: vjp_rule(g, out, *args, **params), out, t)
    return jvp


def _vjp_from_jvp(jvp_rule, i):
    """J_i^T g = d/dt <g, jvp_rule(t)>: the transpose of t -> J_i t, applied to g."""
    def vjp(g, out, *args, **params):
        return transpose(lambda t: jvp_rule(t, out, *args, **params), args[i], g)
    return vjp


def transpose(linear, x, ct):
    """The transpose of ``linear`` (a linear map of arrays like ``x``) applied to ``ct``.
    ``x`` and ``linear``'s value may be tuples of arrays (several outputs), and ``ct``
    then has one entry per output (None for zero). The VJP of a linear map is the
    same at every point; we take it at zero.

    >>> import numpy as np
    >>> transpose(lambda v: np.array([[1.0, 2.0], [0.0, 3.0]]) @ v, np.zeros(2), np.ones(2))
    array([1., 5.])
    """
    several = isinstance(x, tuple)
    zeros = [np.zeros(np.shape(v), v.dtype if hasattr(v, "dtype") else np.result_type(v))
             for v in (x if several else (x,))]

    def flat(*v):
        y = linear(tuple(v) if several else v[0])
        return list(y) if isinstance(y, (tuple, list)) else [y]
    _, vjp_fn = vjp_flat(flat, zeros)
    result = vjp_fn(list(ct) if isinstance(ct, (tuple, list)) else [ct])
    result = [z if r is None else r for r, z in zip(result, zeros)]
    return tuple(result) if several else result[0]
