"""mlp: grad of a softmax cross-entropy loss of a tanh MLP 784-512-512-10, batch 128.

`init` and `loss` are shared with the memory and per-example (jacobian) workloads.
"""
import numpy as np

from benchmarks import common

SIZES, BATCH = [784, 512, 512, 10], 128


def init(sizes, batch, seed=0):
    """Seeded params [(W, b), ...], inputs x and one-hot labels y."""
    rng = np.random.default_rng(seed)
    params = [(rng.standard_normal((m, n)) / np.sqrt(m), np.zeros(n)) for m, n in zip(sizes, sizes[1:])]
    x = rng.standard_normal((batch, sizes[0]))
    y = np.eye(sizes[-1])[rng.integers(sizes[-1], size=batch)]
    return params, x, y


def loss(np_, params, x, y):
    """Mean softmax cross-entropy; works for a batch (N, d) or one example (d,)."""
    for W, b in params[:-1]:
        x = np_.tanh(x @ W + b)
    W, b = params[-1]
    z = x @ W + b
    z = z - np_.max(z, axis=-1, keepdims=True)
    logp = z - np_.log(np_.sum(np_.exp(z), axis=-1, keepdims=True))
    return -np_.mean(np_.sum(logp * y, axis=-1))


IMPLS = {**common.GRADS, ("numpy", "forward only"): None}


def run():
    common.section(f"mlp: grad of softmax cross-entropy, tanh MLP {'-'.join(map(str, SIZES))}, batch {BATCH}")
    common.time_case("mlp", "grad w.r.t. params (NumPy row: loss only, no grad)", IMPLS,
                     common.make_build(loss, *init(SIZES, BATCH)),
                     extras=[("time / NumPy fwd", lambda r, rows: f"{r['value'] / common.value_of(rows, 'numpy'):.2f}x")])
