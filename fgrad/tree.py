"""Pytrees: nested containers of leaves, flattened to a list and rebuilt.

This file owns the pytree node registry and `PyTreeDef`, the structure that every
transform uses to turn its arguments and outputs into a flat list of leaves and
back. It is pure Python and imports nothing from the rest of fgrad.

Nodes are tuples, lists, dicts, OrderedDicts, namedtuples (any tuple subclass with
`_fields`, rebuilt as its own type), `None` (a node with no children, so no leaves)
and the types given to `register_pytree_node` or `register_dataclass`. Everything
else is a leaf. As in JAX, types are matched exactly: a subclass of a node type is
a leaf unless it is registered itself (or is a namedtuple).

Dict order: a dict flattens in sorted-key order, as in JAX, so dicts with the same
keys have equal structures whatever their insertion order (just as `==` on dicts
ignores it). Unflattening restores the insertion order of the dict that was
flattened. An OrderedDict flattens in its own order, which is part of its structure.
"""

import dataclasses
from collections import OrderedDict

__all__ = [
    "PyTreeDef",
    "register_dataclass",
    "register_pytree_node",
    "tree_flatten",
    "tree_leaves",
    "tree_map",
    "tree_structure",
    "tree_unflatten",
]

_registry = {}  # node type -> (flatten_fn, unflatten_fn), matched by exact type


class PyTreeDef:
    """The structure of a pytree: its nodes without their leaves.

    Hashable and comparable; a registered node's aux data must be too.
    """

    __slots__ = ("node_type", "node_data", "children", "num_leaves")

    def __init__(self, node_type, node_data, children, num_leaves):
        self.node_type = node_type  # None for a leaf (type(None) for a None node)
        self.node_data = node_data  # aux data of the node's flatten function
        self.children = children  # tuple of PyTreeDef
        self.num_leaves = num_leaves

    def unflatten(self, leaves):
        """Build the pytree of this structure with `leaves`, in flatten order."""
        return tree_unflatten(self, leaves)

    def __eq__(self, other):
        if not isinstance(other, PyTreeDef):
            return NotImplemented
        return (
            self.num_leaves == other.num_leaves
            and self.node_type is other.node_type
            and self.node_data == other.node_data
            and self.children == other.children
        )

    def __hash__(self):
        return hash((self.node_type, self.node_data, self.children))

    def __repr__(self):
        return f"PyTreeDef({_node_repr(self)})"


_LEAF = PyTreeDef(None, None, (), 1)


def _node_repr(treedef):
    node_type, data = treedef.node_type, treedef.node_data
    children = [_node_repr(c) for c in treedef.children]
    if node_type is None:
        return "*"
    if node_type is type(None):
        return "None"
    if node_type is list:
        return f"[{', '.join(children)}]"
    if node_type is tuple:
        return f"({children[0]},)" if len(children) == 1 else f"({', '.join(children)})"
    if node_type is dict or node_type is OrderedDict:
        keys = data.sorted if node_type is dict else data
        items = ", ".join(f"{k!r}: {c}" for k, c in zip(keys, children))
        return f"{{{items}}}" if node_type is dict else f"OrderedDict({{{items}}})"
    if node_type not in _registry:  # a namedtuple
        fields = ", ".join(f"{f}={c}" for f, c in zip(node_type._fields, children))
        return f"{node_type.__name__}({fields})"
    return f"CustomNode({node_type.__name__}[{data!r}], [{', '.join(children)}])"


def tree_flatten(tree):
    """Return `(leaves, treedef)`: the leaves of `tree` in order, and its structure.

    >>> leaves, treedef = tree_flatten({"b": (1, 2), "a": [3]})
    >>> leaves
    [3, 1, 2]
    >>> tree_unflatten(treedef, [30, 10, 20])
    {'b': (10, 20), 'a': [30]}
    """
    leaves = []
    treedef = _flatten(tree, leaves)
    return leaves, treedef


def _flatten(x, leaves):
    node_type = type(x)
    if node_type is list or node_type is tuple:  # fast path
        children, node_data = x, None
    else:
        entry = _registry.get(node_type)
        if entry is not None:
            children, node_data = entry[0](x)
        elif isinstance(x, tuple) and hasattr(node_type, "_fields"):  # a namedtuple
            children, node_data = x, None
        else:
            leaves.append(x)
            return _LEAF
    start = len(leaves)
    subtrees = tuple([_flatten(c, leaves) for c in children])
    return PyTreeDef(node_type, node_data, subtrees, len(leaves) - start)


def tree_unflatten(treedef, leaves):
    """Build the pytree of structure `treedef` from `leaves`, given in flatten order."""
    leaves = list(leaves)
    if len(leaves) != treedef.num_leaves:
        raise ValueError(
            f"tree_unflatten: {treedef} expects {treedef.num_leaves} leaves, "
            f"got {len(leaves)}"
        )
    return _unflatten(treedef, iter(leaves))


