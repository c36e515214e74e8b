"""The README's code for adding primitives runs and is right (checked to second order)."""
import pathlib

import numpy as np

import fgrad
import fgrad.numpy as fnp
from fgrad.rules import defrules
from fgrad.testing import check_grads
from fgrad.tracer import primitive

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()


def _block(starting_with):
    """The code block of the README that starts with ``starting_with``."""
    start = README.index(starting_with)
    return README[start:README.index("```", start)]


def _run(block):
    scope = {"np": np, "fnp": fnp, "fgrad": fgrad, "primitive": primitive,
             "defrules": defrules}
    exec(compile(block, "README.md", "exec"), scope)
    return scope


def test_the_added_primitives_are_right():
    scope = _run(_block("from fgrad.rules import defrules"))
    cbrt, cumsum = scope["cbrt"], scope["cumsum"]
    x = np.array([0.5, -2.0, 3.0])
    check_grads(cbrt, (x,), order=2)
    np.testing.assert_allclose(fgrad.vmap(cbrt)(np.stack([x, 2 * x])), np.cbrt([x, 2 * x]))
    assert cumsum(x, 0).tolist() == np.cumsum(x).tolist()  # plain path: NumPy's own


def test_the_eigh_example_is_right():
    eigh = _run(_block("eigh = primitive(np.linalg.eigh"))["eigh"]
    a = np.random.default_rng(1).standard_normal((4, 4))

    def sym(a):
        return (a + a.T) / 2

    check_grads(lambda a: eigh(sym(a))[0], (a,), order=2)
    check_grads(lambda a: fnp.sum(eigh(sym(a))[1] ** 4), (a,), order=2)  # sign-free in V
    check_grads(lambda a: fnp.sum(eigh(sym(a)).eigenvectors[:, 0] ** 2 * eigh(sym(a))[0]),
                (a,), order=1)
