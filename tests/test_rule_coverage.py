"""Every primitive reachable from fgrad.numpy has a VJP rule and a JVP rule.

A primitive either has per-argument rules in both VJP_RULES and JVP_RULES, or
is declared NONDIFFERENTIABLE in both. (Batching rules do not exist yet and are
not checked here.)
"""
import importlib
import pkgutil

import numpy as np
import pytest

import fgrad.numpy as fnp
from fgrad.rules import JVP_RULES, NONDIFFERENTIABLE, VJP_RULES, Variadic
from fgrad.tracer import Primitive, primitive


def _primitive_of(obj):
    prim = getattr(obj, "prim", None)
    return prim if isinstance(prim, Primitive) else None


def public_primitives():
    """{public name of fgrad.numpy: its Primitive}."""
    found = {}
    for name in dir(fnp):
        if name.startswith("_"):
            continue
        prim = _primitive_of(getattr(fnp, name))
        if prim is not None:
            found[name] = prim
    return found


def module_primitives():
    """{module.name: Primitive} for every module-level name, private ones included, of
    every module in the fgrad.numpy package: the primitives behind public wrappers
    (astype, max, indexing) that carry no ``.prim`` of their own."""
    names = {}  # Primitive -> the names it is found under
    for info in pkgutil.walk_packages(fnp.__path__, fnp.__name__ + "."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            prim = obj if isinstance(obj, Primitive) else _primitive_of(obj)
            if prim is not None:
                names.setdefault(prim, []).append(f"{info.name}.{name}")
    # one entry per primitive, under its most readable name (public, then short)
    return {min(found, key=lambda n: (n.rsplit(".", 1)[1].startswith("_"), len(n))): prim
            for prim, found in names.items()}


def rule_problems(prim):
    """What is wrong with ``prim``'s entries in the two tables (empty if nothing)."""
    vjp, jvp = VJP_RULES.get(prim), JVP_RULES.get(prim)
    missing = [f"no {table} rule" for table, entry in (("VJP", vjp), ("JVP", jvp)) if entry is None]
    if missing:
        return missing
    if vjp is NONDIFFERENTIABLE or jvp is NONDIFFERENTIABLE:
        if vjp is not jvp:
            return ["NONDIFFERENTIABLE in one table but not in the other"]
        return []
    if not (isinstance(vjp, tuple) and len(vjp) == 2):
        return [f"VJP entry is not (rules, save): {vjp!r}"]
    vjp_rules, _save = vjp
    if isinstance(vjp_rules, Variadic) or isinstance(jvp, Variadic):
        if not (isinstance(vjp_rules, Variadic) and isinstance(jvp, Variadic)):
            return ["variadic in one table but not in the other"]
        return []
    problems = []
    for table, row in (("VJP", vjp_rules), ("JVP", jvp)):
        if not isinstance(row, tuple) or not row:
            problems.append(f"{table} rules are not a non-empty tuple: {row!r}")
        elif all(r is None for r in row):
            problems.append(f"{table} rules are all None: declare it NONDIFFERENTIABLE")
        elif not all(r is None or callable(r) for r in row):
            problems.append(f"{table} rules hold a non-callable: {row!r}")
    if not problems:
        vjp_args = [r is not None for r in vjp_rules]
        jvp_args = [r is not None for r in jvp]
        if vjp_args != jvp_args:
            problems.append(f"VJP and JVP differ in which arguments are differentiable: "
                            f"{vjp_args} vs {jvp_args}")
    return problems


def test_the_walk_finds_the_primitives():
    """Guards the walks themselves: an empty or broken walk would pass vacuously."""
    public = public_primitives()
    for name in ("sin", "add", "sum", "max", "matmul", "reshape", "concatenate", "where",
                 "equal", "floor"):
        assert name in public, name
    assert public["amax"] is public["max"]
    assert len(set(public.values())) >= 40
    everything = set(module_primitives().values())
    assert set(public.values()) <= everything
    for name in ("getitem", "index_add", "index_set"):
        assert getattr(importlib.import_module("fgrad.numpy.indexing"), name).prim in everything
    assert importlib.import_module("fgrad.numpy.elementwise")._cast.prim in everything


def test_rule_problems_reports_a_primitive_without_rules():
    """The check below can fail: a fresh primitive has no rules."""
    bare = primitive(np.sin, "bare_sin").prim
    assert rule_problems(bare) == ["no VJP rule", "no JVP rule"]
    JVP_RULES[bare] = (lambda t, out, x: t,)
    try:
        assert rule_problems(bare) == ["no VJP rule"]
    finally:
        del JVP_RULES[bare]


def _params(found):
    return [pytest.param(prim, id=name) for name, prim in sorted(found.items())]


@pytest.mark.parametrize("prim", _params(public_primitives()))
def test_public_primitive_has_vjp_and_jvp_rules(prim):
    assert rule_problems(prim) == [], prim.name


@pytest.mark.parametrize("prim", _params(module_primitives()))
def test_every_primitive_in_fgrad_numpy_modules_has_rules(prim):
    assert rule_problems(prim) == [], prim.name


def test_nondifferentiable_functions_are_declared_so():
    """Comparisons, rounding, and shape queries have no derivative (API.md)."""
    for name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
                 "sign", "floor", "ceil", "floor_divide", "logical_not", "logical_and",
                 "logical_or", "isfinite", "isnan", "shape", "ndim", "size", "zeros_like",
                 "ones_like"):
        prim = getattr(fnp, name).prim
        assert VJP_RULES[prim] is NONDIFFERENTIABLE, name
        assert JVP_RULES[prim] is NONDIFFERENTIABLE, name


def test_differentiable_functions_are_not_declared_nondifferentiable():
    for name in ("add", "subtract", "multiply", "divide", "power", "negative", "exp", "log",
                 "sin", "cos", "tan", "tanh", "sqrt", "square", "abs", "reciprocal",
                 "maximum", "minimum", "where", "remainder", "real", "imag", "conj", "sum",
                 "mean", "prod", "max", "min", "reshape", "transpose", "broadcast_to",
                 "concatenate", "matmul"):
        prim = getattr(fnp, name).prim
        assert VJP_RULES[prim] is not NONDIFFERENTIABLE, name
        assert JVP_RULES[prim] is not NONDIFFERENTIABLE, name
