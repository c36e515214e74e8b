"""Shared machinery: library back-ends, the table of grad transforms, timing, tables.

Every model is written once against a NumPy-like namespace `np_` (numpy, fgrad.numpy,
autograd.numpy, jax.numpy, or a small torch adapter), so a workload is a model plus a
table {(library, variant): transform maker}; a maker takes the library's top module
and returns a transform (e.g. `lambda m: m.grad`), or is None for "call the function
as it is". Adding a library is one loader in LOADERS plus its entries in the tables.
"""
import datetime
import gc
import os
import platform
import signal
import statistics
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # optional: the environment variables still pin the threads
    threadpool_info = threadpool_limits = None

THREADS = int(os.environ.get("FGRAD_BENCH_THREADS", "1"))
SETTINGS = SimpleNamespace(quick=False)  # set by run.py
RESULTS = []  # every reported row, for --json
ROW_TIMEOUT = 300  # seconds for one table row (warm-up, calibration and repeats)


# ---------------------------------------------------------------- back-ends

@dataclass
class Backend:
    mod: Any  # top module: fgrad, autograd, torch, jax or numpy
    np: Any  # its NumPy-like namespace
    version: str
    asarray: Callable = np.asarray  # NumPy array -> the library's array
    sync: Callable = lambda out: out  # wait for asynchronous results (jax)


def _version(name, mod):
    from importlib.metadata import PackageNotFoundError, version
    try:
        return getattr(mod, "__version__", None) or version(name)
    except PackageNotFoundError:
        return "unknown"


def _numpy():
    return Backend(np, np, np.__version__)


def _fgrad():
    import fgrad
    import fgrad.numpy as fnp
    return Backend(fgrad, fnp, f"{_version('fgrad', fgrad)} ({os.path.dirname(fgrad.__file__)})")


def _autograd():
    import autograd
    import autograd.numpy as anp
    return Backend(autograd, anp, _version("autograd", autograd))


def _torch():
    import torch
    import torch.func  # noqa: F401  (makes torch.func an attribute)
    torch.set_num_threads(THREADS)
    try:
        torch.set_num_interop_threads(THREADS)
    except RuntimeError:  # only settable once, before any parallel work
        pass

    def axis(f):  # NumPy's (axis, keepdims) spelled as torch's (dim, keepdim)
        return lambda x, axis=None, keepdims=False: f(x, dim=axis, keepdim=keepdims)

    ns = SimpleNamespace(sin=torch.sin, tanh=torch.tanh, exp=torch.exp, log=torch.log,
                         sum=axis(torch.sum), mean=axis(torch.mean), max=axis(torch.amax),
                         stack=lambda xs, axis=0: torch.stack(xs, dim=axis))
    return Backend(torch, ns, torch.__version__, asarray=lambda a: torch.from_numpy(np.asarray(a)))


def _jax():
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    return Backend(jax, jnp, jax.__version__, asarray=jnp.asarray, sync=jax.block_until_ready)


LOADERS = {"numpy": _numpy, "fgrad": _fgrad, "autograd": _autograd, "torch": _torch, "jax": _jax}
_BACKENDS = {}


def backend(name):
    """The loaded Backend `name`; raises (every time) the error that its import raised."""
    if name not in _BACKENDS:
        try:
            _BACKENDS[name] = LOADERS[name]()
        except Exception as e:
            _BACKENDS[name] = e
        if threadpool_limits:  # also pin the pools that this import brought in
            threadpool_limits(THREADS)
    if isinstance(_BACKENDS[name], Exception):
        raise _BACKENDS[name]
    return _BACKENDS[name]


# ---------------------------------------------------------------- pytrees of lists/tuples

def tree_map(f, t):
    return type(t)(tree_map(f, x) for x in t) if isinstance(t, (list, tuple)) else f(t)


