"""make_graph: one evaluation of a function as a graph, to watch backpropagation on it.

``make_graph(fun)(*args)`` runs ``fun`` once under a trace that records every
primitive call: its inputs (nodes or constants), its parameters and its forward
value. The ``Graph`` it returns lists itself like a jaxpr with values, and runs the
two modes over what it recorded with the primitives' own rules:

- ``backward(cotangent)``: reverse mode, node by node from the output, keeping each
  node's adjoint (∂L/∂node) and each edge's share of it;
- ``forward(tangents)``: forward mode from the inputs, keeping each node's tangent.

``table()`` lays the result out as backprop lectures do, ``to_dot()`` draws it for
Graphviz (forward values above the edges, adjoints below), and ``render(path)``
writes an SVG or PNG with Graphviz's ``dot`` program.

>>> import fgrad
>>> graph = fgrad.make_graph(lambda a, b, c: (a + 3 * b) * c ** 2, argnums=(0, 1, 2))(2.0, 3.0, 4.0)
>>> graph.backward()
>>> {name: float(adjoint) for name, adjoint in graph.adjoints().items() if name in "abc"}
{'a': 16.0, 'b': 48.0, 'c': 88.0}
"""
import html
import inspect
import itertools
import shutil
import subprocess

import numpy as np

from .forward import tangent_of
from .rules import RULES, lookup
from .tracer import Trace, run_boxed
from .transforms import argnums_tuple
from .tree import tree_flatten, tree_unflatten

__all__ = ["Graph", "make_graph"]


class Node:
    """One value of the graph: an input (``prim`` None) or a primitive's result.

    ``inputs`` has one entry per argument of the primitive: a ``(node, k)``
    reference (``k`` the output of a multi-output node, else None) or a constant.
    """
    __slots__ = ("name", "prim", "inputs", "params", "value", "adjoint", "tangent",
                 "edge_adjoints")

    def __init__(self, name, prim, inputs, params, value):
        self.name, self.prim, self.inputs, self.params, self.value = (
            name, prim, inputs, params, value)
        self.adjoint = self.tangent = None
        self.edge_adjoints = {}  # argument position -> the adjoint that edge carried back

    @property
    def op(self):
        return "input" if self.prim is None else self.prim.name


