"""Stress: many threads, wide graphs, and no memory kept after a transform returns."""
import gc
import sys
import threading

import numpy as np

import fgrad
import fgrad.numpy as fnp


def test_eight_threads_differentiate_and_share_one_vjp_fn():
    x = np.linspace(-1.0, 1.0, 50)
    _, shared = fgrad.vjp(lambda x: fnp.tanh(x) * x, x)
    wrong = []
    functions = [(fnp.sin, np.cos), (fnp.exp, np.exp), (lambda x: x ** 3, lambda x: 3 * x ** 2),
                 (fnp.tanh, lambda x: 1 - np.tanh(x) ** 2)]

    def work(k):
        f, df = functions[k % 4]
        rng = np.random.default_rng(k)
        for _ in range(100):
            if not np.allclose(fgrad.elementwise_grad(f)(x), df(x), rtol=1e-12):
                wrong.append(("grad", k))
            ct = rng.standard_normal(50)
            t = np.tanh(x)
            if not np.allclose(shared(ct)[0], ct * (t + x * (1 - t * t)), rtol=1e-12):
                wrong.append(("shared", k))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_a_value_with_a_hundred_thousand_consumers():
    def f(x):
        return fnp.sum(fnp.stack([x * float(k % 7) for k in range(100_000)]))
    assert fgrad.grad(f)(1.0) == sum(k % 7 for k in range(100_000))


def _growth(step, repeats):
    """How many more memory blocks Python holds after ``repeats`` more calls of ``step``."""
    for _ in range(20):
        step()
    gc.collect()
    before = sys.getallocatedblocks()
    for _ in range(repeats):
        step()
    gc.collect()
    return sys.getallocatedblocks() - before


def test_repeated_transforms_keep_nothing():
    x = np.linspace(0.0, 1.0, 32)

    def loss(x):
        return fnp.sum(fnp.tanh(x) ** 2)
    g = fgrad.grad(loss)
    assert _growth(lambda: g(x), 10_000) < 500
    # transformed functions made anew each time (closures over fresh lambdas)
    assert _growth(lambda: fgrad.grad(lambda y: loss(y) * 2.0)(x), 2_000) < 500
    assert _growth(lambda: fgrad.vmap(fgrad.grad(lambda y: fnp.sum(y * y)))(x[:, None]),
                   1_000) < 500


def test_the_growth_measure_sees_a_leak():
    kept = []
    assert _growth(lambda: kept.append(np.ones(1)), 1_000) > 900
