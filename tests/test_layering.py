"""Imports flow one way: tracer <- rules <- reverse / forward (STYLE.md, habit 8).

Imports are read with ``ast`` (anywhere in the file, including inside functions),
and relative imports are resolved to absolute module names. ``ALLOWED`` names, for
every module of the package, the fgrad modules it may import; a module missing
from it fails, and so does any import circle.
"""
import ast
from pathlib import Path

import pytest

import fgrad

PACKAGE_DIR = Path(fgrad.__file__).parent


def _module_name(path):
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of_source(source, module, is_package=False):
    """Absolute names of the modules that ``source`` (the code of ``module``) imports.

    ``from X import a`` counts as importing ``X`` and, when ``X.a`` could be a
    submodule (``from . import tree``), ``X.a`` too.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def imports_of(relative_path):
    path = PACKAGE_DIR / relative_path
    return imports_of_source(path.read_text(), _module_name(path), path.name == "__init__.py")


def fgrad_imports(relative_path):
    """The fgrad modules a file imports (names that are fgrad.X or fgrad.X.name)."""
    return {name for name in imports_of(relative_path)
            if name == "fgrad" or name.startswith("fgrad.")}


def _only(allowed, imported):
    """Imports outside ``allowed`` (``fgrad.tracer`` allows ``fgrad.tracer.Box`` too)."""
    return {name for name in imported
            if not any(name == a or name.startswith(a + ".") for a in allowed)}


# -- the helpers see what they should ------------------------------------------

def test_relative_imports_are_resolved():
    src = ("from .tracer import Box\nfrom . import tree\nfrom ..rules import defvjp\n"
           "import numpy as np\n")
    assert imports_of_source(src, "fgrad.reverse") >= {"fgrad.tracer", "fgrad.tree", "numpy"}
    assert "fgrad.rules" in imports_of_source(src, "fgrad.numpy.shape")
    assert imports_of_source("from . import tree", "fgrad", is_package=True) >= {"fgrad.tree"}


def test_imports_inside_functions_are_seen():
    src = "def f():\n    from .rules import VJP_RULES\n    import numpy.linalg\n"
    assert {"fgrad.rules", "numpy.linalg"} <= imports_of_source(src, "fgrad.tracer")


def test_only_flags_what_is_not_allowed():
    assert _only({"fgrad.tracer"}, {"fgrad.tracer", "fgrad.tracer.Box"}) == set()
    assert _only({"fgrad.tracer"}, {"fgrad.tracer", "fgrad.rules.defvjp"}) == {"fgrad.rules.defvjp"}
    assert _only({"fgrad.tracer"}, {"fgrad"}) == {"fgrad"}


def test_the_files_exist_and_import_something():
    """Guards against reading the wrong files: each of these imports at least one module."""
    for f in ("reverse.py", "forward.py", "rules.py", "tracer.py", "tree.py"):
        assert imports_of(f), f
    assert "fgrad.tracer" in fgrad_imports("reverse.py")
    assert "fgrad.tracer" in fgrad_imports("rules.py")


# -- the layering ------------------------------------------------------------------

def test_tracer_imports_nothing_from_fgrad():
    assert fgrad_imports("tracer.py") == set()


def test_tracer_does_not_import_numpy():
    imported = imports_of("tracer.py")
    assert not {n for n in imported if n == "numpy" or n.startswith("numpy.")}


def test_rules_imports_only_the_tracer():
    assert _only({"fgrad.tracer"}, fgrad_imports("rules.py")) == set()


@pytest.mark.parametrize("path", ["reverse.py", "forward.py"])
def test_modes_import_only_the_tracer_and_rules(path):
    assert _only({"fgrad.tracer", "fgrad.rules"}, fgrad_imports(path)) == set()


def test_tree_imports_nothing_from_fgrad():
    assert fgrad_imports("tree.py") == set()


# -- every module, and what it may import -----------------------------------------

_NP = "fgrad.numpy."
_HELPERS = {"fgrad.tracer", "fgrad.rules", _NP + "batch", _NP + "broadcast"}
# the families, each above those it may import (fgrad.numpy.FAMILIES, less broadcast)
_FAMILIES = ("elementwise", "shape", "indexing", "reductions", "order", "diagonals",
             "products", "linalg", "fft", "statistics", "signal", "polynomial", "sets",
             "creation")
_SP = "fgrad.scipy."
_SCIPY_BASE = {"fgrad.tracer", "fgrad.rules", "fgrad.numpy"}
ALLOWED = {
    "fgrad.tracer": set(),
    "fgrad.tree": set(),
    "fgrad.rules": {"fgrad.tracer"},
    "fgrad.reverse": {"fgrad.tracer", "fgrad.rules"},
    "fgrad.forward": {"fgrad.tracer", "fgrad.rules"},
    # the namespace: helpers below the families, families below array_box
    _NP + "broadcast": {"fgrad.tracer", "fgrad.rules"},
    _NP + "batch": {"fgrad.tracer", _NP + "broadcast"},
    **{_NP + family: _HELPERS | {_NP + lower for lower in _FAMILIES[:rank]}
       for rank, family in enumerate(_FAMILIES)},
    _NP + "namespace": _HELPERS | {_NP + family for family in _FAMILIES},
    _NP + "array_box": _HELPERS | {_NP + family for family in _FAMILIES} | {_NP + "namespace"},
    _NP + "census": {"fgrad.rules", _NP + "namespace"},
    _NP + "__main__": {_NP + "census"},
    _NP + "random": set(),
    "fgrad.numpy": {"fgrad.numpy", "fgrad.tracer"},  # its own submodules
    # the transforms, above the namespace
    "fgrad.batching": {"fgrad.tracer", "fgrad.rules", "fgrad.numpy"},
    "fgrad.transforms": {"fgrad.tracer", "fgrad.rules", "fgrad.reverse", "fgrad.forward",
                         "fgrad.batching", "fgrad.tree"},
    "fgrad.extend": {"fgrad.tracer", "fgrad.rules", "fgrad.reverse"},
    "fgrad.custom": {"fgrad.tracer", "fgrad.rules", "fgrad.batching", "fgrad.extend",
                     "fgrad.tree"},
    "fgrad.checkpoint": {"fgrad.custom", "fgrad.tracer", "fgrad.transforms", "fgrad.tree"},
    "fgrad.jacobians": {"fgrad.numpy", "fgrad.batching", "fgrad.forward", "fgrad.reverse",
                        "fgrad.transforms", "fgrad.tree"},
    "fgrad.testing": {"fgrad.transforms", "fgrad.tree"},
    "fgrad.nn": {"fgrad.numpy", "fgrad.transforms", "fgrad.scipy"},
    "fgrad.optim": {"fgrad.numpy", "fgrad.jacobians", "fgrad.transforms", "fgrad.tree"},
    "fgrad.distributed": {"fgrad.transforms", "fgrad.jacobians", "fgrad.tree"},
    "fgrad.graph": {"fgrad.tracer", "fgrad.rules", "fgrad.tree", "fgrad.transforms",
                    "fgrad.forward"},
    "fgrad": {"fgrad"},  # the public surface gathers everything
    # fgrad.scipy, above the namespace; stats above special; the solvers above the transforms
    "fgrad.scipy": {"fgrad.scipy"},
    **{_SP + m: _SCIPY_BASE for m in ("special", "signal", "linalg")},
    "fgrad.scipy.stats": {"fgrad.scipy.stats"},
    **{_SP + "stats." + p.stem: _SCIPY_BASE | {_SP + "special", _SP + "linalg", _SP + "stats"}
       for p in (PACKAGE_DIR / "scipy" / "stats").glob("*.py") if p.stem != "__init__"},
    **{_SP + m: _SCIPY_BASE | {"fgrad.custom", "fgrad.transforms", "fgrad.jacobians",
                               "fgrad.tree"} for m in ("integrate", "optimize")},
    _SP + "census": {"fgrad.rules", _NP + "census", "fgrad.scipy"},
    _SP + "__main__": {_SP + "census"},
}


def _modules():
    return {_module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}


def test_every_module_is_in_the_table():
    assert sorted(set(_modules()) - set(ALLOWED)) == []
    assert sorted(set(ALLOWED) - set(_modules())) == []


@pytest.mark.parametrize("module", sorted(ALLOWED))
def test_imports_follow_the_table(module):
    path = _modules()[module]
    imported = {n for n in imports_of(path.relative_to(PACKAGE_DIR))
                if n == "fgrad" or n.startswith("fgrad.")}
    # a name imported from a module (fgrad.rules.defrules) counts as that module
    modules = {n if n in _modules() else n.rpartition(".")[0] for n in imported}
    ancestors = {module.rsplit(".", k)[0] for k in range(1, module.count(".") + 1)}
    assert _only(ALLOWED[module], modules - {module} - ancestors) == set()


def _circle_through(graph, module):
    """Modules on a path from ``module`` back to itself in ``graph``, or None.
    Packages are skipped: their submodules load them, so they are on every path."""
    seen, stack = set(), [m for m in graph[module] if m not in _PACKAGES]
    while stack:
        m = stack.pop()
        if m == module:
            return seen
        if m not in seen:
            seen.add(m)
            stack += [n for n in graph.get(m, ()) if n not in _PACKAGES]
    return None


_PACKAGES = ("fgrad", "fgrad.numpy", "fgrad.scipy", "fgrad.scipy.stats")


def test_the_circle_finder_finds_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circle_through(graph, "a") == {"b", "c"}
    assert _circle_through(graph, "d") is None


def test_no_import_circle():
    graph = {}
    for module, path in _modules().items():
        names = imports_of(path.relative_to(PACKAGE_DIR))
        graph[module] = {n if n in _modules() else n.rpartition(".")[0] for n in names
                         if n.startswith("fgrad.")} - {module}
    for module in set(graph) - set(_PACKAGES):
        assert _circle_through(graph, module) is None, module
