"""Data-parallel logistic regression on Dask: the gradient of a mean over shards.

The rows are split into 8 shards, sent once to the worker processes of a Dask
LocalCluster (one per core), where an actor per worker keeps them in memory;
fgrad.distributed.ShardedObjective evaluates the size-weighted mean of the shards'
losses and its gradient, each worker summing over its own shards, so that per call only
the weights go out and one gradient per worker comes back. scipy.optimize.minimize
(L-BFGS-B, jac=True) fits the model with it, and with the single-process
fgrad.value_and_grad of the same loss on all the rows: the example prints both losses
and gradients (equal to 1e-12), both fits and the speed-up.

    python examples/data_parallel.py                # 100,000 rows, a few seconds
    python examples/data_parallel.py --full         # 1,000,000 rows
    python examples/data_parallel.py --scheduler tcp://host:8786   # on a running cluster
"""
import argparse
import statistics
import time

import numpy as np
import scipy.optimize

import fgrad
import fgrad.numpy as fnp
from fgrad.distributed import ShardedObjective

FEATURES, SHARDS, RIDGE = 32, 8, 1e-4


def data(rows, seed=0):
    """Standard normal features; labels drawn from a logistic model with known weights."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, FEATURES))
    true_w = np.linspace(-1.0, 1.0, FEATURES)
    y = (rng.random(rows) < 1 / (1 + np.exp(-(x @ true_w + 0.5)))).astype(np.float64)
    return x, y


def loss(w, x, y):
    """Mean logistic loss of the rows, log(1 + e^z) - y z with z = x @ w[:-1] + w[-1],
    plus a small ridge (a mean over shards weighted by rows gives back the same ridge)."""
    z = x @ w[:-1] + w[-1]
    return fnp.mean(fnp.logaddexp(0.0, z) - y * z) + 0.5 * RIDGE * fnp.sum(w[:-1] ** 2)


def fit(value_and_grad, w0):
    """L-BFGS-B from w0; returns (result, seconds)."""
    start = time.perf_counter()
    result = scipy.optimize.minimize(value_and_grad, w0, jac=True, method="L-BFGS-B",
                                     options={"gtol": 1e-8})
    return result, time.perf_counter() - start


def per_call(fun, w, repeats=5):
    fun(w)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fun(w)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="1,000,000 rows, not 100,000")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes of the LocalCluster (default: one per core)")
    parser.add_argument("--scheduler", default=None,
                        help="a running Dask scheduler's address, instead of a LocalCluster")
    args = parser.parse_args(argv)
    rows = 1_000_000 if args.full else 100_000
    x, y = data(rows)
    shards = list(zip(np.array_split(x, SHARDS), np.array_split(y, SHARDS)))
    w0 = np.zeros(FEATURES + 1)
    single = fgrad.value_and_grad(loss)

    def single_process(w):
        return single(w, x, y)

    start = time.perf_counter()
    with ShardedObjective(loss, shards, reduce="mean", client=args.scheduler,
                          n_workers=args.workers) as objective:
        setup = time.perf_counter() - start
        workers = len(objective.placement())
        value, g = objective.value_and_grad(w0)
        value1, g1 = single_process(w0)
        value_error = abs(value - value1) / abs(value1)
        grad_error = np.abs(g - g1).max() / np.abs(g1).max()
        call_dask, call_single = per_call(objective.value_and_grad, w0), per_call(
            single_process, w0)
        traffic = objective.last_bytes
        ours, fit_dask = fit(objective.value_and_grad, w0)
    theirs, fit_single = fit(single_process, w0)

    print(f"logistic regression, {rows:,} rows x {FEATURES} features, in {SHARDS} shards on "
          f"{workers} Dask workers (cluster up and data sent in {setup:.1f} s)")
    print(f"at w = 0: loss {value:.15f} (single process {value1:.15f}), relative "
          f"difference {value_error:.1e}; gradient {grad_error:.1e}")
    print(f"one value_and_grad: {call_single * 1e3:.1f} ms in one process, "
          f"{call_dask * 1e3:.1f} ms on the cluster ({call_single / call_dask:.2f}x); "
          f"{traffic['params out']} bytes of weights out, {traffic['results back']} of "
          "results back")
    print(f"L-BFGS-B fit: {fit_single:.2f} s in one process ({theirs.nit} iterations, loss "
          f"{theirs.fun:.12f}), {fit_dask:.2f} s on the cluster ({ours.nit} iterations, loss "
          f"{ours.fun:.12f}): {fit_single / fit_dask:.2f}x")
    print(f"largest difference between the fitted weights: "
          f"{np.abs(ours.x - theirs.x).max():.1e}")
    return {"value_error": value_error, "grad_error": grad_error, "workers": workers,
            "speedup_call": call_single / call_dask, "speedup_fit": fit_single / fit_dask,
            "dask": ours, "single": theirs, "bytes": traffic}


if __name__ == "__main__":
    main()
