"""Forward mode: carry a tangent beside each value; no graph is kept.

A box of a ``ForwardTrace`` holds its tangent in ``_data``. Values with a zero
tangent are simply not boxed, so zeros cost nothing.
"""
from .rules import RULES, add_tangents, lookup
from .tracer import Trace, run_boxed


class ForwardTrace(Trace):
    __slots__ = ()

    def transform(self, prim, out, values, argnums, tangents, params):
        rules = RULES.get(prim)
        if rules is None or (rules.jvp_parts is None and rules.jvp is None):
            rules = lookup(prim, "jvp")
        if rules.constant:
            return out, None
        return out, tangent_of(prim, rules, out, values, argnums, tangents, params)


def tangent_of(prim, rules, out, values, argnums, tangents, params):
    """The tangent of ``out`` by ``prim``'s JVP rules, given the tangents of the arguments
    at ``argnums``: the whole-call rule, or the per-argument rules' parts summed."""
    allowed = rules.jvp_args
    if allowed is not None and not allowed.issuperset(argnums):
        rules.refuse("jvp", argnums, prim.arg_names)
    parts = rules.jvp_parts
    if parts is None:  # a whole-call rule: every argument's tangent at once
        full = [None] * len(values)
        for i, t in zip(argnums, tangents):
            full[i] = t
        t_out = rules.jvp(full, out, *values, **params)
    elif prim.multiple_results:
        t_out = None
        for i, t in zip(argnums, tangents):
            t_out = add_tangents(t_out, parts[i](t, out, *values, **params))
    else:  # the common case: one output, summed contributions
        t_out = None
        for i, t in zip(argnums, tangents):
            t_part = parts[i](t, out, *values, **params)
            t_out = t_part if t_out is None else t_out + t_part
    if prim.multiple_results and t_out is None:
        t_out = (None,) * len(out)
    return t_out


def jvp_flat(fun, primals, tangents):
    """Run ``fun`` on a list of arrays with their tangents.

    Returns the outputs and their tangents (None where the tangent is zero).
    """
    return run_boxed(ForwardTrace(), fun, primals, tangents)
