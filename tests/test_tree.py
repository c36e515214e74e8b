"""Tests for fgrad.tree: round trips, leaf order, structures, registration, errors."""

import dataclasses
from collections import OrderedDict, namedtuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fgrad import tree
from fgrad.tree import (
    PyTreeDef,
    register_dataclass,
    register_pytree_node,
    tree_flatten,
    tree_leaves,
    tree_map,
    tree_structure,
    tree_unflatten,
)

Point = namedtuple("Point", "x y")


class Pair:
    """A registered custom node with aux data."""

    def __init__(self, a, b, tag):
        self.a, self.b, self.tag = a, b, tag

    def __eq__(self, other):
        return type(other) is Pair and (self.a, self.b, self.tag) == (other.a, other.b, other.tag)

    def __repr__(self):
        return f"Pair({self.a!r}, {self.b!r}, {self.tag!r})"


register_pytree_node(Pair, lambda p: ((p.a, p.b), p.tag), lambda tag, ch: Pair(*ch, tag))


@register_dataclass
@dataclasses.dataclass(frozen=True)
class Params:
    w: object
    b: object
    n: object = dataclasses.field(default=0, init=False)

    def __post_init__(self):
        if self.w is None:
            raise ValueError("w must be given")


def strict_repr(x):
    """repr that tells list from tuple, shows dict order, and shows namedtuple and class names."""
    return f"{type(x).__name__}:{x!r}"


def reference_leaves(t):
    """Leaves in JAX order, written independently of fgrad.tree."""
    if t is None:
        return []
    if isinstance(t, Pair):
        return reference_leaves(t.a) + reference_leaves(t.b)
    if isinstance(t, dict):
        keys = list(t) if type(t) is OrderedDict else sorted(t)
        return [leaf for k in keys for leaf in reference_leaves(t[k])]
    if isinstance(t, (list, tuple)):
        return [leaf for c in t for leaf in reference_leaves(c)]
    return [t]


# ---- round trips ----

ROUND_TRIP_CASES = [
    1,
    "a string is a leaf",
    (),
    [],
    {},
    None,
    (1,),
    [1, 2, 3],
    (1, [2, (3, 4)], 5),
    {"b": 2, "a": 1},
    {"z": [1, {"y": 2, "x": (3,)}], "a": None},
    [None, (None,), {"k": None}],
    Point(1, (2, 3)),
    Point(x={"a": 1}, y=None),
    OrderedDict([("b", 1), ("a", [2, 3])]),
    [Pair(1, (2, 3), "tag"), Pair(4, 5, None)],
    {"p": Point(1, 2), "q": [OrderedDict(z=1, a=2)]},
]


@pytest.mark.parametrize("t", ROUND_TRIP_CASES, ids=repr)
def test_round_trip(t):
    leaves, treedef = tree_flatten(t)
    assert leaves == reference_leaves(t)
    rebuilt = tree_unflatten(treedef, leaves)
    assert rebuilt == t
    assert strict_repr(rebuilt) == strict_repr(t)
    assert treedef.unflatten(leaves) == t
    assert treedef.num_leaves == len(leaves)


def test_dict_flattens_in_sorted_key_order_and_keeps_insertion_order():
    d = {"b": 1, "c": 2, "a": 3}
    leaves, treedef = tree_flatten(d)
    assert leaves == [3, 1, 2]
    rebuilt = tree_unflatten(treedef, ["A", "B", "C"])
    assert rebuilt == {"a": "A", "b": "B", "c": "C"}
    assert list(rebuilt) == ["b", "c", "a"]


def test_dict_insertion_order_does_not_change_structure():
    assert tree_structure({"a": 1, "b": 2}) == tree_structure({"b": 2, "a": 1})
    assert hash(tree_structure({"a": 1, "b": 2})) == hash(tree_structure({"b": 2, "a": 1}))
    out = tree_map(lambda x, y: x - y, {"a": 10, "b": 20}, {"b": 2, "a": 1})
    assert out == {"a": 9, "b": 18} and list(out) == ["a", "b"]


def test_unsortable_dict_keys_raise():
    with pytest.raises(TypeError, match="sortable"):
        tree_flatten({1: "x", "a": "y"})


def test_ordered_dict_keeps_its_order_and_type():
    od = OrderedDict([("b", 1), ("a", 2)])
    leaves, treedef = tree_flatten(od)
    assert leaves == [1, 2]
    rebuilt = tree_unflatten(treedef, [10, 20])
    assert type(rebuilt) is OrderedDict
    assert list(rebuilt.items()) == [("b", 10), ("a", 20)]
    assert treedef != tree_structure(OrderedDict([("a", 1), ("b", 2)]))
    assert treedef != tree_structure({"b": 1, "a": 2})


def test_none_is_a_node_with_no_leaves():
    leaves, treedef = tree_flatten(None)
    assert leaves == [] and treedef.num_leaves == 0
    assert tree_unflatten(treedef, []) is None
    assert tree_leaves([1, None, {"a": None, "b": 2}]) == [1, 2]
    assert tree_map(lambda x: x + 1, (None, 1, [None])) == (None, 2, [None])
    assert tree_structure(None) != tree_structure(0)


