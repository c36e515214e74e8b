"""Extending fgrad: new primitives and their rules, with autograd's signatures.

``primitive``, ``defvjp``, ``defjvp`` and ``defbatch`` fill the same tables as
the built-in primitives (fgrad.rules). A primitive given only one of its two
derivative rules gets the other by transposition, since both are linear maps:

    J t   = VJP of (g -> J^T g), taken at any g, applied to the cotangent t
    J^T g = VJP of (t -> J t),   taken at any t, applied to the cotangent g

No conjugation appears: fgrad's VJP is the plain transpose of its JVP under the
pairing <a, b> = sum Re(a b), for real and complex values alike, so transposing
twice gives back the map itself. A rule written by hand always replaces a
derived one, in either order.

This module sits above the core: it imports the tracer, the tables and the
reverse-mode core, and nothing in the core imports it.
"""
from . import rules as _rules
from .reverse import vjp_flat
from .rules import NONDIFFERENTIABLE, JVP_RULES, VJP_RULES, as_primitive, defbatch
from .tracer import primitive as _primitive
from .transforms import zeros_like

__all__ = ["defbatch", "defjvp", "defvjp", "jvp_from_vjp", "primitive", "vjp_from_jvp"]


def primitive(fn):
    """``fn`` (a function on arrays) as a primitive: fgrad differentiates it only
    through the rules given to ``defvjp`` / ``defjvp``, never through its body."""
    prim = _primitive(fn)
    prim.__module__ = getattr(fn, "__module__", prim.__module__)  # pickles as fn's name
    return prim


def defvjp(prim, *vjp_makers):
    """One VJP maker per positional argument (None: not differentiable), called as
    ``maker(ans, *args, **kwargs)`` and returning ``g -> cotangent of that argument``.

    Without a hand-written JVP, ``prim`` also gets one derived from these (jvp_from_vjp).
    """
    vjps = tuple(None if m is None else _from_maker(m) for m in vjp_makers)
    _rules.defvjp(prim, *vjps, save="all")
    if not _written(JVP_RULES, prim):
        _rules.defjvp(prim, *(None if v is None else jvp_from_vjp(v, i)
                              for i, v in enumerate(vjps)))


def defjvp(prim, *jvp_rules):
    """One JVP rule per positional argument (None: not differentiable), called as
    ``rule(g, ans, *args, **kwargs)`` with ``g`` that argument's tangent, returning
    its contribution to the output's tangent (fgrad's own JVP signature).

    Without a hand-written VJP, ``prim`` also gets one derived from these (vjp_from_jvp).
    """
    _rules.defjvp(prim, *jvp_rules)
    if not _written(VJP_RULES, prim):
        _rules.defvjp(prim, *(None if j is None else vjp_from_jvp(j, i)
                              for i, j in enumerate(jvp_rules)), save="all")


def _from_maker(maker):
    """autograd's VJP maker as fgrad's rule: (g, out, *args) -> maker(out, *args)(g)."""
    return lambda g, out, *args, **params: maker(out, *args, **params)(g)


def _written(table, f):
    """Whether ``table`` has rules for ``f`` that were written, not derived or absent."""
    row = table.get(as_primitive(f))
    if table is VJP_RULES and isinstance(row, tuple):
        row = row[0]  # (rules, save)
    if row is None or row is NONDIFFERENTIABLE:
        return False
    return not isinstance(row, tuple) or any(r is not None and not hasattr(r, "transposed")
                                             for r in row)


def jvp_from_vjp(vjp_rule, i):
    """The JVP rule for argument ``i``, from its VJP rule (linear in g):
    J_i t = d/dg <t, vjp_rule(g)>, the transpose of g -> J_i^T g applied to t."""
    def jvp(t, out, *args, **params):
        return _transpose(lambda g: vjp_rule(g, out, *args, **params), out, t)
    jvp.transposed = vjp_rule
    return jvp


def vjp_from_jvp(jvp_rule, i):
    """The VJP rule for argument ``i``, from its JVP rule (linear in t):
    J_i^T g = d/dt <g, jvp_rule(t)>, the transpose of t -> J_i t applied to g."""
    def vjp(g, out, *args, **params):
        return _transpose(lambda t: jvp_rule(t, out, *args, **params), args[i], g)
    vjp.transposed = jvp_rule
    return vjp


def _transpose(linear, x, ct):
    """``linear``'s transpose applied to ``ct``, where ``linear`` takes arrays like ``x``.
    The VJP of a linear map is the same at every point; we take it at zero."""
    _, vjp_fn = vjp_flat(lambda v: [linear(v)], [zeros_like(x)])
    (result,) = vjp_fn([ct])
    return zeros_like(x) if result is None else result
