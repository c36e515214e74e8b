"""Every primitive reachable from fgrad.numpy has a VJP rule and a JVP rule.

A primitive's record either has both rules, differentiable in the same
arguments, or declares the primitive constant (no derivative). Batching rules
are checked by test_vmap's census.
"""
import importlib
import pkgutil

import numpy as np
import pytest

import fgrad.numpy as fnp
from fgrad.rules import RULES, defrules
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
    """What is wrong with ``prim``'s record (empty if nothing)."""
    rules = RULES.get(prim)
    if rules is None:
        return ["no rules"]
    if rules.constant:
        return ["constant, yet has rules"] if rules.has("vjp") or rules.has("jvp") else []
    missing = [f"no {mode.upper()} rule" for mode in ("vjp", "jvp") if not rules.has(mode)]
    if missing:
        return missing
    if rules.vjp_args != rules.jvp_args:
        return [f"VJP and JVP differ in which arguments are differentiable: "
                f"{rules.vjp_args} vs {rules.jvp_args}"]
    return []


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
    bare = primitive(np.multiply, "bare_multiply").prim
    assert rule_problems(bare) == ["no rules"]
    defrules(bare, jvp=(lambda t, out, x, y: t * y, None))
    assert rule_problems(bare) == ["no VJP rule"]
    defrules(bare, vjp=lambda g, out, x, y: (g * y, g * x))
    assert "differ" in rule_problems(bare)[0]  # a whole-call VJP covers every argument


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
        assert RULES[getattr(fnp, name).prim].constant, name


def test_differentiable_functions_are_not_declared_nondifferentiable():
    for name in ("add", "subtract", "multiply", "divide", "power", "negative", "exp", "log",
                 "sin", "cos", "tan", "tanh", "sqrt", "square", "abs", "reciprocal",
                 "maximum", "minimum", "where", "remainder", "real", "imag", "conj", "sum",
                 "mean", "prod", "max", "min", "reshape", "transpose", "broadcast_to",
                 "concatenate", "matmul"):
        assert not RULES[getattr(fnp, name).prim].constant, name
