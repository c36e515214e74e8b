"""Batching (vmap): run a function once on whole batches instead of once per example.

A box of a ``BatchTrace`` holds the batched array and, in ``_data``, the axis
along which examples are stacked. The function sees one example: the box hides
that axis from ``shape``. Each primitive's batching rule maps batched arguments
to a batched result, usually by moving batch axes to the front and calling the
primitive once. A primitive without a rule is run once per example, with a
warning that names it.
"""
import warnings

from .rules import BATCH_RULES
from .tracer import Box, Trace, bind, new_box, unbox_own


class BatchTrace(Trace):
    __slots__ = ("size",)

    def __init__(self, size):
        super().__init__()
        self.size = size

    def shape_of(self, box):
        shape = box._value.shape
        d = box._data
        return shape[:d] + shape[d + 1:]

    def process(self, prim, args, params):
        values, argnums, axes, _ = unbox_own(self, args)
        dims = [None] * len(args)
        for i, d in zip(argnums, axes):
            dims[i] = d
        rule = BATCH_RULES.get(prim)
        if rule is None:
            if prim not in _warned:
                _warned.add(prim)
                warnings.warn(f"vmap: primitive '{prim.name}' has no batching rule, so it runs "
                              "once per example; give it one with fgrad.extend.defbatch",
                              stacklevel=3)
            out, out_dim = per_example(prim, values, dims, params)
        else:
            out, out_dim = rule(values, dims, **params)
        return out if out_dim is None else new_box(out, self, out_dim)


_warned = set()


def per_example(prim, values, dims, params):
    """The batching rule of last resort: ``prim`` once per example, results stacked."""
    from .numpy import stack  # NB: imported late, the namespace builds on this module
    size = next(v.shape[d] for v, d in zip(values, dims) if d is not None)
    return stack([bind(prim, [v if d is None else v[(slice(None),) * d + (b,)]
                              for v, d in zip(values, dims)], params)
                  for b in range(size)]), 0


def vmap_flat(fun, values, in_dims, out_dims_of):
    """Run ``fun`` on a flat list of batched values (batch axis ``in_dims[i]``, or
    None for an unbatched value). ``out_dims_of(n)`` gives the wanted batch axis of
    each of the n outputs; returns the outputs with their batch axes moved there."""
    from .numpy import broadcast_to, expand_dims, moveaxis, shape  # NB: see per_example
    for v, d in zip(values, in_dims):
        if d is not None and not -len(shape(v)) <= d < len(shape(v)):
            raise ValueError(f"vmap: in_axes {d} is out of range for an argument of shape "
                             f"{shape(v)}; a batched argument needs an axis to map over")
    sizes = {shape(v)[d] for v, d in zip(values, in_dims) if d is not None}
    if len(sizes) != 1:
        raise ValueError("vmap: " + ("no argument is batched (in_axes are all None)" if not sizes
                                     else f"batched arguments disagree on the batch size: {sizes}"))
    trace = BatchTrace(sizes.pop())
    args = [v if d is None else new_box(v, trace, d % len(shape(v)))
            for v, d in zip(values, in_dims)]
    outs = fun(*args)
    results = []
    for o, want in zip(outs, out_dims_of(len(outs)), strict=True):
        if isinstance(o, Box) and o._trace is trace:
            if want is None:
                raise ValueError("vmap: out_axes is None for an output that varies over the batch")
            results.append(moveaxis(o._value, o._data, want))
        elif want is None:
            results.append(o)
        else:
            o = expand_dims(o, want)
            target = list(shape(o))
            target[want % len(target)] = trace.size
            results.append(broadcast_to(o, tuple(target)))
    return results
