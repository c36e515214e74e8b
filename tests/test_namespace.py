"""The systematic test of fgrad.numpy and fgrad.scipy: every row of tests/specs at every shape.

For each case: forward and reverse mode to second order against central finite
differences; vmap against a loop (every argument batched on axis 0, and the first
argument alone batched on its last axis); the value under a transform equals
NumPy's own, bit for bit and dtype for dtype; float32 derivatives stay float32 and
agree with float64; and, drawn by hypothesis, <v, J u> from jvp equals <J^T v, u>
from vjp. The meta-tests fail when a primitive is bound by no row, or lacks a
rule.
"""
import importlib
import pkgutil

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import fgrad
import fgrad.numpy as fnp
import fgrad.tracer
import specs
from domains import rng_for
from fgrad.rules import RULES
from fgrad.testing import check_grads
from fgrad.tracer import Primitive
from fgrad.tree import tree_leaves, tree_map

try:
    import scipy  # noqa: F401
    HAS_SCIPY = True
except ImportError:
    HAS_SCIPY = False
# rows of fgrad.scipy live in specs/scipy_*.py, read only when SciPy is installed
SPECS = [spec for info in pkgutil.iter_modules(specs.__path__)
         if HAS_SCIPY or not info.name.startswith("scipy_")
         for spec in importlib.import_module(f"specs.{info.name}").SPECS]


def _sid(shapes):
    return ",".join("x".join(map(str, s)) if s else "0d" for s in shapes)


def _args(spec, shapes, key="", lead=()):
    rng = rng_for(f"{spec.name}-{_sid(shapes)}{key}")
    return tuple(np.asarray(d(rng, lead + tuple(s))) for d, s in zip(spec.domains, shapes,
                                                                       strict=True))


CASES = [pytest.param(spec, shapes, id=f"{spec.name}-{_sid(shapes)}")
         for spec in SPECS for shapes in spec.shapes]


def test_specs_are_found():
    """Guards the walk: an empty SPECS would make every test below vacuous."""
    assert len(SPECS) >= 10 and len({s.name for s in SPECS}) == len(SPECS)


@pytest.mark.parametrize("spec, shapes", [c for c in CASES if c.values[0].order > 0])
def test_derivatives(spec, shapes):
    check_grads(spec.fun, _args(spec, shapes), order=spec.order, modes=spec.modes,
                rtol=spec.rtol, atol=spec.atol)


def _assert_same(actual, expected):
    for a, e in zip(tree_leaves(actual), tree_leaves(expected), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-14)
        assert np.shape(a) == np.shape(e)


@pytest.mark.parametrize("spec, shapes", [c for c in CASES if c.values[0].vmap])
def test_vmap_equals_a_loop(spec, shapes):
    size = 3
    batched = _args(spec, shapes, "-batch", (size,))
    looped = [spec.fun(*(a[b] for a in batched)) for b in range(size)]
    _assert_same(fgrad.vmap(spec.fun)(*batched), tree_map(lambda *xs: np.stack(xs), *looped))
    # the first argument alone batched, along its last axis
    first = np.moveaxis(batched[0], 0, -1)
    rest = _args(spec, shapes)[1:]
    looped = [spec.fun(first[..., b], *rest) for b in range(size)]
    in_axes = (-1,) + (None,) * len(rest)
    _assert_same(fgrad.vmap(spec.fun, in_axes=in_axes)(first, *rest),
                 tree_map(lambda *xs: np.stack(xs), *looped))


@pytest.mark.parametrize("spec, shapes", [c for c in CASES if c.values[0].exact])
def test_traced_values_are_numpys(spec, shapes):
    args = _args(spec, shapes)
    traced, _ = fgrad.jvp(spec.fun, args, tuple(np.ones_like(a) for a in args))
    for t, p in zip(tree_leaves(traced), tree_leaves(spec.fun(*args)), strict=True):
        assert np.asarray(t).dtype == np.asarray(p).dtype
        np.testing.assert_array_equal(t, p)


def _single(dtype):
    return {np.dtype(np.float64): np.float32, np.dtype(np.complex128): np.complex64}.get(
        np.dtype(dtype), dtype)


@pytest.mark.parametrize("spec, shapes",
                         [c for c in CASES if c.values[0].float32 and c.values[0].order > 0])
