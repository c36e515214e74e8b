"""namespace: what fgrad.numpy costs where no derivative is taken, and at NumPy's door.

(a) every function of fgrad.numpy that NumPy also has, on plain 3x4 arrays, against
NumPy's own (the wrapper's cost: the ratio fgrad/NumPy, summarised, worst listed);
(b) `grad` through NumPy's own operators and functions meeting a traced value
(`C * x`, `np.sin(x)`: NumPy's dispatch protocols), against fgrad.numpy's."""
import statistics
from functools import partial

import numpy as np

from benchmarks import common

RNG = np.random.default_rng(0)
A, B = RNG.uniform(0.1, 0.9, (3, 4)), RNG.uniform(0.1, 0.9, (3, 4))
CANDIDATE_ARGS = ((A,), (A, B), (A, 1), (A, A > 0.5, B), ([A, B],), (A, 2, 0))


def _plain_calls():
    """(name, fgrad function, numpy function, args) for each name both have."""
    import fgrad.numpy as fnp
    from fgrad.numpy.namespace import FUNCTIONS
    calls = []
    for name, fn in sorted(FUNCTIONS.items()):
        np_fn = getattr(np, name, None)
        if not callable(np_fn) or fn is np_fn or name in ("empty_like", "random"):
            continue
        for args in CANDIDATE_ARGS:
            try:
                np_fn(*args)
                getattr(fnp, name)(*args)
            except Exception:
                continue
            calls.append((name, fn, np_fn, args))
            break
    return calls


def plain_path():
    common.section("namespace: fgrad.numpy on plain arrays, against NumPy's own function")
    ratios = []
    quick, common.SETTINGS.quick = common.SETTINGS.quick, True  # ~300 functions: short loops
    with np.errstate(all="ignore"):
        for name, fn, np_fn, args in _plain_calls():
            ours = common.measure(partial(fn, *args))
            theirs = common.measure(partial(np_fn, *args))
            ratios.append((ours / theirs, name, ours - theirs))
    common.SETTINGS.quick = quick
    ratios.sort()
    common.RESULTS.extend({"workload": "namespace", "case": "plain path", "library": "fgrad",
                           "variant": name, "value": r} for r, name, _ in ratios)
    print(f"\n  {len(ratios)} functions; time ratio fgrad.numpy / numpy: median "
          f"{statistics.median(r for r, _, _ in ratios):.3f}, "
          f"90th percentile {ratios[int(0.9 * len(ratios))][0]:.3f}")
    print("  the slowest ten (ratio, added time per call):")
    for r, name, added in ratios[-10:]:
        print(f"    {name:<20} {r:6.2f}  {added * 1e9:+8.0f} ns")


C = np.linspace(1.0, 2.0, 10)
N = 1000


def numpy_operators(np_, x):
    """NumPy's operators and functions meeting a traced value, N times each."""
    for _ in range(N):
        x = np_.sin(C * x) - C
    return np_.sum(x)


def fgrad_operators(np_, x):
    for _ in range(N):
        x = np_.sin(x * C) - C
    return np_.sum(x)


DOORS = {("fgrad", "grad"): lambda m: m.grad}


def run():
    plain_path()
    common.section(f"namespace: grad through {3 * N} operations with a NumPy array C, per operation")
    for label, model in (("(b) NumPy's side: np.sin(C * x) - C", numpy_operators),
                         ("(b) fgrad's side: fnp.sin(x * C) - C", fgrad_operators)):
        np_ = np if model is numpy_operators else None
        build = (common.make_build(model, C) if np_ is None else
                 lambda b, t, model=model: (lambda f: lambda: f(C))(t(partial(model, np))))
        common.time_case("namespace", label, DOORS, build, per=3 * N)
