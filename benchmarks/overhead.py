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


def stack_sum(np_, n, x):
    """n scalars x * k, stacked: concatenate's JVP over n arguments."""
    return np_.sum(np_.stack([x * k for k in range(1, n + 1)]) ** 2)


def _jvp_of(m):  # jvp along the tangent 1, in each library's spelling
    return lambda f: lambda x: m.jvp(f, (x,), (x * 0 + 1,))


STACKS = {
    ("fgrad", "grad"): lambda m: m.grad,
    ("fgrad", "jvp"): _jvp_of,
    ("torch", "func.grad"): lambda m: m.func.grad,
    ("torch", "func.jvp"): lambda m: _jvp_of(m.func),
    ("jax", "grad (eager)"): lambda m: m.grad,
    ("jax", "jvp (eager)"): _jvp_of,
}
STACK_SIZES = (1000, 4000)

WRAPPERS = {("numpy", "numpy"): None, ("fgrad", "fgrad.numpy"): None, ("autograd", "autograd.numpy"): None}
A, B = np.linspace(0.1, 1.0, 10), np.linspace(1.0, 2.0, 10)
CALLS = {"sin(a)": ("sin", A), "add(a, b)": ("add", A, B), "sum(a)": ("sum", A), "dot(a, b)": ("dot", A, B)}


def run():
    common.section(f"overhead: grad of a chain of {N} primitives (sin, * 1.0001), time per primitive")
    common.interleaved_case("overhead", "(a) scalar x (0-d float64)", common.GRADS,
                            common.make_build(chain, np.asarray(0.5)), per=N)
    common.interleaved_case("overhead", "(b) 10-element array, sum at the end", common.GRADS,
                            common.make_build(chain_sum, A), per=N)
    per_grad = ("/ fgrad grad", lambda r, rows: f"{r['value'] / common.value_of(rows, 'fgrad'):.2f}x")
    for n in STACK_SIZES[:1] if common.SETTINGS.quick else STACK_SIZES:
        common.time_case("overhead", f"(d) grad and jvp through stack of {n} scalars", STACKS,
                         common.make_build(stack_sum, np.asarray(0.5), consts=(n,)),
                         extras=[per_grad])
    added = ("added per call", lambda r, rows: f"{(r['value'] - common.value_of(rows, 'numpy')) * 1e9:+.0f} ns")
    for case, (name, *args) in CALLS.items():
        common.time_case("overhead", f"(c) wrapper cost of {case} on plain 10-element arrays", WRAPPERS,
                         lambda b, _: partial(getattr(b.np, name), *args), extras=[added])