def _backward_grad(f):
    """torch's classic eager autograd: leaves requiring grad, then loss.backward()."""
    def g(x, *args):
        x = tree_map(lambda a: a.detach().requires_grad_(), x)
        f(x, *args).backward()
        return tree_map(lambda a: a.grad, x)
    return g


GRADS = {  # (library, variant) -> maker of `grad` (w.r.t. the first argument)
    ("fgrad", "grad"): lambda m: m.grad,
    ("autograd", "grad"): lambda m: m.grad,
    ("torch", "backward()"): lambda m: _backward_grad,
    ("torch", "func.grad"): lambda m: m.func.grad,
    ("jax", "grad (eager)"): lambda m: m.grad,
    ("jax", "jit(grad)"): lambda m: lambda f: m.jit(m.grad(f)),
}


def make_build(fun, *args, consts=()):
    """build(backend, transform) -> a zero-argument callable running transform(f)(*args),
    where f(*args) = fun(backend.np, *consts, *args); arrays are converted up front."""
    def build(b, transform):
        cs, xs = tree_map(b.asarray, (consts, args))
        f = lambda *a: fun(b.np, *cs, *a)  # noqa: E731
        f = transform(f) if transform else f
        return lambda: b.sync(f(*xs))
    return build


# ---------------------------------------------------------------- timing

