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

from .rules import RULES, lookup
from .tracer import Trace, run_boxed


class Aval:
    """Shape and dtype of an array the backward pass no longer holds (``save``).

    A rule that reads anything else from it gets an error naming the primitive
    and what it read, instead of a confusing failure deep in NumPy.
    """
    __slots__ = ("shape", "dtype", "owner", "what", "index")

    def __init__(self, x, owner, what, index):
        self.shape = x.shape
        self.dtype = x.dtype
        self.owner, self.what, self.index = owner, what, index  # e.g. "exp", "argument", 0

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: math.prod(self.shape))

    def _refuse(self, *_, **__):
        raise TypeError(f"a rule of primitive '{self.owner}' read the value of its {self.what} "
                        f"{self.index}, which its save= setting does not keep: keep it "
                        "(save='all', 'args' or 'out') or read only its shape and dtype")

    __array__ = __array_ufunc__ = __array_function__ = __getitem__ = __iter__ = _refuse
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = _refuse
    __rtruediv__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = __neg__ = _refuse
    __float__ = __bool__ = __lt__ = __le__ = __gt__ = __ge__ = _refuse

    def __getattr__(self, attribute):
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        self._refuse()


def _forget(values, positions, name, what):
    """``values`` with the arrays at ``positions`` replaced by their Avals."""
    for i in positions:
        if hasattr(values[i], "shape"):
            values[i] = Aval(values[i], name, what, i)


class Node:
    """One primitive call on the graph; a leaf (an input) has no parents.

    A box holds its node, or for output k of a multi-output primitive with n
    outputs the tuple (node, k, n).

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
        self.parents = parents  # their boxes' records
        self.seq = seq


class ReverseTrace(Trace):
    __slots__ = ("_seq",)

    def __init__(self):
        super().__init__()
        self._seq = itertools.count()

    def leaf(self):
        """The node of an input of the function being differentiated."""
        return Node(None, None, None, None, (), (), next(self._seq))

    def transform(self, prim, out, values, argnums, parents, params):
        rules = RULES.get(prim)
        if rules is None or (rules.vjp_parts is None and rules.vjp is None):
            rules = lookup(prim, "vjp")
        if rules.constant:
            return out, None
        allowed = rules.vjp_args
        if allowed is not None and not allowed.issuperset(argnums):
            rules.refuse("vjp", argnums, prim.arg_names)
        kept = out
        if not rules.keeps_all:  # NB: before the Node, so intermediates can go
            if not rules.keep_args:
                _forget(values, argnums, prim.name, "argument")
            keep_out = rules.keep_out  # True, False, or the indices of outputs to keep
            if keep_out is not True and not prim.multiple_results:
                kept = None if keep_out is False else out
            elif keep_out is not True:
                kept = list(out)
                _forget(kept, [k for k in range(len(out)) if keep_out is False
                               or k not in keep_out], prim.name, "output")
        node = Node(rules, kept, tuple(values), params, tuple(argnums), tuple(parents),
                    next(self._seq))
        if prim.multiple_results:  # integer outputs (frexp's exponent) carry no derivative
            n = len(out)
            return out, [(node, k, n) if getattr(o, "dtype", _INT).kind in "fc" else None
                         for k, o in enumerate(out)]
        return out, node


_INT = np.dtype(int)


def vjp_flat(fun, primals):
    """Run ``fun`` on a list of arrays, recording a graph.

    Returns the list of outputs (this trace's boxes removed) and
    ``vjp_fn(cotangents, consume=False)``, which maps one cotangent per output
    (None for zero) to one per primal (None where no cotangent reaches it).
    """
    trace = ReverseTrace()
    leaves = [trace.leaf() for _ in primals]
    out_values, out_nodes = run_boxed(trace, fun, primals, leaves)

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
        parts = rules.vjp_parts
        if parts is None:  # a whole-call rule: every argument's cotangent at once
            cts = rules.vjp(g, out, *args, **params)
            for i, parent in zip(node.argnums, parents):
                if cts[i] is not None:
                    pending.add(parent, cts[i])
        else:
            for i, parent in zip(node.argnums, parents):
                ct = parts[i](g, out, *args, **params)
                if ct is not None:
                    pending.add(parent, ct)
        if consume:
            node.out = node.args = node.params = None
            node.argnums = node.parents = ()
    return [pending.get(leaf) for leaf in leaves]


class _Pending(dict):
    """Cotangents waiting at nodes, with a heap of those nodes, latest first.
    A multi-output node waits with a list, one cotangent (or None) per output.

    A sum this class made itself is held by nothing else, so further
    contributions are added to it in place instead of allocating anew.
    """
    __slots__ = ("heap", "owned")

    def __init__(self):
        super().__init__()
        self.heap = []
        self.owned = set()  # nodes whose cotangent is a sum made here

    def add(self, node, ct):
        if type(node) is tuple:  # output k of n of a multi-output node
            node, k, n = node
            slots = self.get(node)
            if slots is None:
                slots = self[node] = [None] * n
                heapq.heappush(self.heap, (-node.seq, node))
            slots[k] = ct if slots[k] is None else slots[k] + ct
            return
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
