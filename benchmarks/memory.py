"""memory: peak memory above baseline during one grad, each library in its own process.

Parent: `run()` starts `python -m benchmarks.memory LIBRARY VARIANT NET` per table row.
Child: builds the inputs, warms up once, takes the baseline, runs grad once, and prints
JSON: the peak RSS above baseline (VmHWM after resetting it through /proc/self/clear_refs,
or RSS sampled every 1 ms where that reset does not work) and, for the NumPy-based
libraries, the tracemalloc peak of a second run.
"""
import os
import sys

from benchmarks import pin_threads

if __name__ == "__main__":
    pin_threads(os.environ.get("FGRAD_BENCH_THREADS", "1"))  # before numpy is imported

import ctypes  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

from benchmarks import common, mlp  # noqa: E402

NETS = {  # name -> (description, layer sizes, batch)
    "mlp": ("MLP 784-512-512-10, batch 128", mlp.SIZES, mlp.BATCH),
    "deep": ("200 tanh layers of width 64, batch 32", [64] * 200 + [10], 32),
}
TRACED = ("fgrad", "autograd")  # NumPy-based: their arrays are visible to tracemalloc
MIB = 2.0 ** 20
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _status(key):
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith(key + ":"))


def _release():
    """Collect garbage and hand freed heap pages back to the OS, so that the next
    run's allocations show up in RSS instead of reusing the warm-up's memory."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc only
    except (OSError, AttributeError):
        pass


def _peak_rss(fn):
    """(peak RSS above the baseline during fn(), method)."""
    _release()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")  # resets VmHWM to the current RSS
        base = _status("VmRSS")
        if _status("VmHWM") <= base + MIB:
            fn()
            return _status("VmHWM") - base, "VmHWM"
    except OSError:
        pass
    base, peak, done = _status("VmRSS"), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _status("VmRSS"))
            time.sleep(0.001)
    sampler = threading.Thread(target=sample)
    sampler.start()
    fn()
    done.set()
    sampler.join()
    return max(peak[0], _status("VmRSS")) - base, "sampled"


def _peak_traced(fn):
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def child(lib, variant, net):
    _, sizes, batch = NETS[net]
    b = common.backend(lib)
    fn = common.make_build(mlp.loss, *mlp.init(sizes, batch))(b, common.GRADS[(lib, variant)](b.mod))
    fn()  # warm-up (and jit compile)
    rss, method = _peak_rss(fn)
    out = {"value": rss / MIB, "method": method}
    if lib in TRACED:
        _release()
        out["tracemalloc_mib"] = _peak_traced(fn) / MIB
    print(json.dumps(out))


def _in_child(net):
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072",  # big blocks mmap'd: freed memory leaves RSS
               PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])))

    def value(lib, variant, maker):
        proc = subprocess.run([sys.executable, "-m", "benchmarks.memory", lib, variant, net],
                              capture_output=True, text=True, cwd=ROOT, env=env, timeout=900)
        if proc.returncode:
            raise RuntimeError((proc.stderr.strip().splitlines() or ["exit %d" % proc.returncode])[-1])
        return json.loads(proc.stdout.strip().splitlines()[-1])
    return value


def run():
    common.section("memory: peak RSS above baseline during one grad, one process per row "
                   "(tracemalloc: NumPy-based libraries only)")
    for net, (desc, _, _) in NETS.items():
        rows = common.collect(common.GRADS, _in_child(net))
        common.report("memory", desc, rows, unit="MiB", label="peak RSS",
                      extras=[("tracemalloc peak", lambda r, rows: "%.1f MiB" % r["tracemalloc_mib"]
                               if "tracemalloc_mib" in r else ""),
                              ("RSS via", lambda r, rows: r["method"])])


if __name__ == "__main__":
    child(*sys.argv[1:])
