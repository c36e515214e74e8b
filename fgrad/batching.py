"""Batching (vmap): run a function once on whole batches instead of once per example.

A box of a ``BatchTrace`` holds the batched array and, in ``_data``, the axis
along which examples are stacked. The function sees one example: the box hides
that axis from ``shape``. Each primitive's batching rule maps batched arguments
to a batched result, usually by moving batch axes to the front and calling the
primitive once. A primitive without a rule is run once per example, with a
warning that names it.

Moving axes and stacking traced values are ``fgrad.numpy`` operations, so this
module sits above the namespace.
"""
import warnings

import numpy as np

from .numpy import broadcast_to, expand_dims, moveaxis, shape, stack
from .rules import RULES
from .tracer import Trace, bind, run_boxed, unbox


class BatchTrace(Trace):
    __slots__ = ("size",)
    evaluates = False  # the batching rule computes the batched result

    def __init__(self, size):
        super().__init__()
        self.size = size

    def shape_of(self, box):
        shape = box._value.shape
        d = box._data
        return shape[:d] + shape[d + 1:]

    def transform(self, prim, out, values, argnums, axes, params):
        dims = [None] * len(values)
        for i, d in zip(argnums, axes):
            dims[i] = d
        rules = RULES.get(prim)
        if rules is None or rules.batch is None:
            if prim not in _warned:
                _warned.add(prim)
                warnings.warn(f"vmap: primitive '{prim.name}' has no batching rule, so it runs "
                              "once per example; give it one with fgrad.extend.defbatch",
                              stacklevel=4)
            return per_example(prim, values, dims, self.size, params)
        return rules.batch(values, dims, self.size, **params)


_warned = set()


def per_example(prim, values, dims, size, params):
    """The batching rule of last resort: ``prim`` once per example, results stacked
    (a multi-output primitive's outputs each; outputs that are not arrays are the
    first example's)."""
    if size == 0:
        return _no_examples(prim, values, dims, params)
    results = [bind(prim, [v if d is None else v[(slice(None),) * d + (b,)]
                           for v, d in zip(values, dims)], params)
               for b in range(size)]
    if not prim.multiple_results:
        return stack(results), 0
    columns = list(zip(*results))
    arrays = [hasattr(c[0], "shape") for c in columns]
    return ([stack(c) if a else c[0] for c, a in zip(columns, arrays)],
            [0 if a else None for a in arrays])


def _no_examples(prim, values, dims, params):
    """A batch of no examples: its shapes and dtypes from one example made of zeros."""
    example = [unbox(v) if d is None else np.zeros(v.shape[:d] + v.shape[d + 1:], v.dtype)
               for v, d in zip(values, dims)]
    out = prim.impl(*example, **params)
    if not prim.multiple_results:
        return np.zeros((0,) + np.shape(out), np.result_type(out)), 0
    return ([np.zeros((0,) + o.shape, o.dtype) if hasattr(o, "shape") else o for o in out],
            [0 if hasattr(o, "shape") else None for o in out])


def vmap_flat(fun, values, in_dims, out_dims_of):
    """Run ``fun`` on a flat list of batched values (batch axis ``in_dims[i]``, or
    None for an unbatched value). ``out_dims_of(n)`` gives the wanted batch axis of
    each of the n outputs; returns the outputs with their batch axes moved there."""
    for v, d in zip(values, in_dims):
        if d is not None and not -len(shape(v)) <= d < len(shape(v)):
            raise ValueError(f"vmap: in_axes {d} is out of range for an argument of shape "
                             f"{shape(v)}; a batched argument needs an axis to map over")
    sizes = {shape(v)[d] for v, d in zip(values, in_dims) if d is not None}
    if len(sizes) != 1:
        raise ValueError("vmap: " + ("no argument is batched (in_axes are all None)" if not sizes
                                     else f"batched arguments disagree on the batch size: {sizes}"))
    trace = BatchTrace(sizes.pop())
    outs, dims = run_boxed(trace, fun, values,
                           [None if d is None else d % len(shape(v))
                            for v, d in zip(values, in_dims)])
    results = []
    for o, d, want in zip(outs, dims, out_dims_of(len(outs)), strict=True):
        if d is not None:
            if want is None:
                raise ValueError("vmap: out_axes is None for an output that varies over the batch")
            results.append(moveaxis(o, d, want))
        elif want is None:
            results.append(o)
        else:
            o = expand_dims(o, want)
            target = list(shape(o))
            target[want % len(target)] = trace.size
            results.append(broadcast_to(o, tuple(target)))
    return results
