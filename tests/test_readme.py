"""The README's code runs and says what it prints; the guides' code runs, and the
extending guide's new primitives are right (checked to second order)."""
import importlib.util
import pathlib
import re

import numpy as np
import pytest

import fgrad
import fgrad.numpy as fnp
from fgrad.rules import defrules
from fgrad.testing import check_grads
from fgrad.tracer import primitive

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
EXTENDING = (ROOT / "docs" / "guide" / "extending.md").read_text()


def _blocks(text):
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _block(text, starting_with):
    """The code block of ``text`` that starts with ``starting_with``."""
    start = text.index(starting_with)
    return text[start:text.index("```", start)]


def _run(block, scope=None):
    scope = {"np": np, "fnp": fnp, "fgrad": fgrad, "primitive": primitive,
             "defrules": defrules} if scope is None else scope
    exec(compile(block, "README.md", "exec"), scope)
    return scope


def test_the_readme_tour_runs_in_order_and_its_comments_hold():
    blocks = _blocks(README)
    assert len(blocks) >= 7
    scope = {}
    for block in blocks:
        if "fgrad.distributed" in block and importlib.util.find_spec("distributed") is None:
            continue  # the optional extra
        _run(block, scope)
    L = scope["L"]
    assert fgrad.grad(L, argnums=(0, 1, 2))(2.0, 3.0, 4.0) == (16.0, 48.0, 88.0)
    assert fgrad.value_and_grad(L)(2.0, 3.0, 4.0) == (176.0, 16.0)
    assert jax_like(scope["g"]) == jax_like(scope["params"])          # the params' structure
    np.testing.assert_allclose(scope["J1"], scope["J2"], rtol=1e-12)
    np.testing.assert_allclose(scope["Hv"], scope["H"][:, 0], rtol=1e-12)
    assert fgrad.grad(scope["log1pexp"])(1000.0) == 1.0
    assert scope["graph"].adjoints()["c"] == 88.0
    if importlib.util.find_spec("distributed") is not None:  # the distributed block ran
        x, y = scope["x"], scope["y"]
        value, grad_w = fgrad.value_and_grad(scope["loss"])(np.zeros(8), x, y)
        np.testing.assert_allclose(scope["grad_w"], grad_w, rtol=1e-12)
        assert np.isclose(scope["value"], value, rtol=1e-12)
    grads = fgrad.grad(lambda p: fnp.sum(p["w"] ** 2) * p["b"])(scope["p"])
    np.testing.assert_array_equal(grads["w"], [1.0, 1.0, 1.0])
    assert grads["b"] == 3.0
    assert scope["per_example"][0][0].shape == (16, 3, 8)


def jax_like(tree):
    """The structure of a pytree, with shapes at the leaves."""
    from fgrad.tree import tree_map
    return repr(tree_map(np.shape, tree))


def test_the_complex_convention_is_as_stated():
    assert np.isclose(fgrad.grad(lambda z: fnp.abs(z) ** 2)(3.0 + 4j), 6 - 8j, rtol=1e-15)


@pytest.mark.parametrize("example", ["mlp_digits", "student_t_fit", "neural_ode"])
def test_the_examples_the_readme_quotes_exist(example):
    assert f"`{example}.py`" in README and (ROOT / "examples" / f"{example}.py").exists()


def test_the_added_primitives_are_right():
    scope = _run(_block(EXTENDING, "from fgrad.rules import defrules"))
    cbrt, cumsum = scope["cbrt"], scope["cumsum"]
    x = np.array([0.5, -2.0, 3.0])
    check_grads(cbrt, (x,), order=2)
    np.testing.assert_allclose(fgrad.vmap(cbrt)(np.stack([x, 2 * x])), np.cbrt([x, 2 * x]))
    assert cumsum(x, 0).tolist() == np.cumsum(x).tolist()  # plain path: NumPy's own


def test_the_eigh_example_is_right():
    eigh = _run(_block(EXTENDING, "eigh = primitive(np.linalg.eigh"))["eigh"]
    a = np.random.default_rng(1).standard_normal((4, 4))

    def sym(a):
        return (a + a.T) / 2

    check_grads(lambda a: eigh(sym(a))[0], (a,), order=2)
    check_grads(lambda a: fnp.sum(eigh(sym(a))[1] ** 4), (a,), order=2)  # sign-free in V
    check_grads(lambda a: fnp.sum(eigh(sym(a)).eigenvectors[:, 0] ** 2 * eigh(sym(a))[0]),
                (a,), order=1)


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "docs" / "guide").glob("*.md")))
def test_the_guides_code_runs(page):
    """Each guide's code blocks, run in order in one namespace, as a reader would."""
    if page in ("scipy.md", "training.md", "distributed.md"):  # SciPy's functions, minimize
        pytest.importorskip("scipy")
    if page == "distributed.md":
        pytest.importorskip("distributed")
    scope = {}
    for block in _blocks((ROOT / "docs" / "guide" / page).read_text()):
        exec(compile(block, page, "exec"), scope)
