"""overhead: per-primitive cost of grad on tiny operands, and fgrad.numpy's wrapper cost."""
from functools import partial

import numpy as np

from benchmarks import common

N = 2000  # primitives per chain: N/2 sin, N/2 multiply


def chain(np_, x):
    for _ in range(N // 2):
        x = np_.sin(x)
        x = x * 1.0001
    return x


def chain_sum(np_, x):
    return np_.sum(chain(np_, x))


WRAPPERS = {("numpy", "numpy"): None, ("fgrad", "fgrad.numpy"): None, ("autograd", "autograd.numpy"): None}
A, B = np.linspace(0.1, 1.0, 10), np.linspace(1.0, 2.0, 10)
CALLS = {"sin(a)": ("sin", A), "add(a, b)": ("add", A, B), "sum(a)": ("sum", A), "dot(a, b)": ("dot", A, B)}


def run():
    common.section(f"overhead: grad of a chain of {N} primitives (sin, * 1.0001), time per primitive")
    common.time_case("overhead", "(a) scalar x (0-d float64)", common.GRADS,
                     common.make_build(chain, np.asarray(0.5)), per=N)
    common.time_case("overhead", "(b) 10-element array, sum at the end", common.GRADS,
                     common.make_build(chain_sum, A), per=N)
    added = ("added per call", lambda r, rows: f"{(r['value'] - common.value_of(rows, 'numpy')) * 1e9:+.0f} ns")
    for case, (name, *args) in CALLS.items():
        common.time_case("overhead", f"(c) wrapper cost of {case} on plain 10-element arrays", WRAPPERS,
                         lambda b, _: partial(getattr(b.np, name), *args), extras=[added])
