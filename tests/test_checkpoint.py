"""checkpoint: same derivatives as the plain function, much less memory in reverse mode."""
import pathlib
import runpy
import tracemalloc

import numpy as np

import fgrad
import fgrad.numpy as fnp
from fgrad.testing import check_grads

# The networks of examples/checkpointing.py, on smaller arrays.
EXAMPLE = runpy.run_path(str(pathlib.Path(__file__).parents[1] / "examples" / "checkpointing.py"))
plain, checkpointed = EXAMPLE["plain_loss"], EXAMPLE["checkpointed_loss"]
RNG = np.random.default_rng(0)
WEIGHTS = [RNG.standard_normal((32, 32)) / np.sqrt(32) for _ in range(EXAMPLE["DEPTH"])]
X = RNG.standard_normal((256, 32))


def _peak(f):
    tracemalloc.start()
    result = f()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak, result


def test_same_gradient_far_less_memory():
    plain_peak, g_plain = _peak(lambda: fgrad.grad(plain, argnums=(0, 1))(WEIGHTS, X))
    ckpt_peak, g_ckpt = _peak(lambda: fgrad.grad(checkpointed, argnums=(0, 1))(WEIGHTS, X))
    for a, b in zip(fgrad.tree.tree_leaves(g_plain), fgrad.tree.tree_leaves(g_ckpt)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    activations = len(WEIGHTS) * X.nbytes
    assert plain_peak > 0.9 * activations  # plain keeps every layer's activations
    assert ckpt_peak < 0.4 * plain_peak


def test_checkpoint_as_decorator_under_every_mode():
    @fgrad.checkpoint
    def f(x, y):
        return fnp.sin(x) * fnp.exp(y) + x ** 3

    x, y = RNG.standard_normal(3), RNG.standard_normal(3)
    check_grads(lambda x, y: fnp.sum(f(x, y)), (x, y), order=2)
    H = fgrad.hessian(lambda x: fnp.sum(f(x, y)))(x)
    np.testing.assert_allclose(H, np.diag(-np.sin(x) * np.exp(y) + 6 * x), atol=1e-12)
    np.testing.assert_allclose(fgrad.vmap(f)(np.stack([x, x]), np.stack([y, y]))[1], f(x, y))


def test_backward_pass_reruns_the_function():
    calls = []

    @fgrad.checkpoint
    def f(x):
        calls.append(type(x).__name__)
        return fnp.tanh(x) ** 2

    fgrad.grad(lambda x: fnp.sum(f(x)))(np.ones(3))
    assert len(calls) == 2  # once forward (on plain values), once again for the backward