def test_float32_derivatives_stay_float32(spec, shapes):
    args = _args(spec, shapes)
    small = tuple(a.astype(_single(a.dtype)) for a in args)

    def pull(xs):
        out, vjp_fn = fgrad.vjp(spec.fun, *xs)
        return vjp_fn(tree_map(lambda o: np.ones(np.shape(o), np.asarray(o).dtype), out))

    for low, high, x in zip(pull(small), pull(args), small, strict=True):
        assert np.asarray(low).dtype == x.dtype
        np.testing.assert_allclose(low, high, rtol=2e-3, atol=2e-3 * (1 + np.max(np.abs(high))))


def _inner(xs, ys):
    return sum(float(np.sum(np.real(np.asarray(x) * np.asarray(y))))
               for x, y in zip(tree_leaves(xs), tree_leaves(ys), strict=True))


DIFFERENTIABLE = [c.values for c in CASES if c.values[0].order > 0]


@settings(max_examples=100)
@given(st.sampled_from(DIFFERENTIABLE), st.integers(0, 2**32 - 1))
def test_jvp_and_vjp_are_transposes(case, seed):
    spec, shapes = case
    args = _args(spec, shapes)
    rng = np.random.default_rng(seed)

    def draw(x):
        v = rng.standard_normal(np.shape(x))
        return (v + 1j * rng.standard_normal(np.shape(x)) if np.iscomplexobj(x) else v) \
            .astype(np.asarray(x).dtype)

    u = tuple(draw(a) for a in args)
    out, ju = fgrad.jvp(spec.fun, args, u)
    v = tree_map(draw, out)
    jtv = fgrad.vjp(spec.fun, *args)[1](v)
    lhs, rhs = _inner(v, ju), _inner(jtv, u)
    assert np.isclose(lhs, rhs, rtol=1e-9, atol=1e-12), (lhs, rhs)


# -- meta-tests: every primitive has its three rules and a row ---------------------------

def _packages():
    if not HAS_SCIPY:
        return [fnp]
    import fgrad.scipy
    return [fnp, fgrad.scipy]


def _namespace_primitives():
    """Every Primitive defined in a module of fgrad.numpy (and fgrad.scipy), by name."""
    found = {}
    modules = [info.name for package in _packages()
               for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    for module in modules:
        if module.endswith("__main__"):
            continue
        for name, obj in vars(importlib.import_module(module)).items():
            prim = obj if isinstance(obj, Primitive) else getattr(obj, "prim", None)
            if isinstance(prim, Primitive):
                found.setdefault(prim, f"{module}.{name}")
    return found


def test_every_primitive_has_its_three_rules():
    missing = []
    for prim, where in _namespace_primitives().items():
        rules = RULES.get(prim)
        if rules is None or rules.batch is None or not (
                rules.constant or (rules.has("vjp") and rules.has("jvp"))):
            missing.append(where)
    assert missing == []


def _untested(rows, monkeypatch):
    """The primitives of fgrad.numpy that none of ``rows`` binds, by name."""
    bound = set()
    bind = fgrad.tracer.bind

    def recording(prim, args, params):
        bound.add(prim)
        return bind(prim, args, params)

    with monkeypatch.context() as patch:
        patch.setattr(fgrad.tracer, "bind", recording)
        for spec in rows:
            args = _args(spec, spec.shapes[0])
            fgrad.jvp(spec.fun, args, tuple(np.ones_like(a) for a in args))
    return sorted(w for p, w in _namespace_primitives().items() if p not in bound)


# Primitives whose parameters are user functions, which Spec rows cannot express; their
# own files check them in both modes and under vmap, against closed forms and finite
# differences (tests/test_scipy_integrate.py, tests/test_scipy_optimize.py).
TESTED_ELSEWHERE = {"fgrad.scipy.integrate._odeint_p", "fgrad.scipy.integrate._adjoint_p",
                    "fgrad.scipy.integrate._tangent_p", "fgrad.scipy.optimize._implicit_p"}


def test_every_primitive_is_bound_by_some_row(monkeypatch):
    if HAS_SCIPY:  # the exemptions name real primitives
        assert TESTED_ELSEWHERE <= set(_namespace_primitives().values())
    assert sorted(set(_untested(SPECS, monkeypatch)) - TESTED_ELSEWHERE) == []


def test_the_meta_test_can_fail(monkeypatch):
    """With one row only, nearly every primitive is reported untested."""
    assert len(_namespace_primitives()) >= 40
    assert len(_untested(SPECS[:1], monkeypatch)) >= len(_namespace_primitives()) - 10