def test_namedtuple_is_rebuilt_as_its_own_type():
    p = Point(x=[1, 2], y=Point(3, None))
    leaves, treedef = tree_flatten(p)
    assert leaves == [1, 2, 3]
    rebuilt = tree_unflatten(treedef, [4, 5, 6])
    assert type(rebuilt) is Point and type(rebuilt.y) is Point
    assert rebuilt == Point([4, 5], Point(6, None))
    assert tree_structure(Point(1, 2)) != tree_structure((1, 2))
    Other = namedtuple("Other", "x y")
    assert tree_structure(Point(1, 2)) != tree_structure(Other(1, 2))


def test_unregistered_types_are_leaves():
    class Box:
        pass

    class MyList(list):
        pass

    box, mine = Box(), MyList([1, 2])
    leaves = [box, mine, "ab", b"cd", 1.5, {1, 2}]
    assert tree_leaves(leaves) == leaves


# ---- registration ----


def test_registered_custom_class():
    p = Pair([1, 2], Pair(3, 4, "inner"), "outer")
    leaves, treedef = tree_flatten(p)
    assert leaves == [1, 2, 3, 4]
    rebuilt = tree_unflatten(treedef, [5, 6, 7, 8])
    assert rebuilt == Pair([5, 6], Pair(7, 8, "inner"), "outer")
    # aux data is part of the structure
    assert tree_structure(Pair(1, 2, "x")) != tree_structure(Pair(1, 2, "y"))
    assert tree_structure(Pair(1, 2, "x")) == tree_structure(Pair(3, 4, "x"))


def test_custom_flatten_may_return_any_iterable():
    class Gen:
        def __init__(self, items):
            self.items = items

    register_pytree_node(
        Gen, lambda g: ((x for x in g.items), len(g.items)), lambda n, ch: Gen(list(ch))
    )
    rebuilt = tree_map(lambda x: -x, Gen([1, 2, 3]))
    assert type(rebuilt) is Gen and rebuilt.items == [-1, -2, -3]


def test_registering_twice_raises():
    with pytest.raises(ValueError, match="already registered"):
        register_pytree_node(Pair, lambda p: ((), None), lambda aux, ch: None)
    with pytest.raises(ValueError, match="already registered"):
        register_pytree_node(dict, lambda p: ((), None), lambda aux, ch: None)


def test_register_requires_a_type():
    with pytest.raises(TypeError, match="expected a type"):
        register_pytree_node("Pair", lambda p: ((), None), lambda aux, ch: None)


def test_registered_dataclass():
    p = Params(w=[1, 2], b=3)
    leaves, treedef = tree_flatten(p)
    assert leaves == [1, 2, 3, 0]  # fields in declaration order, init=False ones too
    rebuilt = tree_unflatten(treedef, [5, 6, 7, 8])
    assert type(rebuilt) is Params
    assert (rebuilt.w, rebuilt.b, rebuilt.n) == ([5, 6], 7, 8)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rebuilt.w = 1
    # rebuilt without __init__, so __post_init__ does not reject placeholder leaves
    assert tree_map(lambda x: None, Params(w=1, b=2)).w is None


def test_register_dataclass_returns_the_class_and_rejects_non_dataclasses():
    @dataclasses.dataclass
    class Plain:
        a: int

    assert register_dataclass(Plain) is Plain
    assert tree_leaves(Plain(a=(1, 2))) == [1, 2]
    with pytest.raises(TypeError):
        register_dataclass(Pair)


# ---- tree_map ----


def test_tree_map_one_tree():
    t = {"w": [1, 2], "b": (3, None), "p": Point(4, 5)}
    assert tree_map(lambda x: 10 * x, t) == {"w": [10, 20], "b": (30, None), "p": Point(40, 50)}


def test_tree_map_several_trees_passes_matching_leaves():
    a = {"w": [1, 2], "b": Point(3, 4)}
    b = {"b": Point(30, 40), "w": [10, 20]}
    c = {"w": [100, 200], "b": Point(300, 400)}
    out = tree_map(lambda x, y, z: (x, y, z), a, b, c)
    assert out == {"w": [(1, 10, 100), (2, 20, 200)], "b": Point((3, 30, 300), (4, 40, 400))}


def test_tree_map_leaf_results_may_be_trees():
    out = tree_map(lambda x: [x, x], (1, 2))
    assert out == ([1, 1], [2, 2])


@pytest.mark.parametrize(
    "other",
    [
        {"w": [1, 2, 3], "b": 4},  # longer list
        {"w": (1, 2), "b": 4},  # tuple for list
        {"w": [1, 2], "c": 4},  # other key
        {"w": [1, 2], "b": None},  # None for a leaf
        {"w": [1, 2], "b": [4]},  # node for a leaf
    ],
)
def test_tree_map_structure_mismatch_shows_both_structures(other):
    t = {"w": [1, 2], "b": 3}
    with pytest.raises(ValueError) as info:
        tree_map(lambda x, y: x, t, other)
    message = str(info.value)
    assert repr(tree_structure(t)) in message
    assert repr(tree_structure(other)) in message
    assert "rest[0]" in message