def _unflatten(treedef, leaves):
    node_type = treedef.node_type
    if node_type is None:
        return next(leaves)
    children = [_unflatten(c, leaves) for c in treedef.children]
    entry = _registry.get(node_type)
    if entry is None:  # a namedtuple
        return node_type(*children)
    return entry[1](treedef.node_data, children)


def tree_leaves(tree):
    """Return the leaves of `tree` in flatten order.

    >>> tree_leaves([1, (2, None), {"x": 3}])
    [1, 2, 3]
    """
    return tree_flatten(tree)[0]


def tree_structure(tree):
    """Return the `PyTreeDef` of `tree`.

    >>> tree_structure((1, [2])) == tree_structure(("a", ["b"]))
    True
    """
    return tree_flatten(tree)[1]


def tree_map(f, tree, *rest):
    """Return `tree` with each leaf `x` replaced by `f(x, *matching leaves of rest)`.

    Every tree in `rest` must have the same structure as `tree`.

    >>> tree_map(lambda x, y: x + y, {"w": 1, "b": (2,)}, {"w": 10, "b": (20,)})
    {'w': 11, 'b': (22,)}
    """
    leaves, treedef = tree_flatten(tree)
    columns = [leaves]
    for i, other in enumerate(rest):
        other_leaves, other_def = tree_flatten(other)
        if other_def != treedef:
            raise ValueError(
                f"tree_map: rest[{i}] has structure {other_def}, "
                f"but tree has structure {treedef}"
            )
        columns.append(other_leaves)
    return _unflatten(treedef, iter([f(*xs) for xs in zip(*columns)]))


def register_pytree_node(nodetype, flatten_func, unflatten_func):
    """Make `nodetype` a pytree node, with JAX's signatures.

    `flatten_func(x) -> (children_iterable, aux_data)` and
    `unflatten_func(aux_data, children) -> x`. `aux_data` must be hashable and
    comparable with `==`, since it is part of the structure.

    >>> class Pair:
    ...     def __init__(self, a, b):
    ...         self.a, self.b = a, b
    >>> register_pytree_node(Pair, lambda p: ((p.a, p.b), None), lambda _, ch: Pair(*ch))
    >>> tree_leaves(Pair(1, [2, 3]))
    [1, 2, 3]
    """
    if not isinstance(nodetype, type):
        raise TypeError(f"register_pytree_node: expected a type, got {nodetype!r}")
    if nodetype in _registry:
        raise ValueError(f"{nodetype.__qualname__} is already registered as a pytree node")
    _registry[nodetype] = (flatten_func, unflatten_func)


def register_dataclass(cls):
    """Make dataclass `cls` a pytree node whose children are its fields, in declaration order.

    Returns `cls`, so it works as a class decorator. Instances are rebuilt without
    calling `__init__`, so a `__post_init__` check never sees the placeholder leaves
    that transforms put in; attributes that are not fields are not kept.

    >>> import dataclasses
    >>> @register_dataclass
    ... @dataclasses.dataclass
    ... class Layer:
    ...     w: float
    ...     b: float
    >>> tree_map(lambda x: 2 * x, Layer(1.0, 0.5))
    Layer(w=2.0, b=1.0)
    """
    names = tuple(field.name for field in dataclasses.fields(cls))

    def flatten(x):
        return [getattr(x, name) for name in names], None

    def unflatten(_, children):
        x = object.__new__(cls)
        for name, child in zip(names, children, strict=True):
            object.__setattr__(x, name, child)  # works for frozen dataclasses too
        return x

    register_pytree_node(cls, flatten, unflatten)
    return cls


# ---- builtin containers ----


class _DictKeys:
    """A dict node's keys: sorted (the flatten order, and all `==` compares) and as inserted."""

    __slots__ = ("sorted", "inserted")

    def __init__(self, sorted_keys, inserted):
        self.sorted = sorted_keys
        self.inserted = inserted

    def __eq__(self, other):
        return isinstance(other, _DictKeys) and self.sorted == other.sorted

    def __hash__(self):
        return hash(self.sorted)

    def __repr__(self):
        return repr(list(self.sorted))


def _flatten_dict(d):
    inserted = tuple(d)
    try:
        keys = tuple(sorted(inserted))
    except TypeError as e:
        raise TypeError(
            f"pytree dict keys must be sortable (they flatten in sorted order), "
            f"got {list(inserted)}"
        ) from e
    # NB: `inserted` is `keys` itself when already sorted, so unflatten can skip reordering.
    return [d[k] for k in keys], _DictKeys(keys, keys if inserted == keys else inserted)


def _unflatten_dict(keys, children):
    d = dict(zip(keys.sorted, children))
    return d if keys.inserted is keys.sorted else {k: d[k] for k in keys.inserted}


register_pytree_node(tuple, lambda x: (x, None), lambda _, children: tuple(children))
register_pytree_node(list, lambda x: (x, None), lambda _, children: list(children))
register_pytree_node(dict, _flatten_dict, _unflatten_dict)
register_pytree_node(
    OrderedDict,
    lambda x: (list(x.values()), tuple(x)),
    lambda keys, children: OrderedDict(zip(keys, children)),
)
register_pytree_node(type(None), lambda _: ((), None), lambda _, __: None)