class _Const:
    """A constant argument of a primitive call."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class _GraphTrace(Trace):
    """Records every primitive call on its boxes as a Node."""
    __slots__ = ("nodes", "_names")

    def __init__(self, taken):
        super().__init__()
        self.nodes = []
        self._names = (f"t{i}" for i in itertools.count(1) if f"t{i}" not in taken)

    def transform(self, prim, out, values, argnums, refs, params):
        rules = RULES.get(prim)
        if rules is not None and rules.constant:  # comparisons, sizes: constants, as in
            return out, None                      # reverse mode
        inputs = [_Const(v) for v in values]
        for i, ref in zip(argnums, refs):
            inputs[i] = ref
        node = Node(next(self._names), prim, tuple(inputs), params, out)
        self.nodes.append(node)
        if prim.multiple_results:
            return out, [(node, k) for k in range(len(out))]
        return out, (node, None)


def _value(ref):
    """The forward value an input reference stands for."""
    if isinstance(ref, _Const):
        return ref.value
    node, k = ref
    return node.value if k is None else node.value[k]


def _ref_name(ref):
    node, k = ref
    return node.name if k is None else f"{node.name}[{k}]"


def _leaf_names(name, arg):
    """Names for the leaves of argument ``name``: itself for one leaf, else with the
    path to each leaf (``params[0]['W']``) for dicts, lists and tuples."""
    leaves = tree_flatten(arg)[0]
    if len(leaves) == 1:
        return [name]
    paths = []

    def walk(x, path):
        if isinstance(x, dict):
            for key in sorted(x):
                walk(x[key], f"{path}[{key!r}]")
        elif isinstance(x, (list, tuple)):
            for i, item in enumerate(x):
                walk(item, f"{path}[{i}]")
        elif x is not None:
            paths.append(path)
    walk(arg, name)
    return paths if len(paths) == len(leaves) else [f"{name}_{i}" for i in range(len(leaves))]


def make_graph(fun, argnums=0):
    """A function that runs ``fun`` once and returns its ``Graph``: the arguments at
    ``argnums`` are its input nodes (named after ``fun``'s parameters), every
    primitive call a node, and the rest constants.

    >>> import fgrad.numpy as fnp
    >>> print(make_graph(lambda x: fnp.sin(x) * x)(1.0))
    x  = 1
    t1 = sin(x)  = 0.841471
    t2 = multiply(t1, x)  = 0.841471
    output: t2
    """
    def graphed(*args, **kwargs):
        nums = argnums_tuple(argnums, len(args), "make_graph")
        nums = tuple(dict.fromkeys(nums))
        try:
            names = list(inspect.signature(fun).parameters)
        except (TypeError, ValueError):
            names = []
        leaves, in_tree = tree_flatten(tuple(args[i] for i in nums))
        leaf_names = [n for i in nums
                      for n in _leaf_names(names[i] if i < len(names) else f"arg{i}", args[i])]
        inputs = [Node(n, None, (), {}, np.asarray(x)) for n, x in zip(leaf_names, leaves)]
        trace, store = _GraphTrace(set(leaf_names)), {}

        def flat_fun(*flat):
            call = list(args)
            for i, a in zip(nums, tree_unflatten(in_tree, flat)):
                call[i] = a
            out_leaves, store["tree"] = tree_flatten(fun(*call, **kwargs))
            return out_leaves

        outs, refs = run_boxed(trace, flat_fun, [n.value for n in inputs],
                               [(n, None) for n in inputs])
        return Graph(inputs, trace.nodes, outs, refs, store["tree"])
    return graphed


class Graph:
    """One recorded evaluation: ``inputs`` and ``nodes`` (Node objects, in the order
    they ran), and the outputs (``output_refs``: None for an output that does not
    depend on the inputs). Made by ``make_graph``.

    >>> import fgrad, fgrad.numpy as fnp
    >>> graph = fgrad.make_graph(lambda x: fnp.exp(2 * x))(0.0)
    >>> graph.backward()
    >>> print(graph.table())
    node  op        value  local derivatives  adjoint
    x     input     0                         2
    t1    multiply  0      ∂/∂x = 2           1
    t2    exp       1      ∂/∂t1 = 1          1
    """

    def __init__(self, inputs, nodes, outputs, output_refs, out_tree):
        self.inputs, self.nodes = inputs, nodes
        self.outputs, self.output_refs, self.out_tree = outputs, output_refs, out_tree

    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.inputs + self.nodes)

    def __getitem__(self, name):
        return next(n for n in self if n.name == name)

    # -- the two modes over the recording ---------------------------------------------

    def backward(self, cotangent=1.0):
        """Reverse mode over the recorded graph: each node's ``adjoint`` becomes
        ∂(cotangent · output)/∂node, and each edge's share of it is kept."""
        cts = [np.broadcast_to(np.asarray(c, dtype=np.result_type(o)), np.shape(o))
               for c, o in zip(self._per_output(cotangent), self.outputs)]
        for node in self:
            node.adjoint, node.edge_adjoints = None, {}
        waiting = {}  # node -> its adjoint so far (a list for a multi-output node)
        for ref, ct in zip(self.output_refs, cts):
            if ref is not None:
                _accumulate(waiting, ref, ct)
        for node in reversed(self.nodes):
            g = waiting.pop(node, None)
            if g is None:
                continue
            node.adjoint = g
            rules = lookup(node.prim, "vjp")
            if rules.constant:
                continue
            args = [_value(ref) for ref in node.inputs]
            positions = [i for i, ref in enumerate(node.inputs) if not isinstance(ref, _Const)]
            if rules.vjp_args is not None and not rules.vjp_args.issuperset(positions):
                rules.refuse("vjp", positions, node.prim.arg_names)
            if rules.vjp_parts is None:
                whole = rules.vjp(g, node.value, *args, **node.params)
                shares = {i: whole[i] for i in positions}
            else:
                shares = {i: rules.vjp_parts[i](g, node.value, *args, **node.params)
                          for i in positions}
            for i, share in shares.items():
                if share is not None:
                    node.edge_adjoints[i] = share
                    _accumulate(waiting, node.inputs[i], share)
        for node in self.inputs:
            node.adjoint = waiting.pop(node, None)

    def forward(self, tangents):
        """Forward mode over the recorded graph: ``tangents`` has the structure of the
        differentiated arguments (one per argument, a tuple for several); each node's
        ``tangent`` becomes its directional derivative."""
        flat = tree_flatten(tangents if isinstance(tangents, tuple) else (tangents,))[0]
        if len(flat) != len(self.inputs):
            raise ValueError(f"forward: {len(flat)} tangent leaves for "
                             f"{len(self.inputs)} inputs ({', '.join(self.names())})")
        for node, t in zip(self.inputs, flat):
            t = np.asarray(t, dtype=node.value.dtype)
            if t.shape != node.value.shape:
                raise ValueError(f"forward: the tangent of {node.name} has shape {t.shape}, "
                                 f"its value {node.value.shape}")
            node.tangent = t
        for node in self.nodes:
            ts = {i: _tangent(ref) for i, ref in enumerate(node.inputs)
                  if not isinstance(ref, _Const)}
            ts = {i: t for i, t in ts.items() if t is not None}
            node.tangent = _apply_jvp(node, ts) if ts else None

    def _per_output(self, cotangent):
        if np.ndim(cotangent) == 0 and not isinstance(cotangent, (list, tuple, dict)):
            return [cotangent] * len(self.outputs)
        flat, tree = tree_flatten(cotangent)
        if tree != self.out_tree:
            raise ValueError(f"backward: the cotangent has structure {tree}, the output "
                             f"{self.out_tree}")
        return flat

    # -- reading it ------------------------------------------------------------------------

    def names(self):
        return [n.name for n in self]

    def forward_values(self):
        """{name: forward value} for every input and node."""
        return {n.name: n.value for n in self}

    def adjoints(self):
        """{name: adjoint} after ``backward`` (None where no adjoint reached)."""
        return {n.name: n.adjoint for n in self}

    def tangents(self):
        """{name: tangent} after ``forward`` (None where the tangent is zero)."""
        return {n.name: n.tangent for n in self}

    def __str__(self):
        return self.listing()

    def __repr__(self):
        return f"<Graph: {len(self.inputs)} inputs, {len(self.nodes)} nodes>"

    def listing(self, limit=200):
        """One line per input and node, ``name = op(inputs)  = value``; past ``limit``
        nodes, the first and last ``limit // 2`` with a count of those left out."""
        lines = [f"{n.name}  = {_summary(n.value)}" for n in self.inputs]
        shown = self.nodes
        skipped = 0
        if len(shown) > limit:
            skipped = len(shown) - limit
            shown = shown[:limit // 2] + [None] + shown[-(limit - limit // 2):]
        for n in shown:
            if n is None:
                lines.append(f"... {skipped:,} nodes not shown (listing(limit=...) shows more)")
                continue
            lines.append(f"{n.name} = {_call(n)}  = {_summary(n.value)}")
        outs = ", ".join("(constant)" if r is None else _ref_name(r) for r in self.output_refs)
        lines.append(f"output: {outs}")
        return "\n".join(lines)

    def table(self):
        """Node, operation, forward value, local derivatives (∂node/∂input, where both
        are scalars), and the adjoint and tangent once ``backward`` and ``forward``
        have run: the backprop lecture's table, as text."""
        columns = {"node": lambda n: n.name, "op": lambda n: n.op,
                   "value": lambda n: _summary(n.value), "local derivatives": _local_derivatives}
        if any(n.adjoint is not None for n in self):
            columns["adjoint"] = lambda n: "" if n.adjoint is None else _summary(n.adjoint)
        if any(n.tangent is not None for n in self):
            columns["tangent"] = lambda n: "" if n.tangent is None else _summary(n.tangent)
        rows = [tuple(columns)] + [tuple(f(n) for f in columns.values()) for n in self]
        widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                         for r in rows)

    # -- drawing it -------------------------------------------------------------------------

    def to_dot(self, max_nodes=300, min_size=None, collapse=False):
        """Graphviz DOT text: a box per node (forward value, and adjoint after
        ``backward``), an edge per use, its forward value above it (blue) and the
        adjoint it carried back below it (red).

        Large graphs: ``collapse=True`` draws each chain of nodes that feed only one
        another as one box; ``min_size`` hides nodes with fewer elements (inputs and
        outputs stay), joining what they connected; more than ``max_nodes`` boxes
        is a ValueError that says which option to use.
        """
        boxes, edges = _layout(self, min_size, collapse)
        if len(boxes) > max_nodes:
            hint = ""
            if not collapse:
                hint = f" (collapse=True draws {len(_layout(self, min_size, True)[0]):,})"
            raise ValueError(f"to_dot: {len(boxes):,} boxes to draw, more than "
                             f"max_nodes={max_nodes}, and Graphviz lays out that many "
                             f"unreadably. Pass collapse=True to merge chains of single-use "
                             f"nodes{hint}, min_size=N to show only arrays of N elements or "
                             "more, or a larger max_nodes")
        lines = ["digraph fgrad {", "  rankdir=LR;",
                 '  node [shape=box, fontname="Helvetica", fontsize=11];',
                 '  edge [fontname="Helvetica", fontsize=10];']
        for box_id, label, is_input in boxes:
            shape = ', shape=ellipse' if is_input else ""
            lines.append(f"  {box_id} [label=<{label}>{shape}];")
        for source, target, label in edges:
            style = ', style=dashed' if label is None else f", label=<{label}>"
            lines.append(f"  {source} -> {target} [{style.lstrip(', ')}];")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def render(self, path, **options):
        """Write the picture to ``path`` (.svg, .png or .pdf) with Graphviz's ``dot``;
        ``options`` as for ``to_dot``."""
        fmt = str(path).rsplit(".", 1)[-1].lower()
        if fmt not in ("svg", "png", "pdf"):
            raise ValueError(f"render: write .svg, .png or .pdf, not .{fmt}")
        done = subprocess.run([_dot_program(), f"-T{fmt}", "-o", str(path)],
                              input=self.to_dot(**options), text=True, capture_output=True)
        if done.returncode:
            raise RuntimeError(f"Graphviz's dot failed: {done.stderr.strip()}")

    def _repr_svg_(self):
        """The picture in a notebook (None, so the text repr shows, without Graphviz)."""
        if shutil.which("dot") is None:
            return None
        return subprocess.run(["dot", "-Tsvg"], input=self.to_dot(), text=True,
                              capture_output=True, check=True).stdout


def _dot_program():
    found = shutil.which("dot")
    if found is None:
        raise RuntimeError("render needs Graphviz's `dot` program, which is not installed: "
                           "`apt install graphviz` (Debian, Ubuntu), `brew install graphviz` "
                           "(macOS) or `conda install graphviz`; graph.to_dot() gives the "
                           "DOT text without it")
    return found


def _accumulate(waiting, ref, ct):
    node, k = ref
    if k is None:
        waiting[node] = ct if node not in waiting else waiting[node] + ct
        return
    slots = waiting.setdefault(node, [None] * len(node.value))
    slots[k] = ct if slots[k] is None else slots[k] + ct


def _tangent(ref):
    node, k = ref
    if node.tangent is None or k is None:
        return node.tangent
    return node.tangent[k]


def _apply_jvp(node, tangents):
    """The node's tangent from its inputs' (``tangents``: position -> tangent)."""
    rules = lookup(node.prim, "jvp")
    if rules.constant:
        return None
    args = [_value(ref) for ref in node.inputs]
    return tangent_of(node.prim, rules, node.value, args, list(tangents),
                      list(tangents.values()), node.params)


def _local_derivatives(node):
    """"∂/∂a = 16, ∂/∂b = ..." where the node and its inputs are scalars."""
    if node.prim is None or np.ndim(node.value) != 0 or node.prim.multiple_results:
        return ""
    rules = lookup(node.prim, "vjp")
    if rules.constant:
        return "0"
    args = [_value(ref) for ref in node.inputs]
    parts = []
    one = np.ones((), dtype=np.result_type(node.value))
    whole = rules.vjp(one, node.value, *args, **node.params) if rules.vjp_parts is None \
        else None
    for i, ref in enumerate(node.inputs):
        if isinstance(ref, _Const) or np.ndim(_value(ref)) != 0:
            continue
        if whole is None and (rules.vjp_parts[i] is None):
            continue
        d = whole[i] if whole is not None else rules.vjp_parts[i](one, node.value, *args,
                                                                   **node.params)
        parts.append(f"∂/∂{_ref_name(ref)} = {_summary(d)}")
    return ", ".join(parts)


def _call(node):
    """``op(inputs, params)`` as written: input names, constants (scalars by value,
    arrays by dtype and shape), and the parameters that differ from their defaults."""
    args = [_ref_name(r) if not isinstance(r, _Const)
            else _summary(r.value) if np.ndim(r.value) == 0
            else "const " + _summary(r.value).split(" ")[0] for r in node.inputs]
    defaults = node.prim.defaults or {}
    args += [f"{k}={v!r}" for k, v in node.params.items()
             if k not in defaults or not _same(v, defaults[k])]
    return f"{node.op}({', '.join(args)})"


def _same(a, b):
    try:
        return bool(a is b or a == b)
    except ValueError:  # arrays
        return False


def _summary(x):
    """A scalar as its value (6 significant digits); an array as dtype[shape] and a
    few numbers; several outputs in parentheses."""
    if isinstance(x, tuple):  # the outputs of a multi-output primitive
        return f"({', '.join(_summary(v) for v in x)})"
    a = np.asarray(x)
    if a.ndim == 0:
        v = a.item()
        return f"{v:.6g}" if isinstance(v, (float, complex)) else str(v)
    kind = {"f": "f", "c": "c", "i": "i", "u": "u", "b": "bool"}.get(a.dtype.kind, a.dtype.kind)
    dtype = f"{kind}{a.dtype.itemsize * 8}" if kind != "bool" else "bool"
    head = f"{dtype}[{','.join(map(str, a.shape))}]"
    if a.size == 0:
        return head
    if a.size <= 4:
        return f"{head} [{', '.join(_summary(v) for v in a.ravel())}]"
    if a.dtype.kind in "fiu":
        return f"{head} mean {a.mean():.4g}, min {a.min():.4g}, max {a.max():.4g}"
    return head


# -- the picture: which boxes and edges to draw ------------------------------------------

FORWARD, ADJOINT, TANGENT = "#1f5fbf", "#c0392b", "#1e8449"  # blue, red, green


def _layout(graph, min_size, collapse):
    """(boxes, edges) to draw: boxes as (id, HTML label, is_input), edges as (source id,
    target id, HTML label or None for a path through hidden nodes)."""
    outputs = {ref[0] for ref in graph.output_refs if ref is not None}
    shown = [n for n in graph.nodes
             if min_size is None or n in outputs or _size(n.value) >= min_size]
    visible = set(graph.inputs) | set(shown)
    group = _chains(graph, shown, outputs) if collapse else {}
    box_of = {n: group.get(n, [n])[-1] for n in visible}  # a chain is drawn as its last node

    boxes = [(_id(n), _label(n, [n]), True) for n in graph.inputs]
    drawn = set()
    for n in shown:
        members = group.get(n, [n])
        if members[-1] is n and n not in drawn:
            drawn.add(n)
            boxes.append((_id(n), _label(n, members), False))

    edges = []
    for n in shown:
        members = group.get(n, [n])
        if members[0] is not n:  # inside a chain: its edges are drawn at the chain's head
            continue
        target = _id(box_of[members[-1]])
        for i, ref in enumerate(n.inputs):
            if isinstance(ref, _Const):
                continue
            source = ref[0]
            if source in visible:
                edges.append((_id(box_of[source]), target, _edge_label(n, i, ref)))
            else:
                edges += [(_id(box_of[a]), target, None) for a in _visible_ancestors(source,
                                                                                     visible)]
    return boxes, list(dict.fromkeys(edges))


def _size(value):
    return max(np.size(v) for v in value) if isinstance(value, tuple) else np.size(value)


def _id(node):
    return f'"{node.name}"'


def _chains(graph, shown, outputs):
    """{node: the chain it belongs to}, for maximal chains of three or more shown nodes
    each fed by the one before and feeding only the one after."""
    shown_set = set(shown)
    consumers = {}
    for n in shown:
        for ref in n.inputs:
            if not isinstance(ref, _Const):
                consumers.setdefault(ref[0], []).append(n)

    def sole_parent(n):
        parents = {ref[0] for ref in n.inputs if not isinstance(ref, _Const)}
        if len(parents) != 1:
            return None
        (p,) = parents
        ok = p in shown_set and p not in outputs and len(consumers.get(p, ())) == 1
        return p if ok else None

    group = {}
    for n in reversed(shown):
        if n in group:
            continue
        chain = [n]
        while (p := sole_parent(chain[-1])) is not None and p not in group:
            chain.append(p)
        if len(chain) >= 3:
            chain.reverse()
            for member in chain:
                group[member] = chain
    return group


def _visible_ancestors(node, visible, seen=None):
    """The nearest visible nodes above a hidden one."""
    found, stack, seen = [], [node], set()
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        for ref in n.inputs:
            if isinstance(ref, _Const):
                continue
            (found if ref[0] in visible else stack).append(ref[0])
    return list(dict.fromkeys(found))


def _label(node, members):
    """A box's HTML label: what it computes, its value, and its adjoint and tangent."""
    if len(members) > 1:
        ops = list(dict.fromkeys(m.op for m in members))
        title = (f"{members[0].name} … {node.name}: {', '.join(ops)} "
                 f"({len(members):,} nodes)")
    elif node.prim is None:
        title = node.name
    else:
        title = f"{node.name} = {_call(node)}"
    lines = [f"<b>{html.escape(title)}</b>",
             f'<font color="{FORWARD}">{html.escape(_summary(node.value))}</font>']
    if node.adjoint is not None:
        lines.append(f'<font color="{ADJOINT}">adjoint {html.escape(_summary(node.adjoint))}'
                     "</font>")
    if node.tangent is not None:
        lines.append(f'<font color="{TANGENT}">tangent {html.escape(_summary(node.tangent))}'
                     "</font>")
    return "<br/>".join(lines)


def _edge_label(node, i, ref):
    """The forward value on the edge (above) and the adjoint it carried back (below)."""
    label = f'<font color="{FORWARD}">{html.escape(_summary(_value(ref)))}</font>'
    share = node.edge_adjoints.get(i)
    if share is not None:
        label += f'<br/><font color="{ADJOINT}">{html.escape(_summary(share))}</font>'
    return label
