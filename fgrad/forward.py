"""Forward mode: carry a tangent beside each value; no graph is kept.

A box of a ``ForwardTrace`` holds its tangent in ``_data``. Values with a zero
tangent are simply not boxed, so zeros cost nothing.
"""
from .rules import JVP_RULES, NONDIFFERENTIABLE
from .tracer import Box, Trace, bind, new_box, unbox_own


class ForwardTrace(Trace):
    __slots__ = ()

    def process(self, prim, args, params):
        rules = JVP_RULES.get(prim)
        if rules is None:
            raise NotImplementedError(f"forward mode: primitive '{prim.name}' has no JVP rule")
        values, argnums, tangents, lower = unbox_own(self, args)
        out = bind(prim, values, params) if lower else prim.impl(*values, **params)
        if rules is NONDIFFERENTIABLE:
            return out
        t_out = None
        for i, t in zip(argnums, tangents):
            if i >= len(rules) or rules[i] is None:
                raise NotImplementedError(f"forward mode: primitive '{prim.name}' is not "
                                          f"differentiable in its argument {i}")
            t_part = rules[i](t, out, *values, **params)
            t_out = t_part if t_out is None else t_out + t_part
        return new_box(out, self, t_out)


def jvp_flat(fun, primals, tangents):
    """Run ``fun`` on a list of arrays with their tangents.

    Returns the outputs and their tangents (None where the tangent is zero).
    """
    trace = ForwardTrace()
    outs = fun(*[new_box(p, trace, t) for p, t in zip(primals, tangents, strict=True)])
    mine = [isinstance(o, Box) and o._trace is trace for o in outs]
    return ([o._value if m else o for o, m in zip(outs, mine)],
            [o._data if m else None for o, m in zip(outs, mine)])
