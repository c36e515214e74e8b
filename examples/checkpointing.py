"""Peak memory of grad through a 100-layer network, plain and with checkpointed segments.

Run: python examples/checkpointing.py
"""
import time
import tracemalloc

import numpy as np

import fgrad
import fgrad.numpy as fnp

DEPTH, SEGMENT, WIDTH, BATCH = 100, 10, 128, 1024


def layers(h, weights):
    for W in weights:
        h = fnp.tanh(h @ W)
    return h


def plain_loss(weights, x):
    return fnp.sum(layers(x, weights) ** 2)


segment = fgrad.checkpoint(layers)


def checkpointed_loss(weights, x):
    h = x
    for i in range(0, DEPTH, SEGMENT):
        h = segment(h, weights[i:i + SEGMENT])
    return fnp.sum(h ** 2)


def peak_of_grad(loss, weights, x):
    """Peak traced memory (MiB) and seconds of one grad, with its result."""
    tracemalloc.start()
    start = time.perf_counter()
    g = fgrad.grad(loss)(weights, x)
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    return peak, seconds, g


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    weights = [rng.standard_normal((WIDTH, WIDTH)) / np.sqrt(WIDTH) for _ in range(DEPTH)]
    x = rng.standard_normal((BATCH, WIDTH))
    activations, parameters = DEPTH * x.nbytes / 2 ** 20, DEPTH * weights[0].nbytes / 2 ** 20
    print(f"{DEPTH} tanh layers of width {WIDTH}, batch {BATCH}: "
          f"{activations:.0f} MiB of activations, {parameters:.1f} MiB of weights")
    results = {}
    losses = {"plain": plain_loss, f"checkpointed every {SEGMENT} layers": checkpointed_loss}
    for name, loss in losses.items():
        peak, seconds, results[name] = peak_of_grad(loss, weights, x)
        print(f"  {name:32s} peak {peak:6.1f} MiB   {seconds:.2f} s")
    a, b = results.values()
    print("  same gradients:", all(np.allclose(u, v) for u, v in zip(a, b)))
