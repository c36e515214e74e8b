"""Reverse mode: record a graph on the forward pass, walk it backwards for VJPs.

Each primitive call under a ``ReverseTrace`` makes one ``Node``: its VJP rules,
its parents, and only what its rules need (the table's ``save`` entry), so
intermediates no rule needs are freed as the forward pass goes on.

The backward pass visits nodes in decreasing creation order, which is a reverse
topological order (a node is made after its parents). A heap gives that order
over just the nodes that receive a cotangent, with no recursion, so graphs of any
depth work. Each cotangent is dropped once its node has been processed (and sums
of cotangents are accumulated in place); with ``consume=True`` each node's saved
values go too.
"""
import heapq
import itertools
import math

import numpy as np

from .rules import NONDIFFERENTIABLE, SAVES, VJP_RULES
from .tracer import Box, Trace, bind, new_box, unbox_own


class Aval:
    """Shape and dtype of an array the backward pass no longer holds."""
    __slots__ = ("shape", "dtype")

    def __init__(self, x):
        self.shape = x.shape
        self.dtype = x.dtype

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))


class Node:
    """One primitive call on the graph; a leaf (an input) has no parents.

    NB: ``args`` and ``argnums`` are tuples of arrays and ints, which CPython's
    cyclic collector stops tracking, so a node adds few objects for it to scan.
    """
    __slots__ = ("rules", "out", "args", "params", "argnums", "parents", "seq", "__weakref__")

    def __init__(self, rules, out, args, params, argnums, parents, seq):
        self.rules = rules
        self.out = out
        self.args = args
        self.params = params
        self.argnums = argnums  # which arguments the parents are
        self.parents = parents  # their Nodes
        self.seq = seq


class ReverseTrace(Trace):
    __slots__ = ("_seq",)

    def __init__(self):
        super().__init__()
        self._seq = itertools.count()

    def leaf(self, value):
        """Box an input of the function being differentiated."""
        return new_box(value, self, Node(None, None, None, None, (), (), next(self._seq)))

    def process(self, prim, args, params):
        entry = VJP_RULES.get(prim)
        if entry is None:
            raise NotImplementedError(f"reverse mode: primitive '{prim.name}' has no VJP rule")
        values, argnums, parents, lower = unbox_own(self, args)
        if lower:
            out = bind(prim, values, params)
        else:
            out = prim.impl(*values, **params) if params else prim.impl(*values)
        if entry is NONDIFFERENTIABLE:
            return out
        rules, save = entry
        for i in argnums:
            if i >= len(rules) or rules[i] is None:
                raise NotImplementedError(f"reverse mode: primitive '{prim.name}' is not "
                                          f"differentiable in its argument {i}")
        keep_out, keep_args = SAVES[save]
        if not keep_args:
            for i in argnums:
                values[i] = Aval(values[i])
        node = Node(rules, out if keep_out else None, tuple(values),
                    params, tuple(argnums), tuple(parents), next(self._seq))
        return new_box(out, self, node)


def vjp_flat(fun, primals):
    """Run ``fun`` on a list of arrays, recording a graph.

    Returns the list of outputs (this trace's boxes removed) and
    ``vjp_fn(cotangents, consume=False)``, which maps one cotangent per output
    (None for zero) to one per primal (None where no cotangent reaches it).
    """
    trace = ReverseTrace()
    boxes = [trace.leaf(p) for p in primals]
    outs = fun(*boxes)
    out_nodes = [o._data if isinstance(o, Box) and o._trace is trace else None for o in outs]
    out_values = [o._value if n is not None else o for o, n in zip(outs, out_nodes)]
    leaves = [b._data for b in boxes]
    del boxes, outs

    def vjp_fn(cotangents, consume=False):
        seeds = [(n, ct) for n, ct in zip(out_nodes, cotangents, strict=True)
                 if n is not None and ct is not None]
        return backward_pass(seeds, leaves, consume)

    return out_values, vjp_fn


def backward_pass(seeds, leaves, consume):
    """Propagate cotangents from ``seeds`` [(node, ct)] down to ``leaves``."""
    pending = _Pending()
    for node, ct in seeds:
        pending.add(node, ct)
    heap = pending.heap
    while heap:
        node = heapq.heappop(heap)[1]
        parents = node.parents
        if not parents:
            continue  # a leaf keeps its cotangent in ``pending``
        g = pending.pop(node)
        rules, out, args, params = node.rules, node.out, node.args, node.params
        for i, parent in zip(node.argnums, parents):
            ct = rules[i](g, out, *args, **params)
            if ct is not None:
                pending.add(parent, ct)
        if consume:
            node.out = node.args = node.params = None
            node.argnums = node.parents = ()
    return [pending.get(leaf) for leaf in leaves]


class _Pending(dict):
    """Cotangents waiting at nodes, with a heap of those nodes, latest first.

    A sum this class made itself is held by nothing else, so further
    contributions are added to it in place instead of allocating anew.
    """
    __slots__ = ("heap", "owned")

    def __init__(self):
        super().__init__()
        self.heap = []
        self.owned = set()  # nodes whose cotangent is a sum made here

    def add(self, node, ct):
        acc = self.get(node)
        if acc is None:
            self[node] = ct
            heapq.heappush(self.heap, (-node.seq, node))
        elif node in self.owned and type(acc) is np.ndarray and type(ct) is np.ndarray:
            np.add(acc, ct, out=acc)
        else:
            self[node] = total = acc + ct
            if type(total) is np.ndarray:
                self.owned.add(node)

    def pop(self, node):
        self.owned.discard(node)
        return super().pop(node)