def _loop(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - t0


def measure(fn):
    """Median seconds per call of fn(): warm-up (jit compiles), then enough inner loops
    that one repeat takes ~0.15 s (~0.02 s with --quick), then the median of repeats."""
    target, repeats, budget = (0.02, 3, 5.0) if SETTINGS.quick else (0.15, 7, 20.0)
    fn()
    loops = 1
    while (t := _loop(fn, loops)) < target / 10:
        loops *= 10
    per_call = t / loops
    loops = max(1, round(target / per_call))
    repeats = max(1, min(repeats, int(budget / (per_call * loops))))  # cap very slow cases
    gc.collect()
    return statistics.median(_loop(fn, loops) / loops for _ in range(repeats))


# ---------------------------------------------------------------- tables

def fmt_time(s):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if s >= scale or unit == "ns":
            return f"{s / scale:.4g} {unit}"


def fmt_ratio(x):
    return "n/a" if x is None else f"{x:.0f}" if x >= 100 else f"{x:#.3g}"


FORMATS = {"s": fmt_time, "MiB": lambda v: f"{v:.1f} MiB"}


def section(title):
    print(f"\n=== {title} ===", flush=True)


def value_of(rows, lib):
    return next((r["value"] for r in rows if r["library"] == lib and r["value"] is not None), None)


def collect(impls, value):
    """One row per (library, variant) of impls; value(lib, variant, maker) returns its number
    (or a dict with "value" and more fields). A failure becomes an n/a row."""
    rows = []
    for (lib, variant), maker in impls.items():
        row = {"library": lib, "variant": variant, "value": None, "error": None}
        try:
            res = value(lib, variant, maker)
            row.update(res if isinstance(res, dict) else {"value": res})
        except Exception as e:
            row["error"] = f"{type(e).__name__}: {e}".strip()
        rows.append(row)
    return rows


def report(workload, case, rows, unit="s", label="time", extras=()):
    """Print one case as a table; `fgrad ratio` = fgrad's value / the row's value.
    extras: (column label, fn(row, rows) -> str) pairs."""
    ref = value_of(rows, "fgrad")
    print(f"\n  {case}")
    print(f"    {'library':<9} {'variant':<26} {label:>12} {'fgrad ratio':>12}"
          + "".join(f"  {col:>16}" for col, _ in extras))
    for r in rows:
        r.update(workload=workload, case=case, unit=unit)
        if r["value"] is None:
            reason = (r["error"] or "no result").splitlines()[0]
            cells = f"{'n/a':>12}  ({reason[:90]})"
        else:
            r["fgrad_ratio"] = ref / r["value"] if ref and r["value"] else None
            ratio = fmt_ratio(r["fgrad_ratio"])
            cells = f"{FORMATS[unit](r['value']):>12} {ratio:>12}"
            for col, fn in extras:
                try:
                    r[col] = fn(r, rows)
                except Exception:
                    r[col] = ""
                cells += f"  {r[col]:>16}"
        print(f"    {r['library']:<9} {r['variant']:<26} {cells}", flush=True)
    RESULTS.extend(rows)
    return rows


def _time_out(signum, frame):
    raise TimeoutError(f"gave up after {ROW_TIMEOUT} s")


def time_case(workload, case, impls, build, per=1, extras=()):
    """Time build(backend, transform)() for every entry of impls, divided by `per`;
    a row that takes longer than ROW_TIMEOUT seconds in all becomes n/a."""
    def value(lib, variant, maker):
        b = backend(lib)
        old = signal.signal(signal.SIGALRM, _time_out)
        signal.alarm(ROW_TIMEOUT)
        try:
            return measure(build(b, maker(b.mod) if maker else None)) / per
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    return report(workload, case, collect(impls, value), extras=extras)


def interleaved_case(workload, case, impls, build, per=1):
    """Like time_case, but the libraries take turns: each of ROUNDS rounds times every
    library once (~0.05 s each, the order rotating), so load that comes and goes hits
    all of them alike. The value is the median over rounds; the column `ratio spread`
    gives the best and worst of the per-round ratios fgrad / that library."""
    rounds = 5 if SETTINGS.quick else 21
    calls = {}

    def prepare(lib, variant, maker):
        b = backend(lib)
        fn = build(b, maker(b.mod) if maker else None)
        fn()  # warm-up (jit compiles)
        loops = 1
        while (t := _loop(fn, loops)) < 0.005:
            loops *= 10
        calls[lib, variant] = fn, max(1, round(0.05 / (t / loops)))
        return 0.0

    rows = collect(impls, prepare)
    samples = {key: [] for key in calls}
    keys = list(calls)
    for r in range(rounds):
        gc.collect()
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            fn, loops = calls[key]
            samples[key].append(_loop(fn, loops) / loops / per)
    for row in rows:
        key = row["library"], row["variant"]
        if key in samples:
            row["value"] = statistics.median(samples[key])
            row["samples"] = samples[key]
    ref = next((row for row in rows if row["library"] == "fgrad" and "samples" in row), None)

    def spread(row, _):
        ratios = [f / o for f, o in zip(ref["samples"], row["samples"])]
        return f"{fmt_ratio(min(ratios))}-{fmt_ratio(max(ratios))}"
    return report(workload, f"{case} (interleaved, {rounds} rounds)", rows,
                  extras=[("ratio spread", spread)] if ref else ())


# ---------------------------------------------------------------- machine

def machine_info():
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown"
    libs = {}
    for name in LOADERS:
        try:
            libs[name] = backend(name).version
        except Exception as e:
            libs[name] = f"not importable ({type(e).__name__}: {e})"
    if threadpool_info:  # after the imports above, so every library's pool is listed
        pools = [" ".join(str(p[k]) for k in ("internal_api", "version", "architecture") if p.get(k))
                 + f" ({os.path.basename(p['filepath'])}), {p['num_threads']} threads" for p in threadpool_info()]
    else:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        pools = [f"{blas['name']} {blas.get('version', '')}"]
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"),
            "platform": platform.platform(), "python": platform.python_version(), "cpu": cpu,
            "cores": os.cpu_count(), "threads": THREADS, "thread pools": pools,
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"), "libraries": libs}


def print_machine(info):
    print(f"fgrad benchmarks, {info['date']}")
    for key in ("platform", "python", "cpu", "cores", "threads", "OPENBLAS_CORETYPE"):
        if info[key] is not None:
            print(f"  {key + ':':<19}{info[key]}")
    for pool in info["thread pools"]:
        print(f"  {'thread pool:':<19}{pool}")
    for name, version in info["libraries"].items():
        print(f"  {name + ':':<19}{version}")