def test_tree_map_mismatch_names_the_offending_tree():
    with pytest.raises(ValueError, match=r"rest\[1\]"):
        tree_map(lambda *xs: 0, [1, 2], [3, 4], [5])


# ---- treedefs ----


def test_unflatten_with_wrong_leaf_count_says_how_many_were_expected():
    treedef = tree_structure({"W": 1, "b": [2, 3]})
    with pytest.raises(ValueError, match="expects 3 leaves, got 2"):
        tree_unflatten(treedef, [1, 2])
    with pytest.raises(ValueError, match="expects 3 leaves, got 4"):
        treedef.unflatten([1, 2, 3, 4])
    with pytest.raises(ValueError, match="expects 0 leaves, got 1"):
        tree_unflatten(tree_structure(None), [1])


def test_unflatten_accepts_any_iterable():
    treedef = tree_structure([1, (2, 3)])
    assert tree_unflatten(treedef, iter("abc")) == ["a", ("b", "c")]
    assert tree_unflatten(treedef, (1, 2, 3)) == [1, (2, 3)]


def test_treedef_equality_and_hash():
    s1 = tree_structure({"W": 1.0, "b": [2, None]})
    s2 = tree_structure({"b": ["x", None], "W": object()})
    assert s1 == s2 and hash(s1) == hash(s2)
    assert len({s1, s2}) == 1
    different = [
        tree_structure({"W": 1.0, "b": [2]}),
        tree_structure({"W": 1.0, "b": (2, None)}),
        tree_structure({"W": 1.0, "c": [2, None]}),
        tree_structure({"W": [1.0], "b": [2, None]}),
        tree_structure([1.0, [2, None]]),
        tree_structure(1.0),
    ]
    for d in different:
        assert s1 != d
    assert len({s1, *different}) == 1 + len(different)
    assert s1 != "not a treedef"
    assert tree_structure(1) == tree_structure("leaf")


def test_treedef_num_leaves():
    assert tree_structure(5).num_leaves == 1
    assert tree_structure([]).num_leaves == 0
    assert tree_structure({"a": [1, None, (2, 3)], "b": Point(4, {})}).num_leaves == 4


@pytest.mark.parametrize(
    "t, expected",
    [
        ({"b": 1, "W": 2}, "PyTreeDef({'W': *, 'b': *})"),
        (1, "PyTreeDef(*)"),
        (None, "PyTreeDef(None)"),
        ([1, (2,), ()], "PyTreeDef([*, (*,), ()])"),
        (Point(1, [2]), "PyTreeDef(Point(x=*, y=[*]))"),
        (OrderedDict(b=1, a=2), "PyTreeDef(OrderedDict({'b': *, 'a': *}))"),
        (Pair(1, 2, "t"), "PyTreeDef(CustomNode(Pair['t'], [*, *]))"),
    ],
)
def test_treedef_repr(t, expected):
    assert repr(tree_structure(t)) == expected


def test_tree_leaves_and_structure_agree_with_flatten():
    t = {"a": [3, 1], "b": Point(2, None)}
    leaves, treedef = tree_flatten(t)
    assert tree_leaves(t) == leaves == [3, 1, 2]
    assert tree_structure(t) == treedef
    assert isinstance(treedef, PyTreeDef)


def test_public_names():
    assert set(tree.__all__) >= {
        "tree_flatten", "tree_unflatten", "tree_leaves", "tree_structure", "tree_map",
        "register_pytree_node", "register_dataclass",
    }


# ---- property tests ----

trees = st.recursive(
    st.integers() | st.none(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=30,
)


@given(trees)
def test_property_round_trip(t):
    leaves, treedef = tree_flatten(t)
    rebuilt = tree_unflatten(*reversed(tree_flatten(t)))
    assert rebuilt == t
    assert strict_repr(rebuilt) == strict_repr(t)  # also types, and dict order
    assert tree_leaves(t) == leaves == reference_leaves(t)
    assert treedef.num_leaves == len(leaves)


@given(trees)
def test_property_unflatten_places_leaves_in_flatten_order(t):
    treedef = tree_structure(t)
    numbered = tree_unflatten(treedef, range(treedef.num_leaves))
    assert tree_leaves(numbered) == reference_leaves(numbered) == list(range(treedef.num_leaves))
    assert tree_structure(numbered) == treedef


@given(trees)
def test_property_structure_ignores_leaf_values(t):
    relabeled = tree_map(str, t)
    assert tree_structure(relabeled) == tree_structure(t)
    assert hash(tree_structure(relabeled)) == hash(tree_structure(t))
    assert tree_map(lambda x, s: str(x) == s, t, relabeled) == tree_map(lambda x: True, t)
